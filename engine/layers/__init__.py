"""Layers: one module each; `build_layer` turns a spec entry into one."""

from engine.layers.base import ActivatedLayer, Layer
from engine.layers.batchnorm import BatchNorm
from engine.layers.conv import Conv2D
from engine.layers.dense import Dense
from engine.layers.dropout import Dropout
from engine.layers.flatten import Flatten
from engine.layers.pool import MaxPool

__all__ = ["ActivatedLayer", "BatchNorm", "Conv2D", "Dense", "Dropout", "Flatten", "Layer", "MaxPool"]
