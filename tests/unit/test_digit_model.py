"""The built-in digit model reads MNIST digits that went through the same
preprocessing as a drawing: rendered larger, off-centre, in the opposite
polarity (dark ink on white), then made MNIST-like again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data import load_dataset, to_mnist_28
from engine.model import load_model

MODEL = Path(__file__).resolve().parents[2] / "server" / "assets" / "digit_model.npz"


def render_like_a_drawing(img: np.ndarray, scale: int, offset: tuple[int, int]) -> np.ndarray:
    """A 28×28 digit blown up `scale`× (bilinear), dark on light, placed off-centre on a big page."""
    n = 28 * scale
    coords = (np.arange(n) + 0.5) / scale - 0.5
    i0 = np.clip(np.floor(coords).astype(int), 0, 27)
    i1 = np.clip(i0 + 1, 0, 27)
    f = np.clip(coords - i0, 0, 1)
    rows = img[i0] * (1 - f)[:, None] + img[i1] * f[:, None]
    big = rows[:, i0] * (1 - f)[None, :] + rows[:, i1] * f[None, :]
    page = np.zeros((n + 120, n + 160), np.float32)
    page[offset[0]:offset[0] + n, offset[1]:offset[1] + n] = big
    return (255 * (1 - page)).astype(np.uint8)


def test_built_in_model_ships():
    assert MODEL.exists(), "run scripts/train_default_model.py to make server/assets/digit_model.npz"
    assert MODEL.stat().st_size < 2 * 1024 * 1024


@pytest.mark.mnist
def test_reads_98_percent_of_rendered_inverted_test_digits(mnist_dir):
    model = load_model(MODEL)
    ds = load_dataset("mnist", data_dir=mnist_dir)
    rng = np.random.default_rng(0)
    pick = rng.choice(len(ds.x_test), 1000, replace=False)
    images = np.stack([
        to_mnist_28(render_like_a_drawing(ds.x_test[i, 0], scale=int(rng.integers(2, 5)),
                                          offset=(int(rng.integers(0, 120)), int(rng.integers(0, 160)))))
        for i in pick])
    predicted = model.predict(images[:, None]).argmax(axis=1)
    accuracy = float(np.mean(predicted == ds.y_test[pick]))
    assert accuracy >= 0.98, f"read {accuracy:.1%} of 1,000 rendered test digits"
