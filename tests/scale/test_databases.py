"""The store on both databases through the same SQLAlchemy Core code: the SQLite file
(the single-node default) and a real, throwaway PostgreSQL server (several web nodes)."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.events import done, encode
from server.store import Store, SweepRecord
from tests.api.live_server import LiveServer
from tests.api.samples import xor
from tests.scale.conftest import needs_redis
from tests.scale.processes import PG_BIN, PostgresServer, RedisServer, WorkerProcess, cluster_env


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    if PG_BIN is None:
        pytest.skip("PostgreSQL (initdb, pg_ctl) is not installed: the PostgreSQL path is not tested here")
    directory = Path(tempfile.mkdtemp(prefix="nnplay-pg-"))  # not under pytest's root-only tmp
    server = PostgresServer(directory)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - any reason it cannot start is a reason to skip
        shutil.rmtree(directory, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL in {directory}: {exc}")
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        target: Path | str = tmp_path / "runs.sqlite"
    else:
        target = request.getfixturevalue("postgres").url
    s = Store(target)
    yield s
    if request.param == "postgresql":
        from server import schema_db

        schema_db.metadata.drop_all(s._engine)
    s.close()


def test_a_run_its_events_and_model(store: Store) -> None:
    store.create_run("a" * 16, {"dataset": "xor"})
    store.set_status("a" * 16, "running")
    epochs = [encode({"type": "epoch", "epoch": n, "train_loss": 1 / n, "train_accuracy": 0.5,
                      "validation_loss": None, "validation_accuracy": None}) for n in (1, 2)]
    started = encode({"type": "started", "run_id": "a" * 16})
    store.append_events([("a" * 16, started), *(("a" * 16, e) for e in epochs)])
    store.save_model("a" * 16, 1, b"\x00model-1")
    store.save_model("a" * 16, 2, b"\x00model-2")
    assert store.unfinished() == ["a" * 16]
    store.append_events([("a" * 16, done("a" * 16, "completed"))])
    run = store.run("a" * 16)
    assert run is not None and run.status == "completed" and run.epochs == 2 and run.model_epoch == 2
    assert [e["epoch"] for e in store.history("a" * 16)] == [1, 2]
    assert [e.type for e in store.events("a" * 16)] == ["started", "epoch", "epoch", "done"]
    assert store.model("a" * 16) == (2, b"\x00model-2")
    assert store.status_counts() == {"completed": 1}
    assert store.ping() is None and store.unfinished() == []


def test_sweeps_and_corrections(store: Store) -> None:
    sweep = SweepRecord("s" * 16, "c", "l2", {"dataset": "xor"}, {"l2": [0, 1]}, time.time(),
                        [("b" * 16, {"l2": 0}), ("c" * 16, {"l2": 1})])
    store.create_sweep(sweep, [{"dataset": "xor"}, {"dataset": "xor"}])
    store.append_events([("c" * 16, encode({"type": "epoch", "epoch": 1, "train_loss": 0.3,
                                            "validation_accuracy": 0.9}))])
    assert [r.run_id for r in store.runs(10)] == ["c" * 16, "b" * 16]
    (read,) = store.sweeps("c", 10)
    assert read.runs == sweep.runs and read.finished == 0
    rows = store.sweep_runs("s" * 16)
    assert rows[1].metrics == [{"epoch": 1, "train_loss": 0.3, "train_accuracy": None,
                                "validation_loss": None, "validation_accuracy": 0.9}]
    first = store.add_correction("c", 7, 1, bytes(range(256)) * 3 + bytes(16))
    store.add_correction("c", 7, None, bytes(784))
    assert store.correction_counts("c") == {7: 2}
    assert store.correction_set("c").ids.tolist() == [first.id, first.id + 1]
    assert store.delete_correction("c", first.id) and not store.delete_correction("other", first.id + 1)
    assert [c.id for c in store.corrections("c")] == [first.id + 1]


@needs_redis
@pytest.mark.slow
def test_web_and_worker_share_postgresql(postgres: PostgresServer, redis_server: RedisServer,
                                          tmp_path: Path) -> None:
    redis_url = redis_server.url.rsplit("/", 1)[0] + "/2"  # apart from the shared cluster's queue
    env = {**cluster_env(redis_url, tmp_path / "unused.sqlite"), "NNPLAY_DB_URL": postgres.url}
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    try:
        with LiveServer(tmp_path / "unused.sqlite", 0, tmp_path / "web.log", env=env) as web:
            run_id = web.start_run(xor(epochs=3), "pg-student")
            assert web.wait_for(run_id, "done")[-1]["status"] == "completed"
            assert [e["epoch"] for e in web.get(f"/api/runs/{run_id}").json()["history"]] == [1, 2, 3]
            assert web.get(f"/api/runs/{run_id}/model").status_code == 200
    finally:
        worker.stop()


def test_lti_launch_state_and_nonce_are_used_once_on_every_database(store: Store) -> None:
    """The LTI tables live in the shared database: a second node (another engine) sees the launch,
    and a state or nonce used on one node is used for all."""
    from server.lti.store import LtiStore

    second_node = Store(store.engine.url.render_as_string(hide_password=False))
    one, other = LtiStore(store.engine), LtiStore(second_node.engine)
    one.add_state("s1", "n1", "https://lms", "client", None, ttl=60)
    assert other.state("s1").nonce == "n1"
    assert other.consume("s1", "n1", "https://lms", time.time() + 60) is None
    assert one.consume("s1", "n1", "https://lms", time.time() + 60) == "state"
    one.add_state("s2", "n2", "https://lms", "client", None, ttl=60)
    assert one.consume("s2", "n1", "https://lms", time.time() + 60) == "nonce"  # a replayed nonce
    assert one.state("s2").used is False  # and the refused launch changed nothing
    one.add_launch("L1", {"issuer": "https://lms", "client_id": "client", "deployment_id": "d",
                          "sub": "u", "message_type": "LtiResourceLinkRequest", "x": 1})
    assert other.launch("L1")["x"] == 1
    one.set_score("item", "u", 0.5)
    one.set_score("item", "u", 0.75)
    assert other.last_score("item", "u") == 0.75
    # the tool key: the first node's offer is kept, the second node gets it back (the table is
    # emptied first: the module's database is shared with a test whose web process stored one)
    from sqlalchemy import delete

    from server import schema_db

    with store.engine.begin() as conn:
        conn.execute(delete(schema_db.lti_tool_key))
    assert other.tool_key_pem() is None
    assert one.offer_tool_key_pem(b"KEY ONE") == b"KEY ONE"
    assert other.offer_tool_key_pem(b"KEY TWO") == b"KEY ONE" == other.tool_key_pem()
    second_node.close()


def test_lesson_results_on_every_database(store: Store) -> None:
    from server.lessons.results import LessonResults

    results = LessonResults(store.engine)
    launch = {"issuer": "https://lms", "context": {"id": "course-3"}, "sub": "u", "name": "Ada"}
    results.add("r1", "xor", "browser-1", {"metric": "test_accuracy", "at_least": 0.9}, "L1", launch)
    results.add("r2", "xor", "browser-1", {"metric": "test_accuracy", "at_least": 0.9})
    assert results.claim("r1")["goal"]["at_least"] == 0.9
    assert results.claim("r1") is None  # evaluated once, whoever asks
    results.set_result("r1", "completed", True, 0.95, 0.95, 17, "ok")
    (row,) = results.for_learner("xor", "https://lms", "course-3", "u")
    assert row["met"] is True and row["value"] == 0.95
    assert [r["run_id"] for r in results.for_class("xor", "https://lms", "course-3")] == ["r1"]
    assert [r["run_id"] for r in results.for_client("xor", "browser-1")] == ["r2"]
