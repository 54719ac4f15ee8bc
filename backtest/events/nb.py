"""Event kernels shared across stages: event timing and forward-window measurements.

A public kernel module (vectorbt's ``nb`` convention): plain arrays in and out, each
kernel's docstring names its readable twin. Used by ``backtest.events`` (single series),
``backtest.stats`` (bootstrapped paths, out-of-sample) and ``backtest.sweep`` (the grid).
Positions are integer indices into the close array; a forward window for an entry at
position ``e`` and an offset ``h`` covers closes ``e .. e + h``.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numba import njit

from backtest.threads import run_in_threads


@njit(cache=True, nogil=True, inline="always")
def timed_event_nb(
    state: np.ndarray, n: int, t: int, first_pos: int, last_pos: int, confirm: int, min_gap: int, last_kept: int
) -> int:
    """The timing rules of every event source, in one place: the event position of a trigger
    on day t, or -1 when the rules drop it.

    The trigger is confirmed when the source's condition still holds (``state[k]``) on every
    day k = t+1 .. t+confirm; the event is dated on the confirmation day t+confirm (known
    then, not before). It is kept when that date lies in [first_pos, last_pos] and, with
    ``min_gap`` > 0, when it is more than ``min_gap`` trading days after ``last_kept`` (the
    previous kept event, -1 for none). ``n``: the number of days; only state[t+1 ..
    t+confirm] is read (nothing when ``confirm`` is 0).

    Called (inlined) by ``select_events_nb`` (single series, bootstrapped paths) and by the
    sweep's fused moving-average grid kernel (``backtest.sweep._kernels``). Readable twin:
    ``tests/events/test_nb.py::select_events_twin``.
    """
    event_pos = t + confirm
    if event_pos >= n or event_pos < first_pos or event_pos > last_pos:
        return -1
    for k in range(t + 1, event_pos + 1):
        if not state[k]:
            return -1
    if min_gap > 0 and last_kept >= 0 and event_pos - last_kept <= min_gap:
        return -1
    return event_pos


@njit(cache=True, nogil=True)
def select_events_nb(
    trigger: np.ndarray, state: np.ndarray, first_pos: int, last_pos: int, confirm: int, min_gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """(event positions, trigger positions) of one source's signal: every trigger (the days
    ``trigger`` is True) through ``timed_event_nb``, in date order.

    Readable twin: ``tests/events/test_nb.py::select_events_twin``.
    """
    n = trigger.shape[0]
    events = np.empty(n, dtype=np.int64)
    triggers = np.empty(n, dtype=np.int64)
    count = 0
    last_kept = -1
    for t in range(n):
        if not trigger[t]:
            continue
        event_pos = timed_event_nb(state, n, t, first_pos, last_pos, confirm, min_gap, last_kept)
        if event_pos < 0:
            continue
        events[count] = event_pos
        triggers[count] = t
        count += 1
        last_kept = event_pos
    return events[:count].copy(), triggers[:count].copy()


@njit(cache=True, nogil=True)
def measure_window_nb(close: np.ndarray, entry: int, end: int, out: np.ndarray) -> None:
    """Measurements of one window close[entry..end] written into out[0..5]:
    forward return, max drawdown, max adverse and favourable excursion, days to the
    trough, days until the entry level is regained after the trough (NaN: not within).

    Pandas twin: ``tests/events/test_study.py::pandas_forward_reference``."""
    entry_level = close[entry]
    peak = entry_level
    max_drawdown = 0.0
    low = entry_level
    high = entry_level
    trough_offset = 0
    for t in range(entry, end + 1):
        price = close[t]
        if price > peak:
            peak = price
        drawdown = price / peak - 1.0
        if drawdown < max_drawdown:
            max_drawdown = drawdown
        if price < low:
            low = price
            trough_offset = t - entry
        if price > high:
            high = price
    days_to_recover = np.nan
    if low >= entry_level:
        days_to_recover = 0.0
    else:
        for t in range(entry + trough_offset + 1, end + 1):
            if close[t] >= entry_level:
                days_to_recover = float(t - entry)
                break
    out[0] = close[end] / entry_level - 1.0
    out[1] = max_drawdown
    out[2] = low / entry_level - 1.0
    out[3] = high / entry_level - 1.0
    out[4] = float(trough_offset)
    out[5] = days_to_recover


N_MEASURES = 6


@njit(cache=True, nogil=True)
def forward_measures_nb(
    close: np.ndarray, entries: np.ndarray, offsets: np.ndarray, out: np.ndarray, start: int, stop: int
) -> None:
    """Forward-window measurements for many entries and horizons.

    ``entries[i]`` is a position (or -1 when there is no entry yet); ``offsets[i, j]`` the
    window length in trading days of horizon j for entry i. Fills rows start .. stop - 1 of
    ``out`` (entries, horizons, N_MEASURES), NaN on entry; a window that runs past the data
    end stays all NaN. Rows are independent, so ``forward_measures`` runs disjoint ranges
    in threads (``backtest.threads``; a parfor here cost compile time and, on short
    series, more in thread start-up than the work).

    Pandas twin: ``pandas_forward_reference`` per (entry, horizon) (tests/events/test_study.py).
    """
    n = close.shape[0]
    n_horizons = offsets.shape[1]
    for i in range(start, stop):
        entry = entries[i]
        if entry < 0 or entry >= n:
            continue
        for j in range(n_horizons):
            end = entry + offsets[i, j]
            if offsets[i, j] < 0 or end >= n:
                continue
            measure_window_nb(close, entry, end, out[i, j])


def forward_measures(close: np.ndarray, entries: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(entries, horizons, N_MEASURES): every row of ``forward_measures_nb``, in threads."""
    out = np.full((offsets.shape[0], offsets.shape[1], N_MEASURES), np.nan)
    run_in_threads(offsets.shape[0], partial(forward_measures_nb, close, entries, offsets, out))
    return out


@njit(cache=True, nogil=True)
def forward_returns_nb(close: np.ndarray, horizon: int) -> np.ndarray:
    """close[t + horizon] / close[t] - 1 for every day t (NaN where the window is incomplete).

    Pandas twin: ``close.shift(-horizon) / close - 1``."""
    n = close.shape[0]
    out = np.full(n, np.nan)
    for t in range(n - horizon):
        out[t] = close[t + horizon] / close[t] - 1.0
    return out
