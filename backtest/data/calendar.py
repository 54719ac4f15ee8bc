"""NYSE trading sessions, from the ``exchange_calendars`` package (never a hand-written list).

Input: dates (datetime64[ns]). Output: a boolean mask of which are New York Stock Exchange
(XNYS) sessions. Validation (``backtest.data.validation``) drops and lists every row dated on a
non-session: FRED carries the previous level over closures (2001-09-11..14, 2012-10-29/30,
national days of mourning, Christmas 1997, some weekends), and a carried level is not a close.
The sessions are built once per calendar span and kept in the per-user cache
(``backtest.cache``; ``BACKTEST_CACHE_DIR=off`` disables it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from backtest.cache import (
    ENTRY_SUFFIX,
    key_of,
    package_versions,
    python_version,
    read_entry,
    source_digest,
    user_cache_dir,
    write_entry,
)

CALENDAR = "XNYS"
"""exchange_calendars' code of the New York Stock Exchange: US index levels (Russell, S&P,
Dow, Nasdaq) are computed on its sessions."""
CALENDAR_START = pd.Timestamp("1960-01-01")
"""First day asked of the calendar. exchange_calendars builds XNYS only ~20 years back by
default; its holiday rules go back much further, so pass an explicit start that covers
every series in the snapshot (the earliest begins in 1970s)."""
# how far past today a calendar is built: data never reaches beyond it
_YEARS_AHEAD = 2


SESSIONS_CACHE_FORMAT = 2
"""Bump when the stored entry's layout changes (it is part of the key)."""
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
_CODE_FILES = ("cache.py", "files.py", "data/calendar.py")
_SESSIONS_COLUMN = "session"


def _sessions_entry(end_year: int) -> tuple[Path, dict[str, object]] | None:
    """(file, parameters) of the stored sessions up to ``end_year``; None when caching is off."""
    folder = user_cache_dir()
    if folder is None:
        return None
    try:
        code = source_digest([_PACKAGE_ROOT / name for name in _CODE_FILES], _PACKAGE_ROOT)
    except OSError:
        return None
    parameters: dict[str, object] = {
        "format": SESSIONS_CACHE_FORMAT,
        "calendar": CALENDAR,
        "start": CALENDAR_START.isoformat(),
        "end_year": int(end_year),
        "code_sha256": code,
        "versions": {
            **package_versions(("exchange_calendars", "pandas", "numpy", "pyarrow")),
            "python": python_version(),
        },
    }
    return folder / f"{CALENDAR.lower()}-sessions-{key_of(parameters)[:32]}{ENTRY_SUFFIX}", parameters


@lru_cache(maxsize=4)
def _sessions(end_year: int) -> np.ndarray:
    """Every XNYS session from ``CALENDAR_START`` to the end of ``end_year`` (datetime64[ns]).

    Building the calendar costs ~0.3 s per process (importing exchange_calendars and
    evaluating its holiday rules), so the result is kept in the per-user cache
    (``backtest.cache``), keyed by the calendar's span, this module's source and the
    versions of exchange_calendars, pandas, numpy and Python."""
    import pyarrow as pa

    entry = _sessions_entry(end_year)
    if entry is not None:
        stored = read_entry(*entry)
        if stored is not None:
            table = stored[1]
            if (
                table.column_names == [_SESSIONS_COLUMN]
                and table.schema.types[0] == pa.timestamp("ns")
                and table.column(0).null_count == 0
            ):
                return np.array(table.column(0).to_numpy(), dtype="datetime64[ns]")
    import exchange_calendars as xcals

    calendar = xcals.get_calendar(CALENDAR, start=CALENDAR_START, end=pd.Timestamp(f"{end_year}-12-31"))
    sessions = calendar.sessions.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    if entry is not None:
        write_entry(entry[0], entry[1], {}, pa.table({_SESSIONS_COLUMN: sessions}))
    return sessions


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
