"""Out-of-sample check of one event: how its realised returns compare with history.

``recent_event_check(study)`` takes the latest event of an ``EventStudy`` (typically one
that happened after a claim was published), measures what it has returned so far at each
horizon that is complete and at the last close, and places those returns within the
distribution of the earlier events' returns over the same number of days and within the
distribution of every eligible day's returns (the unconditional baseline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.errors import InsufficientDataError
from backtest.events import EventStudy
from backtest.events.nb import forward_returns_nb
from backtest.events.study import detection_bounds


def percentile_of(sample: np.ndarray, value: float) -> float:
    """Share of ``sample`` at or below ``value``, in percent (NaN for an empty sample)."""
    sample = np.asarray(sample, dtype=float)
    sample = sample[~np.isnan(sample)]
    if sample.size == 0 or np.isnan(value):
        return float("nan")
    return float(100.0 * np.mean(sample <= value))


@dataclass(frozen=True)
class WindowComparison:
    """One window length: the recent event's return against earlier events and all days."""

    label: str
    days: int
    complete: bool
    realised_return: float
    earlier_events_n: int
    earlier_events_median: float
    percentile_among_earlier_events: float
    all_days_n: int
    all_days_median: float
    percentile_among_all_days: float

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RecentEventCheck:
    """The latest event and its realised returns so far, in historical context."""

    event_date: pd.Timestamp
    entry_date: pd.Timestamp
    entry_level: float
    last_date: pd.Timestamp
    days_elapsed: int
    windows: tuple[WindowComparison, ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([w.to_dict() for w in self.windows])

    def to_dict(self) -> dict[str, object]:
        return {
            "event_date": self.event_date.date().isoformat(),
            "entry_date": self.entry_date.date().isoformat(),
            "entry_level": self.entry_level,
            "last_date": self.last_date.date().isoformat(),
            "days_elapsed": self.days_elapsed,
            "windows": [w.to_dict() for w in self.windows],
        }

    def summary(self) -> str:
        lines = [
            f"Latest event {self.event_date.date()} (entry {self.entry_date.date()} at {self.entry_level:.2f}); "
            f"{self.days_elapsed} trading days to {self.last_date.date()}",
            f"{'window':>8} {'days':>5} {'return':>8} {'pct vs events':>14} {'pct vs all days':>16}",
        ]
        for w in self.windows:
            lines.append(
                f"{w.label:>8} {w.days:>5} {w.realised_return:>8.2%} {w.percentile_among_earlier_events:>14.0f} "
                f"{w.percentile_among_all_days:>16.0f}"
            )
        return "\n".join(lines)


def recent_event_check(study: EventStudy) -> RecentEventCheck:
    """Compare the latest event's realised returns with the earlier events and all days.

    Windows: every trading-day horizon of the study that is complete for the latest event,
    plus "to date" (entry to the last close). Earlier events are those before it in the
    study; all days are the eligible days of the same detection window.
    """
    if study.n_events == 0:
        raise InsufficientDataError("the study has no event to check")
    latest = study.table.iloc[-1]
    entry = int(latest["entry_pos"])
    close = study.close
    values = close.to_numpy(dtype=float)
    n = len(values)
    if entry >= n:
        raise InsufficientDataError(f"the latest event ({latest['event_date'].date()}) has no entry close yet")
    elapsed = n - 1 - entry
    earlier_entries = study.table["entry_pos"].to_numpy(dtype=np.int64)[:-1]
    first, last = detection_bounds(close.index, study.rules)
    lag = study.rules.entry_lag
    windows: list[tuple[str, int, bool]] = [
        (h.label, int(h.days), True) for h in study.horizons if h.days is not None and h.days <= elapsed
    ]
    windows.append(("to date", elapsed, False))
    comparisons = []
    for label, days, complete in windows:
        realised = values[entry + days] / values[entry] - 1.0
        forward = forward_returns_nb(values, days)
        earlier = forward[earlier_entries[earlier_entries + days < n]]
        all_days = forward[first + lag : last + lag + 1]
        all_days = all_days[~np.isnan(all_days)]
        comparisons.append(
            WindowComparison(
                label=label,
                days=days,
                complete=complete,
                realised_return=float(realised),
                earlier_events_n=int(earlier.size),
                earlier_events_median=float(np.median(earlier)) if earlier.size else float("nan"),
                percentile_among_earlier_events=percentile_of(earlier, realised),
                all_days_n=int(all_days.size),
                all_days_median=float(np.median(all_days)) if all_days.size else float("nan"),
                percentile_among_all_days=percentile_of(all_days, realised),
            )
        )
    return RecentEventCheck(
        event_date=latest["event_date"],
        entry_date=latest["entry_date"],
        entry_level=float(latest["entry_level"]),
        last_date=close.index[-1],
        days_elapsed=elapsed,
        windows=tuple(comparisons),
    )
