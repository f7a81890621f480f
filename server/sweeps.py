"""Hyper-parameter sweeps: the runs of a grid, each one a complete training request.

A grid maps dotted field paths of the request to the values to try, e.g.
``{"network.regularization.l2": [0, 5], "network.layers.0.units": [10, 30]}``
(list items by their index). The cartesian product of the values gives the
runs, in order: the first field varies slowest. Every generated request is
validated with the engine's `parse_request` before anything is queued, so a
sweep is accepted whole or not at all.

Errors come in the engine's 422 format with locations relative to the
sweep's body: ``["grid"]`` for too many runs, ``["grid", "<path>", ...]``
for a wrong path or value, or a combination whose error lies in, around or
beside a field the grid sets, and ``["base", ...]`` for an error at a field
the grid has nothing to do with. A combination's message starts with which
run it is and its values, e.g. ``run 2 of 4 (network.layers.1.units=3): ...``.
Pure: no I/O.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from engine.spec import Limits, RequestError, TrainRequest, parse_request

FieldPath = tuple[str | int, ...]

_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
#: request fields a sweep may not set: the server fills them per client (single runs only)
UNSWEEPABLE = ("corrections",)
#: errors reported at most, so 16 failing runs do not bury the first cause
MAX_ERRORS = 20


@dataclass(frozen=True, slots=True)
class Point:
    """One run of the sweep: the grid's values for it and the complete, validated request."""

    values: dict[str, Any]
    request: dict[str, Any]


def error(loc: list[str | int], msg: str, kind: str = "value_error") -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def parse_path(text: str) -> FieldPath:
    """"network.layers.0.units" -> ("network", "layers", 0, "units"); ValueError if malformed."""
    parts = text.split(".")
    if not text or not all(_SEGMENT.fullmatch(p) for p in parts):
        raise ValueError(f"{text!r} is not a field path: write field names and list indices "
                         "joined by dots, e.g. network.layers.0.units")
    return tuple(int(p) if p.isdigit() else p for p in parts)


def _show(path: FieldPath) -> str:
    return ".".join(map(str, path)) or "the request"


def set_at(data: Any, path: FieldPath, value: Any) -> None:
    """Replace the value at `path` inside `data` (dicts and lists); ValueError naming the first
    step that does not exist."""
    for depth, step in enumerate(path):
        here = path[:depth]
        last = depth == len(path) - 1
        if isinstance(data, list):
            if not isinstance(step, int) or step >= len(data):
                raise ValueError(f"{_show(here)} is a list of {len(data)}: use an index "
                                 f"0..{len(data) - 1}, not {step!r}")
        elif isinstance(data, dict):
            if step not in data:
                kind = f"a {data['type']} layer, which" if isinstance(data.get("type"), str) else "it"
                raise ValueError(f"{_show(here)} has no field {step!r}: {kind} has "
                                 f"{', '.join(map(str, data))}")
        else:
            raise ValueError(f"{_show(here)} is {json.dumps(data)} in the base request: there is "
                             f"nothing inside it to set (set {_show(here)} itself)")
        if last:
            data[step] = value
        else:
            data = data[step]


def title_of(grid: dict[str, list[Any]]) -> str:
    """A default title: the last name of each field, e.g. "l2 × learning_rate × units"."""
    names = [next((s for s in reversed(p.split(".")) if not s.isdigit()), p) for p in grid]
    return " × ".join(names)


def expand(base: TrainRequest, grid: dict[str, list[Any]], limits: Limits,
           max_runs: int) -> list[Point]:
    """Every run of the grid as a validated request, or RequestError listing what is wrong."""
    base_data = base.model_dump(mode="json")
    paths = _check_grid(base, base_data, grid, max_runs)
    combos = list(itertools.product(*grid.values()))
    points, errors = [], []
    for number, combo in enumerate(combos, start=1):
        values = dict(zip(grid, combo, strict=True))
        data = copy.deepcopy(base_data)
        for path, value in zip(paths, combo, strict=True):
            set_at(data, path, copy.deepcopy(value))
        try:
            request = parse_request(data, limits)
        except RequestError as exc:
            label = f"run {number} of {len(combos)} ({_values_text(values)})"
            errors += [b for b in (_blame(e, data, paths, grid, label) for e in exc.errors)
                       if b not in errors]
            continue
        points.append(Point(values, request.model_dump(mode="json")))
    if errors:
        raise RequestError(errors[:MAX_ERRORS])
    return points


def _check_grid(base: TrainRequest, base_data: dict[str, Any], grid: dict[str, list[Any]],
                max_runs: int) -> list[FieldPath]:
    """The parsed paths, once the grid's shape is right: paths that exist in the base request,
    none inside another, finite values, at most `max_runs` combinations."""
    errors = []
    if base.corrections is not None:
        errors.append(error(["base", "corrections"], "a sweep cannot add your corrections: "
                            "start single runs for that"))
    paths: dict[str, FieldPath] = {}
    for text, values in grid.items():
        try:
            path = parse_path(text)
            if path[0] in UNSWEEPABLE:
                raise ValueError(f"{path[0]} cannot be swept: the server fills it for single runs")
            set_at(copy.deepcopy(base_data), path, None)
            _check_finite(values)
        except ValueError as exc:
            errors.append(error(["grid", text], str(exc)))
            continue
        paths[text] = path
    for (a, pa), (b, pb) in itertools.combinations(paths.items(), 2):
        if pa[: len(pb)] == pb or pb[: len(pa)] == pa:
            inner, outer = (a, b) if len(pa) > len(pb) else (b, a)
            where = "the same field as" if pa == pb else "inside"
            errors.append(error(["grid", inner], f"{inner} is {where} {outer}, which the grid also "
                                "sets: vary one or the other"))
    runs = math.prod(len(v) for v in grid.values())
    if runs > max_runs:
        sizes = " × ".join(str(len(v)) for v in grid.values())
        errors.append(error(["grid"], f"{sizes} = {runs} runs is over this server's limit "
                            f"max_sweep_runs = {max_runs}: drop some values", "limit"))
    if errors:
        raise RequestError(errors)
    return list(paths.values())


def _check_finite(value: Any) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        raise ValueError("values must be finite numbers: NaN and Infinity cannot be trained with "
                         "or stored") from None


def _blame(e: dict[str, Any], data: dict[str, Any], paths: list[FieldPath],
           grid: dict[str, list[Any]], label: str) -> dict[str, Any]:
    """A combination's error, located at the grid field it is about: the field holding the error,
    else one inside the erroneous field (a limit on network.layers for network.layers.0.units),
    else one beside it in the same object (a layer's type that makes its other fields wrong);
    else at the base field (e.g. network.cost, which the grid's output activation disagrees with)."""
    field = _field_of(e["loc"], data)
    pairs = list(zip(paths, grid, strict=True))
    inside = [(p, t) for p, t in pairs if field[: len(p)] == p]
    around = [t for p, t in pairs if p[: len(field)] == field]
    beside = [t for p, t in pairs if len(p) > 1 and field[: len(p) - 1] == p[:-1]]
    if inside:
        path, text = max(inside, key=lambda pt: len(pt[0]))
        return {**e, "loc": ["grid", text, *field[len(path):]], "msg": f"{label}: {e['msg']}"}
    loc = ["grid", (around or beside)[0]] if around or beside else ["base", *field]
    return {**e, "loc": loc, "msg": f"{label}: {_show(field)}: {e['msg']}"}


def _field_of(loc: list[str | int], data: Any) -> FieldPath:
    """The request field an error is about: pydantic's location without the tag it inserts for
    a layer's type (["network", "layers", 0, "dense", "units"] -> [..., 0, "units"])."""
    field: list[str | int] = []
    for step in loc:
        if isinstance(data, dict) and step not in data and data.get("type") == step:
            continue
        field.append(step)
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            data = None
    return tuple(field)


def _values_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{path}={_short(v)}" for path, v in values.items())


def _short(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"))
    return text if len(text) <= 40 else text[:37] + "..."
