"""Event rules and forward horizons: the parameters that turn crosses into events.

``EventRules`` says which crosses count (averages, direction, detection window,
confirmation, de-clustering, entry timing); ``Horizon`` says how far forward each event is
measured, in trading days or calendar months.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from backtest.errors import ParameterError
from backtest.signals.moving_averages import check_window, direction_code, kind_code

EntryTiming = Literal["close", "next_close"]
_ENTRY_LAGS = {"close": 0, "next_close": 1}


def _timestamp_or_none(name: str, value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a date like 1985-01-01, got {value!r}") from None


@dataclass(frozen=True)
class EventRules:
    """Which crosses become events.

    fast, slow: moving-average windows in trading days (fast < slow).
    ma: "sma" or "ema". direction: "golden" (fast crosses above slow) or "death" (below).
    start, end: events are *detected* in [start, end] (by event date); the averages use all
        prior history.
    confirm: the fast average must stay beyond the slow one for ``confirm`` more days; the
        event is then dated on the confirmation day.
    min_gap: ignore an event within ``min_gap`` trading days of the previous kept one.
    entry: "close" enters at the close of the event day (the convention of published
        signal studies); "next_close" at the following close.
    """

    fast: int = 50
    slow: int = 200
    ma: Literal["sma", "ema"] = "sma"
    direction: Literal["golden", "death"] = "golden"
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    confirm: int = 0
    min_gap: int = 0
    entry: EntryTiming = "close"

    def __post_init__(self) -> None:
        fast = check_window("fast", self.fast)
        slow = check_window("slow", self.slow)
        if fast >= slow:
            raise ParameterError(f"fast window must be shorter than slow window, got fast={fast}, slow={slow}")
        kind_code(self.ma)
        direction_code(self.direction)
        for name in ("confirm", "min_gap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ParameterError(f"{name} must be a non-negative integer number of trading days, got {value!r}")
        if self.entry not in _ENTRY_LAGS:
            raise ParameterError(f"entry must be 'close' or 'next_close', got {self.entry!r}")
        start = _timestamp_or_none("start", self.start)
        end = _timestamp_or_none("end", self.end)
        if start is not None and end is not None and start > end:
            raise ParameterError(f"start {start.date()} is after end {end.date()}")
        object.__setattr__(self, "fast", fast)
        object.__setattr__(self, "slow", slow)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def entry_lag(self) -> int:
        """Trading days from the event day to the entry close."""
        return _ENTRY_LAGS[self.entry]

    def replace(self, **changes: object) -> EventRules:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def describe(self) -> str:
        """One line a person reads, e.g. 'SMA 50/200 golden cross, entry at close'."""
        parts = [f"{self.ma.upper()} {self.fast}/{self.slow} {self.direction} cross"]
        if self.confirm:
            parts.append(f"confirmed over {self.confirm} days")
        if self.min_gap:
            parts.append(f"de-clustered (min gap {self.min_gap} days)")
        parts.append("entry at the event-day close" if self.entry == "close" else "entry at the next close")
        if self.start is not None or self.end is not None:
            lo = self.start.date().isoformat() if self.start is not None else "start"
            hi = self.end.date().isoformat() if self.end is not None else "latest"
            parts.append(f"events {lo} to {hi}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters."""
        out = dataclasses.asdict(self)
        out["start"] = None if self.start is None else self.start.date().isoformat()
        out["end"] = None if self.end is None else self.end.date().isoformat()
        return out


@dataclass(frozen=True)
class Horizon:
    """A forward window: ``days`` trading days or ``months`` calendar months (one of them).

    A calendar-month window ends on the first trading day on or after the entry date plus
    ``months`` months.
    """

    label: str
    days: int | None = None
    months: int | None = None

    def __post_init__(self) -> None:
        if (self.days is None) == (self.months is None):
            raise ParameterError(f"horizon {self.label!r} needs exactly one of days or months")
        length = self.days if self.days is not None else self.months
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
            raise ParameterError(f"horizon {self.label!r} length must be a positive integer, got {length!r}")


DEFAULT_HORIZONS: tuple[Horizon, ...] = (
    Horizon("1m", days=21),
    Horizon("3m", days=63),
    Horizon("6m", days=126),
    Horizon("9m", days=189),
    Horizon("12m", days=252),
)


def trading_day_horizons(days: tuple[int, ...] | list[int]) -> tuple[Horizon, ...]:
    """Horizons of the given trading-day lengths, labelled like '63d'."""
    return tuple(Horizon(f"{d}d", days=int(d)) for d in days)


def calendar_month_horizons(months: tuple[int, ...] | list[int] = (1, 3, 6, 9, 12)) -> tuple[Horizon, ...]:
    """Calendar-month horizons labelled like '3m'."""
    return tuple(Horizon(f"{m}m", months=int(m)) for m in months)


def check_horizons_fit(horizons: tuple[Horizon, ...], index: pd.DatetimeIndex, series_name: str = "the series") -> None:
    """Refuse (one line) a horizon that no window of the data can complete: more trading
    days than closes, or more calendar months than the data span. Checked in whole months
    first, so a 9,000-month horizon never reaches pandas' date arithmetic (which overflows
    past the year 2262)."""
    if not len(index):
        return
    first, last = index[0], index[-1]
    span_months = (last.year - first.year) * 12 + (last.month - first.month)
    for horizon in horizons:
        if horizon.months is not None and horizon.months > span_months:
            raise ParameterError(
                f"horizon {horizon.label} ({horizon.months:,} months) is longer than the data: {series_name} runs from "
                f"{first.date()} to {last.date()} ({span_months:,} months); use --months up to {span_months:,}"
            )
        if horizon.days is not None and horizon.days >= len(index):
            raise ParameterError(
                f"horizon {horizon.label} ({horizon.days:,} trading days) is longer than the data: {series_name} has "
                f"{len(index):,} closes; use --horizons up to {len(index) - 1:,}"
            )


def horizon_offsets(index: pd.DatetimeIndex, entries: np.ndarray, horizons: tuple[Horizon, ...]) -> np.ndarray:
    """Window length in trading days per (entry, horizon); past the data end gives a window
    that ends beyond the last position, which the kernels report as pending (NaN)."""
    entries = np.asarray(entries, dtype=np.int64)
    offsets = np.empty((entries.shape[0], len(horizons)), dtype=np.int64)
    n = len(index)
    for j, horizon in enumerate(horizons):
        if horizon.days is not None:
            offsets[:, j] = horizon.days
            continue
        for i, entry in enumerate(entries):
            if entry < 0 or entry >= n:
                offsets[i, j] = -1
                continue
            try:
                target = index[entry] + pd.DateOffset(months=horizon.months)
            except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
                target = None  # beyond what a timestamp can hold: past the data end, so pending
            offsets[i, j] = (int(index.searchsorted(target, side="left")) if target is not None else n) - int(entry)
    return offsets
