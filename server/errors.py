"""Errors the routes raise on purpose, each carrying its HTTP status.

Raising these (instead of building responses in every route) keeps the
status codes of the contract in one place: unknown id 404, too early 409 ...
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal with a clear message; rendered as `{"detail": message}`."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def detail(self) -> Any:
        return self.message


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    status_code = 409


class Unavailable(ApiError):
    status_code = 503


class Unprocessable(ApiError):
    """A 422 in FastAPI's own shape, so clients map it onto the field like any validation error."""

    status_code = 422

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(e["msg"]) for e in errors))
        self.errors = errors

    @classmethod
    def at(cls, loc: list[str | int], message: str, kind: str = "value_error") -> Unprocessable:
        return cls([{"loc": loc, "msg": message, "type": kind}])

    @classmethod
    def under(cls, prefix: list[str | int], errors: list[dict[str, Any]]) -> Unprocessable:
        """Errors whose locations are relative to `prefix` (e.g. a request's, inside the body)."""
        return cls([{**e, "loc": [*prefix, *e["loc"]]} for e in errors])

    @property
    def detail(self) -> Any:
        return self.errors


def unknown_run(run_id: str) -> NotFound:
    return NotFound(f"there is no run with id {run_id!r}")


def no_model_yet(run_id: str) -> Conflict:
    return Conflict(f"run {run_id} has no model yet: wait until its first epoch is done")
