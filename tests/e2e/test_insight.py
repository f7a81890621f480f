"""Issue 6 in a real browser: why a network learns or doesn't.

Each view is checked with data from a real run or a real server answer: the gradient norms and
histograms of a live XOR run, its confusion matrix and ROC curve, the misclassified MNIST digits,
the early-stopping marker, the optimizer race (compared point for point with POST /api/race), the
activation gallery and a sweep of four runs filling its sortable table.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from conftest import http, new_phone_page, screenshot
from e2e_helpers import control, open_app, setup_link, wait_finished

XOR_2_4_1 = [
    {"type": "dense", "units": 4, "activation": "tanh"},
    {"type": "dense", "units": 1, "activation": "sigmoid"},
]


def small_xor(epochs: int = 8, patience: int = 0, **network) -> dict:
    return {
        "dataset": "xor",
        "noise": 0.1,
        "n_points": 300,
        "train_size": 200,
        "validation_size": 100,
        "epochs": epochs,
        "batch_size": 10,
        "seed": 1,
        "early_stopping": {"patience": patience},
        "network": {
            "layers": XOR_2_4_1,
            "cost": "cross_entropy",
            "init": "xavier",
            "regularization": {"l2": 0.0, "l1": 0.0},
            "optimizer": {"kind": "sgd", "learning_rate": 0.5},
            **network,
        },
    }


#: every trace of the Plotly figure with this data-testid, with the fields the checks read
TRACES = """id => (document.querySelector(`[data-testid='${id}']`).data || []).map(t => ({
  type: t.type, name: t.name, fill: t.fill || null,
  x: t.x ? Array.from(t.x) : null, y: t.y ? Array.from(t.y) : null,
  z: t.z ? Array.from(t.z, r => Array.isArray(r) || ArrayBuffer.isView(r) ? Array.from(r) : r) : null,
}))"""


def status_of(server: str, path: str) -> int:
    try:
        with urllib.request.urlopen(server + path, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def traces(page, testid: str) -> list[dict]:
    return page.evaluate(TRACES, testid)


def figure_layout(page, testid: str) -> dict:
    return page.evaluate(
        "id => { const l = document.querySelector(`[data-testid='${id}']`).layout || {};"
        " return {shapes: l.shapes || [],"
        " annotations: (l.annotations || []).map(a => ({text: a.text, x: a.x})),"
        " title: l.title && l.title.text, yaxis: l.yaxis && l.yaxis.type}; }",
        testid,
    )


def wait_trace_values(page, testid: str, trace: int, field: str, want: list, same: bool = True) -> None:
    """Wait until trace `trace` of the figure holds exactly `want` in `field` (same=False: anything else)."""
    page.wait_for_function(
        "([id, trace, field, want, same]) => {"
        " const d = document.querySelector(`[data-testid='${id}']`).data;"
        " const got = d && d[trace] && d[trace][field] ? Array.from(d[trace][field]) : null;"
        " const equal = !!got && got.length === want.length && got.every((v, i) => v === want[i]);"
        " return equal === same; }",
        arg=[testid, trace, field, want, same],
    )


def wait_drawn(page, testid: str, at_least: int = 1, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "([id, n]) => { const el = document.querySelector(`[data-testid='${id}']`);"
        " return el && el.offsetParent !== null && (el.data || []).length >= n; }",
        arg=[testid, at_least],
        timeout=timeout,
    )


def last_run_id(page) -> str:
    return page.evaluate("JSON.parse(sessionStorage.getItem('nnplay.runs')).at(-1).id")


def open_learn_tab(page) -> None:
    open_app(page)
    page.get_by_role("tab", name="Why it learns").click()
    assert page.evaluate("location.pathname") == "/learn"
    page.get_by_test_id("race-chart").wait_for(state="visible")


def test_xor_run_shows_gradients_histograms_confusion_and_roc(page):
    open_app(page, setup_link(small_xor(epochs=8)))
    assert page.get_by_test_id("insight-panel").is_visible()
    page.get_by_test_id("train-start").click()
    wait_finished(page)
    wait_drawn(page, "roc-chart", 2)

    gradients = traces(page, "gradient-chart")
    assert [t["name"] for t in gradients] == [
        "layer 1 · Dense",
        "layer 2 · Dense",
    ]  # both layers have weights
    for trace in gradients:
        assert trace["x"] == list(range(1, 9))
        assert len(trace["y"]) == 8 and all(v is None or v > 0 for v in trace["y"])
        assert sum(v is not None for v in trace["y"]) >= 2
    assert figure_layout(page, "gradient-chart")["yaxis"] == "log"
    page.get_by_test_id("gradient-field").select_option("weights")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=gradient-chart]').layout.yaxis.title.text === '‖∂C/∂w‖'"
    )

    histograms = traces(page, "histogram-chart")
    assert len(histograms) == 4  # weights and outputs of both layers
    assert all(t["type"] == "bar" and sum(t["y"]) > 0 for t in histograms)
    slider = page.get_by_test_id("histogram-epoch")
    assert slider.get_attribute("max") == "8" and slider.input_value() == "8"
    assert page.get_by_test_id("histogram-epoch-value").inner_text() == "8"
    slider.focus()
    page.keyboard.press("Home")  # the slider works from the keyboard
    page.wait_for_function(
        "() => document.querySelector('[data-testid=histogram-epoch-value]').textContent === '1'"
    )
    wait_trace_values(page, "histogram-chart", 0, "x", histograms[0]["x"], same=False)  # epoch 1's weights

    # the confusion matrix counts every test point once; the ROC names its AUC
    test_points = len(traces(page, "decision-boundary")[2]["x"])
    assert test_points == 150
    confusion = traces(page, "confusion-matrix")
    assert confusion[0]["type"] == "heatmap"
    assert sum(map(sum, confusion[0]["z"])) == test_points
    assert len(confusion[0]["z"]) == 2 and len(confusion[1]["x"]) == 2  # per-class accuracy beside it
    matrix = confusion[0]["z"]
    for i in range(2):
        assert confusion[1]["x"][i] == pytest.approx(matrix[i][i] / sum(matrix[i]), abs=1e-4)
    roc = traces(page, "roc-chart")
    auc = float(re.search(r"AUC = ([0-9.]+)", roc[0]["name"]).group(1))
    assert 0 <= auc <= 1 and auc > 0.5  # it learned something
    assert f"AUC = {auc:.3f}" in figure_layout(page, "roc-chart")["title"]
    assert roc[0]["x"][0] == 0 and roc[0]["x"][-1] == 1 and roc[0]["y"][-1] == 1
    assert page.get_by_test_id("misclassified-gallery").is_hidden()  # only for images

    # the overfitting lesson: the live run's validation curve fills to its training curve
    loss = traces(page, "loss-chart")
    assert [t["fill"] for t in loss] == [None, "tonexty"]
    screenshot(page, "insight-xor")


def test_early_stopping_marks_the_restored_epoch(page, server):
    open_app(page, setup_link(small_xor(epochs=60, patience=4)))
    page.get_by_test_id("train-start").click()
    wait_finished(page)
    history = http(server, "GET", f"/api/runs/{last_run_id(page)}")[1]["history"]
    stopped = history[-1]["epoch"]
    assert stopped < 60, "the run should have stopped early"
    accuracies = [e["validation_accuracy"] for e in history]
    best = accuracies.index(max(accuracies)) + 1
    assert stopped - best == 4
    for chart in ("loss-chart", "accuracy-chart"):
        page.wait_for_function(
            "id => (document.querySelector(`[data-testid='${id}']`).layout.shapes || []).length > 0",
            arg=chart,
        )
        layout = figure_layout(page, chart)
        lines = [s for s in layout["shapes"] if s["type"] == "line"]
        assert [(s["x0"], s["x1"]) for s in lines] == [(best, best)]
        assert any(
            a["x"] == best and a["text"] == f"early stopping: epoch {best} restored (stopped at {stopped})"
            for a in layout["annotations"]
        ), layout["annotations"]
    page.get_by_test_id("loss-chart").scroll_into_view_if_needed()
    screenshot(page, "insight-early-stopping")


def test_mnist_run_shows_its_misclassified_digits(page, server):
    datasets = {d["name"]: d for d in http(server, "GET", "/api/datasets")[1]}
    if not datasets["mnist"]["available"]:
        pytest.skip("MNIST files are not in the data directory")
    request = {
        "dataset": "mnist",
        "train_size": 1000,
        "validation_size": 200,
        "epochs": 2,
        "batch_size": 20,
        "seed": 1,
        "network": {
            "layers": [
                {"type": "dense", "units": 30, "activation": "sigmoid"},
                {"type": "dense", "units": 10, "activation": "softmax"},
            ],
            "cost": "log_likelihood",
            "init": "small",
            "optimizer": {"kind": "sgd", "learning_rate": 0.5},
        },
    }
    open_app(page, setup_link(request))
    page.get_by_test_id("train-start").click()
    wait_finished(page, timeout=90_000)
    wait_drawn(page, "confusion-matrix", 2)
    confusion = traces(page, "confusion-matrix")[0]["z"]
    assert len(confusion) == 10 and sum(map(sum, confusion)) == 10_000  # MNIST's test part
    assert page.get_by_test_id("roc-chart").is_hidden()  # ten classes: no ROC
    items = page.locator("[data-testid=misclassified-item]")
    assert items.count() == 24
    captions = page.locator(".misclassified-caption").all_inner_texts()
    for text in captions:
        true, predicted = re.fullmatch(r"(\d) → (\d)", text).groups()
        assert true != predicted
    # each canvas holds the digit's pixels (not a blank square)
    ink = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=misclassified-item] canvas')].map(c =>"
        " c.getContext('2d').getImageData(0, 0, 28, 28).data.filter((v, i) => i % 4 === 0 && v > 128).length)"
    )
    assert all(n > 20 for n in ink)
    assert len(traces(page, "histogram-chart")) == 4
    page.get_by_test_id("misclassified-gallery").scroll_into_view_if_needed()
    screenshot(page, "insight-mnist")


def wait_race_end(page) -> None:
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=race-step]');"
        " return s.dataset.total > 0 && s.dataset.step === s.dataset.total; }",
        timeout=30_000,
    )


def check_race_matches_server(page, server) -> None:
    surface = page.get_by_test_id("race-surface").input_value()
    lr = float(page.get_by_test_id("race-lr").input_value())
    steps = int(page.get_by_test_id("race-steps").input_value())
    page.wait_for_function(
        "([lr, steps]) => { const el = document.querySelector('[data-testid=race-chart]');"
        " return Number(el.dataset.learningRate) === lr && Number(el.dataset.steps) === steps; }",
        arg=[lr, steps],
    )
    wait_race_end(page)
    start = next(s["start"] for s in http(server, "GET", "/api/race/surfaces")[1] if s["name"] == surface)
    status, answer = http(
        server, "POST", "/api/race", {"surface": surface, "learning_rate": lr, "steps": steps}
    )
    assert status == 200
    drawn = traces(page, "race-chart")
    assert drawn[0]["type"] == "contour"
    paths = drawn[1:]
    assert len(paths) == 7 and len(answer["paths"]) == 7
    for trace, (kind, path) in zip(paths, answer["paths"].items(), strict=True):
        assert trace["name"].split(" ")[0].lower() in kind.replace("_", "")  # SGD, Momentum …, Adam
        assert [trace["x"][0], trace["y"][0]] == start
        assert [[x, y] for x, y in zip(trace["x"], trace["y"], strict=True)] == path
    assert page.get_by_test_id("race-step").inner_text() == f"step {steps} / {steps}" or any(
        len(p) - 1 < steps for p in answer["paths"].values()
    )


def test_optimizer_race_plays_the_engines_paths(page, server):
    open_learn_tab(page)
    assert page.get_by_test_id("race-surface").input_value() == "ravine"
    check_race_matches_server(page, server)
    screenshot(page, "insight-race")

    # another surface: its own suggested η, a new race
    page.get_by_test_id("race-surface").select_option("rosenbrock")
    assert page.get_by_test_id("race-lr").input_value() == "0.001"
    check_race_matches_server(page, server)

    # a new learning rate re-runs the race; play/pause and the slider step through it
    page.get_by_test_id("race-lr").fill("0.002")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=race-chart]').dataset.learningRate === '0.002'"
    )
    play = page.get_by_test_id("race-play")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=race-play]').getAttribute('aria-pressed') === 'true'"
    )
    play.click()  # pause
    assert play.get_attribute("aria-pressed") == "false"
    held = page.get_by_test_id("race-step").get_attribute("data-step")
    page.wait_for_timeout(300)
    assert page.get_by_test_id("race-step").get_attribute("data-step") == held
    page.get_by_test_id("race-scrub").focus()
    page.keyboard.press("Home")
    assert page.get_by_test_id("race-step").inner_text() == "step 0 / 300"
    assert all(len(t["x"]) == 1 for t in traces(page, "race-chart")[1:])  # every path at its start
    page.keyboard.press("ArrowRight")
    assert page.get_by_test_id("race-step").get_attribute("data-step") == "1"
    play.click()  # play on to the end
    check_race_matches_server(page, server)


def test_activation_gallery_and_saturation(page, server):
    open_learn_tab(page)
    curves = http(server, "GET", "/api/activations/curves")[1]
    registry = http(server, "GET", "/api/registry")[1]
    assert set(curves) == set(registry["activations"])
    gallery = page.get_by_test_id("activation-gallery")
    page.wait_for_function(
        "n => { const charts = [...document.querySelectorAll('[data-testid=activation-curve]')];"
        " return charts.length === n && charts.every(el => (el.data || []).length === 2); }",
        arg=len(curves),
    )
    shown = gallery.locator("figure").evaluate_all("els => els.map(el => el.dataset.activation)")
    assert shown == list(curves)
    for name in curves:
        f, df = page.evaluate(
            "name => document.querySelector(`figure[data-activation='${name}'] "
            "[data-testid=activation-curve]`).data.map(t => Array.from(t.y))",
            name,
        )
        assert f == curves[name]["f"] and df == curves[name]["df"]

    # sigmoid with N(0, 1) weights: most units saturate; with N(0, 1/n) hardly any
    page.get_by_test_id("distribution-activation").select_option("sigmoid")
    page.get_by_test_id("distribution-init").select_option("large")
    answer = http(server, "GET", "/api/activations/distribution?activation=sigmoid&init=large")[1]
    wait_trace_values(page, "activation-distribution", 1, "y", answer["a"]["counts"])
    assert traces(page, "activation-distribution")[0]["y"] == answer["z"]["counts"]
    large = int(page.get_by_test_id("activation-distribution").get_attribute("data-flat-share"))
    assert large > 50
    assert f"{large}%" in page.get_by_test_id("distribution-summary").inner_text()
    screenshot(page, "insight-activations")
    page.locator("figure[data-activation=relu] [data-testid=activation-pick]").click()  # a card chooses too
    assert page.get_by_test_id("distribution-activation").input_value() == "relu"
    page.get_by_test_id("distribution-activation").select_option("sigmoid")
    page.get_by_test_id("distribution-init").select_option("small")
    page.wait_for_function(
        "large => Number(document.querySelector('[data-testid=activation-distribution]').dataset.flatShare)"
        " < large / 5",
        arg=large,
    )


def test_sweep_of_four_xor_runs_fills_a_sortable_table(page, server):
    open_app(page, setup_link(small_xor(epochs=10)))
    panel = page.get_by_test_id("sweep-panel")
    panel.scroll_into_view_if_needed()
    fields = panel.get_by_test_id("sweep-field")
    values = panel.get_by_test_id("sweep-values")
    assert fields.nth(0).input_value() == "network.regularization.l2"
    assert fields.nth(1).input_value() == "network.optimizer.learning_rate"
    values.nth(0).fill("0, 5")
    values.nth(1).fill("0.1, 0.5")
    assert page.get_by_test_id("sweep-count").inner_text() == "4 runs"
    values.nth(1).fill("0.1, -1")  # checked before sending
    assert page.get_by_test_id("sweep-start").is_disabled()
    values.nth(1).fill("0.1, 0.5")
    page.get_by_test_id("sweep-start").click()

    page.wait_for_function(
        "() => document.querySelector('#sweep-results').dataset.finished === 'true'", timeout=120_000
    )
    rows = page.locator("[data-testid=sweep-row]")
    assert rows.count() == 4
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.status)") == ["completed"] * 4
    table = page.get_by_test_id("sweep-table")
    grid_values = rows.evaluate_all(
        "rs => rs.map(r => [r.querySelector('[data-column=\"value:network.regularization.l2\"]').textContent,"
        " r.querySelector('[data-column=\"value:network.optimizer.learning_rate\"]').textContent])"
    )
    assert sorted(grid_values) == [["0", "0.1"], ["0", "0.5"], ["5", "0.1"], ["5", "0.5"]]
    assert page.locator("[data-testid=sweep-row].best").count() == 1

    def column(key):
        return [
            float(v.rstrip("%"))
            for v in rows.evaluate_all(
                "(rs, key) => rs.map(r => r.querySelector(`[data-column='${key}']`).textContent)", key
            )
        ]

    table.locator("button[data-sort=validation_loss]").click()
    assert column("validation_loss") == sorted(column("validation_loss"))
    assert table.locator("th[aria-sort=ascending] button").get_attribute("data-sort") == "validation_loss"
    header = table.locator("button[data-sort=validation_loss]")
    header.focus()
    page.keyboard.press("Enter")  # again, from the keyboard: the other way
    assert column("validation_loss") == sorted(column("validation_loss"), reverse=True)
    table.locator("button[data-sort=best_validation_accuracy]").click()
    best_first = column("best_validation_accuracy")
    assert best_first == sorted(best_first, reverse=True)

    curves = traces(page, "sweep-chart")
    assert len(curves) == 4 and all(len(c["x"]) == 10 for c in curves)
    assert all(0 <= v <= 1 for c in curves for v in c["y"])
    screenshot(page, "insight-sweep")

    # the best-sorted first row's set-up, one click from the playground
    first = rows.first
    want_l2 = first.locator('[data-column="value:network.regularization.l2"]').inner_text()
    want_lr = first.locator('[data-column="value:network.optimizer.learning_rate"]').inner_text()
    first.get_by_test_id("sweep-load").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=sweep-status]').textContent"
        ".includes('is now in the playground')"
    )
    assert float(control(page, "network.regularization.l2").input_value()) == float(want_l2)
    assert float(control(page, "network.optimizer.learning_rate").input_value()) == float(want_lr)


def test_learn_tab_on_a_phone_in_dark_mode(browser, server):
    page = new_phone_page(browser, server, color_scheme="dark")
    try:
        open_app(page)
        page.get_by_role("tab", name="Why it learns").tap()
        wait_race_end(page)
        wait_drawn(page, "activation-distribution", 2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if status_of(server, "/learn") == 200:  # the tab has an address of its own
            page.goto("/learn")
            page.wait_for_selector("body[data-ready=true]")
            assert page.get_by_test_id("race-chart").is_visible()
            wait_race_end(page)
        screenshot(page, "insight-learn-phone-dark")
        assert page.script_errors == []
    finally:
        page.context.close()
