"""Random-entry Monte Carlo: would as many randomly dated entries have done as well?

Input: an ``EventStudy`` (and its ``EligibleDays``). Output: ``MonteCarloTest`` results per
statistic (observed value, null distribution, one- and two-sided p-values, percentile),
and ``PathBand``, the random-entry band of the mean event-aligned price path.

The null draws k entry days (k = complete events) WITHOUT replacement from the eligible days
of the same sample window. Variants: "plain" (uniform), "spacing" (no two random days
closer than the closest two events), "era" (one random day from the calendar year of each
event). p-values use the +1 correction (Davison & Hinkley 1997, Bootstrap Methods, ch. 4;
North, Curtis & Sham 2002, Am. J. Hum. Genet. 71(2)): p = (1 + #{null >= observed}) / (1 + B),
never 0. Every horizon of a study is drawn in one pass on common random numbers
(``random_entry_tests_by_horizon``): draw d picks the same days for horizons whose pools and
event counts agree, so horizon-to-horizon differences are not Monte Carlo noise.

Calibration (tests/stats/test_montecarlo.py, random walks, SMA 50/200, one-sided 5%): plain
rejects ~4.5% at 1 month and ~3.5% at 3 months; spacing-matched ~5% at both. The plain test
turns conservative as windows lengthen because random dates cluster more than crosses do
and clustered, overlapping windows widen the null. Era-matching is conservative at long
horizons (~1% at 12 months): the year's earlier days have windows holding the very rally
that produced the cross.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from backtest.errors import ParameterError
from backtest.events import EventStudy
from backtest.events.paths import aligned_paths
from backtest.events.study import detection_bounds
from backtest.stats import nb as stats_nb
from backtest.stats._rng import DEFAULT_SEED, check_seed, seed_from
from backtest.stats.baseline import EligibleDays, eligible_days
from backtest.stats.cost import check_draws_memory

Variant = Literal["plain", "spacing", "era"]
VARIANTS: tuple[str, ...] = ("plain", "spacing", "era")
DEFAULT_VARIANTS: tuple[str, ...] = ("plain", "spacing")
"""Run by default. "era" is opt-in: drawing from the event's own calendar year includes the
rally that produced the cross, so it is biased towards "no effect" by construction."""
NULL_STATISTICS: tuple[str, ...] = stats_nb.NULL_STATISTICS

BETTER_TAIL: dict[str, str] = {
    "mean": "greater",
    "median": "greater",
    "hit_rate": "greater",
    # max drawdowns are <= 0: a less negative mean drawdown (a greater value) is better
    "mean_max_drawdown": "greater",
}
"""Which tail of the null is "better" for the events, per statistic; ``pvalue`` of a
``MonteCarloTest`` is the one-sided p-value in that tail."""


def check_count(name: str, value: object, minimum: int = 1) -> int:
    """A positive integer parameter, or ParameterError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def monte_carlo_pvalues(null: np.ndarray, observed: float) -> tuple[float, float, float, float, int]:
    """(p_greater, p_less, p_two_sided, percentile, B) of ``observed`` against ``null``.

    p_greater = (1 + #{null >= observed}) / (1 + B), p_less likewise with <=; two-sided =
    min(1, 2 * min(p_greater, p_less)). percentile = 100 * (#{null < obs} + #{null == obs} / 2)
    / B (mid-rank, so a discrete statistic like the hit rate sits in the middle of its
    ties). Non-finite null values are dropped (B counts the finite ones).

    Parameters
    ----------
    null : np.ndarray
        Simulated values of the statistic, one per draw or path (NaN allowed).
    observed : float
        The events' value of the statistic.

    Returns
    -------
    tuple[float, float, float, float, int]
        p_greater, p_less, p_two_sided, percentile (0-100) and B, the finite null values;
        NaN p-values and percentile when B is 0 or ``observed`` is not finite.
    """
    null = np.asarray(null, dtype=float)
    null = null[np.isfinite(null)]
    b = len(null)
    if b == 0 or not np.isfinite(observed):
        return np.nan, np.nan, np.nan, np.nan, b
    greater_equal = int(np.count_nonzero(null >= observed))
    less_equal = int(np.count_nonzero(null <= observed))
    equal = int(np.count_nonzero(null == observed))
    p_greater = (1 + greater_equal) / (1 + b)
    p_less = (1 + less_equal) / (1 + b)
    two_sided = min(1.0, 2.0 * min(p_greater, p_less))
    percentile = 100.0 * (less_equal - equal + 0.5 * equal) / b
    return p_greater, p_less, two_sided, percentile, b


@dataclass(frozen=True, eq=False)
class MonteCarloTest:
    """One statistic of the events against a simulated null distribution.

    Parameters
    ----------
    null_model : str
        Which null: "random_entry" or "bootstrap_paths".
    variant : str
        The null's variant (``VARIANTS`` for random entry).
    statistic_name : str
        One of ``NULL_STATISTICS`` (or ``PATH_STATISTICS``).
    statistic : float
        The observed value over the n events.
    n : int
        Events the statistic is computed over.
    better : str
        The tail that is better for the events, "greater" or "less" (``BETTER_TAIL``).
    pvalue : float
        One-sided in the ``better`` tail.
    pvalue_greater, pvalue_less, pvalue_two_sided : float
        As in ``monte_carlo_pvalues``.
    percentile : float
        Where the observed value sits in the null (0-100, mid-rank).
    n_null : int
        Finite null values.
    seed : int
        The sub-seed the null was drawn with.
    null : np.ndarray
        The simulated values (one per draw or path; NaN entries, e.g. paths without
        events, are excluded from n_null).
    """

    null_model: str
    variant: str
    statistic_name: str
    statistic: float
    n: int
    better: str
    pvalue: float
    pvalue_greater: float
    pvalue_less: float
    pvalue_two_sided: float
    percentile: float
    n_null: int
    seed: int
    null: np.ndarray = field(repr=False)

    @property
    def null_mean(self) -> float:
        finite = self.null[np.isfinite(self.null)]
        return float(finite.mean()) if len(finite) else np.nan

    @property
    def null_std(self) -> float:
        finite = self.null[np.isfinite(self.null)]
        return float(finite.std(ddof=1)) if len(finite) > 1 else np.nan

    def null_quantiles(self, quantiles: Sequence[float] = (0.05, 0.95)) -> np.ndarray:
        """Quantiles of the null (e.g. a 5-95% band for a histogram)."""
        finite = self.null[np.isfinite(self.null)]
        return np.quantile(finite, quantiles) if len(finite) else np.full(len(quantiles), np.nan)

    @property
    def pvalue_standard_error(self) -> float:
        """Monte Carlo standard error of ``pvalue``: sqrt(p (1 - p) / B)."""
        if not self.n_null:
            return np.nan
        return float(np.sqrt(self.pvalue * (1.0 - self.pvalue) / self.n_null))

    def to_dict(self) -> dict[str, object]:
        """Plain values (no null array); NaN stays NaN (``EventStatistics.to_dict`` maps it).

        Returns
        -------
        dict[str, object]
            Every field but ``null``, plus ``null_mean`` and ``null_std``.
        """
        return {
            "null_model": self.null_model,
            "variant": self.variant,
            "statistic_name": self.statistic_name,
            "statistic": float(self.statistic),
            "n": int(self.n),
            "better": self.better,
            "pvalue": float(self.pvalue),
            "pvalue_greater": float(self.pvalue_greater),
            "pvalue_less": float(self.pvalue_less),
            "pvalue_two_sided": float(self.pvalue_two_sided),
            "percentile": float(self.percentile),
            "n_null": int(self.n_null),
            "null_mean": self.null_mean,
            "null_std": self.null_std,
            "seed": int(self.seed),
        }


def monte_carlo_test(
    null: np.ndarray,
    observed: float,
    *,
    statistic_name: str,
    n: int,
    null_model: str,
    variant: str,
    seed: int,
) -> MonteCarloTest:
    """Wrap an observed value and its null draws into a ``MonteCarloTest``."""
    better = BETTER_TAIL.get(statistic_name, "greater")
    p_greater, p_less, two_sided, percentile, b = monte_carlo_pvalues(null, observed)
    return MonteCarloTest(
        null_model=null_model,
        variant=variant,
        statistic_name=statistic_name,
        statistic=float(observed),
        n=int(n),
        better=better,
        pvalue=p_greater if better == "greater" else p_less,
        pvalue_greater=p_greater,
        pvalue_less=p_less,
        pvalue_two_sided=two_sided,
        percentile=percentile,
        n_null=b,
        seed=seed,
        null=np.asarray(null, dtype=float),
    )


def observed_statistics(ret: np.ndarray, max_drawdown: np.ndarray) -> dict[str, float]:
    """The ``NULL_STATISTICS`` of the events, with the kernels' formulas (so ties are exact)."""
    ret = np.asarray(ret, dtype=float)
    k = len(ret)
    if k == 0:
        return dict.fromkeys(NULL_STATISTICS, np.nan)
    return {
        "mean": float(np.mean(ret)),
        "median": float(np.median(ret)),
        "hit_rate": float(np.count_nonzero(ret > 0.0) / k),
        "mean_max_drawdown": float(np.mean(max_drawdown)),
    }


@dataclass(frozen=True)
class SamplingPlan:
    """How one random-entry draw picks k days from the pool (indices into the pool arrays).

    Stratum s covers pool rows [start[s], start[s] + size[s]) and contributes count[s] picks;
    within a stratum picks are distinct and at least ``spacing`` rows apart (rows are
    consecutive trading days, so rows apart = trading days apart).
    """

    variant: str
    strata_start: np.ndarray
    strata_size: np.ndarray
    strata_count: np.ndarray
    spacing: int

    @property
    def k(self) -> int:
        return int(self.strata_count.sum())


def sampling_plan(pool_dates: pd.DatetimeIndex, event_pool_rows: np.ndarray, variant: str) -> SamplingPlan:
    """The ``SamplingPlan`` of ``variant`` for events at pool rows ``event_pool_rows``.

    plain: one stratum, the whole pool. spacing: the same, with spacing = the smallest gap
    (trading days) between two events (feasible: the events themselves satisfy it). era:
    one stratum per calendar year holding events, with as many picks as events that year.
    """
    rows = np.sort(np.asarray(event_pool_rows, dtype=np.int64))
    n_pool = len(pool_dates)
    k = len(rows)
    if k == 0:
        raise ParameterError("random-entry draws need at least one complete event")
    if rows[0] < 0 or rows[-1] >= n_pool:
        raise ParameterError("an event lies outside the pool of eligible days")
    one = np.array([0], dtype=np.int64)
    if variant == "plain":
        return SamplingPlan("plain", one, np.array([n_pool], dtype=np.int64), np.array([k], dtype=np.int64), 1)
    if variant == "spacing":
        spacing = int(np.diff(rows).min()) if k > 1 else 1
        return SamplingPlan("spacing", one, np.array([n_pool], dtype=np.int64), np.array([k], dtype=np.int64), spacing)
    if variant == "era":
        pool_years = np.asarray(pool_dates.year)
        event_years, counts = np.unique(pool_years[rows], return_counts=True)
        starts = np.searchsorted(pool_years, event_years, side="left")
        stops = np.searchsorted(pool_years, event_years, side="right")
        return SamplingPlan(
            "era", starts.astype(np.int64), (stops - starts).astype(np.int64), counts.astype(np.int64), 1
        )
    raise ParameterError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")


def random_entry_null(
    ret: np.ndarray, max_drawdown: np.ndarray, plan: SamplingPlan, *, n_draws: int, seed: int
) -> np.ndarray:
    """Null draws (n_draws, 4) of ``NULL_STATISTICS`` for pool values ``ret`` and
    ``max_drawdown`` under ``plan``; draw d depends only on (seed, d)."""
    n_draws = check_count("n_draws", n_draws)
    seed = check_seed(seed)
    ret = np.ascontiguousarray(ret, dtype=np.float64)
    max_drawdown = np.ascontiguousarray(max_drawdown, dtype=np.float64)
    if ret.shape != max_drawdown.shape or ret.ndim != 1:
        raise ParameterError("ret and max_drawdown must be 1-D arrays of the same length")
    if not (np.isfinite(ret).all() and np.isfinite(max_drawdown).all()):
        raise ParameterError("the pool holds NaN values: pass only eligible (complete) days")
    ends = plan.strata_start + plan.strata_size
    reduced = plan.strata_size - (plan.strata_count - 1) * max(plan.spacing - 1, 0)
    if (plan.strata_start < 0).any() or (ends > len(ret)).any() or (reduced < plan.strata_count).any():
        raise ParameterError(f"sampling plan {plan.variant!r} does not fit a pool of {len(ret)} days")
    return stats_nb.random_entry_null_stats(
        ret, max_drawdown, plan.strata_start, plan.strata_size, plan.strata_count, plan.spacing, n_draws, seed
    )


def random_entry_null_means(pool: np.ndarray, k: int, *, n_draws: int, seed: int) -> np.ndarray:
    """Typed wrapper of the shared kernel: the mean of k pool values drawn without replacement, per draw.

    See ``stats_nb.random_entry_null_means_nb``.

    Parameters
    ----------
    pool : np.ndarray
        One-dimensional finite values to draw from (e.g. the eligible days' returns).
    k : int
        Values per draw, 1 <= k <= len(pool).
    n_draws : int
        Draws (>= 1).
    seed : int
        Seed in [0, 2**63); draw d depends only on (seed, d).

    Returns
    -------
    np.ndarray
        float64[n_draws], the mean of each draw.

    Raises
    ------
    ParameterError
        A pool that is not 1-D and finite, ``k`` outside [1, len(pool)], a bad ``n_draws``
        or seed.
    """
    pool = np.ascontiguousarray(pool, dtype=np.float64)
    if pool.ndim != 1 or not np.isfinite(pool).all():
        raise ParameterError("pool must be a 1-D array of finite values")
    k = check_count("k", k)
    if k > len(pool):
        raise ParameterError(f"k must be at most the pool size {len(pool)}, got {k}")
    return stats_nb.random_entry_null_means_nb(pool, k, check_count("n_draws", n_draws), check_seed(seed))


@dataclass(frozen=True)
class EventPool:
    """The eligible days of one horizon and where the complete events sit among them."""

    label: str
    ret: np.ndarray = field(repr=False)
    max_drawdown: np.ndarray = field(repr=False)
    dates: pd.DatetimeIndex = field(repr=False)
    event_rows: np.ndarray
    event_ret: np.ndarray
    event_max_drawdown: np.ndarray


def event_pool(study: EventStudy, label: str, eligible: EligibleDays | None = None) -> EventPool:
    """Pool of eligible days for ``label`` and the complete events' rows in it."""
    eligible = eligible or eligible_days(study)
    pool = eligible.pool(label)
    events = study.complete(label)
    day_pos = pool["day_pos"].to_numpy(dtype=np.int64)
    rows = np.searchsorted(day_pos, events["event_pos"].to_numpy(dtype=np.int64))
    if len(rows) and (
        (rows >= len(day_pos)).any()
        or (day_pos[np.minimum(rows, len(day_pos) - 1)] != events["event_pos"].to_numpy()).any()
    ):
        raise ParameterError(
            f"some complete {label} events are not among the eligible days; were they detected with other rules?"
        )
    return EventPool(
        label=label,
        ret=pool[f"ret_{label}"].to_numpy(dtype=np.float64),
        max_drawdown=pool[f"max_drawdown_{label}"].to_numpy(dtype=np.float64),
        dates=pd.DatetimeIndex(pool["day_date"]),
        event_rows=rows,
        event_ret=events[f"ret_{label}"].to_numpy(dtype=np.float64),
        event_max_drawdown=events[f"max_drawdown_{label}"].to_numpy(dtype=np.float64),
    )


def _horizon_plans(
    study: EventStudy, labels: Sequence[str], variant: str, eligible: EligibleDays
) -> tuple[list[EventPool], dict[str, np.ndarray]]:
    """Pools of ``labels`` and the kernel arrays of ``random_entry_horizon_stats_nb``.

    Strata are those of the whole sample window (one for plain and spacing, every calendar
    year for era), whatever horizons are asked for, so a horizon's draws never depend on
    which other horizons run beside it. Draw ranges are the window's stratum sizes; horizon
    h's stratum s is its own ``sampling_plan`` stratum for that year (count 0 elsewhere).
    """
    window_dates = pd.DatetimeIndex(eligible.table["day_date"])
    pools = [event_pool(study, label, eligible) for label in labels]
    for pool in pools:
        if len(pool.event_rows) == 0:
            raise ParameterError(f"horizon {pool.label!r} has no complete event to test")
    plans = [sampling_plan(pool.dates, pool.event_rows, variant) for pool in pools]
    n_horizons = len(pools)
    if variant == "era":
        window_years = np.asarray(window_dates.year)
        years, draw_size = np.unique(window_years, return_counts=True)
        pool_years = [np.asarray(pool.dates.year)[plan.strata_start] for pool, plan in zip(pools, plans, strict=True)]
    else:
        years, draw_size = np.zeros(1, dtype=np.int64), np.array([len(window_dates)])
        pool_years = [np.zeros(1, dtype=np.int64) for _ in pools]
    n_strata = len(years)
    starts = np.zeros((n_horizons, n_strata), dtype=np.int64)
    sizes = np.zeros((n_horizons, n_strata), dtype=np.int64)
    counts = np.zeros((n_horizons, n_strata), dtype=np.int64)
    for h, plan in enumerate(plans):
        columns = np.searchsorted(years, pool_years[h])
        starts[h, columns] = plan.strata_start
        sizes[h, columns] = plan.strata_size
        counts[h, columns] = plan.strata_count
    spacing = np.array([plan.spacing for plan in plans], dtype=np.int64)
    if (sizes > draw_size[None, :]).any():
        raise ParameterError("a horizon's pool holds more days than the sample window")
    n_pool = max(len(pool.ret) for pool in pools)
    ret = np.zeros((n_pool, n_horizons))
    max_drawdown = np.zeros((n_pool, n_horizons))
    for h, pool in enumerate(pools):
        ret[: len(pool.ret), h] = pool.ret
        max_drawdown[: len(pool.ret), h] = pool.max_drawdown
        if not (np.isfinite(pool.ret).all() and np.isfinite(pool.max_drawdown).all()):
            raise ParameterError("the pool holds NaN values: pass only eligible (complete) days")
    return pools, {
        "ret": ret,
        "max_drawdown": max_drawdown,
        "draw_size": draw_size.astype(np.int64),
        "strata_start": starts,
        "strata_size": sizes,
        "strata_count": counts,
        "spacing": spacing,
    }


def random_entry_tests_by_horizon(
    study: EventStudy,
    labels: Sequence[str] | None = None,
    *,
    variant: Variant = "plain",
    n_draws: int = 100_000,
    seed: int = DEFAULT_SEED,
    eligible: EligibleDays | None = None,
) -> dict[str, dict[str, MonteCarloTest]]:
    """Random-entry Monte Carlo of every horizon in ``labels`` in one kernel pass, on common random numbers.

    Draw d of every horizon reads the same stream (sub-seed ``seed_from(seed,
    "random_entry", variant)``): horizons whose pools and event counts agree get the same
    entry sets, and nearly equal ones nearly the same (so differences between horizons are
    not Monte Carlo noise). Each horizon's draw is still uniform over its own pool, and it
    does not depend on which other horizons are evaluated with it.

    Parameters
    ----------
    study : EventStudy
        The events and the series they were detected on.
    labels : Sequence[str] or None, default None
        Horizon labels to test; None: every horizon of the study.
    variant : {"plain", "spacing", "era"}, default "plain"
        How random entry days are drawn (module docstring).
    n_draws : int, default 100000
        Random entry sets per horizon (>= 1).
    seed : int, default DEFAULT_SEED
        User seed in [0, 2**63); the draws use its sub-seed.
    eligible : EligibleDays or None, default None
        The study's eligible days when already measured; None measures them.

    Returns
    -------
    dict[str, dict[str, MonteCarloTest]]
        ``{label: {statistic: MonteCarloTest}}``, one test per statistic in ``NULL_STATISTICS``;
        {} when ``labels`` is empty.

    Raises
    ------
    ParameterError
        An unknown variant, a bad ``n_draws`` or seed, a horizon without a complete event,
        or a null too large for memory.
    """
    if variant not in VARIANTS:
        raise ParameterError(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    n_draws = check_count("n_draws", n_draws)
    seed = check_seed(seed)
    eligible = eligible or eligible_days(study)
    labels = tuple(h.label for h in study.horizons) if labels is None else tuple(labels)
    if not labels:
        return {}
    check_draws_memory(n_draws, len(labels))  # before the (horizons, n_draws, 4) null exists
    pools, arrays = _horizon_plans(study, labels, variant, eligible)
    sub_seed = seed_from(seed, "random_entry", variant)
    null = stats_nb.random_entry_horizon_stats(
        arrays["ret"],
        arrays["max_drawdown"],
        arrays["draw_size"],
        arrays["strata_start"],
        arrays["strata_size"],
        arrays["strata_count"],
        arrays["spacing"],
        n_draws,
        sub_seed,
    )
    results: dict[str, dict[str, MonteCarloTest]] = {}
    for h, pool in enumerate(pools):
        observed = observed_statistics(pool.event_ret, pool.event_max_drawdown)
        results[pool.label] = {
            name: monte_carlo_test(
                null[h, :, j],
                observed[name],
                statistic_name=name,
                n=len(pool.event_rows),
                null_model="random_entry",
                variant=variant,
                seed=sub_seed,
            )
            for j, name in enumerate(NULL_STATISTICS)
        }
    return results


def random_entry_tests(
    study: EventStudy,
    label: str,
    *,
    variant: Variant = "plain",
    n_draws: int = 100_000,
    seed: int = DEFAULT_SEED,
    eligible: EligibleDays | None = None,
) -> dict[str, MonteCarloTest]:
    """Random-entry Monte Carlo of horizon ``label``: one ``MonteCarloTest`` per statistic.

    The same draws as ``random_entry_tests_by_horizon`` gives it.

    Parameters
    ----------
    study : EventStudy
        The events and the series they were detected on.
    label : str
        The horizon's label.
    variant : {"plain", "spacing", "era"}, default "plain"
        How random entry days are drawn (module docstring).
    n_draws : int, default 100000
        Random entry sets (>= 1).
    seed : int, default DEFAULT_SEED
        User seed in [0, 2**63).
    eligible : EligibleDays or None, default None
        The study's eligible days when already measured; None measures them.

    Returns
    -------
    dict[str, MonteCarloTest]
        Statistic name (``NULL_STATISTICS``) -> its test.

    Raises
    ------
    ParameterError
        As ``random_entry_tests_by_horizon``.
    """
    return random_entry_tests_by_horizon(
        study, (label,), variant=variant, n_draws=n_draws, seed=seed, eligible=eligible
    )[label]


@dataclass(frozen=True, eq=False)
class PathBand:
    """Random-entry band of the mean event-aligned path (rebased to 100 at entry).

    Parameters
    ----------
    days : np.ndarray
        Trading days after entry, 0..length.
    quantiles : dict[float, np.ndarray]
        ``quantiles[q]`` holds, for each day 0..length, the q-quantile over ``n_draws`` random
        entry sets of the mean path of k entries (k = events with a complete ``length``-day
        window).
    event_mean : np.ndarray
        The same mean path over those events.
    k : int
        Events with a complete window, and entries per random set.
    n_draws : int
        Random entry sets.
    seed : int
        The sub-seed the sets were drawn with.
    """

    days: np.ndarray
    quantiles: dict[float, np.ndarray]
    event_mean: np.ndarray
    k: int
    n_draws: int
    seed: int

    def to_frame(self) -> pd.DataFrame:
        """One row per day: event_mean and one column per quantile.

        Returns
        -------
        pd.DataFrame
            Indexed by ``day``; columns ``event_mean`` and ``q05``, ``q50``, ``q95``... (levels
            rebased to 100 at entry).
        """
        columns: dict[str, np.ndarray] = {"event_mean": self.event_mean}
        for q, values in self.quantiles.items():
            columns[f"q{round(q * 100):02d}"] = values
        return pd.DataFrame(columns, index=pd.Index(self.days, name="day"))


def random_entry_band(
    study: EventStudy,
    *,
    length: int = 252,
    n_draws: int = 10_000,
    seed: int = DEFAULT_SEED,
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
) -> PathBand:
    """``PathBand`` from random draws of k entry days (without replacement).

    The days are drawn among those of the sample window whose ``length``-day window is complete; sub-seed
    ``seed_from(seed, "path_band", length)``. The events' own paths (one line each in the
    figure) come from ``backtest.events.paths.aligned_paths``.

    Parameters
    ----------
    study : EventStudy
        The events and the series they were detected on.
    length : int, default 252
        Trading days of the path after entry (>= 1).
    n_draws : int, default 10000
        Random entry sets (>= 1).
    seed : int, default DEFAULT_SEED
        User seed in [0, 2**63).
    quantiles : Sequence[float], default (0.05, 0.5, 0.95)
        Quantiles of the band, each in [0, 1].

    Returns
    -------
    PathBand
        The band's quantile paths and the events' mean path.

    Raises
    ------
    ParameterError
        Bad counts, seed or quantiles, no event with a complete window, or fewer eligible
        days than events.
    """
    length = check_count("length", length)
    n_draws = check_count("n_draws", n_draws)
    seed = check_seed(seed)
    qs = [float(q) for q in quantiles]
    if not all(0.0 <= q <= 1.0 for q in qs):
        raise ParameterError(f"quantiles must lie in [0, 1], got {list(quantiles)!r}")
    close = study.close.to_numpy(dtype=np.float64)
    n = len(close)
    first, last = detection_bounds(study.close.index, study.rules)
    lag = study.rules.entry_lag
    pool_start = first + lag
    pool_stop = min(last + lag, n - 1 - length)  # last entry with a full window
    pool_size = pool_stop - pool_start + 1
    entries = study.entry_pos
    complete = entries[entries + length <= n - 1]
    k = len(complete)
    if k == 0:
        raise ParameterError(f"no event has a complete {length}-day window")
    if pool_size < k:
        raise ParameterError(f"only {pool_size} days have a complete {length}-day window, fewer than k={k}")
    sub_seed = seed_from(seed, "path_band", length)
    means = stats_nb.random_entry_path_means(
        np.ascontiguousarray(close), pool_start, pool_size, k, length, n_draws, sub_seed
    )
    event_paths = aligned_paths(study.close, complete, days=length)
    return PathBand(
        days=np.arange(length + 1),
        quantiles={q: np.quantile(means, q, axis=0) for q in qs},
        event_mean=event_paths.to_numpy().mean(axis=1),
        k=k,
        n_draws=n_draws,
        seed=sub_seed,
    )
