"""A real `python -m server` process on a free port, for end-to-end tests and the load bench."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

REPO = Path(__file__).resolve().parents[2]
#: generous guards against a hang; tests never assert on speed
START_TIMEOUT = 90.0
EVENT_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """Start, crash, stop and restart one server process (in its own process group)."""

    def __init__(self, db: Path, workers: int, log: Path, data_dir: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.db, self.workers, self.log, self.data_dir = db, workers, log, data_dir
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, run_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/runs/{run_id}"

    def start(self) -> LiveServer:
        self.port = free_port()
        cmd = [sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", str(self.port),
               "--workers", str(self.workers), "--db", str(self.db), "--log-level", "warning"]
        if self.data_dir:
            cmd += ["--data-dir", str(self.data_dir)]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"server did not answer within {START_TIMEOUT} s")

    def stop(self) -> None:
        """Ctrl-C, as an operator would; then make sure nothing of the group is left."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._kill_group()

    def crash(self) -> None:
        """kill -9 the server and its workers, like a power cut."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()
        self._kill_group()

    def _kill_group(self) -> None:
        if self.proc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- client helpers ---------------------------------------------------------------

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.post(self.url + path, timeout=30, **kw)

    def start_run(self, request: dict[str, Any], client_id: str | None = None) -> str:
        headers = {"X-Client-Id": client_id} if client_id else {}
        answer = self.post("/api/runs", json=request, headers=headers)
        assert answer.status_code == 201, answer.text
        return answer.json()["run_id"]

    def events(self, run_id: str, until: str = "done") -> Iterator[dict[str, Any]]:
        """The run's events from the start (replay first), up to and including type `until`."""
        with connect(self.ws_url(run_id), open_timeout=30, max_size=None) as ws:
            while True:
                event = json.loads(ws.recv(timeout=EVENT_TIMEOUT))
                yield event
                if event["type"] == until:
                    return

    def wait_for(self, run_id: str, until: str) -> list[dict[str, Any]]:
        return list(self.events(run_id, until))
