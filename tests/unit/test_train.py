"""The training loop end to end: learning, events, determinism, failure,
stopping, early stopping, model files, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from engine.model import load_model, model_from_bytes, model_to_bytes, save_model
from engine.spec import parse_request
from engine.train import train
from tests.conftest import REPO

HIDDEN = [{"type": "dense", "units": 4, "activation": "tanh"},
          {"type": "dense", "units": 1, "activation": "sigmoid"}]


def xor_request(layers=HIDDEN, epochs=150, **extra):
    return parse_request({"dataset": "xor", "epochs": epochs, "batch_size": 10, "seed": 3,
                          "network": {"layers": layers, "cost": "cross_entropy", "init": "xavier",
                                      "optimizer": {"kind": "adam", "learning_rate": 0.03}},
                          **extra})


def run(req, **kw):
    events: list[dict] = []
    model = train(req, events.append, **kw)
    return model, events


def epochs_of(events):
    return [e for e in events if e["type"] == "epoch"]


def test_xor_needs_a_hidden_layer():
    _, with_hidden = run(xor_request())
    assert with_hidden[-1]["test_accuracy"] == 1.0
    assert epochs_of(with_hidden)[-1]["train_accuracy"] == 1.0
    _, linear = run(xor_request([{"type": "dense", "units": 1, "activation": "sigmoid"}]))
    best = max(e["train_accuracy"] for e in epochs_of(linear))
    assert best <= 0.78, "a single sigmoid neuron cannot separate XOR (Minsky & Papert)"


def test_event_stream_follows_the_contract():
    _, events = run(xor_request(epochs=3), run_id="r1")
    contract = [e for e in events if e["type"] in ("started", "epoch", "feature_maps", "done")]
    assert [e["type"] for e in contract] == ["started", "epoch", "epoch", "epoch", "done"]
    s = events[0]
    assert s["run_id"] == "r1" and s["parameters"] == 17
    assert s["n_train"] + s["n_validation"] == 400
    for n, e in enumerate(epochs_of(events), 1):
        assert e["epoch"] == n
        for key in ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy",
                    "seconds", "samples_per_second"):
            assert isinstance(e[key], float), key
        z = np.array(e["boundary"]["z"])
        assert z.shape == (40, 40) and z.min() >= 0 and z.max() <= 1
    done = events[-1]
    assert done["status"] == "completed" and done["error"] is None
    assert np.array(done["confusion_matrix"]).sum() == 200
    json.dumps(events)  # JSON types only


def test_same_seed_same_history_bit_for_bit():
    strip = [{k: v for k, v in e.items() if k not in ("seconds", "samples_per_second")}
             for e in epochs_of(run(xor_request(epochs=5))[1])]
    again = [{k: v for k, v in e.items() if k not in ("seconds", "samples_per_second")}
             for e in epochs_of(run(xor_request(epochs=5))[1])]
    assert strip == again
    other = run(parse_request({**xor_request(epochs=5).model_dump(), "seed": 4}))[1]
    assert epochs_of(other)[-1]["train_loss"] != strip[-1]["train_loss"]


def test_divergence_ends_failed_with_advice():
    req = parse_request({"dataset": "line", "epochs": 5, "noise": 0.1,
                         "network": {"layers": [{"type": "dense", "units": 1, "activation": "linear"}],
                                     "cost": "quadratic", "init": "large",
                                     "optimizer": {"kind": "sgd", "learning_rate": 500}}})
    _, events = run(req)
    assert events[-1]["status"] == "failed"
    assert "smaller learning rate" in events[-1]["error"]


def test_stop_request_ends_stopped():
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 3

    _, events = run(xor_request(epochs=50), should_stop=should_stop)
    assert events[-1] == {"type": "done", "status": "stopped", "test_accuracy": None, "error": None}
    assert 0 < len(epochs_of(events)) < 50


def test_early_stopping_restores_best_epoch():
    req = xor_request(epochs=200, early_stopping={"patience": 3})
    model, events = run(req)
    done = events[-1]
    assert done["early_stopping"] is not None
    best = done["early_stopping"]["best_epoch"]
    assert len(epochs_of(events)) == best + 3
    best_acc = epochs_of(events)[best - 1]["validation_accuracy"]
    assert max(e["validation_accuracy"] for e in epochs_of(events)) == best_acc


def test_line_fit_recovers_slope_and_intercept():
    req = parse_request({"dataset": "line", "epochs": 40, "noise": 0.05, "batch_size": 10,
                         "network": {"layers": [{"type": "dense", "units": 1, "activation": "linear"}],
                                     "cost": "quadratic", "init": "small",
                                     "optimizer": {"kind": "sgd", "learning_rate": 0.1}}})
    _, events = run(req)
    last = epochs_of(events)[-1]
    assert last["train_accuracy"] is None
    assert last["line"]["m"] == pytest.approx(2.0, abs=0.1)
    assert last["line"]["b"] == pytest.approx(-1.0, abs=0.1)
    assert events[-1]["test_accuracy"] is None


def test_iris_learns():
    req = parse_request({"dataset": "iris", "epochs": 60, "batch_size": 8, "network": {
        "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                   {"type": "dense", "units": 3, "activation": "softmax"}],
        "cost": "log_likelihood", "init": "he", "optimizer": {"kind": "adam", "learning_rate": 0.01}}})
    _, events = run(req)
    assert events[-1]["test_accuracy"] >= 0.9


def test_model_file_round_trip(tmp_path):
    model, _ = run(xor_request(epochs=5))
    x = np.random.default_rng(0).uniform(-1, 1, (20, 2)).astype(np.float32)
    again = model_from_bytes(model_to_bytes(model))
    assert np.array_equal(model.predict(x), again.predict(x))
    save_model(model, tmp_path / "m.npz")
    assert np.array_equal(load_model(tmp_path / "m.npz").predict(x[:1]), model.predict(x[:1]))
    assert model.predict(x).shape == (20, 2)
    with pytest.raises(ValueError, match="not an nnplay model"):
        model_from_bytes(b"garbage")


@pytest.mark.mnist
def test_mnist_cnn_trains_and_shows_feature_maps(mnist_dir):
    req = parse_request({
        "dataset": "mnist", "train_size": 2000, "validation_size": 200, "epochs": 2, "batch_size": 20,
        "augment": {"shift": 1, "rotate": 5},
        "network": {"layers": [{"type": "conv2d", "filters": 4, "kernel": 5, "activation": "relu"},
                               {"type": "maxpool", "size": 2},
                               {"type": "batchnorm"},
                               {"type": "dense", "units": 32, "activation": "relu"},
                               {"type": "dropout", "rate": 0.2},
                               {"type": "dense", "units": 10, "activation": "softmax"}],
                    "cost": "log_likelihood", "init": "he",
                    "optimizer": {"kind": "momentum", "learning_rate": 0.05}}})
    checkpoints = []
    model, events = run(req, data_dir=mnist_dir, on_checkpoint=lambda m, n, state: checkpoints.append(n))
    assert events[-1]["status"] == "completed", events[-1]
    assert events[-1]["test_accuracy"] > 0.7
    assert checkpoints == [1, 2]
    maps = [e for e in events if e["type"] == "feature_maps"]
    assert {(e["epoch"], e["layer"]) for e in maps} == {(1, 0), (1, 1), (2, 0), (2, 1)}
    first = np.array(maps[0]["maps"])
    assert first.shape == (4, 24, 24) and first.max() <= 255
    # the maps are the engine's own forward pass on the probe (first validation image)
    from engine.data import load_dataset
    probe = load_dataset("mnist", data_dir=mnist_dir).x_train[2000:2001]
    conv_out = model.network.forward_all(probe)[1][0]
    assert np.array(maps[-1]["maps"]).argmax() == conv_out.argmax()


def cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_cli_prints_events_done_last(tmp_path):
    cfg = tmp_path / "xor.json"
    cfg.write_text(json.dumps(xor_request(epochs=3).model_dump()))
    out = cli("train", "--config", str(cfg), "--save", str(tmp_path / "m.npz"))
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert lines[0]["type"] == "started" and lines[-1]["type"] == "done"
    assert load_model(tmp_path / "m.npz").input_shape == (2,)


def test_cli_refuses_invalid_config(tmp_path):
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"dataset": "xor", "network": {"layers": [
        {"type": "dense", "units": 1, "activation": "swish"}]}}))
    out = cli("train", "--config", str(cfg))
    assert out.returncode == 2 and out.stdout == ""
    assert "network.layers.0" in out.stderr and "swish" in out.stderr
    cfg.write_text("{not json")
    assert "not valid JSON" in cli("train", "--config", str(cfg)).stderr
