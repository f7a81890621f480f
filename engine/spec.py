"""The training request: pydantic models (the schema) and the checks that
need more than one field (shapes, the output layer, the cost, limits).

`parse_request` is the single entry: the server and the CLI both call it,
so a bad request gets the same message everywhere. Errors use FastAPI's
422 format: a list of {"loc": [field path], "msg": ..., "type": ...}.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.activations import ACTIVATIONS
from engine.costs import COSTS
from engine.data.registry import DATASET_INFO
from engine.data.synthetic import DEFAULT_N_POINTS
from engine.init import INITS
from engine.layers.conv import conv_output_size
from engine.layers.pool import pool_output_size
from engine.optimizers import DEFAULTS as OPTIMIZER_DEFAULTS

ActivationName = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]
CostName = Literal[tuple(COSTS)]  # type: ignore[valid-type]
InitName = Literal[tuple(INITS)]  # type: ignore[valid-type]
OptimizerName = Literal[tuple(OPTIMIZER_DEFAULTS)]  # type: ignore[valid-type]
DatasetName = Literal[tuple(DATASET_INFO)]  # type: ignore[valid-type]

#: size of each dataset's training part (train + validation are taken from it)
FIXED_PART_SIZES = {"iris": 120, "mnist": 60000}
DEFAULT_VALIDATION = {"mnist": 10000}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DenseSpec(_Strict):
    type: Literal["dense"]
    units: int = Field(ge=1, le=100_000)
    activation: ActivationName = "sigmoid"


class Conv2dSpec(_Strict):
    type: Literal["conv2d"]
    filters: int = Field(ge=1, le=1024)
    kernel: int = Field(ge=1, le=64)
    stride: int = Field(default=1, ge=1, le=64)
    padding: Annotated[int, Field(ge=0, le=64)] | Literal["same"] = 0
    activation: ActivationName = "relu"


class MaxPoolSpec(_Strict):
    type: Literal["maxpool"]
    size: int = Field(default=2, ge=1, le=64)
    stride: int | None = Field(default=None, ge=1, le=64, description="defaults to size")


class FlattenSpec(_Strict):
    type: Literal["flatten"]


class DropoutSpec(_Strict):
    type: Literal["dropout"]
    rate: float = Field(default=0.5, ge=0.0, lt=1.0)


class BatchNormSpec(_Strict):
    type: Literal["batchnorm"]


LayerSpec = Annotated[
    DenseSpec | Conv2dSpec | MaxPoolSpec | FlattenSpec | DropoutSpec | BatchNormSpec,
    Field(discriminator="type"),
]


class Regularization(_Strict):
    l2: float = Field(default=0.0, ge=0.0, le=1e6, description="λ of C0 + λ/(2n) Σw²")
    l1: float = Field(default=0.0, ge=0.0, le=1e6, description="λ of C0 + λ/n Σ|w|")


class OptimizerSpec(_Strict):
    kind: OptimizerName = "sgd"
    learning_rate: float = Field(default=0.1, gt=0.0, le=1e3)
    momentum: float | None = Field(default=None, ge=0.0, lt=1.0)
    beta1: float | None = Field(default=None, ge=0.0, lt=1.0)
    beta2: float | None = Field(default=None, ge=0.0, lt=1.0)
    rho: float | None = Field(default=None, ge=0.0, lt=1.0)
    epsilon: float | None = Field(default=None, gt=0.0, le=1.0)

    def hyper(self) -> dict[str, float | None]:
        return {k: getattr(self, k) for k in ("momentum", "beta1", "beta2", "rho", "epsilon")}


class NetworkSpec(_Strict):
    layers: list[LayerSpec] = Field(min_length=1)
    cost: CostName = "cross_entropy"
    init: InitName = "small"
    regularization: Regularization = Regularization()
    optimizer: OptimizerSpec = OptimizerSpec()


class Augment(_Strict):
    shift: int = Field(default=0, ge=0, le=6, description="max random shift in pixels")
    rotate: float = Field(default=0.0, ge=0.0, le=45.0, description="max random rotation in degrees")


class EarlyStopping(_Strict):
    patience: int = Field(default=0, ge=0, le=1000, description="0 = off")


class CorrectionsSpec(_Strict):
    """The student's "That's wrong" digits, added to an MNIST run's training part."""

    repeat: int = Field(default=20, ge=1, le=100,
                        description="how many times each correction is added to the training part "
                                    "(a handful among thousands would barely count once)")
    ids: list[int] | None = Field(default=None, max_length=100_000,
                                  description="set by the server (or the CLI, from the file): the ids "
                                              "of the corrections this run used; a value sent is replaced")


class TrainRequest(_Strict):
    dataset: DatasetName
    train_size: int | None = Field(default=None, ge=1, description="default: the rest of the training part")
    validation_size: int | None = Field(default=None, ge=0)
    epochs: int = Field(default=10, ge=1, le=100_000)
    batch_size: int = Field(default=10, ge=1, le=100_000)
    seed: int = Field(default=1, ge=0, le=2**32 - 1)
    noise: float | None = Field(default=None, ge=0.0, le=0.5, description="2-D and line data")
    n_points: int | None = Field(default=None, ge=10, le=20000, description="2-D and line data")
    augment: Augment = Augment()
    early_stopping: EarlyStopping = EarlyStopping()
    corrections: CorrectionsSpec | None = Field(
        default=None, description="add the student's corrected digits to the training part (mnist)")
    network: NetworkSpec


class Limits(BaseModel):
    """What one run may ask for; the server sets these to fit its machine."""

    max_parameters: int = 3_000_000
    max_epochs: int = 500
    max_layers: int = 30
    max_train_size: int = 60_000
    max_batch_size: int = 4096


class RequestError(ValueError):
    """An invalid training request; `errors` is FastAPI's 422 `detail` list."""

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))


def _error(loc: tuple, msg: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}


def part_size(req: TrainRequest) -> int:
    return FIXED_PART_SIZES.get(req.dataset, req.n_points or DEFAULT_N_POINTS)


def split_sizes(req: TrainRequest) -> tuple[int, int]:
    """(n_train, n_validation) with the defaults filled in."""
    total = part_size(req)
    n_val = req.validation_size
    if n_val is None:
        n_val = DEFAULT_VALIDATION.get(req.dataset, total // 5)
    n_train = req.train_size if req.train_size is not None else total - n_val
    return n_train, n_val


def n_corrections_added(req: TrainRequest) -> int:
    """Training examples the corrections add (each one `repeat` times), when their number is
    known from `corrections.ids`; 0 otherwise (the server fills ids before it checks)."""
    spec = req.corrections
    return len(spec.ids) * spec.repeat if spec and spec.ids else 0


def layer_shapes(req: TrainRequest) -> tuple[list[tuple[int, ...]], list[dict[str, Any]]]:
    """Output shape of every layer, and the errors of layers that cannot be built."""
    shape = DATASET_INFO[req.dataset].input_shape
    shapes, errors = [], []
    for i, layer in enumerate(req.network.layers):
        loc = ("network", "layers", i)
        if layer.type in ("conv2d", "maxpool") and len(shape) != 3:
            errors.append(_error(loc + ("type",), f"{layer.type} needs an image input "
                                 f"(channels, height, width) but gets a vector of {shape[0]}", "shape"))
            return shapes, errors
        if layer.type == "dense":
            shape = (layer.units,)
        elif layer.type == "flatten":
            shape = (_prod(shape),)
        elif layer.type == "conv2d":
            c, h, w = shape
            if layer.padding != "same" and layer.kernel > min(h, w) + 2 * layer.padding:
                pad = f" padded by {layer.padding}" if layer.padding else ""
                errors.append(_error(loc + ("kernel",), f"a {layer.kernel}x{layer.kernel} kernel does "
                                     f"not fit the {h}x{w} input map{pad}", "shape"))
                return shapes, errors
            shape = (layer.filters, conv_output_size(h, layer.kernel, layer.stride, layer.padding),
                     conv_output_size(w, layer.kernel, layer.stride, layer.padding))
        elif layer.type == "maxpool":
            c, h, w = shape
            if layer.size > min(h, w):
                errors.append(_error(loc + ("size",), f"a {layer.size}x{layer.size} pooling window "
                                     f"does not fit the {h}x{w} input map", "shape"))
                return shapes, errors
            stride = layer.stride or layer.size
            shape = (c, pool_output_size(h, layer.size, stride), pool_output_size(w, layer.size, stride))
        shapes.append(shape)
    return shapes, errors


def _prod(shape: tuple[int, ...]) -> int:
    out = 1
    for s in shape:
        out *= s
    return out


def count_parameters(req: TrainRequest, shapes: list[tuple[int, ...]]) -> int:
    n, prev = 0, DATASET_INFO[req.dataset].input_shape
    for layer, shape in zip(req.network.layers, shapes, strict=False):
        if layer.type == "dense":
            n += _prod(prev) * layer.units + layer.units
        elif layer.type == "conv2d":
            n += layer.filters * (prev[0] * layer.kernel**2 + 1)
        elif layer.type == "batchnorm":
            n += 2 * prev[0]
        prev = shape
    return n


def _check_output(req: TrainRequest) -> list[dict[str, Any]]:
    info = DATASET_INFO[req.dataset]
    layers = req.network.layers
    last, i = layers[-1], len(layers) - 1
    loc = ("network", "layers", i)
    if last.type != "dense":
        return [_error(loc + ("type",), "the last layer must be dense: it gives the outputs")]
    errors = []
    if info.kind == "regression":
        if last.units != 1:
            errors.append(_error(loc + ("units",), f"{req.dataset} predicts one number: use 1 output unit"))
    elif last.units != info.classes and not (info.classes == 2 and last.units == 1):
        extra = " (or 1 for a yes/no output)" if info.classes == 2 else ""
        errors.append(_error(loc + ("units",), f"{req.dataset} has {info.classes} classes: the output "
                             f"layer needs {info.classes} units{extra}, not {last.units}"))
    for j, layer in enumerate(layers[:-1]):
        if getattr(layer, "activation", None) == "softmax":
            errors.append(_error(("network", "layers", j, "activation"),
                                 "softmax belongs on the output layer only"))
    need = COSTS[req.network.cost].requires
    if need and last.activation != need:
        errors.append(_error(("network", "cost"), f"the {req.network.cost} cost needs a {need} "
                             f"output layer; layer {i} uses {last.activation}"))
    if last.activation == "softmax" and last.units < 2:
        errors.append(_error(loc + ("activation",), "softmax over a single unit is always 1"))
    return errors


def _check_data(req: TrainRequest, limits: Limits) -> list[dict[str, Any]]:
    errors = []
    info = DATASET_INFO[req.dataset]
    total = part_size(req)
    n_train, n_val = split_sizes(req)
    if n_train < 1 or n_train + n_val > total:
        errors.append(_error(("train_size",), f"train_size {n_train} + validation_size {n_val} "
                             f"exceeds the {total} examples of {req.dataset}'s training part"))
    if (req.noise is not None or req.n_points is not None) and len(info.input_shape) > 1:
        errors.append(_error(("noise" if req.noise is not None else "n_points",),
                             f"{req.dataset} is not generated: noise and n_points do not apply"))
    if (req.augment.shift or req.augment.rotate) and len(info.input_shape) != 3:
        errors.append(_error(("augment",), "shift/rotate augmentation applies to images only"))
    if req.corrections is not None and req.dataset != "mnist":
        errors.append(_error(("corrections",), "corrections are drawn digits: they can only be "
                             f"added to an mnist run, not to {req.dataset}"))
    return errors


def _check_limits(req: TrainRequest, limits: Limits, n_params: int) -> list[dict[str, Any]]:
    n_train = split_sizes(req)[0]
    checks = [
        (("epochs",), req.epochs, "max_epochs", "epochs"),
        (("train_size",), n_train, "max_train_size", "training examples"),
        (("batch_size",), req.batch_size, "max_batch_size", "examples per batch"),
        (("network", "layers"), len(req.network.layers), "max_layers", "layers"),
        (("network", "layers"), n_params, "max_parameters", "trainable parameters"),
    ]
    errors = [_error(loc, f"{value} {what} is over this server's limit {name} = "
                     f"{getattr(limits, name)}", "limit")
              for loc, value, name, what in checks if value > getattr(limits, name)]
    spec, added = req.corrections, n_corrections_added(req)
    if spec and spec.ids and n_train <= limits.max_train_size < n_train + added:
        errors.append(_error(("corrections", "repeat"), f"{n_train} training examples + "
                             f"{len(spec.ids)} corrections × {spec.repeat} = {n_train + added} is "
                             f"over this server's limit max_train_size = {limits.max_train_size}: "
                             "lower repeat or train_size", "limit"))
    return errors


def check_request(req: TrainRequest, limits: Limits | None = None) -> int:
    """Cross-field checks; returns the parameter count or raises RequestError."""
    limits = limits or Limits()
    shapes, errors = layer_shapes(req)
    if not errors:
        errors = _check_output(req)
    errors += _check_data(req, limits)
    n_params = count_parameters(req, shapes) if len(shapes) == len(req.network.layers) else 0
    errors += _check_limits(req, limits, n_params)
    if errors:
        raise RequestError(errors)
    return n_params


def _with_input(e: dict[str, Any]) -> str:
    """pydantic's message plus the offending value when it is short (what the user typed)."""
    value = e.get("input")
    if isinstance(value, str | int | float | bool) and len(repr(value)) <= 40:
        return f"{e['msg']} (got {value!r})"
    return e["msg"]


def parse_request(data: Any, limits: Limits | None = None) -> TrainRequest:
    """Validate a raw request (dict or JSON text) completely, or raise RequestError."""
    try:
        if isinstance(data, str | bytes):
            req = TrainRequest.model_validate_json(data)
        else:
            req = TrainRequest.model_validate(data)
    except ValidationError as exc:
        raise RequestError([_error(tuple(e["loc"]), _with_input(e), e["type"])
                            for e in exc.errors(include_url=False)]) from None
    check_request(req, limits)
    return req
