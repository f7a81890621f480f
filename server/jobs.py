"""One training job inside a worker process: engine events and checkpoints go to an outlet.

The outlet is the pipe to the web process in the embedded pool, or Redis and
the database for `python -m server.worker` (server/scale/outlet.py): both take
the same messages, so there is one job runner. The `done` event is held back
until the final model is on its way, so a client that sees `done` can
immediately download or query that model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from engine.corrections import training_arrays
from engine.model import Model, model_to_bytes
from engine.spec import TrainRequest
from engine.train import train
from server import events
from server.worker import Controls, Job

#: a running model is saved at most this often (and always after the first and last epoch)
CHECKPOINT_SECONDS = 1.0
#: how long a paused run sleeps between looks at the stop flag
PAUSE_POLL_SECONDS = 0.2


class Outlet(Protocol):
    """Takes ("event", run_id, WireEvent) and ("model", run_id, epoch, bytes), in order."""

    def send(self, message: tuple[Any, ...]) -> None: ...


def run_job(job: Job, out: Outlet, controls: Controls, data_dir: Path | None) -> None:
    held: list[events.WireEvent] = []
    saved = {"at": float("-inf"), "epoch": 0}

    def on_event(event: dict) -> None:
        wire = events.encode(event)
        if wire.is_done:
            held.append(wire)
        else:
            out.send(("event", job.run_id, wire))

    def on_checkpoint(model: Model, epoch: int, resumable: Callable[[], bytes]) -> None:
        saved["epoch"] = epoch
        if time.monotonic() - saved["at"] >= CHECKPOINT_SECONDS:
            out.send(("model", job.run_id, epoch, resumable()))
            saved["at"] = time.monotonic()

    def should_stop() -> bool:
        """Blocks while paused; a run paused for too long is stopped, freeing the worker."""
        give_up = time.monotonic() + job.max_pause_seconds
        while not controls.go.wait(PAUSE_POLL_SECONDS) and not controls.stop.is_set():
            if time.monotonic() > give_up:
                return True
        return controls.stop.is_set()

    model = train(
        TrainRequest.model_validate(job.request),
        on_event,
        run_id=job.run_id,
        data_dir=data_dir,
        should_stop=should_stop,
        on_checkpoint=on_checkpoint,
        extra_train=training_arrays(*job.corrections) if job.corrections else None,
        resume=job.resume,
    )
    if model is not None and saved["epoch"]:
        out.send(("model", job.run_id, saved["epoch"], model_to_bytes(model)))
    last = held[-1] if held else events.done(job.run_id, "failed", "the engine ended without a result")
    out.send(("event", job.run_id, last))
