"""The optimizers' update rules as one-pass element-wise kernels.

Written with NumPy, Adam is a dozen whole-array operations per parameter
array, each a Python call; on the small networks of the 2-D playground those
calls, not the arithmetic, were the cost of a step. Each kernel here updates
the parameter and its state in place in one loop, with the rule written out
as in `engine.optimizers`. Arrays must be C-contiguous (parameters always are)
and the hyper-parameters scalars of the arrays' dtype: float32 arithmetic
vectorizes eight wide, and is what NumPy would have computed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.kernels import ELEMENTWISE


@njit(**ELEMENTWISE)
def sgd(p: np.ndarray, g: np.ndarray, lr: float) -> None:
    w, d = p.reshape(-1), g.reshape(-1)
    for i in range(w.size):
        w[i] -= lr * d[i]


@njit(**ELEMENTWISE)
def momentum(p: np.ndarray, g: np.ndarray, v: np.ndarray, lr: float, mu: float) -> None:
    w, d, vel = p.reshape(-1), g.reshape(-1), v.reshape(-1)
    for i in range(w.size):
        vel[i] = mu * vel[i] - lr * d[i]
        w[i] += vel[i]


@njit(**ELEMENTWISE)
def nesterov(p: np.ndarray, g: np.ndarray, v: np.ndarray, lr: float, mu: float) -> None:
    w, d, vel = p.reshape(-1), g.reshape(-1), v.reshape(-1)
    for i in range(w.size):
        vel[i] = mu * vel[i] - lr * d[i]
        w[i] += mu * vel[i] - lr * d[i]


@njit(**ELEMENTWISE)
def adagrad(p: np.ndarray, g: np.ndarray, acc: np.ndarray, lr: float, eps: float) -> None:
    w, d, a = p.reshape(-1), g.reshape(-1), acc.reshape(-1)
    for i in range(w.size):
        a[i] += d[i] * d[i]
        w[i] -= lr * d[i] / (np.sqrt(a[i]) + eps)


@njit(**ELEMENTWISE)
def adadelta(p: np.ndarray, g: np.ndarray, eg2: np.ndarray, ed2: np.ndarray,
             lr: float, rho: float, eps: float) -> None:
    w, d, sg, sd = p.reshape(-1), g.reshape(-1), eg2.reshape(-1), ed2.reshape(-1)
    one = w.dtype.type(1)  # a bare 1 would promote float32 arithmetic to float64
    for i in range(w.size):
        sg[i] = rho * sg[i] + (one - rho) * d[i] * d[i]
        delta = -np.sqrt(sd[i] + eps) / np.sqrt(sg[i] + eps) * d[i]
        sd[i] = rho * sd[i] + (one - rho) * delta * delta
        w[i] += lr * delta


@njit(**ELEMENTWISE)
def rmsprop(p: np.ndarray, g: np.ndarray, eg2: np.ndarray, lr: float, rho: float, eps: float) -> None:
    w, d, s = p.reshape(-1), g.reshape(-1), eg2.reshape(-1)
    one = w.dtype.type(1)
    for i in range(w.size):
        s[i] = rho * s[i] + (one - rho) * d[i] * d[i]
        w[i] -= lr * d[i] / (np.sqrt(s[i]) + eps)


@njit(**ELEMENTWISE)
def adam(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, lr: float,
         beta1: float, beta2: float, eps: float, c1: float, c2: float) -> None:
    """c1 = 1 − β1ᵗ and c2 = 1 − β2ᵗ: the bias corrections of step t."""
    w, d, mm, vv = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
    one = w.dtype.type(1)
    for i in range(w.size):
        mm[i] = beta1 * mm[i] + (one - beta1) * d[i]
        vv[i] = beta2 * vv[i] + (one - beta2) * d[i] * d[i]
        w[i] -= lr * (mm[i] / c1) / (np.sqrt(vv[i] / c2) + eps)
