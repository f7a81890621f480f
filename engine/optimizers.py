"""Optimizers: one small class each, the same interface.

`step(params, grads)` updates every array in place from its gradient (the
batch-mean gradient, regularization already added). Update rules, with
η = learning_rate and g the gradient:

- sgd:       w ← w − η g
- momentum:  v ← μ v − η g;  w ← w + v                       (Nielsen ch. 3)
- nesterov:  v ← μ v − η g;  w ← w + μ v − η g               (Sutskever 2013,
             the look-ahead rewritten on the stored weights)
- adagrad:   G ← G + g²;  w ← w − η g / (√G + ε)             (Duchi 2011)
- adadelta:  E[g²] ← ρ E[g²] + (1−ρ) g²;
             Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g;
             E[Δ²] ← ρ E[Δ²] + (1−ρ) Δ²;  w ← w + η Δ          (Zeiler 2012; η = 1 is the paper)
- rmsprop:   E ← ρ E + (1−ρ) g²;  w ← w − η g / (√E + ε)     (Hinton, lecture 6e)
- adam:      m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;
             w ← w − η m̂ / (√v̂ + ε), m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)   (Kingma & Ba 2015)
"""

from __future__ import annotations

import numpy as np

from engine.kernels import updates

#: the defaults each optimizer uses for hyper-parameters the request leaves out
DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"epsilon": 1e-8},
    "adadelta": {"rho": 0.95, "epsilon": 1e-6},
    "rmsprop": {"rho": 0.9, "epsilon": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}


class Optimizer:
    def __init__(self, learning_rate: float, **hyper: float):
        self.lr = learning_rate
        self.__dict__.update(hyper)
        self.state: dict[int, list[np.ndarray]] = {}

    def _slots(self, i: int, p: np.ndarray, n: int) -> list[np.ndarray]:
        """Per-parameter state arrays (velocities, averages), made on first use."""
        if i not in self.state:
            self.state[i] = [np.zeros_like(p) for _ in range(n)]
        return self.state[i]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self.update(i, p, np.ascontiguousarray(g, dtype=p.dtype), p.dtype.type)

    def update(self, i: int, p: np.ndarray, g: np.ndarray, dt: type) -> None:
        """Update p in place; `dt` makes the hyper-parameters scalars of p's dtype."""
        raise NotImplementedError


# Each update is one kernel of engine.kernels.updates, in place on p and its state.


class SGD(Optimizer):
    def update(self, i, p, g, dt):
        updates.sgd(p, g, dt(self.lr))


class Momentum(Optimizer):
    def update(self, i, p, g, dt):
        (v,) = self._slots(i, p, 1)
        updates.momentum(p, g, v, dt(self.lr), dt(self.momentum))


class Nesterov(Optimizer):
    def update(self, i, p, g, dt):
        (v,) = self._slots(i, p, 1)
        updates.nesterov(p, g, v, dt(self.lr), dt(self.momentum))


class AdaGrad(Optimizer):
    def update(self, i, p, g, dt):
        (acc,) = self._slots(i, p, 1)
        updates.adagrad(p, g, acc, dt(self.lr), dt(self.epsilon))


class AdaDelta(Optimizer):
    def update(self, i, p, g, dt):
        eg2, ed2 = self._slots(i, p, 2)
        updates.adadelta(p, g, eg2, ed2, dt(self.lr), dt(self.rho), dt(self.epsilon))


class RMSprop(Optimizer):
    def update(self, i, p, g, dt):
        (eg2,) = self._slots(i, p, 1)
        updates.rmsprop(p, g, eg2, dt(self.lr), dt(self.rho), dt(self.epsilon))


class Adam(Optimizer):
    def __init__(self, learning_rate, **hyper):
        super().__init__(learning_rate, **hyper)
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        super().step(params, grads)

    def update(self, i, p, g, dt):
        m, v = self._slots(i, p, 2)
        updates.adam(p, g, m, v, dt(self.lr), dt(self.beta1), dt(self.beta2), dt(self.epsilon),
                     dt(1 - self.beta1**self.t), dt(1 - self.beta2**self.t))


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
    "adadelta": AdaDelta, "rmsprop": RMSprop, "adam": Adam,
}


def make_optimizer(kind: str, learning_rate: float, **given: float | None) -> Optimizer:
    """The optimizer `kind`, with its defaults for every hyper-parameter not given."""
    hyper = dict(DEFAULTS[kind])
    hyper.update({k: v for k, v in given.items() if v is not None and k in hyper})
    return OPTIMIZERS[kind](learning_rate, **hyper)
