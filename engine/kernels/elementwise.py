"""Fused element-wise kernels for the activations that dominate conv nets.

NumPy evaluates σ(z) = 1 / (1 + e^−z) in five passes over memory and
σ'(z)·δ in three; on a batch of feature maps (millions of values) those
passes, not the arithmetic, are the cost. These kernels make one pass each.
`sigmoid32` computes e^x as Cephes' `expf` does (2^k times a degree-6
polynomial on |r| ≤ ln2/2; relative error ~1e-7, as NumPy's) in plain
arithmetic that LLVM vectorizes; float64 stays with NumPy (gradient checks).
The backward kernels share one signature (z, a = f(z), δ = dC/da) -> dC/dz.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.kernels import ELEMENTWISE

_LOG2E = np.float32(1.4426950408889634)
_LN2_HI = np.float32(0.693359375)
_LN2_LO = np.float32(-2.12194440e-4)


@njit(**ELEMENTWISE)
def sigmoid32(z: np.ndarray) -> np.ndarray:
    """σ(z) for float32 z of any shape; inputs beyond ±87 saturate to 0 or 1 (e^88 overflows float32)."""
    zf = z.ravel()
    out = np.empty_like(zf)
    two_k = np.empty(zf.size, np.int32)
    for i in range(zf.size):
        x = min(max(-zf[i], np.float32(-87.0)), np.float32(87.0))
        k = np.floor(x * _LOG2E + np.float32(0.5))
        r = x - k * _LN2_HI - k * _LN2_LO
        p = np.float32(1.9875691500e-4)
        p = p * r + np.float32(1.3981999507e-3)
        p = p * r + np.float32(8.3334519073e-3)
        p = p * r + np.float32(4.1665795894e-2)
        p = p * r + np.float32(1.6666665459e-1)
        p = p * r + np.float32(5.0000001201e-1)
        out[i] = p * r * r + r + np.float32(1.0)
        two_k[i] = (np.int32(k) + 127) << 23  # the float32 bit pattern of 2^k
    scale = two_k.view(np.float32)
    for i in range(zf.size):
        out[i] = np.float32(1.0) / (np.float32(1.0) + out[i] * scale[i])
    return out.reshape(z.shape)


@njit(**ELEMENTWISE)
def sigmoid_backward(z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
    """δ·σ'(z) = δ·a(1 − a)."""
    af, df = a.ravel(), da.ravel()
    out = np.empty_like(df)
    for i in range(af.size):
        out[i] = df[i] * af[i] * (1 - af[i])
    return out.reshape(da.shape)


@njit(**ELEMENTWISE)
def tanh_backward(z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
    """δ·tanh'(z) = δ·(1 − a²)."""
    af, df = a.ravel(), da.ravel()
    out = np.empty_like(df)
    for i in range(af.size):
        out[i] = df[i] * (1 - af[i] * af[i])
    return out.reshape(da.shape)


@njit(**ELEMENTWISE)
def relu_backward(z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
    """δ where z > 0, else 0."""
    zf, df = z.ravel(), da.ravel()
    out = np.empty_like(df)
    for i in range(zf.size):
        out[i] = df[i] if zf[i] > 0 else 0
    return out.reshape(da.shape)


@njit(**ELEMENTWISE)
def relu_forward(z: np.ndarray) -> np.ndarray:
    """max(z, 0), keeping NaN as np.maximum does."""
    zf = z.ravel()
    out = np.empty_like(zf)
    for i in range(zf.size):
        out[i] = zf[i] if not zf[i] <= 0 else 0
    return out.reshape(z.shape)


@njit(cache=True, nogil=True, error_model="numpy")
def softmax_rows(z: np.ndarray) -> np.ndarray:
    """Softmax of each row of a 2-D array, shifted by the row's max (no overflow).
    One call instead of NumPy's five: it is most of the cost of classifying one digit."""
    out = np.empty_like(z)
    for r in range(z.shape[0]):
        row, dst = z[r], out[r]
        top = row.max()
        total = 0.0
        for j in range(row.size):
            dst[j] = np.exp(row[j] - top)
            total += dst[j]
        for j in range(row.size):
            dst[j] /= total
    return out
