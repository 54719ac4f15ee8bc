"""`backtest bench study`: the per-stage split of a cProfile dump, and the end-to-end runs."""

from __future__ import annotations

import cProfile
import json
import os
import sys

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


SMALL_STUDY = '''"""The headline rule at one horizon, without its variants or most robustness rows, with few
draws and power paths: every stage the bench times and every kind of kernel the headline
compiles (its cold run is the suite's compilation from scratch), at a fraction of its work."""

from pathlib import Path

from backtest.claims.study import run_spec_study

DEFAULT_OUTPUT = Path(__file__).parent / "results" / "small_study"


def run(data_dir=None, output_dir=DEFAULT_OUTPUT, *, seed=0, n_draws=2_000, n_paths=20, step=lambda _: None, policy="lenient"):
    return run_spec_study(
        Path(__file__).with_name("small_study_spec.toml"), data_dir, Path(output_dir), name="small-study",
        step=step, seed=seed, n_draws=n_draws, n_paths=n_paths, n_power_paths=5, policy=policy,
    )
'''

SMALL_SPEC = """
[claim]
name = "small_study"
title = "Russell 2000 golden crosses, for the bench test"
statement = "Golden crosses precede gains."
direction = "gains"
horizons = ["3m"]

[series]
name = "russell2000"

[event]
kind = "ma_cross"
fast = 50
slow = 200

[rules]
start = "1985-01-01"

[robustness]
sub_periods = false
parameters = false
horizons = false
peers = []
"""


@pytest.fixture
def small_study(tmp_path, monkeypatch):
    """A studies folder holding one small study (the headline's kernels, a fraction of its
    work: the bench runs it five times, cold and warm, profiled and not), seen by this process
    and by the bench's subprocesses."""
    import backtest.study_runner

    folder = tmp_path / "studies"
    folder.mkdir()
    (folder / "small_study.py").write_text(SMALL_STUDY)
    # not small_study.toml: a spec beside the script would be the study itself (run_job)
    (folder / "small_study_spec.toml").write_text(SMALL_SPEC)
    monkeypatch.setenv("BACKTEST_STUDIES_DIR", str(folder))
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    return "small-study"


def test_a_cold_run_starts_from_empty_caches_and_a_warm_run_finds_them(tmp_path):
    """Cold and warm differ only in where numba and the data cache keep their entries: a new
    folder for each cold run, the first cold run's for every warm one."""
    from backtest.bench.study import _environment

    env = _environment(tmp_path / "numba-cold-1")
    assert env["NUMBA_CACHE_DIR"] == str(tmp_path / "numba-cold-1" / "numba")
    assert env["BACKTEST_CACHE_DIR"] == str(tmp_path / "numba-cold-1" / "data")
    assert "PYTHONDONTWRITEBYTECODE" not in env


@pytest.mark.slow
def test_bench_study_runs_warm_in_subprocesses(tmp_path, capsys, small_study, monkeypatch):
    """The whole bench on a small study, its subprocesses on numba's default cache (warm from
    the suite, so no run compiles everything again: that cold run is the suite's half-minute
    of compilation, and the mechanism is the test above)."""
    import backtest.bench.study

    def warm_environment(cache_dir):
        env = dict(os.environ)
        env.pop("NUMBA_CACHE_DIR", None)
        env["BACKTEST_CACHE_DIR"] = str(cache_dir / "data")
        env.setdefault("MPLBACKEND", "Agg")
        return env

    monkeypatch.setattr(backtest.bench.study, "_environment", warm_environment)
    output = tmp_path / "study.json"
    code = cli.main(["bench", "study", small_study, "--cold", "0", "--warm", "1", "--output", str(output)])
    assert code == 0, capsys.readouterr().err
    result = json.loads(output.read_text())
    assert result["study"] == small_study
    assert result["cold_s"] == [] and result["cold_median_s"] is None and len(result["warm_s"]) == 1
    assert result["warm_s"][0] > 0
    assert result["imports_s"] > 0 and result["library_imports_s"] > 0
    if sys.platform != "win32":  # CPU seconds of the child, from resource.getrusage
        (cpu,) = result["warm_cpu_s"]
        assert cpu > 0 and result["warm_cpu_floor_s"] == pytest.approx(cpu / result["machine"]["cpus"])
        assert result["warm_cpu_floor_s"] <= result["warm_s"][0]  # no run beats its CPU spread on every core
    stages = result["profile"]["stages_s"]
    assert stages["random_entry_monte_carlo"] > 0 and stages["loading"] > 0
    assert stages["run_study"] > stages["figures"] > 0
