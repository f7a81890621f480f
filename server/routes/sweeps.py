"""Hyper-parameter sweeps: a grid of runs submitted as one job, and its results table.

The runs of a sweep are ordinary runs (`/api/runs/{id}`, `/ws/runs/{id}`, stop, model ...);
the sweep adds which grid values each one has and a table of their results.
Limits: a sweep holds at most `max_sweep_runs` runs; it counts as one job
against `max_runs_per_client` however many runs it has, and all its runs
count against `max_queued_runs`. Its runs wait in the fair queue, so other
clients' runs go in between.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from engine.spec import RequestError
from server.errors import NotFound, Unprocessable
from server.ids import is_sweep_id, new_run_id, new_sweep_id
from server.routes.runs import ClientId
from server.runservice import RunState
from server.schemas import (
    BODY_REFUSALS,
    ErrorAnswer,
    FinalMetrics,
    SweepCreated,
    SweepCurves,
    SweepIn,
    SweepOut,
    SweepRun,
    SweepSummary,
)
from server.state import AppState, Nnplay
from server.store import METRICS, SweepRecord, SweepRunRow
from server.sweeps import expand, title_of

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"])

UNKNOWN = {404: {"model": ErrorAnswer, "description": "no sweep has this id"}}
Curves = Annotated[bool, Query(description="add each run's per-epoch curves")]


def unknown_sweep(sweep_id: str) -> NotFound:
    return NotFound(f"there is no sweep with id {sweep_id!r}")


@router.post(
    "",
    status_code=201,
    responses={
        **BODY_REFUSALS,
        503: {"model": ErrorAnswer, "description": "too many runs are waiting"},
    },
)
async def start_sweep(body: SweepIn, app: Nnplay, client: ClientId) -> SweepCreated:
    """Queue one run per combination of the grid's values, all validated first: a 422 names the
    grid field (`["body", "grid", "<path>", ...]`) or base field (`["body", "base", ...]`) and,
    in its message, the combination that is wrong; then nothing is queued."""
    limits = app.settings.server_limits
    try:
        points = expand(body.base, body.grid, app.settings.limits, limits.max_sweep_runs)
    except RequestError as exc:
        raise Unprocessable.under(["body"], exc.errors) from None
    sweep = SweepRecord(
        sweep_id=new_sweep_id(),
        client=client,
        title=body.title or title_of(body.grid),
        base=body.base.model_dump(mode="json"),
        grid=body.grid,
        created=time.time(),
        runs=[(new_run_id(), p.values) for p in points],
    )
    await app.runs.submit_sweep(sweep, [p.request for p in points])
    return SweepCreated(sweep_id=sweep.sweep_id, run_ids=[run_id for run_id, _ in sweep.runs])


@router.get("")
def list_sweeps(app: Nnplay, client: ClientId,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[SweepSummary]:
    """The caller's sweeps (by X-Client-Id, else IP address), newest first."""
    return [SweepSummary(**_summary(s)) for s in app.store.sweeps(client, limit)]


@router.get("/{sweep_id}", responses=UNKNOWN)
async def get_sweep(sweep_id: str, app: Nnplay, curves: Curves = False) -> SweepOut:
    """The sweep's results table: each run's grid values, status and metrics, in grid order."""
    sweep, rows = await run_in_threadpool(_load, app, sweep_id)
    return await _out(app, sweep, rows, curves)


@router.post("/{sweep_id}/stop", responses=UNKNOWN)
async def stop_sweep(sweep_id: str, app: Nnplay) -> SweepOut:
    """Stop every run of the sweep still queued or running (finished ones stay as they are)."""
    sweep, _ = await run_in_threadpool(_load, app, sweep_id)
    for run_id, _values in sweep.runs:
        await app.runs.stop(run_id)
    return await _out(app, *await run_in_threadpool(_load, app, sweep_id), False)


def _load(app: AppState, sweep_id: str) -> tuple[SweepRecord, list[SweepRunRow]]:
    sweep = app.store.sweep(sweep_id) if is_sweep_id(sweep_id) else None
    if sweep is None:
        raise unknown_sweep(sweep_id)
    return sweep, app.store.sweep_runs(sweep_id)


def _summary(sweep: SweepRecord) -> dict[str, Any]:
    return {
        "sweep_id": sweep.sweep_id,
        "title": sweep.title,
        "grid": sweep.grid,
        "created": sweep.created,
        "n_runs": len(sweep.runs),
        "n_finished": sweep.finished,
    }


async def _out(app: AppState, sweep: SweepRecord, rows: list[SweepRunRow], curves: bool) -> SweepOut:
    states = await app.runs.states([row.run_id for row in rows])
    runs = [_run(states.get(row.run_id), row, curves) for row in rows]
    return SweepOut(**_summary(sweep), base=sweep.base, runs=runs, best_run_id=_best(runs))


def _run(live: RunState | None, row: SweepRunRow, curves: bool) -> SweepRun:
    accuracies = [m["validation_accuracy"] for m in row.metrics if m["validation_accuracy"] is not None]
    losses = [m["validation_loss"] for m in row.metrics if m["validation_loss"] is not None]
    return SweepRun(
        run_id=row.run_id,
        values=row.values,
        status=live.status if live else row.status,
        position=live.position if live else None,
        epochs_done=row.epochs,
        final=FinalMetrics(**row.metrics[-1]) if row.metrics else None,
        best_validation_accuracy=max(accuracies, default=None),
        best_validation_loss=min(losses, default=None),
        test_accuracy=row.test_accuracy,
        error=row.error,
        curves=SweepCurves(epoch=[m["epoch"] for m in row.metrics],
                           **{k: [m[k] for m in row.metrics] for k in METRICS}) if curves else None,
    )


def _best(runs: list[SweepRun]) -> str | None:
    """The run with the highest validation accuracy, or the lowest validation loss without one."""
    def rank(run: SweepRun) -> tuple[float, float]:
        accuracy = run.best_validation_accuracy
        loss = run.best_validation_loss
        return (-accuracy if accuracy is not None else 1.0, loss if loss is not None else float("inf"))

    scored = [r for r in runs if r.best_validation_accuracy is not None or r.best_validation_loss is not None]
    return min(scored, key=rank).run_id if scored else None
