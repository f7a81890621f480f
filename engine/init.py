"""Weight initialization schemes, by name.

`large` is N(0, 1) for weights and biases, as in Nielsen's first networks:
with many inputs the weighted sum z is wide and sigmoid neurons saturate.
`small` keeps biases N(0, 1) but scales weights to N(0, 1/n_in) so z stays
near 1 in width: the course's recommended initializer. `xavier` (Glorot
uniform) and `he` (N(0, 2/n_in)) start biases at zero, as their papers do.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

WeightInit = Callable[[np.random.Generator, tuple[int, ...], int, int], np.ndarray]


def _large(rng, shape, fan_in, fan_out):
    return rng.standard_normal(shape)


def _small(rng, shape, fan_in, fan_out):
    return rng.standard_normal(shape) / np.sqrt(fan_in)


def _xavier(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape)


def _he(rng, shape, fan_in, fan_out):
    return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)


INITS: dict[str, WeightInit] = {"large": _large, "small": _small, "xavier": _xavier, "he": _he}
_GAUSSIAN_BIASES = {"large", "small"}


def init_weights(
    name: str, rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, fan_out: int
) -> np.ndarray:
    return INITS[name](rng, shape, fan_in, fan_out).astype(np.float32)


def init_biases(name: str, rng: np.random.Generator, n: int) -> np.ndarray:
    if name in _GAUSSIAN_BIASES:
        return rng.standard_normal(n).astype(np.float32)
    return np.zeros(n, np.float32)
