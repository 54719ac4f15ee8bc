"""The built-in dataset: it equals a fresh build from the snapshot, its series equal the
snapshot's, and it is what loading falls back on when no data directory is configured."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from backtest.data import builtin, clear_cache, load_series, sources
from backtest.data.catalog import _entries, catalog_files, list_series
from backtest.errors import DataNotFoundError
from tests.data.csv_rows import YAHOO_HEADER, yahoo_rows


@pytest.fixture
def no_data_configured(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """No --data-dir, no $BACKTEST_DATA_DIR, no ../shared/data, an empty per-user directory."""
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    monkeypatch.setattr(sources, "user_data_dir", lambda: tmp_path / "user")
    clear_cache()
    yield tmp_path / "user"
    clear_cache()


@pytest.mark.slow  # rebuilds the built-in dataset from the whole snapshot
def test_committed_dataset_equals_a_fresh_build_from_the_snapshot(data_dir, data_is_snapshot, tmp_path) -> None:
    # Without the snapshot, the fixture folder stands in: two builds of it are the same bytes.
    committed_dir = (
        builtin.BUILTIN_DIR
        if data_is_snapshot
        else builtin.build_builtin(data_dir, tmp_path / "first", files=catalog_files())
    )
    builtin.build_builtin(data_dir, tmp_path, files=catalog_files())
    committed = pd.read_parquet(committed_dir / builtin.TABLE_NAME)
    fresh = pd.read_parquet(tmp_path / builtin.TABLE_NAME)
    pd.testing.assert_frame_equal(committed, fresh)
    assert (committed_dir / builtin.PROVENANCE_NAME).read_text() == (tmp_path / builtin.PROVENANCE_NAME).read_text()


def test_a_build_of_the_data_dir_loads_back_bit_for_bit(data_dir, tmp_path) -> None:
    """Each series of a dataset built from ``data_dir`` equals a read of its raw file, with the
    same data stamp and validation report (the fixture's planted defects included)."""
    builtin.build_builtin(data_dir, tmp_path, files=catalog_files())
    for file, symbol in catalog_files():
        name = Path(file).stem
        from_build = builtin.load_builtin(file, name=name, symbol=symbol, directory=tmp_path)
        from_raw = load_series(name, data_dir=data_dir)
        pd.testing.assert_series_equal(from_build.close, from_raw.close, check_exact=True)
        assert from_build.data_sha256 == from_raw.data_sha256
        assert [f.kind for f in from_build.validation[0].findings] == [f.kind for f in from_raw.validation[0].findings]
        if file in builtin.FILES_WITH_BARS:
            pd.testing.assert_frame_equal(from_build.bars, from_raw.bars, check_exact=True)


def test_dataset_is_compact_and_names_its_sources() -> None:
    size = sum(path.stat().st_size for path in builtin.BUILTIN_DIR.iterdir())
    assert size < 2_500_000
    provenance = json.loads((builtin.BUILTIN_DIR / builtin.PROVENANCE_NAME).read_text())
    assert provenance["snapshot"]["last_date"] == "2026-02-23"
    assert set(provenance["series"]) == {file for file, _ in catalog_files()}
    rut = provenance["series"]["yahoo/RUT.csv"]
    assert (rut["source"], rut["symbol"], rut["first_date"], rut["bars"]) == ("yahoo", "^RUT", "1987-09-10", True)
    assert len(rut["raw_sha256"]) == 64 and "partial_bar 1" in rut["raw_validation"]
    assert provenance["format"] == builtin.FORMAT_VERSION == 2
    assert [finding["kind"] for finding in rut["findings"]] == ["partial_bar", "zero_volume", "large_move"]
    assert rut["rows_read"] == rut["rows"] + 1
    assert provenance["series"]["fred/RU2000PR.csv"]["first_date"] == "1978-12-29"


@pytest.mark.slow  # rebuilds the built-in dataset from the whole snapshot
def test_every_series_equals_the_snapshot_bit_for_bit(real_data_dir, no_data_configured) -> None:
    if real_data_dir is None:
        # No snapshot to compare with: each series holds the rows and span its provenance
        # recorded from the raw file at build time (the round trip of a build is checked above).
        records = builtin.builtin_provenance()["series"]
        for file, _ in catalog_files():
            series = load_series(Path(file).stem)
            record = records[file]
            assert (len(series), f"{series.first_date:%Y-%m-%d}", f"{series.last_date:%Y-%m-%d}") == (
                record["rows"],
                record["first_date"],
                record["last_date"],
            )
            assert series.data_sha256 == record["raw_sha256"]
        assert load_series("RUT").bars is not None
        return
    for name in _entries(None):
        from_builtin = load_series(name)
        from_snapshot = load_series(name, data_dir=real_data_dir)
        pd.testing.assert_series_equal(from_builtin.close, from_snapshot.close, check_exact=True)
        if from_builtin.bars is not None:
            pd.testing.assert_frame_equal(from_builtin.bars, from_snapshot.bars, check_exact=True)
    assert load_series("RUT").bars is not None  # the confirmation filters read ^RUT's volume


def test_builtin_is_the_last_resort_and_says_so(no_data_configured) -> None:
    source = sources.resolve_data_source()
    assert (source.kind, source.directory) == ("built-in", None)
    assert "built-in dataset (derived from the snapshot of 2026-02-23)" in source.describe()
    series = load_series("russell2000")
    assert len(series) == 11_883 and series.splice is not None
    # the provenance is the raw files', as a read of the snapshot gives; only found_in differs
    assert [(segment.source, segment.path) for segment in series.segments] == [
        ("fred", "fred/RU2000PR.csv"),
        ("yahoo", "yahoo/RUT.csv"),
    ]
    assert [segment.note for segment in series.segments] == ["rebased onto ^RUT by the splice", ""]
    assert {segment.found_in for segment in series.segments} == {
        "built-in dataset (derived from the snapshot of 2026-02-23)"
    }
    assert "found_in" not in series.provenance_frame().columns
    assert "(FRED RU2000PR + Yahoo ^RUT, built-in dataset)" in series.data_line()
    assert list_series()["available"].all()


def test_resolution_order(no_data_configured, tmp_path, monkeypatch) -> None:
    user = no_data_configured
    (user / "yahoo").mkdir(parents=True)
    assert sources.resolve_data_source().kind == "built-in"  # an empty per-user directory does not count
    (user / "yahoo" / "AAA.csv").write_text("\n".join([YAHOO_HEADER, *yahoo_rows(5)]) + "\n")
    assert sources.resolve_data_source() == sources.DataSource("user", user.resolve(), "per-user data directory")
    shared = tmp_path / "shared" / "data"
    shared.mkdir(parents=True)
    assert sources.resolve_data_source().directory == shared
    monkeypatch.setenv(sources.ENV_VAR, str(user))
    assert sources.resolve_data_source().origin == "$BACKTEST_DATA_DIR"
    explicit = tmp_path / "explicit"
    explicit.mkdir()
    assert sources.resolve_data_source(explicit).directory == explicit.resolve()


def test_a_file_missing_from_the_builtin_dataset_is_one_line_with_the_fix(tmp_path) -> None:
    with pytest.raises(
        DataNotFoundError, match=r"yahoo/QQQ.csv is not in the built-in dataset.*`backtest data update`"
    ):
        builtin.load_builtin("yahoo/QQQ.csv", name="QQQ")
    with pytest.raises(DataNotFoundError, match=r"built-in dataset is missing .*`backtest data update`") as info:
        builtin.load_builtin("yahoo/RUT.csv", name="RUT", directory=tmp_path)
    assert "\n" not in str(info.value)


def test_cli_names_the_builtin_data(no_data_configured, capsys, monkeypatch) -> None:
    from backtest.cli import main

    monkeypatch.setenv("COLUMNS", "200")  # one line per statement, to match whole sentences
    assert main(["data", "show", "russell2000"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("data: built-in dataset (derived from the snapshot of 2026-02-23): no data directory")
    assert f"built-in dataset: {builtin.BUILTIN_DIR / builtin.TABLE_NAME}" in out
    assert "yahoo/RUT.csv, read from the built-in dataset (derived from the snapshot of 2026-02-23)" in out
    assert "findings, recorded when the dataset was built (lenient policy)" in out
    assert main(["data", "check", "RUT"]) == 0
    out = capsys.readouterr().out
    assert "RUT.csv: 9,686 rows read, 9,685 used (1987-09-10 to 2026-02-20), 1 dropped" in out
    assert "findings were recorded when it was built" in out


def test_the_builtin_data_carry_the_raw_files_findings(no_data_configured, capsys) -> None:
    """What a read of the raw file reports, recorded: the same findings, the raw file's
    SHA-256 as the data stamp, and the strict policy refusing what it refuses in the raw file
    (RUT.csv's partial last bar), with the exit status of a read of the snapshot."""
    from backtest.cli import main
    from backtest.errors import DataError

    rut = load_series("RUT")
    record = json.loads((builtin.BUILTIN_DIR / builtin.PROVENANCE_NAME).read_text())["series"]["yahoo/RUT.csv"]
    assert rut.data_sha256 == record["raw_sha256"]
    (report,) = rut.validation
    assert report.headline() == record["raw_validation"]
    assert [(f.kind, f.count, f.dates[:1]) for f in report.findings] == [
        ("partial_bar", 1, ("2026-02-23",)),
        ("zero_volume", 16, ("2023-07-25",)),
        ("large_move", 1, ("2020-03-16",)),
    ]
    with pytest.raises(DataError, match=r"^yahoo/RUT.csv: partial last bar, line 9687 .*strict policy refuses"):
        load_series("RUT", policy="strict")
    assert load_series("SPY", policy="strict").validation[0].policy == "strict"  # no error: accepted
    assert main(["data", "check", "RUT", "--policy", "strict"]) == 2
    assert capsys.readouterr().err.startswith("error: yahoo/RUT.csv: partial last bar, line 9687")
