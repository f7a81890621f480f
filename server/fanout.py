"""Per-client outboxes: the producer never waits for a socket.

Each WebSocket gets a bounded buffer. A newer `feature_maps` for a layer
replaces the unsent older one (only the latest picture matters); if a client
falls so far behind that its buffer fills anyway, it is cut off and can
reconnect, which replays every event from the start.
"""

from __future__ import annotations

import asyncio
from collections import deque

from server.events import FEATURE_MAPS, WireEvent


class Outbox:
    """Events waiting to be sent to one client. Used from the event loop thread only."""

    def __init__(self, limit: int) -> None:
        self._items: deque[WireEvent] = deque()
        self._limit = limit
        self._ready = asyncio.Event()
        self.overflowed = False

    def __len__(self) -> int:
        return len(self._items)

    def push(self, event: WireEvent) -> None:
        if self.overflowed:
            return
        if event.type == FEATURE_MAPS:
            self._drop_unsent_maps(event.layer)
        if len(self._items) >= self._limit:
            self.overflowed = True
            self._items.clear()
        else:
            self._items.append(event)
        self._ready.set()

    async def next(self) -> WireEvent | None:
        """The next event to send, or None once the client has been cut off for falling behind."""
        while not self._items and not self.overflowed:
            self._ready.clear()
            await self._ready.wait()
        return None if self.overflowed else self._items.popleft()

    def _drop_unsent_maps(self, layer: int | None) -> None:
        for old in self._items:
            if old.type == FEATURE_MAPS and old.layer == layer:
                self._items.remove(old)
                return
