"""Lessons: loading, languages, locked fields, server-side goal checks, grade passback, embed headers."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from server.app import create_app
from server.lessons import load_lessons, negotiate
from server.lessons.model import BUILTIN_DIR, LANGUAGES
from server.lti.service import LtiService
from server.lti.testing import CLIENT_ID, ISSUER, FakePlatform, query, registration
from server.lti.tokens import issue_launch_token
from server.settings import Settings

TOOL = "https://nnplay.example"
LEARNER = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
INSTRUCTOR = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]


# -- loading --------------------------------------------------------------------------------------


def test_builtin_lessons_load_and_validate_in_three_languages() -> None:
    lessons, problems = load_lessons([BUILTIN_DIR])
    assert problems == []
    assert len(lessons) == 8
    assert {"line-fit", "xor-hidden-layer", "quadratic-vs-cross-entropy", "regularization",
            "weight-initialization", "vanishing-gradients", "cnn-mnist", "optimizers"} == set(lessons)
    for lesson in lessons.values():
        texts = {lang: (lesson.title.get(lang), lesson.explanation.get(lang)) for lang in LANGUAGES}
        assert len(set(texts.values())) == 3, lesson.id  # really translated
        assert all(t and e for t, e in texts.values())
    cnn = lessons["cnn-mnist"]
    assert cnn.goal.max_parameters and cnn.request["train_size"] <= 5000


def write(folder: Path, name: str, data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def xor_lesson(**changes: Any) -> dict[str, Any]:
    texts = {"en": "XOR", "zh-Hant": "XOR 繁", "zh-Hans": "XOR 简"}
    return {"id": "xor-hidden-layer", "title": texts, "explanation": texts, "preset": "xor-hidden",
            "locked": ["dataset"], "goal": {"metric": "test_accuracy", "at_least": 0.5}, **changes}


def test_teacher_folder_overrides_and_broken_files_are_skipped(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    teacher = tmp_path / "teacher"
    write(teacher, "mine.json", xor_lesson())
    bad_json = write(teacher, "broken.json", "{ not json")
    broken_request = {"dataset": "xor", "network": {"layers": []}}
    bad_request = write(teacher, "bad-request.json",
                        xor_lesson(id="bad", preset=None, request=broken_request))
    bad_lock = write(teacher, "bad-lock.json", xor_lesson(id="bad2", locked=["network.nope"]))
    with caplog.at_level(logging.WARNING, logger="server.lessons.model"):
        lessons, problems = load_lessons([BUILTIN_DIR, teacher])
    assert len(lessons) == 8 and lessons["xor-hidden-layer"].title.en == "XOR"
    assert lessons["xor-hidden-layer"].source == str(teacher / "mine.json")
    reasons = {p["path"]: p["reason"] for p in problems}
    assert "not valid JSON" in reasons[str(bad_json)]
    assert "network.layers" in reasons[str(bad_request)]
    assert "network.nope" in reasons[str(bad_lock)]
    for path in (bad_json, bad_request, bad_lock):
        assert str(path) in caplog.text


TOML_LESSON = """
id = "spiral-adam"
order = 3
preset = "spiral-tanh"
locked = ["dataset", "network.layers"]
hidden_controls = ["dataset", "layers"]

[changes]
"network.optimizer.kind" = "adam"
epochs = 50

[title]
en = "Spirals with Adam"
"zh-Hant" = "用 Adam 解螺旋"
"zh-Hans" = "用 Adam 解螺旋线"

[explanation]
en = "Adam unwinds the spirals."
"zh-Hant" = "Adam 解開螺旋。"
"zh-Hans" = "Adam 解开螺旋。"

[goal]
metric = "validation_accuracy"
at_least = 0.9
"""


def test_teacher_lessons_in_toml(tmp_path: Path) -> None:
    teacher = tmp_path / "teacher"
    write(teacher, "spiral.toml", TOML_LESSON)
    broken = write(teacher, "broken.toml", 'id = "x"\ntitle = {en = ')
    write(teacher, "notes.txt", "not a lesson")
    lessons, problems = load_lessons([BUILTIN_DIR, teacher])
    spiral = lessons["spiral-adam"]
    assert spiral.title.get("zh-Hans") == "用 Adam 解螺旋线"
    assert spiral.locked == ["dataset", "network.layers"]
    assert spiral.request["network"]["optimizer"]["kind"] == "adam" and spiral.request["epochs"] == 50
    assert spiral.request["dataset"] == "spiral" and spiral.goal.at_least == 0.9
    assert [(p["path"], p["reason"][:15]) for p in problems] == [(str(broken), "not valid TOML:")]


def test_language_negotiation_rules() -> None:
    assert negotiate(None, None) == "en"
    assert negotiate("zh-Hans", "zh-TW") == "zh-Hans"
    assert negotiate(None, "zh-TW,zh;q=0.8,en;q=0.5") == "zh-Hant"
    assert negotiate(None, "zh-HK") == "zh-Hant"
    assert negotiate(None, "zh-CN") == "zh-Hans" and negotiate(None, "zh-SG") == "zh-Hans"
    assert negotiate(None, "zh") == "zh-Hans"
    assert negotiate(None, "fr-FR,en;q=0.3,zh-TW;q=0.9") == "zh-Hant"
    assert negotiate(None, "fr-FR") == "en"
    assert negotiate("klingon", "zh-CN") == "zh-Hans"
    assert negotiate(None, "en", launch_language="zh-Hant") == "zh-Hant"


# -- the API --------------------------------------------------------------------------------------


def make_settings(tmp_path: Path, workers: int, lessons_dir: Path | None = None) -> Settings:
    regs = tmp_path / "lti.json"
    regs.write_text(json.dumps({"registrations": [
        {**registration(), "frame_ancestors": ["https://lms.example", "https://canvas.school.example"]}]}))
    return Settings(db_path=tmp_path / "runs.sqlite", workers=workers, digit_model_path=tmp_path / "none.npz",
                    lti_registrations=regs, lti_key_path=tmp_path / "tool.pem", public_url=TOOL,
                    lessons_dir=lessons_dir)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path, 0))) as tc:
        yield tc


@pytest.fixture(scope="module")
def trainer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app with a training worker for the tests whose runs must finish."""
    base = tmp_path_factory.mktemp("lessons")
    teacher = base / "teacher"
    texts = {"en": "line", "zh-Hant": "直線", "zh-Hans": "直线"}
    write(teacher, "line-easy.json", {
        "id": "line-easy", "title": texts, "explanation": texts, "preset": "line-one-neuron",
        "changes": {"epochs": 5}, "locked": "*", "goal": {"metric": "test_loss", "at_most": 100.0}})
    write(teacher, "line-impossible.json", {
        "id": "line-impossible", "title": texts, "explanation": texts, "preset": "line-one-neuron",
        "changes": {"epochs": 2}, "locked": "*", "goal": {"metric": "test_loss", "at_most": 1e-9}})
    with TestClient(create_app(make_settings(base, 1, teacher)), base_url="https://testserver") as tc:
        service: LtiService = tc.app.state.lti
        platform = FakePlatform()
        service.transport = httpx.MockTransport(platform.handler)
        service.jwks.min_refetch = 0
        platform.tool_jwks = tc.get("/.well-known/jwks.json").json()
        tc.platform = platform  # type: ignore[attr-defined]
        yield tc


def launch(tc: TestClient, sub: str = "learner-42", roles: list[str] | None = None,
           name: str = "Ada Lovelace") -> str:
    platform: FakePlatform = tc.platform  # type: ignore[attr-defined]
    params = {"iss": ISSUER, "login_hint": sub, "target_link_uri": TOOL + "/lti/launch",
              "client_id": CLIENT_ID}
    q = query(tc.get("/lti/login", params=params, follow_redirects=False).headers["location"])
    claims = platform.claims(q["nonce"], sub=sub, name=name, **{
        "https://purl.imsglobal.org/spec/lti/claim/roles": roles or LEARNER})
    answer = tc.post("/lti/launch", data={"id_token": platform.sign(claims), "state": q["state"]},
                     follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return query(answer.headers["location"])["launch"]


def test_list_language_from_lang_then_accept_language(client: TestClient) -> None:
    def titles(**kw: Any) -> dict[str, str]:
        answer = client.get("/api/lessons", **kw)
        assert answer.status_code == 200
        return {item["id"]: item["title"] for item in answer.json()}

    assert titles()["xor-hidden-layer"] == "XOR needs a hidden layer"
    assert titles(headers={"Accept-Language": "zh-TW,en;q=0.5"})["xor-hidden-layer"] == "XOR 需要隱藏層"
    assert titles(headers={"Accept-Language": "zh-CN"})["xor-hidden-layer"] == "XOR 需要隐藏层"
    assert titles(params={"lang": "en"}, headers={"Accept-Language": "zh-CN"})["xor-hidden-layer"] \
        == "XOR needs a hidden layer"
    listed = client.get("/api/lessons", params={"lang": "zh-Hant"}).json()
    assert [i["id"] for i in listed][0] == "line-fit" and listed[0]["language"] == "zh-Hant"
    assert set(listed[0]) >= {"id", "title", "explanation", "goal"}
    full = client.get("/api/lessons/cnn-mnist").json()
    assert full["request"]["dataset"] == "mnist" and "dataset" in full["locked"]
    assert full["goal"] == {"metric": "test_accuracy", "at_least": 0.97, "max_parameters": 25000}
    assert "hidden_controls" in full and full["titles"]["zh-Hans"]
    assert client.get("/api/lessons/nope").status_code == 404


def test_changing_a_locked_path_is_refused_naming_it(client: TestClient) -> None:
    lesson = client.get("/api/lessons/xor-hidden-layer").json()
    body = copy.deepcopy(lesson["request"])
    body["dataset"] = "circle"
    answer = client.post("/api/lessons/xor-hidden-layer/runs", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "dataset"]
    assert "dataset is locked" in answer.json()["detail"][0]["msg"]
    body = copy.deepcopy(lesson["request"])
    body["network"]["cost"] = "quadratic"
    detail = client.post("/api/lessons/xor-hidden-layer/runs", json=body).json()["detail"]
    assert detail[0]["loc"] == ["body", "network", "cost"]
    # vanishing gradients: unit counts and the number of layers are locked, activations are not
    deep = client.get("/api/lessons/vanishing-gradients").json()["request"]
    extra = copy.deepcopy(deep)
    extra["network"]["layers"].insert(0, {"type": "dense", "units": 30, "activation": "relu"})
    answer = client.post("/api/lessons/vanishing-gradients/runs", json=extra)
    assert answer.status_code == 422 and "network.layers.0.units is locked" in answer.text
    free = copy.deepcopy(deep)
    for layer in free["network"]["layers"][:3]:
        layer["activation"] = "relu"
    answer = client.post("/api/lessons/vanishing-gradients/runs", json=free)
    assert answer.status_code == 201, answer.text
    # an unchanged request, and a change to an unlocked field, start (runs stay queued: no workers)
    body = copy.deepcopy(lesson["request"])
    body["network"]["layers"] = [{"type": "dense", "units": 4, "activation": "tanh"},
                                 {"type": "dense", "units": 1, "activation": "sigmoid"}]
    answer = client.post("/api/lessons/xor-hidden-layer/runs", json=body)
    assert answer.status_code == 201
    saved = client.get(f"/api/runs/{answer.json()['run_id']}").json()["request"]
    assert saved["network"]["layers"][0]["units"] == 4
    assert client.post("/api/lessons/xor-hidden-layer/runs", json=body,
                       headers={"Authorization": "Bearer forged"}).status_code == 401


def wait_result(tc: TestClient, lesson: str, run_id: str, headers: dict[str, str] | None = None,
                timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = tc.get(f"/api/lessons/{lesson}/results", headers=headers or {}).json()["runs"]
        mine = next((r for r in runs if r["run_id"] == run_id), None)
        if mine and mine["evaluated"]:
            return mine
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} of lesson {lesson} was not evaluated in {timeout} s")


@pytest.fixture
def passbacks(trainer: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    calls: list[tuple[str, float]] = []
    done = threading.Event()

    def fake(launch_id: str, score: float, comment: str | None = None) -> str:
        calls.append((launch_id, score))
        done.set()
        return "posted"

    monkeypatch.setattr(trainer.app.state.lti, "post_score_sync", fake)
    return calls


def join_passbacks(tc: TestClient) -> None:
    for thread in tc.app.state.lessons.passbacks:
        thread.join(10)


def test_xor_lesson_goal_checked_on_the_server(trainer: TestClient,
                                               passbacks: list[tuple[str, float]]) -> None:
    request = trainer.get("/api/lessons/xor-hidden-layer").json()["request"]
    headers = {"X-Client-Id": "browser-1"}
    # as given: one neuron cannot do XOR
    url = "/api/lessons/xor-hidden-layer/runs"
    failing = trainer.post(url, json=request, headers=headers).json()["run_id"]
    # with a hidden layer it can
    solved = copy.deepcopy(request)
    solved["network"]["layers"] = [{"type": "dense", "units": 4, "activation": "tanh"},
                                   {"type": "dense", "units": 1, "activation": "sigmoid"}]
    passing = trainer.post(url, json=solved, headers=headers).json()["run_id"]
    bad = wait_result(trainer, "xor-hidden-layer", failing, headers)
    good = wait_result(trainer, "xor-hidden-layer", passing, headers)
    assert bad["met"] is False and bad["value"] < 0.95 and "test_accuracy" in bad["reason"]
    assert good["met"] is True and good["value"] >= 0.95 and good["score"] == good["value"]
    # the value is the server's own measurement
    assert trainer.get(f"/api/runs/{passing}").json()["test_accuracy"] == good["value"]
    # results belong to the caller
    others = trainer.get("/api/lessons/xor-hidden-layer/results", headers={"X-Client-Id": "browser-2"}).json()
    assert others["runs"] == [] and others["class"] is None
    join_passbacks(trainer)
    assert passbacks == []  # no launch: nothing to pass back


def test_grade_passback_only_for_a_launch_that_met_the_goal(trainer: TestClient,
                                                            passbacks: list[tuple[str, float]]) -> None:
    token = launch(trainer, "learner-42", name="Ada Lovelace")
    auth = {"Authorization": f"Bearer {token}"}
    easy = trainer.get("/api/lessons/line-easy").json()["request"]
    hard = trainer.get("/api/lessons/line-impossible").json()["request"]
    met = trainer.post("/api/lessons/line-easy/runs", json=easy, headers=auth).json()["run_id"]
    missed = trainer.post("/api/lessons/line-impossible/runs", json=hard, headers=auth).json()["run_id"]
    anonymous = trainer.post("/api/lessons/line-easy/runs", json=easy,
                             headers={"X-Client-Id": "anon"}).json()["run_id"]
    met_result = wait_result(trainer, "line-easy", met, auth)
    missed_result = wait_result(trainer, "line-impossible", missed, auth)
    wait_result(trainer, "line-easy", anonymous, {"X-Client-Id": "anon"})
    join_passbacks(trainer)
    assert met_result["met"] is True and met_result["score"] == 1.0
    assert missed_result["met"] is False
    assert len(passbacks) == 1 and passbacks[0] == (trainer.app.state.lti.session(token)[0], 1.0)
    mine = trainer.get("/api/lessons/line-easy/results", headers=auth).json()["runs"]
    assert mine[0]["passback"] == "posted"
    # another learner and the instructor
    other = {"Authorization": f"Bearer {launch(trainer, 'learner-7', name='Grace Hopper')}"}
    other_run = trainer.post("/api/lessons/line-impossible/runs", json=hard, headers=other).json()["run_id"]
    wait_result(trainer, "line-impossible", other_run, other)
    assert [r["run_id"] for r in trainer.get("/api/lessons/line-impossible/results",
                                             headers=other).json()["runs"]] == [other_run]
    teacher = {"Authorization": f"Bearer {launch(trainer, 'teacher-1', INSTRUCTOR, 'Prof X')}"}
    view = trainer.get("/api/lessons/line-easy/results", headers=teacher).json()
    assert view["role"] == "instructor"
    assert [(w["name"], w["met"], w["runs"]) for w in view["class"]] == [("Ada Lovelace", True, 1)]
    view = trainer.get("/api/lessons/line-impossible/results", headers=teacher).json()
    assert {w["name"] for w in view["class"]} == {"Ada Lovelace", "Grace Hopper"}
    assert not any(w["met"] for w in view["class"])
    learner_view = trainer.get("/api/lessons/line-easy/results", headers=auth).json()
    assert learner_view["class"] is None


def test_passback_failure_is_logged_and_never_breaks_the_run(trainer: TestClient,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(launch_id: str, score: float, comment: str | None = None) -> str:
        raise RuntimeError("platform down")

    monkeypatch.setattr(trainer.app.state.lti, "post_score_sync", refuse)
    auth = {"Authorization": f"Bearer {launch(trainer, 'learner-9')}"}
    easy = trainer.get("/api/lessons/line-easy").json()["request"]
    run_id = trainer.post("/api/lessons/line-easy/runs", json=easy, headers=auth).json()["run_id"]
    assert wait_result(trainer, "line-easy", run_id, auth)["met"] is True
    join_passbacks(trainer)
    row = trainer.get("/api/lessons/line-easy/results", headers=auth).json()["runs"][0]
    assert row["passback"].startswith("failed: platform down")
    assert trainer.get(f"/api/runs/{run_id}").json()["status"] == "completed"


# -- following a launch's run over the WebSocket ---------------------------------------------------


def events_until_close(tc: TestClient, run_id: str, token: str | None = None,
                       headers: dict[str, str] | None = None) -> tuple[list[str], int]:
    """The event types a client receives, and the close code."""
    url = f"/ws/runs/{run_id}" + (f"?token={token}" if token is not None else "")
    seen: list[str] = []
    with tc.websocket_connect(url, headers=headers or {}) as ws:
        try:
            while True:
                seen.append(ws.receive_json()["type"])
        except WebSocketDisconnect as closed:
            return seen, closed.code


def test_a_launch_run_is_followed_only_with_a_launch_token_of_its_course(trainer: TestClient,
                                                                          passbacks: list[Any]) -> None:
    token = launch(trainer, "learner-ws")
    easy = trainer.get("/api/lessons/line-easy").json()["request"]
    run_id = trainer.post("/api/lessons/line-easy/runs", json=easy,
                          headers={"Authorization": f"Bearer {token}"}).json()["run_id"]
    assert events_until_close(trainer, run_id) == ([], 1008)
    assert events_until_close(trainer, run_id, "forged") == ([], 1008)
    launch_id, _ = trainer.app.state.lti.session(token)
    expired = issue_launch_token(trainer.app.state.lti.key.hmac_secret, launch_id, -5)
    assert events_until_close(trainer, run_id, expired) == ([], 1008)
    # another learner of the course may not; the learner and an instructor of the course may
    assert events_until_close(trainer, run_id, launch(trainer, "learner-other")) == ([], 1008)
    seen, code = events_until_close(trainer, run_id, token)
    assert code == 1000 and seen[0] == "started" and "epoch" in seen and seen[-1] == "done"
    teacher = launch(trainer, "teacher-ws", INSTRUCTOR)
    assert events_until_close(trainer, run_id, headers={"Authorization": f"Bearer {teacher}"})[1] == 1000
    # runs without a launch stay open to every client, as the contract says
    anonymous = trainer.post("/api/lessons/line-easy/runs", json=easy).json()["run_id"]
    seen, code = events_until_close(trainer, anonymous)
    assert code == 1000 and seen[-1] == "done"


# -- embedding ------------------------------------------------------------------------------------


def test_html_pages_allow_framing_by_registered_origins_only(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers.get("content-security-policy", "")
    if page.status_code == 200:
        assert "text/html" in page.headers["content-type"]
    assert csp.startswith("frame-ancestors 'self'")
    assert "https://lms.example" in csp and "https://canvas.school.example" in csp
    assert "x-frame-options" not in page.headers
    assert "content-security-policy" not in client.get("/api/lessons").headers


def test_embed_snippet_takes_only_base64url_setups(client: TestClient) -> None:
    setup = 'abc"><script>alert(1)</script>&x=1'
    refused = client.get("/api/embed-snippet", params={"setup": setup, "height": 480})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "setup"]
    answer = client.get("/api/embed-snippet", params={"setup": "eyJ4IjoxfQ-_", "height": 480})
    snippet = answer.json()["html"]
    assert snippet.startswith('<iframe src="https://nnplay.example/?embed=1#setup=eyJ4IjoxfQ-_"')
    assert snippet.count("<") == 2  # <iframe ...> and </iframe> only
    assert 'height="480"' in snippet and snippet.endswith("></iframe>")
    assert client.get("/api/embed-snippet", params={"height": 10}).status_code == 422
    assert client.get("/api/embed-snippet", params={"setup": "é" * 10}).status_code == 422
    plain = client.get("/api/embed-snippet", params={"setup": "eyJ4IjoxfQ"}).json()
    assert plain["src"] == "https://nnplay.example/?embed=1#setup=eyJ4IjoxfQ"
    lesson = client.get("/api/embed-snippet", params={"setup": "eyJ4IjoxfQ", "lesson": "cnn-mnist"}).json()
    assert lesson["src"] == "https://nnplay.example/?embed=1&lesson=cnn-mnist#setup=eyJ4IjoxfQ"
    assert client.get("/api/embed-snippet", params={"lesson": "a&b=<c>"}).status_code == 422


def test_embed_page_is_compact_from_the_first_paint(client: TestClient) -> None:
    assert 'data-embed="true"' in client.get("/?embed=1&lesson=xor-hidden-layer").text
    assert "data-embed" not in client.get("/").text
