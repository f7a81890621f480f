"""Compile (or load from Numba's disk cache) every kernel before the first
real run, so a student's first click does not wait for LLVM."""

from __future__ import annotations

import time

import numpy as np

from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.spec import parse_request
from engine.train import train

_TINY_CNN = {
    "dataset": "xor", "epochs": 1, "n_points": 10, "validation_size": 2, "seed": 0,
    "network": {"layers": [{"type": "dense", "units": 2, "activation": "sigmoid"}],
                "cost": "cross_entropy"},
}


def warm_up() -> float:
    """Run each kernel once on tiny inputs; returns the seconds it took."""
    from engine.data import augment_images
    from engine.kernels import elementwise as ew
    from engine.kernels.conv import col2im, im2col
    from engine.kernels.pool import maxpool_backward, maxpool_forward

    t0 = time.perf_counter()
    for dtype in (np.float32, np.float64):
        x = np.zeros((1, 1, 4, 4), dtype)
        cols = im2col(x, 2, 1, 3, 3)
        col2im(cols, 1, 4, 4, 2, 1, 3, 3)
        out, arg = maxpool_forward(x, 2, 2, 2, 2)
        maxpool_backward(out, arg, 2, 2, 4, 4)
    z = np.zeros((2, 3), np.float32)
    for forward in (ew.sigmoid32, ew.relu_forward, ew.softmax_rows):
        forward(z)
    ew.softmax_rows(z.astype(np.float64))
    for backward in (ew.sigmoid_backward, ew.tanh_backward, ew.relu_backward):
        backward(z, z, z)
    for dtype in (np.float32, np.float64):  # float64: the optimizer race
        for kind in OPTIMIZERS:
            make_optimizer(kind, 0.1).step([np.zeros(2, dtype)], [np.zeros(2, dtype)])
    augment_images(np.zeros((1, 1, 4, 4), np.float32), np.random.default_rng(0), 1, 5.0)
    train(parse_request(_TINY_CNN), lambda e: None)
    return time.perf_counter() - t0
