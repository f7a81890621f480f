"""Each optimizer's first two steps against values worked out by hand from
the update rule (float64, one parameter vector, fixed gradients)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.optimizers import make_optimizer

W0 = 1.0
G1, G2 = 0.5, -0.2
ETA = 0.1


def two_steps(kind: str, **hyper) -> tuple[float, float]:
    w = np.array([W0])
    opt = make_optimizer(kind, ETA, **hyper)
    opt.step([w], [np.array([G1])])
    w1 = float(w[0])
    opt.step([w], [np.array([G2])])
    return w1, float(w[0])


def test_sgd():
    assert two_steps("sgd") == pytest.approx((1 - 0.05, 1 - 0.05 + 0.02))


def test_momentum():
    # v1 = -0.05, w1 = 0.95; v2 = 0.9*-0.05 + 0.02 = -0.025, w2 = 0.925
    assert two_steps("momentum", momentum=0.9) == pytest.approx((0.95, 0.925))


def test_nesterov():
    # v1 = -0.05; w1 = 1 + 0.9*-0.05 - 0.05 = 0.905
    # v2 = -0.045 + 0.02 = -0.025; w2 = 0.905 + 0.9*-0.025 + 0.02 = 0.9025
    assert two_steps("nesterov", momentum=0.9) == pytest.approx((0.905, 0.9025))


def test_adagrad():
    eps = 1e-8
    w1 = 1 - ETA * G1 / (math.sqrt(G1**2) + eps)
    w2 = w1 - ETA * G2 / (math.sqrt(G1**2 + G2**2) + eps)
    assert two_steps("adagrad") == pytest.approx((w1, w2))


def test_rmsprop():
    rho, eps = 0.9, 1e-8
    e1 = (1 - rho) * G1**2
    w1 = 1 - ETA * G1 / (math.sqrt(e1) + eps)
    e2 = rho * e1 + (1 - rho) * G2**2
    w2 = w1 - ETA * G2 / (math.sqrt(e2) + eps)
    assert two_steps("rmsprop") == pytest.approx((w1, w2))


def test_adadelta():
    rho, eps = 0.95, 1e-6
    eg = (1 - rho) * G1**2
    d1 = -math.sqrt(0 + eps) / math.sqrt(eg + eps) * G1
    ed = (1 - rho) * d1**2
    eg = rho * eg + (1 - rho) * G2**2
    d2 = -math.sqrt(ed + eps) / math.sqrt(eg + eps) * G2
    w1 = 1 + ETA * d1
    assert two_steps("adadelta") == pytest.approx((w1, w1 + ETA * d2))


def test_adam():
    b1, b2, eps = 0.9, 0.999, 1e-8
    m1, v1 = (1 - b1) * G1, (1 - b2) * G1**2
    w1 = 1 - ETA * (m1 / (1 - b1)) / (math.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * G2, b2 * v1 + (1 - b2) * G2**2
    w2 = w1 - ETA * (m2 / (1 - b1**2)) / (math.sqrt(v2 / (1 - b2**2)) + eps)
    assert two_steps("adam") == pytest.approx((w1, w2))


def test_given_hyper_parameters_override_defaults():
    assert two_steps("momentum", momentum=0.5)[1] == pytest.approx(0.95 + (0.5 * -0.05 + 0.02))
