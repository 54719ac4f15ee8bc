"""Russell 2000 golden crosses since 1985 under the article's confirmation filters: did RSI,
volume, the rate backdrop or the VIX pick the crosses that did better?

The events of ``russell2000_golden_cross`` (SMA 50/200, since 1985), each filter read at the
event's close: one ``[[variants]]`` row keeps the crosses a filter passes, the next those it
rejects (spec ``russell2000_confirmation_filters.toml``); the one event-study template writes
``results/russell2000_confirmation_filters/``.

Run: ``backtest study russell2000-confirmation-filters``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from backtest.claims.study import run_spec_study
from backtest.project import results_dir
from backtest.stats import DEFAULT_SEED
from backtest.studies import run_as_script

NAME = "russell2000_confirmation_filters"
DEFAULT_OUTPUT = results_dir(__file__) / NAME
SPEC = Path(__file__).with_suffix(".toml")
NARRATIVE = (
    "**How to read the filters.** The unfiltered crosses are the claim above; each pair of rows in the variants "
    "table splits them by one filter. A filter helps only if its kept row beats random days where the unfiltered "
    "crosses did not, and beats its rejected row. Each row carries its own tests against random days; no formal "
    "test of kept against rejected is run here, and with so few crosses per row most cells are anecdotal. The "
    "article's sector-rotation advice (materials, industrials and consumer discretionary leading SPY) needs the mean "
    "of several relative strengths, which a spec cannot state yet: it is not tested here."
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
        name="russell2000-confirmation-filters",
        narrative=NARRATIVE,
        step=step,
        seed=seed,
        n_draws=n_draws,
        n_paths=n_paths,
        policy=policy,
    )


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
