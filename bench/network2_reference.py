"""An independent check of the dense rows of Nielsen's table: the book's
network2 algorithm written afresh in float64 NumPy (matrix form over the
mini-batch, nothing shared with nnplay's engine but the MNIST reader), run
with several seeds on the same data split as bench/nielsen.py.

    python bench/network2_reference.py [--seeds 1 2 3] [--data-dir DIR]

Why: if this reference and nnplay agree with each other but not with the book,
the difference lies in the book's single run, not in the engine. Per seed it
reports the last epoch's test accuracy and the test accuracy of the epoch with
the best validation accuracy (what bench/nielsen.py compares with the book).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section  # noqa: E402
from engine.data.mnist import load_mnist  # noqa: E402

#: (label, hidden units, λ, the book's test accuracy in %); all: large init, η=0.5, batch 10, 30 epochs
ROWS = [("[784,30,10]", 30, 0.0, 95.49), ("[784,30,10], λ=5.0", 30, 5.0, 96.49),
        ("[784,100,10], λ=5.0", 100, 5.0, 97.92)]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def train(data, hidden: int, lam: float, seed: int, eta: float = 0.5, batch: int = 10,
          epochs: int = 30) -> list[tuple[float, float]]:
    """network2.SGD with the cross-entropy cost and large_weight_initializer: N(0,1) weights and
    biases, w <- (1 - ηλ/n) w - (η/m) Σ∂C/∂w, b <- b - (η/m) Σ∂C/∂b, the training set reshuffled
    every epoch. Returns (validation, test) accuracy after each epoch."""
    x_tr, t_tr, x_va, y_va, x_te, y_te = data
    rng = np.random.default_rng(seed)
    sizes = [784, hidden, 10]
    w = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    b = [rng.standard_normal(n_out) for n_out in sizes[1:]]
    n = len(x_tr)

    def accuracy(x, y) -> float:
        a = x
        for wl, bl in zip(w, b, strict=True):
            a = sigmoid(a @ wl.T + bl)
        return float(np.mean(a.argmax(1) == y))

    curve = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for k in range(0, n, batch):
            idx = order[k:k + batch]
            x, t = x_tr[idx], t_tr[idx]
            a1 = sigmoid(x @ w[0].T + b[0])
            a2 = sigmoid(a1 @ w[1].T + b[1])
            d2 = a2 - t  # cross-entropy with sigmoid outputs: no σ' factor
            d1 = (d2 @ w[1]) * a1 * (1 - a1)
            for layer, (d, inp) in enumerate(((d1, x), (d2, a1))):
                w[layer] = (1 - eta * lam / n) * w[layer] - (eta / len(idx)) * (d.T @ inp)
                b[layer] = b[layer] - (eta / len(idx)) * d.sum(0)
        curve.append((accuracy(x_va, y_va), accuracy(x_te, y_te)))
    return curve


def load(data_dir: str | None):
    """network2's split: the first 50,000 training images train, the last 10,000 validate."""
    x, y, x_test, y_test = load_mnist(data_dir, download=False)
    x = x.reshape(len(x), -1).astype(np.float64)
    x_test = x_test.reshape(len(x_test), -1).astype(np.float64)
    return x[:50000], np.eye(10)[y[:50000]], x[50000:], y[50000:], x_test, y_test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    data = load(args.data_dir)
    lines = ["| network (large init, η=0.5, batch 10, 30 epochs) | Nielsen | test at the best "
             "validation epoch, mean (range) | last epoch, mean (range) | time per run |",
             "|---|---|---|---|---|"]
    for label, hidden, lam, paper in ROWS:
        chosen, last = [], []
        t0 = time.perf_counter()
        for seed in args.seeds:
            curve = train(data, hidden, lam, seed)
            best = max(range(len(curve)), key=lambda i: (curve[i][0], -i))
            chosen.append(100 * curve[best][1])
            last.append(100 * curve[-1][1])
            print(f"{label} seed {seed}: best-validation epoch {best + 1} test {chosen[-1]:.2f}%, "
                  f"last epoch {last[-1]:.2f}%", flush=True)
        minutes = (time.perf_counter() - t0) / 60 / len(args.seeds)
        lines.append(f"| {label} | {paper:.2f}% | {np.mean(chosen):.2f}% ({min(chosen):.2f}–"
                     f"{max(chosen):.2f}) | {np.mean(last):.2f}% ({min(last):.2f}–{max(last):.2f}) | "
                     f"{minutes:.1f} min |")
    body = ("### Reference: the book's network2 re-implemented (float64 NumPy)\n\n" + "\n".join(lines) +
            "\n\nSame data and split as bench/nielsen.py, seeds " +
            ", ".join(map(str, args.seeds)) + ".\n")
    write_section("network2_reference", body)
    print(body)


if __name__ == "__main__":
    main()
