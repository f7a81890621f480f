"""Looking inside a trained network for one input: every layer's output,
which input pixels pushed a class up or down (gradient × input), and the
course's convolution walk-through with a kernel the student picks.

All of it runs the engine's own layers, so what the page shows is exactly
what the network computes.
"""

from __future__ import annotations

import numpy as np

from engine.activations import get_activation
from engine.layers import Conv2D, Flatten, MaxPool
from engine.network import Network

#: the explorer's ready-made 3×3 kernels (rows top to bottom)
KERNELS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "edge_horizontal": [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
    "edge_vertical": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    "edge_all": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "box_blur": [[1 / 9] * 3] * 3,
    "gaussian_blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
}


def input_gradient(net: Network, x: np.ndarray, output: int) -> np.ndarray:
    """∂z_k/∂x at inference: the gradient of output unit k's score before the
    output activation. (A confident softmax output is saturated, so its own
    gradient vanishes; the score's does not — the usual choice for saliency.)"""
    net.forward(x, train=False)
    last = net.layers[-1]
    dz = np.zeros_like(last.z)
    dz[:, output] = 1
    first = next((ly for ly in net.layers if ly.params), None)
    saved = first.needs_input_grad if first else True
    if first:
        first.needs_input_grad = True
    try:
        d = last.backward_z(dz)
        for layer in reversed(net.layers[:-1]):
            d = layer.backward(d)
    finally:
        if first:
            first.needs_input_grad = saved
    return d.reshape(x.shape)


def saliency(net: Network, x: np.ndarray, output: int) -> np.ndarray:
    """Gradient × input: positive where a pixel's ink raised the class's score."""
    return input_gradient(net, x, output) * x


def convolution_steps(image: np.ndarray, kernel: np.ndarray) -> dict[str, np.ndarray]:
    """The explorer: one 3×3 (or k×k) filter on a (H, W) image, 'same' padding,
    then ReLU, then 2×2 max pooling, then flattening."""
    k = np.asarray(kernel, np.float32)
    x = np.asarray(image, np.float32)[None, None]
    conv = Conv2D((1, *x.shape[2:]), 1, k.shape[0], 1, "same", get_activation("linear"), "xavier",
                  np.random.default_rng(0))
    conv.params["w"] = k.reshape(1, 1, *k.shape)
    conv.params["b"] = np.zeros(1, np.float32)
    fmap = conv.forward(x, False)
    relu = get_activation("relu").forward(fmap)
    pool = MaxPool(relu.shape[1:], 2, 2).forward(relu, False)
    flat = Flatten(pool.shape[1:]).forward(pool, False)
    return {"feature_map": fmap[0, 0], "relu": relu[0, 0], "pooled": pool[0, 0], "flattened": flat[0]}
