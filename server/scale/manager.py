"""The run manager of a web process in redis mode: the same surface as the embedded one
(`RunService`), with the queue, the runs' state and their events in Redis.

Nothing a run needs lives only in this process: a web process can be stopped or
added at any time, and any of them serves any run. Redis calls that may wait
(transactions, scripts) run in worker threads with the sync client; the event
tails and the done-hook consumer use the asyncio client on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio
import redis.asyncio.retry
from redis.backoff import NoBackoff
from redis.exceptions import ResponseError

from server import events
from server.errors import unknown_run
from server.events import WireEvent
from server.fanout import Outbox
from server.ids import new_run_id
from server.metrics import Histogram
from server.runservice import Gauges, RunState, admit, not_pausable
from server.scale import keys, registry
from server.scale.channel import Channel
from server.scale.connect import TRANSIENT, async_client, backoff, sync_client
from server.scale.feeds import Feeds
from server.scale.queue import RedisQueue
from server.scale.reaper import reap
from server.settings import Settings
from server.store import ACTIVE, Store, SweepRecord

log = logging.getLogger(__name__)

REAP_SECONDS = 1.0
POSITIONS_SECONDS = 1.0
#: a done notice a web process took but did not acknowledge is taken over after this long
DONE_CLAIM_MS = 60_000


class RedisRunManager:
    def __init__(self, settings: Settings, store: Store) -> None:
        assert settings.redis_url
        self._settings = settings
        self._store = store
        self._sync = sync_client(settings.redis_url)
        self._async = async_client(settings.redis_url)
        #: one quick retry (a connection from before a Redis restart is dead): /api/health must
        #: say at once that Redis is away
        self._probe = redis.asyncio.Redis.from_url(
            settings.redis_url, socket_connect_timeout=1, socket_timeout=1,
            retry=redis.asyncio.retry.Retry(NoBackoff(), 1, TRANSIENT),
        )
        self._queue = RedisQueue(self._sync)
        self._channel = Channel(self._sync, store)
        self.latency = Histogram()
        self._feeds = Feeds(self._async, settings.client_buffer, self.latency)
        self._consumer = registry.worker_name()
        self._tasks: list[asyncio.Task[None]] = []
        #: called with the run id in a worker thread once a run's done event is stored; each
        #: finished run is handed to exactly one web process (a consumer group on the done feed)
        self.done_hooks: list[Callable[[str], None]] = []

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._every(REAP_SECONDS, self._reap)),
            asyncio.create_task(self._every(POSITIONS_SECONDS, self._positions)),
            asyncio.create_task(self._done_notices()),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._feeds.close_all()
        for client in (self._async, self._probe):
            await client.aclose()
        self._sync.close()

    # -- commands -----------------------------------------------------------------------

    async def submit(self, request: dict[str, Any], client: str,
                     corrections: tuple[Any, Any] | None = None) -> str:
        run_id = new_run_id()

        def work() -> None:
            with self._queue.admission(client):
                admit(self._settings.server_limits, self._queue.active_jobs(client), self._queue.length(), 1)
                self._store.create_run(run_id, request)
                self._queue.enqueue(run_id, client, request, corrections=corrections)

        await asyncio.to_thread(work)
        return run_id

    async def submit_sweep(self, sweep: SweepRecord, requests: list[dict[str, Any]]) -> None:
        def work() -> None:
            with self._queue.admission(sweep.client):
                admit(self._settings.server_limits, self._queue.active_jobs(sweep.client),
                      self._queue.length(), len(requests))
                self._store.create_sweep(sweep, requests)
                for (run_id, _), request in zip(sweep.runs, requests, strict=True):
                    self._queue.enqueue(run_id, sweep.client, request, sweep_id=sweep.sweep_id)

        await asyncio.to_thread(work)

    async def stop(self, run_id: str) -> str:
        """A queued run ends `stopped` now; a running one is flagged and its worker stops it
        within a mini-batch or two. Returns the status."""
        def work() -> str:
            status, client = self._hash(run_id, "status", "client")
            if status is None:
                return self._stored_status(run_id)
            if status == "queued" and self._queue.remove(run_id):
                self._channel.publish(run_id, client or "", events.done(run_id, "stopped"))
                return "stopped"
            if status in ACTIVE:
                self._sync.hset(keys.run(run_id), "stop", 1)
            return status

        return await asyncio.to_thread(work)

    async def pause(self, run_id: str, paused: bool) -> RunState:
        def work() -> RunState:
            status, client, now = self._hash(run_id, "status", "client", "paused")
            if status != "running":
                raise not_pausable(run_id, status or self._stored_status(run_id))
            if (now == "1") != paused:
                self._sync.hset(keys.run(run_id), "paused", int(paused))
                self._channel.publish(run_id, client or "", events.paused(run_id, paused))
            return RunState("running", paused)

        return await asyncio.to_thread(work)

    # -- questions ------------------------------------------------------------------------

    async def states(self, run_ids: list[str]) -> dict[str, RunState]:
        def work() -> dict[str, RunState]:
            with self._sync.pipeline(transaction=False) as p:
                for run_id in run_ids:
                    p.hmget(keys.run(run_id), "status", "paused")
                rows = p.execute()
            live = {run_id: (s.decode(), paused == b"1")
                    for run_id, (s, paused) in zip(run_ids, rows, strict=True) if s and s.decode() in ACTIVE}
            order = self._queue.order() if any(s == "queued" for s, _ in live.values()) else []
            place = {run_id: n for n, run_id in enumerate(order, start=1)}
            return {run_id: RunState(s, paused, place.get(run_id)) for run_id, (s, paused) in live.items()}

        return await asyncio.to_thread(work)

    async def subscribe(self, run_id: str) -> tuple[list[WireEvent], Outbox] | None:
        """Every event so far and an outbox for the rest; None once the run has ended (the
        database then has every event)."""
        try:
            status = await self._async.hget(keys.run(run_id), "status")
            active = status is not None and status.decode() in ACTIVE
        except TRANSIENT:  # the feed's tail waits for Redis; the database says if it is worth it
            record = await asyncio.to_thread(self._store.run, run_id)
            active = record is not None and record.status in ACTIVE
        return self._feeds.open(run_id) if active else None

    def unsubscribe(self, run_id: str, outbox: Outbox) -> None:
        self._feeds.close(run_id, outbox)

    async def gauges(self) -> Gauges:
        try:
            await self._probe.ping()
            queued = int(await self._async.zcard(keys.QUEUE))
            epochs = int(await self._async.get(keys.EPOCHS) or 0)
            workers = await registry.workers(self._async)
        except TRANSIENT as exc:
            return Gauges("redis", 0, 0, [], redis=f"unreachable: {exc}")
        return Gauges("redis", queued, epochs, workers)

    # -- background ---------------------------------------------------------------------

    async def _every(self, seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await job()
            except TRANSIENT:
                pass  # Redis is restarting: next time
            except Exception:
                log.exception("background task failed; carrying on")
            await asyncio.sleep(seconds)

    async def _reap(self) -> None:
        await asyncio.to_thread(reap, self._queue, self._channel, self._store)

    async def _positions(self) -> None:
        """Tell the sockets here of queued runs their place whenever it changes."""
        watched = self._feeds.watched()
        if not watched:
            return
        order = {run_id: n for n, run_id in enumerate(await asyncio.to_thread(self._queue.order), start=1)}
        for run_id in watched:
            self._feeds.place(run_id, order.get(run_id))

    async def _done_notices(self) -> None:
        """Run the done hooks of each finished run in exactly one web process: a consumer group
        on the done feed, taking over what a web process that died had taken."""
        delays, joined = None, False
        while True:
            try:
                if not joined:
                    await self._join_done_group()
                    joined = True
                _, stale, _ = await self._async.xautoclaim(keys.DONE, keys.DONE_GROUP, self._consumer,
                                                           DONE_CLAIM_MS, "0-0", count=100)
                fresh = await self._async.xreadgroup(keys.DONE_GROUP, self._consumer, {keys.DONE: ">"},
                                                     count=100, block=5000)
                for entry_id, fields in [*stale, *(e for _, entries in fresh or () for e in entries)]:
                    if fields:
                        await asyncio.to_thread(self._run_hooks, fields[b"run"].decode())
                    await self._async.xack(keys.DONE, keys.DONE_GROUP, entry_id)
                delays = None
            except TRANSIENT:
                joined = False
                delays = delays or backoff("reading the done feed")
                await asyncio.sleep(next(delays))
            except ResponseError as exc:  # NOGROUP: Redis came back without its data
                if "NOGROUP" not in str(exc):
                    raise
                joined = False

    async def _join_done_group(self) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists
            await self._async.xgroup_create(keys.DONE, keys.DONE_GROUP, id="0", mkstream=True)

    def _run_hooks(self, run_id: str) -> None:
        for hook in self.done_hooks:
            hook(run_id)

    # -- helpers (worker threads) ---------------------------------------------------------

    def _hash(self, run_id: str, *fields: str) -> list[str | None]:
        return [v.decode() if v is not None else None for v in self._sync.hmget(keys.run(run_id), fields)]

    def _stored_status(self, run_id: str) -> str:
        record = self._store.run(run_id)
        if record is None:
            raise unknown_run(run_id)
        return record.status
