"""LTI 1.3 against a fake platform: login, launch validation, session, tool JWKS, deep linking, AGS."""

from __future__ import annotations

import asyncio
import html
import json
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.lti import claims as c
from server.lti.ags import scores_url
from server.lti.keys import ToolKey
from server.lti.registry import RegistrationFileError, load_registrations
from server.lti.service import LtiService
from server.lti.testing import (
    AUTH_URL,
    CLIENT_ID,
    DEPLOYMENT,
    ISSUER,
    LINEITEM,
    SCORES_PATH,
    FakePlatform,
    query,
    registration,
    rsa_key,
)
from server.settings import Settings

TOOL = "https://nnplay.example"


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
def client(tmp_path: Path, platform: FakePlatform) -> Iterator[TestClient]:
    regs = tmp_path / "lti.json"
    second = {**registration(), "client_id": "other-client", "deployment_ids": ["d2"]}
    regs.write_text(json.dumps({"registrations": [registration(), second]}))
    settings = Settings(db_path=tmp_path / "runs.sqlite", workers=0, digit_model_path=tmp_path / "none.npz",
                        lti_registrations=regs, lti_key_path=tmp_path / "keys" / "tool.pem", public_url=TOOL)
    with TestClient(create_app(settings), base_url="https://testserver") as tc:
        service: LtiService = tc.app.state.lti
        service.transport = httpx.MockTransport(platform.handler)
        service.jwks.min_refetch = 0
        platform.tool_jwks = tc.get("/.well-known/jwks.json").json()
        yield tc


def service_of(client: TestClient) -> LtiService:
    return client.app.state.lti


def login(client: TestClient, **extra: str) -> dict[str, str]:
    params = {"iss": ISSUER, "login_hint": "user-42", "target_link_uri": TOOL + "/lti/launch",
              "lti_message_hint": "msg-7", "client_id": CLIENT_ID, **extra}
    answer = client.get("/lti/login", params=params, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return query(answer.headers["location"])


def post_launch(client: TestClient, token: str, state: str, **headers: str) -> httpx.Response:
    return client.post("/lti/launch", data={"id_token": token, "state": state}, follow_redirects=False,
                       headers=headers)


def launch(client: TestClient, platform: FakePlatform, message_type: str = c.RESOURCE_LINK_REQUEST,
           **extra: Any) -> str:
    """A valid launch; its launch token."""
    q = login(client)
    id_token = platform.sign(platform.claims(q["nonce"], message_type, **extra))
    answer = post_launch(client, id_token, q["state"])
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/?launch=")
    return query(location)["launch"]


def session(client: TestClient, token: str) -> httpx.Response:
    return client.get("/api/lti/session", headers={"Authorization": f"Bearer {token}"})


# -- login --------------------------------------------------------------------------------------


def test_login_redirects_to_the_platform_with_state_and_nonce(client: TestClient) -> None:
    for method in ("GET", "POST"):
        params = {"iss": ISSUER, "login_hint": "user-42", "target_link_uri": TOOL + "/lti/launch",
                  "lti_message_hint": "msg-7", "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT}
        if method == "GET":
            answer = client.get("/lti/login", params=params, follow_redirects=False)
        else:
            answer = client.post("/lti/login", data=params, follow_redirects=False)
        assert answer.status_code == 302
        location = answer.headers["location"]
        assert location.startswith(AUTH_URL + "?")
        q = query(location)
        assert q["scope"] == "openid" and q["response_type"] == "id_token"
        assert q["response_mode"] == "form_post" and q["prompt"] == "none"
        assert q["client_id"] == CLIENT_ID and q["redirect_uri"] == TOOL + "/lti/launch"
        assert q["login_hint"] == "user-42" and q["lti_message_hint"] == "msg-7"
        assert len(q["state"]) >= 32 and len(q["nonce"]) >= 32 and q["state"] != q["nonce"]
        cookie = answer.headers["set-cookie"]
        assert "nnplay_lti_state_" in cookie and "Secure" in cookie and "SameSite=none" in cookie
        assert "HttpOnly" in cookie


def test_login_refuses_unknown_platforms_clearly(client: TestClient) -> None:
    base = {"iss": ISSUER, "login_hint": "u", "target_link_uri": TOOL + "/lti/launch"}
    cases = [
        ({**base, "iss": "https://evil.example"}, "unknown_registration"),
        ({**base, "client_id": "nobody"}, "unknown_registration"),
        (base, "client_id_required"),  # two registrations share the issuer
        ({**base, "client_id": CLIENT_ID, "lti_deployment_id": "nope"}, "unknown_deployment"),
        ({"iss": ISSUER, "client_id": CLIENT_ID}, "missing_parameter"),
    ]
    for params, reason in cases:
        answer = client.get("/lti/login", params=params, follow_redirects=False,
                            headers={"Accept": "application/json"})
        assert answer.status_code == 400, params
        assert answer.json()["reason"] == reason
    page = client.get("/lti/login", params={**base, "iss": "https://evil.example"})
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]
    assert "no registration for issuer https://evil.example" in page.text


# -- launch --------------------------------------------------------------------------------------


def test_valid_launch_opens_the_app_with_a_session(client: TestClient, platform: FakePlatform) -> None:
    token = launch(client, platform)
    answer = session(client, token)
    assert answer.status_code == 200, answer.text
    s = answer.json()
    assert s["role"] == "learner" and s["locale"] == "zh-TW" and s["language"] == "zh-Hant"
    assert s["lesson"] == "xor" and s["user_name"] == "Ada Lovelace" and s["user_id"] == "learner-42"
    assert s["context"] == {"id": "course-3", "title": "Deep learning 101", "label": "DL101"}
    assert s["resource_link"]["id"] == "link-9"
    assert s["can_post_grades"] is True and s["deep_linking"] is False
    assert s["message_type"] == c.RESOURCE_LINK_REQUEST
    assert platform.jwks_fetches == 1
    launch(client, platform)  # the key set is cached
    assert platform.jwks_fetches == 1


def test_instructor_role_and_simplified_chinese(client: TestClient, platform: FakePlatform) -> None:
    roles = ["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
             "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    token = launch(client, platform, **{c.ROLES: roles, c.LAUNCH_PRESENTATION: {"locale": "zh_cn"}})
    s = session(client, token).json()
    assert s["role"] == "instructor" and s["language"] == "zh-Hans"


def test_session_needs_a_valid_launch_token(client: TestClient) -> None:
    assert client.get("/api/lti/session").status_code == 401
    assert session(client, "not-a-token").status_code == 401
    service = service_of(client)
    from server.lti import tokens

    expired = jwt.encode({"sub": "x", "aud": tokens.LAUNCH_AUDIENCE, "iat": 1, "exp": 2},
                         service.key.hmac_secret, algorithm="HS256")
    answer = session(client, expired)
    assert answer.status_code == 401 and answer.json()["reason"] == "launch_token_expired"


def _multi_aud(p: FakePlatform, n: str) -> str:
    return p.sign(p.claims(n, aud=[CLIENT_ID, "someone-else"]))


def _without(claim: str, message_type: str = c.RESOURCE_LINK_REQUEST):
    def make(p: FakePlatform, n: str) -> str:
        claims = p.claims(n, message_type)
        del claims[claim]
        return p.sign(claims)

    return make


NOW = int(time.time())
BAD_TOKENS = {
    "bad_signature": lambda p, n: p.sign(p.claims(n), key=rsa_key("forger")),
    "unknown_kid": lambda p, n: p.sign(p.claims(n), kid="p9", key=rsa_key("forger")),
    "wrong_issuer": lambda p, n: p.sign(p.claims(n, iss="https://evil.example")),
    "wrong_audience": lambda p, n: p.sign(p.claims(n, aud="someone-else")),
    "missing_azp": _multi_aud,
    "wrong_azp": lambda p, n: p.sign(p.claims(n, aud=[CLIENT_ID, "x"], azp="x")),
    "expired": lambda p, n: p.sign(p.claims(n, iat=NOW - 7200, exp=NOW - 3600)),
    "issued_in_future": lambda p, n: p.sign(p.claims(n, iat=NOW + 3600, exp=NOW + 7200)),
    "nonce_mismatch": lambda p, n: p.sign(p.claims("some-other-nonce")),
    "unknown_deployment": lambda p, n: p.sign(p.claims(n, **{c.DEPLOYMENT_ID: "deploy-666"})),
    "wrong_version": lambda p, n: p.sign(p.claims(n, **{c.VERSION: "1.1"})),
    "wrong_message_type": lambda p, n: p.sign(p.claims(n, **{c.MESSAGE_TYPE: "LtiSubmissionReviewRequest"})),
    "missing_resource_link_id": lambda p, n: p.sign(p.claims(n, **{c.RESOURCE_LINK: {"title": "no id"}})),
    "missing_sub": _without("sub"),
    "missing_roles": _without(c.ROLES),
    "missing_target_link_uri": _without(c.TARGET_LINK_URI),
    "missing_deep_link_return": lambda p, n: p.sign(p.claims(n, c.DEEP_LINKING_REQUEST,
                                                             **{c.DEEP_LINKING_SETTINGS: {}})),
    "missing_nonce": _without("nonce"),
    "alg_none": lambda p, n: p.unsigned(p.claims(n)),
    "alg_hs256": lambda p, n: jwt.encode(p.claims(n), "a-shared-secret-of-32-bytes-length!",
                                         algorithm="HS256", headers={"kid": "p1"}),
    "not_a_jwt": lambda p, n: "garbage",
}
EXPECTED_REASON = {
    "missing_resource_link_id": "missing_claim", "missing_sub": "missing_claim",
    "missing_roles": "missing_claim",
    "missing_target_link_uri": "missing_claim", "missing_deep_link_return": "missing_claim",
    "missing_nonce": "missing_claim", "alg_none": "alg_not_allowed", "alg_hs256": "alg_not_allowed",
    "not_a_jwt": "malformed_token",
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_invalid_id_tokens_are_refused_with_their_reason(case: str, client: TestClient,
                                                         platform: FakePlatform) -> None:
    launch(client, platform)  # fills the key-set cache
    fetches = platform.jwks_fetches
    q = login(client)
    token = BAD_TOKENS[case](platform, q["nonce"])
    answer = post_launch(client, token, q["state"], Accept="application/json")
    assert answer.status_code in (400, 401), answer.text
    assert answer.json()["reason"] == EXPECTED_REASON.get(case, case)
    assert answer.json()["detail"]
    if case == "unknown_kid":
        assert platform.jwks_fetches == fetches + 1  # refetched once, then refused
    # the browser sees an HTML page that says what failed
    q = login(client)
    page = post_launch(client, BAD_TOKENS[case](platform, q["nonce"]), q["state"])
    assert page.status_code in (400, 401) and "text/html" in page.headers["content-type"]
    assert "reason: <code>" in page.text


def test_a_rotated_platform_key_is_fetched(client: TestClient, platform: FakePlatform) -> None:
    launch(client, platform)
    platform.keys["p2"] = rsa_key("rotated")
    q = login(client)
    answer = post_launch(client, platform.sign(platform.claims(q["nonce"]), kid="p2"), q["state"])
    assert answer.status_code == 303 and platform.jwks_fetches == 2


def test_replayed_launches_are_refused(client: TestClient, platform: FakePlatform) -> None:
    q = login(client)
    token = platform.sign(platform.claims(q["nonce"]))
    assert post_launch(client, token, q["state"]).status_code == 303
    again = post_launch(client, token, q["state"], Accept="application/json")
    assert again.status_code == 400 and again.json()["reason"] == "state_used"
    q2 = login(client)  # a fresh login cannot carry the old token either
    replay = post_launch(client, token, q2["state"], Accept="application/json")
    assert replay.status_code == 401 and replay.json()["reason"] == "nonce_replay"


def test_forged_state_and_state_cookie_are_refused(client: TestClient, platform: FakePlatform) -> None:
    q = login(client)
    token = platform.sign(platform.claims(q["nonce"]))
    forged = post_launch(client, token, "forged-state", Accept="application/json")
    assert forged.status_code == 400 and forged.json()["reason"] == "unknown_state"
    name = next(k for k in client.cookies if k.startswith("nnplay_lti_state_"))
    client.cookies.clear()
    wrong = post_launch(client, token, q["state"], Accept="application/json", Cookie=f"{name}={'0' * 64}")
    assert wrong.status_code == 400 and wrong.json()["reason"] == "state_cookie_mismatch"
    missing = client.post("/lti/launch", data={"state": q["state"]}, headers={"Accept": "application/json"})
    assert missing.status_code == 400 and missing.json()["reason"] == "missing_parameter"
    not_form = client.post("/lti/launch", json={"id_token": token}, headers={"Accept": "application/json"})
    assert not_form.status_code == 400


def test_a_launch_without_the_state_cookie_is_accepted(client: TestClient, platform: FakePlatform) -> None:
    """Browsers may drop the cookie inside an LMS iframe; the single-use server-side state still binds it."""
    q = login(client)
    client.cookies.clear()
    assert post_launch(client, platform.sign(platform.claims(q["nonce"])), q["state"]).status_code == 303


# -- tool configuration ------------------------------------------------------------------------------


def test_tool_jwks_and_key_file(client: TestClient, tmp_path: Path) -> None:
    jwks = client.get("/.well-known/jwks.json").json()
    (key,) = jwks["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert "d" not in key and "p" not in key
    path = tmp_path / "keys" / "tool.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key["kid"] == service_of(client).key.kid


def _jwks_of(settings: Settings) -> dict[str, Any]:
    with TestClient(create_app(settings)) as tc:
        return tc.get("/.well-known/jwks.json").json()


def test_without_a_key_file_every_node_uses_the_database_key(tmp_path: Path) -> None:
    """Two web nodes on one database (and a restart) publish the same key, with no key file."""
    shared = tmp_path / "shared.sqlite"
    nodes = [Settings(db_path=tmp_path / f"node{i}" / "runs.sqlite", workers=0,
                      digit_model_path=tmp_path / "none.npz", db_url=f"sqlite:///{shared}")
             for i in (1, 2)]
    first, second, again = _jwks_of(nodes[0]), _jwks_of(nodes[1]), _jwks_of(nodes[0])
    assert first == second == again and first["keys"][0]["kid"]
    assert not list(tmp_path.rglob("*.pem"))


def test_a_key_file_from_before_is_adopted_and_a_broken_one_refused(tmp_path: Path) -> None:
    """A server that kept its key in lti_tool_key.pem beside the database keeps publishing it:
    the platforms registered that JWKS. A file that is not a key stops the start, naming it."""
    old = tmp_path / "lti_tool_key.pem"
    old.write_bytes(ToolKey(rsa_key("old tool")).pem())
    before = ToolKey.load_or_create(old).kid
    settings = Settings(db_path=tmp_path / "runs.sqlite", workers=0, digit_model_path=tmp_path / "none.npz")
    assert _jwks_of(settings)["keys"][0]["kid"] == before
    old.unlink()  # from now on the database holds it
    assert _jwks_of(settings)["keys"][0]["kid"] == before

    broken = tmp_path / "other"
    broken.mkdir()
    (broken / "lti_tool_key.pem").write_text("not a key")
    with pytest.raises(ValueError, match="lti_tool_key.pem"):
        _jwks_of(Settings(db_path=broken / "runs.sqlite", workers=0, digit_model_path=tmp_path / "none.npz"))


def test_canvas_config_shape(client: TestClient) -> None:
    config = client.get("/lti/canvas-config.json").json()
    assert config["title"] == "nnplay"
    assert config["oidc_initiation_url"] == TOOL + "/lti/login"
    assert config["target_link_uri"] == TOOL + "/lti/launch"
    assert config["public_jwk_url"] == TOOL + "/.well-known/jwks.json"
    assert set(config["scopes"]) == {c.SCOPE_LINEITEM, c.SCOPE_SCORE, c.SCOPE_RESULT_READONLY}
    (ext,) = config["extensions"]
    assert ext["privacy_level"] == "public" and ext["domain"] == "nnplay.example"
    placements = {p["placement"]: p for p in ext["settings"]["placements"]}
    for name in ("link_selection", "assignment_selection"):
        assert placements[name]["message_type"] == c.DEEP_LINKING_REQUEST
    assert isinstance(config["custom_fields"], dict)


def test_frame_ancestors_come_from_the_registrations(client: TestClient) -> None:
    assert service_of(client).frame_ancestors() == ["https://lms.example"]


# -- deep linking ----------------------------------------------------------------------------------------


def test_deep_linking_answers_with_a_signed_resource_link(client: TestClient, platform: FakePlatform) -> None:
    token = launch(client, platform, c.DEEP_LINKING_REQUEST)
    assert session(client, token).json()["deep_linking"] is True
    answer = client.post("/lti/deep-link", headers={"Authorization": f"Bearer {token}"},
                         json={"lesson": "xor", "title": "XOR needs a hidden layer",
                               "goal": {"metric": "validation_accuracy", "at_least": 0.95}})
    assert answer.status_code == 200, answer.text
    assert 'action="https://lms.example/deep_links"' in answer.text and ".submit()" in answer.text
    signed = html.unescape(re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1))
    jwks = client.get("/.well-known/jwks.json").json()
    header = jwt.get_unverified_header(signed)
    assert header["alg"] == "RS256" and header["kid"] == jwks["keys"][0]["kid"]
    claims = jwt.decode(signed, jwt.PyJWK(jwks["keys"][0]).key, algorithms=["RS256"], audience=ISSUER,
                        issuer=CLIENT_ID, options={"require": ["exp", "iat", "nonce"]})
    assert claims[c.MESSAGE_TYPE] == "LtiDeepLinkingResponse" and claims[c.VERSION] == "1.3.0"
    assert claims[c.DEPLOYMENT_ID] == DEPLOYMENT and claims[c.DL + "data"] == "opaque-123"
    (item,) = claims[c.DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == TOOL + "/lti/launch"
    assert item["custom"]["lesson"] == "xor"
    assert json.loads(item["custom"]["goal"]) == {"metric": "validation_accuracy", "at_least": 0.95}
    assert item["lineItem"] == {"scoreMaximum": 1, "label": "XOR needs a hidden layer", "resourceId": "xor",
                                "tag": "nnplay-lesson"}


def test_deep_linking_refusals(client: TestClient, platform: FakePlatform) -> None:
    body = {"lesson": "xor"}
    assert client.post("/lti/deep-link", json=body).status_code == 401
    link = launch(client, platform)
    answer = client.post("/lti/deep-link", json=body, headers={"Authorization": f"Bearer {link}"})
    assert answer.status_code == 400 and answer.json()["reason"] == "not_deep_linking"
    learner = launch(client, platform, c.DEEP_LINKING_REQUEST, **{c.ROLES: ["Learner"]})
    answer = client.post("/lti/deep-link", json=body, headers={"Authorization": f"Bearer {learner}"})
    assert answer.status_code == 403
    teacher = launch(client, platform, c.DEEP_LINKING_REQUEST)
    answer = client.post("/lti/deep-link", json={"lesson": "../x y"},
                         headers={"Authorization": f"Bearer {teacher}"})
    assert answer.status_code == 400 and answer.json()["reason"] == "bad_lesson"
    for goal in ({"metric": "test_accuracy", "at_least": 1.5}, {"metric": "test_loss", "at_least": 0.9},
                 {"metric": "speed", "at_least": 0.5}, {"metric": "test_accuracy"}):
        answer = client.post("/lti/deep-link", json={"lesson": "xor", "goal": goal},
                             headers={"Authorization": f"Bearer {teacher}"})
        assert answer.status_code == 422, goal  # a tuned goal the server could never check is refused


# -- grade passback -----------------------------------------------------------------------------------------


def _launch_id(client: TestClient, token: str) -> str:
    return session(client, token).json()["launch_id"]


def test_scores_are_posted_only_when_they_improve(client: TestClient, platform: FakePlatform) -> None:
    service = service_of(client)
    launch_id = _launch_id(client, launch(client, platform))
    assert asyncio.run(service.post_score(launch_id, 0.8)) == "posted"
    (request, body), = platform.scores
    assert request.headers["content-type"] == "application/vnd.ims.lis.v1.score+json"
    assert request.url.path == SCORES_PATH and request.url.params["type_id"] == "1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["timestamp"])
    assert body["userId"] == "learner-42" and body["scoreGiven"] == 0.8 and body["scoreMaximum"] == 1
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    (form,) = platform.token_requests
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assert set(form["scope"][0].split()) == set(c.AGS_SCOPES)

    assert service.post_score_sync(launch_id, 0.8) == "skipped"
    assert service.post_score_sync(launch_id, 0.5) == "skipped"
    assert len(platform.scores) == 1
    assert service.post_score_sync(launch_id, 0.9) == "posted"
    assert len(platform.scores) == 2 and len(platform.token_requests) == 1  # the token was cached


def test_a_refused_token_is_refreshed_once(client: TestClient, platform: FakePlatform) -> None:
    service = service_of(client)
    launch_id = _launch_id(client, launch(client, platform))
    assert service.post_score_sync(launch_id, 0.5) == "posted"
    platform.valid_tokens.clear()  # the platform revokes the cached token
    assert service.post_score_sync(launch_id, 0.7) == "posted"
    assert len(platform.token_requests) == 2 and [b["scoreGiven"] for _, b in platform.scores] == [0.5, 0.7]


def test_a_platform_refusing_scores_raises(client: TestClient, platform: FakePlatform) -> None:
    from server.lti import AgsError

    service = service_of(client)
    launch_id = _launch_id(client, launch(client, platform))
    real = platform.handler
    service.transport = httpx.MockTransport(
        lambda r: httpx.Response(401) if r.url.path == SCORES_PATH else real(r))
    with pytest.raises(AgsError):
        service.post_score_sync(launch_id, 1.0)
    assert len(platform.token_requests) == 2  # tried once more with a fresh token
    service.transport = httpx.MockTransport(real)
    assert service.post_score_sync(launch_id, 1.0) == "posted"  # nothing was recorded as posted


def test_links_without_a_line_item_post_nothing(client: TestClient, platform: FakePlatform) -> None:
    service = service_of(client)
    no_item = _launch_id(client, launch(client, platform, **{c.AGS_ENDPOINT: {"scope": [c.SCOPE_SCORE]}}))
    assert service.post_score_sync(no_item, 1.0) == "no_lineitem"
    readonly = {"scope": [c.SCOPE_RESULT_READONLY], "lineitem": LINEITEM}
    no_scope = _launch_id(client, launch(client, platform, **{c.AGS_ENDPOINT: readonly}))
    assert service.post_score_sync(no_scope, 1.0) == "not_permitted"
    assert platform.scores == [] and platform.token_requests == []
    with pytest.raises(ValueError):
        service.post_score_sync(no_item, float("nan"))


def test_scores_url_keeps_the_query() -> None:
    assert scores_url("https://m.example/mod/lti/services.php/2/lineitems/3/lineitem?type_id=1") == \
        "https://m.example/mod/lti/services.php/2/lineitems/3/lineitem/scores?type_id=1"
    assert scores_url("https://c.example/api/lti/courses/1/line_items/5/") == \
        "https://c.example/api/lti/courses/1/line_items/5/scores"


# -- registrations file ---------------------------------------------------------------------------


def test_registrations_from_toml_and_refusals(tmp_path: Path) -> None:
    toml = tmp_path / "lti.toml"
    toml.write_text('''
[[registrations]]
issuer = "https://moodle.example"
client_id = "abc"
auth_login_url = "https://moodle.example/mod/lti/auth.php"
auth_token_url = "https://moodle.example/mod/lti/token.php"
key_set_url = "https://moodle.example/mod/lti/certs.php"
deployment_ids = ["1"]
''')
    registry = load_registrations(toml)
    reg = registry.get("https://moodle.example", "abc")
    assert reg is not None and reg.deployment_ids == ("1",)
    assert registry.frame_ancestors() == ["https://moodle.example"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"issuer": "x", "client_id": "y"}]))
    with pytest.raises(RegistrationFileError, match="lacks auth_login_url"):
        load_registrations(bad)
    assert len(load_registrations(None)) == 0
