"""Inverted dropout: drop units with probability `rate` while training and
scale the survivors by 1/(1 − rate), so inference needs no rescaling."""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer


class Dropout(Layer):
    def __init__(self, input_shape, rate: float, rng: np.random.Generator):
        super().__init__(input_shape)
        self.rate = rate
        self.rng = rng

    def forward(self, x, train):
        if not train or self.rate == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate
        self.mask = keep.astype(x.dtype) / x.dtype.type(1 - self.rate)
        return x * self.mask

    def backward(self, dy):
        return dy if self.mask is None else dy * self.mask
