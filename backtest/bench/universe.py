"""A pooled event study over a synthetic universe, streamed in this process and on Dask.

``run_universe_bench(...)`` builds a seeded ``SyntheticUniverse`` (``backtest.data.universe``:
correlated series made one at a time), dates each series' golden crosses, and runs the
pooled tests over it (``backtest.sweep.universe.run_pooled_universe``) in this process and on
a Dask ``LocalCluster``: wall time, peak resident memory (this process's VmHWM; each worker's
for Dask), whether the two give the same bytes, and a projection for a cluster from the time
per series. A plain pandas per-series loop computing the same CARs on a subset is the
reference: its time against ours, and the largest difference of the CARs. Returns a
JSON-ready dict for ``backtest bench universe``.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from backtest._json import dumps
from backtest.bench.measure import cpu_count, measure
from backtest.data.universe import SyntheticUniverse, years_to_days
from backtest.defaults import DEFAULT_SEED
from backtest.stats.pooled_stream import PooledSettings, calendar_returns
from backtest.sweep.executors import make_executor
from backtest.sweep.universe import Calendar, CrossEvents, run_pooled_universe, universe_chunk

PROJECTED_WORKERS = (8, 32, 128)
"""Cluster sizes the projection is stated for."""


def _pandas_cars(
    close: pd.Series, benchmark: pd.Series, events: pd.DatetimeIndex, settings: PooledSettings
) -> list[float]:
    """The reference: each event's market-model CARs by a plain pandas loop (OLS slope as
    cov / var over the estimation window, CAR the sum of the event window's ARs)."""
    frame = pd.DataFrame({"r": close.reindex(benchmark.index), "m": benchmark}).pct_change(fill_method=None)
    first, last = settings.estimation_window
    out = []
    for date in events:
        if date not in frame.index:
            continue
        at = int(frame.index.get_loc(date))
        window = frame.iloc[max(at + first, 0) : max(at + last + 1, 0)].dropna()
        if len(window) < settings.min_estimation_obs:
            continue
        beta = window["r"].cov(window["m"]) / window["m"].var()
        alpha = window["r"].mean() - beta * window["m"].mean()
        after = frame.iloc[at + 1 : at + 1 + max(settings.horizons)]
        abnormal = after["r"] - alpha - beta * after["m"]
        for h in settings.horizons:
            part = abnormal.iloc[:h]
            out.append(float(part.sum()) if len(part) == h and part.notna().all() else float("nan"))
    return out


def _reference(universe: SyntheticUniverse, n_series: int, settings: PooledSettings) -> dict[str, Any]:
    rule = CrossEvents()
    benchmark = universe.benchmark()
    calendar = Calendar(pd.DatetimeIndex(benchmark.index), calendar_returns(benchmark, benchmark.index))
    indices = tuple(range(min(n_series, len(universe.names))))
    start = time.perf_counter()
    ours = universe_chunk(universe, indices, calendar, rule, settings)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = [
        value
        for i in indices
        for value in _pandas_cars(universe.close(i), benchmark, rule(universe.close(i)), settings)
    ]
    pandas_s = time.perf_counter() - start
    our_cars = np.concatenate([part.events.car.ravel() for part in ours])
    reference = np.asarray(theirs)
    same_shape = our_cars.shape == reference.shape
    both = np.isfinite(our_cars) & np.isfinite(reference) if same_shape else np.zeros(0, dtype=bool)
    return {
        "what": "market-model CARs of every golden cross, series by series",
        "series": len(indices),
        "ours_s": ours_s,
        "pandas_s": pandas_s,
        "speedup": pandas_s / ours_s if ours_s > 0 else None,
        "same_events_and_windows": bool(same_shape and np.array_equal(np.isfinite(our_cars), np.isfinite(reference))),
        "max_abs_car_difference": float(np.abs(our_cars[both] - reference[both]).max()) if both.any() else None,
    }


def run_universe_bench(
    *,
    n_series: int = 3000,
    years: float = 30,
    workers: int = 2,
    seed: int = DEFAULT_SEED,
    reference_series: int = 50,
    chunk_size: int = 25,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure the streamed pooled study (module docstring); a JSON-ready dict."""
    say = progress or (lambda text: None)
    settings = PooledSettings()
    universe = SyntheticUniverse(n_series, years_to_days(years), seed)
    say("warming up (numba kernels, scipy)")
    run_pooled_universe(SyntheticUniverse(4, 1200, seed), settings=settings)
    out: dict[str, Any] = {
        "benchmark": "universe",
        "universe": {
            "series": n_series,
            "years": years,
            "days": universe.n_days,
            "seed": seed,
            "event_rule": "golden cross, 50/200-day simple moving averages",
            "model": settings.model,
            "horizons_days": list(settings.horizons),
            "chunk_size": chunk_size,
            "all_closes_mb": n_series * universe.n_days * 8 / 2**20,
        },
        "machine": {
            "cpus": cpu_count(),
            "platform": platform.platform(),
            "load_average_before": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
    }
    say(f"in this process: {n_series} series")
    cpu = time.process_time()
    local, cost = measure(lambda: run_pooled_universe(universe, settings=settings, chunk_size=chunk_size))
    # CPU seconds: what the run costs whatever else the machine is doing (its wall time is not)
    out["in_process"] = {
        **cost,
        "cpu_s": time.process_time() - cpu,
        "stream_s": local.stream_s,
        "tests_s": local.tests_s,
    }
    out["universe"]["events"] = local.study.n_events
    out["universe"]["dropped_events"] = local.study.n_dropped
    say(f"on Dask, {workers} workers: {n_series} series")
    with make_executor("dask", workers=workers) as executor:
        # the workers import the package and load numba's cache on their first task: not timed
        run_pooled_universe(SyntheticUniverse(2 * workers, 1200, seed), settings=settings, executor=executor)
        executor.reset_peak_memory()  # type: ignore[attr-defined]
        dask, dask_cost = measure(
            lambda: run_pooled_universe(universe, settings=settings, chunk_size=chunk_size, executor=executor)
        )
        worker_memory = executor.worker_memory()  # type: ignore[attr-defined]
        description = executor.describe()
    out["dask"] = {
        **dask_cost,
        "stream_s": dask.stream_s,
        "tests_s": dask.tests_s,
        "executor": description,
        "worker_peak_rss_mb": sorted(m.get("peak_rss_mb") or 0.0 for m in worker_memory.values()),
    }
    out["identical_results"] = dumps(local.study.to_dict()) == dumps(dask.study.to_dict())
    per_series = local.stream_s / n_series
    out["projection"] = {
        "note": "a projection, not a measurement: the per-series time in this process times the series "
        "over the workers, plus the pooled tests in the driver as measured here scaled by the square of "
        "the series ratio (the Kolari-Pynnonen pairs grow with events x events per day)",
        "seconds_per_series": per_series,
        "cpu_seconds_per_series": out["in_process"]["cpu_s"] / n_series,
        "clusters": [
            {"workers": w, "series": s, "projected_s": per_series * s / w + local.tests_s * (s / n_series) ** 2}
            for w in PROJECTED_WORKERS
            for s in (n_series, 10 * n_series)
        ],
    }
    say(f"reference: a pandas loop over {reference_series} series")
    out["reference"] = _reference(universe, reference_series, settings)
    out["study"] = local.study.to_dict()
    out["machine"]["load_average_after"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return out


def bench_headline(result: dict[str, Any]) -> dict[str, Any]:
    """The numbers a person looks for first."""
    return {
        "series": result["universe"]["series"],
        "events": result["universe"].get("events"),
        "in_process": {k: result["in_process"].get(k) for k in ("wall_s", "peak_mb", "process_peak_mb")},
        "dask": {k: result["dask"].get(k) for k in ("wall_s", "process_peak_mb", "worker_peak_rss_mb")},
        "identical_results": result["identical_results"],
        "reference_speedup": result["reference"].get("speedup"),
    }
