"""A pooled event study over a universe of series, streamed through an executor.

``run_pooled_universe(universe, ...)`` maps the per-series step
(``backtest.stats.pooled_stream.series_contribution``: load one series, date its events,
compute what it adds to the pooled tests) over the series in chunks, on any executor of
``backtest.sweep.executors`` (this process, or a Dask cluster), and folds the chunks' results
into a ``PooledAccumulator`` in series order as they arrive in order. At most the executor's
window of chunks is in flight, so memory holds a few chunks of series plus the accumulators,
whatever the universe's size; and the folding order never depends on the executor, so the
results are the same to the last bit in-process and on a cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.data.universe import Universe
from backtest.errors import ParameterError
from backtest.signals.moving_averages import crossovers, moving_average
from backtest.stats.pooled import PooledEventStudy
from backtest.stats.pooled_stream import (
    PooledAccumulator,
    PooledSettings,
    SeriesContribution,
    calendar_returns,
    event_positions,
    series_contribution,
)
from backtest.stats.verdict import GAINS, check_claim
from backtest.sweep.executors import LocalExecutor, SweepExecutor

DEFAULT_CHUNK_SIZE = 25
"""Series per task: large enough that a task outweighs its scheduling, small enough that a
few chunks in flight stay a few MB."""


@dataclass(frozen=True)
class CrossEvents:
    """The event rule of a universe study: the days the ``fast``-day simple moving average
    of a series' close crosses its ``slow``-day one in ``direction`` (a golden cross by
    default). Picklable, so workers date their own series' events."""

    fast: int = 50
    slow: int = 200
    direction: str = "golden"

    def __call__(self, close: pd.Series) -> pd.DatetimeIndex:
        flags = crossovers(moving_average(close, self.fast), moving_average(close, self.slow), self.direction)  # type: ignore[arg-type]
        return pd.DatetimeIndex(flags.index[flags.to_numpy()])


GOLDEN_CROSS = CrossEvents()
"""The default event rule: the 50/200-day golden cross."""

DEFAULT_SETTINGS = PooledSettings()
"""The default model: market model, the project's horizons and estimation window."""


@dataclass(frozen=True, eq=False)
class Calendar:
    """The calendar every series is measured on (the benchmark's dates) and the benchmark's
    returns on it: sent once to every worker (one object, so Dask scatters it whole)."""

    dates: pd.DatetimeIndex
    benchmark_returns: np.ndarray


@dataclass(frozen=True)
class PooledUniverseRun:
    """A pooled study over a universe: the tests, how many series and events, and where it ran."""

    study: PooledEventStudy
    n_series: int
    executor: dict[str, Any]
    stream_s: float = 0.0
    tests_s: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """The study and the run's counts and timings (stream: the per-series step and the
        folding; tests: the pooled tests on the accumulators, in this process)."""
        return {
            "n_series": self.n_series,
            "executor": self.executor,
            "stream_s": self.stream_s,
            "tests_s": self.tests_s,
            "study": self.study.to_dict(),
        }


def universe_chunk(
    universe: Universe,
    indices: tuple[int, ...],
    calendar: Calendar,
    event_rule: Callable[[pd.Series], pd.DatetimeIndex],
    settings: PooledSettings,
) -> list[SeriesContribution]:
    """The contributions of the series ``indices`` of ``universe``, each loaded, dated and
    measured alone (the task every executor runs)."""
    out = []
    for index in indices:
        close = universe.close(index)
        events = event_positions(event_rule(close), calendar.dates)
        returns = calendar_returns(close, calendar.dates)
        out.append(series_contribution(universe.names[index], returns, calendar.benchmark_returns, events, settings))
    return out


def run_pooled_universe(
    universe: Universe,
    *,
    event_rule: Callable[[pd.Series], pd.DatetimeIndex] = GOLDEN_CROSS,
    settings: PooledSettings = DEFAULT_SETTINGS,
    executor: SweepExecutor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    claim: str = GAINS,
    progress: Callable[[int, int], None] | None = None,
) -> PooledUniverseRun:
    """The pooled tests (``pooled.pooled_tests``) of ``event_rule``'s events over every series
    of ``universe``, streamed (module docstring).

    Parameters
    ----------
    universe : Universe
        The series and the benchmark (``backtest.data.universe``); the benchmark's dates are
        the calendar every series is measured on.
    event_rule : callable
        A series' closes -> its event dates (default: the 50/200-day golden cross).
    settings : PooledSettings
        The abnormal-return model, horizons and estimation window.
    executor : SweepExecutor, optional
        Where the chunks run (default: this process, one after the other).
    chunk_size : int
        Series per task.
    claim : {"gains", "losses"}
        Direction of the one-sided p-values.
    progress : callable, optional
        Called with (series done, series in all) after each chunk.

    Returns
    -------
    PooledUniverseRun
    """
    check_claim(claim)
    check_scalar(chunk_size, "chunk_size", int, min_val=1)
    names = universe.names
    if not names:
        raise ParameterError("the universe holds no series")
    benchmark = universe.benchmark()
    calendar = pd.DatetimeIndex(benchmark.index)
    run_on = executor if executor is not None else LocalExecutor()
    shared_calendar = run_on.share(Calendar(calendar, calendar_returns(benchmark, calendar)))
    shared_universe = run_on.share(universe)
    chunks = [tuple(range(start, min(start + chunk_size, len(names)))) for start in range(0, len(names), chunk_size)]
    accumulator = PooledAccumulator(settings, len(calendar))
    done = 0
    start = time.perf_counter()
    try:
        tasks = ((shared_universe, chunk, shared_calendar, event_rule, settings) for chunk in chunks)
        for contributions in run_on.map(universe_chunk, tasks):
            for contribution in contributions:
                accumulator.add(contribution)
            done += len(contributions)
            if progress is not None:
                progress(done, len(names))
    finally:
        run_on.release([shared_calendar, shared_universe])
    streamed = time.perf_counter()
    study = accumulator.pooled_tests(claim=claim)
    return PooledUniverseRun(
        study=study,
        n_series=accumulator.n_series,
        executor=run_on.describe(),
        stream_s=streamed - start,
        tests_s=time.perf_counter() - streamed,
    )
