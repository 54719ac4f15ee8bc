"""Benchmark of the sweep against its peers, in one process: vectorbt's MA/crossover
pipeline on the same grid and ``arch.bootstrap.SPA`` on the same loss matrix.

``run_sweep_bench(...)`` returns a JSON-ready dict: wall times, peak memory, ratios, and the
checks that the compared pipelines agree (event counts and forward returns for every pair;
SPA / Reality Check p-values). Peak memory is the growth of the process's peak resident set
(Linux ``VmHWM``, reset through ``/proc/self/clear_refs`` before each measured call): unlike
``tracemalloc`` it sees numba's allocations too, and unlike a sampling thread it cannot miss
a short spike.
"""

from __future__ import annotations

import platform
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from backtest.bench.measure import cpu_count, measure, measure_repeated
from backtest.defaults import DEFAULT_SEED, horizon_block_length
from backtest.events.rules import DEFAULT_HORIZONS, EventRules, Horizon
from backtest.events.study import close_of, detection_bounds
from backtest.signals.moving_averages import close_array
from backtest.sweep.engine import find_events, horizon_sample, pair_means
from backtest.sweep.grid import SweepGrid
from backtest.sweep.plan import run_sweep
from backtest.sweep.snooping import loss_matrix, snooping_test

# Stages of the full-grid run, timed by wrapping the functions the plan calls for each
# task (``backtest.sweep.plan`` looks them up at call time); the rest is the driver's work
# (averages reuse, snooping set-up, the tidy table).
_STAGES = (
    ("events_and_pair_statistics", "pair_statistics"),
    ("random_entry_pvalues", "null_task"),
    ("bootstrap_snooping", "bootstrap_task"),
)


def full_sweep_probe(
    series: object,
    grid: SweepGrid,
    rules: EventRules,
    horizons: tuple[Horizon, ...],
    reps: int,
    seed: int,
    runs: int = 2,
) -> dict[str, Any]:
    """The full grid with every test, ``runs`` times in this process after a tiny warm-up:
    median wall time, peak memory, and the split into events and per-pair statistics,
    random-entry p-values, the snooping bootstrap and the rest."""
    from backtest.sweep import plan

    run_sweep(series, SweepGrid((5, 6), (20, 21)), rules, horizons, reps=10, null_draws=10, seed=seed)
    spent = {stage: 0.0 for stage, _ in _STAGES}
    originals = {name: getattr(plan, name) for _, name in _STAGES}

    def timed(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args)
            finally:
                spent[stage] += time.perf_counter() - started

        return wrapper

    rows: list[dict[str, Any]] = []
    n_events = 0
    try:
        for stage, name in _STAGES:
            setattr(plan, name, timed(stage, originals[name]))
        for _ in range(max(1, runs)):
            for stage in spent:
                spent[stage] = 0.0
            result, cost = measure(lambda: run_sweep(series, grid, rules, horizons, reps=reps, seed=seed))
            n_events = int(result.events.events.size)
            del result
            split = dict(spent)
            split["rest"] = cost["wall_s"] - sum(spent.values())
            rows.append({**cost, "split_s": split})
    finally:
        for name, function in originals.items():
            setattr(plan, name, function)
    middle = sorted(rows, key=lambda row: row["wall_s"])[(len(rows) - 1) // 2]
    return {
        "grid": grid.describe(),
        "pairs": grid.n_pairs,
        "events": n_events,
        "reps": reps,
        "wall_s": middle["wall_s"],
        "peak_mb": max(r["peak_mb"] or 0.0 for r in rows),
        "process_peak_mb": max(r["process_peak_mb"] or 0.0 for r in rows),
        "split_s": middle["split_s"],
        "runs": rows,
    }


_PROBE = """
import base64, json, pickle, sys
from backtest.data import load_series
from backtest.bench.sweep import full_sweep_probe
name, data_dir, payload = json.loads(sys.argv[1])
grid, rules, horizons, reps, seed, runs = pickle.loads(base64.b64decode(payload))
series = load_series(name, data_dir=data_dir)
print(json.dumps(full_sweep_probe(series, grid, rules, horizons, reps, seed, runs)))
"""


def full_sweep_in_subprocess(
    series_spec: tuple[str, str | None],
    grid: SweepGrid,
    rules: EventRules,
    horizons: tuple[Horizon, ...],
    reps: int,
    seed: int,
    runs: int = 2,
) -> dict[str, Any]:
    """``full_sweep_probe`` in a fresh Python process (same interpreter, environment and
    working directory)."""
    import base64
    import json
    import pickle
    import subprocess
    import sys

    name, data_dir = series_spec
    payload = base64.b64encode(pickle.dumps((grid, rules, horizons, reps, seed, runs))).decode("ascii")
    spec = [name, None if data_dir is None else str(data_dir), payload]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(spec)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError("full-grid probe failed: " + " | ".join(done.stderr.strip().splitlines()[-5:]))
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["fresh_process"] = True
    out["process_s"] = time.perf_counter() - started  # imports, loading, warm-up and the runs
    return out


def vectorbt_pipeline(
    close: pd.Series, grid: SweepGrid, first_pos: int, last_pos: int, horizons: tuple[Horizon, ...]
) -> dict[str, Any]:
    """The plain vectorbt way: one MA indicator per side over every pair's window (vectorbt
    caches each distinct window), ``ma_crossed_above``, then forward returns read from the
    dense signal matrix. Returns per-pair event counts and mean returns, plus the sparse
    (pair, day) coordinates of every signal for the equality checks."""
    import vectorbt as vbt

    pairs = grid.pairs
    fast = vbt.MA.run(close, window=list(pairs[:, 0]), short_name="fast")
    slow = vbt.MA.run(close, window=list(pairs[:, 1]), short_name="slow")
    crossed = fast.ma_crossed_above(slow).to_numpy()
    signals = crossed[first_pos : last_pos + 1]  # events are dated inside the detection window
    columns, rows = np.nonzero(signals.T)
    rows = rows + first_pos
    out: dict[str, Any] = {"n_events": signals.sum(axis=0), "signal_pair": columns, "signal_day": rows}
    for horizon in horizons:
        forward = (close.shift(-int(horizon.days)) / close - 1.0).to_numpy()
        returns = np.where(signals, forward[first_pos : last_pos + 1, None], np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # pairs without events: mean of nothing
            out[f"mean_{horizon.label}"] = np.nanmean(returns, axis=0)
        out[f"n_complete_{horizon.label}"] = np.sum(~np.isnan(returns), axis=0)
        out[f"forward_{horizon.label}"] = forward[rows]
        del returns
    return out


def _exact_golden_cross(values: np.ndarray, fast: int, slow: int, day: int) -> bool:
    """Golden cross on ``day`` in exact rational arithmetic (the arbiter of near-ties)."""
    from fractions import Fraction

    def average(window: int, t: int) -> Fraction:
        return sum((Fraction(float(v)) for v in values[t - window + 1 : t + 1]), Fraction(0)) / window

    return average(fast, day - 1) <= average(slow, day - 1) and average(fast, day) > average(slow, day)


def _compare_with_vectorbt(
    values: np.ndarray, found: Any, reference: dict[str, Any], horizons: tuple[Horizon, ...]
) -> dict[str, Any]:
    """Event counts, event days and per-event forward returns, pair by pair.

    Where the two disagree on a day, exact rational arithmetic decides which one is right:
    vectorbt's rolling mean subtracts running sums (errors ~1e-12), ours is compensated, so
    on a day where the two averages are equal to ~1e-15 the engines can disagree.
    """
    pair_of_event = np.repeat(np.arange(len(found.pairs)), found.n_events)
    same_counts = bool(np.array_equal(found.n_events, reference["n_events"]))
    checks: dict[str, Any] = {
        "pairs": int(len(found.pairs)),
        "events": int(found.events.size),
        "identical_event_counts": same_counts,
        "pairs_with_different_counts": int(np.sum(found.n_events != reference["n_events"])),
    }
    if not same_counts:
        checks["identical_event_days"] = False
        checks["identical_forward_returns"] = False
        return checks
    differ = np.flatnonzero(found.events != reference["signal_day"])
    checks["identical_event_days"] = differ.size == 0
    checks["events_on_different_days"] = int(differ.size)
    checks["pairs_with_different_days"] = int(np.unique(pair_of_event[differ]).size)
    details = []
    for i in differ[:20]:
        fast, slow = (int(v) for v in found.pairs[pair_of_event[i]])
        ours_day, their_day = int(found.events[i]), int(reference["signal_day"][i])
        details.append(
            {
                "pair": [fast, slow],
                "our_day": ours_day,
                "vectorbt_day": their_day,
                "exact_cross_on_our_day": _exact_golden_cross(values, fast, slow, ours_day),
                "exact_cross_on_vectorbt_day": _exact_golden_cross(values, fast, slow, their_day),
            }
        )
    checks["different_days"] = details
    checks["differences_resolved_for_us_by_exact_arithmetic"] = bool(details) and all(
        d["exact_cross_on_our_day"] and not d["exact_cross_on_vectorbt_day"] for d in details
    )
    same_day = np.ones(found.events.size, dtype=bool)
    same_day[differ] = False
    forward_equal = True
    max_mean_diff = 0.0
    for horizon in horizons:
        ours = _kernels_forward(values, int(horizon.days))[found.events]
        complete = found.events + int(horizon.days) < len(values)
        theirs = reference[f"forward_{horizon.label}"]
        forward_equal &= bool(np.array_equal(ours[same_day], theirs[same_day], equal_nan=True))
        n = len(found.pairs)
        sums = np.bincount(pair_of_event[complete], weights=ours[complete], minlength=n)
        counts = np.bincount(pair_of_event[complete], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            diff = np.abs(sums / counts - reference[f"mean_{horizon.label}"])
        if np.isfinite(diff).any():
            max_mean_diff = max(max_mean_diff, float(np.nanmax(diff)))
    checks["identical_forward_returns"] = bool(forward_equal and differ.size == 0)
    checks["identical_forward_returns_on_common_days"] = bool(forward_equal)
    checks["max_abs_mean_return_diff"] = max_mean_diff
    return checks


def _kernels_forward(values: np.ndarray, days: int) -> np.ndarray:
    from backtest.events.nb import forward_returns_nb

    return forward_returns_nb(values, days)


def spa_comparison(
    values: np.ndarray,
    index: pd.DatetimeIndex,
    grid: SweepGrid,
    rules: EventRules,
    horizon: Horizon,
    reps: int,
    seed: int,
) -> dict[str, Any]:
    """Our SPA / Reality Check against ``arch.bootstrap.SPA`` on the equivalent loss matrix
    (benchmark loss 0, model losses -d_p): independent bootstraps (agreement within Monte
    Carlo error) and arch's own resamples fed to our kernel (agreement to the last draw)."""
    from arch.bootstrap import SPA, StationaryBootstrap

    found = find_events(values, index, grid, rules)
    sample = horizon_sample(values, index, rules, horizon)
    n_complete, mean = pair_means(found, sample, rules.entry_lag)
    pool = sample.forward[sample.first_pos + rules.entry_lag : sample.last_complete + rules.entry_lag + 1]
    baseline = float(np.mean(pool))
    excess = pool - baseline
    family = np.flatnonzero(n_complete > 0)
    block = int(horizon_block_length(1, len(excess)))
    losses = loss_matrix(found.events, found.offsets, n_complete, excess, sample.first_pos, family)

    def ours(indices: np.ndarray | None = None) -> Any:
        return snooping_test(
            found.events,
            found.offsets,
            n_complete,
            excess,
            sample.first_pos,
            pairs=found.pairs,
            horizon=horizon.label,
            reps=reps,
            seed=seed,
            mean_block=float(block),
            indices=indices,
            mean_excess=mean - baseline,
        )[0]

    ours()  # warm the numba caches
    test, ours_cost = measure(ours)

    def theirs() -> Any:
        spa = SPA(np.zeros(len(excess)), losses, block_size=block, reps=reps, seed=seed)
        spa.compute()
        return spa

    spa, arch_cost = measure(theirs)
    resampler = StationaryBootstrap(block, np.zeros(len(excess)), seed=seed)
    arch_indices = np.array([resampler.update_indices() for _ in range(reps)])
    same_draws = ours(arch_indices)
    arch_p = {key: float(value) for key, value in spa.pvalues.items()}
    ours_p = {"lower": test.spa_lower_pvalue, "consistent": test.pvalue, "upper": test.reality_check_pvalue}
    same_p = {
        "lower": same_draws.spa_lower_pvalue,
        "consistent": same_draws.pvalue,
        "upper": same_draws.reality_check_pvalue,
    }
    return {
        "horizon": horizon.label,
        "pairs": int(family.size),
        "days": int(len(excess)),
        "reps": reps,
        "mean_block": block,
        "arch": {**arch_cost, "pvalues": arch_p},
        "ours": {**ours_cost, "pvalues": ours_p},
        "ours_on_arch_resamples": {"pvalues": same_p},
        "speedup": arch_cost["wall_s"] / ours_cost["wall_s"],
        "max_abs_pvalue_diff": max(abs(arch_p[k] - ours_p[k]) for k in arch_p),
        "max_abs_pvalue_diff_same_resamples": max(abs(arch_p[k] - same_p[k]) for k in arch_p),
    }


def run_sweep_bench(
    series: object,
    grid: SweepGrid,
    full_grid: SweepGrid | None,
    spa_grid: SweepGrid | None,
    rules: EventRules,
    horizons: tuple[Horizon, ...] = DEFAULT_HORIZONS,
    reps: int = 1000,
    seed: int = DEFAULT_SEED,
    spa_horizon: str = "6m",
    vectorbt: bool = True,
    progress: Callable[[str], None] | None = None,
    series_spec: tuple[str, str | None] | None = None,
    repeats: int = 5,
    full_runs: int = 2,
) -> dict[str, Any]:
    """Every measurement of ``backtest bench sweep`` (see the module docstring).

    series_spec: (series name or CSV path, data directory) for the full-grid run in a fresh
    subprocess (its wall time then does not depend on what this process ran before); None
    runs it here. repeats: timed calls of our grid sweep (the median is reported, each
    call's seconds too); vectorbt's pipeline runs once (about 47 s and 13 GB)."""
    report = progress or (lambda _: None)
    close = close_of(series)
    values = close_array(close)
    first, last = detection_bounds(close.index, rules)
    if any(h.days is None for h in horizons):
        raise ValueError("the bench compares trading-day horizons only")
    out: dict[str, Any] = {
        "machine": {"cpus": cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "series": {
            "name": str(getattr(series, "name", close.name)),
            "closes": len(values),
            "first": close.index[0].date().isoformat(),
            "last": close.index[-1].date().isoformat(),
            "data_sha256": getattr(series, "data_sha256", None),
        },
        "rules": {k: v for k, v in rules.to_dict().items() if k not in ("fast", "slow")},
        "horizons": [h.label for h in horizons],
        "reps": reps,
        "seed": seed,
        "memory_method": "growth of peak RSS (VmHWM after reset via /proc/self/clear_refs) over RSS before the call",
    }
    report("warming numba caches")
    tiny = SweepGrid((5, 6), (20, 21))
    run_sweep(series, tiny, rules, horizons, reps=10, null_draws=10, seed=seed)

    if full_grid is not None:
        report(f"full sweep with snooping tests: {full_grid.n_pairs} pairs, {reps} replications (fresh process)")
        if series_spec is not None:
            out["full_sweep"] = full_sweep_in_subprocess(
                series_spec, full_grid, rules, horizons, reps, seed, runs=full_runs
            )
        else:
            out["full_sweep"] = full_sweep_probe(series, full_grid, rules, horizons, reps, seed, runs=full_runs)
            out["full_sweep"]["fresh_process"] = False
        out["full_sweep"]["targets"] = {"wall_s": 5.0, "process_peak_mb": 1024.0}

    report(f"our sweep on {grid.n_pairs} pairs (events and forward returns), {repeats} times each")
    found, events_cost = measure_repeated(lambda: find_events(values, close.index, grid, rules), repeats)
    _, ours_cost = measure_repeated(lambda: run_sweep(series, grid, rules, horizons, reps=0, null_draws=0), repeats)
    _, ours_all_cost = measure_repeated(
        lambda: run_sweep(series, grid, rules, horizons, reps=reps, seed=seed), max(1, repeats // 2)
    )
    section: dict[str, Any] = {
        "grid": grid.describe(),
        "pairs": grid.n_pairs,
        "ours_events_only": events_cost,
        "ours": ours_cost,
        "ours_with_pvalues_and_snooping": ours_all_cost,
    }
    if vectorbt:
        report(f"vectorbt pipeline on {grid.n_pairs} pairs (slow, memory-hungry)")
        import vectorbt

        vectorbt_pipeline(close.iloc[:600], SweepGrid((5, 6), (20, 21)), 0, 599, horizons[:1])
        reference, vbt_cost = measure(lambda: vectorbt_pipeline(close, grid, first, last, horizons))
        section["vectorbt"] = vbt_cost
        section["speedup"] = vbt_cost["wall_s"] / ours_cost["wall_s"]
        if vbt_cost["peak_mb"] and ours_cost["peak_mb"]:
            section["memory_ratio"] = vbt_cost["peak_mb"] / max(ours_cost["peak_mb"], 1e-9)
        section["targets"] = {"speedup": 120.0, "memory_ratio": 100.0}
        report("checking events and forward returns pair by pair")
        section["agreement"] = _compare_with_vectorbt(values, found, reference, horizons)
        del reference
    out["grid_vs_vectorbt"] = section

    if spa_grid is not None:
        chosen = [h for h in horizons if h.label == spa_horizon]
        if not chosen:
            raise ValueError(f"spa horizon {spa_horizon!r} is not one of {[h.label for h in horizons]}")
        report(f"SPA against arch on {spa_grid.n_pairs} pairs, {reps} replications")
        out["spa_vs_arch"] = spa_comparison(values, close.index, spa_grid, rules, chosen[0], reps, seed)
        out["spa_vs_arch"]["targets"] = {"max_abs_pvalue_diff": 0.02, "speedup": 100.0}
    return out
