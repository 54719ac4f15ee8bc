"""A claim's report: the answer in the terminal, report.md from one Jinja2 template, figures.

``render_markdown(summary, events)`` fills ``templates/event_study.md.j2`` with summary.json's
content and the event table (formatting only: every number was computed before);
``draw_claim_figures(result)`` draws the figures (PNG and interactive), ``write_claim_report(
result, folder)`` writes the report folder (kind "claim"), drawing them unless given; ``answer_lines`` / ``answer_html`` say the verdict and one line per horizon.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.report import event_report as sections
from backtest.report.claim_extras import EXTRA_FIGURES
from backtest.report.claim_extras import extra_figures as standard_extra_figures
from backtest.report.render import markdown_table

TEMPLATES_DIR = Path(__file__).with_name("templates")
TEMPLATE = "event_study.md.j2"
SOURCE_KIND_TEXT = {
    "ma_cross": "a moving-average cross",
    "line_cross": "one line crossing another",
    "threshold": "a value crossing a fixed level",
    "new_high": "a close above the highest close of the previous days",
    "new_low": "a close below the lowest close of the previous days",
    "dates": "a list of dates",
}


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML: the HTML twin escapes what it must
    )


def _horizon_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(summary["statistics"]["horizons"])


def horizon_line(h: Mapping[str, Any], direction: str) -> str:
    """One horizon in one line: n, mean (all days), share of windows with the claimed outcome,
    verdicts A and B with the random-entry p-value."""
    if not h["n"]:
        return f"{h['label']}: no complete window yet"
    hit = h["events"]["hit_rate"]
    share = hit if direction == "gains" else 1.0 - hit
    plain = h["random_entry"].get("plain", {}).get("mean")
    return (
        f"{h['label']}: n={h['n']}, mean {sections.pct(h['events']['mean'], 1, True)} "
        f"(all days {sections.pct(h['baseline']['mean'], 1, True)}), "
        f"{sections.pct(share, 0)} of windows {'up' if direction == 'gains' else 'down'}; "
        f"{direction} followed: {h['verdicts']['A']['outcome']}; "
        f"{'beyond' if direction == 'gains' else 'worse than'} random days, per horizon (secondary): "
        f"{h['verdicts']['B']['outcome']}" + (f" (random-entry p = {sections.pval(plain['pvalue'])})" if plain else "")
    )


def answer_lines(summary: Mapping[str, Any]) -> list[str]:
    """The verdict, then what was tested, then one line per horizon."""
    claim = summary["claim"]
    data = summary["data"]
    lines = [
        f"Verdict: {summary['conclusion']['overall']} — {claim['title']}",
        f"{summary['events']['n']} events ({summary['event_source']['description']}) on {data['series']}, "
        f"data {data['first_date']} to {data['last_date']}",
    ]
    primary = summary["statistics"].get("primary")
    if primary:
        word = "better" if claim["direction"] == "gains" else "worse"
        lines.append(
            f"Primary test ({word} than a random day, joint over {', '.join(claim['verdict_horizons'])}; "
            f"circular shifts of the event dates): p = {sections.pval(primary['pvalue'])}"
        )
    judged = set(claim["verdict_horizons"])
    for h in _horizon_rows(summary):
        marker = "" if h["label"] in judged else "  (not judged)"
        lines.append("  " + horizon_line(h, claim["direction"]) + marker)
    return lines


def answer_html(summary: Mapping[str, Any]) -> str:
    """The answer as a small HTML block (Jupyter's rich display)."""
    lines = answer_lines(summary)
    items = "".join(f"<li>{html.escape(line.strip())}</li>" for line in lines[2:])
    return f"<div><p><strong>{html.escape(lines[0])}</strong></p><p>{html.escape(lines[1])}</p><ul>{items}</ul></div>"


def events_table(events: pd.DataFrame, labels: Sequence[str]) -> str:
    """One row per event: dates, close, the source's recorded values, return per horizon and
    the longest horizon's maximum drawdown ('pending' where the window is not complete)."""
    if events.empty:
        return "No event."
    columns = list(events.columns)
    value_columns = columns[columns.index("close") + 1 : columns.index("entry_level")]
    last = labels[-1]
    rows = pd.DataFrame(
        {
            "#": events.index,
            "event date": events["event_date"].dt.strftime("%Y-%m-%d"),
            "entry": events["entry_date"].dt.strftime("%Y-%m-%d").fillna("–"),
            "close": events["close"].map("{:,.2f}".format),
            **{column: events[column].map(lambda v: "–" if pd.isna(v) else f"{v:,.4g}") for column in value_columns},
            **{
                f"ret {label}": [
                    "pending" if pending else sections.pct(value, 1, True)
                    for value, pending in zip(events[f"ret_{label}"], events[f"pending_{label}"])
                ]
                for label in labels
            },
            f"max drawdown {last}": [
                "pending" if pending else sections.pct(value)
                for value, pending in zip(events[f"max_drawdown_{last}"], events[f"pending_{last}"])
            ],
        }
    )
    return markdown_table(rows)


def comparison_table(variants: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> str:
    """[[variants]] as one table: ``event_report.variants_table``'s cells per horizon, then each
    variant's primary-test p-value and overall verdict."""
    table = pd.DataFrame(
        {
            "variant": [v["name"] for v in variants],
            "primary p": [sections.pval((v["primary"] or {}).get("pvalue")) for v in variants],
            "verdict": [f"**{v['conclusion']}**" if v["conclusion"] else "–" for v in variants],
        }
    )
    cells = sections.variants_table(variants, labels)
    lines = cells.splitlines()
    extra = markdown_table(table.drop(columns="variant")).splitlines()
    return "\n".join(f"{a}{b[1:]}" for a, b in zip(lines, extra, strict=True))


FIGURES = {
    "events.png": "The series and every event",
    "event_paths.png": "Event-aligned paths with the random-entry band",
    "null_distributions.png": "Random-entry null distributions with the observed mean marked",
    "hit_rates.png": "Share of windows with the claimed outcome: events vs every day",
    **EXTRA_FIGURES,
}
EVENT_FIGURES = ("events.png",)
"""Figures shown with the event table; the others follow the statistics."""


def _plain_words(summary: Mapping[str, Any], judged_rows: Sequence[Mapping[str, str]]) -> str:
    """The verdict in a sentence (chosen, not computed: every figure is formatted from summary.json)."""
    claim, conclusion = summary["claim"], summary["conclusion"]
    gains = claim["direction"] == "gains"
    outcome = "gains" if gains else "losses"
    judged = ", ".join(claim["verdict_horizons"])
    primary = summary["statistics"].get("primary")
    followed = conclusion.get(f"{outcome}_followed_at", [])
    overall = conclusion["overall"]
    bounds = mde = ""
    if primary:
        by = primary["horizons"]
        order = [label for label in claim["verdict_horizons"] if label in by]
        bounds = ", ".join(f"{sections.pct(by[label]['upper_bound'], 1, True)} at {label}" for label in order)
        mde = ", ".join(f"{sections.pct(by[label]['mde'], 1)} at {label}" for label in order)
    if overall == "supported":
        return (
            f"the events carried information: what followed them was {'better' if gains else 'worse'} than what "
            f"followed random days of the same period over {judged}"
            + (f" (primary test p = {sections.pval(primary['pvalue'])})." if primary else ", at every horizon judged.")
        )
    if overall == "partly supported":
        return (
            f"the events beat random days at {', '.join(conclusion['beyond_random_entry_at'])} but not at every "
            f"horizon judged ({judged})."
        )
    if overall == "inconclusive":
        return "the data are too few to run the primary test, so the claim can be neither supported nor rejected."
    if not primary:
        power = ""
    elif gains:
        power = (
            f" The data cannot rule out an added return of up to {bounds} (95% bounds), and an added return "
            f"would need to be about {mde} to be detected with 80% power."
        )
    else:
        power = (
            f" The data rule out an added return below {bounds} (95% bounds: the largest added loss they allow), "
            f"and an added loss would need to be about {mde} to be detected with 80% power."
        )
    by_label = {h["label"]: h for h in summary["statistics"]["horizons"]}
    excesses = [by_label[label]["excess_mean"] for label in claim["verdict_horizons"]]
    if excesses and all(e is not None and (e < 0 if gains else e > 0) for e in excesses):
        power += (
            f" On this history {summary['data']['series']} did {'worse' if gains else 'better'} after the events "
            f"than after an average day at every horizon judged: the opposite of the claim."
        )
    if followed:
        return (
            f"{outcome} did follow the events, but about as much as they followed any day of the same period. "
            f"There is no evidence that the events add to the return over {judged}; this is not evidence that "
            f"they add nothing.{power}"
        )
    return f"neither {outcome} after the events nor an edge over random days is established by the data.{power}"


def render_markdown(
    summary: Mapping[str, Any],
    events: pd.DataFrame,
    figures: Sequence[str] | None = None,
    *,
    narrative: str = "",
    extra_figures: Mapping[str, str] | None = None,
    command: str = "backtest claim run",
) -> str:
    """report.md of an event study: the one template filled with summary.json's content.
    ``narrative``: a study's own paragraph (after the answer); ``extra_figures``: its own
    figures (file name -> caption), shown after the statistics."""
    stats = summary["statistics"]
    labels = [h["label"] for h in stats["horizons"]]
    claim = summary["claim"]
    gains = claim["direction"] == "gains"
    by_label = {h["label"]: h for h in stats["horizons"]}
    judged_rows = []
    for label in claim["verdict_horizons"]:
        h = by_label[label]
        hit = h["events"]["hit_rate"]
        excess = (h.get("overlap") or {}).get("excess") or {}
        judged_rows.append(
            {
                "label": label,
                "n": h["n"],
                "mean": sections.pct(h["events"]["mean"], 1, True),
                "share": sections.pct(hit if gains or hit is None else 1.0 - hit, 0),
                "excess": sections.pct(h["excess_mean"], 1, True),
                "se": sections.pct(excess.get("standard_error"), 1),
                "n_eff": sections.num(h.get("n_effective"), 0),
            }
        )
    raw_primary = stats.get("primary")
    primary = None
    if raw_primary:
        primary = {
            "statistic": f"{raw_primary['statistic']:.3f}",
            "pvalue": sections.pval(raw_primary["pvalue"]),
            "n_null": f"{raw_primary['n_null']:,}",
            "horizon_list": ", ".join(label for label in claim["verdict_horizons"] if label in raw_primary["horizons"]),
            "outcome": "supported" if summary["conclusion"]["overall"] == "supported" else "not supported",
        }
    calibration = summary.get("calibration")
    extra = dict(extra_figures or {})
    shown = {name: FIGURES.get(name, extra.get(name, name)) for name in (figures if figures is not None else FIGURES)}
    mean_block = stats["parameters"].get("mean_block") or {}
    context = {
        "s": summary,
        "path_blocks": ", ".join(f"{label} {mean_block[label]:.0f}" for label in labels if label in mean_block),
        "command": command,
        "claim": claim,
        "conclusion": summary["conclusion"],
        "data": summary["data"],
        "params": summary["parameters"],
        "source": summary["event_source"],
        "source_kind": SOURCE_KIND_TEXT[summary["event_source"]["kind"]],
        "judged": claim["verdict_horizons"],
        "judged_rows": judged_rows,
        "gains": gains,
        "outcome_word": "gains" if gains else "losses",
        "followed_key": f"{claim['direction']}_followed_at",
        "plain_words": _plain_words(summary, judged_rows),
        "narrative": narrative.strip(),
        "primary": primary,
        "alpha": f"{stats['parameters']['alpha']:g}",
        "n_events": summary["events"]["n"],
        "out_of_sample": summary["events"]["out_of_sample"],
        "provenance": sections.provenance_section(summary["data"]),
        "events_table": events_table(events, labels),
        "descriptive_table": sections.descriptive_table(stats),
        "question_a_table": sections.question_a_table(stats),
        "question_b_table": sections.question_b_table(stats),
        "primary_table": sections.primary_test_table(stats) if primary else "",
        "calibration_table": sections.calibration_table(calibration) if calibration else "",
        "calibration_se": f"{(0.05 * 0.95 / calibration['n_replications']) ** 0.5 * 100:.1f}" if calibration else "",
        "variants_table": comparison_table(summary["variants"], labels) if summary["variants"] else "",
        "recent_table": sections.recent_event_table(summary["recent_event"]) if summary["recent_event"] else "",
        "notes": sections.notes_list(stats),
        "verdict_rules": stats["verdict_rules"].rstrip(),
        "facts_table": sections.article_figures_table(summary["facts"]) if summary["facts"] else "",
        "published_table": sections.published_vs_ours_table(summary["published"]) if summary["published"] else "",
        "figures": shown,
        "event_figures": EVENT_FIGURES,
        "extra_figures": {name: caption for name, caption in extra.items() if name in shown},
        "horizon_text": ", ".join(
            f"{h['label']} = {h['days']} trading days" for h in summary["parameters"]["horizons"]
        ),
    }
    return _environment().get_template(TEMPLATE).render(**context)


def draw_figures(result: Any) -> dict[str, bytes]:
    """PNG bytes of each figure of a ``ClaimResult`` (those its data allow)."""
    from backtest.events.paths import aligned_paths
    from backtest.report.figures import (
        plot_event_paths,
        plot_hit_rates,
        plot_null_distributions,
        plot_series_with_events,
    )
    from backtest.report.render import figure_png
    from backtest.signals import moving_average

    spec = result.spec
    detection = result.detection_study
    close = detection.close
    direction = "event"
    lines = {}
    if spec.event.kind == "ma_cross":
        direction = spec.event.direction
        lines = {
            f"{spec.event.ma.upper()}({spec.event.fast})": moving_average(close, spec.event.fast, spec.event.ma),
            f"{spec.event.ma.upper()}({spec.event.slow})": moving_average(close, spec.event.slow, spec.event.ma),
        }
    figures = {
        "events.png": figure_png(
            plot_series_with_events(
                close,
                list(detection.table["event_date"]),
                lines=lines,
                direction=direction,
                sample_start=detection.rules.start,
                title=f"{result.summary_data['data']['series']}: {detection.rules.source.describe()}",
            )
        )
    }
    stats = result.statistics
    labels = [label for label in stats.labels if stats[label].n > 0]
    if result.band is not None and result.band.k > 0:
        band = result.band
        paths = aligned_paths(result.study.close, result.study.entry_pos, days=len(band.event_mean) - 1)
        figures["event_paths.png"] = figure_png(
            plot_event_paths(
                paths,
                band.quantiles[0.05],
                band.quantiles[0.95],
                title=f"{result.study.series_name or result.study.close.name} after each event (entry = 100)",
                band_label=f"random entry: 5–95% of the mean path of {band.k} random days ({band.n_draws:,} draws)",
            )
        )
    if labels:
        figures["null_distributions.png"] = figure_png(
            plot_null_distributions(
                {label: stats.null_distribution(label) for label in labels},
                {label: stats[label].events.mean for label in labels},
                {label: stats[label].baseline.mean for label in labels},
                {label: stats[label].random_entry["plain"]["mean"].pvalue for label in labels},
                title="Mean forward return after the events vs random entry dates (same number of days)",
                direction=direction,
            )
        )
        gains = spec.claim.direction == "gains"
        figures["hit_rates.png"] = figure_png(
            plot_hit_rates(
                labels,
                [stats[label].events.hit_rate if gains else 1 - stats[label].events.hit_rate for label in labels],
                [stats[label].baseline.hit_rate if gains else 1 - stats[label].baseline.hit_rate for label in labels],
                [stats[label].n for label in labels],
                title="Share of windows with the claimed outcome: events vs every eligible day",
                direction=direction,
                outcome="a gain" if gains else "no gain",
            )
        )
    figures.update(standard_extra_figures(result))
    return figures


@dataclass(frozen=True)
class ClaimFigures:
    """A claim's drawn figures: ``png`` (file name -> PNG bytes, ``draw_figures``) and
    ``interactive`` (the plotly div replacing each PNG in report.html, ``claim_blocks``; a
    report keeps those whose PNG it shows)."""

    png: dict[str, bytes]
    interactive: dict[str, str]


def draw_claim_figures(result: Any) -> ClaimFigures:
    """Every figure of a claim's report. They read the claim's own analysis only (its study,
    statistics, band and series; never the variants' rows), so they may be drawn while the
    variants run (``backtest.claims.run.run_claim_report``)."""
    from backtest.report.interactive import claim_blocks

    return ClaimFigures(png=draw_figures(result), interactive=claim_blocks(result, slug=result.spec.name))


def write_claim_report(
    result: Any,
    folder: Path,
    *,
    kind: str = "claim",
    narrative: str = "",
    extra_figures: Mapping[str, tuple[str, bytes]] | None = None,
    command: str = "backtest claim run",
    drawn: ClaimFigures | None = None,
) -> Path:
    """Write an event study's report folder (``kind`` "claim", or "study" for a study script):
    report.md, report.html, events.csv, summary.json, the figures and a copy of the spec.
    ``extra_figures``: a study's own figures, file name -> (caption, PNG bytes); ``drawn``:
    ``draw_claim_figures(result)`` when already drawn (drawn here otherwise)."""
    from backtest.report.outputs import csv_text, write_report_directory

    if drawn is None:
        drawn = draw_claim_figures(result)
    figures = dict(drawn.png)
    extra = dict(extra_figures or {})
    figures.update({name: png for name, (_, png) in extra.items()})
    events = result.to_frame()
    files = {"events.csv": csv_text(events)}
    origin = Path(result.spec.origin)
    if result.spec.origin != "<code>" and origin.is_file():
        files["claim.toml"] = origin.read_text(encoding="utf-8")
    markdown = render_markdown(
        result.summary_data,
        events,
        list(figures),
        narrative=narrative,
        extra_figures={name: caption for name, (caption, _) in extra.items()},
        command=command,
    )
    # interactive plotly figures replace their PNG twins in report.html only (report.md keeps the PNGs)
    return write_report_directory(
        folder,
        title=result.spec.claim.title,
        report_markdown=markdown,
        summary=result.summary_data,
        files=files,
        figures=figures,
        kind=kind,
        interactive={name: block for name, block in drawn.interactive.items() if name in figures},
    )
