"""Training requests the API tests send."""

from __future__ import annotations

import copy
from typing import Any


def xor(epochs: int = 20, **extra: Any) -> dict[str, Any]:
    """A 2-4-1 XOR network: trains in well under a second."""
    return {
        "dataset": "xor",
        "epochs": epochs,
        **extra,
        "network": {
            "layers": [
                {"type": "dense", "units": 4, "activation": "tanh"},
                {"type": "dense", "units": 1, "activation": "sigmoid"},
            ],
            "optimizer": {"kind": "sgd", "learning_rate": 0.5},
        },
    }


def slow() -> dict[str, Any]:
    """Many single-example steps per epoch: epochs come every second or so, the run lasts minutes."""
    return xor(epochs=500, dataset="spiral", n_points=10000, batch_size=1)


def with_layers(request: dict[str, Any], layers: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(request)
    out["network"]["layers"] = layers
    return out


def tiny_mnist() -> dict[str, Any]:
    """A softmax-regression digit classifier, small enough to build instantly."""
    return {
        "dataset": "mnist",
        "train_size": 100,
        "validation_size": 10,
        "epochs": 1,
        "network": {
            "layers": [{"type": "dense", "units": 10, "activation": "softmax"}],
            "cost": "log_likelihood",
        },
    }
