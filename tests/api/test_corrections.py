""""That's wrong": corrections saved per client in SQLite, listed, counted, deleted, kept across
a restart (in-process, no workers)."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.routes import corrections
from server.settings import Settings

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
