"""Simulate a trend strategy, or buy-and-hold, with vectorbt's ``Portfolio.from_signals``.

``trend_signals`` turns a ``TrendStrategy`` into buy and sell orders on its sample (golden
crosses buy, death crosses sell, shifted by the execution lag); ``simulate`` runs them
through vectorbt and returns a ``StrategyResult`` (equity, position, trades, metrics);
``buy_and_hold`` is the benchmark through the same code path and the same costs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.errors import ParameterError
from backtest.events.study import close_of, detection_bounds
from backtest.signals import crossovers, moving_average
from backtest.strategy.metrics import PerformanceMetrics, drawdown, performance
from backtest.strategy.rules import TrendStrategy

INITIAL_CAPITAL = 1.0
"""Every simulation starts with 1 unit of cash, so equity reads as growth of 1."""

TRADE_COLUMNS = (
    "entry_signal",
    "entry_signal_date",
    "entry_date",
    "entry_price",
    "exit_signal",
    "exit_signal_date",
    "exit_date",
    "exit_price",
    "days_held",
    "price_return",
    "net_return",
    "status",
)


@dataclass(frozen=True, eq=False)
class TrendSignals:
    """Orders of a ``TrendStrategy`` on its sample and the crosses behind them.

    dates: the simulated closes. entries / exits: True on the days a buy / sell order is
    executed (the cross day, or the day after for next-close execution); vectorbt ignores a
    buy while long and a sell while flat. golden_dates / death_dates: crosses dated in the
    sample (the event engine's event dates). above_at_start: the fast average was above the
    slow one at the first close. n_tie_days: days where fast == slow exactly (the only days
    on which "long while fast > slow" and "long from a golden to a death cross" could
    differ). unexecuted: crosses whose execution day falls after the last close.
    """

    dates: pd.DatetimeIndex
    entries: np.ndarray = field(repr=False)
    exits: np.ndarray = field(repr=False)
    golden_dates: pd.DatetimeIndex
    death_dates: pd.DatetimeIndex
    above_at_start: bool
    n_tie_days: int
    unexecuted: pd.DatetimeIndex
    fast_ma: pd.Series = field(repr=False)
    slow_ma: pd.Series = field(repr=False)


def trend_signals(series: object, strategy: TrendStrategy) -> TrendSignals:
    """Buy and sell orders of ``strategy`` on ``series`` (a MarketSeries or a close Series).

    Averages use all of the series' history; crosses are taken in [start, end] only, like
    the event engine's events, and executed ``strategy.lag`` closes later.
    """
    if not isinstance(strategy, TrendStrategy):
        raise ParameterError(f"strategy must be a TrendStrategy, got {type(strategy).__name__}")
    close = close_of(series)
    fast = moving_average(close, strategy.fast, strategy.ma)
    slow = moving_average(close, strategy.slow, strategy.ma)
    first, last = detection_bounds(close.index, strategy.event_rules("golden"))
    if last - first < 1:
        raise ParameterError(
            f"the sample {strategy.start} to {strategy.end} holds {max(last - first + 1, 0)} close(s) of "
            f"{close.name!r}; a simulation needs at least two"
        )
    sample = slice(first, last + 1)
    dates = close.index[sample]
    fast_s, slow_s = fast.iloc[sample], slow.iloc[sample]
    golden = crossovers(fast, slow, "golden").to_numpy()[sample]
    death = crossovers(fast, slow, "death").to_numpy()[sample]
    above_at_start = bool(fast_s.iloc[0] > slow_s.iloc[0])
    buy_signal = golden.copy()
    if strategy.first_entry == "state" and above_at_start:
        buy_signal[0] = True
    lag = strategy.lag
    n = len(dates)
    entries = np.zeros(n, dtype=bool)
    exits = np.zeros(n, dtype=bool)
    entries[lag:] = buy_signal[: n - lag]
    exits[lag:] = death[: n - lag]
    late = np.flatnonzero((buy_signal | death)[n - lag :]) + (n - lag) if lag else np.array([], dtype=np.int64)
    ties = np.isfinite(fast_s.to_numpy()) & (fast_s.to_numpy() == slow_s.to_numpy())
    return TrendSignals(
        dates=dates,
        entries=entries,
        exits=exits,
        golden_dates=dates[golden],
        death_dates=dates[death],
        above_at_start=above_at_start,
        n_tie_days=int(ties.sum()),
        unexecuted=dates[late],
        fast_ma=fast_s,
        slow_ma=slow_s,
    )


@dataclass(frozen=True, eq=False)
class StrategyResult:
    """One simulated equity curve and everything needed to report it.

    close: the traded series on the sample. equity: portfolio value at each close (starts
    from ``INITIAL_CAPITAL`` = 1). invested: True where the index is held at that close.
    trades: one row per round trip (``TRADE_COLUMNS``; see ``trades_frame``). strategy is
    None for buy-and-hold; signals is None for buy-and-hold.
    """

    label: str
    series_name: str
    signal_name: str
    strategy: TrendStrategy | None
    fee: float
    close: pd.Series = field(repr=False)
    equity: pd.Series = field(repr=False)
    invested: pd.Series = field(repr=False)
    trades: pd.DataFrame = field(repr=False)
    metrics: PerformanceMetrics
    signals: TrendSignals | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Daily: close, invested, equity and drawdown, indexed by date."""
        return pd.DataFrame(
            {"close": self.close, "invested": self.invested, "equity": self.equity, "drawdown": drawdown(self.equity)}
        )

    def trades_frame(self) -> pd.DataFrame:
        """The trade list (a copy): entry/exit signal and execution dates and prices,
        trading days held, price return (exit / entry - 1), net return (vectorbt's: P&L
        after both fees / entry value before fees), status ("closed" or "open")."""
        return self.trades.copy()

    def summary(self) -> str:
        lines = [self.metrics.summary()]
        if self.strategy is not None:
            lines.append(
                f"  rule: {self.strategy.describe()}; signals from {self.signal_name}, traded on {self.series_name}"
            )
        return "\n".join(lines)


def _portfolio(close: pd.Series, entries: np.ndarray, exits: np.ndarray, fee: float):  # type: ignore[no-untyped-def]
    """vectorbt's simulation: all cash in on a buy, all out on a sell, long only."""
    import vectorbt as vbt  # slow to import: only when a simulation runs

    return vbt.Portfolio.from_signals(
        close,
        entries=pd.Series(entries, index=close.index),
        exits=pd.Series(exits, index=close.index),
        size=np.inf,
        direction="longonly",
        fees=fee,
        init_cash=INITIAL_CAPITAL,
        freq="1D",
    )


def _trades(portfolio, close: pd.Series, lag: int, entry_signals: np.ndarray) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    records = portfolio.trades.records
    dates = close.index
    rows = []
    for record in records.to_dict("records"):
        entry, exit_ = int(record["entry_idx"]), int(record["exit_idx"])
        closed = int(record["status"]) == 1  # vectorbt's TradeStatus: 0 open, 1 closed
        entry_signal = entry - lag
        rows.append(
            {
                "entry_signal": "golden cross" if entry_signals[entry_signal] else "above at start",
                "entry_signal_date": dates[entry_signal],
                "entry_date": dates[entry],
                "entry_price": float(record["entry_price"]),
                "exit_signal": "death cross" if closed else "open at end",
                "exit_signal_date": dates[exit_ - lag] if closed else pd.NaT,
                "exit_date": dates[exit_] if closed else pd.NaT,
                "exit_price": float(record["exit_price"]),
                "days_held": exit_ - entry,
                "price_return": float(record["exit_price"]) / float(record["entry_price"]) - 1.0,
                "net_return": float(record["return"]),
                "status": "closed" if closed else "open",
            }
        )
    frame = pd.DataFrame(rows, columns=list(TRADE_COLUMNS))
    for column in ("entry_signal_date", "entry_date", "exit_signal_date", "exit_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="trade")
    return frame


def _result(
    label: str,
    close: pd.Series,
    entries: np.ndarray,
    exits: np.ndarray,
    fee: float,
    lag: int,
    entry_signals: np.ndarray,
    signal_name: str,
    strategy: TrendStrategy | None,
    signals: TrendSignals | None,
) -> StrategyResult:
    portfolio = _portfolio(close, entries, exits, fee)
    equity = portfolio.value().rename("equity")
    invested = (portfolio.assets() > 0).rename("invested")
    trades = _trades(portfolio, close, lag, entry_signals)
    metrics = performance(
        equity,
        invested,
        initial=INITIAL_CAPITAL,
        n_trades=len(trades),
        n_open=int((trades["status"] == "open").sum()),
        fee=fee,
        label=label,
    )
    return StrategyResult(
        label=label,
        series_name=str(close.name),
        signal_name=signal_name,
        strategy=strategy,
        fee=fee,
        close=close,
        equity=equity,
        invested=invested,
        trades=trades,
        metrics=metrics,
        signals=signals,
    )


def _traded_close(traded: object, dates: pd.DatetimeIndex) -> pd.Series:
    close = close_of(traded)
    aligned = close.reindex(dates)
    missing = aligned.isna().to_numpy()
    if missing.any():
        raise ParameterError(
            f"traded series {close.name!r} has no close on {int(missing.sum())} of the {len(dates)} days of the signal "
            f"sample (first: {dates[np.argmax(missing)].date()}); trade a series with the same dates"
        )
    return aligned.rename(close.name)


def simulate(
    series: object, strategy: TrendStrategy, *, traded: object | None = None, label: str | None = None
) -> StrategyResult:
    """Simulate ``strategy`` on ``series``: signals from its averages, orders at its closes.

    traded: another series to hold instead (e.g. the total-return index while the signal
    comes from the price index); it needs a close on every day of the signal's sample.
    """
    signals = trend_signals(series, strategy)
    signal_close = close_of(series)
    close = _traded_close(traded, signals.dates) if traded is not None else signal_close.loc[signals.dates]
    golden_at = np.isin(signals.dates, signals.golden_dates)
    return _result(
        label or strategy.describe(),
        close,
        signals.entries,
        signals.exits,
        strategy.fee,
        strategy.lag,
        golden_at,
        str(signal_close.name),
        strategy,
        signals,
    )


def buy_and_hold(
    series: object,
    *,
    start: object = None,
    end: object = None,
    fee: float = 0.001,
    label: str | None = None,
) -> StrategyResult:
    """Buy at the first close of [start, end] and hold to the last, paying ``fee`` once."""
    # TrendStrategy validates the dates and the fee with the same messages as a strategy
    window = TrendStrategy(start=start, end=end, fee=fee)  # type: ignore[arg-type]
    close = close_of(series)
    first, last = detection_bounds(close.index, window.event_rules("golden"))
    if last - first < 1:
        raise ParameterError(f"the sample {start} to {end} holds fewer than two closes of {close.name!r}")
    sample = close.iloc[first : last + 1]
    entries = np.zeros(len(sample), dtype=bool)
    entries[0] = True
    no_golden = np.zeros(len(sample), dtype=bool)
    result = _result(
        label or f"buy and hold, {window.fee:.2%} on the purchase",
        sample,
        entries,
        np.zeros(len(sample), dtype=bool),
        window.fee,
        0,
        no_golden,
        str(close.name),
        None,
        None,
    )
    trades = result.trades.assign(entry_signal="start of sample")
    return dataclasses.replace(result, trades=trades)
