"""Markdown sections of an event-study report, rendered from a study's summary dictionary.

Every number printed here is read from the summary (the same dictionary that is written as
``summary.json``) or from the event table written as ``events.csv``; nothing is computed,
only formatted. Studies compose these sections in the order they need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from backtest.report.render import markdown_table


def pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage ('–' for a missing value)."""
    if value is None:
        return "–"
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def pval(value: float | None) -> str:
    """A p-value with three decimals ('<0.001' below that)."""
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def verdict_cell(verdict: Mapping[str, Any]) -> str:
    """'**supported**' plus flags such as '(small sample)'."""
    flags = verdict.get("flags") or []
    text = f"**{verdict['outcome']}**"
    return text + (f" ({', '.join(flags)})" if flags else "")


# --- data -----------------------------------------------------------------------------------


def provenance_section(data: Mapping[str, Any]) -> str:
    """Coverage, segments, splice statistics and validation findings of the studied series."""
    lines = [
        f"Series **{data['series']}**: {data['n_closes']:,} daily closes from {data['first_date']} to "
        f"{data['last_date']} (SHA-256 of the input files `{data['sha256'][:16]}…`).",
        "",
        markdown_table(
            pd.DataFrame(data["segments"])[["source", "symbol", "file", "first_date", "last_date", "scale_factor", "rows_used"]],
            {"scale_factor": ".6f", "rows_used": ","},
        ),
    ]
    splice = data.get("splice")
    if splice:
        worst_max = max(splice["by_year"][:-1], key=lambda row: row["max_abs_ret_diff"])
        worst_median = max(splice["by_year"][:-1], key=lambda row: row["median_abs_ret_diff"])
        lines += [
            "",
            f"**Splice.** {splice['older']} is rebased onto {splice['newer']} and used before "
            f"{splice['switch_date']}, the first day both have a close; from that day on the series is "
            f"{splice['newer']}. Scale factor {splice['scale_factor']:.6f} (the ratio of the two levels on the "
            "switch day), so the return across the switch is the older series' own return: no jump.",
            "",
            f"Agreement on the overlap ({splice['overlap_first']} to {splice['overlap_last']}, "
            f"{splice['n_common_days']:,} common days), daily simple returns: median absolute difference "
            f"{splice['median_abs_ret_diff']:.2e}, maximum {splice['max_abs_ret_diff']:.2e} on "
            f"{splice['max_abs_ret_diff_date']}, correlation {splice['ret_corr']:.6f}; the level ratio drifts "
            f"{pct(splice['ratio_drift'], 2, signed=True)} over the overlap. Worst year by median difference: "
            f"{worst_median['period']} ({worst_median['median_abs_ret_diff']:.2e}); by maximum: "
            f"{worst_max['period']} ({worst_max['max_abs_ret_diff']:.2e} on {worst_max['max_abs_ret_diff_date']}).",
        ]
    findings = [
        {"file": report["file"], **finding}
        for report in data["validation"]
        for finding in report["findings"]
    ]
    lines += ["", "**Validation findings** (nothing is filled; dropped rows are listed by the loader):", ""]
    if findings:
        frame = pd.DataFrame(findings)
        frame["first dates"] = frame["first_dates"].map(lambda dates: ", ".join(dates[:3]) + (" …" if len(dates) > 3 else ""))
        frame["dropped"] = frame["dropped"].map(lambda d: "dropped" if d else "kept")
        lines.append(markdown_table(frame[["file", "kind", "severity", "count", "dropped", "first dates"]], {"count": ","}))
    else:
        lines.append("No findings.")
    return "\n".join(lines)


# --- events ---------------------------------------------------------------------------------


def events_section(events: pd.DataFrame, labels: Sequence[str]) -> str:
    """The event table: date, level, averages, returns per horizon, 12-month drawdown."""
    last = labels[-1]
    rows = pd.DataFrame(
        {
            "#": events.index,
            "event date": events["event_date"].dt.strftime("%Y-%m-%d"),
            "close": events["close"],
            "fast MA": events["fast_ma"],
            "slow MA": events["slow_ma"],
            **{
                f"ret {label}": [
                    "pending" if pending else pct(value, signed=True)
                    for value, pending in zip(events[f"ret_{label}"], events[f"pending_{label}"])
                ]
                for label in labels
            },
            f"max drawdown {last}": [
                "pending" if pending else pct(value)
                for value, pending in zip(events[f"max_drawdown_{last}"], events[f"pending_{last}"])
            ],
            f"days to recover ({last})": [
                "pending" if pending else ("not within" if pd.isna(value) else f"{value:.0f}")
                for value, pending in zip(events[f"days_to_recover_{last}"], events[f"pending_{last}"])
            ],
        }
    )
    return markdown_table(rows, {"close": ",.2f", "fast MA": ",.2f", "slow MA": ",.2f"})


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
                "mean": pct(ev["mean"], 2),
                "all days mean": pct(base["mean"], 2),
                "excess": pct(h["excess_mean"], 2, signed=True),
                "median": pct(ev["median"], 2),
                "hit rate": pct(ev["hit_rate"], 0),
                "all days hit rate": pct(base["hit_rate"], 0),
                "mean max drawdown": pct(ev["mean_max_drawdown"], 1),
                "all days": pct(base["mean_max_drawdown"], 1),
                "recovered": pct(ev["share_recovered"], 0),
            }
        )
    return markdown_table(pd.DataFrame(rows))


def question_a_table(stats: Mapping[str, Any]) -> str:
    """Did gains follow? HAC t-test, binomial hit test, bootstrap CI, verdict."""
    rows = []
    for h in stats["horizons"]:
        hac = h["tests"]["hac_mean"]
        ci = h["confidence_intervals"]["mean"]
        rows.append(
            {
                "horizon": h["label"],
                "n": h["n"],
                "mean": pct(h["events"]["mean"], 2),
                "95% CI of mean": f"[{pct(ci['low'], 2)}, {pct(ci['high'], 2)}]",
                "HAC t": num(hac["statistic"], 2),
                "lags": hac.get("maxlags") if hac.get("maxlags") is None else int(hac["maxlags"]),
                "p": pval(hac["pvalue"]),
                "p (Holm)": pval(h["pvalues_holm"]["hac_mean"]),
                "hit rate": pct(h["events"]["hit_rate"], 0),
                "binomial p (hit > 50%)": pval(h["tests"]["hit_vs_half"]["pvalue"]),
                "verdict A": verdict_cell(h["verdicts"]["A"]),
            }
        )
    return markdown_table(pd.DataFrame(rows))


def question_b_table(stats: Mapping[str, Any]) -> str:
    """Beyond a random entry date? Monte Carlo, bootstrapped paths, excess-return tests."""
    rows = []
    for h in stats["horizons"]:
        re_plain = h["random_entry"]["plain"]["mean"]
        paths = (h["bootstrap_paths"] or {}).get("mean")
        row = {
            "horizon": h["label"],
            "excess mean": pct(h["excess_mean"], 2, signed=True),
            "random-entry p": pval(re_plain["pvalue"]),
            "percentile": f"{re_plain['percentile']:.0f}",
            "p (Holm)": pval(h["pvalues_holm"]["random_entry.plain.mean"]),
        }
        for variant in ("spacing", "era"):
            if variant in h["random_entry"]:
                row[f"{variant}-matched p"] = pval(h["random_entry"][variant]["mean"]["pvalue"])
        row["bootstrapped-path p"] = pval(paths["pvalue"]) if paths else "–"
        row["path p (Holm)"] = pval(h["pvalues_holm"].get("bootstrap_paths.mean"))
        row["HAC p (excess)"] = pval(h["tests"]["hac_excess"]["pvalue"])
        row["binomial p (hit > all days)"] = pval(h["tests"]["hit_vs_unconditional"]["pvalue"])
        row["Wilcoxon p"] = pval(h["tests"]["wilcoxon_excess"]["pvalue"])
        row["verdict B"] = verdict_cell(h["verdicts"]["B"])
        rows.append(row)
    return markdown_table(pd.DataFrame(rows))


def notes_list(stats: Mapping[str, Any]) -> str:
    notes = [f"- {note}" for h in stats["horizons"] for note in h["notes"]]
    return "\n".join(notes) if notes else "- none"


# --- robustness, recent event, fact checks --------------------------------------------------


def robustness_tables(variants: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> tuple[str, str]:
    """Two tables with one row per variant: (1) per horizon n, mean return, excess over all
    days and the random-entry p-value; (2) per horizon the verdicts of questions A and B."""
    returns, verdicts = [], []
    for variant in variants:
        by_label = {h["label"]: h for h in variant["horizons"]}
        returns_row: dict[str, object] = {"variant": variant["name"], "events": variant["n_events"]}
        verdicts_row: dict[str, object] = {"variant": variant["name"]}
        for label in labels:
            h = by_label.get(label)
            if h is None or not h["n"]:
                returns_row[label] = verdicts_row[label] = "–"
                continue
            returns_row[label] = (
                f"n={h['n']}: {pct(h['mean'], 1, signed=True)} ({pct(h['excess_mean'], 1, signed=True)}) "
                f"p={pval(h['random_entry_p'])}"
            )
            flags = f" ({', '.join(h['flags'])})" if h["flags"] else ""
            verdicts_row[label] = f"A {h['verdict_a']} · B {h['verdict_b']}{flags}"
        returns.append(returns_row)
        verdicts.append(verdicts_row)
    return markdown_table(pd.DataFrame(returns)), markdown_table(pd.DataFrame(verdicts))


def recent_event_table(recent: Mapping[str, Any]) -> str:
    rows = [
        {
            "window": w["label"],
            "trading days": w["days"],
            "realised return": pct(w["realised_return"], 2, signed=True),
            "earlier events: median": pct(w["earlier_events_median"], 2, signed=True),
            "percentile among earlier events": f"{w['percentile_among_earlier_events']:.0f} (n={w['earlier_events_n']})",
            "all days: median": pct(w["all_days_median"], 2, signed=True),
            "percentile among all days": f"{w['percentile_among_all_days']:.0f}",
        }
        for w in recent["windows"]
    ]
    return markdown_table(pd.DataFrame(rows))


def fact_check_table(checks: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        {"statement": check["statement"], "what the data show": check["evidence"], "status": f"**{check['status']}**"}
        for check in checks
    ]
    return markdown_table(pd.DataFrame(rows))
