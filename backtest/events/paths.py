"""Event-aligned price paths: each entry's following closes rebased to 100.

Used for the "what happened next" figure. Row k of the result is k trading days after
entry (negative k: before it, how the series got there); a path that reaches past either
end of the data is NaN there (never extended or filled). ``mean_path_interval`` gives the
events' mean path with its confidence band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.signals.moving_averages import close_array


def aligned_paths(
    close: pd.Series, entry_pos: np.ndarray, days: int = 252, labels: list[str] | None = None, before: int = 0
) -> pd.DataFrame:
    """Closes from ``before`` trading days before each entry to ``days`` after it, rebased
    to 100 at entry.

    Returns a DataFrame indexed by trading days after entry (-before..days), one column per entry.
    """
    if before < 0:
        raise ValueError(f"before must be >= 0 trading days, got {before}")
    values = close_array(close)
    entries = np.asarray(entry_pos, dtype=np.int64)
    n = len(values)
    offsets = np.arange(-before, days + 1)
    positions = entries[None, :] + offsets[:, None]
    inside = (positions >= 0) & (positions < n) & (entries[None, :] < n)
    gathered = np.where(inside, values[np.clip(positions, 0, n - 1)], np.nan)
    base = np.where(entries < n, values[np.clip(entries, 0, n - 1)], np.nan)
    frame = pd.DataFrame(
        100.0 * gathered / base[None, :], index=pd.RangeIndex(-before, days + 1, name="days_after_entry")
    )
    if labels is not None:
        frame.columns = labels
    return frame


def mean_path_interval(paths: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """The events' mean path with a Student-t confidence interval, day by day.

    paths: ``aligned_paths`` output (one column per event). Each day uses the events whose
    path exists that day (``n``); the interval is mean +- t_{(1+confidence)/2, n-1} * sd / sqrt(n)
    across events, treating them as independent draws (events months apart; overlapping
    windows of close events make it somewhat too narrow). NaN where n < 2.
    Returns columns mean, low, high, n indexed like ``paths``.
    """
    import scipy.special  # stdtrit is scipy.stats.t.ppf without importing scipy.stats

    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    values = paths.to_numpy(dtype=np.float64)
    n = np.isfinite(values).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(np.where(n[:, None] > 0, values, 0.0), axis=1) if values.size else np.full(len(paths), np.nan)
        mean = np.where(n > 0, mean, np.nan)
        sd = np.nanstd(values, axis=1, ddof=1) if values.shape[1] > 1 else np.full(len(paths), np.nan)
        half = scipy.special.stdtrit(np.maximum(n - 1, 1), 0.5 + confidence / 2.0) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half, "n": n}, index=paths.index)
