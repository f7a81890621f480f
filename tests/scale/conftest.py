"""A small cluster of real processes: redis-server, two web processes, two workers,
one SQLite file (all on this machine, on loopback ports)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.live_server import LiveServer
from tests.scale.processes import REDIS_SERVER, RedisServer, WorkerProcess, cluster_env, wait_for

needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server; .ci/run does)"
)


@dataclass
class Cluster:
    redis: RedisServer
    webs: list[LiveServer]
    workers: list[WorkerProcess]
    env: dict[str, str]
    base: Path

    def add_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.env, self.base / f"worker{len(self.workers)}.log").start()
        self.workers.append(worker)
        return worker

    def live_workers(self) -> list[dict]:
        return self.webs[0].get("/api/health").json()["workers"]

    def wait_workers(self, n: int) -> None:
        wait_for(lambda: len([w for w in self.live_workers() if w["state"] == "idle"]) >= n,
                 what=f"{n} idle workers")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cluster(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    base = tmp_path_factory.mktemp("cluster")
    env = cluster_env(redis_server.url, base / "runs.sqlite")
    webs = [LiveServer(base / "runs.sqlite", 0, base / f"web{i}.log", env=env) for i in range(2)]
    c = Cluster(redis_server, webs, [], env, base)
    try:
        for _ in range(2):
            c.add_worker()
        for web in webs:
            web.start()
        c.wait_workers(2)
        yield c
    finally:
        for web in webs:
            web.stop()
        for worker in c.workers:
            worker.stop()


def get_json(url: str) -> dict:
    return httpx.get(url, timeout=30).json()
