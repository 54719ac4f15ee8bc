"""`backtest bench scaling`: efficiency arithmetic, option errors, and a tiny real run (one
spawned worker) whose digests agree with this process."""

from __future__ import annotations

import json

import pytest

from backtest import cli
from backtest.bench.scaling import _efficiency, bench_headline, run_scaling_bench
from backtest.events import DEFAULT_HORIZONS, EventRules
from backtest.sweep import SweepGrid
from backtest.sweep.plan import series_input
from tests.sweep.conftest import cycles, random_walk


def test_efficiency():
    runs = {1: {"wall_s": 10.0}, 2: {"wall_s": 6.0}, 4: {"wall_s": 2.5}}
    _efficiency(runs)
    assert runs[1]["efficiency"] == 1.0 and runs[2]["speedup"] == pytest.approx(10 / 6)
    assert runs[2]["efficiency"] == pytest.approx(10 / 12) and runs[4]["efficiency"] == 1.0


@pytest.mark.slow  # starts a Dask cluster and worker processes
def test_tiny_scaling_run_agrees_with_this_process():
    series = [series_input(cycles(seed=1, name="a")), series_input(random_walk(1500, seed=2, name="b"))]
    result = run_scaling_bench(
        series,
        series_input(cycles(seed=3, name="c")),
        SweepGrid((3, 9), (20, 40)),
        EventRules(),
        DEFAULT_HORIZONS[:1],
        reps=64,
        workers=(1,),
        executors=("processes",),
    )
    assert result["identical_results"]
    run = result["multi_series"]["processes"]["1"]
    assert run["wall_s"] > 0 and run["efficiency"] == 1.0 and run["warmed_processes"] == 1
    assert run["digest"] == result["multi_series"]["local"]["digest"]
    assert "projection" not in result  # projected from the dask runs only
    assert bench_headline(result)["identical_results"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "2,4"], "include 1"),
        (["--executors", "spark"], "executors must be dask and/or processes"),
    ],
)
def test_bad_options(argv, message, tmp_path, capsys):
    code = cli.main(["bench", "scaling", *argv, "--output", str(tmp_path / "scaling.json")])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "scaling.json").exists()


def test_a_skipped_workload_is_kept_from_the_file_it_replaces(tmp_path):
    from backtest.bench.scaling import write_scaling_bench

    path = tmp_path / "scaling.json"
    write_scaling_bench(
        {"machine": {"cpus": 2}, "seed": 1, "multi_series": {"what": "old"}, "single_series": {"what": "single"}}, path
    )
    write_scaling_bench({"machine": {"cpus": 4}, "seed": 2, "multi_series": {"what": "new"}}, path)
    written = json.loads(path.read_text())
    assert written["multi_series"] == {"what": "new"}
    assert written["single_series"] == {
        "what": "single",
        "carried_over": True,
        "carried_over_machine": {"cpus": 2},
        "carried_over_seed": 1,
    }
