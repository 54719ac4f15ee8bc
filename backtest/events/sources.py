"""Event sources: what makes an event, behind one seam.

An ``EventSource`` reads the aligned data (a close series with a DatetimeIndex) and returns a
``Signal``: the days it fires (``trigger``), the days its condition holds (``state``, what a
confirmation asks to persist) and the values worth recording at each event. The timing rules
(detection window, confirmation, de-clustering, entry) are applied afterwards, the same for
every source, by ``backtest.events.nb.select_events_nb`` (see ``EventRules``).

Conventions every source keeps (tests/events/test_sources.py proves them by truncation):
- a trigger on day t uses data of day t and before only (closes up to t's close; another
  series' value dated t or its last earlier value within ``DEFAULT_MAX_STALE_DAYS`` calendar
  days, never a later one);
- ``price_only`` is True when the signal is a function of the close path alone, so that it
  can be re-run on a resampled price path (the bootstrapped-path null); sources that read
  other data (another series, a list of dates, volume) say False.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from backtest.checks import check_fits, check_scalar, check_trading_days
from backtest.errors import ParameterError
from backtest.files import DATES_CSV, read_bytes
from backtest.signals import nb as signal_nb
from backtest.signals.moving_averages import average_kernel, close_array, direction_code, kind_code

DEFAULT_MAX_STALE_DAYS = 5
"""Another series is read on the day itself or on its last earlier row at most this many
calendar days before (a bond-market holiday, another exchange calendar); the same rule as the
confirmation filters (``values_at``)."""

_SIDES = {"above": signal_nb.GOLDEN, "below": signal_nb.DEATH}


# ---------------------------------------------------------------------------------------
# Signal and the protocol
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Signal:
    """What a source says about each day of the data it was given.

    Parameters
    ----------
    trigger : np.ndarray
        Booleans, True on the days the source fires.
    state : np.ndarray
        Booleans, True on the days its condition holds (a confirmation of ``confirm`` days
        asks it to hold on each of the ``confirm`` days after the trigger).
    values : Mapping[str, np.ndarray], default {}
        Columns recorded in the event table at each event (name -> float array on the same
        days).
    notes : tuple[str, ...], default ()
        What the source did to the data that a reader must see (dates moved or dropped).
    """

    trigger: np.ndarray
    state: np.ndarray
    values: Mapping[str, np.ndarray] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@runtime_checkable
class EventSource(Protocol):
    """Anything that says on which days an event happens.

    ``signal(close)`` returns a ``Signal`` on the days of ``close``; ``describe()`` one line a
    person reads; ``signal_on_path(values)`` the same signal on a plain float64 price path
    (price-only sources only: the bootstrapped-path null calls it on resampled paths);
    ``to_dict()`` its parameters, JSON-ready.

    Attributes
    ----------
    price_only : bool
        Whether the signal is a function of the close path alone.
    """

    price_only: bool

    def signal(self, close: pd.Series) -> Signal: ...

    def signal_on_path(self, values: np.ndarray) -> Signal: ...

    def describe(self) -> str: ...

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters.

        Returns
        -------
        dict[str, object]
            ``kind`` naming the source, then its parameters.
        """
        ...


def check_source(source: object, name: str = "source") -> EventSource:
    """``source`` if it implements ``EventSource``, else a ParameterError naming it."""
    if not isinstance(source, EventSource):
        raise ParameterError(f"{name} must be an event source (MACross, Threshold, DateList, ...), got {source!r}")
    return source


def _not_on_path(source: object) -> Signal:
    raise ParameterError(
        f"{source.describe()} reads data other than the price path; it cannot be re-run on a resampled path"  # type: ignore[attr-defined]
    )


def values_at(indicator: pd.Series, dates: object, max_stale_days: int = DEFAULT_MAX_STALE_DAYS) -> pd.DataFrame:
    """The indicator as known at each date: columns ``value`` and ``value_date`` (the row read:
    the date itself or the last earlier one within ``max_stale_days`` calendar days; NaN / NaT
    when there is none). Never reads a row dated after the date asked for."""
    if not isinstance(indicator, pd.Series) or not isinstance(indicator.index, pd.DatetimeIndex):
        raise ParameterError("indicator must be a pandas Series with a DatetimeIndex")
    if not indicator.index.is_monotonic_increasing or indicator.index.has_duplicates:
        raise ParameterError(f"indicator {indicator.name!r} must have sorted, unique dates")
    check_scalar(max_stale_days, "max_stale_days", int, min_val=0)
    wanted = pd.DatetimeIndex(dates)
    positions = indicator.index.searchsorted(wanted, side="right") - 1
    found = positions >= 0
    safe = np.clip(positions, 0, max(len(indicator) - 1, 0))
    row_dates = (
        indicator.index.values[safe] if len(indicator) else np.full(len(wanted), np.datetime64("NaT"), "datetime64[ns]")
    )
    fresh = found & ((wanted.values - row_dates) <= np.timedelta64(int(max_stale_days), "D"))
    values = np.where(fresh, indicator.to_numpy(dtype=float)[safe] if len(indicator) else np.nan, np.nan)
    return pd.DataFrame(
        {"value": values, "value_date": pd.DatetimeIndex(np.where(fresh, row_dates, np.datetime64("NaT")))},
        index=wanted,
    )


def _as_of(series: pd.Series, index: pd.DatetimeIndex, max_stale_days: int = DEFAULT_MAX_STALE_DAYS) -> np.ndarray:
    """``series`` as known at each date of ``index``: the row of that date or the last earlier
    one within ``max_stale_days`` calendar days (NaN otherwise); never a later row."""
    return values_at(series, index, max_stale_days)["value"].to_numpy(dtype=float)


def _dated_series(name: str, series: object) -> pd.Series:
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise ParameterError(f"{name} must be a pandas Series with a DatetimeIndex, got {type(series).__name__}")
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise ParameterError(f"{name} ({series.name!r}) must have sorted, unique dates")
    return series


def _number(name: str, value: object) -> float:
    return check_scalar(value, name, float)


# ---------------------------------------------------------------------------------------
# Lines: the values a source compares (all look-back only)
# ---------------------------------------------------------------------------------------


class Line:
    """A value per day known at that day's close. Price lines (``price_only``) are computed
    from the close path alone (``on_path``); series lines read another series."""

    price_only: bool = True
    name: str = "line"

    def on_path(self, values: np.ndarray) -> np.ndarray:
        raise ParameterError(f"{self.describe()} reads another series; it has no value on a price path")

    def lookback(self) -> tuple[str, int, int] | None:
        """(parameter, its value, closes needed for a first value) of a price line's look-back
        window; None for a line without one (the close, a level, another series)."""
        return None

    def check_fits(self, close: pd.Series, *, cross: bool = False) -> None:
        """Refuse (``check_fits``, one line) a look-back window longer than ``close``: the line
        would have no value at all, or (``cross``) never two consecutive values to cross on."""
        lookback = self.lookback()
        if lookback is None:
            return
        name, value, needed = lookback
        needed += int(cross)
        check_fits(
            name,
            value,
            len(close),
            needed=needed,
            of=f"series {close.name!r}",
            why=f"{self.describe()} needs at least {needed:,} {'to cross' if cross else 'for a first value'}",
        )

    def on(self, close: pd.Series) -> np.ndarray:
        """Values on the days of ``close`` (float64, NaN where unknown); a look-back window
        longer than ``close`` is refused, not returned as all NaN."""
        self.check_fits(close)
        return self.on_path(close_array(close))

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class Close(Line):
    """The close itself.

    Attributes
    ----------
    name : str
        "close", the column name of its recorded values.
    """

    name: str = field(default="close", init=False)

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return values

    def describe(self) -> str:
        return "the close"


@dataclass(frozen=True)
class Constant(Line):
    """A fixed level (a threshold, or 1 for a ratio).

    Parameters
    ----------
    value : float, default 0.0
        The level, in the unit of the line it is compared with.
    """

    value: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _number("value", self.value))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"level_{self.value:g}"

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return np.full(values.shape[0], self.value)

    def describe(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class MovingAverage(Line):
    """SMA or EMA of the close over ``window`` trading days (``backtest.signals.moving_average``).

    Parameters
    ----------
    window : int, default 200
        Trading days averaged (>= 1).
    ma : str, default "sma"
        Average kind, "sma" or "ema".
    """

    window: int = 200
    ma: str = "sma"

    def __post_init__(self) -> None:
        object.__setattr__(self, "window", check_trading_days(self.window, "window"))
        kind_code(self.ma)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.ma}_{self.window}"

    def lookback(self) -> tuple[str, int, int]:
        return f"{self.ma.upper()} window", self.window, self.window

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return average_kernel(kind_code(self.ma))(values, self.window)

    def describe(self) -> str:
        return f"{self.ma.upper()}({self.window})"


@dataclass(frozen=True)
class RSI(Line):
    """Wilder's RSI over ``window`` daily changes (0-100; ``backtest.signals.indicators.rsi``).

    Parameters
    ----------
    window : int, default 14
        Daily changes averaged (>= 1).
    """

    window: int = 14

    def __post_init__(self) -> None:
        object.__setattr__(self, "window", check_trading_days(self.window, "window"))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"rsi_{self.window}"

    def lookback(self) -> tuple[str, int, int]:
        return "RSI window", self.window, self.window + 1  # ``window`` changes need one more close

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return signal_nb.rsi_wilder_nb(values, self.window)

    def describe(self) -> str:
        return f"RSI({self.window})"


@dataclass(frozen=True)
class RateOfChange(Line):
    """close[t] / close[t-window] - 1: the return over the last ``window`` trading days.

    Parameters
    ----------
    window : int, default 21
        Trading days back (>= 1); the value is a fraction (0.05 = 5%).
    """

    window: int = 21

    def __post_init__(self) -> None:
        object.__setattr__(self, "window", check_trading_days(self.window, "window"))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"roc_{self.window}"

    def lookback(self) -> tuple[str, int, int]:
        return "rate-of-change window", self.window, self.window + 1

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return signal_nb.rate_of_change_nb(values, self.window)

    def describe(self) -> str:
        return f"{self.window}-day rate of change"


@dataclass(frozen=True)
class ZScore(Line):
    """(close[t] - mean) / sample std of the last ``window`` closes (day t included).

    Parameters
    ----------
    window : int, default 20
        Closes in the window (>= 2, for a sample standard deviation).
    """

    window: int = 20

    def __post_init__(self) -> None:
        window = check_trading_days(self.window, "window")
        if window < 2:
            raise ParameterError(f"window of a z-score must be at least 2, got {window}")
        object.__setattr__(self, "window", window)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"zscore_{self.window}"

    def lookback(self) -> tuple[str, int, int]:
        return "z-score window", self.window, self.window

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return signal_nb.zscore_nb(values, self.window)

    def describe(self) -> str:
        return f"{self.window}-day z-score of the close"


@dataclass(frozen=True)
class Drawdown(Line):
    """close[t] / highest close up to t - 1 (<= 0): the fall from the running peak.

    Attributes
    ----------
    name : str
        "drawdown", the column name of its recorded values (fractions: -0.2 = 20% below the peak).
    """

    name: str = field(default="drawdown", init=False)

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return signal_nb.drawdown_nb(values)

    def describe(self) -> str:
        return "drawdown from the running peak"


@dataclass(frozen=True)
class MACD(Line):
    """EMA(fast) - EMA(slow) of the close (Appel's MACD line; NaN until ``slow`` closes).

    Parameters
    ----------
    fast : int, default 12
        Fast EMA span in trading days (>= 1, shorter than ``slow``).
    slow : int, default 26
        Slow EMA span in trading days.
    """

    fast: int = 12
    slow: int = 26

    def __post_init__(self) -> None:
        fast = check_trading_days(self.fast, "fast")
        slow = check_trading_days(self.slow, "slow")
        if fast >= slow:
            raise ParameterError(f"fast window must be shorter than slow window, got fast={fast}, slow={slow}")
        object.__setattr__(self, "fast", fast)
        object.__setattr__(self, "slow", slow)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"macd_{self.fast}_{self.slow}"

    def lookback(self) -> tuple[str, int, int]:
        return "MACD slow window", self.slow, self.slow

    def on_path(self, values: np.ndarray) -> np.ndarray:
        return signal_nb.ema_nb(values, self.fast) - signal_nb.ema_nb(values, self.slow)

    def describe(self) -> str:
        return f"MACD({self.fast},{self.slow})"


@dataclass(frozen=True)
class MACDSignal(Line):
    """EMA(``signal``) of the MACD line, started at the MACD's first value.

    The same as pandas' ``macd.ewm(span=signal, adjust=False, min_periods=signal).mean()``.

    Parameters
    ----------
    fast : int, default 12
        Fast EMA span of the MACD line in trading days (>= 1, shorter than ``slow``).
    slow : int, default 26
        Slow EMA span of the MACD line in trading days.
    signal : int, default 9
        EMA span of the signal line in trading days (>= 1).
    """

    fast: int = 12
    slow: int = 26
    signal: int = 9

    def __post_init__(self) -> None:
        MACD(self.fast, self.slow)
        object.__setattr__(self, "signal", check_trading_days(self.signal, "signal"))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"macd_signal_{self.fast}_{self.slow}_{self.signal}"

    def lookback(self) -> tuple[str, int, int]:
        # the signal's average starts at the MACD's first value (close slow)
        return "MACD signal window", self.signal, self.slow + self.signal - 1

    def on_path(self, values: np.ndarray) -> np.ndarray:
        macd = MACD(self.fast, self.slow).on_path(values)
        out = np.full(values.shape[0], np.nan)
        start = self.slow - 1
        if values.shape[0] > start:
            out[start:] = signal_nb.ema_nb(np.ascontiguousarray(macd[start:]), self.signal)
        return out

    def describe(self) -> str:
        return f"MACD({self.fast},{self.slow}) signal line ({self.signal})"


@dataclass(frozen=True, eq=False)
class SeriesLevel(Line):
    """Another series' value (VIX, the 10-year yield, a ratio you built), as known at each close.

    Its row of that date or its last earlier row within ``DEFAULT_MAX_STALE_DAYS`` calendar days.

    Parameters
    ----------
    series : pd.Series
        The other series on a sorted, unique DatetimeIndex (its own calendar).
    label : str, default ""
        Name in texts and columns; "" takes the series' name (or "series").
    """

    series: pd.Series = field(repr=False)
    label: str = ""
    price_only: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        series = _dated_series("series", self.series)
        object.__setattr__(self, "label", self.label or str(series.name or "series"))

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.label

    def raw(self) -> pd.Series:
        """The series on its own calendar (what is read as of each close)."""
        return self.series.astype(float)

    def _check_window_fits(self, name: str, window: int, needed: int) -> None:
        """A window over this series' own observations (not the closes') must fit them."""
        check_fits(name, window, len(self.series), needed=needed, of=f"series {self.label!r}")

    def on(self, close: pd.Series) -> np.ndarray:
        return _as_of(self.raw(), close.index)

    def describe(self) -> str:
        return self.label


@dataclass(frozen=True, eq=False)
class SeriesChange(SeriesLevel):
    """Another series' change over its last ``window`` observations, as known at each close.

    The window counts the series' own observations (its own calendar; e.g. the 63-day change
    of the 10-year yield).

    Parameters
    ----------
    series : pd.Series
        The other series on a sorted, unique DatetimeIndex.
    label : str, default ""
        Name in texts and columns; "" takes the series' name (or "series").
    window : int, default 63
        Observations of the series back (>= 1).
    """

    window: int = 63

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "window", check_trading_days(self.window, "window"))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.label}_change_{self.window}"

    def raw(self) -> pd.Series:
        self._check_window_fits("change window", self.window, self.window + 1)
        values = np.ascontiguousarray(self.series.to_numpy(dtype=np.float64))
        return pd.Series(signal_nb.trailing_change_nb(values, self.window), index=self.series.index)

    def describe(self) -> str:
        return f"{self.window}-day change of {self.label}"


@dataclass(frozen=True, eq=False)
class Ratio(SeriesLevel):
    """close / another series (as known at each close).

    A relative-strength line whose cross of 1 is a change of leadership.

    Parameters
    ----------
    series : pd.Series
        The other series (the denominator) on a sorted, unique DatetimeIndex.
    label : str, default ""
        Name in texts and columns; "" takes the series' name (or "series").
    """

    def on(self, close: pd.Series) -> np.ndarray:
        return close_array(close) / _as_of(self.raw(), close.index)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"ratio_to_{self.label}"

    def describe(self) -> str:
        return f"the close / {self.label}"


@dataclass(frozen=True, eq=False)
class RelativeVolume(SeriesLevel):
    """Volume on day t / mean volume of the ``window`` days before.

    At least ``min_valid`` of them must have a volume (``backtest.signals.indicators.relative_volume``);
    the volume is not a function of the price path, so this line is exogenous.

    Parameters
    ----------
    series : pd.Series
        Daily volumes on a sorted, unique DatetimeIndex.
    label : str, default ""
        Name in texts; "" takes the series' name (or "series").
    window : int, default 50
        Days before t averaged (>= 1).
    min_valid : int or None, default None
        Days of the window that must have a volume (at most ``window``); None: all of them.
    """

    window: int = 50
    min_valid: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "window", check_trading_days(self.window, "window"))

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"relative_volume_{self.window}"

    def raw(self) -> pd.Series:
        from backtest.signals.indicators import relative_volume

        self._check_window_fits("relative-volume window", self.window, self.window + 1)

        return relative_volume(self.series, self.window, self.min_valid)

    def describe(self) -> str:
        return f"relative volume ({self.window} days)"


def _check_line(name: str, line: object) -> Line:
    if not isinstance(line, Line):
        raise ParameterError(f"{name} must be a line (Close, MovingAverage, RSI, SeriesLevel, ...), got {line!r}")
    return line


# ---------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------


class _PathSource:
    """A source computed on the close path alone: ``signal`` validates the closes, refuses a
    look-back longer than them (``check_fits``) and calls ``signal_on_path``."""

    price_only: bool = True

    def check_fits(self, close: pd.Series) -> None:
        """Refuse (one line) a look-back window that ``close`` cannot fill (none by default)."""

    def signal(self, close: pd.Series) -> Signal:
        self.check_fits(close)
        return self.signal_on_path(close_array(close))

    def signal_on_path(self, values: np.ndarray) -> Signal:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class MACross(_PathSource):
    """A moving-average cross: fires on day t when the fast average crosses the slow one.

    Golden: fast <= slow on t-1 and fast > slow on t; death: the mirror (fast >= slow on t-1,
    fast < slow on t). Both averages must exist on t-1 and t (the first possible trigger is
    day ``slow``). State (for confirmation): fast strictly beyond slow. Reads closes up to t.
    Records ``fast_ma`` and ``slow_ma`` at each event.

    Parameters
    ----------
    fast : int, default 50
        Fast average window in trading days (>= 1, shorter than ``slow``).
    slow : int, default 200
        Slow average window in trading days.
    ma : str, default "sma"
        Average kind, "sma" or "ema".
    direction : str, default "golden"
        "golden" (fast crosses above slow) or "death" (below).
    """

    fast: int = 50
    slow: int = 200
    ma: str = "sma"
    direction: str = "golden"

    def __post_init__(self) -> None:
        fast = check_trading_days(self.fast, "fast")
        slow = check_trading_days(self.slow, "slow")
        if fast >= slow:
            raise ParameterError(f"fast window must be shorter than slow window, got fast={fast}, slow={slow}")
        kind_code(self.ma)
        direction_code(self.direction)
        object.__setattr__(self, "fast", fast)
        object.__setattr__(self, "slow", slow)

    def check_fits(self, close: pd.Series) -> None:
        check_fits(
            "slow window",
            self.slow,
            len(close),
            needed=self.slow + 1,
            of=f"series {close.name!r}",
            why=f"a {self.slow}-day average needs at least {self.slow + 1} to detect a cross",
        )

    def signal_on_path(self, values: np.ndarray) -> Signal:
        average = average_kernel(kind_code(self.ma))
        direction = direction_code(self.direction)
        fast = average(values, self.fast)
        slow = average(values, self.slow)
        return Signal(
            trigger=signal_nb.crossings_nb(fast, slow, direction),
            state=signal_nb.beyond_nb(fast, slow, direction),
            values={"fast_ma": fast, "slow_ma": slow},
        )

    def describe(self) -> str:
        return f"{self.ma.upper()} {self.fast}/{self.slow} {self.direction} cross"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("ma_cross"), fast, slow, ma and direction.
        """
        return {"kind": "ma_cross", "fast": self.fast, "slow": self.slow, "ma": self.ma, "direction": self.direction}


def _line_values(lines: Iterable[Line], arrays: Iterable[np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for line, values in zip(lines, arrays):
        if isinstance(line, Constant):
            continue
        name = line.name
        while name in out:
            name += "_b"
        out[name] = np.asarray(values, dtype=float)
    return out


@dataclass(frozen=True, eq=False)
class LineCross:
    """Line ``a`` crosses line ``b``.

    Fires on day t when a <= b on t-1 and a > b on t ("above"; "below": a >= b on t-1 and
    a < b on t), both defined on t-1 and t.

    Price vs its average: ``LineCross(Close(), MovingAverage(200), "above")``; MACD vs its
    signal line: ``LineCross(MACD(), MACDSignal(), "above")``; a ratio vs 1:
    ``LineCross(Ratio(other), Constant(1.0), "above")``. State: a strictly beyond b. Reads the
    lines on day t and t-1 only (each line is itself look-back only).

    Parameters
    ----------
    a : Line
        The line that crosses.
    b : Line
        The line crossed.
    direction : str, default "above"
        "above" or "below": the side of ``b`` that ``a`` crosses to.
    """

    a: Line
    b: Line
    direction: str = "above"

    def __post_init__(self) -> None:
        _check_line("a", self.a)
        _check_line("b", self.b)
        if self.direction not in _SIDES:
            raise ParameterError(f"direction must be 'above' or 'below', got {self.direction!r}")

    @property
    def price_only(self) -> bool:
        return self.a.price_only and self.b.price_only

    def _signal(self, a: np.ndarray, b: np.ndarray) -> Signal:
        a = np.ascontiguousarray(a, dtype=np.float64)
        b = np.ascontiguousarray(b, dtype=np.float64)
        side = _SIDES[self.direction]
        return Signal(
            trigger=signal_nb.crossings_nb(a, b, side),
            state=signal_nb.beyond_nb(a, b, side),
            values=_line_values((self.a, self.b), (a, b)),
        )

    def signal(self, close: pd.Series) -> Signal:
        # a cross needs each line on two consecutive days
        self.a.check_fits(close, cross=True)
        self.b.check_fits(close, cross=True)
        return self._signal(self.a.on(close), self.b.on(close))

    def signal_on_path(self, values: np.ndarray) -> Signal:
        if not self.price_only:
            return _not_on_path(self)
        return self._signal(self.a.on_path(values), self.b.on_path(values))

    def describe(self) -> str:
        return f"{self.a.describe()} crosses {self.direction} {self.b.describe()}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("line_cross"), the two lines' names, direction and description.
        """
        return {
            "kind": "line_cross",
            "a": self.a.name,
            "b": self.b.name,
            "direction": self.direction,
            "description": self.describe(),
        }


@dataclass(frozen=True, eq=False)
class Threshold(LineCross):
    """``indicator`` crosses a fixed ``level``.

    Fires on day t when the value is on the other side of the level on t-1 and past it on
    t ("below": >= level on t-1 and < level on t;
    "above": <= level on t-1 and > level on t), both values defined. State: the value strictly
    past the level. E.g. ``Threshold(RSI(14), 30, "below")``, ``Threshold(Drawdown(), -0.2,
    "below")``, ``Threshold(SeriesLevel(vix), 30, "above")``.

    Parameters
    ----------
    indicator : Line
        The line read (RSI, a drawdown, another series, ...).
    level : float
        The level crossed, in the indicator's unit (RSI points, a drawdown fraction, ...).
    cross : str, default "below"
        "below" or "above": the side of the level the indicator crosses to.
    """

    def __init__(self, indicator: Line, level: float, cross: str = "below") -> None:
        if cross not in _SIDES:
            raise ParameterError(f"cross must be 'above' or 'below', got {cross!r}")
        object.__setattr__(self, "a", _check_line("indicator", indicator))
        object.__setattr__(self, "b", Constant(_number("level", level)))
        object.__setattr__(self, "direction", cross)

    @property
    def indicator(self) -> Line:
        return self.a

    @property
    def level(self) -> float:
        return self.b.value  # type: ignore[attr-defined]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("threshold"), the indicator's name, level, cross and description.
        """
        return {
            "kind": "threshold",
            "indicator": self.a.name,
            "level": self.level,
            "cross": self.direction,
            "description": self.describe(),
        }


@dataclass(frozen=True)
class NewHigh(_PathSource):
    """Fires on every day t whose close is above the highest close of the previous ``n`` trading days.

    The previous days are t-n .. t-1 (day t excluded); the first possible day is t = n. Consecutive
    new highs are consecutive triggers: de-cluster with ``min_gap``. State: the same test.
    Records ``prior_high_<n>``.

    Parameters
    ----------
    n : int, default 252
        Previous trading days whose highest close must be beaten (>= 1).
    """

    n: int = 252
    highest: bool = field(default=True, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_trading_days(self.n, "n"))

    def check_fits(self, close: pd.Series) -> None:
        extreme = "high" if self.highest else "low"
        check_fits(
            f"new-{extreme} n",
            self.n,
            len(close),
            needed=self.n + 1,
            of=f"series {close.name!r}",
            why=f"a new {extreme} over the previous {self.n:,} closes needs at least {self.n + 1:,}",
        )

    def signal_on_path(self, values: np.ndarray) -> Signal:
        prior = signal_nb.prior_extreme_nb(values, self.n, self.highest)
        with np.errstate(invalid="ignore"):
            fired = values > prior if self.highest else values < prior
        fired &= ~np.isnan(prior)
        return Signal(
            trigger=fired, state=fired.copy(), values={f"prior_{'high' if self.highest else 'low'}_{self.n}": prior}
        )

    def describe(self) -> str:
        return f"close above the highest close of the previous {self.n} days"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("new_high") and n.
        """
        return {"kind": "new_high", "n": self.n}


@dataclass(frozen=True)
class NewLow(NewHigh):
    """Fires on every day t whose close is below the lowest close of the previous ``n`` trading days.

    The mirror of ``NewHigh``. Records ``prior_low_<n>``.

    Parameters
    ----------
    n : int, default 252
        Previous trading days whose lowest close must be beaten (>= 1).
    """

    highest: bool = field(default=False, init=False, repr=False)

    def describe(self) -> str:
        return f"close below the lowest close of the previous {self.n} days"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("new_low") and n.
        """
        return {"kind": "new_low", "n": self.n}


def _quoted(text: str, limit: int = 40) -> str:
    """``text`` shortened to ``limit`` characters and escaped (``repr``): safe on one line."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


@dataclass(frozen=True, eq=False)
class DateList:
    """Events on given dates (FOMC days, earnings, anything decided outside the price path).

    A date that is not a trading day of the data maps to the next trading day (a decision
    taken on a Saturday is first traded on Monday's close); dates before the first close or
    after the last one are dropped and listed in the signal's notes, never silently; two dates
    mapping to the same trading day make one trigger (noted). State: always True, so a
    confirmation only delays the event by ``confirm`` days. Exogenous (``price_only`` False).

    Parameters
    ----------
    dates : tuple[pd.Timestamp, ...]
        The event dates, anything ``pd.Timestamp`` reads; at least one, none missing. Kept
        sorted and normalised to midnight.
    label : str, default "dates"
        Name in texts (``DateList.from_csv`` uses the file's stem).

    Raises
    ------
    ParameterError
        No date, a missing value, or a value that is not a date.
    """

    dates: tuple[pd.Timestamp, ...]
    label: str = "dates"
    price_only: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        try:
            parsed = tuple(sorted(pd.Timestamp(d).normalize() for d in self.dates))
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"dates must be dates like 2008-12-16, got {exc}") from None
        if not parsed:
            raise ParameterError("dates must hold at least one date")
        if any(pd.isna(d) for d in parsed):
            raise ParameterError("dates must not hold missing values")
        object.__setattr__(self, "dates", parsed)

    @classmethod
    def from_csv(cls, path: str | Path, column: str = "date") -> DateList:
        """The dates of a CSV file's ``column`` (one date a row, other columns ignored).

        The file is checked and bounded first (``backtest.files.DATES_CSV``: a regular file
        of at most 8 MiB). No error repeats the file's content, so a file named by mistake
        (a key file, a password list) never reaches a terminal or a log: errors name the
        file, the column and the line, and a header is quoted only where a column differs
        from ``column`` in case alone."""
        path = Path(path)
        data = read_bytes(path, DATES_CSV, error=ParameterError)
        try:
            frame = pd.read_csv(io.BytesIO(data), dtype=str, skip_blank_lines=False, encoding="utf-8")
        except pd.errors.EmptyDataError:
            raise ParameterError(f"{path}: no header line (an empty dates file)") from None
        except UnicodeDecodeError:
            raise ParameterError(f"{path}: not a CSV file of dates (not UTF-8 text)") from None
        except (pd.errors.ParserError, ValueError) as exc:
            where = re.search(r"line \d+", str(exc))  # pandas' message names a line, never its text
            at = f" at {where.group(0)}" if where else ""
            raise ParameterError(f"{path}: not a CSV file of dates (cannot split it into columns{at})") from None
        if column not in frame.columns:
            similar = [str(name) for name in frame.columns if str(name).lower() == column.lower()]
            hint = f"; {_quoted(similar[0])} differs only in case" if similar else ""
            raise ParameterError(
                f"{path}: no {column!r} column in its header line ({len(frame.columns)} columns{hint})"
            )
        values = frame[column].str.strip().replace("", np.nan).dropna()
        dates = pd.to_datetime(values, format="mixed", errors="coerce")
        if dates.isna().any():
            line = int(values.index[np.flatnonzero(dates.isna().to_numpy())[0]]) + 2  # the header is line 1
            raise ParameterError(
                f"{path}: line {line}: column {column!r} holds a value that is not a date (like 2008-12-16)"
            )
        return cls(tuple(dates), label=path.stem)

    def mapping(self, index: pd.DatetimeIndex) -> pd.DataFrame:
        """One row per given date: ``date``, ``trading_date`` (NaT when dropped) and ``status``
        ("trading day", "next trading day", "before the data", "after the data")."""
        dates = pd.DatetimeIndex(self.dates)
        n = len(index)
        positions = index.searchsorted(dates, side="left")
        before = dates < index[0] if n else np.zeros(len(dates), dtype=bool)
        after = positions >= n
        inside = ~before & ~after
        mapped = pd.DatetimeIndex(
            np.where(inside, index.values[np.clip(positions, 0, max(n - 1, 0))], np.datetime64("NaT"))
        )
        status = np.select(
            [before, after, inside & (mapped == dates)],
            ["before the data", "after the data", "trading day"],
            default="next trading day",
        )
        return pd.DataFrame({"date": dates, "trading_date": mapped, "status": status})

    def signal(self, close: pd.Series) -> Signal:
        table = self.mapping(close.index)
        trigger = np.zeros(len(close), dtype=np.bool_)
        kept = table["trading_date"].notna().to_numpy()
        positions = close.index.searchsorted(table.loc[kept, "trading_date"])
        trigger[positions] = True
        notes = []
        moved = table[table["status"] == "next trading day"]
        if len(moved):
            notes.append(
                f"{self.label}: {len(moved)} dates are not trading days and map to the next one: "
                + ", ".join(f"{d.date()}->{m.date()}" for d, m in zip(moved["date"], moved["trading_date"]))
            )
        for status in ("before the data", "after the data"):
            dropped = table[table["status"] == status]
            if len(dropped):
                notes.append(
                    f"{self.label}: {len(dropped)} dates {status} dropped: "
                    + ", ".join(d.date().isoformat() for d in dropped["date"])
                )
        merged = int(kept.sum()) - int(trigger.sum())
        if merged:
            notes.append(f"{self.label}: {merged} dates share a trading day with another date (one event each day)")
        return Signal(trigger=trigger, state=np.ones(len(close), dtype=np.bool_), notes=tuple(notes))

    def signal_on_path(self, values: np.ndarray) -> Signal:
        return _not_on_path(self)

    def describe(self) -> str:
        return f"{len(self.dates)} listed dates ({self.label})"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("dates"), label, n_dates and the first and last date (ISO).
        """
        return {
            "kind": "dates",
            "label": self.label,
            "n_dates": len(self.dates),
            "first": self.dates[0].date().isoformat(),
            "last": self.dates[-1].date().isoformat(),
        }


# ---------------------------------------------------------------------------------------
# Conditions and combinations
# ---------------------------------------------------------------------------------------

_OPERATORS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_OPERATOR_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True, eq=False)
class Condition:
    """``line <operator> level`` on a day (False where the line is NaN).

    Not a source by itself: combined with one (``All(source, condition)``) it must hold on the trigger day and
    on each confirmation day, so with ``confirm=0`` it is read at the event's close, like the
    article's confirmation filters (``backtest.events.filters``). E.g. RSI <= 70:
    ``Condition(RSI(14), "<=", 70)``; VIX below 30: ``Condition(SeriesLevel(vix), "<", 30)``;
    falling yield: ``Condition(SeriesChange(tnx, 63), "<", 0)``; relative volume >= 1.5:
    ``Condition(RelativeVolume(volume, 50), ">=", 1.5)``; sector strength: ``Condition(
    SeriesLevel(mean_relative_strength(...)["mean"]), ">", 0)``.

    Parameters
    ----------
    line : Line
        The line read.
    operator : str
        One of "<", "<=", ">", ">=".
    level : float
        The level compared with, in the line's unit.
    """

    line: Line
    operator: str
    level: float

    def __post_init__(self) -> None:
        _check_line("line", self.line)
        if self.operator not in _OPERATORS:
            raise ParameterError(f"operator must be one of {', '.join(_OPERATORS)}, got {self.operator!r}")
        object.__setattr__(self, "level", _number("level", self.level))

    @classmethod
    def from_filter(cls, rule: object, line: Line) -> Condition:
        """The condition of a confirmation filter (``FilterRule``) read on ``line``."""
        return cls(line, rule.operator, rule.threshold)  # type: ignore[attr-defined]

    @property
    def price_only(self) -> bool:
        return self.line.price_only

    def holds_values(self, values: np.ndarray) -> np.ndarray:
        """True where a (finite) value of the line satisfies the condition."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return _OPERATORS[self.operator](values, self.level) & np.isfinite(values)

    def holds(self, close: pd.Series) -> np.ndarray:
        """The condition on each day of ``close``."""
        return self.holds_values(self.line.on(close))

    def describe(self) -> str:
        return f"{self.line.describe()} {_OPERATOR_TEXT[self.operator]} {self.level:g}"


@dataclass(frozen=True, eq=False)
class All:
    """Fires when every source part fires on the same day and every condition holds that day.

    Its state is every part's state and condition together. ``All(MACross(), Condition(RSI(14),
    "<=", 70))`` is the golden cross with the article's RSI filter.

    Parameters
    ----------
    *parts : EventSource or Condition
        Event sources and conditions; at least one event source.

    Raises
    ------
    ParameterError
        No event source among the parts, or a part that is neither a source nor a Condition.
    """

    parts: tuple[object, ...]

    def __init__(self, *parts: object) -> None:
        if not parts:
            raise ParameterError("All needs at least one event source")
        for i, part in enumerate(parts):
            if not isinstance(part, (Condition, EventSource)):
                raise ParameterError(f"part {i + 1} of All must be an event source or a Condition, got {part!r}")
        if not any(isinstance(part, EventSource) for part in parts):
            raise ParameterError("All needs at least one event source besides its conditions")
        object.__setattr__(self, "parts", tuple(parts))

    @property
    def price_only(self) -> bool:
        return all(part.price_only for part in self.parts)  # type: ignore[attr-defined]

    def _combine(self, signals: list[Signal], lines: list[np.ndarray]) -> Signal:
        conditions = [p for p in self.parts if isinstance(p, Condition)]
        holds = [condition.holds_values(values) for condition, values in zip(conditions, lines)]
        values: dict[str, np.ndarray] = {}
        for s in signals:
            for name, column in s.values.items():
                values.setdefault(name, column)
        for condition, column in zip(conditions, lines):
            values.setdefault(condition.line.name, np.asarray(column, dtype=float))
        return Signal(
            trigger=np.logical_and.reduce([s.trigger for s in signals] + holds),
            state=np.logical_and.reduce([s.state for s in signals] + holds),
            values=values,
            notes=tuple(n for s in signals for n in s.notes),
        )

    def signal(self, close: pd.Series) -> Signal:
        signals = [p.signal(close) for p in self.parts if not isinstance(p, Condition)]  # type: ignore[attr-defined]
        lines = [p.line.on(close) for p in self.parts if isinstance(p, Condition)]
        return self._combine(signals, lines)

    def signal_on_path(self, values: np.ndarray) -> Signal:
        if not self.price_only:
            return _not_on_path(self)
        signals = [p.signal_on_path(values) for p in self.parts if not isinstance(p, Condition)]  # type: ignore[attr-defined]
        lines = [p.line.on_path(values) for p in self.parts if isinstance(p, Condition)]
        return self._combine(signals, lines)

    def describe(self) -> str:
        return " and ".join(part.describe() for part in self.parts)  # type: ignore[attr-defined]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("all"), each part's dict (a condition as its description) and description.
        """
        return {
            "kind": "all",
            "parts": [p.to_dict() if not isinstance(p, Condition) else {"condition": p.describe()} for p in self.parts],
            "description": self.describe(),
        }


@dataclass(frozen=True, eq=False)
class Any:
    """Fires when any of its sources fires; state: any of their states.

    Parameters
    ----------
    *parts : EventSource
        The event sources; at least one.

    Raises
    ------
    ParameterError
        No part, or a part that is not an event source.
    """

    parts: tuple[EventSource, ...]

    def __init__(self, *parts: EventSource) -> None:
        if not parts:
            raise ParameterError("Any needs at least one event source")
        object.__setattr__(self, "parts", tuple(check_source(p, f"part {i + 1} of Any") for i, p in enumerate(parts)))

    @property
    def price_only(self) -> bool:
        return all(part.price_only for part in self.parts)

    def _combine(self, signals: list[Signal]) -> Signal:
        values: dict[str, np.ndarray] = {}
        for s in signals:
            for name, column in s.values.items():
                values.setdefault(name, column)
        return Signal(
            trigger=np.logical_or.reduce([s.trigger for s in signals]),
            state=np.logical_or.reduce([s.state for s in signals]),
            values=values,
            notes=tuple(n for s in signals for n in s.notes),
        )

    def signal(self, close: pd.Series) -> Signal:
        return self._combine([p.signal(close) for p in self.parts])

    def signal_on_path(self, values: np.ndarray) -> Signal:
        if not self.price_only:
            return _not_on_path(self)
        return self._combine([p.signal_on_path(values) for p in self.parts])

    def describe(self) -> str:
        return " or ".join(part.describe() for part in self.parts)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters, ``kind`` naming the source.

        Returns
        -------
        dict[str, object]
            ``kind`` ("any"), each part's dict and description.
        """
        return {"kind": "any", "parts": [p.to_dict() for p in self.parts], "description": self.describe()}
