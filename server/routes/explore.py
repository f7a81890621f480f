"""The course's interactive demonstrations that need no training run: the
optimizer race on 2-D test surfaces and the activation-function gallery.
The maths is the engine's (engine.race, engine.gallery)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from engine.activations import ACTIVATIONS
from engine.gallery import activation_curves, output_distribution
from engine.init import INITS
from engine.optimizers import OPTIMIZERS
from engine.race import SURFACES, run_race, surface_grid
from server.schemas import BODY_REFUSALS

router = APIRouter(prefix="/api", tags=["explore"])

SurfaceName = Literal[tuple(SURFACES)]  # type: ignore[valid-type]
OptimizerName = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]
ActivationName = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]
InitName = Literal[tuple(INITS)]  # type: ignore[valid-type]


Coordinate = Annotated[float, Field(ge=-100, le=100, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SurfaceOut(BaseModel):
    name: str
    title: str
    start: list[float] = Field(description="[x, y]")
    minimum: list[float] | None = Field(description="[x, y] of the minimum, if there is one")
    x: list[float]
    y: list[float]
    z: list[list[float]]


class RaceRequest(_Strict):
    surface: SurfaceName = "ravine"
    learning_rate: float = Field(default=0.01, gt=0, le=10)
    steps: int = Field(default=200, ge=1, le=2000)
    start: list[Coordinate] | None = Field(default=None, min_length=2, max_length=2,
                                           description="[x, y]; default: the surface's own")
    optimizers: list[OptimizerName] | None = Field(default=None, description="default: all seven")


class RaceOut(BaseModel):
    surface: str
    paths: dict[str, list[list[float]]] = Field(
        description="each optimizer's path; shorter than steps + 1 where it diverged")


class Curve(BaseModel):
    z: list[float]
    f: list[float]
    df: list[float]


class Histogram(BaseModel):
    counts: list[int]
    edges: list[float]


class DistributionOut(BaseModel):
    z: Histogram
    a: Histogram


@router.get("/race/surfaces")
async def surfaces() -> list[SurfaceOut]:
    """The test surfaces with a contour grid of f."""
    return [SurfaceOut(name=s.name, title=s.title, start=list(s.start),
                       minimum=list(s.minimum) if s.minimum else None,
                       **surface_grid(s.name)) for s in SURFACES.values()]


@router.post("/race", responses=BODY_REFUSALS)
async def race(body: RaceRequest) -> RaceOut:
    """Every optimizer from the same start, on the surface's exact gradient."""
    start = tuple(body.start) if body.start else None
    paths = run_race(body.surface, body.learning_rate, body.steps, start, body.optimizers)
    return RaceOut(surface=body.surface, paths=paths)


@router.get("/activations/curves")
async def curves() -> dict[str, Curve]:
    """f and f′ of every activation on z ∈ [−5, 5]."""
    return activation_curves()


@router.get("/activations/distribution")
async def distribution(activation: ActivationName = "sigmoid", init: InitName = "large") -> DistributionOut:
    """Histograms of z and f(z) for a 100-unit layer with the given init, fed N(0, 1) inputs."""
    return output_distribution(activation, init)
