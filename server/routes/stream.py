"""The WebSocket of a run: every event so far, then the live ones, then close.

Sending runs in its own task and reads only from the run's outbox, so a slow
client delays nobody but itself; a second task notices when the client leaves.

Runs are open to anyone who knows their id (CONTRACT.md), except lesson runs started
under an LTI launch: those need a launch token of the same course (`?token=`, or
`Authorization: Bearer` for clients that can set headers) and are closed with 1008 otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from server.events import WireEvent
from server.fanout import Outbox
from server.ids import is_run_id
from server.lessons import LessonService
from server.lti.errors import LtiError
from server.lti.tokens import bearer_token
from server.state import Nnplay

router = APIRouter()

UNKNOWN_RUN = 4404  # application close code: no run has this id
TOO_SLOW = 1013  # "try again later": the client fell behind; reconnecting replays everything
POLICY_VIOLATION = 1008  # a course's run without a valid launch token of that course


@router.websocket("/ws/runs/{run_id}")
async def run_events(websocket: WebSocket, run_id: str, app: Nnplay) -> None:
    await websocket.accept()
    refusal = await _launch_refusal(websocket, run_id) if is_run_id(run_id) else None
    if refusal:
        await websocket.close(POLICY_VIOLATION, refusal)
        return
    feed = await app.runs.subscribe(run_id) if is_run_id(run_id) else None
    if feed is None:
        stored = await run_in_threadpool(app.store.events, run_id) if is_run_id(run_id) else []
        if not stored:
            await websocket.close(UNKNOWN_RUN, f"there is no run with id {run_id!r}")
            return
        await _serve(websocket, stored, None)
        return
    replay, outbox = feed
    try:
        await _serve(websocket, replay, outbox)
    finally:
        app.runs.unsubscribe(run_id, outbox)


async def _launch_refusal(websocket: WebSocket, run_id: str) -> str | None:
    """Why this client may not follow the run (a close reason: at most 123 bytes), or None."""
    lessons: LessonService = websocket.app.state.lessons
    run = await run_in_threadpool(lessons.results.get, run_id)
    if run is None or run["launch_id"] is None:
        return None
    token = websocket.query_params.get("token") or bearer_token(websocket.headers.get("authorization"))
    if not token:
        return "this run belongs to a course: send its launch token (?token=)"
    try:
        _, launch = websocket.app.state.lti.session(token)
    except LtiError as err:
        return f"launch token refused: {err.reason}"
    if not lessons.may_watch(run, launch):
        return "this launch may not follow a run of another learner or course"
    return None


async def _serve(websocket: WebSocket, replay: list[WireEvent], outbox: Outbox | None) -> None:
    sender = asyncio.create_task(_send(websocket, replay, outbox))
    listener = asyncio.create_task(_until_disconnect(websocket))
    await asyncio.wait({sender, listener}, return_when=asyncio.FIRST_COMPLETED)
    for task in (sender, listener):
        task.cancel()
    closing, _ = await asyncio.gather(sender, listener, return_exceptions=True)
    if isinstance(closing, tuple):
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # the client left first
            await websocket.close(*closing)


async def _send(
    websocket: WebSocket, replay: list[WireEvent], outbox: Outbox | None
) -> tuple[int, str] | None:
    """Send until `done`; returns the close code and reason, or None if the client left."""
    finished = (1000, "run finished")
    try:
        for event in replay:
            await websocket.send_text(event.text)
            if event.is_done:
                return finished
        if outbox is None:  # a stored run: its replay was everything
            return finished
        while (event := await outbox.next()) is not None:
            await websocket.send_text(event.text)
            if event.is_done:
                return finished
    except WebSocketDisconnect:
        return None
    return TOO_SLOW, "this client fell behind; reconnect to receive every event again"


async def _until_disconnect(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
