"""Clean rows of the two raw formats, for tests to break one defect at a time.

NYSE sessions (exchange_calendars XNYS) from 2020-01-02, smooth prices (no large moves), volumes in round lots of 100
(so no partial-bar heuristic fires). Line numbers in a written file count the header as 1.
"""

from __future__ import annotations

import exchange_calendars as xcals
import pandas as pd

YAHOO_HEADER = "Date,Close,High,Low,Open,Volume"
FRED_HEADER = "DATE,VALUE"


def sessions(start: str, n: int) -> pd.DatetimeIndex:
    """The first n NYSE sessions on or after ``start`` (validation drops any other day)."""
    start = pd.Timestamp(start)
    calendar = xcals.get_calendar(
        "XNYS", start=min(start, pd.Timestamp("2000-01-01")), end=start + pd.Timedelta(days=2 * n + 30)
    )
    return calendar.sessions[calendar.sessions >= start][:n].tz_localize(None)


def yahoo_rows(n: int = 10, start: str = "2020-01-02", close: float = 100.0) -> list[str]:
    rows = []
    for i, day in enumerate(sessions(start, n)):
        level = close * (1 + 0.01 * ((-1) ** i) * (i % 3))
        rows.append(f"{day:%Y-%m-%d},{level},{level * 1.01},{level * 0.99},{level},{100_000 + 100 * i}")
    return rows


def fred_rows(n: int = 10, start: str = "2020-01-02", value: float = 100.0) -> list[str]:
    return [f"{day:%Y-%m-%d},{value + i:.2f}" for i, day in enumerate(sessions(start, n))]
