"""The disk cache of validated files (``read_validated``) and of the NYSE sessions: a hit is
the fresh result exactly, anything that could change the result misses, a damaged, foreign
or crafted entry is a miss (a pickle placed where an entry goes is never run), an
unwritable cache or an unusable home is never an error, and ``BACKTEST_CACHE_DIR=off``
writes nothing."""

from __future__ import annotations

import json
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from backtest import cache, files
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
    return sorted(path.name for path in folder.glob("*.arrow") if not path.name.startswith("xnys-"))


def stored(entry: Path) -> tuple[dict, pa.Table]:
    """(record, table) of an entry file, read directly (whatever its parameters)."""
    with pa.ipc.open_file(pa.BufferReader(entry.read_bytes())) as reader:
        table = reader.read_all()
    return json.loads(table.schema.metadata[b"backtest.cache"]), table


def encoded(record: dict, table: pa.Table) -> bytes:
    """An entry file holding ``table`` and ``record``, as a foreign writer could make it."""
    table = table.replace_schema_metadata({b"backtest.cache": json.dumps(record).encode()})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


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
    other = cache_dir / "other_file-2029-01-01-0123456789abcdef.arrow"
    other.write_bytes(b"another file's entry")
    legacy = cache_dir / f"{path.stem}-2029-12-31-0123456789abcdef.pickle"  # the earlier format's
    legacy.write_bytes(b"an entry of the earlier format")
    assert len(entries(cache_dir)) == 3
    read_validated(path, run_date="2030-01-02")
    names = entries(cache_dir)
    assert other.name in names and len(names) == 2
    (new,) = [name for name in names if name != other.name]
    assert new.startswith(f"{path.stem}-2030-01-02-")
    assert (cache_dir / "notes-2029-01-01-0123abcd.txt").exists() and other.read_bytes() == b"another file's entry"
    assert not legacy.exists()


def _garbage(entry: Path) -> bytes:
    return b"not an Arrow file at all\n"


def _truncated(entry: Path) -> bytes:
    return entry.read_bytes()[: entry.stat().st_size // 2]


def _foreign(entry: Path) -> bytes:
    return encoded({"something": "else"}, pa.table({"x": [1, 2, 3]}))


def _other_parameters(entry: Path) -> bytes:
    record, table = stored(entry)
    record["parameters"] = {**record["parameters"], "max_move": 0.5}
    return encoded(record, table)


def _wrong_frame(entry: Path) -> bytes:
    record, _ = stored(entry)
    return encoded(record, pa.table({"date": ["2020-01-02"], "close": ["1.0"]}))


def _wrong_report(entry: Path) -> bytes:
    record, table = stored(entry)
    record["value"]["findings"][0]["lines"] = ["three"]
    return encoded(record, table)


def _a_pickle(entry: Path) -> bytes:
    return pickle.dumps({"something": "else"})


@pytest.mark.parametrize(
    "damage",
    [_garbage, _truncated, _foreign, _other_parameters, _wrong_frame, _wrong_report, _a_pickle, lambda e: b""],
)
def test_a_damaged_or_foreign_cache_file_is_ignored_and_replaced(write_csv, cache_dir: Path, monkeypatch, damage):
    path = write_csv(with_defects(ROWS))
    expected = fresh(path, monkeypatch, run_date=RUN_DATE)
    read_validated(path, run_date=RUN_DATE)
    (entry,) = cache_dir.glob("T-*.arrow")
    good = stored(entry)
    entry.write_bytes(damage(entry))
    assert_same(read_validated(path, run_date=RUN_DATE), expected)
    assert stored(entry)[0] == good[0]  # recomputed and written again
    assert validation._cache_read((entry, good[0]["parameters"]), path, expected[1].run_date) is not None


class _Bomb:
    """Unpickling it would create ``marker``: the proof that a pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_a_pickle_bomb_where_an_entry_goes_is_never_run(write_csv, cache_dir: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(calendar, "_sessions", calendar._sessions.__wrapped__)  # the sessions from disk
    path = write_csv(with_defects(ROWS))
    expected = fresh(path, monkeypatch, run_date=RUN_DATE)
    read_validated(path, run_date=RUN_DATE)
    (entry,) = cache_dir.glob("T-*.arrow")
    (sessions,) = cache_dir.glob("xnys-sessions-*.arrow")
    marker = tmp_path / "the-pickle-ran"
    bomb = pickle.dumps({"parameters": stored(entry)[0]["parameters"], "frame": _Bomb(marker)})
    for target in (entry, sessions, entry.with_suffix(".pickle")):
        target.write_bytes(bomb)
    assert_same(read_validated(path, run_date=RUN_DATE), expected)
    assert not marker.exists()
    assert stored(entry)[1].num_rows == len(expected[0]) and stored(sessions)[1].num_rows > 10_000  # replaced
    pickle.loads(bomb)["frame"].close()  # the bomb was live: unpickling it runs its code
    assert marker.exists()


def test_an_oversized_entry_is_a_miss(write_csv, cache_dir: Path, monkeypatch) -> None:
    path = write_csv(ROWS)
    expected = fresh(path, monkeypatch, run_date=RUN_DATE)
    read_validated(path, run_date=RUN_DATE)
    (entry,) = cache_dir.glob("T-*.arrow")
    monkeypatch.setattr(cache, "CACHE_ENTRY", files.FileKind("cache entry", entry.stat().st_size - 1))
    assert cache.read_entry(entry, stored(entry)[0]["parameters"]) is None
    assert_same(read_validated(path, run_date=RUN_DATE), expected)


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
    (tmp_path / "home").mkdir()
    (tmp_path / "xdg").mkdir()
    assert cache.user_cache_dir() == tmp_path / "xdg" / "backtest" / "validated"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache.user_cache_dir() == tmp_path / "home" / ".cache" / "backtest" / "validated"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.user_cache_dir() == tmp_path / "home" / ".cache" / "backtest" / "validated"
    monkeypatch.setenv(cache.CACHE_DIR_ENV_VAR, str(tmp_path / "mine"))
    assert cache.user_cache_dir() == tmp_path / "mine"
    monkeypatch.setenv(cache.CACHE_DIR_ENV_VAR, "OFF")
    assert cache.user_cache_dir() is None


@pytest.mark.parametrize("home", ["missing", "a file", "relative", "unset"])
def test_an_unusable_home_means_no_cache_and_creates_nothing(write_csv, tmp_path: Path, monkeypatch, home) -> None:
    path = write_csv(ROWS)
    monkeypatch.delenv(cache.CACHE_DIR_ENV_VAR, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(calendar, "_sessions", calendar._sessions.__wrapped__)
    if home == "a file":
        (tmp_path / "home").write_text("not a folder\n")
    if home == "unset":  # and the password entry's home does not exist either
        monkeypatch.delenv("HOME")
        monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "home"))
    else:
        monkeypatch.setenv("HOME", "home" if home == "relative" else str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert cache.user_cache_dir() is None
    read_validated(path, run_date=RUN_DATE)
    assert sorted(tmp_path.rglob("*")) == before
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # an XDG folder that is not there either
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
    other = cache_dir / "T-2030-01-01-0123456789abcdef0123456789abcdef.arrow"
    other.write_bytes(b"some other entry")
    read_validated(write_csv(ROWS), run_date=RUN_DATE)
    assert mine.read_text() == "the user's\n" and other.read_bytes() == b"some other entry"
    assert len(entries(cache_dir)) == 2


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    assert cache.write_entry(tmp_path / "x" / "entry.arrow", {"a": 1}, {}, pa.table({"b": [1]})) is False
    assert list((tmp_path / "x").iterdir()) == []


def test_the_sessions_are_stored_and_read_back_without_exchange_calendars(cache_dir: Path, monkeypatch) -> None:
    build = calendar._sessions.__wrapped__
    built = build(2031)
    (entry,) = cache_dir.glob("xnys-sessions-*.arrow")
    monkeypatch.setitem(sys.modules, "exchange_calendars", None)  # importing it now fails
    np.testing.assert_array_equal(build(2031), built)
    assert build(2031).dtype == np.dtype("datetime64[ns]")
    entry.write_bytes(b"damaged")
    with pytest.raises(ImportError):
        build(2031)  # a damaged file is a miss: the calendar is built again


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
