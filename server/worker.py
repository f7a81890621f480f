"""Entry point of a training worker process (started with the spawn method).

Only the standard library is imported at module level: the thread-count
variables must be set before NumPy and Numba load, so that N workers on N
cores do not each start N threads.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: training yields the CPU to the web process, which keeps sockets and pages responsive
NICENESS = 5


@dataclass(frozen=True)
class Job:
    run_id: str
    request: dict[str, Any]
    max_pause_seconds: float
    #: the student's corrections when the request asks for them: (pixels uint8 N×784, labels (N,)).
    #: They travel beside the request, never in it: the saved request keeps only their ids.
    corrections: tuple[Any, Any] | None = None
    #: a checkpoint file of an earlier attempt of this run (engine.checkpoint): go on from there
    resume: bytes | None = None


@dataclass(frozen=True)
class Controls:
    """Flags the web process flips and the training loop polls between mini-batches."""

    stop: Any  # multiprocessing Event: set = end the run now
    go: Any  # multiprocessing Event: cleared = paused


def main(jobs: Connection, out: Connection, controls: Controls, data_dir: Path | None,
         threads: int) -> None:
    """Warm the kernels up, say ready, then train the jobs sent on `jobs` until None or EOF."""
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    os.nice(NICENESS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the web process's to handle

    from engine.warmup import warm_up
    from server.jobs import run_job

    try:
        warm_up()
        out.send(("ready", os.getpid()))
        while (job := jobs.recv()) is not None:
            run_job(job, out, controls, data_dir)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the web process is gone: nobody to train for


if __name__ == "__main__":  # `python -m server.worker`: a worker of the redis mode
    from server.scale.worker_main import main as redis_worker

    raise SystemExit(redis_worker())
