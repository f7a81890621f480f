"""What the routes ask of a run manager, whichever one serves: the embedded pool
(server/runs.py) or Redis-backed workers (server/scale/manager.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from server.errors import Conflict, Unavailable, Unprocessable
from server.events import WireEvent
from server.fanout import Outbox
from server.metrics import Histogram
from server.settings import ServerLimits
from server.store import SweepRecord


@dataclass(frozen=True)
class RunState:
    """A queued or running run as the routes show it."""

    status: str
    paused: bool = False
    position: int | None = None


@dataclass(frozen=True)
class Gauges:
    """The manager's part of /metrics and /api/health."""

    mode: str
    queued: int
    epochs_total: int
    workers: list[dict[str, Any]]
    redis: str | None = None  # None: healthy or not used; else what is wrong


class RunService(Protocol):
    done_hooks: list[Any]
    latency: Histogram

    async def submit(self, request: dict[str, Any], client: str,
                     corrections: tuple[Any, Any] | None = None) -> str: ...

    async def submit_sweep(self, sweep: SweepRecord, requests: list[dict[str, Any]]) -> None: ...

    async def stop(self, run_id: str) -> str: ...

    async def pause(self, run_id: str, paused: bool) -> RunState: ...

    async def states(self, run_ids: list[str]) -> dict[str, RunState]: ...

    async def subscribe(self, run_id: str) -> tuple[list[WireEvent], Outbox] | None: ...

    def unsubscribe(self, run_id: str, outbox: Outbox) -> None: ...

    async def gauges(self) -> Gauges: ...


def admit(limits: ServerLimits, client_jobs: int, queued: int, n_runs: int) -> None:
    """Refuse a submission over a limit. The per-client limit counts jobs, not runs: each
    single run is one, and a sweep with any run still queued or running is one in all (its
    runs wait their turns in the fair queue like anyone's)."""
    if client_jobs >= limits.max_runs_per_client:
        raise Unprocessable.at(
            ["body"],
            f"you already have {client_jobs} runs or sweeps queued or running: this server's "
            f"limit max_runs_per_client = {limits.max_runs_per_client} (a sweep counts as "
            "one). Stop one or wait for it.",
            "limit",
        )
    if queued + n_runs > limits.max_queued_runs:
        runs = f"these {n_runs} runs" if n_runs > 1 else "another run"
        raise Unavailable(
            f"{queued} runs are already waiting and {runs} would pass the limit "
            f"max_queued_runs = {limits.max_queued_runs}; try again in a minute"
        )


def not_pausable(run_id: str, status: str) -> Conflict:
    return Conflict(f"run {run_id} is {status}: only a running run can pause")
