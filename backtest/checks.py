"""One check for each kind of scalar parameter (after scikit-learn's ``check_scalar``).

``check_scalar(value, name, int, min_val=1)`` returns the value as a Python int (or float)
or raises ``ParameterError`` with a message that names the parameter and the bad value.
Booleans are never numbers here, and floats must be finite.
"""

from __future__ import annotations

import math
from typing import Any, Literal, cast, overload

import numpy as np

from backtest.errors import ParameterError

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
