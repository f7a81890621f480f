"""A worker's heartbeat thread: keeps Redis informed while the main thread trains.

Every tick it mirrors the current run's stop and pause flags into the job's
`Controls` (which the training loop polls between mini-batches); every few
ticks it renews the run's lease and re-announces the worker. If the lease
turns out to be someone else's, the run was reclaimed: the job is told to stop.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import redis

from server.scale import keys, registry
from server.scale.connect import TRANSIENT
from server.scale.queue import Claim, RedisQueue
from server.worker import Controls

log = logging.getLogger(__name__)

TICK_SECONDS = 0.2


@dataclass
class _Holding:
    claim: Claim
    controls: Controls
    renewed: float = 0.0


class Heartbeat(threading.Thread):
    def __init__(self, client: redis.Redis, queue: RedisQueue, worker_id: str) -> None:
        super().__init__(name="nnplay-heartbeat", daemon=True)
        self._r = client
        self._queue = queue
        self._worker_id = worker_id
        self._holding: _Holding | None = None
        self._announced = 0.0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        #: set when the current run was reclaimed from this worker
        self.lost = threading.Event()

    def hold(self, claim: Claim, controls: Controls) -> None:
        with self._lock:
            self._holding = _Holding(claim, controls, time.monotonic())
            self.lost.clear()
        self._announce(force=True)

    def release(self) -> None:
        with self._lock:
            self._holding = None
        self._announce(force=True)

    def close(self) -> None:
        self._closing.set()

    def run(self) -> None:
        while not self._closing.wait(TICK_SECONDS):
            try:
                self._tick()
            except TRANSIENT:
                pass  # Redis is restarting; the lease outlives a short outage
            except Exception:
                log.exception("heartbeat failed; carrying on")

    def _tick(self) -> None:
        with self._lock:
            holding = self._holding
        if holding is not None:
            claim, controls = holding.claim, holding.controls
            if time.monotonic() - holding.renewed >= self._queue.lease_seconds / 4:
                if not self._queue.renew(claim.run_id, self._worker_id, claim.attempt):
                    log.warning("run %s was reclaimed from this worker; abandoning it", claim.run_id)
                    self.lost.set()
                    controls.stop.set()
                    controls.go.set()
                    return
                holding.renewed = time.monotonic()
            stop, paused = self._r.hmget(keys.run(claim.run_id), "stop", "paused")
            if stop == b"1":
                controls.stop.set()
                controls.go.set()
            elif paused == b"1":
                controls.go.clear()
            else:
                controls.go.set()
        self._announce()

    def _announce(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._announced < registry.ANNOUNCE_SECONDS:
            return
        with self._lock:
            run_id = self._holding.claim.run_id if self._holding else None
        try:
            registry.announce(self._r, self._worker_id, "busy" if run_id else "idle", run_id)
            self._announced = time.monotonic()
        except TRANSIENT:
            pass
