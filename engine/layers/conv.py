"""2-D convolution over (N, C, H, W) batches with several input channels and
filters, stride, and zero padding (a number, or "same" as TensorFlow
defines it: output = ceil(input / stride)).

The maths is a GEMM over im2col rows; see engine.kernels.conv.
"""

from __future__ import annotations

import math

import numpy as np

from engine.activations import Activation
from engine.init import init_biases, init_weights
from engine.kernels.conv import col2im, im2col
from engine.layers.base import ActivatedLayer


def conv_padding(size: int, kernel: int, stride: int, padding: int | str) -> tuple[int, int]:
    """(before, after) zero padding along one axis."""
    if padding == "same":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2
    return int(padding), int(padding)


def conv_output_size(size: int, kernel: int, stride: int, padding: int | str) -> int:
    before, after = conv_padding(size, kernel, stride, padding)
    return (size + before + after - kernel) // stride + 1


class Conv2D(ActivatedLayer):
    regularized = ("w",)

    def __init__(self, input_shape, filters: int, kernel: int, stride: int,
                 padding: int | str, activation: Activation, init: str, rng):
        super().__init__(input_shape)
        c, h, w = input_shape
        self.k, self.s = kernel, stride
        self.pad_h = conv_padding(h, kernel, stride, padding)
        self.pad_w = conv_padding(w, kernel, stride, padding)
        self.ho = conv_output_size(h, kernel, stride, padding)
        self.wo = conv_output_size(w, kernel, stride, padding)
        self.output_shape = (filters, self.ho, self.wo)
        self.activation = activation
        fan_in, fan_out = c * kernel * kernel, filters * kernel * kernel
        self.params = {
            "w": init_weights(init, rng, (filters, c, kernel, kernel), fan_in, fan_out),
            "b": init_biases(init, rng, filters),
        }

    def affine(self, x):
        (pt, pb), (pl, pr) = self.pad_h, self.pad_w
        xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr))) if pt + pb + pl + pr else x
        self.xp_shape = xp.shape
        self.cols = im2col(np.ascontiguousarray(xp), self.k, self.s, self.ho, self.wo)
        w = self.params["w"]
        z = np.matmul(w.reshape(len(w), -1), self.cols)  # (N, F, ho*wo)
        z += self.params["b"][:, None]
        return z.reshape(len(x), len(w), self.ho, self.wo)

    def backward_z(self, dz):
        n, f = dz.shape[:2]
        dz3 = dz.reshape(n, f, -1)
        w = self.params["w"]
        self.grads["w"] = np.matmul(dz3, self.cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
        self.grads["b"] = dz3.sum(axis=(0, 2))
        if not self.needs_input_grad:
            return None
        dcols = np.matmul(w.reshape(f, -1).T, dz3)
        _, c, hp, wp = self.xp_shape
        dxp = col2im(dcols, c, hp, wp, self.k, self.s, self.ho, self.wo)
        (pt, _), (pl, _) = self.pad_h, self.pad_w
        h, wd = self.input_shape[1:]
        return dxp[:, :, pt:pt + h, pl:pl + wd]
