"""Turning any grayscale picture of a digit into an MNIST-style 28x28 image.

A network trained on MNIST only works on inputs prepared the way MNIST was:
LeCun et al. scaled each digit's bounding box so its larger side is 20 px (keeping
the aspect ratio, anti-aliased), then placed it in a 28x28 field so that its centre
of mass sits at the centre. A drawing from the browser is larger, off-centre and
often dark-on-light, so we redo exactly those steps here (pure NumPy).
"""

from __future__ import annotations

import numpy as np

BOX = 20  # larger side of the digit after scaling
SIDE = 28  # output field
CENTRE = 14.0  # target centre of mass (row, col) in pixel-index coordinates, as in MNIST
MAX_NOISE_FLOOR = 0.3  # cap on the paper-noise threshold (strokes touching the border)
MIN_CONTRAST = 0.05  # range (as a fraction of full scale) below which the image is blank


def _ink(gray: np.ndarray) -> np.ndarray | None:
    """Ink intensity in [0, 1] (1 = full ink), whatever the polarity; None when blank."""
    a = gray.astype(np.float64)
    a[~np.isfinite(a)] = 0.0
    lo, hi = float(a.min()), float(a.max())
    full_scale = 255.0 if hi > 1.0 else 1.0  # 0..255 pictures vs 0..1 arrays and masks
    if (hi - lo) / full_scale < MIN_CONTRAST:
        return None
    edge = np.zeros(a.shape, dtype=bool)
    edge[[0, -1], :] = True
    edge[:, [0, -1]] = True
    bg = float(np.median(a[edge]))
    light_paper = bg - lo > hi - bg  # dark ink on light paper: invert
    ink = (bg - a) / (bg - lo) if light_paper else (a - bg) / (hi - bg)
    ink = np.clip(ink, 0.0, 1.0)
    # Paper noise (grain, JPEG) is measured on the border, where there should be no ink:
    # a clean border (a canvas, MNIST itself) gives a floor of 0 and changes nothing.
    floor = min(MAX_NOISE_FLOOR, 2.0 * float(np.percentile(ink[edge], 90)))
    ink[ink <= floor] = 0.0
    return ink


def _resize_matrix(src: int, dst: int) -> np.ndarray:
    """(dst, src) weights resampling one axis: area-average when shrinking, bilinear otherwise.

    Area averaging is the anti-aliasing MNIST's grey levels come from; bilinear
    avoids blocky edges when a small drawing has to grow.
    """
    if dst < src:
        scale = src / dst
        a = np.arange(dst)[:, None] * scale
        b = a + scale
        k = np.arange(src)[None, :]
        overlap = np.minimum(k + 1, b) - np.maximum(k, a)
        return np.clip(overlap, 0.0, None) / scale
    pos = np.clip((np.arange(dst) + 0.5) * (src / dst) - 0.5, 0.0, src - 1)
    k0 = np.floor(pos).astype(np.int64)
    k1 = np.minimum(k0 + 1, src - 1)
    frac = pos - k0
    m = np.zeros((dst, src))
    rows = np.arange(dst)
    m[rows, k0] = 1.0 - frac
    m[rows, k1] += frac
    return m


def to_mnist_28(gray: np.ndarray) -> np.ndarray:
    """MNIST-like float32 (28, 28) in [0, 1], white digit on black, from any 2-D grayscale image.

    Steps: detect polarity from the border median, normalize ink to 0..1, drop paper
    noise (threshold measured on the border), crop to the ink's bounding box, scale its
    larger side to 20 px, stretch so the strongest ink is 1 (thin strokes fade when
    shrunk; MNIST digits all reach full ink), and paste so the centre of mass lands on
    pixel (14, 14). A blank image gives zeros.
    """
    gray = np.asarray(gray)
    if gray.ndim != 2 or gray.size == 0:
        raise ValueError(f"expected a non-empty 2-D grayscale image, got shape {gray.shape}")
    out = np.zeros((SIDE, SIDE), dtype=np.float32)
    ink = _ink(gray)
    if ink is None:
        return out
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return out
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    nh = max(1, int(np.floor(h * scale + 0.5)))
    nw = max(1, int(np.floor(w * scale + 0.5)))
    digit = _resize_matrix(h, nh) @ crop @ _resize_matrix(w, nw).T
    peak = digit.max()
    if peak <= 0:
        return out
    digit = np.clip(digit / peak, 0.0, 1.0)
    total = digit.sum()
    cy = float((digit.sum(axis=1) * np.arange(nh)).sum() / total)
    cx = float((digit.sum(axis=0) * np.arange(nw)).sum() / total)
    top = int(np.floor(CENTRE - cy + 0.5))
    left = int(np.floor(CENTRE - cx + 0.5))
    # Paste with clipping (a lopsided digit may poke out, as some MNIST digits do).
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + nh, SIDE), min(left + nw, SIDE)
    if r0 < r1 and c0 < c1:
        out[r0:r1, c0:c1] = digit[r0 - top : r1 - top, c0 - left : c1 - left]
    return out
