"""The REST surface against the app in-process (no training workers: runs stay queued)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from engine.data import DATASET_INFO
from engine.registry import REGISTRY
from engine.spec import parse_request
from server.app import create_app
from server.settings import ServerLimits, Settings
from tests.api.samples import with_layers, xor


def test_health(client: TestClient) -> None:
    answer = client.get("/api/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_datasets_list_every_dataset_with_its_shape(client: TestClient) -> None:
    datasets = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert set(datasets) == set(DATASET_INFO)
    assert datasets["mnist"]["input_shape"] == [1, 28, 28]
    assert datasets["xor"] == {**datasets["xor"], "input_shape": [2], "classes": 2, "available": True}


def test_registry_and_limits(client: TestClient, settings: Settings) -> None:
    assert client.get("/api/registry").json() == REGISTRY
    limits = client.get("/api/limits").json()
    assert limits["max_epochs"] == settings.limits.max_epochs
    assert limits["max_runs_per_client"] == settings.server_limits.max_runs_per_client


def test_every_preset_is_a_valid_request(client: TestClient) -> None:
    presets = client.get("/api/presets").json()
    assert len({p["id"] for p in presets}) == len(presets) >= 10
    for preset in presets:
        request = parse_request(preset["request"])
        if request.dataset == "mnist":
            assert request.train_size <= 5000


def test_a_run_is_queued_and_described(client: TestClient) -> None:
    answer = client.post("/api/runs", json=xor())
    assert answer.status_code == 201
    run_id = answer.json()["run_id"]
    run = client.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "queued" and run["position"] == 1
    assert run["request"]["dataset"] == "xor" and run["history"] == []
    assert [r["run_id"] for r in client.get("/api/runs").json()] == [run_id]


def test_runs_are_listed_newest_first(client: TestClient) -> None:
    ids = [client.post("/api/runs", json=xor(), headers={"X-Client-Id": str(i)}).json()["run_id"]
           for i in range(3)]
    assert [r["run_id"] for r in client.get("/api/runs").json()] == ids[::-1]


@pytest.mark.parametrize(
    ("request_body", "loc", "words"),
    [
        (with_layers(xor(), [{"type": "dense", "units": 1, "activation": "wiggle"}]),
         ["body", "network", "layers", 0, "dense", "activation"], "sigmoid"),
        (xor(epochs=10**5), ["body", "epochs"], "max_epochs"),
        (with_layers(xor(dataset="mnist"), [
            {"type": "conv2d", "filters": 2, "kernel": 5},
            {"type": "maxpool", "size": 8},
            {"type": "conv2d", "filters": 2, "kernel": 5},
            {"type": "dense", "units": 10, "activation": "sigmoid"}]),
         ["body", "network", "layers", 2, "kernel"], "5x5 kernel"),
        ({"dataset": "xor"}, ["body", "network"], "required"),
    ],
)
def test_invalid_requests_say_which_field_and_why(
    client: TestClient, request_body: dict, loc: list, words: str
) -> None:
    answer = client.post("/api/runs", json=request_body)
    assert answer.status_code == 422
    errors = answer.json()["detail"]
    assert any(e["loc"] == loc and words in e["msg"] for e in errors), errors


def test_malformed_json_is_a_422(client: TestClient) -> None:
    answer = client.post("/api/runs", content=b'{"dataset": ', headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "json_invalid"


def test_runs_per_client_limit_is_named(client: TestClient, settings: Settings) -> None:
    limit = settings.server_limits.max_runs_per_client
    for _ in range(limit):
        assert client.post("/api/runs", json=xor(), headers={"X-Client-Id": "a"}).status_code == 201
    answer = client.post("/api/runs", json=xor(), headers={"X-Client-Id": "a"})
    assert answer.status_code == 422
    assert "max_runs_per_client" in answer.json()["detail"][0]["msg"]
    assert client.post("/api/runs", json=xor(), headers={"X-Client-Id": "b"}).status_code == 201


def test_oversized_bodies_are_refused(tmp_path) -> None:
    settings = Settings(db_path=tmp_path / "db.sqlite", workers=0,
                        server_limits=ServerLimits(max_body_bytes=4096))
    big = json.dumps({**xor(), "padding": "x" * 10_000}).encode()
    with TestClient(create_app(settings)) as client:
        declared = client.post("/api/runs", content=big, headers={"Content-Type": "application/json"})
        streamed = client.post("/api/runs", content=iter([big[:3000], big[3000:]]),
                               headers={"Content-Type": "application/json"})
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert "max_body_bytes = 4096" in answer.json()["detail"]


def test_stopping_a_queued_run(client: TestClient) -> None:
    run_id = client.post("/api/runs", json=xor()).json()["run_id"]
    assert client.post(f"/api/runs/{run_id}/stop").status_code == 200
    assert client.get(f"/api/runs/{run_id}").json()["status"] == "stopped"
    with client.websocket_connect(f"/ws/runs/{run_id}") as ws:
        done = json.loads(ws.receive_text())
    assert done["type"] == "done" and done["status"] == "stopped"
    assert client.post(f"/api/runs/{run_id}/stop").json()["status"] == "stopped"


def test_pause_needs_a_running_run(client: TestClient) -> None:
    run_id = client.post("/api/runs", json=xor()).json()["run_id"]
    answer = client.post(f"/api/runs/{run_id}/pause")
    assert answer.status_code == 409 and "queued" in answer.json()["detail"]


def test_a_queued_run_hears_its_place(client: TestClient) -> None:
    first = client.post("/api/runs", json=xor()).json()["run_id"]
    second = client.post("/api/runs", json=xor(), headers={"X-Client-Id": "b"}).json()["run_id"]
    with client.websocket_connect(f"/ws/runs/{second}") as ws:
        assert json.loads(ws.receive_text())["position"] == 2
        client.post(f"/api/runs/{first}/stop")
        assert json.loads(ws.receive_text())["position"] == 1
        client.post(f"/api/runs/{second}/stop")  # ends the stream, so the server closes it
        assert json.loads(ws.receive_text())["status"] == "stopped"


@pytest.mark.parametrize("path", ["", "/stop", "/pause", "/resume", "/model", "/predict"])
@pytest.mark.parametrize("run_id", ["0123456789abcdef", "nope", "%00"])
def test_unknown_run_ids_are_404(client: TestClient, path: str, run_id: str) -> None:
    method = client.get if path in ("", "/model") else client.post
    kwargs = {"json": {"pixels": [0.0] * 784}} if path == "/predict" else {}
    answer = method(f"/api/runs/{run_id}{path}", **kwargs)
    assert answer.status_code == 404, answer.text
    assert "no run" in answer.json()["detail"]


def test_unknown_run_socket_closes_with_a_reason(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with client.websocket_connect("/ws/runs/0123456789abcdef") as ws, pytest.raises(
        WebSocketDisconnect
    ) as closed:
        ws.receive_text()
    assert closed.value.code == 4404


def test_no_model_before_the_first_epoch_is_409(client: TestClient) -> None:
    run_id = client.post("/api/runs", json=xor()).json()["run_id"]
    assert client.get(f"/api/runs/{run_id}/model").status_code == 409
    answer = client.post(f"/api/runs/{run_id}/predict", json={"pixels": [0.0] * 784})
    assert answer.status_code == 409 and "first epoch" in answer.json()["detail"]


def test_pages_and_the_local_plotly_bundle(client: TestClient) -> None:
    for path, view in (("/", "playground"), ("/draw", "draw")):
        page = client.get(path)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert f'data-view="{view}"' in page.text
    bundle = client.get("/static/vendor/plotly.min.js")
    assert bundle.status_code == 200 and len(bundle.content) > 1_000_000
