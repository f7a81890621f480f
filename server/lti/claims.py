"""LTI 1.3 claim names and the launch context the tool keeps from a validated id_token."""

from __future__ import annotations

import contextlib
import json
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

VERSION = LTI + "version"
MESSAGE_TYPE = LTI + "message_type"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
DEEP_LINKING_SETTINGS = DL + "deep_linking_settings"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_RESULT_READONLY, SCOPE_SCORE)

#: the last path segment (after '#' or '/') of role URIs that see the instructor view
INSTRUCTOR_ROLES = {"Instructor", "ContentDeveloper", "Administrator", "TeachingAssistant", "Faculty",
                    "SysAdmin"}
LANGUAGES = ("en", "zh-Hant", "zh-Hans")


def role_of(roles: list[str]) -> str:
    """'instructor' when any role is a teaching one (context, institution or system), else 'learner'."""
    for uri in roles:
        if not isinstance(uri, str):
            continue
        name = uri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in INSTRUCTOR_ROLES:
            return "instructor"
    return "learner"


def language_of(locale: str | None) -> str | None:
    """The UI language for a launch locale (en-US, zh-TW, zh_cn, zh-Hant ...); None when absent."""
    if not locale or not isinstance(locale, str):
        return None
    tag = locale.strip().replace("_", "-").lower()
    if tag.startswith("zh"):
        traditional = ("hant", "-tw", "-hk", "-mo")
        return "zh-Hant" if any(part in tag for part in traditional) else "zh-Hans"
    return "en"


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def launch_context(claims: dict[str, Any], client_id: str) -> dict[str, Any]:
    """What the tool keeps of a validated launch (stored as JSON, returned by /api/lti/session)."""
    custom = {str(k): v for k, v in _obj(claims.get(CUSTOM)).items()}
    roles = [r for r in claims.get(ROLES, []) if isinstance(r, str)]
    locale = _obj(claims.get(LAUNCH_PRESENTATION)).get("locale")
    lesson = custom.get("lesson") or custom.get("lesson_id")
    goal = custom.get("goal")
    if isinstance(goal, str):
        with contextlib.suppress(ValueError):
            goal = json.loads(goal)
    name = claims.get("name") or " ".join(
        str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)) or None
    context = _obj(claims.get(CONTEXT))
    link = _obj(claims.get(RESOURCE_LINK))
    ags = _obj(claims.get(AGS_ENDPOINT))
    return {
        "issuer": claims["iss"],
        "client_id": client_id,
        "deployment_id": str(claims[DEPLOYMENT_ID]),
        "message_type": claims[MESSAGE_TYPE],
        "sub": str(claims["sub"]),
        "name": name,
        "email": claims.get("email"),
        "roles": roles,
        "role": role_of(roles),
        "locale": locale if isinstance(locale, str) else None,
        "language": language_of(locale if isinstance(locale, str) else None),
        "context": {k: context.get(k) for k in ("id", "title", "label") if context.get(k) is not None},
        "resource_link": {k: link.get(k) for k in ("id", "title") if link.get(k) is not None},
        "target_link_uri": claims.get(TARGET_LINK_URI),
        "custom": custom,
        "lesson": str(lesson) if lesson is not None else None,
        "goal": goal,
        "ags": {
            "lineitem": ags.get("lineitem") if isinstance(ags.get("lineitem"), str) else None,
            "lineitems": ags.get("lineitems") if isinstance(ags.get("lineitems"), str) else None,
            "scope": [s for s in ags.get("scope", []) if isinstance(s, str)]
            if isinstance(ags.get("scope"), list) else [],
        },
        "deep_linking_settings": claims.get(DEEP_LINKING_SETTINGS)
        if claims[MESSAGE_TYPE] == DEEP_LINKING_REQUEST else None,
    }
