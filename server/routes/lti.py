"""LTI 1.3 routes: a thin FastAPI adapter over `server.lti.LtiService` (kept in `app.state.lti`).

The form-encoded protocol endpoints (/lti/login, /lti/launch) are left out of the OpenAPI schema:
platforms, not API clients, call them, and they answer with redirects or HTML pages.
"""

from __future__ import annotations

import html
import logging
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from server.lessons.model import Goal
from server.lti import deeplink
from server.lti.errors import LtiError
from server.lti.service import LtiService, valid_lesson_id
from server.lti.tokens import state_cookie_name
from server.schemas import ErrorAnswer

log = logging.getLogger(__name__)

router = APIRouter(tags=["lti"])
bearer = HTTPBearer(auto_error=False, description="the launch token from /?launch=")

NO_LAUNCH = {401: {"model": ErrorAnswer, "description": "no launch token, or an expired or invalid one"}}


def lti_service(request: Request) -> LtiService:
    service = getattr(request.app.state, "lti", None)
    if service is None:  # the lifespan did not run (cannot happen in a served app)
        raise LtiError("lti_unavailable", "LTI is not set up on this server", 503)
    return service


Lti = Annotated[LtiService, Depends(lti_service)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("json" in accept and "text/html" not in accept)


def refusal(request: Request, err: LtiError) -> Response:
    log.info("LTI refused %s %s: %s", request.method, request.url.path, err)
    if _wants_json(request):
        return JSONResponse({"detail": err.message, "reason": err.reason}, status_code=err.status)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nnplay: launch refused</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto">
<h1>The course could not open nnplay</h1>
<p>{html.escape(err.message)}</p>
<p><small>reason: <code>{html.escape(err.reason)}</code> (HTTP {err.status})</small></p>
</body></html>
"""
    return HTMLResponse(page, status_code=err.status)


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded form of a POST (what platforms send), without python-multipart."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise LtiError("bad_content_type", "expected an application/x-www-form-urlencoded form", 400)
    body = await request.body()
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LtiError("bad_form", f"the form cannot be read: {exc}", 400) from exc


@router.api_route("/lti/login", methods=["GET", "POST"], include_in_schema=False)
async def login(request: Request) -> Response:
    """OIDC login initiation: remember state and nonce, send the browser to the platform."""
    try:
        service = lti_service(request)
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await _form(request))
        url, cookie_name, cookie_value = service.login(params, _base(request))
    except LtiError as err:
        return refusal(request, err)
    answer = RedirectResponse(url, status_code=302)
    secure = service.base(_base(request)).startswith("https://")
    answer.set_cookie(cookie_name, cookie_value, max_age=600, path="/lti", httponly=True, secure=secure,
                      samesite="none" if secure else "lax")
    return answer


@router.post("/lti/launch", include_in_schema=False)
async def launch(request: Request) -> Response:
    """The platform's form_post of the id_token: validate, record the launch, open the app."""
    try:
        service = lti_service(request)
        form = await _form(request)
        _, token, _ = await service.launch(form, dict(request.cookies))
    except LtiError as err:
        return refusal(request, err)
    answer = RedirectResponse("/?" + urlencode({"launch": token}), status_code=303)
    answer.delete_cookie(state_cookie_name(form.get("state", "")), path="/lti")
    return answer


class Jwk(BaseModel):
    kty: str
    n: str
    e: str
    kid: str
    alg: str
    use: str


class Jwks(BaseModel):
    keys: list[Jwk]


@router.get("/.well-known/jwks.json")
async def tool_jwks(service: Lti) -> Jwks:
    """The public part of the tool's key: platforms verify deep-linking answers and client assertions."""
    return Jwks.model_validate(service.key.jwks())


@router.get("/lti/canvas-config.json")
async def canvas_config(request: Request, service: Lti) -> dict[str, Any]:
    """A Canvas developer-key configuration (paste into Admin → Developer Keys → LTI Key → Paste JSON)."""
    return service.canvas_config(_base(request))


class LtiSession(BaseModel):
    launch_id: str
    message_type: str
    role: str = Field(description="'instructor' or 'learner', from the roles claim")
    roles: list[str]
    locale: str | None = Field(description="launch_presentation.locale as the platform sent it")
    language: str | None = Field(description="en, zh-Hant or zh-Hans, from the locale")
    lesson: str | None = Field(description="the lesson id from the custom claims")
    goal: Any = Field(default=None, description="the lesson goal override from the custom claims")
    user_name: str | None
    user_id: str
    context: dict[str, Any]
    resource_link: dict[str, Any]
    custom: dict[str, Any]
    can_post_grades: bool
    deep_linking: bool


@router.get("/api/lti/session", response_model=LtiSession, responses=NO_LAUNCH)
async def session(request: Request, service: Lti, credentials: Bearer) -> Any:
    """The launch context for the launch token in `Authorization: Bearer`."""
    try:
        if credentials is None:
            raise LtiError("no_launch_token", "send the launch token as Authorization: Bearer", 401)
        launch_id, launch = service.session(credentials.credentials)
    except LtiError as err:
        return JSONResponse({"detail": err.message, "reason": err.reason}, status_code=err.status)
    ags = launch.get("ags") or {}
    return LtiSession(
        launch_id=launch_id, message_type=launch["message_type"], role=launch["role"], roles=launch["roles"],
        locale=launch.get("locale"), language=launch.get("language"), lesson=launch.get("lesson"),
        goal=launch.get("goal"), user_name=launch.get("name"), user_id=launch["sub"],
        context=launch.get("context") or {}, resource_link=launch.get("resource_link") or {},
        custom=launch.get("custom") or {},
        can_post_grades=bool(ags.get("lineitem")) and "https://purl.imsglobal.org/spec/lti-ags/scope/score"
        in ags.get("scope", []),
        deep_linking=launch.get("deep_linking_settings") is not None,
    )


class DeepLinkChoice(BaseModel):
    lesson: str = Field(min_length=1, max_length=64, description="the lesson id the link opens")
    title: str | None = Field(default=None, max_length=200, description="link and gradebook column title")
    goal: Goal | None = Field(default=None, description="the instructor's tuning of the lesson's goal")


@router.post(
    "/lti/deep-link",
    response_model=None,
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}},
              "description": "a form that posts the signed answer to the LMS"},
        400: {"model": ErrorAnswer, "description": "the launch is not a deep-linking request, or the lesson "
              "id is not valid"},
        **NO_LAUNCH,
        403: {"model": ErrorAnswer, "description": "only an instructor may choose a lesson"},
    },
)
async def deep_link(request: Request, choice: DeepLinkChoice, service: Lti, credentials: Bearer) -> Response:
    """Answer a deep-linking launch with the chosen lesson: an auto-submitting form to the platform."""
    try:
        if credentials is None:
            raise LtiError("no_launch_token", "send the launch token as Authorization: Bearer", 401)
        if not valid_lesson_id(choice.lesson):
            raise LtiError("bad_lesson", "a lesson id has letters, digits, '-', '_' or '.'", 400)
        goal = choice.goal.model_dump(exclude_none=True) if choice.goal else None
        return_url, token = service.deep_link(credentials.credentials, choice.lesson, choice.title, goal,
                                              _base(request))
    except LtiError as err:
        return JSONResponse({"detail": err.message, "reason": err.reason}, status_code=err.status)
    return HTMLResponse(deeplink.auto_submit_form(return_url, token))
