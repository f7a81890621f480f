"""Loss, accuracy and confusion matrix of a network on a data set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EVAL_BATCH = 500


@dataclass
class Evaluation:
    loss: float
    accuracy: float | None
    predicted: np.ndarray | None  # class index per example (classification)


def predicted_classes(out: np.ndarray) -> np.ndarray:
    """argmax over outputs; a single yes/no output means class 1 when a > 0.5."""
    if out.shape[1] == 1:
        return (out[:, 0] > 0.5).astype(np.int64)
    return out.argmax(axis=1)


def accuracy(predicted: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(predicted == labels)) if len(labels) else 0.0


def confusion_matrix(predicted: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """m[i, j] = how many examples of true class i were predicted as class j."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (labels, predicted), 1)
    return m


def evaluate(network, x: np.ndarray, targets: np.ndarray, labels: np.ndarray | None,
             reg_cost: float) -> Evaluation:
    """Cost C0 + regularization term, and accuracy when there are labels."""
    if len(x) == 0:
        return Evaluation(float("nan"), None, None)
    outs = np.concatenate([network.forward(x[i:i + EVAL_BATCH]) for i in range(0, len(x), EVAL_BATCH)])
    loss = network.cost.value(outs, targets) + reg_cost
    if labels is None:
        return Evaluation(loss, None, None)
    pred = predicted_classes(outs)
    return Evaluation(loss, accuracy(pred, labels), pred)
