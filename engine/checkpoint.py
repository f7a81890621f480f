"""A resumable checkpoint: the model file plus what training needs to go on
exactly as if it had never stopped.

Weights alone are not enough to continue a run: momentum and Adam keep
per-weight averages, the shuffling, augmentation and dropout draw from
random generators whose positions matter, and early stopping remembers its
best epoch so far. `TrainingState` holds all of it; `state_to_bytes` writes
it into a model file (extra `train/…` arrays and a `__train__` record, which
`model_from_bytes` ignores), so a checkpoint is still a model anyone can
load, and `state_from_bytes` reads it back for `train(..., resume=…)`.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.model import Model, model_arrays, model_from_bytes

PREFIX = "train/"
RECORD = "__train__"


@dataclass
class TrainingState:
    """Where a run stands after `epoch` completed epochs."""

    epoch: int
    #: the optimizer's state arrays per parameter index, and its step count (Adam)
    optimizer: dict[int, list[np.ndarray]]
    optimizer_steps: int | None
    #: bit_generator.state of each random generator training draws from, by role
    rngs: dict[str, dict[str, Any]]
    #: early stopping's best (score, epoch) so far and that epoch's weights
    best_score: float
    best_epoch: int
    best_weights: dict[str, np.ndarray] | None = field(default=None)


def state_to_bytes(model: Model, state: TrainingState) -> bytes:
    """A model file that also carries `state`."""
    arrays = model_arrays(model)
    for i, slots in state.optimizer.items():
        for j, a in enumerate(slots):
            arrays[f"{PREFIX}opt/{i}/{j}"] = a
    for key, a in (state.best_weights or {}).items():
        arrays[f"{PREFIX}best/{key}"] = a
    record = {"epoch": state.epoch, "optimizer_steps": state.optimizer_steps, "rngs": state.rngs,
              "best_score": state.best_score if np.isfinite(state.best_score) else None,
              "best_epoch": state.best_epoch, "has_best": state.best_weights is not None}
    arrays[RECORD] = np.frombuffer(json.dumps(record).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # uncompressed: taken every second while training, and floats barely shrink
    return buf.getvalue()


def state_from_bytes(data: bytes) -> tuple[Model, TrainingState] | None:
    """The model and training state of a checkpoint; None for a plain model file (nothing to resume).
    Raises ValueError if `data` is not a model file at all."""
    model = model_from_bytes(data)
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        if RECORD not in z.files:
            return None
        record = json.loads(bytes(z[RECORD]).decode())
        arrays = {k[len(PREFIX):]: z[k] for k in z.files if k.startswith(PREFIX)}
    optimizer: dict[int, list[np.ndarray]] = {}
    slots = sorted(tuple(map(int, k.split("/")[1:])) for k in arrays if k.startswith("opt/"))
    for i, j in slots:  # (parameter index, slot index), in order
        optimizer.setdefault(i, []).append(arrays[f"opt/{i}/{j}"])
    best = {k[len("best/"):]: v for k, v in arrays.items() if k.startswith("best/")}
    score = record["best_score"]
    return model, TrainingState(
        epoch=record["epoch"], optimizer=optimizer, optimizer_steps=record["optimizer_steps"],
        rngs=record["rngs"], best_score=-np.inf if score is None else score,
        best_epoch=record["best_epoch"], best_weights=best if record["has_best"] else None)
