"""The convolution explorer computes what the definitions say."""

from __future__ import annotations

import numpy as np

from engine.inspect import KERNELS, convolution_steps


def test_identity_kernel_keeps_the_image():
    img = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    steps = convolution_steps(img, KERNELS["identity"])
    assert np.allclose(steps["feature_map"], img)
    assert steps["pooled"].shape == (14, 14) and steps["flattened"].shape == (196,)


def test_steps_match_a_hand_written_convolution():
    rng = np.random.default_rng(1)
    img = rng.random((8, 8)).astype(np.float32)
    k = np.array(KERNELS["edge_all"], np.float32)
    padded = np.pad(img, 1)
    expected = np.array([[np.sum(padded[i:i + 3, j:j + 3] * k) for j in range(8)] for i in range(8)])
    steps = convolution_steps(img, k)
    assert np.allclose(steps["feature_map"], expected, atol=1e-5)
    relu = np.maximum(expected, 0)
    assert np.allclose(steps["relu"], relu, atol=1e-5)
    assert np.allclose(steps["pooled"], relu.reshape(4, 2, 4, 2).max(axis=(1, 3)), atol=1e-5)
    assert np.allclose(steps["flattened"], steps["pooled"].ravel())
