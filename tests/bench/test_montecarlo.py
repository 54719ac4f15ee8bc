"""Benchmark helpers: the plain-NumPy twins draw the same distribution as the kernel; the
`backtest bench montecarlo` command runs and writes its JSON (tiny sizes: not a timing test)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from backtest.bench.montecarlo import (
    bench_bootstrap_indices,
    bench_random_entry,
    finite_population_moments,
    numpy_argpartition_means,
    numpy_choice_means,
)
from backtest.cli import main


@pytest.mark.parametrize("implementation", [numpy_choice_means, numpy_argpartition_means])
def test_numpy_twins_draw_without_replacement(implementation) -> None:
    pool = np.random.default_rng(0).normal(size=200)
    draws = implementation(pool, 50, 20_000, 1)
    mean, std = finite_population_moments(pool, 50)
    assert draws.mean() == pytest.approx(mean, abs=4 * std / np.sqrt(20_000))
    assert draws.std(ddof=1) == pytest.approx(std, rel=0.03)
    # k = n: every draw is the whole pool
    np.testing.assert_allclose(implementation(pool, 200, 3, 2), pool.mean())


@pytest.mark.slow  # times every implementation, arch included
def test_benchmarks_report_every_implementation() -> None:
    pool = np.random.default_rng(1).normal(size=500)
    result = bench_random_entry(pool, 10, n_draws=2000, seed=3, repeats=1, argpartition_draws=200)
    assert [t.implementation for t in result.timings] == ["numba", "numpy-choice", "numpy-argpartition"]
    assert result.timing("numpy-argpartition").work == 200
    assert result.timing("numba").first_call in ("compile", "cache load", "warm")
    assert result.checks["numba_null_mean"] == pytest.approx(result.checks["analytic_null_mean"], abs=0.02)
    assert result.speedup("numba", "numpy-choice") > 0
    bootstrap = bench_bootstrap_indices(1000, 20.0, n_replications=30, seed=3, repeats=1)
    assert {t.implementation for t in bootstrap.timings} == {"numba-loop", "numba-matrix", "arch"}
    assert bootstrap.checks["numba_mean_block_length"] == pytest.approx(20.0, rel=0.25)
    assert bootstrap.checks["arch_mean_block_length"] == pytest.approx(20.0, rel=0.25)


@pytest.mark.slow  # times every implementation, arch included
def test_bench_montecarlo_command_writes_json(tmp_path, real_data_dir) -> None:
    output = tmp_path / "bench" / "montecarlo.json"
    # the real Russell 2000 (its golden crosses are the k events): the snapshot, else the
    # built-in dataset, which is what the command reads without --data-dir
    data_option = [] if real_data_dir is None else ["--data-dir", str(real_data_dir)]
    code = main(
        [
            "bench",
            "montecarlo",
            "--draws",
            "2000",
            "--argpartition-draws",
            "100",
            "--replications",
            "10",
            "--repeat",
            "1",
            "--seed",
            "5",
            "--output",
            str(output),
            *data_option,
        ]
    )
    assert code == 0
    payload = json.loads(output.read_text())
    assert payload["benchmark"] == "montecarlo" and payload["series"] == "russell2000"
    assert payload["random_entry"]["parameters"]["k"] > 20
    assert payload["random_entry"]["parameters"]["seed"] == 5
    assert {"numba_vs_numpy_choice", "numba_loop_vs_arch"} <= set(payload["speedup_warm"])
    assert not list(output.parent.glob(".*.tmp"))  # written atomically, nothing left behind
