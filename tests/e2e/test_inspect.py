"""Issue 5 beyond the prediction: the same digit drawn differently reads the same, look inside the
network, the convolution explorer and "that's wrong" corrections, with real mouse and touch strokes.

Where numbers are checked, the test asks the server the same question the page asked and
compares what the page's Plotly figures hold with the answer, value for value.
"""

from __future__ import annotations

import pytest
from conftest import http, new_phone_page, screenshot
from e2e_helpers import (
    ONE,
    SEVEN,
    ZERO,
    control,
    draw_with_mouse,
    draw_with_touch,
    link_request,
    open_app,
    set_field,
    setup_link,
    wait_finished,
    wait_label,
)

#: a 3×3 kernel typed into the explorer (the discrete Laplacian)
LAPLACIAN = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]

#: true when trace `trace` of the Plotly figure at `sel` holds exactly `want` in `field` (z or y)
SAME = """([sel, trace, field, want]) => {
  const el = document.querySelector(sel);
  const got = el && el.data && el.data[trace] && el.data[trace][field];
  if (!got || got.length !== want.length) return false;
  return want.every((row, i) => Array.isArray(row)
    ? row.length === got[i].length && row.every((v, j) => got[i][j] === v)
    : got[i] === row);
}"""


@pytest.fixture
def classifier(request, server) -> str:
    """'' for the built-in model when it is installed, else a run id of the small test model."""
    if http(server, "POST", "/api/predict", {"pixels": [0.0] * 784})[0] == 200:
        return ""
    return request.getfixturevalue("mnist_run")


def use(page, classifier: str) -> None:
    """Open the Draw tab with `classifier` chosen."""
    open_app(page, "/draw")
    if classifier:
        page.wait_for_function(
            "id => [...document.querySelectorAll('[data-testid=draw-model] option')]"
            ".some(o => o.value === id)",
            arg=classifier,
        )
        page.get_by_test_id("draw-model").select_option(classifier)


def inspect_path(classifier: str) -> str:
    return f"/api/runs/{classifier}/inspect" if classifier else "/api/inspect"


def thick(strokes, width: float = 0.03):
    """The strokes drawn five times, shifted a little each way: a pen about three times as wide."""
    shifts = [(0, 0), (width, 0), (-width, 0), (0, width), (0, -width)]
    return [[(x + dx, y + dy) for x, y in stroke] for dx, dy in shifts for stroke in strokes]


def client_headers(page) -> dict:
    """The X-Client-Id the page sends, so the test can ask about the same browser's corrections."""
    return {"X-Client-Id": page.evaluate("localStorage.getItem('nnplay.client')")}


def wait_same(page, selector: str, trace: int, want, field: str = "z", timeout: float = 20_000) -> None:
    """Wait until the figure shows exactly these numbers (it is painted soon after the answer)."""
    page.wait_for_function(SAME, arg=[selector, trace, field, want], timeout=timeout)


def wait_text_has(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.textContent.includes(text)", arg=[selector, text]
    )


def test_same_digit_small_off_centre_or_thick_reads_the_same(page, classifier):
    use(page, classifier)
    variants = [
        ("as drawn", {}, False),
        ("small", {"scale": 0.4}, False),
        ("small, off-centre", {"scale": 0.5, "offset": (-0.22, 0.2)}, False),
        ("off-centre", {"scale": 0.7, "offset": (0.14, -0.12)}, False),
        ("thick", {}, True),
        ("small and thick", {"scale": 0.55, "offset": (0.1, 0.1)}, True),
    ]
    for strokes, digit in [(ONE, "1"), (SEVEN, "7")]:
        labels = {}
        for name, placement, is_thick in variants:
            page.get_by_test_id("draw-clear").click()
            draw_with_mouse(page, thick(strokes) if is_thick else strokes, **placement)
            labels[name] = wait_label(page)
        assert set(labels.values()) == {labels["as drawn"]}, (digit, labels)
        if not classifier:  # the built-in model must also be right
            assert labels["as drawn"] == digit, labels


def test_touch_digit_on_a_phone_with_look_inside(browser, server, classifier):
    page = new_phone_page(browser, server, width=412, height=915, color_scheme="dark")
    try:
        use(page, classifier)
        page.get_by_test_id("draw-canvas").scroll_into_view_if_needed()
        draw_with_touch(page, SEVEN)
        label = wait_label(page)
        if not classifier:
            assert label == "7"
        page.wait_for_function(
            "() => { const charts = [...document.querySelectorAll('[data-testid=inspect-layer-chart]')];"
            " return charts.length > 0 && charts.every(d => (d.data || []).length > 0)"
            " && (document.querySelector('[data-testid=explorer-relu]').data || []).length > 0; }"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 412  # nothing sticks out
        screenshot(page, "draw-inspect-phone-dark")
        assert page.script_errors == []
    finally:
        page.context.close()


def test_look_inside_shows_the_networks_own_numbers(page, server, classifier):
    use(page, classifier)
    assert page.get_by_test_id("inspect-layers").is_hidden()  # nothing drawn: nothing to show
    draw_with_mouse(page, SEVEN)
    wait_label(page)

    # Explaining another class reads the same 28×28 pixels again: the page's exact question.
    with page.expect_request(lambda r: r.url.endswith("/inspect") and r.method == "POST") as asked:
        page.get_by_test_id("saliency-class").select_option("3")
    body = asked.value.post_data_json
    assert body["class"] == 3 and len(body["pixels"]) == 784 and "image" not in body
    status, answer = http(server, "POST", inspect_path(classifier), body)
    assert status == 200, answer
    assert answer["saliency"]["class"] == 3

    # the saliency overlay: the digit (trace 0) under gradient × input (trace 1), scale ±max_abs
    wait_same(page, "[data-testid=saliency-map]", 1, answer["saliency"]["values"])
    rows = [answer["pixels"][r * 28 : r * 28 + 28] for r in range(28)]
    wait_same(page, "[data-testid=saliency-map]", 0, rows)
    scale = page.evaluate(
        "() => { const t = document.querySelector('[data-testid=saliency-map]').data[1];"
        " return [t.zmin, t.zmax]; }"
    )
    m = answer["saliency"]["max_abs"] or 1
    assert scale == [-m, m]
    assert page.get_by_test_id("prediction-label").inner_text() == str(answer["label"])

    # every layer: conv/pool maps as one heatmap per channel, vectors as bars
    layers = answer["layers"]
    assert page.locator("[data-testid=inspect-layer]").count() == len(layers)
    kinds = set()
    for view in layers:
        chart = f"[data-testid=inspect-layer][data-layer='{view['index']}'] [data-testid=inspect-layer-chart]"
        if view["maps"] is not None:
            kinds.add("maps")
            for channel, z in enumerate(view["maps"]):
                wait_same(page, chart, channel, z)
            assert page.evaluate(f'document.querySelector("{chart}").data.length') == len(view["maps"])
        else:
            kinds.add("activations")
            wait_same(page, chart, 0, view["activations"], field="y")
        caption = page.locator(
            f"[data-testid=inspect-layer][data-layer='{view['index']}'] figcaption"
        ).inner_text()
        assert "×".join(map(str, view["output_shape"])) in caption
    assert "activations" in kinds
    if not classifier:
        assert "maps" in kinds  # the built-in model is a CNN

    page.get_by_test_id("saliency-class").select_option("")  # back to the digit it read
    page.wait_for_function(
        "l => document.querySelector('[data-testid=saliency-map]').dataset.class === l",
        arg=page.get_by_test_id("prediction-label").inner_text(),
    )
    page.get_by_test_id("saliency-map").scroll_into_view_if_needed()
    screenshot(page, "draw-inspect")

    page.get_by_test_id("draw-clear").click()
    page.get_by_test_id("inspect-layers").wait_for(state="hidden")


def test_convolution_explorer_matches_the_engine(page, server, classifier):
    use(page, classifier)
    draw_with_mouse(page, ZERO)
    wait_label(page)
    explorer = {
        "feature_map": "[data-testid=explorer-feature-map]",
        "relu": "[data-testid=explorer-relu]",
        "pooled": "[data-testid=explorer-pooled]",
    }

    with page.expect_request(lambda r: r.url.endswith("/api/convolve")) as asked:
        page.get_by_test_id("explorer-kernel").select_option("edge_all")
    body = asked.value.post_data_json
    assert body["kernel"] == "edge_all"
    # the explorer works on the 28×28 image the network saw
    with page.expect_request(lambda r: r.url.endswith("/inspect")) as inspected:
        page.get_by_test_id("saliency-class").select_option("0")
    assert inspected.value.post_data_json["pixels"] == body["pixels"]

    status, steps = http(server, "POST", "/api/convolve", body)
    assert status == 200, steps
    for field, selector in explorer.items():
        wait_same(page, selector, 0, steps[field])
    wait_same(page, "[data-testid=explorer-flattened]", 0, [steps["flattened"]])
    assert len(steps["pooled"]) == 14 and len(steps["flattened"]) == 196
    shown = page.locator("[data-testid=explorer-custom] input")
    assert [float(shown.nth(i).input_value()) for i in range(9)] == [-1, -1, -1, -1, 8, -1, -1, -1, -1]

    # type your own kernel: the menu says so and the stages follow
    for i, value in enumerate(v for row in LAPLACIAN for v in row):
        shown.nth(i).fill(str(value))
    assert page.get_by_test_id("explorer-kernel").input_value() == "custom"
    status, steps = http(server, "POST", "/api/convolve", {"pixels": body["pixels"], "kernel": LAPLACIAN})
    assert status == 200, steps
    for field, selector in explorer.items():
        wait_same(page, selector, 0, steps[field])
    wait_same(page, "[data-testid=explorer-flattened]", 0, [steps["flattened"]])
    assert (
        min(v for row in steps["feature_map"] for v in row)
        < 0
        <= min(v for row in steps["relu"] for v in row)
    )
    page.locator("section.explorer").scroll_into_view_if_needed()
    screenshot(page, "draw-explorer")


def test_corrections_are_kept_listed_offered_for_training_and_deleted(page, browser, server, classifier):
    use(page, classifier)
    count = page.get_by_test_id("corrections-count")
    mark = page.get_by_test_id("mark-wrong")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=corrections-count]').textContent !== ''"
    )
    assert count.inner_text() == "You have not corrected any digits yet."
    assert mark.is_disabled()  # nothing read, nothing to correct

    saved = []
    for strokes, right in [(SEVEN, 1), (ZERO, 6)]:
        page.get_by_test_id("draw-clear").click()
        draw_with_mouse(page, strokes)
        read = int(wait_label(page))
        mark.click()
        assert page.get_by_test_id(f"correct-label-{read}").is_disabled()  # that is no correction
        focused = page.evaluate("document.activeElement.dataset.testid")
        assert focused.startswith("correct-label-")  # the picker takes the keyboard
        page.keyboard.press("Escape")
        assert page.get_by_test_id("correct-picker").is_hidden()
        assert page.evaluate("document.activeElement.dataset.testid") == "mark-wrong"
        page.keyboard.press("Enter")  # and opens again from the keyboard
        label = right if right != read else (right + 1) % 10
        page.get_by_test_id(f"correct-label-{label}").click()
        saved.append((label, read))
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=correction-item]').length === n", arg=len(saved)
        )
    assert count.inner_text() == "You have corrected 2 digits"
    status, kept = http(server, "GET", "/api/corrections", headers=client_headers(page))
    assert status == 200
    assert [(c["label"], c["predicted"]) for c in kept] == saved[::-1]  # newest first
    assert all(len(c["pixels"]) == 784 for c in kept)
    assert http(server, "GET", "/api/corrections")[1] == []  # they belong to this browser only
    thumbnails = page.locator("[data-testid=correction-item] canvas")
    assert thumbnails.first.get_attribute("aria-label").startswith(f"A {saved[-1][0]} the network read")
    page.locator("section.corrections").scroll_into_view_if_needed()
    screenshot(page, "draw-corrections")

    # the playground offers them to an MNIST run, and the choice travels in the link
    page.get_by_role("tab", name="Playground").click()
    datasets = {d["name"]: d for d in http(server, "GET", "/api/datasets")[1]}
    if datasets["mnist"]["available"]:
        box = control(page, "corrections")
        assert box.count() == 0  # not for XOR
        set_field(page, "dataset", "mnist")
        wait_text_has(page, '[data-field="corrections"] > label', "(2)")
        assert "corrections" not in link_request(page.url)
        box.check()
        assert link_request(page.url)["corrections"] == {"repeat": 20}
        other = page.context.new_page()  # same browser, so the same corrections
        open_app(other, page.url.replace(server, ""))
        assert control(other, "corrections").is_checked()
        wait_text_has(other, '[data-field="corrections"] > label', "(2)")
        assert link_request(other.url)["corrections"] == {"repeat": 20}
        control(other, "corrections").uncheck()
        assert "corrections" not in link_request(other.url)
        other.close()
        set_field(page, "dataset", "xor")
        assert "corrections" not in link_request(page.url)

    page.get_by_role("tab", name="Draw a digit").click()
    for left in (1, 0):
        page.locator("[data-testid=correction-delete]").first.click()
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=correction-item]').length === n", arg=left
        )
    assert count.inner_text() == "You have not corrected any digits yet."
    assert http(server, "GET", "/api/corrections", headers=client_headers(page))[1] == []


def test_a_run_with_my_corrections_shows_their_accuracy(page, server):
    schema = http(server, "GET", "/openapi.json")[1]["components"]["schemas"]
    request_schema = next((s for name, s in schema.items() if name.startswith("TrainRequest")), {})
    if "corrections" not in request_schema.get("properties", {}):
        pytest.skip("this server does not take `corrections` in a training request yet")
    datasets = {d["name"]: d for d in http(server, "GET", "/api/datasets")[1]}
    if not datasets["mnist"]["available"]:
        pytest.skip("MNIST files are not in the data directory")
    request = {
        "dataset": "mnist",
        "train_size": 300,
        "validation_size": 100,
        "epochs": 1,
        "batch_size": 20,
        "seed": 1,
        "corrections": {"repeat": 20},
        "network": {
            "layers": [{"type": "dense", "units": 10, "activation": "softmax"}],
            "cost": "log_likelihood",
            "init": "xavier",
            "optimizer": {"kind": "sgd", "learning_rate": 0.1},
        },
    }
    open_app(page, setup_link(request))
    status, _ = http(
        server,
        "POST",
        "/api/corrections",
        {"pixels": [0.0] * 392 + [1.0] * 392, "label": 4},
        headers=client_headers(page),
    )
    assert status == 201
    assert control(page, "corrections").is_checked()
    page.get_by_test_id("train-start").click()
    wait_finished(page)
    assert int(page.get_by_test_id("stat-n_corrections").inner_text().replace(",", "")) in (1, 20)
    assert page.get_by_test_id("stat-corrections_accuracy").inner_text().endswith("%")


def test_draw_tab_is_labelled_and_translated(page):
    open_app(page, "/draw")
    draw_with_mouse(page, ONE)
    wait_label(page)
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('#view-draw input, #view-draw select, #view-draw button,"
        " #view-draw canvas')].filter(el => !(el.labels && el.labels.length)"
        " && !el.getAttribute('aria-label') && !el.textContent.trim()).map(el => el.outerHTML.slice(0, 80))"
    )
    assert unlabelled == []
    page.get_by_test_id("locale-select").select_option("zh-Hant")
    assert page.locator("#inside-title").inner_text() == "看看網路內部"
    assert page.get_by_test_id("mark-wrong").inner_text() == "讀錯了"
    assert "卷積核" in page.locator("#explorer-custom legend").inner_text()
    options = page.locator("[data-testid=explorer-kernel] option").all_inner_texts()
    assert "銳化" in options and all(text.isascii() is False for text in options)
    page.get_by_test_id("locale-select").select_option("zh-Hans")
    assert page.locator("#explorer-title").inner_text() == "卷积探索器"
    raw_keys = page.evaluate(
        "() => [...document.querySelectorAll('[data-i18n]')]"
        ".filter(el => el.textContent === el.dataset.i18n).length"
    )
    assert raw_keys == 0
