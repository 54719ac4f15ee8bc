"""A claim's answer and report say what the verdict machinery found, and never more: the
verdict first with its reason, the small-sample flag, the primary test in both tails, a plain
sentence when the data point the other way, the family's Holm p; a claim that is not testable
gets no statistic; a calendar claim no formula MDE; the specification curve is drawn from
summary.json alone; every summary meets the JSON Schema; user strings stay text."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from backtest.claims import SCHEMA_PATH, load_spec
from backtest.claims.run import ClaimResult, run_claim
from backtest.claims.spec import spec_from_dict
from backtest.project import studies_dir
from backtest.report.claim_report import answer_lines, draw_figures, render_markdown
from backtest.report.figures import plot_specification_curve
from backtest.report.interactive import specification_curve_chart
from tests.claims.conftest import minimal

FAST = {"n_draws": 50, "n_paths": 0, "n_power_paths": 10}
"""Few draws and paths: these tests read how numbers are rendered, not the numbers."""


def _run(spec: Any, real_data_dir: Path | None) -> ClaimResult:
    """The claim on the real series: the snapshot, else the built-in dataset (None)."""
    return run_claim(spec, data_dir=real_data_dir, **FAST)


@pytest.fixture(scope="module")
def sell_in_may(real_data_dir: Path | None) -> ClaimResult:
    """The gallery's calendar claim (one date a year): primary test year-paired, fragile."""
    return _run(load_spec(studies_dir() / "claims" / "sell_in_may.toml"), real_data_dir)


@pytest.fixture(scope="module")
def death_cross(real_data_dir: Path | None) -> ClaimResult:
    """Russell 2000 death crosses since 1985, a losses claim: the data point the other way."""
    tables = minimal()
    tables["claim"].update({"direction": "losses", "horizons": ["3m", "6m", "9m", "12m"]})
    tables["event"] = {"kind": "ma_cross", "fast": 50, "slow": 200, "ma": "sma", "direction": "death"}
    tables["rules"] = {"start": "1985-01-01"}
    return _run(spec_from_dict(tables), real_data_dir)


@pytest.fixture(scope="module")
def no_event(real_data_dir: Path | None) -> ClaimResult:
    """An RSI level the Russell 2000 never reached: no event, not testable."""
    tables = minimal()
    tables["event"]["level"] = 8
    return _run(spec_from_dict(tables), real_data_dir)


@pytest.fixture(scope="module")
def few_events(real_data_dir: Path | None) -> ClaimResult:
    """A start so recent that fewer than 10 windows complete: not testable, events listed."""
    tables = minimal()
    tables["rules"] = {"start": "2025-03-01"}
    return _run(spec_from_dict(tables), real_data_dir)


def _report(result: ClaimResult, summary: dict[str, Any] | None = None) -> str:
    return render_markdown(summary or result.summary_data, result.to_frame())


def _answer_in_brief(report: str) -> str:
    return report.split("## Answer in brief")[1].split("\n## ")[0]


def _table_after(report: str, header_start: str) -> tuple[str, list[str]]:
    """(header, rows) of the first Markdown table whose header line starts with ``header_start``."""
    lines = report.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[at + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return lines[at], rows


def _schema_errors(summary: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(summary)]


# --- the verdict first, with its reason ----------------------------------------------------------


def test_a_fragile_verdict_says_the_year_it_hinges_on_first(sell_in_may: ClaimResult) -> None:
    conclusion = sell_in_may.summary_data["conclusion"]
    assert conclusion["overall"] == "supported, fragile"
    hinge = conclusion["fragility"]["hinge"]
    worst = conclusion["fragility"]["worst"]
    assert worst["label"] == f"without {hinge.split(' ')[0]}" and worst["pvalue"] >= 0.05
    lines = answer_lines(sell_in_may.summary_data)
    assert lines[0] == f"Verdict: supported, fragile: hinges on {hinge}"
    brief = _answer_in_brief(_report(sell_in_may))
    # the verdict card opens the report: the verdict, its reason in the terminal's words
    assert brief.startswith(f"\n\n**Verdict on the claim: supported, fragile.** Hinges on {hinge}.")
    assert f"the result hinges on {hinge}" in brief and "not established" in brief
    # the robustness section: the rule verbatim and the curve; every specification in the appendix
    report = _report(sell_in_may)
    section = report.split(". Robustness: the primary test on other specifications")[1].split("\n## ")[0]
    assert sell_in_may.summary_data["robustness"]["rule"] in section
    assert "![Specification curve" in section and "| leave-one-year-out |" not in section
    appendix = report.split("## Appendix: the long tables")[1]
    assert (
        f"| leave-one-year-out | {worst['label']} (the largest p of "
        in appendix.split(". Robustness: every specification")[1].split("\n### ")[0]
    )


def test_a_robust_verdict_is_not_called_fragile(sell_in_may: ClaimResult) -> None:
    summary = copy.deepcopy(sell_in_may.summary_data)
    conclusion = summary["conclusion"]
    worst = dict(conclusion["fragility"]["worst"], pvalue=0.031, label="without 2021")
    conclusion.update(overall="supported", fragility={"fragile": False, "worst": worst, "hinge": ""})
    lines = answer_lines(summary)
    assert lines[0].startswith("Verdict: supported: the primary test rejects (p = ")
    assert "survives leaving out any single year (largest p 0.031, without 2021)" in lines[0]
    assert "fragile" not in _answer_in_brief(_report(sell_in_may, summary))


def test_a_small_sample_is_flagged_in_the_answer_and_the_reports_first_lines(death_cross: ClaimResult) -> None:
    summary = copy.deepcopy(death_cross.summary_data)
    summary["conclusion"].update(flags=["small sample"], n_complete={"3m": 16, "6m": 15, "9m": 15, "12m": 14})
    lines = answer_lines(summary)
    assert lines[2] == "Small sample: the verdict rests on 14 complete windows at 12m (fewer than 20)"
    brief = _answer_in_brief(_report(death_cross, summary))
    card = brief.split("<!-- /block -->")[0]
    assert "- **Small sample**: the verdict rests on 14 complete windows at 12m (fewer than 20)." in card
    # the real claim rests on 30 or more: no flag
    assert not any(line.startswith("Small sample") for line in answer_lines(death_cross.summary_data))


def test_the_data_pointing_the_other_way_is_said_plainly(death_cross: ClaimResult) -> None:
    summary = death_cross.summary_data
    conclusion = summary["conclusion"]
    assert conclusion["points_other_way"] and conclusion["primary_pvalue_opposite"] < 0.05
    opposite = f"{conclusion['primary_pvalue_opposite']:.3f}"
    sentence = (
        "The data point the other way: after these events returns were higher than after random days, "
        f"opposite-tail p = {opposite}."
    )
    lines = answer_lines(summary)
    primary = next(line for line in lines if line.startswith("Primary test (fixed in advance: "))
    assert primary.endswith(
        f"p = {conclusion['primary_pvalue']:.3f} (worse than a random day), other tail p = {opposite}; n = 30 events"
    )
    assert sentence in lines
    assert f"- **{sentence}**" in _answer_in_brief(_report(death_cross))
    # a gains claim whose data point the other way: "lower"
    flipped = copy.deepcopy(summary)
    flipped["claim"]["direction"] = "gains"
    assert "returns were lower than after random days" in "\n".join(answer_lines(flipped))


def test_every_one_sided_p_has_its_other_tail_and_both_bounds_are_on_the_claims_side(
    death_cross: ClaimResult,
) -> None:
    report = _report(death_cross)
    stats = death_cross.summary_data["statistics"]
    h = next(row for row in stats["horizons"] if row["label"] == "6m")
    # question A: mean < 0 for a losses claim, and its other tail
    a_header, a_rows = _table_after(report, "| horizon | n | n eff | mean |")
    assert "p (mean < 0) | other tail: p (mean > 0)" in a_header
    assert "binomial p (hit < 50%) | other tail: p (hit > 50%)" in a_header
    a_row = next(row for row in a_rows if row.startswith("| 6m |"))
    assert f"| {h['pvalues_opposite']['hac_mean']:.3f} |" in a_row
    b_header, b_rows = _table_after(report, "| horizon | n | excess mean | random-entry p |")
    assert "random-entry p, other tail" in b_header and "other tail: p (excess > 0)" in b_header
    b_row = next(row for row in b_rows if row.startswith("| 6m |"))
    assert f"| {h['pvalues_opposite']['random_entry.plain.mean']:.3f} |" in b_row
    # the primary test table: both bounds are lower bounds (the loss side), the t one from the CI's low end
    primary_header, primary_rows = _table_after(report, "| horizon | n | n eff | excess mean |")
    assert "95% lower bound (t)" in primary_header and "95% lower bound (joint)" in primary_header
    assert "upper bound" not in primary_header
    assert "formula MDE (t, 80%)" in primary_header and "formula MDE (joint, 80%)" in primary_header
    lower = h["overlap"]["excess"]["lower_bound"]
    joint = stats["primary"]["horizons"]["6m"]["upper_bound"]  # the joint test's bound, already on the claim's side
    row = next(row for row in primary_rows if row.startswith("| 6m |"))
    assert f"| {lower * 100:+.1f}% |" in row and row.endswith(f"| {joint * 100:+.1f}% |")
    # the regime test: a secondary row with its own explanation, both tails
    assert "**Regime test (secondary; Brock, Lakonishok & LeBaron 1992).**" in report
    regime = death_cross.summary_data["regime"]
    assert f"| {regime['pvalue']:.3f} | {regime['pvalue_opposite']:.3f} |" in report


# --- a calendar claim: years as n, no formula MDE ----------------------------------------------


def test_a_calendar_claim_counts_years_and_prints_no_formula_mde(sell_in_may: ClaimResult) -> None:
    summary = sell_in_may.summary_data
    primary = summary["primary"]
    assert primary["test"] == "year_paired_t" and summary["power"]["formula_mde"] is None
    n_years = primary["n"]
    lines = answer_lines(summary)
    assert any(line.endswith(f"effective n = {n_years} years") for line in lines)
    assert any(line.startswith("Secondary: the joint circular shift over 6m: p = ") for line in lines)
    assert not any("formula" in line for line in lines)
    report = _report(sell_in_may)
    assert "MDE (" not in report and "the formula, which plants" not in report
    assert "No formula MDE is given: the formula does not apply to a calendar claim." in report
    assert f"**effective n = {n_years} years**" in report
    assert "**Question B — the joint circular shift (secondary for a calendar claim)**" in report
    # the year-level table: one row per year, its difference as in the summary
    years = primary["year_paired"]["years"]
    table = [line for line in report.splitlines() if re.match(r"^\| \d{4}-\d{2}-\d{2} \| \d+ \| \d+ \|", line)]
    assert len(table) == len(years)
    assert table[0].endswith(f"| {years[0]['difference'] * 100:+.2f}% |")
    assert "| n (years) |" in report


# --- not testable: a short report that says so ---------------------------------------------------


STATISTICS_WORDS = ("Question A", "Question B", "Statistics per horizon", "Robustness", "Power", "primary test p")


def test_no_event_gives_a_short_report_with_the_reason_and_hint(no_event: ClaimResult) -> None:
    summary = no_event.summary_data
    untestable = summary["conclusion"]["not_testable"]
    assert summary["conclusion"]["overall"] == "not testable" and summary["events"]["n"] == 0
    lines = answer_lines(summary)
    assert lines[0] == f"Verdict: not testable: {untestable['reason']}; hint: {untestable['hint']}"
    assert "never crossed below 8" in lines[0]
    assert lines[2:] == ["Complete windows: 1m 0, 3m 0; no statistic is reported"]
    report = _report(no_event)
    brief = _answer_in_brief(report)
    reason = untestable["reason"]
    assert brief.startswith(
        f"\n\n**Verdict on the claim: not testable.** {reason[0].upper()}{reason[1:]}; hint: {untestable['hint']}."
    )
    for word in STATISTICS_WORDS:
        assert word not in report, word
    assert "\nNo event.\n" in report and "## 4. Data and conventions" in report


def test_few_events_are_listed_without_any_statistic(few_events: ClaimResult, tmp_path: Path) -> None:
    summary = few_events.summary_data
    assert summary["conclusion"]["overall"] == "not testable" and 0 < summary["events"]["n"] < 10
    report = _report(few_events)
    assert "only " in summary["conclusion"]["not_testable"]["reason"]
    for word in STATISTICS_WORDS:
        assert word not in report, word
    rows = [line for line in report.split(". Every event")[1].splitlines() if re.match(r"^\| \d+ \| \d{4}", line)]
    assert len(rows) == summary["events"]["n"]
    # the figures: the events alone, in report.md, report.html and the folder
    assert set(draw_figures(few_events)) == {"events.png"}
    folder = few_events.report(tmp_path / "few")
    assert sorted(p.name for p in folder.glob("*.png")) == ["events.png"]
    assert "plotly-figure" in (folder / "report.html").read_text()  # the interactive index chart


# --- the family, the power, the published and the facts -------------------------------------------


def _with_family(summary: dict[str, Any], holm: float | None) -> dict[str, Any]:
    summary = copy.deepcopy(summary)
    members = [
        {"name": summary["name"], "title": summary["claim"]["title"], "pvalue": 0.033, "pvalue_holm": holm},
        *[{"name": f"c{i}", "title": f"claim {i}", "pvalue": 0.5, "pvalue_holm": 1.0} for i in range(5)],
        {"name": "x", "title": "not testable", "pvalue": None, "pvalue_holm": None},
    ]
    summary["family"] = {
        "method": "Holm",
        "n_claims": 7,
        "n_tested": 6,
        "pvalue": 0.033,
        "pvalue_holm": holm,
        "members": members,
    }
    return summary


def test_the_familys_holm_p_is_in_the_answer_and_the_report(sell_in_may: ClaimResult) -> None:
    summary = _with_family(sell_in_may.summary_data, 0.198)
    text = "One of 6 claims tested in the gallery (7 in all); Holm-adjusted p = 0.198"
    assert text in answer_lines(summary)
    assert "- **In the gallery**: one of 6 claims tested in the gallery (7 in all); Holm-adjusted p = 0.198." in (
        _answer_in_brief(_report(sell_in_may, summary))
    )
    assert not _schema_errors(summary)
    assert not any("gallery" in line for line in answer_lines(sell_in_may.summary_data))


def test_the_simulated_power_is_labelled_and_the_formula_stands_beside_it(death_cross: ClaimResult) -> None:
    power = death_cross.summary_data["power"]
    assert power["formula_mde"] is not None and power["detectable_drift"] is not None
    line = next(line for line in answer_lines(death_cross.summary_data) if line.startswith("Power: "))
    assert line.startswith(
        f"Power: a drift of {power['detectable_drift'] * 100:+.1f}% over the 3 months after each event"
    )
    assert "is found 80% of the time (simulated: " in line
    assert line.endswith(
        f"the formula, which plants the effect in the events' own returns only, gives {power['formula_mde'] * 100:+.1f}%"
    )
    report = _report(death_cross)
    section = report.split(". Power: the effect a real drift would need")[1].split("\n## ")[0]
    assert section.count("| drift planted | power (simulated) |") == 1
    assert len([row for row in section.splitlines() if row.startswith("| ") and "%" in row]) == len(power["curve"])


def test_published_figures_sit_beside_ours_before_publication_and_facts_say_what_returns(
    death_cross: ClaimResult,
) -> None:
    summary = copy.deepcopy(death_cross.summary_data)
    summary["claim"]["published"] = "2025-07-30"
    summary["published"] = [
        {
            "source": "a desk",
            "what": "death crosses",
            "series": "russell2000",
            "start": "1987-01-01",
            "note": "same rule",
            "figures": {"3m": -0.02},
            "all_days": {},
            "n_events": 30,
            "ours": {"3m": 0.046},
            "ours_n": {"3m": 30},
            "ours_all_days": {"3m": 0.025},
            "ours_before_publication": {"3m": 0.041},
            "ours_before_publication_n": {"3m": 29},
        }
    ]
    fact = {
        "id": "ytd",
        "statement": "The S&P 500 rose 7.3% this year.",
        "figure": 0.073,
        "series": "SPY",
        "start": "2024-12-31",
        "end": "2025-07-29",
        "as_of": "2025-07-29",
        "precision": 0.0005,
        "tolerance": 0.01,
        "proxy_note": "SPY stands for the S&P 500",
        "value": 0.09,
        "value_period_end": 0.09,
        "difference": 0.017,
        "start_date": "2024-12-31",
        "end_date": "2025-07-29",
        "status": "not confirmed",
        "reason": "differs by +1.74%",
        "series_returns": "total return",
        "returns_note": "our value includes the dividends the figure leaves out",
    }
    summary["facts"] = [fact]
    assert not _schema_errors(summary)
    report = _report(death_cross, summary)
    assert "| ours, before publication (2025-07-30) | ours, full sample |" in report
    assert "| +4.1% (n=29) | +4.6% (+2.5%; n=30) |" in report
    assert "| total return: our value includes the dividends the figure leaves out |" in report


# --- the specification curve, from summary.json alone --------------------------------------------


ROBUSTNESS = {
    "alpha": 0.05,
    "rule": "Fragility (fixed before looking at the data). ...",
    "n_specifications": 4,
    "n_testable": 3,
    "share_agreeing": 2 / 3,
    "share_significant": 1 / 3,
    "fragility": {"fragile": False, "worst": None, "hinge": ""},
    "specifications": [
        {"family": "claim", "label": "as claimed", "n_events": 30, "excess": 0.02, "statistic": 1.9,
         "pvalue": 0.03, "pvalue_opposite": 0.97, "testable": True},
        {"family": "leave-one-year-out", "label": "without 2008", "n_events": 29, "excess": 0.01, "statistic": 1.0,
         "pvalue": 0.2, "pvalue_opposite": 0.8, "testable": True},
        {"family": "peer", "label": "on <script>alert(1)</script>", "n_events": 25, "excess": -0.01,
         "statistic": -0.4, "pvalue": 0.6, "pvalue_opposite": 0.4, "testable": True},
        {"family": "sub-period", "label": "last third (2012–2026)", "n_events": 8, "excess": None,
         "statistic": None, "pvalue": None, "pvalue_opposite": None, "testable": False},
    ],
}  # fmt: skip


def test_the_specification_curve_is_drawn_from_the_summary_alone() -> None:
    fig = plot_specification_curve(ROBUSTNESS, title="t")
    top, bottom = fig.axes[:2]
    points = [(collection.get_offsets(), collection.get_facecolors()) for collection in top.collections]
    assert sum(len(offsets) for offsets, _ in points) == 3  # the untestable row is not drawn
    ys = sorted(float(y) for offsets, _ in points for _, y in offsets)
    assert ys == pytest.approx([-1.0, 1.0, 2.0])  # excess in %
    p_values = sorted(float(y) for collection in bottom.collections for _, y in collection.get_offsets())
    assert p_values == pytest.approx([0.03, 0.2, 0.6])
    # filled only where p < alpha: the claim's own row (the star), white elsewhere
    filled = [tuple(face[:3]) != (1.0, 1.0, 1.0) for _, faces in points for face in faces]
    assert sum(filled) == 1
    assert any("last third (2012–2026) (n = 8)" in text.get_text() for text in fig.texts)
    plt.close(fig)
    chart = specification_curve_chart(ROBUSTNESS, title="<b>t</b>")
    markers = [trace for trace in chart.data if trace.mode == "markers"]
    assert sum(len(trace.x) for trace in markers) == 6  # 3 rows, in both panels
    hover = " ".join(text for trace in markers for text in trace.text)
    assert "&lt;script&gt;" in hover and "<script" not in hover
    assert chart.layout.title.text == "&lt;b&gt;t&lt;/b&gt;"


# --- the schema and escaping ------------------------------------------------------------------------


def test_every_new_summary_meets_the_schema(
    sell_in_may: ClaimResult, death_cross: ClaimResult, no_event: ClaimResult, few_events: ClaimResult
) -> None:
    for result in (sell_in_may, death_cross, no_event, few_events):
        assert _schema_errors(result.summary_data) == [], result.spec.name
    broken = copy.deepcopy(death_cross.summary_data)
    broken["conclusion"]["overall"] = "probably"
    broken["robustness"]["specifications"][0]["family"] = "vibes"
    del broken["power"]
    assert len(_schema_errors(broken)) == 3


def test_user_strings_in_the_new_sections_stay_text(death_cross: ClaimResult) -> None:
    summary = _with_family(death_cross.summary_data, 0.5)
    attack = "<img src=x onerror=alert(1)> [link](javascript:alert(1))"
    summary["robustness"]["specifications"][-1]["label"] = attack
    summary["conclusion"]["fragility"]["hinge"] = attack
    summary["other_series"] = [dict(summary["data"], series=attack)]
    report = _report(death_cross, summary)
    assert "<img" not in report and not re.search(r"(?<!\\)\]\(javascript", report)
    assert report.count("&lt;img src=x onerror=alert(1)> \\[link\\](javascript:alert(1))") == 2
    assert report.count("**Also read**") == 1
    # a not-testable claim's hint is the rule's own text, escaped too
    untestable = copy.deepcopy(summary)
    untestable["conclusion"].update(overall="not testable", not_testable={"reason": "no event fired", "hint": attack})
    assert "<img" not in _report(death_cross, untestable)


def test_the_answer_html_escapes_the_reason(no_event: ClaimResult) -> None:
    from backtest.report.claim_report import answer_html

    summary = copy.deepcopy(no_event.summary_data)
    summary["conclusion"]["not_testable"]["hint"] = "<script>x</script>"
    block = answer_html(summary)
    assert "<script>" not in block and "&lt;script&gt;" in block


# --- the verdict card first, the evidence, the long tables in the appendix -------------------------


def _card(report: str) -> str:
    """The verdict card of report.md: from its opening marker to the line after it."""
    return report.split("<!-- block:verdict-card -->", 1)[1].split("*Generated by", 1)[0]


def test_the_verdict_card_opens_the_report_with_the_numbers_that_carry_the_verdict(death_cross: ClaimResult) -> None:
    summary = death_cross.summary_data
    report = _report(death_cross)
    assert report.startswith(f"# {summary['claim']['title']}\n\n<!-- block:verdict-card -->\n\n## Answer in brief\n")
    card = _card(report)
    # the verdict in the terminal's words
    verdict, reason = answer_lines(summary)[0].removeprefix("Verdict: ").split(": ", 1)
    assert f"**Verdict on the claim: {verdict}.** {reason[0].upper()}{reason[1:]}." in card
    # the numbers: per judged horizon the mean after the events and after all days, the bound on
    # the claim's side (a losses claim: the excess is at least that), the primary p in both tails
    # and the simulated detectable drift
    judged = summary["claim"]["verdict_horizons"]
    header, rows = _table_after(card, "| judged horizon |")
    assert header == "| judged horizon | " + " | ".join(judged) + " |"
    by_label = {h["label"]: h for h in summary["statistics"]["horizons"]}
    bounds = summary["statistics"]["primary"]["horizons"]
    assert (
        rows[1]
        == "| mean after the events | "
        + " | ".join(f"{by_label[label]['events']['mean'] * 100:+.1f}%" for label in judged)
        + " |"
    )
    assert (
        rows[2]
        == "| mean after all days | "
        + " | ".join(f"{by_label[label]['baseline']['mean'] * 100:+.1f}%" for label in judged)
        + " |"
    )
    assert (
        rows[3]
        == "| excess over all days, 95% bound | "
        + " | ".join(f"≥ {bounds[label]['upper_bound'] * 100:+.1f}%" for label in judged)
        + " |"
    )
    primary = summary["primary"]
    assert f"p = {primary['pvalue']:.3f}, other tail {primary['pvalue_opposite']:.3f}" in card
    assert f"a drift of {summary['power']['detectable_drift'] * 100:+.1f}% over the 3 months" in card
    assert f"**{summary['events']['n']} events**" in card
    assert "![The events' mean path against random entry days, the judged horizons marked](event_paths.png)" in card


def test_a_calendar_claims_card_gives_its_year_level_test_and_no_bound(sell_in_may: ClaimResult) -> None:
    summary = sell_in_may.summary_data
    card = _card(_report(sell_in_may))
    primary = summary["primary"]
    assert f"**Primary test** (year-level paired, {primary['n']} years): p = {primary['pvalue']:.3f}" in card
    assert "95% bound" not in card and "| judged horizon | 6m |" in card


def test_a_claim_that_is_not_testable_shows_its_windows_and_its_events_in_the_card(few_events: ClaimResult) -> None:
    summary = few_events.summary_data
    card = _card(_report(few_events))
    counts = summary["conclusion"]["n_complete"]
    assert "| complete windows | " + " | ".join(str(counts[label]) for label in counts) + " |" in card
    assert "](events.png)" in card and "Primary test" not in card and "Power" not in card


def test_each_figure_appears_once_in_both_pages_and_the_long_tables_are_in_the_appendix(
    death_cross: ClaimResult, tmp_path: Path
) -> None:
    folder = death_cross.report(tmp_path / "death")
    markdown = (folder / "report.md").read_text()
    page = (folder / "report.html").read_text()
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert "event_paths.png" in pngs and "event_window.png" in pngs
    assert [markdown.count(f"]({name})") for name in pngs] == [1] * len(pngs)
    # report.html shows the same figures, each once: embedded, or its interactive twin in its place
    shown = page.count("data:image/png;base64,") + page.count('<figure class="interactive">')
    assert shown == len(pngs) and page.count('class="plotly-graph-div"') == page.count('<figure class="interactive">')
    main, appendix = markdown.split("\n## Appendix: the long tables\n")
    for heading in ("Every event", "Question B: the secondary tests", "Robustness: every specification"):
        assert f". {heading}\n" in appendix, heading
    assert "| horizon | n | excess mean | random-entry p |" in appendix
    assert "| horizon | n | excess mean | random-entry p |" not in main
    assert "| family | specification |" not in main and not re.search(r"^\| 1 \| \d{4}-", main, flags=re.MULTILINE)
    # the order a reader asks in: the answer, the claim, the events, the statistics, then the rest
    order = ["## Answer in brief", "## 1. The claim", ". The events\n", ". Statistics per horizon\n", ". Robustness"]
    positions = [main.index(heading) for heading in order]
    assert positions == sorted(positions)
