"""The epoch loop: shuffle, mini-batches, metrics, events, early stopping.

`train` never raises: whatever happens, the last event it emits is `done`
(completed, stopped or failed with the reason), because a student's run
must always end visibly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from engine import events
from engine.checkpoint import TrainingState, state_from_bytes, state_to_bytes
from engine.data import augment_images, load_dataset
from engine.data.errors import DataUnavailable
from engine.data.registry import DATASET_INFO, DatasetInfo
from engine.diagnostics import gradient_norms, histograms, misclassified, roc_curve
from engine.metrics import confusion_matrix, evaluate
from engine.model import Model, to_probabilities
from engine.network import Network
from engine.optimizers import Optimizer, make_optimizer
from engine.parallel import step_plan
from engine.spec import TrainRequest, split_sizes
from engine.visuals import boundary, feature_map_layers, fitted_line, plot_points

#: train metrics are measured on a fixed subset this large (a full pass over
#: 50,000 images after every epoch would cost a third of the training time)
TRAIN_EVAL_SIZE = 10_000
#: gradient norms and histograms are measured on this many training examples
PROBE = 1000
#: how often (in mini-batches) should_stop is polled
STOP_POLL = 16


class Stopped(Exception):
    """should_stop() said so."""


class Diverged(Exception):
    """The loss is no longer a finite number."""


class CorrectionsError(Exception):
    """The student's corrections cannot be used as given (missing, unasked for, malformed)."""


NO_CORRECTIONS = ("this run asks for your corrections but none were given "
                  "(python -m engine train takes them with --corrections FILE.npz)")


def targets_for(labels: np.ndarray, units: int, kind: str) -> np.ndarray:
    """What the output layer should produce: one-hot rows, a 0/1 column, or the values."""
    if kind == "regression":
        return labels.astype(np.float32).reshape(-1, 1)
    if units == 1:
        return labels.astype(np.float32).reshape(-1, 1)
    return np.eye(units, dtype=np.float32)[labels]


def train_epoch(net: Network, opt: Optimizer, x: np.ndarray, t: np.ndarray, batch_size: int,
                l1: float = 0.0, l2: float = 0.0, should_stop: Callable[[], bool] | None = None) -> None:
    """One pass of mini-batch gradient descent over (x, t), already shuffled.

    The hot path: everything inside is whole-batch array work. Regularization
    uses n = len(x), the training-set size, as in C0 + λ/(2n) Σw².
    """
    n = len(x)
    params = net.params()
    with step_plan(net, batch_size) as gradient_step:
        for i, start in enumerate(range(0, n, batch_size)):
            if should_stop is not None and i % STOP_POLL == 0 and should_stop():
                raise Stopped
            gradient_step(x[start:start + batch_size], t[start:start + batch_size])
            net.add_regularization_grads(l1, l2, n)
            opt.step(params, net.grads())


def train(request: TrainRequest, on_event: Callable[[dict[str, Any]], None], *,
          run_id: str = "run", data_dir=None, should_stop: Callable[[], bool] | None = None,
          on_checkpoint: Callable[[Model, int, Callable[[], bytes]], None] | None = None,
          resume: bytes | None = None,
          extra_train: tuple[np.ndarray, np.ndarray] | None = None) -> Model | None:
    """Train per `request`, reporting contract events through `on_event`.

    `extra_train` is the student's corrections when `request.corrections` asks
    for them: (N, 1, 28, 28) float32 images in 0..1 and int64 labels (see
    `engine.corrections.training_arrays`). They join the training part,
    `request.corrections.repeat` times each, after it is cut to train_size; a
    run that asks for corrections and gets none ends failed, saying so.

    `on_checkpoint(model, epoch, resumable)` is called after every epoch;
    `resumable()` gives a checkpoint file (engine.checkpoint) that, passed back
    as `resume`, continues the run after that epoch exactly as it would have
    gone on. Epochs up to the checkpoint's are not reported again.

    Returns the model (best epoch's weights if early stopping restored them),
    or None if no model was built.
    """
    model = None
    try:
        # Overflow while diverging is reported once, as a failed run, not as warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            model = _Run(request, on_event, run_id, data_dir, should_stop, on_checkpoint,
                         extra_train, resume).run()
    except Stopped:
        on_event(events.done("stopped"))
    except (Diverged, DataUnavailable, CorrectionsError) as exc:
        on_event(events.done("failed", error=str(exc)))
    except Exception as exc:  # noqa: BLE001 - the run must end visibly, whatever broke
        on_event(events.done("failed", error=f"{type(exc).__name__}: {exc}"))
    return model


class _Run:
    """One training run's state; `run()` is the loop."""

    def __init__(self, req, on_event, run_id, data_dir, should_stop, on_checkpoint, extra_train, resume=None):
        self.req, self.emit, self.run_id = req, on_event, run_id
        self.should_stop = should_stop or (lambda: False)
        self.on_checkpoint = on_checkpoint
        self.resume = resume
        #: early stopping's best (score, epoch, weights) so far
        self.best: tuple[float, int, dict[str, np.ndarray] | None] = (-np.inf, 0, None)
        self.data_dir = data_dir
        self.extra_train = extra_train

    def _prepare(self) -> None:
        req = self.req
        self.x_fix, self.l_fix = self._corrections(DATASET_INFO[req.dataset])  # before a long load
        ds = load_dataset(req.dataset, data_dir=self.data_dir, noise=req.noise,
                          n_points=req.n_points, seed=req.seed)
        self.kind = ds.info.kind
        n_train, n_val = split_sizes(req)
        self.model = Model.new(req)
        self.net = self.model.network
        units = req.network.layers[-1].units
        self.n_part = n_train + n_val
        self.x_train, self.l_train = ds.x_train[:n_train], ds.y_train[:n_train]
        self.x_val = ds.x_train[n_train:n_train + n_val]
        self.l_val = ds.y_train[n_train:n_train + n_val]
        self.x_test, self.l_test = ds.x_test, ds.y_test
        self._add_corrections()
        self.t_fix = targets_for(self.l_fix, units, self.kind)
        self.t_train = targets_for(self.l_train, units, self.kind)
        self.t_val = targets_for(self.l_val, units, self.kind)
        self.t_test = targets_for(self.l_test, units, self.kind)
        self.ds = ds
        self.shuffle_rng, self.augment_rng = (np.random.default_rng(s) for s in
                                              np.random.SeedSequence([req.seed, 1]).spawn(2))
        reg = req.network.regularization
        self.l1, self.l2 = reg.l1, reg.l2
        opt = req.network.optimizer
        self.opt = make_optimizer(opt.kind, opt.learning_rate, **opt.hyper())

    def _corrections(self, info: DatasetInfo) -> tuple[np.ndarray, np.ndarray]:
        """The student's corrections, un-repeated (empty when the request does not ask for them)."""
        input_shape, classes = tuple(info.input_shape), max(info.classes, 2)
        none = (np.empty((0, *input_shape), np.float32), np.empty(0, np.int64))
        if self.req.corrections is None:
            if self.extra_train is not None and len(self.extra_train[0]):
                raise CorrectionsError('corrections were given but the request does not ask for them: '
                                       'add "corrections": {"repeat": 20} to it')
            return none
        if self.extra_train is None or len(self.extra_train[0]) == 0:
            raise CorrectionsError(NO_CORRECTIONS)
        x, labels = np.asarray(self.extra_train[0], np.float32), np.asarray(self.extra_train[1])
        if x.shape[1:] != input_shape or labels.shape != (len(x),):
            raise CorrectionsError(f"the corrections must be {'×'.join(map(str, input_shape))} images "
                                   f"with one label each, not {x.shape} and {labels.shape} labels")
        if labels.min() < 0 or labels.max() >= classes:
            raise CorrectionsError(f"the corrections' labels must be classes 0..{classes - 1}")
        return x, labels.astype(np.int64)

    def _add_corrections(self) -> None:
        """Each correction joins the training part `repeat` times (after it was cut to
        train_size), to be shuffled and augmented like any other example."""
        if len(self.x_fix):
            repeat = self.req.corrections.repeat
            self.x_train = np.concatenate([self.x_train, *[self.x_fix] * repeat])
            self.l_train = np.concatenate([self.l_train, *[self.l_fix] * repeat])

    def _corrections_metrics(self) -> dict[str, Any]:
        """Accuracy on the (un-repeated) corrections: has the network learnt the student's digits?"""
        if not len(self.x_fix):
            return {}
        accuracy = self._evaluate(self.x_fix, self.t_fix, self.l_fix).accuracy
        return {"corrections_accuracy": round(float(accuracy), 6)}

    def _labels(self, labels):
        return None if self.kind == "regression" else labels

    def _evaluate(self, x, targets, labels):
        reg = self.net.regularization_cost(self.l1, self.l2, len(self.x_train))
        return evaluate(self.net, x, targets, self._labels(labels), reg)

    def run(self) -> Model:
        self._prepare()
        req, net = self.req, self.net
        layers = [{"type": s.type, "output_shape": list(ly.output_shape), "parameters": ly.n_params}
                  for s, ly in zip(req.network.layers, net.layers, strict=True)]
        done_before = self._resume()
        resumed = {"resumed_after_epoch": done_before} if done_before else {}
        self.emit(events.started(self.run_id, net.n_params, len(self.x_train), len(self.x_val),
                                 layers, input_shape=list(net.input_shape), kind=self.kind,
                                 n_corrections=len(self.x_fix), **plot_points(self.ds, self.n_part),
                                 **resumed))
        probe = (self.x_val if len(self.x_val) else self.x_test)[:1]
        n_eval = min(len(self.x_train), TRAIN_EVAL_SIZE)
        n = done_before
        # a checkpoint taken at the epoch early stopping ended on has nothing left to train
        first = req.epochs + 1 if self._patience_over(done_before) else done_before + 1
        for n in range(first, req.epochs + 1):
            t0 = time.perf_counter()
            self._epoch()
            seconds = time.perf_counter() - t0
            tr = self._evaluate(self.x_train[:n_eval], self.t_train[:n_eval], self.l_train[:n_eval])
            va = self._evaluate(self.x_val, self.t_val, self.l_val)
            if not np.isfinite(tr.loss):
                raise Diverged(f"the loss became {tr.loss} in epoch {n}: the weights blew up. "
                               f"Try a smaller learning rate (now {req.network.optimizer.learning_rate}).")
            self.emit(events.epoch(n, tr.loss, tr.accuracy, va.loss if len(self.x_val) else None,
                                   va.accuracy, seconds, len(self.x_train) / seconds,
                                   **self._corrections_metrics(), **self._visuals()))
            for index, maps in feature_map_layers(req, net, probe):
                self.emit(events.feature_maps(n, index, maps))
            self._diagnostics(n)
            score = -va.loss if va.accuracy is None else va.accuracy
            if len(self.x_val) and score > self.best[0]:
                self.best = (score, n, {k: v.copy() for k, v in net.state().items()})
            if self.on_checkpoint:
                self.on_checkpoint(self.model, n, lambda n=n: state_to_bytes(self.model, self._state(n)))
            if self._patience_over(n):
                break
        stopped_early = None
        _, best_epoch, best_weights = self.best
        if req.early_stopping.patience and best_weights is not None and best_epoch != n:
            net.load_state(best_weights)
            stopped_early = {"epoch": n, "best_epoch": best_epoch}
        self.emit(self._done(stopped_early))
        return self.model

    def _patience_over(self, n: int) -> bool:
        """Early stopping: `patience` epochs after epoch n without a better validation score."""
        patience = self.req.early_stopping.patience
        return bool(patience and len(self.x_val) and n - self.best[1] >= patience)

    def _rngs(self) -> dict[str, np.random.Generator]:
        return {"shuffle": self.shuffle_rng, "augment": self.augment_rng, "dropout": self.net.dropout_rng}

    def _state(self, n: int) -> TrainingState:
        """Everything needed to go on after epoch n as if the run had never stopped."""
        score, epoch, weights = self.best
        return TrainingState(epoch=n, optimizer=self.opt.state, optimizer_steps=getattr(self.opt, "t", None),
                             rngs={k: g.bit_generator.state for k, g in self._rngs().items()},
                             best_score=score, best_epoch=epoch, best_weights=weights)

    def _resume(self) -> int:
        """Restore the checkpoint given as `resume`; the epochs it had completed (0: start afresh).
        A checkpoint of another request, or a plain model file, is not resumed from."""
        found = state_from_bytes(self.resume) if self.resume else None
        if found is None or found[0].request != self.req:
            return 0
        model, state = found
        self.net.load_state(model.network.state())
        self.opt.state = state.optimizer
        if state.optimizer_steps is not None:
            self.opt.t = state.optimizer_steps
        for role, g in self._rngs().items():
            g.bit_generator.state = state.rngs[role]
        self.best = (state.best_score, state.best_epoch, state.best_weights)
        return state.epoch

    def _epoch(self) -> None:
        req = self.req
        perm = self.shuffle_rng.permutation(len(self.x_train))
        x, t = self.x_train[perm], self.t_train[perm]
        aug = req.augment
        if aug.shift or aug.rotate:
            x = augment_images(x, self.augment_rng, aug.shift, aug.rotate)
        train_epoch(self.net, self.opt, x, t, req.batch_size, self.l1, self.l2, self.should_stop)

    def _visuals(self) -> dict[str, Any]:
        if self.ds.info.input_shape == (2,):
            return {"boundary": boundary(self.net, self.ds)}
        if self.kind == "regression":
            return fitted_line(self.req, self.net, self.ds)
        return {}

    def _diagnostics(self, n: int) -> None:
        """Gradient norms and histograms on the first PROBE training examples."""
        x, t = self.x_train[:PROBE], self.t_train[:PROBE]
        self.emit(events.gradients(n, gradient_norms(self.net, x, t)))
        self.emit(events.histograms(n, histograms(self.net, x)))

    def _done(self, stopped_early) -> dict[str, Any]:
        if len(self.x_test) == 0:
            return events.done("completed")
        te = self._evaluate(self.x_test, self.t_test, self.l_test)
        extra: dict[str, Any] = {"test_loss": te.loss, "early_stopping": stopped_early}
        if te.predicted is None:
            return events.done("completed", **extra)
        k = max(self.ds.info.classes, 2)
        cm = confusion_matrix(te.predicted, self.l_test, k)
        extra["confusion_matrix"] = cm.tolist()
        extra["per_class_accuracy"] = (np.diag(cm) / np.maximum(cm.sum(axis=1), 1)).round(5).tolist()
        if k == 2:
            scores = to_probabilities(self.model.outputs(self.x_test), "classification")[:, 1]
            extra["roc"] = roc_curve(scores, self.l_test)
        if len(self.ds.info.input_shape) == 3:
            extra["misclassified"] = misclassified(self.x_test, self.l_test, te.predicted)
        return events.done("completed", te.accuracy, **extra)
