"""The headline study's own paragraph: where the averages stood when the article was published.

The study is the spec ``russell2000_golden_cross.toml`` (Russell 2000 golden crosses since 1985,
its variants, the article's figures and published averages), run by ``backtest study
russell2000-golden-cross`` into ``results/russell2000_golden_cross/``; its ``[report]`` table
names ``at_publication`` below ("about to form", "the first since January 2024").

Run: ``backtest study russell2000-golden-cross`` or ``python studies/russell2000_golden_cross.py``.
"""

from __future__ import annotations

import sys
from typing import Any

import pandas as pd


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


if __name__ == "__main__":  # the same as `backtest study NAME`; this module is not imported again
    from backtest.studies import run_as_script

    sys.exit(run_as_script(__file__))
