"""The benchmarks' page: the JSON files of ``backtest bench`` as one table and one chart.

``bench_rows(payloads)`` reads the numbers a person looks for in each benchmark's JSON
(``montecarlo``, ``sweep``, ``scaling``, ``study``, ``claim``: whichever are given), one row per
comparison of ours with its reference (numpy, arch, vectorbt) or with its target;
``bench_markdown(rows, sources)`` fills ``templates/bench.md.j2`` with them and
``speedup_figure(rows)`` draws the speed-ups as bars. Nothing is measured or computed here
but ratios the JSON already holds; ``backtest.bench.page`` writes the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from backtest.report.render import MarkdownFragment, markdown_table

SPEEDUP_FIGURE = "speedups.png"


@dataclass(frozen=True)
class BenchRow:
    """One comparison: what was timed, ours and the reference with their times (seconds),
    the speed-up (reference / ours, None for a row measured against a target) and what was
    checked beside the timing."""

    benchmark: str
    what: str
    ours: str
    ours_s: float | None
    reference: str
    reference_s: float | None
    speedup: float | None
    check: str


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value:,.2f} s" if value < 100 else f"{value:,.0f} s"


def _get(payload: Mapping[str, Any], *keys: str) -> Any:
    node: Any = payload
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _timing(timings: Sequence[Mapping[str, Any]], implementation: str) -> Mapping[str, Any]:
    return next((t for t in timings if t.get("implementation") == implementation), {})


def _montecarlo_rows(payload: Mapping[str, Any]) -> list[BenchRow]:
    rows = []
    entry = payload.get("random_entry") or {}
    draws = _get(entry, "parameters", "n_draws")
    numba, choice = _timing(entry.get("timings", []), "numba"), _timing(entry.get("timings", []), "numpy-choice")
    if numba and choice:
        rows.append(
            BenchRow(
                "montecarlo",
                f"random-entry Monte Carlo, {draws:,} draws of k = {_get(entry, 'parameters', 'k')} days"
                if draws
                else "random-entry Monte Carlo",
                "numba kernel",
                numba.get("warm_seconds"),
                "numpy Generator.choice loop",
                choice.get("warm_seconds") * draws / choice["work"] if draws and choice.get("work") else None,
                _get(payload, "speedup_warm", "numba_vs_numpy_choice"),
                "same null mean and sd as the analytic values",
            )
        )
    bootstrap = payload.get("bootstrap_indices") or {}
    loop, arch = _timing(bootstrap.get("timings", []), "numba-loop"), _timing(bootstrap.get("timings", []), "arch")
    if loop and arch:
        rows.append(
            BenchRow(
                "montecarlo",
                f"stationary-bootstrap indices, {_get(bootstrap, 'parameters', 'n_replications'):,} replications",
                "numba, one call per replication",
                loop.get("warm_seconds"),
                "arch StationaryBootstrap",
                arch.get("warm_seconds"),
                _get(payload, "speedup_warm", "numba_loop_vs_arch"),
                "same mean block length",
            )
        )
    return rows


def _sweep_rows(payload: Mapping[str, Any]) -> list[BenchRow]:
    rows = []
    grid = payload.get("grid_vs_vectorbt") or {}
    if "vectorbt" in grid:
        agreement = grid.get("agreement") or {}
        counts = "identical event counts" if agreement.get("identical_event_counts") else "event counts differ"
        returns = (
            "identical forward returns on common days"
            if agreement.get("identical_forward_returns_on_common_days")
            else "forward returns differ"
        )
        rows.append(
            BenchRow(
                "sweep",
                f"events and forward returns of {grid.get('pairs', 0):,} moving-average pairs",
                "our sweep",
                _get(grid, "ours", "wall_s"),
                "vectorbt",
                _get(grid, "vectorbt", "wall_s"),
                grid.get("speedup"),
                f"{counts}; {returns}; memory {grid.get('memory_ratio', 0):,.0f}x less",
            )
        )
    spa = payload.get("spa_vs_arch") or {}
    if spa:
        rows.append(
            BenchRow(
                "sweep",
                f"SPA test, {spa.get('pairs', 0):,} pairs x {spa.get('reps', 0):,} replications",
                "our SPA",
                _get(spa, "ours", "wall_s"),
                "arch SPA",
                _get(spa, "arch", "wall_s"),
                spa.get("speedup"),
                f"p-values within {spa.get('max_abs_pvalue_diff', 0):.3f} (identical on the same resamples)"
                if spa.get("max_abs_pvalue_diff_same_resamples") == 0
                else f"p-values within {spa.get('max_abs_pvalue_diff', 0):.3f}",
            )
        )
    full = payload.get("full_sweep") or {}
    if full:
        target = _get(full, "targets", "wall_s")
        rows.append(
            BenchRow(
                "sweep",
                f"the full sweep, {full.get('pairs', 0):,} pairs with every test",
                "our sweep",
                full.get("wall_s"),
                "target",
                target,
                None,
                f"peak memory {full.get('process_peak_mb', 0):,.0f} MB (target {_get(full, 'targets', 'process_peak_mb'):,.0f} MB)"
                if _get(full, "targets", "process_peak_mb")
                else "",
            )
        )
    return rows


def _scaling_rows(payload: Mapping[str, Any]) -> list[BenchRow]:
    rows = []
    multi = payload.get("multi_series") or {}
    for kind in ("dask", "processes"):
        one, two = _get(multi, kind, "1"), _get(multi, kind, "2")
        if one and two:
            rows.append(
                BenchRow(
                    "scaling",
                    f"{multi.get('what', 'many series')} ({kind})",
                    "2 workers",
                    two.get("wall_s"),
                    "1 worker",
                    one.get("wall_s"),
                    two.get("speedup"),
                    f"parallel efficiency {two.get('efficiency', 0):.0%}"
                    + ("; identical results" if payload.get("identical_results") else ""),
                )
            )
    return rows


def _study_rows(payload: Mapping[str, Any]) -> list[BenchRow]:
    rows = []
    for state, key in (("cold", "cold_median_s"), ("warm", "warm_median_s")):
        if payload.get(key) is not None:
            rows.append(
                BenchRow(
                    "study",
                    f"backtest study {payload.get('study', '')}, {state} "
                    + ("(numba compiles every kernel)" if state == "cold" else "(numba cache filled)"),
                    "the whole study",
                    payload[key],
                    "target",
                    _get(payload, "targets", f"{state}_s"),
                    None,
                    "each run in a fresh process",
                )
            )
    return rows


def _claim_rows(payload: Mapping[str, Any]) -> list[BenchRow]:
    rows = []
    targets = payload.get("targets") or {}
    for claim in payload.get("claims") or []:
        name = str(claim.get("spec", "")).rsplit("/", 1)[-1].removesuffix(".toml")
        rows.append(
            BenchRow(
                "claim",
                f"backtest claim run {name}, warm: the finished report",
                "the whole claim",
                claim.get("report_s"),
                "target",
                targets.get("report_s"),
                None,
                f"answer printed at {_seconds(claim.get('answer_s'))} (target {_seconds(targets.get('answer_s'))}); "
                f"CPU floor {_seconds(claim.get('cpu_floor_s'))}",
            )
        )
    run_all = payload.get("run_all") or {}
    if run_all:
        rows.append(
            BenchRow(
                "claim",
                f"backtest claim run-all, {run_all.get('specs', 0)} claim{'' if run_all.get('specs') == 1 else 's'}, warm",
                "every claim",
                run_all.get("wall_s"),
                "target",
                targets.get("run_all_s"),
                None,
                f"CPU floor {_seconds(run_all.get('cpu_floor_s'))}",
            )
        )
    panel = payload.get("robustness_panel") or {}
    sizes = panel.get("sizes") or []
    if sizes:
        rows.append(
            BenchRow(
                "claim",
                "the headline's robustness panel at "
                + ", ".join(f"{row['specifications']:,}" for row in sizes)
                + " specifications",
                f"panel of {sizes[-1]['specifications']:,}",
                sizes[-1].get("wall_s"),
                "the claim's own statistics",
                panel.get("claim_statistics_s"),
                None,
                "; ".join(f"{row['specifications']:,}: {_seconds(row.get('wall_s'))}" for row in sizes),
            )
        )
    reference = payload.get("reference") or {}
    if reference:
        rows.append(
            BenchRow(
                "claim",
                f"the headline's event detection and joint circular-shift test, {reference.get('events', 0)} events",
                "library",
                reference.get("library_s"),
                "plain pandas/numpy",
                reference.get("reference_s"),
                reference.get("speedup"),
                f"same p-value ({reference.get('library_pvalue', 0):.4f})"
                if reference.get("same_pvalue")
                else "p-values differ",
            )
        )
    return rows


def _universe_rows(payload: Mapping[str, Any]) -> list[BenchRow]:
    universe = payload.get("universe") or {}
    size = f"{universe.get('series', 0):,} series x {universe.get('years', 0):g} years"
    local, dask = payload.get("in_process") or {}, payload.get("dask") or {}
    rows = [
        BenchRow(
            "universe",
            f"pooled event study streamed series by series, {size}, {universe.get('events', 0):,} events",
            f"Dask, {_get(dask, 'executor', 'workers') or '?'} workers",
            dask.get("wall_s"),
            "this process",
            local.get("wall_s"),
            None,  # workers against this process, not against a peer: kept out of the speed-up chart
            ("identical results" if payload.get("identical_results") else "results differ")
            + f"; peak memory {local.get('peak_mb') or 0:,.0f} MB here, all closes {universe.get('all_closes_mb', 0):,.0f} MB",
        )
    ]
    reference = payload.get("reference") or {}
    if reference:
        rows.append(
            BenchRow(
                "universe",
                f"market-model CARs, {reference.get('series', 0)} series",
                "per-series step",
                reference.get("ours_s"),
                "plain pandas loop",
                reference.get("pandas_s"),
                reference.get("speedup"),
                f"largest CAR difference {reference.get('max_abs_car_difference') or 0:.1e}",
            )
        )
    return rows


BENCHMARKS = {
    "montecarlo": _montecarlo_rows,
    "sweep": _sweep_rows,
    "scaling": _scaling_rows,
    "study": _study_rows,
    "claim": _claim_rows,
    "universe": _universe_rows,
}
"""Each benchmark's JSON (``results/bench/<name>.json``) and how its rows are read."""


def bench_rows(payloads: Mapping[str, Mapping[str, Any]]) -> list[BenchRow]:
    """The rows of every benchmark given (name -> its JSON), in ``BENCHMARKS`` order."""
    rows: list[BenchRow] = []
    for name, read in BENCHMARKS.items():
        if name in payloads:
            rows += read(payloads[name])
    return rows


def bench_table(rows: Sequence[BenchRow]) -> str:
    """The page's table: one row per comparison, times in seconds or milliseconds."""
    frame = pd.DataFrame(
        {
            "what was timed": [row.what for row in rows],
            "ours": [row.ours for row in rows],
            "time": [_seconds(row.ours_s) for row in rows],
            "against": [row.reference for row in rows],
            "its time": [_seconds(row.reference_s) for row in rows],
            "speed-up": [
                f"{row.speedup:,.0f}x"
                if row.speedup and row.speedup >= 10
                else (f"{row.speedup:.1f}x" if row.speedup else "–")
                for row in rows
            ],
            "checked": [row.check or "–" for row in rows],
        }
    )
    return markdown_table(frame)


def speedup_figure(rows: Sequence[BenchRow]) -> Any:
    """Horizontal bars of each comparison with another library (log scale), labelled: how
    many times faster ours ran than its reference. None when no row has one."""
    import matplotlib.pyplot as plt

    from backtest.report import style
    from backtest.report.figures import _STYLE

    # ours against another library on the same work (the workers' speed-up and the claim's
    # plain-pandas reference, a check of the same answer rather than a library replaced, are in the table)
    shown = [row for row in rows if row.speedup and row.benchmark not in ("scaling", "claim")]
    if not shown:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.55 * len(shown) + 1.4))
        labels = [f"{row.ours} vs {row.reference}" for row in shown]
        values = [float(row.speedup or 0.0) for row in shown]
        positions = range(len(shown))[::-1]
        ax.barh(list(positions), values, color=style.OKABE_ITO["blue"], height=0.6)
        for y, value in zip(positions, values):
            ax.annotate(f"{value:,.0f}x" if value >= 10 else f"{value:.1f}x", (value, y), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=9)  # fmt: skip
        ax.set_yticks(list(positions), labels, fontsize=9)
        ax.set_xscale("log")
        ax.set_xlim(1, max(values) * 4)
        ax.axvline(1, color="black", lw=0.8)
        ax.set_xlabel("times faster than the reference (warm, log scale)")
        ax.set_title("How many times faster ours ran than the library it replaces")
        fig.tight_layout()
    return fig


def bench_markdown(rows: Sequence[BenchRow], sources: Mapping[str, Mapping[str, Any]], figure: bool) -> str:
    """The page's Markdown: the table, the chart (``figure``: whether it was drawn), the
    machine and the JSON files it was read from."""
    from backtest.report.render import template_environment

    machine = next((payload.get("machine") for payload in sources.values() if payload.get("machine")), None) or {}
    environment = _get(sources.get("montecarlo", {}), "environment") or {}
    return str(
        template_environment()
        .get_template("bench.md.j2")
        .render(
            table=MarkdownFragment(bench_table(rows)),
            figure=SPEEDUP_FIGURE if figure else "",
            files=[f"{name}.json" for name in BENCHMARKS if name in sources],
            cpus=machine.get("cpus") or environment.get("cpu_count"),
            platform=machine.get("platform", ""),
            python=machine.get("python") or environment.get("python", ""),
        )
    )
