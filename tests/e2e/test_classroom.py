"""The classroom in a real browser: lessons, an LTI launch inside another site's iframe, embedding.

A second HTTP server in this process plays the LMS on another loopback origin (http://localhost:P,
while the tool is http://127.0.0.1:T): it serves the host page that frames the tool, the OIDC
authorization step (an auto-posting form carrying an id_token signed by `FakePlatform`), the
platform's JWKS and token endpoints, and records the scores the tool posts back. A third origin,
registered nowhere, checks that framing is refused.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import jwt
import pytest
from conftest import http, new_page, screenshot, serve
from e2e_helpers import build_layers, control, open_app, set_field, wait_finished

from server.lti import claims as c
from server.lti.testing import CLIENT_ID, DEPLOYMENT, ISSUER, TOKEN_URL, FakePlatform

LESSON = "xor-hidden-layer"
XOR_2_4_1 = [
    {"type": "dense", "units": 4, "activation": "tanh"},
    {"type": "dense", "units": 1, "activation": "sigmoid"},
]
#: login_hint → (sub, name, role) of the person the fake LMS launches
PEOPLE = {
    "learner": ("learner-e2e", "Ada Lovelace", "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"),
    "teacher": ("teacher-e2e", "Prof. Hopper", "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"),
}
#: the login_hint whose launch is a deep-linking request (the instructor adding a lesson)
DESIGNER = "designer"
HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>course</title></head>
<body style="margin:0"><h1>Deep learning 101</h1>
<iframe id="tool" src="{src}" style="width:{width}px;height:300px;border:0"></iframe>
<script>
window.frameMessages = [];
addEventListener('message', (e) => {{
  window.frameMessages.push({{origin: e.origin, data: e.data}});
  if (e.data && e.data.subject === 'lti.frameResize') {{
    document.getElementById('tool').style.height = e.data.height + 'px';
  }}
}});
</script></body></html>"""


class Lms(ThreadingHTTPServer):
    """The fake LMS on its own origin: `FakePlatform` behind real HTTP, plus host page and login form."""

    def __init__(self, tool: str) -> None:
        super().__init__(("127.0.0.1", 0), LmsHandler)
        self.tool = tool
        self.platform = FakePlatform()
        #: the signed LtiDeepLinkingResponse JWTs the tool posted back
        self.deep_links: list[str] = []

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.server_address[1]}"

    def id_token(self, query: dict[str, str]) -> str:
        if query["login_hint"] == DESIGNER:
            claims = self.platform.claims(query["nonce"], c.DEEP_LINKING_REQUEST, sub="teacher-e2e", **{
                c.CUSTOM: {}, c.TARGET_LINK_URI: self.tool + "/lti/launch",
                c.LAUNCH_PRESENTATION: {"locale": "en", "document_target": "iframe"}})
            claims[c.DEEP_LINKING_SETTINGS]["deep_link_return_url"] = self.origin + "/deep_links"
            return self.platform.sign(claims)
        sub, name, role = PEOPLE[query["login_hint"]]
        claims = self.platform.claims(query["nonce"], sub=sub, name=name, **{
            c.ROLES: [role], c.CUSTOM: {"lesson": LESSON}, c.TARGET_LINK_URI: self.tool + "/lti/launch",
            c.LAUNCH_PRESENTATION: {"locale": "en", "document_target": "iframe"},
            c.AGS_ENDPOINT: {"scope": list(c.AGS_SCOPES),
                             "lineitem": self.origin + "/courses/3/lineitems/7/lineitem?type_id=1"}})
        return self.platform.sign(claims)


class LmsHandler(BaseHTTPRequestHandler):
    server: Lms

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def reply(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/host.html":
            page = HOST_PAGE.format(src=html.escape(query["src"]), width=int(query.get("width", 600)))
            self.reply(200, page.encode(), "text/html; charset=utf-8")
        elif url.path == "/auth":  # OIDC authorization: post the id_token to the tool, as LMSs do
            fields = {"id_token": self.server.id_token(query), "state": query["state"]}
            inputs = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                             for k, v in fields.items())
            page = (f'<form method="post" action="{html.escape(query["redirect_uri"])}">{inputs}</form>'
                    "<script>document.forms[0].submit()</script>")
            self.reply(200, page.encode(), "text/html; charset=utf-8")
        else:
            self.platform_call()

    def do_POST(self) -> None:
        if self.path == "/deep_links":  # the instructor's choice coming back from the tool
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            self.server.deep_links.append(form["JWT"][0])
            self.reply(200, b"<p id=linked>Lesson added to the course.</p>", "text/html; charset=utf-8")
        else:
            self.platform_call()

    def platform_call(self) -> None:
        """JWKS, token and score calls, answered by `FakePlatform` as if it were at its issuer URL."""
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = httpx.Request(self.command, ISSUER + self.path, headers=dict(self.headers), content=body)
        answer = self.server.platform.handler(request)
        self.reply(answer.status_code, answer.content, answer.headers.get("content-type", "application/json"))


def background(site: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def classroom(tmp_path_factory) -> Iterator[tuple[str, Lms, str]]:
    """(tool base URL, the fake LMS, an unregistered site's origin): one tool server with a registration
    whose frame ancestor is the LMS's origin."""
    work = tmp_path_factory.mktemp("classroom")
    lms = Lms("")
    stranger = ThreadingHTTPServer(("127.0.0.1", 0), LmsHandler)
    regs = work / "lti.json"
    regs.write_text(json.dumps({"registrations": [{
        "issuer": ISSUER, "client_id": CLIENT_ID, "deployment_ids": [DEPLOYMENT],
        "auth_login_url": lms.origin + "/auth", "auth_token_url": lms.origin + "/token",
        "auth_token_audience": TOKEN_URL, "key_set_url": lms.origin + "/jwks",
        "frame_ancestors": [lms.origin]}]}))
    threads = [background(lms), background(stranger)]
    try:
        with serve(work, workers=1, env={"NNPLAY_LTI_REGISTRATIONS": str(regs)}) as tool:
            lms.tool = tool
            lms.platform.tool_jwks = http(tool, "GET", "/.well-known/jwks.json")[1]
            yield tool, lms, f"http://127.0.0.1:{stranger.server_address[1]}"
    finally:
        for site in (lms, stranger):
            site.shutdown()
        for thread in threads:
            thread.join(5)


@pytest.fixture
def classroom_page(browser, classroom):
    tool, _, _ = classroom
    page = new_page(browser, tool)
    yield page
    errors = page.script_errors
    page.context.close()
    assert not errors, f"uncaught script errors: {errors}"


def launch_in_iframe(page, tool: str, lms: Lms, who: str):
    """Open the LMS's course page whose iframe starts an LTI login as `who`; the tool's frame, ready."""
    login = tool + "/lti/login?" + urlencode({"iss": ISSUER, "client_id": CLIENT_ID, "login_hint": who,
                                               "target_link_uri": tool + "/lti/launch"})
    page.goto(f"{lms.origin}/host.html?src={quote(login)}")
    frame = page.wait_for_selector("#tool").content_frame()
    frame.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return frame


def test_lti_launch_in_a_course_iframe_trains_to_the_goal_and_posts_the_grade(classroom_page, classroom):
    tool, lms, _ = classroom
    page = classroom_page
    frame = launch_in_iframe(page, tool, lms, "learner")
    assert "launch=" not in frame.url  # the token left the address bar for this tab's memory
    assert frame.evaluate("document.documentElement.dataset.embed") == "true"
    assert frame.get_by_test_id("lesson-title").inner_text() == "XOR needs a hidden layer"
    assert "Ada Lovelace" in frame.get_by_test_id("lesson-who").inner_text()
    assert frame.locator("#lesson-pick").is_hidden()  # the course chose the lesson
    new_window = frame.get_by_test_id("open-window")
    assert new_window.get_attribute("target") == "_blank" and "launch=" in new_window.get_attribute("href")

    build_layers(frame, XOR_2_4_1)
    frame.get_by_test_id("train-start").click()
    wait_finished(frame)
    assert frame.get_by_test_id("run-status").inner_text() == "Completed"
    frame.wait_for_selector("[data-testid=lesson-result][data-met=true]", timeout=30_000)
    frame.wait_for_function("() => document.querySelector('[data-testid=lesson-result]').textContent"
                            ".includes('sent to the course')", timeout=30_000)
    (request, score), = lms.platform.scores
    assert score["userId"] == "learner-e2e" and score["scoreGiven"] >= 0.95 and score["scoreMaximum"] == 1

    messages = page.evaluate("window.frameMessages")
    resizes = [m for m in messages if m["data"].get("subject") == "lti.frameResize"]
    assert resizes and all(m["origin"] == tool and m["data"]["height"] > 300 for m in resizes)
    time.sleep(0.3)  # the last resize message of the finished page
    frame_height = page.evaluate("document.getElementById('tool').getBoundingClientRect().height")
    assert frame_height == page.evaluate("window.frameMessages.at(-1).data.height")
    sizes = frame.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                           " document.documentElement.scrollHeight, document.documentElement.clientHeight]")
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3] + 1, sizes  # no scroll bars either way
    screenshot(page, "classroom-lti-iframe")

    teacher = launch_in_iframe(page, tool, lms, "teacher")
    teacher.wait_for_selector("[data-testid=lesson-class-row][data-met=true]")
    assert "Ada Lovelace" in teacher.get_by_test_id("lesson-class").inner_text()
    screenshot(page, "classroom-instructor")


def test_instructor_tunes_the_goal_and_adds_the_lesson_by_deep_linking(classroom_page, classroom):
    tool, lms, _ = classroom
    frame = launch_in_iframe(classroom_page, tool, lms, DESIGNER)
    assert frame.locator("#lesson-pick").is_visible()  # a deep-linking launch: the instructor chooses
    frame.get_by_test_id("lesson-select").select_option(LESSON)
    frame.wait_for_selector("[data-testid=lesson-tune]:not([hidden])")
    target, params = frame.get_by_test_id("lesson-tune-target"), frame.get_by_test_id("lesson-tune-params")
    assert float(target.input_value()) == 0.95  # the lesson's own goal, to start from
    target.fill("0.9")
    params.fill("40")
    frame.get_by_test_id("lesson-deep-link").click()
    deadline = time.monotonic() + 15
    while not lms.deep_links and time.monotonic() < deadline:
        time.sleep(0.1)
    (signed,) = lms.deep_links
    jwks = http(tool, "GET", "/.well-known/jwks.json")[1]
    answer = jwt.decode(signed, jwt.PyJWK(jwks["keys"][0]).key, algorithms=["RS256"], audience=ISSUER,
                        issuer=CLIENT_ID)
    (item,) = answer[c.DL + "content_items"]
    assert item["custom"]["lesson"] == LESSON and item["lineItem"]["resourceId"] == LESSON
    assert json.loads(item["custom"]["goal"]) == {"metric": "test_accuracy", "at_least": 0.9,
                                                  "max_parameters": 40}


def test_unregistered_sites_cannot_frame_the_tool(classroom_page, classroom):
    tool, lms, stranger = classroom
    page = classroom_page
    embed = f"{tool}/?embed=1&lesson={LESSON}"
    headers = httpx.get(embed).headers
    assert headers["content-security-policy"] == f"frame-ancestors 'self' {lms.origin}"
    assert "x-frame-options" not in headers
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto(f"{stranger}/host.html?src={quote(embed)}")
    deadline = time.monotonic() + 10
    while not any("frame-ancestors" in text for text in refusals) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert any("frame-ancestors" in text for text in refusals), refusals
    frame = page.wait_for_selector("#tool").content_frame()
    assert not frame.url.startswith(tool)


@pytest.mark.parametrize("width", [400, 800])
def test_embedded_lesson_fits_the_frame_without_scroll_bars(classroom_page, classroom, width):
    tool, lms, _ = classroom
    page = classroom_page
    page.goto(f"{lms.origin}/host.html?width={width}&src={quote(f'{tool}/?embed=1&lesson={LESSON}')}")
    frame = page.wait_for_selector("#tool").content_frame()
    frame.wait_for_selector("body[data-ready=true]", timeout=30_000)
    page.wait_for_function("() => window.frameMessages.some(m => m.data.subject === 'lti.frameResize')")
    time.sleep(0.3)
    sizes = frame.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                           " document.documentElement.scrollHeight, document.documentElement.clientHeight]")
    assert sizes[0] <= sizes[1] == width and sizes[2] <= sizes[3] + 1, sizes
    assert frame.get_by_test_id("open-window").get_attribute("href").startswith(f"{tool}/?lesson={LESSON}")


def test_lesson_view_locks_hides_and_speaks_three_languages(classroom_page):
    page = classroom_page
    open_app(page, f"/?lesson={LESSON}")
    assert page.get_by_test_id("lesson-title").inner_text() == "XOR needs a hidden layer"
    assert "95.0%" in page.get_by_test_id("lesson-goal").inner_text()
    # hidden_controls: dataset, cost, regularization; locked: dataset, noise, n_points, network.cost
    for path in ("dataset", "network.cost", "network.regularization.l2"):
        assert page.locator(f'[data-field="{path}"]').is_hidden(), path
    for path in ("noise", "n_points"):
        assert control(page, path).is_visible() and control(page, path).is_disabled(), path
    assert control(page, "network.optimizer.learning_rate").is_enabled()
    assert page.get_by_test_id("add-dense").is_enabled()
    assert page.get_by_test_id("preset-select").is_disabled()

    page.get_by_test_id("locale-select").select_option("zh-Hant")
    assert page.get_by_test_id("lesson-title").inner_text() == "XOR 需要隱藏層"
    assert page.get_by_test_id("lesson-goal").inner_text().startswith("目標")
    page.get_by_test_id("locale-select").select_option("zh-Hans")
    assert page.get_by_test_id("lesson-title").inner_text() == "XOR 需要隐藏层"
    page.wait_for_function("() => [...document.querySelector('[data-testid=lesson-select]').options]"
                           ".some(o => o.text === 'XOR 需要隐藏层')")
    page.get_by_test_id("locale-select").select_option("en")

    # unit counts and the number of layers locked, activations free
    page.get_by_test_id("lesson-select").select_option("vanishing-gradients")
    page.wait_for_function("() => location.search === '?lesson=vanishing-gradients'")
    assert control(page, "network.layers.0.units").is_disabled()
    assert control(page, "network.layers.0.activation").is_enabled()
    assert page.locator("[data-testid=layer-type]").first.is_disabled()
    assert page.get_by_test_id("add-dense").is_disabled()

    # line-fit hides the layer editor (not the diagram) and the optimizer choice, not the learning rate
    page.get_by_test_id("lesson-select").select_option("line-fit")
    page.wait_for_function("() => location.search === '?lesson=line-fit'")
    assert page.locator("#layers").is_hidden() and page.locator("#layer-add").is_hidden()
    assert page.get_by_test_id("network-diagram").is_visible()
    assert page.locator('[data-field="network.optimizer.kind"]').is_hidden()
    set_field(page, "network.optimizer.learning_rate", 0.05)  # opens the folded group: visible, free

    page.get_by_test_id("embed-button").click()
    snippet = page.get_by_test_id("embed-snippet")
    page.wait_for_function("() => document.querySelector('[data-testid=embed-snippet]').value !== ''")
    assert snippet.input_value().startswith(
        f'<iframe src="{page.url.split("/?")[0]}/?embed=1&amp;lesson=line-fit#setup=')

    page.get_by_test_id("lesson-select").select_option("")  # free play: everything back
    assert page.get_by_test_id("lesson-panel").get_by_test_id("lesson-title").is_hidden()
    assert control(page, "dataset").is_visible() and control(page, "network.layers.0.units").is_enabled()
    assert page.get_by_test_id("add-dense").is_enabled() and page.get_by_test_id("preset-select").is_enabled()
    screenshot(page, "classroom-free-play")
