"""The answers of the REST API as pydantic models, so /openapi.json documents every one.

The training request itself is the engine's `TrainRequest`: one schema for
the server, the CLI and the UI.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.inspect import KERNELS
from engine.spec import Limits, TrainRequest
from server.settings import ServerLimits
from server.store import RunRecord

RunStatus = Literal["queued", "running", "completed", "stopped", "failed"]
PIXELS = 28 * 28


class WorkerInfo(BaseModel):
    slot: int
    pid: int | None
    state: Literal["starting", "idle", "busy"]
    run_id: str | None
    name: str | None = Field(default=None, description="host:pid of a `python -m server.worker`")


class Component(BaseModel):
    ok: bool
    detail: str | None = Field(default=None, description="what is wrong, when it is")


class Health(BaseModel):
    status: Literal["ok"] = Field(default="ok", description="this web process answers")
    mode: Literal["embedded", "redis"] = Field(
        default="embedded", description="embedded: this process's own workers; redis: shared workers"
    )
    queued: int = Field(description="runs waiting for a worker")
    workers: list[WorkerInfo]
    database: Component | None = None
    redis: Component | None = Field(default=None, description="only in redis mode")


class DatasetOut(BaseModel):
    name: str
    kind: Literal["classification", "regression"]
    input_shape: list[int]
    classes: int = Field(description="0 for regression")
    available: bool = Field(description="false when its files are missing from the data directory")
    title: str


class Preset(BaseModel):
    id: str
    title: str
    description: str
    request: TrainRequest


class ErrorAnswer(BaseModel):
    detail: str


#: the answers every route with a JSON body can give before the route itself runs
BODY_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorAnswer, "description": "the body is not text that can be parsed"},
    413: {"model": ErrorAnswer, "description": "the body is over max_body_bytes"},
}


class RunCreated(BaseModel):
    run_id: str


class EpochMetrics(BaseModel):
    """The contract's fields of an `epoch` event (other fields are left out)."""

    type: Literal["epoch"]
    epoch: int
    train_loss: float | None
    train_accuracy: float | None
    validation_loss: float | None
    validation_accuracy: float | None
    seconds: float | None
    samples_per_second: float | None


class EpochEvent(EpochMetrics):
    """A whole `epoch` event, with whatever the engine adds (e.g. the decision boundary)."""

    model_config = ConfigDict(extra="allow")


class RunSummary(BaseModel):
    run_id: str
    status: RunStatus
    dataset: str
    epochs_done: int
    epochs: int
    last_epoch: EpochMetrics | None
    test_accuracy: float | None
    error: str | None
    created: float = Field(description="Unix time")
    finished: float | None
    model_epoch: int | None = Field(description="epoch of the saved model; null: none yet")


class RunOut(RunSummary):
    request: TrainRequest
    history: list[EpochEvent]
    paused: bool
    position: int | None = Field(description="place in the queue while queued")


class RunControl(BaseModel):
    run_id: str
    status: RunStatus
    paused: bool


class PredictRequest(BaseModel):
    """One digit: 784 MNIST-like pixels, or a picture of any size and either polarity."""

    model_config = ConfigDict(extra="forbid", strict=True)
    pixels: (
        Annotated[
            list[Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]],
            Field(min_length=PIXELS, max_length=PIXELS),
        ]
        | None
    ) = Field(default=None, description="28×28 values in 0..1, row-major, white digit on black")
    image: str | None = Field(
        default=None,
        min_length=1,
        description="a PNG or JPEG data URL: data:image/png;base64,...",
        examples=["data:image/png;base64,iVBORw0KGgo="],
    )

    @model_validator(mode="after")
    def _one_input(self) -> PredictRequest:
        if (self.pixels is None) == (self.image is None):
            raise ValueError("give exactly one of pixels or image")
        return self


class Prediction(BaseModel):
    label: int
    probabilities: list[float]
    pixels: list[float] = Field(description="the 28×28 input the network saw, row-major")


class LimitsOut(Limits, ServerLimits):
    """Everything a run or a request may not exceed on this server."""


Registry = dict[str, list[str]]


def summary_fields(record: RunRecord) -> dict[str, Any]:
    """The RunSummary fields of a stored run record."""
    return {
        "run_id": record.run_id,
        "status": record.status,
        "dataset": record.request.get("dataset", ""),
        "epochs_done": record.epochs,
        "epochs": record.request.get("epochs", 0),
        "last_epoch": record.last_epoch,
        "test_accuracy": record.test_accuracy,
        "error": record.error,
        "created": record.created,
        "finished": record.finished,
        "model_epoch": record.model_epoch,
    }


# -- look inside (issue 5) ------------------------------------------------------

Digit = Annotated[int, Field(ge=0, le=9)]
Grid = list[list[float]]


class InspectRequest(PredictRequest):
    """One digit, as for predict; `class` picks the class whose saliency is shown."""

    target: Digit | None = Field(
        default=None,
        alias="class",
        description="the class the saliency map explains; null: the predicted one",
    )


class LayerView(BaseModel):
    """One layer's output for the digit. Image-shaped outputs (conv2d, maxpool, and dropout or
    batchnorm after them) come as `maps`; vectors (dense, flatten, ...) as `activations`."""

    index: int = Field(description="index into the request's network.layers")
    type: str
    output_shape: list[int]
    maps: list[list[list[int]]] | None = Field(
        default=None,
        description="one 2-D map per channel (the first `max_maps`), each scaled to 0..255 over "
        "its own range: a value is about min + q / 255 · (max − min)",
    )
    ranges: list[list[float]] | None = Field(default=None, description="[min, max] of each map")
    channels: int | None = Field(default=None, description="channels of the layer (maps may be fewer)")
    activations: list[float] | None = Field(
        default=None, description="the output values (the first 256), 5 significant digits"
    )
    size: int | None = Field(default=None, description="values of the layer (activations may be fewer)")


class Saliency(BaseModel):
    """Gradient × input for one class: positive where a pixel's ink raised the class's output."""

    model_config = ConfigDict(populate_by_name=True)
    target: int = Field(alias="class", description="the class explained")
    values: Grid = Field(description="28×28, row-major rows, 5 significant digits")
    max_abs: float = Field(description="the largest |value|, for a symmetric colour scale")


class Inspection(Prediction):
    layers: list[LayerView]
    saliency: Saliency


class KernelOut(BaseModel):
    name: str
    title: str
    kernel: Grid


MAX_KERNEL = 7
MAX_KERNEL_VALUE = 1000.0


class ConvolveRequest(PredictRequest):
    """One digit, as for predict, and the kernel to slide over it."""

    kernel: (
        str
        | list[
            list[
                Annotated[
                    float,
                    Field(ge=-MAX_KERNEL_VALUE, le=MAX_KERNEL_VALUE, allow_inf_nan=False),
                ]
            ]
        ]
    ) = Field(
        description="a ready kernel's name (GET /api/kernels) or a square k×k matrix, k odd, "
        f"k ≤ {MAX_KERNEL}",
        examples=["edge_all", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]],
    )

    @field_validator("kernel")
    @classmethod
    def _kernel(cls, kernel: str | list[list[float]]) -> str | list[list[float]]:
        if isinstance(kernel, str):
            if kernel not in KERNELS:
                raise ValueError(f"unknown kernel {kernel!r}: choose one of {', '.join(KERNELS)}")
            return kernel
        k = len(kernel)
        if k % 2 == 0 or k > MAX_KERNEL:
            raise ValueError(f"a kernel is k×k with k odd and at most {MAX_KERNEL} (1, 3, 5, 7), "
                             f"not {k} rows")
        for row in kernel:
            if len(row) != k:
                raise ValueError(f"the kernel must be square: {k} rows of {k} numbers, "
                                 f"not a row of {len(row)}")
        return kernel


class ConvolutionSteps(BaseModel):
    """The explorer's walk-through: convolution ('same' padding), ReLU, 2×2 max pooling, flattening.
    Numbers rounded to 4 decimals."""

    kernel: Grid = Field(description="the kernel used")
    input: Grid = Field(description="the 28×28 image")
    feature_map: Grid = Field(description="28×28: the kernel slid over the image")
    relu: Grid = Field(description="28×28: max(0, feature_map)")
    pooled: Grid = Field(description="14×14: the largest value of each 2×2 block")
    flattened: list[float] = Field(description="the 196 pooled values, row by row")


# -- corrections ("that's wrong") ----------------------------------------------


class CorrectionIn(BaseModel):
    """A digit the network misread, with its right label."""

    model_config = ConfigDict(extra="forbid", strict=True)
    pixels: Annotated[
        list[Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]],
        Field(min_length=PIXELS, max_length=PIXELS),
    ] = Field(description="the 28×28 input the network saw (predict's `pixels`), row-major")
    label: Digit = Field(description="the right digit")
    predicted: Digit | None = Field(default=None, description="what the network said")
    client: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="whose correction this is when there is no X-Client-Id header",
    )


class Correction(BaseModel):
    id: int
    created: float = Field(description="Unix time")
    label: int
    predicted: int | None
    pixels: list[float] = Field(description="784 values in 0..1 (stored as bytes: steps of 1/255)")


class CorrectionCount(BaseModel):
    count: int
    by_label: list[int] = Field(description="corrections per label 0..9")


class CorrectionDeleted(BaseModel):
    id: int
    count: int = Field(description="the client's corrections left")


# -- hyper-parameter sweeps -----------------------------------------------------

#: dotted request field -> the values to try, e.g. {"network.regularization.l2": [0, 0.1, 5]}
SweepGrid = dict[str, Annotated[list[Any], Field(min_length=1, max_length=64)]]


class SweepIn(BaseModel):
    """A grid over request fields: every combination of the values is one run of `base`."""

    model_config = ConfigDict(extra="forbid")
    base: TrainRequest = Field(description="the training request every run starts from")
    grid: SweepGrid = Field(
        min_length=1,
        max_length=16,
        description="dotted field paths (list items by index, e.g. network.layers.0.units) and the "
        "values to try; the runs are the cartesian product, the first field varying slowest",
        examples=[{"network.regularization.l2": [0, 0.1, 5], "network.optimizer.learning_rate": [0.1, 0.5]}],
    )
    title: str | None = Field(default=None, max_length=200,
                              description="default: the fields' last names, e.g. 'l2 × learning_rate'")


class SweepCreated(BaseModel):
    sweep_id: str
    run_ids: list[str] = Field(description="in grid order, as in the sweep's `runs`")


class SweepSummary(BaseModel):
    sweep_id: str
    title: str
    grid: SweepGrid
    created: float = Field(description="Unix time")
    n_runs: int
    n_finished: int = Field(description="runs that have ended (completed, stopped or failed)")


class FinalMetrics(BaseModel):
    """The latest epoch's numbers (the last epoch once the run has ended)."""

    epoch: int
    train_loss: float | None
    train_accuracy: float | None
    validation_loss: float | None
    validation_accuracy: float | None


class SweepCurves(BaseModel):
    """Per-epoch numbers of one run, one list per metric (all the same length as `epoch`)."""

    epoch: list[int]
    train_loss: list[float | None]
    train_accuracy: list[float | None]
    validation_loss: list[float | None]
    validation_accuracy: list[float | None]


class SweepRun(BaseModel):
    run_id: str
    values: dict[str, Any] = Field(description="this run's value of each grid field")
    status: RunStatus
    position: int | None = Field(description="place in the queue while queued")
    epochs_done: int
    final: FinalMetrics | None = Field(description="null until an epoch is done")
    best_validation_accuracy: float | None
    best_validation_loss: float | None
    test_accuracy: float | None
    error: str | None
    curves: SweepCurves | None = Field(default=None, description="with ?curves=true")


class SweepOut(SweepSummary):
    base: TrainRequest
    runs: list[SweepRun] = Field(description="in grid order")
    best_run_id: str | None = Field(
        description="highest best_validation_accuracy (lowest best_validation_loss where there "
        "is no accuracy, as in regression); null before any epoch"
    )
