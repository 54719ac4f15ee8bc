"""Do a strategy's trades fall on the event engine's cross dates?

``event_agreement(result, series)`` runs the event engine (``run_event_study``) for the
strategy's golden and death crosses and checks, trade by trade, that each buy is the first
golden-cross event after being flat and each sell the first death-cross event after it,
on the signal dates and on the execution (entry) dates alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from backtest.errors import ParameterError
from backtest.events import run_event_study
from backtest.strategy.simulate import StrategyResult


@dataclass(frozen=True)
class EventAgreement:
    """Expected vs simulated trades.

    n_golden / n_death: events the event engine dates in the sample. expected_trades: the
    round trips those events imply (buy on a golden cross while flat, sell on a death cross
    while long; plus a first-day buy under ``first_entry="state"``). n_trades: trades the
    simulation made. mismatches: one line per disagreement (empty when they agree).
    """

    n_golden: int
    n_death: int
    expected_trades: int
    n_trades: int
    mismatches: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return not self.mismatches and self.expected_trades == self.n_trades

    def to_dict(self) -> dict[str, object]:
        return {
            "n_golden": self.n_golden,
            "n_death": self.n_death,
            "expected_trades": self.expected_trades,
            "n_trades": self.n_trades,
            "agrees": self.agrees,
            "mismatches": list(self.mismatches),
        }


def _expected_trades(golden: pd.DataFrame, death: pd.DataFrame, initial: pd.DataFrame) -> list[dict[str, object]]:
    """Round trips implied by the event tables, in date order (golden before death on a tie,
    which cannot happen: a day cannot be both)."""
    events = pd.concat([initial.assign(kind="golden"), golden.assign(kind="golden"), death.assign(kind="death")])
    events = events.loc[events["entry_date"].notna()].sort_values(["event_date", "kind"], kind="stable")
    trades: list[dict[str, object]] = []
    long = False
    for row in events.itertuples(index=False):
        if row.kind == "golden" and not long:
            trades.append(
                {
                    "entry_signal_date": row.event_date,
                    "entry_date": row.entry_date,
                    "exit_signal_date": pd.NaT,
                    "exit_date": pd.NaT,
                }
            )
            long = True
        elif row.kind == "death" and long:
            trades[-1].update(exit_signal_date=row.event_date, exit_date=row.entry_date)
            long = False
    return trades


def event_agreement(result: StrategyResult, series: object) -> EventAgreement:
    """Compare ``result``'s trades with the event engine's golden and death crosses on
    ``series`` (the series the strategy took its signals from)."""
    strategy = result.strategy
    if strategy is None or result.signals is None:
        raise ParameterError("result must come from simulate() with a TrendStrategy (not buy_and_hold)")
    golden = run_event_study(series, strategy.event_rules("golden")).table
    death = run_event_study(series, strategy.event_rules("death")).table
    dates = result.signals.dates
    initial = pd.DataFrame({"event_date": pd.DatetimeIndex([]), "entry_date": pd.DatetimeIndex([])})
    if strategy.first_entry == "state" and result.signals.above_at_start:
        entry = dates[strategy.lag] if strategy.lag < len(dates) else pd.NaT
        initial = pd.DataFrame({"event_date": [dates[0]], "entry_date": [entry]})
    expected = _expected_trades(golden[["event_date", "entry_date"]], death[["event_date", "entry_date"]], initial)
    trades = result.trades
    mismatches = []
    for number, (want, (_, got)) in enumerate(zip(expected, trades.iterrows()), start=1):
        for column in ("entry_signal_date", "entry_date", "exit_signal_date", "exit_date"):
            a, b = want[column], got[column]
            if not ((pd.isna(a) and pd.isna(b)) or a == b):
                shown_a = "none" if pd.isna(a) else pd.Timestamp(a).date()
                shown_b = "none" if pd.isna(b) else pd.Timestamp(b).date()
                mismatches.append(f"trade {number}: {column} is {shown_b}, the event engine implies {shown_a}")
    if len(expected) != len(trades):
        mismatches.append(f"{len(trades)} trades simulated, the event engine implies {len(expected)}")
    return EventAgreement(len(golden), len(death), len(expected), len(trades), tuple(mismatches))
