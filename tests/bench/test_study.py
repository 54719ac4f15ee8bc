"""`backtest bench study`: the per-stage split of a cProfile dump, and the end-to-end runs."""

from __future__ import annotations

import cProfile
import json

import pytest

from backtest import cli
from backtest.bench.study import profile_stages


def test_profile_stages_reads_cumulative_seconds_of_named_stages(tmp_path):
    from backtest.report import render  # noqa: F401  (import inside the profile below)

    path = tmp_path / "run.prof"
    profiler = cProfile.Profile()
    profiler.enable()
    import importlib

    importlib.import_module("backtest.bench.study")
    sum(range(1000))
    profiler.disable()
    profiler.dump_stats(str(path))
    stages = profile_stages(path)
    assert set(stages) >= {
        "random_entry_monte_carlo",
        "bootstrapped_paths",
        "figures",
        "loading",
        "imports_under_profile",
        "total",
    }
    assert stages["random_entry_monte_carlo"] == 0.0  # not called in this profile
    assert stages["total"] >= 0.0


def test_bench_study_refuses_an_unknown_study(tmp_path, capsys):
    code = cli.main(["bench", "study", "no-such-study", "--output", str(tmp_path / "study.json")])
    assert code != 0
    assert not (tmp_path / "study.json").exists()


@pytest.mark.slow
def test_bench_study_runs_cold_and_warm_in_subprocesses(tmp_path, capsys):
    output = tmp_path / "study.json"
    code = cli.main(["bench", "study", "--cold", "1", "--warm", "1", "--output", str(output)])
    assert code == 0, capsys.readouterr().err
    result = json.loads(output.read_text())
    assert len(result["cold_s"]) == 1 and len(result["warm_s"]) == 1
    assert result["warm_s"][0] > 0 and result["imports_s"] > 0 and result["library_imports_s"] > 0
    stages = result["profile"]["stages_s"]
    assert stages["random_entry_monte_carlo"] > 0 and stages["run_study"] > stages["figures"] > 0
