"""The report of a pooled claim: the pooled answer first (a verdict card), the primary test
per judged horizon, the per-series table, the CAAR path against the random-entry band and the
distribution of per-series effects.

Inputs: the run's ``summary_data`` (JSON-ready) and its CAAR-path and per-series-effect tables
(``backtest.claims.pooled``). Outputs: Markdown text and matplotlib figures; nothing here
computes a statistic or writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.numbers import percent, pvalue
from backtest.report.render import BLOCK_END, BLOCK_START, MarkdownFragment, markdown_table, template_environment

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_FILES = {"caar_path": "caar_path.png", "effects": "series_effects.png"}
"""The figures of a pooled report and their file names."""

TEST_NAMES = {
    "panel_shift": "panel circular shift",
    "cross_sectional_t": "cross-sectional t",
    "bmp": "BMP",
    "kolari_pynnonen": "Kolari-Pynnönen",
    "rank": "Corrado rank",
    "generalized_sign": "generalized sign",
    "calendar_time": "calendar-time portfolio",
}
"""How the report names each pooled test (the summary's keys)."""


def _test_names(tests: list[str]) -> str:
    return ", ".join(TEST_NAMES.get(test, test) for test in tests) or "none"


def _size_table(calibration: Mapping[str, Any] | None) -> str:
    """Test x judged horizon: each test's rejection rate on the calibration's no-signal
    panels (events selected on simulated prices by the claim's rule)."""
    if not calibration or not calibration.get("sizes"):
        return ""
    rows = pd.DataFrame(calibration["sizes"])
    order = list(dict.fromkeys(rows["horizon"]))
    wide = rows.pivot(index="test", columns="horizon", values="size").reindex(columns=order)
    wide = wide.reindex(list(dict.fromkeys(rows["test"])))
    holds = rows.groupby("test", sort=False)["holds_size"].all()
    frame = pd.DataFrame(
        {
            "test": [TEST_NAMES.get(test, test) for test in wide.index],
            **{f"size {label}": [percent(v, 1) for v in wide[label]] for label in order},
            "holds size": ["yes" if holds[test] else "no" for test in wide.index],
        }
    )
    return markdown_table(frame)


def _primary_table(summary: Mapping[str, Any]) -> str:
    rows = pd.DataFrame(summary["primary_test"]["rows"])
    if rows.empty:
        return ""
    frame = pd.DataFrame(
        {
            "horizon": rows["horizon"],
            "events": rows["n_events"],
            "CAAR": [percent(v, 2, signed=True) for v in rows["caar"]],
            "excess over random entry": [percent(v, 2, signed=True) for v in rows["excess_over_random"]],
            "p": [pvalue(v) for v in rows["pvalue"]],
            "Holm p": [pvalue(v) for v in rows["pvalue_holm"]],
            "p (other tail)": [pvalue(v) for v in rows["pvalue_opposite"]],
            "detectable effect": [percent(v, 2, signed=True) for v in rows["detectable_effect"]],
        }
    )
    return markdown_table(frame)


def _series_table(summary: Mapping[str, Any]) -> str:
    rows = pd.DataFrame(summary["per_series"])
    if rows.empty:
        return ""
    labels = summary["claim"]["horizons"]
    frame = pd.DataFrame(
        {
            "series": rows["series"],
            "events": rows["events"],
            "kept": rows["events_kept"],
            "first": rows["first_event"].fillna("none"),
            "last": rows["last_event"].fillna("none"),
            "beta": [f"{v:.2f}" if v is not None and v == v else "n/a" for v in rows["mean_beta"]],
            **{f"CAR {label}": [percent(v, 2, signed=True) for v in rows[f"car_{label}"]] for label in labels},
        }
    )
    return markdown_table(frame)


def render_pooled_markdown(summary: Mapping[str, Any]) -> str:
    """report.md of a pooled claim from its summary (``backtest.claims.pooled``)."""
    template = template_environment().get_template("pooled.md.j2")
    calibration = summary.get("calibration")
    return str(
        template.render(
            s=summary,
            card_start=MarkdownFragment(BLOCK_START.format(name="verdict-card")),
            card_end=MarkdownFragment(BLOCK_END),
            primary_table=MarkdownFragment(_primary_table(summary)),
            series_table=MarkdownFragment(_series_table(summary)),
            calibration=calibration,
            size_table=MarkdownFragment(_size_table(calibration)),
            holding_size=_test_names(list((calibration or {}).get("tests_holding_size", []))),
            not_holding_size=_test_names(list((calibration or {}).get("tests_not_holding_size", []))),
            primary_test_name=TEST_NAMES.get(str((calibration or {}).get("test")), "primary test"),
            figures=FIGURE_FILES,
        )
    )


def caar_path_figure(caar_path: pd.DataFrame, title: str, *, ax: Any = None) -> Figure:
    """The CAAR after the events, day by day, and the events' excess over random entry
    inside the random-entry band (5-95 % of the same mean over the panel's circular shifts,
    less their mean) at the days where they were computed."""
    from matplotlib.figure import Figure

    figure = ax.figure if ax is not None else Figure(figsize=(8, 4.2))
    axis = ax if ax is not None else figure.add_subplot()
    band = caar_path.dropna(subset=["random_low", "random_high"])
    axis.fill_between(
        band["day"], band["random_low"] * 100, band["random_high"] * 100, color="0.85", label="random entry, 5-95 %"
    )
    axis.plot(caar_path["day"], caar_path["caar"] * 100, color="C0", label="events: CAAR (event-window model)")
    judged = caar_path.dropna(subset=["excess"])
    axis.plot(
        judged["day"],
        judged["excess"] * 100,
        color="C1",
        linestyle="--",
        label="events: excess over random entry (what the primary test judges)",
    )
    axis.axhline(0, color="0.4", linewidth=0.8)
    axis.set_xlabel("trading days after the event")
    axis.set_ylabel("cumulative abnormal return (%)")
    axis.set_title(title, fontsize=10)
    axis.legend(loc="upper left", fontsize=8)
    return figure


def series_effects_figure(effects: pd.DataFrame, horizon: str, *, ax: Any = None) -> Figure:
    """Each series' mean CAR at ``horizon``, sorted: the distribution behind the pooled answer."""
    from matplotlib.figure import Figure

    figure = ax.figure if ax is not None else Figure(figsize=(8, 3.6))
    axis = ax if ax is not None else figure.add_subplot()
    rows = effects[effects["horizon"] == horizon].dropna(subset=["mean_car"]).sort_values("mean_car")
    colours = ["C0" if value >= 0 else "C3" for value in rows["mean_car"]]
    axis.barh(rows["series"].astype(str), rows["mean_car"] * 100, color=colours)
    axis.axvline(0, color="0.4", linewidth=0.8)
    axis.set_xlabel(f"mean CAR over {horizon} (%)")
    axis.set_title(f"Per-series mean abnormal return after the events, {horizon}", fontsize=10)
    return figure


def pooled_figures(summary: Mapping[str, Any], caar_path: pd.DataFrame, effects: pd.DataFrame) -> dict[str, Figure]:
    """The report's figures, keyed as ``FIGURE_FILES``."""
    judged = summary["claim"]["verdict_horizons"]
    horizon = judged[-1] if judged else summary["claim"]["horizons"][-1]
    return {
        "caar_path": caar_path_figure(caar_path, f"{summary['claim']['title']}: pooled CAAR"),
        "effects": series_effects_figure(effects, horizon),
    }
