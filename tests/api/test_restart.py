"""A real server killed mid-run and started again on the same database."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.model import model_from_bytes
from server.runs import RESTARTED
from tests.api.live_server import LiveServer
from tests.api.samples import slow, xor

pytestmark = pytest.mark.slow


def test_a_restart_keeps_every_run_and_model_and_fails_the_cut_off_one(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "runs.sqlite", 1, tmp_path / "server.log") as server:
        finished = server.start_run(xor(epochs=10))
        server.wait_for(finished, "done")
        before = server.get(f"/api/runs/{finished}").json()
        model = server.get(f"/api/runs/{finished}/model").content

        cut = server.start_run(slow())
        server.wait_for(cut, "epoch")
        server.crash()
        server.start()

        after = server.get(f"/api/runs/{finished}").json()
        assert after == before and after["status"] == "completed"
        assert server.get(f"/api/runs/{finished}/model").content == model
        model_from_bytes(model)

        run = server.get(f"/api/runs/{cut}").json()
        assert run["status"] == "failed" and run["error"] == RESTARTED
        assert len(run["history"]) >= 1
        replay = server.wait_for(cut, "done")
        assert replay[0]["type"] == "started" and replay[-1]["error"] == RESTARTED
        assert {r["run_id"] for r in server.get("/api/runs").json()} == {finished, cut}
