"""The catalog: names and paths resolve to the right files, unknown names and missing files
fail with one clear message, and the in-process cache is safe."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.data import clear_cache, list_series, load_series, validation_reports
from backtest.errors import DataError, DataNotFoundError, ParameterError
from tests.data.csv_rows import FRED_HEADER, fred_rows, yahoo_rows


@pytest.fixture
def small_data_dir(tmp_path, write_csv):  # type: ignore[no-untyped-def]
    """A data directory with one Yahoo file (RUT.csv) and one FRED file (RU2000PR.csv) overlapping it."""
    (tmp_path / "yahoo").mkdir()
    (tmp_path / "fred").mkdir()
    write_csv(yahoo_rows(8, start="2020-01-08", close=40.0), name="yahoo/RUT.csv")
    write_csv(fred_rows(12, start="2020-01-01"), name="fred/RU2000PR.csv", header=FRED_HEADER)
    return tmp_path


def test_names_are_case_insensitive_and_accept_yahoo_symbols(small_data_dir) -> None:
    by_stem = load_series("RUT", data_dir=small_data_dir)
    for name in ("rut", "^RUT"):
        pd.testing.assert_series_equal(load_series(name, data_dir=small_data_dir).close, by_stem.close)
    assert by_stem.segments[0].symbol == "^RUT"


def test_russell2000_splices_the_two_files_of_any_data_dir(small_data_dir) -> None:
    series = load_series("russell2000", data_dir=small_data_dir)
    assert series.name == "russell2000" and series.splice.switch_date == pd.Timestamp("2020-01-08")
    assert series.first_date == pd.Timestamp("2020-01-02")  # the fixture's first NYSE session
    assert [report.name for report in series.validation] == ["RU2000PR.csv", "RUT.csv"]


def test_a_path_loads_the_file_directly(small_data_dir) -> None:
    series = load_series(small_data_dir / "fred/RU2000PR.csv")
    assert series.name == "RU2000PR" and len(series) == 12
    assert len(load_series(str(small_data_dir / "yahoo/RUT.csv"))) == 8


def test_unknown_name_lists_the_known_ones(small_data_dir) -> None:
    with pytest.raises(ParameterError) as info:
        load_series("russell3000", data_dir=small_data_dir)
    message = str(info.value)
    assert "unknown series 'russell3000'" in message
    assert all(name in message for name in ("russell2000", "russell2000-tr", "RUT", "XLE", "RU2000PR", "NASDAQCOM"))


def test_missing_files_are_data_not_found(small_data_dir) -> None:
    fetch_hint = r"needs .*SPY\.csv, which does not exist; fetch it with `backtest data fetch SPY"
    with pytest.raises(DataNotFoundError, match=fetch_hint):
        load_series("SPY", data_dir=small_data_dir)
    with pytest.raises(DataNotFoundError, match="nowhere.csv: file not found"):
        load_series(small_data_dir / "nowhere.csv")


def test_extra_files_in_the_data_dir_are_discovered(small_data_dir, write_csv) -> None:
    write_csv(yahoo_rows(3), name="yahoo/QQQ.csv")
    assert len(load_series("QQQ", data_dir=small_data_dir)) == 3
    listing = list_series(small_data_dir).set_index("name")
    assert listing.loc["QQQ", "available"] and listing.loc["russell2000", "available"]
    assert not listing.loc["SPY", "available"]


def test_strict_policy_and_bad_parameters(small_data_dir, write_csv) -> None:
    write_csv([",X,X,X,X,X", *yahoo_rows(3)], name="yahoo/BAD.csv")
    assert len(load_series("BAD", data_dir=small_data_dir)) == 3
    with pytest.raises(DataError, match=r"BAD\.csv: unparseable row, line 2"):
        load_series("BAD", data_dir=small_data_dir, policy="strict")
    with pytest.raises(ParameterError, match="policy"):
        load_series("RUT", data_dir=small_data_dir, policy="relaxed")
    with pytest.raises(ParameterError, match="max_move"):
        load_series("RUT", data_dir=small_data_dir, max_move=-1)


def test_cache_hands_out_detached_copies(small_data_dir) -> None:
    clear_cache()
    first = load_series("RUT", data_dir=small_data_dir)
    original = first.close.iloc[0]
    first.close.iloc[0] = -1.0  # a careless caller
    second = load_series("RUT", data_dir=small_data_dir)
    assert second is not first and second.close.iloc[0] == original


def test_cache_sees_a_changed_file(small_data_dir, write_csv) -> None:
    assert len(load_series("RUT", data_dir=small_data_dir)) == 8
    write_csv(yahoo_rows(9, start="2020-01-08", close=40.0), name="yahoo/RUT.csv")
    assert len(load_series("RUT", data_dir=small_data_dir)) == 9


def test_validation_reports(small_data_dir) -> None:
    every_file = validation_reports(data_dir=small_data_dir)
    assert [report.name for report in every_file] == ["RUT.csv", "RU2000PR.csv"]
    assert len(validation_reports("russell2000", data_dir=small_data_dir)) == 2


def test_real_catalog_lists_every_snapshot_file(data_dir) -> None:
    listing = list_series(data_dir)
    assert listing["available"].all()
    stems = {path.stem for path in data_dir.glob("*/*.csv")}
    assert stems | {"russell2000", "russell2000-tr"} == set(listing["name"])
