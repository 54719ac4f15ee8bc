"""``backtest bench study``: wall time of a study run end to end, in fresh processes.

Runs ``python -m backtest.cli study NAME`` in subprocesses, cold (``NUMBA_CACHE_DIR`` an
empty temporary directory, so every kernel the run uses compiles) and warm (the cache a
previous run filled; each cache folder also holds the validated-data cache, so a cold run
parses and validates the raw files too), plus one warm run under cProfile (every thread:
``profile_run``) for a per-stage split and one process that only imports what the study imports. Returns a plain dict for JSON.
"""

from __future__ import annotations

import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backtest.bench.measure import cpu_count

# Stages of the profile: (name, how to recognise the stage's outermost calls in cProfile's
# table: file suffix, function name). The cumulative time of each is reported, so nested
# stages (figures inside the study) are not subtracted from their parents.
PROFILE_STAGES: tuple[tuple[str, str, str], ...] = (
    ("random_entry_monte_carlo", "backtest/stats/montecarlo.py", "random_entry_tests_by_horizon"),
    ("bootstrapped_paths", "backtest/stats/bootstrap.py", "bootstrap_path_tests"),
    ("statistics_total", "backtest/stats/analysis.py", "analyze_events"),
    ("loading", "backtest/data/catalog.py", "load_series"),
    ("event_study", "backtest/events/study.py", "run_event_study"),
    ("robustness_variants", "backtest/claims/run.py", "_variant_row"),
    # the PNGs are drawn in a forked child, which no profile of this process sees: "figures"
    # is the wait for the child's PNGs (and, where there is no fork, their drawing here)
    ("figures", "backtest/claims/drawing.py", "result"),
    ("interactive_figures", "backtest/report/interactive.py", "claim_blocks"),
    ("write_report", "backtest/claims/outputs.py", "write_report"),
    ("run_study", "backtest/study_runner.py", "run_study"),
)

IMPORT_PROBE = (
    "import time; started = time.perf_counter(); import backtest.cli; "
    "from backtest.study_runner import load_study, study_path; from backtest.claims.jobs import load_job; "
    "path = study_path({name!r}); load_job(path) if path.suffix == '.toml' else load_study({name!r}); "
    "print(time.perf_counter() - started)"
)


LIBRARY_PROBE = (
    "import time; started = time.perf_counter(); "
    "import numba, numpy, pandas, scipy.stats, matplotlib.pyplot, exchange_calendars, plotly.graph_objects, jinja2; "
    "print(time.perf_counter() - started)"
)
"""The floor of any run: importing the libraries a study uses, and nothing of ours."""


def _environment(cache_dir: Path) -> dict[str, str]:
    """A run's environment: numba's cache and the validated-data cache (``backtest.cache``) in
    ``cache_dir``, so a cold run starts from neither and a warm run finds both. Python caches
    the bytecode of our modules as a user's Python does: a sandbox or CI image may set
    PYTHONDONTWRITEBYTECODE, and every run would then compile them again (~0.15 s)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NUMBA_CACHE_DIR"] = str(cache_dir / "numba")
    env["BACKTEST_CACHE_DIR"] = str(cache_dir / "data")
    env.setdefault("MPLBACKEND", "Agg")
    return env


PROFILE_RUNNER = "import sys; from backtest.bench.study import profile_run; profile_run(sys.argv[1], sys.argv[2:])"


def profile_run(output: str, argv: list[str]) -> None:
    """Run ``python -m backtest.cli *argv`` under cProfile in every thread and dump the merged
    statistics at ``output`` (``python -m cProfile`` sees the main thread only, and a claim's
    figures are drawn in a second thread). Imports are profiled too; exits as the CLI does."""
    import cProfile
    import runpy
    import threading

    profilers: list[cProfile.Profile] = []

    def start(*_: object) -> None:  # the first profile event of each new thread
        sys.setprofile(None)
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()

    main_profiler = cProfile.Profile()
    sys.argv = ["backtest", *argv]
    threading.setprofile(start)
    main_profiler.enable()
    try:
        runpy.run_module("backtest.cli", run_name="__main__", alter_sys=True)
    finally:
        main_profiler.disable()
        threading.setprofile(None)
        stats = pstats.Stats(main_profiler)
        for profiler in profilers:
            stats.add(profiler)
        stats.dump_stats(output)


def _children_cpu() -> float | None:
    """User + system CPU seconds of every finished child process so far (None where the
    ``resource`` module is missing, on Windows)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str, float | None]:
    """(wall seconds, stdout, CPU seconds of the child in every thread, None if unknown)."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    cpu_after = _children_cpu()
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}: " + " | ".join(tail))
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return wall, done.stdout, cpu


def profile_stages(profile_path: Path, stages: tuple[tuple[str, str, str], ...] = PROFILE_STAGES) -> dict[str, float]:
    """Cumulative seconds of each of ``stages`` (as ``PROFILE_STAGES``), plus imports, from a
    cProfile dump (functions recognised by file suffix and name; calls summed)."""
    stats = pstats.Stats(str(profile_path))
    table = stats.stats  # type: ignore[attr-defined]
    out = {name: 0.0 for name, _, _ in stages}
    imports = 0.0
    for (filename, _, function), (_, _, _, cumulative, _) in table.items():
        normalised = filename.replace(os.sep, "/")
        for name, suffix, wanted in stages:
            if function == wanted and normalised.endswith(suffix):
                out[name] += cumulative
        if function == "_find_and_load" and "importlib._bootstrap" in filename:
            imports = max(imports, cumulative)  # recursive: the outermost call holds the total
    out["imports_under_profile"] = imports
    out["total"] = max((entry[3] for entry in table.values()), default=0.0)
    return out


def run_study_bench(
    name: str,
    cold_runs: int = 2,
    warm_runs: int = 2,
    python: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every measurement of ``backtest bench study`` (see the module docstring)."""
    report = progress or (lambda _: None)
    python = python or sys.executable
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="backtest-bench-study-") as scratch:
        root = Path(scratch)
        command = [python, "-m", "backtest.cli", "study", name, "--output-dir", str(root / "out"), "--overwrite"]
        warm_cache = root / "numba-warm"
        cold: list[float] = []
        for run in range(cold_runs):
            # the first cold run fills the cache the warm runs use; the others start empty too
            cache = warm_cache if run == 0 else root / f"numba-cold-{run}"
            report(f"cold run {run + 1}/{cold_runs} (empty numba cache)")
            cold.append(_run(command, _environment(cache), cwd)[0])
        if not cold_runs:
            report("filling the numba cache")
            _run(command, _environment(warm_cache), cwd)
        warm: list[float] = []
        warm_cpu: list[float] = []
        for run in range(warm_runs):
            report(f"warm run {run + 1}/{warm_runs}")
            wall, _, cpu = _run(command, _environment(warm_cache), cwd)
            warm.append(wall)
            if cpu is not None:
                warm_cpu.append(cpu)
        report("import time (warm cache)")
        imports = [
            float(_run([python, "-c", IMPORT_PROBE.format(name=name)], _environment(warm_cache), cwd)[1])
            for _ in range(3)
        ]
        libraries = [float(_run([python, "-c", LIBRARY_PROBE], _environment(warm_cache), cwd)[1]) for _ in range(3)]
        report("profiled warm run")
        profile_path = root / "study.prof"
        profiled_command = [python, "-c", PROFILE_RUNNER, str(profile_path), *command[3:]]
        profiled_wall = _run(profiled_command, _environment(warm_cache), cwd)[0]
        stages = profile_stages(profile_path)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "benchmark": "study",
        "study": name,
        "command": "python -m backtest.cli study " + name,
        "method": "wall time of each run in a fresh subprocess; cold = NUMBA_CACHE_DIR pointed at an empty "
        "temporary directory (every kernel the run uses compiles), warm = the cache the first cold run "
        "filled (Python's bytecode cache on in both, as for a user); imports = a process that only imports the CLI and the study script (median of 3); "
        "library_imports = a process that only imports numba, numpy, pandas, scipy.stats, matplotlib, "
        "exchange_calendars, plotly and jinja2, the floor of any run (median of 3); "
        "warm_cpu = user + system CPU seconds of each warm run in all its threads, and warm_cpu_floor = their "
        "median divided by the machine's cores, the shortest wall time the same work could take here; "
        "profile = cumulative seconds per stage of one warm run under cProfile in every thread (which adds overhead; "
        "the figures are drawn in a second thread while the variants run, so stages overlap in time)",
        "cold_s": cold,
        "warm_s": warm,
        "cold_median_s": statistics.median(cold) if cold else None,
        "warm_median_s": statistics.median(warm) if warm else None,
        "warm_cpu_s": warm_cpu,
        # a warm run's CPU seconds spread perfectly over every core: no schedule of the same
        # work on this machine can finish sooner
        "warm_cpu_floor_s": statistics.median(warm_cpu) / cpu_count() if warm_cpu else None,
        "imports_s": statistics.median(imports),
        "library_imports_s": statistics.median(libraries),
        "profile": {"wall_s": profiled_wall, "stages_s": stages},
        "targets": {"warm_s": 4.0, "cold_s": 15.0},
        "machine": {
            "cpus": cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_after": list(load) if load else None,
        },
    }


def bench_headline(result: dict[str, Any]) -> dict[str, Any]:
    """The few numbers the command prints."""
    return {
        "study": result["study"],
        "cold_s": [round(x, 2) for x in result["cold_s"]],
        "warm_s": [round(x, 2) for x in result["warm_s"]],
        "warm_cpu_s": [round(x, 2) for x in result["warm_cpu_s"]],
        "warm_cpu_floor_s": None if result["warm_cpu_floor_s"] is None else round(result["warm_cpu_floor_s"], 2),
        "imports_s": round(result["imports_s"], 2),
        "library_imports_s": round(result["library_imports_s"], 2),
        "profile_s": {k: round(v, 2) for k, v in result["profile"]["stages_s"].items()},
        "load_average_after": result["machine"]["load_average_after"],
    }
