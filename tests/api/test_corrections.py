""""That's wrong": corrections saved per client in SQLite, listed, counted, deleted, kept across
a restart, exported, and added to a training run (in-process, no workers)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from engine.corrections import load_corrections
from server.app import create_app
from server.jobs import run_job
from server.routes import corrections
from server.settings import Settings
from server.worker import Job
from tests.api.samples import tiny_mnist, xor
from tests.api.test_jobs import Pipe, controls

ALICE = {"X-Client-Id": "alice"}
BOB = {"X-Client-Id": "bob"}


def a_digit(seed: int = 0) -> list[float]:
    return np.random.default_rng(seed).random(784).round(3).tolist()


def correct(api: TestClient, headers: dict | None = None, **body) -> dict:
    answer = api.post("/api/corrections", json={"pixels": a_digit(), "label": 7, **body},
                      headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_save_list_count_delete(client: TestClient) -> None:
    pixels = a_digit(1)
    first = correct(client, ALICE, pixels=pixels, label=4, predicted=9)
    assert first["label"] == 4 and first["predicted"] == 9 and first["created"] > 0
    assert np.array(first["pixels"]) == pytest.approx(pixels, abs=0.5 / 255 + 1e-4)
    second = correct(client, ALICE, label=1)
    assert second["id"] > first["id"] and second["predicted"] is None
    correct(client, BOB, label=4)

    listed = client.get("/api/corrections", headers=ALICE).json()
    assert [c["id"] for c in listed] == [second["id"], first["id"]]  # newest first
    assert listed[1] == first and len(listed[0]["pixels"]) == 784
    assert [c["id"] for c in client.get("/api/corrections?limit=1", headers=ALICE).json()] == [
        second["id"]
    ]
    count = client.get("/api/corrections/count", headers=ALICE).json()
    assert count == {"count": 2, "by_label": [0, 1, 0, 0, 1, 0, 0, 0, 0, 0]}

    # one client cannot see or delete another's
    assert [c["label"] for c in client.get("/api/corrections", headers=BOB).json()] == [4]
    refused = client.delete(f"/api/corrections/{first['id']}", headers=BOB)
    assert refused.status_code == 404 and "no correction" in refused.json()["detail"]

    deleted = client.delete(f"/api/corrections/{first['id']}", headers=ALICE)
    assert deleted.status_code == 200 and deleted.json() == {"id": first["id"], "count": 1}
    assert client.delete(f"/api/corrections/{first['id']}", headers=ALICE).status_code == 404
    assert [c["id"] for c in client.get("/api/corrections", headers=ALICE).json()] == [second["id"]]
    assert client.get("/api/corrections/count", headers=BOB).json()["count"] == 1


def test_owner_is_the_header_else_the_body_else_the_address(client: TestClient) -> None:
    correct(client, ALICE, client="bob", label=1)  # the header wins
    correct(client, client="bob", label=2)
    correct(client, label=3)  # the test client's address
    assert [c["label"] for c in client.get("/api/corrections", headers=ALICE).json()] == [1]
    assert [c["label"] for c in client.get("/api/corrections", headers=BOB).json()] == [2]
    assert [c["label"] for c in client.get("/api/corrections").json()] == [3]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"pixels": [0.0] * 783, "label": 1}, ["body", "pixels"]),
        ({"pixels": [0.0] * 785, "label": 1}, ["body", "pixels"]),
        ({"pixels": [0.0] * 783 + [1.5], "label": 1}, ["body", "pixels", 783]),
        ({"pixels": [-0.1] + [0.0] * 783, "label": 1}, ["body", "pixels", 0]),
        ({"pixels": ["a"] + [0.0] * 783, "label": 1}, ["body", "pixels", 0]),
        ({"pixels": [None] + [0.0] * 783, "label": 1}, ["body", "pixels", 0]),
        ({"pixels": "0" * 784, "label": 1}, ["body", "pixels"]),
        ({"pixels": [0.0] * 784, "label": 10}, ["body", "label"]),
        ({"pixels": [0.0] * 784, "label": -1}, ["body", "label"]),
        ({"pixels": [0.0] * 784, "label": "3"}, ["body", "label"]),
        ({"pixels": [0.0] * 784, "label": 2.5}, ["body", "label"]),
        ({"pixels": [0.0] * 784}, ["body", "label"]),
        ({"pixels": [0.0] * 784, "label": 1, "predicted": 10}, ["body", "predicted"]),
        ({"pixels": [0.0] * 784, "label": 1, "client": "x" * 65}, ["body", "client"]),
        ({"pixels": [0.0] * 784, "label": 1, "labels": 2}, ["body", "labels"]),
        ({"label": 1}, ["body", "pixels"]),
    ],
)
def test_wrong_corrections_are_422(client: TestClient, body: dict, loc: list) -> None:
    answer = client.post("/api/corrections", json=body, headers=ALICE)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail[0]["loc"] == loc and detail[0]["msg"], detail
    assert client.get("/api/corrections/count", headers=ALICE).json()["count"] == 0


def test_non_finite_pixels_are_422(client: TestClient) -> None:
    text = '{"label": 1, "pixels": [NaN' + ", 0" * 783 + "]}"
    answer = client.post("/api/corrections", content=text, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "pixels", 0]


@pytest.mark.parametrize("path_id", ["0", "-1", "x", str(2**63), "1.5"])
def test_ids_that_cannot_exist_are_422(client: TestClient, path_id: str) -> None:
    assert client.delete(f"/api/corrections/{path_id}").status_code == 422


def test_a_client_keeps_a_bounded_number(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corrections, "MAX_CORRECTIONS_PER_CLIENT", 2)
    correct(client, ALICE)
    correct(client, ALICE)
    full = client.post("/api/corrections", json={"pixels": a_digit(), "label": 1}, headers=ALICE)
    assert full.status_code == 409 and "delete some" in full.json()["detail"]
    correct(client, BOB)


def test_corrections_survive_a_restart(settings: Settings) -> None:
    pixels = a_digit(5)
    with TestClient(create_app(settings)) as client:
        saved = correct(client, ALICE, pixels=pixels, label=8, predicted=3)
    with TestClient(create_app(settings)) as client:
        (again,) = client.get("/api/corrections", headers=ALICE).json()
        assert again == saved
        assert np.array(again["pixels"]) == pytest.approx(pixels, abs=0.5 / 255 + 1e-4)
        assert client.get("/api/corrections/count", headers=ALICE).json()["by_label"][8] == 1


# -- corrections in a training run ------------------------------------------------------------


def test_a_run_asking_for_corrections_needs_some(client: TestClient) -> None:
    answer = client.post("/api/runs", json=tiny_mnist() | {"corrections": {}}, headers=ALICE)
    assert answer.status_code == 422
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["body", "corrections"] and "no corrections yet" in error["msg"]
    assert client.get("/api/runs").json() == []


def test_corrections_are_for_mnist_runs_only(client: TestClient) -> None:
    correct(client, ALICE)
    answer = client.post("/api/runs", json=xor() | {"corrections": {}}, headers=ALICE)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "corrections"]


def test_a_run_uses_all_the_callers_corrections_and_names_them(client: TestClient) -> None:
    first = correct(client, ALICE, pixels=a_digit(1), label=4)
    second = correct(client, ALICE, pixels=a_digit(2), label=9)
    correct(client, BOB, label=1)
    request = tiny_mnist() | {"corrections": {"repeat": 7, "ids": [123456]}}  # ids are the server's
    answer = client.post("/api/runs", json=request, headers=ALICE)
    assert answer.status_code == 201, answer.text
    run_id = answer.json()["run_id"]
    saved = client.get(f"/api/runs/{run_id}").json()["request"]
    assert saved["corrections"] == {"repeat": 7, "ids": [first["id"], second["id"]]}  # oldest first

    # the pixels wait beside the request for a worker (no workers here), not inside it
    pixels, labels = client.app.state.nnplay.runs.live(run_id).corrections  # type: ignore[attr-defined]
    assert pixels.dtype == np.uint8 and pixels.shape == (2, 784) and labels.tolist() == [4, 9]
    assert pixels[0] / 255 == pytest.approx(first["pixels"], abs=1e-4)


def test_the_repeated_corrections_count_against_the_train_size_limit(settings: Settings) -> None:
    settings.limits.max_train_size = 120  # tiny_mnist trains on 100
    with TestClient(create_app(settings)) as client:
        correct(client, ALICE)
        correct(client, ALICE)
        ok = client.post("/api/runs", json=tiny_mnist() | {"corrections": {"repeat": 10}}, headers=ALICE)
        assert ok.status_code == 201, ok.text
        over = client.post("/api/runs", json=tiny_mnist() | {"corrections": {"repeat": 11}}, headers=ALICE)
        assert over.status_code == 422
        (error,) = over.json()["detail"]
        assert error["loc"] == ["body", "corrections", "repeat"] and "max_train_size" in error["msg"]


def test_export_answers_the_callers_corrections_as_an_npz(client: TestClient) -> None:
    first = correct(client, ALICE, pixels=a_digit(3), label=2, predicted=7)
    second = correct(client, ALICE, pixels=a_digit(4), label=5)
    correct(client, BOB, label=1)
    answer = client.get("/api/corrections/export", headers=ALICE)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert ".npz" in answer.headers["content-disposition"]
    with np.load(io.BytesIO(answer.content), allow_pickle=False) as npz:
        assert npz["pixels"].dtype == np.uint8 and npz["pixels"].shape == (2, 784)
        assert npz["labels"].tolist() == [2, 5]
        assert npz["ids"].tolist() == [first["id"], second["id"]]
        assert npz["pixels"][1] / 255 == pytest.approx(second["pixels"], abs=1e-4)
    assert len(load_corrections(answer.content)) == 2  # what `python -m engine train` reads
    empty = load_corrections(client.get("/api/corrections/export").content)
    assert len(empty) == 0 and empty.pixels.shape == (0, 784)


@pytest.mark.mnist
def test_a_worker_trains_on_the_corrections_it_is_given(mnist_dir: Path) -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (3, 784), dtype=np.uint8)
    request = tiny_mnist() | {"corrections": {"repeat": 4, "ids": [1, 2, 3]}}
    out = Pipe()
    job = Job("r1", request, 60, (pixels, np.array([1, 2, 3])))
    run_job(job, out, controls(), mnist_dir)  # type: ignore[arg-type]
    sent = [json.loads(m[2].text) for m in out.sent if m[0] == "event"]
    assert sent[-1]["status"] == "completed", sent[-1]
    assert (sent[0]["n_corrections"], sent[0]["n_train"]) == (3, 100 + 3 * 4)
    assert "corrections_accuracy" in sent[1]
