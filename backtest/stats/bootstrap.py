"""Bootstrapped-path null: would the same rule on resampled histories have done as well?

Input: an ``EventStudy``. Output: ``BootstrapPaths`` with one ``MonteCarloTest`` per horizon
and statistic. In the spirit of Brock, Lakonishok & LeBaron (1992, J. Finance 47(5)): the
daily log returns of the event period (the rules' start to end) are resampled with the
Politis & Romano (1994) stationary bootstrap, with a mean block per horizon
(``horizon_block_length``), price paths are rebuilt from the first price, the study's event
source is re-run on every path under the same timing rules and detection bounds, and the
events' EXCESS over the same path's all-days value is compared with the data's. A path keeps
the return distribution and the dependence within a block but not whatever link between past
trend and future return the rule might exploit; comparing each path with its own days keeps
the path's drift (which varies from path to path) out of the null.

The null only applies to a source that is a function of the price path alone (its
``price_only``) and to a study holding every event of its source: ``path_null_unavailable``
says why not otherwise, and the statistics then rest on the random-entry null.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from backtest.defaults import horizon_block_length
from backtest.errors import ParameterError
from backtest.events import EventRules, EventStudy
from backtest.events.rules import Horizon, horizon_offsets
from backtest.events.sources import MACross
from backtest.events.study import detect, detection_bounds, select_events
from backtest.signals import nb as signals_nb
from backtest.signals.moving_averages import close_array, direction_code, kind_code
from backtest.stats import nb as stats_nb
from backtest.stats._rng import DEFAULT_SEED, check_seed, seed_from
from backtest.stats.cost import check_paths_memory
from backtest.stats.montecarlo import (
    MonteCarloTest,
    check_count,
    monte_carlo_test,
)
from backtest.threads import run_in_threads

BENCH_MEAN_BLOCK = 20.0
"""Mean block of the index-generation benchmark only (``backtest bench montecarlo``); the
tests choose their block per horizon with ``horizon_block_length``."""


def log_returns(close: pd.Series) -> np.ndarray:
    """Daily log returns of a validated close series (length n - 1)."""
    return np.diff(np.log(close_array(close)))


def politis_white_block_length(close: pd.Series) -> float:
    """Politis-White automatic mean block length of the stationary bootstrap for the daily log returns of ``close``.

    ``arch.bootstrap.optimal_block_length``, at least 1.

    Parameters
    ----------
    close : pd.Series
        Closes on a sorted DatetimeIndex.

    Returns
    -------
    float
        The mean block length in trading days (>= 1).
    """
    from arch.bootstrap import optimal_block_length

    value = float(optimal_block_length(log_returns(close))["stationary"].iloc[0])
    return max(1.0, value)


def resolve_mean_block(
    mean_block: float | str | None, window_days: float, n_obs: int, close: pd.Series | None = None
) -> float:
    """The mean block of one horizon: None -> ``horizon_block_length(window_days, n_obs)``;
    "auto" -> the Politis-White value on ``close``'s returns, capped at the horizon's window
    (never longer than the dependence the statistic has by construction); a number >= 1."""
    if mean_block is None:
        return horizon_block_length(window_days, n_obs)
    if isinstance(mean_block, str):
        if mean_block == "auto" and close is not None:
            return min(politis_white_block_length(close), max(1.0, float(window_days)))
        raise ParameterError(f"mean_block must be a number >= 1, 'auto' or None, got {mean_block!r}")
    if isinstance(mean_block, bool) or not isinstance(mean_block, (int, float, np.integer, np.floating)):
        raise ParameterError(f"mean_block must be a number >= 1, 'auto' or None, got {mean_block!r}")
    if not np.isfinite(mean_block) or mean_block < 1:
        raise ParameterError(f"mean_block must be a number >= 1 (trading days), got {mean_block!r}")
    return float(mean_block)


def _check_block(n_obs: object, mean_block: object) -> tuple[int, float]:
    n_obs = check_count("n_obs", n_obs)
    if (
        isinstance(mean_block, bool)
        or not isinstance(mean_block, (int, float, np.integer, np.floating))
        or not (np.isfinite(mean_block) and mean_block >= 1)
    ):
        raise ParameterError(f"mean_block must be a number >= 1, got {mean_block!r}")
    return n_obs, float(mean_block)


def stationary_bootstrap_indices(n_obs: int, mean_block: float, seed: int, replication: int = 0) -> np.ndarray:
    """Indices of stationary-bootstrap replication ``replication``.

    The typed wrapper of the shared kernel ``stats_nb.stationary_bootstrap_indices_nb``.

    Parameters
    ----------
    n_obs : int
        Observations resampled (>= 1).
    mean_block : float
        Mean block length in observations (>= 1).
    seed : int
        Seed in [0, 2**63).
    replication : int, default 0
        Which replication (>= 0); replication b depends only on (seed, b).

    Returns
    -------
    np.ndarray
        int64[n_obs], positions into the resampled series.

    Raises
    ------
    ParameterError
        A bad ``n_obs``, ``mean_block``, seed or ``replication``.
    """
    n_obs, mean_block = _check_block(n_obs, mean_block)
    replication = check_count("replication", replication, minimum=0)
    return stats_nb.stationary_bootstrap_indices_nb(n_obs, mean_block, check_seed(seed), replication)


def stationary_bootstrap_index_matrix(n_obs: int, mean_block: float, seed: int, n_replications: int) -> np.ndarray:
    """Replications 0..n_replications-1 stacked (n_replications, n_obs), built in parallel.

    Row b equals ``stationary_bootstrap_indices(n_obs, mean_block, seed, b)``.

    Parameters
    ----------
    n_obs : int
        Observations resampled (>= 1).
    mean_block : float
        Mean block length in observations (>= 1).
    seed : int
        Seed in [0, 2**63).
    n_replications : int
        Replications (>= 1).

    Returns
    -------
    np.ndarray
        int64 array of shape (n_replications, n_obs).

    Raises
    ------
    ParameterError
        A bad ``n_obs``, ``mean_block``, seed or ``n_replications``.
    """
    n_obs, mean_block = _check_block(n_obs, mean_block)
    n_replications = check_count("n_replications", n_replications)
    return stats_nb.stationary_bootstrap_index_matrix_nb(n_obs, mean_block, check_seed(seed), n_replications)


PATH_STATISTICS: tuple[str, ...] = ("mean", "median", "hit_rate")
"""Statistics of the path null, each the events' value minus the same path's all-days value
(``path_excess_stats_nb``). The mean max drawdown is not tested on paths: the all-days
drawdown of every path would cost a window scan per day."""


@dataclass(frozen=True, eq=False)
class BootstrapPaths:
    """Bootstrapped-path tests of the events' EXCESS over the all-days value, per horizon and statistic.

    Parameters
    ----------
    tests : dict[str, dict[str, MonteCarloTest]]
        ``tests[label][statistic]`` is a ``MonteCarloTest`` of the events' EXCESS over the
        all-days value (statistic minus the series' all-days value; null: the same on each
        path, against that path's own days; NaN for a path without a complete event at that
        horizon).
    event_counts : np.ndarray
        Each path's complete events, int (paths x horizons).
    labels : tuple[str, ...]
        Horizon labels, in the order of ``event_counts``' columns.
    n_paths : int
        Bootstrapped paths.
    block_lengths : dict[str, float]
        ``block_lengths[label]`` is the horizon's mean block (trading days).
    seed : int
        The sub-seed of the paths.
    pool_start, pool_end : pd.Timestamp
        The dates of the first and last resampled daily return.
    """

    tests: dict[str, dict[str, MonteCarloTest]]
    event_counts: np.ndarray = field(repr=False)
    labels: tuple[str, ...]
    n_paths: int
    block_lengths: dict[str, float]
    seed: int
    pool_start: pd.Timestamp
    pool_end: pd.Timestamp

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per horizon x statistic.

        Returns
        -------
        pd.DataFrame
            Column ``horizon``, the ``MonteCarloTest.to_dict`` fields, ``mean_block`` (trading
            days) and ``mean_events_per_path``.
        """
        rows = []
        for j, label in enumerate(self.labels):
            counts = self.event_counts[:, j]
            for test in self.tests[label].values():
                row = {"horizon": label, **test.to_dict()}
                row["mean_block"] = self.block_lengths[label]
                row["mean_events_per_path"] = float(counts.mean()) if len(counts) else np.nan
                rows.append(row)
        return pd.DataFrame(rows)


def path_null_unavailable(study: EventStudy) -> str | None:
    """Why the bootstrapped-path null cannot be run for ``study`` (None: it can).

    The null re-runs the study's source on resampled price paths, so it needs a source that
    is a function of the price path alone (``price_only``), and a study holding every event
    its source defines (not a filtered ``subset``, not a hand-built table whose event positions
    differ from the source's): otherwise the paths would carry another rule's events.
    """
    source = study.rules.source
    if not source.price_only:
        return (
            f"the event source ({source.describe()}) reads data other than the price path; a resampled "
            "price path cannot re-run it, so the random-entry null carries the verdict"
        )
    if study.is_subset:
        return (
            f"the study holds a filtered subset of the events of {source.describe()}; the path null would "
            "re-run the unfiltered source"
        )
    # a table put together by hand under some rules is not the rules' event set: compare
    # positions, not counts, so that such a table never borrows another rule's null
    if not np.array_equal(
        study.table["event_pos"].to_numpy(dtype=np.int64), detect(study.close, study.rules).event_pos
    ):
        return f"the study's events are not the events {source.describe()} finds on its series (a hand-built table)"
    return None


def return_pool(close: pd.Series, rules: EventRules) -> tuple[int, int]:
    """(first, last) positions into ``log_returns(close)`` of the returns the paths resample:
    the daily returns dated inside the rules' detection window (the event period, e.g. 1985
    on), so that the paths' drift and volatility are those of the period the events come
    from, not of the warm-up years before it (1979-84 moved the null)."""
    first, last = detection_bounds(close.index, rules)
    # return i runs from day i to day i + 1 and is dated i + 1
    lo, hi = max(first, 1) - 1, min(last, len(close) - 1) - 1
    if hi < lo:
        raise ParameterError(f"the event period of {rules.describe()!r} holds no daily return to resample")
    return lo, hi


def bootstrap_path_stats(
    close: pd.Series,
    rules: EventRules,
    horizons: tuple[Horizon, ...],
    block_lengths: tuple[float, ...],
    seed: int,
    n_paths: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Excess statistics of the source's events on stationary-bootstrap price paths.

    For horizon j, path b is ``bootstrap_path_nb(first close, exp(pool), n - 1,
    block_lengths[j], seed, b)`` with ``pool`` the event period's daily log returns
    (``return_pool``): a whole path of the data's length and dates, warm-up
    included, drawn from the event period. Horizons with the same block share their paths.
    The source runs on each path (``signal_on_path``), the shared timing kernel selects the
    events with the detection bounds of ``close``'s dates, and ``path_excess_stats_nb``
    measures them against the path's own eligible days. Returns (stats (paths, horizons, 3)
    in ``PATH_STATISTICS`` order, counts (paths, horizons)).
    """
    source = rules.source
    if not source.price_only:
        raise ParameterError(f"the bootstrapped-path null needs a price-only source, got {source.describe()!r}")
    values = close_array(close)
    returns = np.diff(np.log(values))
    lo, hi = return_pool(close, rules)
    growth = np.exp(returns[lo : hi + 1])  # gross returns: a path is their running product
    first, last = detection_bounds(close.index, rules)
    offsets = horizon_offsets(close.index, np.arange(len(values), dtype=np.int64), horizons)
    columns = [np.ascontiguousarray(offsets[:, j]) for j in range(len(horizons))]
    stats = np.full((n_paths, len(horizons), len(PATH_STATISTICS)), np.nan)
    counts = np.zeros((n_paths, len(horizons)), dtype=np.int64)
    for block in sorted(set(block_lengths)):
        same = [j for j, b in enumerate(block_lengths) if b == block]
        if type(source) is MACross:
            # the same kernels fused into one call per thread over the paths
            block_stats = np.full((n_paths, len(same), len(PATH_STATISTICS)), np.nan)
            block_counts = np.zeros((n_paths, len(same)), dtype=np.int64)
            exponential = kind_code(source.ma) == signals_nb.EMA  # as average_kernel chooses
            kernel = stats_nb.ema_cross_path_stats_nb if exponential else stats_nb.sma_cross_path_stats_nb
            fill = partial(
                kernel,
                float(values[0]),
                growth,
                len(returns),
                float(block),
                seed,
                source.fast,
                source.slow,
                direction_code(source.direction),
                first,
                last,
                rules.confirm,
                rules.min_gap,
                rules.entry_lag,
                np.ascontiguousarray(offsets[:, same].T),
                block_stats,
                block_counts,
            )
            run_in_threads(n_paths, fill)  # fill(start, stop) writes paths start .. stop - 1
            stats[:, same] = block_stats
            counts[:, same] = block_counts
            continue
        for b in range(n_paths):
            path = stats_nb.bootstrap_path_nb(float(values[0]), growth, len(returns), float(block), seed, b)
            events, _ = select_events(source.signal_on_path(path), close.index, rules)
            for j in same:
                stats[b, j], counts[b, j] = stats_nb.path_excess_stats_nb(
                    path, events, rules.entry_lag, columns[j], first, last
                )
    return stats, counts


def typical_window_days(index: pd.DatetimeIndex, horizon: Horizon) -> float:
    """The horizon's window in trading days: its fixed days, or the median window of a
    calendar-month horizon over the entries that have one."""
    if horizon.days is not None:
        return float(horizon.days)
    offsets = horizon_offsets(index, np.arange(len(index), dtype=np.int64), (horizon,))[:, 0]
    inside = offsets[(offsets > 0) & (np.arange(len(index)) + offsets < len(index))]
    return float(np.median(inside)) if inside.size else 1.0


def bootstrap_path_tests(
    study: EventStudy,
    *,
    n_paths: int = 1_000,
    mean_block: float | str | None = None,
    seed: int = DEFAULT_SEED,
) -> BootstrapPaths:
    """Run the bootstrapped-path null for every horizon of ``study``.

    The statistic is the events' value minus the all-days value (the excess), on the data
    and on each path alike. mean_block: None -> ``horizon_block_length`` per horizon (the
    default, see there); "auto" -> Politis-White capped at the horizon; a number -> that
    block at every horizon. Paths use ``seed_from(seed, "bootstrap_paths")`` and replication
    b; each path keeps the dates of the data, so calendar-month horizons and the detection
    bounds mean the same positions as in the study.

    Parameters
    ----------
    study : EventStudy
        The events; its source must be price-only and its table every event of the source.
    n_paths : int, default 1000
        Bootstrapped paths (>= 1).
    mean_block : float or str or None, default None
        None -> ``horizon_block_length`` per horizon (the default, see there); "auto" ->
        Politis-White capped at the horizon; a number (trading days, >= 1) -> that block at
        every horizon.
    seed : int, default DEFAULT_SEED
        User seed in [0, 2**63).

    Returns
    -------
    BootstrapPaths
        One ``MonteCarloTest`` per horizon and statistic in ``PATH_STATISTICS``.

    Raises
    ------
    ParameterError
        The null does not apply (``path_null_unavailable``), a bad ``n_paths``, seed or
        ``mean_block``, or statistics too large for memory.
    """
    n_paths = check_count("n_paths", n_paths)
    seed = check_seed(seed)
    check_paths_memory(n_paths, len(study.horizons))  # before the (paths, horizons, 3) statistics exist
    reason = path_null_unavailable(study)
    if reason is not None:
        raise ParameterError(f"the bootstrapped-path null does not apply: {reason}")
    close = study.close
    lo, hi = return_pool(close, study.rules)
    n_pool = hi - lo + 1
    blocks = tuple(
        resolve_mean_block(mean_block, typical_window_days(close.index, h), n_pool, close) for h in study.horizons
    )
    sub_seed = seed_from(seed, "bootstrap_paths")
    stats, counts = bootstrap_path_stats(close, study.rules, study.horizons, blocks, sub_seed, n_paths)
    # the observed excess: the same kernel on the data with the study's own events
    values = close_array(close)
    first, last = detection_bounds(close.index, study.rules)
    offsets = horizon_offsets(close.index, np.arange(len(values), dtype=np.int64), study.horizons)
    # a writable copy: the kernel is compiled for the writable arrays it builds on the paths
    event_pos = np.array(study.table["event_pos"], dtype=np.int64)
    labels = tuple(h.label for h in study.horizons)
    tests: dict[str, dict[str, MonteCarloTest]] = {}
    for j, label in enumerate(labels):
        observed, n_events = stats_nb.path_excess_stats_nb(
            values, event_pos, study.rules.entry_lag, np.ascontiguousarray(offsets[:, j]), first, last
        )
        tests[label] = {
            name: monte_carlo_test(
                stats[:, j, s],
                float(observed[s]),
                statistic_name=name,
                n=int(n_events),
                null_model="bootstrap_paths",
                variant="stationary_excess",
                seed=sub_seed,
            )
            for s, name in enumerate(PATH_STATISTICS)
        }
    return BootstrapPaths(
        tests=tests,
        event_counts=counts,
        labels=labels,
        n_paths=n_paths,
        block_lengths=dict(zip(labels, blocks, strict=True)),
        seed=sub_seed,
        pool_start=close.index[lo + 1],
        pool_end=close.index[hi + 1],
    )
