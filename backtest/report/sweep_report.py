"""Files of a sweep: tidy Parquet/CSV table, heatmaps, Markdown/HTML summary, summary.json.

The summary opens with the answer (``answer_lines``: does any pair beat random entry once
the search is accounted for, and from when events were counted); heatmaps are drawn by
``plot_sweep_heatmap(..., ax=)`` from the tidy table and are interactive in summary.html.

``sweep_report_files(result)`` renders a computed ``SweepResult`` (it computes no statistic)
into its files; ``series_pairs_files`` and ``multi_sweep_files`` do the same for many series
(one series' tables as it finishes, then the cross-series files). Nothing here writes: the
composition layer does (``backtest.claims.outputs``: staged, swapped into place whole). Every
file is a deterministic function of the results (same seed and inputs, same bytes, whichever
executor computed them).
"""

from __future__ import annotations

import functools
import io
import math
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from backtest import numbers
from backtest._json import dumps, plain
from backtest.report.figures import figure_of, plot_sweep_heatmap
from backtest.report.outputs import ReportFiles
from backtest.report.render import MarkdownFragment, figure_png, markdown_table, markdown_to_html
from backtest.report.summary import provenance_records
from backtest.sweep.engine import COLUMNS, SweepResult, crosses_label, swept_cross
from backtest.sweep.snooping import DETECTION_POWER

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from backtest.sweep.multi import MultiSweepResult

TABLE_FILE = "pairs.parquet"
CSV_FILE = "pairs.csv"
JSON_FILE = "summary.json"
SWEEP_TEMPLATE = "sweep.md.j2"
MULTI_SWEEP_TEMPLATE = "multi_sweep.md.j2"
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


def heatmap_figure(result: SweepResult, label: str) -> Figure:
    """The heatmap of one horizon of a sweep (``plot_sweep_heatmap`` on its tidy table)."""
    from backtest.report.interactive import sweep_heatmap_grid, sweep_marks

    fast, slow, grid = sweep_heatmap_grid(result, label)
    best, reference, survivors = sweep_marks(result, label)
    axes = plot_sweep_heatmap(
        fast,
        slow,
        grid,
        best=best,
        reference=reference,
        survivors=survivors,
        title=f"{result.series_name}: {crosses_label(result.rules)}, {label} forward return\n"
        f"mean over events minus the unconditional mean; events {_event_span(result)}",
    )
    return figure_of(axes)


def _event_span(result: SweepResult) -> str:
    start = result.rules.start if result.rules.start is not None else result.first_date
    end = result.rules.end if result.rules.end is not None else result.last_date
    return f"{start.date()} to {min(end, result.last_date).date()}"


PERCENT = functools.partial(numbers.percent, digits=2)
"""A return in a sweep's tables: 0.01234 -> '1.23%'."""
POINTS = functools.partial(numbers.points, digits=2)
"""A difference of two returns: 0.01234 -> '+1.23 pp'."""
PVALUE = functools.partial(numbers.pvalue, digits=3, small="fixed")
"""A p-value of a sweep's tables, three decimals (a bootstrap p of 0 reads '0.000')."""


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
                f"over {numbers.count(pairs)} pairs (SPA p ≤ {numbers.percent(alpha, 0)}); at the other horizons no pair does."
            )
            if len(beating) < len(result.tests)
            else (
                f"At every horizon the best pair beats random entry even after accounting for the search "
                f"over {numbers.count(pairs)} pairs (SPA p ≤ {numbers.percent(alpha, 0)})."
            )
        )
    else:
        verdict = (
            f"No pair beats random entry once the search over {numbers.count(pairs)} pairs is accounted for: SPA p > "
            f"{numbers.percent(alpha, 0)} at every horizon. The best pairs below are what the search found, not a signal."
        )
    lines = [f"**Answer: {verdict}**", ""]
    for test in result.tests:
        rank = result.reference_rank(test.horizon)
        best = test.best_pair
        best_text = (
            f"best pair {best[0]}/{best[1]}, mean excess "
            f"{numbers.percent(_best_excess(result, test.horizon, best), 2, signed=True)} "
            f"over random entry (SPA p = {PVALUE(test.pvalue)}, {test.n_survivors} pair(s) survive Romano-Wolf)"
            if best
            else "no pair with complete events"
        )
        ref_text = (
            ""
            if rank["reference_rank"] is None
            else f"; {ref} ranks {rank['reference_rank']} of {test.n} (percentile {numbers.decimal(rank['reference_percentile'], 0)})"
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
    searched = ", ".join(f"{numbers.points(t.detectable_excess, 1)} at {t.horizon}" for t in tracked)
    alone = ", ".join(numbers.points(t.detectable_excess_alone, 1) for t in tracked)
    return [
        f"**What the search could have seen.** With {numbers.percent(power, 0)} power at {numbers.percent(alpha, 0)}, the Reality Check over "
        f"the whole grid detects a true {ref} mean excess of {searched} (the SPA needs at most as much); "
        f'tested alone, {ref} would need {alone}. Looking at every pair raises the bar. A "no" here speaks '
        f"against {ref} effects of that size ({numbers.percent(power, 0)} of the time they would have been found), and says "
        "nothing about smaller ones."
    ]


def _tests_table(result: SweepResult) -> str:
    """The data-snooping tests, one row per horizon."""
    columns = {
        "horizon": "horizon",
        "n": "pairs",
        "best_fast": "best fast",
        "best_slow": "best slow",
        "statistic": "best excess" if not result.studentize else "best t",
        "reality_check_pvalue": "Reality Check p",
        "pvalue": "SPA p (consistent)",
        "spa_lower_pvalue": "SPA p (lower)",
        "n_survivors": "Romano-Wolf survivors",
        "reference_rank": f"{result.reference[0]}/{result.reference[1]} rank",
        "reference_percentile": f"{result.reference[0]}/{result.reference[1]} percentile",
        "mean_block": "mean block (days)",
    }
    tests = result.tests_frame()
    table = tests[list(columns)] if not tests.empty else pd.DataFrame(columns=list(columns))
    best_format = PERCENT if not result.studentize else functools.partial(numbers.decimal, digits=2, grouping=False)
    return markdown_table(
        table.rename(columns=columns),
        {
            "best excess": best_format,
            "best t": best_format,
            "Reality Check p": PVALUE,
            "SPA p (consistent)": PVALUE,
            "SPA p (lower)": PVALUE,
            f"{result.reference[0]}/{result.reference[1]} percentile": ".1f",
            "mean block (days)": ".0f",
        },
    )


TOP_FORMATS: dict[str, Any] = {
    TOP_COLUMN_WORDS[name]: fmt
    for name, fmt in {
        "horizon": str,
        "mean_return": PERCENT,
        "median_return": PERCENT,
        "hit_rate": functools.partial(numbers.percent, digits=0),
        "mean_excess_return": PERCENT,
        "random_entry_pvalue": PVALUE,
        "romano_wolf_pvalue": PVALUE,
    }.items()
}
"""How the pair tables (the reference pair's, each horizon's top pairs) format their columns."""


def _detectable_table(result: SweepResult) -> str:
    """The reference pair's measured excess beside the excess the search could detect ('' without one)."""
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
    if not len(detectable):
        return ""
    return markdown_table(
        detectable,
        {"measured excess": POINTS, "detectable, whole search": POINTS, "detectable, this pair alone": POINTS},
    )


def summary_markdown(result: SweepResult, top: int = 10, csv: bool = False) -> str:
    """The human summary (``templates/sweep.md.j2``): settings, the tests per horizon,
    heatmaps and the top pairs; its list of files names those the report writes (``csv``:
    the CSV table too)."""
    from backtest.report.render import template_environment

    rules = result.rules
    cross = swept_cross(rules)
    ref_fast, ref_slow = result.reference
    own = result.table.loc[(result.table["fast"] == ref_fast) & (result.table["slow"] == ref_slow)]
    survivors = {test.horizon: test.n_survivors for test in result.tests}
    context = {
        "series_name": result.series_name,
        "ma": cross.ma,
        "direction": cross.direction,
        "answer": MarkdownFragment("\n".join(answer_lines(result))),
        "first_date": result.first_date.date(),
        "last_date": result.last_date.date(),
        "n_closes": result.n_closes,
        "data_sha256": result.data_sha256,
        "grid": result.grid.describe(),
        "rules": rules.describe().split(", ", 1)[-1],
        "null_draws": result.null_draws,
        "reps": result.reps,
        "seed": result.seed,
        "studentize": result.studentize,
        "alpha": result.alpha,
        "how_to_read": MarkdownFragment(
            template_environment()
            .get_template("_how_to_read.md.j2")
            .render(report_kind="sweep", markdown_page=MARKDOWN_FILE, html_page=HTML_FILE)
            .strip()
        ),
        "tests_table": MarkdownFragment(_tests_table(result)),
        "reference": f"{ref_fast}/{ref_slow}",
        "reference_table": MarkdownFragment(
            markdown_table(_in_words(own[["horizon", *TOP_COLUMNS[2:]]]), TOP_FORMATS) if len(own) else ""
        ),
        "detectable_table": MarkdownFragment(_detectable_table(result)),
        "power": result.tests[0].power if result.tests else None,
        "top": top,
        "horizons": [
            {
                "label": horizon.label,
                "heatmap": heatmap_file(horizon.label),
                "kept": (
                    f"{survivors[horizon.label]} pair(s) survive"
                    if horizon.label in survivors
                    else "no bootstrap was run"
                ),
                "table": MarkdownFragment(
                    markdown_table(_in_words(result.top(horizon.label, top)[TOP_COLUMNS]), TOP_FORMATS)
                ),
            }
            for horizon in result.horizons
        ],
        "files": {
            "table": TABLE_FILE,
            "csv": CSV_FILE if csv else "",
            "json": JSON_FILE,
            "markdown": MARKDOWN_FILE,
            "html": HTML_FILE,
        },
    }
    return str(template_environment().get_template(SWEEP_TEMPLATE).render(**context))


def sweep_report_files(result: SweepResult, csv: bool = False, top: int = 10) -> ReportFiles:
    """Every output file of ``result`` (``csv``: the table as CSV too), written by
    ``backtest.claims.outputs.write_sweep_report``."""
    from backtest.report.interactive import sweep_blocks

    files: dict[str, bytes | str] = {TABLE_FILE: parquet_bytes(result.table)}
    if csv:
        files[CSV_FILE] = result.table.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    figures = {
        heatmap_file(horizon.label): figure_png(heatmap_figure(result, horizon.label)) for horizon in result.horizons
    }
    files.update(figures)
    markdown = summary_markdown(result, top, csv=csv)
    files[MARKDOWN_FILE] = markdown
    title = f"Parameter sweep: {result.series_name}"
    interactive = sweep_blocks(result, heatmap_file)
    files[HTML_FILE] = markdown_to_html(markdown, title, figures=figures, interactive=interactive)
    files[JSON_FILE] = dumps(summary_dict(result, top))
    return ReportFiles(files)


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
            f"{verdict} (about {numbers.decimal(chance, 1, grouping=False)} expected with no signal anywhere); {ref} survived the Romano-Wolf "
            f"stepdown in {int(row.reference_survives)} series."
        )
    detectable = multi.series_table.groupby("horizon", sort=False)["reference_detectable_excess"].median().dropna()
    if len(detectable):
        levels = ", ".join(f"{numbers.points(value, 1)} at {label}" for label, value in detectable.items())
        lines.append(
            f"- What each search could have seen: a true {ref} mean excess of {levels} (median over the series) "
            f"is found by a series' Reality Check over the grid with {numbers.percent(DETECTION_POWER, 0)} power; smaller effects "
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


def _across_series_table(multi: MultiSweepResult) -> str:
    """The cross-series summary, one row per horizon."""
    ref = f"{multi.reference[0]}/{multi.reference[1]}"
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
    return markdown_table(
        shown,
        {
            "chance": ".1f",
            f"{ref} percentile median": ".1f",
            f"{ref} percentile q25": ".1f",
            f"{ref} percentile q75": ".1f",
        },
    )


def _per_series_table(multi: MultiSweepResult) -> str:
    """One row per series and horizon: best pair, RC/SPA p, survivors, the reference pair."""
    ref = f"{multi.reference[0]}/{multi.reference[1]}"
    table = multi.series_table
    detectable_column = f"{ref} detectable ({numbers.percent(DETECTION_POWER, 0)})"
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
    return markdown_table(
        per_series,
        {
            "best excess": PERCENT,
            "RC p": PVALUE,
            "SPA p": PVALUE,
            f"{ref} percentile": ".1f",
            detectable_column: POINTS,
        },
    )


def multi_summary_markdown(multi: MultiSweepResult, max_series: int = 200) -> str:
    """The human summary of a multi-series sweep (``templates/multi_sweep.md.j2``): settings,
    the cross-series summary per horizon, then one row per series and horizon (up to
    ``max_series`` series)."""
    from backtest.report.render import template_environment

    rules = multi.rules
    cross = swept_cross(rules)
    context = {
        "n_series": len(multi.series),
        "ma": cross.ma,
        "direction": cross.direction,
        "answer": MarkdownFragment("\n".join(multi_answer_lines(multi))),
        "grid": multi.grid.describe(),
        "rules": rules.describe().split(", ", 1)[-1],
        "null_draws": multi.null_draws,
        "reps": multi.reps,
        "seed": multi.seed,
        "alpha": multi.alpha,
        "across_table": MarkdownFragment(_across_series_table(multi)),
        "per_series_table": MarkdownFragment(_per_series_table(multi) if len(multi.series) <= max_series else ""),
        "files": {
            "series": SERIES_TABLE_FILE,
            "series_csv": SERIES_CSV_FILE,
            "pairs": PAIRS_DIR,
            "pairs_csv": PAIRS_CSV_DIR,
            "json": JSON_FILE,
        },
    }
    return str(template_environment().get_template(MULTI_SWEEP_TEMPLATE).render(**context))


def series_pairs_files(result: SweepResult, csv: bool = False) -> dict[str, bytes | str]:
    """One series' files of a multi-series sweep, by path in the report folder: its pairs
    table as Parquet (and CSV with ``csv``), written as each series finishes
    (``backtest.claims.outputs.MultiSweepReport``)."""
    from backtest.sweep.multi import file_label

    frame = series_pairs_frame(result)
    label = file_label(result.series_name)
    files: dict[str, bytes | str] = {f"{PAIRS_DIR}/{label}.parquet": parquet_bytes(frame, PAIRS_COMPRESSION_LEVEL)}
    if csv:
        # apart from the Parquet tables, so that read_parquet(PAIRS_DIR) reads them all
        files[f"{PAIRS_CSV_DIR}/{label}.csv"] = frame.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    return files


def multi_sweep_files(multi: MultiSweepResult, csv: bool = False) -> ReportFiles:
    """The cross-series files of a multi-series sweep (the per-series tables aside:
    ``series_pairs_files``): series.parquet (and .csv), summary.md/.html and summary.json."""
    from backtest.sweep.multi import SERIES_COLUMNS, SUMMARY_COLUMNS

    table = pa.Table.from_pandas(multi.series_table, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", compression_level=19, write_statistics=False)
    files: dict[str, bytes | str] = {SERIES_TABLE_FILE: buffer.getvalue()}
    if csv:
        files[SERIES_CSV_FILE] = multi.series_table.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    markdown = multi_summary_markdown(multi)
    files[MARKDOWN_FILE] = markdown
    files[HTML_FILE] = markdown_to_html(markdown, f"Parameter sweep over {len(multi.series)} series")
    payload = multi.to_dict()
    payload["series_columns"] = SERIES_COLUMNS
    payload["cross_series_columns"] = SUMMARY_COLUMNS
    payload["pair_columns"] = COLUMNS
    files[JSON_FILE] = dumps(payload)
    return ReportFiles(files)
