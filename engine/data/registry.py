"""What datasets exist and what a loaded one looks like.

The registry is static metadata so the server can list datasets and validate
requests (input shapes, class counts) without loading any data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DatasetInfo:
    """Static description of one dataset."""

    name: str
    kind: str  # "classification" | "regression"
    input_shape: tuple[int, ...]
    classes: int  # 0 for regression
    title: str  # short human description


@dataclass
class Dataset:
    """A loaded dataset: a training part (train + validation, taken in order) and a test part.

    x arrays are float32 (N, *input_shape); y is int64 (N,) for classification and
    float32 (N, 1) for regression.
    """

    info: DatasetInfo
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


DATASET_INFO: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("xor", "classification", (2,), 2, "XOR: 1 where x and y have the same sign"),
        DatasetInfo("circle", "classification", (2,), 2, "Circle: a disc (1) inside a ring (0)"),
        DatasetInfo("gauss", "classification", (2,), 2, "Two Gaussian blobs"),
        DatasetInfo("spiral", "classification", (2,), 2, "Two interleaved spirals"),
        DatasetInfo("line", "regression", (1,), 0, "A noisy straight line y = 2x - 1"),
        DatasetInfo("iris", "classification", (4,), 3, "Fisher's iris flowers (4 measurements)"),
        DatasetInfo("mnist", "classification", (1, 28, 28), 10, "MNIST handwritten digits"),
    )
}
