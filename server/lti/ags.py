"""Assignment and Grade Services client: OAuth2 client-credentials token and score publishing."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
import jwt

from server.lti import claims as c
from server.lti.errors import AgsError
from server.lti.keys import ToolKey
from server.lti.registry import Registration
from server.lti.store import LtiStore

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

ScoreResult = Literal["posted", "skipped", "no_lineitem", "not_permitted"]


def iso_ms(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with milliseconds, as AGS asks: 2026-11-25T16:20:56.123Z."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def scores_url(lineitem: str) -> str:
    """`<lineitem>/scores`, keeping a query string (Moodle's line items carry `?type_id=`)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


class AgsClient:
    def __init__(self, key: ToolKey, store: LtiStore, client: Callable[[], httpx.AsyncClient]) -> None:
        self.key = key
        self.store = store
        self.client = client
        self._tokens: dict[tuple[str, str, str], tuple[str, float]] = {}

    def client_assertion(self, reg: Registration) -> str:
        now = int(time.time())
        claims = {"iss": reg.client_id, "sub": reg.client_id, "aud": reg.token_audience,
                  "iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(24)}
        return jwt.encode(claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid})

    async def access_token(self, reg: Registration, scopes: tuple[str, ...] = c.AGS_SCOPES,
                           refresh: bool = False) -> str:
        """A bearer token for `scopes`, from the cache until 30 s before it expires."""
        cache_key = (reg.issuer, reg.client_id, " ".join(sorted(scopes)))
        cached = self._tokens.get(cache_key)
        if cached and not refresh and cached[1] > time.time():
            return cached[0]
        form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.client_assertion(reg), "scope": " ".join(scopes)}
        try:
            async with self.client() as client:
                answer = await client.post(reg.auth_token_url, data=form,
                                           headers={"Accept": "application/json"}, timeout=15.0)
        except httpx.HTTPError as exc:
            raise AgsError(f"token request to {reg.auth_token_url} failed: {exc}") from exc
        if answer.status_code != 200:
            raise AgsError(f"token request refused ({answer.status_code}): {answer.text[:300]}")
        try:
            body = answer.json()
            token = str(body["access_token"])
            expires_in = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise AgsError(f"token answer is not understood: {answer.text[:300]}") from exc
        self._tokens[cache_key] = (token, time.time() + max(0.0, expires_in - 30))
        return token

    async def post_score(self, reg: Registration, launch: dict[str, Any], score: float,
                         comment: str | None = None) -> ScoreResult:
        """Publish `score` (0..1) for the launch's user on its line item, if it beats the last one posted."""
        if not isinstance(score, int | float) or not math.isfinite(score):
            raise ValueError(f"score must be a finite number, not {score!r}")
        score = min(1.0, max(0.0, float(score)))
        ags = launch.get("ags") or {}
        lineitem = ags.get("lineitem")
        if not lineitem:
            return "no_lineitem"
        if c.SCOPE_SCORE not in ags.get("scope", []):
            return "not_permitted"
        user = launch["sub"]
        last = self.store.last_score(lineitem, user)
        if last is not None and score <= last:
            return "skipped"
        body: dict[str, Any] = {
            "userId": user, "scoreGiven": score, "scoreMaximum": 1, "timestamp": iso_ms(),
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        }
        if comment:
            body["comment"] = comment
        url = scores_url(lineitem)
        for attempt in (0, 1):
            token = await self.access_token(reg, refresh=attempt == 1)
            try:
                async with self.client() as client:
                    answer = await client.post(url, json=body, timeout=15.0, headers={
                        "Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA_TYPE})
            except httpx.HTTPError as exc:
                raise AgsError(f"score post to {url} failed: {exc}") from exc
            if answer.status_code == 401 and attempt == 0:
                continue  # the token was revoked or expired early: get a new one, once
            if answer.status_code >= 300:
                raise AgsError(f"score post refused ({answer.status_code}): {answer.text[:300]}")
            self.store.set_score(lineitem, user, score)
            return "posted"
        raise AgsError("score post refused (401) even with a fresh token")
