"""Scale-out figures on this machine: redis-server, web processes and `python -m server.worker`s.

    python bench/scale.py [--runs 40] [--clients 50] [--no-write]

1. Throughput: `--runs` small runs (each from its own client) queued at once on one
   web process, trained by 1 and then 2 workers; runs completed per minute, from the
   first submission to the last `done` (goal: 2 workers >= 1.8x one worker).
2. Latency: `--clients` clients, each starting one run and holding its WebSocket,
   spread over 2 web processes with 2 workers; emit -> receive latency of the live
   events (p50 / p95 / max), as bench/server_load.py measures it for one process.

Then an estimate, from these figures, of the machines 1,000 simultaneous students
need. Writes its section of bench/RESULTS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.server_load import REQUEST as LOAD_REQUEST  # noqa: E402
from bench.server_load import client, percentile  # noqa: E402
from tests.api.live_server import LiveServer  # noqa: E402
from tests.scale.processes import RedisServer, WorkerProcess, cluster_env, wait_for  # noqa: E402

#: a small classroom run: a 2-D spiral, a 16-16-1 network, 10 epochs
SMALL: dict[str, Any] = {**LOAD_REQUEST, "n_points": 1000, "epochs": 10}
TIMEOUT = 900.0


class Cluster:
    """redis-server, `webs` web processes and `workers` workers in a temporary directory."""

    def __init__(self, tmp: Path, webs: int, workers: int) -> None:
        self.redis = RedisServer(tmp).start()
        env = {**cluster_env(self.redis.url, tmp / "runs.sqlite"), "NNPLAY_MAX_RUNS_PER_CLIENT": "1"}
        self.workers = [WorkerProcess(env, tmp / f"worker{i}.log").start() for i in range(workers)]
        self.webs = [LiveServer(tmp / "runs.sqlite", 0, tmp / f"web{i}.log", env=env).start()
                     for i in range(webs)]
        wait_for(lambda: sum(w["state"] == "idle" for w in self.health()["workers"]) == workers,
                 what="the workers")

    def health(self) -> dict[str, Any]:
        return self.webs[0].get("/api/health").json()

    def completed(self) -> int:
        found = re.search(r'nnplay_runs\{status="completed"\} (\d+)', self.webs[0].get("/metrics").text)
        return int(found.group(1)) if found else 0

    def close(self) -> None:
        for web in self.webs:
            web.stop()
        for worker in self.workers:
            worker.stop()
        self.redis.stop()


def runs_per_minute(workers: int, runs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster(Path(tmp), 1, workers)
        try:
            start = time.perf_counter()
            with httpx.Client(base_url=cluster.webs[0].url, timeout=60) as http:
                for i in range(runs):
                    answer = http.post("/api/runs", json=SMALL, headers={"X-Client-Id": f"student-{i}"})
                    answer.raise_for_status()
            wait_for(lambda: cluster.completed() >= runs, TIMEOUT, "every run")
            return 60 * runs / (time.perf_counter() - start)
        finally:
            cluster.close()


def latency(clients: int) -> tuple[list[float], int, float]:
    """Live-event latencies (ms), runs completed, wall seconds; clients alternate web processes."""
    with tempfile.TemporaryDirectory() as tmp:
        cluster = Cluster(Path(tmp), 2, 2)
        try:
            async def load() -> list[Any]:
                tasks = [client(cluster.webs[i % 2].url, i) for i in range(clients)]
                return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), TIMEOUT)

            start = time.perf_counter()
            results = asyncio.run(load())
            seconds = time.perf_counter() - start
        finally:
            cluster.close()
    runs = [r for r in results if isinstance(r, dict)]
    done = sum(r["status"] == "completed" for r in runs)
    return sorted(1000 * x for r in runs for x in r["latencies"]), done, seconds


def report(one: float, two: float, lat: list[float], done: int, clients: int, seconds: float) -> str:
    per_worker = two / 2
    # 1,000 students, each starting a run like the small one every two minutes while they work
    runs_needed = 1000 / 2
    workers = math.ceil(runs_needed / per_worker)
    rows = [
        ("small run", f"`{SMALL['dataset']}`, {SMALL['n_points']} points, 16-16-1 tanh, "
                      f"{SMALL['epochs']} epochs"),
        ("runs completed per minute, 1 worker (1 web process)", f"{one:.1f}"),
        ("runs completed per minute, 2 workers (1 web process)", f"{two:.1f}"),
        ("**speed-up 2 workers / 1 worker (goal ≥ 1.8)**", f"**{two / one:.2f}**"),
        (f"clients over 2 web processes, 2 workers (each: `{LOAD_REQUEST['dataset']}` "
         f"{LOAD_REQUEST['n_points']} points, {LOAD_REQUEST['epochs']} epochs)", f"{clients}"),
        ("runs completed", f"{done} / {clients}"),
        ("live events received", f"{len(lat)}"),
        ("latency emit → receive p50", f"{percentile(lat, 50):.1f} ms"),
        ("**latency emit → receive p95**", f"**{percentile(lat, 95):.1f} ms**"),
        ("latency emit → receive max", f"{lat[-1]:.1f} ms"),
        ("wall time for the 50 runs", f"{seconds:.1f} s"),
    ]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return f"""## Scale-out: Redis-backed workers (`bench/scale.py`)

All processes on this one 2-core machine: redis-server (append-only file), web
processes (`python -m server --redis URL`), workers (`python -m server.worker`), one
SQLite file.

| measure | value |
|---|---|
{table}

The workers, the web process, redis-server and this script share the two cores, so
two workers cannot double one: the server-load section shows two bare engine CLIs side
by side getting about 1.5× one CLI's samples/s on this machine, which bounds the
speed-up here; on separate machines workers share nothing but Redis and the database.

**Estimate for 1,000 simultaneous students.** Assume each student starts a small run
like the one above about every two minutes while working (a class alternates reading,
changing the network and training): {runs_needed:.0f} runs a minute. One worker
per core finished {per_worker:.1f} small runs a minute here, so that needs about
{workers} workers: **{math.ceil(workers / 2)} two-core worker machines**. The web side
held {clients} live sockets with a p95 of {percentile(lat, 95):.0f} ms on 2 processes
sharing the cores with the workers; counting a conservative 100 sockets per web
process and one web process per core, 1,000 students need 10 web processes on
**5 two-core web machines** behind a load balancer, plus one Redis and one
PostgreSQL machine (Redis carries two or three small commands per event, a few dozen
events a second per worker here, far below what one Redis core serves): about
**{math.ceil(workers / 2) + 5 + 2} machines** in all. MNIST runs take minutes instead of
seconds; a class training MNIST at once needs workers in proportion to the epochs per
minute it wants, which bench/speed.py gives per core.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    args = parser.parse_args()

    one = runs_per_minute(1, args.runs)
    two = runs_per_minute(2, args.runs)
    lat, done, seconds = latency(args.clients)
    text = report(one, two, lat, done, args.clients, seconds)
    print(text)
    if not args.no_write:
        write_section("scale", text)
    return 0 if done == args.clients else 1


if __name__ == "__main__":
    sys.exit(main())
