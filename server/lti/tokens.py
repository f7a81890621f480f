"""Short-lived tokens of the tool itself: the launch token and the login-state cookie (both HMAC)."""

from __future__ import annotations

import hashlib
import hmac
import time

import jwt

from server.lti.errors import LtiError

LAUNCH_AUDIENCE = "nnplay-launch"
STATE_COOKIE_PREFIX = "nnplay_lti_state_"


def issue_launch_token(secret: bytes, launch_id: str, ttl: float) -> str:
    now = int(time.time())
    claims = {"sub": launch_id, "aud": LAUNCH_AUDIENCE, "iat": now, "exp": now + int(ttl)}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_launch_token(secret: bytes, token: str) -> str:
    """The launch id in a valid, unexpired launch token; LtiError 401 otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=LAUNCH_AUDIENCE,
                            options={"require": ["exp", "iat", "sub", "aud"]})
    except jwt.ExpiredSignatureError as exc:
        raise LtiError("launch_token_expired", "the launch token has expired: launch again from the course",
                       401) from exc
    except jwt.PyJWTError as exc:
        raise LtiError("launch_token_invalid", f"the launch token is not valid: {exc}", 401) from exc
    return str(claims["sub"])


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for no header or another scheme."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def state_cookie_name(state: str) -> str:
    """One cookie per login (so two tabs launching at once do not overwrite each other's)."""
    return STATE_COOKIE_PREFIX + hashlib.sha256(state.encode()).hexdigest()[:16]


def state_cookie_value(secret: bytes, state: str) -> str:
    return hmac.new(secret, b"state:" + state.encode(), hashlib.sha256).hexdigest()


def state_cookie_ok(secret: bytes, state: str, value: str) -> bool:
    return hmac.compare_digest(state_cookie_value(secret, state), value)
