"""`python -m server.worker`: a training worker of the redis mode, on any machine that
reaches Redis and the database.

It takes runs from the Redis queue one at a time (the fairness rule decides
which), trains each with the same job runner as the embedded pool
(server/jobs.py) and, between runs, reclaims runs whose worker died. Stop it
with Ctrl-C or SIGTERM: a run it was training is retried by another worker.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from server.worker import NICENESS, THREAD_VARS

if TYPE_CHECKING:  # the real imports wait until the thread-count variables are set
    from server.scale.queue import Claim
    from server.settings import Settings

log = logging.getLogger("nnplay.worker")

IDLE_WAIT_SECONDS = 1.0
REAP_SECONDS = 1.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m server.worker",
                                     description="Train nnplay runs queued in Redis.")
    parser.add_argument("--redis", help="Redis URL (default: $NNPLAY_REDIS_URL)")
    parser.add_argument("--db", type=Path, help="SQLite file of runs (default: $NNPLAY_DB)")
    parser.add_argument("--db-url", help="SQLAlchemy URL of the database (default: $NNPLAY_DB_URL)")
    parser.add_argument("--data-dir", type=Path, help="dataset files (default: $NNPLAY_DATA_DIR)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/Numba threads (default 1)")
    parser.add_argument("--lease", type=float, help="seconds of silence after which a run is retried")
    parser.add_argument("--log-level", default="info")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(list(sys.argv[1:] if argv is None else argv))
    for var in THREAD_VARS:  # before NumPy and Numba load
        os.environ[var] = str(options.threads)
    os.nice(NICENESS)
    logging.basicConfig(level=options.log_level.upper(), format="%(asctime)s %(name)s %(message)s")

    from server.settings import Settings

    settings = Settings.from_env(redis_url=options.redis, db_path=options.db, db_url=options.db_url,
                                 data_dir=options.data_dir, lease_seconds=options.lease)
    if not settings.redis_url:
        print("python -m server.worker needs a Redis URL: --redis URL or NNPLAY_REDIS_URL", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        Worker(settings).serve()
    except (KeyboardInterrupt, SystemExit):
        log.info("worker stopping")
    return 0


class Worker:
    def __init__(self, settings: Settings) -> None:
        from engine.warmup import warm_up
        from server.scale.channel import Channel
        from server.scale.connect import sync_client
        from server.scale.heartbeat import Heartbeat
        from server.scale.queue import RedisQueue
        from server.scale.registry import worker_name
        from server.store import Store

        self.settings = settings
        self.id = worker_name()
        assert settings.redis_url
        self.redis = sync_client(settings.redis_url)
        self.store = Store(settings.database)
        self.queue = RedisQueue(self.redis, settings.lease_seconds)
        self.channel = Channel(self.redis, self.store)
        self.heartbeat = Heartbeat(self.redis, self.queue, self.id)
        log.info("warming up the kernels (%.1f s)", warm_up())

    def serve(self) -> None:
        from server.scale.channel import retrying
        from server.scale.reaper import reap
        from server.scale.registry import retire

        self.heartbeat.start()
        reaped = 0.0
        log.info("worker %s ready", self.id)
        try:
            while True:
                if time.monotonic() - reaped >= REAP_SECONDS:
                    retrying("reaping", lambda: reap(self.queue, self.channel, self.store))
                    reaped = time.monotonic()
                claim = retrying("taking a run", lambda: self.queue.take(self.id))
                if claim is None:
                    retrying("waiting for runs", lambda: self.queue.wait(IDLE_WAIT_SECONDS))
                else:
                    self.train(claim)
        finally:
            self.heartbeat.close()
            retire(self.redis, self.id)
            self.store.close()

    def train(self, claim: Claim) -> None:
        from server.jobs import run_job
        from server.scale.channel import Fenced
        from server.scale.outlet import RedisOutlet
        from server.worker import Controls, Job

        log.info("run %s: attempt %d", claim.run_id, claim.attempt)
        controls = Controls(stop=threading.Event(), go=threading.Event())
        controls.go.set()
        self.heartbeat.hold(claim, controls)
        try:
            self.store.set_status(claim.run_id, "running")
            saved = self.store.model(claim.run_id) if claim.attempt > 1 else None
            job = Job(claim.run_id, claim.request, self.settings.server_limits.max_pause_seconds,
                      claim.corrections, resume=saved[1] if saved else None)
            if saved:
                log.warning("run %s: going on from the checkpoint of epoch %d", claim.run_id, saved[0])
            outlet = RedisOutlet(self.channel, self.store, claim, self.heartbeat.lost)
            run_job(job, outlet, controls, self.settings.data_dir)
        except Fenced:
            log.warning("run %s was given to another worker; dropped here", claim.run_id)
        finally:
            self.heartbeat.release()
