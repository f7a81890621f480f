"""Batch normalization (Ioffe & Szegedy 2015).

Training normalizes with the batch's mean and variance per feature (per
channel for images) and updates running averages; inference uses the
running averages, so a single drawn digit is normalized like the data.
"""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer

EPS = 1e-5
MOMENTUM = 0.9


class BatchNorm(Layer):
    def __init__(self, input_shape):
        super().__init__(input_shape)
        n = input_shape[0]
        self.axes = (0,) if len(input_shape) == 1 else (0, 2, 3)
        self.bshape = (1, n) if len(input_shape) == 1 else (1, n, 1, 1)
        self.params = {"gamma": np.ones(n, np.float32), "beta": np.zeros(n, np.float32)}
        self.buffers = {"mean": np.zeros(n, np.float32), "var": np.ones(n, np.float32)}

    def forward(self, x, train):
        self.train = train
        if train:
            mean = x.mean(axis=self.axes)
            var = x.var(axis=self.axes)
            m = MOMENTUM
            self.buffers["mean"] = (m * self.buffers["mean"] + (1 - m) * mean).astype(np.float32)
            self.buffers["var"] = (m * self.buffers["var"] + (1 - m) * var).astype(np.float32)
        else:
            mean, var = self.buffers["mean"].astype(x.dtype), self.buffers["var"].astype(x.dtype)
        self.inv_std = (1 / np.sqrt(var + EPS)).reshape(self.bshape).astype(x.dtype)
        self.xhat = (x - mean.reshape(self.bshape)) * self.inv_std
        g, b = self.params["gamma"], self.params["beta"]
        return self.xhat * g.reshape(self.bshape) + b.reshape(self.bshape)

    def backward(self, dy):
        if not self.train:  # running averages are constants: a plain affine map
            return dy * self.params["gamma"].reshape(self.bshape) * self.inv_std
        xhat = self.xhat
        self.grads["gamma"] = (dy * xhat).sum(axis=self.axes)
        self.grads["beta"] = dy.sum(axis=self.axes)
        dxhat = dy * self.params["gamma"].reshape(self.bshape)
        m = dy.size // dy.shape[1]
        s1 = dxhat.sum(axis=self.axes, keepdims=True)
        s2 = (dxhat * xhat).sum(axis=self.axes, keepdims=True)
        return self.inv_std / m * (m * dxhat - s1 - xhat * s2)
