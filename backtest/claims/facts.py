"""Facts of a claim: a figure it states (a period return of a series), checked on our data.

``check_fact(fact, load, spec)`` computes our value with ``backtest.stats.periods.period_return``
(closes on or before each date, capped at the fact's as-of date) and grades the figure:
confirmed within the tolerance, roughly within three times it, not confirmed beyond, not
checkable when the data do not cover the period. Kept small so that it can later delegate
to the stats layer's own fact checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from backtest.claims.spec import ClaimSpec, FactSpec
from backtest.errors import BacktestError
from backtest.stats.periods import period_return

ROUGHLY_FACTOR = 3.0
"""A figure within this many tolerances of ours is 'roughly' right (rounding, another close)."""


@dataclass(frozen=True)
class FactCheck:
    """A stated figure beside ours: ``value`` (our period return, NaN when not checkable),
    ``status`` one of confirmed / roughly / not confirmed / not checkable, ``evidence`` the
    closes used or why it could not be checked."""

    fact: FactSpec
    series: str
    value: float
    status: str
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"statement": self.fact.statement, "series": self.series, "figure": self.fact.figure,
                "period": list(self.fact.period), "as_of": self.fact.as_of, "tolerance": self.fact.tolerance,
                "value": None if math.isnan(self.value) else self.value, "status": self.status,
                "evidence": self.evidence}


def grade(figure: float, value: float, tolerance: float) -> str:
    """confirmed / roughly / not confirmed (not checkable for a NaN value)."""
    if not math.isfinite(value):
        return "not checkable"
    gap = abs(figure - value)
    if gap <= tolerance + 1e-12:
        return "confirmed"
    if gap <= ROUGHLY_FACTOR * tolerance + 1e-12:
        return "roughly"
    return "not confirmed"


def check_fact(fact: FactSpec, load: Any, spec: ClaimSpec) -> FactCheck:
    """Our value of ``fact`` on the series it names (default: the claim's series)."""
    name = fact.series or spec.series
    start, end = (pd.Timestamp(d) for d in fact.period)
    if fact.as_of is not None:
        end = min(end, pd.Timestamp(fact.as_of))
    try:
        close = load(name).close
        if close.index[-1] < end or close.index[0] > start:
            raise BacktestError(f"{name} runs from {close.index[0].date()} to {close.index[-1].date()}, "
                                f"not over {start.date()} to {end.date()}")
        measured = period_return(close, start, end)
    except BacktestError as exc:
        return FactCheck(fact, name, math.nan, "not checkable", str(exc))
    evidence = (f"{name}: close {measured.start_close:,.2f} on {measured.start.date()} to "
                f"{measured.end_close:,.2f} on {measured.end.date()}")
    return FactCheck(fact, name, measured.value, grade(fact.figure, measured.value, fact.tolerance), evidence)
