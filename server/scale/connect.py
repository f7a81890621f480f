"""Redis clients that ride out a Redis restart: each command is retried with exponential
backoff, and the long-lived loops around them (`backoff`) keep going until Redis is back."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import redis
import redis.asyncio
import redis.asyncio.retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

log = logging.getLogger(__name__)

#: what a restarting Redis throws: refused connections, resets, "loading the dataset"
TRANSIENT = (RedisConnectionError, RedisTimeoutError, BusyLoadingError, OSError)
#: one command retries for about this long before its caller's loop takes over
RETRIES = 6
BACKOFF_CAP = 1.0
BACKOFF_BASE = 0.05


def sync_client(url: str) -> redis.Redis:
    """For workers and the web process's worker threads."""
    return redis.Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(BACKOFF_CAP, BACKOFF_BASE), RETRIES, TRANSIENT),
        socket_connect_timeout=2,
        socket_keepalive=True,
        health_check_interval=15,
    )


def async_client(url: str) -> redis.asyncio.Redis:
    """For the web process's event loop (event tails, done hooks)."""
    return redis.asyncio.Redis.from_url(
        url,
        retry=redis.asyncio.retry.Retry(ExponentialBackoff(BACKOFF_CAP, BACKOFF_BASE), RETRIES, TRANSIENT),
        socket_connect_timeout=2,
        socket_keepalive=True,
        health_check_interval=15,
    )


def backoff(what: str, cap: float = 5.0) -> Iterator[float]:
    """Delays for a loop that must outlast a Redis outage: logs once, then waits longer each time."""
    delay = BACKOFF_BASE
    log.warning("redis unavailable while %s; retrying with backoff", what)
    while True:
        yield delay
        delay = min(cap, delay * 2)
