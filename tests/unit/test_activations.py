"""Activations stay finite and warning-free far into saturation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engine.activations import ACTIVATIONS, get_activation
from engine.costs import COSTS, get_cost

Z = np.array([[-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4]], dtype=np.float32)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_finite_without_warnings(name):
    act = get_activation(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.forward(Z)
        dz = act.backward(Z, a, np.ones_like(Z))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(dz))
    assert a.dtype == np.float32


def test_known_values():
    assert get_activation("sigmoid").forward(Z)[0].tolist() == pytest.approx(
        [0, 0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1, 1], abs=1e-6)
    assert get_activation("softplus").forward(Z)[0, -1] == pytest.approx(1e4)
    assert get_activation("leaky_relu").forward(Z)[0, 0] == pytest.approx(-100.0)
    assert get_activation("softmax").forward(Z).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", list(COSTS))
def test_costs_finite_at_saturation(name):
    a = np.array([[0.0, 1.0]], np.float32)
    y = np.array([[1.0, 0.0]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(get_cost(name).value(a, y))


def test_cross_entropy_delta_has_no_sigma_prime():
    """The course's point: a saturated wrong sigmoid output still learns fast."""
    z = np.array([[-10.0]], np.float32)
    sig = get_activation("sigmoid")
    a, y = sig.forward(z), np.array([[1.0]], np.float32)
    ce = get_cost("cross_entropy").delta(z, a, y, sig)
    quad = get_cost("quadratic").delta(z, a, y, sig)
    assert ce[0, 0] == pytest.approx(-1.0, abs=1e-4)
    assert abs(quad[0, 0]) < 1e-4
