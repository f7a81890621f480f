"""Storage of runs, their events, their latest model, sweeps and corrections.

SQLAlchemy Core, one code path for both databases: an SQLite file by default
(WAL, so readers do not wait for the writer; several processes on one machine
may share it) or PostgreSQL from NNPLAY_DB_URL when several web nodes and
workers share one database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable

from engine.corrections import PIXELS, CorrectionSet
from server import schema_db as db
from server.events import DONE, EPOCH, WireEvent
from server.schema_db import METRICS

ACTIVE = ("queued", "running")
#: how long an SQLite writer waits for another process's transaction (web and workers share it)
SQLITE_BUSY_SECONDS = 30

@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    request: dict[str, Any]
    status: str
    error: str | None
    test_accuracy: float | None
    epochs: int
    last_epoch: dict[str, Any] | None
    created: float
    finished: float | None
    model_epoch: int | None
    model_saved: float | None


@dataclass(frozen=True, slots=True)
class SweepRecord:
    """A sweep: its grid and, in grid order, each run's id and the grid's values for it."""

    sweep_id: str
    client: str
    title: str
    base: dict[str, Any]
    grid: dict[str, list[Any]]
    created: float
    runs: list[tuple[str, dict[str, Any]]]
    #: how many of the runs have ended (completed, stopped or failed) when it was read
    finished: int = 0


@dataclass(frozen=True, slots=True)
class SweepRunRow:
    """A sweep's run as the results table needs it, with its per-epoch metrics."""

    run_id: str
    values: dict[str, Any]
    status: str
    epochs: int
    test_accuracy: float | None
    error: str | None
    metrics: list[dict[str, Any]]  # {"epoch", *METRICS}, in epoch order


@dataclass(frozen=True, slots=True)
class CorrectionRecord:
    """A digit the student relabelled: `pixels` are 784 bytes, 0..255 for ink 0..1."""

    id: int
    created: float
    client: str
    label: int
    predicted: int | None
    pixels: bytes


def create_schema(engine: Engine) -> None:
    """Every table and index, IF NOT EXISTS: web processes and workers start at once on one
    database, and `metadata.create_all`'s look-then-create races between them."""
    with engine.begin() as c:
        for table in db.metadata.sorted_tables:
            c.execute(CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                c.execute(CreateIndex(index, if_not_exists=True))


class Store:
    """Everything the server keeps across restarts."""

    def __init__(self, target: Path | str) -> None:
        """`target`: an SQLite file, or an SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...)."""
        self._engine = _engine(target)
        create_schema(self._engine)

    @property
    def engine(self) -> Engine:
        """The database, for the classroom's tables (LTI, lesson results) that live beside the runs."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    # -- writes ---------------------------------------------------------------

    def create_run(self, run_id: str, request: dict[str, Any]) -> None:
        with self._engine.begin() as c:
            self._insert_run(c, run_id, request, time.time())

    def create_sweep(self, sweep: SweepRecord, requests: list[dict[str, Any]]) -> None:
        """The sweep and all its runs (queued), in one transaction. Each run is a microsecond
        younger than the one before, so newest-first lists keep the grid's order reversed."""
        with self._engine.begin() as c:
            c.execute(insert(db.sweeps).values(
                sweep_id=sweep.sweep_id, client=sweep.client, title=sweep.title,
                base=json.dumps(sweep.base), grid=json.dumps(sweep.grid), created=sweep.created))
            for position, ((run_id, values), request) in enumerate(
                zip(sweep.runs, requests, strict=True)
            ):
                self._insert_run(c, run_id, request, sweep.created + position * 1e-6)
                c.execute(insert(db.sweep_runs).values(
                    sweep_id=sweep.sweep_id, position=position, run_id=run_id, point=json.dumps(values)))

    @staticmethod
    def _insert_run(c: Connection, run_id: str, request: dict[str, Any], created: float) -> None:
        c.execute(insert(db.runs).values(run_id=run_id, request=json.dumps(request), status="queued",
                                         created=created))

    def set_status(self, run_id: str, status: str) -> None:
        with self._engine.begin() as c:
            c.execute(update(db.runs).where(db.runs.c.run_id == run_id).values(status=status))

    def append_events(self, batch: Iterable[tuple[str, WireEvent]]) -> None:
        """Store events in one transaction; epoch and done events also update the run's row."""
        with self._engine.begin() as c:
            for run_id, event in batch:
                c.execute(insert(db.events).values(run_id=run_id, type=event.type, data=event.text))
                row = db.runs.c.run_id == run_id
                if event.type == EPOCH:
                    c.execute(update(db.runs).where(row).values(epochs=db.runs.c.epochs + 1,
                                                                last_epoch=event.text))
                    data = json.loads(event.text)
                    if isinstance(data.get("epoch"), int):
                        numbers = {k: _number(data.get(k)) for k in METRICS}
                        c.execute(upsert(self._engine, db.metrics, ("run_id", "epoch"),
                                               {"run_id": run_id, "epoch": data["epoch"], **numbers}))
                elif event.type == DONE:
                    c.execute(update(db.runs).where(row).values(
                        status=event.status, error=event.error, test_accuracy=event.test_accuracy,
                        finished=time.time()))

    def save_model(self, run_id: str, epoch: int, data: bytes) -> None:
        with self._engine.begin() as c:
            c.execute(upsert(self._engine, db.models, ("run_id",),
                                   {"run_id": run_id, "epoch": epoch, "data": data, "saved": time.time()}))

    def add_correction(self, client: str, label: int, predicted: int | None,
                       pixels: bytes) -> CorrectionRecord:
        created = time.time()
        with self._engine.begin() as c:
            new_id = c.execute(insert(db.corrections).values(
                created=created, client=client, label=label, predicted=predicted, pixels=pixels,
            ).returning(db.corrections.c.id)).scalar_one()
        return CorrectionRecord(new_id, created, client, label, predicted, pixels)

    def delete_correction(self, client: str, correction_id: int) -> bool:
        """Delete one of the client's corrections; False if it has none with this id."""
        t = db.corrections
        with self._engine.begin() as c:
            result = c.execute(t.delete().where(t.c.id == correction_id, t.c.client == client))
        return result.rowcount > 0

    # -- reads ----------------------------------------------------------------

    def ping(self) -> str | None:
        """None when the database answers, else what went wrong (for /api/health)."""
        try:
            with self._engine.connect() as c:
                c.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            return f"{type(exc).__name__}: {exc}".splitlines()[0]
        return None

    def status_counts(self) -> dict[str, int]:
        """How many runs have each status (for /metrics)."""
        query = select(db.runs.c.status, func.count()).group_by(db.runs.c.status)
        return {status: int(n) for status, n in self._all(query)}

    def run(self, run_id: str) -> RunRecord | None:
        rows = self._runs(self._run_query().where(db.runs.c.run_id == run_id))
        return rows[0] if rows else None

    def runs(self, limit: int) -> list[RunRecord]:
        """Saved runs, newest first."""
        r = db.runs.c
        return self._runs(self._run_query().order_by(r.created.desc(), r.run_id.desc()).limit(limit))

    def unfinished(self) -> list[str]:
        """Runs a previous server process left queued or running."""
        r = db.runs.c
        return [row[0] for row in self._all(select(r.run_id).where(r.status.in_(ACTIVE)).order_by(r.created))]

    def events(self, run_id: str) -> list[WireEvent]:
        e = db.events.c
        rows = self._all(select(e.type, e.data).where(e.run_id == run_id).order_by(e.id))
        return [WireEvent(type=t, text=d) for t, d in rows]

    def history(self, run_id: str) -> list[dict[str, Any]]:
        """The run's epoch events, in order."""
        e = db.events.c
        rows = self._all(select(e.data).where(e.run_id == run_id, e.type == EPOCH).order_by(e.id))
        return [json.loads(r[0]) for r in rows]

    def model(self, run_id: str) -> tuple[int, bytes] | None:
        """The latest saved model of a run and the epoch it is from."""
        m = db.models.c
        rows = self._all(select(m.epoch, m.data).where(m.run_id == run_id))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def corrections(self, client: str, limit: int | None = None) -> list[CorrectionRecord]:
        """The client's corrections, newest first (all of them when limit is None)."""
        t = db.corrections.c
        query = (select(t.id, t.created, t.client, t.label, t.predicted, t.pixels)
                 .where(t.client == client).order_by(t.id.desc()).limit(limit))
        return [CorrectionRecord(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in self._all(query)]

    def correction_set(self, client: str) -> CorrectionSet:
        """All the client's corrections as arrays, oldest first: what a training run adds."""
        records = self.corrections(client)[::-1]
        return CorrectionSet(
            pixels=np.frombuffer(b"".join(r.pixels for r in records), np.uint8).reshape(-1, PIXELS),
            labels=np.array([r.label for r in records], np.int64),
            ids=np.array([r.id for r in records], np.int64),
        )

    def correction_counts(self, client: str) -> dict[int, int]:
        """How many corrections the client has, by label."""
        t = db.corrections.c
        rows = self._all(select(t.label, func.count()).where(t.client == client).group_by(t.label))
        return {int(label): int(n) for label, n in rows}

    def sweep(self, sweep_id: str) -> SweepRecord | None:
        rows = self._sweeps(select(*db.sweeps.c).where(db.sweeps.c.sweep_id == sweep_id))
        return rows[0] if rows else None

    def sweeps(self, client: str, limit: int) -> list[SweepRecord]:
        """The client's sweeps, newest first."""
        s = db.sweeps.c
        return self._sweeps(select(*db.sweeps.c).where(s.client == client)
                            .order_by(s.created.desc(), s.sweep_id.desc()).limit(limit))

    def sweep_runs(self, sweep_id: str) -> list[SweepRunRow]:
        """The sweep's runs in grid order, each with its per-epoch metrics."""
        s, r, m = db.sweep_runs.c, db.runs.c, db.metrics.c
        with self._engine.connect() as c:
            rows = c.execute(
                select(s.run_id, s.point, r.status, r.epochs, r.test_accuracy, r.error)
                .join_from(db.sweep_runs, db.runs, r.run_id == s.run_id)
                .where(s.sweep_id == sweep_id).order_by(s.position)
            ).all()
            metrics = c.execute(
                select(m.run_id, m.epoch, *(m[k] for k in METRICS))
                .join_from(db.sweep_runs, db.metrics, m.run_id == s.run_id)
                .where(s.sweep_id == sweep_id).order_by(m.run_id, m.epoch)
            ).all()
        by_run: dict[str, list[dict[str, Any]]] = {}
        for run_id, *numbers in metrics:
            by_run.setdefault(run_id, []).append(dict(zip(("epoch", *METRICS), numbers, strict=True)))
        return [
            SweepRunRow(r[0], json.loads(r[1]), r[2], r[3], r[4], r[5], by_run.get(r[0], []))
            for r in rows
        ]

    # -- internals --------------------------------------------------------------

    def _all(self, query: Any) -> list[Any]:
        with self._engine.connect() as c:
            return list(c.execute(query).all())

    def _sweeps(self, query: Any) -> list[SweepRecord]:
        s, r = db.sweep_runs.c, db.runs.c
        with self._engine.connect() as c:
            rows = c.execute(query).all()
            runs = {
                row.sweep_id: c.execute(
                    select(s.run_id, s.point, r.status)
                    .join_from(db.sweep_runs, db.runs, r.run_id == s.run_id)
                    .where(s.sweep_id == row.sweep_id).order_by(s.position)
                ).all()
                for row in rows
            }
        return [
            SweepRecord(w.sweep_id, w.client, w.title, json.loads(w.base), json.loads(w.grid), w.created,
                        [(run_id, json.loads(point)) for run_id, point, _ in runs[w.sweep_id]],
                        sum(status not in ACTIVE for *_, status in runs[w.sweep_id]))
            for w in rows
        ]

    @staticmethod
    def _run_query() -> Any:
        r, m = db.runs.c, db.models.c
        return (select(r.run_id, r.request, r.status, r.error, r.test_accuracy, r.epochs, r.last_epoch,
                       r.created, r.finished, m.epoch, m.saved)
                .join_from(db.runs, db.models, m.run_id == r.run_id, isouter=True))

    def _runs(self, query: Any) -> list[RunRecord]:
        return [
            RunRecord(
                run_id=r[0],
                request=json.loads(r[1]),
                status=r[2],
                error=r[3],
                test_accuracy=r[4],
                epochs=r[5],
                last_epoch=json.loads(r[6]) if r[6] else None,
                created=r[7],
                finished=r[8],
                model_epoch=r[9],
                model_saved=r[10],
            )
            for r in self._all(query)
        ]


def upsert(engine: Engine, table: Any, keys: tuple[str, ...], values: dict[str, Any]) -> Any:
    """INSERT, or UPDATE the row with the same `keys` (both dialects spell it the same)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    return stmt.on_conflict_do_update(index_elements=list(keys),
                                      set_={k: v for k, v in values.items() if k not in keys})


def _engine(target: Path | str) -> Engine:
    """An engine for an SQLite file (made with its folder, in WAL mode) or any SQLAlchemy URL."""
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        target = f"sqlite:///{target}"
    if not target.startswith("sqlite"):
        return create_engine(target, pool_pre_ping=True, pool_size=5, max_overflow=10)
    engine = create_engine(target, connect_args={"check_same_thread": False,
                                                 "timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
