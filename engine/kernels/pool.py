"""Max pooling forward (remembering the winner) and backward (route the
gradient to the winner only).

The kernels walk (example, channel) planes; the winner is stored as its
position inside its window (u·size + v, uint16: windows are at most 64×64).
The course's usual 2×2 window with stride 2 has its own unrolled loops, three
times faster than the general ones. `nogil` lets several threads run the
kernels at once.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def maxpool_forward(x: np.ndarray, size: int, s: int, ho: int, wo: int):
    n, c, h, w = x.shape
    planes = x.reshape(n * c, h, w)
    out = np.empty((n * c, ho, wo), dtype=x.dtype)
    arg = np.empty((n * c, ho, wo), dtype=np.uint16)
    for p in range(n * c):
        for i in range(ho):
            if size == 2 and s == 2:
                _pool_row_2x2(planes[p, 2 * i], planes[p, 2 * i + 1], out[p, i], arg[p, i])
            else:
                _pool_row(planes[p], i, size, s, out[p, i], arg[p, i])
    return out.reshape(n, c, ho, wo), arg.reshape(n, c, ho, wo)


@njit(cache=True, nogil=True, inline="always")
def _pool_row_2x2(r0, r1, out, arg):
    for j in range(len(out)):
        best, where = r0[2 * j], 0
        if r0[2 * j + 1] > best:
            best, where = r0[2 * j + 1], 1
        if r1[2 * j] > best:
            best, where = r1[2 * j], 2
        if r1[2 * j + 1] > best:
            best, where = r1[2 * j + 1], 3
        out[j] = best
        arg[j] = where


@njit(cache=True, nogil=True, inline="always")
def _pool_row(plane, i, size, s, out, arg):
    for j in range(len(out)):
        best, where = plane[i * s, j * s], 0
        for u in range(size):
            for v in range(size):
                val = plane[i * s + u, j * s + v]
                if val > best:
                    best, where = val, u * size + v
        out[j] = best
        arg[j] = where


@njit(cache=True, nogil=True)
def maxpool_backward(dy: np.ndarray, arg: np.ndarray, size: int, s: int, h: int, w: int) -> np.ndarray:
    n, c, ho, wo = dy.shape
    dx = np.zeros((n, c, h, w), dtype=dy.dtype)
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    k = np.int64(arg[b, ch, i, j])
                    u = k // size
                    dx[b, ch, i * s + u, j * s + k - u * size] += dy[b, ch, i, j]
    return dx
