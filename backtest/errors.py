"""User-facing error types.

Every error a user can cause (bad file, bad parameter, too little data) is raised as a
``BacktestError`` whose message says what went wrong and where. The CLI prints that message
on one line and exits non-zero; it never shows a traceback for these.
"""

from __future__ import annotations


class BacktestError(Exception):
    """Base class for errors caused by input: files, data, parameters."""

    exit_code = 2


class DataError(BacktestError):
    """Missing, unreadable or invalid market data (names the file and, when known, rows)."""


class DataNotFoundError(DataError):
    """No data could be found; the message says where we looked and how to get data."""


class ParameterError(BacktestError, ValueError):
    """An argument outside its domain (names the parameter and the bad value)."""


class InsufficientDataError(BacktestError):
    """Too little history for the requested computation (names what was needed)."""


class OutputError(BacktestError):
    """An output that cannot or must not be written: an unwritable or un-creatable path, a
    folder or file the tool did not write, a report of another kind. Raised before any
    computation when possible; the message names the path and how to choose another."""


class SpecError(ParameterError):
    """A claim spec that cannot be used: unknown key, wrong type, bad value or missing file
    (the message names the spec file and the key)."""
