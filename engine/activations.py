"""Activation functions f(z) and their backward pass, by name.

Each activation maps pre-activations z to a = f(z) and, going back, turns
dC/da into dC/dz. Element-wise ones use f'(z); softmax couples the outputs
of a row, so it takes the Jacobian-vector product instead. All are written
to stay finite for |z| up to 1e4 and beyond (no overflow warnings).
"""

from __future__ import annotations

import numpy as np

from engine.kernels.elementwise import (
    relu_backward,
    relu_forward,
    sigmoid32,
    sigmoid_backward,
    softmax_rows,
    tanh_backward,
)

LEAKY_SLOPE = np.float32(0.01)


#: e^88 and e^700 are the largest powers of e float32 and float64 hold; past
#: them σ(z) is 0 to working precision, so clipping -z there loses nothing
_EXP_LIMIT = {np.dtype(np.float32): 88.0, np.dtype(np.float64): 700.0}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z): one fused pass for float32 (training), NumPy in place for float64 (gradient checks)."""
    if z.dtype == np.float32:
        return sigmoid32(z)
    out = np.negative(z)
    np.minimum(out, _EXP_LIMIT.get(out.dtype, 88.0), out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    return out


def _same_float32(x: np.ndarray, y: np.ndarray) -> bool:
    """Whether the fused float32 kernels apply (same shape; float64 gradient checks take NumPy's path)."""
    return x.dtype == y.dtype == np.float32 and x.shape == y.shape


class Activation:
    """Element-wise activation: subclasses give f and f'."""

    name = ""
    #: a one-pass float32 kernel (z, a, dC/da) -> dC/dz, where one exists
    fused_backward = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z); a = f(z) is passed in because many derivatives reuse it."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
        """dC/dz from dC/da."""
        if self.fused_backward is not None and _same_float32(z, da):
            return self.fused_backward(z, a, da)
        return da * self.derivative(z, a)


class Sigmoid(Activation):
    name = "sigmoid"
    fused_backward = staticmethod(sigmoid_backward)

    def forward(self, z):
        return _sigmoid(z)

    def derivative(self, z, a):
        return a * (1 - a)


class Tanh(Activation):
    name = "tanh"
    fused_backward = staticmethod(tanh_backward)

    def forward(self, z):
        return np.tanh(z)

    def derivative(self, z, a):
        return 1 - a * a


class ReLU(Activation):
    name = "relu"
    fused_backward = staticmethod(relu_backward)

    def forward(self, z):
        return relu_forward(z) if z.dtype == np.float32 else np.maximum(z, 0)

    def derivative(self, z, a):
        return (z > 0).astype(z.dtype)


class LeakyReLU(Activation):
    name = "leaky_relu"

    def forward(self, z):
        return np.where(z > 0, z, LEAKY_SLOPE * z).astype(z.dtype, copy=False)

    def derivative(self, z, a):
        return np.where(z > 0, 1, LEAKY_SLOPE).astype(z.dtype)


class Softplus(Activation):
    name = "softplus"

    def forward(self, z):
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for large z.
        return (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))).astype(z.dtype, copy=False)

    def derivative(self, z, a):
        return _sigmoid(z)


class Linear(Activation):
    name = "linear"

    def forward(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)

    def backward(self, z, a, da):
        return da


class Softmax(Activation):
    """Softmax over the last axis; backward is the Jacobian-vector product."""

    name = "softmax"

    def forward(self, z):
        return softmax_rows(np.ascontiguousarray(z.reshape(-1, z.shape[-1]))).reshape(z.shape)

    def derivative(self, z, a):
        raise TypeError("softmax has no element-wise derivative; use backward()")

    def backward(self, z, a, da):
        return a * (da - (da * a).sum(axis=-1, keepdims=True))


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Softplus, Linear, Softmax)
}


def get_activation(name: str) -> Activation:
    return ACTIVATIONS[name]()
