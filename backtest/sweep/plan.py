"""Split sweeps into tasks and merge their results: the same numbers on every executor.

One series' sweep runs in three stages, the first two as tasks on an executor:

1. pair blocks: events and per-pair statistics (means, p-value inputs, the long-run
   variances of the bootstrap) of consecutive blocks of the grid's pairs. Each pair's
   numbers come from its own events only, so the blocks are concatenated in grid order.
2. per horizon, random-entry nulls for blocks of distinct event counts (each count k draws
   from its own seed) and bootstrap replication blocks (replication b is drawn from
   (seed, b) alone, counter-based). P-values are put back by pair; the three maxima are
   concatenated in replication order and the Romano-Wolf counts (integers) summed.
3. here, once, on the merged arrays: Reality Check / SPA p-values and the stepdown.

So the result is bit-identical whatever the block sizes, the number of workers and the
order in which tasks finish (tested in tests/sweep/test_plan.py). With at least as many
series as worker slots, each series is instead one task running all three stages.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.data.series import SeriesLike, check_no_long_gaps
from backtest.errors import ParameterError
from backtest.events.rules import DEFAULT_HORIZONS, EventRules, Horizon
from backtest.events.study import close_of
from backtest.signals.moving_averages import close_array
from backtest.sweep.engine import (
    DEFAULT_REFERENCE,
    DEFAULT_SEED,
    HorizonPool,
    NullGenerator,
    PairStatistics,
    Progress,
    SweepResult,
    SweepSettings,
    assemble_sweep,
    check_series_for_grid,
    event_count_blocks,
    horizon_pool,
    merge_pair_statistics,
    null_pvalues,
    pair_statistics,
    series_label,
    sweep_settings,
    with_series_metadata,
)
from backtest.sweep.executors import LocalExecutor, SweepExecutor
from backtest.sweep.grid import SweepGrid
from backtest.sweep.snooping import (
    REPS_PER_CHUNK,
    BootstrapBlock,
    IndexGenerator,
    SnoopingSetup,
    bootstrap_block,
    finish_snooping,
    prepare_snooping,
    replication_blocks,
)

ResultCallback = Callable[[int, SweepResult], None]
"""Called with (position in the series list, result) as each series' sweep is complete,
in list order."""


@dataclass(frozen=True)
class SeriesInput:
    """One series of a sweep: the closes (the only part sent to workers) and the name,
    data hash and provenance reported with its results (kept by the caller)."""

    name: str
    close: pd.Series = field(repr=False)
    data_sha256: str | None = None
    provenance: pd.DataFrame | None = field(default=None, repr=False)

    def provenance_frame(self) -> pd.DataFrame | None:
        return self.provenance


def series_input(series: SeriesLike | SeriesInput) -> SeriesInput:
    """A ``SeriesInput`` from a MarketSeries or a pandas Series (validated closes)."""
    if isinstance(series, SeriesInput):
        return series
    close = close_of(series)
    close_array(close)  # NaN / non-positive closes: ParameterError here, not in a worker
    check_no_long_gaps(close)  # an average or forward window never spans a hole in the data
    provenance_frame = getattr(series, "provenance_frame", None)
    return SeriesInput(
        name=series_label(series),
        close=close,
        data_sha256=getattr(series, "data_sha256", None),
        provenance=provenance_frame() if callable(provenance_frame) else None,
    )


# ---------------------------------------------------------------------------------------
# Block sizes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockPlan:
    """Pairs and replications per task; ``whole_series``: one task per series."""

    pair_block: int
    rep_block: int | None
    null_blocks: int
    whole_series: bool


def check_block_sizes(pair_block: int | None, rep_block: int | None) -> None:
    """ParameterError unless each given size is a positive integer and ``rep_block`` a
    multiple of ``REPS_PER_CHUNK`` (callers check before starting any worker)."""
    for name, value in (("pair_block", pair_block), ("rep_block", rep_block)):
        if value is not None:
            check_scalar(value, name, int, min_val=1)
    if rep_block is not None and rep_block % REPS_PER_CHUNK:
        raise ParameterError(f"rep_block must be a multiple of {REPS_PER_CHUNK} replications, got {rep_block}")


def plan_blocks(
    n_series: int, n_pairs: int, reps: int, slots: int, pair_block: int | None = None, rep_block: int | None = None
) -> BlockPlan:
    """Block sizes for ``slots`` concurrent tasks (any choice gives the same numbers).

    Default: one task per series when there are at least as many series as slots (no
    merging needed, the least data moved); otherwise every series is cut into ``slots``
    pair blocks and, per horizon, ``slots`` replication and null blocks.
    """
    check_block_sizes(pair_block, rep_block)
    if pair_block is None and rep_block is None:
        if slots <= 1 or n_series >= slots:
            return BlockPlan(n_pairs, None, 1, whole_series=n_series > 1)
        pair_block = math.ceil(n_pairs / slots)
        per_slot = math.ceil(reps / slots) if reps else 0
        rep_block = max(REPS_PER_CHUNK, math.ceil(per_slot / REPS_PER_CHUNK) * REPS_PER_CHUNK)
        return BlockPlan(pair_block, rep_block if rep_block < reps else None, slots, whole_series=False)
    pair_block = int(pair_block) if pair_block is not None else n_pairs
    n_pair_blocks = math.ceil(n_pairs / pair_block)
    n_rep_blocks = math.ceil(reps / rep_block) if rep_block and reps else 1
    return BlockPlan(
        pair_block,
        int(rep_block) if rep_block is not None else None,
        max(n_pair_blocks, n_rep_blocks),
        whole_series=False,
    )


# ---------------------------------------------------------------------------------------
# Tasks (module-level: pickled by reference and imported by every worker)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesStage:
    """Stage-2 input of one series, sent once to the cluster and shared by its null and
    bootstrap tasks: the merged events, and per horizon the random-entry pool, each pair's
    complete events and mean, and the fixed bootstrap problem."""

    events: np.ndarray = field(repr=False)
    offsets: np.ndarray = field(repr=False)
    pools: tuple[np.ndarray, ...] = field(repr=False)
    n_complete: np.ndarray = field(repr=False)
    mean: np.ndarray = field(repr=False)
    setups: tuple[SnoopingSetup | None, ...] = field(repr=False)
    settings: SweepSettings


def null_task(stage: SeriesStage, horizon: int, event_counts: np.ndarray) -> np.ndarray:
    """Random-entry p-values of the pairs whose event count is in ``event_counts``."""
    settings = stage.settings
    return null_pvalues(
        stage.pools[horizon],
        stage.n_complete[horizon],
        stage.mean[horizon],
        settings.null_draws,
        settings.seed,
        horizon,
        settings.null_generator,
        event_counts,
    )


def bootstrap_task(stage: SeriesStage, horizon: int, start: int, stop: int) -> BootstrapBlock:
    """Replications start .. stop - 1 of one horizon's snooping bootstrap."""
    setup = stage.setups[horizon]
    assert setup is not None
    return bootstrap_block(stage.events, stage.offsets, setup, start, stop, stage.settings.index_generator)


def series_task(close: pd.Series, name: str, grid: SweepGrid, settings: SweepSettings) -> SweepResult:
    """A whole series in one task: the three stages, here (numba threads inside)."""
    job = SeriesJob(close, name, grid, settings, BlockPlan(grid.n_pairs, None, 1, whole_series=True))
    (result,) = _run_staged([job], LocalExecutor(), None)
    return result


def _apply(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)


# ---------------------------------------------------------------------------------------
# The driver side of one series
# ---------------------------------------------------------------------------------------


class SeriesJob:
    """What the driver holds for one series between stages (never sent anywhere)."""

    def __init__(self, close: pd.Series, name: str, grid: SweepGrid, settings: SweepSettings, plan: BlockPlan) -> None:
        self.close = close
        self.name = name
        self.grid = grid
        self.settings = settings
        self.plan = plan
        values = close_array(close)
        self.pools: list[HorizonPool] = [
            horizon_pool(values, close.index, settings.rules, horizon, settings.mean_block)
            for horizon in settings.horizons
        ]
        self.stats: PairStatistics | None = None
        self.stage: SeriesStage | None = None

    def pair_tasks(self) -> list[tuple[Any, ...]]:
        pairs = self.grid.pairs
        size = self.plan.pair_block
        return [(self.close, pairs[start : start + size], self.settings) for start in range(0, len(pairs), size)]

    def take_pair_statistics(self, blocks: list[PairStatistics]) -> None:
        stats = merge_pair_statistics(blocks)
        settings = self.settings
        setups: list[SnoopingSetup | None] = []
        for j, (horizon, hp) in enumerate(zip(settings.horizons, self.pools, strict=True)):
            if settings.reps == 0:
                setups.append(None)
                continue
            setups.append(
                prepare_snooping(
                    stats.events.events,
                    stats.events.offsets,
                    stats.n_complete[j],
                    hp.excess,
                    hp.sample.first_pos,
                    pairs=stats.events.pairs,
                    horizon=horizon.label,
                    reps=settings.reps,
                    seed=settings.seed,
                    mean_block=hp.mean_block,
                    alpha=settings.alpha,
                    studentize=settings.studentize,
                    min_events=settings.min_events,
                    mean_excess=stats.mean[j] - hp.baseline,
                    variance=stats.variance[j] if hp.pool.size >= 3 else None,
                    track=settings.reference,
                )
            )
        self.stats = stats
        self.stage = SeriesStage(
            stats.events.events,
            stats.events.offsets,
            tuple(hp.pool for hp in self.pools),
            stats.n_complete,
            stats.mean,
            tuple(setups),
            settings,
        )

    def horizon_tasks(self, handle: Any, horizon: int) -> list[tuple[str, tuple[Any, ...]]]:
        """(kind, arguments of ``_apply``) of one horizon's null and bootstrap tasks."""
        assert self.stage is not None
        tasks: list[tuple[str, tuple[Any, ...]]] = []
        if self.pools[horizon].pool.size and self.settings.null_draws > 0:
            for counts in event_count_blocks(self.stage.n_complete[horizon], self.plan.null_blocks):
                tasks.append(("null", (null_task, handle, horizon, counts)))
        setup = self.stage.setups[horizon]
        if setup is not None and not setup.empty:
            for start, stop in replication_blocks(setup.reps, self.plan.rep_block):
                tasks.append(("bootstrap", (bootstrap_task, handle, horizon, start, stop)))
        return tasks

    def result(self, nulls: list[list[np.ndarray]], blocks: list[list[BootstrapBlock]]) -> SweepResult:
        assert self.stats is not None and self.stage is not None
        n_pairs = self.grid.n_pairs
        pvalues = []
        outcomes = []
        for j in range(len(self.settings.horizons)):
            merged = np.full(n_pairs, np.nan)
            for part in nulls[j]:
                done = ~np.isnan(part)
                merged[done] = part[done]
            pvalues.append(merged)
            setup = self.stage.setups[j]
            outcomes.append(None if setup is None else finish_snooping(setup, blocks[j]))
        return assemble_sweep(self.close, self.grid, self.settings, self.stats, pvalues, outcomes, self.name)


def _announce_horizon(report: Callable[[str], None], job: SeriesJob, horizon: int, many: bool) -> None:
    label = job.settings.horizons[horizon].label
    what = "random-entry nulls" + (
        f" and snooping bootstrap ({job.settings.reps} replications)" if job.settings.reps else ""
    )
    report(f"{job.name + ': ' if many else ''}horizon {label}: {what}")


def _run_staged(jobs: list[SeriesJob], executor: SweepExecutor, progress: Progress | None) -> list[SweepResult]:
    """Stages 1 and 2 of every job as tasks on ``executor``, stage 3 here. Progress is
    reported as tasks are handed to the executor: one message for the pair blocks of each
    series, then one per series and horizon."""
    report = progress or (lambda _: None)
    many = len(jobs) > 1

    first: list[tuple[int, tuple[Any, ...]]] = [(i, args) for i, job in enumerate(jobs) for args in job.pair_tasks()]

    def first_arguments() -> Iterator[tuple[Any, ...]]:
        previous = -1
        for i, args in first:
            if i != previous:
                previous = i
                report(
                    f"{jobs[i].name + ': ' if many else ''}averages, events and statistics of {jobs[i].grid.n_pairs} pairs"
                )
            yield args

    per_job: list[list[PairStatistics]] = [[] for _ in jobs]
    for (i, _), block in zip(first, executor.map(pair_statistics, first_arguments()), strict=True):
        per_job[i].append(block)
    for job, blocks in zip(jobs, per_job, strict=True):
        job.take_pair_statistics(blocks)

    handles = [executor.share(job.stage) for job in jobs]
    try:
        # In order: a marker (i, j, None) announcing each series' horizon, then its tasks.
        plan: list[tuple[int, int, str | None, tuple[Any, ...]]] = []
        for i, job in enumerate(jobs):
            for j in range(len(job.settings.horizons)):
                plan.append((i, j, None, ()))
                plan.extend((i, j, kind, args) for kind, args in job.horizon_tasks(handles[i], j))
        tasks = [(i, j, kind) for i, j, kind, _ in plan if kind is not None]

        def second_arguments() -> Iterator[tuple[Any, ...]]:
            for i, j, kind, args in plan:
                if kind is None:
                    _announce_horizon(report, jobs[i], j, many)
                else:
                    yield args

        nulls: list[list[list[Any]]] = [[[] for _ in job.settings.horizons] for job in jobs]
        boots: list[list[list[Any]]] = [[[] for _ in job.settings.horizons] for job in jobs]
        for (i, j, kind), value in zip(tasks, executor.map(_apply, second_arguments()), strict=True):
            (nulls if kind == "null" else boots)[i][j].append(value)
    finally:
        executor.release(handles)
    return [job.result(nulls[i], boots[i]) for i, job in enumerate(jobs)]


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


def run_series_sweeps(
    series: Sequence[object],
    grid: SweepGrid,
    settings: SweepSettings,
    *,
    executor: SweepExecutor | None = None,
    pair_block: int | None = None,
    rep_block: int | None = None,
    progress: Progress | None = None,
    on_result: ResultCallback | None = None,
    keep_results: bool = True,
) -> list[SweepResult]:
    """Sweep ``grid`` over every series (MarketSeries, pandas Series or SeriesInput) on
    ``executor`` (default: this process); results in the order of ``series``.

    ``on_result(position, result)`` sees each result as soon as it and every earlier one
    are done; with ``keep_results=False`` results are not kept (the list is empty), so the
    caller holds one series' results at a time however many series there are.
    """
    if not isinstance(grid, SweepGrid):
        raise ParameterError(f"grid must be a SweepGrid, got {type(grid).__name__}")
    inputs = [series_input(item) for item in series]
    for item in inputs:
        check_series_for_grid(item.close, grid)
    executor = executor or LocalExecutor()
    plan = plan_blocks(
        len(inputs), grid.n_pairs, settings.reps, 1 if executor.inline else executor.slots, pair_block, rep_block
    )
    kept: list[SweepResult] = []

    def deliver(position: int, result: SweepResult) -> None:
        result = with_series_metadata(result, inputs[position])
        if on_result is not None:
            on_result(position, result)
        if keep_results:
            kept.append(result)

    if plan.whole_series and not executor.inline:
        arguments = ((item.close, item.name, grid, settings) for item in inputs)
        for position, result in enumerate(executor.map(series_task, arguments)):
            if progress is not None:
                progress(f"{inputs[position].name}: done ({position + 1}/{len(inputs)})")
            deliver(position, result)
        return kept
    # Series by series in this process (memory: one series at a time); all together on a
    # cluster, where there are fewer series than slots and every task should be in flight.
    groups = [[i] for i in range(len(inputs))] if executor.inline else [list(range(len(inputs)))]
    for group in groups:
        jobs = [SeriesJob(inputs[i].close, inputs[i].name, grid, settings, plan) for i in group]
        for i, result in zip(group, _run_staged(jobs, executor, progress), strict=True):
            deliver(i, result)
    return kept


def run_sweep(
    series: SeriesLike | SeriesInput,
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
    progress: Progress | None = None,
    index_generator: IndexGenerator | None = None,
    null_generator: NullGenerator | None = None,
    executor: SweepExecutor | None = None,
    pair_block: int | None = None,
    rep_block: int | None = None,
) -> SweepResult:
    """Sweep every (fast, slow) pair of ``grid`` over ``series``.

    rules: the event rules shared by all pairs (ma, direction, start, end, confirm,
        min_gap, entry); its fast/slow are ignored.
    reps: stationary-bootstrap replications of the data-snooping tests (0 skips them).
    null_draws: random-entry draws per distinct event count (default ``reps``, or 1000 when
        reps is 0; 0 skips the random-entry p-values).
    mean_block: mean block length of the stationary bootstrap in trading days; default per
        horizon max(sqrt(T), horizon days), because overlapping h-day returns are dependent
        over about h days.
    studentize: divide by each pair's standard error (Hansen 2005) instead of arch's
        non-studentised maximum.
    min_events: complete events a pair needs to enter the snooping family.
    executor: where the work runs (a ``backtest.sweep.executors`` executor; default: this
        process, numba threads). pair_block / rep_block: pairs and bootstrap replications
        per task (default: chosen from the executor's size). Neither changes any number:
        see ``backtest.sweep.plan``.
    """
    if not isinstance(grid, SweepGrid):
        raise ParameterError(f"grid must be a SweepGrid, got {type(grid).__name__}")
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
        index_generator=index_generator,
        null_generator=null_generator,
    )
    (result,) = run_series_sweeps(
        [series], grid, settings, executor=executor, pair_block=pair_block, rep_block=rep_block, progress=progress
    )
    return result
