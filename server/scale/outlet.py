"""`run_job`'s outlet in a Redis worker: events to the database and the run's stream,
checkpoints to the database.

On a retry the engine trains again from the start with the same seed, which
repeats the same epochs; what the first attempt already published (its
`started`, its epochs up to the last one recorded) is not published twice, so
the run's history reads as one run that carried on.
"""

from __future__ import annotations

import threading
from typing import Any

from server.events import DONE, WireEvent
from server.scale.channel import Channel, Fenced
from server.scale.queue import Claim
from server.store import Store


class RedisOutlet:
    def __init__(self, channel: Channel, store: Store, claim: Claim, lost: threading.Event) -> None:
        """`lost` is the heartbeat's word that the run was reclaimed (checked before each write,
        so a worker that lost its run writes nothing more; the stream's script checks too)."""
        self._channel = channel
        self._store = store
        self._claim = claim
        self._lost = lost
        #: set once the run was reclaimed from this worker: nothing more is written for it
        self.fenced = False

    def send(self, message: tuple[Any, ...]) -> None:
        if self._lost.is_set():
            self.fenced = True
        if self.fenced:
            return
        if message[0] == "model":
            _, run_id, epoch, data = message
            self._store.save_model(run_id, epoch, data)
            return
        _, run_id, event = message
        if self._already_published(event):
            return
        try:
            self._channel.publish(run_id, self._claim.client, event, self._claim.attempt)
        except Fenced:
            self.fenced = True
            raise

    def _already_published(self, event: WireEvent) -> bool:
        if event.type == "started":
            return self._claim.started
        return event.type != DONE and event.epoch is not None and event.epoch <= self._claim.after_epoch
