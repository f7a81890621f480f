"""Looking inside the network for a drawn digit, and the convolution explorer.

Everything here runs the engine's own code (`Network.forward_all`,
`engine.inspect.saliency`, `engine.inspect.convolution_steps`), so the
numbers the page shows are the ones the network computes.
"""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter

from engine.events import quantize_maps
from engine.inspect import KERNELS, convolution_steps
from engine.model import Model
from engine.visuals import MAX_MAPS
from server.predicting import Inside
from server.routes.predict import NO_BUILTIN, read_digit
from server.routes.runs import NO_MODEL, UNKNOWN, known
from server.schemas import (
    BODY_REFUSALS,
    ConvolutionSteps,
    ConvolveRequest,
    Grid,
    Inspection,
    InspectRequest,
    KernelOut,
    LayerView,
    Saliency,
)
from server.state import AppState, Nnplay

router = APIRouter(prefix="/api", tags=["inspect"])

#: vectors longer than this (a flattened image, a wide dense layer) are cut to their start
MAX_ACTIVATIONS = 256
#: significant digits of activations and saliency; decimals of the explorer's numbers
DIGITS = 5
EXPLORER_DECIMALS = 4
#: where non-finite outputs of a diverged model are clipped, so every answer is valid JSON
LARGEST = 1e30

KERNEL_TITLES = {
    "identity": "Identity",
    "edge_horizontal": "Edge detection: horizontal edges",
    "edge_vertical": "Edge detection: vertical edges",
    "edge_all": "Edge detection: all directions",
    "sharpen": "Sharpen",
    "box_blur": "Box blur",
    "gaussian_blur": "Gaussian blur",
}


@router.post(
    "/inspect",
    responses={**BODY_REFUSALS, **NO_BUILTIN},
)
def inspect_builtin(body: InspectRequest, app: Nnplay) -> Inspection:
    """The built-in model's prediction, every layer's output and the saliency map of a digit."""
    return _inspect(app, app.predictor.builtin(), body)


@router.post("/runs/{run_id}/inspect", responses={**BODY_REFUSALS, **UNKNOWN, **NO_MODEL})
def inspect_with_run(run_id: str, body: InspectRequest, app: Nnplay) -> Inspection:
    """The same with the run's latest saved model (the network must read 28×28 images)."""
    return _inspect(app, app.predictor.for_run(known(run_id)), body)


@router.get("/kernels")
async def list_kernels() -> list[KernelOut]:
    """The convolution explorer's ready-made 3×3 kernels."""
    return [
        KernelOut(name=name, title=KERNEL_TITLES.get(name, name.replace("_", " ").capitalize()),
                  kernel=kernel)
        for name, kernel in KERNELS.items()
    ]


@router.post("/convolve", responses=BODY_REFUSALS)
def convolve(body: ConvolveRequest, app: Nnplay) -> ConvolutionSteps:
    """One kernel on the digit ('same' padding), then ReLU, 2×2 max pooling and flattening."""
    digit = read_digit(app, body)
    kernel = np.asarray(KERNELS[body.kernel] if isinstance(body.kernel, str) else body.kernel,
                        dtype=np.float64)
    steps = convolution_steps(digit, kernel)
    return ConvolutionSteps(
        kernel=kernel.tolist(),
        input=_decimals(digit),
        feature_map=_decimals(steps["feature_map"]),
        relu=_decimals(steps["relu"]),
        pooled=_decimals(steps["pooled"]),
        flattened=_decimals(steps["flattened"]),
    )


def _inspect(app: AppState, model: Model, body: InspectRequest) -> Inspection:
    digit = read_digit(app, body)
    inside = app.predictor.look_inside(model, digit, body.target)
    grad_x = _finite(inside.saliency).reshape(28, 28)
    return Inspection(
        label=inside.label,
        probabilities=inside.probabilities.round(6).tolist(),
        pixels=digit.astype(np.float64).ravel().round(3).tolist(),
        layers=layer_views(model, inside),
        saliency=Saliency(
            target=inside.explained,
            values=[_significant(row) for row in grad_x],
            max_abs=_significant(np.abs(grad_x).max(initial=0.0))[0],
        ),
    )


def layer_views(model: Model, inside: Inside) -> list[LayerView]:
    """Each layer's output: image-shaped ones as quantized maps, vectors as numbers."""
    views = []
    specs = model.request.network.layers
    for index, (spec, output) in enumerate(zip(specs, inside.outputs, strict=True)):
        out = _finite(output)
        view = LayerView(index=index, type=spec.type, output_shape=list(out.shape))
        if out.ndim == 3:
            maps, ranges = quantize_maps(out[:MAX_MAPS])
            view.maps = maps.tolist()
            view.ranges = [_significant(r, 7) for r in ranges]
            view.channels = out.shape[0]
        else:
            view.activations = _significant(out.ravel()[:MAX_ACTIVATIONS])
            view.size = out.size
        views.append(view)
    return views


def _finite(values: np.ndarray) -> np.ndarray:
    return np.clip(np.nan_to_num(np.asarray(values, np.float64), nan=0.0), -LARGEST, LARGEST)


def _significant(values: np.ndarray | float, digits: int = DIGITS) -> list[float]:
    return [float(f"{v:.{digits}g}") for v in np.ravel(values)]


def _decimals(values: np.ndarray) -> Grid | list[float]:
    return np.round(np.asarray(values, np.float64), EXPLORER_DECIMALS).tolist()
