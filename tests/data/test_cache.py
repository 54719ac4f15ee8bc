"""The disk cache of validated files (``read_validated``) and of the NYSE sessions: a hit is
the fresh result exactly, anything that could change the result misses, a damaged or
unwritable cache is never an error, and ``BACKTEST_CACHE_DIR=off`` writes nothing."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest import cache
from backtest.data import calendar, validation
from backtest.data.validation import read_validated
from backtest.errors import DataError
from tests.data.csv_rows import FRED_HEADER, fred_rows, yahoo_rows

RUN_DATE = "2030-01-01"
ROWS = yahoo_rows(30)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_ENV_VAR, str(folder))
    return folder


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """After calling it, parsing a file fails the test: what follows must be a cache hit."""

    def forbid() -> None:
        def parse(*args: object) -> None:
            raise AssertionError("parsed a file that should have come from the cache")

        monkeypatch.setattr(validation, "_parse_rows", parse)

    return forbid


def entries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.pickle") if not path.name.startswith("xnys-"))


def fresh(path: Path, monkeypatch: pytest.MonkeyPatch, **options: object) -> tuple[pd.DataFrame, object]:
    """The result without any cache."""
    with monkeypatch.context() as patch:
        patch.setenv(cache.CACHE_DIR_ENV_VAR, "off")
        return read_validated(path, **options)  # type: ignore[arg-type]


def assert_same(got: tuple[pd.DataFrame, object], expected: tuple[pd.DataFrame, object]) -> None:
    frame, report = got
    pd.testing.assert_frame_equal(frame, expected[0], check_exact=True, check_freq=True, check_flags=True)
    assert frame.index.name == expected[0].index.name and frame.index.dtype == expected[0].index.dtype
    assert report == expected[1]
    assert repr(report) == repr(expected[1])
    assert report.run_date.unit == expected[1].run_date.unit  # type: ignore[attr-defined]
    assert report.headline() == expected[1].headline()  # type: ignore[attr-defined]
    assert report.summary() == expected[1].summary()  # type: ignore[attr-defined]


def with_defects(rows: list[str]) -> list[str]:
    rows = list(rows)
    rows[3] = "2020-01-07,101.0,102.0"  # too few fields: an error
    rows[5] = rows[5].replace(",100", ",-100", 1)  # a negative volume: an error
    return rows


def test_a_hit_is_the_fresh_result(write_csv, cache_dir: Path, no_parse, monkeypatch) -> None:
    path = write_csv(with_defects(ROWS))
    expected = fresh(path, monkeypatch, run_date=RUN_DATE)
    assert expected[1].errors  # the defects are there
    first = read_validated(path, run_date=RUN_DATE)
    assert len(entries(cache_dir)) == 1
    no_parse()
    second = read_validated(path, run_date=RUN_DATE)
    assert_same(first, expected)
    assert_same(second, expected)
    assert second[0] is not first[0]  # every hit is a fresh copy


def test_a_hit_on_a_snapshot_file_is_the_fresh_result(data_dir: Path, cache_dir: Path, no_parse, monkeypatch) -> None:
    path = data_dir / "yahoo" / "RUT.csv"  # partial last bar, large moves, OHLCV
    expected = fresh(path, monkeypatch)
    read_validated(path)
    no_parse()
    assert_same(read_validated(path), expected)


def test_the_same_bytes_elsewhere_hit_and_report_their_own_path(tmp_path, cache_dir: Path, no_parse, monkeypatch):
    first, second = tmp_path / "a" / "X.csv", tmp_path / "b" / "X.csv"  # a data directory moved
    for path in (first, second):
        path.parent.mkdir()
        path.write_text("\n".join([FRED_HEADER, *fred_rows(20), "2020-02-01,5.0", "2020-02-03,."]) + "\n")
    expected = fresh(second, monkeypatch, run_date=RUN_DATE)
    read_validated(first, run_date=RUN_DATE)
    no_parse()
    got = read_validated(second, run_date=RUN_DATE)
    assert_same(got, expected)
    assert {f.file for f in got[1].findings} == {str(second)}


def test_one_changed_byte_misses(write_csv, cache_dir: Path, monkeypatch) -> None:
    path = write_csv(ROWS)
    read_validated(path, run_date=RUN_DATE)
    data = bytearray(path.read_bytes())
    position = data.index(b"100.0,")  # a close
    data[position] = ord("2")
    path.write_bytes(bytes(data))
    expected = fresh(path, monkeypatch, run_date=RUN_DATE)
    got = read_validated(path, run_date=RUN_DATE)
    assert len(entries(cache_dir)) == 2
    assert_same(got, expected)
    assert got[0]["close"].iloc[0] == 200.0


@pytest.mark.parametrize(
    "options",
    [{"policy": "strict"}, {"max_move": 0.001}, {"run_date": "2020-01-08"}, {"run_date": "2031-06-30"}],
    ids=["policy", "max_move", "run_date", "later-run_date"],
)
def test_another_policy_max_move_or_run_date_misses(write_csv, cache_dir: Path, monkeypatch, options) -> None:
    path = write_csv(ROWS)
    read_validated(path, run_date=RUN_DATE)
    options = {"run_date": RUN_DATE, **options}
    expected = fresh(path, monkeypatch, **options)
    got = read_validated(path, **options)
    # a later run date's entry replaces the earlier day's, which no later run can hit
    assert len(entries(cache_dir)) == (1 if options["run_date"] > RUN_DATE else 2)
    assert_same(got, expected)


def test_a_new_day_removes_only_the_earlier_entries_of_that_file(write_csv, cache_dir: Path) -> None:
    path = write_csv(ROWS)
    read_validated(path, run_date="2030-01-01")
    read_validated(path, run_date="2030-01-01", max_move=0.2)
    cache_dir.joinpath("notes-2029-01-01-0123abcd.txt").write_text("the user's\n")
    other = cache_dir / "other_file-2029-01-01-0123456789abcdef.pickle"
    other.write_bytes(b"another file's entry")
    assert len(entries(cache_dir)) == 3
    read_validated(path, run_date="2030-01-02")
    names = entries(cache_dir)
    assert other.name in names and len(names) == 2
    (new,) = [name for name in names if name != other.name]
    assert new.startswith(f"{path.stem}-2030-01-02-")
    assert (cache_dir / "notes-2029-01-01-0123abcd.txt").exists() and other.read_bytes() == b"another file's entry"


def _garbage(entry: Path) -> bytes:
    return b"not a pickle at all\n"


def _truncated(entry: Path) -> bytes:
    return entry.read_bytes()[: entry.stat().st_size // 2]


def _foreign(entry: Path) -> bytes:
    return pickle.dumps({"something": "else"})


def _other_parameters(entry: Path) -> bytes:
    stored = pickle.loads(entry.read_bytes())
    stored["parameters"] = {**stored["parameters"], "max_move": 0.5}
    return pickle.dumps(stored)


def _wrong_frame(entry: Path) -> bytes:
    stored = pickle.loads(entry.read_bytes())
    stored["frame"] = [1, 2, 3]
    return pickle.dumps(stored)


@pytest.mark.parametrize("damage", [_garbage, _truncated, _foreign, _other_parameters, _wrong_frame, lambda e: b""])
def test_a_damaged_or_foreign_cache_file_is_ignored_and_replaced(write_csv, cache_dir: Path, monkeypatch, damage):
    path = write_csv(with_defects(ROWS))
    expected = fresh(path, monkeypatch, run_date=RUN_DATE)
    read_validated(path, run_date=RUN_DATE)
    (entry,) = cache_dir.glob("T-*.pickle")
    good = pickle.loads(entry.read_bytes())
    entry.write_bytes(damage(entry))
    assert_same(read_validated(path, run_date=RUN_DATE), expected)
    rewritten = cache.read_entry(entry)  # recomputed and written again
    assert isinstance(rewritten, dict) and rewritten["parameters"] == good["parameters"]
    assert_same((rewritten["frame"], rewritten["report"]), expected)


def test_off_writes_nothing(write_csv, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(cache.CACHE_DIR_ENV_VAR, "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(calendar, "_sessions", calendar._sessions.__wrapped__)  # no in-process copy either
    path = write_csv(ROWS)
    before = sorted(tmp_path.rglob("*"))
    read_validated(path, run_date=RUN_DATE)
    read_validated(path, run_date=RUN_DATE)
    assert cache.user_cache_dir() is None
    assert sorted(tmp_path.rglob("*")) == before


def test_the_default_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_ENV_VAR, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.user_cache_dir() == tmp_path / "xdg" / "backtest" / "validated"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache.user_cache_dir() == tmp_path / "home" / ".cache" / "backtest" / "validated"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.user_cache_dir() == tmp_path / "home" / ".cache" / "backtest" / "validated"
    monkeypatch.setenv(cache.CACHE_DIR_ENV_VAR, str(tmp_path / "mine"))
    assert cache.user_cache_dir() == tmp_path / "mine"
    monkeypatch.setenv(cache.CACHE_DIR_ENV_VAR, "OFF")
    assert cache.user_cache_dir() is None


def _read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders: permission bits do not stop it")
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def _under_a_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder.write_text("a file where the cache folder would be\n")
    return folder / "validated"


def _no_permission(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What a read-only home does, even for root: creating the temporary file fails."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    return folder


@pytest.mark.parametrize("unwritable", [_read_only, _under_a_file, _no_permission])
def test_an_unwritable_cache_folder_still_loads(write_csv, tmp_path: Path, monkeypatch, unwritable) -> None:
    path = write_csv(with_defects(ROWS))
    expected = fresh(path, monkeypatch, run_date=RUN_DATE)
    monkeypatch.setattr(calendar, "_sessions", calendar._sessions.__wrapped__)  # the sessions miss too
    folder = unwritable(tmp_path / "cache", monkeypatch)
    monkeypatch.setenv(cache.CACHE_DIR_ENV_VAR, str(folder))
    try:
        for _ in range(2):
            assert_same(read_validated(path, run_date=RUN_DATE), expected)
        with pytest.raises(DataError):
            read_validated(path, run_date=RUN_DATE, policy="strict")
        assert not folder.is_dir() or list(folder.iterdir()) == []
    finally:
        if (tmp_path / "cache").is_dir():
            (tmp_path / "cache").chmod(0o755)


def test_strict_still_raises_on_a_file_cached_by_a_lenient_read(write_csv, cache_dir: Path, no_parse, monkeypatch):
    path = write_csv(with_defects(ROWS))
    with monkeypatch.context() as patch:
        patch.setenv(cache.CACHE_DIR_ENV_VAR, "off")
        with pytest.raises(DataError) as uncached:
            read_validated(path, run_date=RUN_DATE, policy="strict")
    read_validated(path, run_date=RUN_DATE)  # lenient: stored
    for _ in range(2):  # a miss (another policy, stored too), then a hit
        with pytest.raises(DataError) as cached:
            read_validated(path, run_date=RUN_DATE, policy="strict")
        assert str(cached.value) == str(uncached.value)
        no_parse()
    assert len(entries(cache_dir)) == 2


def test_files_it_did_not_write_are_left_alone(write_csv, cache_dir: Path) -> None:
    cache_dir.mkdir()
    mine = cache_dir / "notes.txt"
    mine.write_text("the user's\n")
    other = cache_dir / "T-2030-01-01-0123456789abcdef0123456789abcdef.pickle"
    other.write_bytes(b"some other entry")
    read_validated(write_csv(ROWS), run_date=RUN_DATE)
    assert mine.read_text() == "the user's\n" and other.read_bytes() == b"some other entry"
    assert len(entries(cache_dir)) == 2


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    assert cache.write_entry(tmp_path / "x" / "entry.pickle", {"a": 1}) is False
    assert list((tmp_path / "x").iterdir()) == []


def test_the_sessions_are_stored_and_read_back_without_exchange_calendars(cache_dir: Path, monkeypatch) -> None:
    build = calendar._sessions.__wrapped__
    built = build(2031)
    (stored,) = cache_dir.glob("xnys-sessions-*.pickle")
    monkeypatch.setitem(sys.modules, "exchange_calendars", None)  # importing it now fails
    np.testing.assert_array_equal(build(2031), built)
    assert build(2031).dtype == np.dtype("datetime64[ns]")
    stored.write_bytes(b"damaged")
    with pytest.raises(ImportError):
        build(2031)  # a damaged file is a miss: the calendar is built again


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
