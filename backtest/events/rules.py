"""Event rules and forward horizons: the parameters that turn a source's signals into events.

``EventRules`` holds an event source (``backtest.events.sources``) and the timing rules
applied to any source (detection window, confirmation, de-clustering, entry timing);
``Horizon`` says how far forward each event is measured, in trading days or calendar months.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from backtest.checks import check_fits, check_scalar, check_trading_days
from backtest.defaults import DEFAULT_HORIZON_DAYS, MAX_GAP_DAYS
from backtest.errors import ParameterError
from backtest.events.sources import EventSource, MACross, check_source

EntryTiming = Literal["close", "next_close"]
_ENTRY_LAGS = {"close": 0, "next_close": 1}


def _timestamp_or_none(name: str, value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a date like 1985-01-01, got {value!r}") from None


# An MACross source's fields, written flat by ``to_dict`` (the layout of older results).
_MA_CROSS_FIELDS = ("fast", "slow", "ma", "direction")


@dataclass(frozen=True, init=False)
class EventRules:
    """When a source's signals become events: the timing rules, the same for every source.

    The source is explicit: ``EventRules(source=MACross(50, 200, "sma", "golden"), start=...)``;
    its parameters are read from ``rules.source``. Every parameter is keyword-only.

    Parameters
    ----------
    source : EventSource or None, default None
        The ``EventSource`` that says which days fire (``backtest.events.sources``); None:
        ``MACross(50, 200)``, the golden cross.
    start, end : object
        Anything ``pd.Timestamp`` reads, or None for no bound. Events are *detected* in
        [start, end] (by event date); the source reads all prior history. ``start`` must not
        be after ``end``.
    confirm : int, default 0
        Trading days (>= 0): the source's condition must still hold on each of the ``confirm``
        days after the trigger; the event is then dated on the confirmation day.
    min_gap : int, default 0
        Trading days (>= 0): ignore an event within ``min_gap`` trading days of the previous
        kept one.
    entry : {"close", "next_close"}, default "close"
        "close" enters at the close of the event day (the convention of published signal
        studies); "next_close" at the following close.

    Raises
    ------
    ParameterError
        A bad source, a negative ``confirm`` or ``min_gap``, an unknown ``entry``, an
        unreadable date, or ``start`` after ``end``.
    """

    source: EventSource
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    confirm: int
    min_gap: int
    entry: EntryTiming

    def __init__(
        self,
        *,
        source: EventSource | None = None,
        start: object = None,
        end: object = None,
        confirm: int = 0,
        min_gap: int = 0,
        entry: EntryTiming = "close",
    ) -> None:
        if source is None:
            source = MACross()
        else:
            check_source(source)
        for name, value in (("confirm", confirm), ("min_gap", min_gap)):
            check_trading_days(value, name, min_val=0)
        if entry not in _ENTRY_LAGS:
            raise ParameterError(f"entry must be 'close' or 'next_close', got {entry!r}")
        start = _timestamp_or_none("start", start)
        end = _timestamp_or_none("end", end)
        if start is not None and end is not None and start > end:
            raise ParameterError(f"start {start.date()} is after end {end.date()}")
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "confirm", int(confirm))
        object.__setattr__(self, "min_gap", int(min_gap))
        object.__setattr__(self, "entry", entry)

    @property
    def entry_lag(self) -> int:
        """Trading days from the event day to the entry close."""
        return _ENTRY_LAGS[self.entry]

    def replace(self, **changes: object) -> EventRules:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def describe(self) -> str:
        """One line a person reads, e.g. 'SMA 50/200 golden cross, entry at close'."""
        parts = [self.source.describe()]
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

    def for_data(self, index: pd.DatetimeIndex, series_name: str = "the series") -> tuple[EventRules, str]:
        """These rules as run on the dates ``index``, and a one-line note ("" when none).

        ``confirm`` and ``min_gap`` longer than the data are refused (``check_fits``: one
        line naming the parameter, its value and the data's length). A ``start`` before the
        first close becomes the first close, so that every text stating the rules
        (``describe``, ``to_dict``, a report's answer) gives the window actually analysed,
        not a date the data never reach; the events are the same either way (detection
        starts at the first close). The note says so when ``start`` lay more than
        ``MAX_GAP_DAYS`` calendar days before the data (a start on the weekend before the
        first close is not worth a line)."""
        n = len(index)
        of = f"{series_name!r}" if series_name != "the series" else series_name
        check_fits(
            "confirm",
            self.confirm,
            n,
            needed=self.confirm + 1,
            of=of,
            why=f"an event needs its trigger day and {self.confirm:,} more",
        )
        check_fits(
            "min_gap",
            self.min_gap,
            n,
            needed=self.min_gap + 1,
            of=of,
            why=f"a second event comes at least {self.min_gap:,} closes after the first",
        )
        if not n or self.start is None or self.start >= index[0] or (self.end is not None and self.end < index[0]):
            return self, ""
        first = pd.Timestamp(index[0]).normalize()
        days = (first - self.start).days
        note = ""
        if days > MAX_GAP_DAYS:
            before = f"{days / 365.25:.0f} years" if days >= 2 * 365 else f"{days:,} days"
            note = (
                f"start {self.start.date()} is {before} before the data: {of} begins {first.date()}, so events "
                f"are detected from {first.date()}"
            )
        return self.replace(start=first), note

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters: the source's, then the timing rules.

        A moving-average cross's parameters are flat (``fast``, ``slow``, ``ma``,
        ``direction``: the layout of results written before sources existed); any other
        source's are under ``source``.

        Returns
        -------
        dict[str, object]
            Source parameters, then ``start`` and ``end`` (ISO dates or None), ``confirm``,
            ``min_gap`` and ``entry``.
        """
        if isinstance(self.source, MACross):
            out = {name: getattr(self.source, name) for name in _MA_CROSS_FIELDS}
        else:
            out = {"source": self.source.to_dict()}
        out.update({name: getattr(self, name) for name in ("start", "end", "confirm", "min_gap", "entry")})
        out["start"] = None if self.start is None else self.start.date().isoformat()
        out["end"] = None if self.end is None else self.end.date().isoformat()
        return out


def ma_cross_source(rules: EventRules, needed_by: str) -> MACross:
    """The ``MACross`` source of ``rules``, for code that varies or names its windows.

    Parameters
    ----------
    rules : EventRules
        Rules whose source must be a moving-average cross.
    needed_by : str
        What needs the cross, for the error, e.g. "a sweep".

    Returns
    -------
    MACross
        ``rules.source``.

    Raises
    ------
    ParameterError
        The source is another kind (one line naming it).
    """
    if not isinstance(rules.source, MACross):
        raise ParameterError(f"{needed_by} varies a moving-average cross; these rules use {rules.source.describe()!r}")
    return rules.source


@dataclass(frozen=True)
class Horizon:
    """A forward window: ``days`` trading days or ``months`` calendar months (one of them).

    A calendar-month window ends on the first trading day on or after the entry date plus
    ``months`` months.

    Parameters
    ----------
    label : str
        Name used in tables and column names, e.g. "3m" or "63d".
    days : int or None, default None
        Window length in trading days (>= 1).
    months : int or None, default None
        Window length in calendar months (>= 1).

    Raises
    ------
    ParameterError
        Neither or both of ``days`` and ``months`` given, or a length below 1.
    """

    label: str
    days: int | None = None
    months: int | None = None

    def __post_init__(self) -> None:
        if (self.days is None) == (self.months is None):
            raise ParameterError(f"horizon {self.label!r} needs exactly one of days or months")
        length = self.days if self.days is not None else self.months
        check_scalar(length, f"horizon {self.label!r} length", int, min_val=1)


DEFAULT_HORIZONS: tuple[Horizon, ...] = tuple(Horizon(label, days=days) for label, days in DEFAULT_HORIZON_DAYS)
"""1, 3, 6, 9 and 12 months of 21 trading days (``backtest.defaults.DEFAULT_HORIZON_DAYS``)."""


def trading_day_horizons(days: tuple[int, ...] | list[int]) -> tuple[Horizon, ...]:
    """Horizons of the given trading-day lengths, labelled like '63d'.

    Parameters
    ----------
    days : tuple[int, ...] or list[int]
        Window lengths in trading days, each >= 1.

    Returns
    -------
    tuple[Horizon, ...]
        One ``Horizon(f"{d}d", days=d)`` per length, in the order given.
    """
    return tuple(Horizon(f"{d}d", days=int(d)) for d in days)


def calendar_month_horizons(months: tuple[int, ...] | list[int] = (1, 3, 6, 9, 12)) -> tuple[Horizon, ...]:
    """Calendar-month horizons labelled like '3m'.

    Parameters
    ----------
    months : tuple[int, ...] or list[int], default (1, 3, 6, 9, 12)
        Window lengths in calendar months, each >= 1.

    Returns
    -------
    tuple[Horizon, ...]
        One ``Horizon(f"{m}m", months=m)`` per length, in the order given.
    """
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
    """Window length in trading days per (entry, horizon), the one definition used by the
    event study, the path bootstrap and the sweep. A calendar-month window ends on the first
    trading day on or after the entry date plus the months; past the data end it ends beyond
    the last position, which the kernels report as pending (NaN). An entry outside the data
    (negative or >= len(index)) gets -1 for calendar-month horizons."""
    entries = np.asarray(entries, dtype=np.int64)
    offsets = np.empty((entries.shape[0], len(horizons)), dtype=np.int64)
    n = len(index)
    inside = (entries >= 0) & (entries < n)
    for j, horizon in enumerate(horizons):
        if horizon.days is not None:
            offsets[:, j] = horizon.days
            continue
        try:
            targets = index[entries[inside]] + pd.DateOffset(months=horizon.months)
        except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
            targets = None  # beyond what a timestamp can hold: past the data end, so pending
        offsets[:, j] = -1
        if targets is None:
            offsets[inside, j] = n - entries[inside]
        else:
            offsets[inside, j] = index.searchsorted(targets, side="left").astype(np.int64) - entries[inside]
    return offsets
