"""Real processes for the scale-out tests and bench: redis-server, workers, PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import redis

from tests.api.live_server import REPO, START_TIMEOUT, free_port

REDIS_SERVER = shutil.which("redis-server")
#: runs lost by a worker are retried this soon in the tests (the default is 10 s)
TEST_LEASE_SECONDS = "3"

T = TypeVar("T")


class RedisServer:
    """A throwaway redis-server on a free loopback port, its append-only file in `directory`,
    so a restart keeps every queued run and event."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        assert REDIS_SERVER, "redis-server is not installed"
        cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
               "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--protected-mode", "no"]
        with (self.dir / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.exceptions.ConnectionError, redis.exceptions.BusyLoadingError):
                if client.ping():
                    return self
            time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        """SHUTDOWN, as `systemctl restart` would: the append-only file is flushed first."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(redis.exceptions.ConnectionError):
                redis.Redis.from_url(self.url).shutdown()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self, down_seconds: float = 0.5) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


class WorkerProcess:
    """One `python -m server.worker`."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc
        return self.proc.pid

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "server.worker", "--log-level", "warning"],
                                         cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def kill9(self) -> None:
        assert self.proc
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_for(condition: Callable[[], T], timeout: float = START_TIMEOUT, what: str = "a condition") -> T:
    """Poll `condition()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def cluster_env(redis_url: str, db: Path, data_dir: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "NNPLAY_REDIS_URL": redis_url, "NNPLAY_DB": str(db),
           "NNPLAY_LEASE_SECONDS": TEST_LEASE_SECONDS}
    if data_dir:
        env["NNPLAY_DATA_DIR"] = str(data_dir)
    return env


PG_BIN = next((Path(p).parent for p in (shutil.which("pg_ctl"), *sorted(Path("/usr/lib/postgresql").glob(
    "*/bin/pg_ctl"))) if p), None)


class PostgresServer:
    """A throwaway PostgreSQL cluster in `directory` on a free loopback port (trust auth). As
    root it runs as the `postgres` user, since PostgreSQL refuses to run as root."""

    def __init__(self, directory: Path) -> None:
        assert PG_BIN is not None
        self.dir = directory
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        user = self.user or os.environ.get("USER", "postgres")
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        data = self.dir / "data"
        if self.user:
            shutil.chown(self.dir, self.user)
        self._run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", self.user or "postgres",
                  "--no-sync")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "pg.log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop")
