"""Clean rows of the two raw formats, for tests to break one defect at a time.

Business days from 2020-01-02, smooth prices (no large moves), volumes in round lots of 100
(so no partial-bar heuristic fires). Line numbers in a written file count the header as 1.
"""

from __future__ import annotations

import pandas as pd

YAHOO_HEADER = "Date,Close,High,Low,Open,Volume"
FRED_HEADER = "DATE,VALUE"


def yahoo_rows(n: int = 10, start: str = "2020-01-02", close: float = 100.0) -> list[str]:
    rows = []
    for i, day in enumerate(pd.bdate_range(start, periods=n)):
        level = close * (1 + 0.01 * ((-1) ** i) * (i % 3))
        rows.append(f"{day:%Y-%m-%d},{level},{level * 1.01},{level * 0.99},{level},{100_000 + 100 * i}")
    return rows


def fred_rows(n: int = 10, start: str = "2020-01-02", value: float = 100.0) -> list[str]:
    return [f"{day:%Y-%m-%d},{value + i:.2f}" for i, day in enumerate(pd.bdate_range(start, periods=n))]
