"""The Redis queue against a real redis-server: the embedded pool's fairness rule,
leases, and what happens to a run whose worker goes silent."""

from __future__ import annotations

import time

import numpy as np
import pytest
import redis

from server.fairqueue import FairQueue
from server.scale import keys
from server.scale.queue import MAX_ATTEMPTS, RedisQueue
from tests.scale.conftest import needs_redis
from tests.scale.processes import RedisServer

pytestmark = needs_redis


@pytest.fixture
def queue(redis_server: RedisServer) -> RedisQueue:
    client = redis.Redis.from_url(redis_server.url.rsplit("/", 1)[0] + "/1")  # not the cluster's db 0
    client.flushdb()
    return RedisQueue(client, lease_seconds=1.0)


def test_runs_are_taken_in_the_embedded_pools_fair_order(queue: RedisQueue) -> None:
    arrivals = [("sweeper", f"s{i}") for i in range(5)] + [("alice", "a1"), ("bob", "b1"), ("alice", "a2")]
    local = FairQueue()
    for client, run_id in arrivals:
        queue.enqueue(run_id, client, {"dataset": "xor"}, sweep_id="sw" if client == "sweeper" else None)
        local.push(client, run_id)
    assert queue.order() == local.order()
    assert queue.active_jobs("sweeper") == 1 and queue.active_jobs("alice") == 2
    taken = []
    while (claim := queue.take("w1")) is not None:
        taken.append(claim.run_id)
        local.take(local.peek() or "")
    assert taken == ["s0", "a1", "b1", "s1", "a2", "s2", "s3", "s4"]


def test_corrections_travel_with_the_run(queue: RedisQueue) -> None:
    pixels, labels = np.arange(2 * 784, dtype=np.uint8).reshape(2, 784), np.array([3, 7])
    queue.enqueue("r1", "c", {"dataset": "mnist"}, corrections=(pixels, labels))
    claim = queue.take("w1")
    assert claim is not None and claim.corrections is not None
    assert (claim.corrections[0] == pixels).all() and claim.corrections[1].tolist() == [3, 7]


def test_a_silent_workers_run_is_retried_once_then_failed(queue: RedisQueue) -> None:
    queue.enqueue("r1", "c", {"dataset": "xor"})
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claim = queue.take(f"w{attempt}")
        assert claim is not None and claim.attempt == attempt
        assert queue.renew("r1", f"w{attempt}", attempt)
        assert queue.orphans() == []
        queue._r.hset(keys.run("r1"), "epoch", 4)
        queue._r.delete(keys.lease("r1"))  # the worker died: its lease ran out
        lost = queue.reclaim("r1")
        assert lost is not None and lost.after_epoch == 4
        assert lost.retried is (attempt < MAX_ATTEMPTS)
        assert queue.reclaim("r1") is None  # only one process acts on it
        assert not queue.renew("r1", f"w{attempt}", attempt)  # fenced out
    assert queue.take("w3") is None


def test_a_run_asked_to_stop_is_not_retried(queue: RedisQueue) -> None:
    queue.enqueue("r1", "c", {"dataset": "xor"})
    assert queue.take("w1") is not None
    queue._r.hset(keys.run("r1"), "stop", 1)
    queue._r.delete(keys.lease("r1"))
    lost = queue.reclaim("r1")
    assert lost is not None and lost.stopped and not lost.retried


def test_a_lease_lost_in_a_redis_restart_is_taken_back_by_its_worker(queue: RedisQueue) -> None:
    queue.enqueue("r1", "c", {"dataset": "xor"})
    claim = queue.take("w1")
    assert claim is not None
    time.sleep(1.1)  # the lease expired while Redis was away, and no one reclaimed the run
    assert queue.renew("r1", "w1", 1)
    assert queue.orphans() == []
