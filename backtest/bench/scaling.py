"""Scaling measurement of sweeps: the same sweep on 1, 2, ... workers, and a projection.

``run_scaling_bench(...)`` runs one multi-series sweep (one task per series) and one
single-series sweep (split into pair and replication blocks) on a Dask ``LocalCluster``
(processes, one thread each) and on local worker processes with 1, 2, ... workers, after
the same sweep in this process. For each run: wall time, speed-up and parallel efficiency
T1 / (n x Tn), the per-worker resident memory (before, and the peak during the sweep), and
a digest of every output table, which must be the same for every run. From the 1-worker
multi-series run it projects the cost of sweeping ``project_series`` series. Returns a
JSON-ready dict for ``backtest bench scaling``.
"""

from __future__ import annotations

import hashlib
import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.bench.measure import cpu_count, reset_peak, status_kib
from backtest.defaults import DEFAULT_SEED
from backtest.events.rules import EventRules, Horizon
from backtest.sweep.executors import (
    DaskExecutor,
    LocalExecutor,
    ProcessExecutor,
    SweepExecutor,
)
from backtest.sweep.grid import SweepGrid
from backtest.sweep.multi import run_sweeps
from backtest.sweep.plan import SeriesInput, run_sweep, series_task


class _Digest:
    """sha256 over the exact bytes of every per-series table (in series order) and of the
    per-series summary: column names, then each column's values (floats bit for bit)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def _frame(self, frame: pd.DataFrame) -> None:
        for name in frame.columns:
            column = frame[name]
            self._hash.update(str(name).encode() + b"\x00" + str(column.dtype).encode() + b"\x00")
            values = column.to_numpy()
            if values.dtype.kind in "biuf":
                self._hash.update(np.ascontiguousarray(values).tobytes())
            else:
                self._hash.update("\x1f".join(map(repr, values.tolist())).encode())

    def add(self, position: int, result: Any) -> None:
        self._frame(result.table)

    def finish(self, frame: pd.DataFrame | None = None) -> str:
        if frame is not None:
            self._frame(frame)
        return self._hash.hexdigest()


def _warm_worker() -> bool:
    """Load (or compile) every sweep kernel in this process: a tiny sweep of a synthetic
    walk, so that the measured sweep times work, not numba's first call."""
    from backtest.events.rules import DEFAULT_HORIZONS
    from backtest.sweep.engine import sweep_settings

    index = pd.bdate_range("2000-01-03", periods=400)
    close = pd.Series(
        100.0 * np.exp(np.cumsum(np.full(400, 0.0004) + 0.01 * np.sin(np.arange(400) / 7.0))), index=index, name="warm"
    )
    settings = sweep_settings(EventRules(), DEFAULT_HORIZONS[:1], reps=40, null_draws=40)
    series_task(close, "warm", SweepGrid((3, 5), (20, 30)), settings)
    return True


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and every live descendant (worker
    processes, nannies): unlike wall time, hardly changed by other jobs on the machine."""
    import psutil

    me = psutil.Process()
    times = me.cpu_times()
    total = times.user + times.system
    for child in me.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # exited in between
            continue
        total += times.user + times.system
    return total


def _load() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _timed(measure: Callable[[SweepExecutor], tuple[float, str]], executor: SweepExecutor) -> dict[str, Any]:
    load = _load()
    cpu = _cpu_seconds()
    wall, digest = measure(executor)
    return {"wall_s": wall, "cpu_s": _cpu_seconds() - cpu, "digest": digest, "load_average_1min": [load, _load()]}


def _own_memory() -> dict[str, float | None]:
    rss = status_kib("VmRSS")
    peak = status_kib("VmHWM")
    return {"rss_mb": None if rss is None else rss / 1024.0, "peak_rss_mb": None if peak is None else peak / 1024.0}


def _memory_summary(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    workers = sorted(after)
    idle = [before[w]["rss_mb"] for w in workers if before.get(w, {}).get("rss_mb") is not None]
    peak = [after[w]["peak_rss_mb"] for w in workers if after[w].get("peak_rss_mb") is not None]
    return {
        "per_worker": {
            w: {"idle_rss_mb": before.get(w, {}).get("rss_mb"), "peak_rss_mb": after[w]["peak_rss_mb"]} for w in workers
        },
        "idle_rss_mb_max": max(idle) if idle else None,
        "peak_rss_mb_max": max(peak) if peak else None,
    }


def _dask_run(workers: int, measure: Callable[[SweepExecutor], tuple[float, str]]) -> dict[str, Any]:
    started = time.perf_counter()
    # One numba thread per task: n workers use n cores (a CLI LocalCluster would share the
    # machine's cores among its workers instead, which makes 1 and 2 workers use the same).
    with DaskExecutor(
        workers=workers, threads_per_worker=1, processes=True, memory_limit=0, numba_threads=1
    ) as executor:
        startup = time.perf_counter() - started
        started = time.perf_counter()
        executor.client.run(_warm_worker)
        warm = time.perf_counter() - started
        executor.reset_peak_memory()
        before = executor.worker_memory()
        timing = _timed(measure, executor)
        after = executor.worker_memory()
        described = executor.describe()
    return {
        "executor": described,
        "cluster_start_s": startup,
        "worker_warm_up_s": warm,
        **timing,
        "memory": _memory_summary(before, after),
    }


def _process_run(workers: int, measure: Callable[[SweepExecutor], tuple[float, str]]) -> dict[str, Any]:
    started = time.perf_counter()
    with ProcessExecutor(workers=workers, threads_per_worker=1) as executor:
        # The pool starts processes on demand and a fast one may take two warm-ups: repeat
        # until every worker process has warmed up before the clock starts.
        seen: set[int] = set()
        for _ in range(10):
            seen.update(executor.map(_warm_here, [()] * workers, window=workers))
            if len(seen) >= workers:
                break
        startup = time.perf_counter() - started
        timing = _timed(measure, executor)
        described = executor.describe()
    return {"executor": described, "start_and_warm_up_s": startup, **timing, "warmed_processes": len(seen)}


def _warm_here() -> int:
    _warm_worker()
    return os.getpid()


def _driver_costs(
    item: SeriesInput, grid: SweepGrid, rules: EventRules, horizons: tuple[Horizon, ...], reps: int, seed: int
) -> dict[str, Any]:
    """What one series costs the driver (serial, whatever the cluster size) and what
    travels: the pickled result a worker returns, the stage-2 input scattered for a split
    series, and the time to turn a result into its per-series row and its Parquet file."""
    import pickle
    import tempfile

    from backtest.report.sweep_report import (
        PAIRS_COMPRESSION_LEVEL,
        parquet_bytes,
        series_pairs_frame,
    )
    from backtest.sweep.engine import pair_statistics, sweep_settings
    from backtest.sweep.multi import series_rows
    from backtest.sweep.plan import BlockPlan, SeriesJob

    settings = sweep_settings(rules, horizons, reps=reps, seed=seed)
    job = SeriesJob(item.close, item.name, grid, settings, BlockPlan(grid.n_pairs, None, 1, whole_series=True))
    job.take_pair_statistics([pair_statistics(item.close, grid.pairs, settings)])
    result = run_sweep(item, grid, rules, horizons, reps=reps, seed=seed)
    started = time.perf_counter()
    returned = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.loads(returned)
    transfer = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        series_rows(result)  # what MultiSweepReport.add and run_sweeps do per series
        frame = series_pairs_frame(result)
        (Path(scratch) / "pairs.parquet").write_bytes(parquet_bytes(frame, PAIRS_COMPRESSION_LEVEL))
        write = time.perf_counter() - started
    return {
        "series": item.name,
        "closes": len(item.close),
        "events": int(result.events.events.size),
        "closes_sent_mb": len(pickle.dumps(item.close, protocol=pickle.HIGHEST_PROTOCOL)) / 2**20,
        "result_returned_mb": len(returned) / 2**20,
        "stage_input_scattered_mb": len(pickle.dumps(job.stage, protocol=pickle.HIGHEST_PROTOCOL)) / 2**20,
        "pickle_round_trip_s": transfer,
        "summary_row_and_parquet_s": write,
    }


def _efficiency(runs: dict[int, dict[str, Any]]) -> None:
    base = runs[min(runs)]["wall_s"]
    for n, run in runs.items():
        run["speedup"] = base / run["wall_s"]
        run["efficiency"] = base / (n * run["wall_s"]) * min(runs)


def run_scaling_bench(
    series: Sequence[SeriesInput],
    single: SeriesInput | None,
    grid: SweepGrid,
    rules: EventRules,
    horizons: tuple[Horizon, ...],
    *,
    reps: int = 1000,
    seed: int = DEFAULT_SEED,
    workers: Sequence[int] = (1, 2),
    executors: Sequence[str] = ("dask", "processes"),
    project_series: int = 3000,
    load_seconds_per_series: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every measurement of ``backtest bench scaling`` (see the module docstring)."""
    report = progress or (lambda _: None)
    options = {"reps": reps, "seed": seed}
    import dask
    import numba

    out: dict[str, Any] = {
        "machine": {
            "cpus": cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "numba": numba.__version__,
            "dask": dask.__version__,
            "numba_threading_layer_default": numba.config.THREADING_LAYER,
            "load_average_before": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "grid": grid.describe(),
        "pairs": grid.n_pairs,
        "rules": {k: v for k, v in rules.to_dict().items() if k not in ("fast", "slow")},
        "horizons": [h.label for h in horizons],
        "reps": reps,
        "seed": seed,
        "method": (
            "wall time of the sweep alone (cluster start and numba warm-up on every worker excluded and "
            "reported separately); cpu_s = user + system CPU seconds of this process and all its worker "
            "processes during the sweep; efficiency = T(1 worker) / (n x T(n workers)); memory = each worker "
            "process's resident set before the sweep and its peak during it (Linux VmRSS / VmHWM, peak reset "
            "first); one thread per worker and one numba thread per task"
        ),
    }

    def multi_measure(executor: SweepExecutor) -> tuple[float, str]:
        digest = _Digest()
        started = time.perf_counter()
        multi = run_sweeps(
            series, grid, rules, horizons, executor=executor, on_result=digest.add, keep_results=False, **options
        )
        wall = time.perf_counter() - started
        return wall, digest.finish(multi.series_table)

    def single_measure(executor: SweepExecutor) -> tuple[float, str]:
        assert single is not None
        started = time.perf_counter()
        result = run_sweep(single, grid, rules, horizons, executor=executor, **options)
        wall = time.perf_counter() - started
        digest = _Digest()
        digest.add(0, result)
        return wall, digest.finish()

    report("warming numba in this process")
    _warm_worker()
    report("driver costs per series")
    out["driver_per_series"] = _driver_costs(series[0], grid, rules, horizons, reps, seed)
    workloads = [("multi_series", multi_measure, f"{len(series)} series, one task per series")]
    if single is not None:
        workloads.append(("single_series", single_measure, f"{single.name}: pair and replication blocks"))
    digests = set()
    for key, measure, what in workloads:
        section: dict[str, Any] = {"what": what}
        if key == "multi_series":
            section["series"] = [item.name for item in series]
            section["closes"] = int(sum(len(item.close) for item in series))
        else:
            assert single is not None
            section["series"] = single.name
            section["closes"] = len(single.close)
        report(f"{key}: this process (numba threads)")
        reset_peak()
        timing = _timed(measure, LocalExecutor())
        section["local"] = {
            **timing,
            "numba_threads": numba.get_num_threads(),
            "process_peak_rss_mb": _own_memory()["peak_rss_mb"],
        }
        digests.add((key, timing["digest"]))
        for kind in executors:
            runs: dict[int, dict[str, Any]] = {}
            for n in workers:
                report(f"{key}: {kind}, {n} worker(s)")
                run = _dask_run(n, measure) if kind == "dask" else _process_run(n, measure)
                digests.add((key, run["digest"]))
                runs[n] = run
            _efficiency(runs)
            section[kind] = {str(n): run for n, run in runs.items()}
        section["identical_results"] = len({d for k, d in digests if k == key}) == 1
        out[key] = section

    multi = out["multi_series"]
    n_series = len(series)
    if "dask" in executors and 1 in workers:
        # Cost per series from CPU seconds of the 1-worker run (one core at a time), which
        # other jobs on the machine barely change; its wall time is reported beside it.
        one = multi["dask"]["1"]["cpu_s"] / n_series
        best_n = max(workers)
        best = multi["dask"][str(best_n)]
        projection: dict[str, Any] = {
            "series": project_series,
            "measured_on": f"dask LocalCluster, {n_series} series of {multi['closes'] // n_series:,} closes on average",
            "cpu_seconds_per_series": one,
            "wall_seconds_per_series_one_worker": multi["dask"]["1"]["wall_s"] / n_series,
            "core_hours": project_series * one / 3600.0,
            f"hours_on_this_machine_{best_n}_workers": project_series * best["wall_s"] / n_series / 3600.0,
            "efficiency_used": best["efficiency"],
        }
        # The driver loads every series, then receives and writes each table, one at a time:
        # a floor under the wall time however many cores compute.
        driver = out["driver_per_series"]
        per_series = (
            driver["pickle_round_trip_s"] + driver["summary_row_and_parquet_s"] + (load_seconds_per_series or 0.0)
        )
        projection["driver_seconds_per_series"] = per_series
        projection["driver_hours"] = project_series * per_series / 3600.0
        for cores in (2, 16, 128):
            compute = project_series * one / (cores * best["efficiency"]) / 3600.0
            projection[f"hours_on_{cores}_cores_at_measured_efficiency"] = max(compute, projection["driver_hours"])
        # The model checked against the measured run it extrapolates: n series on best_n
        # workers, predicted from the 1-worker CPU seconds at the measured efficiency.
        predicted = n_series * one / (best_n * best["efficiency"])
        projection["check"] = {
            "series": n_series,
            "workers": best_n,
            "predicted_wall_s": predicted,
            "measured_wall_s": best["wall_s"],
            "measured_over_predicted": best["wall_s"] / predicted,
        }
        # Dask's own cost per task: the same tasks on one Dask worker against one plain
        # worker process (both single-threaded, numba warm).
        if "processes" in multi and "1" in multi["processes"]:
            plain = multi["processes"]["1"]["wall_s"]
            projection["dask_overhead_s_per_series"] = (multi["dask"]["1"]["wall_s"] - plain) / n_series
        if load_seconds_per_series is not None:
            projection["driver_load_seconds_per_series"] = load_seconds_per_series
        out["projection"] = projection
    out["identical_results"] = all(out[key]["identical_results"] for key, _, _ in workloads)
    out["machine"]["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return out


def bench_headline(result: dict[str, Any]) -> dict[str, Any]:
    """The numbers a person looks for first."""
    out: dict[str, Any] = {"identical_results": result["identical_results"]}
    for key in ("multi_series", "single_series"):
        if key not in result:
            continue
        section = result[key]
        entry: dict[str, Any] = {"local_wall_s": section["local"]["wall_s"], "local_cpu_s": section["local"]["cpu_s"]}
        for kind in ("dask", "processes"):
            if kind in section:
                entry[kind] = {
                    n: {
                        "wall_s": run["wall_s"],
                        "cpu_s": run["cpu_s"],
                        "efficiency": run["efficiency"],
                        **({"peak_rss_mb_per_worker": run["memory"]["peak_rss_mb_max"]} if "memory" in run else {}),
                    }
                    for n, run in section[kind].items()
                }
        out[key] = entry
    if "projection" in result:
        out["projection"] = {k: v for k, v in result["projection"].items() if not isinstance(v, str)}
    return {k: (round(v, 4) if isinstance(v, float) and math.isfinite(v) else v) for k, v in out.items()}


WORKLOADS = ("multi_series", "single_series")


def carry_over_skipped(result: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """``result`` with each workload it skipped taken from the file it replaces.

    ``--single none`` skips the single-series workload; writing that result over
    ``results/bench/scaling.json`` used to drop the file's single-series section (it did on
    2026-11-30). A skipped section is now kept from the previous file, marked
    ``"carried_over": true`` with that run's machine line, so no measurement is lost by a
    partial rerun.
    """
    if not previous:
        return result
    out = dict(result)
    for key in WORKLOADS:
        if key not in out and isinstance(previous.get(key), dict):
            out[key] = {
                **previous[key],
                "carried_over": True,
                "carried_over_machine": previous.get("machine"),
                "carried_over_seed": previous.get("seed"),
            }
    return out


def write_scaling_bench(result: dict[str, Any], path: str | Path) -> Path:
    """Write the scaling JSON (atomically), keeping the sections this run skipped."""
    import json

    from backtest.bench.measure import write_bench

    previous = None
    target = Path(path)
    if target.is_file():
        try:
            previous = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
    return write_bench(carry_over_skipped(result, previous if isinstance(previous, dict) else None), target)
