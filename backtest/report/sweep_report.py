"""Files of a sweep: tidy Parquet/CSV table, heatmaps, Markdown/HTML summary, summary.json.

The summary opens with the answer (``answer_lines``: does any pair beat random entry once
the search is accounted for, and from when events were counted); heatmaps are drawn by
``plot_sweep_heatmap(..., ax=)`` from the tidy table and are interactive in summary.html.

``write_sweep_report(result, directory)`` renders a computed ``SweepResult`` (it computes no
statistic) and swaps the whole directory into place only when every file is written, so an
interrupted run leaves the previous results, or nothing, never a partial directory; it
replaces only a sweep report of the same name (``backtest._io.report_directory``).
``MultiSweepReport`` does the same for many series (per-series tables streamed in as each
series finishes). Every file is a deterministic function of the results (same seed and
inputs, same bytes, whichever executor computed them).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from backtest._io import report_directory
from backtest._json import dumps, plain
from backtest.report import style
from backtest.report.render import figure_png, markdown_table, markdown_text, markdown_to_html
from backtest.report.summary import provenance_records
from backtest.sweep.engine import COLUMNS, SweepResult
from backtest.sweep.snooping import DETECTION_POWER

if TYPE_CHECKING:
    from backtest.sweep.multi import MultiSweepResult

TABLE_FILE = "pairs.parquet"
CSV_FILE = "pairs.csv"
JSON_FILE = "summary.json"
MARKDOWN_FILE = "summary.md"
HTML_FILE = "summary.html"


def heatmap_file(label: str) -> str:
    return f"heatmap_{label}.png"


def parquet_bytes(frame: pd.DataFrame, level: int = 19) -> bytes:
    """Parquet bytes without run-dependent metadata: no index, fixed writer options; pyarrow
    writes no timestamp, only the schema and its own version string."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(
        table, buffer, compression="zstd", compression_level=level, write_statistics=False, use_dictionary=["horizon"]
    )
    return buffer.getvalue()


TOP_COLUMNS = [
    "fast",
    "slow",
    "n_complete",
    "mean_return",
    "median_return",
    "hit_rate",
    "mean_excess_return",
    "random_entry_pvalue",
    "romano_wolf_pvalue",
]


TOP_COLUMN_WORDS = {
    "fast": "fast",
    "slow": "slow",
    "n_complete": "complete windows",
    "mean_return": "mean return",
    "median_return": "median return",
    "hit_rate": "share of windows up",
    "mean_excess_return": "excess over random entry",
    "random_entry_pvalue": "random-entry p",
    "romano_wolf_pvalue": "Romano-Wolf p",
    "horizon": "horizon",
}
"""The summary's table headers in words; summary.json and the Parquet table keep the field names."""


def _in_words(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=TOP_COLUMN_WORDS)


def summary_dict(result: SweepResult, top: int = 10) -> dict[str, object]:
    """Everything of summary.json: parameters, tests per horizon, the top pairs."""
    out = result.to_dict()
    out["columns"] = COLUMNS
    out["top_pairs"] = {
        h.label: result.top(h.label, top)[TOP_COLUMNS].to_dict(orient="records") for h in result.horizons
    }
    if result.provenance is not None:
        out["provenance"] = provenance_records(result.provenance)
    return plain(out)  # type: ignore[return-value]


def plot_sweep_heatmap(
    fast: np.ndarray,
    slow: np.ndarray,
    values_pct: np.ndarray,
    *,
    title: str,
    best: tuple[int, int] | None = None,
    reference: tuple[int, int] | None = None,
    survivors: Sequence[tuple[int, int]] = (),
    value_label: str = "mean excess return over random entry (%)",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Heatmap of ``values_pct`` (rows: ``fast`` windows, columns: ``slow``; NaN blank),
    symmetric colour scale around 0, with the Romano-Wolf ``survivors`` dotted, the
    ``best`` pair starred and the ``reference`` pair circled; the legend sits below the
    axes so it never hides a cell. Returns the axes (alphalens style: pass ``ax=``)."""
    if ax is None:
        ax = plt.subplots(figsize=(9.0, 6.6))[1]
    values = np.asarray(values_pct, dtype=float)
    limit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
    limit = limit if limit > 0 else 1.0

    def edges(centres: np.ndarray) -> np.ndarray:
        centres = np.asarray(centres, dtype=float)
        if len(centres) == 1:
            return np.array([centres[0] - 0.5, centres[0] + 0.5])
        middle = (centres[:-1] + centres[1:]) / 2.0
        return np.concatenate(
            [[centres[0] - (middle[0] - centres[0])], middle, [centres[-1] + (centres[-1] - middle[-1])]]
        )

    mesh = ax.pcolormesh(
        edges(slow), edges(fast), values, cmap=style.DIVERGING_CMAP, vmin=-limit, vmax=limit, shading="flat"
    )
    colorbar = ax.figure.colorbar(mesh, ax=ax)
    colorbar.set_label(value_label)
    if survivors:
        ax.scatter(
            [s for _, s in survivors],
            [f for f, _ in survivors],
            s=6,
            c="black",
            marker="s",
            linewidths=0,
            label="survives Romano-Wolf (FWER 5%)",
        )
    if best is not None:
        ax.scatter(
            [best[1]],
            [best[0]],
            s=260,
            marker="*",
            color=style.OKABE_ITO["yellow"],
            edgecolors="black",
            linewidths=1.2,
            zorder=5,
            label=f"best pair {best[0]}/{best[1]}",
        )
    if reference is not None:
        ax.scatter(
            [reference[1]],
            [reference[0]],
            s=160,
            facecolors="none",
            edgecolors="black",
            linewidths=2.0,
            zorder=5,
            label=f"{reference[0]}/{reference[1]}",
        )
        ax.annotate(
            f"{reference[0]}/{reference[1]}",
            (reference[1], reference[0]),
            xytext=(9, 7),
            textcoords="offset points",
            fontsize=10,
            fontweight="bold",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    ax.set_xlabel("slow moving-average window (trading days)")
    ax.set_ylabel("fast moving-average window (trading days)")
    ax.set_title(title, fontsize=11)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=9, frameon=False)
    return ax


def heatmap_figure(result: SweepResult, label: str) -> plt.Figure:
    """The heatmap of one horizon of a sweep (``plot_sweep_heatmap`` on its tidy table)."""
    from backtest.report.interactive import sweep_heatmap_grid, sweep_marks

    fast, slow, grid = sweep_heatmap_grid(result, label)
    best, reference, survivors = sweep_marks(result, label)
    rules = result.rules
    fig, ax = plt.subplots(figsize=(9.0, 6.8))
    plot_sweep_heatmap(
        fast,
        slow,
        grid,
        best=best,
        reference=reference,
        survivors=survivors,
        ax=ax,
        title=f"{result.series_name}: {rules.ma.upper()} {rules.direction} crosses, {label} forward return\n"
        f"mean over events minus the unconditional mean; events {_event_span(result)}",
    )
    fig.tight_layout()
    return fig


def _event_span(result: SweepResult) -> str:
    start = result.rules.start if result.rules.start is not None else result.first_date
    end = result.rules.end if result.rules.end is not None else result.last_date
    return f"{start.date()} to {min(end, result.last_date).date()}"


def _fmt_pct(value: object) -> str:
    return f"{float(value) * 100:.2f}%"  # type: ignore[arg-type]


def _fmt_pp(value: object) -> str:
    """A difference of two returns in percentage points."""
    return f"{float(value) * 100:+.2f} pp"  # type: ignore[arg-type]


def _fmt_p(value: object) -> str:
    return f"{float(value):.3f}"  # type: ignore[arg-type]


STUDIES_START_NOTE = (
    "the event studies (`backtest study`, `backtest claim run` on `studies/*.toml`) count from their "
    "spec's `start` instead (1985-01-01 for the Russell 2000 studies), so they find fewer events "
    "for the same pair"
)
"""Where the detection start of the studies differs from a sweep's default (said in every sweep summary)."""


def detection_start_text(result: SweepResult) -> str:
    """From when the sweep counted events, and why (its default differs from the studies')."""
    if result.rules.start is not None:
        return f"Events are counted from {result.rules.start.date()} (--since)."
    return (
        f"Events are counted from the start of the data, {result.first_date.date()} (the sweep's default: no "
        f"--since); {STUDIES_START_NOTE}."
    )


def _best_excess(result: SweepResult, label: str, pair: tuple[int, int]) -> float:
    rows = result.table.loc[
        (result.table["horizon"] == label) & (result.table["fast"] == pair[0]) & (result.table["slow"] == pair[1]),
        "mean_excess_return",
    ]
    return float(rows.iloc[0]) if len(rows) else float("nan")


def answer_lines(result: SweepResult) -> list[str]:
    """The answer in plain words: does any pair beat random entry once the search over the
    whole grid is accounted for (SPA, Hansen 2005), and where the reference pair stands."""
    alpha = result.alpha
    ref = f"{result.reference[0]}/{result.reference[1]}"
    if not result.tests:
        return [
            f"No data-snooping test was run (0 bootstrap replications): the table ranks {result.grid.describe()} "
            "pairs by mean excess return, without a verdict.",
            detection_start_text(result),
        ]
    beating = [t.horizon for t in result.tests if t.best_pair and t.pvalue <= alpha]
    pairs = max(t.n for t in result.tests)
    if beating:
        verdict = (
            (
                f"At {', '.join(beating)}, the best pair beats random entry even after accounting for the search "
                f"over {pairs:,} pairs (SPA p ≤ {alpha:.0%}); at the other horizons no pair does."
            )
            if len(beating) < len(result.tests)
            else (
                f"At every horizon the best pair beats random entry even after accounting for the search "
                f"over {pairs:,} pairs (SPA p ≤ {alpha:.0%})."
            )
        )
    else:
        verdict = (
            f"No pair beats random entry once the search over {pairs:,} pairs is accounted for: SPA p > "
            f"{alpha:.0%} at every horizon. The best pairs below are what the search found, not a signal."
        )
    lines = [f"**Answer: {verdict}**", ""]
    for test in result.tests:
        rank = result.reference_rank(test.horizon)
        best = test.best_pair
        best_text = (
            f"best pair {best[0]}/{best[1]}, mean excess {_best_excess(result, test.horizon, best) * 100:+.2f}% "
            f"over random entry (SPA p = {test.pvalue:.3f}, {test.n_survivors} pair(s) survive Romano-Wolf)"
            if best
            else "no pair with complete events"
        )
        ref_text = (
            ""
            if rank["reference_rank"] is None
            else f"; {ref} ranks {rank['reference_rank']} of {test.n} (percentile {rank['reference_percentile']:.0f})"
        )
        lines.append(f"- {test.horizon}: {best_text}{ref_text}.")
    lines += ["", *power_lines(result), "", detection_start_text(result)]
    return lines


def power_lines(result: SweepResult) -> list[str]:
    """How large a true excess of the reference pair the search could have seen (80% power,
    ``SnoopingTest.detectable_excess``), beside what a test of that pair alone would need:
    "no pair beats random entry" rules out effects of that size, not smaller ones."""
    tracked = [t for t in result.tests if t.tracked_pair is not None and math.isfinite(t.detectable_excess)]
    if not tracked:
        return []
    ref = f"{result.reference[0]}/{result.reference[1]}"
    power, alpha = tracked[0].power, result.alpha
    searched = ", ".join(f"{t.detectable_excess * 100:+.1f} pp at {t.horizon}" for t in tracked)
    alone = ", ".join(f"{t.detectable_excess_alone * 100:+.1f} pp" for t in tracked)
    return [
        f"**What the search could have seen.** With {power:.0%} power at {alpha:.0%}, the Reality Check over "
        f"the whole grid detects a true {ref} mean excess of {searched} (the SPA needs at most as much); "
        f'tested alone, {ref} would need {alone}. Looking at every pair raises the bar. A "no" here speaks '
        f"against {ref} effects of that size ({power:.0%} of the time they would have been found), and says "
        "nothing about smaller ones."
    ]


def _how_to_read() -> list[str]:
    """The "How to read this report" section, from the include every report shares."""
    from backtest.report.claim_report import _environment

    text = (
        _environment()
        .get_template("_how_to_read.md.j2")
        .render(report_kind="sweep", markdown_page=MARKDOWN_FILE, html_page=HTML_FILE)
    )
    return ["## How to read this report", "", text.strip(), ""]


def summary_markdown(result: SweepResult, top: int = 10, csv: bool = False) -> str:
    """The human summary: settings, the tests per horizon, heatmaps and the top pairs; its
    list of files names those the report writes (``csv``: the CSV table too)."""
    rules = result.rules
    tests = result.tests_frame()
    if tests.empty:
        tests = pd.DataFrame(
            columns=[
                "horizon",
                "n",
                "best_fast",
                "best_slow",
                "statistic",
                "reality_check_pvalue",
                "pvalue",
                "spa_lower_pvalue",
                "n_survivors",
                "reference_rank",
                "reference_percentile",
                "mean_block",
            ]
        )
    lines = [
        f"# Parameter sweep: {markdown_text(result.series_name)}, {rules.ma.upper()} {rules.direction} crosses",
        "",
        "## Answer in brief",
        "",
        *answer_lines(result),
        "",
        "## Settings",
        "",
        f"- Data: {result.first_date.date()} to {result.last_date.date()} ({result.n_closes:,} closes)"
        + (f", sha256 `{result.data_sha256[:16]}…`" if result.data_sha256 else ""),
        f"- Grid: {result.grid.describe()}",
        f"- Rules: {rules.ma.upper()} {rules.direction} crosses; {markdown_text(rules.describe().split(', ', 1)[-1])}",
        f"- Random-entry p-values: {result.null_draws:,} draws of k eligible days without replacement per distinct "
        "event count k; one-sided, (1 + #null >= observed) / (1 + draws).",
        f"- Data snooping: one stationary bootstrap over days shared by every pair (Politis & Romano 1994; "
        f"Sullivan, Timmermann & White 1999), {result.reps:,} replications, seed {result.seed}; "
        f"{'studentised' if result.studentize else 'non-studentised maximum, as arch.bootstrap.SPA computes it'}. "
        "Reality Check: White (2000); SPA (consistent): Hansen (2005); stepdown: Romano & Wolf (2005), "
        f"FWER {result.alpha:.0%}.",
        "- Returns are fractions of the entry close shown in %; excess = mean over the pair's events minus the "
        "mean over every eligible day of the same window (random entry).",
        "",
        *_how_to_read(),
        "## Does the best pair beat random entry?",
        "",
    ]
    table = tests[
        [
            "horizon",
            "n",
            "best_fast",
            "best_slow",
            "statistic",
            "reality_check_pvalue",
            "pvalue",
            "spa_lower_pvalue",
            "n_survivors",
            "reference_rank",
            "reference_percentile",
            "mean_block",
        ]
    ].copy()
    table.columns = [
        "horizon",
        "pairs",
        "best fast",
        "best slow",
        "best excess" if not result.studentize else "best t",
        "Reality Check p",
        "SPA p (consistent)",
        "SPA p (lower)",
        "Romano-Wolf survivors",
        f"{result.reference[0]}/{result.reference[1]} rank",
        f"{result.reference[0]}/{result.reference[1]} percentile",
        "mean block (days)",
    ]
    best_format = _fmt_pct if not result.studentize else (lambda v: f"{float(v):.2f}")
    lines.append(
        markdown_table(
            table,
            {
                "best excess": best_format,
                "best t": best_format,
                "Reality Check p": _fmt_p,
                "SPA p (consistent)": _fmt_p,
                "SPA p (lower)": _fmt_p,
                f"{result.reference[0]}/{result.reference[1]} percentile": ".1f",
                "mean block (days)": ".0f",
            },
        )
    )
    lines += [
        "",
        "A small p-value says the best pair of the whole grid beats random entry even after accounting for "
        "having looked at every pair; the percentile places the reference pair among all pairs by mean excess "
        "return (100 = best).",
    ]
    formats: dict[str, Any] = {
        TOP_COLUMN_WORDS[name]: fmt
        for name, fmt in {
            "horizon": str,
            "mean_return": _fmt_pct,
            "median_return": _fmt_pct,
            "hit_rate": lambda v: f"{float(v):.0%}",
            "mean_excess_return": _fmt_pct,
            "random_entry_pvalue": _fmt_p,
            "romano_wolf_pvalue": _fmt_p,
        }.items()
    }
    ref_fast, ref_slow = result.reference
    own = result.table.loc[(result.table["fast"] == ref_fast) & (result.table["slow"] == ref_slow)]
    if len(own):
        lines += [
            "",
            f"## The {ref_fast}/{ref_slow} pair",
            "",
            markdown_table(_in_words(own[["horizon", *TOP_COLUMNS[2:]]]), formats),
        ]
        detectable = pd.DataFrame(
            [
                {
                    "horizon": t.horizon,
                    "measured excess": _best_excess(result, t.horizon, result.reference),
                    "detectable, whole search": t.detectable_excess,
                    "detectable, this pair alone": t.detectable_excess_alone,
                }
                for t in result.tests
                if t.tracked_pair is not None
            ]
        )
        if len(detectable):
            power = result.tests[0].power
            lines += [
                "",
                f"True mean excess the Reality Check detects with {power:.0%} power at {result.alpha:.0%} "
                "(bootstrap over the same replications; the SPA needs at most as much):",
                "",
                markdown_table(
                    detectable,
                    {
                        "measured excess": _fmt_pp,
                        "detectable, whole search": _fmt_pp,
                        "detectable, this pair alone": _fmt_pp,
                    },
                ),
            ]
    survivors = {test.horizon: test.n_survivors for test in result.tests}
    for horizon in result.horizons:
        label = horizon.label
        kept = f"{survivors[label]} pair(s) survive" if label in survivors else "no bootstrap was run"
        lines += [
            "",
            f"## {label} forward returns",
            "",
            f"![{label} heatmap]({heatmap_file(label)})",
            "",
            f"Top {top} pairs by mean excess return (Romano-Wolf adjusted p-values; {kept} at {result.alpha:.0%}):",
            "",
            markdown_table(_in_words(result.top(label, top)[TOP_COLUMNS]), formats),
        ]
    lines += [
        "",
        "## Files",
        "",
        f"- `{TABLE_FILE}`: one row per (pair, horizon); columns are described in `{JSON_FILE}` (`columns`).",
        *([f"- `{CSV_FILE}`: the same table as CSV."] if csv else []),
        f"- `{JSON_FILE}`: settings, tests and top pairs, machine-readable.",
        f"- `{MARKDOWN_FILE}` and `{HTML_FILE}`: this summary (the HTML page with interactive heatmaps).",
        f"- Heatmaps: {', '.join(f'`{heatmap_file(h.label)}`' for h in result.horizons)}.",
        "",
    ]
    return "\n".join(lines)


def write_sweep_report(
    result: SweepResult, directory: str | Path, csv: bool = False, top: int = 10, kind: str = "sweep"
) -> Path:
    """Write every output file of ``result`` into ``directory`` atomically; return it.

    kind: the report kind its manifest records ("study" for a sweep that is a study, so
    that `backtest sweep --name` never replaces it by accident)."""
    target = Path(directory)
    with report_directory(target, kind=kind) as staging:
        (staging / TABLE_FILE).write_bytes(parquet_bytes(result.table))
        if csv:
            (staging / CSV_FILE).write_text(
                result.table.to_csv(index=False, float_format="%.10g", lineterminator="\n"), encoding="utf-8"
            )
        figures = {
            heatmap_file(horizon.label): figure_png(heatmap_figure(result, horizon.label))
            for horizon in result.horizons
        }
        for name, png in figures.items():
            (staging / name).write_bytes(png)
        markdown = summary_markdown(result, top, csv=csv)
        (staging / MARKDOWN_FILE).write_text(markdown, encoding="utf-8")
        title = f"Parameter sweep: {result.series_name}"
        from backtest.report.interactive import sweep_blocks

        interactive = sweep_blocks(result, heatmap_file)
        (staging / HTML_FILE).write_text(
            markdown_to_html(markdown, title, figures=figures, interactive=interactive), encoding="utf-8"
        )
        text = dumps(summary_dict(result, top))
        (staging / JSON_FILE).write_text(text, encoding="utf-8")
    return target


# ---------------------------------------------------------------------------------------
# Many series
# ---------------------------------------------------------------------------------------

SERIES_TABLE_FILE = "series.parquet"
SERIES_CSV_FILE = "series.csv"
PAIRS_DIR = "pairs"
PAIRS_CSV_DIR = "pairs_csv"
PAIRS_COMPRESSION_LEVEL = 9
"""zstd level of the per-series tables of a multi-series sweep. Level 19 (single-series
reports) takes ~2 s per 118,000-row table, level 9 ~0.1 s for a file 0.6% larger: the
driver writes every series' table, so at 19 it would limit a cluster to about as many
workers as 2 s fit into one series' compute time."""


def series_pairs_frame(result: SweepResult) -> pd.DataFrame:
    """One series' per-(pair, horizon) table with the series name as first column."""
    frame = result.table.copy()
    frame.insert(0, "series", result.series_name)
    return frame


def multi_answer_lines(multi: MultiSweepResult) -> list[str]:
    """The answer in plain words, one bullet per horizon: in how many series the best pair
    beat random entry after accounting for the whole grid (SPA), against chance."""
    ref = f"{multi.reference[0]}/{multi.reference[1]}"
    lines = []
    for row in multi.summary_table.itertuples(index=False):
        n = int(row.n_series)
        if pd.isna(row.series_spa_below_alpha):
            lines.append(
                f"- **{row.horizon}**: no data-snooping test was run (`--reps 0`): the best pair of each of the "
                f"{n} series is not judged against the whole grid."
            )
            continue
        spa = int(row.series_spa_below_alpha)
        chance = float(row.expected_by_chance)
        verdict = "no more than chance" if spa <= chance else "more than chance would give"
        lines.append(
            f"- **{row.horizon}**: the best pair beat random entry (SPA p <= {multi.alpha:g}) in {spa} of {n} series, "
            f"{verdict} (about {chance:.1f} expected with no signal anywhere); {ref} survived the Romano-Wolf "
            f"stepdown in {int(row.reference_survives)} series."
        )
    detectable = multi.series_table.groupby("horizon", sort=False)["reference_detectable_excess"].median().dropna()
    if len(detectable):
        levels = ", ".join(f"{value * 100:+.1f} pp at {label}" for label, value in detectable.items())
        lines.append(
            f"- What each search could have seen: a true {ref} mean excess of {levels} (median over the series) "
            f"is found by a series' Reality Check over the grid with {DETECTION_POWER:.0%} power; smaller effects "
            "may go unseen."
        )
    lines.append(
        "- Nothing here corrects across series; a single series' verdict is in its own row below. "
        f"Events are counted from {rules_start(multi.rules)}."
    )
    return lines


def rules_start(rules: Any) -> str:
    """The detection start in words (a sweep's default differs from the studies')."""
    if rules.start is not None:
        return f"{rules.start.date()} (--since)"
    return f"the start of each series' data (the sweep's default: no --since; {STUDIES_START_NOTE})"


def multi_summary_markdown(multi: MultiSweepResult, max_series: int = 200) -> str:
    """The human summary of a multi-series sweep: settings, the cross-series summary per
    horizon, then one row per series and horizon (up to ``max_series`` series)."""
    ref = f"{multi.reference[0]}/{multi.reference[1]}"
    rules = multi.rules
    lines = [
        f"# Parameter sweep over {len(multi.series)} series: {rules.ma.upper()} {rules.direction} crosses",
        "",
        "## Answer in brief",
        "",
        *multi_answer_lines(multi),
        "",
        "## Settings",
        "",
        f"- Grid: {multi.grid.describe()}",
        f"- Rules: {rules.ma.upper()} {rules.direction} crosses; {markdown_text(rules.describe().split(', ', 1)[-1])}",
        f"- Per series: random-entry p-values ({multi.null_draws:,} draws per distinct event count) and one "
        f"stationary bootstrap over days shared by every pair ({multi.reps:,} replications, seed {multi.seed}, the "
        "same for every series); Reality Check (White 2000), SPA (Hansen 2005) and the Romano & Wolf (2005) "
        f"stepdown at FWER {multi.alpha:.0%} within each series. Nothing here corrects across series: with no "
        "signal anywhere, about alpha x n series fall at or below alpha by chance (column 'chance').",
        "",
        "## Across series",
        "",
    ]
    summary = multi.summary_table
    shown = pd.DataFrame(
        {
            "horizon": summary["horizon"],
            "series": summary["n_series"],
            "with RW survivors": summary["series_with_survivors"],
            "SPA p <= alpha": summary["series_spa_below_alpha"],
            "RC p <= alpha": summary["series_reality_check_below_alpha"],
            "chance": summary["expected_by_chance"],
            f"{ref} survives": summary["reference_survives"],
            f"{ref} top decile": summary["reference_top_decile"],
            f"{ref} percentile median": summary["reference_percentile_median"],
            f"{ref} percentile q25": summary["reference_percentile_q25"],
            f"{ref} percentile q75": summary["reference_percentile_q75"],
            "most common best pair": summary["most_common_best_pair"],
            "in series": summary["most_common_best_pair_series"],
        }
    )
    lines.append(
        markdown_table(
            shown,
            {
                "chance": ".1f",
                f"{ref} percentile median": ".1f",
                f"{ref} percentile q25": ".1f",
                f"{ref} percentile q75": ".1f",
            },
        )
    )
    lines += ["", "## Per series", ""]
    table = multi.series_table
    if len(multi.series) > max_series:
        lines.append(f"{len(multi.series):,} series: see `{SERIES_TABLE_FILE}` (one row per series and horizon).")
    else:
        detectable_column = f"{ref} detectable ({DETECTION_POWER:.0%})"
        per_series = pd.DataFrame(
            {
                "series": table["series"],
                "horizon": table["horizon"],
                "best": [
                    f"{f}/{s}" if f is not pd.NA else "-"
                    for f, s in zip(table["best_fast"], table["best_slow"], strict=True)
                ],
                "best excess": table["best_mean_excess_return"],
                "RC p": table["reality_check_pvalue"],
                "SPA p": table["spa_pvalue"],
                "RW survivors": table["romano_wolf_survivors"],
                f"{ref} rank": table["reference_rank"],
                f"{ref} percentile": table["reference_percentile"],
                detectable_column: table["reference_detectable_excess"],
            }
        )
        lines.append(
            markdown_table(
                per_series,
                {
                    "best excess": _fmt_pct,
                    "RC p": _fmt_p,
                    "SPA p": _fmt_p,
                    f"{ref} percentile": ".1f",
                    detectable_column: _fmt_pp,
                },
            )
        )
    lines += [
        "",
        "## Files",
        "",
        f"- `{SERIES_TABLE_FILE}`: one row per (series, horizon); columns are described in `{JSON_FILE}` "
        "(`series_columns`).",
        f"- `{PAIRS_DIR}/<series>.parquet`: each series' table, one row per (pair, horizon), as a single-series "
        f"sweep writes it plus a `series` column; `pandas.read_parquet('{PAIRS_DIR}')` reads them all.",
        f"- `{JSON_FILE}`: settings, the cross-series summary and the per-series rows.",
        f"- With `--csv`: `{SERIES_CSV_FILE}` and `{PAIRS_CSV_DIR}/<series>.csv`, the same tables as CSV.",
        "",
    ]
    return "\n".join(lines)


class MultiSweepReport:
    """The files of a multi-series sweep, staged while it runs and swapped into place only
    when every one is written (as ``write_sweep_report``):

        with MultiSweepReport(directory) as report:
            multi = run_sweeps(..., on_result=report.add, keep_results=False)
            report.finish(multi)

    ``add`` writes one series' pairs table as soon as it is done, so the caller never holds
    more than one series' table. Every file is a function of the results alone (no worker
    count, no timing), so any executor gives the same bytes.
    """

    def __init__(self, directory: str | Path, csv: bool = False) -> None:
        self.target = Path(directory)
        self.csv = csv
        self._context = report_directory(self.target, kind="multi-sweep")
        self._staging: Path | None = None
        self._finished = False

    def __enter__(self) -> MultiSweepReport:
        self._staging = self._context.__enter__()
        (self._staging / PAIRS_DIR).mkdir()
        if self.csv:
            (self._staging / PAIRS_CSV_DIR).mkdir()  # apart, so that read_parquet(PAIRS_DIR) reads them all
        return self

    def add(self, position: int, result: SweepResult) -> None:
        assert self._staging is not None, "use MultiSweepReport as a context manager"
        from backtest.sweep.multi import file_label

        frame = series_pairs_frame(result)
        label = file_label(result.series_name)
        (self._staging / PAIRS_DIR / f"{label}.parquet").write_bytes(parquet_bytes(frame, PAIRS_COMPRESSION_LEVEL))
        if self.csv:
            (self._staging / PAIRS_CSV_DIR / f"{label}.csv").write_text(
                frame.to_csv(index=False, float_format="%.10g", lineterminator="\n"), encoding="utf-8"
            )

    def finish(self, multi: MultiSweepResult) -> None:
        assert self._staging is not None, "use MultiSweepReport as a context manager"
        from backtest.sweep.multi import SERIES_COLUMNS, SUMMARY_COLUMNS

        staging = self._staging
        table = pa.Table.from_pandas(multi.series_table, preserve_index=False)
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd", compression_level=19, write_statistics=False)
        (staging / SERIES_TABLE_FILE).write_bytes(buffer.getvalue())
        if self.csv:
            (staging / SERIES_CSV_FILE).write_text(
                multi.series_table.to_csv(index=False, float_format="%.10g", lineterminator="\n"), encoding="utf-8"
            )
        markdown = multi_summary_markdown(multi)
        (staging / MARKDOWN_FILE).write_text(markdown, encoding="utf-8")
        (staging / HTML_FILE).write_text(
            markdown_to_html(markdown, f"Parameter sweep over {len(multi.series)} series"), encoding="utf-8"
        )
        payload = multi.to_dict()
        payload["series_columns"] = SERIES_COLUMNS
        payload["cross_series_columns"] = SUMMARY_COLUMNS
        payload["pair_columns"] = COLUMNS
        text = dumps(payload)
        (staging / JSON_FILE).write_text(text, encoding="utf-8")
        self._finished = True

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None and not self._finished:
            value = RuntimeError("MultiSweepReport closed before finish(): nothing was written")
            self._context.__exit__(RuntimeError, value, None)
            raise value
        if kind is None:
            self._context.__exit__(None, None, None)
        else:
            self._context.__exit__(kind, value, traceback)


def write_multi_sweep_report(multi: MultiSweepResult, directory: str | Path, csv: bool = False) -> Path:
    """All files of a computed multi-series sweep (``multi.results`` must be kept)."""
    if multi.results is None:
        raise ValueError("the sweep's per-series results were not kept; stream them with MultiSweepReport")
    with MultiSweepReport(directory, csv=csv) as report:
        for position, result in enumerate(multi.results):
            report.add(position, result)
        report.finish(multi)
    return Path(directory)
