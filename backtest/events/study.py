"""Event detection and forward-window measurement on one price series.

``run_event_study(series, rules, horizons)`` finds every event of an event source under the
timing rules (``EventRules``; a bare ``EventSource`` takes the default timing) and measures what followed each one; it returns a frozen ``EventStudy`` whose ``table`` has
one row per event. ``measure_forward`` measures arbitrary entry days (the unconditional
baseline uses it on every eligible day).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.data.series import SeriesLike, check_no_long_gaps
from backtest.errors import ParameterError
from backtest.events import nb as events_nb
from backtest.events.rules import DEFAULT_HORIZONS, EventRules, Horizon, horizon_offsets, ma_cross_source
from backtest.events.sources import EventSource, Signal
from backtest.signals.moving_averages import close_array

MEASURES: tuple[str, ...] = ("ret", "max_drawdown", "mae", "mfe", "days_to_trough", "days_to_recover")
"""Per-horizon measurement columns, in kernel order; a column is named ``<measure>_<label>``.

ret: close at window end / entry close - 1. max_drawdown: worst peak-to-trough fall inside
the window (<= 0). mae / mfe: lowest / highest close relative to entry (max adverse and
favourable excursion). days_to_trough: trading days from entry to the lowest close.
days_to_recover: trading days from entry until the first close at or above the entry level
after that trough (0 if the window never closed below entry; NaN: not within the window).
"""


def close_of(series: SeriesLike) -> pd.Series:
    """The close Series of a ``MarketSeries`` (or a pandas Series of closes itself).

    Parameters
    ----------
    series : SeriesLike
        A ``MarketSeries`` (its ``close`` is taken) or a pandas Series of closes.

    Returns
    -------
    pd.Series
        The closes, checked to have a sorted, unique DatetimeIndex.

    Raises
    ------
    ParameterError
        No DatetimeIndex, or an index that is unsorted or has duplicates.
    """
    close = getattr(series, "close", series)
    if not isinstance(close, pd.Series) or not isinstance(close.index, pd.DatetimeIndex):
        raise ParameterError("series must be a MarketSeries or a pandas Series with a DatetimeIndex")
    if not close.index.is_monotonic_increasing or close.index.has_duplicates:
        raise ParameterError(f"series {close.name!r} index must be sorted and unique")
    return close


def detection_bounds(index: pd.DatetimeIndex, rules: EventRules) -> tuple[int, int]:
    """First and last positions at which an event may be dated under ``rules``."""
    first = 0 if rules.start is None else int(index.searchsorted(rules.start, side="left"))
    last = len(index) - 1 if rules.end is None else int(index.searchsorted(rules.end, side="right")) - 1
    return first, last


@dataclass(frozen=True)
class DetectedEvents:
    """Positions (into the close series) of the events of one source under one set of timing
    rules: ``event_pos`` (event day), ``cross_pos`` (the day the source fired; earlier under
    confirmation), ``entry_pos``; ``values`` the source's recorded columns on every day and
    ``notes`` what it reported about the data (e.g. dates moved to the next trading day)."""

    event_pos: np.ndarray
    cross_pos: np.ndarray
    entry_pos: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def fast_ma(self) -> np.ndarray:
        return self.values["fast_ma"]

    @property
    def slow_ma(self) -> np.ndarray:
        return self.values["slow_ma"]


def select_events(signal: Signal, index: pd.DatetimeIndex, rules: EventRules) -> tuple[np.ndarray, np.ndarray]:
    """(event positions, trigger positions) of a source's ``signal`` on the days ``index``
    under the timing rules of ``rules``: the one timing kernel
    (``backtest.events.nb.select_events_nb``) shared with bootstrapped paths and the sweep."""
    n = len(index)
    if signal.trigger.shape != (n,) or signal.state.shape != (n,):
        raise ParameterError(f"the source's signal must have one value per day ({n}), got {signal.trigger.shape}")
    first, last = detection_bounds(index, rules)
    return events_nb.select_events_nb(
        np.ascontiguousarray(signal.trigger, dtype=np.bool_),
        np.ascontiguousarray(signal.state, dtype=np.bool_),
        first,
        last,
        rules.confirm,
        rules.min_gap,
    )


def detect(close: pd.Series, rules: EventRules | EventSource) -> DetectedEvents:
    """Find the events of ``rules`` (or of a bare source under the default timing) on ``close``.

    The source's signal, then confirmation, window, de-clustering, entry positions.

    Parameters
    ----------
    close : pd.Series
        Closes on a sorted DatetimeIndex.
    rules : EventRules or EventSource
        The source and timing rules; a bare source runs under the default timing.

    Returns
    -------
    DetectedEvents
        Event, trigger and entry positions into ``close`` (an entry past the data end is
        position len(close)), the source's recorded columns and its notes about the data.
    """
    rules = as_rules(rules)
    close_array(close)
    signal = rules.source.signal(close)
    event_pos, cross_pos = select_events(signal, close.index, rules)
    entry_pos = np.minimum(event_pos + rules.entry_lag, len(close))
    return DetectedEvents(event_pos, cross_pos, entry_pos, dict(signal.values), tuple(signal.notes))


def as_rules(rules: EventRules | EventSource | None) -> EventRules:
    """``rules`` itself, a bare source under the default timing, or the default rules."""
    if rules is None:
        return EventRules()
    if isinstance(rules, EventRules):
        return rules
    if isinstance(rules, EventSource):
        return EventRules(source=rules)
    raise ParameterError(f"rules must be EventRules or an event source, got {type(rules).__name__}")


def measure_forward(
    close: pd.Series, entry_pos: np.ndarray, horizons: tuple[Horizon, ...] = DEFAULT_HORIZONS
) -> pd.DataFrame:
    """Forward-window measurements for entries at positions ``entry_pos``.

    Parameters
    ----------
    close : pd.Series
        Closes on a sorted DatetimeIndex.
    entry_pos : np.ndarray
        Integer entry positions into ``close``; a position at or past len(close) (an entry
        beyond the data) gives a pending row.
    horizons : tuple[Horizon, ...], default DEFAULT_HORIZONS
        Forward windows to measure.

    Returns
    -------
    pd.DataFrame
        One row per entry, columns ``<measure>_<label>`` (see ``MEASURES``; returns and
        drawdowns as fractions, durations in trading days) plus ``end_date_<label>`` and
        ``pending_<label>`` (True when the window runs past the data).
    """
    values = close_array(close)
    entries = np.asarray(entry_pos, dtype=np.int64)
    entries = np.where(entries >= len(values), -1, entries)
    offsets = horizon_offsets(close.index, entries, horizons)
    measured = events_nb.forward_measures(values, entries, offsets)
    columns: dict[str, np.ndarray] = {}
    n = len(values)
    for j, horizon in enumerate(horizons):
        for k, measure in enumerate(MEASURES):
            columns[f"{measure}_{horizon.label}"] = measured[:, j, k]
        ends = entries + offsets[:, j]
        complete = (entries >= 0) & (offsets[:, j] >= 0) & (ends < n)
        end_dates = pd.DatetimeIndex(
            np.where(complete, close.index.values[np.clip(ends, 0, n - 1)], np.datetime64("NaT"))
        )
        columns[f"end_date_{horizon.label}"] = end_dates
        columns[f"pending_{horizon.label}"] = ~complete
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class EventStudy:
    """Every event of one rule on one series and what followed it.

    Built by ``run_event_study``; ``provenance`` and ``data_sha256`` come from the data layer
    when available.

    Parameters
    ----------
    table : pd.DataFrame
        One row per event (see ``to_frame``), indexed by event number from 1.
    rules : EventRules
        The source and timing rules that produced the events.
    horizons : tuple[Horizon, ...]
        The forward windows measured.
    close : pd.Series
        The series measured.
    series_name : str, default ""
        Name of the series, for texts.
    provenance : pd.DataFrame or None, default None
        Where each stretch of the data came from, when the data layer knows.
    data_sha256 : str or None, default None
        Hash of the data, when the data layer knows.
    is_subset : bool, default False
        True for a study cut down by ``subset``: it no longer holds every event its source
        and rules define.
    source_notes : tuple[str, ...], default ()
        What the source reported about the data (e.g. dates moved to the next trading day).
    """

    table: pd.DataFrame
    rules: EventRules
    horizons: tuple[Horizon, ...]
    close: pd.Series = field(repr=False)
    series_name: str = ""
    provenance: pd.DataFrame | None = field(default=None, repr=False)
    data_sha256: str | None = None
    is_subset: bool = False
    source_notes: tuple[str, ...] = ()

    @property
    def source(self) -> EventSource:
        """The event source whose events the table holds (``rules.source``)."""
        return self.rules.source

    @property
    def n_events(self) -> int:
        return len(self.table)

    @property
    def entry_pos(self) -> np.ndarray:
        """Entry positions into ``close`` (len(close) when the entry day is not in the data)."""
        return self.table["entry_pos"].to_numpy(dtype=np.int64)

    def subset(self, mask: object) -> EventStudy:
        """The same study with only the events where ``mask`` is True.

        Everything else is kept: the close series, the rules and horizons (so baselines and
        random-entry nulls are drawn from the same eligible days), entry positions and the
        event numbers of the full study (``days_since_previous`` still refers to the full
        study's events). The result is marked ``is_subset``: it no longer holds every event its
        source and rules define, so no statistic may re-run the rule as if it did.

        Parameters
        ----------
        mask : object
            Booleans, one per event, or a boolean Series on the table's index.

        Returns
        -------
        EventStudy
            A copy holding the selected events, with ``is_subset`` True.

        Raises
        ------
        ParameterError
            A Series on another index, or not one boolean per event.
        """
        if isinstance(mask, pd.Series):
            if not mask.index.equals(self.table.index):
                raise ParameterError("mask must be indexed like the study's event table")
            mask = mask.to_numpy()
        array = np.asarray(mask)
        if array.dtype != np.bool_ or array.shape != (self.n_events,):
            raise ParameterError(
                f"mask must hold {self.n_events} booleans (one per event), got dtype {array.dtype} shape {array.shape}"
            )
        return dataclasses.replace(self, table=self.table.loc[array], is_subset=True)

    def complete(self, label: str) -> pd.DataFrame:
        """Rows whose ``label`` window is complete (not pending)."""
        return self.table.loc[~self.table[f"pending_{label}"]]

    def to_frame(self) -> pd.DataFrame:
        """The event table: one row per event, every measurement.

        Returns
        -------
        pd.DataFrame
            A copy of ``table``.
        """
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text overview: rule, sample, and per-horizon descriptive statistics.

        Returns
        -------
        str
            Lines for a terminal: the rule, the data span, the event count, the source's notes
            and a table of complete windows per horizon (n, pending, mean, median, % up, mean
            max drawdown).
        """
        lines = [
            f"Event study: {self.series_name or self.close.name}",
            f"Rule: {self.rules.describe()}",
            f"Data: {self.close.index[0].date()} to {self.close.index[-1].date()} ({len(self.close)} closes)",
            f"Events: {self.n_events}",
            *(f"Note: {note}" for note in self.source_notes),
            "",
            f"{'horizon':>8} {'n':>4} {'pending':>7} {'mean':>8} {'median':>8} {'% up':>6} {'mean mdd':>9}",
        ]
        for horizon in self.horizons:
            label = horizon.label
            done = self.complete(label)
            returns = done[f"ret_{label}"]
            pending = self.n_events - len(done)
            if len(done):
                lines.append(
                    f"{label:>8} {len(done):>4} {pending:>7} {returns.mean():>8.2%} {returns.median():>8.2%} "
                    f"{(returns > 0).mean():>6.0%} {done[f'max_drawdown_{label}'].mean():>9.2%}"
                )
            else:
                lines.append(f"{label:>8} {0:>4} {pending:>7} {'-':>8} {'-':>8} {'-':>6} {'-':>9}")
        lines.append("")
        lines.append(
            "% up: share of complete windows that ended above the entry close (% of windows up)."
            + (
                " For a death cross the claim is losses: its success rate is % of windows down = 100% - % up."
                if getattr(self.rules.source, "direction", None) == "death"
                else ""
            )
        )
        return "\n".join(lines)


def run_event_study(
    series: SeriesLike,
    rules: EventRules | EventSource | None = None,
    horizons: tuple[Horizon, ...] = DEFAULT_HORIZONS,
) -> EventStudy:
    """Detect every event of ``rules`` on ``series`` and measure each forward window.

    Parameters
    ----------
    series : SeriesLike
        A ``MarketSeries`` (provenance is kept) or a pandas Series of closes.
    rules : EventRules or EventSource or None, default None
        ``EventRules`` (a source plus timing), or a bare ``EventSource`` under the default
        timing (no window, no confirmation, entry at the event-day close); None: the default
        rules (SMA 50/200 golden cross).
    horizons : tuple[Horizon, ...], default DEFAULT_HORIZONS
        Forward windows to measure; at least one.

    Returns
    -------
    EventStudy
        The event table (one row per event) with the rules, horizons and closes.

    Raises
    ------
    ParameterError
        No horizon, or a bad series or rules.
    DataError
        A gap in the closes longer than ``MAX_GAP_DAYS`` calendar days, which an average or
        forward window would span.
    """
    rules = as_rules(rules)
    if not horizons:
        raise ParameterError("at least one horizon is needed")
    close = close_of(series)
    check_no_long_gaps(close)  # an average or forward window never spans a hole in the data
    detected = detect(close, rules)
    index = close.index
    n = len(close)
    has_entry = detected.entry_pos < n
    entry_dates = pd.DatetimeIndex(
        np.where(has_entry, index.values[np.minimum(detected.entry_pos, n - 1)], np.datetime64("NaT"))
    )
    # trading days since the previous event of the same rule (NaN for the first one)
    previous_gap = np.concatenate([[np.nan], np.diff(detected.event_pos).astype(float)])[: len(detected.event_pos)]
    columns: dict[str, object] = {
        "event_date": index[detected.event_pos],
        "cross_date": index[detected.cross_pos],
        "entry_date": entry_dates,
        "close": close.to_numpy()[detected.event_pos],
    }
    for name, values in detected.values.items():
        if name not in columns:
            columns[name] = np.asarray(values, dtype=float)[detected.event_pos]
    columns.update(
        {
            "entry_level": np.where(has_entry, close.to_numpy()[np.minimum(detected.entry_pos, n - 1)], np.nan),
            "days_since_previous": previous_gap,
            "event_pos": detected.event_pos,
            "entry_pos": detected.entry_pos,
        }
    )
    table = pd.DataFrame(columns)
    measured = measure_forward(close, detected.entry_pos, horizons)
    table = pd.concat([table, measured], axis=1)
    table.index = pd.RangeIndex(1, len(table) + 1, name="event")
    provenance_frame = getattr(series, "provenance_frame", None)
    return EventStudy(
        table=table,
        rules=rules,
        horizons=tuple(horizons),
        close=close,
        series_name=str(getattr(series, "name", close.name) or ""),
        provenance=provenance_frame() if callable(provenance_frame) else None,
        data_sha256=getattr(series, "data_sha256", None),
        source_notes=detected.notes,
    )


def run_event_studies(
    series: SeriesLike,
    pairs: Iterable[tuple[int, int]],
    rules: EventRules | None = None,
    horizons: tuple[Horizon, ...] = DEFAULT_HORIZONS,
) -> dict[tuple[int, int], EventStudy]:
    """One event study per (fast, slow) pair, other rules shared; one pass per pair.

    Parameters
    ----------
    series : SeriesLike
        A ``MarketSeries`` or a pandas Series of closes.
    pairs : Iterable[tuple[int, int]]
        (fast, slow) moving-average windows in trading days.
    rules : EventRules or None, default None
        Shared rules, whose ``MACross`` windows each pair replaces; None: the default rules.
    horizons : tuple[Horizon, ...], default DEFAULT_HORIZONS
        Forward windows to measure.

    Returns
    -------
    dict[tuple[int, int], EventStudy]
        One study per pair, keyed by (fast, slow).
    """
    base = rules or EventRules()
    cross = ma_cross_source(base, "run_event_studies")
    return {
        (fast, slow): run_event_study(
            series, base.replace(source=dataclasses.replace(cross, fast=fast, slow=slow)), horizons
        )
        for fast, slow in pairs
    }
