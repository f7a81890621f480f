"""The optimizer race: every optimizer of the engine, started from the same
point on a 2-D test surface, stepping on the surface's exact gradient.

The steps are the engine's own optimizer classes (engine.optimizers), so the
paths a student watches are what those optimizers do inside a network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.optimizers import OPTIMIZERS, make_optimizer

Vec = np.ndarray


@dataclass(frozen=True)
class Surface:
    name: str
    title: str
    f: Callable[[Vec, Vec], Vec]
    grad: Callable[[float, float], tuple[float, float]]
    start: tuple[float, float]
    box: tuple[float, float, float, float]  # x0, x1, y0, y1 of the plot
    minimum: tuple[float, float] | None


def _beale_terms(x, y):
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale(x, y):
    a, b, c = _beale_terms(x, y)
    return a**2 + b**2 + c**2


def _beale_grad(x, y):
    a, b, c = _beale_terms(x, y)
    return (2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
            2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y**2)


SURFACES: dict[str, Surface] = {s.name: s for s in (
    Surface("ravine", "Ravine: f = (x² + 25y²)/2, a long narrow valley",
            lambda x, y: 0.5 * (x**2 + 25 * y**2), lambda x, y: (x, 25 * y),
            (-4.5, 0.8), (-5, 5, -1.5, 1.5), (0.0, 0.0)),
    Surface("rosenbrock", "Rosenbrock: f = (1 − x)² + 100(y − x²)², a curved valley",
            lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
            lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
            (-1.5, 2.0), (-2, 2, -1, 3), (1.0, 1.0)),
    Surface("beale", "Beale: flat plateaus and sharp ridges", _beale, _beale_grad,
            (1.0, 1.4), (-4.5, 4.5, -4.5, 4.5), (3.0, 0.5)),
    Surface("saddle", "Saddle: f = x² − y², a minimum in x and a maximum in y",
            lambda x, y: x**2 - y**2, lambda x, y: (2 * x, -2 * y),
            (-2.0, 1e-3), (-2.5, 2.5, -2.5, 2.5), None),
)}

#: a path stops when it leaves this many plot-widths around the box (diverged)
ESCAPE = 10.0


def run_race(surface: str, learning_rate: float, steps: int,
             start: tuple[float, float] | None = None,
             optimizers: list[str] | None = None) -> dict[str, list[list[float]]]:
    """Each optimizer's path [[x, y], ...] (steps + 1 points, fewer if it diverged)."""
    s = SURFACES[surface]
    x0, x1, y0, y1 = s.box
    limit = ESCAPE * max(x1 - x0, y1 - y0)
    paths = {}
    for kind in optimizers or list(OPTIMIZERS):
        p = np.array(start or s.start, dtype=np.float64)
        opt = make_optimizer(kind, learning_rate)
        path = [p.tolist()]
        for _ in range(steps):
            opt.step([p], [np.array(s.grad(p[0], p[1]), dtype=np.float64)])
            if not np.all(np.isfinite(p)) or np.abs(p).max() > limit:
                break
            path.append(p.tolist())
        paths[kind] = path
    return paths


def surface_grid(surface: str, n: int = 80) -> dict[str, list]:
    """f over the plot box, for the contour plot (log-scaled by the page if it wants)."""
    s = SURFACES[surface]
    xs = np.linspace(s.box[0], s.box[1], n)
    ys = np.linspace(s.box[2], s.box[3], n)
    gx, gy = np.meshgrid(xs, ys)
    return {"x": xs.round(4).tolist(), "y": ys.round(4).tolist(), "z": s.f(gx, gy).round(5).tolist()}
