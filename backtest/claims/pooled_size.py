"""Size of every pooled test when the events are selected by the rule itself: panels of
correlated simulated prices with no signal, the rule's events detected on each simulated
series, abnormal returns by the claim's model, and every pooled test and the panel shift.

A golden cross follows a decline and a recovery, so an estimation window that overlaps the
days the rule reads (the default -250..-30 against a 200-day average) estimates a low alpha
or mean, and the event-window abnormal returns come out positive with no signal at all.
Simulating Gaussian abnormal returns at the real event dates cannot see this; simulating
prices and detecting the events on them can.

``simulated_pvalues(panel, settings, ...)``: every test's p-value on one simulated panel (the
same computations a pooled claim runs). ``pooled_size(...)``: the rejection rates over many
panels of the synthetic universe (``backtest.data.universe.SyntheticUniverse``), per model,
test and horizon, as a ``PooledSize``. ``bootstrap_panel(...)``: one simulated panel shaped like
a real one (its calendar, series lengths, betas and residuals), which a pooled claim's
calibration runs through ``simulated_pvalues``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.data.universe import SyntheticUniverse
from backtest.events import EventRules
from backtest.events.sources import MACross
from backtest.events.study import detect
from backtest.stats import DEFAULT_SEED, seed_from
from backtest.stats.pooled import (
    DEFAULT_ESTIMATION_WINDOW,
    DEFAULT_MIN_ESTIMATION_OBS,
    MODELS,
    POOLED_TESTS,
    abnormal_returns,
    daily_abnormal_returns,
    forward_sums,
    panel_shift_test,
    pooled_tests,
)
from backtest.stats.pooled_stream import PooledSettings, calendar_returns
from backtest.stats.verdict import DEFAULT_ALPHA, GAINS

PANEL_SHIFT = "panel_shift"
"""The primary test's name in a size table (``claims.pooled``'s ``[analysis] pooled_primary``)."""

SIZE_TESTS: tuple[str, ...] = (PANEL_SHIFT, *POOLED_TESTS)
"""The tests a size table holds: the panel shift, then every pooled test."""

USES_MARKET = ("market", "market_adjusted")


@dataclass(frozen=True, eq=False)
class SimulatedPanel:
    """One panel on one calendar: ``returns`` (days x series, simple, NaN where a series has
    no data), ``market`` (days, or None for the models without one) and ``events`` (one
    array of calendar positions per series)."""

    returns: np.ndarray = field(repr=False)
    market: np.ndarray | None = field(repr=False)
    events: tuple[np.ndarray, ...] = field(repr=False)

    @property
    def n_events(self) -> int:
        return int(sum(len(e) for e in self.events))


def golden_cross_rules(min_gap: int = 21) -> EventRules:
    """The gallery's rule: the 50-day simple average crossing above the 200-day one, a cross
    within ``min_gap`` trading days of the last one being the same signal."""
    return EventRules(source=MACross(50, 200, "sma", "golden"), min_gap=min_gap)


def detect_on_calendar(
    simulated_returns: np.ndarray, listed: np.ndarray, calendar: pd.DatetimeIndex, rules: EventRules
) -> tuple[np.ndarray, np.ndarray]:
    """(returns on the calendar, event positions on it) of one simulated series: its closes
    on the ``listed`` days (bool mask) compound ``simulated_returns`` there, the rule is run on
    them exactly as on a loaded series, and the returns are re-read from those closes."""
    days = np.flatnonzero(listed)
    steps = np.where(np.isfinite(simulated_returns[days]), simulated_returns[days], 0.0)
    steps[0] = 0.0  # a series' first day has no return
    close = pd.Series(100.0 * np.cumprod(1.0 + steps), index=calendar[days])
    detected = detect(close, rules)
    return calendar_returns(close, calendar), days[detected.event_pos].astype(np.int64)


def simulated_pvalues(
    panel: SimulatedPanel,
    settings: PooledSettings,
    horizons: Sequence[int],
    *,
    claim: str = GAINS,
    sample: tuple[int, int] | None = None,
    planted_effect: float | None = None,
) -> dict[tuple[str, int], float]:
    """Every test's one-sided p-value on ``panel`` at each of ``horizons`` (trading days):
    the pooled tests on the events' abnormal returns by ``settings``, and the panel shift on
    each day's forward abnormal return over the ``sample`` rows (first, last; default every
    row), as a pooled claim computes them. ``planted_effect``: also the panel shift's p with
    that mean abnormal return added after every event, keyed ("panel_shift_planted", h)."""
    n_days, n_series = panel.returns.shape
    first, last = sample if sample is not None else (0, n_days - 1)
    ar = abnormal_returns(
        panel.returns,
        panel.market if settings.model in USES_MARKET else None,
        list(panel.events),
        model=settings.model,
        horizons=tuple(horizons),
        estimation_window=settings.estimation_window,
        min_estimation_obs=settings.min_estimation_obs,
    )
    out: dict[tuple[str, int], float] = {}
    if ar.n_events:
        for result in pooled_tests(ar, claim=claim).tests:
            out[(result.test, result.horizon)] = result.pvalue
    market = panel.market if panel.market is not None else None
    daily = [daily_abnormal_returns(panel.returns[:, i], market, settings.model) for i in range(n_series)]
    kept = [events[(events >= first) & (events <= last)] - first for events in panel.events]
    for days in horizons:
        forward = np.column_stack([forward_sums(values, days)[first : last + 1] for values in daily])
        out[(PANEL_SHIFT, days)] = panel_shift_test(forward, kept, claim=claim).pvalue
        if planted_effect is not None:
            planted = forward.copy()
            for i, rows in enumerate(kept):
                planted[rows, i] += planted_effect
            out[("panel_shift_planted", days)] = panel_shift_test(planted, kept, claim=claim).pvalue
    return out


def rejection_rates(pvalues: Sequence[dict[tuple[str, int], float]], alpha: float) -> pd.DataFrame:
    """One row per (test, horizon_days) of ``pvalues`` (one mapping per panel): ``size``, the
    share of panels rejecting at ``alpha`` (a panel with no p-value counts as not rejecting),
    its binomial standard error at the nominal level, and ``holds_size``: at most alpha plus
    two such standard errors."""
    n = len(pvalues)
    keys = sorted({key for values in pvalues for key in values}, key=lambda k: (_test_order(k[0]), k[1]))
    rows = []
    for test, days in keys:
        rejected = sum(1 for values in pvalues if values.get((test, days), math.nan) < alpha)
        size = rejected / n if n else math.nan
        se = math.sqrt(alpha * (1 - alpha) / n) if n else math.nan
        rows.append(
            {
                "test": test,
                "horizon_days": int(days),
                "size": size,
                "standard_error": se,
                "holds_size": bool(size <= alpha + 2 * se),
            }
        )
    return pd.DataFrame(rows, columns=["test", "horizon_days", "size", "standard_error", "holds_size"])


def _test_order(test: str) -> int:
    return SIZE_TESTS.index(test) if test in SIZE_TESTS else len(SIZE_TESTS)


@dataclass(frozen=True)
class PooledSize:
    """Rejection rates of every pooled test under a no-signal null with the events selected
    by the rule (``pooled_size``): ``table`` one row per (model, test, horizon_days) with
    ``size``, ``standard_error`` and ``holds_size``; and the settings that produced it."""

    table: pd.DataFrame = field(repr=False)
    alpha: float
    n_panels: int
    n_series: int
    n_days: int
    estimation_window: tuple[int, int]
    seed: int
    mean_events: float

    def to_frame(self) -> pd.DataFrame:
        """The size table, long (one row per model, test and horizon)."""
        return self.table.copy()

    def summary(self) -> str:
        """Test x (model, horizon) sizes as a plain-text table."""
        wide = self.table.pivot_table(index="test", columns=["model", "horizon_days"], values="size")
        wide = wide.reindex([t for t in SIZE_TESTS if t in wide.index])
        head = (
            f"Size at alpha {self.alpha:g} of the pooled tests, golden crosses selected on simulated prices "
            f"({self.n_panels} panels of {self.n_series} series x {self.n_days} days, about "
            f"{self.mean_events:.0f} events each; estimation window {self.estimation_window[0]}.."
            f"{self.estimation_window[1]}; Monte Carlo SE {self.table['standard_error'].iloc[0]:.3f})"
        )
        return head + "\n" + wide.to_string(float_format=lambda v: f"{v:.3f}")


def pooled_size(
    *,
    n_panels: int = 200,
    n_series: int = 15,
    n_days: int = 5040,
    models: Sequence[str] = MODELS,
    horizons: Sequence[int] = (21, 63),
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
    min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS,
    rules: EventRules | None = None,
    alpha: float = DEFAULT_ALPHA,
    seed: int = DEFAULT_SEED,
) -> PooledSize:
    """Size of every pooled test and the panel shift under no signal, events selected by the
    rule on simulated prices.

    Panel k is ``SyntheticUniverse(n_series, n_days, seed_k)``: one-factor returns (market
    0.03 % a day, 1 % sd; betas 0.5..1.5; idiosyncratic 1.5 % sd; a fifth of the series
    listed late), so the series are correlated through the market and nothing predicts a
    return. ``rules`` (default ``golden_cross_rules()``) dates each series' events on its
    own simulated closes, and every model of ``models`` measures them.

    Parameters
    ----------
    n_panels, n_series, n_days : int
        Simulated panels, series per panel, trading days per series.
    models : sequence of str
        Abnormal-return models (``backtest.stats.pooled.MODELS``).
    horizons : sequence of int
        Event windows in trading days.
    estimation_window : (int, int)
        First and last estimation day relative to the event day.
    min_estimation_obs : int
        Fewest estimation returns an event needs.
    rules : EventRules, optional
        The event rule (default: golden crosses 50/200, 21-day minimum gap).
    alpha : float
        Level of every test.
    seed : int
        Panel k is drawn from ``seed_from(seed, "pooled_size", k)``: the same table every run.

    Returns
    -------
    PooledSize
    """
    n_panels = check_scalar(n_panels, "n_panels", int, min_val=1)
    rules = rules if rules is not None else golden_cross_rules()
    settings = {
        model: PooledSettings(
            model=model,
            horizons=tuple(horizons),
            estimation_window=estimation_window,
            min_estimation_obs=min_estimation_obs,
        )
        for model in models
    }
    by_model: dict[str, list[dict[tuple[str, int], float]]] = {model: [] for model in models}
    events = 0
    for k in range(n_panels):
        universe = SyntheticUniverse(n_series, n_days, seed_from(seed, "pooled_size", k))
        benchmark = universe.benchmark()
        calendar = pd.DatetimeIndex(benchmark.index)
        market = calendar_returns(benchmark, calendar)
        columns, positions = [], []
        for i in range(n_series):
            close = universe.close(i)
            returns = calendar_returns(close, calendar)
            found = detect(close, rules).event_pos
            columns.append(returns)
            positions.append(calendar.searchsorted(close.index[found]).astype(np.int64))
        panel = SimulatedPanel(np.column_stack(columns), market, tuple(positions))
        events += panel.n_events
        for model in models:
            by_model[model].append(simulated_pvalues(panel, settings[model], horizons))
    tables = [rejection_rates(by_model[model], alpha).assign(model=model) for model in models]
    table = pd.concat(tables, ignore_index=True)[
        ["model", "test", "horizon_days", "size", "standard_error", "holds_size"]
    ]
    return PooledSize(
        table=table,
        alpha=float(alpha),
        n_panels=n_panels,
        n_series=n_series,
        n_days=n_days,
        estimation_window=(int(estimation_window[0]), int(estimation_window[1])),
        seed=int(seed),
        mean_events=events / n_panels,
    )


def bootstrap_panel(
    returns: Sequence[np.ndarray],
    factor: np.ndarray,
    listed: Sequence[np.ndarray],
    calendar: pd.DatetimeIndex,
    rules: Sequence[EventRules],
    rng: np.random.Generator,
    *,
    market_is_factor: bool,
) -> SimulatedPanel:
    """A no-signal panel shaped like a real one: each day's factor return drawn with
    replacement from ``factor``'s finite days, and series i's return a_i + b_i f + e, its
    residual e drawn the same way from its own OLS residuals on ``factor`` (a_i, b_i, the
    residuals: ``returns[i]`` on the days both are finite). Every draw is of a day at random,
    so nothing predicts a later return; the series share the factor, so they keep their
    correlation, and each keeps its fat tails. Each series is listed on its real days
    (``listed[i]``), and ``rules[i]`` dates its events on its simulated closes. The market of
    the panel is the simulated factor when ``market_is_factor``, else None."""
    n_days = len(calendar)
    factor_days = np.flatnonzero(np.isfinite(factor))
    simulated_factor = factor[factor_days[rng.integers(0, len(factor_days), n_days)]]
    columns, positions = [], []
    for series_returns, series_listed, series_rules in zip(returns, listed, rules, strict=True):
        both = np.isfinite(series_returns) & np.isfinite(factor)
        x, y = factor[both], series_returns[both]
        if len(x) >= 3 and np.var(x) > 0:
            slope = float(np.cov(y, x)[0, 1] / np.var(x, ddof=1))
        else:
            slope = 0.0
        intercept = float(y.mean() - slope * x.mean()) if len(y) else 0.0
        residuals = y - intercept - slope * x if len(y) else np.zeros(1)
        drawn = residuals[rng.integers(0, len(residuals), n_days)]
        simulated = intercept + slope * simulated_factor + drawn
        series_on_calendar, events = detect_on_calendar(simulated, series_listed, calendar, series_rules)
        columns.append(series_on_calendar)
        positions.append(events)
    market = None
    if market_is_factor:
        market = simulated_factor.copy()
        market[0] = np.nan  # as the market's returns on the calendar: none on its first day
    return SimulatedPanel(np.column_stack(columns), market, tuple(positions))
