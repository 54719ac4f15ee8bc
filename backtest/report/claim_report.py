"""A claim's report: the answer in the terminal, report.md from one Jinja2 template, figures.

``render_markdown(summary, events)`` fills ``templates/event_study.md.j2`` with summary.json's
content and the event table (formatting only: every number was computed before);
``draw_claim_figures(result)`` draws the figures (PNG and interactive), ``claim_report_files(
result)`` renders the report folder's files (drawing them unless given; the composition layer
writes them: ``backtest.claims.outputs.write_claim_report``);
``answer_lines`` / ``answer_html`` say the verdict with its reason, the primary test in both
tails and one line per horizon. A claim that is not testable gets its reason, its events and
its data, and no statistic: what the verdict machinery found, never more.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest import numbers
from backtest.errors import SpecError
from backtest.files import CLAIM_SPEC, read_text
from backtest.report import event_report as sections
from backtest.report.answer_figure import ANSWER_FIGURE, ANSWER_FIGURE_CAPTION, answer_path
from backtest.report.claim_extras import EXTRA_FIGURES
from backtest.report.claim_extras import extra_figures as standard_extra_figures
from backtest.report.render import MarkdownFragment, markdown_table, template_environment
from backtest.report.specification_curve import (
    SPECIFICATION_CURVE,
    SPECIFICATION_CURVE_CAPTION,
    untestable_specifications,
)
from backtest.stats.verdict import SMALL as SMALL_SAMPLE_FLAG
from backtest.stats.verdict import SMALL_SAMPLE as SMALL_SAMPLE_N

if TYPE_CHECKING:
    from backtest.report.outputs import ReportFiles

TEMPLATE = "event_study.md.j2"


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
        f"{h['label']}: n={h['n']}, mean {numbers.percent(h['events']['mean'], 1, signed=True)} "
        f"(all days {numbers.percent(h['baseline']['mean'], 1, signed=True)}), "
        f"{numbers.percent(share, 0)} of windows {'up' if direction == 'gains' else 'down'}; "
        f"{direction} followed: {h['verdicts']['A']['outcome']}; "
        f"{'beyond' if direction == 'gains' else 'worse than'} random days, per horizon (secondary): "
        f"{h['verdicts']['B']['outcome']}" + (f" (random-entry p = {numbers.pvalue(plain['pvalue'])})" if plain else "")
    )


def label_words(label: str) -> str:
    """A horizon label in words: '3m' -> '3 months', '1m' -> 'month', '10d' -> '10 trading days'
    (read after "the": "the 3 months after each event", "the month after")."""
    count, unit = int(label[:-1]), label[-1]
    if unit == "m":
        return "month" if count == 1 else f"{count} months"
    return "trading day" if count == 1 else f"{count} trading days"


def _alpha(summary: Mapping[str, Any]) -> float:
    return float(summary["statistics"]["parameters"]["alpha"])


def _primary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The test that decides question B: summary.json's ``primary`` block, or (a summary
    written before it existed) the joint circular-shift test of the statistics; {} when none ran."""
    primary = summary.get("primary")
    if primary:
        return dict(primary)
    joint = summary["statistics"].get("primary")
    if not joint:
        return {}
    return {
        "test": "joint_circular_shift_sum",
        "description": "the sum over the judged horizons of the standardised excess return against every "
        "circular shift of the event dates",
        "statistic": joint["statistic"],
        "pvalue": joint["pvalue"],
        "pvalue_opposite": joint.get("pvalue_opposite"),
        "n": None,
        "unit": "events",
        "excess": None,
        "year_paired": None,
    }


def is_calendar(summary: Mapping[str, Any]) -> bool:
    """Whether the claim's primary test is the year-level paired test (a calendar claim)."""
    return _primary(summary).get("test") == "year_paired_t"


def verdict_reason(summary: Mapping[str, Any]) -> str:
    """The verdict's reason in one line, read from the conclusion (nothing computed): why
    not testable (with the hint), the year a fragile result hinges on, or the primary p."""
    conclusion = summary["conclusion"]
    overall = conclusion["overall"]
    outcome = "gains" if summary["claim"]["direction"] == "gains" else "losses"
    untestable = conclusion.get("not_testable")
    if untestable:
        return untestable["reason"] + (f"; hint: {untestable['hint']}" if untestable.get("hint") else "")
    p = conclusion.get("primary_pvalue", _primary(summary).get("pvalue"))
    base = "in the rest of the year" if is_calendar(summary) else "after random days"
    fragility = conclusion.get("fragility") or {}
    if overall == "supported, fragile":
        return f"hinges on {fragility.get('hinge') or 'a single year'}"
    if overall == "supported":
        worst = fragility.get("worst")
        robust = (
            f"; it survives leaving out any single year (largest p {numbers.pvalue(worst['pvalue'])}, {worst['label']})"
            if worst and worst.get("testable")
            else ""
        )
        return f"the primary test rejects (p = {numbers.pvalue(p)} < α = {_alpha(summary):g}){robust}"
    if overall == "not supported as a signal":
        followed = ", ".join(conclusion.get(f"{outcome}_followed_at", []))
        return f"{outcome} followed ({followed}), but no more than {base} (primary p = {numbers.pvalue(p)})"
    if overall == "not supported":
        return f"no more {outcome} after the events than {base} (primary p = {numbers.pvalue(p)})"
    if overall == "inconclusive":
        return "the primary test could not be run"
    if overall == "partly supported":
        return f"beyond random days at {', '.join(conclusion['beyond_random_entry_at'])} only"
    return ""


def small_sample_text(summary: Mapping[str, Any]) -> str:
    """'the verdict rests on 14 complete windows at 12m (fewer than 20)' when the conclusion
    flags a small sample, else ''."""
    conclusion = summary["conclusion"]
    if SMALL_SAMPLE_FLAG not in (conclusion.get("flags") or []):
        return ""
    counts = conclusion.get("n_complete") or {}
    if not counts:
        return "the verdict rests on a small sample"
    label = min(counts, key=lambda key: counts[key])
    unit = conclusion.get("unit", "complete windows")
    where = "" if unit == "years" else f" at {label}"
    return f"the verdict rests on {counts[label]} {unit}{where} (fewer than {SMALL_SAMPLE_N})"


def other_way_text(summary: Mapping[str, Any]) -> str:
    """The plain sentence when the data point the other way (the primary test's opposite
    tail below alpha), else ''."""
    conclusion = summary["conclusion"]
    if not conclusion.get("points_other_way"):
        return ""
    side = "lower" if summary["claim"]["direction"] == "gains" else "higher"
    base = "the rest of the same year" if is_calendar(summary) else "random days"
    return (
        f"The data point the other way: after these events returns were {side} than after {base}, "
        f"opposite-tail p = {numbers.pvalue(conclusion.get('primary_pvalue_opposite'))}."
    )


def family_text(summary: Mapping[str, Any]) -> str:
    """'one of 6 claims tested in the gallery; Holm-adjusted p = 0.198' when the claim was run
    as one of a family (``claim run-all``), else ''."""
    family = summary.get("family")
    if not family:
        return ""
    if family.get("pvalue_holm") is None:
        return (
            f"one of {family['n_claims']} claims in the gallery ({family['n_tested']} testable); this one could not "
            f"be tested, so it is outside the {family['method']} adjustment"
        )
    where = f"one of {family['n_tested']} claims tested in the gallery"
    if family["n_claims"] != family["n_tested"]:
        where += f" ({family['n_claims']} in all)"
    return f"{where}; {family['method']}-adjusted p = {numbers.pvalue(family['pvalue_holm'])}"


def power_text(summary: Mapping[str, Any], *, brief: bool = False, formula: bool = True) -> str:
    """The simulated detectable drift in words, with how it was simulated and, when
    ``formula``, the formula's value beside it when the formula applies (never for a calendar
    claim: its ``formula_mde`` is null); ``brief``: the drift alone, labelled as simulated;
    '' without a simulation."""
    power = summary.get("power")
    if not power:
        return ""
    days = power["parameters"]["drift_days"]
    label = next((h["label"] for h in summary["parameters"]["horizons"] if h["days"] == days), None)
    span = label_words(label) if label else f"{days} trading days"
    target = f"{power['target_power']:.0%}"
    paths = f"{power['parameters']['n_paths']:,} simulated price paths per drift"
    drift = power.get("detectable_drift")
    if drift is None:
        tried = power["bracket"][0]
        text = (
            f"no drift up to {numbers.percent(tried, 1, signed=True)} over the {span} after each event is found "
            f"{target} of the time (simulated: {paths})"
        )
    elif brief:
        return (
            f"a drift of {numbers.percent(drift, 1, signed=True)} over the {span} after each event would be found {target} "
            "of the time (simulated)"
        )
    else:
        events = power["parameters"].get("events", "")
        se = power.get("detectable_drift_se")
        text = (
            f"a drift of {numbers.percent(drift, 1, signed=True)} over the {span} after each event is found {target} of the "
            f"time (simulated: the drift planted in the price path, the events {events}, the primary test rerun; "
            f"{paths}" + (f", Monte Carlo SE {se * 100:.1f} pp)" if se is not None else ")")
        )
    if formula and power.get("formula_mde") is not None:
        text += (
            f"; the formula, which plants the effect in the events' own returns only, gives "
            f"{numbers.percent(power['formula_mde'], 1, signed=True)}"
        )
    return text


def regime_text(summary: Mapping[str, Any]) -> str:
    """The regime test of a moving-average claim in one line (secondary), '' without one."""
    regime = summary.get("regime")
    if not regime:
        return ""
    return (
        f"mean next-day log return while the fast average is above the slow one minus the rest: "
        f"{numbers.basis_points(regime['estimate'])} basis points a day (t = {regime['statistic']:.2f}), "
        f"p = {numbers.pvalue(regime['pvalue'])}, "
        f"other tail p = {numbers.pvalue(regime['pvalue_opposite'])}"
    )


def robustness_text(summary: Mapping[str, Any]) -> str:
    """The robustness panel in a sentence: how many other specifications could be tested, the
    shares that point the claimed way and reach alpha, and the leave-one-year-out extreme
    ('' without a panel)."""
    robustness = summary.get("robustness")
    if not robustness:
        return ""

    def share(value: float | None) -> str:
        return "–" if value is None or value != value else f"{value:.0%}"

    text = (
        f"of the {robustness['n_testable']} other specifications that could be tested "
        f"({robustness['n_specifications']} in all), {share(robustness['share_agreeing'])} point the claimed way "
        f"and {share(robustness['share_significant'])} reach α = {robustness['alpha']:g}"
    )
    worst = (robustness.get("fragility") or {}).get("worst")
    if worst:
        value = f"p = {numbers.pvalue(worst['pvalue'])}" if worst["testable"] else f"only {worst['n_events']} left"
        text += f"; leaving out one year at a time, the weakest result is {worst['label']} ({value})"
    return text


def primary_line(summary: Mapping[str, Any]) -> str:
    """The primary test's name and its p in both tails, with its n ('' when none ran)."""
    primary = _primary(summary)
    if not primary or primary.get("pvalue") is None:
        return ""
    gains = summary["claim"]["direction"] == "gains"
    calendar = primary["test"] == "year_paired_t"
    base = "the rest of the same year" if calendar else "a random day"
    word = "better" if gains else "worse"
    n = primary.get("n")
    count = f"; effective n = {n} {primary['unit']}" if calendar else (f"; n = {n} {primary['unit']}" if n else "")
    return (
        f"Primary test (fixed in advance: {primary['description']}): p = {numbers.pvalue(primary['pvalue'])} "
        f"({word} than {base}), other tail p = {numbers.pvalue(primary.get('pvalue_opposite'))}{count}"
    )


def answer_lines(summary: Mapping[str, Any]) -> list[str]:
    """The verdict with its reason, what was tested, the small-sample flag, the primary test in
    both tails, the plain sentence when the data point the other way, the family's Holm p,
    the simulated power and the secondary rows, then one line per horizon. A claim that is not
    testable gets the verdict, its reason and hint, and the complete windows per horizon only."""
    claim = summary["claim"]
    data = summary["data"]
    conclusion = summary["conclusion"]
    reason = verdict_reason(summary)
    lines = [
        f"Verdict: {conclusion['overall']}" + (f": {reason}" if reason else ""),
        f"{claim['title']}: {summary['events']['n']} events ({summary['event_source']['description']}) on "
        f"{data['series']}, data {data['first_date']} to {data['last_date']}",
    ]
    small = small_sample_text(summary)
    if small:
        lines.append(f"Small sample: {small}")
    family = family_text(summary)
    if conclusion.get("not_testable"):
        counts = conclusion.get("n_complete") or {}
        if counts:
            lines.append(
                f"{conclusion.get('unit', 'complete windows').capitalize()}: "
                + ", ".join(f"{label} {n}" for label, n in counts.items())
                + "; no statistic is reported"
            )
        if family:
            lines.append(family[0].upper() + family[1:])
        return lines
    primary = primary_line(summary)
    if primary:
        lines.append(primary)
    joint = summary["statistics"].get("primary")
    if is_calendar(summary) and joint:
        lines.append(
            f"Secondary: the joint circular shift over {', '.join(claim['verdict_horizons'])}: "
            f"p = {numbers.pvalue(joint['pvalue'])}, other tail p = {numbers.pvalue(joint.get('pvalue_opposite'))}"
        )
    other_way = other_way_text(summary)
    if other_way:
        lines.append(other_way)
    if family:
        lines.append(family[0].upper() + family[1:])
    power = power_text(summary)
    if power:
        lines.append(f"Power: {power}")
    regime = regime_text(summary)
    if regime:
        lines.append(f"Regime test (secondary): {regime}")
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
    the longest horizon's maximum drawdown ('pending' where the window is not complete). The
    entry date is a column only when it differs from the event date for some event (entry at
    the next open, a confirmation delay): otherwise it repeats it."""
    if events.empty:
        return "No event."
    columns = list(events.columns)
    value_columns = columns[columns.index("close") + 1 : columns.index("entry_level")]
    last = labels[-1]
    entry = events["entry_date"].dt.strftime("%Y-%m-%d").fillna("–")
    event_dates = events["event_date"].dt.strftime("%Y-%m-%d")
    rows = pd.DataFrame(
        {
            "#": events.index,
            "event date": event_dates,
            **({} if entry.equals(event_dates) else {"entry": entry}),
            "close": events["close"].map("{:,.2f}".format),
            **{column: events[column].map(lambda v: "–" if pd.isna(v) else f"{v:,.4g}") for column in value_columns},
            **{
                f"ret {label}": [
                    "pending" if pending else numbers.percent(value, 1, signed=True)
                    for value, pending in zip(events[f"ret_{label}"], events[f"pending_{label}"])
                ]
                for label in labels
            },
            f"max drawdown {last}": [
                "pending" if pending else numbers.percent(value)
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
            "primary p": [numbers.pvalue((v["primary"] or {}).get("pvalue")) for v in variants],
            "verdict": [
                (f"**{v['conclusion']}**" + (f" ({', '.join(v['flags'])})" if v.get("flags") else ""))
                if v["conclusion"]
                else "–"
                for v in variants
            ],
        }
    )
    cells = sections.variants_table(variants, labels)
    lines = cells.splitlines()
    extra = markdown_table(table.drop(columns="variant")).splitlines()
    return "\n".join(f"{a}{b[1:]}" for a, b in zip(lines, extra, strict=True))


def variant_verdicts_table(variants: Sequence[Mapping[str, Any]]) -> str:
    """[[variants]] in brief: each variant's events, primary-test p-value and overall verdict
    (every horizon: ``comparison_table``, in the appendix)."""
    table = pd.DataFrame(
        {
            "variant": [v["name"] for v in variants],
            "events": [v["n_events"] for v in variants],
            "primary p": [numbers.pvalue((v["primary"] or {}).get("pvalue")) for v in variants],
            "verdict": [
                (f"**{v['conclusion']}**" + (f" ({', '.join(v['flags'])})" if v.get("flags") else ""))
                if v["conclusion"]
                else "–"
                for v in variants
            ],
        }
    )
    return markdown_table(table)


def card_table(summary: Mapping[str, Any]) -> str:
    """The verdict card's numbers, one column per judged horizon: the complete windows, the
    mean return after the events and after all days, and (when the joint test ran and the
    claim is not a calendar one) the 95% bound of the excess over all days on the claim's
    side: at most that much added return (gains), at least that much excess (losses). A
    claim that is not testable: its complete windows at every horizon, nothing else."""
    claim, conclusion = summary["claim"], summary["conclusion"]
    if conclusion.get("not_testable"):
        counts = conclusion.get("n_complete") or {}
        labels = [h["label"] for h in summary["parameters"]["horizons"]]
        row = ["complete windows", *(counts.get(label, 0) for label in labels)]
        return markdown_table(pd.DataFrame([row], columns=["horizon", *labels]))
    by_label = {h["label"]: h for h in summary["statistics"]["horizons"]}
    labels = [label for label in claim["verdict_horizons"] if label in by_label]
    rows = [
        ["complete windows", *(by_label[label]["n"] for label in labels)],
        [
            "mean after the events",
            *(numbers.percent(by_label[label]["events"]["mean"], 1, signed=True) for label in labels),
        ],
        [
            "mean after all days",
            *(numbers.percent(by_label[label]["baseline"]["mean"], 1, signed=True) for label in labels),
        ],
    ]
    joint = summary["statistics"].get("primary")
    if joint and not is_calendar(summary):
        gains = claim["direction"] == "gains"
        bounds = joint["horizons"]
        rows.append(
            [
                "excess over all days, 95% bound",
                *(
                    f"{'≤' if gains else '≥'} {numbers.percent(bounds[label]['upper_bound'], 1, signed=True)}"
                    if label in bounds
                    else "–"
                    for label in labels
                ),
            ]
        )
    return markdown_table(pd.DataFrame(rows, columns=["judged horizon", *labels]))


FIGURES = {
    ANSWER_FIGURE: ANSWER_FIGURE_CAPTION,
    "events.png": "The series and every event",
    "null_distributions.png": "Random-entry null distributions with the observed mean marked",
    "hit_rates.png": "Share of windows with the claimed outcome: events vs every day",
    **EXTRA_FIGURES,
    SPECIFICATION_CURVE: SPECIFICATION_CURVE_CAPTION,
}
EVENT_FIGURES = ("events.png", *EXTRA_FIGURES)
"""Figures shown with the events (the index chart, the days before each event and each
event's path, each event's drawdown); the others follow the statistics, but for"""
ROBUSTNESS_FIGURES = (SPECIFICATION_CURVE,)
"""the specification curve, shown in the robustness section."""


def _plain_words(summary: Mapping[str, Any]) -> str:
    """The verdict in a sentence (chosen, not computed: every figure is formatted from
    summary.json). The bounds are those of the joint test on the claim's side (none for a
    calendar claim, whose primary test is another); the power is the simulated one."""
    claim, conclusion = summary["claim"], summary["conclusion"]
    gains = claim["direction"] == "gains"
    outcome = "gains" if gains else "losses"
    judged = ", ".join(claim["verdict_horizons"])
    calendar = is_calendar(summary)
    base = "the rest of the same year" if calendar else "random days of the same period"
    joint = summary["statistics"].get("primary")
    followed = conclusion.get(f"{outcome}_followed_at", [])
    overall = conclusion["overall"]
    p = numbers.pvalue(conclusion.get("primary_pvalue", _primary(summary).get("pvalue")))
    untestable = conclusion.get("not_testable")
    if untestable:
        return (
            f"the claim could not be tested: {untestable['reason']}. No evidence was weighed, so there is no "
            "verdict either way."
        )
    if overall == "supported":
        return (
            f"the events carried information: what followed them was {'better' if gains else 'worse'} than what "
            f"followed {base} over {judged} (primary test p = {p}), and the result survives leaving out any "
            "single year."
        )
    if overall == "supported, fragile":
        hinge = (conclusion.get("fragility") or {}).get("hinge") or "a single year"
        return (
            f"the primary test finds the events {'better' if gains else 'worse'} than {base} over {judged} "
            f"(p = {p}), but the result hinges on {hinge}: without it the test no longer rejects at "
            f"α = {_alpha(summary):g}. Read it as suggestive, not established."
        )
    if overall == "partly supported":
        return (
            f"the events beat random days at {', '.join(conclusion['beyond_random_entry_at'])} but not at every "
            f"horizon judged ({judged})."
        )
    if overall == "inconclusive":
        return "the data are too few to run the primary test, so the claim can be neither supported nor rejected."
    power = ""
    if joint and not calendar:
        by = joint["horizons"]
        order = [label for label in claim["verdict_horizons"] if label in by]
        bounds = ", ".join(f"{numbers.percent(by[label]['upper_bound'], 1, signed=True)} at {label}" for label in order)
        if gains:
            power = f" At 95% the data allow an added return over a random day of the same period of at most {bounds}."
        else:
            power = (
                f" At 95% the data allow an excess return over a random day of the same period no lower than "
                f"{bounds}: a larger added loss is ruled out."
            )
    simulated = power_text(summary, brief=True)
    if simulated:
        power += f" For scale, {simulated}."
    by_label = {h["label"]: h for h in summary["statistics"]["horizons"]}
    excesses = [by_label[label]["excess_mean"] for label in claim["verdict_horizons"]]
    if excesses and all(e is not None and (e < 0 if gains else e > 0) for e in excesses):
        power += (
            f" On this history {summary['data']['series']} did {'worse' if gains else 'better'} after the events "
            f"than after an average day at every horizon judged: the opposite of the claim."
        )
    other_way = other_way_text(summary)
    if other_way:
        power += " " + other_way
    if followed:
        return (
            f"{outcome} did follow the events, but about as much as they followed {base}. "
            f"There is no evidence that the events add to the return over {judged}; this is not evidence that "
            f"they add nothing.{power}"
        )
    return f"neither {outcome} after the events nor an edge over {base} is established by the data.{power}"


def render_markdown(
    summary: Mapping[str, Any],
    events: pd.DataFrame,
    figures: Sequence[str] | None = None,
    *,
    narrative: str = "",
    extra_figures: Mapping[str, str] | None = None,
    command: str = "backtest claim run",
    source_kind: str | None = None,
) -> str:
    """report.md of an event study: the one template filled with summary.json's content.
    ``narrative``: a study's own paragraph (after the answer); ``extra_figures``: its own
    figures (file name -> caption), shown after the statistics; ``source_kind``: the event
    kind in words (the result's ``event_chart.wording``; summary.json names the kind only,
    which is shown when no wording is given)."""
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
                "mean": numbers.percent(h["events"]["mean"], 1, signed=True),
                "share": numbers.percent(hit if gains or hit is None else 1.0 - hit, 0),
                "excess": numbers.percent(h["excess_mean"], 1, signed=True),
                "se": numbers.percent(excess.get("standard_error"), 1),
                "n_eff": numbers.decimal(h.get("n_effective"), 0),
            }
        )
    raw_primary = stats.get("primary")
    conclusion = summary["conclusion"]
    alpha = float(stats["parameters"]["alpha"])
    decisive = _primary(summary)
    calendar = is_calendar(summary)
    primary = None
    if raw_primary:
        primary = {
            "statistic": f"{raw_primary['statistic']:.3f}",
            "pvalue": numbers.pvalue(raw_primary["pvalue"]),
            "pvalue_opposite": numbers.pvalue(raw_primary.get("pvalue_opposite")),
            "n_null": f"{raw_primary['n_null']:,}",
            "horizon_list": ", ".join(label for label in claim["verdict_horizons"] if label in raw_primary["horizons"]),
            "outcome": "supported" if raw_primary["pvalue"] < alpha else "not supported",
        }
    decisive_view = None
    if decisive and decisive.get("pvalue") is not None:
        decisive_view = {
            "test": decisive["test"],
            "description": decisive["description"],
            "pvalue": numbers.pvalue(decisive["pvalue"]),
            "pvalue_opposite": numbers.pvalue(decisive.get("pvalue_opposite")),
            "n": decisive.get("n"),
            "unit": decisive.get("unit") or "events",
            "excess": numbers.percent(decisive.get("excess"), 1, signed=True),
            "outcome": "supported" if decisive["pvalue"] < alpha else "not supported",
        }
    year_paired = (summary.get("primary") or {}).get("year_paired")
    robustness = summary.get("robustness")
    power = summary.get("power")
    regime = summary.get("regime")
    untestable = conclusion.get("not_testable")
    calibration = summary.get("calibration")
    extra = dict(extra_figures or {})
    shown = {name: FIGURES.get(name, extra.get(name, name)) for name in (figures if figures is not None else FIGURES)}
    if untestable:  # the events only: no figure that would read as a finding
        shown = {name: caption for name, caption in shown.items() if name == "events.png"}
    # the verdict card shows the figure that answers the claim, else (not testable) the events
    card_figure = next((name for name in (ANSWER_FIGURE, "events.png") if name in shown), None)
    mean_block = stats["parameters"].get("mean_block") or {}
    fragility = (robustness or {}).get("fragility") or {}
    context = {
        "s": summary,
        "path_blocks": ", ".join(f"{label} {mean_block[label]:.0f}" for label in labels if label in mean_block),
        "command": command,
        "claim": claim,
        "conclusion": conclusion,
        "data": summary["data"],
        "params": summary["parameters"],
        "source": summary["event_source"],
        "source_kind": source_kind if source_kind is not None else summary["event_source"]["kind"],
        "judged": claim["verdict_horizons"],
        "judged_rows": judged_rows,
        "gains": gains,
        "outcome_word": "gains" if gains else "losses",
        "followed_key": f"{claim['direction']}_followed_at",
        "plain_words": _plain_words(summary),
        "narrative": MarkdownFragment(narrative.strip()),  # a study's own Markdown
        "primary": primary,
        "decisive": decisive_view,
        "calendar": calendar,
        "reason": verdict_reason(summary),
        "small_sample": small_sample_text(summary),
        "other_way": other_way_text(summary),
        "family": family_text(summary),
        "power_text": power_text(summary),
        "power_section_text": power_text(summary, formula=False),
        "regime_text": regime_text(summary),
        "robustness_text": robustness_text(summary),
        "untestable": untestable,
        # the conclusion's rule is paragraphs of hard-wrapped text: its first paragraph in a bullet
        "verdict_rule": " ".join(conclusion["rule"].split("\n\n")[0].split()),
        "overall_rule": MarkdownFragment(conclusion["rule"].rstrip()),  # ours, shown in a code block
        "alpha": f"{alpha:g}",
        "n_events": summary["events"]["n"],
        "out_of_sample": summary["events"]["out_of_sample"],
        # the sections below are Markdown built from escaped values (markdown_table, markdown_text)
        "provenance": MarkdownFragment(sections.provenance_section(summary["data"])),
        "other_provenance": [
            MarkdownFragment(sections.provenance_section(other)) for other in summary.get("other_series") or []
        ],
        "events_table": MarkdownFragment(events_table(events, labels)),
        "descriptive_table": MarkdownFragment(sections.descriptive_table(stats)),
        "question_a_table": MarkdownFragment(sections.question_a_table(stats)),
        "question_b_table": MarkdownFragment(sections.question_b_table(stats)),
        "primary_table": MarkdownFragment(sections.primary_test_table(stats, formula=not calendar) if primary else ""),
        "bound_side": "lower" if not gains else "upper",
        "year_paired": year_paired,
        "year_paired_table": MarkdownFragment(sections.year_paired_table(year_paired) if year_paired else ""),
        "robustness": robustness,
        "robustness_table": MarkdownFragment(
            sections.robustness_table(robustness, unit=(decisive or {}).get("unit") or "events") if robustness else ""
        ),
        "robustness_rule": MarkdownFragment(robustness["rule"].rstrip() if robustness else ""),  # ours
        "untestable_specs": untestable_specifications(robustness) if robustness else [],
        "worst": fragility.get("worst"),
        "n_years_left_out": sum(
            1 for spec in (robustness or {}).get("specifications", []) if spec["family"] == "leave-one-year-out"
        ),
        "power": power,
        "power_table": MarkdownFragment(sections.power_curve_table(power) if power else ""),
        "regime": regime,
        "regime_table": MarkdownFragment(sections.regime_table(regime) if regime else ""),
        "calibration_table": MarkdownFragment(sections.calibration_table(calibration) if calibration else ""),
        "calibration_se": f"{(0.05 * 0.95 / calibration['n_replications']) ** 0.5 * 100:.1f}" if calibration else "",
        "variants_table": MarkdownFragment(
            comparison_table(summary["variants"], labels) if summary["variants"] else ""
        ),
        "recent_table": MarkdownFragment(
            sections.recent_event_table(summary["recent_event"]) if summary["recent_event"] else ""
        ),
        "notes": MarkdownFragment(sections.notes_list(stats)),
        "verdict_rules": MarkdownFragment(stats["verdict_rules"].rstrip()),  # ours, shown in a code block
        "facts_table": MarkdownFragment(sections.article_figures_table(summary["facts"]) if summary["facts"] else ""),
        "published_table": MarkdownFragment(
            sections.published_vs_ours_table(summary["published"], claim.get("published"))
            if summary["published"]
            else ""
        ),
        "figures": shown,
        "card_figure": card_figure,
        "card_table": MarkdownFragment(card_table(summary)),
        "power_brief": power_text(summary, brief=True, formula=False),
        "b_verdicts": [
            {"label": label, "outcome": by_label[label]["verdicts"]["B"]["outcome"]}
            for label in claim["verdict_horizons"]
            if by_label[label]["n"]
        ],
        "variants_verdicts": MarkdownFragment(
            variant_verdicts_table(summary["variants"]) if summary["variants"] else ""
        ),
        "appendix": bool(
            summary["events"]["n"] or summary["variants"] or (not untestable and (raw_primary or decisive))
        ),
        "event_figures": EVENT_FIGURES,
        "robustness_figures": ROBUSTNESS_FIGURES,
        "extra_figures": {name: caption for name, caption in extra.items() if name in shown},
        "horizon_text": ", ".join(
            f"{h['label']} = {h['days']} trading days" for h in summary["parameters"]["horizons"]
        ),
    }
    return template_environment().get_template(TEMPLATE).render(**context)


def draw_figures(result: Any) -> dict[str, bytes]:
    """PNG bytes of each figure of a ``ClaimResult`` (those its data allow; the events alone
    for a claim that is not testable). The specification curve reads summary.json's
    ``robustness`` block only."""
    from backtest.report.figures import (
        figure_of,
        plot_event_paths,
        plot_hit_rates,
        plot_null_distributions,
        plot_series_with_events,
        plot_specification_curve,
    )
    from backtest.report.render import figure_png

    spec = result.spec
    detection = result.detection_study
    close = detection.close
    # the event kind's own marking and lines (the moving averages of a cross), computed by the run
    direction = result.event_chart.direction
    lines = result.event_chart.lines
    figures = {
        "events.png": figure_png(
            figure_of(
                plot_series_with_events(
                    close,
                    list(detection.table["event_date"]),
                    lines=lines,
                    direction=direction,
                    sample_start=detection.rules.start,
                    title=f"{result.summary_data['data']['series']}: {detection.rules.source.describe()}",
                )
            )
        )
    }
    summary = result.summary_data
    if summary["conclusion"].get("not_testable"):
        return figures  # the events only: no figure that would read as a finding
    stats = result.statistics
    labels = [label for label in stats.labels if stats[label].n > 0]
    answer = answer_path(result)
    if answer is not None:
        interval, random_band, horizons, k = answer
        axes = plot_event_paths(
            interval,
            random_band,
            horizons=horizons,
            title=f"{result.study.series_name or result.study.close.name}: the events' mean path against random "
            "entry (entry = 100)",
            random_label=f"random entry: 5–95% of the mean path of {k} random days",
            events_label=f"mean of the {k} events with a complete window",
        )
        figures[ANSWER_FIGURE] = figure_png(figure_of(axes))
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
            figure_of(
                plot_hit_rates(
                    labels,
                    [stats[label].events.hit_rate if gains else 1 - stats[label].events.hit_rate for label in labels],
                    [
                        stats[label].baseline.hit_rate if gains else 1 - stats[label].baseline.hit_rate
                        for label in labels
                    ],
                    [stats[label].n for label in labels],
                    title="Share of windows with the claimed outcome: events vs every eligible day",
                    direction=direction,
                    outcome="a gain" if gains else "no gain",
                )
            )
        )
    figures.update(standard_extra_figures(result))
    if summary.get("robustness"):
        figures[SPECIFICATION_CURVE] = figure_png(
            plot_specification_curve(
                summary["robustness"],
                title=f"{summary['claim']['title']}: the primary test on every specification",
                unit=(summary.get("primary") or {}).get("unit", "events"),
            )
        )
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


def claim_report_files(
    result: Any,
    *,
    narrative: str = "",
    extra_figures: Mapping[str, tuple[str, bytes]] | None = None,
    command: str = "backtest claim run",
    drawn: ClaimFigures | None = None,
) -> ReportFiles:
    """The files of an event study's report folder: report.md, report.html, events.csv,
    summary.json, the figures and a copy of the spec (written by
    ``backtest.claims.outputs.write_claim_report``). ``extra_figures``: a study's own figures,
    file name -> (caption, PNG bytes); ``drawn``: ``draw_claim_figures(result)`` when already
    drawn (drawn here otherwise)."""
    from backtest.report.outputs import csv_text, report_files

    if drawn is None:
        drawn = draw_claim_figures(result)
    figures = dict(drawn.png)
    extra = dict(extra_figures or {})
    figures.update({name: png for name, (_, png) in extra.items()})
    events = result.to_frame()
    files = {"events.csv": csv_text(events)}
    origin = Path(result.spec.origin)
    if result.spec.origin != "<code>" and origin.is_file():
        files["claim.toml"] = read_text(origin, CLAIM_SPEC, error=SpecError)
    markdown = render_markdown(
        result.summary_data,
        events,
        list(figures),
        narrative=narrative,
        extra_figures={name: caption for name, (caption, _) in extra.items()},
        command=command,
        source_kind=result.event_chart.wording,
    )
    # interactive plotly figures replace their PNG twins in report.html only (report.md keeps the PNGs)
    return report_files(
        title=result.spec.claim.title,
        report_markdown=markdown,
        summary=result.summary_data,
        files=files,
        figures=figures,
        interactive={name: block for name, block in drawn.interactive.items() if name in figures},
        name=result.spec.name,
    )
