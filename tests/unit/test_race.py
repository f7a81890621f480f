"""The optimizer race steps exactly like the engine's optimizers, on correct gradients."""

from __future__ import annotations

import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.race import SURFACES, run_race, surface_grid


@pytest.mark.parametrize("name", list(SURFACES))
def test_gradients_are_the_derivatives(name):
    s = SURFACES[name]
    for x, y in [(0.3, -0.7), (1.1, 0.4), (-1.3, 1.9)]:
        h = 1e-6
        num = ((s.f(x + h, y) - s.f(x - h, y)) / (2 * h), (s.f(x, y + h) - s.f(x, y - h)) / (2 * h))
        assert s.grad(x, y) == pytest.approx(num, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_paths_are_the_engine_optimizer_steps(kind):
    paths = run_race("ravine", 0.05, 5, optimizers=[kind])
    p = np.array(SURFACES["ravine"].start)
    opt = make_optimizer(kind, 0.05)
    expected = [p.tolist()]
    for _ in range(5):
        opt.step([p], [np.array([p[0], 25 * p[1]])])
        expected.append(p.tolist())
    assert paths[kind] == expected


def test_all_seven_start_together_and_momentum_beats_sgd_in_the_ravine():
    paths = run_race("ravine", 0.03, 200)
    assert set(paths) == set(OPTIMIZERS)
    assert len({tuple(p[0]) for p in paths.values()}) == 1
    f = SURFACES["ravine"].f
    assert f(*paths["momentum"][-1]) < f(*paths["sgd"][-1])


def test_diverging_path_stops():
    path = run_race("ravine", 1.0, 100, optimizers=["sgd"])["sgd"]
    assert len(path) < 101


def test_grid_shape():
    g = surface_grid("beale", 30)
    assert np.array(g["z"]).shape == (30, 30)


def test_gallery_curves_and_saturation():
    from engine.gallery import activation_curves, output_distribution

    curves = activation_curves(n=101)
    assert set(curves) >= {"sigmoid", "tanh", "relu", "leaky_relu", "softplus", "linear", "softmax"}
    z = np.array(curves["tanh"]["z"])
    assert np.allclose(curves["tanh"]["df"], 1 - np.tanh(z) ** 2, atol=1e-4)
    assert np.allclose(curves["softmax"]["f"], curves["sigmoid"]["f"], atol=1e-4)
    # large init saturates sigmoid units: most outputs near 0 or 1
    def edge_share(init):
        h = output_distribution("sigmoid", init)["a"]
        counts = np.array(h["counts"])
        return (counts[:4].sum() + counts[-4:].sum()) / counts.sum()
    assert edge_share("large") > 0.5 > edge_share("small")
