"""Event rules: a copy with another source or timing, and the one definition of a horizon's window length."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.events import EventRules, MACross, NewHigh
from backtest.events.rules import calendar_month_horizons, horizon_offsets, trading_day_horizons


def horizon_offsets_twin(index: pd.DatetimeIndex, entries, horizons) -> np.ndarray:
    """Per entry: the first trading day on or after entry date + months, minus the entry."""
    out = np.empty((len(entries), len(horizons)), dtype=np.int64)
    for j, horizon in enumerate(horizons):
        for i, entry in enumerate(entries):
            if horizon.days is not None:
                out[i, j] = horizon.days
            elif entry < 0 or entry >= len(index):
                out[i, j] = -1
            else:
                target = index[entry] + pd.DateOffset(months=horizon.months)
                out[i, j] = int(index.searchsorted(target, side="left")) - int(entry)
    return out


def test_horizon_offsets_match_the_per_entry_twin_on_the_real_calendar(russell2000) -> None:
    index = russell2000.close.index
    entries = np.concatenate([[-1], np.arange(0, len(index), 7), [len(index) - 1, len(index)]])
    horizons = calendar_month_horizons((1, 3, 12)) + trading_day_horizons((21,))
    np.testing.assert_array_equal(
        horizon_offsets(index, entries, horizons), horizon_offsets_twin(index, entries, horizons)
    )


def test_replace_changes_the_source_or_the_timing() -> None:
    rules = EventRules(start="1990-01-01", confirm=2)
    assert rules.replace(source=MACross(20, 100)).source == MACross(20, 100)
    assert rules.replace(source=MACross(20, 100)).confirm == 2
    assert rules.replace(min_gap=5).source == MACross() and rules.replace(min_gap=5).min_gap == 5
    assert rules.replace(source=NewHigh(20)).confirm == 2
