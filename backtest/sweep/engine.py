"""The sweep: every (fast, slow) pair of a grid through the event pipeline, in one pass each.

``run_sweep(series, grid, rules, horizons)`` computes each distinct window's average once
(with the single-pair kernel, so values are bit-identical), finds every pair's events in one
pass over two averages, measures forward returns sparsely, and adds random-entry p-values
and data-snooping control per horizon. It returns a frozen ``SweepResult`` whose
``to_frame()`` is tidy: one row per (pair, horizon).

The stages (``pair_statistics`` of any block of pairs, ``null_pvalues`` of any set of
event counts, the snooping blocks of ``backtest.sweep.snooping``, ``assemble_sweep``) are
run by ``backtest.sweep.plan``, in this process or as tasks on workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.data.series import SeriesLike
from backtest.defaults import DEFAULT_REFERENCE_PAIR, DEFAULT_SEED
from backtest.errors import InsufficientDataError, ParameterError
from backtest.events.nb import forward_returns_nb
from backtest.events.rules import DEFAULT_HORIZONS, EventRules, Horizon, horizon_offsets, ma_cross_source
from backtest.events.sources import MACross
from backtest.events.study import close_of, detection_bounds
from backtest.signals.moving_averages import average_kernel, close_array, direction_code, kind_code
from backtest.stats import seed_from
from backtest.stats.bootstrap import horizon_block_length
from backtest.sweep import _kernels
from backtest.sweep.grid import SweepGrid
from backtest.sweep.snooping import IndexGenerator, PairInference, SnoopingTest

DEFAULT_REFERENCE = DEFAULT_REFERENCE_PAIR

Progress = Callable[[str], None]
"""Called with a short description as each step of the sweep starts."""

NullGenerator = Callable[[np.ndarray, int, int, int], np.ndarray]


def default_null_generator() -> NullGenerator:
    """The project's random-entry kernel: means of k days drawn without replacement,
    deterministic in (seed, draw)."""
    from backtest.stats.nb import random_entry_null_means_nb

    return random_entry_null_means_nb


@dataclass(frozen=True)
class SweepEvents:
    """Events of every pair, sparse: pair p's event positions are
    ``events[offsets[p]:offsets[p + 1]]`` (sorted positions into the close series)."""

    pairs: np.ndarray
    events: np.ndarray
    offsets: np.ndarray

    @property
    def n_events(self) -> np.ndarray:
        return np.diff(self.offsets)

    def of(self, fast: int, slow: int) -> np.ndarray:
        """Event positions of one pair."""
        hit = np.flatnonzero((self.pairs[:, 0] == fast) & (self.pairs[:, 1] == slow))
        if hit.size == 0:
            raise ParameterError(f"pair {fast}/{slow} is not in the grid")
        p = int(hit[0])
        return self.events[self.offsets[p] : self.offsets[p + 1]]


def window_averages(values: np.ndarray, windows: np.ndarray, kind: int) -> tuple[np.ndarray, np.ndarray]:
    """float64[n_windows, n] averages (the single-pair kernel, one call per window, so a
    pair's averages are bit-identical to ``run_event_study``'s) and each one's first
    defined position. Memory: windows x days, never pairs x days."""
    averages = np.empty((len(windows), len(values)))
    first_defined = np.empty(len(windows), dtype=np.int64)
    average = average_kernel(kind)
    for row, window in enumerate(windows):
        averages[row] = average(values, int(window))
        defined = np.flatnonzero(~np.isnan(averages[row]))
        first_defined[row] = defined[0] if defined.size else len(values)
    return averages, first_defined


def swept_cross(rules: EventRules) -> MACross:
    """The ``MACross`` source of a sweep's ``rules``, whose average kind and direction every
    pair shares (ParameterError, one line, for another kind of source)."""
    return ma_cross_source(rules, "a sweep")


def crosses_label(rules: EventRules) -> str:
    """What a sweep under ``rules`` counts, e.g. 'SMA golden crosses' (its ``MACross`` source's
    average kind and direction)."""
    cross = swept_cross(rules)
    return f"{cross.ma.upper()} {cross.direction} crosses"


def find_events(values: np.ndarray, index: pd.DatetimeIndex, grid: SweepGrid, rules: EventRules) -> SweepEvents:
    """Events of every pair of ``grid`` under ``rules`` (the windows of its ``MACross``
    source ignored; its average kind and direction used)."""
    return find_pair_events(values, index, grid.pairs, rules)


def find_pair_events(values: np.ndarray, index: pd.DatetimeIndex, pairs: np.ndarray, rules: EventRules) -> SweepEvents:
    """Events of the (fast, slow) rows of ``pairs`` (any subset of a grid, in any order).

    Each window's average comes from the single-pair kernel alone, so a pair's events do
    not depend on which other pairs share the call: a block of a grid gives exactly the
    rows the whole grid gives."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    cross = ma_cross_source(rules, "a sweep")
    windows = np.unique(pairs)
    averages, first_defined = window_averages(values, windows, kind_code(cross.ma))
    rows = {int(w): i for i, w in enumerate(windows)}
    fast_rows = np.array([rows[int(f)] for f in pairs[:, 0]], dtype=np.int64)
    slow_rows = np.array([rows[int(s)] for s in pairs[:, 1]], dtype=np.int64)
    first, last = detection_bounds(index, rules)
    direction = direction_code(cross.direction)
    args = (averages, first_defined, fast_rows, slow_rows, direction, first, last, rules.confirm, rules.min_gap)
    offsets, events = _kernels.grid_events(*args)
    return SweepEvents(pairs, events, offsets)


def entry_offsets(index: pd.DatetimeIndex, horizon: Horizon) -> np.ndarray:
    """Window length in trading days for an entry on each day
    (``backtest.events.rules.horizon_offsets`` over every day)."""
    return horizon_offsets(index, np.arange(len(index), dtype=np.int64), (horizon,))[:, 0]


def forward_returns(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """close[t + offset_t] / close[t] - 1 per entry day t (NaN past the data end): the same
    floating-point expression as the event study's forward return."""
    n = len(values)
    constant = offsets.size and (offsets == offsets[0]).all()
    if constant:
        return forward_returns_nb(values, int(offsets[0]))
    out = np.full(n, np.nan)
    ends = np.arange(n) + offsets
    ok = ends < n
    out[ok] = values[ends[ok]] / values[ok] - 1.0
    return out


@dataclass(frozen=True)
class HorizonSample:
    """The eligible days of one horizon: event dates first_pos..last_complete whose entry
    and forward window lie inside the data; ``forward[t]`` is keyed by entry position."""

    horizon: Horizon
    forward: np.ndarray = field(repr=False)
    first_pos: int
    last_complete: int

    @property
    def n_days(self) -> int:
        return max(0, self.last_complete - self.first_pos + 1)


def horizon_sample(values: np.ndarray, index: pd.DatetimeIndex, rules: EventRules, horizon: Horizon) -> HorizonSample:
    offsets = entry_offsets(index, horizon)
    forward = forward_returns(values, offsets)
    first, last = detection_bounds(index, rules)
    n = len(values)
    entries = np.arange(n) + rules.entry_lag
    complete = entries < n
    complete[complete] &= ~np.isnan(forward[entries[complete]])
    # Completeness is monotone in the event day (windows end later for later entries).
    candidates = np.flatnonzero(complete[: last + 1])
    last_complete = int(candidates[-1]) if candidates.size else -1
    return HorizonSample(horizon, forward, first, last_complete)


def pair_means(events: SweepEvents, sample: HorizonSample, entry_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """(complete events, mean forward return) of every pair of ``events`` at one horizon
    (the kernel ``pair_statistics`` runs; benchmarks compare its means with other tools)."""
    n_complete, mean, _, _ = _kernels.pair_statistics_nb(
        events.events, events.offsets, sample.forward, entry_lag, sample.last_complete
    )
    return n_complete, mean


@dataclass(frozen=True)
class SweepResult:
    """Every pair of a grid on one series: per-(pair, horizon) statistics and the
    data-snooping tests per horizon.

    ``table``: one row per (pair, horizon), see ``COLUMNS``. ``tests``: one
    ``SnoopingTest`` per horizon. ``events``: the sparse event positions of every pair.
    """

    table: pd.DataFrame = field(repr=False)
    tests: tuple[SnoopingTest, ...]
    grid: SweepGrid
    rules: EventRules
    horizons: tuple[Horizon, ...]
    reps: int
    null_draws: int
    seed: int
    alpha: float
    studentize: bool
    reference: tuple[int, int]
    series_name: str
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    n_closes: int
    events: SweepEvents = field(repr=False)
    data_sha256: str | None = None
    provenance: pd.DataFrame | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per (pair, horizon) (a copy)."""
        return self.table.copy()

    def tests_frame(self) -> pd.DataFrame:
        """One row per horizon: family size, best pair, RC / SPA p-values, survivors,
        and the reference pair's place in the grid."""
        rows = []
        for test in self.tests:
            row = test.to_dict()
            row["best_fast"], row["best_slow"] = test.best_pair if test.best_pair else (None, None)
            del row["best_pair"]
            row.update(self.reference_rank(test.horizon))
            rows.append(row)
        return pd.DataFrame(rows)

    def reference_rank(self, horizon: str) -> dict[str, object]:
        """Rank (1 = highest mean excess) and percentile rank (share of the family at or
        below it, mid-rank for ties, in %) of the reference pair at ``horizon``."""
        fast, slow = self.reference
        rows = self.table.loc[self.table["horizon"] == horizon]
        family = rows.loc[rows["in_family"]]
        own = family.loc[(family["fast"] == fast) & (family["slow"] == slow), "mean_excess_return"]
        if own.empty or family.empty:
            return {"reference_rank": None, "reference_percentile": None}
        value = float(own.iloc[0])
        values = family["mean_excess_return"].to_numpy()
        below = float(np.sum(values < value))
        ties = float(np.sum(values == value))
        return {
            "reference_rank": int(np.sum(values > value)) + 1,
            "reference_percentile": 100.0 * (below + 0.5 * ties) / len(values),
        }

    def top(self, horizon: str, n: int = 10) -> pd.DataFrame:
        """The ``n`` pairs with the highest mean excess return at ``horizon``."""
        rows = self.table.loc[(self.table["horizon"] == horizon) & self.table["in_family"]]
        return rows.sort_values(["mean_excess_return", "fast", "slow"], ascending=[False, True, True]).head(n)

    def summary(self) -> str:
        """Plain-text overview of the sweep and its data-snooping tests."""
        lines = [
            f"Sweep: {self.series_name}, {crosses_label(self.rules)}",
            f"Grid: {self.grid.describe()}",
            f"Data: {self.first_date.date()} to {self.last_date.date()} ({self.n_closes} closes)",
            f"Bootstrap: {self.reps} stationary-bootstrap replications, seed {self.seed}, "
            f"{'studentised' if self.studentize else 'non-studentised (as arch)'}",
            "",
            f"{'horizon':>7} {'pairs':>6} {'best':>8} {'excess':>8} {'RC p':>6} {'SPA p':>6} "
            f"{'RW kept':>7} {'ref rank':>9} {'ref pct':>7}",
        ]
        for test in self.tests:
            ref = self.reference_rank(test.horizon)
            best = f"{test.best_pair[0]}/{test.best_pair[1]}" if test.best_pair else "-"
            rank = "-" if ref["reference_rank"] is None else str(ref["reference_rank"])
            pct = "-" if ref["reference_percentile"] is None else f"{ref['reference_percentile']:.1f}"
            # the best excess return in % like every other report (a t statistic when studentised)
            excess = f"{test.statistic:.2f}" if self.studentize else f"{test.statistic * 100:+.2f}%"
            lines.append(
                f"{test.horizon:>7} {test.n:>6} {best:>8} {excess:>8} {test.reality_check_pvalue:>6.3f} "
                f"{test.pvalue:>6.3f} {test.n_survivors:>7} {rank:>9} {pct:>7}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready parameters and tests (no per-pair rows)."""
        tests = []
        for test in self.tests:
            entry = test.to_dict()
            entry.update(self.reference_rank(test.horizon))
            tests.append(entry)
        return {
            "series": self.series_name,
            "data_sha256": self.data_sha256,
            "first_date": self.first_date.date().isoformat(),
            "last_date": self.last_date.date().isoformat(),
            "n_closes": self.n_closes,
            "grid": self.grid.to_dict(),
            "rules": {k: v for k, v in self.rules.to_dict().items() if k not in ("fast", "slow")},
            "horizons": [{"label": h.label, "days": h.days, "months": h.months} for h in self.horizons],
            "reps": self.reps,
            "null_draws": self.null_draws,
            "seed": self.seed,
            "alpha": self.alpha,
            "studentize": self.studentize,
            "reference_pair": list(self.reference),
            "tests": tests,
        }


COLUMNS: dict[str, str] = {
    "fast": "fast window (trading days)",
    "slow": "slow window (trading days)",
    "horizon": "forward horizon label",
    "horizon_days": "horizon length in trading days (empty for calendar-month horizons)",
    "n_events": "events detected in the window (complete or pending)",
    "n_complete": "events whose forward window is complete",
    "mean_return": "mean forward return of complete events (fraction, 0.01 = 1%)",
    "median_return": "median forward return (fraction)",
    "hit_rate": "share of complete events with a positive forward return",
    "baseline_mean_return": "unconditional mean forward return over every eligible day (fraction)",
    "mean_excess_return": "mean_return - baseline_mean_return (fraction)",
    "random_entry_pvalue": "one-sided p-value of mean_return against k random entry days, (1 + #null >= obs) / (1 + draws)",
    "in_family": "pair enters the data-snooping tests (at least min_events complete events)",
    "standard_error": "stationary-bootstrap long-run standard error of the mean excess (fraction); the "
    "snooping statistic is mean_excess_return, or mean_excess_return / standard_error when studentised",
    "romano_wolf_pvalue": "Romano-Wolf stepdown adjusted p-value (one-sided: pair beats random entry)",
    "romano_wolf_survives": "romano_wolf_pvalue <= alpha (FWER control over the whole grid)",
}


@dataclass(frozen=True)
class SweepSettings:
    """Everything of a sweep but the series and the grid (see ``run_sweep`` for the
    meaning of each field); small, immutable and picklable, so it travels with every task."""

    rules: EventRules
    horizons: tuple[Horizon, ...]
    reps: int
    null_draws: int
    seed: int
    mean_block: float | None
    alpha: float
    studentize: bool
    min_events: int
    reference: tuple[int, int]
    index_generator: IndexGenerator | None = None
    null_generator: NullGenerator | None = None


def sweep_settings(
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
    index_generator: IndexGenerator | None = None,
    null_generator: NullGenerator | None = None,
) -> SweepSettings:
    """Validated ``SweepSettings`` (ParameterError names the bad parameter)."""
    if not horizons:
        raise ParameterError("at least one horizon is needed")
    reps = check_scalar(reps, "reps", int, min_val=0)
    if null_draws is None:
        null_draws = int(reps) if reps > 0 else 1000
    null_draws = check_scalar(
        null_draws, "null_draws", int, min_val=0, must="be a non-negative integer (0 skips random-entry p-values)"
    )
    if mean_block is not None and not mean_block >= 1:
        raise ParameterError(f"mean_block must be at least 1 trading day, got {mean_block!r}")
    if reps > 0 and not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha must be in (0, 1), got {alpha!r}")
    if reps > 0 and min_events < 1:
        raise ParameterError(f"min_events must be at least 1, got {min_events!r}")
    rules = rules or EventRules()
    ma_cross_source(rules, "a sweep")
    return SweepSettings(
        rules=rules,
        horizons=tuple(horizons),
        reps=int(reps),
        null_draws=int(null_draws),
        seed=int(seed),
        mean_block=None if mean_block is None else float(mean_block),
        alpha=float(alpha),
        studentize=bool(studentize),
        min_events=int(min_events),
        reference=(int(reference[0]), int(reference[1])),
        index_generator=index_generator,
        null_generator=null_generator,
    )


@dataclass(frozen=True)
class HorizonPool:
    """One horizon's eligible days: the sample, the pool of their forward returns (the
    random-entry population), its mean (the baseline) and the bootstrap's mean block."""

    sample: HorizonSample
    pool: np.ndarray = field(repr=False)
    baseline: float
    mean_block: float | None

    @property
    def excess(self) -> np.ndarray:
        return self.pool - self.baseline


def horizon_pool(
    values: np.ndarray, index: pd.DatetimeIndex, rules: EventRules, horizon: Horizon, mean_block: float | None
) -> HorizonPool:
    """The eligible days of ``horizon``; default mean block by the project's one rule,
    ``backtest.stats.bootstrap.horizon_block_length`` (max(horizon days, sqrt(T)))."""
    sample = horizon_sample(values, index, rules, horizon)
    pool = sample.forward[sample.first_pos + rules.entry_lag : sample.last_complete + rules.entry_lag + 1]
    baseline = float(np.mean(pool)) if pool.size else math.nan
    block = mean_block
    if block is None and pool.size:
        typical = horizon.days if horizon.days is not None else int(np.median(entry_offsets(index, horizon)))
        block = horizon_block_length(typical, pool.size)
    return HorizonPool(sample, pool, baseline, block)


@dataclass(frozen=True)
class PairStatistics:
    """Per-pair results that need nothing but the pair's own events: the events, and per
    horizon (rows, in ``settings.horizons`` order) the complete events, mean, median and
    hit rate of the forward returns and the long-run variance of the bootstrap (NaN when
    no bootstrap is run). Every column is a function of its pair alone, so blocks of pairs
    can be computed anywhere and concatenated (``merge_pair_statistics``)."""

    events: SweepEvents
    n_complete: np.ndarray = field(repr=False)
    mean: np.ndarray = field(repr=False)
    median: np.ndarray = field(repr=False)
    hit_rate: np.ndarray = field(repr=False)
    variance: np.ndarray = field(repr=False)


def pair_statistics(close: pd.Series, pairs: np.ndarray, settings: SweepSettings) -> PairStatistics:
    """Events and per-horizon statistics of the rows of ``pairs`` on ``close``."""
    values = close_array(close)
    index = close.index
    rules = settings.rules
    found = find_pair_events(values, index, pairs, rules)
    shape = (len(settings.horizons), len(found.pairs))
    n_complete = np.zeros(shape, dtype=np.int64)
    mean, median, hit_rate, variance = (np.full(shape, np.nan) for _ in range(4))
    pools = [horizon_pool(values, index, rules, horizon, settings.mean_block) for horizon in settings.horizons]
    for j, hp in enumerate(pools):
        n_complete[j], mean[j], median[j], hit_rate[j] = _kernels.pair_statistics_nb(
            found.events, found.offsets, hp.sample.forward, rules.entry_lag, hp.sample.last_complete
        )
    # The snooping tests need at least 3 eligible days (see snooping.prepare_snooping).
    tested = [j for j, hp in enumerate(pools) if settings.reps > 0 and hp.pool.size >= 3]
    if tested:
        # Every horizon in one pass (bit-identical to one long_run_variances_nb per horizon).
        variance[tested] = _kernels.horizon_long_run_variances(
            found.events,
            found.offsets,
            n_complete[tested],
            [pools[j].excess for j in tested],
            pools[tested[0]].sample.first_pos,  # the detection start: one for every horizon
            [float(pools[j].mean_block or 0.0) for j in tested],
        )
    return PairStatistics(found, n_complete, mean, median, hit_rate, variance)


def merge_pair_statistics(blocks: list[PairStatistics]) -> PairStatistics:
    """Blocks of consecutive pairs, in grid order, as one ``PairStatistics``."""
    if len(blocks) == 1:
        return blocks[0]
    counts = np.concatenate([block.events.n_events for block in blocks])
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    events = SweepEvents(
        np.concatenate([block.events.pairs for block in blocks]),
        np.concatenate([block.events.events for block in blocks]),
        offsets,
    )

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(block, name) for block in blocks], axis=1)

    return PairStatistics(
        events, joined("n_complete"), joined("mean"), joined("median"), joined("hit_rate"), joined("variance")
    )


def null_pvalues(
    pool: np.ndarray,
    n_complete: np.ndarray,
    mean: np.ndarray,
    draws: int,
    seed: int,
    stream: int,
    generator: NullGenerator | None,
    event_counts: np.ndarray | None = None,
) -> np.ndarray:
    """Random-entry p-values: one null per distinct event count k, reused by every pair
    with that k (the null of a mean of k random entry days depends on nothing else).

    generator None (the default): every count's null comes from one pass of
    ``random_entry_prefix_means_nb`` (common random numbers: count k's draw d is the mean of
    the first k days of one random order of the pool), which costs max(k) per draw instead
    of the sum of the counts. A custom ``generator(pool, k, draws, seed)`` draws each k from
    its own seed. Either way ``event_counts`` limits the work to those k (NaN for the other
    pairs) and any split of the counts gives the same p-values."""
    out = np.full(len(n_complete), np.nan)
    counts = np.unique(n_complete[n_complete > 0]) if event_counts is None else np.asarray(event_counts)
    if counts.size == 0:
        return out
    if generator is None:
        from backtest.stats.nb import random_entry_prefix_means_nb

        ks = np.ascontiguousarray(counts, dtype=np.int64)
        nulls = random_entry_prefix_means_nb(
            np.ascontiguousarray(pool, dtype=np.float64), ks, int(draws), seed_from(seed, "random_entry", stream)
        )
        nulls.sort(axis=1)
        # Every pair whose count is one of ``counts`` at once: its row of ``nulls`` found by
        # one search over the sorted counts, then one binary search in that row (the same
        # positions as np.searchsorted on the row, so the same p-values).
        by_count = np.argsort(ks, kind="stable")
        sorted_ks = ks[by_count]
        members = np.flatnonzero(n_complete > 0)
        slot = np.minimum(np.searchsorted(sorted_ks, n_complete[members]), ks.size - 1)
        listed = sorted_ks[slot] == n_complete[members]
        members, rows = members[listed], by_count[slot[listed]]
        at_least = draws - _kernels.searchsorted_rows_nb(
            nulls, rows, np.ascontiguousarray(mean[members], dtype=np.float64)
        )
        out[members] = (1.0 + at_least) / (1.0 + draws)
        return out
    for k in counts:
        null = np.sort(generator(pool, int(k), int(draws), seed_from(seed, "random_entry", stream, int(k))))
        members = np.flatnonzero(n_complete == k)
        at_least = draws - np.searchsorted(null, mean[members], side="left")
        out[members] = (1.0 + at_least) / (1.0 + draws)
    return out


def event_count_blocks(n_complete: np.ndarray, n_blocks: int) -> list[np.ndarray]:
    """The distinct positive event counts split into at most ``n_blocks`` runs of similar
    cost (a null of k entries costs about k per draw)."""
    counts = np.unique(n_complete[n_complete > 0])
    if n_blocks <= 1 or counts.size <= 1:
        return [counts] if counts.size else []
    cost = np.cumsum(counts, dtype=np.float64)
    cuts = np.searchsorted(cost, cost[-1] * np.arange(1, n_blocks) / n_blocks, side="left") + 1
    return [block for block in np.split(counts, np.unique(np.clip(cuts, 1, counts.size - 1))) if block.size]


def assemble_sweep(
    close: pd.Series,
    grid: SweepGrid,
    settings: SweepSettings,
    stats: PairStatistics,
    pvalues: list[np.ndarray],
    outcomes: list[tuple[SnoopingTest, PairInference] | None],
    series_name: str,
) -> SweepResult:
    """The ``SweepResult`` of merged stage outputs (one p-value array and one snooping
    outcome, or None without a bootstrap, per horizon)."""
    index = close.index
    values = close_array(close)
    pairs = stats.events.pairs
    n_pairs = len(pairs)
    frames = []
    tests = []
    for j, horizon in enumerate(settings.horizons):
        hp = horizon_pool(values, index, settings.rules, horizon, settings.mean_block)
        n_complete = stats.n_complete[j]
        excess_mean = stats.mean[j] - hp.baseline
        outcome = outcomes[j]
        inference = None
        if outcome is not None:
            test, inference = outcome
            tests.append(test)
        frames.append(
            pd.DataFrame(
                {
                    "fast": pairs[:, 0],
                    "slow": pairs[:, 1],
                    "horizon": horizon.label,
                    "horizon_days": pd.array([horizon.days] * n_pairs, dtype="Int64"),
                    "n_events": stats.events.n_events,
                    "n_complete": n_complete,
                    "mean_return": stats.mean[j],
                    "median_return": stats.median[j],
                    "hit_rate": stats.hit_rate[j],
                    "baseline_mean_return": hp.baseline,
                    "mean_excess_return": excess_mean,
                    "random_entry_pvalue": pvalues[j],
                    "in_family": inference.in_family if inference else n_complete >= settings.min_events,
                    "standard_error": inference.standard_error if inference else np.nan,
                    "romano_wolf_pvalue": inference.romano_wolf_pvalue if inference else np.nan,
                    "romano_wolf_survives": inference.survives if inference else False,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["horizon"] = pd.Categorical(table["horizon"], categories=[h.label for h in settings.horizons], ordered=True)
    table = table.sort_values(["fast", "slow", "horizon"], kind="stable", ignore_index=True)
    table["horizon"] = table["horizon"].astype(str)
    return SweepResult(
        table=table,
        tests=tuple(tests),
        grid=grid,
        rules=settings.rules,
        horizons=settings.horizons,
        reps=settings.reps,
        null_draws=settings.null_draws,
        seed=settings.seed,
        alpha=settings.alpha,
        studentize=settings.studentize,
        reference=settings.reference,
        series_name=series_name,
        first_date=index[0],
        last_date=index[-1],
        n_closes=len(values),
        events=stats.events,
    )


def series_label(series: SeriesLike) -> str:
    """The name a sweep reports for ``series`` (a MarketSeries' name, else the close's)."""
    close = close_of(series)
    return str(getattr(series, "name", close.name) or close.name or "")


def check_series_for_grid(close: pd.Series, grid: SweepGrid) -> None:
    """InsufficientDataError unless the slowest average can produce a cross."""
    if len(close) < grid.slow[-1] + 1:
        raise InsufficientDataError(
            f"series {close.name!r} has {len(close)} closes; a {grid.slow[-1]}-day average needs at least "
            f"{grid.slow[-1] + 1} to detect a cross"
        )


def with_series_metadata(result: SweepResult, series: SeriesLike) -> SweepResult:
    """``result`` with the data hash and provenance of ``series`` (a MarketSeries): these
    stay with the caller, only the closes are sent to where the sweep runs."""
    provenance_frame = getattr(series, "provenance_frame", None)
    return replace(
        result,
        data_sha256=getattr(series, "data_sha256", None),
        provenance=provenance_frame() if callable(provenance_frame) else None,
    )
