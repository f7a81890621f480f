"""The one error type of the LTI package: a refusal with an HTTP status, a reason code and a message."""

from __future__ import annotations


class LtiError(Exception):
    """Raised for every refused LTI request; the routes render it as a 400/401/403 HTML or JSON page.

    `reason` is a short stable code (tests and logs match on it), `message` says what failed in words.
    """

    def __init__(self, reason: str, message: str, status: int = 400) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.status = status


class AgsError(Exception):
    """The platform refused or failed a grade-passback call (token or score request)."""
