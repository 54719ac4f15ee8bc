"""Russell 2000 death crosses since 1985: did losses follow, and were they worse than any
random day would have given?

The mirror of ``russell2000_golden_cross``: the 50-day average crossing *below* the 200-day
on the canonical Russell 2000 (FRED RU2000PR spliced onto ^RUT), a "losses" claim (every
one-sided test in the lower tail). The claim and its variants are the spec
``russell2000_death_cross.toml``; the one event-study template writes
``results/russell2000_death_cross/``.

Run: ``backtest study russell2000-death-cross``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from backtest.claims.study import run_spec_study
from backtest.project import results_dir
from backtest.stats import DEFAULT_SEED
from backtest.studies import run_as_script

NAME = "russell2000_death_cross"
DEFAULT_OUTPUT = results_dir(__file__) / NAME
SPEC = Path(__file__).with_suffix(".toml")
NARRATIVE = (
    "This is the mirror of the golden-cross study (`results/russell2000_golden_cross/`): the same data, horizons, "
    "nulls and verdict structure, with every one-sided test reading the lower tail."
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
        name="russell2000-death-cross",
        narrative=NARRATIVE,
        step=step,
        seed=seed,
        n_draws=n_draws,
        n_paths=n_paths,
        policy=policy,
    )


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
