"""MNIST: locating the four IDX files, downloading them if asked, decoding and caching.

The training part is the 60,000 training images in their original order, so
``train_size=50000, validation_size=10000`` reproduces Nielsen's split; the test
part is t10k. Decoded arrays are cached per process (decoding takes about a
second) and marked read-only, because every run shares them.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from .download import DownloadFailed, download_file
from .errors import DataCorrupt, DataUnavailable
from .idx import read_idx_images, read_idx_labels
from .paths import ENV_VAR, resolve_data_dir

FILES: dict[str, str] = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
# md5 of each .gz file as published with the original MNIST.
MD5: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
# Canonical mirrors (the original site throttles scripted downloads); tried in order.
MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
TIMEOUT = 5.0  # seconds per connect/read: fail fast when offline
SUBDIR = "mnist"
IMAGE_SIDE = 28


def _candidates(root: Path) -> list[Path]:
    return [root, root / SUBDIR]


def find_mnist_dir(data_dir: str | Path | None = None) -> Path | None:
    """The directory (data dir or its ``mnist/`` subfolder) holding all four files, if any."""
    root = resolve_data_dir(data_dir)
    for cand in _candidates(root):
        if all((cand / name).is_file() for name in FILES.values()):
            return cand
    return None


def mnist_available(data_dir: str | Path | None = None) -> bool:
    """True when the four files are present. Never downloads."""
    return find_mnist_dir(data_dir) is not None


def _how_to_provide(root: Path) -> str:
    names = ", ".join(FILES.values())
    return (
        f"MNIST needs the four files {names}. They were looked for in {root} "
        f"(and in {root / SUBDIR}). Copy them there, or point the environment variable "
        f"{ENV_VAR} (or the --data-dir option) at a directory that holds them; "
        f"they can be downloaded from any of: {', '.join(MIRRORS)}"
    )


def ensure_mnist(data_dir: str | Path | None = None, download: bool = True) -> Path:
    """Return the directory holding the four files, downloading the missing ones if allowed.

    Raises DataUnavailable (with instructions) when the files are missing and cannot be
    fetched, and DataCorrupt when every mirror served a file with the wrong md5.
    """
    root = resolve_data_dir(data_dir)
    found = find_mnist_dir(root)
    if found is not None:
        return found
    if not download:
        raise DataUnavailable(f"MNIST files not found. {_how_to_provide(root)}")
    # Download into whichever candidate already holds some of the files, else the root.
    target = next(
        (c for c in _candidates(root) if any((c / n).is_file() for n in FILES.values())), root
    )
    try:
        target.mkdir(parents=True, exist_ok=True)
        if not os.access(target, os.W_OK):
            raise PermissionError(f"{target} is not writable")
    except OSError as exc:
        raise DataUnavailable(
            f"MNIST files not found and cannot be downloaded into {target} ({exc}). "
            f"{_how_to_provide(root)}"
        ) from exc
    for name in FILES.values():
        if (target / name).is_file():
            continue
        try:
            download_file(list(MIRRORS), name, target, MD5[name], timeout=TIMEOUT)
        except DownloadFailed as exc:
            detail = "; ".join(exc.reasons) or "no mirror configured"
            cls = DataCorrupt if exc.md5_mismatch else DataUnavailable
            raise cls(
                f"MNIST files not found and the download of {name} failed ({detail}). "
                f"{_how_to_provide(root)}"
            ) from exc
    return target


@lru_cache(maxsize=2)
def _decode(directory: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Decode the four files once per process; the key is the resolved directory."""
    d = Path(directory)
    parts = []
    for img_key, lab_key in (("train_images", "train_labels"), ("test_images", "test_labels")):
        img_path, lab_path = d / FILES[img_key], d / FILES[lab_key]
        images = read_idx_images(img_path)
        labels = read_idx_labels(lab_path)
        if images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            raise DataCorrupt(
                f"{img_path} holds {images.shape[1]}x{images.shape[2]} images, expected 28x28"
            )
        if len(images) != len(labels):
            raise DataCorrupt(
                f"{img_path} has {len(images)} images but {lab_path} has {len(labels)} labels"
            )
        if labels.size and labels.max() > 9:
            raise DataCorrupt(f"{lab_path} holds label {labels.max()}, expected 0..9")
        x = images.reshape(len(images), 1, IMAGE_SIDE, IMAGE_SIDE).astype(np.float32)
        x /= np.float32(255.0)
        y = labels.astype(np.int64)
        x.flags.writeable = False
        y.flags.writeable = False
        parts += [x, y]
    return parts[0], parts[1], parts[2], parts[3]


def load_mnist(
    data_dir: str | Path | None = None, download: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test): read-only float32 (N,1,28,28) in [0,1], int64 labels."""
    directory = ensure_mnist(data_dir, download=download)
    return _decode(str(directory.resolve()))
