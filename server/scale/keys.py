"""Every Redis key the scale-out mode uses, in one place (all under the `nnplay:` prefix)."""

from __future__ import annotations

#: ZSET run_id -> arrival number: the runs waiting for a worker
QUEUE = "nnplay:queue"
#: HASH run_id -> client of each waiting run (what the fairness rule looks at)
QUEUE_CLIENT = "nnplay:queue:client"
#: HASH client -> turn at which its last run was handed out (FairQueue.served)
SERVED = "nnplay:served"
#: counter giving each queued run its arrival number
ARRIVALS = "nnplay:arrivals"
#: SET of run ids a worker holds (each with a lease key while its worker lives)
RUNNING = "nnplay:running"
#: LIST pushed on every enqueue so idle workers wake at once instead of polling
BELL = "nnplay:bell"
#: STREAM of finished run ids, read by the web processes' consumer group (done hooks)
DONE = "nnplay:done"
DONE_GROUP = "web"
#: counter of epochs trained, all workers together (the epoch-throughput metric)
EPOCHS = "nnplay:stats:epochs"
#: SET of worker ids that have announced themselves (each alive while worker:{id} exists)
WORKERS = "nnplay:workers"


def run(run_id: str) -> str:
    """HASH of one run: request, client, status, attempt, flags (stop, paused), last epoch..."""
    return f"nnplay:run:{run_id}"


def events(run_id: str) -> str:
    """STREAM of one run's events (fields t: type, l: layer, d: the JSON text)."""
    return f"nnplay:events:{run_id}"


def lease(run_id: str) -> str:
    """STRING "worker:attempt" with a TTL that the worker holding the run keeps renewing."""
    return f"nnplay:lease:{run_id}"


def client_runs(client: str) -> str:
    """SET of a client's runs still queued or running (its per-client limit)."""
    return f"nnplay:client:{client}"


def admission(client: str) -> str:
    """Lock held while one web process checks a client's limit and queues its runs."""
    return f"nnplay:admission:{client}"


def worker(worker_id: str) -> str:
    """STRING with a worker's state as JSON, expiring unless the worker keeps it fresh."""
    return f"nnplay:worker:{worker_id}"
