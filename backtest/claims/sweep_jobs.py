"""A sweep run into its report folder, for any caller (`backtest sweep`, a sweep job).

``SweepPlan`` is what a sweep asks: the grid, the event rules and horizons, the tests' sizes,
the series and where to write. ``check_sweep_plan`` refuses, before any data is read, a grid
past its pair limit, a malformed scheduler address or work no series can make smaller;
``run_sweep_plan`` loads and checks every series, estimates the work, starts the executor only
then, runs the sweep (one series, or several with a cross-series summary) and writes the
report. What a caller shows (data lines, warnings, a progress bar) it passes as ``SweepIO``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Step = Callable[[str], None]


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep asks: every pair of ``grid`` under ``rules`` at ``horizons`` on the series
    ``entries`` (several: one report per series and a cross-series summary), tested with
    ``options`` (``run_sweep``'s reps, null_draws, seed, mean_block, alpha, studentize,
    min_events, reference, pair_block, rep_block), written to ``target``."""

    grid: Any
    rules: Any
    horizons: tuple[Any, ...]
    entries: tuple[str, ...]
    several: bool
    target: Path
    options: dict[str, Any] = field(default_factory=dict)
    max_pairs: int | None = None
    csv: bool = False
    top: int = 10

    @property
    def pair_limit(self) -> int:
        from backtest.sweep.cost import DEFAULT_MAX_PAIRS

        return DEFAULT_MAX_PAIRS if self.max_pairs is None else self.max_pairs


def _quiet(*_: Any) -> None:
    """Says nothing."""


@dataclass(frozen=True)
class SweepIO:
    """What a caller shows while a sweep runs: ``note(line)`` (a warning or the estimate, one
    line), ``loaded(series)`` (each series of a multi-series sweep, once checked),
    ``load(name)`` and ``fit(series, rules, horizons)`` (one series' loading and its analysis
    window, as the caller reports them), ``progress(total)`` -> (context, step)."""

    note: Callable[[str], None] = _quiet
    loaded: Callable[[Any], None] = _quiet
    load: Callable[[str], Any] | None = None
    fit: Callable[[Any, Any, tuple[Any, ...]], Any] | None = None
    progress: Callable[[int], tuple[AbstractContextManager[Any], Step]] | None = None


@dataclass(frozen=True)
class SweepOutcome:
    """A finished sweep: its result (``SweepResult``, or ``MultiSweepResult`` for several
    series) and the report folder written."""

    result: Any
    target: Path
    several: bool


def check_sweep_plan(plan: SweepPlan, scheduler: str | None = None) -> None:
    """Refuse, before any data is read: more pairs than the limit, a malformed scheduler
    address, and the work no series can make smaller (every series the grid fits has more
    closes than its slowest window)."""
    from backtest.sweep.cost import available_memory, check_pair_count, check_sweep_cost, estimate_sweep
    from backtest.sweep.executors import check_scheduler_address

    check_pair_count(plan.grid, plan.pair_limit)
    if scheduler is not None:
        check_scheduler_address(scheduler)
    reps, null_draws = plan.options.get("reps", 1000), plan.options.get("null_draws")
    floor = estimate_sweep(plan.grid, plan.grid.slow[-1] + 1, len(plan.horizons), reps, null_draws=null_draws)
    check_sweep_cost(floor, plan.pair_limit, available_memory())


def _default_progress(_: int) -> tuple[AbstractContextManager[Any], Step]:
    from contextlib import nullcontext

    return nullcontext(), _quiet


def run_sweep_plan(
    plan: SweepPlan,
    *,
    data_dir: str | Path | None = None,
    policy: str = "lenient",
    executor: Callable[[], AbstractContextManager[Any]] | None = None,
    overwrite: bool = False,
    kind: str = "sweep",
    io: SweepIO | None = None,
) -> SweepOutcome:
    """Load and check every series, estimate the work (refused past the limits), then start
    the executor (``executor()``: a context manager; default: this process), run the sweep
    and write ``plan.target`` (atomically). Every input is loaded and checked before a worker
    is started or a cluster contacted."""
    from backtest._io import overwriting
    from backtest.claims.outputs import MultiSweepReport, write_sweep_report
    from backtest.events.rules import check_horizons_fit
    from backtest.sweep import run_sweep
    from backtest.sweep.cost import available_memory, check_sweep_cost, estimate_sweep
    from backtest.sweep.multi import check_unique_labels, load_series_inputs, run_sweeps
    from backtest.sweep.plan import check_block_sizes

    io = io or SweepIO()
    grid, rules, horizons, options = plan.grid, plan.rules, plan.horizons, plan.options
    if plan.several:

        def loaded(series: Any, note: str | None) -> None:
            io.loaded(series)
            if note:
                io.note(f"warning: {note}")

        inputs = load_series_inputs(plan.entries, data_dir=data_dir, policy=policy, on_loaded=loaded)
        check_unique_labels([item.name for item in inputs])
        for item in inputs:
            grid.check_windows_fit(len(item.close), repr(item.name))
            check_horizons_fit(horizons, item.close.index, item.name)
            _, note = rules.for_data(item.close.index, item.name)  # the rules stay shared
            if note:
                io.note(f"warning: {note}")
        closes, count = max(len(item.close) for item in inputs), len(inputs)
    else:
        market_series = _load_one(plan.entries[0], data_dir, policy, io)
        grid.check_windows_fit(len(market_series), repr(market_series.name))
        rules = (
            io.fit(market_series, rules, horizons) if io.fit is not None else _fit(market_series, rules, horizons, io)
        )
        closes, count = len(market_series), 1
    reps, null_draws = options.get("reps", 1000), options.get("null_draws")
    estimate = estimate_sweep(grid, closes, len(horizons), reps, series=count, null_draws=null_draws)
    check_sweep_cost(estimate, plan.pair_limit, available_memory())
    io.note(f"estimate: {estimate.describe()} (local executor)")
    check_block_sizes(options.get("pair_block"), options.get("rep_block"))
    progress = io.progress or _default_progress
    with overwriting(overwrite), (executor or _local)() as runner:
        if not plan.several:
            bar, step = progress(2 + len(horizons))
            with bar:
                result = run_sweep(market_series, grid, rules, horizons, progress=step, executor=runner, **options)
                step("writing the report")
                write_sweep_report(result, plan.target, csv=plan.csv, top=plan.top, kind=kind)
            return SweepOutcome(result, plan.target, several=False)
        bar, step = progress(count + 1)
        with bar, MultiSweepReport(plan.target, csv=plan.csv) as report:

            def done(position: int, result: Any) -> None:
                report.add(position, result)
                step(f"{result.series_name}: written")

            multi = run_sweeps(
                inputs, grid, rules, horizons, executor=runner, on_result=done, keep_results=False, **options
            )
            step("writing the cross-series summary")
            report.finish(multi)
        return SweepOutcome(multi, plan.target, several=True)


def _load_one(name: str, data_dir: str | Path | None, policy: str, io: SweepIO) -> Any:
    if io.load is not None:
        return io.load(name)
    from backtest.data import load_series

    return load_series(name, data_dir=data_dir, policy=policy)


def _fit(series: Any, rules: Any, horizons: Sequence[Any], io: SweepIO) -> Any:
    """The rules as run on ``series`` (horizons longer than the data refused; a start before
    the data becomes its first close, with one warning line)."""
    from backtest.events.rules import check_horizons_fit

    check_horizons_fit(tuple(horizons), series.close.index, series.name)
    fitted, note = rules.for_data(series.close.index, series.name)
    if note:
        io.note(f"warning: {note}")
    return fitted


def _local() -> AbstractContextManager[Any]:
    from backtest.sweep.executors import make_executor

    return make_executor("local")  # type: ignore[no-any-return]
