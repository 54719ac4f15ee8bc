"""What a sweep will cost before it starts: pairs counted arithmetically, time and memory
from a cost model measured on the project's machine, and the refusal of absurd work.

Input: a ``SweepGrid`` (never listed: its pairs are counted), the number of closes, horizons,
bootstrap replications and random-entry draws. Output: a frozen ``SweepEstimate``;
``check_sweep_cost`` raises ``ParameterError`` (one line: the estimate and the option that
lifts the limit, or the one to lower). The memory test and the formats are
``backtest.checks``' (shared with the claims' cost model, ``backtest.stats.cost``).
"""

from __future__ import annotations

from dataclasses import dataclass

from backtest.checks import MEMORY_SHARE, available_memory, format_bytes, format_duration
from backtest.errors import ParameterError
from backtest.sweep.grid import SweepGrid

__all__ = [
    "DEFAULT_MAX_PAIRS",
    "MEMORY_SHARE",
    "SweepEstimate",
    "available_memory",
    "check_pair_count",
    "check_sweep_cost",
    "estimate_sweep",
]

DEFAULT_MAX_PAIRS = 250_000
"""Pairs per series a sweep runs without ``--max-pairs``: about 3x the 79,401-pair benchmark
grid (2..400 x 3..400), i.e. well under a minute and a gigabyte on the local executor."""

# -- cost model --------------------------------------------------------------------------------
# Measured on the project's machine (2 CPUs, 23 GB, Linux, Python 3.11, numba caches warm)
# with `/tmp`-style script runs of ``run_sweep`` on russell2000 (11,883 closes, 5 horizons),
# each in a fresh process after a warm-up call, on the grids 2..100 x 3..100 (4,851 pairs),
# 2..400 x 3..400 (79,401 pairs), 2..50 x 3..2000 (96,726 pairs, 1,999 windows) and
# 2..200 x 3..200 (19,701 pairs), with 0, 1,000 and 3,000 replications:
#   memory = growth of the peak resident set (VmHWM, reset before the call); it does not
#     depend on machine load: 14 / 98 MB (4,851 pairs, 0 / 1,000 reps), 174 / 210 MB
#     (79,401 pairs), 205 MB (96,726 pairs, 0 reps). The event phase holds ~450 bytes per
#     pair and horizon; the bootstrap phase holds its reps x closes index matrix (int64)
#     plus ~290 bytes per pair and horizon of what the event phase keeps; the peak is the
#     larger of the two. Distinct windows cost no measurable memory (averages are not kept).
#   time = CPU seconds of the same runs (the machine was shared while measuring, so wall
#     times were noise), scaled to wall time on a quiet machine by the committed benchmark
#     (results/bench/sweep.json: 79,401 pairs, 1,000 reps, 7.84 s wall = 0.233 x the CPU
#     seconds measured here). The split between terms comes from the differences between
#     runs: per pair and horizon, per replication and horizon (the bootstrap indices and
#     resampled means over the closes), per pair, horizon and replication, and a per-series
#     part over the closes (baseline and random-entry nulls). Expect +/-50 %: it is an
#     order-of-magnitude guard, not a promise.
SECONDS_PER_KCLOSE = 0.25  # per series, per 1,000 closes: baseline and random-entry nulls
SECONDS_PER_PAIR_HORIZON = 5e-6  # events, forward windows and statistics of one pair
SECONDS_PER_REP_HORIZON_KCLOSE = 2.4e-5  # bootstrap indices and resampled means, per 1,000 closes
SECONDS_PER_PAIR_HORIZON_REP = 4.2e-9  # each pair's statistic in each replication
BYTES_FIXED = 4 * 2**20
BYTES_PER_PAIR_HORIZON_EVENTS = 450  # event positions, forward windows, per-pair statistics
BYTES_PER_PAIR_HORIZON_KEPT = 290  # what the bootstrap phase still holds of the event phase
BYTES_PER_REP_CLOSE = 8  # the bootstrap's int64 index matrix, one horizon at a time
# Random-entry nulls (``--null-draws``): one float64 row of draws per distinct event count,
# one horizon at a time, sorted in place; a draw costs the largest count of that horizon.
# Measured the same way on 2..400 x 3..400 (79,401 pairs, 5 horizons, --reps 0) with 1,
# 20,000 and 80,000 draws: +0.7 s and +4.5 s of wall time over 1 draw, peak growth 196 MB
# (the event phase) then 323 MB at 80,000 draws; the grids of the snapshot have 300-450
# distinct complete-event counts per horizon (largest count ~1,800 for fast windows of 2).
NULL_COUNTS = 400  # distinct event counts per horizon (at most one per pair)
SECONDS_PER_NULL_DRAW_HORIZON = 1.1e-5
BYTES_PER_NULL_DRAW_COUNT = 8


@dataclass(frozen=True)
class SweepEstimate:
    """The expected cost of a sweep: ``seconds`` of wall time and ``bytes`` of peak memory
    growth on the local executor, for ``pairs`` pairs (fast < slow) on each of ``series``
    series of about ``closes`` closes."""

    pairs: int
    windows: int
    series: int
    closes: int
    horizons: int
    reps: int
    seconds: float
    bytes: int
    null_draws: int = 0
    null_bytes: int = 0

    def describe(self) -> str:
        """One line: pairs, expected time and memory."""
        many = f" x {self.series} series" if self.series > 1 else ""
        draws = f", {self.null_draws:,} random-entry draws" if self.null_draws else ""
        return (
            f"{self.pairs:,} pairs{many} x {self.horizons} horizons, {self.reps:,} replications{draws}: "
            f"about {format_duration(self.seconds)} and {format_bytes(self.bytes)} of memory"
        )


def estimate_sweep(
    grid: SweepGrid, closes: int, horizons: int, reps: int, series: int = 1, null_draws: int | None = None
) -> SweepEstimate:
    """The cost model above applied to one sweep (``series`` series run one after another;
    memory is per series, since each series' tables are written and dropped in turn).
    ``null_draws``: random-entry draws per distinct event count (None: the sweep's default,
    ``reps``, or 1,000 without replications)."""
    pairs = grid.n_pairs
    draws = reps  # the bootstrap scales with reps
    null_draws = (reps if reps > 0 else 1000) if null_draws is None else null_draws
    kcloses = closes / 1000
    per_series = (
        SECONDS_PER_KCLOSE * kcloses
        + SECONDS_PER_PAIR_HORIZON * pairs * horizons
        + SECONDS_PER_REP_HORIZON_KCLOSE * draws * horizons * kcloses
        + SECONDS_PER_PAIR_HORIZON_REP * pairs * horizons * draws
        + SECONDS_PER_NULL_DRAW_HORIZON * null_draws * horizons
    )
    event_phase = BYTES_PER_PAIR_HORIZON_EVENTS * pairs * horizons
    kept = BYTES_PER_PAIR_HORIZON_KEPT * pairs * horizons
    bootstrap_phase = BYTES_PER_REP_CLOSE * draws * closes + kept if draws else 0
    null_bytes = BYTES_PER_NULL_DRAW_COUNT * null_draws * min(pairs, NULL_COUNTS)
    null_phase = null_bytes + kept if null_draws else 0
    return SweepEstimate(
        pairs=pairs,
        windows=len(grid.windows),
        series=series,
        closes=closes,
        horizons=horizons,
        reps=reps,
        seconds=series * per_series,
        bytes=int(BYTES_FIXED + max(event_phase, bootstrap_phase, null_phase)),
        null_draws=null_draws,
        null_bytes=int(null_bytes),
    )


def check_pair_count(grid: SweepGrid, max_pairs: int) -> None:
    """Refuse a grid of more than ``max_pairs`` pairs before anything is loaded or listed."""
    if grid.n_pairs > max_pairs:
        raise ParameterError(
            f"the grid has {grid.n_pairs:,} pairs (fast {_span(grid.fast)} x slow {_span(grid.slow)}, fast < slow), "
            f"over --max-pairs {max_pairs:,}; narrow --fast/--slow or pass --max-pairs {grid.n_pairs:,} to run it anyway"
        )


def check_sweep_cost(estimate: SweepEstimate, max_pairs: int, memory: int | None = None) -> None:
    """Refuse past ``max_pairs`` pairs or past the memory available (one line each)."""
    if estimate.pairs > max_pairs:
        raise ParameterError(
            f"sweep of {estimate.describe()}: over --max-pairs {max_pairs:,}; pass --max-pairs {estimate.pairs:,} "
            "to run it anyway"
        )
    if memory is not None and estimate.bytes > MEMORY_SHARE * memory:
        bootstrap = BYTES_PER_REP_CLOSE * estimate.reps * estimate.closes
        if estimate.null_bytes > max(bootstrap, BYTES_PER_PAIR_HORIZON_EVENTS * estimate.pairs * estimate.horizons):
            fix = "lower --null-draws (memory grows with draws x distinct event counts)"
        elif bootstrap > BYTES_PER_PAIR_HORIZON_EVENTS * estimate.pairs * estimate.horizons:
            fix = "lower --reps (memory grows with replications x closes)"
        else:
            fix = "narrow --fast/--slow (memory grows with distinct windows x closes and with pairs)"
        raise ParameterError(
            f"sweep of {estimate.describe()}: more than {MEMORY_SHARE:.0%} of the {format_bytes(memory)} "
            f"available; {fix}"
        )


def _span(windows: tuple[int, ...]) -> str:
    return str(windows[0]) if len(windows) == 1 else f"{windows[0]}..{windows[-1]}"
