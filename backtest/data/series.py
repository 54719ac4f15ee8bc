"""The validated daily series every later stage consumes, with its provenance.

``MarketSeries`` holds a float64 close series (plus OHLCV bars when the source has them), the
segments it was assembled from, one validation report per file read, the splice statistics
when two sources were joined, and a sha256 over the input files for reproducibility stamps.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from backtest.data.agreement import SpliceStats
from backtest.data.schema import BAR_COLUMNS, DATETIME_DTYPE, INDEX_NAME
from backtest.data.validation import KINDS, ValidationReport, resolve_run_date
from backtest.defaults import MAX_GAP_DAYS
from backtest.errors import DataError, ParameterError

__all__ = [
    "BAR_COLUMNS",
    "REFRESH_COMMAND",
    "STALE_AFTER_DAYS",
    "DATETIME_DTYPE",
    "INDEX_NAME",
    "MAX_GAP_DAYS",
    "MarketSeries",
    "Segment",
    "SeriesLike",
    "check_no_long_gaps",
    "daily_segment",
    "data_age",
    "long_gaps",
    "segment_for_analysis",
]

STALE_AFTER_DAYS = 31
"""Data whose last close lies more than this many calendar days before the run date are
called old, with the way to refresh them."""
REFRESH_COMMAND = "backtest data update"


def data_age(last_date: pd.Timestamp | str, run_date: pd.Timestamp | None = None) -> str:
    """'' when ``last_date`` lies at most ``STALE_AFTER_DAYS`` before the run date
    (``resolve_run_date()``: today, or ``$BACKTEST_RUN_DATE``); else one sentence for a
    terminal: 'the data end on 2026-02-20, 9 months before 2026-12-07: `backtest data update`
    fetches newer closes'. Report files state the last date and the command instead, never an
    age, so that they are the same bytes whatever day they are generated."""
    last = pd.Timestamp(last_date).normalize()
    today = resolve_run_date(run_date)
    days = int((today - last).days)
    if days <= STALE_AFTER_DAYS:
        return ""
    if days < 61:
        age = f"{days} days"
    elif days < 730:
        age = f"{round(days / 30.44)} months"
    else:
        age = f"{days / 365.25:.0f} years"
    return f"the data end on {last.date()}, {age} before {today.date()}: `{REFRESH_COMMAND}` fetches newer closes"


@dataclass(frozen=True)
class Segment:
    """One contiguous stretch of a series and where it came from.

    ``scale_factor`` multiplies the source's own values to give the values in the series
    (1.0 unless the segment was rebased by a splice). ``found_in`` is where the values were
    read when that is not the raw file itself: for the built-in dataset, "built-in dataset
    (derived from the snapshot of 2026-02-23)", with ``path`` the raw file's name in the
    snapshot ("yahoo/RUT.csv"). It is not part of the provenance (``to_dict``): the same closes
    found in a data directory or in the built-in dataset have the same provenance.
    """

    source: str  # "yahoo", "fred", "yfinance-live" or "memory"
    symbol: str
    path: str  # "" for data built in memory
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    scale_factor: float
    rows_used: int
    note: str = ""
    found_in: str = ""

    def to_dict(self) -> dict[str, object]:
        """The provenance fields (every field but ``found_in``)."""
        record = asdict(self)
        record.pop("found_in")
        return record


@dataclass(frozen=True, eq=False)
class MarketSeries:
    """A validated daily series: close levels, optional OHLCV bars, and where they came from.

    Invariants (checked on construction): ``close`` is float64, finite and positive, indexed
    by a sorted, unique, tz-naive DatetimeIndex named ``"date"``, and named ``name``; ``bars``
    (when present) has the columns open/high/low/close/volume on the same index.
    Equality is identity (``eq=False``): comparing pandas objects field by field is ambiguous.
    """

    name: str
    close: pd.Series
    bars: pd.DataFrame | None
    segments: tuple[Segment, ...]
    validation: tuple[ValidationReport, ...]
    splice: SpliceStats | None
    data_sha256: str

    def __post_init__(self) -> None:
        close = self.close
        if not isinstance(close, pd.Series) or close.dtype != np.float64:
            raise ParameterError(f"MarketSeries {self.name!r}: close must be a float64 Series")
        index = close.index
        if not isinstance(index, pd.DatetimeIndex) or index.tz is not None:
            raise ParameterError(f"MarketSeries {self.name!r}: close needs a tz-naive DatetimeIndex")
        if index.name != INDEX_NAME or close.name != self.name:
            raise ParameterError(
                f"MarketSeries {self.name!r}: index must be named {INDEX_NAME!r} and the close "
                f"series named {self.name!r} (got {index.name!r}, {close.name!r})"
            )
        if not (index.is_monotonic_increasing and index.is_unique):
            raise ParameterError(f"MarketSeries {self.name!r}: dates must be sorted and unique")
        values = close.to_numpy()
        if not (np.isfinite(values).all() and (values > 0).all()):
            raise ParameterError(f"MarketSeries {self.name!r}: closes must be finite and positive")
        if self.bars is not None and (tuple(self.bars.columns) != BAR_COLUMNS or not self.bars.index.equals(index)):
            raise ParameterError(f"MarketSeries {self.name!r}: bars must have columns {BAR_COLUMNS} on the close index")

    @classmethod
    def from_close(cls, name: str, close: pd.Series, *, symbol: str | None = None) -> MarketSeries:
        """Wrap an in-memory close series (tests, derived series); no file, so no validation report.

        The sha256 is taken over the dates and values, so equal data gives an equal stamp.
        """
        values = pd.Series(
            np.asarray(close, dtype=np.float64),
            index=pd.DatetimeIndex(close.index).astype(DATETIME_DTYPE).rename(INDEX_NAME),
            name=name,
        )
        digest = hashlib.sha256()
        digest.update(values.index.asi8.tobytes())
        digest.update(values.to_numpy().tobytes())
        segment = Segment(
            source="memory",
            symbol=symbol or name,
            path="",
            first_date=values.index[0],
            last_date=values.index[-1],
            scale_factor=1.0,
            rows_used=len(values),
        )
        return cls(name, values, None, (segment,), (), None, digest.hexdigest())

    # -- shape ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.close)

    @property
    def first_date(self) -> pd.Timestamp:
        return self.close.index[0]

    @property
    def last_date(self) -> pd.Timestamp:
        return self.close.index[-1]

    # -- tables ----------------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The data as a DataFrame: the OHLCV bars when present, else a single ``close`` column."""
        if self.bars is not None:
            return self.bars.copy(deep=False)
        return self.close.rename("close").to_frame()

    def provenance_frame(self) -> pd.DataFrame:
        """One row per segment: source, symbol, file, first/last date, scale factor, rows, note."""
        columns = [name for name in Segment.__dataclass_fields__ if name != "found_in"]
        return pd.DataFrame([segment.to_dict() for segment in self.segments], columns=columns)

    def validation_frame(self) -> pd.DataFrame:
        """Every finding of every file read, one row per (file, kind)."""
        frames = [report.to_frame() for report in self.validation]
        if not frames:
            return ValidationReport.empty_frame()
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> str:
        """Plain text for a terminal: coverage, provenance, splice agreement, validation counts."""
        lines = [
            f"{self.name}: {len(self):,} daily closes, "
            f"{self.first_date.date()} to {self.last_date.date()}"
            f"{' (with OHLCV bars)' if self.bars is not None else ''}",
            f"data sha256: {self.data_sha256}",
            "",
            "Provenance",
        ]
        provenance = self.provenance_frame()
        provenance["first_date"] = provenance["first_date"].dt.date
        provenance["last_date"] = provenance["last_date"].dt.date
        # the file as <source folder>/<name>: where a data directory sits is the machine's business
        provenance["path"] = [f"{Path(p).parent.name}/{Path(p).name}" if p else p for p in provenance["path"]]
        lines.append(_indent(provenance.to_string(index=False)))
        if self.splice is not None:
            lines += ["", self.splice.summary()]
        if self.validation:
            lines += ["", "Validation"]
            lines += [_indent(report.headline()) for report in self.validation]
        return "\n".join(lines)

    def data_line(self) -> str:
        """One line for stderr: name, sources, closes and span, what validation found, and
        how old the data are when they are old (``data_age``).

        Rows dropped as unusable (errors) are counted with their kinds; FRED's "." rows are
        its own no-value marker, so they are counted apart as skipped, not as defects.
        """
        everywhere = all(segment.found_in for segment in self.segments)
        sources = " + ".join(
            f"{_SOURCE_LABELS.get(segment.source, segment.source)} {segment.symbol}"
            + (" (built-in)" if segment.found_in and not everywhere else "")
            for segment in self.segments
        )
        found = ", built-in dataset" if everywhere else ""
        head = (
            f"data: {self.name} ({sources}{found}), {len(self):,} closes "
            f"{self.first_date.date()}..{self.last_date.date()}"
        )
        age = data_age(self.last_date)
        tail = f"; {age}" if age else ""
        if not self.validation:
            return f"{head}; validation: none (built in memory){tail}"
        dropped: dict[str, int] = {}
        warnings = 0
        skipped: dict[str, int] = {}
        for report in self.validation:
            for finding in report.findings:
                if finding.severity == "error":
                    dropped[finding.kind] = dropped.get(finding.kind, 0) + finding.count
                elif finding.severity == "warning":
                    warnings += finding.count
                elif finding.dropped:
                    skipped[finding.kind] = skipped.get(finding.kind, 0) + finding.count
        n_dropped = sum(dropped.values())
        parts = [
            f"{n_dropped:,} row{'s' if n_dropped != 1 else ''} dropped"
            + (f" ({', '.join(_count_label(kind, count) for kind, count in dropped.items())})" if dropped else ""),
            f"{warnings:,} warning{'s' if warnings != 1 else ''}",
        ]
        # info rows dropped by the format's own conventions, listed by kind: FRED's "." rows,
        # and rows dated on a day the NYSE was closed (backtest.data.calendar)
        from backtest.data.validation import KINDS

        for kind, count in skipped.items():
            parts.append(f"{count:,} {KINDS[kind][1] if count == 1 else KINDS[kind][2]} skipped")
        return f"{head}; validation ({self.validation[0].policy}): {', '.join(parts)}{tail}"


def _count_label(kind: str, count: int) -> str:
    singular, plural = KINDS[kind][1:3]
    return singular if count == 1 else f"{count:,} {plural}"


_SOURCE_LABELS = {"fred": "FRED", "yahoo": "Yahoo", "yfinance-live": "Yahoo live", "memory": "memory"}


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


SeriesLike = MarketSeries | pd.Series
"""What the analysis stages accept as a series: a ``MarketSeries`` or a pandas Series of
closes on a DatetimeIndex (checked at run time by each public function)."""


def long_gaps(
    index: pd.DatetimeIndex, max_gap_days: int = MAX_GAP_DAYS
) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Every (close before, close after, calendar days) gap of more than ``max_gap_days``."""
    days = np.diff(index.values).astype("timedelta64[D]").astype(np.int64)
    return [(index[i], index[i + 1], int(days[i])) for i in np.flatnonzero(days > max_gap_days)]


def check_no_long_gaps(close: pd.Series, max_gap_days: int = MAX_GAP_DAYS) -> None:
    """Raise ``DataError`` when ``close`` has a gap over ``max_gap_days`` calendar days.

    Moving averages and forward windows count closes, not days: across a ten-year hole a
    "3-month return" would span ten years and a cross could compare two eras. Analyses call
    this on what they are given; ``segment_for_analysis`` is the way around it.
    """
    gaps = long_gaps(close.index, max_gap_days)
    if gaps:
        raise DataError(
            _gap_message(str(close.name), gaps, max_gap_days)
            + "; analyse the closes after it (backtest.data.segment_for_analysis, or --policy lenient)"
        )


def _gap_message(name: str, gaps: list[tuple[pd.Timestamp, pd.Timestamp, int]], max_gap_days: int) -> str:
    before, after, days = max(gaps, key=lambda gap: gap[2])
    more = f" (the longest of {len(gaps)} gaps over {max_gap_days} days)" if len(gaps) > 1 else ""
    return (
        f"series {name!r} has a {days:,}-day gap from {before.date()} to {after.date()}{more}: moving averages "
        f"and forward windows would span it"
    )


def segment_for_analysis(
    series: MarketSeries, policy: str = "lenient", max_gap_days: int = MAX_GAP_DAYS
) -> tuple[MarketSeries, str]:
    """The series an analysis may use, and a one-line note when it is not the whole series.

    No gap over ``max_gap_days`` calendar days: the series itself and "". Otherwise the
    strict policy refuses (``DataError``, one line naming the longest gap) and the lenient
    one keeps the daily segment after the last gap (``daily_segment``) and says so. Real
    market closures are shorter than the limit: 9/11 (2001-09-10 to 09-17, 7 days) and
    Hurricane Sandy (2012-10-26 to 10-31, 5 days) stay inside one segment.
    """
    gaps = long_gaps(series.close.index, max_gap_days)
    if not gaps:
        return series, ""
    message = _gap_message(series.name, gaps, max_gap_days)
    if policy == "strict":
        raise DataError(f"{message} [strict policy refuses; --policy lenient analyses the closes after the last gap]")
    segment, left_out = daily_segment(series, max_gap_days)
    before, after, _ = gaps[-1]
    return segment, (
        f"{message}; using the {len(segment):,} closes after the last gap ({before.date()} to "
        f"{after.date()}), {left_out:,} earlier closes left out"
    )


def daily_segment(series: MarketSeries, max_gap_days: int = MAX_GAP_DAYS) -> tuple[MarketSeries, int]:
    """The series from the close after its last gap of more than ``max_gap_days`` calendar
    days, and how many closes were left out before it.

    RU2000GPR/RU2000VPR hold month-end values only until 1993: a 200-"day" average over
    those would mix months and days. The cut is reported in the segments' notes.
    """
    index = series.close.index
    gaps = np.flatnonzero(np.diff(index.values).astype("timedelta64[D]").astype(np.int64) > max_gap_days)
    if not len(gaps):
        return series, 0
    first = int(gaps[-1]) + 1
    close = series.close.iloc[first:]
    note = f"daily segment only: {first:,} earlier closes (gaps over {max_gap_days} days) left out"
    segments = []
    for segment in series.segments:
        if segment.last_date < close.index[0]:
            continue
        segments.append(
            dataclasses.replace(
                segment,
                first_date=max(segment.first_date, close.index[0]),
                rows_used=int(((close.index >= segment.first_date) & (close.index <= segment.last_date)).sum()),
                note=f"{segment.note}; {note}" if segment.note else note,
            )
        )
    bars = None if series.bars is None else series.bars.iloc[first:]
    return dataclasses.replace(series, close=close, bars=bars, segments=tuple(segments)), first
