"""Why a network learns or doesn't: per-layer gradient norms (vanishing
gradients), histograms of weights and activations (saturation), and the
two-class ROC curve. Measured on a fixed probe batch of training examples
so epochs are comparable."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.network import Network

BINS = 30


def gradient_norms(net: Network, x: np.ndarray, t: np.ndarray) -> list[dict[str, Any]]:
    """‖∂C0/∂w‖ and ‖∂C0/∂b‖ of every layer with weights, for the batch (x, t).

    Nielsen's "speed of learning" of a layer is ‖∂C/∂b‖. Measuring must not
    change the model or the rest of its training: batch-norm running averages
    are restored afterwards, and dropout draws its masks from a probe RNG of
    its own instead of the training one.
    """
    saved = [{k: v.copy() for k, v in layer.buffers.items()} for layer in net.layers]
    rngs = {i: layer.rng for i, layer in enumerate(net.layers) if hasattr(layer, "rng")}
    for i in rngs:
        net.layers[i].rng = np.random.default_rng(0)
    try:
        net.backprop(x, t)
    finally:
        for i, rng in rngs.items():
            net.layers[i].rng = rng
        for layer, buffers in zip(net.layers, saved, strict=True):
            layer.buffers.update(buffers)
    return [{"layer": i, "weights": float(np.linalg.norm(layer.grads["w"])),
             "biases": float(np.linalg.norm(layer.grads["b"]))}
            for i, layer in enumerate(net.layers) if "w" in layer.params]


def _histogram(values: np.ndarray) -> dict[str, list]:
    counts, edges = np.histogram(values[np.isfinite(values)], bins=BINS)
    return {"counts": counts.tolist(), "edges": edges.astype(float).round(5).tolist()}


def histograms(net: Network, x: np.ndarray) -> list[dict[str, Any]]:
    """Per layer: the distribution of its weights (if any) and of its outputs on x."""
    return [{"layer": i, "weights": _histogram(layer.params["w"]) if "w" in layer.params else None,
             "activations": _histogram(out)}
            for i, (layer, out) in enumerate(zip(net.layers, net.forward_all(x), strict=True))]


def roc_curve(scores: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """False/true positive rates as the threshold sweeps down through the
    scores (ties taken together), and the area under the curve."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(bool)
    last_of_tie = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[last_of_tie]
    fp = np.cumsum(~y)[last_of_tie]
    pos, neg = max(int(y.sum()), 1), max(int((~y).sum()), 1)
    tpr = np.r_[0.0, tp / pos]
    fpr = np.r_[0.0, fp / neg]
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return {"fpr": fpr.round(5).tolist(), "tpr": tpr.round(5).tolist(), "auc": round(auc, 6)}


def misclassified(x: np.ndarray, labels: np.ndarray, predicted: np.ndarray,
                  limit: int = 24) -> list[dict[str, Any]]:
    """The first `limit` wrongly classified images (uint8 pixels) with true and predicted labels."""
    wrong = np.nonzero(predicted != labels)[0][:limit]
    return [{"index": int(i), "label": int(labels[i]), "predicted": int(predicted[i]),
             "pixels": np.round(255 * np.clip(x[i, 0], 0, 1)).astype(np.uint8).tolist()} for i in wrong]
