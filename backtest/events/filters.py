"""Confirmation filters on an event study: which events an indicator keeps, which it rejects,
and which it cannot judge for lack of data; and the sub-studies those choices define.

Input: an ``EventStudy``, an indicator Series (a value per day, known at that day's close)
and a ``FilterRule``. Output: a ``FilterSplit`` (per event: the value read, the outcome and
why) and, through ``EventStudy.subset``, an ``EventStudy`` holding only some of the events.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.errors import ParameterError
from backtest.events.sources import DEFAULT_MAX_STALE_DAYS, values_at
from backtest.events.study import EventStudy
from backtest.signals.indicators import lookback_touches

KEPT = "kept"
REJECTED = "rejected"
NO_DATA = "no data"
FILTER_OUTCOMES: tuple[str, ...] = (KEPT, REJECTED, NO_DATA)

_OPERATORS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_OPERATOR_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_COMPLEMENT = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


@dataclass(frozen=True)
class FilterRule:
    """Keep an event when ``value <operator> threshold``; otherwise reject it.

    name: short identifier (``rsi``). indicator: what is read, with its units
    (``RSI(14) of the Russell 2000``). meaning: the reading the rule stands for
    (``not overheating``). An event whose value is missing is neither kept nor rejected.
    """

    name: str
    indicator: str
    operator: str
    threshold: float
    meaning: str = ""

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ParameterError(f"name must be a non-empty string, got {self.name!r}")
        if self.operator not in _OPERATORS:
            raise ParameterError(f"operator must be one of {', '.join(_OPERATORS)}, got {self.operator!r}")
        object.__setattr__(self, "threshold", check_scalar(self.threshold, "threshold", float))

    def passes(self, values: object) -> np.ndarray:
        """True where a (non-missing) value satisfies the rule; False for NaN."""
        array = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return _OPERATORS[self.operator](array, self.threshold) & np.isfinite(array)

    def describe(self) -> str:
        """'keep if RSI(14) of the Russell 2000 ≤ 70 (not overheating)'."""
        text = f"keep if {self.indicator} {_OPERATOR_TEXT[self.operator]} {self.threshold:g}"
        return text + (f" ({self.meaning})" if self.meaning else "")

    def describe_rejected(self) -> str:
        """The complement: 'reject if RSI(14) of the Russell 2000 > 70'."""
        return f"reject if {self.indicator} {_OPERATOR_TEXT[_COMPLEMENT[self.operator]]} {self.threshold:g}"

    def to_dict(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "rule": self.describe(), "rejected": self.describe_rejected()}


@dataclass(frozen=True, eq=False)
class FilterSplit:
    """One filter applied to every event of a study.

    ``table``: one row per event (indexed like the study's table) with ``event_date``,
    ``value`` (the indicator as known at the event's close), ``value_date``, ``outcome``
    (``kept`` / ``rejected`` / ``no data``) and ``reason`` (why there is no data; empty
    otherwise). Events without data are counted and listed, never dropped silently.
    """

    rule: FilterRule
    table: pd.DataFrame = field(repr=False)
    first_value_date: pd.Timestamp | None = None

    @property
    def kept(self) -> np.ndarray:
        return (self.table["outcome"] == KEPT).to_numpy()

    @property
    def rejected(self) -> np.ndarray:
        return (self.table["outcome"] == REJECTED).to_numpy()

    @property
    def with_data(self) -> np.ndarray:
        return (self.table["outcome"] != NO_DATA).to_numpy()

    @property
    def counts(self) -> dict[str, int]:
        """Events per outcome (every outcome present, zeros included)."""
        return {outcome: int((self.table["outcome"] == outcome).sum()) for outcome in FILTER_OUTCOMES}

    def to_frame(self) -> pd.DataFrame:
        """The per-event table with the filter's name in column ``filter`` (a copy)."""
        frame = self.table.copy()
        frame.insert(0, "filter", self.rule.name)
        return frame

    def summary(self) -> str:
        counts = self.counts
        lines = [
            f"Filter {self.rule.name}: {self.rule.describe()}",
            f"  kept {counts[KEPT]}, rejected {counts[REJECTED]}, no data {counts[NO_DATA]}"
            + (f" (indicator from {self.first_value_date.date()})" if self.first_value_date is not None else ""),
        ]
        for reason, group in self.table[self.table["outcome"] == NO_DATA].groupby("reason", sort=False):
            lines.append(f"  no data ({len(group)}): {reason}")
        return "\n".join(lines)


def apply_filter(
    study: EventStudy,
    rule: FilterRule,
    indicator: pd.Series,
    *,
    exclusions: pd.Series | None = None,
    max_stale_days: int = DEFAULT_MAX_STALE_DAYS,
) -> FilterSplit:
    """Read ``indicator`` at every event of ``study`` (see ``values_at``) and apply ``rule``.

    exclusions: optional Series of strings on the indicator's dates; a non-empty string marks
    the value of that day unusable and says why (e.g. "XLB look-back holds the flagged move of
    2025-11-17"); such events get outcome ``no data`` with that reason.
    """
    if not isinstance(study, EventStudy):
        raise ParameterError(f"study must be an EventStudy, got {type(study).__name__}")
    if not isinstance(rule, FilterRule):
        raise ParameterError(f"rule must be a FilterRule, got {type(rule).__name__}")
    dates = pd.DatetimeIndex(study.table["event_date"])
    read = values_at(indicator, dates, max_stale_days)
    values = read["value"].to_numpy(dtype=float, copy=True)
    finite = indicator.dropna()
    first = finite.index[0] if len(finite) else None
    reasons = np.full(len(dates), "", dtype=object)
    for i, (date, value, value_date) in enumerate(zip(dates, values, read["value_date"])):
        if math.isfinite(value):
            continue
        if first is None:
            reasons[i] = f"{rule.indicator}: no value at all"
        elif date < first:
            reasons[i] = f"{rule.indicator}: no value before {first.date()}"
        elif pd.isna(value_date):
            reasons[i] = f"{rule.indicator}: no value within {max_stale_days} days before the event"
        else:
            reasons[i] = f"{rule.indicator}: missing on {value_date.date()}"
    if exclusions is not None:
        if not isinstance(exclusions, pd.Series) or not exclusions.index.equals(indicator.index):
            raise ParameterError("exclusions must be a Series of strings on the indicator's dates")
        # the exclusion of the very row whose value was read
        for i, value_date in enumerate(read["value_date"]):
            text = "" if pd.isna(value_date) else exclusions.get(value_date, "")
            if text and math.isfinite(values[i]):
                reasons[i] = str(text)
                values[i] = np.nan
    has_value = np.isfinite(values)
    outcome = np.where(~has_value, NO_DATA, np.where(rule.passes(values), KEPT, REJECTED))
    table = pd.DataFrame(
        {
            "event_date": dates,
            "value": values,
            "value_date": read["value_date"].to_numpy(),
            "outcome": outcome,
            "reason": reasons.astype(str),
        },
        index=study.table.index,
    )
    return FilterSplit(rule=rule, table=table, first_value_date=first)


def split_studies(study: EventStudy, split: FilterSplit) -> Mapping[str, EventStudy]:
    """The sub-studies of one filter: ``kept``, ``rejected`` and ``with_data`` (kept or
    rejected: the unfiltered events of the period the indicator covers)."""
    if not split.table.index.equals(study.table.index):
        raise ParameterError(f"filter {split.rule.name!r} was applied to another study")
    return {
        KEPT: study.subset(split.kept),
        REJECTED: study.subset(split.rejected),
        "with_data": study.subset(split.with_data),
    }


def flagged_move_exclusions(
    index: pd.DatetimeIndex, flagged: Mapping[str, object], window: int, note: str = ""
) -> pd.Series:
    """Reasons (strings on ``index``; "" = usable) to drop a ``window``-day change whose
    look-back (t-window, t] holds a flagged move of one of its input series.

    flagged: series name -> its flagged dates (e.g. the validator's large moves). note: why
    those moves are not trusted, appended to every reason.
    """
    reasons = pd.Series("", index=index, dtype=object)
    for name, dates in flagged.items():
        dates = list(dates)
        if not dates:
            continue
        touches = lookback_touches(index, dates, window).to_numpy()
        moves = ", ".join(pd.Timestamp(d).date().isoformat() for d in dates)
        text = f"{name}: the {window}-day look-back holds the flagged move of {moves}" + (f" ({note})" if note else "")
        reasons[touches] = [f"{old}; {text}" if old else text for old in reasons[touches]]
    return reasons
