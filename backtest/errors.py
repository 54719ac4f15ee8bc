"""User-facing error types and the exit statuses of the command line.

Every error a user can cause (bad file, bad parameter, too little data) or meet (a full disk,
an unresponsive scheduler, no network) is raised as a ``BacktestError`` whose message says
what went wrong and where. The CLI prints that message on one line, ``error: ...``, and exits
with the class's ``exit_code``; it never shows a traceback for these.

======  ==============================================================================
status  meaning
======  ==============================================================================
0       success
1       an unexpected failure (a bug: Python's traceback)
2       an input error: a bad file, parameter, spec or output path, refused before any
        work (``BacktestError`` and every subclass not listed below)
3       the claim cannot be tested: no event fired, or too few complete windows (the
        report is written and says why; ``NOT_TESTABLE_EXIT``)
4       the output could not be written: disk full or quota exceeded, a file larger than
        the process may write (``ulimit -f``), a name longer than the filesystem allows
        (``OutputWriteError``); the previous report or file is left as it was
5       a compute service failed: a Dask scheduler that accepts the connection but does
        not answer Dask's handshake in time, or answers with bytes that are not Dask's
        (``ServiceError``)
6       no network connection to a data source (``NetworkError``, ``backtest data update``)
130     interrupted (Ctrl-C): no results were written
======  ==============================================================================
"""

from __future__ import annotations

NOT_TESTABLE_EXIT = 3
"""Exit status of a claim whose verdict is "not testable": not an input error (the spec was
valid and the report is written), but no verdict either, which a script must be able to tell."""


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


class OutputWriteError(OutputError):
    """The filesystem refused to take an output: no space left (or quota exceeded), a file
    larger than the process may write, a name longer than the filesystem allows. Writes are
    staged, so the previous report or file is left as it was; the message names the path."""

    exit_code = 4


class ServiceError(BacktestError):
    """A compute service the command relies on failed: a Dask scheduler that accepts the
    connection but never answers, or answers with bytes that are not Dask's protocol."""

    exit_code = 5


class NetworkError(DataError):
    """No network connection to a data source (names the host and the reason)."""

    exit_code = 6
