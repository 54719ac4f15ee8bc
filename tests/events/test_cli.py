"""`backtest events`: the event table on the real series, CSV output, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main


def test_events_prints_every_golden_cross_since_1985_and_writes_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], russell2000
) -> None:
    csv_path = tmp_path / "events.csv"
    code = main(["events", "--fast", "50", "--slow", "200", "--since", "1985-01-01", "--csv", str(csv_path)])
    out = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(csv_path, parse_dates=["event_date"])
    assert table["event_date"].min() >= pd.Timestamp("1985-01-01")
    for date in table["event_date"]:
        assert date.date().isoformat() in out
    # the latest cross's 12-month window runs past the data: shown as pending, kept in the CSV
    assert table["pending_12m"].iloc[-1] and "pending" in out
    assert {"ret_3m", "max_drawdown_12m", "days_to_recover_12m", "mae_6m", "mfe_6m"} <= set(table.columns)
    # the answer first: the count and the mean move per horizon, from the same table, before the rows
    first, moves = [line for line in out.splitlines() if not line.startswith("writing to ")][:2]
    assert first.startswith(f"In brief: {len(table)} events on russell2000, detected from 1985-01-01")
    done = table.loc[~table["pending_3m"], "ret_3m"]
    assert f"3m {done.mean():+.1%} ({(done > 0).mean():.0%} up, n={len(done)})" in moves


def test_events_with_calendar_months_and_death_crosses(capsys: pytest.CaptureFixture[str], russell2000) -> None:
    assert main(["events", "--direction", "death", "--months", "1,3", "--since", "2000-01-01"]) == 0
    out = capsys.readouterr().out
    assert "death cross" in out and "ret 3m" in out


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--fast", "200", "--slow", "50"], "fast window must be shorter than slow window"),
        (["--since", "yesterday-ish"], "start must be a date"),
        (["--horizons", "21,abc"], "comma-separated whole numbers"),
        (["--series", "NOPE"], "NOPE"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str], russell2000
) -> None:
    code = main(["events", *args])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("error: ")


def test_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["events", "--series", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--rsi-below", "30", "--since", "2015-01-01"], "RSI(14) crosses below 30"),
        (["--new-high", "252", "--min-gap", "252"], "close above the highest close of the previous 252 days"),
        (["--cross-above", "VIX", "--level", "40", "--min-gap", "60"], "VIX crosses above 40"),
    ],
)
def test_events_accepts_other_sources(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str], russell2000
) -> None:
    assert main(["events", *args]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert fragment in out and "Events:" in out


def test_events_from_a_date_file_reports_moved_and_dropped_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], russell2000
) -> None:
    dates = tmp_path / "fomc.csv"
    dates.write_text("date\n2008-12-16\n2020-03-15\n2099-01-01\n")
    assert main(["events", "--dates", str(dates), "--csv", str(tmp_path / "out.csv")]) == 0
    out = capsys.readouterr().out
    assert "2020-03-15->2020-03-16" in out and "after the data dropped: 2099-01-01" in out
    table = pd.read_csv(tmp_path / "out.csv", parse_dates=["event_date"])
    assert list(table["event_date"].dt.date.astype(str)) == ["2008-12-16", "2020-03-16"]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--rsi-below", "30", "--new-high", "20"], "give one event source"),
        (["--cross-above", "VIX"], "need --level"),
        (["--level", "3"], "--level goes with"),
    ],
)
def test_conflicting_sources_are_one_line_errors(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str], russell2000
) -> None:
    assert main(["events", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and "Traceback" not in err


def test_events_help_explains_each_source_convention(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for fragment in (
        "RSI >= LEVEL on day t-1 and < LEVEL on day t",
        "previous N trading days",
        "maps to the next trading day",
        "last within 5 days before",
    ):
        assert fragment in out
