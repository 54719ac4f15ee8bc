"""Golden crosses beyond the Russell 2000: is the small-cap signal different from the large-cap one?

Runs the headline golden-cross study (SMA 50/200, events from 1985 or as soon as the
series' daily data allow, default horizons, the same seed, draws and paths) on the Russell
1000, 3000, 2000 Growth and Value, NASDAQ Composite, the Dow and the S&P 500 (SPY), with the
Russell 2000 for reference. Writes ``results/peers_golden_cross/``: report.md, report.html,
summary.json, peers.csv (one row per series and horizon) and figures.

Run: ``backtest study peers-golden-cross`` or ``python studies/peers_golden_cross.py``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data import MAX_GAP_DAYS, daily_segment, load_series
from backtest.events import EventRules, run_event_study
from backtest.project import results_dir
from backtest.report import event_report as sections
from backtest.report.figures import plot_peer_excess, plot_peer_percentiles
from backtest.report.outputs import csv_text, write_report_directory
from backtest.report.render import figure_png
from backtest.report.summary import dumps, series_provenance, software_versions
from backtest.stats import DEFAULT_SEED, VERDICT_RULES, EventStatistics, analyze_events
from backtest.studies import run_as_script

NAME = "peers_golden_cross"
DEFAULT_OUTPUT = results_dir(__file__) / NAME

RULES = EventRules(fast=50, slow=200, ma="sma", direction="golden", start="1985-01-01")  # the headline's
CLAIM_HORIZONS = ("3m", "6m", "9m", "12m")

SMALL, LARGE, BROAD = "small caps", "large caps", "all caps"
# (catalog name, label, group, what it is)
PEERS: tuple[tuple[str, str, str, str], ...] = (
    ("russell2000", "Russell 2000 (reference)", SMALL,
     "the headline series: FRED RU2000PR rebased onto ^RUT, then ^RUT; price index"),
    ("RU2000PR", "Russell 2000, FRED to 2019", SMALL, "FRED RU2000PR alone: the same span as the other Russell rows"),
    ("RU2000GPR", "Russell 2000 Growth", SMALL, "FRED RU2000GPR, price index"),
    ("RU2000VPR", "Russell 2000 Value", SMALL, "FRED RU2000VPR, price index"),
    ("RU1000PR", "Russell 1000", LARGE, "FRED RU1000PR: the 1,000 largest US stocks, price index"),
    ("DJI", "Dow Jones Industrials", LARGE, "Yahoo ^DJI, price index, from 1992"),
    ("SPY", "S&P 500 (SPY)", LARGE, "Yahoo SPY adjusted close: dividends reinvested (total-return-like), from 1993"),
    ("NASDAQCOM", "NASDAQ Composite", LARGE, "FRED NASDAQCOM, price index, to 2019"),
    ("RU3000PR", "Russell 3000", BROAD, "FRED RU3000PR: Russell 1000 + 2000, about 90% large caps by weight"),
)
SMALL_REFERENCE, LARGE_REFERENCE = "RU2000PR", "RU1000PR"  # same source, same span: the fair pair


@dataclass(frozen=True)
class StudyOutputs:
    """What the study writes: summary.json, peers.csv, figures, report.md."""

    summary: dict[str, Any]
    table: pd.DataFrame
    figures: dict[str, bytes]
    report_markdown: str


def _horizon_rows(stats: EventStatistics) -> list[dict[str, Any]]:
    """Per-horizon essentials of one series (the full statistics stay in the library)."""
    rows = []
    for h in stats.horizons:
        plain = h.random_entry.get("plain", {}).get("mean")
        rows.append(
            {
                "label": h.label,
                "n": h.n,
                "n_pending": h.n_pending,
                "anecdotal": h.n < sections.ANECDOTAL_N,
                "mean": h.events.mean,
                "median": h.events.median,
                "baseline_mean": h.baseline.mean,
                "excess_mean": h.excess_mean,
                "excess_ci_low": h.ci_excess.low,
                "excess_ci_high": h.ci_excess.high,
                "hit_rate": h.events.hit_rate,
                "baseline_hit_rate": h.baseline.hit_rate,
                "hac_p_holm": h.pvalues_holm["hac_mean"],
                "random_entry_p": plain.pvalue if plain else None,
                "random_entry_percentile": plain.percentile if plain else None,
                "random_entry_p_holm": h.pvalues_holm["random_entry.plain.mean"],
                "bootstrap_paths_p_holm": h.pvalues_holm.get("bootstrap_paths.mean"),
                "verdict_a": h.verdict_a.outcome,
                "verdict_b": h.verdict_b.outcome,
                "flags": sorted(set(h.verdict_a.flags) | set(h.verdict_b.flags)),
            }
        )
    return rows


def _peer(key: str, label: str, group: str, description: str, data_dir: Path | None, *, seed: int, n_draws: int,
          n_paths: int, policy: str = "lenient") -> dict[str, Any]:
    loaded = load_series(key, data_dir=data_dir, policy=policy)
    series, left_out = daily_segment(loaded, MAX_GAP_DAYS)
    index = series.close.index
    # events only once both averages exist on daily data (the cross compares t-1 and t)
    events_from = max(RULES.start, index[RULES.slow]) if len(index) > RULES.slow else RULES.start
    rules = RULES.replace(start=events_from)
    study = run_event_study(series, rules)
    stats = analyze_events(study, n_draws=n_draws, n_paths=n_paths, seed=seed)
    notes = [description]
    if left_out:
        notes.append(f"month-end values before {index[0].date()} left out ({left_out:,} closes)")
    if events_from > RULES.start:
        notes.append(f"events once {RULES.slow + 1} daily closes exist")
    return {
        "key": key,
        "label": label,
        "group": group,
        "series": series.name,
        "rules": rules.to_dict(),
        "coverage": {
            "file_first_date": loaded.first_date,
            "daily_from": index[0],
            "last_date": index[-1],
            "n_closes": len(index),
            "closes_left_out": left_out,
            "events_from": events_from,
            "sample_start": stats.sample_start,
            "sample_end": stats.sample_end,
            "note": "; ".join(notes),
        },
        "n_events": study.n_events,
        "event_dates": list(study.table["event_date"]),
        "horizons": _horizon_rows(stats),
        "data": series_provenance(series),
    }


def _comparison(peers: list[dict[str, Any]]) -> dict[str, Any]:
    """Small caps vs large caps, by a stated rule, from the per-series rows."""
    by_key = {peer["key"]: peer for peer in peers}
    supported_b = [
        {"series": peer["label"], "horizon": h["label"]}
        for peer in peers for h in peer["horizons"] if h["verdict_b"] == "supported"
    ]
    pairs = []
    small, large = by_key[SMALL_REFERENCE], by_key[LARGE_REFERENCE]
    for label in CLAIM_HORIZONS:
        a = next(h for h in small["horizons"] if h["label"] == label)
        b = next(h for h in large["horizons"] if h["label"] == label)
        overlap = not (a["excess_ci_low"] > b["excess_ci_high"] or b["excess_ci_low"] > a["excess_ci_high"])
        pairs.append({
            "horizon": label,
            "small_excess": a["excess_mean"], "small_ci": [a["excess_ci_low"], a["excess_ci_high"]], "small_n": a["n"],
            "large_excess": b["excess_mean"], "large_ci": [b["excess_ci_low"], b["excess_ci_high"]], "large_n": b["n"],
            "difference": a["excess_mean"] - b["excess_mean"],
            "intervals_overlap": overlap,
            "same_verdict_b": a["verdict_b"] == b["verdict_b"],
        })
    different = [p["horizon"] for p in pairs if not p["intervals_overlap"] or not p["same_verdict_b"]]
    groups: dict[str, dict[str, Any]] = {}
    for group in (SMALL, LARGE, BROAD):
        members = [peer for peer in peers if peer["group"] == group]
        cells = [h for peer in members for h in peer["horizons"] if h["label"] in CLAIM_HORIZONS]
        groups[group] = {
            "series": [peer["label"] for peer in members],
            "cells": len(cells),
            "positive_excess": sum(1 for h in cells if h["excess_mean"] is not None and h["excess_mean"] > 0),
            "random_entry_p_below_0_05": sum(1 for h in cells if h["random_entry_p"] is not None and h["random_entry_p"] < 0.05),
            "verdict_b_supported": sum(1 for h in cells if h["verdict_b"] == "supported"),
            "verdict_a_supported": sum(1 for h in cells if h["verdict_a"] == "supported"),
        }
    return {
        "rule": (
            f"Small and large caps are called different at a horizon when the Russell 2000 and the Russell 1000 (FRED, "
            f"same source and span, {CLAIM_HORIZONS[0]}–{CLAIM_HORIZONS[-1]}) have non-overlapping 90% overlap-SE "
            "intervals of the mean excess return, or different verdicts on question B. Overlapping intervals do not "
            "prove equality; they mean these samples cannot tell the two apart."
        ),
        "pairs": pairs,
        "different_at": different,
        "verdict_b_supported_anywhere": supported_b,
        "groups": groups,
        "answer": "different" if different else "no detectable difference",
    }


def compute(
    data_dir: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    n_draws: int = 100_000,
    n_paths: int = 1_000,
    step: Callable[[str], None] = lambda _: None,
    policy: str = "lenient",
) -> StudyOutputs:
    """Run the whole study in memory; ``step`` is called with a description before each series."""
    peers = []
    for key, label, group, description in PEERS:
        step(f"{label}: events and statistics ({n_draws:,} draws, {n_paths:,} paths)")
        peers.append(_peer(key, label, group, description, data_dir, seed=seed, n_draws=n_draws, n_paths=n_paths,
                           policy=policy))
    summary: dict[str, Any] = {
        "schema_version": 1,
        "study": NAME,
        "question": "Do golden crosses of other US indices behave like the Russell 2000's, and is the small-cap "
                    "golden cross different from the large-cap one?",
        "parameters": {
            "rules": RULES.to_dict(),
            "max_gap_days": MAX_GAP_DAYS,
            "claim_horizons": list(CLAIM_HORIZONS),
            "seed": seed,
            "n_draws": n_draws,
            "n_paths": n_paths,
            "anecdotal_below": sections.ANECDOTAL_N,
        },
        "peers": peers,
        "verdict_rules": VERDICT_RULES,
        "software": software_versions(),
    }
    summary["comparison"] = _comparison(json.loads(dumps(summary))["peers"])
    summary = json.loads(dumps(summary))

    table = peers_frame(summary["peers"])
    step("drawing figures")
    figures = _figures(summary["peers"])
    step("writing the report")
    markdown = render_report(summary)
    return StudyOutputs(summary=summary, table=table, figures=figures, report_markdown=markdown)


def peers_frame(peers: list[dict[str, Any]]) -> pd.DataFrame:
    """peers.csv: one row per (series, horizon) with coverage and the per-horizon results."""
    rows = []
    for peer in peers:
        coverage = peer["coverage"]
        for h in peer["horizons"]:
            rows.append({
                "series": peer["key"], "label": peer["label"], "group": peer["group"],
                "daily_from": coverage["daily_from"], "last_date": coverage["last_date"],
                "events_from": coverage["events_from"], "n_events": peer["n_events"],
                "horizon": h["label"], **{k: v for k, v in h.items() if k not in ("label", "flags")},
                "flags": "; ".join(h["flags"]),
            })
    return pd.DataFrame(rows)


def _figures(peers: list[dict[str, Any]]) -> dict[str, bytes]:
    table = peers_frame(peers)
    rows = pd.DataFrame({
        "series": table["label"], "group": table["group"], "horizon": table["horizon"],
        "excess_mean": table["excess_mean"].astype(float), "ci_low": table["excess_ci_low"].astype(float),
        "ci_high": table["excess_ci_high"].astype(float), "n": table["n"].astype(int),
        "random_entry_p": table["random_entry_p"].astype(float),
    })
    starts = sorted({peer["coverage"]["events_from"][:4] for peer in peers})
    figures = {
        "excess_by_horizon.png": figure_png(plot_peer_excess(
            rows,
            title=f"Mean return after SMA 50/200 golden crosses minus the mean of every day, with 90% overlap-SE "
                  f"intervals (events from {starts[0]}–{starts[-1]} to each series' end; p = random-entry p)",
            min_n=sections.ANECDOTAL_N,
        )),
    }
    labels = [peer["label"] for peer in peers]
    horizons = [h["label"] for h in peers[0]["horizons"]]
    percentiles = pd.DataFrame([[h["random_entry_percentile"] for h in peer["horizons"]] for peer in peers],
                               index=labels, columns=horizons, dtype=float)
    counts = pd.DataFrame([[h["n"] for h in peer["horizons"]] for peer in peers], index=labels, columns=horizons)
    figures["random_entry_percentiles.png"] = figure_png(plot_peer_percentiles(
        percentiles, counts,
        title="Where each series' mean after golden crosses falls among random-entry means (percentile)",
        min_n=sections.ANECDOTAL_N,
    ))
    return figures


def render_report(summary: dict[str, Any]) -> str:
    """report.md from summary.json's content (formatting only)."""
    pct = sections.pct
    peers = summary["peers"]
    params = summary["parameters"]
    comparison = summary["comparison"]
    labels = [h["label"] for h in peers[0]["horizons"]]
    by_key = {peer["key"]: peer for peer in peers}
    small, large = by_key[SMALL_REFERENCE], by_key[LARGE_REFERENCE]
    supported_b = comparison["verdict_b_supported_anywhere"]
    groups = comparison["groups"]

    def group_line(name: str) -> str:
        g = groups[name]
        return (f"{name} ({', '.join(g['series'])}): {g['cells']} series × horizon cells from 3m to 12m, mean excess "
                f"positive in {g['positive_excess']}, random-entry p < 0.05 in {g['random_entry_p_below_0_05']}, "
                f"question B supported in {g['verdict_b_supported']}")

    pair_lines = [
        f"{p['horizon']}: Russell 2000 {pct(p['small_excess'], 1, True)} [{pct(p['small_ci'][0], 1, True)}, "
        f"{pct(p['small_ci'][1], 1, True)}] (n={sections.n_cell(p['small_n'])}) vs Russell 1000 "
        f"{pct(p['large_excess'], 1, True)} [{pct(p['large_ci'][0], 1, True)}, {pct(p['large_ci'][1], 1, True)}] "
        f"(n={sections.n_cell(p['large_n'])}): intervals {'overlap' if p['intervals_overlap'] else 'do not overlap'}"
        for p in comparison["pairs"]
    ]
    answer = comparison["answer"]
    lines = [
        "# Golden crosses beyond the Russell 2000: small caps vs large caps",
        "",
        f"*Generated by `backtest study peers-golden-cross` (seed {params['seed']}, {params['n_draws']:,} random-entry "
        f"draws, {params['n_paths']:,} bootstrapped paths per series). Every number here is in `summary.json` or "
        "`peers.csv` beside this file.*",
        "",
        "## Answer in brief",
        "",
        f"- **Is the small-cap golden cross different from the large-cap one? {answer.capitalize()}.** "
        + ("Compared on the same source and span (FRED, 1985 to 2019), mean returns after crosses minus the mean of "
           "every day, with 90% intervals: " + "; ".join(pair_lines) + "."),
        "- **Did any index's golden cross beat a random entry date?** "
        + ("Question B is supported nowhere: in no series and at no horizon did the mean after golden crosses beat "
           "both random-entry dates and bootstrapped price paths after Holm's adjustment."
           if not supported_b else
           "Question B is supported at: " + ", ".join(f"{s['series']} {s['horizon']}" for s in supported_b) + "."),
        "- By group, 3 to 12 months: " + "; ".join(group_line(name) for name in (SMALL, LARGE, BROAD)) + ".",
        "- In plain words: "
        + ("gains usually followed golden crosses wherever the index itself rose, but about as much as after any day; "
           "the cross carried no measurable information for small caps or for large caps, and the two cannot be told "
           "apart with these samples."
           if not supported_b and answer != "different" else
           "the results differ between groups at " + ", ".join(comparison["different_at"] or ["no horizon"])
           + "; see the tables for the size of the differences and their intervals."),
        "",
        "## 1. What was run",
        "",
        f"The headline study's pipeline, unchanged, on each series: SMA {params['rules']['fast']}/"
        f"{params['rules']['slow']} golden crosses (the 50-day average at or below the 200-day on t−1, above on t), "
        f"entry at the event-day close, horizons "
        + ", ".join(f"{h['label']}" for h in peers[0]["horizons"])
        + " (21, 63, 126, 189, 252 trading days); every eligible day of the same sample as the baseline; random-entry "
        "Monte Carlo and bootstrapped-path null with the same seed, draws and paths; Holm's adjustment across the five "
        "horizons within each series (not across series: with nine series and five horizons, a few raw p-values "
        "below 0.05 are expected by chance alone). Verdict rules at the end.",
        "",
        f"**Coverage.** Events are dated from {params['rules']['start']} or, for a series whose daily data start "
        f"later, from the first day both averages exist on daily closes (once {params['rules']['slow'] + 1} daily "
        "closes exist), so the baseline and the random dates cover exactly the days a cross could have occurred. "
        "RU2000GPR and RU2000VPR hold month-end values only until 1993 (gaps over "
        f"{params['max_gap_days']} days): only their daily segment is used. FRED series end on 2019-01-10; the "
        "Yahoo series (^DJI, SPY) and the reference Russell 2000 run to the latest close. **SPY closes are "
        "dividend-adjusted**, so SPY behaves like a total-return index while every other row is a price index; "
        "both its events and its all-day baseline include dividends, so its excess return is comparable.",
        "",
        sections.peer_coverage_table(peers),
        "",
        "## 2. All series at a glance",
        "",
        f"Each cell: n = complete events at that horizon (fewer than {params['anecdotal_below']} is marked "
        "anecdotal), mean excess return over every day of the same sample, random-entry p-value of the mean (before "
        "Holm), and the verdicts of question A (did gains follow?) and B (more than a random entry date?): sup = "
        "supported, not = not supported, inc = inconclusive.",
        "",
        sections.peer_matrix_table(peers, labels),
        "",
        "![Mean excess return by horizon per series with 90% intervals](excess_by_horizon.png)",
        "",
        "![Random-entry percentile of each series' mean after golden crosses](random_entry_percentiles.png)",
        "",
        "## 3. Per horizon",
        "",
        "Returns in percent of the entry level; excess = mean after events minus the mean of every eligible day; "
        "CI: 90% interval of the mean excess from the calendar-overlap standard error (ends = one-sided 95% bounds); p (Holm): random-entry p adjusted across the "
        "five horizons of that series.",
        "",
    ]
    for label in labels:
        lines += [f"### {label}", "", sections.peer_horizon_table(peers, label), ""]
    lines += [
        "## 4. Small caps vs large caps",
        "",
        comparison["rule"],
        "",
        "\n".join(f"- {line}." for line in pair_lines),
        "",
        f"Answer: **{answer}**"
        + (f" (at {', '.join(comparison['different_at'])})." if comparison["different_at"] else "."),
        "",
        "## 5. Caveats",
        "",
        f"- Samples are small: {min(p['n_events'] for p in peers)} to {max(p['n_events'] for p in peers)} events per "
        "series, and the windows of nearby crosses overlap.",
        "- The indices overlap heavily in membership (the Russell 3000 contains both the 1000 and the 2000; the S&P "
        "500, the Dow and much of the NASDAQ are inside the Russell 1000), and their crosses cluster on the same "
        "market episodes: the rows are not independent evidence.",
        "- Spans differ (FRED to 2019, Yahoo to the latest close, daily data starting in 1992–1993 for four series); compare "
        f"{small['label']} with {large['label']} for a like-for-like pair.",
        "- Price indices except SPY; no costs.",
        "",
        "### Verdict rules",
        "",
        "```text",
        summary["verdict_rules"].rstrip(),
        "```",
        "",
        "## Files",
        "",
        "- `peers.csv`: one row per series and horizon: coverage, n, mean, all-days mean, excess and its interval, hit "
        "rates, p-values (HAC, random entry, bootstrapped paths; Holm-adjusted across horizons), verdicts, flags.",
        "- `summary.json`: parameters, per-series coverage, provenance and event dates, the rows above, the comparison.",
        "- Figures: `excess_by_horizon.png`, `random_entry_percentiles.png`.",
    ]
    return "\n".join(lines) + "\n"


def write(outputs: StudyOutputs, output_dir: Path) -> Path:
    """Write every file into ``output_dir`` atomically (staged, swapped in on success)."""
    return write_report_directory(
        output_dir,
        title="Golden crosses beyond the Russell 2000",
        report_markdown=outputs.report_markdown,
        summary=outputs.summary,
        files={
            "peers.csv": csv_text(outputs.table, index=False, float_format="%.10g"),
        },
        figures=outputs.figures,
    )


def run(
    data_dir: Path | None = None,
    output_dir: Path = DEFAULT_OUTPUT,
    *,
    seed: int = DEFAULT_SEED,
    n_draws: int = 100_000,
    n_paths: int = 1_000,
    step: Callable[[str], None] = lambda _: None,
    policy: str = "lenient",
) -> Path:
    """Compute and write the study; returns the output directory."""
    outputs = compute(data_dir, seed=seed, n_draws=n_draws, n_paths=n_paths, step=step, policy=policy)
    return write(outputs, output_dir)


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
