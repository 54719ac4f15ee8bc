"""Data sources: finding the data directory, and the live Yahoo fetch (with a fake download:
yfinance is optional and tests run offline)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import backtest
from backtest.data import fetch_yahoo, load_csv, resolve_data_dir, sources
from backtest.data.loaders import live_sidecar_path
from backtest.errors import DataError, DataNotFoundError, ParameterError

# -- resolve_data_dir --------------------------------------------------------------------------


def test_explicit_directory_wins(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(sources.ENV_VAR, "/somewhere/else")
    assert resolve_data_dir(tmp_path) == tmp_path.resolve()


def test_environment_variable_is_next(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(sources.ENV_VAR, str(tmp_path))
    assert resolve_data_dir() == tmp_path.resolve()


def test_default_is_shared_data_beside_the_repo() -> None:
    repo_root = Path(backtest.__file__).resolve().parent.parent
    assert sources.default_data_dir() == (repo_root / ".." / "shared" / "data").resolve()


def test_missing_explicit_or_environment_directory_is_not_replaced_silently(tmp_path, monkeypatch) -> None:
    with pytest.raises(DataNotFoundError, match=r"nope \(from --data-dir/data_dir argument\) does not exist"):
        resolve_data_dir(tmp_path / "nope")
    monkeypatch.setenv(sources.ENV_VAR, str(tmp_path / "gone"))
    with pytest.raises(DataNotFoundError, match=r"gone \(from \$BACKTEST_DATA_DIR\) does not exist"):
        resolve_data_dir()


def test_no_data_anywhere_gives_one_message_naming_every_place(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    with pytest.raises(DataNotFoundError) as info:
        resolve_data_dir()
    message = str(info.value)
    assert "\n" not in message
    for expected in (
        "--data-dir (not given)",
        "$BACKTEST_DATA_DIR (not set)",
        str(tmp_path / "shared" / "data"),
        "backtest data fetch SYMBOL",
        "-e '.[live]'",
    ):
        assert expected in message


# -- fetch_yahoo ------------------------------------------------------------------------------------


def yfinance_like_frame(n: int = 5, multi_index: bool = True, ticker: str = "^RUT") -> pd.DataFrame:
    """What ``yfinance.download`` returns: (Price, Ticker) columns, exchange-local timestamps."""
    index = pd.date_range("2024-03-01", periods=n, freq="B", tz="America/New_York", name="Date")
    close = 2000 + np.arange(n) * 1.25
    frame = pd.DataFrame(
        {
            "Close": close,
            "High": close + 5,
            "Low": close - 5,
            "Open": close - 1,
            "Volume": np.arange(1, n + 1) * 1_000_000,
        },
        index=index,
    )
    if multi_index:
        frame.columns = pd.MultiIndex.from_product([frame.columns, [ticker]], names=["Price", "Ticker"])
    return frame


def test_fetch_writes_the_snapshot_format_and_loads_back(tmp_path) -> None:
    calls = []

    def download(symbol, start):  # type: ignore[no-untyped-def]
        calls.append((symbol, start))
        return yfinance_like_frame()

    path = fetch_yahoo("^RUT", tmp_path, start="2024-03-01", download=download)
    assert calls == [("^RUT", "2024-03-01")]
    assert path == tmp_path / "yahoo" / "RUT.csv"
    lines = path.read_text().splitlines()
    assert lines[0] == "Date,Close,High,Low,Open,Volume"
    assert lines[1] == "2024-03-01,2000.0,2005.0,1995.0,1999.0,1000000"
    series = load_csv(path, run_date="2030-01-01")
    assert len(series) == 5 and series.validation[0].findings == ()
    assert series.close.iloc[-1] == 2005.0
    segment = series.segments[0]
    assert (segment.source, segment.symbol) == ("yfinance-live", "^RUT")
    record = json.loads(live_sidecar_path(path).read_text())
    assert record["symbol"] == "^RUT" and record["rows"] == 5
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "yahoo/RUT.csv",
        "yahoo/RUT.fetch.json",
    ]


def test_fetch_accepts_flat_columns_and_replaces_the_file(tmp_path) -> None:
    fetch_yahoo("IWM", tmp_path, download=lambda symbol, start: yfinance_like_frame(3, multi_index=False))
    path = fetch_yahoo("IWM", tmp_path, download=lambda symbol, start: yfinance_like_frame(4, multi_index=False))
    assert len(load_csv(path, run_date="2030-01-01")) == 4


def test_fetch_writes_missing_values_for_the_validator_to_report(tmp_path) -> None:
    frame = yfinance_like_frame(4)
    frame.iloc[1, 0] = np.nan  # a day without a close
    path = fetch_yahoo("^RUT", tmp_path, download=lambda symbol, start: frame)
    report = load_csv(path, run_date="2030-01-01").validation[0]
    assert report.finding("missing_price").lines == (3,)


def test_fetch_errors(tmp_path, monkeypatch) -> None:
    with pytest.raises(DataError, match="no daily bars for 'ZZZZ'"):
        fetch_yahoo("ZZZZ", tmp_path, download=lambda symbol, start: pd.DataFrame())
    with pytest.raises(ParameterError, match="start"):
        fetch_yahoo("^RUT", tmp_path, start="not a date", download=lambda symbol, start: yfinance_like_frame())
    with pytest.raises(ParameterError, match="symbol"):
        fetch_yahoo("^", tmp_path, download=lambda symbol, start: yfinance_like_frame())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(DataError, match="cannot write"):
        fetch_yahoo("^RUT", blocker, download=lambda symbol, start: yfinance_like_frame())
    monkeypatch.setitem(sys.modules, "yfinance", None)  # makes `import yfinance` fail
    with pytest.raises(
        DataError, match=r"needs yfinance, which is not installed: pip install -c constraints.txt -e '\.\[live\]'"
    ):
        fetch_yahoo("^RUT", tmp_path)


@pytest.mark.parametrize(("symbol", "stem"), [("^RUT", "RUT"), ("IWM", "IWM"), ("BRK-B", "BRK-B"), ("EUR=X", "EUR_X")])
def test_yahoo_stem(symbol, stem) -> None:
    assert sources.yahoo_stem(symbol) == stem
