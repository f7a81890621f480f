"""Lesson runs and their goal results (the `lesson_runs` table of server/schema_db.py), in the
server's database: SQLite on one node, PostgreSQL shared by several."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Engine, insert, select, update

from server import schema_db as db

COLUMNS = tuple(column.name for column in db.lesson_runs.columns)


class LessonResults:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, run_id: str, lesson: str, client: str, goal: dict[str, Any],
            launch_id: str | None = None, launch: dict[str, Any] | None = None) -> None:
        launch = launch or {}
        with self._engine.begin() as c:
            c.execute(insert(db.lesson_runs).values(
                run_id=run_id, lesson=lesson, client=client, launch_id=launch_id, issuer=launch.get("issuer"),
                context_id=(launch.get("context") or {}).get("id"), sub=launch.get("sub"),
                name=launch.get("name"), goal=json.dumps(goal), created=time.time()))

    def claim(self, run_id: str) -> dict[str, Any] | None:
        """The row of an unevaluated lesson run, marking it evaluated (so only one caller evaluates,
        whichever web process it runs in)."""
        t = db.lesson_runs.c
        with self._engine.begin() as c:
            marked = c.execute(update(db.lesson_runs).where(t.run_id == run_id, t.evaluated.is_(None))
                               .values(evaluated=time.time()))
        return self.get(run_id) if marked.rowcount == 1 else None

    def set_result(self, run_id: str, status: str, met: bool, value: float | None, score: float,
                   parameters: int | None, reason: str) -> None:
        self._set(run_id, status=status, met=int(met), value=value, score=score, parameters=parameters,
                  reason=reason)

    def set_passback(self, run_id: str, outcome: str) -> None:
        self._set(run_id, passback=outcome)

    def get(self, run_id: str) -> dict[str, Any] | None:
        rows = self._select(db.lesson_runs.c.run_id == run_id)
        return rows[0] if rows else None

    def for_client(self, lesson: str, client: str) -> list[dict[str, Any]]:
        t = db.lesson_runs.c
        return self._select(t.lesson == lesson, t.client == client, t.launch_id.is_(None))

    def for_learner(self, lesson: str, issuer: str, context_id: str | None, sub: str) -> list[dict[str, Any]]:
        return self._select(*_in_course(lesson, issuer, context_id), db.lesson_runs.c.sub == sub)

    def for_class(self, lesson: str, issuer: str, context_id: str | None) -> list[dict[str, Any]]:
        return self._select(*_in_course(lesson, issuer, context_id))

    def _set(self, run_id: str, **values: Any) -> None:
        with self._engine.begin() as c:
            c.execute(update(db.lesson_runs).where(db.lesson_runs.c.run_id == run_id).values(**values))

    def _select(self, *where: Any) -> list[dict[str, Any]]:
        """Matching rows, newest first."""
        with self._engine.connect() as c:
            rows = c.execute(select(db.lesson_runs).where(*where).order_by(db.lesson_runs.c.created.desc()))
            return [_row(r) for r in rows]


def _in_course(lesson: str, issuer: str, context_id: str | None) -> tuple[Any, ...]:
    """The lesson's runs in one course (a launch without a context has context_id NULL)."""
    t = db.lesson_runs.c
    return t.lesson == lesson, t.issuer == issuer, t.context_id.is_not_distinct_from(context_id)


def _row(row: Any) -> dict[str, Any]:
    out = dict(zip(COLUMNS, row, strict=True))
    out["goal"] = json.loads(out["goal"])
    out["met"] = None if out["met"] is None else bool(out["met"])
    return out
