"""The strategy's trades fall on the event engine's golden and death cross dates."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.data import MarketSeries
from backtest.errors import ParameterError
from backtest.events import EventRules, MACross, run_event_study
from backtest.strategy import TrendStrategy, buy_and_hold, event_agreement, simulate
from tests.strategy._twins import random_walk

START = "1985-01-01"


@pytest.mark.parametrize("execution", ["close", "next_close"])
def test_russell2000_trades_are_the_event_engines_golden_and_death_crosses(
    russell2000: MarketSeries, execution: str
) -> None:
    result = simulate(russell2000, TrendStrategy(start=START, execution=execution))
    golden = run_event_study(
        russell2000, EventRules(source=MACross(direction="golden"), start=START, entry=execution)
    ).table
    death = run_event_study(
        russell2000, EventRules(source=MACross(direction="death"), start=START, entry=execution)
    ).table
    trades = result.trades
    # the sample starts below the 200-day, so crosses alternate golden, death, golden, ...
    assert not result.signals.above_at_start
    assert list(trades["entry_signal_date"]) == list(golden["event_date"])
    assert list(trades["entry_date"]) == list(golden["entry_date"])
    assert list(trades["exit_signal_date"].dropna()) == list(death["event_date"])
    assert list(trades["exit_date"].dropna()) == list(death["entry_date"])
    assert (trades["entry_signal"] == "golden cross").all()
    assert len(trades) == 32 and trades["status"].tolist().count("open") == 1
    agreement = event_agreement(result, russell2000)
    assert agreement.agrees and agreement.n_golden == len(golden) and agreement.n_death == len(death)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    lag=st.sampled_from(["close", "next_close"]),
    first_entry=st.sampled_from(["cross", "state"]),
    start_at=st.integers(31, 300),
)
def test_random_walks_agree_with_the_event_engine(seed: int, lag: str, first_entry: str, start_at: int) -> None:
    close = random_walk(500, seed=seed, drift=0.0, vol=0.02)
    strategy = TrendStrategy(fast=5, slow=30, start=close.index[start_at], execution=lag, first_entry=first_entry)
    result = simulate(close, strategy)
    agreement = event_agreement(result, close)
    assert agreement.agrees, agreement.mismatches


def test_a_shifted_trade_is_reported() -> None:
    close = random_walk(500, seed=5, drift=0.0, vol=0.02)
    result = simulate(close, TrendStrategy(fast=5, slow=30, start=close.index[40]))
    moved = result.trades.copy()
    moved.loc[1, "entry_date"] = moved.loc[1, "entry_date"] + pd.offsets.BDay(1)
    agreement = event_agreement(dataclasses.replace(result, trades=moved), close)
    assert not agreement.agrees and agreement.mismatches[0].startswith("trade 1: entry_date")


def test_buy_and_hold_has_no_events_to_agree_with() -> None:
    close = random_walk(300, seed=2)
    with pytest.raises(ParameterError, match="TrendStrategy"):
        event_agreement(buy_and_hold(close), close)
