"""Join two overlapping series of the same quantity into one long series, and measure how well
they agree where they overlap.

Input: an older and a newer ``MarketSeries`` with at least one common date. Output: one
``MarketSeries`` (older rebased onto the newer's level before the switch date, newer from it
on) carrying ``SpliceStats`` and the provenance of both parts.

Switch rule (default ``"first-overlap"``): switch on the first date on which both series have
a valid close (Russell 2000: 1987-09-10, ^RUT's first day). The scale factor is
``k = newer / older`` on that date and the output is ``k * older`` before it and ``newer`` from
it on, so the return across the switch is the older series' own return that day: rebasing
multiplies levels by a constant and leaves every return of either part unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

import numpy as np
import pandas as pd

from backtest.data.agreement import STAT_COLUMNS, SpliceStats
from backtest.data.series import DATETIME_DTYPE, MarketSeries, Segment
from backtest.errors import DataError, ParameterError

SWITCH_RULES = ("first-overlap", "last-overlap")


def _agreement(period: str, older: pd.Series, newer: pd.Series) -> dict[str, object]:
    older_returns = older.pct_change().iloc[1:]
    newer_returns = newer.pct_change().iloc[1:]
    abs_diff = (newer_returns - older_returns).abs()
    ratio = newer / older
    return {
        "period": period,
        "first_date": older.index[0],
        "last_date": older.index[-1],
        "n_days": len(older),
        "median_abs_ret_diff": float(abs_diff.median()) if len(abs_diff) else np.nan,
        "max_abs_ret_diff": float(abs_diff.max()) if len(abs_diff) else np.nan,
        "max_abs_ret_diff_date": abs_diff.idxmax() if len(abs_diff) else pd.NaT,
        "ret_corr": float(older_returns.corr(newer_returns)) if len(abs_diff) > 2 else np.nan,
        "ratio_drift": float(ratio.iloc[-1] / ratio.iloc[0] - 1),
    }


def splice_stats(
    older: MarketSeries, newer: MarketSeries, switch_date: pd.Timestamp, scale_factor: float
) -> SpliceStats:
    """Agreement statistics of ``older`` and ``newer`` over their common dates."""
    common = older.close.index.intersection(newer.close.index)
    older_common = older.close.loc[common]
    newer_common = newer.close.loc[common]
    # Returns are bucketed by the year of their end date; a year's first return spans the
    # turn of the year from the previous year's last common date.
    returns_year = common.year
    rows = []
    for year in np.unique(returns_year):
        positions = np.flatnonzero(returns_year == year)
        window = slice(max(positions[0] - 1, 0), positions[-1] + 1)
        row = _agreement(str(year), older_common.iloc[window], newer_common.iloc[window])
        row.update(first_date=common[positions[0]], n_days=len(positions))
        rows.append(row)
    by_year = pd.DataFrame(rows, columns=STAT_COLUMNS)
    overall = _agreement("overall", older_common, newer_common)
    span = (older.close.index >= common[0]) & (older.close.index <= common[-1])
    newer_span = (newer.close.index >= common[0]) & (newer.close.index <= common[-1])
    ratio = newer_common / older_common
    max_date = overall["max_abs_ret_diff_date"]
    return SpliceStats(
        older=older.name,
        newer=newer.name,
        switch_date=switch_date,
        scale_factor=scale_factor,
        overlap_first=common[0],
        overlap_last=common[-1],
        n_common_days=len(common),
        older_only_days=int(span.sum()) - len(common),
        newer_only_days=int(newer_span.sum()) - len(common),
        median_abs_ret_diff=overall["median_abs_ret_diff"],  # type: ignore[arg-type]
        max_abs_ret_diff=overall["max_abs_ret_diff"],  # type: ignore[arg-type]
        max_abs_ret_diff_date=None if pd.isna(max_date) else max_date,  # type: ignore[arg-type]
        ret_corr=overall["ret_corr"],  # type: ignore[arg-type]
        ratio_drift=overall["ratio_drift"],  # type: ignore[arg-type]
        max_abs_ratio_deviation=float((ratio / scale_factor - 1).abs().max()),
        by_year=by_year,
    )


def _switch_date(common: pd.DatetimeIndex, switch: str | date | pd.Timestamp) -> pd.Timestamp:
    if isinstance(switch, str) and switch in SWITCH_RULES:
        return common[0] if switch == "first-overlap" else common[-1]
    try:
        day = pd.Timestamp(switch)
    except (TypeError, ValueError):
        raise ParameterError(f"switch must be one of {', '.join(SWITCH_RULES)} or a date; got {switch!r}") from None
    if day not in common:
        raise ParameterError(
            f"switch date {day.date()} is not a date on which both series have a close "
            f"(their overlap runs {common[0].date()} to {common[-1].date()})"
        )
    return day


def _clip_segments(segments: tuple[Segment, ...], index: pd.DatetimeIndex, scale: float) -> list[Segment]:
    """The segments restricted to the dates in ``index``, rescaled by ``scale``."""
    clipped = []
    for segment in segments:
        inside = index[(index >= segment.first_date) & (index <= segment.last_date)]
        if len(inside):
            clipped.append(
                dataclasses.replace(
                    segment,
                    first_date=inside[0],
                    last_date=inside[-1],
                    scale_factor=segment.scale_factor * scale,
                    rows_used=len(inside),
                )
            )
    return clipped


def combined_sha256(digests: list[str]) -> str:
    """One stamp for several files: the file's own sha256 when there is one file (so it can be
    checked against SHA256SUMS), else the sha256 of the per-file hex digests joined by newlines,
    in segment order (oldest first)."""
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


def _file_digests(series: MarketSeries) -> list[str]:
    # Per-file digests keep the stamp flat: splicing a splice hashes the same file list.
    return [report.sha256 for report in series.validation] or [series.data_sha256]


def splice(
    older: MarketSeries,
    newer: MarketSeries,
    switch: str | date | pd.Timestamp = "first-overlap",
    *,
    name: str | None = None,
) -> MarketSeries:
    """Rebase ``older`` onto ``newer``'s level and join them at the switch date.

    ``switch`` is ``"first-overlap"`` (default: the first date both have a close),
    ``"last-overlap"`` (keep the older series as long as possible), or an explicit common
    date. Output: ``k * older`` strictly before the switch date, ``newer`` from it on, with
    ``k = newer / older`` on the switch date; OHLC bars only if both inputs have them (older
    prices scaled by k, volume unchanged). Raises ``DataError`` if the series share no date.
    """
    common = older.close.index.intersection(newer.close.index)
    if common.empty:
        raise DataError(
            f"cannot splice {older.name!r} ({older.first_date.date()} to {older.last_date.date()}) onto "
            f"{newer.name!r} ({newer.first_date.date()} to {newer.last_date.date()}): they have no date in "
            "common, so there is nothing to rebase on"
        )
    switch_date = _switch_date(common, switch)
    scale = float(newer.close.loc[switch_date] / older.close.loc[switch_date])
    spliced_name = name or f"{older.name}+{newer.name}"
    before = older.close.index < switch_date
    after = newer.close.index >= switch_date
    close = pd.concat([older.close[before] * scale, newer.close[after]]).rename(spliced_name)
    close.index = close.index.astype(DATETIME_DTYPE).rename("date")
    bars = None
    if older.bars is not None and newer.bars is not None:
        rebased = older.bars[before].copy()
        rebased[["open", "high", "low", "close"]] *= scale
        bars = pd.concat([rebased, newer.bars[after]])
        bars.index = close.index
    segments = (
        *_clip_segments(older.segments, older.close.index[before], scale),
        *_clip_segments(newer.segments, newer.close.index[after], 1.0),
    )
    validation = (*older.validation, *newer.validation)
    return MarketSeries(
        name=spliced_name,
        close=close,
        bars=bars,
        segments=segments,
        validation=validation,
        splice=splice_stats(older, newer, switch_date, scale),
        data_sha256=combined_sha256([*_file_digests(older), *_file_digests(newer)]),
    )
