"""The peers study's own parts: the small- vs large-cap comparison and a figure of every series.

The study is the spec ``peers_golden_cross.toml`` (the headline's rule, SMA 50/200, on the
Russell 1000, 3000, 2000 Growth and Value, the NASDAQ Composite, the Dow and the S&P 500, one
``[[variants]]`` row each), run by ``backtest study peers-golden-cross`` into
``results/peers_golden_cross/``; its ``[report]`` table names ``small_vs_large`` (Russell 2000 vs
Russell 1000, same source and span) and ``excess_figure`` below.

Run: ``backtest study peers-golden-cross`` or ``python studies/peers_golden_cross.py``.
"""

from __future__ import annotations

import sys
from typing import Any

import pandas as pd

from backtest.numbers import percent

SMALL, LARGE = "Russell 2000, FRED to 2019", "Russell 1000"  # same source, same span: the fair pair


def _rows(result: Any) -> pd.DataFrame:
    """Tidy rows (series, group, horizon, excess, interval, n) of every variant at the judged horizons."""
    judged = result.spec.judged_horizons()
    rows = []
    for variant in result.summary_data["variants"]:
        group = variant["description"].split(":")[0]
        for h in variant["horizons"]:
            if h["label"] in judged:
                rows.append(
                    {
                        "series": variant["name"],
                        "group": group,
                        "horizon": h["label"],
                        "n": h["n"],
                        "excess_mean": h["excess_mean"],
                        "ci_low": h["excess_ci_low"],
                        "ci_high": h["excess_ci_high"],
                        "random_entry_p": h["random_entry_p"],
                        "verdict_b": h["verdict_b"],
                    }
                )
    return pd.DataFrame(rows).astype({"excess_mean": float, "ci_low": float, "ci_high": float})


def small_vs_large(result: Any) -> str:
    """Are small and large caps different? At a horizon when the two intervals of the excess
    return do not overlap or the question-B verdicts differ; overlap is not proof of equality."""
    rows = _rows(result).set_index(["series", "horizon"])
    different, cells = [], []
    for label in result.spec.judged_horizons():
        a, b = rows.loc[(SMALL, label)], rows.loc[(LARGE, label)]
        if a["ci_low"] > b["ci_high"] or b["ci_low"] > a["ci_high"] or a["verdict_b"] != b["verdict_b"]:
            different.append(label)
        cells.append(
            f"{label} {percent(a['excess_mean'], 1, signed=True)} vs {percent(b['excess_mean'], 1, signed=True)}"
        )
    answer = f"different at {', '.join(different)}" if different else "no detectable difference"
    return (
        f"**Small vs large caps** ({SMALL} vs {LARGE}, excess return over all days after the crosses: "
        f"{'; '.join(cells)}): {answer}. They are called different at a horizon when their 90% intervals of the "
        "excess return do not overlap or their question-B verdicts differ; overlapping intervals do not prove "
        "equality, they mean these samples cannot tell the two apart."
    )


def excess_figure(result: Any) -> dict[str, tuple[str, bytes]]:
    from backtest.report.figures import plot_peer_excess
    from backtest.report.render import figure_png

    figure = plot_peer_excess(
        _rows(result), title="Mean excess return after golden crosses, every series (90% interval)"
    )
    return {"peer_excess.png": ("Excess return after golden crosses by series and horizon", figure_png(figure))}


if __name__ == "__main__":  # the same as `backtest study NAME`; this module is not imported again
    from backtest.studies import run_as_script

    sys.exit(run_as_script(__file__))
