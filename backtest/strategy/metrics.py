"""Performance of an equity curve: CAGR, volatility, Sharpe, drawdown, time in market.

Input: a daily equity series (value of the portfolio at each close) and the position held
at each close. Output: ``PerformanceMetrics``. Plain pandas/numpy, no simulation: the
numbers are the textbook formulas, stated in each field's docstring.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.errors import ParameterError

PERIODS_PER_YEAR = 252
"""Trading days per year, to annualise daily volatility and Sharpe ratios."""
DAYS_PER_YEAR = 365.25
"""Calendar days per year, to turn the sample's span into years for the CAGR."""


@dataclass(frozen=True)
class PerformanceMetrics:
    """Performance of one equity curve.

    total_return: final value / initial capital - 1 (fees included; an open position is
        valued at the last close, without a sale cost).
    cagr: (1 + total_return) ** (1 / years) - 1, years = calendar days from the first to the
        last close / 365.25.
    ann_volatility: standard deviation (ddof=1) of daily simple returns of the equity
        x sqrt(252); days in cash count as zero returns.
    sharpe: mean / standard deviation of those daily returns x sqrt(252), with a risk-free
        rate of zero (cash earns nothing in these simulations, so excess = raw returns).
    max_drawdown: worst fall of the equity from its running peak (<= 0), with the dates
        of that peak and of the trough.
    time_in_market: share of the sample's daily returns (close t-1 to close t) earned while
        holding the index at the close of t-1.
    n_trades: round trips opened (an open one at the end counts); n_open: 0 or 1.
    """

    label: str
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    years: float
    n_days: int
    total_return: float
    cagr: float
    ann_volatility: float
    sharpe: float
    max_drawdown: float
    max_drawdown_peak: pd.Timestamp
    max_drawdown_trough: pd.Timestamp
    time_in_market: float
    n_trades: int
    n_open: int
    fee: float

    def to_dict(self) -> dict[str, object]:
        out = dataclasses.asdict(self)
        for key in ("first_date", "last_date", "max_drawdown_peak", "max_drawdown_trough"):
            out[key] = out[key].date().isoformat()
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per metric (columns label, metric, value)."""
        values = self.to_dict()
        label = values.pop("label")
        return pd.DataFrame({"label": label, "metric": list(values), "value": list(values.values())})

    def summary(self) -> str:
        """Plain text for a terminal."""
        return "\n".join(
            [
                f"{self.label}: {self.first_date.date()} to {self.last_date.date()} ({self.years:.1f} years, "
                f"{self.n_days:,} closes)",
                f"  total return {self.total_return:+.1%}   CAGR {self.cagr:+.2%}   volatility {self.ann_volatility:.1%}"
                f"   Sharpe (rf = 0) {self.sharpe:.2f}",
                f"  max drawdown {self.max_drawdown:.1%} ({self.max_drawdown_peak.date()} to "
                f"{self.max_drawdown_trough.date()})   time in market {self.time_in_market:.0%}   "
                f"trades {self.n_trades} ({self.n_open} open)   fee {self.fee:.2%} per side",
            ]
        )


def drawdown(equity: pd.Series) -> pd.Series:
    """Equity / its running peak - 1 (0 at new highs, negative below them)."""
    values = equity.to_numpy(dtype=float)
    return pd.Series(values / np.maximum.accumulate(values) - 1.0, index=equity.index, name="drawdown")


def performance(
    equity: pd.Series,
    invested: pd.Series,
    *,
    initial: float = 1.0,
    n_trades: int = 0,
    n_open: int = 0,
    fee: float = 0.0,
    label: str = "",
    periods_per_year: int = PERIODS_PER_YEAR,
) -> PerformanceMetrics:
    """``PerformanceMetrics`` of a daily equity curve.

    equity: portfolio value at each close (positive, at least two closes). invested: True
    where the index is held at that close, on the same dates. initial: the capital before
    the first trade (the first trade's fee is then part of the total return).
    """
    if not isinstance(equity, pd.Series) or not isinstance(equity.index, pd.DatetimeIndex):
        raise ParameterError("equity must be a pandas Series with a DatetimeIndex")
    if len(equity) < 2:
        raise ParameterError(f"equity needs at least two closes, got {len(equity)}")
    if not isinstance(invested, pd.Series) or not invested.index.equals(equity.index):
        raise ParameterError("invested must be a Series on the same dates as equity")
    values = equity.to_numpy(dtype=float)
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ParameterError("equity must be finite and positive")
    if not (math.isfinite(initial) and initial > 0):
        raise ParameterError(f"initial must be a positive capital, got {initial!r}")
    returns = values[1:] / values[:-1] - 1.0
    first, last = equity.index[0], equity.index[-1]
    years = (last - first).days / DAYS_PER_YEAR
    total = values[-1] / initial - 1.0
    std = float(np.std(returns, ddof=1)) if len(returns) > 1 else math.nan
    sharpe = float(np.mean(returns)) / std * math.sqrt(periods_per_year) if std and math.isfinite(std) else math.nan
    underwater = drawdown(equity).to_numpy()
    trough = int(np.argmin(underwater))
    peak = int(np.argmax(values[: trough + 1]))
    held = invested.to_numpy(dtype=bool)
    return PerformanceMetrics(
        label=label,
        first_date=first,
        last_date=last,
        years=years,
        n_days=len(values),
        total_return=float(total),
        cagr=float((1.0 + total) ** (1.0 / years) - 1.0) if years > 0 else math.nan,
        ann_volatility=std * math.sqrt(periods_per_year),
        sharpe=sharpe,
        max_drawdown=float(underwater[trough]),
        max_drawdown_peak=equity.index[peak],
        max_drawdown_trough=equity.index[trough],
        time_in_market=float(np.mean(held[:-1])),
        n_trades=int(n_trades),
        n_open=int(n_open),
        fee=float(fee),
    )


def metrics_frame(metrics: Sequence[PerformanceMetrics]) -> pd.DataFrame:
    """One row per equity curve, one column per metric (dates as ISO strings)."""
    rows = [m.to_dict() for m in metrics]
    columns = [f.name for f in dataclasses.fields(PerformanceMetrics)]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class PositionSplit:
    """The index's own compounded return over the days a strategy held it and over the days
    it sat in cash (day t counts as held when the position at the close of t-1 was long).

    invested_return * cash_return (as growth factors) is the index's total return over the
    sample: it shows what the strategy kept and what it stepped aside from, before costs.
    """

    invested_return: float
    cash_return: float
    invested_days: int
    cash_days: int

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def split_by_position(close: pd.Series, invested: pd.Series) -> PositionSplit:
    """Compound the index's daily returns separately over held days and cash days."""
    if not isinstance(invested, pd.Series) or not invested.index.equals(close.index):
        raise ParameterError("invested must be a Series on the same dates as close")
    values = close.to_numpy(dtype=float)
    growth = values[1:] / values[:-1]
    held = invested.to_numpy(dtype=bool)[:-1]
    return PositionSplit(
        invested_return=float(np.prod(growth[held]) - 1.0),
        cash_return=float(np.prod(growth[~held]) - 1.0),
        invested_days=int(held.sum()),
        cash_days=int((~held).sum()),
    )


@dataclass(frozen=True)
class TradeStatistics:
    """Closed round trips of a trade list (an open trade at the end is left out: its
    return is not realised). win_rate: share with a positive net return; returns are net
    of both fees; days are trading days held."""

    n_closed: int
    win_rate: float
    mean_net_return: float
    median_net_return: float
    best_net_return: float
    worst_net_return: float
    mean_days_held: float

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def trade_statistics(trades: pd.DataFrame) -> TradeStatistics:
    """``TradeStatistics`` of a trade list with columns net_return, days_held, status."""
    for column in ("net_return", "days_held", "status"):
        if column not in trades.columns:
            raise ParameterError(f"trades needs a {column!r} column (see StrategyResult.trades_frame)")
    closed = trades.loc[trades["status"] == "closed"]
    returns = closed["net_return"].to_numpy(dtype=float)
    n = len(returns)

    def stat(function) -> float:  # type: ignore[no-untyped-def]
        return float(function(returns)) if n else math.nan

    return TradeStatistics(
        n_closed=n,
        win_rate=float(np.count_nonzero(returns > 0) / n) if n else math.nan,
        mean_net_return=stat(np.mean),
        median_net_return=stat(np.median),
        best_net_return=stat(np.max),
        worst_net_return=stat(np.min),
        mean_days_held=float(closed["days_held"].mean()) if n else math.nan,
    )
