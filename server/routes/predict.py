"""Classify one digit with the built-in model or with a run's latest model."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter

from engine.model import Model
from server.errors import Unprocessable
from server.imaging import ImageError, image_to_mnist
from server.routes.runs import NO_MODEL, UNKNOWN, known
from server.schemas import BODY_REFUSALS, ErrorAnswer, Prediction, PredictRequest
from server.state import AppState, Nnplay

router = APIRouter(prefix="/api", tags=["predict"])


NO_BUILTIN = {503: {"model": ErrorAnswer, "description": "the built-in model is not installed"}}


@router.post(
    "/predict",
    responses={**BODY_REFUSALS, **NO_BUILTIN},
)
def predict_builtin(body: PredictRequest, app: Nnplay) -> Prediction:
    """Classify with the digit model that ships with nnplay."""
    return _predict(app, app.predictor.builtin(), body)


@router.post("/runs/{run_id}/predict", responses={**BODY_REFUSALS, **UNKNOWN, **NO_MODEL})
def predict_with_run(run_id: str, body: PredictRequest, app: Nnplay) -> Prediction:
    """Classify with the run's latest saved model (the network must read 28×28 images)."""
    return _predict(app, app.predictor.for_run(known(run_id)), body)


def _predict(app: AppState, model: Model, body: PredictRequest) -> Prediction:
    digit = read_digit(app, body)
    probabilities = app.predictor.classify(model, digit)
    return Prediction(
        label=int(np.argmax(probabilities)),
        probabilities=probabilities.round(6).tolist(),
        pixels=digit.ravel().round(3).tolist(),
    )


def read_digit(app: AppState, body: PredictRequest) -> np.ndarray:
    """The 28×28 white-on-black 0..1 image of a predict-like body (pixels or a picture)."""
    if body.pixels is not None:
        return np.asarray(body.pixels, dtype=np.float32).reshape(28, 28)
    try:
        return image_to_mnist(str(body.image), app.settings.server_limits.max_image_pixels)
    except ImageError as exc:
        raise Unprocessable.at(["body", "image"], str(exc)) from None
