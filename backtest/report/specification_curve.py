"""The robustness panel of summary.json laid out for the specification curve (Simonsohn,
Simmons & Nelson 2020), shared by its one chart definition (``charts.specification_curve_chart``),
drawn as a PNG (``figures.plot_specification_curve``) and as its interactive twin
(``interactive.specification_curve_chart``): the file name and caption, the
colour of each family of specifications, the sorted rows and the untestable ones.
Nothing is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from backtest.report import style

SPECIFICATION_CURVE = "specification_curve.png"
SPECIFICATION_CURVE_CAPTION = (
    "Specification curve: the primary test on every specification of the robustness panel, sorted by excess "
    "return (filled: p below alpha; the star is the claim as stated)"
)

FAMILY_COLOURS = {
    "claim": style.OKABE_ITO["black"],
    "leave-one-year-out": style.OKABE_ITO["sky_blue"],
    "sub-period": style.OKABE_ITO["blue"],
    "parameter": style.OKABE_ITO["orange"],
    "horizon": style.OKABE_ITO["bluish_green"],
    "peer": style.OKABE_ITO["reddish_purple"],
}
"""The colour of each family of specifications, in the PNG and the interactive figure alike."""

FAMILY_NAMES = {
    "claim": "as claimed",
    "leave-one-year-out": "a year left out",
    "sub-period": "sub-period",
    "parameter": "parameter",
    "horizon": "horizons",
    "peer": "peer series",
}
"""How each family is named in the figures' legends (short: six fit two rows at 800 pixels)."""


def family_name(family: str) -> str:
    """A family's legend name (``FAMILY_NAMES``; a family it does not know, as it is)."""
    return FAMILY_NAMES.get(family, family)


def specification_curve_frame(robustness: Mapping[str, Any]) -> pd.DataFrame:
    """The testable specifications of summary.json's ``robustness`` block, sorted by excess
    return (the claim's own row kept first among equals), one row each: rank (0, 1, ...),
    family, label, n_events, excess (a fraction), statistic, pvalue, pvalue_opposite,
    significant (p below the panel's alpha) and own (the claim as stated). Untestable rows
    are left out: a report lists them (``untestable_specifications``)."""
    rows = [s for s in robustness["specifications"] if s["testable"]]
    frame = pd.DataFrame(
        rows, columns=["family", "label", "n_events", "excess", "statistic", "pvalue", "pvalue_opposite", "testable"]
    )
    frame["own"] = frame["family"] == "claim"
    frame["significant"] = frame["pvalue"] < robustness["alpha"]
    frame = frame.sort_values(["excess", "own"], ascending=[True, False], kind="stable").reset_index(drop=True)
    frame["rank"] = range(len(frame))
    return frame


def untestable_specifications(robustness: Mapping[str, Any]) -> list[str]:
    """'label (n = k)' of each specification too small to test (listed, never plotted)."""
    return [f"{s['label']} (n = {s['n_events']})" for s in robustness["specifications"] if not s["testable"]]
