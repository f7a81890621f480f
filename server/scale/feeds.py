"""The web process's side of the run streams: one tail per run that has sockets here.

A feed reads its run's stream from the start (`XREAD` from 0, then blocking for
more), keeps what it read so a second socket gets the replay without asking Redis,
and pushes each event into the sockets' outboxes. So any web process can serve
any run, and a client that reconnects elsewhere gets every event again. A feed
remembers the last id it read: when Redis restarts it resumes there, losing nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field

import redis.asyncio

from server import events
from server.events import DONE, WireEvent
from server.fanout import Outbox
from server.metrics import Histogram
from server.scale import keys
from server.scale.connect import TRANSIENT, backoff

log = logging.getLogger(__name__)

#: how long one blocking read waits before it is issued again
BLOCK_MS = 10_000
READ_COUNT = 500


@dataclass(eq=False)
class Feed:
    run_id: str
    log: list[WireEvent] = field(default_factory=list)
    outboxes: set[Outbox] = field(default_factory=set)
    position: int | None = None
    #: events emitted before the feed existed are replay, not latency
    since: float = field(default_factory=time.time)
    task: asyncio.Task[None] | None = None


class Feeds:
    def __init__(self, client: redis.asyncio.Redis, buffer: int, latency: Histogram) -> None:
        self._r = client
        self._buffer = buffer
        self._latency = latency
        self._feeds: dict[str, Feed] = {}

    def open(self, run_id: str) -> tuple[list[WireEvent], Outbox]:
        """What the run has sent so far and an outbox for the rest (on the event loop)."""
        feed = self._feeds.get(run_id)
        if feed is None:
            feed = self._feeds[run_id] = Feed(run_id)
            feed.task = asyncio.create_task(self._tail(feed), name=f"nnplay-feed-{run_id}")
        outbox = Outbox(self._buffer)
        feed.outboxes.add(outbox)
        if feed.position is not None:
            outbox.push(events.queued(run_id, feed.position))
        return list(feed.log), outbox

    def close(self, run_id: str, outbox: Outbox) -> None:
        feed = self._feeds.get(run_id)
        if feed is None:
            return
        feed.outboxes.discard(outbox)
        if not feed.outboxes:
            self._drop(feed)

    def watched(self) -> list[str]:
        return list(self._feeds)

    def place(self, run_id: str, position: int | None) -> None:
        """Tell the run's sockets here its place in the queue when it changes."""
        feed = self._feeds.get(run_id)
        if feed is None or feed.position == position:
            return
        feed.position = position
        if position is not None:
            for outbox in feed.outboxes:
                outbox.push(events.queued(run_id, position))

    def close_all(self) -> None:
        for feed in list(self._feeds.values()):
            self._drop(feed)

    def _drop(self, feed: Feed) -> None:
        if self._feeds.get(feed.run_id) is feed:
            del self._feeds[feed.run_id]
        if feed.task and feed.task is not asyncio.current_task():
            feed.task.cancel()

    async def _tail(self, feed: Feed) -> None:
        last, stream = "0-0", keys.events(feed.run_id)
        delays = None
        while True:
            try:
                reply = await self._r.xread({stream: last}, count=READ_COUNT, block=BLOCK_MS)
            except TRANSIENT:
                delays = delays or backoff(f"following run {feed.run_id}")
                await asyncio.sleep(next(delays))
                continue
            delays = None
            for _, entries in reply or ():
                for entry_id, fields in entries:
                    last = entry_id
                    event = _decode(fields)
                    self._deliver(feed, event)
                    if event.is_done:
                        self._drop(feed)
                        return

    def _deliver(self, feed: Feed, event: WireEvent) -> None:
        feed.log.append(event)
        feed.position = None
        if event.emitted_at is not None and event.emitted_at >= feed.since:
            self._latency.observe(time.time() - event.emitted_at)
        for outbox in feed.outboxes:
            outbox.push(event)


def _decode(fields: dict[bytes, bytes]) -> WireEvent:
    kind, text, layer = fields[b"t"].decode(), fields[b"d"].decode(), fields.get(b"l") or b""
    emitted = fields.get(b"e")
    status = None
    if kind == DONE:
        with contextlib.suppress(ValueError):
            status = json.loads(text).get("status")
    return WireEvent(type=kind, text=text, layer=int(layer) if layer else None, status=status,
                     emitted_at=float(emitted) if emitted else None)
