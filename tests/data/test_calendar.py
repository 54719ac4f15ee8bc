"""NYSE sessions (``backtest.data.calendar``) against exchange_calendars and known closures,
and what dropping non-session rows does to the snapshot's FRED series."""

from __future__ import annotations

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from backtest.data import load_series
from backtest.data.calendar import CALENDAR, CALENDAR_START, is_session
from backtest.data.validation import read_validated
from backtest.events import EventRules, MACross, run_event_study
from tests.data.csv_rows import FRED_HEADER

# Unscheduled or irregular NYSE closures on weekdays (NYSE's historical closings list).
CLOSED_WEEKDAYS = (
    "1985-09-27",  # Hurricane Gloria
    "1994-04-27",  # President Nixon's funeral
    "1997-12-25",
    "2001-09-11",
    "2001-09-12",
    "2001-09-13",
    "2001-09-14",
    "2004-06-11",  # President Reagan's funeral
    "2007-01-02",  # President Ford
    "2012-10-29",
    "2012-10-30",  # Hurricane Sandy
    "2018-12-05",  # President G. H. W. Bush
    "2025-01-09",  # President Carter
)
OPEN_NEIGHBOURS = ("1985-09-26", "1985-09-30", "2001-09-10", "2001-09-17", "2012-10-26", "2012-10-31", "1997-12-26")


def test_known_closures_and_weekends() -> None:
    dates = pd.to_datetime(list(CLOSED_WEEKDAYS) + list(OPEN_NEIGHBOURS) + ["2020-01-11", "2020-01-12"]).to_numpy()
    expected = [False] * len(CLOSED_WEEKDAYS) + [True] * len(OPEN_NEIGHBOURS) + [False, False]
    np.testing.assert_array_equal(is_session(dates), expected)


def test_every_day_since_1979_matches_exchange_calendars() -> None:
    days = pd.date_range("1979-01-01", "2026-12-31", freq="D")
    sessions = xcals.get_calendar(CALENDAR, start="1979-01-01", end="2026-12-31").sessions
    np.testing.assert_array_equal(is_session(days.to_numpy()), days.isin(sessions))


def test_dates_outside_the_calendar_and_nat_are_kept() -> None:
    before = pd.Timestamp(CALENDAR_START) - pd.Timedelta(days=3)  # not checkable: kept
    dates = np.array(
        [before.to_datetime64(), np.datetime64("NaT"), np.datetime64("1970-01-03")], dtype="datetime64[ns]"
    )
    assert is_session(dates).tolist() == [True, True, False]
    assert is_session(np.array([], dtype="datetime64[ns]")).shape == (0,)


def test_fred_file_drops_exactly_the_non_sessions(data_dir, data_is_snapshot, fixture_manifest) -> None:
    """Reference: the file's dates read with pandas, minus exchange_calendars' sessions (16 in
    the snapshot; the fixture's planted closures and weekend month-ends)."""
    path = data_dir / "fred/RU2000PR.csv"
    raw = pd.read_csv(path)
    raw = raw.loc[raw.iloc[:, 1].astype(str).str.strip() != "."]
    dates = pd.to_datetime(raw.iloc[:, 0])
    sessions = xcals.get_calendar(CALENDAR, start="1978-01-01", end="2026-12-31").sessions
    expected = sorted(dates.loc[~dates.isin(sessions)].dt.strftime("%Y-%m-%d"))
    frame, report = read_validated(path)
    assert sorted(report.finding("non_session").dates) == expected and len(expected) == (
        16 if data_is_snapshot else fixture_manifest["files"]["fred/RU2000PR.csv"]["findings"]["non_session"]["count"]
    )
    assert frame.index.isin(sessions).all()


def test_builtin_dataset_lists_its_dropped_dates() -> None:
    from backtest.data import builtin

    provenance = builtin.builtin_provenance()
    record = provenance["series"]["fred/RU2000PR.csv"]
    assert "2001-09-11" in record["non_sessions_dropped"] and len(record["non_sessions_dropped"]) == 16
    assert "non_session 16" in record["raw_validation"]


def test_fred_events_no_longer_shift_by_a_day(real_data_dir, tmp_path) -> None:
    """The FRED-only robustness rows: carried levels on closed days used to move golden crosses
    a day early against ^RUT (1994-10-20, 1999-02-05, 2002-01-10); they now fall on ^RUT's dates."""
    rules = EventRules(source=MACross(50, 200, ma="sma", direction="golden"), start="1989-01-01")

    def events(symbol: str) -> set[str]:
        series = load_series(symbol, data_dir=real_data_dir)  # the real dates: snapshot or built-in
        return set(run_event_study(series.close, rules).table["event_date"].dt.strftime("%Y-%m-%d"))

    fred, rut = events("RU2000PR"), events("RUT")
    assert {"1994-10-21", "1999-02-08", "2002-01-11"} <= fred & rut
    assert not {"1994-10-20", "1999-02-05", "2002-01-10"} & fred
    # no event is dated on a day the exchange was closed
    assert is_session(pd.to_datetime(sorted(fred)).to_numpy()).all()


def test_validation_reports_a_pre_calendar_row_as_kept(write_csv) -> None:
    rows = ["1959-12-26,10.00", "1959-12-28,10.10", "2020-01-11,11.00", "2020-01-13,11.10"]  # a 1959 Saturday
    frame, report = read_validated(write_csv(rows, header=FRED_HEADER))
    assert "1959-12-26" in frame.index.strftime("%Y-%m-%d")
    assert report.finding("non_session").dates == ("2020-01-11",)


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
