"""Russell 2000 golden crosses since 1985: did gains follow, and were they more than any
random day would have given?

Tests a small-cap newsletter's claim (July 30, 2025) on the canonical Russell 2000 series
(FRED RU2000PR spliced onto ^RUT). Writes ``results/russell2000_golden_cross/``: report.md,
a self-contained report.html, events.csv, summary.json (schema in SCHEMA.md) and figures.

Run: ``backtest study russell2000-golden-cross`` or ``python studies/russell2000_golden_cross.py``.
"""

from __future__ import annotations

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
    VERDICT_RULES,
    EventStatistics,
    analyze_events,
    random_entry_band,
)
from backtest.stats.baseline import describe, unconditional_baseline
from backtest.stats.calibration_cache import cached_calibrate
from backtest.stats.facts import Fact, check_facts
from backtest.stats.outofsample import recent_event_check
from backtest.stats.periods import period_return
from backtest.stats.verdict import overall_verdict
from backtest.studies import run_as_script

NAME = "russell2000_golden_cross"
DEFAULT_OUTPUT = results_dir(__file__) / NAME

ARTICLE = {
    "source": "a small-cap investing newsletter",
    "published": "2025-07-30",
    "claim": (
        "The Russell 2000 was about to form a golden cross (its 50-day moving average crossing above "
        "its 200-day average). Historically this pattern has been followed by sustained Russell 2000 "
        "gains over the next 3 to 12 months, and since 1985 such crosses have signalled significant "
        "small-cap strength, often with gains well beyond three months after the cross. Readers are "
        "told to watch RSI and volume to confirm the breakout is not overheating, and sector rotation "
        "into materials, industrials and consumer discretionary."
    ),
}
_JULY = dict(start="2025-06-30", end="2025-07-31", as_of="2025-07-29")
_YTD = dict(start="2024-12-31", end="2025-07-29", as_of="2025-07-29")
_SPY_NOTE = "SPY stands for the S&P 500; its closes are dividend-adjusted (about +0.1 point a month)"
ARTICLE_FIGURES = (
    Fact("july_russell2000", "In July the Russell 2000 rose 3.5%.", 0.035, "russell2000", **_JULY),
    Fact("july_sp500", "In July the S&P 500 rose 1.7%.", 0.017, "SPY", **_JULY, proxy_note=_SPY_NOTE),
    Fact("july_dow", "In July the Dow rose 0.9%.", 0.009, "DJI", **_JULY),
    Fact("ytd_russell2000", "Year to date the Russell 2000 was up about 1%.", 0.01, "russell2000", **_YTD, precision=0.005),
    Fact("ytd_sp500", "Year to date the S&P 500 was up 7.3%.", 0.073, "SPY", **_YTD, proxy_note=_SPY_NOTE),
    Fact("ytd_nasdaq", "Year to date the Nasdaq was up 8.2%.", 0.082, "NASDAQCOM", **_YTD),
)
"""The article's figures (published 2025-07-30), each as of the last close before publication
(2025-07-29); "in July" also at the month's end. Checked by ``backtest.stats.facts``."""
PUBLISHED = (
    {"source": "Dow Jones Market Data", "what": "Russell 2000 golden crosses since 1987", "series": "russell2000",
     "start": "1987-01-01", "figures": {"3m": 0.02, "6m": 0.043}, "all_days": {}, "note": "same definition (SMA 50/200)"},
    {"source": "LSEG/Reuters", "what": "49 S&P 500 golden crosses since 1928 (90 and 180 days)", "series": "SPY",
     "start": "1993-01-29", "figures": {"3m": 0.048, "6m": 0.104}, "all_days": {"3m": 0.031, "6m": 0.064},
     "note": "S&P 500 only from 1993, via SPY (dividend-adjusted); 3 and 6 months stand for 90 and 180 days"},
)
"""Published averages after golden crosses, reproduced on the same definition where the data allow."""
FIGURE_SERIES = ("russell2000", "SPY", "DJI", "NASDAQCOM")
HEADLINE = EventRules(fast=50, slow=200, ma="sma", direction="golden", start="1985-01-01")
CLAIM_HORIZONS = ("3m", "6m", "9m", "12m")  # "the next 3 to 12 months"
CALIBRATION_REPLICATIONS = 100  # per null model; `backtest calibrate` runs more
SUBPERIODS = (("1985–1999", "1985-01-01", "1999-12-31"), ("2000–2012", "2000-01-01", "2012-12-31"), ("2013–latest", "2013-01-01", None))
DECLUSTER_GAP = 126  # half a year: a re-cross within six months is the same episode
CONFIRM_DAYS = 5  # one trading week above the slow average


@dataclass(frozen=True)
class StudyOutputs:
    """What the study writes: the summary (summary.json), the event table (events.csv),
    figures (PNG bytes by file name) and the Markdown report."""

    summary: dict[str, Any]
    events: pd.DataFrame
    figures: dict[str, bytes]
    report_markdown: str


def _compact(stats: EventStatistics) -> list[dict[str, Any]]:
    """Per-horizon essentials of a robustness variant (the full statistics are the headline's)."""
    rows = []
    for h in stats.horizons:
        rows.append(
            {
                "label": h.label,
                "n": h.n,
                "n_pending": h.n_pending,
                "mean": h.events.mean,
                "median": h.events.median,
                "hit_rate": h.events.hit_rate,
                "baseline_mean": h.baseline.mean,
                "excess_mean": h.excess_mean,
                "hac_p_holm": h.pvalues_holm["hac_mean"],
                "random_entry_p": h.random_entry["plain"]["mean"].pvalue,
                "random_entry_p_holm": h.pvalues_holm["random_entry.plain.mean"],
                "bootstrap_paths_p_holm": h.pvalues_holm.get("bootstrap_paths.mean"),
                "verdict_a": h.verdict_a.outcome,
                "verdict_b": h.verdict_b.outcome,
                "flags": sorted(set(h.verdict_a.flags) | set(h.verdict_b.flags)),
                "n_effective": h.n_effective,
                "primary_p": stats.primary.pvalue if stats.primary is not None else None,
            }
        )
    return rows


def _robustness_variants(russell2000: Any, data_dir: Path | None, policy: str = "lenient") -> list[tuple[str, str, Any, EventRules]]:
    """(name, description, series, rules) of every robustness variant."""
    variants = [
        ("headline", "SMA 50/200, entry at the event-day close, events 1985 to latest", russell2000, HEADLINE),
        (f"de-clustered ({DECLUSTER_GAP}d)", f"a cross within {DECLUSTER_GAP} trading days of the previous kept one is ignored",
         russell2000, HEADLINE.replace(min_gap=DECLUSTER_GAP)),
        (f"confirmed ({CONFIRM_DAYS}d)", f"the 50-day stays above the 200-day for {CONFIRM_DAYS} more days; dated on the last",
         russell2000, HEADLINE.replace(confirm=CONFIRM_DAYS)),
        ("next-day entry", "entry at the close after the cross", russell2000, HEADLINE.replace(entry="next_close")),
    ]
    for label, start, end in SUBPERIODS:
        variants.append((f"sub-period {label}", f"events dated {start[:4]} to {end[:4] if end else 'latest'}",
                         russell2000, HEADLINE.replace(start=start, end=end)))
    price = load_series("RU2000PR", data_dir=data_dir, policy=policy)
    total_return = load_series("russell2000-tr", data_dir=data_dir, policy=policy)
    variants += [
        ("price, FRED 1985–2019", "RU2000PR alone, to its end on 2019-01-10 (same days as the total-return row)", price, HEADLINE),
        ("total return, FRED 1985–2019", "RU2000TR: dividends reinvested, to 2019-01-10", total_return, HEADLINE),
    ]
    return variants


def _fact_checks(russell2000: Any, study: EventStudy, data_dir: Path | None, policy: str = "lenient") -> list[dict[str, Any]]:
    """The article's factual statements, each checked against the data as of publication."""
    published = pd.Timestamp(ARTICLE["published"])
    as_of = russell2000.close.index[russell2000.close.index < published][-1]  # last close before publication
    dates = study.table["event_date"]
    before, after = dates[dates < published], dates[dates >= published]
    last_before = before.iloc[-1] if len(before) else None
    next_after = after.iloc[0] if len(after) else None
    fast = moving_average(russell2000.close, HEADLINE.fast)
    slow = moving_average(russell2000.close, HEADLINE.slow)
    gap_at_publication = float(fast[as_of] - slow[as_of])
    first_since_jan_2024 = (
        last_before is not None and last_before.year == 2024 and last_before.month == 1 and next_after is not None
    )
    checks: list[dict[str, Any]] = [
        {
            "id": "first_cross_since_january_2024",
            "statement": "The coming golden cross would be the first since January 2024.",
            "evidence": (
                f"On {as_of.date()} the 50-day average was {abs(gap_at_publication):,.1f} points "
                f"{'below' if gap_at_publication < 0 else 'above'} the 200-day. "
                f"Previous golden cross: {last_before.date() if last_before is not None else 'none'}; "
                f"next: {next_after.date() if next_after is not None else 'none yet'}."
            ),
            "values": {
                "as_of": as_of,
                "fast_minus_slow_at_publication": gap_at_publication,
                "previous_cross": last_before,
                "next_cross": next_after,
            },
            "status": "confirmed" if first_since_jan_2024 else "not confirmed",
        }
    ]
    peers = {"S&P 500 (SPY)": load_series("SPY", data_dir=data_dir, policy=policy), "Dow (^DJI)": load_series("DJI", data_dir=data_dir, policy=policy)}
    month_start, year_start = "2025-06-30", "2024-12-31"
    july = {"Russell 2000": period_return(russell2000.close, month_start, as_of)}
    july_full = {"Russell 2000": period_return(russell2000.close, month_start, "2025-07-31")}
    ytd = {"Russell 2000": period_return(russell2000.close, year_start, as_of)}
    for label, series in peers.items():
        july[label] = period_return(series.close, month_start, as_of)
        july_full[label] = period_return(series.close, month_start, "2025-07-31")
        ytd[label] = period_return(series.close, year_start, as_of)
    for label in peers:
        beat = july["Russell 2000"].value > july[label].value
        checks.append(
            {
                "id": f"july_2025_vs_{label.split()[0].lower().replace('&', '')}",
                "statement": f"In July 2025 the Russell 2000 gained more than the {label}.",
                "evidence": (
                    f"July to {as_of.date()} (last close before publication): Russell 2000 "
                    f"{sections.pct(july['Russell 2000'].value, 2, True)}, {label} {sections.pct(july[label].value, 2, True)}. "
                    f"Whole month: {sections.pct(july_full['Russell 2000'].value, 2, True)} vs "
                    f"{sections.pct(july_full[label].value, 2, True)}."
                ),
                "values": {
                    "russell2000_month_to_date": july["Russell 2000"].to_dict(),
                    "peer_month_to_date": july[label].to_dict(),
                    "russell2000_full_month": july_full["Russell 2000"].to_dict(),
                    "peer_full_month": july_full[label].to_dict(),
                },
                "status": "confirmed" if beat else "not confirmed",
            }
        )
    lagged_both = all(ytd["Russell 2000"].value < ytd[label].value for label in peers)
    checks.append(
        {
            "id": "year_to_date_gap",
            "statement": "Year to date the Russell 2000 still trailed the large-cap indices (the year-to-date gap).",
            "evidence": (
                f"2025 to {as_of.date()}: Russell 2000 {sections.pct(ytd['Russell 2000'].value, 2, True)}, "
                + ", ".join(
                    f"{label} {sections.pct(ytd[label].value, 2, True)} (gap "
                    f"{(ytd['Russell 2000'].value - ytd[label].value) * 100:+.2f} points)"
                    for label in peers
                )
                + ". SPY closes are dividend-adjusted, which widens its lead by its dividends (about 0.6 points)."
            ),
            "values": {label: ytd[label].to_dict() for label in ytd},
            "status": "confirmed" if lagged_both else "not confirmed",
        }
    )
    return checks


def _conclusion(stats: EventStatistics) -> dict[str, Any]:
    """The claim's verdict over 3 to 12 months, by the rule of ``overall_verdict``: question
    B is decided by the pre-specified primary joint test (``stats.primary``)."""
    return overall_verdict(
        {label: stats[label].verdict_a.outcome for label in CLAIM_HORIZONS},
        {label: stats[label].verdict_b.outcome for label in CLAIM_HORIZONS},
        primary_pvalue=stats.primary.pvalue if stats.primary is not None else float("nan"),
        alpha=stats.alpha,
    )


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

    step("detecting golden crosses and measuring forward windows")
    study = run_event_study(russell2000, HEADLINE)

    step(f"statistics: {n_draws:,} random-entry draws, {n_paths:,} bootstrapped paths")
    stats = analyze_events(study, n_draws=n_draws, n_paths=n_paths, seed=seed, claim_horizons=CLAIM_HORIZONS)
    band = random_entry_band(study, length=252, n_draws=10_000, seed=seed)

    robustness = []
    for name, description, series, rules in _robustness_variants(russell2000, data_dir, policy):
        step(f"robustness: {name}")
        if name == "headline":
            variant_study, variant_stats = study, stats
        else:
            variant_study = run_event_study(series, rules)
            variant_stats = analyze_events(
                variant_study, n_draws=n_draws, n_paths=n_paths, seed=seed, claim_horizons=CLAIM_HORIZONS
            )
        robustness.append(
            {
                "name": name,
                "description": description,
                "series": variant_study.series_name,
                "rules": rules.to_dict(),
                "data_end": variant_study.close.index[-1],
                "n_events": variant_study.n_events,
                "horizons": _compact(variant_stats),
            }
        )

    step("out-of-sample check and the article's statements")
    recent = recent_event_check(study)
    checks = _fact_checks(russell2000, study, data_dir, policy)
    figure_closes = {"russell2000": russell2000.close}
    for name in FIGURE_SERIES[1:]:
        figure_closes[name] = load_series(name, data_dir=data_dir, policy=policy).close
    article_figures = [check.to_dict() for check in check_facts(list(ARTICLE_FIGURES), figure_closes)]
    published = []
    for item in PUBLISHED:
        series = russell2000 if item["series"] == "russell2000" else load_series(item["series"], data_dir=data_dir, policy=policy)
        rules = EventRules(fast=50, slow=200, ma="sma", direction="golden", start=item["start"])
        own = run_event_study(series, rules)
        own_baseline = unconditional_baseline(own)
        published.append(
            {
                **item,
                "n_events": own.n_events,
                "ours": {label: describe(own.table, label).mean for label in item["figures"]},
                "ours_n": {label: describe(own.table, label).n for label in item["figures"]},
                "ours_all_days": {label: own_baseline[label].mean for label in item["figures"]},
            }
        )
    conclusion = _conclusion(stats)

    step(f"calibration: {CALIBRATION_REPLICATIONS} simulated paths per null model")
    calibration_rows: list[dict[str, Any]] = []
    for model in ("gbm", "garch_t"):
        result = cached_calibrate(
            russell2000.close, HEADLINE, CLAIM_HORIZONS, null_model=model,
            n_replications=CALIBRATION_REPLICATIONS, seed=seed, alpha=stats.alpha,
        )
        calibration_rows += result.to_dict()["rows"]
    calibration = {"n_replications": CALIBRATION_REPLICATIONS, "alpha": stats.alpha, "seed": seed, "rows": calibration_rows}

    summary: dict[str, Any] = {
        "schema_version": 1,
        "study": NAME,
        "article": ARTICLE,
        "parameters": {
            "rules": HEADLINE.to_dict(),
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
        "path_band": {"day_252": {"event_mean": band.event_mean[-1], **{f"q{round(q * 100):02d}": v[-1] for q, v in band.quantiles.items()}},
                      "k": band.k},
        "robustness": robustness,
        "recent_event": recent.to_dict(),
        "fact_checks": checks,
        "article_figures": article_figures,
        "published_vs_ours": published,
        "conclusion": conclusion,
        "calibration": calibration,
        "software": software_versions(),
    }
    summary = _json_roundtrip(summary)

    step("drawing figures")
    figures = _figures(russell2000, study, stats, band)

    step("writing the report")
    events = study.to_frame()
    markdown = render_report(summary, events)
    return StudyOutputs(summary=summary, events=events, figures=figures, report_markdown=markdown)


def _json_roundtrip(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary exactly as summary.json holds it, so the report reads the same values."""
    import json

    return json.loads(dumps(summary))


def _figures(russell2000: Any, study: EventStudy, stats: EventStatistics, band: Any) -> dict[str, bytes]:
    close = russell2000.close
    fast = moving_average(close, HEADLINE.fast)
    slow = moving_average(close, HEADLINE.slow)
    splice_date = pd.Timestamp(russell2000.splice.switch_date) if russell2000.splice is not None else None
    figures = {
        "index_golden_crosses.png": figure_png(
            plot_index_with_crosses(
                close, fast, slow, list(study.table["event_date"]),
                title=f"Russell 2000 {close.index[0].year}–{close.index[-1].date()}: 50- and 200-day averages, golden crosses since 1985",
                fast_label="50-day SMA", slow_label="200-day SMA", splice_date=splice_date,
                sample_start=HEADLINE.start,
            )
        ),
    }
    quantiles = band.quantiles
    paths = aligned_paths(close, study.entry_pos, days=252, labels=[d.date().isoformat() for d in study.table["event_date"]])
    figures["event_paths.png"] = figure_png(
        plot_event_paths(
            paths, quantiles[0.05], quantiles[0.95],
            title=f"Russell 2000 after each golden cross (entry = 100), {band.k} complete 12-month windows",
            band_label=f"random entry: 5–95% of the mean path of {band.k} random days ({band.n_draws:,} draws)",
        )
    )
    labels = stats.labels
    figures["null_distributions.png"] = figure_png(
        plot_null_distributions(
            {label: stats.null_distribution(label) for label in labels},
            {label: stats[label].events.mean for label in labels},
            {label: stats[label].baseline.mean for label in labels},
            {label: stats[label].random_entry["plain"]["mean"].pvalue for label in labels},
            title="Mean forward return after golden crosses vs random entry dates (same number of days drawn)",
        )
    )
    figures["hit_rates.png"] = figure_png(
        plot_hit_rates(
            labels,
            [stats[label].events.hit_rate for label in labels],
            [stats[label].baseline.hit_rate for label in labels],
            [stats[label].n for label in labels],
            title="Share of windows ending with a gain: golden crosses vs every day since 1985",
        )
    )
    return figures


def render_report(summary: dict[str, Any], events: pd.DataFrame) -> str:
    """report.md from summary.json's content and the event table (formatting only)."""
    stats = summary["statistics"]
    labels = [h["label"] for h in stats["horizons"]]
    by_label = {h["label"]: h for h in stats["horizons"]}
    conclusion = summary["conclusion"]
    data = summary["data"]
    params = summary["parameters"]
    recent = summary["recent_event"]
    n_events = summary["events"]["n"]

    robustness_returns, robustness_verdicts = sections.robustness_tables(summary["robustness"], labels)

    def horizon_list(items: list[str]) -> str:
        return ", ".join(items) if items else "none"

    a_supported = conclusion["gains_followed_at"]
    b_supported = conclusion["beyond_random_entry_at"]
    primary = stats["primary"]
    primary_supported = conclusion["overall"] == "supported"
    upper = {label: primary["horizons"][label]["upper_bound"] for label in conclusion["claim_horizons"]}
    mde = {label: primary["horizons"][label]["mde"] for label in conclusion["claim_horizons"]}
    lines = [
        "# Do Russell 2000 golden crosses precede gains? A test of the claim, 1985 to "
        f"{data['last_date'][:4]}",
        "",
        f"*Generated by `backtest study russell2000-golden-cross` from data to {data['last_date']} "
        f"(seed {params['seed']}). Every number here is in `summary.json` or `events.csv` beside this file.*",
        "",
        "## Answer in brief",
        "",
        f"- **Verdict on the claim: {conclusion['overall']}.** {n_events} golden crosses of the 50-day over the "
        f"200-day average were dated from 1985 to {data['last_date']}.",
        f"- **Did gains follow?** (question A, 3 to 12 months) supported at: {horizon_list(a_supported)}. "
        + " ".join(
            f"{label}: mean {sections.pct(by_label[label]['events']['mean'], 1, True)}, "
            f"{sections.pct(by_label[label]['events']['hit_rate'], 0)} of windows up;"
            for label in conclusion["claim_horizons"]
        ),
        f"- **Better than a random day?** (question B, primary test fixed in advance: the sum over 3–12 months of "
        f"the standardised excess return against all {primary['n_null']:,} circular shifts of the event dates) "
        f"p = {sections.pval(primary['pvalue'])}: {'supported' if primary_supported else 'not supported'}. "
        + " ".join(
            f"{label}: excess {sections.pct(by_label[label]['excess_mean'], 1, True)} "
            f"(SE {sections.pct(by_label[label]['overlap']['excess']['standard_error'], 1)}, "
            f"n eff {by_label[label]['n_effective']:.0f});"
            for label in conclusion["claim_horizons"]
        ),
        "- In plain words: "
        + (
            "after golden crosses the Russell 2000 usually rose, but about as much as after any day of the same "
            "period. There is no evidence that the cross adds to the next 3 to 12 months' return; this is not "
            "evidence that it adds nothing: the data cannot rule out an added return of up to "
            + ", ".join(f"{sections.pct(upper[label], 1, True)} at {label}" for label in upper)
            + " (95% upper bounds), and an added return would need to be about "
            + ", ".join(f"{sections.pct(mde[label], 1)} at {label}" for label in mde)
            + " to be detected with 80% power."
            if not primary_supported and a_supported
            else "the golden cross carried information beyond a random entry date over 3 to 12 months (primary test)."
            if primary_supported
            else "neither gains after golden crosses nor an advantage over random dates are established by the data; "
            "the 95% upper bounds of the added return are "
            + ", ".join(f"{sections.pct(upper[label], 1, True)} at {label}" for label in upper)
            + "."
        ),
        "",
        "## 1. The claim",
        "",
        f"> {summary['article']['claim']}",
        "",
        f"Source: {summary['article']['source']}, published {summary['article']['published']} (paraphrased). "
        "The testable part: golden crosses of the Russell 2000 since 1985 were followed by gains over 3 to 12 months "
        "(question A), and the cross signalled strength, i.e. those gains exceeded what an investor entering on any "
        "day would have had (question B). The article's RSI, volume and sector-rotation filters are studied separately.",
        "",
        "## 2. Data and provenance",
        "",
        sections.provenance_section(data),
        "",
        "## 3. Method and conventions",
        "",
        f"- **Golden cross on day t**: the {params['rules']['fast']}-day simple moving average is at or below the "
        f"{params['rules']['slow']}-day one on t−1 and above it on t; both averages use closes up to t only (no "
        "look-ahead), computed on all history from 1978 so that events from 1985 have full averages.",
        f"- **Events** are dated from {params['rules']['start']}; **entry** at the close of the event day; forward "
        "windows of " + ", ".join(f"{h['label']} = {h['days']} trading days" for h in params["horizons"]) + ".",
        "- **Measurements** per window: return from entry close to window-end close; maximum drawdown (worst "
        "peak-to-trough fall inside the window); lowest and highest close relative to entry; days to the trough; days "
        "until the entry level is regained after the trough. A window running past the last close is *pending*: kept "
        "in the table, left out of the statistics.",
        "- **Baseline**: the same measurement for every eligible day of the same window (entry day from 1985 with "
        "a complete forward window).",
        f"- **Random-entry Monte Carlo**: {params['n_draws']:,} sets of as many random eligible days as there are "
        "complete events, drawn without replacement; p = (1 + #draws at least as good) / (1 + draws). Variants: "
        "spacing-matched (random days no closer than the closest two events). The era-matched variant (one random day "
        "in each event's calendar year) is no longer run: that year holds the rally that produced the cross, so it is "
        "biased towards \"no\" (measured size 0.4–1.1% at 5%).",
        (f"- **Bootstrapped-path null** (Brock, Lakonishok & LeBaron 1992): {params['n_paths']:,} price paths rebuilt "
         f"from daily log returns resampled with a stationary block bootstrap (mean block "
         f"{stats['parameters']['mean_block']:.0f} days); the same rule is run on each path."
         if params["n_paths"] else "- **Bootstrapped-path null**: skipped (run with 0 paths)."),
        "- **Standard errors in calendar time**: the t-tests of the mean return (question A) and of the mean excess "
        "return take their standard error from the exact number of trading days the event windows share "
        "(correlation of two windows = shared days / √(h_i h_j) when daily returns are uncorrelated; Hansen & "
        "Hodrick 1980), with n_eff − 1 degrees of freedom, n_eff = n² / Σρ the effective number of independent "
        "events. The excess test also counts the sampling error of the all-days mean, which shares days with the "
        "events. Intervals use the same SE and are 90% two-sided, i.e. their ends are one-sided 95% bounds, so an "
        "interval excludes 0 exactly when the unadjusted one-sided 5% test rejects. Holm's adjustment across the "
        "five horizons, per test; binomial tests of the hit rate; Wilcoxon signed-rank of event returns minus the "
        "all-days median.",
        "- **Primary test of question B** (fixed before looking): S = Σ over 3, 6, 9, 12 months of (event mean − "
        "all-days mean) / all-days sd, against every circular shift of the whole event set along the sample window "
        "(gaps between events kept exactly; every horizon evaluated on the same shifted sets). p = share of shifts "
        "with S at least the observed. The 80%-power effect and the 95% upper bound are read off the null quantiles "
        "(a planted effect of d sd at every horizon moves S by 4d). All other question-B tests are secondary.",
        "",
        "## 4. The events",
        "",
        sections.events_section(events, labels),
        "",
        "![Russell 2000 with its 50- and 200-day averages and every golden cross](index_golden_crosses.png)",
        "",
        "## 5. Statistics per horizon",
        "",
        "**Golden crosses vs every eligible day** (returns in percent of the entry level):",
        "",
        sections.descriptive_table(stats),
        "",
        "**Question A — did gains follow?** (one-sided p-values)",
        "",
        sections.question_a_table(stats),
        "",
        f"**Question B — primary test**: S = {primary['statistic']:.3f}, p = {sections.pval(primary['pvalue'])} "
        f"({primary['n_null']:,} circular shifts). Per horizon: the excess return, its calendar-overlap SE and "
        "effective number of events, the smallest added return detectable with 80% power at α = 5% and the 95% upper "
        "bound of the added return, by the overlap t-test and by the joint test (same effect at each horizon in sd "
        "units):",
        "",
        sections.primary_test_table(stats),
        "",
        "**Question B — secondary rows** (one-sided p-values; percentile of the observed mean among random-entry "
        "means). These do not decide the verdict.",
        "",
        sections.question_b_table(stats),
        "",
        f"**Calibration** of the tests ({summary['calibration']['n_replications']} simulated price paths per null "
        "model on the Russell 2000's trading calendar, the headline rule run on each; GBM = i.i.d. normal log "
        "returns with the index's drift and volatility, GARCH-t = GARCH(1,1) with Student-t errors fitted to the "
        "index, persistence capped at 0.99). Size = rejection rate at α = 5% when the crosses carry no information "
        "(should be near 5%); power = rejection rate when a return of the stated size is added after every cross at "
        "every claim horizon. Monte Carlo SE of a 5% rate: about "
        f"{(0.05 * 0.95 / summary['calibration']['n_replications']) ** 0.5 * 100:.1f} points. `backtest calibrate` runs "
        "more paths; see `docs/inference.md`.",
        "",
        sections.calibration_table(summary["calibration"]),
        "",
        "Notes from the statistics:",
        "",
        sections.notes_list(stats),
        "",
        "![Random-entry null distributions with the observed mean marked](null_distributions.png)",
        "",
        "![Event-aligned paths with the random-entry band](event_paths.png)",
        "",
        f"At day 252 the mean golden-cross path stands at {summary['path_band']['day_252']['event_mean']:.1f} "
        f"(entry = 100); the random-entry band runs from {summary['path_band']['day_252']['q05']:.1f} to "
        f"{summary['path_band']['day_252']['q95']:.1f}.",
        "",
        "![Hit rates after golden crosses vs all days](hit_rates.png)",
        "",
        "### Verdict rules",
        "",
        "```text",
        VERDICT_RULES.rstrip(),
        "```",
        "",
        "## 6. Robustness",
        "",
        "Each row re-runs the whole analysis (same seed, draws and paths) with one change. Cells: number of complete "
        "events, mean return (excess over all days of the same sample), and the random-entry p-value of the mean "
        "before Holm's adjustment.",
        "",
        robustness_returns,
        "",
        "Verdicts of each variant (rules above; a variant with fewer than 10 events is anecdotal):",
        "",
        robustness_verdicts,
        "",
        "Variants: " + "; ".join(f"**{v['name']}**: {v['description']}" for v in summary["robustness"]) + ".",
        "",
        "## 7. The most recent golden cross, out of sample",
        "",
        f"The cross of {recent['event_date']} came after the article. Entry at {recent['entry_level']:,.2f}; "
        f"{recent['days_elapsed']} trading days of data follow it (to {recent['last_date']}). Its realised returns so "
        "far, placed within the earlier events' returns over the same number of days and within every day's:",
        "",
        sections.recent_event_table(recent),
        "",
        "One event is an anecdote: a strong or weak outcome here neither confirms nor refutes the historical "
        "statistics above.",
        "",
        "## 8. The article's factual statements",
        "",
        sections.fact_check_table(summary["fact_checks"]),
        "",
        "The statuses above test inequalities (who lagged whom). The article's own figures, compared number for "
        "number (`backtest.stats.facts`): the project's value as of the last close before publication and, for "
        "July, at the month's end. Confirmed = equal at the figure's precision; roughly = within the stated "
        "tolerance; a series the snapshot lacks is not checkable and is never replaced by another index. On the "
        "cross itself: on 2025-07-29 the 50-day average was still below the 200-day, so \"about to form\" was "
        "true at publication and \"just had\" would have been false; the cross came on 2025-08-06.",
        "",
        sections.article_figures_table(summary["article_figures"]),
        "",
        "**Published averages vs ours** (mean return after SMA 50/200 golden crosses; all-days mean of the same "
        "window in brackets where published):",
        "",
        sections.published_vs_ours_table(summary["published_vs_ours"]),
        "",
        "## 9. Conclusion and caveats",
        "",
        f"**{conclusion['overall'].capitalize()}.** {conclusion['rule']}",
        "",
        "- Question A (gains followed), 3–12 months: "
        + ", ".join(f"{label} {conclusion['question_a'][label]}" for label in conclusion["claim_horizons"])
        + ".",
        "- Question B (beyond a random entry date), 3–12 months: "
        + ", ".join(f"{label} {conclusion['question_b'][label]}" for label in conclusion["claim_horizons"])
        + ".",
        "- The Russell 2000 rose over most 3- to 12-month windows of any kind since 1985 (all-day hit rates "
        + ", ".join(f"{label} {sections.pct(by_label[label]['baseline']['hit_rate'], 0)}" for label in conclusion["claim_horizons"])
        + "). A signal has to beat that drift, not zero.",
        f"- {n_events} events is a small sample; windows of nearby crosses overlap (handled by the calendar-overlap "
        "standard errors and the circular-shift null, which keeps the events' spacing), and the sub-period rows have "
        "fewer still.",
        "- \"Not supported\" is not \"no effect\": the primary test's 95% upper bounds of the added return ("
        + ", ".join(f"{label} {sections.pct(upper[label], 1, True)}" for label in upper)
        + ") are the largest effects the data cannot rule out.",
        "- Price index: dividends are excluded except in the total-return robustness row (to 2019).",
        "- Costs, taxes and the practicalities of trading an index are ignored: this is an event study, not a strategy "
        "backtest.",
        "",
        "## Files",
        "",
        "- `events.csv`: one row per event, every measurement (columns `<measure>_<horizon>`).",
        "- `summary.json`: every number above; its schema is in `SCHEMA.md`.",
        "- Figures: `index_golden_crosses.png`, `event_paths.png`, `null_distributions.png`, `hit_rates.png`.",
    ]
    return "\n".join(lines) + "\n"


SCHEMA = """\
# summary.json schema (version 1)

All returns are fractions (0.05 = 5%), dates are ISO `YYYY-MM-DD`, missing values are `null`.

| key | content |
|---|---|
| `schema_version` | 1 |
| `study` | `russell2000_golden_cross` |
| `article` | `source`, `published`, `claim` (paraphrase) |
| `parameters` | `rules` (fast, slow, ma, direction, start, end, confirm, min_gap, entry), `horizons` (label, days, months), `seed`, `n_draws`, `n_paths`, `path_band_draws` |
| `data` | `series`, `first_date`, `last_date`, `n_closes`, `sha256` (of the input files), `segments` (source, symbol, file, first_date, last_date, scale_factor, rows_used, note), `splice` (switch_date, scale_factor, overlap statistics, `by_year` rows), `validation` (per file: sha256, policy, rows_read, rows_used, `findings`: kind, severity, count, dropped, first_dates, message) |
| `events` | `n`, `dates`, `n_pending` per horizon |
| `statistics` | `backtest.stats.EventStatistics.to_dict()`: `series`, `rules`, `sample`, `parameters` (seed, alpha, n_draws, n_paths, mean_block, variants), `verdict_rules`, and `horizons`: per horizon `label`, `days`, `n`, `n_pending`, `maxlags`, `events` and `baseline` (n, mean, median, std, hit_rate, mean/median max drawdown, mean mae/mfe, days to trough, share recovered, days to recover), `excess_mean`, `tests` (hac_mean, hit_vs_half, hac_excess, hit_vs_unconditional, wilcoxon_excess: statistic, pvalue, pvalue_two_sided, alternative, n, null_value, estimate), `confidence_intervals` (mean, mean_excess: low, high), `random_entry` (variant -> statistic -> statistic, pvalue, pvalue_greater, pvalue_less, pvalue_two_sided, percentile, n_null, null_mean, null_std, seed), `bootstrap_paths` (statistic -> same fields), `pvalues`, `pvalues_holm` (test key -> p), `verdicts` (A, B: outcome, rule, flags, evidence), `notes`, `n_effective`, `overlap` (mean, excess: the calendar-overlap t-test: statistic, pvalue, n_effective, df, standard_error, standard_error_iid, ci_low, ci_high, confidence_level, lower_bound, upper_bound, mde); `tests.hac_mean`/`hac_excess` now hold that test (test = calendar_overlap_t); `claim_horizons`; `primary` (the joint circular-shift test of question B: statistic, pvalue, n_null, critical_value, mde_sd, upper_bound_sd, and per horizon n, excess, z, baseline_sd, pvalue, mde, upper_bound) |
| `calibration` | `n_replications`, `alpha`, `seed`, `rows`: null_model (gbm, garch_t), test (primary_joint_shift, overlap_t_excess, overlap_t_mean, shift_by_horizon), horizon, effect (planted added return; 0 = size), rejection_rate, mc_standard_error, n_replications |
| `path_band` | `day_252`: mean event path and random-entry quantiles (q05, q50, q95) at day 252 (entry = 100); `k` events |
| `robustness` | per variant: `name`, `description`, `series`, `rules`, `data_end`, `n_events`, `horizons` (label, n, n_pending, mean, median, hit_rate, baseline_mean, excess_mean, hac_p_holm, random_entry_p, random_entry_p_holm, bootstrap_paths_p_holm, verdict_a, verdict_b, flags) |
| `recent_event` | `event_date`, `entry_date`, `entry_level`, `last_date`, `days_elapsed`, `windows` (label, days, complete, realised_return, earlier_events_n, earlier_events_median, percentile_among_earlier_events, all_days_n, all_days_median, percentile_among_all_days) |
| `fact_checks` | per statement: `id`, `statement`, `evidence`, `values`, `status` (`confirmed` / `not confirmed`) |
| `conclusion` | `rule`, `claim_horizons`, `question_a`, `question_b` (label -> outcome), `claim` (gains), `gains_followed_at`, `beyond_random_entry_at`, `primary_pvalue` (the primary test decides B), `overall` |
| `software` | versions of Python and the numerical packages |
"""


def write(outputs: StudyOutputs, output_dir: Path) -> Path:
    """Write every file into ``output_dir`` atomically (staged, swapped in on success)."""
    return write_report_directory(
        output_dir,
        title="Russell 2000 golden crosses: a test of the claim",
        report_markdown=outputs.report_markdown,
        summary=outputs.summary,
        files={
            "events.csv": csv_text(outputs.events),
            "SCHEMA.md": SCHEMA,
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
