"""Fact checks that compare numbers: an article's figure against the project's own value.

Input: ``Fact`` (the figure as published, the series it is about, the period, the as-of
date, a tolerance) and the closes of the series by name. Output: ``FactCheck`` with the
project's value at publication and at the period's end, the difference and a status:
"confirmed" (equal at the figure's stated precision), "roughly" (within the tolerance),
"not confirmed", or "not checkable" with the reason (no such series, or no close near the
period's dates). A missing series is never replaced by another one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from backtest.errors import ParameterError

CONFIRMED = "confirmed"
ROUGHLY = "roughly"
NOT_CONFIRMED = "not confirmed"
NOT_CHECKABLE = "not checkable"
STATUSES: tuple[str, ...] = (CONFIRMED, ROUGHLY, NOT_CONFIRMED, NOT_CHECKABLE)
STALE_DAYS = 7
"""A close more than this many calendar days before a date cannot stand for it."""


@dataclass(frozen=True)
class Fact:
    """One published figure: ``figure`` (a fraction, 0.035 = 3.5%) is the price return of
    ``series`` from the last close on or before ``start`` to the last close on or before
    ``end``, as stated on ``as_of`` (publication; the check uses no close after it).
    ``precision``: half a unit of the last published digit (0.0005 for "3.5%"); within it
    the figure is "confirmed". ``tolerance``: within it "roughly". ``proxy_note``: how the
    series stands for what the article named (e.g. SPY for the S&P 500, dividends included).
    ``series_returns``: what the series' returns are ("price", "total return", "level",
    "unknown"); a figure is a price return, so a total-return series is noted as such."""

    id: str
    statement: str
    figure: float
    series: str
    start: str
    end: str
    as_of: str
    precision: float = 0.0005
    tolerance: float = 0.01
    proxy_note: str = ""
    series_returns: str = "unknown"

    def __post_init__(self) -> None:
        if not 0.0 <= self.precision <= self.tolerance:
            raise ParameterError(
                f"fact {self.id!r}: need 0 <= precision <= tolerance, got {self.precision}, {self.tolerance}"
            )


@dataclass(frozen=True)
class FactCheck:
    """The project's value for a ``Fact``. value: at publication (end capped at as_of);
    value_period_end: over the whole stated period (None when the period ends after the
    data). difference: value - figure. status in ``STATUSES``; reason says why."""

    fact: Fact
    status: str
    reason: str
    value: float | None = None
    value_period_end: float | None = None
    start_date: str | None = None
    end_date: str | None = None

    @property
    def difference(self) -> float | None:
        return None if self.value is None else self.value - self.fact.figure

    @property
    def returns_note(self) -> str:
        """Which kind of series the figure was checked on, when it is not a price series."""
        if self.fact.series_returns == "total return":
            return (
                f"{self.fact.series} is a total-return series (dividends reinvested) while a published index "
                "figure is a price return: our value includes the dividends the figure leaves out"
            )
        if self.fact.series_returns == "unknown":
            return f"whether {self.fact.series} includes dividends is not known to the catalog"
        return ""

    def to_dict(self) -> dict[str, object]:
        f = self.fact
        return {
            "id": f.id,
            "statement": f.statement,
            "figure": f.figure,
            "series": f.series,
            "start": f.start,
            "end": f.end,
            "as_of": f.as_of,
            "precision": f.precision,
            "tolerance": f.tolerance,
            "proxy_note": f.proxy_note,
            "series_returns": f.series_returns,
            "returns_note": self.returns_note,
            "value": self.value,
            "value_period_end": self.value_period_end,
            "difference": self.difference,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "status": self.status,
            "reason": self.reason,
        }


def _close_on_or_before(close: pd.Series, date: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    position = int(close.index.searchsorted(date, side="right")) - 1
    if position < 0:
        return None
    when = close.index[position]
    if (date - when).days > STALE_DAYS:
        return None
    return when, float(close.iloc[position])


def check_fact(fact: Fact, closes: Mapping[str, pd.Series]) -> FactCheck:
    """Compare ``fact.figure`` with the price return of ``closes[fact.series]`` (module docstring)."""
    close = closes.get(fact.series)
    if close is None:
        return FactCheck(fact, NOT_CHECKABLE, f"no series {fact.series!r} in the data")
    start, end, as_of = pd.Timestamp(fact.start), pd.Timestamp(fact.end), pd.Timestamp(fact.as_of)
    begin = _close_on_or_before(close, start)
    finish = _close_on_or_before(close, min(end, as_of))
    if begin is None or finish is None:
        last = close.index[-1].date() if len(close) else "never"
        return FactCheck(
            fact,
            NOT_CHECKABLE,
            f"{fact.series} has no close within {STALE_DAYS} days of the period's dates (data end {last})",
        )
    value = finish[1] / begin[1] - 1.0
    period_end = _close_on_or_before(close, end)
    value_end = period_end[1] / begin[1] - 1.0 if period_end is not None else None
    difference = abs(value - fact.figure)
    if difference <= fact.precision + 1e-12:
        status, reason = CONFIRMED, f"equal at the figure's precision (±{fact.precision:.2%})"
    elif difference <= fact.tolerance:
        status, reason = ROUGHLY, f"within the tolerance ±{fact.tolerance:.1%}"
    else:
        status, reason = NOT_CONFIRMED, f"differs by {value - fact.figure:+.2%}, beyond ±{fact.tolerance:.1%}"
    return FactCheck(fact, status, reason, value, value_end, begin[0].date().isoformat(), finish[0].date().isoformat())


def check_facts(facts: list[Fact], closes: Mapping[str, pd.Series]) -> list[FactCheck]:
    """``check_fact`` for each fact, in order."""
    return [check_fact(fact, closes) for fact in facts]
