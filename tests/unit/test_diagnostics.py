"""Gradient norms, histograms, confusion matrix and ROC against hand/numeric values."""

from __future__ import annotations

import numpy as np
import pytest

from engine.diagnostics import gradient_norms, histograms, misclassified, roc_curve
from engine.metrics import confusion_matrix
from engine.network import Network
from engine.spec import NetworkSpec, parse_request
from engine.train import train


def test_gradient_norms_match_numeric_estimate():
    spec = NetworkSpec.model_validate({"layers": [
        {"type": "dense", "units": 4, "activation": "sigmoid"},
        {"type": "batchnorm"},
        {"type": "dense", "units": 3, "activation": "sigmoid"}], "cost": "cross_entropy"})
    net = Network(spec, (5,), 0)
    net.astype(np.float64)
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((6, 5)), rng.uniform(0, 1, (6, 3))
    running = net.layers[1].buffers["mean"].copy()
    norms = gradient_norms(net, x, t)
    assert np.array_equal(net.layers[1].buffers["mean"], running), "measuring changed the model"
    for entry in norms:
        layer = net.layers[entry["layer"]]
        for name, key in (("w", "weights"), ("b", "biases")):
            p = layer.params[name].reshape(-1)
            num = np.zeros_like(p)
            for j in range(p.size):
                old = p[j]
                p[j] = old + 1e-6
                up = net.cost.value(net.forward(x, True), t)
                p[j] = old - 1e-6
                down = net.cost.value(net.forward(x, True), t)
                p[j] = old
                num[j] = (up - down) / 2e-6
            assert entry[key] == pytest.approx(np.linalg.norm(num), rel=1e-5)


def test_histograms_count_everything():
    spec = NetworkSpec.model_validate({"layers": [{"type": "dense", "units": 7, "activation": "tanh"},
                                                  {"type": "dense", "units": 2, "activation": "sigmoid"}]})
    net = Network(spec, (3,), 0)
    h = histograms(net, np.ones((10, 3), np.float32))
    assert sum(h[0]["weights"]["counts"]) == 21 and sum(h[0]["activations"]["counts"]) == 70
    assert len(h[1]["activations"]["edges"]) == len(h[1]["activations"]["counts"]) + 1


def test_confusion_matrix_by_hand():
    labels = np.array([0, 0, 1, 1, 2, 2, 2])
    pred = np.array([0, 1, 1, 1, 2, 0, 2])
    assert confusion_matrix(pred, labels, 3).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 2]]


def test_roc_and_auc_by_hand():
    roc = roc_curve(np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 0, 1, 0]))
    assert roc["tpr"] == [0, 0.5, 0.5, 1, 1] and roc["fpr"] == [0, 0, 0.5, 0.5, 1]
    assert roc["auc"] == 0.75
    assert roc_curve(np.array([0.5, 0.5]), np.array([1, 0]))["auc"] == 0.5
    assert roc_curve(np.array([0.1, 0.9]), np.array([0, 1]))["auc"] == 1.0


def test_misclassified_gallery():
    x = np.random.default_rng(0).random((5, 1, 4, 4)).astype(np.float32)
    items = misclassified(x, np.array([1, 2, 3, 4, 5]), np.array([1, 0, 3, 0, 5]))
    assert [(i["index"], i["label"], i["predicted"]) for i in items] == [(1, 2, 0), (3, 4, 0)]
    assert np.array(items[0]["pixels"]).shape == (4, 4)


def test_xor_run_reports_gradients_histograms_and_roc():
    events: list[dict] = []
    train(parse_request({"dataset": "xor", "epochs": 2, "network": {"layers": [
        {"type": "dense", "units": 4, "activation": "tanh"},
        {"type": "dense", "units": 1, "activation": "sigmoid"}]}}), events.append)
    kinds = [e["type"] for e in events]
    assert kinds.count("gradients") == 2 and kinds.count("histograms") == 2
    done = events[-1]
    assert 0 <= done["roc"]["auc"] <= 1 and len(done["per_class_accuracy"]) == 2


@pytest.mark.mnist
def test_vanishing_gradients_deep_sigmoid_vs_relu(mnist_dir):
    """After one epoch, a deep sigmoid net's first layer learns orders of magnitude slower than its
    last; with ReLU it does not (ratio of ‖∂C/∂b‖ first/last differs by ≥ 10×)."""
    def ratio(act: str) -> float:
        hidden = [{"type": "dense", "units": 30, "activation": act} for _ in range(4)]
        events: list[dict] = []
        train(parse_request({
            "dataset": "mnist", "train_size": 5000, "validation_size": 100, "epochs": 1, "seed": 1,
            "network": {"layers": [*hidden, {"type": "dense", "units": 10, "activation": "sigmoid"}],
                        "cost": "cross_entropy", "init": "small",
                        "optimizer": {"kind": "sgd", "learning_rate": 0.1}}}),
              events.append, data_dir=mnist_dir)
        layers = next(e for e in events if e["type"] == "gradients")["layers"]
        return layers[0]["biases"] / layers[-1]["biases"]

    sigmoid, relu = ratio("sigmoid"), ratio("relu")
    assert relu / sigmoid >= 10, (sigmoid, relu)
