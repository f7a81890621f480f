"""The TensorFlow Playground 2-D datasets (xor, circle, gauss, spiral) and the 1-D ``line``.

The 2-D generators follow TensorFlow Playground's ``dataset.ts`` exactly (same
radii, padding, variance and label rules; note that for circle and xor the noise
only moves the point used to decide the label, the stored point stays clean, as
in the Playground), then divide the coordinates by 5 (``SCALE``) so they lie
roughly in [-1.2, 1.2]: the Playground's [-6, 6] range would saturate sigmoid
units from the first step.

Every call draws from a NumPy Generator passed in, so a seed fully determines the
data; points are shuffled so that the validation slice taken from the end of the
training part holds both classes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

SCALE = 5.0  # Playground units -> ours
NOISE_RANGE = (0.0, 0.5)
N_POINTS_RANGE = (10, 20000)
DEFAULT_N_POINTS = 400
LINE_SLOPE = 2.0  # the ``line`` lesson fits y = LINE_SLOPE * x + LINE_INTERCEPT
LINE_INTERCEPT = -1.0
LINE_DEFAULT_NOISE = 0.1

Generator2D = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def check_noise(noise: float) -> float:
    """Validate the noise level; the same bounds as the Playground's slider (0..50%)."""
    lo, hi = NOISE_RANGE
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number in [{lo}, {hi}], got {noise!r}") from None
    if not (lo <= value <= hi):  # also rejects NaN
        raise ValueError(f"noise must be in [{lo}, {hi}], got {noise!r}")
    return value


def check_n_points(n_points: int) -> int:
    """Validate the number of generated training points."""
    lo, hi = N_POINTS_RANGE
    if isinstance(n_points, bool) or not isinstance(n_points, int | np.integer):
        raise ValueError(f"n_points must be an integer in [{lo}, {hi}], got {n_points!r}")
    if not (lo <= n_points <= hi):
        raise ValueError(f"n_points must be in [{lo}, {hi}], got {n_points}")
    return int(n_points)


def _halves(n: int) -> tuple[int, int]:
    """Sizes of the positive and negative halves (positives get the odd one out)."""
    return (n + 1) // 2, n // 2


def _uniform(rng: np.random.Generator, a: float, b: float, n: int) -> np.ndarray:
    return rng.uniform(a, b, n)


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """classifyCircleData: a disc r in [0, 2.5] (label 1) and a ring r in [3.5, 5] (label 0)."""
    radius = 5.0
    n_pos, n_neg = _halves(n)
    r = np.concatenate(
        [_uniform(rng, 0.0, radius * 0.5, n_pos), _uniform(rng, radius * 0.7, radius, n_neg)]
    )
    angle = _uniform(rng, 0.0, 2 * math.pi, n)
    x, y = r * np.sin(angle), r * np.cos(angle)
    nx = _uniform(rng, -radius, radius, n) * noise
    ny = _uniform(rng, -radius, radius, n) * noise
    label = np.hypot(x + nx, y + ny) < radius * 0.5
    return np.stack([x, y], axis=1), label


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """classifyXORData: uniform in [-5, 5] pushed 0.3 away from the axes; 1 where x*y >= 0."""
    padding = 0.3
    x = _uniform(rng, -5.0, 5.0, n)
    y = _uniform(rng, -5.0, 5.0, n)
    x = x + np.where(x > 0, padding, -padding)
    y = y + np.where(y > 0, padding, -padding)
    nx = _uniform(rng, -5.0, 5.0, n) * noise
    ny = _uniform(rng, -5.0, 5.0, n) * noise
    label = (x + nx) * (y + ny) >= 0
    return np.stack([x, y], axis=1), label


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """classifyTwoGaussData: centres (2, 2) label 1 and (-2, -2) label 0, variance 0.5..4."""
    variance = 0.5 + (4.0 - 0.5) * (noise / 0.5)  # d3 linear scale [0, .5] -> [0.5, 4]
    n_pos, n_neg = _halves(n)
    centre = np.concatenate([np.full(n_pos, 2.0), np.full(n_neg, -2.0)])
    pts = centre[:, None] + rng.normal(0.0, math.sqrt(variance), (n, 2))
    label = np.arange(n) < n_pos
    return pts, label


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """classifySpiralData: r = i/m*5, t = 1.75*i/m*2pi + delta (delta 0 -> label 1, pi -> 0)."""
    m = n / 2.0
    n_pos, n_neg = _halves(n)
    i = np.concatenate([np.arange(n_pos), np.arange(n_neg)]).astype(np.float64)
    delta = np.concatenate([np.zeros(n_pos), np.full(n_neg, math.pi)])
    r = i / m * 5.0
    t = 1.75 * i / m * 2.0 * math.pi + delta
    x = r * np.sin(t) + _uniform(rng, -1.0, 1.0, n) * noise
    y = r * np.cos(t) + _uniform(rng, -1.0, 1.0, n) * noise
    label = np.arange(n) < n_pos
    return np.stack([x, y], axis=1), label


GENERATORS_2D: dict[str, Generator2D] = {
    "xor": xor,
    "circle": circle,
    "gauss": gauss,
    "spiral": spiral,
}


def make_2d(
    name: str, n: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """n shuffled points of a Playground set in our scale: float32 (n, 2), int64 labels (n,)."""
    pts, label = GENERATORS_2D[name](n, noise, rng)
    order = rng.permutation(n)
    return (pts[order] / SCALE).astype(np.float32), label[order].astype(np.int64)


def make_line(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The first lesson's regression: y = 2x - 1 + N(0, noise^2), x uniform in [-1, 1]."""
    x = rng.uniform(-1.0, 1.0, (n, 1))
    y = LINE_SLOPE * x + LINE_INTERCEPT + rng.normal(0.0, 1.0, (n, 1)) * noise
    return x.astype(np.float32), y.astype(np.float32)
