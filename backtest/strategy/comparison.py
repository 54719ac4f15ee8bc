"""A trend rule against buy-and-hold: every simulation a strategy report shows, and the numbers it states.

``compare_trend_rule(series, rule, fees=..., price=..., total_return=...)`` simulates buy-and-hold
and the rule at each execution timing and cost on ``series``, checks the rule's trades against the
event engine, and repeats the comparison holding a price index and its total-return twin over their
common sample. It returns a ``TrendComparison``: the results with their index split and trade
statistics, the first day's averages and the ``ComparisonConclusion`` (differences the report states).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from backtest.events.study import close_of
from backtest.strategy.agreement import EventAgreement, event_agreement
from backtest.strategy.metrics import PositionSplit, TradeStatistics, split_by_position, trade_statistics
from backtest.strategy.rules import EXECUTIONS, TrendStrategy
from backtest.strategy.simulate import StrategyResult, buy_and_hold, simulate

EXECUTION_LABELS = {"close": "same-day close", "next_close": "next-day close"}
"""How each execution timing reads in labels and tables."""
BUY_AND_HOLD = "buy_and_hold"
"""The benchmark's variant name; the rule's are ``trend_<execution>``."""
HELD_SERIES = {"price": "price", "total_return": "total return"}
"""The two series held over the common sample, keyed as in ``TrendComparison.same_period``."""


def trend_variant(execution: str) -> str:
    """The variant name of the rule executed at ``execution`` ("trend_close", "trend_next_close")."""
    return f"trend_{execution}"


@dataclass(frozen=True, eq=False)
class ComparedVariant:
    """One simulated equity curve of a comparison, with the index split and the closed-trade
    statistics the report reads beside its metrics. section: the comparison it belongs to."""

    section: str
    variant: str
    result: StrategyResult
    index_split: PositionSplit
    trade_stats: TradeStatistics

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: names, series, execution, metrics, index split, trade statistics."""
        strategy = self.result.strategy
        return {
            "section": self.section,
            "variant": self.variant,
            "label": self.result.label,
            "series": self.result.series_name,
            "signal_series": self.result.signal_name if strategy is not None else None,
            "execution": strategy.execution if strategy is not None else "close",
            "metrics": self.result.metrics.to_dict(),
            "index_split": self.index_split.to_dict(),
            "trade_stats": self.trade_stats.to_dict(),
        }


def compared_variant(section: str, variant: str, result: StrategyResult) -> ComparedVariant:
    """``result`` with its index split (held days vs cash days) and closed-trade statistics."""
    return ComparedVariant(
        section=section,
        variant=variant,
        result=result,
        index_split=split_by_position(result.close, result.invested),
        trade_stats=trade_statistics(result.trades),
    )


@dataclass(frozen=True)
class FirstDay:
    """The averages on the sample's first close: whether the rule would already be long
    under ``first_entry="state"``, and when the first golden cross came (None: never)."""

    date: pd.Timestamp
    fast_ma: float
    slow_ma: float
    fast_above_slow: bool
    first_golden_cross: pd.Timestamp | None
    n_tie_days: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ComparisonConclusion:
    """Differences between the rule (same-day close, headline cost) and buy-and-hold, in
    fractions (0.01 = 1 point of CAGR): return and risk; the change in the rule's CAGR from
    executing at the next close and from paying the cost (negative: what they took); the
    index's own return over held and cash days; what reinvested dividends added (total-return
    minus price CAGR over the common sample)."""

    cagr_difference: float
    sharpe_difference: float
    volatility_difference: float
    max_drawdown_difference: float
    next_day_cagr_cost: float
    fee_cagr_cost: float
    index_return_while_invested: float
    index_return_while_in_cash: float
    dividends_cagr_buy_and_hold: float
    dividends_cagr_trend: float
    trend_beats_buy_and_hold_cagr: bool
    trend_beats_buy_and_hold_sharpe: bool
    trend_beats_buy_and_hold_cagr_total_return: bool

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, eq=False)
class TrendComparison:
    """Everything a strategy report shows.

    rule: the headline rule (same-day close at the headline cost ``rule.fee``). fees: every
    cost simulated. full_sample: variants on ``series`` keyed by (variant, fee). same_period:
    variants holding ``price`` or ``total_return`` (signals from ``price``) keyed by (variant,
    "price" or "total_return"). agreement: the rule's trades against the event engine, by
    execution.
    """

    rule: TrendStrategy
    fees: tuple[float, ...]
    series: Any
    price: Any
    total_return: Any
    full_sample: dict[tuple[str, float], ComparedVariant]
    same_period: dict[tuple[str, str], ComparedVariant]
    agreement: dict[str, EventAgreement]
    first_day: FirstDay
    conclusion: ComparisonConclusion

    @property
    def variants(self) -> list[ComparedVariant]:
        """Every variant, the full sample's first, in simulation order."""
        return [*self.full_sample.values(), *self.same_period.values()]


def rule_label(rule: TrendStrategy, execution: str) -> str:
    """'50/200 rule, same-day close'."""
    return f"{rule.fast}/{rule.slow} rule, {EXECUTION_LABELS[execution]}"


def _first_day(result: StrategyResult) -> FirstDay:
    signals = result.signals
    assert signals is not None  # a rule's result always carries its signals
    return FirstDay(
        date=signals.dates[0],
        fast_ma=float(signals.fast_ma.iloc[0]),
        slow_ma=float(signals.slow_ma.iloc[0]),
        fast_above_slow=signals.above_at_start,
        first_golden_cross=signals.golden_dates[0] if len(signals.golden_dates) else None,
        n_tie_days=signals.n_tie_days,
    )


def _conclusion(
    full: dict[tuple[str, float], ComparedVariant], same: dict[tuple[str, str], ComparedVariant], fee: float
) -> ComparisonConclusion:
    bh, trend = full[(BUY_AND_HOLD, fee)].result.metrics, full[(trend_variant("close"), fee)].result.metrics
    late = full[(trend_variant("next_close"), fee)].result.metrics
    free = full[(trend_variant("close"), 0.0)].result.metrics
    split = full[(trend_variant("close"), fee)].index_split

    def cagr(variant: str, held: str) -> float:
        return float(same[(variant, held)].result.metrics.cagr)

    return ComparisonConclusion(
        cagr_difference=trend.cagr - bh.cagr,
        sharpe_difference=trend.sharpe - bh.sharpe,
        volatility_difference=trend.ann_volatility - bh.ann_volatility,
        max_drawdown_difference=trend.max_drawdown - bh.max_drawdown,
        next_day_cagr_cost=late.cagr - trend.cagr,
        fee_cagr_cost=trend.cagr - free.cagr,
        index_return_while_invested=split.invested_return,
        index_return_while_in_cash=split.cash_return,
        dividends_cagr_buy_and_hold=cagr(BUY_AND_HOLD, "total_return") - cagr(BUY_AND_HOLD, "price"),
        dividends_cagr_trend=cagr(trend_variant("close"), "total_return") - cagr(trend_variant("close"), "price"),
        trend_beats_buy_and_hold_cagr=trend.cagr > bh.cagr,
        trend_beats_buy_and_hold_sharpe=trend.sharpe > bh.sharpe,
        trend_beats_buy_and_hold_cagr_total_return=cagr(trend_variant("close"), "total_return")
        > cagr(BUY_AND_HOLD, "total_return"),
    )


def compare_trend_rule(
    series: Any,
    rule: TrendStrategy,
    *,
    fees: tuple[float, ...],
    price: Any,
    total_return: Any,
    sections: tuple[str, str] = ("full_sample", "same_period"),
    step: Callable[[str], None] = lambda _: None,
) -> TrendComparison:
    """Simulate ``rule`` (every execution timing) and buy-and-hold on ``series`` at each cost
    in ``fees`` (which must hold ``rule.fee`` and 0), check the rule's trades at ``rule.fee``
    against the event engine, and repeat at ``rule.fee`` on the common sample of ``price``
    and ``total_return`` (signals always from ``price``, the position held in either).

    sections: the names of the two comparisons in the results (full sample, same period).
    """
    full_name, same_name = sections
    step(f"simulating buy-and-hold and the {rule.fast}/{rule.slow} rule (vectorbt)")
    full: dict[tuple[str, float], ComparedVariant] = {}
    for fee in fees:
        result = buy_and_hold(series, start=rule.start, end=rule.end, fee=fee, label="buy and hold")
        full[(BUY_AND_HOLD, fee)] = compared_variant(full_name, BUY_AND_HOLD, result)
        for execution in EXECUTIONS:
            result = simulate(series, rule.replace(execution=execution, fee=fee), label=rule_label(rule, execution))
            full[(trend_variant(execution), fee)] = compared_variant(full_name, trend_variant(execution), result)

    step("checking every trade against the event engine's golden and death crosses")
    agreement = {
        execution: event_agreement(full[(trend_variant(execution), rule.fee)].result, series)
        for execution in EXECUTIONS
    }

    step("same period: the rule and buy-and-hold holding the price or the total-return index")
    end = min(close_of(price).index[-1], close_of(total_return).index[-1])
    same: dict[tuple[str, str], ComparedVariant] = {}
    for held, traded in (("price", price), ("total_return", total_return)):
        kind = HELD_SERIES[held]
        result = buy_and_hold(traded, start=rule.start, end=end, fee=rule.fee, label=f"buy and hold, {kind}")
        same[(BUY_AND_HOLD, held)] = compared_variant(same_name, BUY_AND_HOLD, result)
        for execution in EXECUTIONS:
            result = simulate(
                price,
                rule.replace(execution=execution, end=end),
                traded=traded,
                label=f"{rule_label(rule, execution)}, {kind}",
            )
            same[(trend_variant(execution), held)] = compared_variant(same_name, trend_variant(execution), result)

    return TrendComparison(
        rule=rule,
        fees=tuple(fees),
        series=series,
        price=price,
        total_return=total_return,
        full_sample=full,
        same_period=same,
        agreement=agreement,
        first_day=_first_day(full[(trend_variant("close"), rule.fee)].result),
        conclusion=_conclusion(full, same, rule.fee),
    )
