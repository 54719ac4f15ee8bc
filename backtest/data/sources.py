"""Where market data comes from: a data directory, the per-user data, the built-in dataset.

``resolve_data_source`` picks, in order, ``--data-dir``, ``$BACKTEST_DATA_DIR``,
``../shared/data`` beside the project, the per-user directory ``backtest data update``
writes, then the built-in dataset; ``resolve_data_dir`` is the same for callers that need a
directory of CSV files. ``fetch_yahoo`` downloads daily bars with yfinance (the optional
``live`` extra) and writes them, atomically and in the snapshot's own Yahoo format, into a
directory the user names.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from backtest._io import atomic_write_bytes, atomic_write_text
from backtest.data.loaders import LIVE_SOURCE, live_sidecar_path
from backtest.errors import DataError, DataNotFoundError, ParameterError

ENV_VAR = "BACKTEST_DATA_DIR"
YAHOO_HEADER = ("Date", "Close", "High", "Low", "Open", "Volume")
# (symbol, start "YYYY-MM-DD" or None) -> a yfinance-style frame of daily bars.
Downloader = Callable[[str, "str | None"], pd.DataFrame]

_HOW_TO_GET_DATA = (
    f"point --data-dir or ${ENV_VAR} at a directory holding yahoo/ and fred/ CSV files, "
    "or download bars online with `backtest data fetch SYMBOL --data-dir DIR` "
    "(needs the live extra: pip install -c constraints.txt -e '.[live]' in the project's folder)"
)


def default_data_dir() -> Path:
    """``<repo root>/../shared/data``, the repo root being the parent of the package."""
    repo_root = Path(__file__).resolve().parents[2]
    return (repo_root.parent / "shared" / "data").resolve()


def user_data_dir() -> Path:
    """The per-user data directory ``backtest data update`` writes (``platformdirs``:
    ``~/.local/share/backtest`` on Linux, ``~/Library/Application Support/backtest`` on macOS)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("backtest", appauthor=False))


def _has_csv_files(directory: Path) -> bool:
    return any(any((directory / kind).glob("*.csv")) for kind in ("yahoo", "fred"))


@dataclass(frozen=True)
class DataSource:
    """Where series are read from.

    ``kind`` is ``"directory"`` (a directory of CSV files, used as is), ``"user"`` (the
    per-user directory written by ``backtest data update``: a file missing there comes from
    the built-in dataset) or ``"built-in"`` (``directory`` is None). ``origin`` says why it
    was chosen.
    """

    kind: str
    directory: Path | None
    origin: str

    def describe(self) -> str:
        """One line for reports and ``backtest data show``."""
        if self.kind == "built-in":
            from backtest.data.builtin import describe_builtin

            return f"{describe_builtin()}: no data directory configured or found"
        if self.kind == "user":
            return (
                f"per-user data {self.directory} (from `backtest data update`; missing files from the built-in dataset)"
            )
        return f"{self.directory} ({self.origin})"


def resolve_data_source(data_dir: str | os.PathLike[str] | None = None) -> DataSource:
    """The data source: ``data_dir`` if given, else ``$BACKTEST_DATA_DIR``, else
    ``../shared/data`` beside the project, else the per-user data directory when it holds
    files, else the built-in dataset.

    An explicit argument or a set environment variable is used as is, never silently replaced
    by a later candidate (a missing one raises ``DataNotFoundError``).
    """
    if data_dir is not None or os.environ.get(ENV_VAR):
        return DataSource("directory", resolve_data_dir(data_dir), _origin(data_dir))
    shared = default_data_dir()
    if shared.is_dir():
        return DataSource("directory", shared, "default beside the project")
    user = user_data_dir()
    if user.is_dir() and _has_csv_files(user):
        return DataSource("user", user.resolve(), "per-user data directory")
    return DataSource("built-in", None, "built-in dataset")


def _origin(data_dir: str | os.PathLike[str] | None) -> str:
    return "--data-dir/data_dir argument" if data_dir is not None else f"${ENV_VAR}"


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data directory of CSV files: ``data_dir`` if given, else ``$BACKTEST_DATA_DIR``,
    else the default beside the project (the built-in dataset is not a directory: see
    ``resolve_data_source``).

    An explicit argument or a set environment variable is used as is, never silently replaced
    by a later candidate. Raises ``DataNotFoundError`` with one message naming every place
    looked at and how to get data.
    """
    if data_dir is not None:
        candidate, origin = Path(data_dir).expanduser(), "--data-dir/data_dir argument"
    elif os.environ.get(ENV_VAR):
        candidate, origin = Path(os.environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    else:
        candidate, origin = default_data_dir(), "default beside the project"
        if candidate.is_dir():
            return candidate
        raise DataNotFoundError(
            f"no market data found: looked at --data-dir (not given), ${ENV_VAR} (not set) and "
            f"{candidate} ({origin}: does not exist); {_HOW_TO_GET_DATA}"
        )
    if candidate.is_dir():
        return candidate.resolve()
    state = "is not a directory" if candidate.exists() else "does not exist"
    raise DataNotFoundError(f"no market data found: {candidate} (from {origin}) {state}; {_HOW_TO_GET_DATA}")


def yahoo_stem(symbol: str) -> str:
    """File stem for a Yahoo symbol: ``^RUT`` -> ``RUT``; characters unsafe in names -> ``_``."""
    stem = re.sub(r"[^A-Za-z0-9.\-]", "_", symbol.strip().lstrip("^"))
    if not stem.strip("._"):
        raise ParameterError(f"symbol must be a Yahoo ticker such as ^RUT or IWM; got {symbol!r}")
    return stem


def _yfinance_download(symbol: str, start: str | None) -> pd.DataFrame:
    try:
        import yfinance  # the optional `live` extra; imported here so the package works without it
    except ImportError:
        raise DataError(
            "fetching live data needs yfinance, which is not installed: pip install -c constraints.txt -e '.[live]' in the project's folder"
        ) from None
    options: dict[str, object] = {"interval": "1d", "auto_adjust": True, "actions": False, "progress": False}
    if start is None:
        options["period"] = "max"
    else:
        options["start"] = start
    try:
        return yfinance.download(symbol, **options)
    except Exception as exc:  # network and feed errors come in many types; report them as data errors
        raise DataError(f"downloading {symbol} from Yahoo failed: {exc}") from exc


def _bars_from_download(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Normalize a yfinance frame to Yahoo's snapshot columns on a tz-naive date index."""
    if isinstance(frame.columns, pd.MultiIndex):
        # yfinance >= 0.2.48 returns (Price, Ticker) columns; writing them flat is exactly what
        # left the stray ",XLE,XLE,..." row in the snapshot's XLE.csv.
        level = next((i for i in range(frame.columns.nlevels) if "Close" in frame.columns.get_level_values(i)), None)
        others = [i for i in range(frame.columns.nlevels) if i != level]
        if level is None or any(frame.columns.get_level_values(i).nunique() > 1 for i in others):
            raise DataError(f"unexpected columns in the download of {symbol}: {list(frame.columns)[:8]}")
        frame = frame.copy()
        frame.columns = frame.columns.get_level_values(level)
    by_name = {str(column).strip().lower(): column for column in frame.columns}
    missing = [name for name in YAHOO_HEADER[1:] if name.lower() not in by_name]
    if missing:
        raise DataError(f"the download of {symbol} lacks the columns {', '.join(missing)}")
    bars = frame[[by_name[name.lower()] for name in YAHOO_HEADER[1:]]].copy()
    bars.columns = list(YAHOO_HEADER[1:])
    index = pd.DatetimeIndex(bars.index)
    if index.tz is not None:
        # Daily bars are stamped at the exchange's local midnight: keep that wall-clock date.
        index = index.tz_localize(None)
    bars.index = index.normalize().rename("Date")
    return bars


def _yahoo_csv_text(bars: pd.DataFrame) -> str:
    volume = bars["Volume"]
    valid = volume.dropna()
    if len(valid) and np.all(np.mod(valid.to_numpy(dtype=np.float64), 1) == 0):
        bars = bars.assign(Volume=volume.astype("Int64"))
    # Nothing is dropped or filled here: a missing value is written empty, and the loader
    # reports it like any other defect.
    return bars.to_csv(date_format="%Y-%m-%d", lineterminator="\n")


def fetch_yahoo(
    symbol: str,
    data_dir: str | os.PathLike[str],
    start: str | None = None,
    *,
    download: Downloader | None = None,
) -> Path:
    """Download daily bars for ``symbol`` and write ``data_dir/yahoo/<STEM>.csv``; return its path.

    The file has the snapshot's format (``Date,Close,High,Low,Open,Volume``, closes adjusted
    for splits and dividends as yfinance's ``auto_adjust`` gives them), so ``load_csv`` reads
    it. An existing file of the same name is replaced atomically; a ``<STEM>.fetch.json``
    sidecar records the source, symbol and time, so provenance says "yfinance-live".
    ``download`` replaces the yfinance call (tests; other feeds with the same frame shape).
    Only ``data_dir`` is written to: there is no default, the snapshot stays read-only.
    """
    stem = yahoo_stem(symbol)
    if start is not None:
        try:
            start = pd.Timestamp(start).strftime("%Y-%m-%d")
        except (TypeError, ValueError):
            raise ParameterError(f"start must be a date (YYYY-MM-DD); got {start!r}") from None
    target = Path(data_dir).expanduser() / "yahoo" / f"{stem}.csv"
    frame = (download or _yfinance_download)(symbol, start)
    if frame is None or len(frame) == 0:
        raise DataError(f"Yahoo returned no daily bars for {symbol!r}" + (f" since {start}" if start else ""))
    payload = _yahoo_csv_text(_bars_from_download(frame, symbol)).encode("utf-8")
    record = {
        "source": LIVE_SOURCE,
        "symbol": symbol,
        "start": start,
        "rows": len(frame),
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "csv_sha256": hashlib.sha256(payload).hexdigest(),
    }
    try:
        atomic_write_bytes(target, payload)
        atomic_write_text(live_sidecar_path(target), json.dumps(record, indent=2) + "\n")
    except OSError as exc:
        raise DataError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
