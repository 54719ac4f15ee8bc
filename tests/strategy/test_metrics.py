"""Performance metrics against hand-computed values on tiny equity curves."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.errors import ParameterError
from backtest.strategy import drawdown, metrics_frame, performance, split_by_position, trade_statistics
from tests.strategy._twins import random_walk, reference_metrics


def test_hand_computed_example() -> None:
    dates = pd.to_datetime(["2000-01-03", "2000-01-04", "2000-01-05", "2000-01-06", "2001-01-03"])
    equity = pd.Series([1.0, 1.1, 0.99, 1.21, 1.21], index=dates)
    invested = pd.Series([True, True, True, False, False], index=dates)
    metrics = performance(equity, invested, n_trades=1, fee=0.0, label="toy")
    assert metrics.total_return == pytest.approx(0.21)
    assert metrics.years == pytest.approx(366 / 365.25)
    assert metrics.cagr == pytest.approx(1.21 ** (365.25 / 366) - 1)
    assert metrics.max_drawdown == pytest.approx(0.99 / 1.1 - 1)
    assert (metrics.max_drawdown_peak, metrics.max_drawdown_trough) == (dates[1], dates[2])
    assert metrics.time_in_market == pytest.approx(3 / 4)
    daily = np.array([0.1, 0.99 / 1.1 - 1, 1.21 / 0.99 - 1, 0.0])
    assert metrics.ann_volatility == pytest.approx(daily.std(ddof=1) * math.sqrt(252))
    assert metrics.sharpe == pytest.approx(daily.mean() / daily.std(ddof=1) * math.sqrt(252))
    frame = metrics.to_frame()
    assert set(frame["metric"]) >= {"cagr", "sharpe", "max_drawdown"} and (frame["label"] == "toy").all()
    assert "CAGR" in metrics.summary() and metrics_frame([metrics, metrics]).shape[0] == 2


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(10, 400))
def test_random_curves_equal_the_reference(seed: int, n: int) -> None:
    equity = random_walk(n, seed=seed)
    held = np.random.default_rng(seed).random(n) < 0.6
    metrics = performance(equity, pd.Series(held, index=equity.index), initial=float(equity.iloc[0]))
    expected = reference_metrics(equity, held, initial=float(equity.iloc[0]))
    for name, value in expected.items():
        assert getattr(metrics, name) == pytest.approx(value, rel=1e-12, abs=1e-15), name
    assert (drawdown(equity) <= 0).all()


def test_split_by_position_multiplies_to_the_index_return() -> None:
    close = random_walk(300, seed=4)
    invested = pd.Series(np.random.default_rng(4).random(300) < 0.5, index=close.index)
    split = split_by_position(close, invested)
    assert (1 + split.invested_return) * (1 + split.cash_return) == pytest.approx(close.iloc[-1] / close.iloc[0])
    assert split.invested_days + split.cash_days == 299


def test_trade_statistics_leave_out_the_open_trade() -> None:
    trades = pd.DataFrame(
        {
            "net_return": [0.1, -0.05, 0.2, 0.5],
            "days_held": [10, 20, 30, 5],
            "status": ["closed", "closed", "closed", "open"],
        }
    )
    stats = trade_statistics(trades)
    assert stats.n_closed == 3 and stats.win_rate == pytest.approx(2 / 3)
    assert stats.mean_net_return == pytest.approx(0.25 / 3) and stats.best_net_return == 0.2
    assert stats.mean_days_held == 20
    assert math.isnan(trade_statistics(trades.iloc[3:]).win_rate)


def test_bad_inputs_name_the_parameter() -> None:
    equity = random_walk(5)
    invested = pd.Series(True, index=equity.index)
    with pytest.raises(ParameterError, match="invested"):
        performance(equity, invested.iloc[1:])
    with pytest.raises(ParameterError, match="equity"):
        performance(equity.iloc[:1], invested.iloc[:1])
    with pytest.raises(ParameterError, match="initial"):
        performance(equity, invested, initial=0.0)
    with pytest.raises(ParameterError, match="net_return"):
        trade_statistics(pd.DataFrame({"days_held": [1], "status": ["closed"]}))
