"""Russell 2000 golden crosses since 1985: did gains follow, and were they more than any
random day would have given?

Tests a small-cap newsletter's claim (July 30, 2025) on the canonical Russell 2000 series
(FRED RU2000PR spliced onto ^RUT). The claim, its variants (de-clustered, confirmed, next-day
entry, sub-periods, FRED price and total return, relative to SPY), the article's figures and the
published averages are the spec ``russell2000_golden_cross.toml``; the one event-study template
writes ``results/russell2000_golden_cross/``. This script adds only the state of the averages at
publication ("about to form", "the first since January 2024").

Run: ``backtest study russell2000-golden-cross`` or ``python studies/russell2000_golden_cross.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.claims.study import run_spec_study
from backtest.project import results_dir
from backtest.stats import DEFAULT_SEED
from backtest.studies import run_as_script

NAME = "russell2000_golden_cross"
DEFAULT_OUTPUT = results_dir(__file__) / NAME
SPEC = Path(__file__).with_suffix(".toml")


def at_publication(result: Any) -> str:
    """Where the averages stood on the last close before publication, and the crosses either
    side of it: was the cross "about to form", and the first since January 2024?"""
    from backtest.signals import moving_average

    event, close = result.spec.event, result.market_series.close
    published = pd.Timestamp(result.spec.claim.published)
    as_of = close.index[close.index < published][-1]
    gap = float(moving_average(close, event.fast)[as_of] - moving_average(close, event.slow)[as_of])
    dates = result.detection_study.table["event_date"]
    before, after = dates[dates < published], dates[dates >= published]
    previous = before.iloc[-1].date().isoformat() if len(before) else "none"
    following = after.iloc[0].date().isoformat() if len(after) else "none yet"
    state = "below" if gap < 0 else "above"
    return (
        f"**At publication.** On {as_of.date()}, the last close before the article, the {event.fast}-day "
        f"average stood {abs(gap):,.1f} points {state} the {event.slow}-day, so the cross was "
        f"{'still about to form' if gap < 0 else 'already formed'}. The previous golden cross was on "
        f'{previous} (the article: "the first since January 2024"); the next came on {following}.'
    )


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
        name="russell2000-golden-cross",
        narrative=at_publication,
        step=step,
        seed=seed,
        n_draws=n_draws,
        n_paths=n_paths,
        policy=policy,
    )


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
