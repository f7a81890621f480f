"""Events as they travel through the server: JSON text encoded once, plus the fields it acts on.

The engine builds the event dicts; the worker encodes each one once (adding
`emitted_at`, the wall-clock time it left the worker) and the web process
stores and forwards that same text to every socket without re-encoding.
The few events the server itself makes (a run that never reached a worker,
a worker that died, queue places, pause) are built here.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from engine import events as engine_events

DONE = "done"
FEATURE_MAPS = "feature_maps"
EPOCH = "epoch"


@dataclass(frozen=True, slots=True)
class WireEvent:
    """One event ready for the wire; `text` is exactly what clients receive."""

    type: str
    text: str
    layer: int | None = None
    #: the epoch an epoch, feature_maps, gradients or histograms event belongs to
    epoch: int | None = None
    #: wall-clock time the event left its worker (for the event-latency metric)
    emitted_at: float | None = None
    status: str | None = None
    error: str | None = None
    test_accuracy: float | None = None

    @property
    def is_done(self) -> bool:
        return self.type == DONE


def encode(event: dict[str, Any]) -> WireEvent:
    """Stamp and encode an event dict; non-finite floats become null so browsers can parse it."""
    emitted_at = time.time()
    event = {**event, "emitted_at": emitted_at}
    try:
        text = json.dumps(event, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(event), separators=(",", ":"))
    return WireEvent(
        type=str(event.get("type")),
        text=text,
        layer=event.get("layer"),
        epoch=event.get("epoch"),
        emitted_at=emitted_at,
        status=event.get("status"),
        error=event.get("error"),
        test_accuracy=event.get("test_accuracy"),
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def done(run_id: str, status: str, error: str | None = None) -> WireEvent:
    """The closing event for a run the engine could not close itself."""
    return encode(engine_events.done(status, error=error, run_id=run_id))


def queued(run_id: str, position: int) -> WireEvent:
    """The run's 1-based place in the queue (not stored: only the current place matters)."""
    return encode({"type": "queued", "run_id": run_id, "position": position})


def paused(run_id: str, is_paused: bool) -> WireEvent:
    return encode({"type": "paused" if is_paused else "resumed", "run_id": run_id})


def retried(run_id: str, attempt: int, after_epoch: int, reason: str) -> WireEvent:
    """A run whose worker was lost goes on in another worker: epochs up to `after_epoch`
    are not sent again."""
    return encode({"type": "retried", "run_id": run_id, "attempt": attempt,
                   "after_epoch": after_epoch, "reason": reason})
