"""The trend-following rule a strategy trades: its averages, sample, execution and cost.

``TrendStrategy`` is long while the fast average is above the slow one and in cash
otherwise; it enters on a golden cross and leaves on a death cross, exactly the days the
event engine dates (``backtest.events``), executed at that close or the next one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from backtest.checks import check_scalar
from backtest.errors import ParameterError
from backtest.events import EventRules, MACross

Execution = Literal["close", "next_close"]
FirstEntry = Literal["cross", "state"]
EXECUTIONS: tuple[str, ...] = ("close", "next_close")
FIRST_ENTRIES: tuple[str, ...] = ("cross", "state")


@dataclass(frozen=True)
class TrendStrategy:
    """Long the index while the ``fast`` average is above the ``slow`` one, in cash otherwise.

    fast, slow, ma: the averages (trading days; "sma" or "ema"), computed on all history so
        that the first day of the sample already has both.
    start, end: the simulated sample (first and last close); signals are taken from days in
        it only, as the event engine dates events in [start, end].
    execution: "close" trades at the close of the cross day (the event engine's
        ``entry="close"``; in practice a market-on-close order placed just before the close,
        when the cross is all but known); "next_close" at the following close
        (``entry="next_close"``, no use of the cross day's close before it is known).
    first_entry: "cross" buys at the first golden cross dated in the sample, so every trade
        starts on an event of the event study; "state" also buys on the first day if the
        fast average is already above the slow one then.
    fee: cost per side as a fraction of the traded value (0.001 = 0.10%), charged on every
        buy and sell; cash earns nothing.
    """

    fast: int = 50
    slow: int = 200
    ma: Literal["sma", "ema"] = "sma"
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    execution: Execution = "close"
    first_entry: FirstEntry = "cross"
    fee: float = 0.001

    def __post_init__(self) -> None:
        # MACross and EventRules validate windows, average kind and dates with the same messages
        cross = MACross(self.fast, self.slow, self.ma)
        rules = EventRules(source=cross, start=self.start, end=self.end)
        if self.execution not in EXECUTIONS:
            raise ParameterError(f"execution must be one of {', '.join(EXECUTIONS)}, got {self.execution!r}")
        if self.first_entry not in FIRST_ENTRIES:
            raise ParameterError(f"first_entry must be one of {', '.join(FIRST_ENTRIES)}, got {self.first_entry!r}")
        fee = self.fee
        check_scalar(
            fee,
            "fee",
            float,
            min_val=0.0,
            max_val=0.1,
            include_boundaries="left",
            must="be a fraction of the traded value in [0, 0.1), e.g. 0.001 for 0.10%",
        )
        object.__setattr__(self, "fast", cross.fast)
        object.__setattr__(self, "slow", cross.slow)
        object.__setattr__(self, "start", rules.start)
        object.__setattr__(self, "end", rules.end)
        object.__setattr__(self, "fee", float(fee))

    @property
    def lag(self) -> int:
        """Trading days from the signal's close to the trade's close."""
        return 0 if self.execution == "close" else 1

    def event_rules(self, direction: Literal["golden", "death"]) -> EventRules:
        """The event-engine rules whose events are this strategy's entries (golden) or exits
        (death): same averages and window; entry timing = this execution."""
        return EventRules(
            source=MACross(self.fast, self.slow, self.ma, direction),
            start=self.start,
            end=self.end,
            entry=self.execution,
        )

    def replace(self, **changes: object) -> TrendStrategy:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def describe(self) -> str:
        """One line, e.g. 'SMA 50/200 trend, trades at the cross-day close, 0.10% per side'."""
        timing = "trades at the cross-day close" if self.execution == "close" else "trades at the next close"
        return f"{self.ma.upper()} {self.fast}/{self.slow} trend, {timing}, {self.fee:.2%} per side"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters."""
        out = dataclasses.asdict(self)
        out["start"] = None if self.start is None else self.start.date().isoformat()
        out["end"] = None if self.end is None else self.end.date().isoformat()
        return out
