"""The built-in dataset: every catalog series, validated once and shipped inside the package.

``build_builtin(snapshot_dir, files=catalog_files())`` loads each catalog file of the snapshot with the lenient
loader and writes one tidy Parquet table (``date``, ``close``; OHLCV bars only where a study
reads them) plus ``provenance.json`` (source, symbol, first/last date, rows, the SHA-256 and
the validation findings of each raw file). ``load_builtin(file)`` turns one series of that
table back into a ``MarketSeries`` equal to a read of the raw file: the same values, bit for
bit, and the same provenance, so a report does not depend on where its data were found.
"""

from __future__ import annotations

import dataclasses
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

from backtest._io import atomic_write_files, preflight
from backtest.data.loaders import load_csv
from backtest.data.series import BAR_COLUMNS, DATETIME_DTYPE, INDEX_NAME, MarketSeries, Segment
from backtest.data.splice import splice
from backtest.data.validation import (
    DEFAULT_MAX_MOVE,
    DEFAULT_POLICY,
    Finding,
    ValidationReport,
    check_policy,
    resolve_run_date,
)
from backtest.errors import DataError, DataNotFoundError
from backtest.files import BUILTIN_PROVENANCE, BUILTIN_TABLE, CHECKSUM_LIST, SERIES_CSV, read_bytes, read_text

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin_data"
TABLE_NAME = "closes.parquet"
PROVENANCE_NAME = "provenance.json"
SUMS_NAME = "SHA256SUMS"
BUILTIN_SOURCE = "built-in"  # where a series was found (cache keys); its segments name the raw file's source
FORMAT_VERSION = 2  # 2: each file's record holds its raw file's whole validation report
# Full OHLCV bars cost 2.5x the size of closes; only ^RUT's are read by a study (its volume,
# in the confirmation filters), so only its bars are kept. Every other series keeps closes.
FILES_WITH_BARS = ("yahoo/RUT.csv",)
TABLE_COLUMNS = ("file", "date", *BAR_COLUMNS)
FIX_COMMAND = "backtest data update"


# -- building --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(read_bytes(path, CHECKSUM_LIST)).hexdigest()


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
            # the raw file's whole report, so that a series read from here carries the
            # findings a read of the raw file gives (reports are then the same bytes)
            "rows_read": report.rows_read,
            "findings": [_finding_record(finding) for finding in report.findings],
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


def _finding_record(finding: Finding) -> dict[str, Any]:
    """A finding without its file (the file is the record's key)."""
    return {field.name: getattr(finding, field.name) for field in dataclasses.fields(Finding) if field.name != "file"}


def _provenance_text(provenance: dict[str, Any]) -> str:
    """JSON indented by two spaces, but each list of plain values on one line: the findings
    list every line number and date, one per line would make a 30,000-line file."""

    def render(value: Any, depth: int) -> str:
        pad, inner = "  " * depth, "  " * (depth + 1)
        if isinstance(value, dict) and value:
            items = [f"{inner}{json.dumps(key)}: {render(item, depth + 1)}" for key, item in value.items()]
            return "{\n" + ",\n".join(items) + f"\n{pad}}}"
        if isinstance(value, (list, tuple)) and any(isinstance(item, (dict, list, tuple)) for item in value):
            return "[\n" + ",\n".join(f"{inner}{render(item, depth + 1)}" for item in value) + f"\n{pad}]"
        return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)

    return render(provenance, 0) + "\n"


def _parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    # zstd at a high level: the table is written once and read on every run; 1.6 MB vs 2.3 MB.
    table.to_parquet(buffer, engine="pyarrow", compression="zstd", compression_level=19, index=False)
    return buffer.getvalue()


def check_snapshot_checksums(snapshot_dir: str | os.PathLike[str], files: Iterable[str]) -> None:
    """Raise ``DataError`` (one line naming the files) unless each of ``files`` (relative to
    ``snapshot_dir``) has the SHA-256 that the snapshot's ``SHA256SUMS`` lists for it: the
    built-in dataset is derived from the pinned snapshot, never from files changed since."""
    directory = Path(snapshot_dir).expanduser()
    sums_path = directory / SUMS_NAME
    if not os.path.lexists(sums_path):
        raise DataError(
            f"{sums_path} does not exist, so the files cannot be checked against the snapshot's checksums; "
            "pass --force to build from them anyway"
        )
    listed = {}
    for line in read_text(sums_path, CHECKSUM_LIST).splitlines():
        digest, _, name = line.strip().partition(" ")
        if len(digest) == 64 and name.strip():
            # "<hash>  <file>" (text mode) or "<hash> *<file>" (binary mode), as sha256sum writes
            listed[name.strip().lstrip("*")] = digest.lower()
    differing = []
    for file in files:
        path = directory / file
        if not path.is_file():
            continue  # reported as missing when the dataset is built
        actual = hashlib.sha256(read_bytes(path, SERIES_CSV)).hexdigest()
        expected = listed.get(file)
        if expected is None:
            differing.append(f"{file} (not listed)")
        elif actual != expected:
            differing.append(f"{file} (SHA-256 {actual[:12]}…, listed {expected[:12]}…)")
    if differing:
        shown = ", ".join(differing[:3]) + (", …" if len(differing) > 3 else "")
        raise DataError(
            f"{sums_path}: {len(differing)} file(s) do not match the snapshot's checksums: {shown}; pass --force "
            "to build from them anyway"
        )


def build_builtin(
    snapshot_dir: str | os.PathLike[str],
    target_dir: str | os.PathLike[str] = BUILTIN_DIR,
    *,
    files: Iterable[tuple[str, str]],
    force: bool = False,
    overwrite: bool = False,
) -> Path:
    """Write ``closes.parquet`` and ``provenance.json`` into ``target_dir`` from the snapshot
    in ``snapshot_dir``; ``files``: the (file, symbol) pairs to include (the catalog's
    ``catalog_files()``: the data layer's catalog sits above this module). Returns the target.

    Before any work: an existing table or provenance record in ``target_dir`` that this
    function did not write (recognised by its content) is refused unless ``overwrite``, and
    the files must match the snapshot's ``SHA256SUMS`` unless ``force`` (``DataError`` and
    ``OutputError``, one line each)."""
    files = list(files)
    target = Path(target_dir)
    hint = "choose another --to folder"
    preflight(target / TABLE_NAME, "builtin-table", overwrite=overwrite, hint=hint)
    preflight(target / PROVENANCE_NAME, "builtin-provenance", overwrite=overwrite, hint=hint)
    if not force:
        check_snapshot_checksums(snapshot_dir, [file for file, _ in files])
    table, provenance = builtin_table(snapshot_dir, files)
    # both or neither: a table beside the provenance of another build would lie about its data
    atomic_write_files(
        {
            target / TABLE_NAME: _parquet_bytes(table),
            target / PROVENANCE_NAME: _provenance_text(provenance).encode("utf-8"),
        }
    )
    clear_builtin_cache()
    return target


# -- loading ---------------------------------------------------------------------------------


@functools.cache
def _read(directory: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    table_path, provenance_path = directory / TABLE_NAME, directory / PROVENANCE_NAME
    if not (table_path.exists() and provenance_path.exists()):  # anything there is read, checked
        raise DataNotFoundError(
            f"the built-in dataset is missing from {directory} (a broken install?); "
            f"reinstall the package, or fetch data with `{FIX_COMMAND}`"
        )
    table = pd.read_parquet(io.BytesIO(read_bytes(table_path, BUILTIN_TABLE)), engine="pyarrow")
    by_file = {
        str(file): frame.drop(columns="file").set_index("date")
        for file, frame in table.groupby("file", sort=False, observed=True)
    }
    return by_file, json.loads(read_text(provenance_path, BUILTIN_PROVENANCE))


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
    file: str,
    *,
    name: str,
    symbol: str | None = None,
    note: str = "",
    policy: str = DEFAULT_POLICY,
    directory: Path = BUILTIN_DIR,
) -> MarketSeries:
    """One series of the built-in dataset as a ``MarketSeries`` (``file`` as in the catalog,
    e.g. ``yahoo/RUT.csv``), equal in every provenance field to a read of the raw file it was
    derived from: the raw file's source, name and SHA-256 (the data stamp), the note, and the
    validation report recorded when the dataset was built. Only ``Segment.found_in`` says it
    was found here. Under ``policy="strict"`` a file whose raw rows had errors is refused
    (``DataError``), as a read of the raw file would be: those rows were dropped leniently."""
    policy = check_policy(policy)
    by_file, provenance = _read(directory)
    if file not in by_file:
        raise DataNotFoundError(
            f"{file} is not in the built-in dataset (it holds {len(by_file)} catalog files); "
            f"fetch it with `{FIX_COMMAND}` or point --data-dir at a directory that has it"
        )
    frame = by_file[file]
    record = provenance["series"][file]
    index = pd.DatetimeIndex(frame.index).astype(DATETIME_DTYPE).rename(INDEX_NAME)
    if len(index) == 0:
        raise DataError(f"{file}: the built-in dataset holds no rows for it")
    close = pd.Series(frame["close"].to_numpy(dtype=np.float64), index=index, name=name)
    bars = None
    if record["bars"]:
        bars = pd.DataFrame({column: frame[column].to_numpy(dtype=np.float64) for column in BAR_COLUMNS}, index=index)
    report = _recorded_report(file, record, provenance["validation"], policy, index)
    if report is not None and policy == "strict":
        report.raise_if_errors()
    segment = Segment(
        source=record["source"],
        symbol=symbol or record["symbol"],
        path=file,
        first_date=index[0],
        last_date=index[-1],
        scale_factor=1.0,
        rows_used=len(index),
        note=note,
        found_in=describe_builtin(directory),
    )
    return MarketSeries(
        name=name,
        close=close,
        bars=bars,
        segments=(segment,),
        validation=() if report is None else (report,),
        splice=None,
        data_sha256=record["raw_sha256"],
    )


def _recorded_report(
    file: str, record: dict[str, Any], options: dict[str, Any], policy: str, index: pd.DatetimeIndex
) -> ValidationReport | None:
    """The raw file's validation report as recorded at build time (None for a dataset built
    before reports were recorded). The policy is the run's: the findings do not depend on it."""
    if "findings" not in record:
        return None
    findings = tuple(
        Finding(
            **{
                **item,
                "file": file,
                "lines": tuple(item["lines"]),
                "dates": tuple(item["dates"]),
                "details": tuple(item["details"]),
            }
        )
        for item in record["findings"]
    )
    return ValidationReport(
        file=file,
        source_format=record["source"],
        sha256=record["raw_sha256"],
        policy=policy,
        max_move=float(options["max_move"]),
        run_date=resolve_run_date(),
        rows_read=int(record["rows_read"]),
        rows_used=len(index),
        first_date=index[0],
        last_date=index[-1],
        findings=findings,
    )


def onto_builtin_history(history: MarketSeries, fresh: MarketSeries) -> MarketSeries:
    """``fresh`` (a download) where it has closes and, before its first date, the built-in
    ``history`` rebased onto it (``splice`` at the first common date, reported in the result's
    splice statistics). Raises ``DataError`` when the two share no date."""
    if fresh.first_date <= history.first_date:
        return fresh
    return splice(history, fresh, "first-overlap", name=fresh.name)
