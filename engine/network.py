"""A network built from the request's layer list: forward and backward over
a whole mini-batch, plus the regularization term of the cost.

This is Nielsen's network2 generalized to any stack of layers: the output
error δ comes from the cost, flows back through each layer's `backward`,
and the L1/L2 terms are added to the weight gradients (never the biases).
"""

from __future__ import annotations

import numpy as np

from engine.activations import get_activation
from engine.costs import get_cost
from engine.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool
from engine.spec import NetworkSpec


def build_layers(spec: NetworkSpec, input_shape: tuple[int, ...],
                 init_rng: np.random.Generator, dropout_rng: np.random.Generator) -> list[Layer]:
    layers: list[Layer] = []
    shape = input_shape
    for s in spec.layers:
        if s.type == "dense":
            layer: Layer = Dense(shape, s.units, get_activation(s.activation), spec.init, init_rng)
        elif s.type == "conv2d":
            layer = Conv2D(shape, s.filters, s.kernel, s.stride, s.padding,
                           get_activation(s.activation), spec.init, init_rng)
        elif s.type == "maxpool":
            layer = MaxPool(shape, s.size, s.stride or s.size)
        elif s.type == "flatten":
            layer = Flatten(shape)
        elif s.type == "dropout":
            layer = Dropout(shape, s.rate, dropout_rng)
        else:
            layer = BatchNorm(shape)
        layers.append(layer)
        shape = layer.output_shape
    first_trainable = next((ly for ly in layers if ly.params), None)
    if first_trainable is not None:
        first_trainable.needs_input_grad = False
    return layers


class Network:
    def __init__(self, spec: NetworkSpec, input_shape: tuple[int, ...], seed: int):
        init_rng, self.dropout_rng = (np.random.default_rng(s)
                                      for s in np.random.SeedSequence(seed).spawn(2))
        self.layers = build_layers(spec, input_shape, init_rng, self.dropout_rng)
        self.cost = get_cost(spec.cost)
        self.input_shape = input_shape

    # --- forward -----------------------------------------------------------
    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def forward_all(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for `x` at inference (feature maps, activations)."""
        outs = []
        for layer in self.layers:
            x = layer.forward(x, False)
            outs.append(x)
        return outs

    # --- backward ----------------------------------------------------------
    def backprop(self, x: np.ndarray, y: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Forward in training mode, then fill every layer's grads with the
        gradient of the batch-mean cost C0 (no regularization). Returns the outputs.

        `batch_size` is the whole batch's size when (x, y) is one shard of it
        (engine.parallel): the shards' gradients then add up to the batch mean."""
        a = self.forward(x, train=True)
        out = self.layers[-1]
        dz = self.cost.delta(out.z, a, y, out.activation) / a.dtype.type(batch_size or len(x))
        d = out.backward_z(dz)
        for layer in reversed(self.layers[:-1]):
            if d is None:
                break
            d = layer.backward(d)
        return a

    def add_regularization_grads(self, l1: float, l2: float, n: int) -> None:
        """∂/∂w of λ2/(2n) Σw² + λ1/n Σ|w|, added to the weight gradients."""
        if not (l1 or l2):
            return
        for layer in self.layers:
            for name in layer.regularized:
                w, g = layer.params[name], layer.grads[name]
                if l2:
                    g += w.dtype.type(l2 / n) * w
                if l1:
                    g += w.dtype.type(l1 / n) * np.sign(w)

    def regularization_cost(self, l1: float, l2: float, n: int) -> float:
        total = 0.0
        for layer in self.layers:
            for name in layer.regularized:
                w = layer.params[name].astype(np.float64)
                total += l2 / (2 * n) * float(np.sum(w * w)) + l1 / n * float(np.sum(np.abs(w)))
        return total

    # --- parameters --------------------------------------------------------
    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params.values()]

    def grads(self) -> list[np.ndarray]:
        return [layer.grads[k] for layer in self.layers for k in layer.params]

    @property
    def n_params(self) -> int:
        return sum(layer.n_params for layer in self.layers)

    def state(self) -> dict[str, np.ndarray]:
        """All params and buffers by name: what a model file stores."""
        out = {}
        for i, layer in enumerate(self.layers):
            for kind, d in (("p", layer.params), ("b", layer.buffers)):
                for k, v in d.items():
                    out[f"{kind}/{i}/{k}"] = v
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        for key, value in state.items():
            kind, i, k = key.split("/")
            target = self.layers[int(i)].params if kind == "p" else self.layers[int(i)].buffers
            if target[k].shape != value.shape:
                raise ValueError(f"model file: {key} has shape {value.shape}, expected {target[k].shape}")
            target[k] = np.array(value, dtype=np.float32)

    def astype(self, dtype) -> None:
        """Cast every param (float64 for gradient checks)."""
        for layer in self.layers:
            for k in layer.params:
                layer.params[k] = layer.params[k].astype(dtype)
