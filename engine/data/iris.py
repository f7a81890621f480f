"""Fisher's iris, from scikit-learn's bundled copy (no download, no file to ship).

The split is fixed (its own RNG seeded with 0, independent of the run's seed) so
that every run and every student sees the same 120 / 30 partition; the test part
holds exactly 10 flowers of each class.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SPLIT_SEED = 0
TEST_PER_CLASS = 10


@lru_cache(maxsize=1)
def _raw() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_iris  # heavy import: only when iris is asked for

    bunch = load_iris()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


def load_iris_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test): 120 / 30 rows, standardized with training statistics."""
    x, y = _raw()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    x, y = x[order], y[order]
    # The first TEST_PER_CLASS of each class (in shuffled order) form the test part.
    rank_in_class = np.zeros(len(y), dtype=np.int64)
    for c in np.unique(y):  # 3 classes, not a per-sample loop
        members = np.flatnonzero(y == c)
        rank_in_class[members] = np.arange(len(members))
    test = rank_in_class < TEST_PER_CLASS
    x_train, y_train, x_test, y_test = x[~test], y[~test], x[test], y[test]
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    x_train = ((x_train - mean) / std).astype(np.float32)
    x_test = ((x_test - mean) / std).astype(np.float32)
    return x_train, y_train.copy(), x_test, y_test.copy()
