"""``backtest bench claim``: how soon a claim is answered, each claim run in a fresh process.

``run_claim_bench(specs)`` runs ``python -m backtest.cli claim run SPEC`` in subprocesses on a
warm numba cache (``backtest.bench.study._environment``, filled by one unmeasured run of each
claim), reading each run's stdout line by line: the seconds to the verdict line (the answer)
and to the process's exit (the report written), with the run's CPU seconds and their floor
(CPU / cores) beside each, and a per-stage split of one more run under cProfile. Then, once,
the wall time of ``claim run-all`` over the same specs; in this process, the headline's
robustness panel widened to about 1, 10, 100 and 1,000 specifications against the claim's
own statistics; and the headline's event detection and primary test recomputed by a plain
pandas/numpy reference (``reference_primary_pvalue``), timed beside the library's, which
must give the same p-value. Returns a plain dict for JSON; it writes only in its own
temporary folder.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.bench import study as study_bench
from backtest.bench.measure import cpu_count
from backtest.bench.power import GALLERY_SPECS

TARGETS = {"answer_s": 1.0, "report_s": 2.0, "run_all_s": 12.0}
"""The issue's targets, warm: the printed answer, the finished report, the whole gallery."""

PANEL_SIZES: tuple[int, ...] = (1, 10, 100, 1000)
"""About how many specifications the headline's robustness panel is widened or narrowed to."""

ANSWER_PREFIX = "Verdict"
"""How the answer's first line (``ClaimResult.answer_lines()[0]``) opens on stdout."""

CLAIM_STAGES: tuple[tuple[str, str, str], ...] = (
    ("loading", "backtest/data/catalog.py", "load_series"),
    ("events", "backtest/events/study.py", "run_event_study"),
    ("statistics", "backtest/stats/analysis.py", "analyze_events"),
    ("robustness_panel", "backtest/claims/robustness.py", "robustness"),
    ("power", "backtest/stats/power.py", "simulated_detectable_effect"),
    ("variants", "backtest/claims/run.py", "_variant_row"),
    # the PNGs are drawn in a forked child, which no profile of this process sees: "figures"
    # is the interactive figures drawn here plus the wait for the child's PNGs
    ("figures", "backtest/claims/drawing.py", "result"),
    ("writing", "backtest/claims/outputs.py", "write_report"),
    ("run_claim", "backtest/claims/run.py", "run_claim"),
)
"""The stages of a claim run in its profile, as ``backtest.bench.study.PROFILE_STAGES``
(cumulative seconds: a stage nested in another, such as the variants' events, counts in both)."""


def _timed_run(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, float | None]:
    """One run of ``command``: wall seconds to the first output line that opens with
    ``ANSWER_PREFIX`` (None if none did) and to the process's exit, and its CPU seconds in
    every thread (None where unknown). The child's output is unbuffered, so a line arrives
    when it is printed, not when the process exits; stderr joins stdout (one pipe read to
    its end cannot fill up while the other waits)."""
    env = {**env, "PYTHONUNBUFFERED": "1"}
    cpu_before = study_bench._children_cpu()
    started = time.perf_counter()
    answer = None
    tail: collections.deque[str] = collections.deque(maxlen=5)
    with subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if answer is None and line.lstrip().startswith(ANSWER_PREFIX):
                answer = time.perf_counter() - started
            if line.strip():
                tail.append(line.strip())
        code = process.wait()
    wall = time.perf_counter() - started
    cpu_after = study_bench._children_cpu()
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {code}: " + " | ".join(tail))
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {"answer_s": answer, "report_s": wall, "cpu_s": cpu}


def _median(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def _claim_runs(
    spec: str,
    repeats: int,
    python: str,
    cache: Path,
    scratch: Path,
    cwd: Path,
    report: Callable[[str], None],
    options: Sequence[str] = (),
) -> dict[str, Any]:
    """Every subprocess measurement of one claim (module docstring)."""
    env = study_bench._environment(cache)
    name = Path(spec).stem

    def command(run: str) -> list[str]:
        return ["claim", "run", spec, "--output-dir", str(scratch / name / run), *options]

    report(f"{name}: filling the caches")
    study_bench._run([python, "-m", "backtest.cli", *command("fill")], env, cwd)
    runs = []
    for run in range(repeats):
        report(f"{name}: warm run {run + 1}/{repeats}")
        runs.append(_timed_run([python, "-m", "backtest.cli", *command(f"run-{run}")], env, cwd))
    report(f"{name}: profiled warm run")
    profile_path = scratch / f"{name}.prof"
    profiled = [python, "-c", study_bench.PROFILE_RUNNER, str(profile_path), *command("profiled")]
    profiled_wall = study_bench._run(profiled, env, cwd)[0]
    answer, report_s, cpu = (_median([run[key] for run in runs]) for key in ("answer_s", "report_s", "cpu_s"))
    floor = None if cpu is None else cpu / cpu_count()
    return {
        "spec": spec,
        "runs": runs,
        "answer_s": answer,
        "report_s": report_s,
        "cpu_s": cpu,
        # the run's CPU seconds spread over every core: no schedule of the same work here is shorter
        "cpu_floor_s": floor,
        "answer_target_met": answer is not None and answer <= TARGETS["answer_s"],
        "report_target_met": report_s is not None and report_s <= TARGETS["report_s"],
        "profile": {"wall_s": profiled_wall, "stages_s": study_bench.profile_stages(profile_path, CLAIM_STAGES)},
    }


def _run_all(
    specs: Sequence[str], python: str, cache: Path, scratch: Path, cwd: Path, options: Sequence[str] = ()
) -> dict[str, Any]:
    """One warm ``claim run-all`` over ``specs`` (their caches filled by ``_claim_runs``)."""
    output = ["--output-dir", str(scratch / "run-all")]
    command = [python, "-m", "backtest.cli", "claim", "run-all", *specs, *output, *options]
    wall, _, cpu = study_bench._run(command, study_bench._environment(cache), cwd)
    return {
        "specs": len(specs),
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_floor_s": None if cpu is None else cpu / cpu_count(),
        "target_met": wall <= TARGETS["run_all_s"],
    }


def _panel_settings(spec: Any, day_dates: pd.DatetimeIndex, size: int) -> Any:
    """A ``RobustnessSpec`` of about ``size`` specifications, the claim's own row included:
    the families of the spec's panel, smallest first, while they fit, then peers of the
    series (cycled; the series itself when it has none) up to ``size``."""
    from backtest.claims.robustness import horizon_neighbours, parameter_neighbours
    from backtest.claims.spec import RobustnessSpec
    from backtest.data import peers_of
    from backtest.stats.robustness import LEAVE_ONE_YEAR_OUT, SUB_PERIOD, mask_specifications

    masks = [family for family, _, _ in mask_specifications(day_dates)]
    family_sizes = sorted(
        [
            ("sub_periods", masks.count(SUB_PERIOD)),
            ("parameters", len(parameter_neighbours(spec))),
            ("horizons", len(horizon_neighbours(spec))),
            ("leave_one_year_out", masks.count(LEAVE_ONE_YEAR_OUT)),
        ],
        key=lambda item: item[1],
    )
    count = 1
    flags = {}
    for family, family_size in family_sizes:
        flags[family] = count + family_size <= size
        count += family_size if flags[family] else 0
    pool = peers_of(spec.series) or (spec.series,)
    peers = tuple(pool[i % len(pool)] for i in range(max(0, size - count)))
    return RobustnessSpec(peers=peers, **flags)


def _claim_spec(path: str | Path, data_dir: str | Path | None) -> Any:
    """The claim of the spec file at ``path`` (a study's spec too: its ``[report]`` table
    adds to the report, not to the claim), as `backtest claim run` reads it."""
    from backtest.claims.jobs import ClaimJob, load_job
    from backtest.errors import ParameterError

    job = load_job(path, data_dir=data_dir)
    if not isinstance(job, ClaimJob):
        raise ParameterError(f"{path}: a {job.kind} job, not a claim; the claim bench runs claims")
    return job.spec


def _claim_loader(data_dir: str | Path | None) -> Callable[[str], Any]:
    """Loads each series once, as a claim run does (``load_series``, the lenient policy)."""
    from backtest.data import load_series

    loaded: dict[str, Any] = {}

    def load(name: str) -> Any:
        if name not in loaded:
            loaded[name] = load_series(name, data_dir=data_dir, policy="lenient")
        return loaded[name]

    return load


def _claim_study(spec: Any, load: Callable[[str], Any], labels: Sequence[str]) -> Any:
    """The events of ``spec`` (a golden cross: ``check_reference_spec``) measured at ``labels``,
    as a claim run detects and measures them."""
    from backtest.claims.run import build_rules, build_source, horizons_of
    from backtest.events import run_event_study

    market = load(spec.series)
    rules = build_rules(spec, build_source(spec, load)).for_data(market.close.index, market.name)[0]
    return run_event_study(market, rules, horizons_of(tuple(labels)))


def _panel_costs(
    spec_path: str, sizes: Sequence[int], data_dir: str | Path | None, n_draws: int, n_paths: int
) -> dict[str, Any]:
    """The headline's own statistics (events, every test at ``n_draws`` and ``n_paths``, its
    primary test) timed warm in this process, then its robustness panel at each of ``sizes``
    specifications."""
    from backtest.claims.robustness import primary_kind, primary_test, robustness
    from backtest.defaults import DEFAULT_SEED
    from backtest.stats import analyze_events

    spec = _claim_spec(spec_path, data_dir)
    load = _claim_loader(data_dir)
    judged = spec.judged_horizons()

    def own_statistics() -> Any:
        study = _claim_study(spec, load, spec.claim.horizons)
        stats = analyze_events(
            study,
            n_draws=n_draws,
            n_paths=n_paths,
            seed=DEFAULT_SEED,
            claim=spec.claim.direction,
            claim_horizons=judged,
        )
        kind = primary_kind(spec, tuple(study.table["event_date"]))
        primary = primary_test(study, judged, kind=kind, claim=spec.claim.direction, alpha=stats.alpha)
        primary.evaluate()
        return primary, kind, stats.alpha

    own_statistics()  # loads the data and numba's kernels, which every timing below then finds
    started = time.perf_counter()
    primary, kind, alpha = own_statistics()
    own_s = time.perf_counter() - started

    def measure_neighbour(neighbour: Any) -> Any:
        return _claim_study(neighbour.spec, load, neighbour.spec.claim.horizons)

    rows = []
    for size in sizes:
        widened = dataclasses.replace(spec, robustness=_panel_settings(spec, primary.day_dates, size))
        started = time.perf_counter()
        panel = robustness(widened, primary, measure_neighbour, kind=kind, alpha=alpha)
        seconds = time.perf_counter() - started
        rows.append(
            {
                "asked": size,
                "specifications": len(panel.results),
                "wall_s": seconds,
                "per_specification_ms": 1e3 * seconds / len(panel.results),
                "ratio_to_claim": seconds / own_s,
            }
        )
    return {
        "spec": spec_path,
        "claim_statistics_s": own_s,
        "claim_statistics_draws": n_draws,
        "claim_statistics_paths": n_paths,
        "sizes": rows,
    }


def reference_primary_pvalue(
    close: pd.Series, fast: int, slow: int, start: str | None, horizons: Sequence[Any], *, greater: bool = True
) -> tuple[float, int]:
    """The joint circular-shift p-value of a golden cross (simple moving averages), recomputed
    from the closes in plain pandas and numpy: (p-value, events).

    Events: the fast average at or below the slow one on the day before and above it on the
    day (both defined), from ``start`` on. Every day from ``start`` to the last close is a
    sample day; its forward return over each of ``horizons`` (anything with ``days`` or
    ``months`` set, as ``backtest.events.Horizon``) runs from its close to the close that many
    trading days later, or to the first close on or after the date that many calendar months
    later (incomplete past the data: NaN). Each horizon's
    excess of the events' mean over the sample days' mean is standardised by the sample
    days' sd (ddof 1) and summed over horizons; the null is the same sum for the event rows
    shifted circularly by every s = 0 .. days-1 (Ernst et al.'s circular shift), and the
    p-value is the share of the null at or above the events' own sum."""
    fast_ma, slow_ma = close.rolling(fast).mean(), close.rolling(slow).mean()
    defined = fast_ma.notna() & slow_ma.notna() & fast_ma.shift().notna() & slow_ma.shift().notna()
    cross = defined & (fast_ma.shift() <= slow_ma.shift()) & (fast_ma > slow_ma)
    first = 0 if start is None else int(close.index.searchsorted(pd.Timestamp(start), side="left"))
    days = close.index[first:]
    values = close.to_numpy(dtype=float)
    forward = np.full((len(days), len(horizons)), np.nan)
    for j, horizon in enumerate(horizons):
        if horizon.days is not None:
            ends = np.arange(first, len(close)) + horizon.days
        else:
            ends = close.index.searchsorted(days + pd.DateOffset(months=horizon.months), side="left")
        complete = ends < len(close)
        forward[complete, j] = values[ends[complete]] / values[first:][complete] - 1.0
    rows = np.flatnonzero(cross.to_numpy()[first:])
    shifted = forward[(rows[:, None] + np.arange(len(days))[None, :]) % len(days)]  # events x shifts x horizons
    means = np.nanmean(shifted, axis=0)
    z = (means - np.nanmean(forward, axis=0)) / np.nanstd(forward, axis=0, ddof=1)
    total = (z if greater else -z).sum(axis=1)
    null = total[np.isfinite(total)]
    return float(np.mean(null >= total[0])), len(rows)


def check_reference_spec(spec: Any) -> None:
    """Raise ``ParameterError`` unless ``reference_primary_pvalue`` recomputes ``spec``'s
    claim: a golden cross of simple averages, unconfirmed, not de-clustered, entered at the
    close, measured on the whole series itself."""
    from backtest.errors import ParameterError

    event, rules = spec.event, spec.rules
    plain = (rules.confirm or 0) == 0 and (rules.min_gap or 0) == 0 and rules.entry in (None, "close")
    if not (event.kind == "ma_cross" and event.ma == "sma" and event.direction == "golden" and plain) or (
        spec.filters or spec.benchmark or rules.end or spec.daily_only
    ):
        raise ParameterError(
            f"{spec.origin}: the reference recomputes only a golden cross of simple averages (no confirmation, "
            "gap, filter, benchmark, end date or daily_only, entered at the close); put such a claim first"
        )


def _reference_comparison(spec_path: str, repeats: int, data_dir: str | Path | None) -> dict[str, Any]:
    """The headline's event detection and primary test, the library's and the reference's,
    timed in this process (medians of ``repeats`` after one warm-up each); raises when their
    p-values differ by more than 1e-12."""
    from backtest.claims.robustness import primary_test
    from backtest.claims.run import horizons_of
    from backtest.events import run_event_study
    from backtest.stats.verdict import GAINS

    spec = _claim_spec(spec_path, data_dir)
    check_reference_spec(spec)
    event = spec.event
    load = _claim_loader(data_dir)
    market = load(spec.series)
    judged = spec.judged_horizons()
    horizons = horizons_of(judged)
    rules = _claim_study(spec, load, judged).rules

    def library() -> tuple[float, int]:
        study = run_event_study(market, rules, horizons)
        primary = primary_test(study, judged, kind="joint_circular_shift_sum", claim=spec.claim.direction, alpha=0.05)
        return primary.evaluate().pvalue, study.n_events

    def reference() -> tuple[float, int]:
        return reference_primary_pvalue(
            market.close, event.fast, event.slow, rules.start, horizons, greater=spec.claim.direction == GAINS
        )

    timings: dict[str, list[float]] = {"library": [], "reference": []}
    answers = {}
    for name, function in (("library", library), ("reference", reference)):
        answers[name] = function()
        for _ in range(max(1, repeats)):
            started = time.perf_counter()
            function()
            timings[name].append(time.perf_counter() - started)
    (library_p, library_n), (reference_p, reference_n) = answers["library"], answers["reference"]
    if library_n != reference_n or not abs(library_p - reference_p) <= 1e-12:
        raise AssertionError(
            f"the reference disagrees with the library: {reference_n} events, p = {reference_p!r} against "
            f"{library_n} events, p = {library_p!r}"
        )
    library_s, reference_s = statistics.median(timings["library"]), statistics.median(timings["reference"])
    return {
        "spec": spec_path,
        "what": "event detection, forward returns at the judged horizons and the joint circular-shift test",
        "events": library_n,
        "library_pvalue": library_p,
        "reference_pvalue": reference_p,
        "same_pvalue": True,
        "library_s": library_s,
        "reference_s": reference_s,
        "library_walls_s": timings["library"],
        "reference_walls_s": timings["reference"],
        "speedup": reference_s / library_s if library_s else None,
    }


def run_claim_bench(
    specs: Sequence[str] = GALLERY_SPECS,
    *,
    repeats: int = 3,
    panel_sizes: Sequence[int] = PANEL_SIZES,
    n_draws: int | None = None,
    n_paths: int | None = None,
    n_power_paths: int | None = None,
    data_dir: str | Path | None = None,
    python: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Every measurement of ``backtest bench claim`` (module docstring) on ``specs``; the
    in-process panel and reference on the first of them, the headline (checked first:
    ``check_reference_spec``). n_draws, n_paths, n_power_paths: passed to every claim run
    (None: the claims' defaults; fewer make a quick check, not the issue's measurement)."""
    from backtest.claims.run import DEFAULT_N_DRAWS, DEFAULT_N_PATHS, DEFAULT_POWER_PATHS

    report = progress or (lambda _: None)
    python = python or sys.executable
    cwd = Path.cwd()
    specs = [str(spec) for spec in specs]
    headline = specs[0]
    check_reference_spec(_claim_spec(headline, data_dir))
    draws = DEFAULT_N_DRAWS if n_draws is None else n_draws
    paths = DEFAULT_N_PATHS if n_paths is None else n_paths
    power_paths = DEFAULT_POWER_PATHS if n_power_paths is None else n_power_paths
    options = ["--draws", str(draws), "--paths", str(paths), "--power-paths", str(power_paths)]
    with tempfile.TemporaryDirectory(prefix="backtest-bench-claim-") as folder:
        scratch = Path(folder)
        cache = scratch / "caches"
        claims = [_claim_runs(spec, repeats, python, cache, scratch, cwd, report, options) for spec in specs]
        report("claim run-all")
        run_all = _run_all(specs, python, cache, scratch, cwd, options)
    report("robustness panel sizes")
    panel = _panel_costs(headline, panel_sizes, data_dir, draws, paths)
    report("library against the reference")
    reference = _reference_comparison(headline, repeats, data_dir)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "benchmark": "claim",
        "command": "python -m backtest.cli claim run SPEC --output-dir TMP " + " ".join(options),
        "n_draws": draws,
        "n_paths": paths,
        "n_power_paths": power_paths,
        "method": "each claim run in a fresh subprocess on a warm numba and data cache (one unmeasured run of "
        "each claim fills them); answer_s = seconds from the start to the stdout line that opens with "
        f"{ANSWER_PREFIX!r} (stdout unbuffered), report_s = to the process's exit (the report written); medians "
        "of the repeats; cpu_s = user + system CPU seconds of the run in every thread, cpu_floor_s = cpu_s / cores, "
        "the shortest wall time the same work could take here; profile = cumulative seconds per stage of one more "
        "warm run under cProfile in every thread (overhead included, stages nested in others counted in both); "
        "run_all = one warm `claim run-all` over the same specs; robustness_panel = the headline's panel widened "
        "to about each size (its families while they fit, then peers of the series, cycled) timed in this "
        "process against the claim's own statistics (events, every test at n_draws and n_paths, the primary "
        "test); reference = the headline's detection and primary test in plain pandas/numpy "
        "(reference_primary_pvalue) against the library, same p-value to 1e-12",
        "repeats": repeats,
        "targets": TARGETS,
        "claims": claims,
        "run_all": run_all,
        "robustness_panel": panel,
        "reference": reference,
        "machine": {
            "cpus": cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_after": list(load) if load else None,
        },
    }


def bench_headline(result: dict[str, Any]) -> dict[str, Any]:
    """The few numbers the command prints."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "claims": {
            Path(claim["spec"]).stem: {
                key: rounded(claim[key]) for key in ("answer_s", "report_s", "cpu_s", "cpu_floor_s")
            }
            for claim in result["claims"]
        },
        "run_all_s": rounded(result["run_all"]["wall_s"]),
        "robustness_panel": {
            row["specifications"]: rounded(row["wall_s"]) for row in result["robustness_panel"]["sizes"]
        },
        "claim_statistics_s": rounded(result["robustness_panel"]["claim_statistics_s"]),
        "reference": {key: result["reference"][key] for key in ("library_pvalue", "reference_pvalue", "speedup")},
        "load_average_after": result["machine"]["load_average_after"],
    }
