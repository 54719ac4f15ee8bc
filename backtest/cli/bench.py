"""`backtest bench ...`: time our kernels, sweep and studies against their peers (vectorbt,
arch, plain numpy) and write the timings as JSON; the measuring lives in backtest.bench.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click

from backtest._io import preflight
from backtest.bench.page import PAGE_FILE
from backtest.cli._common import DataSettings, announce_output, console, data_options, err_console, parse_int_list
from backtest.defaults import DEFAULT_DETECTION_START, DEFAULT_SEED


def output_options(benchmark: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--output`` (default ``results/bench/<benchmark>.json``) and ``--overwrite``, as every
    bench command takes them."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--overwrite", is_flag=True, help="Replace an existing --output file even if backtest did not write it."
        )(command)
        return click.option(
            "--output",
            type=click.Path(path_type=Path, dir_okay=False),
            default=Path(f"results/bench/{benchmark}.json"),
            show_default=True,
            help="Where to write the JSON results (atomically); an existing file is replaced "
            "only if it is this benchmark's JSON (recognised by its keys), or with --overwrite.",
        )(command)

    return decorate


@click.group("bench")
def bench_group() -> None:
    """Measure our kernels against their peers (vectorbt, arch, plain numpy) side by side."""


def _write_page(output: Path) -> None:
    """The benchmarks' readable page beside ``output`` (``backtest.bench.page``), from every
    benchmark JSON there."""
    from backtest.bench.page import write_bench_page

    page = write_bench_page(output.parent)
    if page is not None:
        console.print(f"wrote {page}", highlight=False, markup=False)


@bench_group.command("montecarlo")
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Random-entry draws per timed call (numba and the numpy Generator.choice loop).",
)
@click.option(
    "--argpartition-draws",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Draws for the vectorised numpy argpartition variant (about 100x slower per draw; "
    "rates are per draw, so fewer draws compare fairly).",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    default=1_000,
    show_default=True,
    help="Stationary-bootstrap replications (numba vs arch), each as long as the series.",
)
@click.option(
    "--repeat",
    "repeats",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Warm calls timed after the first (cold) one; the median is reported.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=None,
    help="Seed of every random draw (default: backtest.defaults.DEFAULT_SEED).",
)
@click.option(
    "--series",
    default="russell2000",
    show_default=True,
    help="Series name for backtest.data.load_series (k = its SMA 50/200 golden crosses since 1985).",
)
@output_options("montecarlo")
@data_options
def bench_montecarlo_command(
    draws: int,
    argpartition_draws: int,
    replications: int,
    repeats: int,
    seed: int | None,
    series: str,
    output: Path,
    overwrite: bool,
    data: DataSettings,
) -> None:
    """Draws per second of the random-entry Monte Carlo (numba vs plain numpy) and
    replications per second of stationary-bootstrap indices (numba vs arch), side by side.

    Cold = first call in this process (numba compile or on-disk cache load included); warm =
    median of the later calls. The pool is every eligible day's 3-month (63 trading days)
    forward return; k is the number of golden crosses since 1985.
    """
    from rich.table import Table

    from backtest._io import atomic_write_text
    from backtest._json import dumps
    from backtest.bench.montecarlo import run_montecarlo_benchmarks

    announce_output(output, "bench-montecarlo", overwrite, "choose another --output path")
    preflight(output.parent / PAGE_FILE, "bench-page", overwrite=False, hint="move it away")
    market_series = data.load(series)
    with console.status("timing numba, numpy and arch..."):
        result = run_montecarlo_benchmarks(
            market_series,
            n_draws=draws,
            seed=DEFAULT_SEED if seed is None else seed,
            repeats=repeats,
            n_replications=replications,
            argpartition_draws=argpartition_draws,
        )
    for bench, title in (
        (
            result.random_entry,
            f"Random-entry Monte Carlo: k={result.random_entry.parameters['k']} of "
            f"{result.random_entry.parameters['pool_size']:,} eligible {result.horizon} returns",
        ),
        (
            result.bootstrap,
            f"Stationary-bootstrap indices: n={result.bootstrap.parameters['n_obs']:,}, "
            f"mean block {result.bootstrap.parameters['mean_block']:g}",
        ),
    ):
        table = Table(title=title)
        for column in ("implementation", "n", "cold s", "warm s", "warm /s", "cold /s", "first call"):
            table.add_column(column, justify="left" if column in ("implementation", "first call") else "right")
        for timing in bench.timings:
            table.add_row(
                timing.implementation,
                f"{timing.work:,}",
                f"{timing.cold_seconds:.4f}",
                f"{timing.warm_seconds:.4f}",
                f"{timing.rate_warm:,.0f}",
                f"{timing.rate_cold:,.0f}",
                timing.first_call,
            )
        console.print(table)
    checks = result.random_entry.checks
    console.print(
        f"null of the mean: analytic {checks['analytic_null_mean']:.5f} +/- {checks['analytic_null_std']:.5f}, "
        f"numba {checks['numba_null_mean']:.5f} +/- {checks['numba_null_std']:.5f}, "
        f"numpy {checks['numpy_choice_null_mean']:.5f} +/- {checks['numpy_choice_null_std']:.5f}"
    )
    payload = result.to_dict()
    speedups = cast(dict[str, float], payload["speedup_warm"])
    console.print(
        "warm speed-up: numba vs numpy choice loop {numba_vs_numpy_choice:,.0f}x, vs numpy argpartition "
        "{numba_vs_numpy_argpartition:,.0f}x; bootstrap indices numba vs arch {numba_loop_vs_arch:,.1f}x "
        "(one call per replication), {numba_matrix_vs_arch:,.1f}x (parallel matrix)".format(**speedups)
    )
    atomic_write_text(output, dumps(payload))
    console.print(f"wrote {output}")
    _write_page(output)


@bench_group.command("sweep")
@click.option("--series", default="russell2000", show_default=True, help="Series name or CSV path.")
@click.option("--since", default=DEFAULT_DETECTION_START, show_default=True, help="Detect events from this date.")
@click.option(
    "--fast", "fast_range", default="5:100:1", show_default=True, help="Fast windows of the vectorbt comparison."
)
@click.option(
    "--slow", "slow_range", default="20:300:1", show_default=True, help="Slow windows of the vectorbt comparison."
)
@click.option("--full-fast", default="2:400", show_default=True, help="Fast windows of the full-grid timing run.")
@click.option("--full-slow", default="3:400", show_default=True, help="Slow windows of the full-grid timing run.")
@click.option("--spa-fast", default="41:60", show_default=True, help="Fast windows of the SPA-vs-arch grid.")
@click.option(
    "--spa-slow",
    default="191:210",
    show_default=True,
    help="Slow windows of the SPA-vs-arch grid (20 x 20 = 400 pairs).",
)
@click.option("--spa-horizon", default="6m", show_default=True, help="Horizon of the SPA-vs-arch comparison.")
@click.option("--reps", type=click.IntRange(min=1), default=1000, show_default=True, help="Bootstrap replications.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=DEFAULT_SEED, show_default=True)
@click.option(
    "--skip-vectorbt", is_flag=True, help="Do not run the vectorbt pipeline (about 40 s and 14 GB on the default grid)."
)
@click.option("--skip-full", is_flag=True, help="Do not run the full-grid timing run.")
@click.option("--skip-arch", is_flag=True, help="Do not run arch's SPA (about 40 s at 400 pairs x 1,000 replications).")
@output_options("sweep")
@data_options
def bench_sweep_command(
    series: str,
    since: str,
    fast_range: str,
    slow_range: str,
    full_fast: str,
    full_slow: str,
    spa_fast: str,
    spa_slow: str,
    spa_horizon: str,
    reps: int,
    seed: int,
    skip_vectorbt: bool,
    skip_full: bool,
    skip_arch: bool,
    output: Path,
    overwrite: bool,
    data: DataSettings,
) -> None:
    """Time our sweep against vectorbt and our SPA against arch, in one process.

    Wall times are seconds with numba caches warm; peak memory is the growth of the
    process's peak resident set during each call (numpy and numba allocations alike).
    Also checks that event counts and forward returns agree with vectorbt for every pair.
    """
    from backtest.bench.measure import write_bench
    from backtest.bench.sweep import run_sweep_bench
    from backtest.events import DEFAULT_HORIZONS, EventRules
    from backtest.sweep import SweepGrid

    rules = EventRules(start=since)
    grid = SweepGrid.from_ranges(fast_range, slow_range)
    full_grid = None if skip_full else SweepGrid.from_ranges(full_fast, full_slow)
    spa_grid = None if skip_arch else SweepGrid.from_ranges(spa_fast, spa_slow)
    if spa_horizon not in {h.label for h in DEFAULT_HORIZONS}:
        raise click.BadParameter(f"one of {', '.join(h.label for h in DEFAULT_HORIZONS)}", param_hint="--spa-horizon")
    announce_output(output, "bench-sweep", overwrite, "choose another --output path")
    preflight(output.parent / PAGE_FILE, "bench-page", overwrite=False, hint="move it away")
    market_series = data.load(series)
    with err_console.status("benchmarking") as status:
        result = run_sweep_bench(
            market_series,
            grid,
            full_grid,
            spa_grid,
            rules,
            DEFAULT_HORIZONS,
            reps=reps,
            seed=seed,
            spa_horizon=spa_horizon,
            vectorbt=not skip_vectorbt,
            progress=lambda text: status.update(text),
            series_spec=(series, None if data.data_dir is None else str(data.data_dir)),
        )
    write_bench(result, output)
    console.print_json(data=_bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)
    _write_page(output)


SCALING_SERIES = "RUT,DJI,SPY,IWM,XLB,XLE,XLF,XLK"


@bench_group.command("scaling")
@click.option(
    "--series",
    default=SCALING_SERIES,
    show_default=True,
    help="Series of the multi-series sweep (one task per series), comma-separated.",
)
@click.option(
    "--single",
    default="russell2000",
    show_default=True,
    help="Series of the single-series sweep (split into pair and replication blocks); 'none' skips it.",
)
@click.option("--fast", "fast_range", default="5:100:1", show_default=True, help="Fast windows (trading days).")
@click.option("--slow", "slow_range", default="20:300:1", show_default=True, help="Slow windows (trading days).")
@click.option("--reps", type=click.IntRange(min=1), default=1000, show_default=True, help="Bootstrap replications.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=DEFAULT_SEED, show_default=True)
@click.option(
    "--workers",
    "worker_counts",
    default="1,2",
    show_default=True,
    help="Worker counts to compare, comma-separated (must include 1 for efficiency and the projection).",
)
@click.option(
    "--executors",
    "executor_kinds",
    default="dask,processes",
    show_default=True,
    help="Executors to measure: dask (LocalCluster, processes) and/or processes.",
)
@click.option(
    "--project",
    "project_series",
    type=click.IntRange(min=1),
    default=3000,
    show_default=True,
    help="Number of series of the projected sweep (e.g. every Russell 3000 member).",
)
@output_options("scaling")
@data_options
def bench_scaling_command(
    series: str,
    single: str,
    fast_range: str,
    slow_range: str,
    reps: int,
    seed: int,
    worker_counts: str,
    executor_kinds: str,
    project_series: int,
    output: Path,
    overwrite: bool,
    data: DataSettings,
) -> None:
    """Wall time of the same sweep on 1 and 2 workers (Dask LocalCluster and local worker
    processes), parallel efficiency, memory per worker, and the projected cost of sweeping
    --project series from the measured cost per series.

    Efficiency = T(1 worker) / (n x T(n workers)); one thread per worker. Cluster start-up
    and numba's warm-up on each worker are timed separately, not in the sweep's wall time.
    Also checks that every run produced identical tables.
    """
    import time

    from backtest.bench.scaling import (
        bench_headline,
        run_scaling_bench,
        write_scaling_bench,
    )
    from backtest.errors import ParameterError
    from backtest.events import DEFAULT_HORIZONS, EventRules
    from backtest.sweep import SweepGrid
    from backtest.sweep.multi import (
        check_unique_labels,
        load_series_inputs,
        parse_series_list,
    )
    from backtest.sweep.plan import series_input

    grid = SweepGrid.from_ranges(fast_range, slow_range)
    counts = parse_int_list("--workers", worker_counts) or ()  # never None: --workers has a default
    if 1 not in counts or min(counts) < 1:
        raise click.BadParameter("include 1 (the reference of the efficiency), e.g. 1,2", param_hint="--workers")
    kinds = tuple(part.strip() for part in executor_kinds.split(",") if part.strip())
    unknown = [kind for kind in kinds if kind not in ("dask", "processes")]
    if not kinds or unknown:
        raise ParameterError(f"executors must be dask and/or processes, got {executor_kinds!r}")
    announce_output(output, "bench-scaling", overwrite, "choose another --output path")
    preflight(output.parent / PAGE_FILE, "bench-page", overwrite=False, hint="move it away")
    started = time.perf_counter()
    inputs = load_series_inputs(parse_series_list(series), data_dir=data.data_dir, policy=data.policy)
    load_seconds = (time.perf_counter() - started) / len(inputs)
    check_unique_labels([item.name for item in inputs])
    single_input = None if single.lower() == "none" else series_input(data.load(single))
    with err_console.status("measuring") as status:
        result = run_scaling_bench(
            inputs,
            single_input,
            grid,
            EventRules(),
            DEFAULT_HORIZONS,
            reps=reps,
            seed=seed,
            workers=tuple(sorted(set(counts))),
            executors=kinds,
            project_series=project_series,
            load_seconds_per_series=load_seconds,
            progress=lambda text: status.update(text),
        )
    write_scaling_bench(result, output)
    console.print_json(data=bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)
    _write_page(output)


@bench_group.command("study")
@click.argument("name", default="russell2000-golden-cross")
@click.option(
    "--cold",
    "cold_runs",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Runs with an empty numba cache (NUMBA_CACHE_DIR a new temporary directory): every kernel compiles.",
)
@click.option(
    "--warm",
    "warm_runs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Runs with the numba cache the first cold run filled.",
)
@output_options("study")
def bench_study_command(name, cold_runs, warm_runs, output, overwrite):  # type: ignore[no-untyped-def]
    """Wall time of `backtest study NAME` end to end, each run in a fresh process: --cold
    runs with an empty numba cache, --warm runs with a filled one, the import time alone,
    and a per-stage profile (seconds, cProfile) of one more warm run. The study's report
    goes to a temporary directory; results/ is not touched except --output.
    """
    from backtest.bench.measure import write_bench
    from backtest.bench.study import bench_headline, run_study_bench
    from backtest.study_runner import available_studies

    if name.replace("_", "-") not in available_studies():
        raise click.BadParameter(f"unknown study {name!r}; see `backtest study --list`", param_hint="NAME")
    announce_output(output, "bench-study", overwrite, "choose another --output path")
    preflight(output.parent / PAGE_FILE, "bench-page", overwrite=False, hint="move it away")
    with err_console.status("measuring") as status:
        result = run_study_bench(
            name, cold_runs=cold_runs, warm_runs=warm_runs, progress=lambda text: status.update(text)
        )
    write_bench(result, output)
    console.print_json(data=bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)
    _write_page(output)


@bench_group.command("claim")
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Warm runs of each claim (each in a fresh process) and of the in-process timings; medians are reported.",
)
@click.option(
    "--claims",
    "claim_specs",
    default=None,
    help="Spec files to run, comma-separated; the first, a golden cross, is the headline whose robustness "
    "panel and primary test are also timed in this process (default: the headline and the gallery's claims).",
)
@click.option(
    "--panel-sizes",
    default="1,10,100,1000",
    show_default=True,
    help="About how many specifications the headline's robustness panel is narrowed or widened to, comma-separated.",
)
@click.option(
    "--draws",
    "n_draws",
    type=click.IntRange(min=1),
    default=None,
    help="Random-entry draws of every claim run (default: the claims' own, 100,000); fewer make a quick check.",
)
@click.option(
    "--paths",
    "n_paths",
    type=click.IntRange(min=0),
    default=None,
    help="Bootstrapped paths of every claim run (default: the claims' own, 1,000).",
)
@click.option(
    "--power-paths",
    "n_power_paths",
    type=click.IntRange(min=0),
    default=None,
    help="Paths of every claim's simulated power (default: the claims' own, 200).",
)
@output_options("claim")
def bench_claim_command(  # type: ignore[no-untyped-def]
    repeats, claim_specs, panel_sizes, n_draws, n_paths, n_power_paths, output, overwrite
):
    """Seconds to a claim's printed answer and to its finished report (`backtest claim run`,
    each run in a fresh process, numba's cache warm) against the targets of 1 s and 2 s, with
    CPU seconds and the CPU floor (CPU / cores) beside each; a per-stage profile of each claim;
    one `claim run-all`; the headline's robustness panel at --panel-sizes specifications; and
    the headline's detection and primary test against a plain pandas/numpy reference (same
    p-value). Reports go to a temporary directory; results/ is not touched except --output.
    """
    from backtest.bench.claim import GALLERY_SPECS, bench_headline, run_claim_bench
    from backtest.bench.measure import write_bench

    specs = GALLERY_SPECS if claim_specs is None else tuple(p.strip() for p in claim_specs.split(",") if p.strip())
    missing = [spec for spec in specs if not Path(spec).is_file()]
    if not specs or missing:
        raise click.BadParameter(f"no such spec file: {', '.join(missing) or claim_specs!r}", param_hint="--claims")
    sizes = parse_int_list("--panel-sizes", panel_sizes) or ()
    if min(sizes) < 1:
        raise click.BadParameter("sizes are whole numbers of at least 1", param_hint="--panel-sizes")
    announce_output(output, "bench-claim", overwrite, "choose another --output path")
    preflight(output.parent / PAGE_FILE, "bench-page", overwrite=False, hint="move it away")
    with err_console.status("measuring") as status:
        result = run_claim_bench(
            specs,
            repeats=repeats,
            panel_sizes=sizes,
            n_draws=n_draws,
            n_paths=n_paths,
            n_power_paths=n_power_paths,
            progress=lambda text: status.update(text),
        )
    write_bench(result, output)
    console.print_json(data=bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)
    _write_page(output)


@bench_group.command("universe")
@click.option(
    "--series", "n_series", type=click.IntRange(min=1), default=3000, show_default=True, help="Series in the universe."
)
@click.option(
    "--years", type=click.FloatRange(min=1), default=30.0, show_default=True, help="Years of daily data per series."
)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Dask LocalCluster workers.")
@click.option(
    "--reference-series",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Series the plain pandas reference loop runs on.",
)
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=DEFAULT_SEED, show_default=True)
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write universe.json (and the page) into this folder instead of --output.",
)
@output_options("universe")
def bench_universe_command(  # type: ignore[no-untyped-def]
    n_series, years, workers, reference_series, seed, output_dir, output, overwrite
):
    """A pooled event study (golden crosses, market model, every pooled test) over a seeded
    synthetic universe, streamed series by series in this process and on a Dask LocalCluster
    of --workers: wall time, peak memory, identical results, a projection for a cluster, and
    a plain pandas loop on a subset as the reference. results/ is not touched except --output.
    """
    from backtest.bench.measure import write_bench
    from backtest.bench.universe import bench_headline, run_universe_bench

    if output_dir is not None:
        output = output_dir / "universe.json"
    announce_output(output, "bench-universe", overwrite, "choose another --output path")
    preflight(output.parent / PAGE_FILE, "bench-page", overwrite=False, hint="move it away")
    with err_console.status("measuring") as status:
        result = run_universe_bench(
            n_series=n_series,
            years=years,
            workers=workers,
            seed=seed,
            reference_series=reference_series,
            progress=lambda text: status.update(text),
        )
    write_bench(result, output)
    console.print_json(data=bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)
    _write_page(output)


def _bench_headline(result):  # type: ignore[no-untyped-def]
    """The numbers a person looks for first."""
    out = {}
    if "full_sweep" in result:
        full = result["full_sweep"]
        out["full_grid"] = {k: full.get(k) for k in ("pairs", "wall_s", "process_peak_mb", "peak_mb", "split_s")}
    grid = result["grid_vs_vectorbt"]
    out["grid"] = {
        "pairs": grid["pairs"],
        "ours_wall_s": grid["ours"]["wall_s"],
        "ours_peak_mb": grid["ours"]["peak_mb"],
    }
    if "vectorbt" in grid:
        out["grid"].update(
            {
                "vectorbt_wall_s": grid["vectorbt"]["wall_s"],
                "vectorbt_peak_mb": grid["vectorbt"]["peak_mb"],
                "speedup": grid["speedup"],
                "memory_ratio": grid.get("memory_ratio"),
            }
        )
        agreement = grid["agreement"]
        out["grid"]["agreement"] = {
            key: agreement.get(key)
            for key in (
                "identical_event_counts",
                "identical_event_days",
                "events_on_different_days",
                "differences_resolved_for_us_by_exact_arithmetic",
                "identical_forward_returns_on_common_days",
            )
        }
    if "spa_vs_arch" in result:
        spa = result["spa_vs_arch"]
        out["spa_vs_arch"] = {
            "speedup": spa["speedup"],
            "max_abs_pvalue_diff": spa["max_abs_pvalue_diff"],
            "arch_wall_s": spa["arch"]["wall_s"],
            "ours_wall_s": spa["ours"]["wall_s"],
        }
    return out
