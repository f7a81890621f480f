"""The student's corrections ("That's wrong" digits) as training data.

A corrections file is an .npz — what `GET /api/corrections/export` answers and
`python -m engine train --corrections FILE.npz` reads — holding:

- `pixels`: uint8, (N, 784), 0..255 for ink 0..1, row-major, white digit on
  black like MNIST;
- `labels`: integers 0..9, (N,), the right labels;
- `ids` (optional): integers, (N,), the server's ids of these corrections.

`training_arrays` turns pixels and labels into what `engine.train.train`
takes as `extra_train`: (N, 1, 28, 28) float32 images in 0..1 and int64 labels.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SIDE = 28
PIXELS = SIDE * SIDE
CLASSES = 10


class CorrectionsFileError(ValueError):
    """A corrections file that cannot be read or does not hold corrections."""


@dataclass(frozen=True)
class CorrectionSet:
    pixels: np.ndarray  # uint8 (N, 784)
    labels: np.ndarray  # int64 (N,)
    ids: np.ndarray | None = None  # int64 (N,)

    def __len__(self) -> int:
        return len(self.labels)


def corrections_to_bytes(pixels: np.ndarray, labels: np.ndarray, ids: np.ndarray | None = None) -> bytes:
    """The .npz file of these corrections."""
    arrays = {"pixels": np.asarray(pixels, np.uint8).reshape(-1, PIXELS),
              "labels": np.asarray(labels, np.int64)}
    if ids is not None:
        arrays["ids"] = np.asarray(ids, np.int64)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def load_corrections(source: str | Path | bytes) -> CorrectionSet:
    """Read and check a corrections file (a path or its bytes)."""
    name = "the corrections file" if isinstance(source, bytes) else str(source)
    try:
        with np.load(io.BytesIO(source) if isinstance(source, bytes) else source,
                     allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except OSError as exc:
        raise CorrectionsFileError(f"cannot read {name}: {exc.strerror or exc}") from None
    except (ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise CorrectionsFileError(f"{name} is not an .npz file: {exc}") from None
    return _checked(name, arrays)


def _checked(name: str, arrays: dict[str, np.ndarray]) -> CorrectionSet:
    missing = [k for k in ("pixels", "labels") if k not in arrays]
    if missing:
        raise CorrectionsFileError(f"{name} has no {' and no '.join(missing)} array "
                                   "(it needs pixels uint8 N×784 and labels 0..9)")
    pixels, labels, ids = arrays["pixels"], arrays["labels"], arrays.get("ids")
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3) or np.prod(pixels.shape[1:]) != PIXELS:
        raise CorrectionsFileError(f"{name}: pixels must be uint8 N×784 (or N×28×28), "
                                   f"not {pixels.dtype} {'×'.join(map(str, pixels.shape))}")
    if labels.shape != (len(pixels),) or not np.issubdtype(labels.dtype, np.integer):
        raise CorrectionsFileError(f"{name}: labels must be {len(pixels)} integers, one per image, "
                                   f"not {labels.dtype} {'×'.join(map(str, labels.shape))}")
    if len(labels) and (labels.min() < 0 or labels.max() >= CLASSES):
        raise CorrectionsFileError(f"{name}: labels must be digits 0..9")
    if ids is not None and (ids.shape != labels.shape or not np.issubdtype(ids.dtype, np.integer)):
        raise CorrectionsFileError(f"{name}: ids must be {len(labels)} integers, one per image")
    return CorrectionSet(pixels.reshape(len(pixels), PIXELS), labels.astype(np.int64),
                         None if ids is None else ids.astype(np.int64))


def training_arrays(pixels: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint8 pixels (N, 784) and labels as the engine trains on them:
    (N, 1, 28, 28) float32 in 0..1 and int64 labels."""
    x = np.asarray(pixels, np.uint8).reshape(-1, 1, SIDE, SIDE).astype(np.float32) / 255
    return x, np.asarray(labels, np.int64).reshape(len(x))
