"""NYSE trading sessions, from the ``exchange_calendars`` package (never a hand-written list).

Input: dates (datetime64[ns]). Output: a boolean mask of which are New York Stock Exchange
(XNYS) sessions. Validation (``backtest.data.validation``) drops and lists every row dated on a
non-session: FRED carries the previous level over closures (2001-09-11..14, 2012-10-29/30,
national days of mourning, Christmas 1997, some weekends), and a carried level is not a close.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

CALENDAR = "XNYS"
"""exchange_calendars' code of the New York Stock Exchange: US index levels (Russell, S&P,
Dow, Nasdaq) are computed on its sessions."""
CALENDAR_START = pd.Timestamp("1960-01-01")
"""First day asked of the calendar. exchange_calendars builds XNYS only ~20 years back by
default; its holiday rules go back much further, so pass an explicit start that covers
every series in the snapshot (the earliest begins in 1970s)."""
# how far past today a calendar is built: data never reaches beyond it
_YEARS_AHEAD = 2


@lru_cache(maxsize=4)
def _sessions(end_year: int) -> np.ndarray:
    import exchange_calendars as xcals

    calendar = xcals.get_calendar(CALENDAR, start=CALENDAR_START, end=pd.Timestamp(f"{end_year}-12-31"))
    return calendar.sessions.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def calendar_span(dates: np.ndarray) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first, last) day the calendar answers for when asked about ``dates``."""
    latest = pd.Timestamp(np.max(dates)) if len(dates) else pd.Timestamp.now()
    end_year = max(pd.Timestamp.now().year + _YEARS_AHEAD, latest.year)
    return CALENDAR_START, pd.Timestamp(f"{end_year}-12-31")


def is_session(dates: np.ndarray) -> np.ndarray:
    """True where a date (datetime64, NaT allowed) is an XNYS session or lies outside the
    calendar's span (before ``CALENDAR_START``: not checkable, so kept); False on a
    non-session inside the span. NaT gives True (its row is rejected elsewhere)."""
    dates = np.asarray(dates, dtype="datetime64[ns]")
    out = np.ones(dates.shape, dtype=bool)
    valid = ~np.isnat(dates)
    if not valid.any():
        return out
    first, last = calendar_span(dates[valid])
    sessions = _sessions(last.year)
    inside = valid & (dates >= np.datetime64(first)) & (dates <= np.datetime64(last))
    out[inside] = np.isin(dates[inside], sessions)
    return out
