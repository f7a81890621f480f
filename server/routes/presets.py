"""The course's lessons as ready training requests."""

from __future__ import annotations

from fastapi import APIRouter

from server.presets import PRESETS
from server.schemas import Preset

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/presets")
async def list_presets() -> list[Preset]:
    return [Preset(**p) for p in PRESETS]
