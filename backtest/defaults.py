"""Every default that more than one stage uses, defined once.

Seeds, the horizons of an event study, the mean block length of the stationary bootstrap
and the longest calendar gap a daily series may have. Stages import these names; a value
here is never repeated as a literal elsewhere (``tests/test_architecture.py`` keeps the
seed honest).
"""

from __future__ import annotations

import math

from backtest.errors import ParameterError

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

MAX_WINDOW_DAYS = 100_000
"""The longest look-back window or waiting span a parameter may ask for, in trading days
(about 400 years: longer than any daily series). Windows, ``n``, ``confirm`` and ``min_gap``
above it are refused when the options or the spec are read, before any data; a window that
fits under it but not in the data at hand is refused once the data are loaded
(``backtest.checks.check_fits``)."""

DEFAULT_MAX_MINUTES = 30.0
"""Estimated minutes a claim or a study may run without ``--max-minutes`` (the cost model is
``backtest.stats.cost``): the committed studies estimate at about a minute, a claim with
``[analysis] calibration = 1000`` at about five."""

DEFAULT_REFERENCE_PAIR = (50, 200)
"""The (fast, slow) moving-average pair a sweep reports as its reference: the golden cross."""

MAX_GAP_DAYS = 7
"""A longer gap between closes (calendar days) means the series is not daily there: a file
that is monthly in parts (RU2000GPR/VPR before 1993) or has a hole. The longest real market
closure in the snapshot, 9/11 (2001-09-10 to 2001-09-17), is exactly 7 days."""


def horizon_block_length(window_days: float, n_obs: int) -> float:
    """THE block-length rule of every stationary bootstrap in the project.

    Used by the path null in ``backtest.stats.bootstrap`` and Reality Check / SPA / Romano-Wolf in ``backtest.sweep``: the mean block, in
    trading days, for a statistic built on windows of ``window_days`` trading days resampled
    from ``n_obs`` observations is max(window_days, sqrt(n_obs)), at least 1.

    Why: an h-day forward return is a sum of h daily returns, so the dependence that shapes
    its distribution spans h days. Overlapping h-day returns are an MA(h - 1) by
    construction, and the Russell 2000's daily returns mean-revert over months (variance
    ratio of 252-day returns ~0.72): a stationary bootstrap keeps the autocovariance at lag
    k with probability (1 - 1/b)^k, so blocks much shorter than h (the former 20 days at
    12 months) centre and widen the null wrongly (+2.7 pp and ~40 % too wide at
    12 months). The sqrt(n_obs) floor (~100 days over 1985-2026) keeps a month of
    volatility clustering at the short horizons; the Politis-White automatic choice
    (``arch.bootstrap.optimal_block_length``) is no guide here: on daily returns it gives
    ~3 days because they are nearly uncorrelated, and it targets the variance of the mean,
    not of h-day sums. The cost of long blocks: a 252-day block replays a year of history,
    so at 12 months a path has ~40 independent pieces and the null is less varied.

    Parameters
    ----------
    window_days : float
        Length of the statistic's windows in trading days (>= 1).
    n_obs : int
        Observations resampled (>= 1).

    Returns
    -------
    float
        The mean block length in trading days: max(window_days, floor(sqrt(n_obs)), 1).

    Raises
    ------
    ParameterError
        ``window_days`` not a finite number >= 1, or ``n_obs`` not an integer >= 1.
    """
    if not math.isfinite(window_days) or window_days < 1:
        raise ParameterError(f"window_days must be a number >= 1 (trading days), got {window_days!r}")
    if isinstance(n_obs, bool) or not isinstance(n_obs, int) or n_obs < 1:
        raise ParameterError(f"n_obs must be an integer >= 1, got {n_obs!r}")
    return float(max(1.0, float(window_days), float(int(math.sqrt(n_obs)))))
