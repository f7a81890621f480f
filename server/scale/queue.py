"""The run queue in Redis: fair across clients, leased to one worker at a time, reclaimed
from a worker that died.

A consumer group would hand runs out in arrival order; the fairness rule of the
embedded pool (`FairQueue`: the oldest run of the client served least recently)
has to look at every waiting run at the moment a worker asks. So `take` is an
optimistic transaction: WATCH the queue, rebuild a `FairQueue` from it, take its
next run, and write the new turns back, or start again if another worker was
quicker. A taken run gets a lease key with a TTL that its worker renews; a run in
`RUNNING` without a lease has lost its worker and is `reclaim`ed (retried once,
then failed). `attempt` in the run's hash is the fencing token: a worker that
comes back after its run was reclaimed can no longer publish for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import redis

from engine.corrections import PIXELS
from server.fairqueue import FairQueue
from server.scale import keys

#: a run's worker is given up on after this long without renewing its lease
LEASE_SECONDS = 10.0
#: a run is tried at most this often (its first worker and one retry)
MAX_ATTEMPTS = 2
#: runs left on a bell nobody answered (it only wakes idle workers)
BELL_MAX = 64
#: longest a client's admission may hold its lock, and wait for it
ADMISSION_SECONDS = 10.0

_RENEW = """
local current = redis.call('get', KEYS[1])
if current == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if not current and redis.call('hget', KEYS[2], 'attempt') == ARGV[3]
   and redis.call('sismember', KEYS[3], ARGV[4]) == 1 then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Claim:
    """A run a worker has taken, with what an earlier attempt already published."""

    run_id: str
    attempt: int
    client: str
    request: dict[str, Any]
    corrections: tuple[np.ndarray, np.ndarray] | None
    after_epoch: int
    started: bool


@dataclass(frozen=True)
class Reclaimed:
    """What `reclaim` did with a run whose worker was lost."""

    run_id: str
    retried: bool  # else: it must end, failed (it has used its attempts) or stopped (as asked)
    stopped: bool
    attempt: int
    after_epoch: int
    client: str


class RedisQueue:
    """Waiting runs, leases and reclaiming; shared by web processes and workers (sync client)."""

    def __init__(self, client: redis.Redis, lease_seconds: float = LEASE_SECONDS) -> None:
        self._r = client
        self.lease_seconds = lease_seconds
        self._renew = client.register_script(_RENEW)

    # -- web side -------------------------------------------------------------------

    def enqueue(self, run_id: str, client: str, request: dict[str, Any], sweep_id: str | None = None,
                corrections: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        fields: dict[str, Any] = {"request": json.dumps(request), "client": client, "status": "queued",
                                  "attempt": 0, "epoch": 0, "sweep": sweep_id or ""}
        if corrections is not None:
            pixels, labels = corrections
            fields["pixels"] = np.ascontiguousarray(pixels, np.uint8).tobytes()
            fields["labels"] = np.ascontiguousarray(labels, np.int64).tobytes()
        arrival = self._r.incr(keys.ARRIVALS)
        fields["arrival"] = arrival
        with self._r.pipeline() as p:
            p.hset(keys.run(run_id), mapping=fields)
            p.hset(keys.QUEUE_CLIENT, run_id, client)
            p.zadd(keys.QUEUE, {run_id: arrival})
            p.sadd(keys.client_runs(client), run_id)
            p.lpush(keys.BELL, 1)
            p.ltrim(keys.BELL, 0, BELL_MAX - 1)
            p.execute()

    def admission(self, client: str) -> Any:
        """A lock (context manager) around counting a client's jobs and queueing new ones, so that two
        web processes taking the same client's requests at once cannot both pass its limit."""
        return self._r.lock(keys.admission(client), timeout=ADMISSION_SECONDS,
                            blocking_timeout=ADMISSION_SECONDS)

    def active_jobs(self, client: str) -> int:
        """The client's queued or running jobs: a run each, a sweep once however many runs."""
        run_ids = [r.decode() for r in self._r.smembers(keys.client_runs(client))]
        with self._r.pipeline(transaction=False) as p:
            for run_id in run_ids:
                p.hget(keys.run(run_id), "sweep")
            sweeps = p.execute()
        return len({(s or b"").decode() or run_id for run_id, s in zip(run_ids, sweeps, strict=True)})

    def length(self) -> int:
        return int(self._r.zcard(keys.QUEUE))

    def order(self) -> list[str]:
        """Every waiting run in the order workers would take them if nothing else arrived."""
        return self._snapshot(self._r).order()

    def remove(self, run_id: str) -> bool:
        """Take a waiting run out of the queue (stopped before it started); False if it was not
        waiting any more, e.g. a worker took it first."""
        with self._r.pipeline() as p:
            p.zrem(keys.QUEUE, run_id)
            p.hdel(keys.QUEUE_CLIENT, run_id)
            removed, _ = p.execute()
        return bool(removed)

    # -- worker side ----------------------------------------------------------------

    def take(self, worker_id: str) -> Claim | None:
        """The next run by the fairness rule, leased to `worker_id`; None if nothing waits."""
        with self._r.pipeline() as p:
            while True:
                try:
                    p.watch(keys.QUEUE, keys.SERVED)
                    queue = self._snapshot(p)
                    run_id = queue.peek()
                    if run_id is None:
                        p.unwatch()
                        return None
                    queue.take(run_id)
                    attempt = int(p.hget(keys.run(run_id), "attempt") or 0) + 1
                    p.multi()
                    p.zrem(keys.QUEUE, run_id)
                    p.hdel(keys.QUEUE_CLIENT, run_id)
                    p.delete(keys.SERVED)
                    if queue.served:
                        p.hset(keys.SERVED, mapping=queue.served)
                    p.sadd(keys.RUNNING, run_id)
                    p.set(keys.lease(run_id), f"{worker_id}:{attempt}", px=self._lease_ms)
                    p.hset(keys.run(run_id), mapping={"status": "running", "attempt": attempt,
                                                      "worker": worker_id, "stop": 0, "paused": 0})
                    p.execute()
                    break
                except redis.WatchError:
                    continue
        return self._claim(run_id, attempt)

    def renew(self, run_id: str, worker_id: str, attempt: int) -> bool:
        """Extend the run's lease (or take it back after a Redis restart lost it, if nobody
        reclaimed the run meanwhile); False: the run is no longer this worker's."""
        return bool(self._renew(keys=[keys.lease(run_id), keys.run(run_id), keys.RUNNING],
                                args=[f"{worker_id}:{attempt}", self._lease_ms, attempt, run_id]))

    def wait(self, timeout: float) -> None:
        """Sleep until a run is queued (or `timeout` seconds)."""
        self._r.blpop([keys.BELL], timeout=timeout)

    # -- either side ------------------------------------------------------------------

    def orphans(self) -> list[str]:
        """Runs held by a worker whose lease has expired: that worker is gone."""
        run_ids = [r.decode() for r in self._r.smembers(keys.RUNNING)]
        with self._r.pipeline(transaction=False) as p:
            for run_id in run_ids:
                p.exists(keys.lease(run_id))
            alive = p.execute()
        return [run_id for run_id, held in zip(run_ids, alive, strict=True) if not held]

    def reclaim(self, run_id: str) -> Reclaimed | None:
        """Requeue an orphaned run for its next attempt, ahead of its client's later runs, or
        end it if it has had MAX_ATTEMPTS or its client had asked it to stop; None if another
        process got there first."""
        run_key = keys.run(run_id)
        with self._r.pipeline() as p:
            try:
                p.watch(keys.lease(run_id), run_key, keys.RUNNING)
                if p.exists(keys.lease(run_id)) or not p.sismember(keys.RUNNING, run_id):
                    p.unwatch()
                    return None
                fields = p.hmget(run_key, "attempt", "epoch", "client", "arrival", "stop")
                attempt, epoch, client, arrival, stop = (v.decode() if v else "" for v in fields)
                stopped = stop == "1"
                retry = int(attempt or 0) < MAX_ATTEMPTS and not stopped
                p.multi()
                p.srem(keys.RUNNING, run_id)
                if retry:
                    p.hset(run_key, mapping={"status": "queued", "stop": 0, "paused": 0})
                    p.hset(keys.QUEUE_CLIENT, run_id, client)
                    p.zadd(keys.QUEUE, {run_id: float(arrival or 0)})
                    p.lpush(keys.BELL, 1)
                    p.ltrim(keys.BELL, 0, BELL_MAX - 1)
                else:
                    p.hset(run_key, "status", "stopped" if stopped else "failed")
                p.execute()
            except redis.WatchError:
                return None
        return Reclaimed(run_id, retry, stopped, int(attempt or 0), int(epoch or 0), client)

    # -- internals --------------------------------------------------------------------

    @property
    def _lease_ms(self) -> int:
        return int(self.lease_seconds * 1000)

    @staticmethod
    def _snapshot(r: Any) -> FairQueue:
        waiting = [m.decode() for m in r.zrange(keys.QUEUE, 0, -1)]
        clients = r.hmget(keys.QUEUE_CLIENT, waiting) if waiting else []
        served = {c.decode(): int(t) for c, t in r.hgetall(keys.SERVED).items()}
        pairs = [((c or b"?").decode(), run_id) for run_id, c in zip(waiting, clients, strict=True)]
        return FairQueue.restore(pairs, served)

    def _claim(self, run_id: str, attempt: int) -> Claim:
        h = self._r.hgetall(keys.run(run_id))
        corrections = None
        if h.get(b"pixels"):
            pixels = np.frombuffer(h[b"pixels"], np.uint8).reshape(-1, PIXELS)
            corrections = (pixels, np.frombuffer(h[b"labels"], np.int64))
        return Claim(run_id, attempt, h[b"client"].decode(), json.loads(h[b"request"]), corrections,
                     int(h.get(b"epoch") or 0), bool(int(h.get(b"started") or 0)))
