"""A fake LMS for tests (also usable by the e2e tests): RSA keys, JWKS, token endpoint, score recording.

Serve it with `httpx.MockTransport(platform.handler)` as `LtiService.transport`.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from server.lti import claims as c
from server.lti.keys import b64url_uint

ISSUER = "https://lms.example"
CLIENT_ID = "nnplay-client"
DEPLOYMENT = "deploy-1"
JWKS_URL = ISSUER + "/jwks"
TOKEN_URL = ISSUER + "/token"
AUTH_URL = ISSUER + "/auth"
LINEITEM = ISSUER + "/courses/3/lineitems/7/lineitem?type_id=1"
SCORES_PATH = "/courses/3/lineitems/7/lineitem/scores"
TOOL_LAUNCH = "https://nnplay.example/lti/launch"

_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """Keys are slow-ish to generate: one per name for the whole test session."""
    if name not in _KEYS:
        _KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[name]


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
            "n": b64url_uint(numbers.n), "e": b64url_uint(numbers.e)}


def registration() -> dict[str, Any]:
    return {"issuer": ISSUER, "client_id": CLIENT_ID, "auth_login_url": AUTH_URL, "auth_token_url": TOKEN_URL,
            "key_set_url": JWKS_URL, "deployment_ids": [DEPLOYMENT], "frame_ancestors": ["https://lms.example"]}


class FakePlatform:
    def __init__(self) -> None:
        self.keys = {"p1": rsa_key("platform")}
        self.jwks_fetches = 0
        self.token_requests: list[dict[str, list[str]]] = []
        self.scores: list[tuple[httpx.Request, dict[str, Any]]] = []
        self.valid_tokens: set[str] = set()
        self.tool_jwks: dict[str, Any] | None = None

    # -- messages ---------------------------------------------------------------------

    def claims(self, nonce: str, message_type: str = c.RESOURCE_LINK_REQUEST, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER, "aud": CLIENT_ID, "sub": "learner-42", "iat": now, "exp": now + 300,
            "nonce": nonce, "name": "Ada Lovelace",
            c.VERSION: "1.3.0", c.MESSAGE_TYPE: message_type, c.DEPLOYMENT_ID: DEPLOYMENT,
            c.TARGET_LINK_URI: TOOL_LAUNCH,
            c.ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            c.CONTEXT: {"id": "course-3", "title": "Deep learning 101", "label": "DL101"},
            c.CUSTOM: {"lesson": "xor"},
            c.LAUNCH_PRESENTATION: {"locale": "zh-TW", "document_target": "iframe"},
        }
        if message_type == c.RESOURCE_LINK_REQUEST:
            claims[c.RESOURCE_LINK] = {"id": "link-9", "title": "XOR lesson"}
            claims[c.AGS_ENDPOINT] = {"scope": list(c.AGS_SCOPES), "lineitem": LINEITEM,
                                      "lineitems": ISSUER + "/courses/3/lineitems"}
        else:
            claims[c.DEEP_LINKING_SETTINGS] = {
                "deep_link_return_url": ISSUER + "/deep_links", "accept_types": ["ltiResourceLink", "link"],
                "accept_presentation_document_targets": ["iframe", "window"], "data": "opaque-123",
                "accept_lineitem": True}
            claims[c.ROLES] = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
        claims.update(extra)
        return claims

    def sign(self, claims: dict[str, Any], kid: str = "p1", key: rsa.RSAPrivateKey | None = None) -> str:
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})

    @staticmethod
    def unsigned(claims: dict[str, Any], kid: str = "p1") -> str:
        def part(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'kid': kid, 'typ': 'JWT'})}.{part(claims)}."

    # -- HTTP -------------------------------------------------------------------------------

    def handler(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.method == "GET" and url == JWKS_URL:
            self.jwks_fetches += 1
            return httpx.Response(200, json={"keys": [public_jwk(k, kid) for kid, k in self.keys.items()]})
        if request.method == "POST" and url == TOKEN_URL:
            return self._token(request)
        if request.method == "POST" and request.url.path == SCORES_PATH:
            auth = request.headers.get("authorization", "")
            if auth.removeprefix("Bearer ") not in self.valid_tokens:
                return httpx.Response(401, json={"error": "invalid token"})
            self.scores.append((request, json.loads(request.content)))
            return httpx.Response(200, json={})
        return httpx.Response(404, text=f"fake platform: nothing at {request.method} {url}")

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        self.token_requests.append(form)
        assert self.tool_jwks is not None, "the test must give the platform the tool's JWKS"
        assertion = form["client_assertion"][0]
        kid = jwt.get_unverified_header(assertion)["kid"]
        jwk = next(k for k in self.tool_jwks["keys"] if k["kid"] == kid)
        claims = jwt.decode(assertion, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=TOKEN_URL,
                            issuer=CLIENT_ID, options={"require": ["exp", "iat", "jti", "sub"]})
        assert claims["sub"] == CLIENT_ID
        token = "tok-" + uuid.uuid4().hex
        self.valid_tokens.add(token)
        return httpx.Response(200, json={"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                         "scope": form["scope"][0]})


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
