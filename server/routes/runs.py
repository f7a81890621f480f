"""Starting, inspecting, controlling and downloading training runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from engine.spec import CorrectionsSpec, RequestError, TrainRequest, check_request
from server.errors import Unprocessable, no_model_yet, unknown_run
from server.ids import is_run_id
from server.schemas import (
    BODY_REFUSALS,
    ErrorAnswer,
    RunControl,
    RunCreated,
    RunOut,
    RunSummary,
    summary_fields,
)
from server.state import AppState, Nnplay
from server.store import RunRecord

router = APIRouter(prefix="/api/runs", tags=["runs"])

UNKNOWN = {404: {"model": ErrorAnswer, "description": "no run has this id"}}
NO_MODEL = {409: {"model": ErrorAnswer, "description": "the run has not finished an epoch yet"}}
NO_CORRECTIONS_YET = "you have no corrections yet: mark a misread digit as wrong on the Draw page first"


#: the X-Client-Id header a browser sends with every request
ClientHeader = Annotated[
    str | None,
    Header(max_length=64, description="identifies a browser: its run limit, its corrections"),
]


def client_of(request: Request, x_client_id: str | None) -> str:
    """Who is asking: the browser's X-Client-Id header, else its IP address."""
    return x_client_id or (request.client.host if request.client else "unknown")


async def client_id(request: Request, x_client_id: ClientHeader = None) -> str:
    return client_of(request, x_client_id)


#: the caller's client id, for per-client limits and data (runs, corrections)
ClientId = Annotated[str, Depends(client_id)]


def known(run_id: str) -> str:
    """The id itself, or 404 for anything that cannot be one of ours."""
    if not is_run_id(run_id):
        raise unknown_run(run_id)
    return run_id


@router.post(
    "",
    status_code=201,
    responses={
        **BODY_REFUSALS,
        503: {"model": ErrorAnswer, "description": "too many runs are waiting"},
    },
)
async def start_run(body: TrainRequest, app: Nnplay, client: ClientId) -> RunCreated:
    """Queue a training run; refused with 422 before anything starts if the request is invalid.

    With `corrections`, all the caller's corrections join the training part; the saved request
    names them in `corrections.ids` (their pixels go to the worker, not into the request)."""
    if body.corrections is not None:
        body.corrections.ids = None  # the server says which ones it used
    _check(body, app)
    corrections = None
    if body.corrections is not None:
        corrections = await run_in_threadpool(_take_corrections, app, client, body.corrections)
        _check(body, app)  # again, now that their number counts against max_train_size
    return RunCreated(run_id=await app.runs.submit(body.model_dump(mode="json"), client, corrections))


def _check(body: TrainRequest, app: AppState) -> None:
    try:
        check_request(body, app.settings.limits)
    except RequestError as exc:
        raise Unprocessable.under(["body"], exc.errors) from None


def _take_corrections(app: AppState, client: str, spec: CorrectionsSpec) -> tuple[Any, Any]:
    """The client's corrections (pixels, labels) for a run; their ids go into `spec`."""
    saved = app.store.correction_set(client)
    if not len(saved):
        raise Unprocessable.at(["body", "corrections"], NO_CORRECTIONS_YET)
    spec.ids = saved.ids.tolist()
    return saved.pixels, saved.labels


@router.get("")
def list_runs(app: Nnplay, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[RunSummary]:
    """Saved runs, newest first."""
    return [RunSummary(**summary_fields(r)) for r in app.store.runs(limit)]


@router.get("/{run_id}", responses=UNKNOWN)
async def get_run(run_id: str, app: Nnplay) -> RunOut:
    known(run_id)
    record, history = await run_in_threadpool(_load, app, run_id)
    live = (await app.runs.states([run_id])).get(run_id)
    fields = summary_fields(record)
    if live:
        fields["status"] = live.status
    return RunOut(
        **fields,
        request=record.request,
        history=history,
        paused=bool(live and live.paused),
        position=live.position if live else None,
    )


def _load(app: AppState, run_id: str) -> tuple[RunRecord, list[dict[str, Any]]]:
    record = app.store.run(run_id)
    if record is None:
        raise unknown_run(run_id)
    return record, app.store.history(run_id)


@router.post("/{run_id}/stop", responses=UNKNOWN)
async def stop_run(run_id: str, app: Nnplay) -> RunControl:
    """End a queued or running run with status `stopped` (a finished run stays as it is)."""
    status = await app.runs.stop(known(run_id))
    return RunControl(run_id=run_id, status=status, paused=False)


@router.post("/{run_id}/pause", responses={**UNKNOWN, 409: {"model": ErrorAnswer}})
async def pause_run(run_id: str, app: Nnplay) -> RunControl:
    """Hold a running run between two mini-batches; its worker waits until resumed."""
    run = await app.runs.pause(known(run_id), True)
    return RunControl(run_id=run_id, status=run.status, paused=run.paused)


@router.post("/{run_id}/resume", responses={**UNKNOWN, 409: {"model": ErrorAnswer}})
async def resume_run(run_id: str, app: Nnplay) -> RunControl:
    run = await app.runs.pause(known(run_id), False)
    return RunControl(run_id=run_id, status=run.status, paused=run.paused)


@router.get(
    "/{run_id}/model",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "an .npz model file"},
        **UNKNOWN,
        **NO_MODEL,
    },
)
def download_model(run_id: str, app: Nnplay) -> Response:
    """The run's latest saved model, a file `engine.model.load_model` reads back."""
    known(run_id)
    saved = app.store.model(run_id)
    if saved is None:
        if app.store.run(run_id) is None:
            raise unknown_run(run_id)
        raise no_model_yet(run_id)
    epoch, data = saved
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="nnplay-{run_id}-epoch{epoch}.npz"'},
    )
