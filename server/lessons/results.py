"""Lesson runs and their goal results, in their own table of the server's SQLite file."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lesson_runs (
    run_id TEXT PRIMARY KEY,
    lesson TEXT NOT NULL,
    client TEXT NOT NULL,
    launch_id TEXT,
    issuer TEXT,
    context_id TEXT,
    sub TEXT,
    name TEXT,
    goal TEXT NOT NULL,
    created REAL NOT NULL,
    evaluated REAL,
    status TEXT,
    met INTEGER,
    value REAL,
    score REAL,
    parameters INTEGER,
    reason TEXT,
    passback TEXT
);
CREATE INDEX IF NOT EXISTS lesson_runs_lesson ON lesson_runs (lesson, created);
"""

COLUMNS = ("run_id", "lesson", "client", "launch_id", "issuer", "context_id", "sub", "name", "goal",
           "created", "evaluated", "status", "met", "value", "score", "parameters", "reason", "passback")


class LessonResults:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, run_id: str, lesson: str, client: str, goal: dict[str, Any],
            launch_id: str | None = None, launch: dict[str, Any] | None = None) -> None:
        launch = launch or {}
        with self._lock:
            self._db.execute(
                "INSERT INTO lesson_runs (run_id, lesson, client, launch_id, issuer, context_id, sub, name,"
                " goal, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, lesson, client, launch_id, launch.get("issuer"),
                 (launch.get("context") or {}).get("id"), launch.get("sub"), launch.get("name"),
                 json.dumps(goal), time.time()))

    def claim(self, run_id: str) -> dict[str, Any] | None:
        """The row of an unevaluated lesson run, marking it evaluated (so only one caller evaluates)."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM lesson_runs WHERE run_id = ?"
                                   " AND evaluated IS NULL", (run_id,)).fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE lesson_runs SET evaluated = ? WHERE run_id = ?", (time.time(), run_id))
        return _row(row)

    def set_result(self, run_id: str, status: str, met: bool, value: float | None, score: float,
                   parameters: int | None, reason: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE lesson_runs SET status = ?, met = ?, value = ?, score = ?, parameters = ?, reason = ?"
                " WHERE run_id = ?", (status, int(met), value, score, parameters, reason, run_id))

    def set_passback(self, run_id: str, outcome: str) -> None:
        with self._lock:
            self._db.execute("UPDATE lesson_runs SET passback = ? WHERE run_id = ?", (outcome, run_id))

    def get(self, run_id: str) -> dict[str, Any] | None:
        rows = self._select("WHERE run_id = ?", (run_id,))
        return rows[0] if rows else None

    def for_client(self, lesson: str, client: str) -> list[dict[str, Any]]:
        return self._select("WHERE lesson = ? AND client = ? AND launch_id IS NULL ORDER BY created DESC",
                            (lesson, client))

    def for_learner(self, lesson: str, issuer: str, context_id: str | None, sub: str) -> list[dict[str, Any]]:
        return self._select("WHERE lesson = ? AND issuer = ? AND context_id IS ? AND sub = ?"
                            " ORDER BY created DESC", (lesson, issuer, context_id, sub))

    def for_class(self, lesson: str, issuer: str, context_id: str | None) -> list[dict[str, Any]]:
        return self._select("WHERE lesson = ? AND issuer = ? AND context_id IS ? ORDER BY created DESC",
                            (lesson, issuer, context_id))

    def _select(self, where: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM lesson_runs {where}", args).fetchall()
        return [_row(r) for r in rows]


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    out = dict(zip(COLUMNS, row, strict=True))
    out["goal"] = json.loads(out["goal"])
    out["met"] = None if out["met"] is None else bool(out["met"])
    return out
