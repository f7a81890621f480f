"""Flatten (C, H, W) feature maps into one vector per example."""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer


class Flatten(Layer):
    def __init__(self, input_shape):
        super().__init__(input_shape)
        self.output_shape = (int(np.prod(input_shape)),)

    def forward(self, x, train):
        return x.reshape(len(x), -1)

    def backward(self, dy):
        return dy.reshape((len(dy), *self.input_shape))
