"""Bootstrapped-path null: would the same rule on resampled histories have done as well?

Input: an ``EventStudy``. Output: ``BootstrapPaths`` with one ``MonteCarloTest`` per horizon
and statistic. In the spirit of Brock, Lakonishok & LeBaron (1992, J. Finance 47(5)): the
series' daily log returns are resampled with the Politis & Romano (1994) stationary
bootstrap, price paths are rebuilt from the first price, the study's event source is re-run
on every path under the same timing rules and detection bounds, and the events' statistics
are compared with the paths'. A path keeps the return distribution and short-range
dependence but not whatever link between past trend and future return the rule might exploit.

The null only applies to a source that is a function of the price path alone (its
``price_only``) and to a study holding every event of its source: ``path_null_unavailable``
says why not otherwise, and the statistics then rest on the random-entry null.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.errors import ParameterError
from backtest.events import EventRules, EventStudy
from backtest.events.rules import Horizon, horizon_offsets
from backtest.events.study import detect, select_events
from backtest.signals.moving_averages import close_array
from backtest.stats import nb as stats_nb
from backtest.stats._rng import DEFAULT_SEED, check_seed, seed_from
from backtest.stats.montecarlo import (
    NULL_STATISTICS,
    MonteCarloTest,
    check_count,
    monte_carlo_test,
    observed_statistics,
)

DEFAULT_MEAN_BLOCK = 20.0
"""Default mean block length of the stationary bootstrap, in trading days (about a month).

Why 20: the Politis & White (2004) / Patton, Politis & White (2009) automatic choice
(``arch.bootstrap.optimal_block_length``) on RU2000PR daily log returns 1979-2019 gives about
3 days, because returns are nearly uncorrelated; on squared returns it gives about 215, because
volatility clusters for months. 3-day blocks would erase the volatility clustering that
shapes drawdowns and whipsaws; 215-day blocks would replay the actual history in ~47 pieces,
the actual cross episodes included, and leave the null almost equal to the data. 20 days
keeps within-month dependence and most of the clustering while shuffling the 50/200-day
trend structure the rule reads. Pass ``mean_block="auto"`` for the Politis-White value on
returns, or any number >= 1.
"""


def log_returns(close: pd.Series) -> np.ndarray:
    """Daily log returns of a validated close series (length n - 1)."""
    return np.diff(np.log(close_array(close)))


def politis_white_block_length(close: pd.Series) -> float:
    """Politis-White automatic mean block length of the stationary bootstrap for the daily
    log returns of ``close`` (``arch.bootstrap.optimal_block_length``, at least 1)."""
    from arch.bootstrap import optimal_block_length

    value = float(optimal_block_length(log_returns(close))["stationary"].iloc[0])
    return max(1.0, value)


def resolve_mean_block(close: pd.Series, mean_block: float | str | None) -> float:
    """None -> ``DEFAULT_MEAN_BLOCK``; "auto" -> Politis-White on returns; a number >= 1."""
    if mean_block is None:
        return DEFAULT_MEAN_BLOCK
    if isinstance(mean_block, str):
        if mean_block == "auto":
            return politis_white_block_length(close)
        raise ParameterError(f"mean_block must be a number >= 1, 'auto' or None, got {mean_block!r}")
    if isinstance(mean_block, bool) or not isinstance(mean_block, (int, float, np.integer, np.floating)):
        raise ParameterError(f"mean_block must be a number >= 1, 'auto' or None, got {mean_block!r}")
    if not np.isfinite(mean_block) or mean_block < 1:
        raise ParameterError(f"mean_block must be a number >= 1 (trading days), got {mean_block!r}")
    return float(mean_block)


def _check_block(n_obs: object, mean_block: object) -> tuple[int, float]:
    n_obs = check_count("n_obs", n_obs)
    if isinstance(mean_block, bool) or not isinstance(mean_block, (int, float, np.integer, np.floating)) or not (
        np.isfinite(mean_block) and mean_block >= 1
    ):
        raise ParameterError(f"mean_block must be a number >= 1, got {mean_block!r}")
    return n_obs, float(mean_block)


def stationary_bootstrap_indices(n_obs: int, mean_block: float, seed: int, replication: int = 0) -> np.ndarray:
    """Indices (int64[n_obs]) of stationary-bootstrap replication ``replication``; the typed
    wrapper of the shared kernel ``stats_nb.stationary_bootstrap_indices_nb``."""
    n_obs, mean_block = _check_block(n_obs, mean_block)
    replication = check_count("replication", replication, minimum=0)
    return stats_nb.stationary_bootstrap_indices_nb(n_obs, mean_block, check_seed(seed), replication)


def stationary_bootstrap_index_matrix(n_obs: int, mean_block: float, seed: int, n_replications: int) -> np.ndarray:
    """Replications 0..n_replications-1 stacked (n_replications, n_obs), built in parallel."""
    n_obs, mean_block = _check_block(n_obs, mean_block)
    n_replications = check_count("n_replications", n_replications)
    return stats_nb.stationary_bootstrap_index_matrix_nb(n_obs, mean_block, check_seed(seed), n_replications)


@dataclass(frozen=True, eq=False)
class BootstrapPaths:
    """Bootstrapped-path tests: ``tests[label][statistic]`` is a ``MonteCarloTest`` whose null
    holds one value per path (NaN for a path without a complete event at that horizon);
    ``event_counts`` (paths x horizons) counts each path's complete events."""

    tests: dict[str, dict[str, MonteCarloTest]]
    event_counts: np.ndarray = field(repr=False)
    labels: tuple[str, ...]
    n_paths: int
    mean_block: float
    seed: int

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per horizon x statistic."""
        rows = []
        for j, label in enumerate(self.labels):
            counts = self.event_counts[:, j]
            for name, test in self.tests[label].items():
                row = {"horizon": label, **test.to_dict()}
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
    if not np.array_equal(study.table["event_pos"].to_numpy(dtype=np.int64), detect(study.close, study.rules).event_pos):
        return f"the study's events are not the events {source.describe()} finds on its series (a hand-built table)"
    return None


def bootstrap_path_stats(
    close: pd.Series,
    rules: EventRules,
    horizons: tuple[Horizon, ...],
    mean_block: float,
    seed: int,
    n_paths: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Statistics of the source's events on ``n_paths`` stationary-bootstrap price paths.

    Path b is ``rebuild_path_nb(first close, log returns, stationary_bootstrap_indices_nb(n - 1,
    mean_block, seed, b))``; the source runs on it (``signal_on_path``), the shared timing
    kernel selects its events with the detection bounds of ``close``'s dates, and
    ``path_event_stats_nb`` measures them. Returns (stats (paths, horizons, 4), counts (paths,
    horizons)) as ``path_event_stats_nb`` per path.
    """
    source = rules.source
    if not source.price_only:
        raise ParameterError(f"the bootstrapped-path null needs a price-only source, got {source.describe()!r}")
    values = close_array(close)
    log_returns = np.ascontiguousarray(np.diff(np.log(values)))
    offsets = np.ascontiguousarray(horizon_offsets(close.index, np.arange(len(values), dtype=np.int64), horizons))
    stats = np.full((n_paths, len(horizons), len(NULL_STATISTICS)), np.nan)
    counts = np.zeros((n_paths, len(horizons)), dtype=np.int64)
    for b in range(n_paths):
        indices = stats_nb.stationary_bootstrap_indices_nb(len(log_returns), mean_block, seed, b)
        path = stats_nb.rebuild_path_nb(float(values[0]), log_returns, indices)
        signal = source.signal_on_path(path)
        events, _ = select_events(signal, close.index, rules)
        stats[b], counts[b] = stats_nb.path_event_stats_nb(path, events, rules.entry_lag, offsets)
    return stats, counts


def bootstrap_path_tests(
    study: EventStudy,
    *,
    n_paths: int = 1_000,
    mean_block: float | str | None = None,
    seed: int = DEFAULT_SEED,
) -> BootstrapPaths:
    """Run the bootstrapped-path null for every horizon of ``study``.

    Path b uses ``stationary_bootstrap_indices_nb(n - 1, mean_block, seed_from(seed,
    "bootstrap_paths"), b)``; each path keeps the dates of the data, so calendar-month
    horizons and the detection bounds mean the same positions as in the study. A
    ParameterError when the null does not apply (``path_null_unavailable``).
    """
    n_paths = check_count("n_paths", n_paths)
    seed = check_seed(seed)
    reason = path_null_unavailable(study)
    if reason is not None:
        raise ParameterError(f"the bootstrapped-path null does not apply: {reason}")
    close = study.close
    block = resolve_mean_block(close, mean_block)
    sub_seed = seed_from(seed, "bootstrap_paths")
    stats, counts = bootstrap_path_stats(close, study.rules, study.horizons, block, sub_seed, n_paths)
    labels = tuple(h.label for h in study.horizons)
    tests: dict[str, dict[str, MonteCarloTest]] = {}
    for j, label in enumerate(labels):
        events = study.complete(label)
        observed = observed_statistics(
            events[f"ret_{label}"].to_numpy(dtype=float), events[f"max_drawdown_{label}"].to_numpy(dtype=float)
        )
        tests[label] = {
            name: monte_carlo_test(
                stats[:, j, s],
                observed[name],
                statistic_name=name,
                n=len(events),
                null_model="bootstrap_paths",
                variant="stationary",
                seed=sub_seed,
            )
            for s, name in enumerate(NULL_STATISTICS)
        }
    return BootstrapPaths(tests=tests, event_counts=counts, labels=labels, n_paths=n_paths, mean_block=block, seed=sub_seed)
