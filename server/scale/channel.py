"""A run's events in Redis: written once to the database and then to the run's stream, which
every web process tails for its sockets and replays to a client that (re)connects.

Database first, stream second: a client that sees an event, e.g. `done`, can
read it back through REST at once. Publishing is one Lua script so that the
stream, the run's hash (status, last epoch) and the done feed change together,
and so that a fenced-out worker (its `attempt` is no longer the run's) cannot
publish at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import redis

from server.events import DONE, EPOCH, WireEvent
from server.scale import keys
from server.scale.connect import TRANSIENT, backoff
from server.store import Store

#: a finished run's stream and hash stay this long for late sockets (the database has it all)
FINISHED_TTL_SECONDS = 600
#: the done feed keeps about this many entries (its consumer group reads them within seconds)
DONE_FEED_MAX = 10_000

_PUBLISH = """
local run = KEYS[1]
if ARGV[1] ~= '' then
  if redis.call('hget', run, 'attempt') ~= ARGV[1] or redis.call('hget', run, 'status') ~= 'running' then
    return 0
  end
end
redis.call('xadd', KEYS[2], '*', 't', ARGV[2], 'l', ARGV[3], 'd', ARGV[4], 'e', ARGV[10])
if ARGV[2] == 'started' then redis.call('hset', run, 'started', 1) end
if ARGV[2] == 'epoch' then
  redis.call('hset', run, 'epoch', ARGV[5])
  redis.call('incr', KEYS[6])
end
if ARGV[6] ~= '' then
  redis.call('hset', run, 'status', ARGV[6])
  redis.call('srem', KEYS[3], ARGV[7])
  redis.call('del', KEYS[4])
  redis.call('srem', KEYS[7], ARGV[7])
  redis.call('expire', KEYS[2], ARGV[8])
  redis.call('expire', run, ARGV[8])
  redis.call('xadd', KEYS[5], 'MAXLEN', '~', ARGV[9], '*', 'run', ARGV[7])
end
return 1
"""

T = TypeVar("T")


class Fenced(Exception):
    """The run is no longer this worker's: it was reclaimed after its lease ran out."""


class Channel:
    """Publishes runs' events (sync client: workers, and web processes in a worker thread)."""

    def __init__(self, client: redis.Redis, store: Store) -> None:
        self._r = client
        self._store = store
        self._publish = client.register_script(_PUBLISH)

    def publish(self, run_id: str, client: str, event: WireEvent, attempt: int | None = None) -> None:
        """Store the event, then stream it; a `done` event also ends the run in Redis.
        With `attempt` (a worker's), raise Fenced if the run has moved on without it."""
        self._store.append_events([(run_id, event)])
        final = (event.status or "failed") if event.type == DONE else ""
        args = ["" if attempt is None else attempt, event.type, "" if event.layer is None else event.layer,
                event.text, event.epoch if event.type == EPOCH and event.epoch is not None else 0,
                final, run_id, FINISHED_TTL_SECONDS, DONE_FEED_MAX, event.emitted_at or ""]
        run_keys = [keys.run(run_id), keys.events(run_id), keys.RUNNING, keys.lease(run_id), keys.DONE,
                    keys.EPOCHS, keys.client_runs(client)]
        if not retrying("publishing an event", lambda: self._publish(keys=run_keys, args=args)):
            raise Fenced(run_id)


def retrying(what: str, call: Callable[[], T]) -> T:
    """`call()`, again and again with growing pauses while Redis is unreachable."""
    delays = None
    while True:
        try:
            return call()
        except TRANSIENT:
            delays = delays or backoff(what)
            time.sleep(next(delays))
