"""The layer interface every layer implements.

A layer owns its trainable `params` and their `grads` (same keys), plus
`buffers`: saved state that is not trained (batch-norm running averages).
`forward` caches what `backward` needs; `backward` takes dC/d(output) of the
whole batch and returns dC/d(input), filling `grads` on the way.
"""

from __future__ import annotations

import numpy as np

from engine.activations import Activation


class Layer:
    #: names of params that L1/L2 regularization applies to (weights, not biases)
    regularized: tuple[str, ...] = ()

    def __init__(self, input_shape: tuple[int, ...]):
        self.input_shape = input_shape
        self.output_shape: tuple[int, ...] = input_shape
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        #: False for the first trainable layer: nobody needs dC/d(input) there
        self.needs_input_grad = True

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad_buffer(self, name: str) -> np.ndarray:
        """The reusable gradient array of param `name`. Writing gradients into
        the same buffers every step (np.matmul(..., out=)) avoids allocating
        (and page-faulting) fresh large arrays in the hot loop."""
        p, g = self.params[name], self.grads.get(name)
        if g is None or g.dtype != p.dtype or g.shape != p.shape:
            g = self.grads[name] = np.empty_like(p)
        return g

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params.values())


class ActivatedLayer(Layer):
    """A layer computing z = (affine map of x) and a = f(z).

    The output layer's error arrives as δ = dC/dz straight from the cost
    (that is where the cross-entropy cancellation happens), so besides
    `backward(dC/da)` these layers offer `backward_z(dC/dz)`.
    """

    activation: Activation

    def forward(self, x, train):
        self.z = self.affine(x)
        self.a = self.activation.forward(self.z)
        return self.a

    def backward(self, dy):
        return self.backward_z(self.activation.backward(self.z, self.a, dy))

    def affine(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward_z(self, dz: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError
