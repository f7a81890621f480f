"""Tests for engine.data: datasets, MNIST files and download, augmentation, digit preprocessing."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import math
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from engine.data import (
    DATASET_INFO,
    DataCorrupt,
    DataUnavailable,
    augment_images,
    dataset_available,
    ensure_mnist,
    load_dataset,
    resolve_data_dir,
    to_mnist_28,
    transform_images,
)
from engine.data import mnist as mnist_mod

MNIST_DIR = Path(__file__).resolve().parents[2].parent / "shared/datasets/mnist"
MNIST_FILES = list(mnist_mod.FILES.values())
needs_mnist = pytest.mark.skipif(
    not all((MNIST_DIR / f).is_file() for f in MNIST_FILES),
    reason=f"MNIST files not found in {MNIST_DIR}",
)
GENERATED = ["xor", "circle", "gauss", "spiral", "line"]
TWO_D = ["xor", "circle", "gauss", "spiral"]


# ---------------------------------------------------------------- registry and paths


def test_registry_lists_every_dataset() -> None:
    assert set(DATASET_INFO) == {"xor", "circle", "gauss", "spiral", "line", "iris", "mnist"}
    for name, info in DATASET_INFO.items():
        assert info.name == name
        assert info.kind in ("classification", "regression")
        assert info.title
    assert DATASET_INFO["mnist"].input_shape == (1, 28, 28)
    assert DATASET_INFO["mnist"].classes == 10
    assert DATASET_INFO["iris"].input_shape == (4,) and DATASET_INFO["iris"].classes == 3
    assert DATASET_INFO["line"].kind == "regression" and DATASET_INFO["line"].classes == 0
    assert DATASET_INFO["line"].input_shape == (1,)
    for name in TWO_D:
        assert DATASET_INFO[name].input_shape == (2,) and DATASET_INFO[name].classes == 2


def test_resolve_data_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg") == (tmp_path / "arg").resolve()
    assert resolve_data_dir(None) == (tmp_path / "env").resolve()
    monkeypatch.delenv("NNPLAY_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = resolve_data_dir(None)
    assert default.parts[-2:] == ("nnplay", "data")
    assert not default.exists()  # resolving never creates anything


def test_unknown_dataset() -> None:
    with pytest.raises(ValueError, match="unknown dataset"):
        load_dataset("cifar")
    assert not dataset_available("cifar")
    for name in GENERATED + ["iris"]:
        assert dataset_available(name)


# ---------------------------------------------------------------- generated sets


@pytest.mark.parametrize("name", GENERATED)
def test_generated_shapes_and_determinism(name: str) -> None:
    ds = load_dataset(name, seed=3)
    info = DATASET_INFO[name]
    assert ds.info is info
    assert ds.x_train.shape == (400, *info.input_shape) and ds.x_train.dtype == np.float32
    assert ds.x_test.shape == (200, *info.input_shape) and ds.x_test.dtype == np.float32
    if info.kind == "classification":
        assert ds.y_train.shape == (400,) and ds.y_train.dtype == np.int64
        assert set(np.unique(ds.y_train)) == {0, 1}
        # shuffled: the validation slice at the end holds both classes
        assert set(np.unique(ds.y_train[-50:])) == {0, 1}
        assert abs(int(ds.y_train.sum()) - 200) <= 40
    else:
        assert ds.y_train.shape == (400, 1) and ds.y_train.dtype == np.float32
        assert ds.y_test.shape == (200, 1)
    assert np.abs(ds.x_train).max() < 1.3
    again = load_dataset(name, seed=3)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    np.testing.assert_array_equal(ds.y_train, again.y_train)
    np.testing.assert_array_equal(ds.x_test, again.x_test)
    other = load_dataset(name, seed=4)
    assert not np.array_equal(ds.x_train, other.x_train)
    # test part is a different stream, not a copy of the first points
    assert not np.array_equal(ds.x_train[:200], ds.x_test)


@pytest.mark.parametrize("n_points", [10, 11, 20000])
def test_n_points(n_points: int) -> None:
    ds = load_dataset("spiral", n_points=n_points, noise=0.5)
    assert len(ds.x_train) == len(ds.y_train) == n_points
    assert len(ds.x_test) == n_points // 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"noise": -0.01}, "noise"),
        ({"noise": 0.51}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"noise": "lots"}, "noise"),
        ({"n_points": 9}, "n_points"),
        ({"n_points": 20001}, "n_points"),
        ({"n_points": 100.5}, "n_points"),
        ({"n_points": True}, "n_points"),
        ({"seed": -1}, "seed"),
    ],
)
def test_generated_validation(kwargs: dict, match: str) -> None:
    for name in ("circle", "line"):
        with pytest.raises(ValueError, match=match):
            load_dataset(name, **kwargs)


def test_circle_geometry() -> None:
    ds = load_dataset("circle", noise=0.0, n_points=2000, seed=1)
    r = np.hypot(ds.x_train[:, 0], ds.x_train[:, 1]) * 5  # back to Playground units
    inside = ds.y_train == 1
    assert np.all(r[inside] <= 2.5 + 1e-5)
    assert np.all((r[~inside] >= 3.5 - 1e-5) & (r[~inside] <= 5 + 1e-5))
    # with noise the labels (decided on the noisy point) disagree with the radius for some
    noisy = load_dataset("circle", noise=0.5, n_points=2000, seed=1)
    rn = np.hypot(noisy.x_train[:, 0], noisy.x_train[:, 1]) * 5
    assert np.all(rn <= 5 + 1e-5)  # stored points stay clean, as in the Playground
    assert 0 < np.mean((rn < 2.5) != (noisy.y_train == 1)) < 0.5


def test_xor_geometry() -> None:
    ds = load_dataset("xor", n_points=2000, seed=2)
    x, y = ds.x_train[:, 0], ds.x_train[:, 1]
    np.testing.assert_array_equal(ds.y_train, (x * y >= 0).astype(np.int64))
    assert np.abs(x).min() >= 0.3 / 5 - 1e-6 and np.abs(x).max() <= 5.3 / 5 + 1e-6
    noisy = load_dataset("xor", n_points=2000, noise=0.5, seed=2)
    flipped = np.mean((noisy.x_train[:, 0] * noisy.x_train[:, 1] >= 0) != (noisy.y_train == 1))
    assert 0.05 < flipped < 0.5


def test_gauss_geometry() -> None:
    ds = load_dataset("gauss", n_points=4000, seed=0)
    pos = ds.x_train[ds.y_train == 1].mean(axis=0)
    neg = ds.x_train[ds.y_train == 0].mean(axis=0)
    np.testing.assert_allclose(pos, [0.4, 0.4], atol=0.03)
    np.testing.assert_allclose(neg, [-0.4, -0.4], atol=0.03)
    # variance 0.5 at noise 0 (std sqrt(0.5)/5), 4 at noise 0.5 (std 2/5)
    std0 = ds.x_train[ds.y_train == 1].std(axis=0)
    np.testing.assert_allclose(std0, math.sqrt(0.5) / 5, rtol=0.1)
    wide = load_dataset("gauss", n_points=4000, noise=0.5, seed=0)
    np.testing.assert_allclose(wide.x_train[wide.y_train == 1].std(axis=0), 0.4, rtol=0.1)


def test_spiral_geometry() -> None:
    ds = load_dataset("spiral", noise=0.0, n_points=400, seed=0)
    p = ds.x_train.astype(np.float64)
    r = np.hypot(p[:, 0], p[:, 1])  # ours = playground r / 5 = i / n
    delta = np.where(ds.y_train == 1, 0.0, math.pi)
    t = 1.75 * r * 2 * math.pi + delta
    np.testing.assert_allclose(p[:, 0], r * np.sin(t), atol=1e-5)
    np.testing.assert_allclose(p[:, 1], r * np.cos(t), atol=1e-5)


def test_line_regression() -> None:
    clean = load_dataset("line", noise=0.0)
    np.testing.assert_allclose(clean.y_train, 2.0 * clean.x_train - 1.0, atol=1e-6)
    assert clean.x_train.min() >= -1 and clean.x_train.max() <= 1
    ds = load_dataset("line", n_points=4000)  # default noise 0.1
    resid = ds.y_train - (2.0 * ds.x_train - 1.0)
    assert abs(float(resid.std()) - 0.1) < 0.01


# ---------------------------------------------------------------- iris


def test_iris_split() -> None:
    ds = load_dataset("iris", seed=5)
    assert ds.x_train.shape == (120, 4) and ds.x_train.dtype == np.float32
    assert ds.x_test.shape == (30, 4) and ds.y_test.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(ds.y_test), [10, 10, 10])
    np.testing.assert_array_equal(np.bincount(ds.y_train), [40, 40, 40])
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(ds.x_train.std(axis=0), 1, atol=1e-4)
    assert len(set(ds.y_train[:20].tolist())) > 1  # shuffled
    other = load_dataset("iris", seed=99)  # the split does not depend on the run seed
    np.testing.assert_array_equal(ds.x_train, other.x_train)
    np.testing.assert_array_equal(ds.y_test, other.y_test)


# ---------------------------------------------------------------- MNIST: real files


@pytest.mark.mnist
@needs_mnist
def test_mnist_real_files() -> None:
    assert dataset_available("mnist", MNIST_DIR)
    assert dataset_available("mnist", MNIST_DIR.parent)  # the mnist/ subfolder is accepted
    ds = load_dataset("mnist", data_dir=MNIST_DIR.parent, download=False)
    assert ds.x_train.shape == (60000, 1, 28, 28) and ds.x_train.dtype == np.float32
    assert ds.x_test.shape == (10000, 1, 28, 28)
    assert ds.y_train.dtype == np.int64 and ds.y_train.shape == (60000,)
    assert float(ds.x_train.min()) == 0.0 and float(ds.x_train.max()) == 1.0
    np.testing.assert_array_equal(
        np.bincount(ds.y_train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    np.testing.assert_array_equal(
        np.bincount(ds.y_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    )
    assert ds.y_train[:5].tolist() == [5, 0, 4, 1, 9]  # original order (Nielsen's split)
    assert ds.y_test[:5].tolist() == [7, 2, 1, 0, 4]
    again = load_dataset("mnist", data_dir=MNIST_DIR)
    assert again.x_train is ds.x_train  # decoded once per process
    assert not ds.x_train.flags.writeable  # shared cache is protected


# ---------------------------------------------------------------- MNIST: IDX parsing and download


def _idx_images(n: int, seed: int = 0) -> bytes:
    pix = np.random.default_rng(seed).integers(0, 256, (n, 28, 28), dtype=np.uint8)
    return struct.pack(">IIII", 2051, n, 28, 28) + pix.tobytes()


def _idx_labels(n: int) -> bytes:
    return struct.pack(">II", 2049, n) + (np.arange(n) % 10).astype(np.uint8).tobytes()


def _write_fake_mnist(folder: Path, n_train: int = 3, n_test: int = 2) -> dict[str, str]:
    """Write four small valid IDX .gz files; return their md5s."""
    folder.mkdir(parents=True, exist_ok=True)
    payloads = {
        "train-images-idx3-ubyte.gz": _idx_images(n_train, 1),
        "train-labels-idx1-ubyte.gz": _idx_labels(n_train),
        "t10k-images-idx3-ubyte.gz": _idx_images(n_test, 2),
        "t10k-labels-idx1-ubyte.gz": _idx_labels(n_test),
    }
    md5 = {}
    for name, raw in payloads.items():
        blob = gzip.compress(raw)
        (folder / name).write_bytes(blob)
        md5[name] = hashlib.md5(blob).hexdigest()
    return md5


def test_fake_mnist_local_files(tmp_path: Path) -> None:
    _write_fake_mnist(tmp_path / "mnist")
    assert dataset_available("mnist", tmp_path)
    ds = load_dataset("mnist", data_dir=tmp_path, download=False)
    assert ds.x_train.shape == (3, 1, 28, 28) and ds.x_test.shape == (2, 1, 28, 28)
    assert ds.y_train.tolist() == [0, 1, 2]
    raw = gzip.decompress((tmp_path / "mnist/train-images-idx3-ubyte.gz").read_bytes())
    expected = np.frombuffer(raw, np.uint8, offset=16).reshape(3, 1, 28, 28) / np.float32(255)
    np.testing.assert_array_equal(ds.x_train, expected.astype(np.float32))


@pytest.mark.parametrize(
    ("file", "payload", "match"),
    [
        ("train-images-idx3-ubyte.gz", gzip.compress(_idx_labels(20)), "magic number 2049"),
        ("train-images-idx3-ubyte.gz", gzip.compress(_idx_images(3)[:-5]), "bytes follow"),
        ("train-labels-idx1-ubyte.gz", gzip.compress(_idx_labels(4)), "3 images but"),
        ("t10k-labels-idx1-ubyte.gz", b"definitely not gzip", "not a valid gzip"),
        ("t10k-images-idx3-ubyte.gz", gzip.compress(b"\x00\x00"), "shorter than"),
    ],
    ids=["bad-magic", "truncated", "count-mismatch", "not-gzip", "no-header"],
)
def test_corrupt_idx(tmp_path: Path, file: str, payload: bytes, match: str) -> None:
    _write_fake_mnist(tmp_path)
    (tmp_path / file).write_bytes(payload)
    with pytest.raises(DataCorrupt, match=match) as err:
        load_dataset("mnist", data_dir=tmp_path, download=False)
    assert isinstance(err.value, DataUnavailable)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_mirror(tmp_path: Path):
    """A local HTTP server serving four small MNIST-format files; yields (base URL, md5s)."""
    served = tmp_path / "served"
    md5 = _write_fake_mnist(served)
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", md5
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_from_mirror(
    fake_mirror: tuple[str, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    base, md5 = fake_mirror
    # first mirror 404s, the second serves the files
    monkeypatch.setattr(mnist_mod, "MIRRORS", [base + "nothing-here/", base])
    monkeypatch.setattr(mnist_mod, "MD5", md5)
    target = tmp_path / "data"
    assert not dataset_available("mnist", target)  # checking never downloads
    assert not target.exists()
    ds = load_dataset("mnist", data_dir=target)
    assert ds.x_train.shape == (3, 1, 28, 28) and ds.y_test.tolist() == [0, 1]
    assert sorted(p.name for p in target.iterdir()) == sorted(MNIST_FILES)
    assert dataset_available("mnist", target)
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz" in err and "100.0%" in err


def test_download_md5_mismatch(
    fake_mirror: tuple[str, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, md5 = fake_mirror
    monkeypatch.setattr(mnist_mod, "MIRRORS", [base])
    monkeypatch.setattr(mnist_mod, "MD5", {**md5, "train-images-idx3-ubyte.gz": "0" * 32})
    target = tmp_path / "data"
    with pytest.raises(DataCorrupt, match="md5 mismatch"):
        ensure_mnist(target)
    assert list(target.iterdir()) == []  # nothing half-written is left behind


def test_download_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mnist_mod, "MIRRORS", [f"http://127.0.0.1:{_closed_port()}/"])
    target = tmp_path / "data"
    with pytest.raises(DataUnavailable) as err:
        load_dataset("mnist", data_dir=target)
    msg = str(err.value)
    for name in MNIST_FILES:
        assert name in msg
    assert str(target) in msg and "NNPLAY_DATA_DIR" in msg and "--data-dir" in msg


def test_no_download_when_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not download")

    monkeypatch.setattr(mnist_mod, "download_file", boom)
    with pytest.raises(DataUnavailable, match="NNPLAY_DATA_DIR"):
        load_dataset("mnist", data_dir=tmp_path / "none", download=False)
    assert not (tmp_path / "none").exists()


# ---------------------------------------------------------------- augmentation


def _pattern(n: int = 4, c: int = 1, side: int = 12) -> np.ndarray:
    rng = np.random.default_rng(7)
    x = np.zeros((n, c, side, side), dtype=np.float32)
    x[:, :, 3:9, 3:9] = rng.random((n, c, 6, 6), dtype=np.float32)
    return x


def test_augment_zero_is_identity() -> None:
    x = _pattern()
    assert augment_images(x, np.random.default_rng(0), 0, 0) is x


def test_augment_pure_shift_is_exact() -> None:
    x = _pattern(n=2)
    out = transform_images(x, np.array([[2, 0], [-2, 2]]), np.zeros(2))
    expect0 = np.zeros_like(x[0, 0])
    expect0[:, 2:] = x[0, 0, :, :-2]  # right by 2
    expect1 = np.zeros_like(x[1, 0])
    expect1[2:, :-2] = x[1, 0, :-2, 2:]  # left by 2, down by 2
    np.testing.assert_array_equal(out[0, 0], expect0)
    np.testing.assert_array_equal(out[1, 0], expect1)


def test_augment_random_shift_is_integer_and_bounded() -> None:
    x = _pattern(n=20, c=2)
    out = augment_images(x, np.random.default_rng(1), 2, 0)
    assert out.shape == x.shape and out.dtype == np.float32
    for i in range(len(x)):  # test-side loop over a handful of images only
        matches = [
            (dx, dy)
            for dx in range(-2, 3)
            for dy in range(-2, 3)
            if np.array_equal(out[i], transform_images(x[i : i + 1], [[dx, dy]], [0.0])[0])
        ]
        assert len(matches) == 1


def test_augment_rotation_90() -> None:
    side = 9
    yy, xx = np.mgrid[:side, :side] - (side - 1) / 2
    symmetric = np.exp(-(xx**2 + yy**2) / 4.0) + (np.abs(xx) + np.abs(yy) == 3)  # 4-fold symmetric
    asym = np.zeros((side, side))
    asym[1, 2:6] = 1.0
    asym[2:7, 2] = 0.5
    x = np.stack([symmetric, asym])[:, None].astype(np.float32)
    out = transform_images(x, np.zeros((2, 2)), np.array([90.0, 90.0]))
    np.testing.assert_allclose(out[0, 0], x[0, 0], atol=1e-5)
    np.testing.assert_allclose(out[1, 0], np.rot90(asym), atol=1e-5)  # counter-clockwise
    back = transform_images(out, np.zeros((2, 2)), np.array([-90.0, -90.0]))
    np.testing.assert_allclose(back, x, atol=1e-5)


def test_augment_deterministic_and_bounded() -> None:
    x = _pattern(n=16, c=3)
    before = x.copy()
    a = augment_images(x, np.random.default_rng(42), 2, 15.0)
    b = augment_images(x, np.random.default_rng(42), 2, 15.0)
    c = augment_images(x, np.random.default_rng(43), 2, 15.0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(x, before)  # input untouched
    assert a.dtype == np.float32 and a.shape == x.shape
    assert a.min() >= 0 and a.max() <= x.max() + 1e-6
    # the blob stays inside the frame, so bilinear resampling roughly keeps its mass
    np.testing.assert_allclose(a.sum(axis=(2, 3)), x.sum(axis=(2, 3)), rtol=0.1)
    with pytest.raises(ValueError):
        augment_images(x, np.random.default_rng(0), -1, 0)


# ---------------------------------------------------------------- to_mnist_28


def _com(img: np.ndarray) -> tuple[float, float]:
    t = img.sum()
    return (
        float((img.sum(axis=1) * np.arange(img.shape[0])).sum() / t),
        float((img.sum(axis=0) * np.arange(img.shape[1])).sum() / t),
    )


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def _check_mnist_like(img: np.ndarray) -> None:
    assert img.shape == (28, 28) and img.dtype == np.float32
    assert img.min() >= 0 and img.max() <= 1 and img.max() > 0.99
    cy, cx = _com(img)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    rows = np.flatnonzero(img.any(axis=1))
    cols = np.flatnonzero(img.any(axis=0))
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) <= 20


def _variants(digit28: np.ndarray) -> dict[str, np.ndarray]:
    """The same digit, 3x larger; inverted (dark on light, uint8); off-centre on a big canvas;
    on grainy grey paper."""
    big = np.kron(digit28, np.ones((3, 3)))
    inverted = np.round(255 * (1 - big)).astype(np.uint8)
    canvas = np.zeros((150, 200))
    canvas[10 : 10 + big.shape[0], 100 : 100 + big.shape[1]] = big
    grain = np.random.default_rng(0).uniform(-6, 6, canvas.shape)
    paper = np.clip(np.round(220 - 200 * canvas + grain), 0, 255).astype(np.uint8)
    return {"big": big, "inverted": inverted, "offcentre": canvas, "paper": paper}


def _synthetic_seven() -> np.ndarray:
    """A hand-made '7' on a large canvas, turned MNIST-like: the reference for the variants."""
    img = np.zeros((120, 90))
    img[10:22, 10:80] = 1.0  # bar
    rr = np.arange(22, 110)
    for dc in range(12):  # slanted stroke, 12 px wide (test-side drawing only)
        img[rr, np.clip(80 - (rr - 22) * 0.5 + dc - 12, 0, 89).astype(int)] = 1.0
    return to_mnist_28(img)


def test_to_mnist_28_synthetic() -> None:
    ref = _synthetic_seven()
    _check_mnist_like(ref)
    for name, variant in _variants(ref).items():
        out = to_mnist_28(variant)
        _check_mnist_like(out)
        assert _corr(out, ref) > 0.9, name


def test_to_mnist_28_blank_and_bad_input() -> None:
    for blank in (np.zeros((50, 40)), np.full((30, 30), 255, np.uint8), np.full((8, 8), 0.5)):
        out = to_mnist_28(blank)
        assert out.shape == (28, 28) and out.dtype == np.float32 and not out.any()
    noisy_paper = np.full((64, 64), 250, np.uint8)
    noisy_paper[::7, ::5] = 253
    assert not to_mnist_28(noisy_paper).any()
    with pytest.raises(ValueError):
        to_mnist_28(np.zeros((3, 4, 5)))


def test_to_mnist_28_small_input_is_upscaled() -> None:
    tiny = np.zeros((10, 10))
    tiny[2:8, 4:6] = 1.0  # a 6x2 "1"
    out = to_mnist_28(tiny)
    _check_mnist_like(out)
    rows = np.flatnonzero(out.any(axis=1))
    assert rows[-1] - rows[0] + 1 == 20  # larger side becomes 20 px


@pytest.mark.mnist
@needs_mnist
def test_to_mnist_28_on_real_digits() -> None:
    ds = load_dataset("mnist", data_dir=MNIST_DIR, download=False)
    for i in range(8):
        ref = np.asarray(ds.x_test[i, 0])
        same = to_mnist_28(ref)
        assert _corr(same, ref) > 0.95
        for name, variant in _variants(ref).items():
            out = to_mnist_28(variant)
            _check_mnist_like(out)
            assert _corr(out, ref) > 0.9, (i, name)
