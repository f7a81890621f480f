"""Errors raised by the data package (kept apart so every module can raise them)."""

from __future__ import annotations


class DataUnavailable(Exception):
    """A dataset's files are missing and could not be fetched.

    The message always tells the user exactly how to provide the data, because
    this error ends up verbatim in the UI and on the CLI's stderr.
    """


class DataCorrupt(DataUnavailable):
    """A dataset file exists but is not what it should be (bad gzip, magic, counts or md5).

    A subclass of DataUnavailable so callers that handle "no data" also handle "bad data".
    """
