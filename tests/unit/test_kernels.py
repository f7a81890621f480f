"""The fused float32 kernels against plain NumPy in float64."""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import get_activation
from engine.kernels.pool import maxpool_backward, maxpool_forward

RNG = np.random.default_rng(7)
Z = np.concatenate([RNG.standard_normal(5000) * 8, [0, 1e4, -1e4, 87, -87, 88.5, -88.5, 1e-30]])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_fused_float32_matches_numpy(name):
    """f(z) as exact as float64 rounded to float32; f'(z)·δ as NumPy computes it from the same float32 a."""
    act = get_activation(name)
    z32, da32 = Z.astype(np.float32), RNG.standard_normal(Z.shape).astype(np.float32)
    with np.errstate(all="raise"):
        a32 = act.forward(z32)
        dz32 = act.backward(z32, a32, da32)
    assert a32.dtype == dz32.dtype == np.float32
    np.testing.assert_allclose(a32, act.forward(z32.astype(np.float64)), rtol=3e-7, atol=1e-37)
    np.testing.assert_allclose(dz32, da32 * act.derivative(z32, a32), rtol=1e-6, atol=1e-37)


def test_softmax_kernel_rows_sum_to_one_without_overflow():
    act = get_activation("softmax")
    z = np.array([[1e4, 0, -1e4], [1.0, 2.0, 3.0], [np.nan, 0, 0]], np.float32)
    with np.errstate(over="raise"):
        a = act.forward(z)
    np.testing.assert_allclose(a[:2].sum(axis=1), 1, rtol=1e-6)
    e = np.exp([-2.0, -1.0, 0.0])
    np.testing.assert_allclose(a[1], e / e.sum(), rtol=1e-6)
    assert np.isnan(a[2]).all()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_fused_kernels_keep_nan(name):
    """A diverging run must look diverged: NaN in, NaN out (fastmath must not assume it away)."""
    act = get_activation(name)
    z = np.array([np.nan, 1.0], np.float32)
    a = act.forward(z)
    assert np.isnan(act.backward(z, a, np.array([0.5, np.nan], np.float32))[1])
    assert np.isnan(a[0])
    if name != "relu":  # ReLU's gradient at z = NaN is 0 in NumPy's formula too
        assert np.isnan(act.backward(z, a, np.ones(2, np.float32))[0])


def _pool_reference(x, size, s):
    n, c, h, w = x.shape
    ho, wo = (h - size) // s + 1, (w - size) // s + 1
    out = np.empty((n, c, ho, wo), x.dtype)
    win = np.empty((n, c, ho, wo, 2), int)
    for i in range(ho):
        for j in range(wo):
            patch = x[:, :, i * s:i * s + size, j * s:j * s + size].reshape(n, c, -1)
            k = patch.argmax(axis=2)
            out[:, :, i, j] = patch.max(axis=2)
            win[:, :, i, j] = np.stack([i * s + k // size, j * s + k % size], axis=-1)
    return out, win


@pytest.mark.parametrize(("size", "stride", "hw"), [(2, 2, 8), (2, 2, 7), (3, 2, 9), (2, 1, 5), (3, 3, 9)])
def test_maxpool_kernels_match_reference(size, stride, hw):
    x = RNG.standard_normal((3, 2, hw, hw)).astype(np.float32)
    ho = (hw - size) // stride + 1
    out, arg = maxpool_forward(x, size, stride, ho, ho)
    ref, win = _pool_reference(x, size, stride)
    np.testing.assert_array_equal(out, ref)
    dy = RNG.standard_normal(out.shape).astype(np.float32)
    dx = maxpool_backward(dy, arg, size, stride, hw, hw)
    expect = np.zeros_like(x)
    for idx in np.ndindex(out.shape):
        u, v = win[idx]
        expect[idx[0], idx[1], u, v] += dy[idx]
    np.testing.assert_allclose(dx, expect, rtol=1e-6)
