"""Returns over calendar periods, for checking an article's factual statements.

``period_return(close, start, end)`` uses the last close on or before each date, so a
statement "as of" a publication date never uses a close from after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from backtest.errors import InsufficientDataError


def close_on_or_before(close: pd.Series, date: str | pd.Timestamp) -> tuple[pd.Timestamp, float]:
    """The last close dated on or before ``date`` (and its date)."""
    when = pd.Timestamp(date)
    position = int(close.index.searchsorted(when, side="right")) - 1
    if position < 0:
        raise InsufficientDataError(f"series {close.name!r} has no close on or before {when.date()}")
    return close.index[position], float(close.iloc[position])


@dataclass(frozen=True)
class PeriodReturn:
    """Price change between the last closes on or before ``start`` and ``end``."""

    series: str
    start: pd.Timestamp
    end: pd.Timestamp
    start_close: float
    end_close: float

    @property
    def value(self) -> float:
        return self.end_close / self.start_close - 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "series": self.series,
            "start": self.start.date().isoformat(),
            "end": self.end.date().isoformat(),
            "start_close": self.start_close,
            "end_close": self.end_close,
            "return": self.value,
        }


def period_return(close: pd.Series, start: str | pd.Timestamp, end: str | pd.Timestamp) -> PeriodReturn:
    """Return from the last close on or before ``start`` to the last close on or before ``end``."""
    start_date, start_close = close_on_or_before(close, start)
    end_date, end_close = close_on_or_before(close, end)
    return PeriodReturn(str(close.name), start_date, end_date, start_close, end_close)
