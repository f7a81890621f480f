"""Is the server up, and what may a client ask of it."""

from __future__ import annotations

from fastapi import APIRouter

from server.schemas import Health, LimitsOut, WorkerInfo
from server.state import Nnplay

router = APIRouter(prefix="/api", tags=["server"])


@router.get("/health")
async def health(app: Nnplay) -> Health:
    """`{"status": "ok"}` plus the workers' state (a dead worker is replaced by a starting one)."""
    workers = [WorkerInfo(**w) for w in app.runs.workers()]
    return Health(queued=app.runs.queued, workers=workers)


@router.get("/limits")
async def limits(app: Nnplay) -> LimitsOut:
    settings = app.settings
    return LimitsOut(**settings.limits.model_dump(), **settings.server_limits.model_dump())
