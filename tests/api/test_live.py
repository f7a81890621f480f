"""End to end against a real `python -m server` with one worker and real WebSocket clients."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from engine.model import model_from_bytes
from tests.api.live_server import LiveServer
from tests.api.samples import slow, xor

pytestmark = pytest.mark.slow

Events = Iterator[dict[str, Any]]


def until(events: Events, kind: str) -> list[dict[str, Any]]:
    """Read an open stream up to and including the first event of type `kind`."""
    out = []
    for event in events:
        out.append(event)
        if event["type"] == kind:
            return out
    raise AssertionError(f"the stream ended without a {kind!r} event: {out}")


def stored(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Queue places are live news only; everything else is replayed."""
    return [e for e in events if e["type"] != "queued"]


def test_an_xor_run_streams_started_epochs_done_and_replays(live: LiveServer) -> None:
    run_id = live.start_run(xor(epochs=20))
    events = stored(live.wait_for(run_id, "done"))
    started, *middle, done = events
    epochs = [e for e in middle if e["type"] == "epoch"]
    assert {e["type"] for e in middle} <= {"epoch", "gradients", "histograms"}
    assert started["type"] == "started" and started["run_id"] == run_id
    assert started["parameters"] == 2 * 4 + 4 + 4 + 1
    assert started["n_train"] > 0 and started["n_validation"] > 0
    assert [e["epoch"] for e in epochs] == list(range(1, 21))
    for key in ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy",
                "seconds", "samples_per_second"):
        assert all(isinstance(e[key], float) for e in epochs), key
    assert done["status"] == "completed" and done["error"] is None
    assert 0.0 <= done["test_accuracy"] <= 1.0

    assert live.wait_for(run_id, "done") == events  # a late client gets the same story

    run = live.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "completed" and run["history"] == epochs
    model = model_from_bytes(live.get(f"/api/runs/{run_id}/model").content)
    assert model.predict(np.zeros((3, 2), np.float32)).shape == (3, 2)


def test_late_join_pause_resume_and_stop(live: LiveServer) -> None:
    run_id = live.start_run(slow())
    first = live.events(run_id)
    until(first, "epoch")
    paused = live.post(f"/api/runs/{run_id}/pause").json()
    assert paused == {"run_id": run_id, "status": "running", "paused": True}
    assert until(first, "paused")[-1]["type"] == "paused"

    late = live.events(run_id)
    replay = until(late, "paused")
    assert [e["type"] for e in replay][:2] == ["started", "epoch"]
    assert live.get(f"/api/runs/{run_id}").json()["paused"] is True

    assert live.post(f"/api/runs/{run_id}/resume").json()["paused"] is False
    assert live.post(f"/api/runs/{run_id}/stop").status_code == 200
    for stream in (first, late):
        done = until(stream, "done")[-1]
        assert done["status"] == "stopped"
    assert live.get(f"/api/runs/{run_id}").json()["status"] == "stopped"


def test_runs_wait_in_a_queue_and_hear_their_place(live: LiveServer) -> None:
    busy = live.start_run(slow(), client_id="a")
    until(live.events(busy), "started")
    waiting = live.start_run(xor(), client_id="b")
    stream = live.events(waiting)
    queued = next(stream)
    assert (queued["type"], queued["run_id"], queued["position"]) == ("queued", waiting, 1)
    live.post(f"/api/runs/{busy}/stop")
    assert until(stream, "done")[-1]["status"] == "completed"


def test_a_killed_worker_fails_its_run_and_the_next_run_succeeds(live: LiveServer) -> None:
    run_id = live.start_run(slow())
    stream = live.events(run_id)
    until(stream, "epoch")
    workers = live.get("/api/health").json()["workers"]
    pid = next(w["pid"] for w in workers if w["run_id"] == run_id)
    os.kill(pid, signal.SIGKILL)

    done = until(stream, "done")[-1]
    assert done["status"] == "failed"
    assert "stopped unexpectedly" in done["error"] and "-9" in done["error"]
    assert live.get(f"/api/runs/{run_id}").json()["status"] == "failed"

    after = live.start_run(xor())
    assert live.wait_for(after, "done")[-1]["status"] == "completed"
    assert pid not in [w["pid"] for w in live.get("/api/health").json()["workers"]]
