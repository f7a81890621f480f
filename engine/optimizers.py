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
            self.update(i, p, g)

    def update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


# sgd, momentum and nesterov run in the hot loop of the course's experiments:
# they work in place through a scratch buffer (s = η g) instead of allocating
# temporaries the size of the weights at every step.


class SGD(Optimizer):
    def update(self, i, p, g):
        (s,) = self._slots(i, p, 1)
        np.multiply(g, self.lr, out=s)
        p -= s


class Momentum(Optimizer):
    def update(self, i, p, g):
        v, s = self._slots(i, p, 2)
        np.multiply(g, self.lr, out=s)
        v *= self.momentum
        v -= s
        p += v


class Nesterov(Optimizer):
    def update(self, i, p, g):
        v, s = self._slots(i, p, 2)
        np.multiply(g, self.lr, out=s)
        v *= self.momentum
        v -= s
        p -= s
        np.multiply(v, self.momentum, out=s)
        p += s


class AdaGrad(Optimizer):
    def update(self, i, p, g):
        (acc,) = self._slots(i, p, 1)
        acc += g * g
        p -= self.lr * g / (np.sqrt(acc) + self.epsilon)


class AdaDelta(Optimizer):
    def update(self, i, p, g):
        eg2, ed2 = self._slots(i, p, 2)
        eg2 *= self.rho
        eg2 += (1 - self.rho) * g * g
        delta = -np.sqrt(ed2 + self.epsilon) / np.sqrt(eg2 + self.epsilon) * g
        ed2 *= self.rho
        ed2 += (1 - self.rho) * delta * delta
        p += self.lr * delta


class RMSprop(Optimizer):
    def update(self, i, p, g):
        (eg2,) = self._slots(i, p, 1)
        eg2 *= self.rho
        eg2 += (1 - self.rho) * g * g
        p -= self.lr * g / (np.sqrt(eg2) + self.epsilon)


class Adam(Optimizer):
    def __init__(self, learning_rate, **hyper):
        super().__init__(learning_rate, **hyper)
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        super().step(params, grads)

    def update(self, i, p, g):
        m, v = self._slots(i, p, 2)
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**self.t)
        v_hat = v / (1 - self.beta2**self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.epsilon)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
    "adadelta": AdaDelta, "rmsprop": RMSprop, "adam": Adam,
}


def make_optimizer(kind: str, learning_rate: float, **given: float | None) -> Optimizer:
    """The optimizer `kind`, with its defaults for every hyper-parameter not given."""
    hyper = dict(DEFAULTS[kind])
    hyper.update({k: v for k, v in given.items() if v is not None and k in hyper})
    return OPTIMIZERS[kind](learning_rate, **hyper)
