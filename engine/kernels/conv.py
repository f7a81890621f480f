"""im2col / col2im for convolution as one GEMM.

`im2col` lays the k×k receptive fields of each example out as the columns of
a (C·k·k, H_out·W_out) matrix, so the convolution is one GEMM per example,
`W (F, C·k·k) @ cols`, whose result is already the (F, H_out, W_out) output
in NCHW order (contiguous, so the activation and pooling after it run at full
speed); `col2im` scatters column gradients back onto the (padded) input.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def im2col(xp: np.ndarray, k: int, s: int, ho: int, wo: int) -> np.ndarray:
    """(N, C, Hp, Wp) padded input -> (N, C*k*k, ho*wo): row (c, u, v) of example n
    holds the input pixel under kernel tap (u, v) of channel c for every output position."""
    n, c = xp.shape[0], xp.shape[1]
    cols = np.empty((n, c * k * k, ho * wo), dtype=xp.dtype)
    for b in range(n):
        for ch in range(c):
            for u in range(k):
                for v in range(k):
                    row = (ch * k + u) * k + v
                    for i in range(ho):
                        src = xp[b, ch, i * s + u]
                        dst = cols[b, row, i * wo:(i + 1) * wo]
                        if s == 1:  # a contiguous run: LLVM vectorizes this copy
                            for j in range(wo):
                                dst[j] = src[j + v]
                        else:
                            for j in range(wo):
                                dst[j] = src[j * s + v]
    return cols


@njit(cache=True, nogil=True)
def col2im(dcols: np.ndarray, c: int, hp: int, wp: int, k: int, s: int, ho: int, wo: int) -> np.ndarray:
    """Inverse scatter of im2col: (N, C*k*k, ho*wo) -> (N, C, Hp, Wp), summed where fields overlap."""
    n = dcols.shape[0]
    dx = np.zeros((n, c, hp, wp), dtype=dcols.dtype)
    for b in range(n):
        for ch in range(c):
            for u in range(k):
                for v in range(k):
                    row = (ch * k + u) * k + v
                    for i in range(ho):
                        src = dcols[b, row, i * wo:(i + 1) * wo]
                        dst = dx[b, ch, i * s + u]
                        if s == 1:
                            for j in range(wo):
                                dst[j + v] += src[j]
                        else:
                            for j in range(wo):
                                dst[j * s + v] += src[j]
    return dx
