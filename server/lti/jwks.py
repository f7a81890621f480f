"""The platforms' key sets, cached in SQLite with a TTL and refetched once for an unknown `kid`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from server.lti.errors import LtiError
from server.lti.store import LtiStore


class JwksCache:
    def __init__(self, store: LtiStore, client: Callable[[], httpx.AsyncClient],
                 ttl: float = 3600.0, min_refetch: float = 5.0) -> None:
        self.store = store
        self.client = client
        self.ttl = ttl
        #: an unknown kid refetches the set, but not more often than this (a forged kid is not a DoS)
        self.min_refetch = min_refetch

    async def key_for(self, url: str, kid: str) -> jwt.PyJWK:
        cached = self.store.jwks(url)
        now = time.time()
        if cached is not None:
            jwks, fetched = cached
            key = _find(jwks, kid)
            if key is not None and now - fetched < self.ttl:
                return key
            if key is None and now - fetched < self.min_refetch:
                raise _unknown(kid, url)
        try:
            jwks = await self.fetch(url)
        except LtiError:
            stale = _find(cached[0], kid) if cached is not None else None
            if stale is None:
                raise
            return stale  # the platform is unreachable just now: keep trusting the key it last served
        key = _find(jwks, kid)
        if key is None:
            raise _unknown(kid, url)
        return key

    async def fetch(self, url: str) -> dict[str, Any]:
        try:
            async with self.client() as client:
                answer = await client.get(url, headers={"Accept": "application/json"}, timeout=10.0)
            answer.raise_for_status()
            jwks = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise LtiError("jwks_unavailable",
                           f"the platform's key set at {url} could not be fetched: {exc}", 400) from exc
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise LtiError("jwks_invalid", f"the platform's key set at {url} has no \"keys\" list", 400)
        self.store.put_jwks(url, jwks)
        return jwks


def _find(jwks: dict[str, Any], kid: str) -> jwt.PyJWK | None:
    for entry in jwks.get("keys", []):
        if isinstance(entry, dict) and entry.get("kid") == kid and entry.get("kty") == "RSA":
            try:
                return jwt.PyJWK(entry, algorithm="RS256")
            except jwt.PyJWTError:
                return None
    return None


def _unknown(kid: str, url: str) -> LtiError:
    return LtiError("unknown_kid", f"no key with kid {kid!r} in the platform's key set ({url})", 401)
