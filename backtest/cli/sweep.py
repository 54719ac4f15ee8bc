"""`backtest sweep`: every fast/slow pair of a grid on one or several series, tested for data
snooping. The options build ``SweepSettings`` (what to sweep and test, where to write) and
``ExecutorSettings`` (where it runs); the library does the rest.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import click

from backtest.cli._common import (
    DataSettings,
    announce_output,
    check_analysis_window,
    console,
    data_options,
    echo_data_line,
    err_console,
    settings_options,
)
from backtest.cli._rules import RULE_OPTIONS, RuleSettings
from backtest.defaults import DEFAULT_SEED


def _sweep_progress(total: int):  # type: ignore[no-untyped-def]
    """A rich progress bar on stderr and the callback that advances it one step at a time."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = bar.add_task("sweep", total=total)
    started = [False]

    def step(description: str) -> None:
        if started[0]:
            bar.advance(task)
        started[0] = True
        bar.update(task, description=description)

    return bar, step


SWEEP_GRID_OPTIONS = [
    click.option(
        "--series",
        default="russell2000",
        show_default=True,
        help="Series name (see `backtest data list`) or path to a Yahoo/FRED CSV file; several, "
        "comma-separated (A,B,C), sweep each and add a cross-series summary.",
    ),
    click.option(
        "--fast",
        "fast_range",
        default="5:100:1",
        show_default=True,
        help="Fast windows in trading days: START:STOP[:STEP] (STOP inclusive), N, or a comma list.",
    ),
    click.option(
        "--slow",
        "slow_range",
        default="20:300:1",
        show_default=True,
        help="Slow windows in trading days, same syntax; only pairs with fast < slow are run.",
    ),
    *RULE_OPTIONS,
]


EXECUTOR_OPTIONS = [
    click.option(
        "--executor",
        default="local",
        show_default=True,
        help="Where the sweep runs: local (this process, numba threads), processes (local worker "
        "processes), dask (a Dask cluster: --scheduler, or a LocalCluster on 127.0.0.1). Same results.",
    ),
    click.option(
        "--scheduler",
        default=None,
        help="Address of an existing Dask scheduler, e.g. tcp://host:8786 (--executor dask).",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes (processes, or the dask LocalCluster; default: one per CPU). With "
        "--scheduler: wait until this many workers have joined.",
    ),
    click.option(
        "--threads-per-worker",
        type=click.IntRange(min=1),
        default=None,
        help="Threads per worker (processes: numba threads per task; dask: tasks at once). Default 1.",
    ),
    click.option(
        "--memory-limit",
        default=None,
        help="Memory limit per LocalCluster worker: auto (machine memory / workers), 0 (none) or e.g. 4GB.",
    ),
    click.option(
        "--connect-timeout",
        type=click.FloatRange(min=0.1),
        default=10.0,
        show_default=True,
        help="Seconds to wait for the scheduler (and for --workers to join) before failing.",
    ),
    click.option(
        "--pair-block",
        type=click.IntRange(min=1),
        default=None,
        help="Pairs per task (default: chosen from the number of workers; results do not depend on it).",
    ),
    click.option(
        "--rep-block",
        type=click.IntRange(min=1),
        default=None,
        help="Bootstrap replications per task, a multiple of 32 (default: from the number of workers).",
    ),
]


SWEEP_OPTIONS = [
    *SWEEP_GRID_OPTIONS,
    click.option(
        "--reps",
        type=click.IntRange(min=0),
        default=1000,
        show_default=True,
        help="Stationary-bootstrap replications for Reality Check / SPA / Romano-Wolf (0 skips them).",
    ),
    click.option(
        "--null-draws",
        type=click.IntRange(min=0),
        default=None,
        help="Random-entry draws per distinct event count (default: --reps, or 1000; 0 skips those p-values).",
    ),
    click.option(
        "--seed",
        type=click.IntRange(min=0, max=2**63 - 1),
        default=DEFAULT_SEED,
        show_default=True,
        help="Seed of every random draw: same seed and data give byte-identical files.",
    ),
    click.option(
        "--mean-block",
        type=click.FloatRange(min=1.0),
        default=None,
        help="Mean block length of the stationary bootstrap, trading days "
        "(default per horizon: max(sqrt(days), horizon length)).",
    ),
    click.option(
        "--alpha",
        type=click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True),
        default=0.05,
        show_default=True,
        help="Family-wise error rate of the Romano-Wolf stepdown.",
    ),
    click.option(
        "--studentize",
        is_flag=True,
        help="Divide each pair's mean excess by its standard error (Hansen 2005) instead of arch's raw maximum.",
    ),
    click.option(
        "--min-events",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Complete events a pair needs to enter the data-snooping family.",
    ),
    click.option("--reference", default="50/200", show_default=True, help="Pair to rank and highlight, FAST/SLOW."),
    click.option("--name", default=None, help="Sweep name: outputs go to OUTPUT_DIR/NAME (default from the settings)."),
    click.option(
        "--output-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("results"),
        show_default=True,
        help="Parent folder of report folders, relative to the current directory: the sweep writes OUTPUT_DIR/NAME/.",
    ),
    click.option(
        "--overwrite",
        is_flag=True,
        help="Replace a report of another kind or name in OUTPUT_DIR/NAME (only the files it lists; "
        "files backtest did not write are never deleted).",
    ),
    click.option("--csv", is_flag=True, help="Also write the table as CSV (Parquet is always written)."),
    click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Pairs listed per horizon."),
    click.option(
        "--series-file",
        type=click.Path(path_type=Path),
        default=None,
        help="Text file listing the series to sweep, one name or CSV path per line (# comments); replaces --series.",
    ),
    click.option(
        "--max-pairs",
        type=click.IntRange(min=1),
        default=None,
        help="Refuse grids of more pairs (fast < slow) than this per series (default 250,000: under a "
        "minute and a gigabyte locally). The estimate of pairs, time and memory is printed before a sweep starts.",
    ),
]
"""The options of `sweep` that say what to sweep, how to test it and where to write."""


@dataclass(frozen=True)
class SweepSettings:
    """What to sweep (series, windows, event rules), how to test it, and where to write:
    the values of SWEEP_OPTIONS, as typed (checked when the sweep starts)."""

    series: str
    fast_range: str
    slow_range: str
    rule: RuleSettings
    reps: int
    null_draws: int | None
    seed: int
    mean_block: float | None
    alpha: float
    studentize: bool
    min_events: int
    reference: str
    name: str | None
    output_dir: Path
    overwrite: bool
    csv: bool
    top: int
    series_file: Path | None
    max_pairs: int | None

    def reference_pair(self) -> tuple[int, int]:
        """--reference as (fast, slow)."""
        parts = self.reference.replace("x", "/").split("/")
        try:
            fast, slow = (int(p) for p in parts)
        except ValueError:
            raise click.BadParameter(
                f"expected FAST/SLOW like 50/200, got {self.reference!r}", param_hint="--reference"
            ) from None
        return fast, slow

    def entries(self, series_given: bool) -> tuple[str, ...]:
        """The series to sweep, from --series-file or --series (``series_given``: --series was
        typed, not defaulted)."""
        from backtest.sweep.multi import parse_series_list, read_series_file

        if self.series_file is not None and series_given:
            raise click.BadParameter("give --series or --series-file, not both", param_hint="--series-file")
        return read_series_file(self.series_file) if self.series_file is not None else parse_series_list(self.series)

    def report_name(self, entries: tuple[str, ...], several: bool) -> str:
        """--name, or one from the series and the cross (checked: a safe folder name)."""
        import re

        name = self.name
        if name is None:
            if several:
                stem = Path(self.series_file).stem if self.series_file is not None else "multi"
            else:
                stem = Path(entries[0]).stem if Path(entries[0]).suffix else entries[0]
            name = f"{stem}_{self.rule.ma}_{self.rule.direction}_sweep"
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
            raise click.BadParameter(f"use letters, digits, '_', '-' and '.', got {name!r}", param_hint="--name")
        return name


@dataclass(frozen=True)
class ExecutorSettings:
    """Where the sweep runs (EXECUTOR_OPTIONS): the executor, its workers and task sizes."""

    executor: str
    scheduler: str | None
    workers: int | None
    threads_per_worker: int | None
    memory_limit: str | None
    connect_timeout: float
    pair_block: int | None
    rep_block: int | None

    def make(self):  # type: ignore[no-untyped-def]
        """The executor (a context manager that shuts it down)."""
        from backtest.sweep.executors import make_executor

        return make_executor(
            self.executor,
            scheduler=self.scheduler,
            workers=self.workers,
            threads_per_worker=self.threads_per_worker,
            memory_limit=self.memory_limit,
            connect_timeout=self.connect_timeout,
        )


sweep_options = settings_options(SweepSettings, SWEEP_OPTIONS, into="sweep", nested={"rule": RuleSettings})
"""SWEEP_OPTIONS, passed as ``sweep: SweepSettings``."""
executor_options = settings_options(ExecutorSettings, EXECUTOR_OPTIONS, into="execution")
"""EXECUTOR_OPTIONS, passed as ``execution: ExecutorSettings``."""


@click.command("sweep")
@sweep_options
@executor_options
@data_options
def sweep_command(sweep: SweepSettings, execution: ExecutorSettings, data: DataSettings) -> None:
    """Run every fast/slow pair of a grid and test the best against random entry.

    Per pair and horizon: events, mean / median forward return, hit rate, mean excess over
    the unconditional mean of the same window, and a one-sided random-entry p-value. Over
    the whole grid, per horizon: White's Reality Check and Hansen's SPA p-values for "the
    best pair beats random entry" and the Romano-Wolf set of pairs that survive, from one
    stationary bootstrap over days shared by every pair. Returns are fractions of the entry
    close; windows are trading days. Writes OUTPUT_DIR/NAME/ (pairs.parquet, heatmaps,
    summary.md/.html, summary.json) only when everything succeeded, and replaces only a
    sweep report of the same name there (checked before any work).

    Several series (--series A,B,C or --series-file) write OUTPUT_DIR/NAME/series.parquet
    (one row per series and horizon: best pair, RC/SPA p, Romano-Wolf survivors, reference
    rank), pairs/<series>.parquet and a cross-series summary.md/.json. --executor runs the
    same computation in this process (local), in worker processes or on a Dask cluster;
    the numbers and files are identical whichever runs it.
    """
    from backtest.claims.sweep_jobs import SweepIO, SweepPlan, check_sweep_plan, run_sweep_plan
    from backtest.sweep import SweepGrid

    # the windows come from the grid, so the rules get none
    rules, chosen = sweep.rule.rules_and_horizons()
    plan = SweepPlan(
        grid=SweepGrid.from_ranges(sweep.fast_range, sweep.slow_range),
        rules=rules,
        horizons=chosen,
        entries=(),
        several=False,
        target=sweep.output_dir,
        options={
            "reps": sweep.reps,
            "null_draws": sweep.null_draws,
            "seed": sweep.seed,
            "mean_block": sweep.mean_block,
            "alpha": sweep.alpha,
            "studentize": sweep.studentize,
            "min_events": sweep.min_events,
            "reference": sweep.reference_pair(),
            "pair_block": execution.pair_block,
            "rep_block": execution.rep_block,
        },
        max_pairs=sweep.max_pairs,
        csv=sweep.csv,
        top=sweep.top,
    )
    check_sweep_plan(plan, execution.scheduler)  # before any data is read or any pair listed
    source = click.get_current_context().get_parameter_source("series")
    entries = sweep.entries(series_given=source is not None and source.name != "DEFAULT")
    several = sweep.series_file is not None or len(entries) > 1
    target = sweep.output_dir / sweep.report_name(entries, several)
    plan = dataclasses.replace(plan, entries=entries, several=several, target=target)
    announce_output(
        plan.target, "multi-sweep" if several else "sweep", sweep.overwrite, "choose another --output-dir or --name"
    )
    shown = SweepIO(
        note=lambda line: click.echo(line, err=True),
        loaded=echo_data_line,
        load=data.load,
        fit=check_analysis_window,
        progress=_sweep_progress,
    )
    outcome = run_sweep_plan(
        plan, data_dir=data.data_dir, policy=data.policy, executor=execution.make, overwrite=sweep.overwrite, io=shown
    )
    if not several:
        from backtest.report.sweep_report import answer_lines

        console.print("\n".join(answer_lines(outcome.result)).replace("**", ""), highlight=False, markup=False)
    console.print(outcome.result.summary(), highlight=False, markup=False)
    console.print(f"wrote {outcome.target}/", highlight=False, markup=False)
