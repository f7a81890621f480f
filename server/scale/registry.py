"""Which `python -m server.worker` processes are alive and what each is doing.

Each worker rewrites its own key every few seconds with a TTL; a worker whose
key has expired is gone (killed, or its machine is), whatever it said last.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import redis

from server.scale import keys

ANNOUNCE_SECONDS = 2.0
#: a worker silent for this long is no longer listed
ALIVE_SECONDS = 3 * ANNOUNCE_SECONDS


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def announce(client: redis.Redis, worker_id: str, state: str, run_id: str | None) -> None:
    info = {"name": worker_id, "pid": os.getpid(), "state": state, "run_id": run_id}
    with client.pipeline() as p:
        p.sadd(keys.WORKERS, worker_id)
        p.set(keys.worker(worker_id), json.dumps(info), px=int(ALIVE_SECONDS * 1000))
        p.execute()


def retire(client: redis.Redis, worker_id: str) -> None:
    with client.pipeline() as p:
        p.srem(keys.WORKERS, worker_id)
        p.delete(keys.worker(worker_id))
        p.execute()


async def workers(client: Any) -> list[dict[str, Any]]:
    """The live workers as /api/health lists them (`client` is an asyncio Redis client)."""
    ids = sorted(w.decode() for w in await client.smembers(keys.WORKERS))
    values = await client.mget([keys.worker(w) for w in ids]) if ids else []
    gone = [w for w, v in zip(ids, values, strict=True) if v is None]
    if gone:
        await client.srem(keys.WORKERS, *gone)
    infos = [json.loads(v) for v in values if v is not None]
    return [{"slot": slot, **info} for slot, info in enumerate(infos)]
