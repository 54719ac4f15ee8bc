"""Markdown sections of an event-study report, rendered from a study's summary dictionary.

Every number printed here is read from the summary (the same dictionary that is written as
``summary.json``) or from the event table written as ``events.csv``; nothing is computed,
only formatted. The one template (``templates/event_study.md.j2``, filled by
``claim_report``) composes them for every event study; the strategy study uses a few.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from backtest import numbers
from backtest.report.render import markdown_table, markdown_text


def verdict_cell(verdict: Mapping[str, Any]) -> str:
    """'**supported**' plus flags such as '(small sample)'."""
    flags = verdict.get("flags") or []
    text = f"**{verdict['outcome']}**"
    return text + (f" ({', '.join(flags)})" if flags else "")


# --- data -----------------------------------------------------------------------------------


def provenance_section(data: Mapping[str, Any]) -> str:
    """Coverage, segments, splice statistics and validation findings of the studied series."""
    lines = [
        f"Series **{markdown_text(data['series'])}**: {data['n_closes']:,} daily closes from {data['first_date']} to "
        f"{data['last_date']} (SHA-256 of the input files `{data['sha256'][:16]}…`).",
        "",
        markdown_table(
            pd.DataFrame(data["segments"])[
                ["source", "symbol", "file", "first_date", "last_date", "scale_factor", "rows_used"]
            ],
            {"scale_factor": ".6f", "rows_used": ","},
        ),
    ]
    splice = data.get("splice")
    if splice:
        worst_max = max(splice["by_year"][:-1], key=lambda row: row["max_abs_ret_diff"])
        worst_median = max(splice["by_year"][:-1], key=lambda row: row["median_abs_ret_diff"])
        lines += [
            "",
            f"**Splice.** {markdown_text(splice['older'])} is rebased onto {markdown_text(splice['newer'])} and used before "
            f"{splice['switch_date']}, the first day both have a close; from that day on the series is "
            f"{markdown_text(splice['newer'])}. Scale factor {splice['scale_factor']:.6f} (the ratio of the two levels on the "
            "switch day), so the return across the switch is the older series' own return: no jump.",
            "",
            f"Agreement on the overlap ({splice['overlap_first']} to {splice['overlap_last']}, "
            f"{splice['n_common_days']:,} common days), daily simple returns: median absolute difference "
            f"{splice['median_abs_ret_diff']:.2e}, maximum {splice['max_abs_ret_diff']:.2e} on "
            f"{splice['max_abs_ret_diff_date']}, correlation {splice['ret_corr']:.6f}; the level ratio drifts "
            f"{numbers.percent(splice['ratio_drift'], 2, signed=True)} over the overlap. Worst year by median difference: "
            f"{worst_median['period']} ({worst_median['median_abs_ret_diff']:.2e}); by maximum: "
            f"{worst_max['period']} ({worst_max['max_abs_ret_diff']:.2e} on {worst_max['max_abs_ret_diff_date']}).",
        ]
    findings = [{"file": report["file"], **finding} for report in data["validation"] for finding in report["findings"]]
    lines += ["", "**Validation findings** (nothing is filled; dropped rows are listed by the loader):", ""]
    if findings:
        frame = pd.DataFrame(findings)
        frame["first dates"] = frame["first_dates"].map(
            lambda dates: ", ".join(dates[:3]) + (" …" if len(dates) > 3 else "")
        )
        frame["dropped"] = frame["dropped"].map(lambda d: "dropped" if d else "kept")
        lines.append(
            markdown_table(frame[["file", "kind", "severity", "count", "dropped", "first dates"]], {"count": ","})
        )
    else:
        lines.append("No findings.")
    return "\n".join(lines)


# --- events ---------------------------------------------------------------------------------


# --- statistics -----------------------------------------------------------------------------


def descriptive_table(stats: Mapping[str, Any]) -> str:
    """Events vs every eligible day, per horizon."""
    rows = []
    for h in stats["horizons"]:
        ev, base = h["events"], h["baseline"]
        rows.append(
            {
                "horizon": h["label"],
                "n events": h["n"],
                "pending": h["n_pending"],
                "mean": numbers.percent(ev["mean"], 2),
                "all days mean": numbers.percent(base["mean"], 2),
                "excess": numbers.percent(h["excess_mean"], 2, signed=True),
                "median": numbers.percent(ev["median"], 2),
                "hit rate": numbers.percent(ev["hit_rate"], 0),
                "all days hit rate": numbers.percent(base["hit_rate"], 0),
                "mean max drawdown": numbers.percent(ev["mean_max_drawdown"], 1),
                "all days": numbers.percent(base["mean_max_drawdown"], 1),
                "recovered": numbers.percent(ev["share_recovered"], 0),
            }
        )
    return markdown_table(pd.DataFrame(rows))


def bound_header(claim: str) -> str:
    """What a 95% bound of question B bounds, in the claim's direction: the added return over
    a random day of the same period, at most (gains) or at least (losses)."""
    if claim == "losses":
        return "lowest excess over a random day of the same period not ruled out (95%)"
    return "highest excess over a random day of the same period not ruled out (95%)"


def primary_test_table(stats: Mapping[str, Any], *, formula: bool = True) -> str:
    """The joint circular-shift test of question B per horizon: the excess, its overlap SE and
    effective n, both tails of the overlap t-test and of the shift test, the 95% bound of the
    added return on the claim's side (the upper bound for gains, the lower for losses, by both
    tests: one side in both columns) and, when ``formula``, the formula MDEs (80% power; the
    effect planted in the events' own returns only; left out for a calendar claim, whose
    primary test is another)."""
    primary = stats.get("primary")
    losses = stats.get("claim", "gains") == "losses"
    side = "lower" if losses else "upper"
    rows = []
    for h in stats["horizons"]:
        excess = (h.get("overlap") or {}).get("excess")
        if excess is None:
            continue
        joint = (primary or {}).get("horizons", {}).get(h["label"])
        # the overlap t's bound on the claim's side; the joint test's is already on that side
        t_bound = excess.get("lower_bound") if losses else excess.get("upper_bound")
        row: dict[str, object] = {
            "horizon": h["label"],
            "n": h["n"],
            "n eff": numbers.decimal(excess["n_effective"], 1),
            "excess mean": numbers.percent(excess["estimate"], 2, signed=True),
            "SE (overlap)": numbers.percent(excess["standard_error"], 2),
            "t p": numbers.pvalue(excess["pvalue"]),
            "t p, other tail": _other_tail(h, "hac_excess"),
        }
        if formula:
            row["formula MDE (t, 80%)"] = numbers.percent(excess["mde"], 1)
        row[f"95% {side} bound (t)"] = numbers.percent(t_bound, 1, signed=True)
        row["in primary test"] = "yes" if joint else "no"
        row["shift p"] = numbers.pvalue(joint["pvalue"]) if joint else "–"
        row["shift p, other tail"] = numbers.pvalue(joint.get("pvalue_opposite")) if joint else "–"
        if formula:
            row["formula MDE (joint, 80%)"] = numbers.percent(joint["mde"], 1) if joint else "–"
        row[f"95% {side} bound (joint)"] = numbers.percent(joint["upper_bound"], 1, signed=True) if joint else "–"
        rows.append(row)
    return markdown_table(pd.DataFrame(rows))


def calibration_table(calibration: Mapping[str, Any]) -> str:
    """Rejection rates by simulation: one row per (null model, test, horizon), one column per
    planted effect (the first, effect 0, is the size)."""
    frame = pd.DataFrame(calibration["rows"])
    if frame.empty:
        return "(no calibration)"
    frame["column"] = [
        ("size" if e == 0 else f"power at {numbers.percent(e, 1, signed=True)}") for e in frame["effect"]
    ]
    order = list(dict.fromkeys(frame["column"]))
    wide = frame.pivot_table(
        index=["null_model", "test", "horizon"], columns="column", values="rejection_rate", sort=False
    )
    wide = wide.reindex(columns=order).reset_index()
    for column in order:
        wide[column] = [numbers.percent(v, 1) if v == v else "–" for v in wide[column]]
    return markdown_table(wide.rename(columns={"null_model": "null model"}))


def returns_cell(check: Mapping[str, Any]) -> str:
    """What a fact check's series returns ("price", "total return" or "unknown"), with the note
    that says what that does to the comparison when there is one ('–' when not reported)."""
    kind = check.get("series_returns")
    note = check.get("returns_note") or ""
    if not kind:
        return "–"
    return f"{kind}: {note}" if note else str(kind)


def article_figures_table(checks: Sequence[Mapping[str, Any]]) -> str:
    """An article's figures beside the project's values (``backtest.stats.facts``), with the
    kind of returns our series measures (a price index's figure checked on a total-return
    series includes the dividends the figure leaves out)."""
    rows = [
        {
            "statement": c["statement"],
            "series": c["series"] + (f" ({c['proxy_note']})" if c["proxy_note"] else ""),
            "returns": returns_cell(c),
            "article": numbers.percent(c["figure"], 1, signed=True),
            "ours at publication": numbers.percent(c["value"], 2, signed=True),
            "ours at period end": numbers.percent(c["value_period_end"], 2, signed=True),
            "status": f"**{c['status']}**: {c['reason']}",
        }
        for c in checks
    ]
    return markdown_table(pd.DataFrame(rows))


def published_vs_ours_table(items: Sequence[Mapping[str, Any]], published: str | None = None) -> str:
    """Published averages after events beside the project's on the same definition: ours on
    the events whose windows closed before publication (what the publisher could have seen,
    ``published`` the date), then ours on the full sample."""
    rows = []
    for item in items:
        before = item.get("ours_before_publication") or {}
        before_n = item.get("ours_before_publication_n") or {}
        for label, figure in item["figures"].items():
            published_all = item["all_days"].get(label)
            row: dict[str, object] = {
                "source": item["source"],
                "what": item["what"],
                "horizon": label,
                "published": numbers.percent(figure, 1, signed=True)
                + (f" ({numbers.percent(published_all, 1, signed=True)})" if published_all is not None else ""),
            }
            if before:
                row["ours, before publication" + (f" ({published})" if published else "")] = (
                    f"{numbers.percent(before.get(label), 1, signed=True)} (n={before_n.get(label, '–')})"
                )
            row["ours, full sample"] = (
                f"{numbers.percent(item['ours'][label], 1, signed=True)} ({numbers.percent(item['ours_all_days'][label], 1, signed=True)}; "
                f"n={item['ours_n'][label]})"
            )
            row["our events"] = f"{item['n_events']} from {item['start']}"
            row["note"] = item["note"]
            rows.append(row)
    return markdown_table(pd.DataFrame(rows))


def notes_list(stats: Mapping[str, Any]) -> str:
    """The statistics' notes: the whole analysis's, then each horizon's."""
    notes = [f"- {markdown_text(note)}" for note in stats.get("notes") or []]
    notes += [f"- {markdown_text(note)}" for h in stats["horizons"] for note in h["notes"]]
    return "\n".join(notes) if notes else "- none"


# --- recent event ---------------------------------------------------------------------------


def recent_event_table(recent: Mapping[str, Any]) -> str:
    rows = [
        {
            "window": w["label"],
            "trading days": w["days"],
            "realised return": numbers.percent(w["realised_return"], 2, signed=True),
            "earlier events: median": numbers.percent(w["earlier_events_median"], 2, signed=True),
            "percentile among earlier events": f"{w['percentile_among_earlier_events']:.0f} (n={w['earlier_events_n']})",
            "all days: median": numbers.percent(w["all_days_median"], 2, signed=True),
            "percentile among all days": f"{w['percentile_among_all_days']:.0f}",
        }
        for w in recent["windows"]
    ]
    return markdown_table(pd.DataFrame(rows))


# --- cells with their sample size; strategies ---------------------------------------------------

ANECDOTAL_N = 10
"""Below this many observations a cell is marked anecdotal (the verdicts' threshold)."""


def n_cell(n: int | None, min_n: int = ANECDOTAL_N) -> str:
    """'25', or '7 (anecdotal)' below ``min_n``."""
    if n is None:
        return "–"
    return f"{n} (anecdotal)" if n < min_n else f"{n}"


def strategy_metrics_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """One row per simulated variant: CAGR, total return, volatility, Sharpe (rf = 0), max
    drawdown, time in market, trades, and per-trade figures with their n."""
    table = []
    for row in rows:
        m, trades = row["metrics"], row["trade_stats"]
        n = trades["n_closed"]
        per_trade = "anecdotal" if n < ANECDOTAL_N else ""
        table.append(
            {
                "variant": row["label"],
                "cost per side": numbers.percent(m["fee"], 2),
                "CAGR": numbers.percent(m["cagr"], 2, signed=True),
                "total return": numbers.percent(m["total_return"], 0, signed=True),
                "volatility (ann.)": numbers.percent(m["ann_volatility"], 1),
                "Sharpe (rf = 0)": numbers.decimal(m["sharpe"], 2),
                "max drawdown": f"{numbers.percent(m['max_drawdown'], 1)} ({m['max_drawdown_peak']} to {m['max_drawdown_trough']})",
                "time in market": numbers.percent(m["time_in_market"], 0),
                "trades": f"{m['n_trades']}" + (f" ({m['n_open']} open)" if m["n_open"] else ""),
                "closed trades won": (
                    f"{numbers.percent(trades['win_rate'], 0)} (n={n}" + (f", {per_trade})" if per_trade else ")")
                )
                if n
                else "– (n=0, anecdotal)",
                "mean closed trade (net)": (
                    f"{numbers.percent(trades['mean_net_return'], 1, signed=True)} (n={n}"
                    + (f", {per_trade})" if per_trade else ")")
                )
                if n
                else "– (n=0, anecdotal)",
            }
        )
    return markdown_table(pd.DataFrame(table))


def trade_list_table(trades: pd.DataFrame) -> str:
    """The trade list: signal and execution dates, prices, days held, returns, status."""
    frame = pd.DataFrame(
        {
            "#": trades.index,
            "buy signal": trades["entry_signal"] + " " + trades["entry_signal_date"].dt.strftime("%Y-%m-%d"),
            "bought": trades["entry_date"].dt.strftime("%Y-%m-%d"),
            "index level": trades["entry_price"],
            "sell signal": [
                f"{kind} {date.date()}" if pd.notna(date) else kind
                for kind, date in zip(trades["exit_signal"], trades["exit_signal_date"])
            ],
            "sold": [date.date().isoformat() if pd.notna(date) else "(open)" for date in trades["exit_date"]],
            "index level sold (last close if open)": trades["exit_price"],
            "trading days held": trades["days_held"],
            "price return": [numbers.percent(v, 1, signed=True) for v in trades["price_return"]],
            "net of costs": [numbers.percent(v, 1, signed=True) for v in trades["net_return"]],
        }
    )
    return markdown_table(frame, {"index level": ",.2f", "index level sold (last close if open)": ",.2f"})


# --- questions A and B in the claim's direction; variants. Counts go through ``n_cell`` so ---
# --- that every n below 10 reads "(anecdotal)" ------------------------------------------------


def _claim_sign(stats: Mapping[str, Any]) -> str:
    """'>' for a gains claim, '<' for losses: the tail every one-sided test reads (a summary
    without a ``claim`` key predates the claim direction and is a gains claim)."""
    return ">" if stats.get("claim", "gains") == "gains" else "<"


_OTHER_SIGN = {">": "<", "<": ">"}


def _other_tail(h: Mapping[str, Any], key: str) -> str:
    """The opposite-tail p of test ``key`` at horizon ``h`` ('–' when not reported)."""
    return numbers.pvalue((h.get("pvalues_opposite") or {}).get(key))


def question_a_table(stats: Mapping[str, Any]) -> str:
    """Question A in the claim's direction (gains: mean > 0, hit rate > 50%; losses: mean < 0,
    hit rate < 50%): n (marked when anecdotal), mean, CI, HAC test, binomial test, verdict;
    beside each one-sided p, the other tail's."""
    sign = _claim_sign(stats)
    other = _OTHER_SIGN[sign]
    rows = []
    for h in stats["horizons"]:
        hac = h["tests"]["hac_mean"]
        ci = h["confidence_intervals"]["mean"]
        rows.append(
            {
                "horizon": h["label"],
                "n": n_cell(h["n"]),
                "n eff": numbers.decimal(h.get("n_effective"), 1),
                "mean": numbers.percent(h["events"]["mean"], 2),
                "SE (overlap)": numbers.percent(hac.get("standard_error"), 2),
                f"{ci.get('confidence_level', 0.95):.0%} CI of mean": f"[{numbers.percent(ci['low'], 2)}, {numbers.percent(ci['high'], 2)}]",
                "t (overlap)": numbers.decimal(hac["statistic"], 2),
                f"p (mean {sign} 0)": numbers.pvalue(hac["pvalue"]),
                f"other tail: p (mean {other} 0)": _other_tail(h, "hac_mean"),
                "p (Holm)": numbers.pvalue(h["pvalues_holm"]["hac_mean"]),
                "hit rate": numbers.percent(h["events"]["hit_rate"], 0),
                f"binomial p (hit {sign} 50%)": numbers.pvalue(h["tests"]["hit_vs_half"]["pvalue"]),
                f"other tail: p (hit {other} 50%)": _other_tail(h, "hit_vs_half"),
                "verdict A": verdict_cell(h["verdicts"]["A"]),
            }
        )
    return markdown_table(pd.DataFrame(rows))


def question_b_table(stats: Mapping[str, Any]) -> str:
    """Question B in the claim's direction: random-entry (plain, spacing, era) and
    bootstrapped-path p-values, excess-return tests, verdict; n marked when anecdotal; beside
    each one-sided p, the other tail's."""
    sign = _claim_sign(stats)
    other = _OTHER_SIGN[sign]
    rows = []
    for h in stats["horizons"]:
        plain = h["random_entry"].get("plain", {}).get("mean")
        paths = (h["bootstrap_paths"] or {}).get("mean")
        row: dict[str, object] = {
            "horizon": h["label"],
            "n": n_cell(h["n"]),
            "excess mean": numbers.percent(h["excess_mean"], 2, signed=True),
            "random-entry p": numbers.pvalue(plain["pvalue"]) if plain else "–",
            "random-entry p, other tail": _other_tail(h, "random_entry.plain.mean") if plain else "–",
            "percentile": f"{plain['percentile']:.0f}" if plain else "–",
            "p (Holm)": numbers.pvalue(h["pvalues_holm"]["random_entry.plain.mean"]),
        }
        for variant in ("spacing", "era"):
            if variant in h["random_entry"]:
                row[f"{variant}-matched p"] = numbers.pvalue(h["random_entry"][variant]["mean"]["pvalue"])
        row["bootstrapped-path p"] = numbers.pvalue(paths["pvalue"]) if paths else "–"
        row["path p, other tail"] = _other_tail(h, "bootstrap_paths.mean") if paths else "–"
        row["path p (Holm)"] = numbers.pvalue(h["pvalues_holm"].get("bootstrap_paths.mean"))
        row[f"overlap-t p (excess {sign} 0)"] = numbers.pvalue(h["tests"]["hac_excess"]["pvalue"])
        row[f"other tail: p (excess {other} 0)"] = _other_tail(h, "hac_excess")
        row[f"binomial p (hit {sign} all days)"] = numbers.pvalue(h["tests"]["hit_vs_unconditional"]["pvalue"])
        row["binomial p, other tail"] = _other_tail(h, "hit_vs_unconditional")
        row["Wilcoxon p"] = numbers.pvalue(h["tests"]["wilcoxon_excess"]["pvalue"])
        row["Wilcoxon p, other tail"] = _other_tail(h, "wilcoxon_excess")
        row["verdict B"] = verdict_cell(h["verdicts"]["B"])
        rows.append(row)
    return markdown_table(pd.DataFrame(rows))


def compact_horizons(stats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per-horizon essentials of an ``EventStatistics.to_dict()`` (a selection, nothing
    computed): the rows a robustness variant keeps in a summary and ``variants_table`` reads."""
    rows = []
    for h in stats["horizons"]:
        plain = h["random_entry"].get("plain", {}).get("mean") or {}
        rows.append(
            {
                "label": h["label"],
                "n": h["n"],
                "n_pending": h["n_pending"],
                "mean": h["events"]["mean"],
                "median": h["events"]["median"],
                "hit_rate": h["events"]["hit_rate"],
                "baseline_mean": h["baseline"]["mean"],
                "excess_mean": h["excess_mean"],
                "excess_ci_low": h["confidence_intervals"]["mean_excess"]["low"],
                "excess_ci_high": h["confidence_intervals"]["mean_excess"]["high"],
                "hac_p_holm": h["pvalues_holm"]["hac_mean"],
                "random_entry_p": plain.get("pvalue"),
                "random_entry_p_holm": h["pvalues_holm"]["random_entry.plain.mean"],
                "bootstrap_paths_p_holm": h["pvalues_holm"].get("bootstrap_paths.mean"),
                "verdict_a": h["verdicts"]["A"]["outcome"],
                "verdict_b": h["verdicts"]["B"]["outcome"],
                "flags": sorted(set(h["verdicts"]["A"]["flags"]) | set(h["verdicts"]["B"]["flags"])),
            }
        )
    return rows


def variants_table(variants: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> str:
    """One row per robustness variant (``variant['horizons']``: ``compact_horizons`` rows),
    per horizon: n (marked when anecdotal), mean return, excess over all days, random-entry p
    before Holm, and the verdicts of questions A and B."""
    rows = []
    for variant in variants:
        by_label = {h["label"]: h for h in variant["horizons"]}
        row: dict[str, object] = {"variant": variant["name"], "events": variant["n_events"]}
        for label in labels:
            h = by_label.get(label)
            if h is None or not h["n"]:
                row[label] = "–"
                continue
            row[label] = (
                f"n={n_cell(h['n'])}: {numbers.percent(h['mean'], 1, signed=True)} ({numbers.percent(h['excess_mean'], 1, signed=True)}) "
                f"p={numbers.pvalue(h['random_entry_p'])} · A {h['verdict_a']} · B {h['verdict_b']}"
            )
        rows.append(row)
    return markdown_table(pd.DataFrame(rows))


# --- the verdict's robustness, simulated power, year-level and regime tests -----------------


def _p_cell(pvalue: float | None, alpha: float) -> str:
    """A p-value, bold when below ``alpha``."""
    text = numbers.pvalue(pvalue)
    return f"**{text}**" if pvalue is not None and pvalue < alpha else text


def specification_rows(robustness: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The specifications a report lists one by one: the claim's own, the leave-one-year-out
    row with the largest p (the fragility rule's), then every other family's rows in order
    (each year left out is in the figure and summary.json)."""
    specs = robustness["specifications"]
    worst = (robustness.get("fragility") or {}).get("worst")
    rows: list[Mapping[str, Any]] = [s for s in specs if s["family"] == "claim"]
    if worst is not None:
        rows.append(worst)
    rows += [s for s in specs if s["family"] not in ("claim", "leave-one-year-out")]
    return rows


def robustness_table(robustness: Mapping[str, Any], *, unit: str = "events") -> str:
    """The specification table: family, specification, n (``unit``), excess (the events' mean
    return minus the all-days mean, averaged over the judged horizons, or the mean window-
    minus-rest difference of a calendar claim), both tails of the primary test's p (bold
    below alpha); an untestable row says so instead of a p."""
    alpha = robustness["alpha"]
    n_years = sum(1 for s in robustness["specifications"] if s["family"] == "leave-one-year-out")
    rows = []
    for spec in specification_rows(robustness):
        label = spec["label"]
        if spec["family"] == "leave-one-year-out":
            label = f"{label} (the largest p of {n_years} years left out one at a time)"
        testable = spec["testable"]
        rows.append(
            {
                "family": spec["family"],
                "specification": label,
                f"n ({unit})": spec["n_events"],
                "excess": numbers.percent(spec["excess"], 2, signed=True) if testable else "–",
                "p": _p_cell(spec["pvalue"], alpha) if testable else f"not testable (n < {ANECDOTAL_N})",
                "p, other tail": numbers.pvalue(spec["pvalue_opposite"]) if testable else "–",
            }
        )
    return markdown_table(pd.DataFrame(rows))


def year_paired_table(year_paired: Mapping[str, Any]) -> str:
    """The year-level paired test of a calendar claim, one row per year: the event's date,
    the trading days of its window and of the rest of its year, the window's and the rest's
    log returns when the summary has them (the rest scaled to the window's length), and
    their difference, the test's unit (log return over the window)."""
    rows = []
    for year in year_paired["years"]:
        row: dict[str, object] = {
            "year (event date)": year["year"],
            "window days": year["window_days"],
            "rest days": year["rest_days"],
        }
        if "window_return" in year and "rest_return" in year:
            row["window (log)"] = numbers.percent(year["window_return"], 2, signed=True)
            row["rest, per window length (log)"] = numbers.percent(year["rest_return"], 2, signed=True)
        row["window minus rest (log)"] = numbers.percent(year["difference"], 2, signed=True)
        rows.append(row)
    return markdown_table(pd.DataFrame(rows))


def regime_table(regime: Mapping[str, Any]) -> str:
    """The regime test as one row: days and mean next-day log return in each regime, the
    difference, its Newey-West SE (in basis points a day: 1 bp = 0.01%), t, and p in the
    claimed tail, the other and both."""
    row = {
        "window": f"{regime['start']} to {regime['end']}",
        "days fast above slow": f"{regime['n_above']:,}",
        "mean above (bp/day)": numbers.basis_points(regime["mean_above"]),
        "days not above": f"{regime['n_below']:,}",
        "mean not above (bp/day)": numbers.basis_points(regime["mean_below"]),
        "difference (bp/day)": numbers.basis_points(regime["estimate"]),
        f"SE (Newey–West, {regime['maxlags']} lags)": numbers.basis_points(regime["standard_error"], signed=False),
        "t": numbers.decimal(regime["statistic"], 2),
        f"p (difference {'>' if regime['alternative'] == 'greater' else '<'} 0)": numbers.pvalue(regime["pvalue"]),
        "p, other tail": numbers.pvalue(regime["pvalue_opposite"]),
        "p, two-sided": numbers.pvalue(regime["pvalue_two_sided"]),
    }
    return markdown_table(pd.DataFrame([row]))


def power_curve_table(power: Mapping[str, Any]) -> str:
    """The simulated power curve: each planted drift, the share of paths on which the primary
    test rejected, its Monte Carlo SE, the mean number of events per path and the share of
    paths on which the test could not run."""
    rows = [
        {
            "drift planted": numbers.percent(point["drift"], 2, signed=True),
            "power (simulated)": numbers.percent(point["power"], 1),
            "Monte Carlo SE": numbers.percent(point["mc_standard_error"], 1),
            "events per path": numbers.decimal(point["mean_events"], 1),
            "paths not testable": numbers.percent(point["share_untestable"], 0),
        }
        for point in power["curve"]
    ]
    return markdown_table(pd.DataFrame(rows))
