"""Hyper-parameter sweeps: the grid's runs, their validation, fair queueing, the results table."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.fairqueue import FairQueue
from server.runs import RESTARTED
from server.settings import ServerLimits, Settings
from tests.api.live_server import LiveServer
from tests.api.samples import xor

L2 = "network.regularization.l2"
ETA = "network.optimizer.learning_rate"
UNITS = "network.layers.0.units"


def sweep(grid: dict[str, list[Any]], base: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"base": base or xor(epochs=5), "grid": grid, **extra}


def post(client: TestClient, body: dict[str, Any], who: str = "a") -> Any:
    return client.post("/api/sweeps", json=body, headers={"X-Client-Id": who})


def test_the_grid_product_gives_one_run_per_combination(client: TestClient) -> None:
    answer = post(client, sweep({L2: [0, 0.1, 5], ETA: [0.1, 0.5]}))
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert len(created["run_ids"]) == 6

    table = client.get(f"/api/sweeps/{created['sweep_id']}").json()
    assert table["title"] == "l2 × learning_rate" and table["grid"] == {L2: [0, 0.1, 5], ETA: [0.1, 0.5]}
    assert [r["run_id"] for r in table["runs"]] == created["run_ids"]
    assert [r["values"] for r in table["runs"]] == [
        {L2: l2, ETA: eta} for l2 in (0, 0.1, 5) for eta in (0.1, 0.5)
    ]
    assert {r["status"] for r in table["runs"]} == {"queued"}
    assert table["runs"][0]["final"] is None and table["best_run_id"] is None

    run = client.get(f"/api/runs/{created['run_ids'][5]}").json()
    assert run["request"]["network"]["regularization"]["l2"] == 5
    assert run["request"]["network"]["optimizer"]["learning_rate"] == 0.5
    assert run["request"]["network"]["layers"] == xor()["network"]["layers"]

    mine = client.get("/api/sweeps", headers={"X-Client-Id": "a"}).json()
    assert [(s["sweep_id"], s["n_runs"], s["n_finished"]) for s in mine] == [(created["sweep_id"], 6, 0)]
    assert client.get("/api/sweeps", headers={"X-Client-Id": "b"}).json() == []


def test_list_indices_whole_values_and_a_title(client: TestClient) -> None:
    widest = {"type": "dense", "units": 8, "activation": "relu"}
    answer = post(client, sweep({UNITS: [2, 8], "network.layers.1": [xor()["network"]["layers"][1]],
                                 "network.layers.0.activation": ["tanh", "relu"]}, title="width"))
    assert answer.status_code == 201, answer.text
    table = client.get(f"/api/sweeps/{answer.json()['sweep_id']}").json()
    assert table["title"] == "width" and len(table["runs"]) == 4
    last = client.get(f"/api/runs/{table['runs'][-1]['run_id']}").json()
    assert last["request"]["network"]["layers"][0] == widest


@pytest.mark.parametrize(
    ("grid", "loc", "words"),
    [
        ({"network.optimizer.lr": [0.1]}, ["body", "grid", "network.optimizer.lr"], "has no field 'lr'"),
        ({"network.layers.2.units": [3]}, ["body", "grid", "network.layers.2.units"], "index 0..1"),
        ({"network.layers.0.filters": [3]}, ["body", "grid", "network.layers.0.filters"], "dense layer"),
        ({"epochs..x": [3]}, ["body", "grid", "epochs..x"], "not a field path"),
        ({"corrections.repeat": [3]}, ["body", "grid", "corrections.repeat"], "cannot be swept"),
        ({"network.layers.0": [{"type": "dense", "units": 3}], UNITS: [2]}, ["body", "grid", UNITS],
         "inside network.layers.0"),
        ({L2: [0, 1, 2, 3, 4], ETA: [0.1, 0.2, 0.3, 0.4]}, ["body", "grid"],
         "5 × 4 = 20 runs is over this server's limit max_sweep_runs = 16"),
        ({L2: [0, -1]}, ["body", "grid", L2], f"run 2 of 2 ({L2}=-1): Input should be greater than or equal"),
        ({UNITS: ["ten"]}, ["body", "grid", UNITS], "valid integer (got 'ten')"),
        ({"network.layers.0.type": ["conv2d"]}, ["body", "grid", "network.layers.0.type"],
         "network.layers.0.filters: Field required"),
    ],
)
def test_a_bad_grid_is_refused_naming_the_field(client: TestClient, grid: dict[str, list[Any]],
                                                loc: list[str], words: str) -> None:
    answer = post(client, sweep(grid))
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert any(e["loc"] == loc and words in e["msg"] for e in errors), errors
    assert client.get("/api/runs").json() == []  # all or nothing


def test_an_invalid_combination_is_named_and_nothing_starts(client: TestClient) -> None:
    """xor has 2 classes: an output layer of 3 units is wrong, whatever the learning rate."""
    answer = post(client, sweep({ETA: [0.1, 0.5], "network.layers.1.units": [1, 3]}))
    assert answer.status_code == 422
    errors = answer.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", "grid", "network.layers.1.units"]] * 2
    assert errors[0]["msg"].startswith(f"run 2 of 4 ({ETA}=0.1, network.layers.1.units=3): xor has 2 classes")
    assert errors[1]["msg"].startswith(f"run 4 of 4 ({ETA}=0.5, network.layers.1.units=3)")
    assert client.get("/api/runs").json() == []


def test_a_cross_field_error_outside_the_grid_points_at_the_base(client: TestClient) -> None:
    answer = post(client, sweep({"network.layers.1.activation": ["sigmoid", "tanh"]}))
    assert answer.status_code == 422
    error = answer.json()["detail"][0]
    assert error["loc"] == ["body", "base", "network", "cost"]
    assert error["msg"].startswith('run 2 of 2 (network.layers.1.activation="tanh"): network.cost: the '
                                   'cross_entropy cost')


def test_the_server_limits_apply_to_sweeps(tmp_path) -> None:
    limits = ServerLimits(max_sweep_runs=4, max_runs_per_client=2, max_queued_runs=7)
    settings = Settings(db_path=tmp_path / "db.sqlite", workers=0, server_limits=limits)
    with TestClient(create_app(settings)) as client:
        too_big = post(client, sweep({L2: [0, 1, 2, 3, 4]}))
        assert too_big.status_code == 422 and "max_sweep_runs = 4" in too_big.json()["detail"][0]["msg"]
        # a sweep of 4 runs is one job of the client's 2: one more run (or sweep) fits, not two
        assert post(client, sweep({L2: [0, 1, 2, 3]})).status_code == 201
        assert client.post("/api/runs", json=xor(), headers={"X-Client-Id": "a"}).status_code == 201
        refused = post(client, sweep({L2: [0]}))
        assert refused.status_code == 422 and "a sweep counts as one" in refused.json()["detail"][0]["msg"]
        # 5 runs wait; a sweep of 3 more would pass max_queued_runs = 7: refused whole
        full = post(client, sweep({L2: [0, 1, 2]}), who="b")
        assert full.status_code == 503 and "max_queued_runs = 7" in full.json()["detail"]
        assert len(client.get("/api/runs").json()) == 5


@pytest.mark.parametrize("path", ["", "/stop"])
@pytest.mark.parametrize("sweep_id", ["0123456789abcdef", "nope"])
def test_unknown_sweep_ids_are_404(client: TestClient, path: str, sweep_id: str) -> None:
    method = client.get if path == "" else client.post
    answer = method(f"/api/sweeps/{sweep_id}{path}")
    assert answer.status_code == 404 and "no sweep" in answer.json()["detail"]


def test_stopping_a_sweep_stops_its_queued_runs(client: TestClient) -> None:
    created = post(client, sweep({L2: [0, 1]})).json()
    table = client.post(f"/api/sweeps/{created['sweep_id']}/stop").json()
    assert [r["status"] for r in table["runs"]] == ["stopped", "stopped"]
    assert table["n_finished"] == 2


def test_the_queue_takes_turns_across_clients() -> None:
    queue = FairQueue()
    for n in range(1, 5):
        queue.push("a", f"a{n}")
    queue.push("b", "b1")
    assert queue.order() == ["a1", "b1", "a2", "a3", "a4"]
    queue.take("a1")
    queue.push("c", "c1")
    assert queue.order() == ["b1", "c1", "a2", "a3", "a4"] and queue.peek() == "b1"
    queue.take("b1")
    queue.push("b", "b2")  # b was served after a: a goes first
    assert queue.order() == ["c1", "a2", "b2", "a3", "a4"]
    queue.remove("a2")
    assert queue.order() == ["c1", "a3", "b2", "a4"] and len(queue) == 4


def test_a_single_run_waits_behind_one_sweep_run_not_all(client: TestClient) -> None:
    post(client, sweep({L2: [0, 1, 2, 3]}))
    single = client.post("/api/runs", json=xor(), headers={"X-Client-Id": "b"}).json()["run_id"]
    assert client.get(f"/api/runs/{single}").json()["position"] == 2


def test_a_restart_keeps_the_sweep(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        created = post(client, sweep({L2: [0, 1]})).json()
        before = client.get(f"/api/sweeps/{created['sweep_id']}").json()
    with TestClient(create_app(settings)) as client:
        after = client.get(f"/api/sweeps/{created['sweep_id']}").json()
        listed = client.get("/api/sweeps", headers={"X-Client-Id": "a"}).json()
    assert {k: after[k] for k in ("title", "grid", "created", "base")} == {
        k: before[k] for k in ("title", "grid", "created", "base")}
    assert [(r["run_id"], r["values"]) for r in after["runs"]] == [
        (r["run_id"], r["values"]) for r in before["runs"]]
    assert {(r["status"], r["error"]) for r in after["runs"]} == {("failed", RESTARTED)}
    assert [s["sweep_id"] for s in listed] == [created["sweep_id"]]


def test_a_sweep_runs_fairly_and_fills_its_table(live: LiveServer) -> None:
    """One worker: client A's 4-run sweep, then client B's run, which starts before A's 3rd."""
    body = sweep({UNITS: [2, 4], ETA: [0.5, 1.0]}, base=xor(epochs=8))
    answer = live.post("/api/sweeps", json=body, headers={"X-Client-Id": "sweeper"})
    assert answer.status_code == 201, answer.text
    sweep_id, a_runs = answer.json()["sweep_id"], answer.json()["run_ids"]
    b_run = live.start_run(xor(epochs=8), client_id="single")

    started = {}
    for run_id in [*a_runs, b_run]:
        run_events = live.wait_for(run_id, "done")
        assert run_events[-1]["status"] == "completed"
        started[run_id] = next(e["emitted_at"] for e in run_events if e["type"] == "started")
    assert started[a_runs[0]] < started[b_run] < started[a_runs[2]]

    table = live.get(f"/api/sweeps/{sweep_id}", params={"curves": "true"}).json()
    assert table["n_finished"] == 4 and table["best_run_id"] in a_runs
    for row in table["runs"]:
        assert row["status"] == "completed" and row["epochs_done"] == 8
        assert row["final"]["epoch"] == 8 and 0 <= row["final"]["validation_accuracy"] <= 1
        assert row["best_validation_accuracy"] >= row["final"]["validation_accuracy"]
        assert row["test_accuracy"] is not None and row["error"] is None
        assert row["curves"]["epoch"] == list(range(1, 9)) and len(row["curves"]["train_loss"]) == 8
    best = max(table["runs"], key=lambda r: r["best_validation_accuracy"])
    assert best["best_validation_accuracy"] == next(
        r for r in table["runs"] if r["run_id"] == table["best_run_id"])["best_validation_accuracy"]
