"""Year-level paired test of calendar claims (Bouman & Jacobsen 2002): a hand computation on
a tiny series, the one-date-a-year rule, the wrappers, its size under GBM and under a
stationary bootstrap of the real SPY returns with the May 1 dates, and the real result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from backtest.errors import ParameterError
from backtest.events import EventRules, Horizon, run_event_study
from backtest.events.sources import DateList
from backtest.stats.bootstrap import stationary_bootstrap_indices
from backtest.stats.calendar import (
    is_one_date_a_year,
    series_year_paired_test,
    study_year_paired_test,
    year_paired_test,
)

SELL_IN_MAY = Path(__file__).resolve().parents[2] / "studies" / "claims" / "sell_in_may.csv"


def test_hand_computation_on_a_tiny_series() -> None:
    """Entries at 0, 10, 20 and 30 of 36 closes, 4-day windows: three complete cycles (the
    last event's is not), each d = window log return - 4 x mean daily log return of days
    entry + 5 .. next entry."""
    rng = np.random.default_rng(3)
    log_close = np.cumsum(np.concatenate([[np.log(100.0)], rng.normal(0.0, 0.02, 35)]))
    close = np.exp(log_close)
    entries, h = np.array([0, 10, 20, 30]), 4
    r = np.diff(log_close)  # r[t - 1] is day t's return
    expected = []
    for start, nxt in ((0, 10), (10, 20), (20, 30)):
        window = r[start : start + h].sum()  # days start + 1 .. start + 4
        rest = r[start + h : nxt].mean()  # days start + 5 .. next entry
        expected.append(window - h * rest)
    result = year_paired_test(close, entries, h, alternative="greater")
    np.testing.assert_allclose(result.differences, expected, rtol=1e-12)
    assert result.n == result.n_effective == 3 and result.rest_days == (6, 6, 6)
    assert result.dropped == (("30", "last cycle: no next event, so its rest is only part of the year"),)
    t = scipy.stats.ttest_1samp(expected, 0.0, alternative="greater")
    assert result.statistic == pytest.approx(t.statistic, rel=1e-10)
    assert result.pvalue == pytest.approx(t.pvalue, rel=1e-10)
    assert result.pvalue_opposite == pytest.approx(1.0 - t.pvalue, rel=1e-10)
    positive = int(np.sum(np.asarray(expected) > 0))
    assert result.sign_positive == positive
    assert result.sign_pvalue == scipy.stats.binomtest(positive, 3, 0.5, alternative="greater").pvalue
    losses = year_paired_test(close, entries, h, alternative="less")
    assert losses.pvalue == result.pvalue_opposite and losses.sign_pvalue == result.sign_pvalue_opposite
    frame = result.to_frame()
    assert frame["difference"].tolist() == list(result.differences) and len(frame) == 3
    payload = result.to_dict()
    assert payload["n_effective"] == 3 and payload["dropped"][0]["year"] == "30"
    assert "3 years" in result.summary()


def test_a_window_reaching_the_next_event_is_dropped() -> None:
    close = np.exp(np.linspace(0.0, 0.3, 40))
    result = year_paired_test(close, [0, 5, 20, 35], [6, 4, 4, 4])
    assert [y for y, _ in result.dropped] == ["0", "35"] and result.n == 2
    assert "reaches the next event" in result.dropped[0][1]
    with pytest.raises(ParameterError, match="increasing"):
        year_paired_test(close, [5, 0], 3)
    with pytest.raises(ParameterError, match="alternative"):
        year_paired_test(close, [0, 10, 20], 3, alternative="two-sided")
    single = year_paired_test(close, [0, 20], 3)
    assert single.n == 1 and np.isnan(single.pvalue)


def test_one_date_a_year() -> None:
    may = [f"{year}-05-01" for year in range(1993, 2027)]
    assert is_one_date_a_year(may)
    assert is_one_date_a_year(pd.read_csv(SELL_IN_MAY)["date"])
    assert not is_one_date_a_year(may[:1])  # one date is not a series of years
    assert not is_one_date_a_year([*may, "2000-11-01"])  # two in 2000
    assert not is_one_date_a_year(["2000-01-05", "2000-12-28"])  # same year
    assert not is_one_date_a_year(["2000-05-01", "2002-05-01"])  # a year missing
    assert not is_one_date_a_year(["2000-12-28", "2001-01-03"])  # different years, days apart
    assert is_one_date_a_year(["2000-05-01", "2001-05-15", "2002-04-20"])  # 379 and 340 days


def _walk(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, n))), index=pd.bdate_range("1995-01-02", periods=n)
    )


def test_series_and_study_wrappers_agree() -> None:
    close = _walk(2600, 4)
    dates = [f"{year}-05-01" for year in range(1994, 2006)]  # 1994 before the data, 2005 after it
    result = series_year_paired_test(close, dates, 126, alternative="less")
    assert result.years[0] == "1995-05-01" and result.n == 9  # 1995..2004 mapped; 2004's cycle dropped
    assert result.dropped[0][0] == "2004-05-03"
    study = run_event_study(close, EventRules(source=DateList(tuple(dates))), (Horizon("6m", days=126),))
    from_study = study_year_paired_test(study, "6m", alternative="less")
    assert from_study.differences == result.differences and from_study.pvalue == result.pvalue
    with pytest.raises(ParameterError, match="no event date"):
        series_year_paired_test(close, ["1980-05-01"], 126)


def _real_spy_setup(data_dir) -> tuple[np.ndarray, np.ndarray]:
    from backtest.data import load_series

    close = load_series("SPY", data_dir=data_dir).close
    dates = pd.DatetimeIndex(pd.read_csv(SELL_IN_MAY)["date"])
    positions = np.unique(close.index.searchsorted(dates[dates <= close.index[-1]], side="left"))
    return np.diff(np.log(close.to_numpy())), positions


def _rejections(paths, positions) -> np.ndarray:
    """Per path: (t lower tail, t upper tail, sign lower, sign upper) rejections at 5%."""
    out = []
    for returns in paths:
        prices = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
        test = year_paired_test(prices, positions, 126, alternative="less")
        out.append(
            (test.pvalue < 0.05, test.pvalue_opposite < 0.05, test.sign_pvalue < 0.05, test.sign_pvalue_opposite < 0.05)
        )
    return np.mean(out, axis=0)


def test_size_under_gbm_on_spy_calendar(data_dir) -> None:
    """Calibration: GBM with SPY's drift and volatility on its calendar, May 1 events, 126-day
    windows (32 years): each tail of the t-test near 5% (3 SEs at 2,000 paths); the sign test
    is discrete and conservative (about 2.5% a tail)."""
    returns, positions = _real_spy_setup(data_dir)
    rng = np.random.default_rng(2027)
    paths = [rng.normal(returns.mean(), returns.std(ddof=1), len(returns)) for _ in range(2000)]
    t_less, t_greater, sign_less, sign_greater = _rejections(paths, positions)
    bound = 3 * np.sqrt(0.05 * 0.95 / 2000)
    assert abs(t_less - 0.05) <= bound and abs(t_greater - 0.05) <= bound
    assert sign_less <= 0.05 + bound and sign_greater <= 0.05 + bound


@pytest.mark.parametrize("mean_block", [20.0, 126.0])
def test_size_under_stationary_bootstrap_of_real_spy(data_dir, mean_block) -> None:
    """Calibration on SPY's own daily log returns resampled by the stationary bootstrap (fat
    tails and volatility clustering kept, the calendar broken) with the May 1 dates: neither
    tail of the t-test above 5% by more than 3 SEs at 2,000 paths, nor far below it. Measured
    on 40,000 paths with 20-day blocks: 4.8% (lower tail) / 5.0% (upper); on 20,000 with
    126-day blocks: 4.1% / 5.0%."""
    returns, positions = _real_spy_setup(data_dir)
    paths = [returns[stationary_bootstrap_indices(len(returns), mean_block, 1, b)] for b in range(2000)]
    t_less, t_greater, _, _ = _rejections(paths, positions)
    bound = 3 * np.sqrt(0.05 * 0.95 / 2000)
    assert 0.02 <= t_less <= 0.05 + bound and 0.02 <= t_greater <= 0.05 + bound


def test_real_sell_in_may_on_spy(real_data_dir) -> None:
    """Sell in May on SPY, 6m = 126 trading days: May-October trails the rest of its year by
    4.3% a year on average over 32 years (the 2025 cycle is incomplete and dropped), t -1.90,
    one-sided p 0.033 (the committed circular-shift p is 0.022); 11 of 32 years positive."""
    from backtest.data import load_series

    close = load_series("SPY", data_dir=real_data_dir).close
    result = series_year_paired_test(close, pd.read_csv(SELL_IN_MAY)["date"], 126, alternative="less")
    assert result.n == 32 and result.years[0] == "1993-05-03" and result.dropped[0][0] == "2025-05-01"
    assert result.estimate == pytest.approx(-0.0426, abs=0.0005)
    assert result.statistic == pytest.approx(-1.90, abs=0.01)
    assert result.pvalue == pytest.approx(0.033, abs=0.001)
    assert result.sign_positive == 11 and not result.points_other_way()
