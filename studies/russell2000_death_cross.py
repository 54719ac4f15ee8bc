"""Russell 2000 death crosses since 1985: did losses follow, and were they worse than any
random day would have given?

The mirror of ``russell2000_golden_cross``: the 50-day average crossing *below* the 200-day
on the canonical Russell 2000 (FRED RU2000PR spliced onto ^RUT), tested with
``analyze_events(..., claim="losses")`` (every one-sided test in the lower tail). Writes
``results/russell2000_death_cross/``: report.md, a self-contained report.html, events.csv,
summary.json and figures.

Run: ``backtest study russell2000-death-cross``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data import load_series
from backtest.events import EventRules, EventStudy, run_event_study
from backtest.events.paths import aligned_paths
from backtest.project import results_dir
from backtest.report import event_report as sections
from backtest.report.figures import (
    plot_event_paths,
    plot_hit_rates,
    plot_index_with_crosses,
    plot_null_distributions,
)
from backtest.report.outputs import csv_text, write_report_directory
from backtest.report.render import figure_png
from backtest.report.summary import dumps, series_provenance, software_versions
from backtest.signals import moving_average
from backtest.stats import (
    DEFAULT_SEED,
    EventStatistics,
    analyze_events,
    random_entry_band,
)
from backtest.stats.verdict import overall_verdict
from backtest.studies import run_as_script

NAME = "russell2000_death_cross"
DEFAULT_OUTPUT = results_dir(__file__) / NAME

CLAIM = (
    "The mirror of the golden-cross claim, as market commentary usually states it: when the Russell 2000's "
    "50-day moving average crosses below its 200-day average (a death cross), losses follow over the next "
    "3 to 12 months, so the cross is a signal to reduce small-cap exposure."
)
RULES = EventRules(fast=50, slow=200, ma="sma", direction="death", start="1985-01-01")
CLAIM_HORIZONS = ("3m", "6m", "9m", "12m")
VARIANTS = (
    ("de-clustered (126d)", "a cross within 126 trading days of the previous kept one is ignored", {"min_gap": 126}),
    ("confirmed (5d)", "the 50-day stays below the 200-day for 5 more days; dated on the last", {"confirm": 5}),
    ("next-day entry", "entry at the close after the cross", {"entry": "next_close"}),
    ("sub-period 1985–1999", "events dated 1985 to 1999", {"end": "1999-12-31"}),
    ("sub-period 2000–2012", "events dated 2000 to 2012", {"start": "2000-01-01", "end": "2012-12-31"}),
    ("sub-period 2013–latest", "events dated 2013 to the data end", {"start": "2013-01-01"}),
)


@dataclass(frozen=True)
class StudyOutputs:
    """Everything the study writes, in memory."""

    summary: dict[str, Any]
    events: pd.DataFrame
    figures: dict[str, bytes]
    report_markdown: str


def _figures(russell2000: Any, study: EventStudy, stats: EventStatistics, band: Any) -> dict[str, bytes]:
    close = russell2000.close
    splice_date = pd.Timestamp(russell2000.splice.switch_date) if russell2000.splice is not None else None
    labels = stats.labels
    paths = aligned_paths(close, study.entry_pos, days=252, labels=[d.date().isoformat() for d in study.table["event_date"]])
    return {
        "index_death_crosses.png": figure_png(plot_index_with_crosses(
            close, moving_average(close, RULES.fast), moving_average(close, RULES.slow), list(study.table["event_date"]),
            title=f"Russell 2000 {close.index[0].year}–{close.index[-1].date()}: 50- and 200-day averages, death crosses since 1985",
            fast_label="50-day SMA", slow_label="200-day SMA", splice_date=splice_date, sample_start=RULES.start,
            direction="death",
        )),
        "event_paths.png": figure_png(plot_event_paths(
            paths, band.quantiles[0.05], band.quantiles[0.95],
            title=f"Russell 2000 after each death cross (entry = 100), {band.k} complete 12-month windows",
            band_label=f"random entry: 5–95% of the mean path of {band.k} random days ({band.n_draws:,} draws)",
        )),
        "null_distributions.png": figure_png(plot_null_distributions(
            {label: stats.null_distribution(label) for label in labels},
            {label: stats[label].events.mean for label in labels},
            {label: stats[label].baseline.mean for label in labels},
            {label: stats[label].random_entry["plain"]["mean"].pvalue for label in labels},
            title="Mean forward return after death crosses vs random entry dates (p: share of random sets as low or lower)",
            direction="death",
        )),
        "hit_rates.png": figure_png(plot_hit_rates(
            labels,
            [stats[label].events.hit_rate for label in labels],
            [stats[label].baseline.hit_rate for label in labels],
            [stats[label].n for label in labels],
            title="Share of windows ending with a gain: death crosses vs every day since 1985 (claim: lower)",
            direction="death",
        )),
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
    """Run the whole study in memory; ``step`` is called with a description before each stage."""
    step("loading and validating data")
    russell2000 = load_series("russell2000", data_dir=data_dir, policy=policy)
    step("detecting death crosses and measuring forward windows")
    study = run_event_study(russell2000, RULES)
    step(f"statistics (claim: losses): {n_draws:,} random-entry draws, {n_paths:,} bootstrapped paths")
    stats = analyze_events(study, n_draws=n_draws, n_paths=n_paths, seed=seed, claim="losses", claim_horizons=CLAIM_HORIZONS)
    band = random_entry_band(study, length=252, n_draws=10_000, seed=seed)
    variants = []
    for name, description, changes in VARIANTS:
        step(f"robustness: {name}")
        rules = RULES.replace(**changes)
        variant_study = run_event_study(russell2000, rules)
        variant_stats = analyze_events(variant_study, n_draws=n_draws, n_paths=n_paths, seed=seed, claim="losses")
        variants.append({"name": name, "description": description, "rules": rules.to_dict(),
                         "n_events": variant_study.n_events, "horizons": sections.compact_horizons(variant_stats.to_dict())})
    conclusion = overall_verdict(
        {label: stats[label].verdict_a.outcome for label in CLAIM_HORIZONS},
        {label: stats[label].verdict_b.outcome for label in CLAIM_HORIZONS},
        claim="losses",
        primary_pvalue=stats.primary.pvalue if stats.primary is not None else float("nan"),
        alpha=stats.alpha,
    )
    summary: dict[str, Any] = {
        "schema_version": 1,
        "study": NAME,
        "claim": CLAIM,
        "parameters": {
            "rules": RULES.to_dict(),
            "horizons": [{"label": h.label, "days": h.days, "months": h.months} for h in study.horizons],
            "seed": seed,
            "n_draws": n_draws,
            "n_paths": n_paths,
            "path_band_draws": band.n_draws,
        },
        "data": series_provenance(russell2000),
        "events": {
            "n": study.n_events,
            "dates": list(study.table["event_date"]),
            "n_pending": {h.label: int(study.table[f"pending_{h.label}"].sum()) for h in study.horizons},
        },
        "statistics": stats.to_dict(),
        "path_band": {"k": band.k, "day_252": {"event_mean": band.event_mean[-1],
                                               **{f"q{round(q * 100):02d}": v[-1] for q, v in band.quantiles.items()}}},
        "robustness": variants,
        "conclusion": conclusion,
        "software": software_versions(),
    }
    summary = json.loads(dumps(summary))  # exactly what summary.json holds, so the report reads the same values
    step("drawing figures")
    figures = _figures(russell2000, study, stats, band)
    step("writing the report")
    events = study.to_frame()
    return StudyOutputs(summary, events, figures, render_report(summary, events))


def render_report(summary: dict[str, Any], events: pd.DataFrame) -> str:
    """report.md from summary.json's content and the event table (formatting only)."""
    stats = summary["statistics"]
    labels = [h["label"] for h in stats["horizons"]]
    by_label = {h["label"]: h for h in stats["horizons"]}
    conclusion = summary["conclusion"]
    data = summary["data"]
    params = summary["parameters"]
    claim_labels = conclusion["claim_horizons"]
    followed, beyond = conclusion["losses_followed_at"], conclusion["beyond_random_entry_at"]
    day_252 = summary["path_band"]["day_252"]
    lines = [
        f"# Do Russell 2000 death crosses precede losses? A test, 1985 to {data['last_date'][:4]}",
        "",
        f"*Generated by `backtest study russell2000-death-cross` from data to {data['last_date']} (seed {params['seed']}). "
        "Every number here is in `summary.json` or `events.csv` beside this file.*",
        "",
        "## Answer in brief",
        "",
        f"- **Verdict on the claim: {conclusion['overall']}.** {summary['events']['n']} death crosses of the 50-day "
        f"below the 200-day average were dated from 1985 to {data['last_date']}.",
        f"- **Did losses follow?** (question A, 3 to 12 months) supported at: {', '.join(followed) or 'none'}. "
        + " ".join(
            f"{label}: mean {sections.pct(by_label[label]['events']['mean'], 1, True)}, "
            f"{sections.pct(by_label[label]['events']['hit_rate'], 0)} of windows up;"
            for label in claim_labels
        ),
        f"- **Worse than a random day?** (question B, primary test fixed in advance: the sum over 3–12 months of "
        f"the standardised excess return, lower tail, against all {stats['primary']['n_null']:,} circular shifts of "
        f"the event dates) p = {sections.pval(stats['primary']['pvalue'])}; secondary per-horizon rule supported at: "
        f"{', '.join(beyond) or 'none'}. "
        + " ".join(
            f"{label}: every-day mean {sections.pct(by_label[label]['baseline']['mean'], 1, True)}, "
            f"random-entry p = {sections.pval(by_label[label]['random_entry']['plain']['mean']['pvalue'])};"
            for label in claim_labels
        ),
        "- In plain words: "
        + (
            "the death cross carried bad news beyond a random entry date over 3 to 12 months (primary test)."
            if conclusion["overall"] == "supported"
            else "losses followed death crosses, but no more than they followed any day of the period."
            if followed
            else "losses did not follow death crosses. Excess over an average day, with the two-sided random-entry "
            "p-value before Holm: "
            + ", ".join(
                f"{label} {sections.pct(by_label[label]['excess_mean'], 1, True)} "
                f"(p = {sections.pval(by_label[label]['random_entry']['plain']['mean']['pvalue_two_sided'])})"
                for label in claim_labels
            )
            + "."
            + (
                " On this history the index rose *more* after a death cross than after an average day at every "
                "horizon from 3 to 12 months: selling on the cross would have meant missing rebounds."
                if all(by_label[label]["excess_mean"] > 0 for label in claim_labels)
                else ""
            )
        ),
        "",
        "## 1. The claim",
        "",
        f"> {summary['claim']}",
        "",
        "Testable parts: losses followed death crosses over 3 to 12 months (question A: mean return below zero and "
        "more windows down than up), and the cross carried bad news, i.e. what followed was worse than what followed "
        "an arbitrary day (question B). This is the mirror of the golden-cross study (`results/russell2000_golden_cross/`), "
        "with the same data, horizons, nulls and verdict structure; every one-sided test now reads the lower tail.",
        "",
        "## 2. Data and provenance",
        "",
        sections.provenance_section(data),
        "",
        "## 3. Method and conventions",
        "",
        f"- **Death cross on day t**: the {params['rules']['fast']}-day simple moving average is at or above the "
        f"{params['rules']['slow']}-day one on t−1 and below it on t; both averages use closes up to t only (no "
        "look-ahead), computed on all history from 1978 so that events from 1985 have full averages.",
        f"- **Events** are dated from {params['rules']['start']}; **entry** at the close of the event day; forward windows of "
        + ", ".join(f"{h['label']} = {h['days']} trading days" for h in params["horizons"]) + ". A window running past "
        "the last close is *pending*: kept in the table, left out of the statistics.",
        "- **Baseline**: the same measurement for every eligible day of the same window (entry from 1985 with a "
        "complete forward window).",
        f"- **Random-entry Monte Carlo**: {params['n_draws']:,} sets of as many random eligible days as there are complete "
        "events, drawn without replacement; p = (1 + #draws with a mean at or *below* the events') / (1 + draws). "
        "Spacing-matched variant as in the golden-cross study (the era-matched one is not run: biased by construction).",
        (f"- **Bootstrapped-path null**: {params['n_paths']:,} stationary-bootstrap price paths (event-period returns, "
         f"mean block per horizon {', '.join(f'{k} {v:.0f}' for k, v in stats['parameters']['mean_block'].items())} days); the same death-cross rule is run on each; p is the share of "
         "paths whose event mean minus that path's all-days mean is at or below the observed one."
         if params["n_paths"] else "- **Bootstrapped-path null**: skipped (run with 0 paths)."),
        "- **Classical tests**, one-sided in the direction of losses: t-tests of mean < 0 and of mean excess return < 0 "
        "with standard errors from the exact calendar overlap of the event windows (Hansen & Hodrick 1980; n_eff − 1 "
        "degrees of freedom), binomial tests of the hit rate below 50% and below the all-day hit rate, Wilcoxon "
        "signed-rank of returns minus the all-days median < 0; 90% intervals from the same SE (ends = one-sided 95% "
        "bounds). Question B is decided by one primary test: the sum over 3–12 months of the standardised excess "
        "return (lower tail) against every circular shift of the event dates; the other B rows are secondary. Holm's adjustment across the five "
        "horizons, per test. Counts below 10 are marked *(anecdotal)* and get no verdict.",
        "",
        "## 4. The events",
        "",
        sections.events_section(events, labels),
        "",
        "![Russell 2000 with its 50- and 200-day averages and every death cross](index_death_crosses.png)",
        "",
        "## 5. Statistics per horizon",
        "",
        "**Death crosses vs every eligible day** (returns in percent of the entry level):",
        "",
        sections.descriptive_table(stats),
        "",
        "**Question A — did losses follow?** (one-sided p-values, lower tail)",
        "",
        sections.claim_question_a_table(stats),
        "",
        f"**Question B — primary test** (lower tail): S = {stats['primary']['statistic']:.3f}, p = "
        f"{sections.pval(stats['primary']['pvalue'])}. Per horizon: excess return, calendar-overlap SE, effective "
        "number of events, 80%-power effect and 95% bound (for a losses claim the bound is the most negative added "
        "return the data cannot rule out):",
        "",
        sections.primary_test_table(stats),
        "",
        "**Question B — secondary rows** (one-sided p-values, lower tail; percentile of the observed "
        "mean among random-entry means: a low percentile supports the claim)",
        "",
        sections.claim_question_b_table(stats),
        "",
        "Notes from the statistics:",
        "",
        sections.notes_list(stats),
        "",
        "![Random-entry null distributions with the observed mean marked](null_distributions.png)",
        "",
        "![Event-aligned paths with the random-entry band](event_paths.png)",
        "",
        f"At day 252 the mean death-cross path stands at {day_252['event_mean']:.1f} (entry = 100); the random-entry "
        f"band runs from {day_252['q05']:.1f} to {day_252['q95']:.1f}.",
        "",
        "![Hit rates after death crosses vs all days](hit_rates.png)",
        "",
        "### Verdict rules",
        "",
        "```text",
        stats["verdict_rules"].rstrip(),
        "```",
        "",
        "## 6. Robustness",
        "",
        "Each row re-runs the whole analysis (same seed, draws and paths, claim: losses) with one change. Cells: "
        "complete events (marked when anecdotal), mean return (excess over all days of the same sample), the "
        "random-entry p-value of the mean before Holm (lower tail), and the verdicts.",
        "",
        sections.variants_table(summary["robustness"], labels),
        "",
        "Variants: " + "; ".join(f"**{v['name']}**: {v['description']}" for v in summary["robustness"]) + ".",
        "",
        "## 7. Conclusion and caveats",
        "",
        f"**{conclusion['overall'].capitalize()}.** {conclusion['rule']}",
        "",
        "- Question A (losses followed), 3–12 months: "
        + ", ".join(f"{label} {conclusion['question_a'][label]}" for label in claim_labels) + ".",
        "- Question B (worse than a random entry date), 3–12 months: "
        + ", ".join(f"{label} {conclusion['question_b'][label]}" for label in claim_labels) + ".",
        "- The Russell 2000 rose over most 3- to 12-month windows since 1985 (all-day hit rates "
        + ", ".join(f"{label} {sections.pct(by_label[label]['baseline']['hit_rate'], 0)}" for label in claim_labels)
        + "): a bearish signal has to beat that drift downwards, not just fall short of it.",
        f"- {summary['events']['n']} events is a small sample; windows of nearby crosses overlap (calendar-overlap "
        "standard errors, circular-shift and spacing-matched nulls), and the sub-period rows have fewer still.",
        "- Price index: dividends are excluded. Costs, taxes and trading practicalities are ignored: this is an event "
        "study, not a strategy backtest.",
        "",
        "## Files",
        "",
        "- `events.csv`: one row per death cross, every measurement (columns `<measure>_<horizon>`).",
        "- `summary.json`: every number above (`statistics` is `EventStatistics.to_dict()` with `claim: losses`; "
        "`robustness[].horizons` are `compact_horizons` rows).",
        "- Figures: `index_death_crosses.png`, `event_paths.png`, `null_distributions.png`, `hit_rates.png`.",
    ]
    return "\n".join(lines) + "\n"


def write(outputs: StudyOutputs, output_dir: Path) -> Path:
    """Write every file into ``output_dir`` atomically (staged, swapped in on success)."""
    return write_report_directory(
        output_dir,
        title="Russell 2000 death crosses: a test of the claim",
        report_markdown=outputs.report_markdown,
        summary=outputs.summary,
        files={
            "events.csv": csv_text(outputs.events),
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
    return write(compute(data_dir, seed=seed, n_draws=n_draws, n_paths=n_paths, step=step, policy=policy), output_dir)


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
