"""The built-in dataset: every catalog series, validated once and shipped inside the package.

``build_builtin(snapshot_dir, files=catalog_files())`` loads each catalog file of the snapshot with the lenient
loader and writes one tidy Parquet table (``date``, ``close``; OHLCV bars only where a study
reads them) plus ``provenance.json`` (source, symbol, first/last date, rows and the SHA-256
of each raw file). ``load_builtin(file)`` turns one series of that table back into a
``MarketSeries`` whose values equal the snapshot's, bit for bit.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest._io import atomic_write_bytes, atomic_write_text
from backtest.data.loaders import load_csv
from backtest.data.series import BAR_COLUMNS, DATETIME_DTYPE, INDEX_NAME, MarketSeries, Segment
from backtest.data.splice import splice
from backtest.data.validation import DEFAULT_MAX_MOVE, DEFAULT_POLICY
from backtest.errors import DataError, DataNotFoundError

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin_data"
TABLE_NAME = "closes.parquet"
PROVENANCE_NAME = "provenance.json"
BUILTIN_SOURCE = "built-in"
FORMAT_VERSION = 1
# Full OHLCV bars cost 2.5x the size of closes; only ^RUT's are read by a study (its volume,
# in the confirmation filters), so only its bars are kept. Every other series keeps closes.
FILES_WITH_BARS = ("yahoo/RUT.csv",)
TABLE_COLUMNS = ("file", "date", *BAR_COLUMNS)
FIX_COMMAND = "backtest data update"


# -- building --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def builtin_table(
    snapshot_dir: str | os.PathLike[str], files: Iterable[tuple[str, str]]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The tidy table and the provenance record for ``files`` ((file, symbol) pairs relative to
    ``snapshot_dir``), each loaded with the default lenient validation."""
    directory = Path(snapshot_dir).expanduser().resolve()
    frames, records = [], {}
    for file, symbol in files:
        path = directory / file
        if not path.is_file():
            raise DataNotFoundError(f"cannot build the built-in dataset: {path} does not exist")
        series = load_csv(path, symbol=symbol, policy=DEFAULT_POLICY, max_move=DEFAULT_MAX_MOVE)
        report = series.validation[0]
        non_session = report.finding("non_session")
        frame = series.to_frame().reindex(columns=list(BAR_COLUMNS))
        if file not in FILES_WITH_BARS:
            frame.loc[:, ["open", "high", "low", "volume"]] = np.nan
        frame = frame.astype(np.float64).reset_index()
        frame.insert(0, "file", file)
        frames.append(frame)
        records[file] = {
            "source": report.source_format,
            "symbol": symbol,
            "first_date": str(series.first_date.date()),
            "last_date": str(series.last_date.date()),
            "rows": len(series),
            "bars": file in FILES_WITH_BARS,
            "raw_sha256": report.sha256,
            "raw_validation": report.headline(),
            # every row dropped for lying on a non-NYSE-session day (backtest.data.calendar)
            "non_sessions_dropped": list(non_session.dates) if non_session is not None else [],
        }
    table = pd.concat(frames, ignore_index=True)
    table["date"] = table["date"].astype(DATETIME_DTYPE)
    sums = directory / "SHA256SUMS"
    provenance = {
        "format": FORMAT_VERSION,
        "description": "Daily closes of every catalog series (OHLCV bars for "
        + ", ".join(FILES_WITH_BARS)
        + "), derived from the offline snapshot with the "
        "lenient validation; rebuild with `backtest data build-builtin --from DIR`.",
        "snapshot": {
            "last_date": max(record["last_date"] for record in records.values()),
            "sha256sums_sha256": _sha256(sums) if sums.is_file() else None,
        },
        "validation": {"policy": DEFAULT_POLICY, "max_move": DEFAULT_MAX_MOVE},
        "series": records,
    }
    return table, provenance


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    # zstd at a high level: the table is written once and read on every run; 1.6 MB vs 2.3 MB.
    table.to_parquet(buffer, engine="pyarrow", compression="zstd", compression_level=19, index=False)
    return buffer.getvalue()


def build_builtin(
    snapshot_dir: str | os.PathLike[str],
    target_dir: str | os.PathLike[str] = BUILTIN_DIR,
    *,
    files: Iterable[tuple[str, str]],
) -> Path:
    """Write ``closes.parquet`` and ``provenance.json`` into ``target_dir`` from the snapshot
    in ``snapshot_dir``; ``files``: the (file, symbol) pairs to include (the catalog's
    ``catalog_files()``: the data layer's catalog sits above this module). Returns the target."""
    table, provenance = builtin_table(snapshot_dir, files)
    target = Path(target_dir)
    atomic_write_bytes(target / TABLE_NAME, _parquet_bytes(table))
    atomic_write_text(target / PROVENANCE_NAME, json.dumps(provenance, indent=2) + "\n")
    clear_builtin_cache()
    return target


# -- loading ---------------------------------------------------------------------------------


@functools.cache
def _read(directory: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    table_path, provenance_path = directory / TABLE_NAME, directory / PROVENANCE_NAME
    if not (table_path.is_file() and provenance_path.is_file()):
        raise DataNotFoundError(
            f"the built-in dataset is missing from {directory} (a broken install?); "
            f"reinstall the package, or fetch data with `{FIX_COMMAND}`"
        )
    table = pd.read_parquet(table_path, engine="pyarrow")
    by_file = {
        str(file): frame.drop(columns="file").set_index("date")
        for file, frame in table.groupby("file", sort=False, observed=True)
    }
    return by_file, json.loads(provenance_path.read_text(encoding="utf-8"))


def clear_builtin_cache() -> None:
    _read.cache_clear()


def builtin_provenance(directory: Path = BUILTIN_DIR) -> dict[str, Any]:
    """The provenance record: snapshot date, validation options and one entry per file."""
    return _read(directory)[1]


def builtin_files(directory: Path = BUILTIN_DIR) -> tuple[str, ...]:
    """The files the built-in dataset holds (``yahoo/RUT.csv``, ``fred/RU2000PR.csv``, ...)."""
    return tuple(_read(directory)[1]["series"])


def describe_builtin(directory: Path = BUILTIN_DIR, file: str | None = None) -> str:
    """'built-in dataset (derived from the snapshot of 2026-02-23)'; with ``file``, the raw
    file's SHA-256 too: '... of 2026-02-23, raw SHA-256 1a2b… of yahoo/RUT.csv)'."""
    provenance = builtin_provenance(directory)
    raw = ""
    if file is not None:
        raw = f", raw SHA-256 {provenance['series'][file]['raw_sha256'][:16]}… of {file}"
    return f"built-in dataset (derived from the snapshot of {provenance['snapshot']['last_date']}{raw})"


def load_builtin(
    file: str, *, name: str, symbol: str | None = None, note: str = "", directory: Path = BUILTIN_DIR
) -> MarketSeries:
    """One series of the built-in dataset as a ``MarketSeries`` (``file`` as in the catalog,
    e.g. ``yahoo/RUT.csv``). Its segment's source is ``built-in`` and its note names the
    snapshot and the raw file's SHA-256; the data stamp is the SHA-256 of its dates and values."""
    by_file, provenance = _read(directory)
    if file not in by_file:
        raise DataNotFoundError(
            f"{file} is not in the built-in dataset (it holds {len(by_file)} catalog files); "
            f"fetch it with `{FIX_COMMAND}` or point --data-dir at a directory that has it"
        )
    frame = by_file[file]
    record = provenance["series"][file]
    index = pd.DatetimeIndex(frame.index).astype(DATETIME_DTYPE).rename(INDEX_NAME)
    close = pd.Series(frame["close"].to_numpy(dtype=np.float64), index=index, name=name)
    bars = None
    if record["bars"]:
        bars = pd.DataFrame({column: frame[column].to_numpy(dtype=np.float64) for column in BAR_COLUMNS}, index=index)
    digest = hashlib.sha256()
    digest.update(index.asi8.tobytes())
    digest.update((close if bars is None else bars).to_numpy().tobytes())
    origin = describe_builtin(directory, file)
    if len(index) == 0:
        raise DataError(f"{file}: the built-in dataset holds no rows for it")
    segment = Segment(
        source=BUILTIN_SOURCE,
        symbol=symbol or record["symbol"],
        path=str(directory / TABLE_NAME),
        first_date=index[0],
        last_date=index[-1],
        scale_factor=1.0,
        rows_used=len(index),
        note=f"{note}; {origin}" if note else origin,
    )
    return MarketSeries(
        name=name,
        close=close,
        bars=bars,
        segments=(segment,),
        validation=(),
        splice=None,
        data_sha256=digest.hexdigest(),
    )


def onto_builtin_history(history: MarketSeries, fresh: MarketSeries) -> MarketSeries:
    """``fresh`` (a download) where it has closes and, before its first date, the built-in
    ``history`` rebased onto it (``splice`` at the first common date, reported in the result's
    splice statistics). Raises ``DataError`` when the two share no date."""
    if fresh.first_date <= history.first_date:
        return fresh
    return splice(history, fresh, "first-overlap", name=fresh.name)
