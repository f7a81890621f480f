"""The course's lessons as ready training requests (each one valid under the default limits).

MNIST lessons use small subsets (at most 5,000 training images) so that a
whole classroom's runs finish within a lesson on a 2-core server.
"""

from __future__ import annotations

from typing import Any

MNIST_TRAIN = 5000
MNIST_VALIDATION = 1000
DIGITS = 10
NIELSEN_HIDDEN = 30


def dense(units: int, activation: str) -> dict[str, Any]:
    return {"type": "dense", "units": units, "activation": activation}


def request(
    dataset: str,
    layers: list[dict[str, Any]],
    *,
    cost: str = "cross_entropy",
    learning_rate: float = 0.5,
    epochs: int = 10,
    batch_size: int = 10,
    init: str = "small",
    l2: float = 0.0,
    optimizer: str = "sgd",
    **data: Any,
) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": 1,
        **data,
        "network": {
            "layers": layers,
            "cost": cost,
            "init": init,
            "regularization": {"l2": l2, "l1": 0.0},
            "optimizer": {"kind": optimizer, "learning_rate": learning_rate},
        },
    }


def mnist(layers: list[dict[str, Any]], train_size: int = MNIST_TRAIN, **kw: Any) -> dict[str, Any]:
    return request("mnist", layers, train_size=train_size, validation_size=MNIST_VALIDATION, **kw)


def nielsen(activation: str = "sigmoid") -> list[dict[str, Any]]:
    """The [784, 30, 10] network of Nielsen's book."""
    return [dense(NIELSEN_HIDDEN, activation), dense(DIGITS, "sigmoid")]


def deep(activation: str) -> list[dict[str, Any]]:
    """[784, 30, 30, 30, 10]: deep enough for vanishing gradients with sigmoid."""
    return [dense(NIELSEN_HIDDEN, activation) for _ in range(3)] + [dense(DIGITS, "sigmoid")]


def preset(pid: str, title: str, description: str, req: dict[str, Any]) -> dict[str, Any]:
    return {"id": pid, "title": title, "description": description, "request": req}


PRESETS: list[dict[str, Any]] = [
    preset(
        "line-one-neuron",
        "One neuron fits a line",
        "A single linear neuron learns y = m·x + b from noisy points by gradient descent.",
        request("line", [dense(1, "linear")], cost="quadratic", learning_rate=0.05, epochs=40),
    ),
    preset(
        "xor-no-hidden",
        "XOR without a hidden layer (2-1)",
        "One sigmoid neuron draws a single straight boundary: it cannot separate XOR.",
        request("xor", [dense(1, "sigmoid")], learning_rate=0.5, epochs=100),
    ),
    preset(
        "xor-hidden",
        "XOR with a hidden layer (2-4-1)",
        "Four hidden neurons bend the boundary around the four corners.",
        request("xor", [dense(4, "tanh"), dense(1, "sigmoid")], learning_rate=0.5, epochs=100),
    ),
    preset(
        "mnist-quadratic",
        "MNIST with the quadratic cost",
        "[784, 30, 10] sigmoid network, quadratic cost: learning slows when outputs saturate.",
        mnist(nielsen(), cost="quadratic", learning_rate=3.0),
    ),
    preset(
        "mnist-cross-entropy",
        "MNIST with the cross-entropy cost",
        "The same network with cross-entropy: no learning slowdown from saturated outputs.",
        mnist(nielsen(), learning_rate=0.5),
    ),
    *(
        preset(
            f"mnist-l2-{l2:g}",
            f"Overfitting and L2 regularization, λ = {l2:g}",
            "1,000 training images, 60 epochs: watch the gap between training and "
            "validation accuracy shrink as λ grows.",
            mnist(nielsen(), train_size=1000, learning_rate=0.5, epochs=60, l2=l2),
        )
        for l2 in (0.0, 0.1, 5.0)
    ),
    *(
        preset(
            f"mnist-init-{init}",
            f"Weight initialization: {init}",
            "N(0, 1) weights saturate the hidden neurons at the start; N(0, 1/n_in) do not.",
            mnist(nielsen(), learning_rate=0.5, l2=0.5, init=init),
        )
        for init in ("large", "small")
    ),
    preset(
        "mnist-deep-sigmoid",
        "Deep sigmoid network [784, 30, 30, 30, 10]",
        "Gradients shrink layer after layer: the first layers barely learn.",
        mnist(deep("sigmoid"), learning_rate=0.5),
    ),
    preset(
        "mnist-deep-relu",
        "Deep ReLU network [784, 30, 30, 30, 10]",
        "ReLU passes gradients through unchanged where active: all layers learn.",
        mnist(deep("relu"), learning_rate=0.05, init="he"),
    ),
    preset(
        "mnist-cnn",
        "A convolutional network on MNIST",
        "8 learned 5×5 filters, max-pooling, then a softmax layer; look at the feature maps.",
        mnist(
            [
                {"type": "conv2d", "filters": 8, "kernel": 5, "activation": "relu"},
                {"type": "maxpool", "size": 2},
                dense(DIGITS, "softmax"),
            ],
            cost="log_likelihood",
            learning_rate=0.05,
            epochs=5,
            init="he",
        ),
    ),
    preset(
        "spiral-tanh",
        "Two spirals with tanh",
        "Two hidden tanh layers learn to unwind interleaved spirals.",
        request(
            "spiral",
            [dense(16, "tanh"), dense(16, "tanh"), dense(1, "sigmoid")],
            optimizer="adam",
            learning_rate=0.01,
            epochs=300,
            noise=0.05,
        ),
    ),
]
