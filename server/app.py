"""`create_app(settings)`: the FastAPI application of CONTRACT.md."""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from server.embed import EmbedHeaders
from server.embed import router as embed_router
from server.errors import ApiError
from server.lessons import LessonService
from server.lti import LtiService
from server.middleware import BodySizeLimit
from server.predicting import Predictor
from server.routes import (
    corrections,
    datasets,
    explore,
    health,
    inspect,
    lessons,
    lti,
    pages,
    predict,
    presets,
    runs,
    stream,
    sweeps,
)
from server.runs import RunManager
from server.runservice import RunService
from server.settings import Settings
from server.state import AppState
from server.store import Store

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.database)
        app.state.lti = LtiService.open(store.engine, settings.lti_registrations, settings.lti_key_path,
                                        settings.public_url,
                                        adopt_key=settings.db_path.parent / "lti_tool_key.pem")
        manager = _run_manager(settings, store)
        app.state.lessons = LessonService.open(settings.lessons_dir, store, app.state.lti,
                                               settings.limits)
        manager.done_hooks.append(app.state.lessons.run_done)
        await manager.start()
        app.state.nnplay = AppState(
            settings=settings,
            store=store,
            runs=manager,
            predictor=Predictor(store, settings.digit_model_path),
            templates=Jinja2Templates(directory=settings.templates_dir),
        )
        try:
            yield
        finally:
            await manager.close()
            store.close()

    app = FastAPI(
        title="nnplay",
        summary="A neural-network playground: train networks live, look inside, draw digits.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.server_limits.max_body_bytes)
    app.add_middleware(EmbedHeaders)
    _add_error_handlers(app)
    routers = (
        health, datasets, presets, runs, sweeps, predict, inspect, corrections, explore, stream, lti, lessons,
        pages,
    )
    for module in routers:
        app.include_router(module.router)
    app.include_router(embed_router)
    app.mount("/static", StaticFiles(directory=settings.static_dir, check_dir=False), name="static")
    return app


def _run_manager(settings: Settings, store: Store) -> RunService:
    """The embedded worker pool, or Redis-backed workers when a Redis URL is set."""
    if settings.redis_url:
        from server.scale.manager import RedisRunManager

        return RedisRunManager(settings, store)
    return RunManager(settings, store)


def _add_error_handlers(app: FastAPI) -> None:
    async def refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        detail = "the server could not handle this request just now; it has been logged"
        return JSONResponse({"detail": detail}, status_code=503)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        """FastAPI's own 422, except that NaN or Infinity in the body (which Python's JSON
        parser accepts) is echoed back as text: the answer must stay valid JSON."""
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": _json_safe(jsonable_encoder(exc.errors()))}, status_code=422)

    app.add_exception_handler(ApiError, refused)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value
