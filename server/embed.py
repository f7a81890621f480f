"""Embedding nnplay in other sites: the frame-ancestors header and a plain `<iframe>` snippet.

`EmbedHeaders` gives every HTML page `Content-Security-Policy: frame-ancestors 'self' <origins>`,
the origins being those the LTI registrations allow (`LtiService.frame_ancestors()`), and removes
any X-Frame-Options (which would forbid framing outright and cannot list origins).
`GET /api/embed-snippet` answers the `<iframe>` HTML for a playground set-up, for sites without LTI.
"""

from __future__ import annotations

import html
import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 200, 4000, 640


def frame_ancestors_value(origins: list[str]) -> str:
    clean = [o for o in origins if o and not any(ch in o for ch in " ;,'\"\r\n")]
    return " ".join(["frame-ancestors", "'self'", *dict.fromkeys(clean)])


class EmbedHeaders:
    """Pure ASGI middleware (streams untouched): CSP frame-ancestors on text/html responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-frame-options"]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if content_type.lower().startswith(b"text/html"):
                    policy = frame_ancestors_value(_origins(scope))
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-security-policy"]
                    headers.append((b"content-security-policy", policy.encode("latin-1", "replace")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _origins(scope: Scope) -> list[str]:
    app = scope.get("app")
    lti = getattr(getattr(app, "state", None), "lti", None)
    if lti is None:
        return []
    try:
        return list(lti.frame_ancestors())
    except Exception:
        log.exception("the LTI frame ancestors could not be read: only 'self' may frame nnplay")
        return []


router = APIRouter(tags=["embed"])


class EmbedSnippet(BaseModel):
    src: str
    height: int
    html: str


@router.get("/api/embed-snippet")
def embed_snippet(
    request: Request,
    setup: Annotated[str, Query(max_length=8000, pattern=r"^[A-Za-z0-9_=-]*$",
                                description="the playground's #setup= value (base64url)")] = "",
    height: Annotated[int, Query(ge=MIN_HEIGHT, le=MAX_HEIGHT)] = DEFAULT_HEIGHT,
    lesson: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                                        description="a lesson id: the frame opens that lesson")] = None,
) -> EmbedSnippet:
    """A plain `<iframe>` for sites without LTI that opens the playground with this set-up (and lesson)."""
    lti: Any = getattr(request.app.state, "lti", None)
    base = lti.base(str(request.base_url)) if lti is not None else str(request.base_url).rstrip("/")
    src = f"{base}/?embed=1" + (f"&lesson={lesson}" if lesson else "")
    if setup:
        src += "#setup=" + quote(setup, safe="-_.~!*()'=:,")
    snippet = (f'<iframe src="{html.escape(src, quote=True)}" width="100%" height="{height}" '
               f'style="border:0;max-width:100%" title="nnplay" loading="lazy" allow="fullscreen" '
               f'referrerpolicy="strict-origin-when-cross-origin"></iframe>')
    return EmbedSnippet(src=src, height=height, html=snippet)
