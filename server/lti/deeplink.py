"""Deep Linking 2.0: the signed LtiDeepLinkingResponse carrying one lesson as an ltiResourceLink."""

from __future__ import annotations

import html
import json
import secrets
import time
from typing import Any

import jwt

from server.lti import claims as c
from server.lti.errors import LtiError
from server.lti.keys import ToolKey

LINE_ITEM_TAG = "nnplay-lesson"


def content_item(lesson: str, title: str, launch_url: str, goal: dict[str, Any] | None,
                 with_line_item: bool) -> dict[str, Any]:
    # custom values are strings for the platforms (Canvas drops others): the goal travels as JSON text
    custom = {"lesson": lesson}
    if goal:
        custom["goal"] = json.dumps(goal, separators=(",", ":"), sort_keys=True)
    item: dict[str, Any] = {"type": "ltiResourceLink", "title": title, "url": launch_url, "custom": custom}
    if with_line_item:
        item["lineItem"] = {"scoreMaximum": 1, "label": title, "resourceId": lesson, "tag": LINE_ITEM_TAG}
    return item


def response_jwt(key: ToolKey, launch: dict[str, Any], item: dict[str, Any], ttl: int = 300) -> str:
    settings = launch.get("deep_linking_settings") or {}
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": launch["client_id"],
        "aud": launch["issuer"],
        "iat": now,
        "exp": now + ttl,
        "nonce": secrets.token_urlsafe(24),
        c.DEPLOYMENT_ID: launch["deployment_id"],
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: "1.3.0",
        c.DL + "content_items": [item],
    }
    if settings.get("data") is not None:
        claims[c.DL + "data"] = settings["data"]
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def build_response(key: ToolKey, launch: dict[str, Any], lesson: str, title: str, launch_url: str,
                   goal: dict[str, Any] | None) -> tuple[str, str]:
    """(deep_link_return_url, signed JWT) for a deep-linking launch; LtiError if it cannot be answered."""
    if launch.get("message_type") != c.DEEP_LINKING_REQUEST:
        raise LtiError("not_deep_linking", "this launch is not a deep-linking request", 400)
    if launch.get("role") != "instructor":
        raise LtiError("not_instructor", "only an instructor may choose the lesson of a link", 403)
    settings = launch.get("deep_linking_settings") or {}
    return_url = settings.get("deep_link_return_url")
    if not isinstance(return_url, str) or not return_url:
        raise LtiError("missing_claim", "the deep-linking request has no deep_link_return_url", 400)
    accept = settings.get("accept_types")
    if isinstance(accept, list) and "ltiResourceLink" not in accept:
        raise LtiError("type_not_accepted", "the platform does not accept ltiResourceLink items here", 400)
    with_line_item = settings.get("accept_lineitem", True) is not False
    item = content_item(lesson, title, launch_url, goal, with_line_item)
    return return_url, response_jwt(key, launch, item)


def auto_submit_form(return_url: str, token: str) -> str:
    url, value = html.escape(return_url, quote=True), html.escape(token, quote=True)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>nnplay</title></head>
<body>
<form id="nnplay-deep-link" method="post" action="{url}">
<input type="hidden" name="JWT" value="{value}">
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById("nnplay-deep-link").submit();</script>
</body></html>
"""
