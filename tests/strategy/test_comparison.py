"""The trend rule against buy-and-hold on random walks: which variants are simulated, the
conclusion's differences against the variants' own metrics, and what reinvested dividends
add (exactly, for a total-return index growing at a constant rate over the price index)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.strategy import TrendStrategy, compare_trend_rule
from tests.strategy._twins import random_walk

RULE = TrendStrategy(fast=10, slow=40, start="1981-01-01", fee=0.001)
DAILY_DIVIDEND = 0.0001
"""The total-return index's growth over the price index each trading day."""


@pytest.fixture(scope="module")
def comparison():  # type: ignore[no-untyped-def]
    series = random_walk(2500, seed=3)
    price = random_walk(2000, seed=5).rename("price")
    growth = (1 + DAILY_DIVIDEND) ** np.arange(len(price))
    total_return = pd.Series(price.to_numpy() * growth, index=price.index, name="total_return")
    return compare_trend_rule(
        series, RULE, fees=(RULE.fee, 0.0), price=price, total_return=total_return, sections=("full", "same")
    )


def test_every_cost_and_timing_is_simulated_against_buy_and_hold(comparison) -> None:  # type: ignore[no-untyped-def]
    variants = ["buy_and_hold", "trend_close", "trend_next_close"]
    assert list(comparison.full_sample) == [(v, fee) for fee in (0.001, 0.0) for v in variants]
    assert list(comparison.same_period) == [(v, held) for held in ("price", "total_return") for v in variants]
    assert [v.section for v in comparison.variants] == ["full"] * 6 + ["same"] * 6
    for (variant, fee), compared in comparison.full_sample.items():
        assert compared.result.metrics.fee == fee and compared.variant == variant
    # signals always come from the price index, whichever index is held
    for (variant, held), compared in comparison.same_period.items():
        assert compared.result.series_name == held
        assert compared.to_dict()["signal_series"] == (None if variant == "buy_and_hold" else "price")
    assert all(agreement.agrees for agreement in comparison.agreement.values())


def test_the_conclusion_is_the_difference_of_the_variants_metrics(comparison) -> None:  # type: ignore[no-untyped-def]
    full = comparison.full_sample
    bh, trend = full[("buy_and_hold", 0.001)].result.metrics, full[("trend_close", 0.001)].result.metrics
    late, free = full[("trend_next_close", 0.001)].result.metrics, full[("trend_close", 0.0)].result.metrics
    c = comparison.conclusion
    assert c.cagr_difference == trend.cagr - bh.cagr and c.sharpe_difference == trend.sharpe - bh.sharpe
    assert c.next_day_cagr_cost == late.cagr - trend.cagr and c.fee_cagr_cost == trend.cagr - free.cagr < 0
    assert c.trend_beats_buy_and_hold_cagr == (trend.cagr > bh.cagr)
    split = full[("trend_close", 0.001)].index_split
    assert (c.index_return_while_invested, c.index_return_while_in_cash) == (split.invested_return, split.cash_return)


def test_dividends_add_what_the_held_days_earned(comparison) -> None:  # type: ignore[no-untyped-def]
    """Equity on the total-return index = equity on the price index x (1 + d) ** (days held):
    costs are proportional, so they scale both curves alike."""
    c = comparison.conclusion
    for variant, added in (("buy_and_hold", c.dividends_cagr_buy_and_hold), ("trend_close", c.dividends_cagr_trend)):
        on_price = comparison.same_period[(variant, "price")]
        held_days, years = on_price.index_split.invested_days, on_price.result.metrics.years
        expected = (1 + on_price.result.metrics.cagr) * ((1 + DAILY_DIVIDEND) ** (held_days / years) - 1)
        assert added == pytest.approx(expected, rel=1e-9)


def test_the_first_day_is_the_averages_on_the_first_close(comparison) -> None:  # type: ignore[no-untyped-def]
    first = comparison.first_day
    signals = comparison.full_sample[("trend_close", 0.001)].result.signals
    assert first.date == signals.dates[0] == pd.Timestamp("1981-01-01")
    assert first.fast_above_slow == (first.fast_ma > first.slow_ma)
    assert first.first_golden_cross == signals.golden_dates[0]
