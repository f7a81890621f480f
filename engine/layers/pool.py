"""Max pooling: the largest value of each size×size window (floor mode:
windows that would hang over the edge are dropped, as in Nielsen's
network3)."""

from __future__ import annotations

import numpy as np

from engine.kernels.pool import maxpool_backward, maxpool_forward
from engine.layers.base import Layer


def pool_output_size(size: int, window: int, stride: int) -> int:
    return (size - window) // stride + 1


class MaxPool(Layer):
    def __init__(self, input_shape, size: int, stride: int):
        super().__init__(input_shape)
        c, h, w = input_shape
        self.size, self.stride = size, stride
        self.output_shape = (c, pool_output_size(h, size, stride), pool_output_size(w, size, stride))

    def forward(self, x, train):
        _, ho, wo = self.output_shape
        out, self.arg = maxpool_forward(np.ascontiguousarray(x), self.size, self.stride, ho, wo)
        return out

    def backward(self, dy):
        _, h, w = self.input_shape
        return maxpool_backward(np.ascontiguousarray(dy), self.arg, self.size, self.stride, h, w)
