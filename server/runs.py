"""The run manager: queue, worker assignment, event fan-out, stop/pause/resume.

Waiting runs are handed out fairly across clients (`FairQueue`): a client's
sweep of many runs alternates with other clients' runs instead of holding
the workers until it is done.

All state here lives on the event loop thread. The pool's reader thread
calls `on_messages` / `on_worker_lost`; those store what must be stored and
hop to the loop with `call_soon_threadsafe`. A run's events are stored
before it is forgotten from memory, so a client that subscribes at any
moment gets either the in-memory log or the stored one, never a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server import events
from server.errors import unknown_run
from server.events import EPOCH, WireEvent
from server.fairqueue import FairQueue
from server.fanout import Outbox
from server.ids import new_run_id
from server.metrics import Histogram
from server.runservice import Gauges, RunState, admit, not_pausable
from server.settings import Settings
from server.store import Store, SweepRecord
from server.worker import Job
from server.workers import Message, WorkerGone, WorkerPool

RESTARTED = "the server restarted while the run was in progress"


@dataclass
class LiveRun:
    """A run that is queued or running (or has just ended and is being persisted)."""

    run_id: str
    request: dict[str, Any]
    client: str
    #: pixels and labels of the corrections the request asks for, until a worker has them
    corrections: tuple[Any, Any] | None = None
    sweep_id: str | None = None
    status: str = "queued"
    paused: bool = False
    position: int | None = None
    slot: int | None = None
    log: list[WireEvent] = field(default_factory=list)
    outboxes: set[Outbox] = field(default_factory=set)

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")


@dataclass
class _Slot:
    pid: int
    run_id: str | None = None


class RunManager:
    def __init__(self, settings: Settings, store: Store) -> None:
        self._settings = settings
        self._store = store
        self._live: dict[str, LiveRun] = {}
        self._queue = FairQueue()
        self._slots: dict[int, _Slot] = {}  # ready workers only
        self._pool = WorkerPool(settings.workers, settings.data_dir, self) if settings.workers else None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: called with the run id on the event reader thread once a run's done event is stored
        self.done_hooks: list[Callable[[str], None]] = []
        self.latency = Histogram()
        self._epochs = 0

    async def start(self) -> None:
        """Close runs a previous process left open, then start the workers (call on the loop)."""
        self._loop = asyncio.get_running_loop()
        for run_id in self._store.unfinished():
            self._store.append_events([(run_id, events.done(run_id, "failed", RESTARTED))])
        if self._pool:
            self._pool.start()

    async def close(self) -> None:
        if self._pool:
            self._pool.close()

    # -- questions -------------------------------------------------------------------

    def live(self, run_id: str) -> LiveRun | None:
        return self._live.get(run_id)

    def workers(self) -> list[dict[str, Any]]:
        pids = self._pool.pids() if self._pool else []
        out = []
        for slot, pid in enumerate(pids):
            ready = self._slots.get(slot)
            state = "busy" if ready and ready.run_id else "idle" if ready else "starting"
            out.append({"slot": slot, "pid": pid, "state": state, "run_id": ready and ready.run_id})
        return out

    async def states(self, run_ids: list[str]) -> dict[str, RunState]:
        """Status, pause and queue place of those of the runs that are queued or running."""
        live = ((run_id, self._live.get(run_id)) for run_id in run_ids)
        return {run_id: RunState(run.status, run.paused, run.position) for run_id, run in live if run}

    async def gauges(self) -> Gauges:
        return Gauges("embedded", len(self._queue), self._epochs, self.workers())

    # -- commands (event loop) -------------------------------------------------------------

    async def submit(self, request: dict[str, Any], client: str,
               corrections: tuple[Any, Any] | None = None) -> str:
        """Queue a validated request (with the corrections' pixels and labels when it asks for
        them); refuses when a limit would be exceeded."""
        self._admit(client, 1)
        run_id = new_run_id()
        self._store.create_run(run_id, request)
        self._enqueue(LiveRun(run_id, request, client, corrections))
        self._dispatch()
        return run_id

    async def submit_sweep(self, sweep: SweepRecord, requests: list[dict[str, Any]]) -> None:
        """Store and queue all the runs of a sweep (validated requests, in `sweep.runs` order),
        or none of them when a limit would be exceeded."""
        self._admit(sweep.client, len(requests))
        self._store.create_sweep(sweep, requests)
        for (run_id, _), request in zip(sweep.runs, requests, strict=True):
            self._enqueue(LiveRun(run_id, request, sweep.client, sweep_id=sweep.sweep_id))
        self._dispatch()

    def _admit(self, client: str, n_runs: int) -> None:
        jobs = {r.sweep_id or r.run_id for r in self._live.values() if r.client == client and r.active}
        admit(self._settings.server_limits, len(jobs), len(self._queue), n_runs)

    def _enqueue(self, run: LiveRun) -> None:
        self._live[run.run_id] = run
        self._queue.push(run.client, run.run_id)

    async def stop(self, run_id: str) -> str:
        """Stop a queued or running run; a finished run is left as it is. Returns the status."""
        run = self._live.get(run_id)
        if run is None or not run.active:
            return self._status(run_id)
        if run.status == "queued":
            self._queue.remove(run_id)
            self._finish(run, "stopped")
        else:
            self._signal(run, lambda pool, slot, pid: pool.stop(slot, pid))
        return run.status

    async def pause(self, run_id: str, paused: bool) -> RunState:
        run = self._live.get(run_id)
        if run is None or run.status != "running":
            raise not_pausable(run_id, self._status(run_id))
        if run.paused != paused:
            self._signal(run, lambda pool, slot, pid: pool.pause(slot, pid, paused))
            run.paused = paused
            event = events.paused(run_id, paused)
            self._store.append_events([(run_id, event)])
            self._deliver(run_id, event)
        return RunState(run.status, run.paused, run.position)

    async def subscribe(self, run_id: str) -> tuple[list[WireEvent], Outbox] | None:
        """Everything sent so far and an outbox for what follows; None if the run is not live."""
        run = self._live.get(run_id)
        if run is None:
            return None
        outbox = Outbox(self._settings.client_buffer)
        run.outboxes.add(outbox)
        if run.position is not None:
            outbox.push(events.queued(run_id, run.position))
        return list(run.log), outbox

    def unsubscribe(self, run_id: str, outbox: Outbox) -> None:
        run = self._live.get(run_id)
        if run:
            run.outboxes.discard(outbox)

    # -- from the pool's reader thread --------------------------------------------------------

    def on_messages(self, batch: list[tuple[int, Message]]) -> None:
        """Store the batch's events, then deliver them: what a client has seen survives a crash."""
        rows: list[tuple[str, WireEvent]] = []
        for slot, msg in batch:
            kind = msg[0]
            if kind == "event":
                _, run_id, event = msg
                rows.append((run_id, event))
                self._epochs += event.type == EPOCH
            elif kind == "model":
                _, run_id, epoch, data = msg
                self._store.save_model(run_id, epoch, data)
            elif kind == "ready":
                self._call(self._worker_ready, slot, msg[1])
        if rows:
            self._store.append_events(rows)
        for run_id, event in rows:
            self._call(self._deliver, run_id, event)
        for run_id, event in rows:
            if event.is_done:
                self._call(self._forget, run_id)
                for hook in self.done_hooks:
                    hook(run_id)

    def on_worker_lost(self, slot: int, pid: int, exitcode: int | None) -> None:
        self._call(self._worker_lost, slot, pid, exitcode)

    # -- event loop internals --------------------------------------------------------------

    def _call(self, fn: Any, *args: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(fn, *args)

    def _status(self, run_id: str) -> str:
        run = self._live.get(run_id)
        if run:
            return run.status
        record = self._store.run(run_id)
        if record is None:
            raise unknown_run(run_id)
        return record.status

    def _signal(self, run: LiveRun, action: Any) -> None:
        slot = self._slots.get(run.slot) if run.slot is not None else None
        if self._pool is None or slot is None:
            return
        with contextlib.suppress(WorkerGone):  # its loss is being reported and will end the run
            action(self._pool, run.slot, slot.pid)

    def _deliver(self, run_id: str, event: WireEvent) -> None:
        run = self._live.get(run_id)
        if run is None or not run.active:
            return
        run.log.append(event)
        if event.emitted_at is not None:
            self.latency.observe(time.time() - event.emitted_at)
        for outbox in run.outboxes:
            outbox.push(event)
        if event.is_done:
            run.status = event.status or "failed"
            self._release(run)

    def _forget(self, run_id: str) -> None:
        run = self._live.get(run_id)
        if run is not None and not run.active:
            del self._live[run_id]

    def _finish(self, run: LiveRun, status: str, error: str | None = None) -> None:
        """End a run the engine cannot end itself (never started, or its worker died)."""
        event = events.done(run.run_id, status, error)
        self._store.append_events([(run.run_id, event)])
        self._deliver(run.run_id, event)
        self._forget(run.run_id)

    def _release(self, run: LiveRun) -> None:
        slot = self._slots.get(run.slot) if run.slot is not None else None
        if slot and slot.run_id == run.run_id:
            slot.run_id = None
        run.slot = None
        self._dispatch()

    def _worker_ready(self, slot: int, pid: int) -> None:
        self._slots[slot] = _Slot(pid)
        self._dispatch()

    def _worker_lost(self, slot: int, pid: int, exitcode: int | None) -> None:
        state = self._slots.get(slot)
        if state is None or state.pid != pid:
            return
        del self._slots[slot]
        run = self._live.get(state.run_id) if state.run_id else None
        if run and run.active:
            self._finish(
                run,
                "failed",
                f"the worker process running this run stopped unexpectedly (exit code {exitcode})",
            )

    def _dispatch(self) -> None:
        """Give waiting runs to idle workers, fairly across clients (see `FairQueue`)."""
        idle = [(slot, state) for slot, state in self._slots.items() if state.run_id is None]
        for slot, state in idle:
            run_id = self._queue.peek()
            if run_id is None or self._pool is None:
                break
            run = self._live[run_id]
            try:
                job = Job(run.run_id, run.request, self._settings.server_limits.max_pause_seconds,
                          run.corrections)
                self._pool.submit(slot, state.pid, job)
            except WorkerGone:
                del self._slots[slot]
                continue
            self._queue.take(run_id)
            state.run_id, run.slot, run.status, run.position = run.run_id, slot, "running", None
            run.corrections = None  # the worker has them now
            self._store.set_status(run.run_id, "running")
        self._announce_positions()

    def _announce_positions(self) -> None:
        for place, run_id in enumerate(self._queue.order(), start=1):
            run = self._live[run_id]
            if run.position != place:
                run.position = place
                for outbox in run.outboxes:
                    outbox.push(events.queued(run_id, place))
