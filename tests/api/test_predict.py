"""Predictions with the built-in model and with a run's saved model (in-process, no workers)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from engine.model import Model, model_to_bytes
from engine.spec import parse_request
from server.app import create_app
from server.settings import Settings
from tests.api.samples import tiny_mnist, xor


def data_url(image: Image.Image, fmt: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def drawn_one(size: int = 280, ink: int = 0, paper: int = 255) -> Image.Image:
    image = Image.new("L", (size, size), paper)
    ImageDraw.Draw(image).line([(size // 2, size // 5), (size // 2, 4 * size // 5)], fill=ink,
                               width=size // 12)
    return image


def model_bytes(request: dict) -> bytes:
    return model_to_bytes(Model.new(parse_request(request)))


@pytest.fixture
def model_client(tmp_path: Path) -> TestClient:
    path = tmp_path / "digit_model.npz"
    path.write_bytes(model_bytes(tiny_mnist()))
    settings = Settings(db_path=tmp_path / "runs.sqlite", workers=0, digit_model_path=path)
    with TestClient(create_app(settings)) as client:
        yield client


def check_prediction(answer) -> None:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert 0 <= body["label"] <= 9 and len(body["probabilities"]) == 10
    assert sum(body["probabilities"]) == pytest.approx(1.0, abs=1e-3)
    assert body["label"] == int(np.argmax(body["probabilities"]))
    assert len(body["pixels"]) == 784


@pytest.mark.parametrize(
    "image",
    [drawn_one(), drawn_one(ink=255, paper=0), drawn_one(size=64), drawn_one().convert("RGB")],
    ids=["dark-on-light", "light-on-dark", "small", "rgb"],
)
def test_builtin_model_reads_pictures(model_client: TestClient, image: Image.Image) -> None:
    answer = model_client.post("/api/predict", json={"image": data_url(image)})
    check_prediction(answer)
    seen = np.array(answer.json()["pixels"]).reshape(28, 28)
    assert seen[14, 14] > 0.5 and seen[0].max() == 0  # a centred white stroke on black


def test_transparent_canvas_and_jpeg(model_client: TestClient) -> None:
    stroke = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(stroke).line([(100, 30), (100, 170)], fill=(20, 20, 20, 255), width=16)
    for url in (data_url(stroke), data_url(drawn_one(), "JPEG")):
        answer = model_client.post("/api/predict", json={"image": url})
        check_prediction(answer)
        assert np.array(answer.json()["pixels"]).reshape(28, 28)[14, 14] > 0.5


def test_builtin_model_reads_pixels(model_client: TestClient) -> None:
    check_prediction(model_client.post("/api/predict", json={"pixels": [0.5] * 784}))


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"image": "not a data url"}, ["body", "image"]),
        ({"image": "data:image/png;base64,%%%"}, ["body", "image"]),
        ({"image": "data:image/png;base64," + base64.b64encode(b"GIF89a...").decode()},
         ["body", "image"]),
        ({"pixels": [0.0] * 783}, ["body", "pixels"]),
        ({"pixels": [2.0] * 784}, ["body", "pixels", 0]),
        ({}, ["body"]),
        ({"pixels": [0.0] * 784, "image": "data:image/png;base64,"}, ["body"]),
    ],
)
def test_wrong_image_data_is_a_clear_422(model_client: TestClient, body: dict, loc: list) -> None:
    answer = model_client.post("/api/predict", json=body)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail[0]["loc"] == loc and detail[0]["msg"], detail


def test_missing_builtin_model_is_503(client: TestClient) -> None:
    answer = client.post("/api/predict", json={"pixels": [0.0] * 784})
    assert answer.status_code == 503
    assert "built-in digit model is not installed" in answer.json()["detail"]


def run_with_model(client: TestClient, request: dict) -> str:
    """A queued run whose worker has (as far as the server knows) saved a first checkpoint."""
    run_id = client.post("/api/runs", json=request).json()["run_id"]
    client.app.state.nnplay.store.save_model(run_id, 1, model_bytes(request))
    return run_id


def test_run_model_predicts_and_downloads(client: TestClient) -> None:
    run_id = run_with_model(client, tiny_mnist())
    check_prediction(client.post(f"/api/runs/{run_id}/predict", json={"pixels": [0.0] * 784}))
    download = client.get(f"/api/runs/{run_id}/model")
    assert download.status_code == 200
    assert download.content == client.app.state.nnplay.store.model(run_id)[1]


def test_a_2d_model_cannot_read_digits(client: TestClient) -> None:
    run_id = run_with_model(client, xor())
    answer = client.post(f"/api/runs/{run_id}/predict", json={"pixels": [0.0] * 784})
    assert answer.status_code == 422
    assert "shape [2]" in answer.json()["detail"][0]["msg"]
