"""Datasets for nnplay: the registry, loading by name, augmentation and digit preprocessing.

Everything here is pure NumPy (+ Numba for the per-pixel augmentation kernel) and
knows nothing about the web server, so the engine CLI and the tests use it directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .augment import augment_images, transform_images
from .errors import DataCorrupt, DataUnavailable
from .iris import load_iris_split
from .mnist import ensure_mnist, load_mnist, mnist_available
from .paths import resolve_data_dir
from .preprocess import to_mnist_28
from .registry import DATASET_INFO, Dataset, DatasetInfo
from .synthetic import (
    DEFAULT_N_POINTS,
    GENERATORS_2D,
    LINE_DEFAULT_NOISE,
    check_n_points,
    check_noise,
    make_2d,
    make_line,
)

__all__ = [
    "DATASET_INFO",
    "DataCorrupt",
    "DataUnavailable",
    "Dataset",
    "DatasetInfo",
    "augment_images",
    "dataset_available",
    "ensure_mnist",
    "load_dataset",
    "resolve_data_dir",
    "to_mnist_28",
    "transform_images",
]


def dataset_available(name: str, data_dir: str | Path | None = None) -> bool:
    """Whether ``load_dataset(name)`` can work without downloading: MNIST needs its files,
    the generated sets and iris are always there. Unknown names are unavailable."""
    if name == "mnist":
        return mnist_available(data_dir)
    return name in DATASET_INFO


def _generated(name: str, noise: float | None, n_points: int | None, seed: int) -> Dataset:
    """Generated sets: the training and test parts come from independent streams of one seed."""
    default_noise = LINE_DEFAULT_NOISE if name == "line" else 0.0
    noise_v = check_noise(default_noise if noise is None else noise)
    n = check_n_points(DEFAULT_N_POINTS if n_points is None else n_points)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    train_ss, test_ss = np.random.SeedSequence(int(seed)).spawn(2)
    make = make_line if name == "line" else (lambda k, nz, g: make_2d(name, k, nz, g))
    x_train, y_train = make(n, noise_v, np.random.default_rng(train_ss))
    x_test, y_test = make(n // 2, noise_v, np.random.default_rng(test_ss))
    return Dataset(DATASET_INFO[name], x_train, y_train, x_test, y_test)


def load_dataset(
    name: str,
    *,
    data_dir: str | Path | None = None,
    noise: float | None = None,
    n_points: int | None = None,
    seed: int = 0,
    download: bool = True,
) -> Dataset:
    """Load (or generate) a dataset by name.

    ``noise`` and ``n_points`` apply to the generated sets only (noise in [0, 0.5],
    default 0, or 0.1 for ``line``; n_points in [10, 20000], default 400, plus
    n_points // 2 test points) and are ignored for iris and mnist. ``seed`` only
    affects generated sets: iris and mnist splits are fixed. MNIST arrays are shared
    read-only caches; copy before modifying. MNIST files are downloaded into the data
    dir when missing and ``download`` is true; otherwise DataUnavailable is raised.
    """
    if name in GENERATORS_2D or name == "line":
        return _generated(name, noise, n_points, seed)
    if name == "iris":
        return Dataset(DATASET_INFO["iris"], *load_iris_split())
    if name == "mnist":
        return Dataset(DATASET_INFO["mnist"], *load_mnist(data_dir, download=download))
    raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASET_INFO)}")
