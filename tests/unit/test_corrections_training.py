"""The student's corrections in a training run: the request field, the engine's extra training
examples and their events, the .npz file format, and `python -m engine train --corrections`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.__main__ import main as cli_main
from engine.corrections import CorrectionsFileError, corrections_to_bytes, load_corrections, training_arrays
from engine.data import load_dataset
from engine.spec import Limits, RequestError, parse_request
from engine.train import NO_CORRECTIONS, _Run, train

SOFTMAX = {"layers": [{"type": "dense", "units": 10, "activation": "softmax"}],
           "cost": "log_likelihood", "optimizer": {"kind": "sgd", "learning_rate": 0.5}}


def mnist(**extra):
    return {"dataset": "mnist", "train_size": 500, "validation_size": 100, "epochs": 1,
            "batch_size": 20, "network": SOFTMAX, **extra}


def five_corrections(mnist_dir=None):
    """Five "digits": test images when MNIST is there (else noise), each labelled 3."""
    if mnist_dir is None:
        pixels = np.random.default_rng(0).integers(0, 256, (5, 784), dtype=np.uint8)
    else:
        x = load_dataset("mnist", data_dir=mnist_dir).x_test[:5]
        pixels = np.round(x.reshape(5, 784) * 255).astype(np.uint8)
    return pixels, np.full(5, 3, np.int64)


def run(req, **kw):
    events: list[dict] = []
    train(req, events.append, **kw)
    return events


# -- the request ---------------------------------------------------------------------------------


def test_corrections_default_and_bounds():
    req = parse_request(mnist(corrections={}))
    assert req.corrections is not None
    assert (req.corrections.repeat, req.corrections.ids) == (20, None)
    assert parse_request(mnist()).corrections is None
    for bad, loc in [({"repeat": 0}, ["corrections", "repeat"]),
                     ({"repeat": 101}, ["corrections", "repeat"]),
                     ({"ids": ["a"]}, ["corrections", "ids", 0]),
                     ({"extra": 1}, ["corrections", "extra"])]:
        with pytest.raises(RequestError) as exc:
            parse_request(mnist(corrections=bad))
        assert exc.value.errors[0]["loc"] == loc, exc.value.errors


def test_corrections_are_for_mnist_only():
    with pytest.raises(RequestError) as exc:
        parse_request({"dataset": "xor", "corrections": {"repeat": 5},
                       "network": {"layers": [{"type": "dense", "units": 1}]}})
    (error,) = exc.value.errors
    assert error["loc"] == ["corrections"] and "mnist" in error["msg"]


def test_the_repeated_corrections_count_against_max_train_size():
    limits = Limits(max_train_size=1000)
    parse_request(mnist(corrections={"repeat": 100, "ids": [1, 2, 3, 4, 5]}), limits)  # 500 + 500
    with pytest.raises(RequestError) as exc:
        parse_request(mnist(corrections={"repeat": 100, "ids": [1, 2, 3, 4, 5, 6]}), limits)
    (error,) = exc.value.errors
    assert error["loc"] == ["corrections", "repeat"] and "1100" in error["msg"]
    assert "max_train_size" in error["msg"]


# -- the engine ----------------------------------------------------------------------------------


def test_a_run_asking_for_corrections_without_them_fails_saying_so():
    # fails before the dataset is even loaded: no MNIST files needed
    for extra in (None, (np.empty((0, 1, 28, 28), np.float32), np.empty(0, np.int64))):
        events = run(parse_request(mnist(corrections={})), extra_train=extra)
        assert [e["type"] for e in events] == ["done"]
        assert events[0]["status"] == "failed" and events[0]["error"] == NO_CORRECTIONS
        assert "none were given" in events[0]["error"]


def test_corrections_without_the_field_or_of_the_wrong_shape_fail():
    x, labels = training_arrays(*five_corrections())
    (done,) = run(parse_request(mnist()), extra_train=(x, labels))
    assert done["status"] == "failed" and "does not ask for them" in done["error"]
    (done,) = run(parse_request(mnist(corrections={})), extra_train=(x[:, :, :27], labels))
    assert done["status"] == "failed" and "1×28×28 images" in done["error"]
    (done,) = run(parse_request(mnist(corrections={})), extra_train=(x, labels + 7))
    assert done["status"] == "failed" and "0..9" in done["error"]


@pytest.mark.mnist
def test_corrections_join_the_training_part_only(mnist_dir):
    x, labels = training_arrays(*five_corrections(mnist_dir))
    r = _Run(parse_request(mnist(corrections={"repeat": 10})), lambda e: None, "r", mnist_dir,
             None, None, (x, labels))
    r._prepare()
    ds = r.ds
    assert r.x_train.shape == (550, 1, 28, 28) and r.t_train.shape == (550, 10)
    assert np.array_equal(r.x_train[:500], ds.x_train[:500])  # cut to train_size first
    assert np.array_equal(r.x_train[500:].reshape(10, 5, 1, 28, 28), np.broadcast_to(x, (10, *x.shape)))
    assert np.array_equal(r.l_train[500:], np.full(50, 3))
    assert np.array_equal(r.x_val, ds.x_train[500:600])  # validation and test untouched
    assert len(r.x_test) == 10000


@pytest.mark.mnist
def test_a_tiny_mnist_run_with_five_corrections(mnist_dir):
    x, labels = training_arrays(*five_corrections(mnist_dir))
    events = run(parse_request(mnist(corrections={"repeat": 10})), data_dir=mnist_dir,
                 extra_train=(x, labels))
    started, done = events[0], events[-1]
    assert done["status"] == "completed", done
    assert (started["n_corrections"], started["n_train"], started["n_validation"]) == (5, 550, 100)
    (epoch,) = [e for e in events if e["type"] == "epoch"]
    assert 0 <= epoch["corrections_accuracy"] <= 1
    assert done["test_accuracy"] > 0.5


def test_runs_without_corrections_say_none_and_measure_none():
    events = run(parse_request({"dataset": "xor", "epochs": 1, "network": {
        "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]}}))
    assert events[0]["n_corrections"] == 0
    assert "corrections_accuracy" not in events[1]


# -- the file and the CLI ------------------------------------------------------------------------


def test_the_file_round_trips_and_bad_files_are_named(tmp_path):
    pixels, labels = five_corrections()
    back = load_corrections(corrections_to_bytes(pixels, labels, np.arange(10, 15)))
    assert np.array_equal(back.pixels, pixels) and np.array_equal(back.labels, labels)
    assert back.ids.tolist() == [10, 11, 12, 13, 14] and len(back) == 5
    assert load_corrections(corrections_to_bytes(pixels, labels)).ids is None
    x, y = training_arrays(back.pixels, back.labels)
    assert x.shape == (5, 1, 28, 28) and x.dtype == np.float32 and x.max() <= 1 and y.dtype == np.int64
    bad = tmp_path / "bad.npz"
    for arrays, words in [({"pixels": pixels}, "no labels"),
                          ({"pixels": pixels / 255, "labels": labels}, "uint8"),
                          ({"pixels": pixels[:, :700], "labels": labels}, "N×784"),
                          ({"pixels": pixels, "labels": labels[:4]}, "5 integers"),
                          ({"pixels": pixels, "labels": labels + 7}, "0..9")]:
        np.savez(bad, **arrays)
        with pytest.raises(CorrectionsFileError, match=words):
            load_corrections(bad)
    bad.write_bytes(b"not a zip")
    with pytest.raises(CorrectionsFileError, match="not an .npz"):
        load_corrections(bad)
    with pytest.raises(CorrectionsFileError, match="cannot read"):
        load_corrections(tmp_path / "missing.npz")


def write(tmp_path, request, pixels, labels, ids=None):
    cfg, npz = tmp_path / "run.json", tmp_path / "mine.npz"
    cfg.write_text(json.dumps(request))
    npz.write_bytes(corrections_to_bytes(pixels, labels, ids))
    return str(cfg), str(npz)


@pytest.mark.mnist
def test_cli_trains_with_a_corrections_file(tmp_path, mnist_dir, capsys):
    cfg, npz = write(tmp_path, mnist(), *five_corrections(mnist_dir), ids=[7, 8, 9, 10, 11])
    assert cli_main(["train", "--config", cfg, "--corrections", npz, "--data-dir", str(mnist_dir)]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[0]["n_corrections"] == 5 and events[0]["n_train"] == 500 + 5 * 20  # default repeat
    assert "corrections_accuracy" in events[1] and events[-1]["status"] == "completed"


def test_cli_refuses_what_cannot_work(tmp_path, capsys):
    pixels, labels = five_corrections()
    xor = {"dataset": "xor", "network": {"layers": [{"type": "dense", "units": 1}]}}
    cfg, npz = write(tmp_path, xor, pixels, labels)
    assert cli_main(["train", "--config", cfg, "--corrections", npz]) == 2
    assert "error: corrections: " in capsys.readouterr().err
    # the file's corrections count against the limit: 50,000 + 105 × 100 > 60,000
    cfg, npz = write(tmp_path, mnist(train_size=50000, corrections={"repeat": 100}),
                     np.repeat(pixels, 21, axis=0), np.repeat(labels, 21))
    assert cli_main(["train", "--config", cfg, "--corrections", npz]) == 2
    assert "error: corrections.repeat: " in capsys.readouterr().err
    (tmp_path / "mine.npz").write_bytes(b"junk")
    assert cli_main(["train", "--config", cfg, "--corrections", npz]) == 2
    assert "not an .npz" in capsys.readouterr().err
    # asked for in the config, not given: the run fails (status 1) with the reason
    cfg, _ = write(tmp_path, mnist(corrections={}), pixels, labels)
    assert cli_main(["train", "--config", cfg]) == 1
    assert "none were given" in capsys.readouterr().err
