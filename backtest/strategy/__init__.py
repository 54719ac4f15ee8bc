"""Strategy: trade a moving-average signal as a portfolio and measure the equity curve.

Input: a ``MarketSeries`` (signals from its averages, optionally traded on another series
such as a total-return index) and a ``TrendStrategy``. Output: a ``StrategyResult`` (daily
equity, position, trade list, ``PerformanceMetrics``), simulated with vectorbt's
``Portfolio.from_signals``.

Why a stage of its own rather than part of ``events`` or ``stats``: the event engine asks
"what followed each cross over a fixed window?" and returns one row per event; a strategy
holds a position from one cross to the next, pays a cost per trade and compounds, so it
consumes the crosses as *signals* and produces an equity curve, not events. It imports from
the stages before it (data, signals, and events' detection bounds, so that its trade dates
and the event engine's cross dates are the same days) and nothing imports it but studies
and reports. vectorbt is imported lazily, only when a simulation runs.
"""

from backtest.strategy.agreement import EventAgreement, event_agreement
from backtest.strategy.comparison import (
    ComparedVariant,
    ComparisonConclusion,
    FirstDay,
    TrendComparison,
    compare_trend_rule,
)
from backtest.strategy.metrics import (
    PERIODS_PER_YEAR,
    PerformanceMetrics,
    PositionSplit,
    TradeStatistics,
    drawdown,
    metrics_frame,
    performance,
    split_by_position,
    trade_statistics,
)
from backtest.strategy.rules import EXECUTIONS, FIRST_ENTRIES, TrendStrategy
from backtest.strategy.simulate import (
    StrategyResult,
    TrendSignals,
    buy_and_hold,
    simulate,
    trend_signals,
)

__all__ = [
    "EXECUTIONS",
    "ComparedVariant",
    "ComparisonConclusion",
    "EventAgreement",
    "FIRST_ENTRIES",
    "FirstDay",
    "PERIODS_PER_YEAR",
    "PerformanceMetrics",
    "PositionSplit",
    "StrategyResult",
    "TradeStatistics",
    "TrendComparison",
    "TrendSignals",
    "TrendStrategy",
    "buy_and_hold",
    "compare_trend_rule",
    "drawdown",
    "event_agreement",
    "metrics_frame",
    "performance",
    "simulate",
    "split_by_position",
    "trade_statistics",
    "trend_signals",
]
