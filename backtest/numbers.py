"""Numbers as text: the one place a fraction, a p-value, a count or a decimal becomes a string.

Every report (the claim, strategy, sweep and benchmark templates, where these functions are
Jinja2 filters: ``backtest.report.render.template_environment``) and every ``summary()`` of a
result object formats through here, so a p-value or a percentage reads the same everywhere.
A missing value (None, NaN, pandas' NA) becomes ``MISSING`` (``ASCII_MISSING`` in the plain-
text tables of ``summary()``). Foundation: stats (below report) formats with it too.
"""

from __future__ import annotations

import math
from typing import Literal

MISSING = "–"
"""A missing number in a report (an en dash)."""
ASCII_MISSING = "-"
"""A missing number in a terminal table of a result's ``summary()``."""


def _number(value: object) -> float | None:
    """``value`` as a finite float, or None when it is missing (None, NaN, NA, not finite)."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # pandas' NA and NaT refuse float()
    return number if math.isfinite(number) else None


def percent(value: object, digits: int = 1, *, signed: bool = False, missing: str = MISSING) -> str:
    """A fraction as a percentage: 0.0412 -> '4.1%' ('+4.1%' when ``signed``)."""
    number = _number(value)
    if number is None:
        return missing
    return f"{number:+.{digits}%}" if signed else f"{number:.{digits}%}"


def points(value: object, digits: int = 2, *, signed: bool = True, unit: str = " pp", missing: str = MISSING) -> str:
    """A difference of two fractions in percentage points: 0.0123 -> '+1.23 pp'."""
    number = _number(value)
    if number is None:
        return missing
    return (f"{number * 100:+.{digits}f}" if signed else f"{number * 100:.{digits}f}") + unit


def basis_points(value: object, digits: int = 1, *, signed: bool = True, missing: str = MISSING) -> str:
    """A fraction in basis points, without the unit: 0.00031 -> '+3.1'."""
    number = _number(value)
    if number is None:
        return missing
    return f"{number * 1e4:+.{digits}f}" if signed else f"{number * 1e4:.{digits}f}"


def pvalue(
    value: object,
    digits: int = 3,
    *,
    small: Literal["bound", "fixed", "scientific"] = "bound",
    missing: str = MISSING,
) -> str:
    """A p-value with ``digits`` decimals. Below the last decimal (``10**-digits``), ``small``
    says how: "bound" (the house convention of the reports: '<0.001'), "fixed" ('0.000') or
    "scientific" ('4.2e-05', the terminal summaries, where the size of a tiny p matters)."""
    number = _number(value)
    if number is None:
        return missing
    floor = 10.0**-digits
    if number < floor and small == "bound":
        return f"<{floor:.{digits}f}"
    if number < floor and small == "scientific":
        return f"{number:.1e}"
    return f"{number:.{digits}f}"


def count(value: object, *, missing: str = MISSING) -> str:
    """A whole number with thousands separators: 12345 -> '12,345'."""
    number = _number(value)
    if number is None:
        return missing
    return f"{int(number):,}"


def decimal(
    value: object, digits: int = 2, *, signed: bool = False, grouping: bool = True, missing: str = MISSING
) -> str:
    """A plain decimal: 1234.5 -> '1,234.50' (no separators without ``grouping``)."""
    number = _number(value)
    if number is None:
        return missing
    spec = ("+" if signed else "") + ("," if grouping else "") + f".{digits}f"
    return format(number, spec)


FILTERS = {
    "pct": percent,
    "pp": points,
    "bp": basis_points,
    "pvalue": pvalue,
    "count": count,
    "num": decimal,
}
"""The Jinja2 filters of every report template: ``{{ x | pct(1, signed=True) }}``."""
