"""Is the server up, how are its database, Redis and workers, and what may a client ask of it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from server import metrics
from server.schemas import Component, Health, LimitsOut, WorkerInfo
from server.state import Nnplay

router = APIRouter(tags=["server"])

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/api/health")
async def health(app: Nnplay) -> Health:
    """`{"status": "ok"}` plus the workers' state (a dead worker is replaced by a starting one),
    the database's and, in redis mode, Redis's."""
    gauges = await app.runs.gauges()
    database = await run_in_threadpool(app.store.ping)
    return Health(
        mode=gauges.mode,
        queued=gauges.queued,
        workers=[WorkerInfo(**w) for w in gauges.workers],
        database=Component(ok=database is None, detail=database),
        redis=Component(ok=gauges.redis is None, detail=gauges.redis) if gauges.mode == "redis" else None,
    )


@router.get("/api/limits")
async def limits(app: Nnplay) -> LimitsOut:
    settings = app.settings
    return LimitsOut(**settings.limits.model_dump(), **settings.server_limits.model_dump())


@router.get("/metrics", response_class=PlainTextResponse, include_in_schema=False)
async def prometheus(app: Nnplay) -> PlainTextResponse:
    """Queue length, runs by state, workers by state, epochs trained and event latency."""
    gauges = await app.runs.gauges()
    runs = await run_in_threadpool(app.store.status_counts)
    workers: dict[str, int] = {"starting": 0, "idle": 0, "busy": 0}
    for w in gauges.workers:
        workers[w["state"]] += 1
    lines = [
        *metrics.gauge("nnplay_queue_length", "runs waiting for a worker", gauges.queued),
        *metrics.gauge("nnplay_runs", "runs in the database by status", runs, "status"),
        *metrics.gauge("nnplay_workers", "training workers by state", workers),
        *metrics.gauge("nnplay_epochs_total", "epochs trained (all workers; rate() is the throughput)",
                       gauges.epochs_total, kind="counter"),
        *metrics.gauge("nnplay_redis_up", "1 when Redis answers (redis mode)",
                       int(gauges.redis is None) if gauges.mode == "redis" else 0),
        *app.runs.latency.lines("nnplay_event_latency_seconds",
                                "from a worker emitting an event to this web process passing it on"),
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type=PROMETHEUS_TEXT)
