"""`LtiService`: the LTI 1.3 tool, independent of the web framework (the routes are a thin adapter)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from sqlalchemy import Engine

from server.lti import claims as c
from server.lti import deeplink, tokens
from server.lti.ags import AgsClient, ScoreResult
from server.lti.errors import LtiError
from server.lti.jwks import JwksCache
from server.lti.keys import ToolKey
from server.lti.registry import Registration, Registry, load_registrations
from server.lti.store import LtiStore
from server.lti.validate import LEEWAY, validate_id_token

log = logging.getLogger(__name__)

#: seconds between OIDC login and launch
STATE_TTL = 600
#: seconds a launch token stays valid (one class session)
LAUNCH_TOKEN_TTL = 2 * 3600
LESSON_ID_MAX = 64

LOGIN_PATH = "/lti/login"
LAUNCH_PATH = "/lti/launch"
JWKS_PATH = "/.well-known/jwks.json"


class LtiService:
    def __init__(self, registry: Registry, key: ToolKey, store: LtiStore, public_url: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.registry = registry
        self.key = key
        self.store = store
        self.public_url = public_url.rstrip("/") if public_url else None
        #: None: real HTTP; tests put an httpx.MockTransport (a fake platform) here
        self.transport = transport
        self.jwks = JwksCache(store, self.http_client)
        self.ags = AgsClient(key, store, self.http_client)

    @classmethod
    def open(cls, engine: Engine, registrations: Path | None, key_path: Path | None,
             public_url: str | None, adopt_key: Path | None = None) -> LtiService:
        """The tool over the server's database. Its key is the PEM file `key_path` if given,
        else the one in the database, which every web node reads (the platforms trust one
        JWKS). The first start stores the key file `adopt_key` there if it exists (what
        servers used before the database held the key), else a new key."""
        store = LtiStore(engine)
        key = ToolKey.load_or_create(key_path) if key_path is not None else _database_key(store, adopt_key)
        return cls(load_registrations(registrations), key, store, public_url)

    def http_client(self) -> httpx.AsyncClient:
        # a client per operation: safe from any event loop (post_score_sync runs its own)
        return httpx.AsyncClient(transport=self.transport, follow_redirects=False)

    def base(self, request_base: str) -> str:
        return self.public_url or request_base.rstrip("/")

    # -- OIDC login initiation --------------------------------------------------------------

    def login(self, params: dict[str, str], request_base: str) -> tuple[str, str, str]:
        """(platform auth URL to redirect to, state cookie name, state cookie value)."""
        iss = params.get("iss")
        login_hint = params.get("login_hint")
        target = params.get("target_link_uri")
        for name, value in (("iss", iss), ("login_hint", login_hint), ("target_link_uri", target)):
            if not value:
                raise LtiError("missing_parameter", f"the login request lacks {name}", 400)
        assert iss and login_hint and target
        reg = self._registration(iss, params.get("client_id"))
        deployment = params.get("lti_deployment_id")
        if deployment and deployment not in reg.deployment_ids:
            raise LtiError("unknown_deployment",
                           f"deployment {deployment!r} is not registered for {iss} client {reg.client_id}",
                           400)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.store.add_state(state, nonce, reg.issuer, reg.client_id, target, STATE_TTL)
        query = {
            "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
            "client_id": reg.client_id, "redirect_uri": self.base(request_base) + LAUNCH_PATH,
            "login_hint": login_hint, "state": state, "nonce": nonce,
        }
        if params.get("lti_message_hint"):
            query["lti_message_hint"] = params["lti_message_hint"]
        sep = "&" if urlsplit(reg.auth_login_url).query else "?"
        url = reg.auth_login_url + sep + urlencode(query)
        return url, tokens.state_cookie_name(state), tokens.state_cookie_value(self.key.hmac_secret, state)

    def _registration(self, iss: str, client_id: str | None) -> Registration:
        if client_id:
            reg = self.registry.get(iss, client_id)
            if reg is None:
                raise LtiError("unknown_registration",
                               f"no registration for issuer {iss} with client_id {client_id}", 400)
            return reg
        regs = self.registry.for_issuer(iss)
        if not regs:
            raise LtiError("unknown_registration", f"no registration for issuer {iss}", 400)
        if len(regs) > 1:
            raise LtiError("client_id_required",
                           f"issuer {iss} has several registrations: the login must name its client_id", 400)
        return regs[0]

    # -- launch ---------------------------------------------------------------------------------

    async def launch(self, form: dict[str, str], cookies: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        """Validate a launch; (launch id, launch token, launch context)."""
        if form.get("error"):
            raise LtiError("platform_error", f"the platform answered the login with an error: "
                           f"{form.get('error')} {form.get('error_description', '')}".strip(), 400)
        id_token, state = form.get("id_token"), form.get("state")
        if not id_token:
            raise LtiError("missing_parameter", "the launch lacks id_token", 400)
        if not state:
            raise LtiError("missing_parameter", "the launch lacks state", 400)
        row = self.store.state(state)
        if row is None:
            raise LtiError("unknown_state", "the state was not issued by this tool (forged, or from "
                           "another server)", 400)
        if row.used:
            raise LtiError("state_used", "this login state was used already (a replayed launch)", 400)
        if row.expires < _now():
            raise LtiError("state_expired", "the login took too long: launch again from the course", 400)
        cookie = cookies.get(tokens.state_cookie_name(state))
        # a missing cookie is accepted (browsers may block it in an iframe); a wrong one is not
        if cookie is not None and not tokens.state_cookie_ok(self.key.hmac_secret, state, cookie):
            raise LtiError("state_cookie_mismatch", "the state does not match this browser's login", 400)
        reg = self.registry.get(row.issuer, row.client_id)
        if reg is None:
            raise LtiError("unknown_registration", "the registration of this login no longer exists", 400)
        claims = await validate_id_token(id_token, reg, self.jwks)
        nonce = claims["nonce"]
        if not isinstance(nonce, str) or self.store.nonce_used(nonce):
            raise LtiError("nonce_replay", "the id_token's nonce was used already (a replayed launch)", 401)
        if not secrets.compare_digest(nonce, row.nonce):
            raise LtiError("nonce_mismatch", "the id_token's nonce is not the one sent at login", 401)
        used = self.store.consume(state, nonce, reg.issuer, float(claims["exp"]) + LEEWAY)
        if used == "state":
            raise LtiError("state_used", "this login state was used already (a replayed launch)", 400)
        if used == "nonce":
            raise LtiError("nonce_replay", "the id_token's nonce was used already (a replayed launch)", 401)
        context = c.launch_context(claims, reg.client_id)
        launch_id = secrets.token_urlsafe(18)
        self.store.add_launch(launch_id, context)
        token = tokens.issue_launch_token(self.key.hmac_secret, launch_id, LAUNCH_TOKEN_TTL)
        log.info("LTI launch %s: %s %s from %s", launch_id, context["message_type"], context["role"],
                 reg.issuer)
        return launch_id, token, context

    def session(self, launch_token: str) -> tuple[str, dict[str, Any]]:
        """(launch id, launch context) for a valid launch token; LtiError 401 otherwise."""
        launch_id = tokens.read_launch_token(self.key.hmac_secret, launch_token)
        launch = self.store.launch(launch_id)
        if launch is None:
            raise LtiError("unknown_launch", "the launch token names no launch of this server", 401)
        return launch_id, launch

    # -- deep linking ------------------------------------------------------------------------------

    def deep_link(self, launch_token: str, lesson: str, title: str | None, goal: dict[str, Any] | None,
                  request_base: str) -> tuple[str, str]:
        """(return URL, signed LtiDeepLinkingResponse JWT) for the lesson an instructor picked."""
        _, launch = self.session(launch_token)
        return deeplink.build_response(self.key, launch, lesson, title or lesson,
                                       self.base(request_base) + LAUNCH_PATH, goal)

    # -- grade passback -----------------------------------------------------------------------------

    async def post_score(self, launch_id: str, score: float, comment: str | None = None) -> ScoreResult:
        """Post `score` (0..1) for the launch's learner if it improves on the last one posted.

        'posted', 'skipped' (no improvement), 'no_lineitem' (the link has no gradebook column) or
        'not_permitted' (the platform did not grant the score scope); AgsError if the platform refuses.
        """
        launch = self.store.launch(launch_id)
        if launch is None:
            raise LtiError("unknown_launch", f"no launch {launch_id}", 404)
        reg = self.registry.get(launch["issuer"], launch["client_id"])
        if reg is None:
            raise LtiError("unknown_registration", "the registration of this launch no longer exists", 400)
        return await self.ags.post_score(reg, launch, score, comment)

    def post_score_sync(self, launch_id: str, score: float, comment: str | None = None) -> ScoreResult:
        """`post_score` for threads without an event loop (e.g. a run's event reader)."""
        return asyncio.run(self.post_score(launch_id, score, comment))

    # -- configuration for the platforms -------------------------------------------------------------

    def canvas_config(self, request_base: str) -> dict[str, Any]:
        base = self.base(request_base)
        launch = base + LAUNCH_PATH
        domain = urlsplit(base).netloc
        deep = {"message_type": c.DEEP_LINKING_REQUEST, "target_link_uri": launch, "text": "nnplay lesson",
                "icon_url": base + "/static/favicon.svg"}
        return {
            "title": "nnplay",
            "description": "A neural-network playground for teaching deep learning: lessons with goals "
                           "checked by the server, grades passed back to the course.",
            "oidc_initiation_url": base + LOGIN_PATH,
            "target_link_uri": launch,
            "public_jwk_url": base + JWKS_PATH,
            "scopes": list(c.AGS_SCOPES),
            "extensions": [{
                "domain": domain,
                "tool_id": "nnplay",
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {
                    "text": "nnplay",
                    "placements": [
                        {"placement": "link_selection", **deep},
                        {"placement": "assignment_selection", **deep},
                        {"placement": "course_navigation", "message_type": c.RESOURCE_LINK_REQUEST,
                         "target_link_uri": launch, "text": "nnplay", "default": "disabled"},
                    ],
                },
            }],
            "custom_fields": {"canvas_course_id": "$Canvas.course.id", "user_locale": "$Canvas.user.locale"},
        }

    def frame_ancestors(self) -> list[str]:
        """Origins the registrations allow to frame the tool (for the embed page's CSP)."""
        return self.registry.frame_ancestors()


def valid_lesson_id(lesson: str) -> bool:
    return 0 < len(lesson) <= LESSON_ID_MAX and all(ch.isalnum() or ch in "-_." for ch in lesson)


def _now() -> float:
    return time.time()


def _database_key(store: LtiStore, adopt: Path | None) -> ToolKey:
    pem = store.tool_key_pem()
    if pem is None:
        if adopt is not None and adopt.exists():  # a broken file is refused here, not shared
            offer = ToolKey.from_pem(adopt.read_bytes(), str(adopt)).pem()
        else:
            offer = ToolKey.generate().pem()
        pem = store.offer_tool_key_pem(offer)
    return ToolKey.from_pem(pem, "the database's lti_tool_key")
