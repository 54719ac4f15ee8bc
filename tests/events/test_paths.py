"""Event-aligned paths before and after entry, and the events' mean path interval."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from backtest.events.paths import aligned_paths, mean_path_interval


def _close(n: int = 50) -> pd.Series:
    return pd.Series(np.arange(1.0, n + 1.0), index=pd.bdate_range("2020-01-01", periods=n))


def test_paths_before_entry_are_rebased_to_entry_and_nan_before_the_data():
    paths = aligned_paths(_close(), np.array([3, 20]), days=5, before=5)
    assert list(paths.index) == list(range(-5, 6))
    assert paths.loc[0].tolist() == [100.0, 100.0]
    # entry at position 3 (close 4): two days before is close 2; five days before is outside the data
    assert paths.loc[-2, 0] == pytest.approx(50.0)
    assert np.isnan(paths.loc[-5, 0]) and np.isfinite(paths.loc[-5, 1])


def test_default_paths_start_at_entry():
    assert aligned_paths(_close(), np.array([3]), days=4).index[0] == 0


def test_mean_path_interval_is_the_student_t_interval_of_each_day():
    rng = np.random.default_rng(0)
    paths = pd.DataFrame(100 + rng.normal(size=(6, 8)).cumsum(axis=0))
    paths.iloc[4:, 7] = np.nan  # one path ends early: n drops to 7 there
    band = mean_path_interval(paths, 0.9)
    for day in (1, 5):
        row = paths.loc[day].dropna()
        low, high = stats.t.interval(0.9, len(row) - 1, loc=row.mean(), scale=stats.sem(row))
        assert band.loc[day, "n"] == len(row)
        assert band.loc[day, ["mean", "low", "high"]].tolist() == pytest.approx([row.mean(), low, high])


def test_mean_path_interval_needs_two_events():
    band = mean_path_interval(pd.DataFrame({"only": [100.0, 101.0]}))
    assert band["mean"].tolist() == [100.0, 101.0] and band["low"].isna().all()
