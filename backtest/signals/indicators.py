"""Confirmation indicators read at an event: RSI, relative volume, relative strength, trailing
change, and which days' look-back windows touch a flagged data defect.

Thin typed wrappers around ``backtest.signals.nb``: pandas Series in, validated float64
arrays to the kernels, Series with the input's dates out. Every value on day t depends only on
inputs up to day t (no look-ahead; tests/signals/test_indicators.py proves it by truncation).
Windows are checked by ``backtest.checks.check_trading_days`` (at most ``MAX_WINDOW_DAYS``); a
window longer than the series gives NaN here (so truncation keeps values), and the event
lines that read these indicators refuse it (``backtest.checks.check_fits``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from backtest.checks import check_trading_days
from backtest.errors import ParameterError
from backtest.signals import nb
from backtest.signals.moving_averages import close_array


def _dated(name: str, series: object) -> pd.Series:
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise ParameterError(f"{name} must be a pandas Series with a DatetimeIndex, got {type(series).__name__}")
    if not series.index.is_monotonic_increasing or series.index.has_duplicates:
        raise ParameterError(f"{name} ({series.name!r}) must have sorted, unique dates")
    return series


def rsi(close: pd.Series, window: int = 14) -> pd.Series:
    """Wilder's relative strength index of ``close`` over ``window`` daily changes (0-100).

    Wilder's smoothing: the first average gain and loss are simple means over the first
    ``window`` changes, later ones ``avg = (avg_prev * (window - 1) + x) / window``. NaN for the
    first ``window`` closes; 100 when there was no loss in the smoothed window, 50 when the
    price did not move at all. (vectorbt's ``RSI`` is a different convention: a simple rolling
    mean by default, a span-based EWM with ``ewm=True``.)
    """
    close = _dated("close", close)
    window = check_trading_days(window, "window")
    values = nb.rsi_wilder_nb(close_array(close), window)
    return pd.Series(values, index=close.index, name=f"rsi_{window}")


def relative_volume(volume: pd.Series, window: int = 50, min_valid: int | None = None) -> pd.Series:
    """Volume on day t divided by the mean volume of the ``window`` days before t.

    Zero or missing volumes count as missing (Yahoo writes 0 for rows without volume, e.g.
    intraday partial bars); the average is over the days among the ``window`` that have a
    volume and needs at least ``min_valid`` of them (default: all ``window``), and day t needs
    its own volume. 1.0 = an average day; 1.5 = half as much again.
    """
    volume = _dated("volume", volume)
    window = check_trading_days(window, "window")
    min_valid = window if min_valid is None else check_trading_days(min_valid, "min_valid")
    if min_valid > window:
        raise ParameterError(f"min_valid must be at most window={window}, got {min_valid}")
    values = np.asarray(volume.to_numpy(dtype=np.float64), dtype=np.float64)
    if (values < 0).any():
        first = volume.index[int(np.argmax(values < 0))]
        raise ParameterError(f"volume {volume.name!r} holds negative values (first on {first.date()})")
    values = np.ascontiguousarray(np.where(np.isfinite(values) & (values > 0), values, np.nan))
    relative = nb.relative_volume_nb(values, window, min_valid)
    return pd.Series(relative, index=volume.index, name=f"relative_volume_{window}")


def relative_strength(asset: pd.Series, benchmark: pd.Series, window: int = 63) -> pd.Series:
    """The asset's return over ``window`` trading days relative to the benchmark's:
    (asset_t / asset_{t-window}) / (benchmark_t / benchmark_{t-window}) - 1.

    Computed on the dates both series have (their intersection), so ``window`` counts common
    trading days; > 0 means the asset outperformed. Prices must be finite and positive.
    """
    asset = _dated("asset", asset)
    benchmark = _dated("benchmark", benchmark)
    window = check_trading_days(window, "window")
    common = asset.index.intersection(benchmark.index)
    asset_values = close_array(asset.reindex(common))
    benchmark_values = close_array(benchmark.reindex(common))
    values = nb.relative_strength_nb(asset_values, benchmark_values, window)
    return pd.Series(values, index=common, name=f"rs_{asset.name}_{window}")


def mean_relative_strength(assets: Mapping[str, pd.Series], benchmark: pd.Series, window: int = 63) -> pd.DataFrame:
    """``relative_strength`` of each asset against ``benchmark`` (one column per asset, named
    by its key) and their equal-weight average in column ``mean`` (NaN unless every asset has
    a value that day), on the dates all of them share."""
    if not assets:
        raise ParameterError("assets must name at least one series")
    columns = {name: relative_strength(series, benchmark, window) for name, series in assets.items()}
    frame = pd.concat(columns, axis=1, join="inner")
    frame["mean"] = frame.mean(axis=1, skipna=False)
    frame.index.name = "date"
    return frame


def trailing_change(values: pd.Series, window: int = 63) -> pd.Series:
    """values_t - values_{t-window} over ``window`` observations of the series (in its units;
    for ^TNX, tenths of a percentage point). NaN where either end is missing."""
    values = _dated("values", values)
    window = check_trading_days(window, "window")
    array = np.ascontiguousarray(values.to_numpy(dtype=np.float64))
    if np.isinf(array).any():
        raise ParameterError(f"values {values.name!r} hold infinite entries")
    return pd.Series(nb.trailing_change_nb(array, window), index=values.index, name=f"change_{window}")


def lookback_touches(index: pd.DatetimeIndex, flagged_dates: Iterable[object], window: int = 63) -> pd.Series:
    """True on the days of ``index`` whose ``window``-day look-back (t-window, t] contains a
    flagged date, i.e. whose trailing change includes a flagged move (e.g. a split missing
    from adjusted closes, which the validator reports as a large move). Flagged dates after
    the index end are ignored."""
    if not isinstance(index, pd.DatetimeIndex):
        raise ParameterError(f"index must be a DatetimeIndex, got {type(index).__name__}")
    window = check_trading_days(window, "window")
    try:
        dates = pd.DatetimeIndex([pd.Timestamp(d) for d in flagged_dates])
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"flagged_dates must be dates, got {exc}") from None
    # a flagged date the index lacks (another calendar) marks the next date it has: the move
    # into that date contains the flagged one
    positions = index.searchsorted(dates, side="left")
    flags = np.zeros(len(index), dtype=np.bool_)
    flags[positions[positions < len(index)]] = True
    return pd.Series(nb.lookback_touches_nb(flags, window), index=index, name=f"touches_flag_{window}")
