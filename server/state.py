"""What every route needs, built once per app in its lifespan and reached through `Nnplay`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.templating import Jinja2Templates
from starlette.requests import HTTPConnection

from server.predicting import Predictor
from server.runservice import RunService
from server.settings import Settings
from server.store import Store


@dataclass(frozen=True)
class AppState:
    settings: Settings
    store: Store
    runs: RunService
    predictor: Predictor
    templates: Jinja2Templates


async def app_state(connection: HTTPConnection) -> AppState:
    return connection.app.state.nnplay


Nnplay = Annotated[AppState, Depends(app_state)]
