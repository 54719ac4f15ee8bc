"""Pooled event studies streamed series by series: what each series adds to the pooled tests,
and the accumulators that add it up, so a universe of any size is never held at once.

A series' events depend on that series and the benchmark only (``backtest.stats.pooled``):
``series_contribution`` computes them from one series' returns and keeps what the pooled
tests need of them:

- per event, the rows of ``AbnormalReturns`` except the daily event-window ARs (CAR, BHAR,
  their standard errors, and the estimation residuals and CAR design that the Kolari-Pynnönen
  pair correlations and the generalized sign test read): events x (horizons + estimation
  window), however long the series;
- for the rank test, each event's centred ranks over its estimation and event windows, which
  depend on that event alone (``pooled.centred_ranks``);
- for the calendar-time portfolio, the series' ARs on the days it is in the portfolio at each
  horizon (``pooled.series_calendar_returns``), as (day, AR) pairs.

``PooledAccumulator.add`` folds contributions in series order: the rank rows into sums per
relative day, the calendar-time ARs into sums and counts per calendar day, and keeps the
per-event rows; then ``pooled_tests`` runs the same tests as ``pooled.pooled_tests`` on what
it holds. Each sum is built by the same additions in the same order as the in-memory path's
(numpy adds the rows of an axis-0 sum one after the other), so the results are equal to the
last bit, not only close, whether the series were computed here or on a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from backtest.errors import ParameterError
from backtest.stats.pooled import (
    _FITTED_PARAMETERS,
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_HORIZONS,
    DEFAULT_MIN_COMMON_DATES,
    DEFAULT_MIN_ESTIMATION_OBS,
    AbnormalReturns,
    PooledEventStudy,
    _complete,
    _n_series,
    abnormal_returns,
    average_residual_correlations,
    bmp_test,
    calendar_time_test_from_portfolio,
    centred_ranks,
    cross_sectional_t_test,
    generalized_sign_test,
    kolari_pynnonen_test,
    rank_test_from_sums,
    series_calendar_returns,
)
from backtest.stats.verdict import GAINS, check_claim


@dataclass(frozen=True)
class PooledSettings:
    """The abnormal-return model every series is measured with (``pooled.abnormal_returns``)."""

    model: str = "market"
    horizons: tuple[int, ...] = DEFAULT_HORIZONS
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW
    min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS
    compounding: str = "simple"

    def abnormal_returns(
        self, returns: object, benchmark: object, events: object, series_names: Sequence[str] | None = None
    ) -> AbnormalReturns:
        """``pooled.abnormal_returns`` with these settings."""
        return abnormal_returns(
            returns,
            benchmark,
            events,
            model=self.model,
            horizons=self.horizons,
            estimation_window=self.estimation_window,
            min_estimation_obs=self.min_estimation_obs,
            compounding=self.compounding,
            series_names=series_names,
        )


def calendar_returns(close: pd.Series, calendar: pd.DatetimeIndex) -> np.ndarray:
    """Simple daily returns of ``close`` on ``calendar``: close_t / close_{t-1} - 1 where the
    series has both calendar days, NaN elsewhere (days it lacks, its first day, days off
    the calendar dropped)."""
    on_calendar = close.reindex(calendar).to_numpy(dtype=np.float64)
    out = np.full(len(calendar), np.nan)
    out[1:] = on_calendar[1:] / on_calendar[:-1] - 1.0
    return out


def event_positions(dates: Iterable[object], calendar: pd.DatetimeIndex) -> np.ndarray:
    """Calendar positions of event ``dates``: a date off the calendar moves to the next
    calendar day (never earlier, so no entry precedes its signal); dates past the calendar's
    end are dropped."""
    index = pd.DatetimeIndex(list(dates) if not isinstance(dates, pd.DatetimeIndex) else dates)
    positions = calendar.searchsorted(index, side="left")
    return np.unique(positions[positions < len(calendar)].astype(np.int64))


@dataclass(frozen=True, eq=False)
class SeriesContribution:
    """What one series adds to the pooled tests (module docstring).

    ``events``: its events' ``AbnormalReturns`` without the daily ARs and the mean weights
    (``daily`` and ``mean_weights`` have no columns; the accumulator rebuilds the weights); ``complete``: bool (events x horizons), the window is complete at the horizon;
    ``ranks`` / ``rank_finite``: (events x relative days) centred ranks and where they exist;
    ``calendar``: per horizon, the calendar days the series is in the portfolio and its ARs
    there."""

    events: AbnormalReturns
    complete: np.ndarray = field(repr=False)
    ranks: np.ndarray = field(repr=False)
    rank_finite: np.ndarray = field(repr=False)
    calendar: tuple[tuple[np.ndarray, np.ndarray], ...] = field(repr=False)


def series_contribution(
    name: str,
    returns: np.ndarray,
    benchmark_returns: np.ndarray,
    events: np.ndarray,
    settings: PooledSettings | None = None,
) -> SeriesContribution:
    """One series' contribution to the pooled tests, from its daily returns and the
    benchmark's on the common calendar and its events' calendar positions."""
    settings = settings if settings is not None else PooledSettings()
    ar = settings.abnormal_returns(
        np.asarray(returns, dtype=np.float64), benchmark_returns, np.asarray(events, dtype=np.int64), [name]
    )
    complete = np.stack([_complete(ar, h)[1] for h in ar.horizons], axis=1)
    ranks, rank_finite = centred_ranks(ar.estimation_residuals, ar.daily)
    calendar = []
    for horizon in ar.horizons:
        series_ar = series_calendar_returns(ar.event_pos, ar.daily, horizon, ar.n_days)
        days = np.flatnonzero(np.isfinite(series_ar))
        calendar.append((days, series_ar[days]))
    # the mean weights are 1/T on the estimation dates used, which the residuals' finite
    # entries mark: rebuilt when the events are joined rather than kept per event
    return SeriesContribution(
        events=replace(ar, daily=np.zeros((ar.n_events, 0)), mean_weights=np.zeros((ar.n_events, 0))),
        complete=complete,
        ranks=ranks,
        rank_finite=rank_finite,
        calendar=tuple(calendar),
    )


class PooledAccumulator:
    """The pooled tests' state over a stream of series (module docstring): per-event rows,
    rank sums per relative day and calendar-time sums per calendar day, per horizon. Its size
    grows with the events, never with the series' lengths once they are added."""

    def __init__(self, settings: PooledSettings, n_days: int) -> None:
        self.settings = settings
        self.n_days = int(n_days)
        self.horizons = tuple(sorted(settings.horizons))
        width = settings.estimation_window[1] - settings.estimation_window[0] + 1
        n_h = len(self.horizons)
        self.estimation_width = width
        self.rank_sum = np.zeros((n_h, width + self.horizons[-1]))
        self.rank_count = np.zeros((n_h, width + self.horizons[-1]), dtype=np.int64)
        self.rank_events = np.zeros(n_h, dtype=np.int64)
        self.calendar_total = np.zeros((n_h, self.n_days))
        self.calendar_count = np.zeros((n_h, self.n_days), dtype=np.int64)
        self._parts: list[AbnormalReturns] = []

    @property
    def n_series(self) -> int:
        """Series added so far (with or without events)."""
        return sum(len(part.series_names) for part in self._parts)

    def add(self, contribution: SeriesContribution) -> None:
        """Fold in the next series (series order fixes the order of every sum)."""
        events = contribution.events
        if events.n_days != self.n_days or events.horizons != self.horizons:
            raise ParameterError("a series' contribution must share the accumulator's calendar and horizons")
        for j in range(len(self.horizons)):
            for e in np.flatnonzero(contribution.complete[:, j]):
                self.rank_sum[j] += contribution.ranks[e]
                self.rank_count[j] += contribution.rank_finite[e]
            self.rank_events[j] += int(contribution.complete[:, j].sum())
            days, values = contribution.calendar[j]
            self.calendar_total[j, days] += values
            self.calendar_count[j, days] += 1
        self._parts.append(events)

    def abnormal_returns(self) -> AbnormalReturns:
        """Every event's row so far (``daily`` without columns: the daily ARs live in the
        rank and calendar-time sums)."""
        if not self._parts:
            raise ParameterError("no series were added")
        joined = AbnormalReturns.concat(self._parts)
        self._parts = [joined]  # one copy of the events, not the parts and their join
        if _FITTED_PARAMETERS[joined.model] >= 1:  # as abnormal_returns builds them
            used = np.isfinite(joined.estimation_residuals)
            mean_weights = np.where(used, 1.0 / joined.n_estimation[:, None], 0.0)
        else:
            mean_weights = np.zeros(joined.estimation_residuals.shape)
        return replace(joined, mean_weights=mean_weights)

    def pooled_tests(
        self,
        *,
        claim: str = GAINS,
        min_common_dates: int = DEFAULT_MIN_COMMON_DATES,
        calendar_maxlags: int | None = None,
    ) -> PooledEventStudy:
        """``pooled.pooled_tests`` on the series added, from the accumulated state: the same
        tests, in the same order, with equal results."""
        check_claim(claim)
        ar = self.abnormal_returns()
        in_portfolio = ar.event_pos < ar.n_days - 1
        n_in_portfolio, n_series_in_portfolio = int(in_portfolio.sum()), _n_series(ar, in_portfolio)
        correlations = average_residual_correlations(ar, min_common_dates=min_common_dates)
        results = []
        for j, horizon in enumerate(ar.horizons):
            _, mask = _complete(ar, horizon)
            count = self.calendar_count[j]
            with np.errstate(invalid="ignore", divide="ignore"):
                portfolio = np.where(count > 0, self.calendar_total[j] / np.maximum(count, 1), np.nan)
            results += [
                cross_sectional_t_test(ar, horizon, claim=claim),
                bmp_test(ar, horizon, claim=claim),
                kolari_pynnonen_test(ar, horizon, claim=claim, correlation=correlations[horizon]),
                rank_test_from_sums(
                    self.rank_sum[j],
                    self.rank_count[j],
                    int(self.rank_events[j]),
                    _n_series(ar, mask),
                    horizon,
                    self.estimation_width,
                    claim=claim,
                ),
                generalized_sign_test(ar, horizon, claim=claim),
                calendar_time_test_from_portfolio(
                    portfolio,
                    count,
                    n_in_portfolio,
                    n_series_in_portfolio,
                    horizon,
                    claim=claim,
                    maxlags=calendar_maxlags,
                ),  # fmt: skip
            ]
        return PooledEventStudy(
            model=ar.model,
            claim=claim,
            horizons=ar.horizons,
            n_events=ar.n_events,
            n_series=_n_series(ar, np.ones(ar.n_events, dtype=bool)),
            n_dropped=ar.n_dropped,
            tests=tuple(results),
        )
