"""One check for each kind of parameter (after scikit-learn's ``check_scalar``).

``check_scalar(value, name, int, min_val=1)`` returns the value as a Python int (or float)
or raises ``ParameterError`` with a message that names the parameter and the bad value.
Booleans are never numbers here, and floats must be finite. ``check_trading_days`` is the
check of every window and span in trading days (capped at ``MAX_WINDOW_DAYS`` before any
data is read), ``check_fits`` the one refusal of a window the data at hand cannot hold, and
``check_memory`` the refusal of work whose estimated memory exceeds what the machine has.
"""

from __future__ import annotations

import math
from typing import Any, Literal, cast, overload

import numpy as np

from backtest.defaults import MAX_WINDOW_DAYS
from backtest.errors import InsufficientDataError, ParameterError

Boundaries = Literal["both", "left", "right", "neither"]


def _describe(target_type: type, min_val: float | None, max_val: float | None, include_boundaries: Boundaries) -> str:
    noun = "integer" if target_type is int else "finite number"
    if max_val is None and min_val is not None and include_boundaries in ("both", "left"):
        if min_val == 1 and target_type is int:
            return "a positive integer"
        if min_val == 0:
            return f"a non-negative {noun}"
        return f"an {noun} >= {min_val}" if target_type is int else f"a {noun} >= {min_val}"
    if min_val is None and max_val is None:
        return f"an {noun}" if target_type is int else f"a {noun}"
    left = "[" if include_boundaries in ("both", "left") else "("
    right = "]" if include_boundaries in ("both", "right") else ")"
    low = "-inf" if min_val is None else f"{min_val:g}"
    high = "inf" if max_val is None else f"{max_val:g}"
    return f"{'an' if target_type is int else 'a'} {noun} in {left}{low}, {high}{right}"


@overload
def check_scalar(
    value: object,
    name: str,
    target_type: type[int],
    *,
    min_val: float | None = ...,
    max_val: float | None = ...,
    include_boundaries: Boundaries = ...,
    must: str | None = ...,
) -> int: ...
@overload
def check_scalar(
    value: object,
    name: str,
    target_type: type[float],
    *,
    min_val: float | None = ...,
    max_val: float | None = ...,
    include_boundaries: Boundaries = ...,
    must: str | None = ...,
) -> float: ...
def check_scalar(
    value: object,
    name: str,
    target_type: type[int] | type[float],
    *,
    min_val: float | None = None,
    max_val: float | None = None,
    include_boundaries: Boundaries = "both",
    must: str | None = None,
) -> int | float:
    """``value`` as ``target_type`` if it is one within the bounds, else ``ParameterError``.

    Parameters
    ----------
    value : object
        The parameter as given. ``int`` accepts Python and NumPy integers; ``float`` accepts
        any finite real number (integers included). ``bool`` is refused by both.
    name : str
        The parameter's name, as the message shows it.
    target_type : {int, float}
        The kind of number wanted.
    min_val, max_val : float, optional
        Bounds; ``include_boundaries`` says which of them are allowed values.
    must : str, optional
        What the message says the value must be, e.g. ``"be a positive integer number of
        trading days"`` (default: built from the type and the bounds).

    Returns
    -------
    int or float
        The value converted to a Python ``int`` or ``float``.

    Raises
    ------
    ParameterError
        ``"{name} must {must}, got {value!r}"``.
    """
    if target_type is int:
        ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    else:
        ok = (
            isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value)
        )
    if ok:
        number = target_type(cast(Any, value))
        low_closed = include_boundaries in ("both", "left")
        high_closed = include_boundaries in ("both", "right")
        if min_val is not None and (number < min_val or (number == min_val and not low_closed)):
            ok = False
        if max_val is not None and (number > max_val or (number == max_val and not high_closed)):
            ok = False
        if ok:
            return number
    expected = must if must is not None else "be " + _describe(target_type, min_val, max_val, include_boundaries)
    raise ParameterError(f"{name} must {expected}, got {value!r}")


def check_trading_days(value: object, name: str, *, min_val: int = 1) -> int:
    """A window or span in trading days (a moving-average or indicator window, ``n`` of a new
    high, ``confirm``, ``min_gap``): an integer from ``min_val`` to ``MAX_WINDOW_DAYS``.

    The cap refuses an absurd value (``10**12``) when the options or the spec are read,
    before any data is loaded or any array sized by it is allocated; whether a window fits
    the data at hand is ``check_fits``'s question, once the data are known."""
    noun = {0: "a non-negative integer", 1: "a positive integer"}.get(min_val, f"an integer >= {min_val}")
    return check_scalar(
        value,
        name,
        int,
        min_val=min_val,
        max_val=MAX_WINDOW_DAYS,
        must=f"be {noun} number of trading days, at most {MAX_WINDOW_DAYS:,} (about 400 years: longer than "
        "any daily series)",
    )


def check_fits(
    name: str, value: int, available: int, *, needed: int | None = None, of: str = "the series", why: str = ""
) -> None:
    """Refuse (``InsufficientDataError``, one line) a window or span the data cannot hold.

    ``name`` of ``value`` trading days needs ``needed`` closes (default ``value``) and ``of``
    has ``available``. The one check behind every "too long for the data" refusal: the
    slow average of a cross, indicator windows, ``n`` of a new high or low, another series'
    change window, ``confirm`` and ``min_gap``. ``why`` replaces the default reason ("it
    needs at least N"). A too-long window is an error, not an empty answer: it would leave
    every value undefined and report "0 events"."""
    needed = value if needed is None else needed
    if needed > available:
        reason = why or f"it needs at least {needed:,}"
        raise InsufficientDataError(
            f"{name} {value:,} is too long for the data: {of} has {available:,} closes; {reason}"
        )


MEMORY_SHARE = 0.8
"""Work whose estimated peak memory exceeds this share of the memory available now is
refused: the rest is for the operating system, pandas' copies and estimation error."""


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(n_bytes: float, what: str, fix: str, available: int | None) -> None:
    """Refuse (``ParameterError``, one line) work of ``what`` whose estimated peak memory
    ``n_bytes`` exceeds ``MEMORY_SHARE`` of ``available`` bytes (None: unknown, not refused);
    ``fix`` says which parameter to lower. Called before the arrays are allocated, so an
    absurd request is a message, never a MemoryError or the machine's out-of-memory killer."""
    if available is not None and n_bytes > MEMORY_SHARE * available:
        raise ParameterError(
            f"{what} needs about {format_bytes(n_bytes)} of memory, more than {MEMORY_SHARE:.0%} of the "
            f"{format_bytes(available)} available; {fix}"
        )


def format_duration(seconds: float) -> str:
    """An estimated duration for a message: '40 s', '12 min', '3.5 h', '1,200 days'."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} days"


def format_bytes(n_bytes: float) -> str:
    """An estimated size for a message: '640 KB', '12.5 MB', '1.2 GB', '3,000.0 TB'."""
    for unit, scale in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes / 2**10:,.0f} KB"
