"""The answers of the REST API as pydantic models, so /openapi.json documents every one.

The training request itself is the engine's `TrainRequest`: one schema for
the server, the CLI and the UI.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    queued: int = Field(description="runs waiting for a worker")
    workers: list[WorkerInfo]


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
