"""Regime test (Brock, Lakonishok & LeBaron 1992): the buy-minus-sell difference against a
hand computation and a hand Newey-West sandwich, its size under GBM and under a stationary
bootstrap of the real returns, and the real Russell 2000 figure the claim quotes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from backtest.errors import ParameterError
from backtest.signals import nb as signals_nb
from backtest.signals.moving_averages import moving_average
from backtest.stats.bootstrap import stationary_bootstrap_indices
from backtest.stats.regime import newey_west_lags, regime_test, series_regime_test


def _newey_west_se(y: np.ndarray, dummy: np.ndarray, lags: int) -> float:
    """The slope's HAC standard error written out: (X'X)^-1 S (X'X)^-1 with S the Bartlett-
    weighted sum of the autocovariances of x_t u_t (Newey & West 1987, eq. 2)."""
    x = np.column_stack([np.ones(len(y)), dummy])
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    scores = x * (y - x @ beta)[:, None]
    s = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        s += (1.0 - lag / (lags + 1.0)) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    return float(np.sqrt((bread @ s @ bread)[1, 1]))


def test_difference_and_hac_se_by_hand() -> None:
    rng = np.random.default_rng(1)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, 60)))
    fast = np.full(60, np.nan)
    slow = np.full(60, np.nan)
    fast[5:] = close[5:] * (1.0 + 0.01 * np.sin(np.arange(55) / 3.0))
    slow[5:] = close[5:]
    result = regime_test(close, fast, slow, 8, 50, maxlags=3)
    days = np.arange(8, 51)
    above = fast[days] > slow[days]
    following = np.log(close[days + 1] / close[days])  # the NEXT day's return
    assert result.n_above == above.sum() and result.n_below == (~above).sum() and result.n == 43
    assert result.mean_above == pytest.approx(following[above].mean(), rel=1e-12)
    assert result.mean_below == pytest.approx(following[~above].mean(), rel=1e-12)
    assert result.estimate == pytest.approx(following[above].mean() - following[~above].mean(), rel=1e-10)
    se = _newey_west_se(following, above.astype(float), 3)
    assert result.standard_error == pytest.approx(se, rel=1e-10)
    t = result.estimate / se
    assert result.statistic == pytest.approx(t, rel=1e-9)
    assert result.pvalue == pytest.approx(scipy.stats.t.sf(t, 41), rel=1e-9)
    assert result.pvalue_opposite == pytest.approx(scipy.stats.t.cdf(t, 41), rel=1e-9)
    assert (result.first_pos, result.last_pos) == (8, 50)
    mirrored = regime_test(close, fast, slow, 8, 50, maxlags=3, alternative="less")
    assert mirrored.pvalue == result.pvalue_opposite and mirrored.pvalue_opposite == result.pvalue
    payload = result.to_dict()
    assert payload["pvalue_opposite"] == result.pvalue_opposite and payload["maxlags"] == 3
    assert "opposite tail" in result.summary()


def test_lag_rule_and_the_last_day() -> None:
    assert newey_west_lags(100) == 4 and newey_west_lags(10_000) == 11 and newey_west_lags(10) == 2
    close = np.linspace(100.0, 120.0, 30)
    line = np.linspace(100.0, 120.0, 30)
    # the window's last day is the data's last: no next-day return, so it is left out
    result = regime_test(close, line + np.where(np.arange(30) % 4 < 2, 1.0, -1.0), line, 0, 29)
    assert result.n == 29 and result.last_pos == 28 and result.maxlags == newey_west_lags(29)


def test_too_few_days_in_a_regime_and_bad_input() -> None:
    close = np.linspace(100.0, 110.0, 20)
    always_above = regime_test(close, close + 1.0, close, 0, 18)
    assert always_above.n_below == 0 and np.isnan(always_above.pvalue) and np.isnan(always_above.estimate)
    with pytest.raises(ParameterError, match="alternative"):
        regime_test(close, close, close, 0, 5, alternative="two-sided")
    with pytest.raises(ParameterError, match="last"):
        regime_test(close, close, close, 0, 20)
    with pytest.raises(ParameterError, match="one length"):
        regime_test(close, close[:-1], close, 0, 5)


def test_series_wrapper_reads_the_detection_window() -> None:
    index = pd.bdate_range("2000-01-03", periods=400)
    close = pd.Series(100.0 * np.exp(np.cumsum(np.random.default_rng(2).normal(0, 0.01, 400))), index=index)
    fast, slow = moving_average(close, 10), moving_average(close, 50)
    result = series_regime_test(close, fast, slow, start="2000-06-01", end="2001-03-30")
    first = int(index.searchsorted(pd.Timestamp("2000-06-01")))
    last = int(index.searchsorted(pd.Timestamp("2001-03-30"), side="right")) - 1
    arrays = regime_test(close.to_numpy(), fast.to_numpy(), slow.to_numpy(), first, last)
    assert result.statistic == arrays.statistic and result.n == arrays.n
    assert result.start == "2000-06-01" and result.end == "2001-03-30"
    early = series_regime_test(close, fast, slow)  # from the first close: days before the slow line exists drop out
    assert early.start == index[49].date().isoformat() and early.end == index[-2].date().isoformat()
    with pytest.raises(ParameterError, match="fast_line"):
        series_regime_test(close, fast.iloc[1:], slow)
    with pytest.raises(ParameterError, match="detection window"):
        series_regime_test(close, fast, slow, start="2030-01-01")


def _rejection_rates(paths: list[np.ndarray], fast: int, slow: int, first: int) -> tuple[float, float]:
    upper = lower = 0
    for returns in paths:
        prices = 100.0 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
        result = regime_test(
            prices, signals_nb.sma_nb(prices, fast), signals_nb.sma_nb(prices, slow), first, len(prices) - 1
        )
        upper += result.pvalue < 0.05
        lower += result.pvalue_opposite < 0.05
    return upper / len(paths), lower / len(paths)


def test_size_under_gbm() -> None:
    """Calibration on GBM paths of 6,000 days with SMA 20/100: each one-sided tail rejects
    near 5% (3 binomial SEs at 400 paths)."""
    rng = np.random.default_rng(5)
    paths = [rng.normal(0.0003, 0.012, 6000) for _ in range(400)]
    upper, lower = _rejection_rates(paths, 20, 100, 100)
    bound = 3 * np.sqrt(0.05 * 0.95 / 400)
    assert abs(upper - 0.05) <= bound and abs(lower - 0.05) <= bound


def test_size_under_stationary_bootstrap_of_real_returns(russell2000) -> None:
    """Calibration on the real Russell 2000's daily log returns since 1985 resampled by the
    stationary bootstrap (mean block 20 days: volatility clustering and short-run dependence
    kept, the regime relation broken), SMA 50/200: each tail near 5% (300 paths)."""
    close = russell2000.close
    first = int(close.index.searchsorted(pd.Timestamp("1985-01-01")))
    returns = np.diff(np.log(close.to_numpy()))[first - 1 :]
    paths = [returns[stationary_bootstrap_indices(len(returns), 20.0, 27, b)] for b in range(300)]
    upper, lower = _rejection_rates(paths, 50, 200, 200)
    bound = 3 * np.sqrt(0.05 * 0.95 / 300)
    assert abs(upper - 0.05) <= bound and abs(lower - 0.05) <= bound


def test_real_russell2000_regime_difference(russell2000) -> None:
    """The figure the claim quotes: since 1985 the Russell 2000's next-day return is LOWER
    when its 50-day average is above the 200-day one, -0.062 %/day, t about -2.1 (11 lags):
    a golden-cross claim's data point the other way."""
    close = russell2000.close
    fast, slow = moving_average(close, 50), moving_average(close, 200)
    result = series_regime_test(close, fast, slow, start="1985-01-01")
    assert result.estimate == pytest.approx(-0.000625, abs=0.00001)
    assert result.statistic == pytest.approx(-2.10, abs=0.01)
    assert result.maxlags == 11 and result.start == "1985-01-02"
    assert result.pvalue > 0.95 and result.points_other_way()
