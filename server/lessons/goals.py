"""Checking a lesson's goal against what the server itself measured for a run.

The inputs are the run's stored `done` event (test accuracy and test loss on the held-out test
part) and its stored epoch events (validation accuracy on the held-out validation part), plus
the parameter count of the run's own request: nothing the browser reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from engine.spec import TrainRequest, count_parameters, layer_shapes
from server.lessons.model import Goal


@dataclass(frozen=True)
class Outcome:
    met: bool
    #: the goal metric's value (None when the run did not produce it)
    value: float | None
    #: what is passed back to the gradebook: the metric clipped to 0..1 (test_loss: 1 when met)
    score: float
    parameters: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parameters_of(request: dict[str, Any]) -> int | None:
    try:
        req = TrainRequest.model_validate(request)
        shapes, errors = layer_shapes(req)
        return None if errors else count_parameters(req, shapes)
    except ValueError:
        return None


def _finite(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) and x == x else None


def measure(goal: Goal, done: dict[str, Any], history: list[dict[str, Any]]) -> float | None:
    if goal.metric == "validation_accuracy":
        values = [v for v in (_finite(e.get("validation_accuracy")) for e in history) if v is not None]
        return max(values) if values else None
    return _finite(done.get(goal.metric))


def evaluate(goal: Goal, done: dict[str, Any], history: list[dict[str, Any]],
             request: dict[str, Any]) -> Outcome:
    params = parameters_of(request)
    status = done.get("status")
    value = measure(goal, done, history) if status == "completed" else None
    if status != "completed":
        return Outcome(False, None, 0.0, params, f"the run ended {status}: only a completed run can "
                       "reach the goal")
    if value is None:
        return Outcome(False, None, 0.0, params, f"the run has no {goal.metric}")
    if goal.metric == "test_loss":
        assert goal.at_most is not None
        met = value <= goal.at_most
        reason = f"test_loss {value:.4g} {'≤' if met else '>'} {goal.at_most:g}"
        score = 1.0 if met else 0.0
    else:
        assert goal.at_least is not None
        met = value >= goal.at_least
        reason = f"{goal.metric} {value:.4f} {'≥' if met else '<'} {goal.at_least:g}"
        score = min(1.0, max(0.0, value))
    if goal.max_parameters is not None:
        if params is None or params > goal.max_parameters:
            met = False
            reason += f"; {params} parameters > max_parameters {goal.max_parameters}"
        else:
            reason += f"; {params} parameters ≤ {goal.max_parameters}"
    return Outcome(met, value, score, params, reason)
