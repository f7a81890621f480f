"""Resuming from a checkpoint continues a run exactly as if it had never stopped."""

from __future__ import annotations

import numpy as np
import pytest

from engine.checkpoint import state_from_bytes
from engine.model import model_from_bytes, model_to_bytes
from engine.spec import parse_request
from engine.train import train

EPOCHS, CUT = 8, 3
MEASURES = ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy")


def request(optimizer: str, **extra):
    return parse_request({
        "dataset": "spiral", "n_points": 300, "epochs": EPOCHS, "batch_size": 16, "seed": 5,
        "network": {"layers": [{"type": "dense", "units": 12, "activation": "relu"},
                               {"type": "dropout", "rate": 0.2},
                               {"type": "dense", "units": 1, "activation": "sigmoid"}],
                    "cost": "cross_entropy", "init": "he",
                    "optimizer": {"kind": optimizer, "learning_rate": 0.02}},
        **extra})


def run(req, **kw):
    events: list[dict] = []
    checkpoints: dict[int, bytes] = {}
    model = train(req, events.append, **kw,
                  on_checkpoint=lambda model, n, state: checkpoints.setdefault(n, state()))
    return model, events, checkpoints


def measures(events):
    return [(e["epoch"], *(e[k] for k in MEASURES)) for e in events if e["type"] == "epoch"]


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_resumed_run_equals_the_uninterrupted_one(optimizer):
    req = request(optimizer, early_stopping={"patience": 50})
    whole, whole_events, checkpoints = run(req)
    resumed, resumed_events, _ = run(req, resume=checkpoints[CUT])
    assert resumed_events[0]["resumed_after_epoch"] == CUT and "resumed_after_epoch" not in whole_events[0]
    assert [m[0] for m in measures(resumed_events)] == list(range(CUT + 1, EPOCHS + 1))
    assert measures(resumed_events) == measures(whole_events)[CUT:]  # bit for bit: state, RNGs, optimizer
    for key, value in whole.network.state().items():
        np.testing.assert_array_equal(resumed.network.state()[key], value)
    assert resumed_events[-1]["test_accuracy"] == whole_events[-1]["test_accuracy"]


def test_a_checkpoint_is_also_a_plain_model_file():
    req = request("adam")
    _, _, checkpoints = run(req)
    model, state = state_from_bytes(checkpoints[CUT])
    assert state.epoch == CUT and state.optimizer_steps is not None
    x = np.random.default_rng(0).random((5, 2), dtype=np.float32)
    np.testing.assert_array_equal(model_from_bytes(checkpoints[CUT]).predict(x), model.predict(x))


def test_nothing_to_resume_from_starts_afresh():
    req = request("adam")
    whole, whole_events, checkpoints = run(req)
    plain = model_from_bytes(checkpoints[CUT])
    for resume in (model_to_bytes(plain), run(request("sgd"))[2][CUT]):  # no state; another request
        _, events, _ = run(req, resume=resume)
        assert measures(events) == measures(whole_events)


def test_a_checkpoint_of_the_epoch_early_stopping_ended_on_trains_no_more():
    req = request("adam", epochs=30, early_stopping={"patience": 1})
    _, whole_events, checkpoints = run(req)
    stopped = whole_events[-1]["early_stopping"]
    assert stopped is not None, "the request must stop early for this test to mean anything"
    _, events, _ = run(req, resume=checkpoints[stopped["epoch"]])
    assert measures(events) == []
    assert events[-1]["early_stopping"] == stopped
    assert events[-1]["test_accuracy"] == whole_events[-1]["test_accuracy"]
