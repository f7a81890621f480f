"""Look inside (every layer's output, saliency) and the convolution explorer, checked against
the engine's own forward pass and a hand-written NumPy convolution (in-process, no workers)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from engine.inspect import KERNELS, saliency
from engine.model import Model, model_from_bytes, model_to_bytes
from engine.spec import parse_request
from server.app import create_app
from server.settings import Settings
from tests.api.samples import tiny_mnist, xor
from tests.api.test_predict import data_url, drawn_one, run_with_model


def small_cnn() -> dict:
    """Every layer type the page shows, with image-shaped and vector outputs."""
    return {
        **tiny_mnist(),
        "seed": 3,
        "network": {
            "layers": [
                {"type": "conv2d", "filters": 3, "kernel": 5, "activation": "relu"},
                {"type": "maxpool", "size": 2},
                {"type": "batchnorm"},
                {"type": "conv2d", "filters": 2, "kernel": 3, "padding": "same", "activation": "tanh"},
                {"type": "flatten"},
                {"type": "dropout", "rate": 0.3},
                {"type": "dense", "units": 12, "activation": "sigmoid"},
                {"type": "dense", "units": 10, "activation": "softmax"},
            ],
            "cost": "log_likelihood",
            "init": "xavier",
        },
    }


@pytest.fixture
def cnn(tmp_path: Path) -> Iterator[tuple[TestClient, Model]]:
    """An app whose built-in model is `small_cnn`, and an independent copy of that model."""
    data = model_to_bytes(Model.new(parse_request(small_cnn())))
    path = tmp_path / "digit_model.npz"
    path.write_bytes(data)
    settings = Settings(db_path=tmp_path / "runs.sqlite", workers=0, digit_model_path=path)
    with TestClient(create_app(settings)) as client:
        yield client, model_from_bytes(data)


def a_digit(seed: int = 0) -> np.ndarray:
    """A blurry stroke-like 28×28 image in 0..1 (3 decimals, as a client would send it)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((28, 28))
    image[6:22, 12:16] = 1.0
    image[6:10, 8:20] = 0.8
    return np.clip(image + rng.normal(0, 0.1, image.shape), 0, 1).round(3)


def test_every_layer_matches_the_engine_forward_pass(cnn: tuple[TestClient, Model]) -> None:
    client, model = cnn
    digit = a_digit()
    answer = client.post("/api/inspect", json={"pixels": digit.ravel().tolist()})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    x = digit.reshape(1, 1, 28, 28).astype(np.float32)
    outputs = model.network.forward_all(x)
    probabilities = model.predict(x)[0]
    assert body["probabilities"] == pytest.approx(probabilities.tolist(), abs=1e-6)
    assert body["label"] == int(np.argmax(probabilities))
    assert np.array(body["pixels"]) == pytest.approx(digit.ravel(), abs=1e-6)

    types = [layer["type"] for layer in small_cnn()["network"]["layers"]]
    assert [layer["type"] for layer in body["layers"]] == types
    assert [layer["index"] for layer in body["layers"]] == list(range(len(types)))
    for layer, expected in zip(body["layers"], outputs, strict=True):
        expected = expected[0]
        assert layer["output_shape"] == list(expected.shape)
        if expected.ndim == 3:
            assert layer["activations"] is None and layer["channels"] == expected.shape[0]
            q = np.array(layer["maps"], dtype=np.float64)
            assert q.shape == expected.shape and q.min() >= 0 and q.max() <= 255
            lo, hi = np.array(layer["ranges"]).T[..., None, None]
            assert lo[:, 0, 0] == pytest.approx(expected.min(axis=(1, 2)), rel=1e-5, abs=1e-7)
            assert hi[:, 0, 0] == pytest.approx(expected.max(axis=(1, 2)), rel=1e-5, abs=1e-7)
            seen = lo + q / 255 * (hi - lo)
            assert np.all(np.abs(seen - expected) <= (hi - lo) / 255 + 1e-6), layer["type"]
        else:
            assert layer["maps"] is None and layer["size"] == expected.size
            shown = expected[:256]
            assert len(layer["activations"]) == len(shown)
            assert np.array(layer["activations"]) == pytest.approx(shown, rel=1e-4, abs=1e-9)
    flatten = body["layers"][types.index("flatten")]
    assert flatten["size"] == 2 * 12 * 12 and len(flatten["activations"]) == 256


@pytest.mark.parametrize("target", [None, 3])
def test_saliency_is_the_engines_gradient_times_input(
    cnn: tuple[TestClient, Model], target: int | None
) -> None:
    client, model = cnn
    digit = a_digit(1)
    answer = client.post("/api/inspect", json={"pixels": digit.ravel().tolist(), "class": target})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    explained = body["label"] if target is None else target
    expected = saliency(model.network, digit.reshape(1, 1, 28, 28).astype(np.float32), explained)
    expected = expected.reshape(28, 28)
    shown = body["saliency"]
    assert shown["class"] == explained
    values = np.array(shown["values"])
    assert values.shape == (28, 28)
    assert values == pytest.approx(expected, rel=1e-4, abs=1e-12)
    assert shown["max_abs"] == pytest.approx(np.abs(expected).max(), rel=1e-4)
    assert shown["max_abs"] > 0
    assert np.all(values[digit == 0] == 0)  # no ink, no push


def test_inspect_reads_pictures_like_predict(cnn: tuple[TestClient, Model]) -> None:
    client, _ = cnn
    image = {"image": data_url(drawn_one())}
    inspected = client.post("/api/inspect", json=image).json()
    predicted = client.post("/api/predict", json=image).json()
    assert inspected["label"] == predicted["label"]
    assert inspected["probabilities"] == pytest.approx(predicted["probabilities"], abs=1e-6)
    assert inspected["pixels"] == pytest.approx(predicted["pixels"], abs=1e-6)


def test_a_dense_network_shows_activations(tmp_path: Path) -> None:
    path = tmp_path / "digit_model.npz"
    model = Model.new(parse_request(tiny_mnist()))
    path.write_bytes(model_to_bytes(model))
    settings = Settings(db_path=tmp_path / "runs.sqlite", workers=0, digit_model_path=path)
    with TestClient(create_app(settings)) as client:
        body = client.post("/api/inspect", json={"pixels": a_digit().ravel().tolist()}).json()
    (layer,) = body["layers"]
    assert layer == {**layer, "type": "dense", "output_shape": [10], "maps": None, "size": 10}
    assert sum(layer["activations"]) == pytest.approx(1, abs=1e-4)  # softmax
    assert layer["activations"] == pytest.approx(body["probabilities"], abs=1e-5)


def test_inspect_with_a_run_model(client: TestClient) -> None:
    run_id = run_with_model(client, small_cnn())
    answer = client.post(f"/api/runs/{run_id}/inspect", json={"pixels": [0.0] * 784})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["layers"]) == len(small_cnn()["network"]["layers"])


def test_inspect_refusals(client: TestClient) -> None:
    pixels = {"pixels": [0.0] * 784}
    missing = client.post("/api/inspect", json=pixels)
    assert missing.status_code == 503 and "not installed" in missing.json()["detail"]
    assert client.post("/api/runs/nope/inspect", json=pixels).status_code == 404
    queued = client.post("/api/runs", json=tiny_mnist()).json()["run_id"]
    early = client.post(f"/api/runs/{queued}/inspect", json=pixels)
    assert early.status_code == 409 and "no model yet" in early.json()["detail"]
    points = run_with_model(client, xor())
    answer = client.post(f"/api/runs/{points}/inspect", json=pixels)
    assert answer.status_code == 422 and "shape [2]" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"pixels": [0.0] * 784, "class": 10}, ["body", "class"]),
        ({"pixels": [0.0] * 784, "class": "3"}, ["body", "class"]),
        ({"pixels": [0.0] * 784, "target": 3}, ["body", "target"]),
        ({"pixels": [0.0] * 100}, ["body", "pixels"]),
        ({"class": 1}, ["body"]),
    ],
)
def test_wrong_inspect_bodies_are_422(cnn: tuple[TestClient, Model], body: dict, loc: list) -> None:
    answer = cnn[0].post("/api/inspect", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == loc


# -- the convolution explorer ----------------------------------------------------


def by_hand(image: np.ndarray, kernel: np.ndarray) -> dict[str, np.ndarray]:
    """The course's walk-through written out: zero 'same' padding, the kernel slid over
    the image (cross-correlation, as in every CNN), ReLU, 2×2 max pooling, flattening."""
    k = len(kernel)
    padded = np.pad(image, k // 2)
    fmap = np.zeros_like(image)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            fmap[i, j] = np.sum(padded[i:i + k, j:j + k] * kernel)
    relu = np.maximum(fmap, 0)
    pooled = relu.reshape(14, 2, 14, 2).max(axis=(1, 3))
    return {"feature_map": fmap, "relu": relu, "pooled": pooled, "flattened": pooled.ravel()}


def test_kernels_are_the_engines(client: TestClient) -> None:
    kernels = client.get("/api/kernels").json()
    assert [k["name"] for k in kernels] == list(KERNELS)
    for k in kernels:
        assert k["title"] and np.array(k["kernel"]) == pytest.approx(np.array(KERNELS[k["name"]]))


@pytest.mark.parametrize(
    "kernel",
    [*KERNELS, [[0.5]], np.arange(25).reshape(5, 5) / 10 - 1.2, np.ones((7, 7)) / 49],
    ids=[*KERNELS, "1x1", "5x5", "7x7"],
)
def test_convolve_matches_a_numpy_convolution(client: TestClient, kernel) -> None:
    digit = a_digit(2)
    sent = kernel if isinstance(kernel, str) else np.asarray(kernel).tolist()
    answer = client.post("/api/convolve", json={"pixels": digit.ravel().tolist(), "kernel": sent})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    matrix = np.array(KERNELS[kernel] if isinstance(kernel, str) else kernel)
    assert np.array(body["kernel"]) == pytest.approx(matrix)
    assert np.array(body["input"]) == pytest.approx(digit, abs=1e-4)
    expected = by_hand(digit, matrix)
    shapes = {"feature_map": (28, 28), "relu": (28, 28), "pooled": (14, 14), "flattened": (196,)}
    for step, shape in shapes.items():
        got = np.array(body[step])
        assert got.shape == shape, step
        assert got == pytest.approx(expected[step], abs=2e-4), step


def test_edge_kernel_orientation(client: TestClient) -> None:
    """A horizontal edge lights up edge_horizontal, not edge_vertical."""
    image = np.zeros((28, 28))
    image[14:] = 1.0
    body = {"pixels": image.ravel().tolist()}
    horizontal = np.array(client.post("/api/convolve", json={**body, "kernel": "edge_horizontal"})
                          .json()["relu"])
    vertical = np.array(client.post("/api/convolve", json={**body, "kernel": "edge_vertical"})
                        .json()["feature_map"])
    assert horizontal[13:15, 5:20].min() > 0 and np.abs(vertical[2:26, 2:26]).max() == 0


def test_convolve_reads_pictures(client: TestClient) -> None:
    answer = client.post("/api/convolve", json={"image": data_url(drawn_one()), "kernel": "identity"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["feature_map"] == body["input"] and np.array(body["input"])[14, 14] > 0.5


@pytest.mark.parametrize(
    ("kernel", "words"),
    [
        ("sobel", "unknown kernel 'sobel'"),
        ([[1, 2], [3, 4]], "k odd"),
        ([[1] * 9] * 9, "at most 7"),
        ([[1, 2, 3], [4, 5, 6]], "k odd"),
        ([[1, 2, 3], [4, 5], [6, 7, 8]], "square"),
        ([], "k odd"),
        ([[1, 2, 3], [4, 5e9, 6], [7, 8, 9]], "less than or equal"),
        ([[1, "a", 3], [4, 5, 6], [7, 8, 9]], "valid number"),
        (None, "valid"),
    ],
)
def test_wrong_kernels_are_422(client: TestClient, kernel, words: str) -> None:
    answer = client.post("/api/convolve", json={"pixels": [0.0] * 784, "kernel": kernel})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail[0]["loc"][:2] == ["body", "kernel"]
    assert any(words in e["msg"] for e in detail), detail


def test_non_finite_kernel_numbers_are_422(client: TestClient) -> None:
    text = json.dumps({"pixels": [0.0] * 784})[:-1] + ', "kernel": [[0, 0, 0], [0, NaN, 0], [0, 0, 0]]}'
    answer = client.post("/api/convolve", content=text, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["body", "kernel"]


def test_convolve_needs_a_kernel_and_a_digit(client: TestClient) -> None:
    assert client.post("/api/convolve", json={"pixels": [0.0] * 784}).status_code == 422
    assert client.post("/api/convolve", json={"kernel": "identity"}).status_code == 422
