"""The playground page in a real browser against a real server (issue 4's proof)."""

from __future__ import annotations

import time

import pytest
from conftest import http, new_page, new_phone_page, screenshot
from e2e_helpers import (
    build_layers,
    control,
    epoch,
    link_request,
    open_app,
    plot_data,
    set_field,
    setup_link,
    wait_epoch,
    wait_finished,
    wait_traces,
)

XOR_2_4_1 = [
    {"type": "dense", "units": 4, "activation": "tanh"},
    {"type": "dense", "units": 1, "activation": "sigmoid"},
]


#: an MNIST run of a few tenths of a second per epoch: long enough to pause, stop or queue behind
MNIST_SLOW = {
    "dataset": "mnist",
    "train_size": 4000,
    "validation_size": 500,
    "epochs": 300,
    "batch_size": 10,
    "seed": 1,
    "network": {
        "layers": [
            {"type": "dense", "units": 30, "activation": "sigmoid"},
            {"type": "dense", "units": 10, "activation": "softmax"},
        ],
        "cost": "log_likelihood",
        "init": "small",
        "optimizer": {"kind": "sgd", "learning_rate": 0.1},
    },
}


def small_xor(**changes) -> dict:
    request = {
        "dataset": "xor",
        "noise": 0.1,
        "n_points": 300,
        "train_size": 200,
        "validation_size": 100,
        "epochs": 15,
        "batch_size": 10,
        "seed": 1,
        "network": {
            "layers": XOR_2_4_1,
            "cost": "cross_entropy",
            "init": "xavier",
            "regularization": {"l2": 0.0, "l1": 0.0},
            "optimizer": {"kind": "sgd", "learning_rate": 0.5},
        },
    }
    request["network"].update(changes)
    return request


def test_build_2_4_1_and_train_xor_live(page):
    open_app(page)
    set_field(page, "dataset", "xor")
    build_layers(page, XOR_2_4_1)
    assert page.get_by_test_id("network-params").inner_text() == "17"  # (2+1)·4 + (4+1)·1
    assert page.locator("[data-testid=layer-shape]").all_inner_texts()[0].startswith("Output 4")
    set_field(page, "epochs", 30)
    set_field(page, "network.optimizer.learning_rate", 0.5)
    screenshot(page, "playground-2-4-1-setup")

    page.get_by_test_id("train-start").click()
    wait_epoch(page, 5)
    loss = plot_data(page, "loss-chart")
    assert len(loss[0]["x"]) >= 5
    wait_finished(page)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=decision-boundary]').data.some(t => t.type === 'heatmap')"
    )
    wait_epoch(page, 30)  # the last redraw is rate-limited: it may land just after `done`
    assert epoch(page) == 30
    assert page.get_by_test_id("run-status").inner_text() == "Completed"
    assert page.get_by_test_id("stat-parameters").inner_text() == "17"
    loss = plot_data(page, "loss-chart")
    assert [t["name"] for t in loss] == ["#1 · training", "#1 · validation"]
    assert len(loss[0]["x"]) == 30 and all(v is not None for v in loss[0]["y"])
    accuracy = plot_data(page, "accuracy-chart")
    assert len(accuracy[1]["y"]) == 30
    boundary = plot_data(page, "decision-boundary")
    heatmap = next(t for t in boundary if t["type"] == "heatmap")
    assert heatmap["z"] >= 10
    points = [t for t in boundary if t["type"] == "scatter"]
    # the training part (300 training + 100 validation points) and the test points
    assert len(points) == 2 and len(points[0]["x"]) == 400 and len(points[1]["x"]) > 0
    screenshot(page, "playground-xor-trained")


def test_pause_resume_and_stop(page, server):
    datasets = {d["name"]: d for d in http(server, "GET", "/api/datasets")[1]}
    if not datasets["mnist"]["available"]:
        pytest.skip("MNIST files are not in the data directory: no run slow enough to pause")
    open_app(page, setup_link(MNIST_SLOW))
    pause = page.get_by_test_id("train-pause")
    page.get_by_test_id("train-start").click()
    wait_epoch(page, 2)

    pause.click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=train-pause]').getAttribute('aria-pressed') === 'true'"
    )
    assert pause.inner_text() == "Resume"
    time.sleep(0.8)  # an epoch under way when the pause arrived may still end
    held = epoch(page)
    time.sleep(1.5)
    assert epoch(page) == held
    assert page.get_by_test_id("run-status").inner_text() == "Paused"
    screenshot(page, "playground-paused")

    pause.click()
    wait_epoch(page, held + 1)
    assert pause.get_attribute("aria-pressed") == "false"

    page.get_by_test_id("train-stop").click()
    wait_finished(page)
    assert page.get_by_test_id("run-status").inner_text() == "Stopped"
    assert epoch(page) < 300
    assert page.locator("[data-testid=run-item]").first.inner_text().count("Stopped") == 1


def test_queue_position_is_shown_while_waiting(page, server):
    datasets = {d["name"]: d for d in http(server, "GET", "/api/datasets")[1]}
    if not datasets["mnist"]["available"]:
        pytest.skip("MNIST files are not in the data directory: no run long enough to fill the workers")
    busy = {**MNIST_SLOW, "epochs": 200}
    blockers = [http(server, "POST", "/api/runs", busy)[1]["run_id"] for _ in range(2)]
    try:
        open_app(page, setup_link(small_xor()))
        page.get_by_test_id("train-start").click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=run-status]').textContent.includes('position 1')"
        )
        assert page.get_by_test_id("train-stop").is_enabled()
        assert page.get_by_test_id("train-pause").is_disabled()  # only a running run can pause
        screenshot(page, "playground-queued")
    finally:
        for run_id in blockers:
            http(server, "POST", f"/api/runs/{run_id}/stop")
    wait_finished(page)
    assert page.get_by_test_id("run-status").inner_text() == "Completed"


def test_impossible_conv_layer_is_flagged_before_sending(page):
    open_app(page)
    set_field(page, "dataset", "mnist")
    # 28×28 → a 8×8 pool with stride 8 gives 3×3 maps: a 5×5 kernel cannot fit.
    build_layers(
        page,
        [
            {"type": "maxpool", "size": 8, "stride": 8},
            {"type": "conv2d", "filters": 4, "kernel": 5},
            {"type": "dense", "units": 10, "activation": "softmax"},
        ],
    )
    conv = page.locator("[data-testid=layer-card]").nth(1)
    assert "invalid" in conv.get_attribute("class")
    error = page.locator('[data-field="network.layers.1.kernel"] > .field-error')
    assert "5×5" in error.inner_text() and "3×3" in error.inner_text()
    assert control(page, "network.layers.1.kernel").get_attribute("aria-invalid") == "true"
    assert page.locator("#network-diagram .col.invalid").count() == 1

    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_test_id("train-start").click()
    assert page.get_by_test_id("run-error").inner_text().startswith("Fix the marked")
    screenshot(page, "playground-impossible-conv")
    assert posts == []

    set_field(page, "network.layers.1.kernel", 3)
    assert "invalid" not in conv.get_attribute("class")
    assert page.locator("[data-testid=layer-shape]").nth(1).inner_text().startswith("Output 4×1×1")


def test_server_refusal_is_shown_next_to_its_field(page):
    # Three output units for a two-class dataset: only the server knows the class count rule.
    request = small_xor(layers=[XOR_2_4_1[0], {"type": "dense", "units": 3, "activation": "sigmoid"}])
    open_app(page, setup_link(request))
    page.get_by_test_id("train-start").click()
    error = page.locator('[data-field="network.layers.1.units"] > .field-error')
    error.wait_for()
    assert "2 classes" in error.inner_text()
    assert "refused" in page.get_by_test_id("run-error").inner_text()
    assert not page.get_by_test_id("train-start").is_disabled()


def test_preset_loads_and_runs(page):
    open_app(page)
    presets = page.get_by_test_id("preset-select")
    presets.select_option("xor-hidden")
    assert page.get_by_test_id("dataset-select").input_value() == "xor"
    assert page.locator("[data-testid=layer-card]").count() == 2
    page.get_by_test_id("train-start").click()
    wait_finished(page)
    assert page.get_by_test_id("run-status").inner_text() == "Completed"
    assert len(plot_data(page, "loss-chart")[0]["x"]) >= 5

    presets.select_option("line-one-neuron")
    assert page.locator("#boundary-box").is_hidden()
    page.get_by_test_id("train-start").click()
    wait_finished(page)
    wait_traces(page, "loss-surface", 2)
    # its redraw is rate-limited (every 300 ms): the last one, with every epoch, may land after `done`
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=loss-surface]').data[1]?.x?.length ?? 0) === "
        "Number(document.querySelector('[data-testid=epoch-counter]').textContent)",
        timeout=30_000,
    )
    line = plot_data(page, "line-chart")
    assert line[1]["name"].startswith("y = ")
    surface = plot_data(page, "loss-surface")
    assert surface[0]["type"] == "contour" and len(surface[1]["x"]) == epoch(page)
    screenshot(page, "playground-line-preset")


def test_url_round_trips_the_set_up(page, browser, server):
    open_app(page)
    set_field(page, "dataset", "circle")
    set_field(page, "noise", 0.25)
    set_field(page, "network.optimizer.kind", "adam")
    set_field(page, "network.optimizer.beta1", 0.8)
    set_field(page, "network.regularization.l2", 0.1)
    set_field(page, "network.init", "he")
    build_layers(
        page,
        [
            {"type": "dense", "units": 6, "activation": "relu"},
            {"type": "dropout", "rate": 0.2},
            {"type": "dense", "units": 1, "activation": "sigmoid"},
        ],
    )
    request = link_request(page.url)
    assert request["dataset"] == "circle" and request["noise"] == 0.25
    assert request["network"]["optimizer"] == {
        "kind": "adam",
        "learning_rate": 0.3,
        "beta1": 0.8,
        "beta2": 0.999,
        "epsilon": 1e-8,
    }
    assert [layer["type"] for layer in request["network"]["layers"]] == ["dense", "dropout", "dense"]

    values = (
        "() => Object.fromEntries([...document.querySelectorAll("
        "'[data-field] > input, [data-field] > select')].map(el => [el.name, el.value]))"
    )
    before = page.evaluate(values)
    other = new_page(browser, server)
    try:
        open_app(other, page.url.replace(server, ""))
        assert other.evaluate(values) == before
        assert other.url == page.url
    finally:
        other.context.close()


def test_two_runs_overlay_with_legends_naming_the_difference(page):
    open_app(page, setup_link(small_xor()))
    start = page.get_by_test_id("train-start")
    start.click()
    wait_finished(page)
    set_field(page, "network.regularization.l2", 5)
    start.click()
    wait_finished(page)
    page.locator("[data-testid=run-overlay]").first.check()
    wait_traces(page, "loss-chart", 4)
    names = [t["name"] for t in plot_data(page, "loss-chart")]
    assert names == [
        "#1 λ₂=0 · training",
        "#1 λ₂=0 · validation",
        "#2 λ₂=5 · training",
        "#2 λ₂=5 · validation",
    ]
    assert page.locator("[data-testid=run-item]").count() == 2
    screenshot(page, "playground-overlay")


def test_languages_labels_and_keyboard(page):
    open_app(page)
    dictionaries = page.evaluate(
        "() => import('/static/js/i18n.js').then(m => Object.fromEntries("
        "Object.entries(m.dictionaries).map(([k, d]) => [k, Object.keys(d).sort()])))"
    )
    assert dictionaries["zh-Hant"] == dictionaries["en"] == dictionaries["zh-Hans"]
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('input, select, button, canvas')]"
        ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')"
        " && !el.textContent.trim()).map(el => el.outerHTML.slice(0, 80))"
    )
    assert unlabelled == []

    page.get_by_test_id("locale-select").select_option("zh-Hant")
    assert page.get_by_test_id("train-start").inner_text() == "開始訓練"
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    raw_keys = page.evaluate(
        "() => [...document.querySelectorAll('[data-i18n]')]"
        ".filter(el => el.textContent === el.dataset.i18n).length"
    )
    assert raw_keys == 0
    screenshot(page, "playground-zh-Hant")
    page.get_by_test_id("locale-select").select_option("zh-Hans")
    assert page.get_by_test_id("train-start").inner_text() == "开始训练"

    down = page.locator("[data-testid=layer-down]").first
    down.focus()
    page.keyboard.press("Enter")  # the moved layer's button keeps the focus
    assert page.evaluate("document.activeElement.name") == "network.layers.1.down"

    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.get_by_test_id("train-start").inner_text() == "开始训练"  # the choice is remembered
    page.locator("body").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "train-start":
            break
    else:
        pytest.fail("the Train button cannot be reached with the Tab key")


def test_phone_dark_theme_touch(browser, server):
    page = new_phone_page(browser, server, color_scheme="dark")
    try:
        open_app(page, setup_link(small_xor()))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_test_id("train-start").tap()
        wait_finished(page)
        assert page.get_by_test_id("run-status").inner_text() == "Completed"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(17, 21, 28)"
        screenshot(page, "phone-dark-trained")
        assert page.script_errors == []
    finally:
        page.context.close()
