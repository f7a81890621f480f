"""SQLite storage of runs, their events and their latest model (stdlib sqlite3).

One connection guarded by a lock: the event-reader thread writes batches,
request handlers read. WAL keeps readers from waiting on the writer's fsync.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.corrections import PIXELS, CorrectionSet
from server.events import DONE, EPOCH, WireEvent

ACTIVE = ("queued", "running")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    test_accuracy REAL,
    epochs INTEGER NOT NULL DEFAULT 0,
    last_epoch TEXT,
    created REAL NOT NULL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id, id);
CREATE TABLE IF NOT EXISTS models (
    run_id TEXT PRIMARY KEY,
    epoch INTEGER NOT NULL,
    data BLOB NOT NULL,
    saved REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    client TEXT NOT NULL,
    label INTEGER NOT NULL,
    predicted INTEGER,
    pixels BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_client ON corrections (client, id);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    train_loss REAL,
    train_accuracy REAL,
    validation_loss REAL,
    validation_accuracy REAL,
    PRIMARY KEY (run_id, epoch)
);
CREATE TABLE IF NOT EXISTS sweeps (
    sweep_id TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    title TEXT NOT NULL,
    base TEXT NOT NULL,
    grid TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sweeps_client ON sweeps (client, created);
CREATE TABLE IF NOT EXISTS sweep_runs (
    sweep_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    run_id TEXT NOT NULL UNIQUE,
    point TEXT NOT NULL,
    PRIMARY KEY (sweep_id, position)
);
"""

#: the numbers of an epoch event kept in `metrics` (compact curves for sweeps)
METRICS = ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy")


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


class Store:
    """Everything the server keeps across restarts."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writes ---------------------------------------------------------------

    def create_run(self, run_id: str, request: dict[str, Any]) -> None:
        with self._lock:
            self._insert_run(run_id, request, time.time())

    def create_sweep(self, sweep: SweepRecord, requests: list[dict[str, Any]]) -> None:
        """The sweep and all its runs (queued), in one transaction."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO sweeps (sweep_id, client, title, base, grid, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (sweep.sweep_id, sweep.client, sweep.title, json.dumps(sweep.base),
                 json.dumps(sweep.grid), sweep.created),
            )
            for position, ((run_id, values), request) in enumerate(
                zip(sweep.runs, requests, strict=True)
            ):
                self._insert_run(run_id, request, sweep.created)
                self._db.execute(
                    "INSERT INTO sweep_runs (sweep_id, position, run_id, point) VALUES (?, ?, ?, ?)",
                    (sweep.sweep_id, position, run_id, json.dumps(values)),
                )

    def _insert_run(self, run_id: str, request: dict[str, Any], created: float) -> None:
        self._db.execute(
            "INSERT INTO runs (run_id, request, status, created) VALUES (?, ?, ?, ?)",
            (run_id, json.dumps(request), "queued", created),
        )

    def set_status(self, run_id: str, status: str) -> None:
        with self._lock:
            self._db.execute("UPDATE runs SET status = ? WHERE run_id = ?", (status, run_id))

    def append_events(self, batch: Iterable[tuple[str, WireEvent]]) -> None:
        """Store events in one transaction; epoch and done events also update the run's row."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            for run_id, event in batch:
                self._db.execute(
                    "INSERT INTO events (run_id, type, data) VALUES (?, ?, ?)",
                    (run_id, event.type, event.text),
                )
                if event.type == EPOCH:
                    self._db.execute(
                        "UPDATE runs SET epochs = epochs + 1, last_epoch = ? WHERE run_id = ?",
                        (event.text, run_id),
                    )
                    data = json.loads(event.text)
                    if isinstance(data.get("epoch"), int):
                        self._db.execute(
                            "INSERT OR REPLACE INTO metrics (run_id, epoch, train_loss, train_accuracy,"
                            " validation_loss, validation_accuracy) VALUES (?, ?, ?, ?, ?, ?)",
                            (run_id, data["epoch"], *(_number(data.get(k)) for k in METRICS)),
                        )
                elif event.type == DONE:
                    self._db.execute(
                        "UPDATE runs SET status = ?, error = ?, test_accuracy = ?, finished = ?"
                        " WHERE run_id = ?",
                        (event.status, event.error, event.test_accuracy, time.time(), run_id),
                    )

    def save_model(self, run_id: str, epoch: int, data: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO models (run_id, epoch, data, saved) VALUES (?, ?, ?, ?)",
                (run_id, epoch, data, time.time()),
            )

    def add_correction(self, client: str, label: int, predicted: int | None,
                       pixels: bytes) -> CorrectionRecord:
        created = time.time()
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO corrections (created, client, label, predicted, pixels)"
                " VALUES (?, ?, ?, ?, ?)",
                (created, client, label, predicted, pixels),
            )
        assert cursor.lastrowid is not None
        return CorrectionRecord(cursor.lastrowid, created, client, label, predicted, pixels)

    def delete_correction(self, client: str, correction_id: int) -> bool:
        """Delete one of the client's corrections; False if it has none with this id."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM corrections WHERE id = ? AND client = ?", (correction_id, client)
            )
        return cursor.rowcount > 0

    # -- reads ----------------------------------------------------------------

    def run(self, run_id: str) -> RunRecord | None:
        rows = self._runs("WHERE r.run_id = ?", (run_id,))
        return rows[0] if rows else None

    def runs(self, limit: int) -> list[RunRecord]:
        """Saved runs, newest first."""
        return self._runs("ORDER BY r.created DESC, r.rowid DESC LIMIT ?", (limit,))

    def unfinished(self) -> list[str]:
        """Runs a previous server process left queued or running."""
        with self._lock:
            rows = self._db.execute(
                "SELECT run_id FROM runs WHERE status IN (?, ?) ORDER BY created", ACTIVE
            ).fetchall()
        return [r[0] for r in rows]

    def events(self, run_id: str) -> list[WireEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT type, data FROM events WHERE run_id = ? ORDER BY id", (run_id,)
            ).fetchall()
        return [WireEvent(type=t, text=d) for t, d in rows]

    def history(self, run_id: str) -> list[dict[str, Any]]:
        """The run's epoch events, in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM events WHERE run_id = ? AND type = ? ORDER BY id", (run_id, EPOCH)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def model(self, run_id: str) -> tuple[int, bytes] | None:
        """The latest saved model of a run and the epoch it is from."""
        with self._lock:
            row = self._db.execute(
                "SELECT epoch, data FROM models WHERE run_id = ?", (run_id,)
            ).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def corrections(self, client: str, limit: int | None = None) -> list[CorrectionRecord]:
        """The client's corrections, newest first (all of them when limit is None)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, created, client, label, predicted, pixels FROM corrections"
                " WHERE client = ? ORDER BY id DESC LIMIT ?",
                (client, -1 if limit is None else limit),
            ).fetchall()
        return [CorrectionRecord(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in rows]

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
        with self._lock:
            rows = self._db.execute(
                "SELECT label, COUNT(*) FROM corrections WHERE client = ? GROUP BY label", (client,)
            ).fetchall()
        return {int(label): int(n) for label, n in rows}

    def sweep(self, sweep_id: str) -> SweepRecord | None:
        rows = self._sweeps("WHERE sweep_id = ?", (sweep_id,))
        return rows[0] if rows else None

    def sweeps(self, client: str, limit: int) -> list[SweepRecord]:
        """The client's sweeps, newest first."""
        return self._sweeps("WHERE client = ? ORDER BY created DESC, rowid DESC LIMIT ?", (client, limit))

    def sweep_runs(self, sweep_id: str) -> list[SweepRunRow]:
        """The sweep's runs in grid order, each with its per-epoch metrics."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.run_id, s.point, r.status, r.epochs, r.test_accuracy, r.error"
                " FROM sweep_runs s JOIN runs r ON r.run_id = s.run_id"
                " WHERE s.sweep_id = ? ORDER BY s.position",
                (sweep_id,),
            ).fetchall()
            metrics = self._db.execute(
                "SELECT m.run_id, m.epoch, m." + ", m.".join(METRICS) +
                " FROM sweep_runs s JOIN metrics m ON m.run_id = s.run_id"
                " WHERE s.sweep_id = ? ORDER BY m.run_id, m.epoch",
                (sweep_id,),
            ).fetchall()
        by_run: dict[str, list[dict[str, Any]]] = {}
        for run_id, *numbers in metrics:
            by_run.setdefault(run_id, []).append(dict(zip(("epoch", *METRICS), numbers, strict=True)))
        return [
            SweepRunRow(r[0], json.loads(r[1]), r[2], r[3], r[4], r[5], by_run.get(r[0], []))
            for r in rows
        ]

    def _sweeps(self, where: str, args: tuple[Any, ...]) -> list[SweepRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT sweep_id, client, title, base, grid, created FROM sweeps " + where, args
            ).fetchall()
            runs = {
                sweep_id: self._db.execute(
                    "SELECT s.run_id, s.point, r.status FROM sweep_runs s JOIN runs r"
                    " ON r.run_id = s.run_id WHERE s.sweep_id = ? ORDER BY s.position",
                    (sweep_id,),
                ).fetchall()
                for sweep_id, *_ in rows
            }
        return [
            SweepRecord(r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]), r[5],
                        [(run_id, json.loads(point)) for run_id, point, _ in runs[r[0]]],
                        sum(status not in ACTIVE for *_, status in runs[r[0]]))
            for r in rows
        ]

    def _runs(self, where: str, args: tuple[Any, ...]) -> list[RunRecord]:
        query = (
            "SELECT r.run_id, r.request, r.status, r.error, r.test_accuracy, r.epochs,"
            " r.last_epoch, r.created, r.finished, m.epoch, m.saved"
            " FROM runs r LEFT JOIN models m ON m.run_id = r.run_id " + where
        )
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
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
            for r in rows
        ]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
