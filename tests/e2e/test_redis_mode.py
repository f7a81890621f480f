"""The page against the scaled-out deployment: redis-server, two web processes and a
`python -m server.worker`, as docs/SCALE.md sets them up. A student trains on one web
process; the run, its live charts and its controls travel through Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from conftest import new_page, screenshot
from e2e_helpers import build_layers, epoch, open_app, plot_data, set_field, wait_epoch, wait_finished

from tests.api.live_server import LiveServer
from tests.scale.processes import REDIS_SERVER, RedisServer, WorkerProcess, cluster_env, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (.ci/run installs it)"),
]

XOR_2_4_1 = [{"type": "dense", "units": 4, "activation": "tanh"},
             {"type": "dense", "units": 1, "activation": "sigmoid"}]


@pytest.fixture(scope="module")
def webs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    base = tmp_path_factory.mktemp("redis-mode")
    redis = RedisServer(base).start()
    env = cluster_env(redis.url, base / "runs.sqlite")
    servers = [LiveServer(base / "runs.sqlite", 0, base / f"web{i}.log", env=env) for i in range(2)]
    worker = WorkerProcess(env, base / "worker.log").start()
    try:
        for web in servers:
            web.start()
        wait_for(lambda: any(w["state"] == "idle" for w in servers[0].get("/api/health").json()["workers"]),
                 what="an idle worker")
        yield servers
    finally:
        for web in servers:
            web.stop()
        worker.stop()
        redis.stop()


def set_up(page, dataset: str, epochs: int) -> None:
    open_app(page)
    set_field(page, "dataset", dataset)
    build_layers(page, XOR_2_4_1)
    set_field(page, "epochs", epochs)
    set_field(page, "network.optimizer.learning_rate", 0.5)


def test_a_run_trains_live_through_redis_and_shows_on_the_other_web_process(browser, webs) -> None:
    page = new_page(browser, webs[0].url)
    set_up(page, "xor", epochs=30)
    page.get_by_test_id("train-start").click()
    wait_finished(page, timeout=120_000)
    wait_epoch(page, 30)
    assert page.get_by_test_id("run-status").inner_text() == "Completed"
    loss = plot_data(page, "loss-chart")
    assert len(loss[0]["x"]) == 30 and all(v is not None for v in loss[0]["y"])
    screenshot(page, "redis-mode-trained")
    assert not page.script_errors

    # the other web process knows the run and its whole history (one database, one Redis)
    (run,) = [r for r in webs[1].get("/api/runs").json() if r["status"] == "completed"]
    assert len(webs[1].get(f"/api/runs/{run['run_id']}").json()["history"]) == 30
    page.context.close()


def settled_epoch(page, quiet_ms: int = 1500, timeout_s: float = 30) -> int:
    """The epoch shown once it has not moved for `quiet_ms`. The page says Paused as soon as the
    web process has the request; the worker sees it on its next heartbeat (0.2 s), and the
    epochs already on their way through Redis still land after that."""
    deadline = time.monotonic() + timeout_s
    last = epoch(page)
    while time.monotonic() < deadline:
        page.wait_for_timeout(quiet_ms)
        now = epoch(page)
        if now == last:
            return now
        last = now
    pytest.fail(f"the run was still training {timeout_s:.0f} s after it was paused")


def test_pause_and_stop_reach_the_worker_from_the_page(browser, webs) -> None:
    page = new_page(browser, webs[0].url)
    set_up(page, "spiral", epochs=500)  # the server's most; ~0.1 s an epoch: about a minute unpaused
    set_field(page, "n_points", 6000)
    set_field(page, "batch_size", 1)
    page.get_by_test_id("train-start").click()
    wait_epoch(page, 2, timeout=120_000)
    page.get_by_test_id("train-pause").click()
    page.wait_for_function("() => document.querySelector('[data-testid=run-status]').innerText === 'Paused'",
                           timeout=30_000)
    held = settled_epoch(page)
    assert held < 500  # the worker paused: the run did not just run to its end
    page.get_by_test_id("train-pause").click()  # resume
    wait_epoch(page, held + 1, timeout=60_000)
    page.get_by_test_id("train-stop").click()
    wait_finished(page, timeout=60_000)
    assert page.get_by_test_id("run-status").inner_text() == "Stopped"
    assert epoch(page) < 500
    assert not page.script_errors
    page.context.close()
