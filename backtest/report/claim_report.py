"""A claim's report: the answer in the terminal, report.md from one Jinja2 template, figures.

``render_markdown(summary, events)`` fills ``templates/event_study.md.j2`` with summary.json's
content and the event table (formatting only: every number was computed before);
``write_claim_report(result, folder)`` draws the figures and writes the report folder (kind
"claim"); ``answer_lines`` / ``answer_html`` say the verdict and one line per horizon.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.report import event_report as sections
from backtest.report.claim_extras import EXTRA_FIGURES, extra_figures, interactive_blocks
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
    return (f"{h['label']}: n={h['n']}, mean {sections.pct(h['events']['mean'], 1, True)} "
            f"(all days {sections.pct(h['baseline']['mean'], 1, True)}), "
            f"{sections.pct(share, 0)} of windows {'up' if direction == 'gains' else 'down'}; "
            f"{direction} followed: {h['verdicts']['A']['outcome']}; "
            f"{'beyond' if direction == 'gains' else 'worse than'} random days: {h['verdicts']['B']['outcome']}"
            + (f" (random-entry p = {sections.pval(plain['pvalue'])})" if plain else ""))


def answer_lines(summary: Mapping[str, Any]) -> list[str]:
    """The verdict, then what was tested, then one line per horizon."""
    claim = summary["claim"]
    data = summary["data"]
    lines = [
        f"Verdict: {summary['conclusion']['overall']} — {claim['title']}",
        f"{summary['events']['n']} events ({summary['event_source']['description']}) on {data['series']}, "
        f"data {data['first_date']} to {data['last_date']}",
    ]
    judged = set(claim["verdict_horizons"])
    for h in _horizon_rows(summary):
        marker = "" if h["label"] in judged else "  (not judged)"
        lines.append("  " + horizon_line(h, claim["direction"]) + marker)
    return lines


def answer_html(summary: Mapping[str, Any]) -> str:
    """The answer as a small HTML block (Jupyter's rich display)."""
    lines = answer_lines(summary)
    items = "".join(f"<li>{html.escape(line.strip())}</li>" for line in lines[2:])
    return (f"<div><p><strong>{html.escape(lines[0])}</strong></p><p>{html.escape(lines[1])}</p>"
            f"<ul>{items}</ul></div>")


def events_table(events: pd.DataFrame, labels: Sequence[str]) -> str:
    """One row per event: dates, close, the source's recorded values, return per horizon and
    the longest horizon's maximum drawdown ('pending' where the window is not complete)."""
    if events.empty:
        return "No event."
    columns = list(events.columns)
    value_columns = columns[columns.index("close") + 1 : columns.index("entry_level")]
    last = labels[-1]
    rows = pd.DataFrame({
        "#": events.index,
        "event date": events["event_date"].dt.strftime("%Y-%m-%d"),
        "entry": events["entry_date"].dt.strftime("%Y-%m-%d").fillna("–"),
        "close": events["close"].map("{:,.2f}".format),
        **{column: events[column].map(lambda v: "–" if pd.isna(v) else f"{v:,.4g}") for column in value_columns},
        **{f"ret {label}": ["pending" if pending else sections.pct(value, 1, True)
                            for value, pending in zip(events[f"ret_{label}"], events[f"pending_{label}"])]
           for label in labels},
        f"max drawdown {last}": ["pending" if pending else sections.pct(value)
                                 for value, pending in zip(events[f"max_drawdown_{last}"], events[f"pending_{last}"])],
    })
    return markdown_table(rows)


def fact_table(facts: Sequence[Mapping[str, Any]]) -> str:
    rows = [{"statement": f["statement"], "period": f"{f['period'][0]} to {f['period'][1]}",
             "figure": sections.pct(f["figure"], 2, True), "ours": sections.pct(f["value"], 2, True),
             "tolerance": f"±{f['tolerance'] * 100:.2f} pts", "status": f"**{f['status']}**", "evidence": f["evidence"]}
            for f in facts]
    return markdown_table(pd.DataFrame(rows))


FIGURES = {
    "events.png": "The series and every event",
    "event_paths.png": "Event-aligned paths with the random-entry band",
    "null_distributions.png": "Random-entry null distributions with the observed mean marked",
    "hit_rates.png": "Share of windows with the claimed outcome: events vs every day",
    **EXTRA_FIGURES,  # issue 19 hook (backtest.report.claim_extras)
}


def render_markdown(summary: Mapping[str, Any], events: pd.DataFrame, figures: Sequence[str] | None = None) -> str:
    """report.md of a claim: the one template filled with summary.json's content."""
    stats = summary["statistics"]
    labels = [h["label"] for h in stats["horizons"]]
    claim = summary["claim"]
    context = {
        "s": summary,
        "claim": claim,
        "conclusion": summary["conclusion"],
        "data": summary["data"],
        "params": summary["parameters"],
        "source": summary["event_source"],
        "source_kind": SOURCE_KIND_TEXT[summary["event_source"]["kind"]],
        "answer": answer_lines(summary),
        "judged": claim["verdict_horizons"],
        "gains": claim["direction"] == "gains",
        "n_events": summary["events"]["n"],
        "out_of_sample": summary["events"]["out_of_sample"],
        "provenance": sections.provenance_section(summary["data"]),
        "events_table": events_table(events, labels),
        "descriptive_table": sections.descriptive_table(stats),
        "question_a_table": sections.claim_question_a_table(stats),
        "question_b_table": sections.claim_question_b_table(stats),
        "notes": sections.notes_list(stats),
        "verdict_rules": stats["verdict_rules"].rstrip(),
        "facts_table": fact_table(summary["facts"]) if summary["facts"] else "",
        "figures": {name: FIGURES[name] for name in (figures if figures is not None else FIGURES)},
        "horizon_text": ", ".join(f"{h['label']} = {h['days']} trading days" for h in summary["parameters"]["horizons"]),
    }
    return _environment().get_template(TEMPLATE).render(**context)


def draw_figures(result: Any) -> dict[str, bytes]:
    """PNG bytes of each figure of a ``ClaimResult`` (those its data allow)."""
    from backtest.events.paths import aligned_paths
    from backtest.report.figures import plot_event_paths, plot_hit_rates, plot_null_distributions, plot_series_with_events
    from backtest.report.render import figure_png
    from backtest.signals import moving_average

    spec = result.spec
    detection = result.detection_study
    close = detection.close
    direction = "event"
    lines = {}
    if spec.event.kind == "ma_cross":
        direction = spec.event.direction
        lines = {f"{spec.event.ma.upper()}({spec.event.fast})": moving_average(close, spec.event.fast, spec.event.ma),
                 f"{spec.event.ma.upper()}({spec.event.slow})": moving_average(close, spec.event.slow, spec.event.ma)}
    figures = {"events.png": figure_png(plot_series_with_events(
        close, list(detection.table["event_date"]), lines=lines, direction=direction,
        sample_start=detection.rules.start,
        title=f"{result.summary_data['data']['series']}: {detection.rules.source.describe()}"))}
    stats = result.statistics
    labels = [label for label in stats.labels if stats[label].n > 0]
    if result.band is not None and result.band.k > 0:
        band = result.band
        paths = aligned_paths(result.study.close, result.study.entry_pos, days=len(band.event_mean) - 1)
        figures["event_paths.png"] = figure_png(plot_event_paths(
            paths, band.quantiles[0.05], band.quantiles[0.95],
            title=f"{result.study.series_name or result.study.close.name} after each event (entry = 100)",
            band_label=f"random entry: 5–95% of the mean path of {band.k} random days ({band.n_draws:,} draws)"))
    if labels:
        figures["null_distributions.png"] = figure_png(plot_null_distributions(
            {label: stats.null_distribution(label) for label in labels},
            {label: stats[label].events.mean for label in labels},
            {label: stats[label].baseline.mean for label in labels},
            {label: stats[label].random_entry["plain"]["mean"].pvalue for label in labels},
            title="Mean forward return after the events vs random entry dates (same number of days)",
            direction=direction))
        gains = spec.claim.direction == "gains"
        figures["hit_rates.png"] = figure_png(plot_hit_rates(
            labels,
            [stats[label].events.hit_rate if gains else 1 - stats[label].events.hit_rate for label in labels],
            [stats[label].baseline.hit_rate if gains else 1 - stats[label].baseline.hit_rate for label in labels],
            [stats[label].n for label in labels],
            title="Share of windows with the claimed outcome: events vs every eligible day",
            direction=direction, outcome="a gain" if gains else "no gain"))
    figures.update(extra_figures(result))  # issue 19 hook
    return figures


def write_claim_report(result: Any, folder: Path) -> Path:
    """Write a claim's report folder (kind "claim"): report.md, report.html, events.csv,
    summary.json, the figures and a copy of the spec."""
    from backtest.report.outputs import csv_text, write_report_directory

    figures = draw_figures(result)
    events = result.to_frame()
    files = {"events.csv": csv_text(events)}
    origin = Path(result.spec.origin)
    if result.spec.origin != "<code>" and origin.is_file():
        files["claim.toml"] = origin.read_text(encoding="utf-8")
    return write_report_directory(
        folder, title=result.spec.claim.title, report_markdown=render_markdown(result.summary_data, events, list(figures)),
        summary=result.summary_data, files=files, figures=figures, kind="claim",
        # issue 19 hook: interactive plotly figures replace these PNGs in report.html only
        interactive=interactive_blocks(result, figures))

