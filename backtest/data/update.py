"""``backtest data update``: fresh data for every catalog series, in the per-user data directory.

Yahoo series come through yfinance, FRED series through FRED's public CSV download. Each
download is validated and checked to splice onto the built-in history before it replaces
the previous one; the built-in dataset itself is never written. Input: injectable
downloaders (tests run offline). Output: files under ``user_data_dir()`` and an
``UpdateSummary`` (new rows and last date per series). Before any download, one short
connection to each host says whether there is a network at all (``NetworkError``, one line).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import socket
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from backtest._io import atomic_write_bytes
from backtest.data import sources
from backtest.data.builtin import load_builtin, onto_builtin_history
from backtest.data.catalog import FRED_DISCONTINUED, FRED_RUSSELL_NOTE, catalog_files
from backtest.data.loaders import live_sidecar_path, load_csv
from backtest.data.series import MarketSeries
from backtest.data.sources import Downloader, fetch_yahoo
from backtest.errors import BacktestError, DataError, NetworkError

FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={series_id}"
# series id -> the CSV text FRED serves (header "observation_date,<ID>" or "DATE,VALUE").
FredDownloader = Callable[[str], str]
STAGING_PREFIX = ".staging-"
YAHOO_ADDRESS = ("query2.finance.yahoo.com", 443)
"""The host yfinance downloads daily bars from (its chart API), and the HTTPS port."""
FRED_ADDRESS = ("fred.stlouisfed.org", 443)
NETWORK_TIMEOUT = 3.0
"""Seconds a TCP connection to each host may take before the update says there is no
network. A live host answers in well under a second; offline, the name lookup usually fails
at once, and a route that swallows packets waits this long, not the downloads' 30 s each."""


def connection_problem(host: str, port: int, timeout: float | None = None) -> str | None:
    """Why a TCP connection to ``host:port`` cannot be opened within ``timeout`` seconds
    (default ``NETWORK_TIMEOUT``; the resolver's or the kernel's words), or None when it
    can. Opens, sends nothing, closes."""
    timeout = NETWORK_TIMEOUT if timeout is None else timeout
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"no answer within {timeout:g} s" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)


@contextlib.contextmanager
def _quiet(library: str) -> Iterator[None]:
    """Silence a library's logging and printing (yfinance logs and prints every request that
    fails, hundreds of lines offline): what failed reaches the user once, in the summary table."""
    logger = logging.getLogger(library)
    disabled = logger.disabled
    logger.disabled = True
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        logger.disabled = disabled


def download_fred_csv(series_id: str, timeout: float = 30.0) -> str:
    """FRED's CSV of one series, as text; network and HTTP errors become ``DataError``."""
    url = FRED_CSV_URL.format(series_id=series_id)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, TimeoutError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"downloading {series_id} from FRED failed: {getattr(exc, 'reason', exc)}") from None


@dataclass(frozen=True)
class SeriesUpdate:
    """What the update did to one file: ``status`` is ``updated``, ``unchanged`` (nothing
    newer than before), ``not served`` (the source stopped publishing it) or ``failed``."""

    file: str
    symbol: str
    status: str
    previous_last_date: pd.Timestamp
    last_date: pd.Timestamp
    new_rows: int
    message: str = ""


@dataclass(frozen=True)
class UpdateSummary:
    """Every series' update, in catalog order, and the directory written."""

    directory: Path
    series: tuple[SeriesUpdate, ...]

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "file": item.file,
                "symbol": item.symbol,
                "status": item.status,
                "new_rows": item.new_rows,
                "previous_last_date": item.previous_last_date.date(),
                "last_date": item.last_date.date(),
                "message": item.message,
            }
            for item in self.series
        ]
        return pd.DataFrame(
            rows, columns=["file", "symbol", "status", "new_rows", "previous_last_date", "last_date", "message"]
        )

    def headline(self) -> str:
        counts = {
            status: sum(1 for item in self.series if item.status == status)
            for status in ("updated", "unchanged", "not served", "failed")
        }
        new_rows = sum(item.new_rows for item in self.series)
        return (
            f"{counts['updated']} series updated ({new_rows:,} new rows), {counts['unchanged']} unchanged, "
            f"{counts['not served']} no longer served, {counts['failed']} failed; data in {self.directory}"
        )


def _previous(directory: Path, file: str, symbol: str) -> MarketSeries:
    """What load_series used for this file before the update: the per-user file spliced
    onto the built-in history, or the built-in history alone (also when that file is unusable)."""
    history = load_builtin(file, name=Path(file).stem, symbol=symbol)
    if (directory / file).is_file():
        try:
            return onto_builtin_history(history, load_csv(directory / file, name=history.name, symbol=symbol))
        except BacktestError:
            pass
    return history


def _check(fresh: MarketSeries, history: MarketSeries, file: str) -> MarketSeries:
    if fresh.last_date < history.last_date:
        raise DataError(
            f"{file}: the download ends on {fresh.last_date.date()}, before the data already "
            f"held ({history.last_date.date()}); kept those"
        )
    return onto_builtin_history(history, fresh)


def _stage_yahoo(staging: Path, symbol: str, download: Downloader | None) -> Path:
    if download is not None:
        return fetch_yahoo(symbol, staging, download=download)
    with _quiet("yfinance"):
        return fetch_yahoo(symbol, staging)


def _stage_fred(staging: Path, series_id: str, download: FredDownloader) -> Path:
    text = download(series_id)
    if not text.strip():
        raise DataError(f"FRED returned an empty file for {series_id}")
    return atomic_write_bytes(staging / "fred" / f"{series_id}.csv", text.encode("utf-8"))


def _install(staged: Path, target: Path) -> None:
    """Move a validated download (and its live sidecar, if any) into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sidecar = live_sidecar_path(staged)
    if sidecar.is_file():
        os.replace(sidecar, live_sidecar_path(target))
    os.replace(staged, target)


def update_user_data(
    directory: str | os.PathLike[str] | None = None,
    *,
    yahoo: Downloader | None = None,
    fred: FredDownloader | None = None,
    files: tuple[tuple[str, str], ...] | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> UpdateSummary:
    """Fetch every catalog series (or ``files``: (file, symbol) pairs) into ``directory``
    (default: the per-user data directory) and return what changed.

    Each download is written to a staging folder, loaded with the lenient validation, checked
    to end no earlier than the data already held and to share a date with the built-in
    history (so it splices onto it), and only then moved into place: a failed or partial
    download leaves the previous file. FRED's Russell series are not requested (FRED stopped
    publishing them in 2019). ``yahoo``/``fred`` replace the network calls (tests).
    ``progress(file, status)`` is called after each series.

    Before anything else, one TCP connection to each host the real downloaders would use
    (``connection_problem``): none reachable raises ``NetworkError`` and changes nothing; the
    series of an unreachable host fail with that reason, without a download attempt.
    """
    target = Path(directory).expanduser() if directory is not None else sources.user_data_dir()
    chosen = tuple(files or catalog_files())
    offline = _offline_hosts(chosen, yahoo is None, fred is None)
    fred_download = fred or download_fred_csv
    results = []
    target.mkdir(parents=True, exist_ok=True)
    # a folder of its own, so that removing it afterwards removes only what this run wrote
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target))
    try:
        for file, symbol in chosen:
            before = _previous(target, file, symbol)
            stem = Path(file).stem
            host = (YAHOO_ADDRESS if file.startswith("yahoo/") else FRED_ADDRESS)[0]
            if file.startswith("fred/") and symbol in FRED_DISCONTINUED:
                item = SeriesUpdate(
                    file,
                    symbol,
                    "not served",
                    before.last_date,
                    before.last_date,
                    0,
                    FRED_RUSSELL_NOTE + "; the built-in history is used",
                )
            elif host in offline:
                item = SeriesUpdate(file, symbol, "failed", before.last_date, before.last_date, 0, offline[host])
            else:
                try:
                    staged = (
                        _stage_yahoo(staging, symbol, yahoo)
                        if file.startswith("yahoo/")
                        else _stage_fred(staging, symbol, fred_download)
                    )
                    fresh = load_csv(staged, name=stem, symbol=symbol)
                    after = _check(fresh, load_builtin(file, name=stem, symbol=symbol), file)
                    _install(staged, target / file)
                except BacktestError as error:
                    item = SeriesUpdate(
                        file, symbol, "failed", before.last_date, before.last_date, 0, " ".join(str(error).split())
                    )
                else:
                    new_rows = int((after.close.index > before.last_date).sum())
                    item = SeriesUpdate(
                        file,
                        symbol,
                        "updated" if new_rows else "unchanged",
                        before.last_date,
                        after.last_date,
                        new_rows,
                        fresh.validation[0].headline(),
                    )
            results.append(item)
            if progress is not None:
                progress(file, item.status)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return UpdateSummary(target, tuple(results))


def _offline_hosts(files: tuple[tuple[str, str], ...], yahoo: bool, fred: bool) -> dict[str, str]:
    """{host: why it cannot be reached} for the hosts the real downloaders would contact
    (``yahoo``/``fred``: whether that downloader is the real one); ``NetworkError`` when
    none of them can be reached."""
    addresses = []
    if yahoo and any(file.startswith("yahoo/") for file, _ in files):
        addresses.append(YAHOO_ADDRESS)
    if fred and any(file.startswith("fred/") and symbol not in FRED_DISCONTINUED for file, symbol in files):
        addresses.append(FRED_ADDRESS)
    problems = {host: connection_problem(host, port) for host, port in addresses}
    offline = {host: f"no network connection to {host} ({problem})" for host, problem in problems.items() if problem}
    if addresses and len(offline) == len(addresses):
        reasons = sorted(set(problem for problem in problems.values() if problem))
        raise NetworkError(
            f"data update: no network connection to {' or '.join(offline)} ({'; '.join(reasons)}); nothing "
            "changed, the data used stay as they were; run `backtest data update` again when online"
        )
    return offline
