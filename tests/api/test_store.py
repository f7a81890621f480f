"""What survives a restart of the app (in-process; the real-process version is in test_live.py)."""

from __future__ import annotations

import json
import threading

from fastapi.testclient import TestClient

from server.app import create_app
from server.runs import RESTARTED
from server.settings import Settings
from server.store import Store
from tests.api.samples import xor


def test_runs_cut_off_by_a_restart_are_failed_with_the_reason(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        run_id = client.post("/api/runs", json=xor()).json()["run_id"]
        client.app.state.nnplay.store.save_model(run_id, 1, b"model")
    # the lifespan ended without the run finishing, as when the process is killed
    with TestClient(create_app(settings)) as client:
        run = client.get(f"/api/runs/{run_id}").json()
        assert run["status"] == "failed" and run["error"] == RESTARTED
        assert run["request"]["network"]["layers"][0]["units"] == 4
        assert client.get(f"/api/runs/{run_id}/model").content == b"model"
        with client.websocket_connect(f"/ws/runs/{run_id}") as ws:
            done = json.loads(ws.receive_text())
        assert done == {**done, "type": "done", "status": "failed", "error": RESTARTED}


def test_processes_starting_at_once_create_the_schema_without_a_race(tmp_path) -> None:
    """Web processes and workers open one database together; each must find or make every table."""
    path = tmp_path / "shared.sqlite"
    errors: list[Exception] = []

    def open_store() -> None:
        try:
            Store(path).close()
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = Store(path)
    store.create_run("r1", xor())
    assert store.run("r1") is not None
    store.close()
