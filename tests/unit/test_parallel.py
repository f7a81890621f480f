"""Sharded steps: the same gradient as the whole batch, deterministic, never with batch norm."""

from __future__ import annotations

import numpy as np
import pytest

from engine.network import Network
from engine.parallel import shard_count, step_plan
from engine.spec import NetworkSpec

CONV = {"layers": [{"type": "conv2d", "filters": 3, "kernel": 3, "activation": "relu"},
                   {"type": "maxpool", "size": 2},
                   {"type": "dropout", "rate": 0.0},
                   {"type": "dense", "units": 5, "activation": "softmax"}],
        "cost": "log_likelihood"}
DENSE = {"layers": [{"type": "dense", "units": 7, "activation": "sigmoid"},
                    {"type": "dense", "units": 3, "activation": "sigmoid"}], "cost": "cross_entropy"}


def _net(spec: dict, shape: tuple[int, ...]) -> Network:
    return Network(NetworkSpec.model_validate(spec), shape, seed=3)


def _batch(shape, n=24, k=5):
    rng = np.random.default_rng(0)
    return rng.random((n, *shape)), np.eye(k)[rng.integers(0, k, n)]


@pytest.mark.parametrize("threads", [2, 3])
def test_sharded_gradient_is_the_batch_gradient(threads):
    x, t = _batch((1, 8, 8), n=200)
    assert shard_count(_net(CONV, (1, 8, 8)), len(x), threads) == threads
    whole, sharded = _net(CONV, (1, 8, 8)), _net(CONV, (1, 8, 8))
    for net in (whole, sharded):
        net.astype(np.float64)
    whole.backprop(x, t)
    with step_plan(sharded, len(x), threads=threads) as step:
        step(x, t)
    for g_whole, g_sharded in zip(whole.grads(), sharded.grads(), strict=True):
        np.testing.assert_allclose(g_sharded, g_whole, rtol=1e-12, atol=1e-15)


def test_shard_rules():
    conv, dense = _net(CONV, (1, 8, 8)), _net(DENSE, (4,))
    bn = _net({"layers": [{"type": "dense", "units": 4, "activation": "relu"}, {"type": "batchnorm"},
                          {"type": "dense", "units": 3, "activation": "sigmoid"}]}, (4,))
    assert shard_count(conv, 64, 2) == 2
    assert shard_count(conv, 1000, 3) == 3
    assert shard_count(conv, 64, 1) == 1
    assert shard_count(conv, 10, 2) == 1  # too few rows to be worth a hand-off
    assert shard_count(dense, 1000, 2) == 1  # dense steps lose to the GIL
    assert shard_count(bn, 1000, 2) == 1  # batch statistics need the whole batch


def test_dropout_replicas_are_deterministic():
    spec = {**CONV, "layers": [*CONV["layers"][:2], {"type": "dropout", "rate": 0.5}, CONV["layers"][3]]}
    x, t = _batch((1, 8, 8), n=80)
    grads = []
    for _ in range(2):
        net = _net(spec, (1, 8, 8))
        with step_plan(net, len(x), threads=2) as step:
            step(x.astype(np.float32), t.astype(np.float32))
            step(x.astype(np.float32), t.astype(np.float32))
        grads.append([g.copy() for g in net.grads()])
    for a, b in zip(*grads, strict=True):
        np.testing.assert_array_equal(a, b)
