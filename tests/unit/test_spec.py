"""Every kind of invalid request is refused with a message naming the field."""

from __future__ import annotations

import copy

import pytest

from engine.spec import Limits, RequestError, parse_request

BASE = {
    "dataset": "mnist", "train_size": 1000, "validation_size": 100, "epochs": 2,
    "batch_size": 10, "seed": 1,
    "network": {"layers": [{"type": "dense", "units": 30, "activation": "sigmoid"},
                           {"type": "dense", "units": 10, "activation": "sigmoid"}],
                "cost": "cross_entropy", "init": "small",
                "regularization": {"l2": 5.0, "l1": 0.0},
                "optimizer": {"kind": "sgd", "learning_rate": 0.5}},
}


def with_(path: str, value):
    req = copy.deepcopy(BASE)
    *head, last = path.split(".")
    node = req
    for key in head:
        node = node[int(key)] if key.isdigit() else node[key]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return req


def refused(req, limits=None) -> list[dict]:
    with pytest.raises(RequestError) as info:
        parse_request(req, limits)
    return info.value.errors


def test_contract_example_is_valid():
    req = parse_request(BASE)
    assert req.network.layers[0].units == 30


CONV = [{"type": "conv2d", "filters": 4, "kernel": 5, "activation": "relu"},
        {"type": "maxpool", "size": 2},
        {"type": "conv2d", "filters": 4, "kernel": 5, "activation": "relu"},
        {"type": "maxpool", "size": 2},
        {"type": "conv2d", "filters": 4, "kernel": 5, "activation": "relu"},
        {"type": "dense", "units": 10, "activation": "sigmoid"}]


@pytest.mark.parametrize("path,value,loc,words", [
    ("dataset", "cifar", ["dataset"], "xor"),
    ("network.layers.0.activation", "swish", ["network", "layers", 0], "sigmoid"),
    ("network.layers.0.units", "thirty", ["network", "layers", 0], "integer"),
    ("network.layers.0.units", 0, ["network", "layers", 0], "greater"),
    ("network.layers.0", {"type": "lstm"}, ["network", "layers", 0], "dense"),
    ("network.cost", "hinge", ["network", "cost"], "quadratic"),
    ("network.init", "zeros", ["network", "init"], "small"),
    ("network.optimizer.kind", "lbfgs", ["network", "optimizer", "kind"], "adam"),
    ("network.optimizer.learning_rate", -1, ["network", "optimizer", "learning_rate"], "greater"),
    ("network.regularization.l2", -5, ["network", "regularization", "l2"], "greater"),
    ("network.layers.1.units", 3, ["network", "layers", 1, "units"], "10 classes"),
    ("network.layers.1.activation", "relu", ["network", "cost"], "sigmoid output"),
    ("network.layers.0.activation", "softmax", ["network", "layers", 0, "activation"], "output layer"),
    ("network.layers", CONV, ["network", "layers", 4, "kernel"], "does not fit the 4x4"),
    ("network.layers", [{"type": "dense", "units": 5}, {"type": "conv2d", "filters": 2, "kernel": 3},
                        {"type": "dense", "units": 10}], ["network", "layers", 1, "type"], "image input"),
    ("network.layers", [{"type": "maxpool", "size": 30}, {"type": "dense", "units": 10}],
     ["network", "layers", 0, "size"], "does not fit"),
    ("network.layers", [{"type": "flatten"}], ["network", "layers", 0, "type"], "must be dense"),
    ("network.layers", [], ["network", "layers"], "at least 1"),
    ("train_size", 60000, ["train_size"], "exceeds"),
    ("epochs", 0, ["epochs"], "greater"),
    ("batch_size", 2.5, ["batch_size"], "integer"),
    ("noise", 0.2, ["noise"], "not generated"),
    ("augment", {"shift": 9}, ["augment", "shift"], "less than"),
    ("network.layers.0.unit", 30, ["network", "layers", 0, "dense", "unit"], "Extra inputs"),
])
def test_refused_with_field_and_reason(path, value, loc, words):
    errors = refused(with_(path, value))
    assert any(e["loc"][:len(loc)] == loc and words.lower() in e["msg"].lower() for e in errors), errors


def test_augment_only_for_images():
    req = with_("dataset", "xor")
    req["network"]["layers"][-1]["units"] = 1
    req.pop("train_size"), req.pop("validation_size")
    req["augment"] = {"shift": 2}
    assert refused(req)[0]["loc"] == ["augment"]


@pytest.mark.parametrize("limit,value,loc", [
    ({"max_epochs": 1}, None, ["epochs"]),
    ({"max_parameters": 1000}, None, ["network", "layers"]),
    ({"max_layers": 1}, None, ["network", "layers"]),
    ({"max_train_size": 500}, None, ["train_size"]),
    ({"max_batch_size": 5}, None, ["batch_size"]),
])
def test_limits_name_themselves(limit, value, loc):
    errors = refused(BASE, Limits(**limit))
    assert errors[0]["loc"] == loc and list(limit)[0] in errors[0]["msg"]


def test_json_text_and_same_padding():
    req = with_("network.layers", [{"type": "conv2d", "filters": 2, "kernel": 4, "stride": 2,
                                    "padding": "same"}, {"type": "dense", "units": 10}])
    import json
    assert parse_request(json.dumps(req)).network.layers[0].padding == "same"
