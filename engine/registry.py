"""Every name a user can choose, in one place.

The request schema (engine.spec), the engine and the UI menus (through
GET /api/registry) all read these lists, so adding an activation, cost,
initializer, optimizer or dataset is a change in its own module only.
"""

from __future__ import annotations

from engine.activations import ACTIVATIONS
from engine.costs import COSTS
from engine.data.registry import DATASET_INFO
from engine.init import INITS
from engine.optimizers import DEFAULTS as OPTIMIZER_DEFAULTS

LAYER_TYPES = ("dense", "conv2d", "maxpool", "flatten", "dropout", "batchnorm")

REGISTRY: dict[str, list[str]] = {
    "activations": list(ACTIVATIONS),
    "costs": list(COSTS),
    "inits": list(INITS),
    "optimizers": list(OPTIMIZER_DEFAULTS),
    "layer_types": list(LAYER_TYPES),
    "datasets": list(DATASET_INFO),
}
