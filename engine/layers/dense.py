"""Fully connected layer: z = x W + b, a = f(z).

Weights are stored (n_in, n_out) so a batch is one row-major GEMM. An image
input (N, C, H, W) is flattened implicitly, as the contract says.
"""

from __future__ import annotations

import numpy as np

from engine.activations import Activation
from engine.init import init_biases, init_weights
from engine.layers.base import ActivatedLayer


class Dense(ActivatedLayer):
    regularized = ("w",)

    def __init__(self, input_shape, units: int, activation: Activation, init: str, rng):
        super().__init__(input_shape)
        n_in = int(np.prod(input_shape))
        self.output_shape = (units,)
        self.activation = activation
        self.params = {
            "w": init_weights(init, rng, (n_in, units), n_in, units),
            "b": init_biases(init, rng, units),
        }

    def affine(self, x):
        self.x = x.reshape(len(x), -1)
        return self.x @ self.params["w"] + self.params["b"]

    def backward_z(self, dz):
        np.matmul(self.x.T, dz, out=self.grad_buffer("w"))
        np.sum(dz, axis=0, out=self.grad_buffer("b"))
        if not self.needs_input_grad:
            return None
        return (dz @ self.params["w"].T).reshape((len(dz), *self.input_shape))
