"""Sweeps of many series: the same grid over each, a per-series table, a cross-series summary.

``run_sweeps(series, grid, ...)`` runs every series on any executor (see
``backtest.sweep.plan``) and returns a frozen ``MultiSweepResult``: one row per (series,
horizon) with the best pair, Reality Check / SPA p-values, Romano-Wolf survivors and the
reference pair's rank (``to_frame()``), and per horizon a summary across series
(``summary_frame()``). ``read_series_file`` / ``parse_series_list`` read series lists.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.errors import BacktestError, ParameterError
from backtest.events.rules import DEFAULT_HORIZONS, EventRules, Horizon
from backtest.files import SERIES_LIST, read_text
from backtest.sweep.engine import (
    DEFAULT_REFERENCE,
    DEFAULT_SEED,
    Progress,
    SweepResult,
    crosses_label,
    sweep_settings,
)
from backtest.sweep.executors import SweepExecutor
from backtest.sweep.grid import SweepGrid
from backtest.sweep.plan import (
    ResultCallback,
    SeriesInput,
    run_series_sweeps,
    series_input,
)
from backtest.sweep.snooping import DETECTION_POWER

SERIES_COLUMNS: dict[str, str] = {
    "series": "series name",
    "horizon": "forward horizon label",
    "n_closes": "closes in the series",
    "first_date": "first close (YYYY-MM-DD)",
    "last_date": "last close (YYYY-MM-DD)",
    "family_pairs": "pairs in the data-snooping family (at least min_events complete events)",
    "best_fast": "fast window of the best pair (highest statistic) (trading days)",
    "best_slow": "slow window of the best pair (trading days)",
    "best_mean_excess_return": "the best pair's mean forward return minus the unconditional mean (fraction)",
    "best_random_entry_pvalue": "the best pair's own random-entry p-value (no correction for the grid)",
    "statistic": "the snooping statistic of the best pair (mean excess, or a t-like ratio when studentised)",
    "reality_check_pvalue": "White's Reality Check p-value for 'the best pair beats random entry'",
    "spa_pvalue": "Hansen's SPA p-value (consistent centring)",
    "spa_lower_pvalue": "Hansen's SPA p-value (lower centring)",
    "romano_wolf_survivors": "pairs whose superiority survives the Romano-Wolf stepdown at FWER alpha",
    "reference_rank": "rank of the reference pair by mean excess return (1 = best)",
    "reference_percentile": "share of the family at or below the reference pair, mid-rank for ties (%)",
    "reference_mean_excess_return": "the reference pair's mean excess return (fraction)",
    "reference_romano_wolf_pvalue": "the reference pair's Romano-Wolf adjusted p-value",
    "reference_survives": "the reference pair survives the Romano-Wolf stepdown",
    "reference_detectable_excess": "the reference pair's true mean excess the Reality Check over the grid detects "
    f"with {DETECTION_POWER:.0%} power (fraction)",
    "reference_detectable_excess_alone": "the same for a test of the reference pair alone (fraction)",
    "mean_block": "mean block length of the stationary bootstrap (trading days)",
    "data_sha256": "sha256 of the data the series was loaded from",
}

SUMMARY_COLUMNS: dict[str, str] = {
    "horizon": "forward horizon label",
    "n_series": "series swept",
    "series_with_survivors": "series where at least one pair survives the Romano-Wolf stepdown",
    "share_with_survivors": "series_with_survivors / n_series",
    "series_spa_below_alpha": "series whose SPA p-value is at most alpha",
    "series_reality_check_below_alpha": "series whose Reality Check p-value is at most alpha",
    "expected_by_chance": "series expected at or below alpha if no pair beat random entry anywhere (alpha x n)",
    "reference_survives": "series where the reference pair survives the stepdown",
    "reference_top_decile": "series where the reference pair's percentile is at least 90",
    "reference_percentile_mean": "mean over series of the reference pair's percentile (%)",
    "reference_percentile_min": "minimum (%)",
    "reference_percentile_q25": "25th percentile across series (%, linear interpolation)",
    "reference_percentile_median": "median across series (%)",
    "reference_percentile_q75": "75th percentile across series (%)",
    "reference_percentile_max": "maximum (%)",
    "most_common_best_pair": "the best pair found most often across series (FAST/SLOW; ties: smallest)",
    "most_common_best_pair_series": "series in which it is the best pair",
}

_COMMENT = re.compile(r"(^|\s)#.*$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


# ---------------------------------------------------------------------------------------
# Series lists
# ---------------------------------------------------------------------------------------


def parse_series_list(text: str) -> tuple[str, ...]:
    """Series names or CSV paths from ``A,B,C`` (blanks around commas ignored)."""
    if not isinstance(text, str):
        raise ParameterError(f"series must be a name, a path or a comma-separated list, got {text!r}")
    entries = tuple(part.strip() for part in text.split(",") if part.strip())
    if not entries:
        raise ParameterError(f"series: no series name in {text!r}")
    return entries


def read_series_file(path: str | Path) -> tuple[str, ...]:
    """Series from a text file: one name or CSV path per line; ``#`` starts a comment
    (at the start of a line or after a blank); blank lines are skipped. A relative path
    is taken relative to the file's directory. Errors name the file and the line."""
    source = Path(path)
    text = read_text(source, SERIES_LIST, error=ParameterError)  # a regular file of at most 1 MiB
    entries: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _COMMENT.sub("", line).strip()
        if not entry:
            continue
        if "," in entry:
            raise ParameterError(f"series file {source}, line {number}: one series per line, got {entry!r}")
        if "/" in entry or entry.lower().endswith(".csv"):
            resolved = Path(entry).expanduser()
            entry = str(resolved if resolved.is_absolute() else source.parent / resolved)
        key = entry.lower()
        if key in seen:
            raise ParameterError(f"series file {source}, line {number}: {entry!r} is already on line {seen[key]}")
        seen[key] = number
        entries.append(entry)
    if not entries:
        raise ParameterError(f"series file {source}: lists no series (one name or CSV path per line, # comments)")
    return tuple(entries)


def load_series_inputs(
    entries: Sequence[str],
    data_dir: str | Path | None = None,
    policy: str = "lenient",
    on_loaded: Callable[[Any, str], None] | None = None,
) -> list[SeriesInput]:
    """Load and validate every series (here, before any work is sent anywhere) and keep
    only what a sweep needs of each; an error names the entry it came from.

    A series with a gap over ``MAX_GAP_DAYS`` is cut to the closes after its last gap
    (lenient) or refused (strict); ``on_loaded(series, note)`` hears of each series loaded,
    with the note saying what was cut ("" when nothing was).
    """
    from backtest.data import load_series, segment_for_analysis

    inputs = []
    for entry in entries:
        try:
            loaded = load_series(entry, data_dir=data_dir, policy=policy)
            analysed, note = segment_for_analysis(loaded, policy)
            if on_loaded is not None:
                on_loaded(loaded, note)
            inputs.append(series_input(analysed))
        except BacktestError as exc:
            message = str(exc)
            if entry not in message:
                message = f"series {entry!r}: {message}"
            raise type(exc)(message) from None
    return inputs


def file_label(name: str) -> str:
    """A file-name-safe label of a series name (letters, digits, '_', '-', '.')."""
    label = _UNSAFE.sub("_", name).strip(".") or "series"
    return label


def check_unique_labels(names: Sequence[str]) -> None:
    seen: dict[str, str] = {}
    for name in names:
        label = file_label(name).lower()
        if label in seen:
            raise ParameterError(
                f"series: {name!r} and {seen[label]!r} are the same series name; list each series once"
            )
        seen[label] = name


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


def series_rows(result: SweepResult) -> list[dict[str, object]]:
    """Per horizon of one series' sweep: the row of the per-series table."""
    tests = {test.horizon: test for test in result.tests}
    table = result.table
    ref_fast, ref_slow = result.reference
    rows = []
    for horizon in result.horizons:
        label = horizon.label
        test = tests.get(label)
        here = table.loc[table["horizon"] == label]
        family = here.loc[here["in_family"]]
        if test is not None and test.best_pair is not None:
            best = here.loc[(here["fast"] == test.best_pair[0]) & (here["slow"] == test.best_pair[1])]
        else:
            best = result.top(label, 1)
        reference = here.loc[(here["fast"] == ref_fast) & (here["slow"] == ref_slow)]
        rank = result.reference_rank(label)
        has_best = len(best) > 0 and len(family) > 0
        rows.append(
            {
                "series": result.series_name,
                "horizon": label,
                "n_closes": result.n_closes,
                "first_date": result.first_date.date().isoformat(),
                "last_date": result.last_date.date().isoformat(),
                "family_pairs": int(test.n) if test is not None else int(len(family)),
                "best_fast": int(best["fast"].iloc[0]) if has_best else None,
                "best_slow": int(best["slow"].iloc[0]) if has_best else None,
                "best_mean_excess_return": float(best["mean_excess_return"].iloc[0]) if has_best else math.nan,
                "best_random_entry_pvalue": float(best["random_entry_pvalue"].iloc[0]) if has_best else math.nan,
                "statistic": test.statistic if test is not None else math.nan,
                "reality_check_pvalue": test.reality_check_pvalue if test is not None else math.nan,
                "spa_pvalue": test.pvalue if test is not None else math.nan,
                "spa_lower_pvalue": test.spa_lower_pvalue if test is not None else math.nan,
                "romano_wolf_survivors": test.n_survivors if test is not None else None,
                "reference_rank": rank["reference_rank"],
                "reference_percentile": math.nan
                if rank["reference_percentile"] is None
                else rank["reference_percentile"],
                "reference_mean_excess_return": float(reference["mean_excess_return"].iloc[0])
                if len(reference)
                else math.nan,
                "reference_romano_wolf_pvalue": float(reference["romano_wolf_pvalue"].iloc[0])
                if len(reference)
                else math.nan,
                "reference_survives": bool(reference["romano_wolf_survives"].iloc[0])
                if len(reference) and test
                else None,
                "reference_detectable_excess": test.detectable_excess if test is not None else math.nan,
                "reference_detectable_excess_alone": test.detectable_excess_alone if test is not None else math.nan,
                "mean_block": test.mean_block if test is not None else math.nan,
                "data_sha256": result.data_sha256,
            }
        )
    return rows


def series_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The per-series table with fixed dtypes (nullable integers and booleans)."""
    frame = pd.DataFrame(rows, columns=list(SERIES_COLUMNS))
    for column in ("n_closes", "family_pairs", "best_fast", "best_slow", "romano_wolf_survivors", "reference_rank"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame["reference_survives"] = pd.array(frame["reference_survives"].tolist(), dtype="boolean")
    for column in ("series", "horizon", "first_date", "last_date", "data_sha256"):
        frame[column] = frame[column].astype(object)
    return frame


def cross_series_summary(series_table: pd.DataFrame, horizons: Sequence[Horizon], alpha: float) -> pd.DataFrame:
    """Per horizon, across series: how many have surviving pairs or a significant best
    pair, and where the reference pair ranks (distribution of its percentile)."""
    rows = []
    for horizon in horizons:
        here = series_table.loc[series_table["horizon"] == horizon.label]
        n = len(here)
        survivors = here["romano_wolf_survivors"]
        tested = survivors.notna()
        percentile = here["reference_percentile"].to_numpy(dtype=np.float64)
        known = percentile[~np.isnan(percentile)]
        quartiles = np.percentile(known, [0, 25, 50, 75, 100]) if known.size else np.full(5, np.nan)
        best = here.dropna(subset=["best_fast", "best_slow"])
        counts: dict[tuple[int, int], int] = {}
        for fast, slow in zip(best["best_fast"], best["best_slow"], strict=True):
            counts[(int(fast), int(slow))] = counts.get((int(fast), int(slow)), 0) + 1
        common = min(counts, key=lambda pair: (-counts[pair], pair)) if counts else None
        with_survivors = int((survivors.fillna(0) > 0).sum()) if tested.any() else None
        rows.append(
            {
                "horizon": horizon.label,
                "n_series": n,
                "series_with_survivors": with_survivors,
                "share_with_survivors": with_survivors / n if with_survivors is not None and n else math.nan,
                "series_spa_below_alpha": int((here["spa_pvalue"] <= alpha).sum()) if tested.any() else None,
                "series_reality_check_below_alpha": int((here["reality_check_pvalue"] <= alpha).sum())
                if tested.any()
                else None,
                "expected_by_chance": alpha * n if tested.any() else math.nan,
                "reference_survives": int(here["reference_survives"].fillna(False).sum()) if tested.any() else None,
                "reference_top_decile": int(np.sum(known >= 90.0)),
                "reference_percentile_mean": float(known.mean()) if known.size else math.nan,
                "reference_percentile_min": float(quartiles[0]),
                "reference_percentile_q25": float(quartiles[1]),
                "reference_percentile_median": float(quartiles[2]),
                "reference_percentile_q75": float(quartiles[3]),
                "reference_percentile_max": float(quartiles[4]),
                "most_common_best_pair": f"{common[0]}/{common[1]}" if common else None,
                "most_common_best_pair_series": counts[common] if common else 0,
            }
        )
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    for column in (
        "n_series",
        "series_with_survivors",
        "series_spa_below_alpha",
        "series_reality_check_below_alpha",
        "reference_survives",
        "reference_top_decile",
        "most_common_best_pair_series",
    ):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame


@dataclass(frozen=True)
class MultiSweepResult:
    """One grid swept over many series.

    ``series_table``: one row per (series, horizon), see ``SERIES_COLUMNS``.
    ``summary_table``: one row per horizon across series, see ``SUMMARY_COLUMNS``.
    ``results``: every series' full ``SweepResult`` (None when not kept).
    """

    series_table: pd.DataFrame = field(repr=False)
    summary_table: pd.DataFrame = field(repr=False)
    series: tuple[str, ...]
    grid: SweepGrid
    rules: EventRules
    horizons: tuple[Horizon, ...]
    reps: int
    null_draws: int
    seed: int
    alpha: float
    studentize: bool
    min_events: int
    reference: tuple[int, int]
    results: tuple[SweepResult, ...] | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-series table (a copy)."""
        return self.series_table.copy()

    def summary_frame(self) -> pd.DataFrame:
        """The cross-series summary, one row per horizon (a copy)."""
        return self.summary_table.copy()

    def summary(self) -> str:
        """Plain-text overview: settings, then per horizon the cross-series counts."""
        ref = f"{self.reference[0]}/{self.reference[1]}"
        lines = [
            f"Sweep of {len(self.series)} series: {crosses_label(self.rules)}",
            f"Grid: {self.grid.describe()}",
            f"Bootstrap: {self.reps} stationary-bootstrap replications per series, seed {self.seed}, "
            f"FWER {self.alpha:g}",
            "",
            f"{'horizon':>7} {'series':>6} {'RW any':>6} {'SPA<=a':>6} {'RC<=a':>6} {'chance':>6} "
            f"{ref + ' kept':>12} {ref + ' pct median':>18} {'IQR':>11}",
        ]
        for row in self.summary_table.itertuples(index=False):

            def count(value: object) -> str:
                return "-" if value is pd.NA or value is None else str(int(value))  # type: ignore[arg-type]

            chance = "-" if math.isnan(row.expected_by_chance) else f"{row.expected_by_chance:.1f}"
            median = "-" if math.isnan(row.reference_percentile_median) else f"{row.reference_percentile_median:.1f}"
            spread = (
                "-"
                if math.isnan(row.reference_percentile_q25)
                else f"{row.reference_percentile_q25:.0f}-{row.reference_percentile_q75:.0f}"
            )
            lines.append(
                f"{row.horizon:>7} {row.n_series:>6} {count(row.series_with_survivors):>6} "
                f"{count(row.series_spa_below_alpha):>6} {count(row.series_reality_check_below_alpha):>6} {chance:>6} "
                f"{count(row.reference_survives):>12} {median:>18} {spread:>11}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready settings, cross-series summary and per-series rows."""
        return {
            "series": list(self.series),
            "grid": self.grid.to_dict(),
            "rules": {k: v for k, v in self.rules.to_dict().items() if k not in ("fast", "slow")},
            "horizons": [{"label": h.label, "days": h.days, "months": h.months} for h in self.horizons],
            "reps": self.reps,
            "null_draws": self.null_draws,
            "seed": self.seed,
            "alpha": self.alpha,
            "studentize": self.studentize,
            "min_events": self.min_events,
            "reference_pair": list(self.reference),
            "cross_series": _records(self.summary_table),
            "per_series": _records(self.series_table),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {key: (None if value is pd.NA else value) for key, value in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]


def run_sweeps(
    series: Sequence[object],
    grid: SweepGrid,
    rules: EventRules | None = None,
    horizons: tuple[Horizon, ...] = DEFAULT_HORIZONS,
    *,
    reps: int = 1000,
    null_draws: int | None = None,
    seed: int = DEFAULT_SEED,
    mean_block: float | None = None,
    alpha: float = 0.05,
    studentize: bool = False,
    min_events: int = 1,
    reference: tuple[int, int] = DEFAULT_REFERENCE,
    executor: SweepExecutor | None = None,
    pair_block: int | None = None,
    rep_block: int | None = None,
    progress: Progress | None = None,
    on_result: ResultCallback | None = None,
    keep_results: bool = True,
) -> MultiSweepResult:
    """Sweep ``grid`` over every series (MarketSeries, pandas Series or SeriesInput; see
    ``run_sweep`` for the other parameters). Every series uses the same seed, so series
    are compared on the same bootstrap design; the result does not depend on the executor,
    the block sizes or the number of workers. ``on_result`` / ``keep_results``: see
    ``backtest.sweep.plan.run_series_sweeps`` (stream each series' table to disk instead of
    keeping thousands in memory)."""
    if not series:
        raise ParameterError("series: at least one series is needed")
    settings = sweep_settings(
        rules,
        horizons,
        reps=reps,
        null_draws=null_draws,
        seed=seed,
        mean_block=mean_block,
        alpha=alpha,
        studentize=studentize,
        min_events=min_events,
        reference=reference,
    )
    inputs = [series_input(item) for item in series]
    check_unique_labels([item.name for item in inputs])
    rows: list[dict[str, object]] = []

    def collect(position: int, result: SweepResult) -> None:
        rows.extend(series_rows(result))
        if on_result is not None:
            on_result(position, result)

    results = run_series_sweeps(
        inputs,
        grid,
        settings,
        executor=executor,
        pair_block=pair_block,
        rep_block=rep_block,
        progress=progress,
        on_result=collect,
        keep_results=keep_results,
    )
    table = series_frame(rows)
    return MultiSweepResult(
        series_table=table,
        summary_table=cross_series_summary(table, settings.horizons, settings.alpha),
        series=tuple(item.name for item in inputs),
        grid=grid,
        rules=settings.rules,
        horizons=settings.horizons,
        reps=settings.reps,
        null_draws=settings.null_draws,
        seed=settings.seed,
        alpha=settings.alpha,
        studentize=settings.studentize,
        min_events=settings.min_events,
        reference=settings.reference,
        results=tuple(results) if keep_results else None,
    )
