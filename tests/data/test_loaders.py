"""Loaders: a Yahoo or FRED file becomes a typed, validated MarketSeries with one segment."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from backtest.data import MarketSeries, load_csv, load_fred_csv, load_yahoo_csv
from backtest.data.loaders import live_sidecar_path
from backtest.errors import DataError
from tests.data.csv_rows import FRED_HEADER, fred_rows, yahoo_rows


def assert_series_contract(series: MarketSeries) -> None:
    close = series.close
    assert close.dtype == np.float64 and close.name == series.name
    assert isinstance(close.index, pd.DatetimeIndex) and close.index.tz is None and close.index.name == "date"
    assert close.index.is_monotonic_increasing and close.index.is_unique
    assert len(series.validation) == len(series.segments) == 1


def test_yahoo_file_loads_with_bars(write_csv) -> None:
    path = write_csv(yahoo_rows(6), name="IWM.csv")
    series = load_yahoo_csv(path)
    assert_series_contract(series)
    assert series.name == "IWM" and len(series) == 6
    assert list(series.bars.columns) == ["open", "high", "low", "close", "volume"]
    pd.testing.assert_series_equal(series.bars["close"], series.close, check_names=False)
    segment = series.segments[0]
    assert (segment.source, segment.symbol, segment.path) == ("yahoo", "IWM", str(path))
    assert (segment.first_date, segment.last_date) == (series.first_date, series.last_date)
    assert segment.scale_factor == 1.0 and segment.rows_used == 6
    assert series.data_sha256 == series.validation[0].sha256


def test_fred_file_loads_without_bars(write_csv) -> None:
    rows = fred_rows(5)
    rows[1] = "2020-01-03,."
    series = load_fred_csv(write_csv(rows, name="RU2000PR.csv", header=FRED_HEADER), name="r2k", symbol="RU2000PR")
    assert_series_contract(series)
    assert series.bars is None and series.name == "r2k" and len(series) == 4
    assert series.segments[0].source == "fred" and series.segments[0].symbol == "RU2000PR"
    assert series.validation[0].finding("no_value").dates == ("2020-01-03",)


def test_load_csv_sniffs_the_format(write_csv) -> None:
    assert load_csv(write_csv(yahoo_rows(3), name="a.csv")).bars is not None
    assert load_csv(write_csv(fred_rows(3), name="b.csv", header=FRED_HEADER)).bars is None


def test_wrong_loader_for_the_format_is_a_data_error(write_csv) -> None:
    with pytest.raises(DataError, match="expected a yahoo file, found a fred header"):
        load_yahoo_csv(write_csv(fred_rows(3), header=FRED_HEADER))


def test_policy_is_passed_through(write_csv) -> None:
    path = write_csv([",T,T,T,T,T", *yahoo_rows(4)])
    assert len(load_csv(path)) == 4
    with pytest.raises(DataError, match="line 2"):
        load_csv(path, policy="strict")


def test_file_with_no_usable_row_is_a_data_error(write_csv) -> None:
    with pytest.raises(DataError, match="no usable rows"):
        load_csv(write_csv(["2020-01-02,.", "2020-01-03,."], header=FRED_HEADER))


def test_missing_file_is_a_data_error_naming_it(tmp_path) -> None:
    with pytest.raises(DataError, match="nope.csv: file not found"):
        load_csv(tmp_path / "nope.csv")


def test_live_sidecar_marks_the_segment_only_while_the_csv_is_unchanged(write_csv) -> None:
    path = write_csv(yahoo_rows(4), name="RUT.csv")
    series = load_csv(path)
    live_sidecar_path(path).write_text(
        json.dumps(
            {
                "source": "yfinance-live",
                "symbol": "^RUT",
                "fetched_at": "2026-02-24T00:00:00+00:00",
                "csv_sha256": series.data_sha256,
            }
        )
    )
    live = load_csv(path).segments[0]
    assert (live.source, live.symbol) == ("yfinance-live", "^RUT") and "2026-02-24" in live.note
    path.write_text(path.read_text() + "2020-01-08,100,101,99,100,1000\n")  # edited by hand since
    assert load_csv(path).segments[0].source == "yahoo"


def test_real_snapshot_files_load(data_dir, data_is_snapshot, fixture_manifest) -> None:
    xle = load_csv(data_dir / "yahoo/XLE.csv")
    assert_series_contract(xle)
    nasdaq = load_csv(data_dir / "fred/NASDAQCOM.csv")
    if data_is_snapshot:
        assert xle.first_date == pd.Timestamp("1998-12-22") and len(xle) == 6833  # the stray line 2 dropped
        assert nasdaq.first_date == pd.Timestamp("1971-02-05") and nasdaq.last_date == pd.Timestamp("2019-01-10")
        return
    for series, file in ((xle, "yahoo/XLE.csv"), (nasdaq, "fred/NASDAQCOM.csv")):
        record = fixture_manifest["files"][file]  # the fixture's rows after its planted defects
        assert len(series) == record["kept_rows"]
        assert (series.first_date, series.last_date) == (
            pd.Timestamp(record["first_date"]),
            pd.Timestamp(record["last_date"]),
        )
