"""`backtest data ...` commands: output on good data, and one-line errors (exit 2, no traceback)
on bad files, unknown series and missing data."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data import sources
from tests.data.csv_rows import FRED_HEADER, fred_rows, yahoo_rows
from tests.data.test_sources import yfinance_like_frame


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    """``run(*args)`` -> (exit code, stdout, stderr) of ``backtest *args``."""

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def assert_one_line_error(code: int, out: str, err: str, *fragments: str) -> str:
    assert code == 2
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


@pytest.fixture
def malformed(write_csv):  # type: ignore[no-untyped-def]
    rows = yahoo_rows(6)
    rows.insert(2, "2020-01-06,oops,1,1,1,100")  # line 4
    return write_csv(rows, name="BAD.csv")


def test_check_strict_on_a_malformed_file_is_one_line(run, malformed) -> None:
    code, out, err = run("data", "check", malformed, "--policy", "strict")
    assert_one_line_error(code, out, err, str(malformed), "unparseable row, line 4", "'oops'")
    assert out == ""


def test_check_lenient_lists_the_dropped_row(run, malformed) -> None:
    code, out, err = run("data", "check", malformed)
    assert code == 0 and err == ""
    assert "BAD.csv: 7 rows read, 6 used" in out and "unparseable" in out and "line 4" in out
    code, out, _ = run("data", "check", malformed, "--show-dropped")
    assert code == 0 and "BAD.csv: every dropped row" in out and "'oops' is not a number" in out


def test_check_every_file_of_a_data_dir(run, tmp_path, write_csv) -> None:
    write_csv(yahoo_rows(5), name="yahoo/AAA.csv")
    write_csv(fred_rows(5), name="fred/BBB.csv", header=FRED_HEADER)
    code, out, _ = run("data", "check", "--data-dir", tmp_path, "--policy", "strict")
    assert code == 0 and "AAA.csv" in out and "BBB.csv" in out and "2 file(s) checked" in out
    write_csv(["2020-01-02,1,1,1,1,1", "2020-01-02,2,2,2,2,2"], name="yahoo/CCC.csv")
    code, out, err = run("data", "check", "--data-dir", tmp_path, "--policy", "strict")
    assert_one_line_error(code, out, err, "CCC.csv: 2 duplicate dates, lines 2, 3")


def test_check_real_series(run, data_dir) -> None:
    code, out, _ = run("data", "check", "russell2000", "--data-dir", data_dir)
    assert code == 0 and "RU2000PR.csv" in out and "partial_bar" in out and "no_value" in out
    code, out, err = run("data", "check", "XLE", "--data-dir", data_dir, "--policy", "strict")
    assert_one_line_error(code, out, err, "XLE.csv: unparseable row, line 2")


def test_show_russell2000(run, data_dir, data_is_snapshot, fixture_manifest) -> None:
    code, out, err = run("data", "show", "russell2000", "--data-dir", data_dir)
    assert code == 0 and err.startswith("data: russell2000 (FRED RU2000PR + Yahoo ^RUT)") and err.count("\n") == 1
    if data_is_snapshot:
        span, switch, worst_day = "11,883 daily closes, 1978-12-29 to 2026-02-20", "1987-09-10", "1992-10-16"
    else:
        # the fixture: FRED's synthetic Russell levels from 2012, rebased onto ^RUT's from 2017
        files = fixture_manifest["files"]
        fred, rut = files["fred/RU2000PR.csv"], files["yahoo/RUT.csv"]
        rut_dates = pd.read_csv(data_dir / "yahoo/RUT.csv")["Date"]
        rows = fred["kept_rows"] - int((rut_dates <= fred["last_date"]).sum()) + rut["kept_rows"]
        span, switch = f"{rows:,} daily closes, {fred['first_date']} to {rut['last_date']}", rut["first_date"]
        worst_day = "overall"
    for expected in (
        f"russell2000: {span}",
        "fred RU2000PR",
        "yahoo ^RUT",
        f"Splice RU2000PR -> RUT on {switch}",
        worst_day,
        "overall",
    ):
        assert expected in out


def test_list(run, data_dir) -> None:
    code, out, _ = run("data", "list", "--data-dir", data_dir)
    assert code == 0 and "russell2000-tr" in out and "NASDAQCOM" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("data", "show", "nosuchseries"), "unknown series 'nosuchseries'; known: russell2000"),
        (("data", "show", "missing.csv"), "missing.csv: file not found"),
        (("data", "check", "missing.csv"), "missing.csv: file not found"),
        (("data", "show", "russell2000", "--max-move", "0"), "max_move must be a positive number"),
    ],
)
def test_user_errors_are_one_line(run, data_dir, args, fragment) -> None:
    assert_one_line_error(*run(*args, "--data-dir", data_dir), fragment)


def test_missing_data_dir_is_one_clear_message(run, tmp_path, monkeypatch) -> None:
    assert_one_line_error(
        *run("data", "show", "russell2000", "--data-dir", tmp_path / "absent"),
        "absent (from --data-dir/data_dir argument) does not exist",
        "backtest data fetch",
    )
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    assert_one_line_error(*run("data", "check"), "no market data found", "$BACKTEST_DATA_DIR (not set)")


def test_fetch(run, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sources, "_yfinance_download", lambda symbol, start: yfinance_like_frame())
    code, out, err = run("data", "fetch", "^RUT", "--data-dir", tmp_path)
    assert code == 0 and err == "" and (tmp_path / "yahoo" / "RUT.csv").is_file()
    assert "wrote" in out and "RUT.csv" in out


def test_fetch_needs_a_target_and_yfinance(run, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    assert_one_line_error(*run("data", "fetch", "^RUT"), "pass --data-dir DIR or set $BACKTEST_DATA_DIR")
    monkeypatch.setitem(__import__("sys").modules, "yfinance", None)
    assert_one_line_error(*run("data", "fetch", "^RUT", "--data-dir", tmp_path), "needs yfinance")
