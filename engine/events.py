"""The event objects of the contract, built in one place.

The same plain dicts (JSON types only) go to the CLI's stdout, the
server's WebSocket and the database.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Event = dict[str, Any]


def _num(x: float | None, digits: int = 6) -> float | None:
    if x is None or not np.isfinite(x):
        return None
    return round(float(x), digits)


def started(run_id: str, parameters: int, n_train: int, n_validation: int,
            layers: list[dict[str, Any]], **extra: Any) -> Event:
    return {"type": "started", "run_id": run_id, "parameters": parameters, "n_train": n_train,
            "n_validation": n_validation, "layers": layers, **extra}


def epoch(n: int, train_loss: float, train_accuracy: float | None, validation_loss: float | None,
          validation_accuracy: float | None, seconds: float, samples_per_second: float,
          **extra: Any) -> Event:
    return {"type": "epoch", "epoch": n, "train_loss": _num(train_loss),
            "train_accuracy": _num(train_accuracy), "validation_loss": _num(validation_loss),
            "validation_accuracy": _num(validation_accuracy), "seconds": _num(seconds, 4),
            "samples_per_second": _num(samples_per_second, 1), **extra}


def quantize_maps(maps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(C, H, W) maps as uint8, each channel scaled to 0..255 over its own range
    (plenty for a heatmap), and the (C, 2) real (min, max) of each channel:
    a value is about min + q / 255 · (max − min)."""
    lo = maps.min(axis=(1, 2), keepdims=True)
    hi = maps.max(axis=(1, 2), keepdims=True)
    q = np.round(255 * (maps - lo) / np.where(hi > lo, hi - lo, 1)).astype(np.uint8)
    return q, np.hstack([lo[:, 0], hi[:, 0]])


def feature_maps(n: int, layer: int, maps: np.ndarray) -> Event:
    """Each channel quantized to 0..255 over its own range; `ranges` keeps the real (min, max)."""
    q, ranges = quantize_maps(maps)
    return {"type": "feature_maps", "epoch": n, "layer": layer, "maps": q.tolist(),
            "ranges": ranges.round(5).tolist()}


def gradients(n: int, layers: list[dict[str, Any]]) -> Event:
    """Optional event: per layer with weights, ‖∂C/∂w‖ and ‖∂C/∂b‖ on a probe batch."""
    return {"type": "gradients", "epoch": n, "layers": layers}


def histograms(n: int, layers: list[dict[str, Any]]) -> Event:
    """Optional event: per layer, histograms of its weights and of its outputs."""
    return {"type": "histograms", "epoch": n, "layers": layers}


def done(status: str, test_accuracy: float | None = None, error: str | None = None,
         **extra: Any) -> Event:
    return {"type": "done", "status": status, "test_accuracy": _num(test_accuracy),
            "error": error, **extra}
