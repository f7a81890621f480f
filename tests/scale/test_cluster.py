"""Scale-out with real processes: redis-server, two web processes, two `python -m server.worker`.

Runs are small 2-D networks; the cluster is shared by the tests of this module
(tests that kill a worker or restart Redis leave the cluster as they found it).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.api.live_server import EVENT_TIMEOUT, LiveServer
from tests.api.samples import xor
from tests.scale.conftest import Cluster, needs_redis
from tests.scale.processes import wait_for

pytestmark = [needs_redis, pytest.mark.slow]

SMALL_EPOCHS = 6
#: a run of a few seconds (about 0.1 s an epoch), long enough to be interrupted in the middle
LONGER = xor(epochs=40, dataset="spiral", n_points=2000, batch_size=2)


async def follow(web: LiveServer, request: dict[str, Any], client: str) -> tuple[str, list[dict[str, Any]]]:
    """Start a run as `client` on `web` and read its socket until done."""
    async with httpx.AsyncClient(base_url=web.url, timeout=60) as http:
        answer = await http.post("/api/runs", json=request, headers={"X-Client-Id": client})
        assert answer.status_code == 201, answer.text
        run_id = answer.json()["run_id"]
    return run_id, await read_socket(web, run_id)


async def read_socket(web: LiveServer, run_id: str, stop_after: int | None = None) -> list[dict[str, Any]]:
    """Every event the socket sends up to done (or the first `stop_after` of them)."""
    out: list[dict[str, Any]] = []
    async with connect(web.ws_url(run_id), max_size=None, open_timeout=30) as ws:
        while stop_after is None or len(out) < stop_after:
            event = json.loads(await asyncio.wait_for(ws.recv(), EVENT_TIMEOUT))
            out.append(event)
            if event["type"] == "done":
                break
    return out


def epochs_of(events: list[dict[str, Any]]) -> list[int]:
    return [e["epoch"] for e in events if e["type"] == "epoch"]


def measures(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["epoch"], e["train_loss"], e["validation_accuracy"]) for e in events if e["type"] == "epoch"]


def history(web: LiveServer, run_id: str) -> list[int]:
    return [e["epoch"] for e in web.get(f"/api/runs/{run_id}").json()["history"]]


def test_twenty_clients_on_two_web_processes_all_complete(cluster: Cluster) -> None:
    async def main() -> list[tuple[str, list[dict[str, Any]]]]:
        return await asyncio.gather(*(follow(cluster.webs[i % 2], xor(epochs=SMALL_EPOCHS), f"student-{i}")
                                      for i in range(20)))

    results = asyncio.run(main())
    expected = list(range(1, SMALL_EPOCHS + 1))
    for run_id, events in results:
        assert events[-1]["type"] == "done" and events[-1]["status"] == "completed", events[-1]
        assert epochs_of(events) == expected
        assert [e["type"] for e in events if e["type"] not in ("queued",)][0] == "started"
        for web in cluster.webs:  # either web process tells the same, complete story
            run = web.get(f"/api/runs/{run_id}").json()
            assert run["status"] == "completed"
            assert [e["epoch"] for e in run["history"]] == expected
    logs = [w.log.read_text() for w in cluster.workers[:2]]
    metrics = cluster.webs[0].get("/metrics").text
    assert 'nnplay_runs{status="completed"}' in metrics and "nnplay_epochs_total" in metrics
    assert all(w["state"] in ("idle", "busy") for w in cluster.live_workers()), logs


def test_a_client_reconnecting_to_the_other_web_process_gets_the_replay(cluster: Cluster) -> None:
    first, second = cluster.webs
    run_id = first.start_run(LONGER, "reconnecting-student")
    seen = asyncio.run(read_socket(first, run_id, stop_after=8))  # then the connection drops
    assert seen[-1]["type"] != "done"
    everything = asyncio.run(read_socket(second, run_id))
    without_places = [e for e in everything if e["type"] != "queued"]
    assert without_places[: len(seen)] == [e for e in seen if e["type"] != "queued"][: len(seen)]
    assert everything[-1]["status"] == "completed"
    assert epochs_of(everything) == list(range(1, 41))
    # after the end, from the database: the same events again
    stored = asyncio.run(read_socket(first, run_id))
    assert [e for e in stored if e["type"] != "queued"] == without_places


def test_bad_input_is_a_clear_4xx_in_redis_mode(cluster: Cluster) -> None:
    web = cluster.webs[1]
    assert web.post("/api/runs", json={**xor(), "epochs": 0}).status_code == 422
    assert web.get("/api/runs/0123456789abcdef").status_code == 404
    assert web.post("/api/runs/0123456789abcdef/stop").status_code == 404
    assert web.post("/api/runs/0123456789abcdef/pause").status_code == 404
    run_id = web.start_run(xor(epochs=2), "bad-input-student")
    web.wait_for(run_id, "done")
    assert web.post(f"/api/runs/{run_id}/pause").status_code == 409
    assert web.post(f"/api/runs/{run_id}/stop").json()["status"] == "completed"


def test_stop_and_pause_reach_a_worker_through_redis(cluster: Cluster) -> None:
    first, second = cluster.webs
    run_id = first.start_run(LONGER, "stopping-student")
    wait_for(lambda: first.get(f"/api/runs/{run_id}").json()["history"], what="a first epoch")
    assert second.post(f"/api/runs/{run_id}/pause").json()["paused"] is True
    assert first.get(f"/api/runs/{run_id}").json()["paused"] is True
    assert second.post(f"/api/runs/{run_id}/resume").json()["paused"] is False
    assert second.post(f"/api/runs/{run_id}/stop").status_code == 200
    events = first.wait_for(run_id, "done")
    assert {"paused", "resumed"} <= {e["type"] for e in events}
    assert events[-1]["status"] == "stopped"


def test_a_worker_killed_mid_run_goes_on_from_its_checkpoint(cluster: Cluster) -> None:
    web = cluster.webs[0]
    run_id = web.start_run(LONGER, "unlucky-student")
    wait_for(lambda: len(history(web, run_id)) >= 5, what="five epochs")
    holder = wait_for(lambda: next((w for w in cluster.live_workers() if w["run_id"] == run_id), None),
                      what="the run's worker")
    victim = next(w for w in cluster.workers if w.pid == holder["pid"])
    victim.kill9()
    cluster.workers.remove(victim)
    cluster.add_worker()  # for the tests that follow

    events = cluster.webs[1].wait_for(run_id, "done")
    assert events[-1]["status"] == "completed", events[-1]
    retried = [e for e in events if e["type"] == "retried"]
    assert len(retried) == 1 and retried[0]["attempt"] == 2 and retried[0]["after_epoch"] >= 5
    assert epochs_of(events) == list(range(1, 41))  # each epoch once, none missing
    assert history(web, run_id) == list(range(1, 41))
    logs = "".join(p.read_text() for p in cluster.base.glob("worker*.log"))
    assert f"run {run_id}: going on from the checkpoint of epoch" in logs
    # going on from the checkpoint (weights, optimizer, random generators) changes nothing
    calm = web.wait_for(web.start_run(LONGER, "lucky-student"), "done")
    assert measures(events) == measures(calm) and events[-1]["test_accuracy"] == calm[-1]["test_accuracy"]
    cluster.wait_workers(2)


def test_one_clients_limit_holds_across_web_processes(cluster: Cluster) -> None:
    """Eight submissions at once from one client, split over both web processes: exactly the
    per-client limit (3 by default) are queued, the rest refused with the limit named."""

    async def submit(i: int) -> httpx.Response:
        async with httpx.AsyncClient(base_url=cluster.webs[i % 2].url, timeout=60) as http:
            return await http.post("/api/runs", json=LONGER, headers={"X-Client-Id": "eager-student"})

    async def main() -> list[httpx.Response]:
        return await asyncio.gather(*(submit(i) for i in range(8)))

    answers = asyncio.run(main())
    accepted = [a.json()["run_id"] for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert len(accepted) == 3, [a.status_code for a in answers]
    assert all(a.status_code == 422 and "max_runs_per_client" in a.text for a in refused)
    for run_id in accepted:
        cluster.webs[0].post(f"/api/runs/{run_id}/stop")
    for run_id in accepted:
        cluster.webs[1].wait_for(run_id, "done")
    cluster.wait_workers(2)


def test_redis_restarting_mid_run_loses_nothing(cluster: Cluster) -> None:
    first, second = cluster.webs

    async def main() -> list[tuple[str, list[dict[str, Any]]]]:
        runs = [asyncio.create_task(follow(cluster.webs[i % 2], LONGER, f"patient-{i}")) for i in range(3)]
        await asyncio.sleep(1.5)
        await asyncio.to_thread(cluster.redis.restart)
        health = (await asyncio.to_thread(first.get, "/api/health")).json()
        assert health["redis"]["ok"] is True
        return await asyncio.gather(*runs)

    for run_id, events in asyncio.run(main()):
        assert events[-1]["status"] == "completed", events[-1]
        assert epochs_of(events) == list(range(1, 41))
        assert history(second, run_id) == list(range(1, 41))


def test_health_reports_redis_database_and_workers(cluster: Cluster) -> None:
    health = cluster.webs[1].get("/api/health").json()
    assert health["status"] == "ok" and health["mode"] == "redis"
    assert health["redis"] == {"ok": True, "detail": None}
    assert health["database"]["ok"] is True
    assert len(health["workers"]) == 2
