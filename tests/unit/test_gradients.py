"""Backpropagation against central differences in float64, for every layer
type, activation, cost and regularizer, on tiny networks."""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.network import Network
from engine.spec import NetworkSpec

L1, L2, N_TRAIN = 0.3, 0.7, 50


def numeric_check(spec: dict, input_shape, n_out, samples=12, l1=0.0, l2=0.0, seed=0, target="onehot"):
    rng = np.random.default_rng(seed)
    net = Network(NetworkSpec.model_validate(spec), input_shape, seed)
    net.astype(np.float64)
    x = rng.standard_normal((4, *input_shape))
    onehot = np.eye(n_out)[rng.integers(0, n_out, 4)]
    y = onehot if target == "onehot" else rng.uniform(0.1, 0.9, (4, n_out))

    def loss() -> float:
        for layer in net.layers:  # the same dropout mask for every evaluation
            if hasattr(layer, "rng"):
                layer.rng = np.random.default_rng(1)
        a = net.forward(x, train=True)
        return net.cost.value(a, y) + net.regularization_cost(l1, l2, N_TRAIN)

    loss()
    for layer in net.layers:
        if hasattr(layer, "rng"):
            layer.rng = np.random.default_rng(1)
    net.backprop(x, y)
    net.add_regularization_grads(l1, l2, N_TRAIN)
    checked = 0
    for layer in net.layers:
        for name, p in layer.params.items():
            g = layer.grads[name]
            flat = p.reshape(-1)
            for idx in rng.choice(flat.size, min(samples, flat.size), replace=False):
                old = flat[idx]
                flat[idx] = old + 1e-6
                up = loss()
                flat[idx] = old - 1e-6
                down = loss()
                flat[idx] = old
                num = (up - down) / 2e-6
                assert g.reshape(-1)[idx] == pytest.approx(num, rel=1e-4, abs=1e-7), (
                    f"{type(layer).__name__}.{name}[{idx}]")
                checked += 1
    assert checked > 0


def dense(units, act):
    return {"type": "dense", "units": units, "activation": act}


@pytest.mark.parametrize("act", [a for a in ACTIVATIONS if a != "softmax"])
def test_every_hidden_activation(act):
    spec = {"layers": [dense(5, act), dense(3, "sigmoid")], "cost": "quadratic", "init": "xavier"}
    numeric_check(spec, (4,), 3, target="soft")


@pytest.mark.parametrize("cost,act", [("quadratic", "sigmoid"), ("quadratic", "softmax"),
                                      ("quadratic", "tanh"), ("quadratic", "linear"),
                                      ("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")])
def test_every_cost(cost, act):
    spec = {"layers": [dense(6, "tanh"), dense(3, act)], "cost": cost, "init": "small"}
    numeric_check(spec, (4,), 3, target="onehot" if act == "softmax" else "soft")


@pytest.mark.parametrize("l1,l2", [(L1, 0.0), (0.0, L2), (L1, L2)])
def test_regularization(l1, l2):
    spec = {"layers": [dense(5, "sigmoid"), dense(2, "sigmoid")], "cost": "cross_entropy"}
    numeric_check(spec, (3,), 2, l1=l1, l2=l2, target="soft")


@pytest.mark.parametrize("padding,stride", [(0, 1), (1, 2), ("same", 1), ("same", 2)])
def test_conv_and_pool(padding, stride):
    spec = {"layers": [
        {"type": "conv2d", "filters": 3, "kernel": 3, "stride": stride, "padding": padding,
         "activation": "tanh"},
        {"type": "conv2d", "filters": 2, "kernel": 2, "activation": "leaky_relu"},
        {"type": "maxpool", "size": 2},
        {"type": "flatten"},
        dense(3, "softmax")], "cost": "log_likelihood", "init": "he"}
    numeric_check(spec, (2, 9, 9), 3, samples=8, l2=L2)


def test_overlapping_pool_and_implicit_flatten():
    spec = {"layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "activation": "sigmoid"},
                       {"type": "maxpool", "size": 3, "stride": 2},
                       dense(2, "sigmoid")], "cost": "cross_entropy"}
    numeric_check(spec, (1, 8, 8), 2, target="soft")


def test_dropout():
    spec = {"layers": [dense(8, "relu"), {"type": "dropout", "rate": 0.4}, dense(3, "softmax")],
            "cost": "log_likelihood", "init": "he"}
    numeric_check(spec, (4,), 3)


def test_batchnorm_dense_and_conv():
    spec = {"layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "activation": "linear"},
                       {"type": "batchnorm"}, {"type": "flatten"},
                       dense(5, "linear"), {"type": "batchnorm"}, dense(3, "softmax")],
            "cost": "log_likelihood"}
    numeric_check(spec, (1, 5, 5), 3)


def test_input_gradient_matches_numeric():
    """The saliency gradient (inference mode, batch norm with running stats) is ∂z_k/∂x,
    the output score before softmax."""
    from engine.inspect import input_gradient

    spec = {"layers": [{"type": "conv2d", "filters": 2, "kernel": 3, "activation": "tanh"},
                       {"type": "batchnorm"}, {"type": "maxpool", "size": 2},
                       dense(3, "softmax")], "cost": "log_likelihood"}
    net = Network(NetworkSpec.model_validate(spec), (1, 6, 6), 0)
    net.astype(np.float64)
    net.forward(np.random.default_rng(2).standard_normal((8, 1, 6, 6)), train=True)  # running stats
    x = np.random.default_rng(3).standard_normal((1, 1, 6, 6))
    g = input_gradient(net, x, 1)
    for idx in [(0, 0, 2, 3), (0, 0, 0, 0), (0, 0, 5, 1)]:
        xp, xm = x.copy(), x.copy()
        xp[idx] += 1e-6
        xm[idx] -= 1e-6
        net.forward(xp)
        up = net.layers[-1].z[0, 1]
        net.forward(xm)
        num = (up - net.layers[-1].z[0, 1]) / 2e-6
        assert g[idx] == pytest.approx(num, rel=1e-4, abs=1e-8)
    assert net.layers[0].needs_input_grad is False
