"""Every default that more than one stage uses, defined once.

Seeds, the horizons of an event study, the mean block length of the stationary bootstrap
and the longest calendar gap a daily series may have. Stages import these names; a value
here is never repeated as a literal elsewhere (``tests/test_architecture.py`` keeps the
seed honest).
"""

from __future__ import annotations

import math

DEFAULT_SEED = 19850101
"""Seed used when the caller gives none, by every stage (event statistics, sweeps, claims,
the CLI). Any fixed value would do; this one is memorable."""

DEFAULT_HORIZON_DAYS: tuple[tuple[str, int], ...] = (
    ("1m", 21),
    ("3m", 63),
    ("6m", 126),
    ("9m", 189),
    ("12m", 252),
)
"""(label, trading days) of the default forward horizons: 21 trading days to the month."""

DEFAULT_DETECTION_START = "1985-01-01"
"""First event date of the headline study, and the default ``--since`` of the commands and
benchmarks that take one."""

DEFAULT_REFERENCE_PAIR = (50, 200)
"""The (fast, slow) moving-average pair a sweep reports as its reference: the golden cross."""

MAX_GAP_DAYS = 7
"""A longer gap between closes (calendar days) means the series is not daily there: a file
that is monthly in parts (RU2000GPR/VPR before 1993) or has a hole. The longest real market
closure in the snapshot, 9/11 (2001-09-10 to 2001-09-17), is exactly 7 days."""


def default_mean_block(n_days: int, dependence_days: int = 1) -> float:
    """Mean block length of the stationary bootstrap of a daily series of ``n_days``:
    max(sqrt(T), the days over which observations are dependent), at least 1.

    sqrt(T) is the usual rate for the stationary bootstrap (Politis & Romano 1994); overlapping
    h-day returns are dependent over about h days, so the block is never shorter than that.
    (``backtest.stats.bootstrap`` has its own, data-driven rule for price-path bootstraps.)
    """
    return float(max(1, int(math.sqrt(n_days)), int(dependence_days)))
