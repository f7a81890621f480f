"""A trained model: the request it came from plus the network's weights,
stored together in one .npz file that `engine` (and the server) load back.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.data.registry import DATASET_INFO
from engine.network import Network
from engine.spec import TrainRequest

FORMAT = "nnplay-model/1"
EVAL_BATCH = 500


@dataclass
class Model:
    request: TrainRequest
    network: Network

    @classmethod
    def new(cls, request: TrainRequest) -> Model:
        shape = DATASET_INFO[request.dataset].input_shape
        return cls(request, Network(request.network, shape, request.seed))

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.network.input_shape

    @property
    def kind(self) -> str:
        return DATASET_INFO[self.request.dataset].kind

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """Raw output activations at inference, computed in chunks to bound memory."""
        x = np.asarray(x, dtype=np.float32).reshape((-1, *self.input_shape))
        if len(x) <= EVAL_BATCH:  # one drawn digit: no chunking overhead
            return self.network.forward(x)
        return np.concatenate([self.network.forward(x[i:i + EVAL_BATCH])
                               for i in range(0, len(x), EVAL_BATCH)])

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, classes); for regression the outputs (N, 1)."""
        return to_probabilities(self.outputs(x), self.kind, self.softmax_output)

    @property
    def softmax_output(self) -> bool:
        return self.request.network.layers[-1].activation == "softmax"


def to_probabilities(out: np.ndarray, kind: str, softmax: bool = False) -> np.ndarray:
    """One yes/no output a becomes (1 − a, a); other outputs are normalized to
    sum 1 (softmax outputs already do)."""
    if kind == "regression" or softmax:
        return out
    if out.shape[1] == 1:
        p = np.clip(out, 0, 1)
        return np.hstack([1 - p, p])
    out = np.clip(out, 0, None)
    s = out.sum(axis=1, keepdims=True)
    return np.divide(out, s, out=np.full_like(out, 1 / out.shape[1]), where=s > 0)


def model_arrays(model: Model) -> dict[str, np.ndarray]:
    """What a model file holds: the `__meta__` record (format, request) and every weight."""
    meta = json.dumps({"format": FORMAT, "request": model.request.model_dump(mode="json")})
    return {"__meta__": np.frombuffer(meta.encode(), dtype=np.uint8), **model.network.state()}


def model_to_bytes(model: Model) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **model_arrays(model))
    return buf.getvalue()


def model_from_bytes(data: bytes) -> Model:
    """Load a model file; raises ValueError with a reason if it is not one."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(bytes(z["__meta__"]).decode())
            # weights only: a checkpoint's training state (engine.checkpoint) is not the model's
            state = {k: z[k] for k in z.files if k.startswith(("p/", "b/"))}
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a model file"
        raise ValueError(f"not an nnplay model file: {exc}") from None
    if meta.get("format") != FORMAT:
        raise ValueError(f"unknown model format {meta.get('format')!r}")
    model = Model.new(TrainRequest.model_validate(meta["request"]))
    model.network.load_state(state)
    return model


def save_model(model: Model, path: str | Path) -> None:
    Path(path).write_bytes(model_to_bytes(model))


def load_model(path: str | Path) -> Model:
    return model_from_bytes(Path(path).read_bytes())
