"""Classifying digit images with the built-in model or a run's latest saved model."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.inspect import saliency
from engine.model import Model, model_from_bytes, to_probabilities
from server.errors import Unavailable, Unprocessable, no_model_yet, unknown_run
from server.store import Store

DIGIT_SHAPES = ((1, 28, 28), (784,))
CACHED_MODELS = 8


class Predictor:
    """Keeps a few recently used models in memory; one forward pass at a time per process
    (layers keep their activations for backprop, so a network is not safe to share)."""

    def __init__(self, store: Store, builtin_path: Path) -> None:
        self._store = store
        self._builtin_path = builtin_path
        self._cache: OrderedDict[tuple[str, float], Model] = OrderedDict()
        self._lock = threading.Lock()

    def builtin(self) -> Model:
        path = self._builtin_path
        if not path.is_file():
            raise Unavailable(
                f"the built-in digit model is not installed ({path.name} is missing); "
                "create it with scripts/train_default_model.py"
            )
        return self._cached(("builtin", path.stat().st_mtime), path.read_bytes)

    def for_run(self, run_id: str) -> Model:
        record = self._store.run(run_id)
        if record is None:
            raise unknown_run(run_id)
        if record.model_saved is None:
            raise no_model_yet(run_id)
        return self._cached((run_id, record.model_saved), lambda: self._model_bytes(run_id))

    def classify(self, model: Model, digit: np.ndarray) -> np.ndarray:
        """Class probabilities for one 28×28 image (white on black, 0..1)."""
        x = _digit_input(model, digit)
        with self._lock:
            probabilities = model.predict(x)[0]
        return _finite_probabilities(probabilities)

    def look_inside(self, model: Model, digit: np.ndarray, target: int | None) -> Inside:
        """Every layer's output (the engine's own forward pass), the class probabilities and
        the gradient × input saliency of class `target` (None: the predicted class)."""
        x = _digit_input(model, digit)
        net = model.network
        with self._lock:
            outputs = [out[0].copy() for out in net.forward_all(x)]  # saliency runs it again
            scores = to_probabilities(outputs[-1][None], model.kind, model.softmax_output)
            probabilities = _finite_probabilities(scores[0])
            label = int(np.argmax(probabilities))
            explained = label if target is None else target
            if explained >= outputs[-1].size:
                raise Unprocessable.at(
                    ["body", "class"],
                    f"this model has {outputs[-1].size} outputs: class is 0..{outputs[-1].size - 1}",
                )
            grad_x = saliency(net, x, explained)[0]
        return Inside(outputs, probabilities, label, explained, grad_x.reshape(digit.shape))

    def _model_bytes(self, run_id: str) -> bytes:
        saved = self._store.model(run_id)
        assert saved is not None  # models are never deleted
        return saved[1]

    def _cached(self, key: tuple[str, float], load: Callable[[], bytes]) -> Model:
        with self._lock:
            model = self._cache.get(key)
            if model is not None:
                self._cache.move_to_end(key)
                return model
        try:
            model = model_from_bytes(load())
        except ValueError as exc:
            raise Unavailable(f"the saved model cannot be loaded: {exc}") from None
        with self._lock:
            self._cache[key] = model
            while len(self._cache) > CACHED_MODELS:
                self._cache.popitem(last=False)
        return model


@dataclass(frozen=True, slots=True)
class Inside:
    """What `Predictor.look_inside` found for one digit."""

    outputs: list[np.ndarray]  # each layer's output for the digit, without the batch axis
    probabilities: np.ndarray
    label: int
    explained: int  # the class of the saliency map
    saliency: np.ndarray  # same shape as the digit


def _digit_input(model: Model, digit: np.ndarray) -> np.ndarray:
    """The digit as a batch of one for the model, or 422 if the model does not read digits."""
    if model.input_shape not in DIGIT_SHAPES or model.kind != "classification":
        raise Unprocessable.at(
            ["body"],
            f"this model reads inputs of shape {list(model.input_shape)} "
            f"({model.request.dataset}), not 28×28 digit images",
        )
    return digit.reshape((1, *model.input_shape)).astype(np.float32)


def _finite_probabilities(probabilities: np.ndarray) -> np.ndarray:
    return np.nan_to_num(probabilities.astype(np.float64), nan=0.0, posinf=1.0, neginf=0.0)
