"""Reading the gzip-compressed IDX files MNIST ships as (gzip + struct + np.frombuffer).

Every check raises DataCorrupt naming the file and what is wrong, because a
truncated download otherwise surfaces as a baffling reshape error deep in training.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from .errors import DataCorrupt

IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension


def _read_gzip(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise DataCorrupt(
            f"{path} is not a valid gzip file ({exc}); delete it and provide the original file"
        ) from exc


def _corrupt(path: Path, what: str) -> DataCorrupt:
    return DataCorrupt(f"{path} is corrupt: {what}; delete it and provide the original file")


def read_idx_images(path: Path) -> np.ndarray:
    """uint8 (N, rows, cols) from an idx3-ubyte.gz file."""
    raw = _read_gzip(path)
    if len(raw) < 16:
        raise _corrupt(path, f"only {len(raw)} bytes, shorter than the 16-byte IDX header")
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != IMAGES_MAGIC:
        raise _corrupt(path, f"magic number {magic}, expected {IMAGES_MAGIC} for an image file")
    expected = n * rows * cols
    if len(raw) - 16 != expected:
        raise _corrupt(
            path,
            f"header says {n} images of {rows}x{cols} ({expected} bytes) "
            f"but {len(raw) - 16} bytes follow",
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows, cols)


def read_idx_labels(path: Path) -> np.ndarray:
    """uint8 (N,) from an idx1-ubyte.gz file."""
    raw = _read_gzip(path)
    if len(raw) < 8:
        raise _corrupt(path, f"only {len(raw)} bytes, shorter than the 8-byte IDX header")
    magic, n = struct.unpack(">II", raw[:8])
    if magic != LABELS_MAGIC:
        raise _corrupt(path, f"magic number {magic}, expected {LABELS_MAGIC} for a label file")
    if len(raw) - 8 != n:
        raise _corrupt(path, f"header says {n} labels but {len(raw) - 8} bytes follow")
    return np.frombuffer(raw, dtype=np.uint8, offset=8)
