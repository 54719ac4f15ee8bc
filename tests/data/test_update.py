"""`backtest data update`, offline: injected Yahoo and FRED downloaders, a temporary per-user
directory. Downloads are validated, spliced onto the built-in history, and never touch it."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from backtest.cli import main
from backtest.data import builtin, clear_cache, load_series, sources
from backtest.data import update as update_module
from backtest.data.update import update_user_data
from backtest.errors import DataError

FILES = (
    ("yahoo/RUT.csv", "^RUT"),
    ("yahoo/SPY.csv", "SPY"),
    ("fred/NASDAQCOM.csv", "NASDAQCOM"),
    ("fred/RU2000PR.csv", "RU2000PR"),
)
NEW_DAYS = 3


def yahoo_download(symbol: str, start: str | None) -> pd.DataFrame:
    """^RUT as yfinance would give it: the built-in bars from 2020 on (a shorter history than
    the built-in one, so the update splices) plus NEW_DAYS business days after them."""
    if symbol != "^RUT":
        raise DataError(f"downloading {symbol} from Yahoo failed: no network")
    bars = builtin.load_builtin("yahoo/RUT.csv", name="RUT").bars.loc["2020-01-02":]
    new_index = pd.bdate_range(bars.index[-1] + pd.offsets.BDay(1), periods=NEW_DAYS)
    last = bars.iloc[-1]
    new = pd.DataFrame(
        {
            column: [last[column] * (1 + 0.001 * (i + 1)) for i in range(NEW_DAYS)]
            for column in ("open", "high", "low", "close")
        },
        index=new_index,
    )
    new["volume"] = 3_000_000_000.0
    frame = pd.concat([bars, new])
    frame.columns = ["Open", "High", "Low", "Close", "Volume"]
    frame.index = pd.DatetimeIndex(frame.index, name="Date").tz_localize("America/New_York")
    return frame


def fred_download(series_id: str) -> str:
    """FRED's current CSV format for NASDAQCOM: the built-in values plus two new days."""
    close = builtin.load_builtin(f"fred/{series_id}.csv", name=series_id).close
    rows = [f"{day:%Y-%m-%d},{value!r}" for day, value in close.items()]
    rows += ["2019-01-11,6971.48", "2019-01-14,6905.92"]
    return "\n".join([f"observation_date,{series_id}", *rows]) + "\n"


def _table_sha256() -> str:
    return hashlib.sha256((builtin.BUILTIN_DIR / builtin.TABLE_NAME).read_bytes()).hexdigest()


@pytest.fixture
def user_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    monkeypatch.setattr(sources, "user_data_dir", lambda: tmp_path / "user")
    monkeypatch.setattr(update_module, "connection_problem", lambda host, port: None)  # downloads are injected
    clear_cache()
    yield tmp_path / "user"
    clear_cache()


def test_update_validates_splices_and_summarises(user_dir) -> None:
    before = _table_sha256()
    progress = []
    summary = update_user_data(
        yahoo=yahoo_download,
        fred=fred_download,
        files=FILES,
        progress=lambda file, status: progress.append((file, status)),
    )
    table = summary.to_frame().set_index("file")
    assert progress == [
        ("yahoo/RUT.csv", "updated"),
        ("yahoo/SPY.csv", "failed"),
        ("fred/NASDAQCOM.csv", "updated"),
        ("fred/RU2000PR.csv", "not served"),
    ]
    assert table.loc["yahoo/RUT.csv", "new_rows"] == NEW_DAYS
    assert str(table.loc["yahoo/RUT.csv", "previous_last_date"]) == "2026-02-20"
    assert table.loc["fred/NASDAQCOM.csv", "new_rows"] == 2
    assert str(table.loc["fred/NASDAQCOM.csv", "last_date"]) == "2019-01-14"
    assert "no network" in table.loc["yahoo/SPY.csv", "message"]
    assert "stopped publishing" in table.loc["fred/RU2000PR.csv", "message"]
    assert summary.headline().startswith("2 series updated (5 new rows), 0 unchanged, 1 no longer served, 1 failed")
    # written: the downloads and the live sidecar; nothing for the failures; no staging left
    written = sorted(path.relative_to(user_dir).as_posix() for path in user_dir.rglob("*") if path.is_file())
    assert written == ["fred/NASDAQCOM.csv", "yahoo/RUT.csv", "yahoo/RUT.fetch.json"]
    assert _table_sha256() == before  # the built-in dataset is never written

    # Reading now uses the per-user data, spliced onto the built-in history
    assert sources.resolve_data_source().kind == "user"
    history = builtin.load_builtin("yahoo/RUT.csv", name="RUT")
    rut = load_series("RUT")
    assert len(rut) == len(history) + NEW_DAYS
    # the built-in history keeps the raw file's source; where it was found is said apart
    assert [(s.source, bool(s.found_in)) for s in rut.segments] == [("yahoo", True), ("yfinance-live", False)]
    assert rut.splice is not None and rut.splice.scale_factor == 1.0
    pd.testing.assert_series_equal(rut.close.iloc[: len(history)], history.close, check_exact=True)
    assert load_series("russell2000").last_date == rut.last_date  # RU2000PR from the built-in data
    assert load_series("SPY").segments[0].found_in.startswith("built-in dataset")

    again = update_user_data(yahoo=yahoo_download, fred=fred_download, files=FILES)
    assert [item.status for item in again.series] == ["unchanged", "failed", "unchanged", "not served"]


def test_a_bad_download_keeps_the_previous_file(user_dir, monkeypatch) -> None:
    # the no-overlap download is dated ten years on: run as of then, so it is refused for
    # having no date in common, not for lying in the future
    monkeypatch.setenv("BACKTEST_RUN_DATE", "2040-01-01")
    update_user_data(yahoo=yahoo_download, fred=fred_download, files=FILES[:1])
    previous = (user_dir / "yahoo" / "RUT.csv").read_bytes()

    def truncated(symbol: str, start: str | None) -> pd.DataFrame:
        return yahoo_download(symbol, start).iloc[:-10]

    def no_overlap(symbol: str, start: str | None) -> pd.DataFrame:
        frame = yahoo_download(symbol, start).iloc[-NEW_DAYS:]
        return frame.set_axis(frame.index + pd.Timedelta(days=3650), axis=0)

    for download, reason in ((truncated, "before the data already held"), (no_overlap, "no date in common")):
        item = update_user_data(yahoo=download, files=FILES[:1]).series[0]
        assert item.status == "failed" and reason in item.message
        assert (user_dir / "yahoo" / "RUT.csv").read_bytes() == previous


def test_cli_update_prints_what_changed(user_dir, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sources, "_yfinance_download", yahoo_download)
    monkeypatch.setattr(update_module, "download_fred_csv", fred_download)
    monkeypatch.setattr(update_module, "catalog_files", lambda: FILES)
    monkeypatch.setattr("backtest.data.catalog.catalog_files", lambda: FILES)
    assert main(["data", "update"]) == 0
    out = capsys.readouterr().out
    assert "What changed" in out and "yahoo/RUT.csv" in out and "not served" in out
    assert "2 series updated (5 new rows)" in out
    assert main(["data", "show", "RUT"]) == 0
    assert "data: per-user data" in capsys.readouterr().out


def test_cli_update_offline_is_one_line_with_the_fix(user_dir, monkeypatch, capsys) -> None:
    def offline_fred(series_id: str) -> str:
        raise DataError(f"downloading {series_id} from FRED failed: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(sources, "_yfinance_download", yahoo_download)
    monkeypatch.setattr(update_module, "download_fred_csv", offline_fred)
    monkeypatch.setattr(update_module, "catalog_files", lambda: FILES[1:])
    assert main(["data", "update"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no series could be downloaded")
    assert "run `backtest data update` again when online" in lines[0]
    assert not user_dir.exists() or not any(user_dir.rglob("*.csv"))


def test_fred_download_error_is_a_data_error(monkeypatch) -> None:
    def refuse(url, timeout):  # type: ignore[no-untyped-def]
        raise update_module.urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(update_module.urllib.request, "urlopen", refuse)
    with pytest.raises(DataError, match="downloading NASDAQCOM from FRED failed: network is unreachable"):
        update_module.download_fred_csv("NASDAQCOM")
