"""The server under a classroom's load: 30 clients each start a small 2-D run and
hold its WebSocket at the same time.

    python bench/server_load.py [--clients 30] [--workers N] [--no-write]

Reports the per-event latency from the worker's `emitted_at` stamp to the
client's receipt (p50 / p95 / max, live events only: a replay sent on connect
is not latency), the runs completed and the errors (must be 0), and the
engine's throughput inside the server (median samples/s of the epoch events)
as a ratio of the bare `python -m engine train` on the same request.

The ratio is measured like for like: one run at a time in a one-worker
server against one bare CLI, so both train on one core with the other core
free (for the web process and the client in one case, idle in the other).
Under the 30-client load the two workers share the two cores with the web
process and the 30 clients; that figure is reported too, against as many
bare CLIs run side by side as there are workers.
Goals on a 2-core machine: p95 < 50 ms, ratio >= 0.9. Writes its section of
bench/RESULTS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from server.worker import THREAD_VARS  # noqa: E402
from tests.api.live_server import LiveServer  # noqa: E402

REQUEST: dict[str, Any] = {
    "dataset": "spiral",
    "n_points": 2000,
    "noise": 0.05,
    "epochs": 30,
    "batch_size": 10,
    "network": {
        "layers": [
            {"type": "dense", "units": 16, "activation": "tanh"},
            {"type": "dense", "units": 16, "activation": "tanh"},
            {"type": "dense", "units": 1, "activation": "sigmoid"},
        ],
        "optimizer": {"kind": "adam", "learning_rate": 0.01},
    },
}
RUN_TIMEOUT = 900.0


async def client(url: str, index: int) -> dict[str, Any]:
    """Start one run, follow its socket to `done`; returns latencies (s) and outcome."""
    latencies: list[float] = []
    speeds: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        answer = await http.post("/api/runs", json=REQUEST, headers={"X-Client-Id": f"bench-{index}"})
        answer.raise_for_status()
        run_id = answer.json()["run_id"]
    ws_url = url.replace("http", "ws", 1) + f"/ws/runs/{run_id}"
    async with connect(ws_url, max_size=None) as ws:
        opened = time.time()
        async for text in ws:
            received = time.time()
            event = json.loads(text)
            if event["type"] != "queued" and event["emitted_at"] >= opened:
                latencies.append(received - event["emitted_at"])
            if event["type"] == "epoch":
                speeds.append(event["samples_per_second"])
            if event["type"] == "done":
                return {"latencies": latencies, "speeds": speeds, "status": event["status"]}
    return {"latencies": latencies, "speeds": speeds, "status": "socket closed before done"}


async def load(url: str, clients: int) -> list[dict[str, Any] | BaseException]:
    tasks = [client(url, i) for i in range(clients)]
    return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), RUN_TIMEOUT)


def bare_engine_speed(at_once: int = 1) -> float:
    """Median epoch samples/s of the same request run by `at_once` engine CLIs
    side by side (with as many as the server has workers, they share the cores
    as the workers do, which isolates what the server itself costs). Each CLI gets
    one thread, as each server worker does."""
    env = {**os.environ, **dict.fromkeys(THREAD_VARS, "1")}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(REQUEST, f)
    try:
        cmd = [sys.executable, "-m", "engine", "train", "--config", f.name]
        procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
                 for _ in range(at_once)]
        outs = [p.communicate()[0] for p in procs]
    finally:
        os.unlink(f.name)
    events = [json.loads(line) for out in outs for line in out.splitlines()]
    return statistics.median(e["samples_per_second"] for e in events if e["type"] == "epoch")


def server_engine_speed(workers: int, clients: int, runs: int = 1) -> tuple[list[Any], float]:
    """The load: `clients` clients at once, `runs` times over, on a fresh server with `workers`
    workers; returns every client's result and the wall time of the last round."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"NNPLAY_MAX_RUNS_PER_CLIENT": "1"}
        server = LiveServer(Path(tmp) / "runs.sqlite", workers, Path(tmp) / "server.log", env=env)
        with server:
            wait_until_workers_ready(server)
            results: list[Any] = []
            for _ in range(runs):
                start = time.perf_counter()
                results += asyncio.run(load(server.url, clients))
                seconds = time.perf_counter() - start
    return results, seconds


def median_speed(results: list[Any]) -> float:
    return statistics.median(s for r in results if isinstance(r, dict) for s in r["speeds"])


def wait_until_workers_ready(server: LiveServer) -> None:
    while any(w["state"] != "idle" for w in server.get("/api/health").json()["workers"]):
        time.sleep(0.5)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def report(results: list[dict[str, Any] | BaseException], clients: int, workers: int,
           alone: float, bare: float, bare_shared: float, seconds: float) -> str:
    runs = [r for r in results if isinstance(r, dict)]
    errors = [r for r in results if isinstance(r, BaseException)]
    errors += [r["status"] for r in runs if r["status"] != "completed"]
    latencies_ms = sorted(1000 * x for r in runs for x in r["latencies"])
    inside = median_speed(runs)
    rows = [
        ("clients (one run + one WebSocket each)", f"{clients}"),
        ("training workers", f"{workers}"),
        ("runs completed", f"{sum(r['status'] == 'completed' for r in runs)} / {clients}"),
        ("errors", f"{len(errors)}" + (f" ({errors[0]!r})" if errors else "")),
        ("events received live", f"{len(latencies_ms)}"),
        ("latency emit → receive p50", f"{percentile(latencies_ms, 50):.1f} ms"),
        ("latency emit → receive p95 (goal < 50 ms)", f"{percentile(latencies_ms, 95):.1f} ms"),
        ("latency emit → receive max", f"{latencies_ms[-1]:.1f} ms"),
        ("engine samples/s, one run in a one-worker server (median epoch)", f"{alone:,.0f}"),
        ("engine samples/s, one bare CLI (median epoch)", f"{bare:,.0f}"),
        ("**throughput ratio server / bare CLI, like for like (goal ≥ 0.9)**", f"**{alone / bare:.2f}**"),
        (f"engine samples/s under the load ({workers} workers, median epoch)", f"{inside:,.0f}"),
        (f"engine samples/s, {workers} bare CLIs side by side (median epoch)", f"{bare_shared:,.0f}"),
        (f"ratio under the load / {workers} bare CLIs side by side", f"{inside / bare_shared:.2f}"),
        ("ratio under the load / one bare CLI alone", f"{inside / bare:.2f}"),
        ("wall time for all runs", f"{seconds:.1f} s"),
    ]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return (f"## Server under load (`bench/server_load.py`)\n\nEach client: "
            f"`{json.dumps(REQUEST, separators=(',', ':'))}`\n\n| measure | value |\n|---|---|\n{table}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    args = parser.parse_args()

    bare = bare_engine_speed()
    alone = median_speed(server_engine_speed(workers=1, clients=1, runs=3)[0])
    bare_shared = bare_engine_speed(args.workers)
    results, seconds = server_engine_speed(args.workers, args.clients)
    text = report(results, args.clients, args.workers, alone, bare, bare_shared, seconds)
    print(text)
    if not args.no_write:
        write_section("server_load", text)
    errors = sum(1 for r in results if not isinstance(r, dict) or r["status"] != "completed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
