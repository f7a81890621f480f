"""Runs whose worker died: retried once (from where the first attempt got to), else failed.

Any process may reap (every web process and every idle worker do, about once a
second); the queue's transaction lets only one of them act on each run.
"""

from __future__ import annotations

import logging

from server import events
from server.scale.channel import Channel
from server.scale.queue import RedisQueue
from server.store import Store

log = logging.getLogger(__name__)

LOST = "the worker training this run stopped answering (killed, crashed or cut off)"


def reap(queue: RedisQueue, channel: Channel, store: Store) -> int:
    """Reclaim every orphaned run; returns how many this call dealt with."""
    done = 0
    for run_id in queue.orphans():
        lost = queue.reclaim(run_id)
        if lost is None:
            continue
        done += 1
        if lost.retried:
            log.warning("run %s lost its worker after epoch %d; retrying", run_id, lost.after_epoch)
            store.set_status(run_id, "queued")
            channel.publish(run_id, lost.client,
                            events.retried(run_id, lost.attempt + 1, lost.after_epoch, LOST))
        elif lost.stopped:
            channel.publish(run_id, lost.client, events.done(run_id, "stopped"))
        else:
            log.warning("run %s lost its worker on attempt %d; failing it", run_id, lost.attempt)
            error = f"{LOST}, on each of its {lost.attempt} attempts"
            channel.publish(run_id, lost.client, events.done(run_id, "failed", error))
    return done
