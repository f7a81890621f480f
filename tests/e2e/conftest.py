"""Browser tests: a real server process and Debian's headless Chromium driven by Playwright.

The server is started once per session on a free port with its own SQLite
file; every test gets a fresh browser context. Screenshots go to
tests/artifacts/ (ignored by git). Without /usr/bin/chromium or the Python
playwright package the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
MNIST_DIR = REPO.parent / "shared" / "datasets" / "mnist"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(
    base: str, method: str, path: str, body: object | None = None, headers: dict | None = None
) -> tuple[int, object]:
    """A JSON request to the server under test; returns (status, decoded body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@contextmanager
def serve(work: Path, workers: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """`python -m server` on a free port with its own SQLite file in `work`; yields its base URL."""
    port = _free_port()
    log_path = work / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--data-dir",
            str(MNIST_DIR),
        ],
        cwd=REPO,
        env={**os.environ, "NNPLAY_DB": str(work / "runs.sqlite"), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n" + log_path.read_text()[-3000:])
            try:
                if http(base, "GET", "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /api/health within 90 s")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """Base URL of `python -m server` running on a free port with 2 workers."""
    with serve(tmp_path_factory.mktemp("nnplay-e2e"), workers=2) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an asyncio
    loop running in the main thread while it is open, and later tests call asyncio.run."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is missing")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser, server, **context_options):
    """A page in a fresh context whose uncaught script errors fail the test at teardown."""
    options = {"viewport": {"width": 1440, "height": 1000}, "locale": "en-US", **context_options}
    context = browser.new_context(base_url=server, **options)
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    return page


def new_phone_page(browser, server, width: int = 390, height: int = 844, **context_options):
    """A touch phone (high-DPI, mobile viewport): every phone test starts from this."""
    options = {"viewport": {"width": width, "height": height}, "has_touch": True, "is_mobile": True,
               "device_scale_factor": 2, **context_options}
    return new_page(browser, server, **options)


@pytest.fixture
def page(browser, server):
    page = new_page(browser, server)
    yield page
    errors = page.script_errors
    page.context.close()
    assert not errors, f"uncaught script errors: {errors}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/ for a human to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def mnist_run(server) -> str:
    """A small MNIST model trained through the REST API, to classify with when there is no built-in one."""
    datasets = {d["name"]: d for d in http(server, "GET", "/api/datasets")[1]}
    if not datasets["mnist"]["available"]:
        pytest.skip("MNIST files are not in the data directory")
    status, answer = http(
        server,
        "POST",
        "/api/runs",
        {
            "dataset": "mnist",
            "train_size": 6000,
            "validation_size": 500,
            "epochs": 3,
            "batch_size": 10,
            "seed": 1,
            "augment": {"shift": 2, "rotate": 0},
            "network": {
                "layers": [
                    {"type": "dense", "units": 64, "activation": "relu"},
                    {"type": "dense", "units": 10, "activation": "softmax"},
                ],
                "cost": "log_likelihood",
                "init": "he",
                "optimizer": {"kind": "adam", "learning_rate": 0.002},
            },
        },
    )
    assert status == 201, answer
    run_id = answer["run_id"]
    deadline = time.monotonic() + 90
    while http(server, "GET", f"/api/runs/{run_id}")[1]["status"] not in ("completed", "failed", "stopped"):
        assert time.monotonic() < deadline, "the MNIST run did not finish in 90 s"
        time.sleep(0.3)
    assert http(server, "GET", f"/api/runs/{run_id}")[1]["status"] == "completed"
    return run_id
