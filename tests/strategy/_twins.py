"""Plain pandas/numpy twins of the strategy stage, used only by tests: no vectorbt, no
numba, one readable loop over the days."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def random_walk(n: int, seed: int = 0, start: float = 100.0, drift: float = 0.0003, vol: float = 0.012) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = start * np.exp(np.cumsum(rng.normal(drift, vol, n)))
    return pd.Series(values, index=pd.bdate_range("1980-01-01", periods=n, name="date"), name="walk")


def reference_simulation(
    close: pd.Series,
    fast: int,
    slow: int,
    *,
    start: str | pd.Timestamp | None = None,
    lag: int = 0,
    fee: float = 0.001,
    first_entry: str = "cross",
    traded: pd.Series | None = None,
) -> dict[str, object]:
    """Long from a golden cross to the next death cross (pandas rolling means), orders
    ``lag`` closes after the signal, all cash in at price x (1 + fee), all out at price x
    (1 - fee), cash earns nothing. Returns dates, equity, held (position at each close) and
    trades as (entry position, exit position or None)."""
    fast_ma = close.rolling(fast).mean()
    slow_ma = close.rolling(slow).mean()
    # comparisons with NaN are False, so no cross before both averages exist on t-1 and t
    golden = ((fast_ma.shift(1) <= slow_ma.shift(1)) & (fast_ma > slow_ma)).to_numpy()
    death = ((fast_ma.shift(1) >= slow_ma.shift(1)) & (fast_ma < slow_ma)).to_numpy()
    in_sample = np.ones(len(close), dtype=bool) if start is None else (close.index >= pd.Timestamp(start))
    dates = close.index[in_sample]
    buy_signal = golden[in_sample].copy()
    sell_signal = death[in_sample]
    if first_entry == "state" and fast_ma[in_sample].iloc[0] > slow_ma[in_sample].iloc[0]:
        buy_signal[0] = True
    prices = (traded if traded is not None else close).reindex(dates).to_numpy(dtype=float)
    cash, units = 1.0, 0.0
    equity, held, trades = [], [], []
    for t in range(len(dates)):
        buy = t >= lag and buy_signal[t - lag]
        sell = t >= lag and sell_signal[t - lag]
        if units == 0.0 and buy:
            units = cash / (prices[t] * (1.0 + fee))
            cash = 0.0
            trades.append([t, None])
        elif units > 0.0 and sell:
            cash = units * prices[t] * (1.0 - fee)
            units = 0.0
            trades[-1][1] = t
        equity.append(cash + units * prices[t])
        held.append(units > 0.0)
    return {
        "dates": dates,
        "equity": pd.Series(equity, index=dates),
        "held": np.array(held),
        "trades": [tuple(trade) for trade in trades],
    }


def reference_metrics(equity: pd.Series, held: np.ndarray, initial: float = 1.0) -> dict[str, float]:
    """The textbook formulas, spelled out."""
    values = equity.to_numpy(dtype=float)
    daily = values[1:] / values[:-1] - 1.0
    years = (equity.index[-1] - equity.index[0]).days / 365.25
    running_peak = np.maximum.accumulate(values)
    return {
        "total_return": values[-1] / initial - 1.0,
        "cagr": (values[-1] / initial) ** (1.0 / years) - 1.0,
        "ann_volatility": float(np.std(daily, ddof=1)) * math.sqrt(252),
        "sharpe": float(np.mean(daily) / np.std(daily, ddof=1)) * math.sqrt(252),
        "max_drawdown": float(np.min(values / running_peak - 1.0)),
        "time_in_market": float(np.mean(held[:-1])),
    }
