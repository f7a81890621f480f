"""Refuse request bodies over the size limit, with a JSON answer that names the limit.

Checked twice: the declared Content-Length before the app runs, and the bytes
actually received (a chunked upload declares nothing), so neither can exhaust
memory. (Starlette's own limiter answers in plain text, which clients cannot map.)
"""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.message = f"the request body is over this server's limit max_body_bytes = {max_bytes}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await JSONResponse({"detail": self.message}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # an HTTPException passes through FastAPI's body parsing unchanged
                raise HTTPException(status_code=413, detail=self.message)
            return message

        await self.app(scope, limited_receive, send)
