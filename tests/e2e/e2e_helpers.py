"""What the browser tests do on the page, named: open it, set a field, build layers, read charts."""

from __future__ import annotations

import base64
import json


def open_app(page, path: str = "/") -> None:
    """Load a page of the app and wait until its menus are filled from the server."""
    page.goto(path)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def control(page, path: str):
    """The input or select bound to a set-up path such as 'network.optimizer.kind'."""
    return page.locator(f'[data-field="{path}"] > input, [data-field="{path}"] > select')


def set_field(page, path: str, value) -> None:
    """Type a number into, or choose an option of, the control bound to `path`
    (opening its settings group first if it is folded)."""
    target = control(page, path)
    target.evaluate("el => { const group = el.closest('details'); if (group) group.open = true; }")
    if target.evaluate("el => el.tagName") == "SELECT":
        target.select_option(str(value))
    else:
        target.fill(str(value))


def build_layers(page, layers: list[dict]) -> None:
    """Replace the network with `layers` through the designer's buttons and fields."""
    cards = page.locator("[data-testid=layer-card]")
    while cards.count() > 1:
        cards.first.locator("[data-testid=layer-remove]").click()
    last = len(layers) - 1
    set_layer(page, 0, layers[last])
    for spec in layers[:-1]:
        page.get_by_test_id(f"add-{spec['type']}").click()
        set_layer(page, cards.count() - 2, spec)


def set_layer(page, index: int, spec: dict) -> None:
    """Give layer `index` the type and settings of `spec`."""
    card = page.locator("[data-testid=layer-card]").nth(index)
    if card.locator("[data-testid=layer-type]").input_value() != spec["type"]:
        card.locator("[data-testid=layer-type]").select_option(spec["type"])
    for key, value in spec.items():
        if key != "type":
            set_field(page, f"network.layers.{index}.{key}", value)


def plot_data(page, testid: str) -> list[dict]:
    """The traces Plotly holds for the chart with this data-testid ([] when not drawn)."""
    return page.evaluate(
        "id => (document.querySelector(`[data-testid='${id}']`).data || [])"
        ".map(t => ({type: t.type, name: t.name, x: t.x ? Array.from(t.x) : null,"
        " y: t.y ? Array.from(t.y) : null, z: t.z ? t.z.length : 0}))",
        testid,
    )


def epoch(page) -> int:
    text = page.get_by_test_id("epoch-counter").inner_text().strip()
    return int(text) if text else 0


def wait_epoch(page, n: int, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=epoch-counter]').textContent) >= n",
        arg=n,
        timeout=timeout,
    )


def wait_finished(page, timeout: float = 60_000) -> None:
    """Wait until the live run has ended (the start button is usable again)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=train-start]').disabled"
        " && document.querySelector('[data-testid=train-stop]').disabled",
        timeout=timeout,
    )


def setup_link(request: dict, path: str = "/") -> str:
    """The address that opens the app with `request` as its set-up (as 'Copy link' makes it)."""
    encoded = base64.urlsafe_b64encode(json.dumps(request).encode()).decode().rstrip("=")
    return f"{path}#setup={encoded}"


def link_request(url: str) -> dict:
    """The training request carried by an app address."""
    encoded = url.split("#setup=", 1)[1]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def wait_traces(page, testid: str, count: int | None = None, timeout: float = 30_000) -> None:
    """Wait until the Plotly chart has `count` traces (any, when None)."""
    page.wait_for_function(
        "([id, n]) => { const d = document.querySelector(`[data-testid='${id}']`).data || [];"
        " return n === null ? d.length > 0 : d.length === n; }",
        arg=[testid, count],
        timeout=timeout,
    )


def wait_text(page, testid: str, *, empty: bool, timeout: float = 30_000) -> None:
    """Wait until the element's text is empty, or not empty."""
    page.wait_for_function(
        "([id, empty]) => (document.querySelector(`[data-testid='${id}']`).textContent === '') === empty",
        arg=[testid, empty],
        timeout=timeout,
    )


# -- drawing digits with real pointer input (the Draw tab) ---------------------

#: strokes of digits, as points in fractions of the canvas (x right, y down)
ONE = [[(0.5, 0.15), (0.5, 0.85)]]
SEVEN = [[(0.25, 0.2), (0.75, 0.2)], [(0.75, 0.2), (0.4, 0.85)]]
ZERO = [
    [
        (0.5 + 0.22 * dx, 0.5 + 0.32 * dy)
        for dx, dy in [
            (0, -1),
            (0.7, -0.7),
            (1, 0),
            (0.7, 0.7),
            (0, 1),
            (-0.7, 0.7),
            (-1, 0),
            (-0.7, -0.7),
            (0, -1),
        ]
    ]
]


def canvas_box(page) -> dict:
    return page.get_by_test_id("draw-canvas").bounding_box()


def interpolate(stroke, steps: int = 8):
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
        for k in range(steps):
            yield x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps
    yield stroke[-1]


def draw_with_mouse(page, strokes, scale: float = 1.0, offset=(0.0, 0.0)) -> None:
    """Real mouse strokes across the canvas; points are fractions of its size."""
    box = canvas_box(page)

    def at(x, y):
        cx, cy = 0.5 + (x - 0.5) * scale + offset[0], 0.5 + (y - 0.5) * scale + offset[1]
        return box["x"] + cx * box["width"], box["y"] + cy * box["height"]

    for stroke in strokes:
        page.mouse.move(*at(*stroke[0]))
        page.mouse.down()
        for point in interpolate(stroke):
            page.mouse.move(*at(*point))
        page.mouse.up()


def draw_with_touch(page, strokes) -> None:
    """Finger strokes sent as CDP Input.dispatchTouchEvent (touchStart, touchMove…, touchEnd)."""
    cdp = page.context.new_cdp_session(page)
    box = canvas_box(page)

    def point(x, y):
        return {"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"], "id": 1}

    for stroke in strokes:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point(*stroke[0])]})
        for x, y in interpolate(stroke):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point(x, y)]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def wait_label(page) -> str:
    """The label shown once the newest drawing has been read (label and chart change together)."""
    page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=prediction-label]');"
        " return el.textContent !== '' && el.getAttribute('aria-busy') === 'false'; }",
        timeout=30_000,
    )
    return page.get_by_test_id("prediction-label").inner_text()


def probabilities(page) -> list[float]:
    bars = plot_data(page, "prediction-chart")
    assert len(bars) == 1 and bars[0]["type"] == "bar"
    return bars[0]["y"]
