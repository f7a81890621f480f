"""The activation-function gallery: f and f′ of every activation, and what
each does to the distribution of a layer's outputs (the saturation lesson:
sigmoid units fed by large weights sit at 0 or 1, where f′ ≈ 0)."""

from __future__ import annotations

import numpy as np

from engine.activations import ACTIVATIONS, get_activation
from engine.init import init_biases, init_weights

BINS = 40


def activation_curves(lo: float = -5.0, hi: float = 5.0, n: int = 201) -> dict[str, dict[str, list]]:
    """f(z) and f′(z) on a grid. Softmax is shown as its first output for the
    pair (z, 0), which is σ(z) — the two-class case."""
    z = np.linspace(lo, hi, n, dtype=np.float64)
    out = {}
    for name in ACTIVATIONS:
        act = get_activation(name)
        if name == "softmax":
            a = act.forward(np.stack([z, np.zeros_like(z)], axis=1))[:, 0]
            d = a * (1 - a)
        else:
            a = act.forward(z)
            d = act.backward(z, a, np.ones_like(z))
        out[name] = {"z": z.round(4).tolist(), "f": a.round(5).tolist(), "df": d.round(5).tolist()}
    return out


def output_distribution(activation: str, init: str, n_in: int = 100, units: int = 100,
                        samples: int = 500, seed: int = 0) -> dict[str, dict[str, list]]:
    """Histograms of z and a = f(z) for one dense layer with `init` weights,
    fed standard-normal inputs."""
    rng = np.random.default_rng(seed)
    w = init_weights(init, rng, (n_in, units), n_in, units)
    b = init_biases(init, rng, units)
    x = rng.standard_normal((samples, n_in)).astype(np.float32)
    z = x @ w + b
    a = get_activation(activation).forward(z)

    def hist(v: np.ndarray) -> dict[str, list]:
        counts, edges = np.histogram(v, bins=BINS)
        return {"counts": counts.tolist(), "edges": edges.astype(float).round(5).tolist()}

    return {"z": hist(z), "a": hist(a)}
