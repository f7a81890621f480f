"""One job as a worker runs it, in-process: what goes down the pipe, and in which order."""

from __future__ import annotations

import threading
from typing import Any

from engine.model import model_from_bytes
from server.jobs import run_job
from server.worker import Controls, Job
from tests.api.samples import xor


class Pipe:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def send(self, message: tuple[Any, ...]) -> None:
        self.sent.append(message)

    def kinds(self) -> list[str]:
        return [m[0] if m[0] == "model" else m[2].type for m in self.sent]


def controls(paused: bool = False) -> Controls:
    flags = Controls(stop=threading.Event(), go=threading.Event())
    if not paused:
        flags.go.set()
    return flags


def test_done_is_sent_after_the_final_model() -> None:
    out = Pipe()
    run_job(Job("r1", xor(epochs=3), 60), out, controls(), None)  # type: ignore[arg-type]
    kinds = out.kinds()
    assert kinds[0] == "started" and kinds.count("epoch") == 3
    assert kinds[-2:] == ["model", "done"]
    assert model_from_bytes(out.sent[-2][3]).input_shape == (2,)
    assert '"emitted_at":' in out.sent[-1][2].text


def test_a_run_paused_too_long_is_stopped() -> None:
    out = Pipe()
    run_job(Job("r2", xor(), 0.3), out, controls(paused=True), None)  # type: ignore[arg-type]
    assert out.sent[-1][2].status == "stopped"


def test_the_stop_flag_ends_the_run() -> None:
    out, flags = Pipe(), controls()
    flags.stop.set()
    run_job(Job("r3", xor(), 60), out, flags, None)  # type: ignore[arg-type]
    assert out.kinds()[-1] == "done" and out.sent[-1][2].status == "stopped"


def test_a_diverging_run_fails_and_suggests_a_smaller_learning_rate() -> None:
    out = Pipe()
    request = {
        "dataset": "line",
        "epochs": 50,
        "network": {
            "layers": [{"type": "dense", "units": 1, "activation": "linear"}],
            "cost": "quadratic",
            "optimizer": {"kind": "sgd", "learning_rate": 1000.0},
        },
    }
    run_job(Job("r4", request, 60), out, controls(), None)  # type: ignore[arg-type]
    done = out.sent[-1][2]
    assert done.status == "failed" and "smaller learning rate" in done.error
    assert "NaN" not in done.text and "Infinity" not in done.text  # the wire stays valid JSON
