"""Reference tests of the vectorbt simulation against a plain pandas/numpy twin, on the real
Russell 2000 and on random walks; properties (no look-ahead, traded series alignment)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtest.data import MarketSeries
from backtest.errors import ParameterError
from backtest.strategy import TrendStrategy, buy_and_hold, simulate, trend_signals
from backtest.strategy.simulate import _portfolio
from tests.strategy._twins import random_walk, reference_metrics, reference_simulation

START = "1985-01-01"


@pytest.mark.parametrize("execution", ["close", "next_close"])
@pytest.mark.parametrize("fee", [0.001, 0.0])
def test_russell2000_equity_trades_and_metrics_equal_the_plain_reference(
    russell2000: MarketSeries, execution: str, fee: float
) -> None:
    result = simulate(russell2000, TrendStrategy(start=START, execution=execution, fee=fee))
    reference = reference_simulation(russell2000.close, 50, 200, start=START, lag=result.strategy.lag, fee=fee)
    pd.testing.assert_index_equal(result.equity.index, reference["dates"])
    np.testing.assert_allclose(result.equity.to_numpy(), reference["equity"].to_numpy(), rtol=1e-10)
    np.testing.assert_array_equal(result.invested.to_numpy(), reference["held"])
    dates = reference["dates"]
    assert list(result.trades["entry_date"]) == [dates[entry] for entry, _ in reference["trades"]]
    assert list(result.trades["exit_date"].dropna()) == [
        dates[exit_] for _, exit_ in reference["trades"] if exit_ is not None
    ]
    expected = reference_metrics(reference["equity"], reference["held"])
    metrics = result.metrics
    for name, value in expected.items():
        assert getattr(metrics, name) == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert metrics.n_trades == len(reference["trades"]) and metrics.fee == fee
    assert metrics.first_date == pd.Timestamp("1985-01-02") and metrics.last_date == russell2000.last_date


def test_vectorbt_own_statistics_agree_with_ours(russell2000: MarketSeries) -> None:
    """vectorbt's total return and maximum drawdown of the same portfolio."""
    result = simulate(russell2000, TrendStrategy(start=START))
    signals = result.signals
    portfolio = _portfolio(result.close, signals.entries, signals.exits, result.fee)
    assert portfolio.total_return() == pytest.approx(result.metrics.total_return, rel=1e-12)
    assert portfolio.max_drawdown() == pytest.approx(result.metrics.max_drawdown, rel=1e-12)
    assert len(portfolio.trades.records) == result.metrics.n_trades


def test_buy_and_hold_is_the_index_less_one_fee(russell2000: MarketSeries) -> None:
    result = buy_and_hold(russell2000, start=START, fee=0.001)
    close = russell2000.close.loc[START:]
    np.testing.assert_allclose(result.equity.to_numpy(), (close / close.iloc[0] / 1.001).to_numpy(), rtol=1e-12)
    assert result.metrics.time_in_market == 1.0 and result.metrics.n_trades == 1 and result.metrics.n_open == 1
    assert result.trades["entry_signal"].tolist() == ["start of sample"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    fast=st.integers(2, 20),
    gap=st.integers(1, 40),
    lag=st.sampled_from([0, 1]),
    fee=st.sampled_from([0.0, 0.001, 0.01]),
    first_entry=st.sampled_from(["cross", "state"]),
)
def test_random_walks_equal_the_reference(
    seed: int, fast: int, gap: int, lag: int, fee: float, first_entry: str
) -> None:
    close = random_walk(600, seed=seed, drift=0.0, vol=0.02)
    slow = fast + gap
    start = close.index[slow + 5]
    strategy = TrendStrategy(
        fast=fast,
        slow=slow,
        start=start,
        execution="close" if lag == 0 else "next_close",
        fee=fee,
        first_entry=first_entry,
    )
    result = simulate(close, strategy)
    reference = reference_simulation(close, fast, slow, start=start, lag=lag, fee=fee, first_entry=first_entry)
    np.testing.assert_allclose(result.equity.to_numpy(), reference["equity"].to_numpy(), rtol=1e-9)
    np.testing.assert_array_equal(result.invested.to_numpy(), reference["held"])
    assert result.metrics.n_trades == len(reference["trades"])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(300, 550), lag=st.sampled_from([0, 1]))
def test_no_look_ahead_the_past_equity_ignores_later_closes(seed: int, cut: int, lag: int) -> None:
    close = random_walk(600, seed=seed, drift=0.0, vol=0.02)
    strategy = TrendStrategy(fast=5, slow=30, start=close.index[40], execution="close" if lag == 0 else "next_close")
    full = simulate(close, strategy).equity
    truncated = simulate(close.iloc[:cut], strategy).equity
    assert truncated.index[-1] == close.index[cut - 1]
    np.testing.assert_allclose(truncated.to_numpy(), full.loc[truncated.index].to_numpy(), rtol=1e-12)


def test_signals_come_from_the_signal_series_and_positions_from_the_traded_one() -> None:
    price = random_walk(800, seed=3)
    total_return = price * np.exp(np.arange(800) * 0.0001)  # a steady dividend accrual
    strategy = TrendStrategy(fast=10, slow=50, start=price.index[60])
    on_price = simulate(price, strategy)
    on_total = simulate(price, strategy, traded=total_return.rename("tr"))
    assert on_total.series_name == "tr" and on_total.signal_name == "walk"
    np.testing.assert_array_equal(on_total.invested.to_numpy(), on_price.invested.to_numpy())
    reference = reference_simulation(price, 10, 50, start=price.index[60], traded=total_return)
    np.testing.assert_allclose(on_total.equity.to_numpy(), reference["equity"].to_numpy(), rtol=1e-10)
    with pytest.raises(ParameterError, match="traded series 'short'"):
        simulate(price, strategy, traded=total_return.iloc[:-3].rename("short"))


def test_next_close_signal_on_the_last_day_is_reported_unexecuted() -> None:
    close = random_walk(400, seed=11, drift=0.0, vol=0.02)
    strategy = TrendStrategy(fast=5, slow=20, start=close.index[25], execution="next_close")
    signals = trend_signals(close, strategy)
    crosses = signals.golden_dates.union(signals.death_dates)
    last = crosses[-1]
    shortened = close.loc[:last]
    late = trend_signals(shortened, strategy)
    assert list(late.unexecuted) == [last] and not late.entries[-1] and not late.exits[-1]


def test_sample_too_short_raises() -> None:
    close = random_walk(300, seed=1)
    with pytest.raises(ParameterError, match="needs at least two"):
        simulate(close, TrendStrategy(fast=5, slow=20, start=close.index[-1]))
