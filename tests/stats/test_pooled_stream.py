"""The streamed pooled study against the in-memory one: the same floats, to the last bit, for
every test, model and claim; the streamed rank and calendar-time state against the in-memory
sums; the calendar helpers against pandas; bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from backtest.errors import ParameterError
from backtest.stats.pooled import (
    calendar_time_portfolio,
    centred_ranks,
    pooled_tests,
    rank_test,
)
from backtest.stats.pooled_stream import (
    PooledAccumulator,
    PooledSettings,
    calendar_returns,
    event_positions,
    series_contribution,
)

N_DAYS = 700
SETTINGS = PooledSettings(horizons=(3, 10, 40), estimation_window=(-150, -10), min_estimation_obs=60)
# clustered (200 in three series), overlapping (400 / 410), dropped (30: short window), one
# incomplete at the longest horizon (690), a series without events (4)
EVENTS = [
    np.array([200, 400, 690]),
    np.array([200, 410]),
    np.array([30, 200, 520]),
    np.array([250, 255, 600]),
    np.array([], dtype=np.int64),
    np.array([350]),
]


def _panel(seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0003, 0.01, N_DAYS)
    returns = rng.uniform(0.5, 1.5, len(EVENTS)) * market[:, None] + rng.normal(0.0, 0.015, (N_DAYS, len(EVENTS)))
    returns[[90, 91, 380, 500], [0, 1, 2, 3]] = np.nan  # missing days inside windows
    returns[:120, 5] = np.nan  # a series listed late
    market[150] = np.nan
    return returns, market


def _streamed(returns: np.ndarray, market: np.ndarray, settings: PooledSettings) -> PooledAccumulator:
    accumulator = PooledAccumulator(settings, N_DAYS)
    for i, events in enumerate(EVENTS):
        accumulator.add(series_contribution(str(i), returns[:, i], market, events, settings))
    return accumulator


def _as_json(value: object) -> str:
    return json.dumps(value, sort_keys=True)  # NaN written as NaN: equal strings mean equal results


@pytest.mark.parametrize("model", ["market", "market_adjusted", "mean_adjusted", "raw"])
@pytest.mark.parametrize("claim", ["gains", "losses"])
def test_streamed_tests_equal_in_memory_tests(model: str, claim: str) -> None:
    returns, market = _panel()
    settings = PooledSettings(
        model=model, horizons=SETTINGS.horizons, estimation_window=SETTINGS.estimation_window, min_estimation_obs=60
    )
    in_memory = pooled_tests(settings.abnormal_returns(returns, market, EVENTS), claim=claim)
    streamed = _streamed(returns, market, settings).pooled_tests(claim=claim)
    assert in_memory.n_events > 10 and in_memory.n_dropped == 1
    assert _as_json(streamed.to_dict()) == _as_json(in_memory.to_dict())


def test_streamed_events_equal_in_memory_rows() -> None:
    returns, market = _panel()
    panel = SETTINGS.abnormal_returns(returns, market, EVENTS)
    streamed = _streamed(returns, market, SETTINGS).abnormal_returns()
    for name in ("series", "event_pos", "alpha", "beta", "n_estimation", "residual_sd", "car", "bhar", "car_sd",
                 "variance_factor", "estimation_residuals", "mean_weights", "slope_weights", "benchmark_deviation"):  # fmt: skip
        np.testing.assert_array_equal(getattr(streamed, name), getattr(panel, name), err_msg=name)
    assert streamed.daily.shape == (panel.n_events, 0)  # the daily ARs live in the sums only
    assert streamed.n_dropped == panel.n_dropped == 1


def test_rank_and_calendar_state_equal_in_memory_sums() -> None:
    returns, market = _panel()
    panel = SETTINGS.abnormal_returns(returns, market, EVENTS)
    accumulator = _streamed(returns, market, SETTINGS)
    for j, horizon in enumerate(SETTINGS.horizons):
        complete = np.isfinite(panel.car[:, j]) & np.isfinite(panel.car_sd[:, j])
        centred, finite = centred_ranks(panel.estimation_residuals[complete], panel.daily[complete])
        np.testing.assert_array_equal(accumulator.rank_sum[j], centred.sum(axis=0))
        np.testing.assert_array_equal(accumulator.rank_count[j], finite.sum(axis=0))
        assert accumulator.rank_events[j] == complete.sum()
        portfolio, count = calendar_time_portfolio(panel, horizon)
        np.testing.assert_array_equal(accumulator.calendar_count[j], count)
        with np.errstate(invalid="ignore"):
            streamed = np.where(count > 0, accumulator.calendar_total[j] / np.maximum(count, 1), np.nan)
        np.testing.assert_array_equal(streamed, portfolio)
    # the refactored rank test still follows Campbell & Wasley by hand at the shortest horizon
    complete = np.isfinite(panel.car[:, 0]) & np.isfinite(panel.car_sd[:, 0])
    combined = np.concatenate([panel.estimation_residuals[complete], panel.daily[complete]], axis=1)
    u = np.full(combined.shape, np.nan)
    for i, row in enumerate(combined):
        finite = np.isfinite(row)
        u[i, finite] = pd.Series(row[finite]).rank().to_numpy() / (finite.sum() + 1) - 0.5
    n_t = np.isfinite(u).sum(axis=0)
    mean_t = np.where(n_t > 0, np.nansum(u, axis=0) / np.maximum(n_t, 1), 0.0)
    days = n_t > 0
    scale = np.sqrt((n_t[days] / complete.sum() * mean_t[days] ** 2).sum() / days.sum())
    width = panel.estimation_residuals.shape[1]
    expected = mean_t[width : width + 3].sum() / (np.sqrt(3) * scale)
    assert rank_test(panel, 3).statistic == pytest.approx(expected, rel=1e-12)


def test_calendar_returns_match_pandas_and_events_move_forward() -> None:
    calendar = pd.bdate_range("2020-01-01", periods=8)
    close = pd.Series([10.0, 11.0, 12.0, 9.0, 9.5], index=calendar[[0, 1, 3, 4, 7]])
    expected = close.reindex(calendar).pct_change(fill_method=None).to_numpy()
    np.testing.assert_array_equal(calendar_returns(close, calendar), expected)
    dates = [calendar[1], pd.Timestamp("2020-01-04"), calendar[1], pd.Timestamp("2030-01-01"), calendar[2]]
    # 2020-01-04 is a Saturday: it moves to Monday 2020-01-06 (position 3); past the end: dropped
    assert event_positions(dates, calendar).tolist() == [1, 2, 3]


def test_accumulator_rejects_another_calendar_and_empty_results() -> None:
    returns, market = _panel()
    accumulator = PooledAccumulator(SETTINGS, N_DAYS + 1)
    with pytest.raises(ParameterError, match="calendar"):
        accumulator.add(series_contribution("0", returns[:, 0], market, EVENTS[0], SETTINGS))
    with pytest.raises(ParameterError, match="no series"):
        accumulator.pooled_tests()


def test_adding_after_the_tests_keeps_every_series() -> None:
    returns, market = _panel()
    accumulator = PooledAccumulator(SETTINGS, N_DAYS)
    for i, events in enumerate(EVENTS[:3]):
        accumulator.add(series_contribution(str(i), returns[:, i], market, events, SETTINGS))
    accumulator.pooled_tests()  # joins the events so far
    for i, events in enumerate(EVENTS[3:], start=3):
        accumulator.add(series_contribution(str(i), returns[:, i], market, events, SETTINGS))
    assert accumulator.n_series == len(EVENTS)
    expected = pooled_tests(SETTINGS.abnormal_returns(returns, market, EVENTS))
    assert _as_json(accumulator.pooled_tests().to_dict()) == _as_json(expected.to_dict())
