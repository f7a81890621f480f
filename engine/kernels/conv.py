"""im2col / col2im for convolution as one GEMM.

`im2col` lays every k×k receptive field of every example out as a row, so
the convolution of a whole batch becomes `cols @ W.T`; `col2im` scatters the
row gradients back onto the (padded) input, summing where fields overlap.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def im2col(xp: np.ndarray, k: int, s: int, ho: int, wo: int) -> np.ndarray:
    """(N, C, Hp, Wp) padded input -> (N*ho*wo, C*k*k) rows of receptive fields."""
    n, c = xp.shape[0], xp.shape[1]
    cols = np.empty((n * ho * wo, c * k * k), dtype=xp.dtype)
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                row = (b * ho + i) * wo + j
                col = 0
                for ch in range(c):
                    for u in range(k):
                        for v in range(k):
                            cols[row, col] = xp[b, ch, i * s + u, j * s + v]
                            col += 1
    return cols


@njit(cache=True)
def col2im(dcols: np.ndarray, n: int, c: int, hp: int, wp: int, k: int, s: int,
           ho: int, wo: int) -> np.ndarray:
    """Inverse scatter of im2col: (N*ho*wo, C*k*k) -> (N, C, Hp, Wp), summed."""
    dx = np.zeros((n, c, hp, wp), dtype=dcols.dtype)
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                row = (b * ho + i) * wo + j
                col = 0
                for ch in range(c):
                    for u in range(k):
                        for v in range(k):
                            dx[b, ch, i * s + u, j * s + v] += dcols[row, col]
                            col += 1
    return dx
