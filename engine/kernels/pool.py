"""Max pooling forward (remembering the winner) and backward (route the
gradient to the winner only)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def maxpool_forward(x: np.ndarray, size: int, s: int, ho: int, wo: int):
    n, c = x.shape[0], x.shape[1]
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    arg = np.empty((n, c, ho, wo), dtype=np.int32)
    w = x.shape[3]
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    best = x[b, ch, i * s, j * s]
                    where = (i * s) * w + j * s
                    for u in range(size):
                        for v in range(size):
                            val = x[b, ch, i * s + u, j * s + v]
                            if val > best:
                                best = val
                                where = (i * s + u) * w + j * s + v
                    out[b, ch, i, j] = best
                    arg[b, ch, i, j] = where
    return out, arg


@njit(cache=True)
def maxpool_backward(dy: np.ndarray, arg: np.ndarray, h: int, w: int) -> np.ndarray:
    n, c, ho, wo = dy.shape
    dx = np.zeros((n, c, h, w), dtype=dy.dtype)
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    p = arg[b, ch, i, j]
                    dx[b, ch, p // w, p % w] += dy[b, ch, i, j]
    return dx
