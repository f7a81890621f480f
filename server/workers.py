"""The pool of long-lived training processes and the thread that listens to them.

Each slot has its own job pipe, event pipe and stop/pause flags, so a worker
killed in the middle of a write can only break its own pipe. One reader
thread in the web process waits on every event pipe and process sentinel at
once; it hands messages to a listener in batches, reports a dead worker
after reading everything it sent, and starts a replacement.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

from server import worker
from server.worker import Controls, Job

log = logging.getLogger(__name__)

#: a worker that dies before it is ready (e.g. a broken install) is restarted after this long
RESPAWN_BACKOFF_SECONDS = 5.0
SHUTDOWN_SECONDS = 3.0

Message = tuple[Any, ...]


class PoolListener(Protocol):
    """Called from the pool's reader thread, never from the event loop."""

    def on_messages(self, batch: list[tuple[int, Message]]) -> None: ...

    def on_worker_lost(self, slot: int, pid: int, exitcode: int | None) -> None: ...


class WorkerGone(Exception):
    """The worker a job was meant for is no longer the one in its slot."""


@dataclass
class _Worker:
    process: BaseProcess
    jobs: Connection
    events: Connection
    controls: Controls
    started: float = field(default_factory=time.monotonic)
    ready: bool = False
    pipe_open: bool = True

    @property
    def pid(self) -> int:
        return self.process.pid or 0


class WorkerPool:
    def __init__(self, size: int, data_dir: Path | None, listener: PoolListener) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._data_dir = data_dir
        self._threads = max(1, (os.cpu_count() or 1) // max(size, 1))
        self._listener = listener
        self._lock = threading.Lock()
        self._workers: list[_Worker | None] = [None] * size
        self._respawn_at: dict[int, float] = {}
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._closing = False
        self._reader = threading.Thread(target=self._read_loop, name="nnplay-pool", daemon=True)

    def start(self) -> None:
        with self._lock:
            for slot in range(len(self._workers)):
                self._workers[slot] = self._spawn(slot)
        self._reader.start()

    def close(self) -> None:
        """Ask every worker to stop, then make sure none is left behind."""
        self._closing = True
        self._wake_w.send(None)
        self._reader.join()
        with self._lock:
            live = [w for w in self._workers if w]
        for w in live:
            w.controls.stop.set()
            w.controls.go.set()
            with contextlib.suppress(OSError):
                w.jobs.send(None)
        deadline = time.monotonic() + SHUTDOWN_SECONDS
        for w in live:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()

    def pids(self) -> list[int | None]:
        with self._lock:
            return [w.pid if w else None for w in self._workers]

    # -- control, from the event loop -------------------------------------------

    def submit(self, slot: int, pid: int, job: Job) -> None:
        w = self._current(slot, pid)
        w.controls.stop.clear()
        w.controls.go.set()
        try:
            w.jobs.send(job)
        except OSError as exc:
            raise WorkerGone(str(exc)) from None

    def stop(self, slot: int, pid: int) -> None:
        w = self._current(slot, pid)
        w.controls.stop.set()
        w.controls.go.set()

    def pause(self, slot: int, pid: int, paused: bool) -> None:
        go = self._current(slot, pid).controls.go
        if paused:
            go.clear()
        else:
            go.set()

    def _current(self, slot: int, pid: int) -> _Worker:
        with self._lock:
            w = self._workers[slot]
        if w is None or w.pid != pid:
            raise WorkerGone(f"worker {pid} in slot {slot} has been replaced")
        return w

    # -- processes ---------------------------------------------------------------

    def _spawn(self, slot: int) -> _Worker:
        jobs_r, jobs_w = self._ctx.Pipe(duplex=False)
        events_r, events_w = self._ctx.Pipe(duplex=False)
        controls = Controls(stop=self._ctx.Event(), go=self._ctx.Event())
        controls.go.set()
        process = self._ctx.Process(
            target=worker.main,
            args=(jobs_r, events_w, controls, self._data_dir, self._threads),
            name=f"nnplay-worker-{slot}",
            daemon=True,
        )
        process.start()
        jobs_r.close()  # the child holds these ends now; closing ours makes its death an EOF
        events_w.close()
        log.info("worker slot %d started (pid %d)", slot, process.pid)
        return _Worker(process, jobs_w, events_r, controls)

    # -- the reader thread ---------------------------------------------------------

    def _read_loop(self) -> None:
        while not self._closing:
            try:
                self._read_once()
            except Exception:  # this thread must outlive any one bad message or failed write
                log.exception("the worker pool's reader hit an error; carrying on")

    def _read_once(self) -> None:
        with self._lock:
            workers = {slot: w for slot, w in enumerate(self._workers) if w}
        pipes = {w.events: slot for slot, w in workers.items() if w.pipe_open}
        sentinels = {w.process.sentinel: slot for slot, w in workers.items()}
        ready = wait([*pipes, *sentinels, self._wake_r], timeout=self._respawn_timeout())
        batch: list[tuple[int, Message]] = []
        for obj in ready:
            if obj in pipes:
                batch += self._drain(pipes[obj], workers[pipes[obj]])
        if batch:
            self._listener.on_messages(batch)
        for obj in ready:
            if obj in sentinels:
                self._bury(sentinels[obj], workers[sentinels[obj]])
        if self._wake_r in ready:
            self._wake_r.recv()
        self._respawn_due()

    @staticmethod
    def _drain(slot: int, w: _Worker) -> list[tuple[int, Message]]:
        """Every complete message waiting in a worker's pipe."""
        out = []
        try:
            while w.pipe_open and w.events.poll():
                msg = w.events.recv()
                if msg[0] == "ready":
                    w.ready = True
                out.append((slot, msg))
        except (EOFError, OSError):
            w.pipe_open = False  # dead or dying; its sentinel tells the rest
        return out

    def _bury(self, slot: int, w: _Worker) -> None:
        """Schedule a dead worker's replacement, then deliver its last words and report it."""
        last = self._drain(slot, w)
        w.process.join()
        w.jobs.close()
        w.events.close()
        with self._lock:
            self._workers[slot] = None
        delay = 0.0 if w.ready else RESPAWN_BACKOFF_SECONDS
        self._respawn_at[slot] = time.monotonic() + delay
        log.warning("worker slot %d (pid %d) exited with code %s", slot, w.pid, w.process.exitcode)
        try:
            if last:
                self._listener.on_messages(last)
        finally:
            self._listener.on_worker_lost(slot, w.pid, w.process.exitcode)

    def _respawn_timeout(self) -> float | None:
        if not self._respawn_at:
            return None
        return max(0.0, min(self._respawn_at.values()) - time.monotonic())

    def _respawn_due(self) -> None:
        now = time.monotonic()
        for slot, at in list(self._respawn_at.items()):
            if at <= now and not self._closing:
                del self._respawn_at[slot]
                replacement = self._spawn(slot)
                with self._lock:
                    self._workers[slot] = replacement
