"""What the playground draws besides the curves, computed by the engine so
the browser never does training maths: the data points, the decision
boundary of 2-D classifiers, the fitted line of regression, and the conv
layers' feature maps for one probe image."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from engine.data.registry import Dataset
from engine.model import to_probabilities
from engine.network import Network
from engine.spec import TrainRequest

GRID = 40
MAX_MAPS = 32


def _bounds(x: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * (hi - lo) + 1e-3
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def plot_points(ds: Dataset, n_part: int) -> dict[str, Any]:
    """The points to plot under the boundary / line (only for tiny-input datasets)."""
    if ds.info.input_shape == (2,):
        def rows(x, y):
            return np.hstack([x.astype(float).round(4), y.reshape(-1, 1)]).tolist()
        return {"points": {"train": rows(ds.x_train[:n_part], ds.y_train[:n_part]),
                           "test": rows(ds.x_test, ds.y_test)}}
    if ds.info.input_shape == (1,):
        xy = np.hstack([ds.x_train[:n_part], ds.y_train[:n_part]]).astype(float)
        return {"points": xy.round(4).tolist()}
    return {}


def boundary(net: Network, ds: Dataset) -> dict[str, Any]:
    """Class-1 probability over a grid covering the data."""
    x0, x1, y0, y1 = _bounds(np.vstack([ds.x_train, ds.x_test]))
    xs, ys = np.linspace(x0, x1, GRID, dtype=np.float32), np.linspace(y0, y1, GRID, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    p = to_probabilities(net.forward(grid), "classification")[:, 1]
    return {"x": xs.astype(float).round(4).tolist(), "y": ys.astype(float).round(4).tolist(),
            "z": p.reshape(GRID, GRID).round(3).tolist()}


def fitted_line(req: TrainRequest, net: Network, ds: Dataset) -> dict[str, Any]:
    """The network's function over x, and (m, b) when it is one linear neuron."""
    lo, hi = float(ds.x_train.min()), float(ds.x_train.max())
    xs = np.linspace(lo, hi, GRID, dtype=np.float32).reshape(-1, 1)
    out: dict[str, Any] = {"fit": {"x": xs[:, 0].astype(float).round(4).tolist(),
                                   "y": net.forward(xs)[:, 0].astype(float).round(4).tolist()}}
    layers = req.network.layers
    if len(layers) == 1 and layers[0].activation == "linear":
        p = net.layers[0].params
        out["line"] = {"m": round(float(p["w"][0, 0]), 5), "b": round(float(p["b"][0]), 5)}
    return out


def feature_map_layers(req: TrainRequest, net: Network, probe: np.ndarray
                       ) -> Iterator[tuple[int, np.ndarray]]:
    """(layer index, (channels, h, w) outputs) of each conv/pool layer for the probe image."""
    if len(probe) == 0 or not any(s.type in ("conv2d", "maxpool") for s in req.network.layers):
        return
    for i, (spec, out) in enumerate(zip(req.network.layers, net.forward_all(probe), strict=True)):
        if spec.type in ("conv2d", "maxpool"):
            yield i, out[0, :MAX_MAPS]
