"""Loaders for the two raw formats: Yahoo daily bars and FRED daily series.

Input: a CSV path. Output: a validated ``MarketSeries`` with one provenance segment and one
validation report. The format is sniffed from the header, so a file written by
``backtest data fetch`` loads exactly like the snapshot.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pandas as pd

from backtest.data.series import BAR_COLUMNS, MarketSeries, Segment
from backtest.data.validation import DEFAULT_MAX_MOVE, DEFAULT_POLICY, read_validated
from backtest.errors import DataError
from backtest.files import FETCH_RECORD, read_text

# Written beside a fetched CSV (``RUT.csv`` -> ``RUT.fetch.json``); it records that the bars
# came from the live feed, for which symbol and when. It is trusted only while the CSV's
# sha256 still matches, so a file replaced by hand is not mislabelled.
LIVE_SIDECAR_SUFFIX = ".fetch.json"
LIVE_SOURCE = "yfinance-live"


def live_sidecar_path(csv_path: str | Path) -> Path:
    path = Path(csv_path)
    return path.with_name(path.stem + LIVE_SIDECAR_SUFFIX)


def _live_record(csv_path: Path, sha256: str) -> dict[str, object] | None:
    sidecar = live_sidecar_path(csv_path)
    if not os.path.exists(sidecar):  # none, or a dangling link: no record (anything else is read, bounded)
        return None
    try:
        record = json.loads(read_text(sidecar, FETCH_RECORD))
    except ValueError:  # not JSON: not a record this tool wrote, so no label
        return None
    if not isinstance(record, dict) or record.get("csv_sha256") != sha256:
        return None
    return record


def load_csv(
    path: str | Path,
    *,
    name: str | None = None,
    symbol: str | None = None,
    policy: str = DEFAULT_POLICY,
    max_move: float = DEFAULT_MAX_MOVE,
    run_date: str | date | pd.Timestamp | None = None,
    note: str = "",
    expected_format: str | None = None,
) -> MarketSeries:
    """Load a Yahoo or FRED CSV file (sniffed from the header) as a validated ``MarketSeries``.

    ``name`` defaults to the file's stem and ``symbol`` to the stem too (or to the symbol a
    live fetch recorded). Raises ``DataError`` under ``policy="strict"`` when a row is unusable,
    and under either policy when no usable row is left.
    """
    csv_path = Path(path)
    frame, report = read_validated(csv_path, policy=policy, max_move=max_move, run_date=run_date)
    if expected_format is not None and report.source_format != expected_format:
        raise DataError(f"{csv_path}: expected a {expected_format} file, found a {report.source_format} header")
    if frame.empty:
        raise DataError(f"{csv_path}: no usable rows ({report.headline()})")
    series_name = name or csv_path.stem
    source = report.source_format
    live = _live_record(csv_path, report.sha256) if source == "yahoo" else None
    if live is not None:
        source = LIVE_SOURCE
        fetched = f"fetched {live.get('fetched_at', '?')} with yfinance"
        note = f"{note}; {fetched}" if note else fetched
    segment = Segment(
        source=source,
        symbol=symbol or (str(live["symbol"]) if live and live.get("symbol") else csv_path.stem),
        path=str(csv_path),
        first_date=frame.index[0],
        last_date=frame.index[-1],
        scale_factor=1.0,
        rows_used=len(frame),
        note=note,
    )
    close = frame["close"].rename(series_name)
    bars = frame.loc[:, list(BAR_COLUMNS)] if report.source_format == "yahoo" else None
    return MarketSeries(
        name=series_name,
        close=close,
        bars=bars,
        segments=(segment,),
        validation=(report,),
        splice=None,
        data_sha256=report.sha256,
    )


def load_yahoo_csv(path: str | Path, **options) -> MarketSeries:  # type: ignore[no-untyped-def]
    """Load Yahoo daily bars (``Date,Close,High,Low,Open,Volume``); see ``load_csv``."""
    return load_csv(path, expected_format="yahoo", **options)


def load_fred_csv(path: str | Path, **options) -> MarketSeries:  # type: ignore[no-untyped-def]
    """Load a FRED daily series (``DATE,VALUE``, "." for no value); see ``load_csv``."""
    return load_csv(path, expected_format="fred", **options)
