"""Parse and validate one raw daily CSV file: Yahoo bars or a FRED series.

Input: a file path. Output: the usable rows (a float64 frame indexed by date) and a
``ValidationReport`` listing every defect with its 1-based line numbers in the file.
Nothing is ever filled; rows are dropped only as the report lists them.

Severities: "error" means the row is unusable (the lenient policy drops it and lists it; the
strict policy raises ``DataError`` naming the file and the first offending lines); "warning"
and "info" rows are kept and reported. FRED's "." rows are FRED's documented marker for a day
without a value (mostly market holidays): they are "info", dropped under both policies, and
always listed, because refusing a file for following its own format would be useless.

The run date is "today" (``resolve_run_date``: the ``run_date`` argument, else
``$BACKTEST_RUN_DATE``, else the calendar day): every row dated after it is a "future_date"
error, and a newest row dated on it may be a partial intraday bar.

Results are cached on disk (``$BACKTEST_CACHE_DIR``, default ``~/.cache/backtest/validated``;
``off`` disables it): a later process reading the same bytes with the same policy, max_move
and run date, under the same code and library versions, gets the stored frame and report
(identical to a fresh read) without parsing, validating or building the calendar. See
``backtest.cache`` and "the disk cache" below.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from backtest.cache import (
    ENTRY_SUFFIX,
    key_of,
    package_versions,
    python_version,
    read_entry,
    remove_earlier_entries,
    source_digest,
    user_cache_dir,
    write_entry,
)
from backtest.data.calendar import CALENDAR, is_session
from backtest.data.schema import BAR_COLUMNS, DATETIME_DTYPE, INDEX_NAME
from backtest.defaults import MAX_GAP_DAYS
from backtest.errors import DataError, DataNotFoundError, ParameterError
from backtest.files import SERIES_CSV, read_bytes

if TYPE_CHECKING:
    import pyarrow as pa

Policy = Literal["strict", "lenient"]
Severity = Literal["error", "warning", "info"]

POLICIES: tuple[str, ...] = ("strict", "lenient")
DEFAULT_POLICY: Policy = "lenient"
# A 15% log move in one day is rare for a broad index (^RUT's worst close-to-close day since
# 1987 is -14.3% log on 2020-03-16; 1987-10-19 was -13.4% for the Russell 2000 and -20.5% for
# the Russell 1000); above it, a move is worth a human look.
DEFAULT_MAX_MOVE = 0.15
# An isolated spike is a close at least SPIKE_FACTOR times (or at most 1/SPIKE_FACTOR of) the
# median of the SPIKE_NEIGHBOURS closes on each side of it, whose next close comes back at
# least halfway (in log terms) towards that median: a bad tick, not a market move. Measured
# on the snapshot (every file): index crashes stay within x1.17 of their neighbours (1987-10-19,
# 2008-11-20, 2020-03-16) and do not revert in a day; the largest real close that does revert
# is ^VIX on 2024-08-05 (x1.88 its neighbours' median), then ^TNX on 2020-03-09 (x1.78). A
# factor of 2.5 flags none of them and every bad tick of x2.5 or more.
SPIKE_FACTOR = 2.5
SPIKE_NEIGHBOURS = 5
# Without a next close (the newest row) reversion cannot be seen: only a far larger jump
# over the median of the closes before it is called a spike there.
SPIKE_EDGE_FACTOR = 10.0
# The partial-bar heuristics compare the newest bar with this many bars before it.
PARTIAL_LOOKBACK = 20
# End-of-day volumes from Yahoo's feed are rounded to lots of 100; an intraday snapshot reports
# a running, unrounded count (on the snapshot every ETF's 2026-02-23 bar looks like that).
ROUND_LOT = 100
MIN_ROUND_HISTORY = 5
# A file whose volume is zero on at least this share of rows carries no volume at all (^VIX,
# ^TNX): one informational finding instead of thousands of zero-volume warnings.
NO_VOLUME_SHARE = 0.5
FRED_NO_VALUE = "."
RUN_DATE_ENV_VAR = "BACKTEST_RUN_DATE"
"""Environment variable naming the day validation takes as today (``resolve_run_date``)."""
FIRST_PLAUSIBLE_DATE = "1800-01-01"
END_PLAUSIBLE_DATE = "2200-01-01"
MISSING_TOKENS = frozenset({"", "null", "nan", "none", "na", "n/a", "."})

YAHOO_FIELDS = ("date", "close", "high", "low", "open", "volume")
YAHOO_PRICES = ("close", "high", "low", "open")
FRED_DATE_FIELDS = ("date", "observation_date")

# kind -> (severity, singular label, plural label, what it means and what is done about it)
KINDS: dict[str, tuple[Severity, str, str, str]] = {
    "unparseable": ("error", "unparseable row", "unparseable rows", "not a data row; dropped under lenient"),
    "missing_price": ("error", "missing price", "missing prices", "dropped under lenient, never filled"),
    "non_positive_price": ("error", "non-positive price", "non-positive prices", "dropped under lenient"),
    "non_finite_price": (
        "error",
        "non-finite price",
        "non-finite prices",
        "inf or beyond float range: the row is unusable; dropped under lenient",
    ),
    "spike": (
        "error",
        "isolated spike",
        "isolated spikes",
        f"a close over {SPIKE_FACTOR:g}x (or under 1/{SPIKE_FACTOR:g}) the median of its "
        f"{SPIKE_NEIGHBOURS} neighbours on each side that reverts the next day: a bad tick; "
        "dropped under lenient",
    ),
    "bad_volume": ("error", "bad volume", "bad volumes", "empty, non-numeric or negative; dropped under lenient"),
    "duplicate_date": (
        "error",
        "duplicate date",
        "duplicate dates",
        "an exact repeat is dropped; conflicting copies are all dropped (none is known right)",
    ),
    "partial_bar": (
        "error",
        "partial last bar",
        "partial last bars",
        "an intraday snapshot, not a close; dropped under lenient",
    ),
    "future_date": (
        "error",
        "future date",
        "future dates",
        "dated after the run date (today, or $BACKTEST_RUN_DATE): not a close yet; dropped under lenient",
    ),
    "no_value": (
        "info",
        "no-value row",
        "no-value rows",
        "FRED's marker for a day without a value (mostly holidays); dropped, never filled",
    ),
    "blank_line": ("info", "blank line", "blank lines", "ignored"),
    "unsorted_dates": ("warning", "out-of-order date", "out-of-order dates", "rows sorted by date; nothing dropped"),
    "possible_partial_bar": (
        "warning",
        "possibly partial last bar",
        "possibly partial last bars",
        "unrounded volume, as in an intraday snapshot; kept",
    ),
    "gap": (
        "warning",
        f"gap over {MAX_GAP_DAYS} days",
        f"gaps over {MAX_GAP_DAYS} days",
        # The text is part of committed study results (peers' summary.json): change it only
        # with them. What analyses do about a gap: backtest.data.series.segment_for_analysis.
        f"over {MAX_GAP_DAYS} calendar days between consecutive valid rows; reported, never filled",
    ),
    "non_session": (
        "info",
        "non-session date",
        "non-session dates",
        (
            "not an NYSE (XNYS) trading session per exchange_calendars: FRED carries the "
            "previous level over closures and some weekends; dropped, never filled"
        ),
    ),
    "zero_volume": ("warning", "zero-volume row", "zero-volume rows", "kept"),
    "no_volume": (
        "info",
        "row without volume",
        "rows without volume",
        "the feed carries no volume for this symbol, so volume is not checked",
    ),
    "large_move": (
        "warning",
        "large daily move",
        "large daily moves",
        "|log return| above max_move; kept: check it is real (crash, split, bad tick)",
    ),
}
# Rows with these kinds are not in the output even though their severity is not "error".
DROPPED_NON_ERRORS = frozenset({"no_value", "blank_line", "non_session"})


def check_policy(policy: str) -> Policy:
    if policy not in POLICIES:
        raise ParameterError(f"policy must be one of {', '.join(POLICIES)}; got {policy!r}")
    return policy  # type: ignore[return-value]


def check_max_move(max_move: float) -> float:
    try:
        value = float(max_move)
    except (TypeError, ValueError):
        raise ParameterError(f"max_move must be a positive number (an absolute log return); got {max_move!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise ParameterError(f"max_move must be a positive number (an absolute log return); got {max_move!r}")
    return value


def resolve_run_date(run_date: str | date | pd.Timestamp | None = None) -> pd.Timestamp:
    """The day validation takes as today (midnight): ``run_date`` if given, else
    ``$BACKTEST_RUN_DATE`` (YYYY-MM-DD) if set, else today. Rows dated after it are
    ``future_date`` errors and a newest row dated on it is a ``partial_bar``; setting it pins
    what a run keeps, whatever day it runs (tests; regenerating committed results)."""
    if run_date is None:
        text = os.environ.get(RUN_DATE_ENV_VAR, "").strip()
        if not text:
            return pd.Timestamp.today().normalize()
        try:
            return pd.Timestamp(date.fromisoformat(text))
        except ValueError:
            raise ParameterError(f"${RUN_DATE_ENV_VAR} must be a date like 2026-02-24, got {text[:40]!r}") from None
    try:
        return pd.Timestamp(run_date).normalize()
    except (TypeError, ValueError):
        raise ParameterError(f"run_date must be a date like 2026-02-24, got {run_date!r}") from None


@dataclass(frozen=True)
class Finding:
    """One kind of defect in one file, with every occurrence.

    ``lines`` are 1-based line numbers in the file (the header is line 1); ``dates`` and
    ``details`` are aligned with them (a date is "" when the row has no readable date).
    ``count`` equals ``len(lines)`` except for summary findings such as ``no_volume``.
    ``dropped`` says whether the rows are left out of the series under the lenient policy.
    """

    kind: str
    severity: Severity
    file: str
    message: str
    count: int
    lines: tuple[int, ...] = ()
    dates: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    dropped: bool = False

    @property
    def label(self) -> str:
        singular, plural = KINDS[self.kind][1:3]
        return singular if self.count == 1 else plural

    def first_lines(self, limit: int = 5) -> str:
        return _first(self.lines, limit)

    def first_dates(self, limit: int = 5) -> str:
        return _first([d for d in self.dates if d], limit)

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "kind": self.kind,
            "severity": self.severity,
            "count": self.count,
            "dropped": self.dropped,
            "first_lines": self.first_lines(),
            "first_dates": self.first_dates(),
            "message": self.message,
            "lines": self.lines,
        }


def _first(items, limit: int) -> str:  # type: ignore[no-untyped-def]
    items = list(items)
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f", ... (+{len(items) - limit} more)" if len(items) > limit else "")


_FRAME_COLUMNS = ["file", "kind", "severity", "count", "dropped", "first_lines", "first_dates", "message", "lines"]


@dataclass(frozen=True)
class ValidationReport:
    """What one file contained and what validation found in it.

    ``rows_read`` counts every line after the header; ``rows_used + rows_dropped ==
    rows_read`` always holds (nothing disappears unlisted).
    """

    file: str
    source_format: str  # "yahoo" or "fred"
    sha256: str
    policy: str
    max_move: float
    run_date: pd.Timestamp
    rows_read: int
    rows_used: int
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    findings: tuple[Finding, ...]

    @property
    def name(self) -> str:
        return Path(self.file).name

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def rows_dropped(self) -> int:
        return sum(f.count for f in self.findings if f.dropped)

    @property
    def dropped_lines(self) -> tuple[int, ...]:
        return tuple(sorted(line for f in self.findings if f.dropped for line in f.lines))

    def finding(self, kind: str) -> Finding | None:
        """The finding of this kind, or None."""
        return next((f for f in self.findings if f.kind == kind), None)

    @staticmethod
    def empty_frame() -> pd.DataFrame:
        return pd.DataFrame(columns=_FRAME_COLUMNS)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: file, kind, severity, count, dropped, first lines/dates, message."""
        if not self.findings:
            return self.empty_frame()
        return pd.DataFrame([f.to_dict() for f in self.findings], columns=_FRAME_COLUMNS)

    def dropped_frame(self) -> pd.DataFrame:
        """Every row left out of the series, one per line: line, date, kind, severity, detail."""
        records = [
            {"file": self.file, "line": line, "date": day, "kind": f.kind, "severity": f.severity, "detail": detail}
            for f in self.findings
            if f.dropped
            for line, day, detail in zip(f.lines, f.dates, f.details, strict=True)
        ]
        columns = ["file", "line", "date", "kind", "severity", "detail"]
        return pd.DataFrame(records, columns=columns).sort_values("line", ignore_index=True)

    def headline(self) -> str:
        """One line: rows read/used/dropped and the findings by severity."""

        def counts(severity: str) -> str:
            return ", ".join(f"{f.kind} {f.count:,}" for f in self.findings if f.severity == severity) or "none"

        span = f"{self.first_date.date()} to {self.last_date.date()}" if self.first_date is not None else "no rows"
        return (
            f"{self.name}: {self.rows_read:,} rows read, {self.rows_used:,} used ({span}), "
            f"{self.rows_dropped:,} dropped; errors: {counts('error')}; warnings: {counts('warning')}; "
            f"info: {counts('info')}"
        )

    def summary(self) -> str:
        """Plain text: the headline and a table of findings."""
        frame = self.to_frame().drop(columns=["file", "lines"])
        table = frame.to_string(index=False) if len(frame) else "no findings"
        return f"{self.headline()}\n{table}"

    def error_message(self, limit: int = 5) -> str:
        """One line naming the file and the first offending lines of every error finding."""
        parts = []
        for f in self.errors:
            where = f"line {f.lines[0]}" if f.count == 1 else f"lines {f.first_lines(limit)}"
            count = "" if f.count == 1 else f"{f.count:,} "
            parts.append(f"{count}{f.label}, {where} ({f.details[0]})")
        return (
            f"{self.file}: "
            + "; ".join(parts)
            + " [strict policy refuses them; the lenient policy drops and lists them]"
        )

    def raise_if_errors(self) -> None:
        """Raise ``DataError`` (one line, see ``error_message``) if any row is unusable."""
        if self.errors:
            raise DataError(self.error_message())


# -- parsing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RawRows:
    """The rows of one file that have the header's number of fields, as text, plus the rest."""

    path: Path
    source_format: str
    sha256: str
    table: pd.DataFrame  # columns: line, raw, and the canonical field names
    rows_read: int
    width: int  # fields in the header
    misshapen: tuple[tuple[int, str], ...]  # (line, raw) with the wrong number of fields
    blank: tuple[int, ...]


def _sniff_header(path: Path, header: list[str]) -> tuple[str, dict[str, int]]:
    names = [name.strip().lower() for name in header]
    if set(YAHOO_FIELDS) <= set(names):
        return "yahoo", {field: names.index(field) for field in YAHOO_FIELDS}
    # FRED's own downloads write either "DATE,VALUE" or "observation_date,<SERIES_ID>".
    if len(names) == 2 and names[0] in FRED_DATE_FIELDS:
        return "fred", {"date": 0, "close": 1}
    raise DataError(
        f"{path}: line 1: not a Yahoo header (Date,Close,High,Low,Open,Volume) nor a FRED header "
        f"(DATE,VALUE): {','.join(header)[:80]!r}"
    )


def sniff_format(path: str | Path) -> str:
    """ "yahoo" or "fred", from the header line; ``DataError`` for anything else."""
    return _read_rows(Path(path)).source_format


def _split(line: str) -> list[str]:
    # Quoting never occurs in either export; fall back to the csv module only when it might.
    if '"' not in line:
        return line.split(",")
    try:
        return next(csv.reader([line]))
    except csv.Error:  # e.g. a NUL byte: the row is reported as unparseable, never a crash
        return [line]


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, checked (a regular file) and bounded (``backtest.files.SERIES_CSV``)."""
    return read_bytes(path, SERIES_CSV, error=DataError, missing_error=DataNotFoundError)


def _sha256(data: bytes) -> str:
    """The file's identity in reports, provenance and the cache key: SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def _read_rows(path: Path) -> _RawRows:
    data = _read_bytes(path)
    return _parse_rows(path, data, _sha256(data))


def _parse_rows(path: Path, data: bytes, sha256: str) -> _RawRows:
    """The rows of ``data``, the bytes of ``path`` whose SHA-256 is ``sha256``."""
    # Undecodable bytes become U+FFFD and then fail to parse on their own row, never crash.
    text = data.decode("utf-8-sig", errors="replace")
    # Split on "\n" only (not str.splitlines, which also breaks on \x0c, \u2028 ...) so line
    # numbers match what an editor shows; "\r" from CRLF files is stripped per line.
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].strip():
        raise DataError(f"{path}: empty file (no header line)")
    source_format, positions = _sniff_header(path, _split(lines[0]))
    width = len(_split(lines[0]))
    records: list[list[str]] = []
    misshapen: list[tuple[int, str]] = []
    blank: list[int] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            blank.append(number)
            continue
        fields = _split(line)
        if len(fields) != width:
            misshapen.append((number, line))
            continue
        records.append([str(number), line, *(fields[positions[name]] for name in positions)])
    columns = ["line", "raw", *positions]
    table = pd.DataFrame(records, columns=columns, dtype="str")
    table["line"] = table["line"].astype("int64")
    return _RawRows(
        path=path,
        source_format=source_format,
        sha256=sha256,
        table=table,
        rows_read=len(lines) - 1,
        width=width,
        misshapen=tuple(misshapen),
        blank=tuple(blank),
    )


# -- checks ----------------------------------------------------------------------------------------


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


class _Collector:
    """Occurrences per kind: (line, ISO date or "", detail)."""

    def __init__(self) -> None:
        self.items: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        self.summary_counts: dict[str, tuple[int, str]] = {}

    def add(self, kind: str, line: int, day: str, detail: str) -> None:
        self.items[kind].append((int(line), str(day), str(detail)))

    def findings(self, file: str, max_move: float) -> tuple[Finding, ...]:
        found = []
        for kind, (severity, _, _, why) in KINDS.items():
            dropped = severity == "error" or kind in DROPPED_NON_ERRORS
            if kind in self.summary_counts:
                count, detail = self.summary_counts[kind]
                found.append(Finding(kind, severity, file, f"{detail}; {why}", count, dropped=dropped))
                continue
            items = sorted(self.items.get(kind, ()))
            if not items:
                continue
            lines, days, details = (tuple(column) for column in zip(*items, strict=True))
            explanation = why.replace("max_move", f"max_move={max_move:g}")
            first = f"line {lines[0]}: {details[0]}" + (f" (first of {len(items):,})" if len(items) > 1 else "")
            message = f"{first}; {explanation}"
            found.append(Finding(kind, severity, file, message, len(items), lines, days, details, dropped))
        return tuple(found)


def _parse_numbers(tokens: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(values, missing, not_a_number, non_finite) for a column of text fields.

    ``non_finite``: a number that parses to +/-inf ("inf", "1e309"); it is a number, so it
    is reported as its own kind, not as unreadable text."""
    stripped = tokens.str.strip()
    missing = stripped.str.lower().isin(MISSING_TOKENS).to_numpy()
    values = pd.to_numeric(stripped.mask(missing), errors="coerce").to_numpy(dtype=np.float64)
    non_finite = ~missing & np.isinf(values)
    not_a_number = ~missing & np.isnan(values)
    return values, missing, not_a_number, non_finite


def _check(raw: _RawRows, max_move: float, run_date: pd.Timestamp) -> tuple[pd.DataFrame, tuple[Finding, ...]]:
    table = raw.table
    lines = table["line"].to_numpy()
    raw_text = table["raw"].to_numpy()
    found = _Collector()
    for number, line in raw.misshapen:
        found.add("unparseable", number, "", f"{_short(line)}: {len(_split(line))} fields, header has {raw.width}")
    for number in raw.blank:
        found.add("blank_line", number, "", "empty line")

    date_text = table["date"].str.strip()
    looks_iso = date_text.str.match(r"^\d{4}-\d{2}-\d{2}(?:$|[ T])").to_numpy(dtype=bool)
    # Keep only the calendar date: exports of tz-aware indexes write "1999-01-04 00:00:00-05:00".
    dates = pd.to_datetime(date_text.str.slice(0, 10).where(looks_iso), format="%Y-%m-%d", errors="coerce")
    # Outside this window a date is a typo, and nanosecond timestamps could not hold it anyway.
    dates = dates.where((dates >= FIRST_PLAUSIBLE_DATE) & (dates < END_PLAUSIBLE_DATE))
    date_values = dates.to_numpy(dtype=DATETIME_DTYPE)
    has_date = ~np.isnat(date_values)
    iso_dates = np.where(has_date, np.datetime_as_string(date_values, unit="D"), "")

    # Each row gets at most one error finding: the first check it fails, in the order below.
    status = np.zeros(len(table), dtype=bool)  # True once a row is rejected

    def reject(mask: np.ndarray, kind: str, describe) -> None:  # type: ignore[no-untyped-def]
        for position in np.flatnonzero(mask & ~status):
            found.add(kind, int(lines[position]), iso_dates[position], describe(position))
        status[mask] = True

    years = f"{FIRST_PLAUSIBLE_DATE[:4]} to {int(END_PLAUSIBLE_DATE[:4]) - 1}"
    reject(
        ~has_date,
        "unparseable",
        lambda p: f"{_short(raw_text[p])}: date {date_text.iat[p]!r} is not a YYYY-MM-DD date from {years}",
    )
    if raw.source_format == "fred":
        no_value = (table["close"].str.strip() == FRED_NO_VALUE).to_numpy(dtype=bool)
        reject(no_value, "no_value", lambda p: "'.'")
    # A row dated after the run date is no close yet, wherever it sits in the file: every one
    # is an error (a row dated on the run date itself may be a close, or the session's
    # running bar: the partial-bar rule below decides).
    reject(
        has_date & (date_values > run_date.to_datetime64()),
        "future_date",
        lambda p: f"{iso_dates[p]} is after the run date {run_date.date()}",
    )
    # A row dated on a day the exchange was closed carries no close (FRED repeats the previous
    # level): dropped and listed under both policies, like FRED's "." rows (a strict policy
    # refusing FRED files for their own convention would be useless). Rows already rejected
    # are not asked about, so a date far in the future never sizes the calendar.
    reject(
        ~is_session(np.where(status, np.datetime64("NaT"), date_values)),
        "non_session",
        lambda p: f"{pd.Timestamp(date_values[p]).day_name()}, not an {CALENDAR} session",
    )
    price_names = YAHOO_PRICES if raw.source_format == "yahoo" else ("close",)
    prices = {name: _parse_numbers(table[name]) for name in price_names}
    for name, (_, missing, _, _) in prices.items():
        reject(missing, "missing_price", lambda p, name=name: f"{name} is {table[name].iat[p].strip()!r}")
    for name, (_, _, not_a_number, _) in prices.items():
        reject(
            not_a_number,
            "unparseable",
            lambda p, name=name: f"{_short(raw_text[p])}: {name} {table[name].iat[p]!r} is not a number",
        )
    for name, (_, _, _, non_finite) in prices.items():
        reject(
            non_finite,
            "non_finite_price",
            lambda p, name=name: f"{name} {table[name].iat[p].strip()!r} is not a finite number",
        )
    for name, (values, _, _, _) in prices.items():
        reject(values <= 0, "non_positive_price", lambda p, name=name: f"{name} = {prices[name][0][p]:g}")
    if raw.source_format == "yahoo":
        volume, missing_volume, bad_volume, infinite_volume = _parse_numbers(table["volume"])
        reject(
            missing_volume | bad_volume | infinite_volume | (volume < 0),
            "bad_volume",
            lambda p: f"volume {table['volume'].iat[p].strip()!r}",
        )
    else:
        volume = None

    value_columns = [values for values, _, _, _ in prices.values()] + ([volume] if volume is not None else [])
    _reject_duplicates(found, status, lines, date_values, iso_dates, value_columns)

    # Out-of-order rows are usable: sort them into place (reported, nothing dropped).
    kept = np.flatnonzero(~status)
    kept_dates = date_values[kept]
    if len(kept) > 1:
        latest_above = np.maximum.accumulate(kept_dates)[:-1]
        earlier = kept_dates[1:] < latest_above
        for position, latest in zip(kept[1:][earlier], latest_above[earlier], strict=True):
            found.add(
                "unsorted_dates",
                int(lines[position]),
                iso_dates[position],
                f"{iso_dates[position]} comes after {np.datetime_as_string(latest, unit='D')}",
            )
    kept = kept[np.argsort(kept_dates, kind="stable")]

    if len(kept):
        kept = _check_last_bar(found, kept, lines, iso_dates, date_values, volume, run_date)
    kept = _reject_spikes(found, kept, lines, iso_dates, prices["close"][0])
    _report_kept_rows(found, kept, lines, iso_dates, date_values, prices["close"][0], volume, max_move)

    index = pd.DatetimeIndex(date_values[kept], name=INDEX_NAME)
    if raw.source_format == "yahoo":
        columns = {name: (prices[name][0] if name != "volume" else volume)[kept] for name in BAR_COLUMNS}
        frame = pd.DataFrame(columns, index=index)
    else:
        frame = pd.DataFrame({"close": prices["close"][0][kept]}, index=index)
    return frame, found.findings(str(raw.path), max_move)


def _reject_duplicates(
    found: _Collector,
    status: np.ndarray,
    lines: np.ndarray,
    date_values: np.ndarray,
    iso_dates: np.ndarray,
    value_columns: list[np.ndarray],
) -> None:
    candidates = np.flatnonzero(~status)
    repeated = pd.Series(date_values[candidates]).duplicated(keep=False).to_numpy()
    if not repeated.any():
        return
    groups: dict[np.datetime64, list[int]] = defaultdict(list)
    for position in candidates[repeated]:
        groups[date_values[position]].append(int(position))
    for positions in groups.values():
        rows = np.array([[values[p] for values in value_columns] for p in positions])
        first_line = int(lines[positions[0]])
        if (rows == rows[0]).all():
            dropped = positions[1:]
            describe = f"repeats line {first_line} exactly"
        else:
            dropped = positions
            on_lines = ", ".join(str(lines[p]) for p in positions)
            describe = f"{iso_dates[positions[0]]} appears on lines {on_lines} with different values"
        for position in dropped:
            found.add("duplicate_date", int(lines[position]), iso_dates[position], describe)
            status[position] = True


def _check_last_bar(
    found: _Collector,
    kept: np.ndarray,
    lines: np.ndarray,
    iso_dates: np.ndarray,
    date_values: np.ndarray,
    volume: np.ndarray | None,
    run_date: pd.Timestamp,
) -> np.ndarray:
    """Drop the newest bar when it looks intraday; warn when it only might be.

    Heuristics (only the newest bar can still be forming):
    1. it is dated on the run date (rows after it are already ``future_date`` errors): the
       session may still be open (a feed fetched during the day writes today's running bar);
    2. its volume is 0 while most of the bars before it have volume: the feed publishes the
       day's volume only at the close (the snapshot's ^RUT 2026-02-23 bar);
    3. (warning only) its volume is not a multiple of 100 while every earlier bar's volume is:
       intraday feeds report a running, unrounded count. Too weak to drop a bar on.
    """
    last = kept[-1]
    reasons = []
    if date_values[last] >= run_date.to_datetime64():
        reasons.append(f"dated on or after the run date {run_date.date()}: the session may still be open")
    prior = volume[kept[-1 - PARTIAL_LOOKBACK : -1]] if volume is not None else np.array([])
    if volume is not None and volume[last] == 0 and len(prior) and (prior > 0).mean() >= 0.5:
        reasons.append(f"volume 0 while {(prior > 0).sum()} of the {len(prior)} bars before it have volume")
    if reasons:
        found.add("partial_bar", int(lines[last]), iso_dates[last], "; ".join(reasons))
        return kept[:-1]
    if (
        volume is not None
        and len(prior) >= MIN_ROUND_HISTORY
        and volume[last] % ROUND_LOT != 0
        and (prior > 0).all()
        and (prior % ROUND_LOT == 0).all()
    ):
        found.add(
            "possible_partial_bar",
            int(lines[last]),
            iso_dates[last],
            f"volume {volume[last]:.0f} is not a multiple of {ROUND_LOT} like the {len(prior)} bars before it",
        )
    return kept


def _reject_spikes(
    found: _Collector, kept: np.ndarray, lines: np.ndarray, iso_dates: np.ndarray, close: np.ndarray
) -> np.ndarray:
    """Drop isolated spikes (see ``SPIKE_FACTOR``) from the date-sorted usable rows.

    The reference is the median of the neighbours, not the previous close, so a genuine
    level shift (a crash that stays down) is never a spike, and one bad tick cannot hide
    another's reference. Logs keep 1e308 and 1e-308 closes comparable without overflow.
    """
    if len(kept) < 3:
        return kept
    log_close = np.log(close[kept])
    # each row's neighbours: SPIKE_NEIGHBOURS closes on each side, itself masked out
    padded = np.concatenate([np.full(SPIKE_NEIGHBOURS, np.nan), log_close, np.full(SPIKE_NEIGHBOURS, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * SPIKE_NEIGHBOURS + 1).copy()
    windows[:, SPIKE_NEIGHBOURS] = np.nan
    reference = np.nanmedian(windows, axis=1)
    jump = log_close - reference
    next_distance = np.append(np.abs(log_close[1:] - reference[:-1]), np.inf)
    is_spike = (np.abs(jump) > np.log(SPIKE_FACTOR)) & (next_distance <= np.abs(jump) / 2)
    is_spike[-1] = abs(jump[-1]) > np.log(SPIKE_EDGE_FACTOR)
    spikes = np.flatnonzero(is_spike)
    for i in spikes:
        position = kept[i]
        median = float(np.exp(reference[i]))
        found.add(
            "spike",
            int(lines[position]),
            iso_dates[position],
            f"close {close[position]:.6g} against a neighbourhood median of {median:.6g} "
            f"(x{close[position] / median:.3g})",
        )
    return np.delete(kept, spikes) if len(spikes) else kept


def _report_kept_rows(
    found: _Collector,
    kept: np.ndarray,
    lines: np.ndarray,
    iso_dates: np.ndarray,
    date_values: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray | None,
    max_move: float,
) -> None:
    """Warnings on usable rows (sorted by date): zero volume, gaps, large moves."""
    if volume is not None and len(kept):
        zero = kept[volume[kept] == 0]
        if len(zero) >= NO_VOLUME_SHARE * len(kept):
            found.summary_counts["no_volume"] = (
                len(zero),
                f"volume is 0 on {len(zero):,} of {len(kept):,} rows ({len(zero) / len(kept):.1%})",
            )
        else:
            for position in zero:
                found.add("zero_volume", int(lines[position]), iso_dates[position], "volume 0")
    days = date_values[kept]
    if len(kept) > 1:
        gap_days = np.diff(days).astype("timedelta64[D]").astype(np.int64)
        for i in np.flatnonzero(gap_days > MAX_GAP_DAYS):
            before, after = kept[i], kept[i + 1]
            found.add(
                "gap",
                int(lines[after]),
                iso_dates[after],
                f"{iso_dates[before]} to {iso_dates[after]}: {gap_days[i]} days",
            )
        log_returns = np.diff(np.log(close[kept]))
        for i in np.flatnonzero(np.abs(log_returns) > max_move):
            before, after = kept[i], kept[i + 1]
            found.add(
                "large_move",
                int(lines[after]),
                iso_dates[after],
                f"{close[before]:.6g} to {close[after]:.6g} (log return {log_returns[i]:+.3f})",
            )


# -- the disk cache --------------------------------------------------------------------------------
# A validated file is stored in the per-user cache folder (``backtest.cache.user_cache_dir``:
# ``$BACKTEST_CACHE_DIR``, ``off`` for none) under a key of everything its result depends on,
# so a later process reading the same bytes with the same options skips parsing, validation
# and building the NYSE calendar. A stored entry is the very frame and report a fresh read
# gives: the frame as Arrow columns (the date index, then each float64 column), the report
# as JSON (its first and last dates are the frame's, its run date and file the caller's).
# Every field is type-checked on the way back, so a foreign or crafted entry is a miss. The
# key is the content, not the path: an entry's file name starts with the data file's stem
# and the run date (so a folder listing is legible; a renamed file misses), and a hit
# reports the path the caller read (a moved data directory still hits). A strict read of a
# file with errors raises the same ``DataError`` either way. One entry per key, written
# atomically; writing a file's entry removes its entries of earlier run dates (which no later
# run can hit), so the folder holds about one day's entries per file.

CACHE_FORMAT = 2
"""Bump when the stored entry's layout changes (it is part of the key)."""
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
_CODE_FILES = (
    "cache.py",
    "files.py",
    "defaults.py",
    "data/calendar.py",
    "data/schema.py",
    "data/validation.py",
)
"""Source that decides a file's validated frame and report (and how an entry is stored)."""
_VERSIONED = ("pandas", "numpy", "exchange_calendars", "pyarrow")
_FROM_FRAME = ("run_date", "first_date", "last_date", "findings")
"""Report fields not stored as they are: the run date is the caller's, the first and last
dates are the frame's, the findings are stored field by field."""


def _cache_entry(
    path: Path, sha256: str, policy: str, max_move: float, day: pd.Timestamp
) -> tuple[Path, dict[str, object]] | None:
    """(file, parameters) of the cache entry of this read, or None when caching is off."""
    folder = user_cache_dir()
    code = _code_digest()
    if folder is None or code is None:
        return None
    parameters: dict[str, object] = {
        "format": CACHE_FORMAT,
        "sha256": sha256,
        "policy": policy,
        "max_move": max_move,
        "run_date": day.isoformat(),
        "code_sha256": code,
        "versions": _versions(),
    }
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem)[:40]
    return folder / f"{stem}-{day.date().isoformat()}-{key_of(parameters)[:32]}{ENTRY_SUFFIX}", parameters


@lru_cache(maxsize=1)
def _code_digest() -> str | None:
    """Hashed once per process; None (no cache) when the source cannot be read."""
    try:
        return source_digest([_PACKAGE_ROOT / name for name in _CODE_FILES], _PACKAGE_ROOT)
    except OSError:
        return None


@lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    return {**package_versions(_VERSIONED), "python": python_version()}


def _is_plain(annotation: object, value: object) -> bool:
    """Whether a JSON value fits a field of ``Finding`` or ``ValidationReport`` (annotations
    are strings here); an unknown annotation fits nothing, so a new field never reads back wrong."""
    if annotation in ("str", "Severity"):
        return isinstance(value, str)
    if annotation == "int":
        return type(value) is int
    if annotation == "bool":
        return type(value) is bool
    if annotation == "float":
        return type(value) is float
    if annotation in ("tuple[int, ...]", "tuple[str, ...]"):
        item = int if annotation == "tuple[int, ...]" else str
        return isinstance(value, list) and set(map(type, value)) <= {item}
    return False


def _record_of(item: Finding | ValidationReport, skip: tuple[str, ...] = ()) -> dict[str, object]:
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item) if f.name not in skip}


def _plain_fields(cls: type, record: object, skip: tuple[str, ...] = ()) -> dict[str, object] | None:
    """The fields of ``cls`` (but ``skip``) from ``record``, tuples restored; None unless
    ``record`` holds exactly those fields, each of its type."""
    fields = {f.name: f.type for f in dataclasses.fields(cls) if f.name not in skip}
    if not (isinstance(record, dict) and set(record) == set(fields)):
        return None
    if not all(_is_plain(fields[name], value) for name, value in record.items()):
        return None
    return {name: tuple(value) if isinstance(value, list) else value for name, value in record.items()}


def _frame_table(frame: pd.DataFrame) -> pa.Table:
    import pyarrow as pa

    columns = {INDEX_NAME: pa.array(frame.index.to_numpy(dtype=DATETIME_DTYPE))}
    columns.update({str(name): pa.array(frame[name].to_numpy(dtype=np.float64)) for name in frame.columns})
    return pa.table(columns)


def _table_frame(table: pa.Table) -> pd.DataFrame | None:
    """The frame ``_frame_table`` stored, or None for any other table."""
    import pyarrow as pa

    names = table.column_names
    if not names or names[0] != INDEX_NAME or len(set(names)) != len(names):
        return None
    if table.schema.field(0).type != pa.timestamp("ns") or any(t != pa.float64() for t in table.schema.types[1:]):
        return None
    if any(column.null_count for column in table.columns):
        return None
    index = pd.DatetimeIndex(table.column(0).to_numpy(), name=INDEX_NAME)
    # one (columns x rows) block, as pandas builds from a dict of equal-dtype columns
    block = np.empty((len(names) - 1, table.num_rows), dtype=np.float64)
    for position in range(1, len(names)):
        block[position - 1] = table.column(position).to_numpy()
    return pd.DataFrame(block.T, index=index, columns=_column_index(tuple(names[1:])), copy=False)


@lru_cache(maxsize=8)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """The frame's column labels (immutable, so frames may share them: building one costs
    as much as the rest of a cache hit)."""
    return pd.DataFrame(columns=list(names)).columns


def _cache_read(
    entry: tuple[Path, dict[str, object]], path: Path, day: pd.Timestamp
) -> tuple[pd.DataFrame, ValidationReport] | None:
    """The stored frame and report, as read from ``path`` on ``day``; None for a miss."""
    file, parameters = entry
    stored = read_entry(file, parameters)
    if stored is None:
        return None
    value, table = stored
    frame = _table_frame(table)
    record = _plain_fields(ValidationReport, value.get("report"), skip=_FROM_FRAME)
    findings_records = value.get("findings")
    if frame is None or record is None or not isinstance(findings_records, list):
        return None
    # The name is the caller's; the run date's resolution too (equal dates, one key).
    name = str(path)
    findings = []
    for item in findings_records:
        fields = _plain_fields(Finding, item)
        if fields is None:
            return None
        findings.append(Finding(**{**fields, "file": name}))  # type: ignore[arg-type]
    if record["sha256"] != parameters["sha256"] or record["rows_used"] != len(frame):
        return None
    report = ValidationReport(
        **{**record, "file": name},  # type: ignore[arg-type]
        run_date=day,
        first_date=frame.index[0] if len(frame) else None,
        last_date=frame.index[-1] if len(frame) else None,
        findings=tuple(findings),
    )
    return frame, report


def _cache_write(entry: tuple[Path, dict[str, object]], frame: pd.DataFrame, report: ValidationReport) -> None:
    file, parameters = entry
    value = {
        "report": _record_of(report, skip=_FROM_FRAME),
        "findings": [_record_of(finding) for finding in report.findings],
    }
    if write_entry(file, parameters, value, _frame_table(frame)):
        stem, day = file.name.rsplit("-", 1)[0].rsplit("-", 3)[0], str(parameters["run_date"])[:10]
        remove_earlier_entries(file.parent, stem, day)


# -- public entry points -------------------------------------------------------------------------


def read_validated(
    path: str | Path,
    *,
    policy: str = DEFAULT_POLICY,
    max_move: float = DEFAULT_MAX_MOVE,
    run_date: str | date | pd.Timestamp | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Parse and validate one file; return its usable rows and the report.

    The frame is float64, indexed by a sorted unique DatetimeIndex named "date", with the
    column ``close`` (FRED) or open/high/low/close/volume (Yahoo). Under ``policy="strict"``
    any error finding raises ``DataError`` instead. The result is read from the per-user
    cache when these bytes were validated with the same options on the same run date by the
    same code (see "the disk cache" above), and stored there otherwise.
    """
    policy = check_policy(policy)
    max_move = check_max_move(max_move)
    day = resolve_run_date(run_date)
    csv_path = Path(path)
    data = _read_bytes(csv_path)
    sha256 = _sha256(data)
    entry = _cache_entry(csv_path, sha256, policy, max_move, day)
    cached = _cache_read(entry, csv_path, day) if entry is not None else None
    if cached is not None:
        frame, report = cached
    else:
        raw = _parse_rows(csv_path, data, sha256)
        frame, findings = _check(raw, max_move, day)
        report = ValidationReport(
            file=str(raw.path),
            source_format=raw.source_format,
            sha256=raw.sha256,
            policy=policy,
            max_move=max_move,
            run_date=day,
            rows_read=raw.rows_read,
            rows_used=len(frame),
            first_date=frame.index[0] if len(frame) else None,
            last_date=frame.index[-1] if len(frame) else None,
            findings=findings,
        )
        if entry is not None:
            _cache_write(entry, frame, report)
    if policy == "strict":
        report.raise_if_errors()
    return frame, report


def validate_file(
    path: str | Path,
    *,
    policy: str = DEFAULT_POLICY,
    max_move: float = DEFAULT_MAX_MOVE,
    run_date: str | date | pd.Timestamp | None = None,
) -> ValidationReport:
    """The validation report of one file (under ``strict``, raises on any error finding)."""
    return read_validated(path, policy=policy, max_move=max_move, run_date=run_date)[1]
