"""What can be chosen: datasets (with whether their files are here) and the registry of names."""

from __future__ import annotations

from fastapi import APIRouter

from engine.data import DATASET_INFO, dataset_available
from engine.optimizers import DEFAULTS as OPTIMIZER_DEFAULTS
from engine.registry import REGISTRY
from server.schemas import DatasetOut, Registry
from server.state import Nnplay

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/datasets")
def list_datasets(app: Nnplay) -> list[DatasetOut]:
    return [
        DatasetOut(
            name=info.name,
            kind=info.kind,
            input_shape=list(info.input_shape),
            classes=info.classes,
            available=dataset_available(info.name, app.settings.data_dir),
            title=info.title,
        )
        for info in DATASET_INFO.values()
    ]


@router.get("/registry")
async def registry() -> Registry:
    """Every name the menus offer (activations, costs, inits, optimizers, layer types, datasets)."""
    return REGISTRY


@router.get("/optimizers")
async def optimizers() -> dict[str, dict[str, float]]:
    """Each optimizer's hyper-parameters (besides the learning rate) with their defaults."""
    return OPTIMIZER_DEFAULTS
