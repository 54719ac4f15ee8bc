"""Golden crosses beyond the Russell 2000: is the small-cap signal different from the large-cap one?

The headline's rule (SMA 50/200, events from 1985 or once the series' daily data allow) on the
Russell 1000, 3000, 2000 Growth and Value, the NASDAQ Composite, the Dow and the S&P 500 (SPY),
one ``[[variants]]`` row each in the spec ``peers_golden_cross.toml``; the one event-study
template writes ``results/peers_golden_cross/``. This script adds the small- vs large-cap
comparison (Russell 2000 vs Russell 1000, same source and span) and a figure of every series'
excess return.

Run: ``backtest study peers-golden-cross`` or ``python studies/peers_golden_cross.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.claims.study import run_spec_study
from backtest.project import results_dir
from backtest.report.event_report import pct
from backtest.stats import DEFAULT_SEED
from backtest.studies import run_as_script

NAME = "peers_golden_cross"
DEFAULT_OUTPUT = results_dir(__file__) / NAME
SPEC = Path(__file__).with_suffix(".toml")
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
        cells.append(f"{label} {pct(a['excess_mean'], 1, True)} vs {pct(b['excess_mean'], 1, True)}")
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
    """Run the spec through the claim path and write the study's report; returns the folder."""
    return run_spec_study(
        SPEC,
        data_dir,
        Path(output_dir),
        name="peers-golden-cross",
        narrative=small_vs_large,
        extras=excess_figure,
        step=step,
        seed=seed,
        n_draws=n_draws,
        n_paths=n_paths,
        policy=policy,
    )


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
