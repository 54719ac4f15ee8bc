"""Signal kernels shared by every stage: moving averages, crossovers and indicators.

A public kernel module in the manner of vectorbt's ``generic/nb.py``: plain float64 arrays in
and out, no pandas; each kernel's docstring names its pandas twin (the readable reference its
tests compare against). Used by ``backtest.signals`` (the typed wrappers), by the event
sources of ``backtest.events.sources`` (also on bootstrapped price paths inside
``backtest.stats``) and by the sweep's moving-average grid. Conventions: every value on day t
reads inputs at t and before only; an average is NaN until ``window`` observations exist; a
cross on day t needs both lines defined on t-1 and t. Inputs are assumed finite unless a
kernel says otherwise; wrappers validate them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SMA = 0
EMA = 1

GOLDEN = 1
DEATH = -1


@njit(cache=True, nogil=True)
def _prefix_sums_nb(close: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running totals of ``close`` in double-double: total i (the first i closes, total 0 = 0)
    is ``high[i] + low[i]``, ``high`` the float sum and ``low`` the rounding errors it dropped
    (Knuth's TwoSum), so a window's sum ``(high[b] - high[a]) + (low[b] - low[a])`` keeps
    ~1e-16 relative agreement with a direct mean over 40 years of daily data. One chain of
    additions per close, shared by every window (a Kahan running sum per window costs two
    compensated additions per close and window, slower for a pair)."""
    n = close.shape[0]
    high = np.empty(n + 1)
    low = np.empty(n + 1)
    high[0] = 0.0
    low[0] = 0.0
    total = 0.0
    error = 0.0
    for i in range(n):
        value = close[i]
        new_total = total + value
        value_part = new_total - total
        error += (total - (new_total - value_part)) + (value - value_part)
        total = new_total
        high[i + 1] = total
        low[i + 1] = error
    return high, low


@njit(cache=True, nogil=True)
def _window_means_nb(high: np.ndarray, low: np.ndarray, window: int) -> np.ndarray:
    """Means of every ``window`` consecutive closes from ``_prefix_sums_nb`` (NaN before the first)."""
    n = high.shape[0] - 1
    out = np.full(n, np.nan)
    for i in range(window - 1, n):
        out[i] = ((high[i + 1] - high[i + 1 - window]) + (low[i + 1] - low[i + 1 - window])) / window
    return out


@njit(cache=True, nogil=True)
def sma_nb(close: np.ndarray, window: int) -> np.ndarray:
    """Simple moving average: differences of double-double running totals (``_prefix_sums_nb``).

    Pandas twin: ``pd.Series(close).rolling(window).mean()``."""
    high, low = _prefix_sums_nb(close)
    return _window_means_nb(high, low, window)


@njit(cache=True, nogil=True)
def sma_pair_nb(close: np.ndarray, fast: int, slow: int) -> tuple[np.ndarray, np.ndarray]:
    """``(sma_nb(close, fast), sma_nb(close, slow))``, bit for bit, from one pass of running
    totals (the bootstrapped-path null computes both lines on every path). Pandas twin: the
    two rolling means."""
    high, low = _prefix_sums_nb(close)
    return _window_means_nb(high, low, fast), _window_means_nb(high, low, slow)


@njit(cache=True, nogil=True)
def ema_nb(close: np.ndarray, window: int) -> np.ndarray:
    """Exponential moving average with span ``window`` and ``adjust=False`` recursion,
    seeded with the first close, reported from the ``window``-th observation on.

    Equals ``pd.Series(close).ewm(span=window, adjust=False, min_periods=window).mean()``
    (its pandas twin), which is also what vectorbt's ``MA.run(..., ewm=True)`` computes.
    """
    n = close.shape[0]
    out = np.full(n, np.nan)
    if n == 0:
        return out
    alpha = 2.0 / (window + 1.0)
    value = close[0]
    if window <= 1:
        out[0] = value
    for i in range(1, n):
        value = value + alpha * (close[i] - value)
        if i >= window - 1:
            out[i] = value
    return out


@njit(cache=True, nogil=True)
def crossings_nb(fast: np.ndarray, slow: np.ndarray, direction: int) -> np.ndarray:
    """Boolean array: True on day t where ``fast`` crosses ``slow``.

    Golden (direction=+1): fast <= slow on t-1 and fast > slow on t.
    Death (direction=-1): fast >= slow on t-1 and fast < slow on t.
    Both averages must be defined (not NaN) on both days, so day 0 is never a cross.
    Works for any two lines (a line against a constant level included).

    Pandas twin: ``(fast.shift() <= slow.shift()) & (fast > slow)`` (golden) with both
    lines non-NaN on both days.
    """
    n = fast.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for t in range(1, n):
        f0 = fast[t - 1]
        s0 = slow[t - 1]
        f1 = fast[t]
        s1 = slow[t]
        if np.isnan(f0) or np.isnan(s0) or np.isnan(f1) or np.isnan(s1):
            continue
        if direction == GOLDEN:
            out[t] = f0 <= s0 and f1 > s1
        else:
            out[t] = f0 >= s0 and f1 < s1
    return out


# --- indicators (``backtest.signals.indicators``) -------------------------------------------
# Every value on day t reads inputs at t and before only. Missing inputs are NaN; wrappers
# turn non-positive volumes and prices into NaN or errors before calling these.


@njit(cache=True, nogil=True)
def rsi_wilder_nb(close: np.ndarray, window: int) -> np.ndarray:
    """Wilder's RSI (Wilder 1978, "New Concepts in Technical Trading Systems", ch. 6).

    Changes d_t = close[t] - close[t-1]; the first average gain / loss is the simple mean of
    the gains / losses of d_1 .. d_window, then avg_t = (avg_{t-1} * (window - 1) + x_t) /
    window (an exponential average with alpha = 1 / window). RSI = 100 - 100 / (1 + avg_gain
    / avg_loss), 100 when avg_loss is 0, and 50 when both are 0 (a flat window: neither side
    dominates). NaN before position ``window``. ``close`` must be finite.

    Pandas twin: gains/losses of ``close.diff()``, seeded with their mean over changes
    1..window, then ``.ewm(alpha=1 / window, adjust=False)`` (tests/events/test_sources.py).
    """
    n = close.shape[0]
    out = np.full(n, np.nan)
    if n <= window:
        return out
    gain = 0.0
    loss = 0.0
    for t in range(1, window + 1):
        change = close[t] - close[t - 1]
        if change > 0.0:
            gain += change
        else:
            loss -= change
    gain /= window
    loss /= window
    for t in range(window, n):
        if t > window:
            change = close[t] - close[t - 1]
            up = change if change > 0.0 else 0.0
            down = -change if change < 0.0 else 0.0
            gain = (gain * (window - 1) + up) / window
            loss = (loss * (window - 1) + down) / window
        if loss == 0.0:
            out[t] = 50.0 if gain == 0.0 else 100.0
        else:
            out[t] = 100.0 - 100.0 / (1.0 + gain / loss)
    return out


@njit(cache=True, nogil=True)
def relative_volume_nb(volume: np.ndarray, window: int, min_valid: int) -> np.ndarray:
    """volume[t] / mean of the non-missing volumes among volume[t-window .. t-1]: the day
    against the ``window`` days before it (the day judged is not part of its own benchmark).
    NaN when volume[t] is NaN or fewer than ``min_valid`` of the earlier days have a volume
    (a gap is skipped, never filled).

    Pandas twin: ``volume / volume.shift(1).rolling(window, min_periods=min_valid).mean()``."""
    n = volume.shape[0]
    out = np.full(n, np.nan)
    for t in range(window, n):
        if np.isnan(volume[t]):
            continue
        total = 0.0
        count = 0
        for k in range(t - window, t):
            if not np.isnan(volume[k]):
                total += volume[k]
                count += 1
        if count >= min_valid and total > 0.0:
            out[t] = volume[t] / (total / count)
    return out


@njit(cache=True, nogil=True)
def relative_strength_nb(asset: np.ndarray, benchmark: np.ndarray, window: int) -> np.ndarray:
    """(asset[t] / asset[t-window]) / (benchmark[t] / benchmark[t-window]) - 1: the asset's
    return over ``window`` observations relative to the benchmark's (0 = kept pace). NaN
    where an input at t or t-window is NaN.

    Pandas twin: ``(asset.pct_change(window) + 1) / (benchmark.pct_change(window) + 1) - 1``."""
    n = asset.shape[0]
    out = np.full(n, np.nan)
    for t in range(window, n):
        a0 = asset[t - window]
        a1 = asset[t]
        b0 = benchmark[t - window]
        b1 = benchmark[t]
        if np.isnan(a0) or np.isnan(a1) or np.isnan(b0) or np.isnan(b1):
            continue
        out[t] = (a1 / a0) / (b1 / b0) - 1.0
    return out


@njit(cache=True, nogil=True)
def trailing_change_nb(values: np.ndarray, window: int) -> np.ndarray:
    """values[t] - values[t-window] (NaN where either is NaN or t < window).

    Pandas twin: ``s - s.shift(window)`` (``s.diff(window)``)."""
    n = values.shape[0]
    out = np.full(n, np.nan)
    for t in range(window, n):
        out[t] = values[t] - values[t - window]
    return out


@njit(cache=True, nogil=True)
def lookback_touches_nb(flags: np.ndarray, window: int) -> np.ndarray:
    """True on day t when any flags[t-window+1 .. t] is True: a ``window``-observation change
    ending on t contains the move of a flagged day (the move into day d is part of every
    window (t-window, t] holding d).

    Pandas twin: ``flags.rolling(window, min_periods=1).max().astype(bool)``."""
    n = flags.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    last_flag = -1
    for t in range(n):
        if flags[t]:
            last_flag = t
        out[t] = last_flag >= 0 and t - last_flag < window
    return out


@njit(cache=True, nogil=True)
def beyond_nb(a: np.ndarray, b: np.ndarray, direction: int) -> np.ndarray:
    """True where ``a`` is strictly on the signal side of ``b`` (above for GOLDEN, below for
    DEATH); False where either is NaN. The state a confirmation asks to persist after a cross.

    Pandas twin: ``a > b`` (golden) or ``a < b`` (death), NaN comparing False."""
    n = a.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        if np.isnan(a[t]) or np.isnan(b[t]):
            continue
        out[t] = a[t] > b[t] if direction == GOLDEN else a[t] < b[t]
    return out


@njit(cache=True, nogil=True)
def rate_of_change_nb(values: np.ndarray, window: int) -> np.ndarray:
    """values[t] / values[t-window] - 1 (NaN for t < window or a NaN end).

    Pandas twin: ``s / s.shift(window) - 1`` (``s.pct_change(window)`` without filling)."""
    n = values.shape[0]
    out = np.full(n, np.nan)
    for t in range(window, n):
        out[t] = values[t] / values[t - window] - 1.0
    return out


@njit(cache=True, nogil=True)
def zscore_nb(values: np.ndarray, window: int) -> np.ndarray:
    """(values[t] - mean) / std of values[t-window+1 .. t] (sample std, ddof=1); NaN until
    ``window`` values exist, where the window holds a NaN, or where the std is 0.

    Pandas twin: ``(s - s.rolling(window).mean()) / s.rolling(window).std()``."""
    n = values.shape[0]
    out = np.full(n, np.nan)
    if window < 2:
        return out
    for t in range(window - 1, n):
        total = 0.0
        for k in range(t - window + 1, t + 1):
            total += values[k]
        if np.isnan(total):
            continue
        mean = total / window
        squares = 0.0
        for k in range(t - window + 1, t + 1):
            squares += (values[k] - mean) ** 2
        std = np.sqrt(squares / (window - 1))
        if std > 0.0:
            out[t] = (values[t] - mean) / std
    return out


@njit(cache=True, nogil=True)
def drawdown_nb(values: np.ndarray) -> np.ndarray:
    """values[t] / max(values[0 .. t]) - 1: the fall from the running peak (<= 0).

    Pandas twin: ``s / s.cummax() - 1``."""
    n = values.shape[0]
    out = np.full(n, np.nan)
    peak = -np.inf
    for t in range(n):
        if values[t] > peak:
            peak = values[t]
        out[t] = values[t] / peak - 1.0
    return out


@njit(cache=True, nogil=True)
def prior_extreme_nb(values: np.ndarray, window: int, highest: bool) -> np.ndarray:
    """Highest (``highest``) or lowest of values[t-window .. t-1], the ``window`` days before t
    (day t itself excluded); NaN for t < window.

    O(n) whatever the window (van Herk 1992 / Gil & Werman 1993): running extremes from the
    start and from the end of each block of ``window`` values; a window straddles at most two
    blocks. Values holding a NaN take the direct scan instead, whose NaN handling (a NaN
    first value is kept, later ones are skipped) the block form cannot reproduce.

    Pandas twin: ``s.shift(1).rolling(window).max()`` (``.min()`` for the lowest)."""
    n = values.shape[0]
    out = np.full(n, np.nan)
    has_nan = False
    for t in range(n):
        has_nan |= values[t] != values[t]
    if has_nan:
        for t in range(window, n):
            extreme = values[t - window]
            for k in range(t - window + 1, t):
                if (values[k] > extreme) if highest else (values[k] < extreme):
                    extreme = values[k]
            out[t] = extreme
        return out
    sign = 1.0 if highest else -1.0
    forward = np.empty(n)
    backward = np.empty(n)
    for k in range(n):
        v = sign * values[k]
        forward[k] = v if k % window == 0 else max(forward[k - 1], v)
    for k in range(n - 1, -1, -1):
        v = sign * values[k]
        backward[k] = v if (k % window == window - 1 or k == n - 1) else max(backward[k + 1], v)
    for t in range(window, n):
        out[t] = sign * max(backward[t - window], forward[t - 1])
    return out
