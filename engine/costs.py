"""Cost functions: the value on a batch and the output-layer error δ = dC/dz.

The course's point lives here: with sigmoid outputs the cross-entropy δ is
simply a − y (the σ'(z) factor cancels), so learning does not slow down when
the output neuron saturates, while the quadratic cost keeps σ'(z). The same
cancellation makes softmax + log-likelihood give a − y.

Values are means over the batch of per-example sums (Nielsen's convention);
δ is per example, the network divides by the batch size.
"""

from __future__ import annotations

import numpy as np

from engine.activations import Activation

_EPS = 1e-12


class Cost:
    name = ""
    #: the output activation this cost needs (None: any).
    requires: str | None = None

    def value(self, a: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def delta(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, act: Activation) -> np.ndarray:
        raise NotImplementedError


class Quadratic(Cost):
    """C = ½‖a − y‖²; δ = (a − y) ⊙ f'(z)."""

    name = "quadratic"

    def value(self, a, y):
        return float(0.5 * np.sum((a - y) ** 2, dtype=np.float64) / len(a))

    def delta(self, z, a, y, act):
        return act.backward(z, a, a - y)


class CrossEntropy(Cost):
    """C = −Σ [y ln a + (1 − y) ln(1 − a)] with sigmoid outputs; δ = a − y."""

    name = "cross_entropy"
    requires = "sigmoid"

    def value(self, a, y):
        a = np.clip(a.astype(np.float64), _EPS, 1 - _EPS)
        return float(-np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / len(a))

    def delta(self, z, a, y, act):
        return a - y


class LogLikelihood(Cost):
    """C = −ln a_y with softmax outputs; δ = a − y (y one-hot)."""

    name = "log_likelihood"
    requires = "softmax"

    def value(self, a, y):
        p = np.sum(a.astype(np.float64) * y, axis=1)
        return float(-np.sum(np.log(np.maximum(p, _EPS))) / len(a))

    def delta(self, z, a, y, act):
        return a - y


COSTS: dict[str, type[Cost]] = {c.name: c for c in (Quadratic, CrossEntropy, LogLikelihood)}


def get_cost(name: str) -> Cost:
    return COSTS[name]()
