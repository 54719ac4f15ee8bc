"""Simulated power of the primary test: the drift a real post-event effect would need to be found.

Input: an ``EventStudy`` (its series, rules and horizons), the judged horizons and the claim's
direction. Output: ``SimulatedPower``: the power curve (planted drift -> rejection rate of the
primary test, with its Monte Carlo standard error), the smallest drift found with 80% power
(interpolated, with the bracket it lies in and its Monte Carlo error) and, beside it, the
joint test's formula MDE in the same units.

Why a simulation. The formula MDE of ``backtest.stats.joint`` plants the effect in the
events' own measured returns only: the all-days baseline and the shifted sets stay as they
were. A real post-event drift moves the price path: part of it leaks into the all-days
baseline (the drifted days are days too) and into the shifted sets that overlap the events'
windows, and for a rule read off the price path (a moving-average cross) it changes which
events fire. Here the drift is planted in the price path and everything is recomputed as a
real analysis would, so the answer is the power a real effect would have.

Method, replication b (the same paths for every drift: common random numbers):

1. a null path: the stationary bootstrap (Politis & Romano 1994, JASA 89(428)) of the
   series' daily log returns dated in the event period (``bootstrap.return_pool``), a whole
   path of the data's length on the data's calendar, from ``seed_from(seed, "power",
   "paths")`` and replication b; one mean block for the whole path, the rule of
   ``horizon_block_length`` at the LONGEST judged horizon, so that every judged horizon's
   h-day sums keep their dependence (``bootstrap.resolve_mean_block``: "auto" and numbers too);
2. its events: a price-only source is run on the null path (``signal_on_path``,
   ``select_events``); an exogenous source (dates, another series) or a filtered subset keeps
   the study's event dates (``bootstrap.path_null_unavailable`` says why);
3. the effect: a drift of total delta (a simple return; negative for a "losses" claim) is
   spread evenly in log terms over the W trading days after each event's entry, W the
   shortest judged horizon: log(1 + delta) / W is added to the daily log return of each of
   those days, once for a day inside two events' windows. Every judged window then gains
   about delta: the same effect at every horizon, which is what the joint test's formula MDE
   assumes;
4. a price-only source's events are RE-DETECTED on the drifted path (the drift can add,
   remove or move events);
5. the primary test runs from scratch on the drifted path (default: the joint circular-shift
   test, ``joint_shift_primary``: the all-days baseline of the drifted path, the events'
   forward returns and ``joint_shift_test``'s null). A path on which it cannot run (no
   complete event at some judged horizon) counts as not rejected: a real analysis would have
   no "supported" there. Rejected: p < alpha, the verdict's rule.

The drift with the target power is located on a coarse grid (multiples of the formula MDE,
or of a plain-mean MDE when the primary test is another), refined by bisection and read off
the isotonic (monotone) fit of the power curve by linear interpolation between the two
evaluated drifts around it (the bracket). Its Monte Carlo standard error is the spread of the
same reading over the paths resampled with replacement.

Computing it (the same decisions as the plain per-path pipeline, bit for bit: the reference
tests). The paths run in threads, each path for every drift of a round at once (its null
returns drawn once, its events at zero drift found first); a path's closes are its log path
(``stats.nb.drifted_log_path_nb``) through numpy's exp, its events the source's signal
through the timing kernel, and the default test one kernel over the forward returns
(``stats.nb.joint_shift_pvalue_nb``: every circular shift's statistic in float32 with a
rigorous error bound, the few within it of the events' statistic recomputed exactly), which
stops as soon as p >= alpha is certain, since only p < alpha is counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.special

from backtest.checks import check_scalar
from backtest.errors import InsufficientDataError, ParameterError
from backtest.events import EventRules, EventStudy, MACross
from backtest.events import nb as events_nb
from backtest.events.rules import Horizon, horizon_offsets
from backtest.events.study import detection_bounds
from backtest.signals import nb as signals_nb
from backtest.signals.moving_averages import close_array, direction_code, kind_code
from backtest.stats import nb as stats_nb
from backtest.stats._rng import DEFAULT_SEED, check_seed, seed_from
from backtest.stats.baseline import eligible_days, unconditional_baseline
from backtest.stats.bootstrap import path_null_unavailable, resolve_mean_block, return_pool, typical_window_days
from backtest.stats.distributions import binomial_ppf
from backtest.stats.joint import study_joint_shift_test
from backtest.stats.montecarlo import check_count
from backtest.stats.verdict import DEFAULT_ALPHA, GAINS, MIN_EVENTS, check_claim
from backtest.threads import run_in_threads

DEFAULT_POWER_PATHS = 200
"""Bootstrap paths per drift: a Monte Carlo SE of 2.8 points at 80% power, about 0.3 pp on
the headline's 80% drift (``SimulatedPower`` states the error); under a second per claim."""
DEFAULT_TARGET_POWER = 0.80
"""The power the detectable drift is read at (the formula MDE's 80%)."""
DEFAULT_GRID: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
"""The coarse grid, in multiples of the scale (the formula MDE when known); doubled at the
top while the target power is not reached, up to ``MAX_DRIFT``."""
DEFAULT_BISECTION_STEPS = 3
"""Bisections of the bracket after the grid (each halves it: an eighth of a grid step)."""
MAX_DRIFT = {"gains": 2.0, "losses": 0.9}
"""Largest planted drift magnitude (a simple return); a loss cannot reach -100%."""
_MC_RESAMPLES = 200  # path resamples behind the detectable drift's Monte Carlo SE
_ALTERNATIVE = {"gains": "greater", "losses": "less"}


@dataclass(frozen=True, eq=False)
class PathSample:
    """One simulated history handed to a primary test.

    Parameters
    ----------
    close : np.ndarray
        The drifted price path (float64, one value per day of ``index``, the data's calendar).
    index : pd.DatetimeIndex
        The data's dates.
    event_pos : np.ndarray
        Its events' positions (entry at event + ``rules.entry_lag``).
    rules : EventRules
        The study's timing rules (detection window: the sample window of the baseline).
    horizons : tuple[Horizon, ...]
        The judged horizons.
    offsets : np.ndarray
        (days x judged horizons) window length of an entry at each position
        (``horizon_offsets`` on ``index``, the same on every path).
    alternative : str
        "greater" (gains) or "less" (losses).
    alpha : float
        The level.
    sample_window : tuple[int, int] or None, default None
        The rules' (first, last) detection bounds on ``index`` when the caller knows them
        (computed otherwise).
    """

    close: np.ndarray = field(repr=False)
    index: pd.DatetimeIndex = field(repr=False)
    event_pos: np.ndarray
    rules: EventRules
    horizons: tuple[Horizon, ...]
    offsets: np.ndarray = field(repr=False)
    alternative: str
    alpha: float
    sample_window: tuple[int, int] | None = field(default=None, repr=False)

    def as_series(self) -> pd.Series:
        """The path as a close Series on the data's dates (for tests that want pandas)."""
        return pd.Series(self.close, index=self.index, name="simulated")

    @cached_property
    def window(self) -> tuple[int, int]:
        """First and last day of the sample window (the rules' detection bounds)."""
        return self.sample_window if self.sample_window is not None else detection_bounds(self.index, self.rules)

    @property
    def first_pos(self) -> int:
        """First day of the sample window."""
        return self.window[0]

    @cached_property
    def forward_returns(self) -> np.ndarray:
        """(days x judged horizons) forward return of every day of the sample window entered
        as an event would be, NaN where the window is incomplete: the eligible days of
        ``backtest.stats.baseline.eligible_days``, measured as ``events.nb`` measures them
        (close at the window's end / entry close - 1; ``stats.nb.path_forward_returns_nb``,
        whose horizons x days array this is the transpose of)."""
        first, last = self.window
        # the kernel reads each horizon's window lengths as one contiguous row (no copy when
        # offsets is the transpose of a C-contiguous array, as the simulation passes it)
        by_horizon = np.ascontiguousarray(self.offsets.T)
        return stats_nb.path_forward_returns_nb(self.close, by_horizon, first, last, self.rules.entry_lag).T


PathPrimaryTest = Callable[[PathSample], float]
"""A primary test on one simulated history: its one-sided p-value in the claim's direction
(NaN when it cannot run, which counts as not rejected). Another test than the default joint
one (say a calendar claim's year-level paired test) is passed as a function of the
``PathSample``, e.g. ``lambda sample: paired_test(sample.as_series(), sample.event_pos).pvalue``."""


def joint_shift_primary(sample: PathSample, *, decide_at: float | None = None) -> float:
    """The default primary test: the p-value of ``joint_shift_test`` over the judged horizons
    on the path, exactly as ``analyze_events`` runs it on data (baseline mean and sd of the
    path's own eligible days, ddof 1; the events' rows in them), from one kernel
    (``stats.nb.joint_shift_pvalue_nb``, bit for bit the same p); NaN when fewer than
    ``MIN_EVENTS`` windows are complete at some judged horizon (as on data, not testable).
    decide_at: a level (the simulation passes alpha): once p >= decide_at is certain the
    test stops early and returns a value >= decide_at instead of p (whether p < decide_at
    is then exact, p itself is not); None: p."""
    rows = np.asarray(sample.event_pos, dtype=np.int64) - sample.first_pos
    sign = 1.0 if sample.alternative == "greater" else -1.0
    level = 2.0 if decide_at is None else float(decide_at)
    return float(stats_nb.joint_shift_pvalue_nb(sample.forward_returns.T, rows, sign, MIN_EVENTS, level))


def year_paired_primary(sample: PathSample) -> float:
    """The primary test of a calendar claim on the path: the p-value of
    ``backtest.stats.calendar.year_paired_test`` of the events' windows at the (first)
    judged horizon; NaN when fewer than ``MIN_EVENTS`` years can be paired, as on data.

    Only the p-value is computed, in the test's own order of operations (the same float,
    the reference test): the years whose window ends before the next event (the last one
    has no next event), each year's window log return minus the window's share of the rest
    of its year, and the one-sample t-test of these differences (``calendar.paired_t``,
    whose t tail is ``scipy.special.stdtr``); the test's tables and sign test, a
    millisecond per path, are left out."""
    n_closes = len(sample.close)
    entries = np.asarray(sample.event_pos, dtype=np.int64) + sample.rules.entry_lag
    entries = entries[entries < n_closes]
    windows = sample.offsets[entries, 0] if len(entries) else np.empty(0, dtype=np.int64)
    complete = (windows > 0) & (entries + windows < n_closes)
    entries, windows = entries[complete], windows[complete]
    kept = np.flatnonzero(entries[:-1] + windows[:-1] < entries[1:])
    n = len(kept)
    if n < MIN_EVENTS:
        return float("nan")
    start, h, following = entries[kept], windows[kept], entries[kept + 1]
    log_start, log_end, log_following = np.log(sample.close[[start, start + h, following]])
    window_returns = log_end - log_start
    rest_means = (log_following - log_end) / (following - start - h)
    differences = window_returns - h * rest_means
    if not np.ptp(differences) > 0.0:
        return float("nan")
    statistic = float(differences.mean() / float(differences.std(ddof=1) / math.sqrt(n)))
    tail = -statistic if sample.alternative == "greater" else statistic
    return float(scipy.special.stdtr(n - 1, tail))


@dataclass(frozen=True, eq=False)
class SimulatedPower:
    """The simulated power of a primary test against a drift planted in the price path (module docstring).

    Built by ``simulated_detectable_effect``; the property ``size`` is the rejection rate at
    drift 0 (the test's size on the bootstrap paths).

    Parameters
    ----------
    drifts : tuple[float, ...]
        The power curve's evaluated drifts (signed simple returns: negative for a "losses"
        claim; sorted by size).
    power : tuple[float, ...]
        Rejection rate over the paths, per drift.
    mc_standard_error : tuple[float, ...]
        That rate's binomial Monte Carlo SE, per drift.
    mean_events : tuple[float, ...]
        Per drift, the mean number of events per path.
    share_untestable : tuple[float, ...]
        Per drift, the share of paths on which the test could not run.
    target_power : float
        The power sought, as a fraction.
    detectable_drift : float
        The smallest drift found with ``target_power`` (interpolated; NaN when not reached
        up to ``MAX_DRIFT``).
    bracket : tuple[float, float]
        The evaluated drifts around it.
    detectable_drift_se : float
        Its Monte Carlo SE (paths resampled).
    formula_mde : float or None
        The joint test's formula MDE in the same units (the added return at every judged
        horizon that the formula finds with 80% power, H / sum_h 1 / mde_h; None when the
        primary test is not the joint one).
    formula_mde_by_horizon : dict[str, float] or None
        The formula's per-horizon MDEs as reported.
    claim : str
        "gains" or "losses".
    alpha : float
        Significance level of the primary test.
    horizons : tuple[str, ...]
        The judged horizons.
    drift_days : int
        The trading days each event's drift is spread over (the shortest judged horizon).
    events : str
        "re-detected on every path" or "at the study's dates".
    notes : tuple[str, ...]
        What a reader must know (why the dates are kept; a rejection rate at zero drift
        outside the binomial 99% band of alpha).
    primary_test : str
        Name of the primary test.
    n_paths : int
        Bootstrap paths, the same for every drift.
    mean_block : float
        Mean block of the stationary bootstrap, in trading days.
    seed : int
        The user seed.
    path_seed : int
        The paths' sub-seed.
    grid : tuple[float, ...]
        The coarse grid of drift sizes.
    bisection_steps : int
        Bisections of the bracket after the grid.
    pool_start, pool_end : pd.Timestamp
        Dates of the first and last resampled daily return.
    rejections : np.ndarray
        (paths x drifts) booleans behind the curve.
    """

    drifts: tuple[float, ...]
    power: tuple[float, ...]
    mc_standard_error: tuple[float, ...]
    mean_events: tuple[float, ...]
    share_untestable: tuple[float, ...]
    target_power: float
    detectable_drift: float
    bracket: tuple[float, float]
    detectable_drift_se: float
    formula_mde: float | None
    formula_mde_by_horizon: dict[str, float] | None
    claim: str
    alpha: float
    horizons: tuple[str, ...]
    drift_days: int
    events: str
    notes: tuple[str, ...]
    primary_test: str
    n_paths: int
    mean_block: float
    seed: int
    path_seed: int
    grid: tuple[float, ...]
    bisection_steps: int
    pool_start: pd.Timestamp
    pool_end: pd.Timestamp
    rejections: np.ndarray = field(repr=False)

    @property
    def size(self) -> float:
        """The rejection rate at drift 0 (the test's size on the bootstrap paths)."""
        return self.power[self.drifts.index(0.0)] if 0.0 in self.drifts else float("nan")

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per evaluated drift.

        Returns
        -------
        pd.DataFrame
            Columns drift, power, mc_standard_error, mean_events, share_untestable, n_paths.
        """
        return pd.DataFrame(
            {
                "drift": self.drifts,
                "power": self.power,
                "mc_standard_error": self.mc_standard_error,
                "mean_events": self.mean_events,
                "share_untestable": self.share_untestable,
                "n_paths": self.n_paths,
            }
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the result and every parameter that produced it.

        Returns
        -------
        dict[str, object]
            The method, the result (detectable drift, bracket, formula MDE, size, notes), the
            curve as a list of points and ``parameters``; NaN becomes None.
        """

        def number(value: float | None) -> float | None:
            return None if value is None or not math.isfinite(value) else float(value)

        return {
            "method": "drift planted in stationary-bootstrap price paths, events "
            + ("re-detected" if self.events == "re-detected on every path" else "kept at the study's dates")
            + ", primary test rerun",
            "primary_test": self.primary_test,
            "claim": self.claim,
            "alpha": self.alpha,
            "horizons": list(self.horizons),
            "target_power": self.target_power,
            "detectable_drift": number(self.detectable_drift),
            "bracket": [number(self.bracket[0]), number(self.bracket[1])],
            "detectable_drift_se": number(self.detectable_drift_se),
            "formula_mde": number(self.formula_mde),
            "formula_mde_by_horizon": None
            if self.formula_mde_by_horizon is None
            else {label: float(v) for label, v in self.formula_mde_by_horizon.items()},
            "size": number(self.size),
            "notes": list(self.notes),
            "curve": [
                {
                    "drift": float(d),
                    "power": float(p),
                    "mc_standard_error": float(se),
                    "mean_events": float(m),
                    "share_untestable": float(u),
                }
                for d, p, se, m, u in zip(
                    self.drifts,
                    self.power,
                    self.mc_standard_error,
                    self.mean_events,
                    self.share_untestable,
                    strict=True,
                )
            ],
            "parameters": {
                "n_paths": self.n_paths,
                "seed": self.seed,
                "path_seed": self.path_seed,
                "mean_block": self.mean_block,
                "drift_days": self.drift_days,
                "events": self.events,
                "grid": [float(g) for g in self.grid],
                "bisection_steps": self.bisection_steps,
                "pool_start": self.pool_start.date().isoformat(),
                "pool_end": self.pool_end.date().isoformat(),
            },
        }

    def summary(self) -> str:
        """Plain-text table: the curve, the detectable drift and the formula beside it.

        Returns
        -------
        str
            The setting, one line per drift (power, MC SE, events, untestable share), the
            detectable drift and the notes.
        """
        lines = [
            f"Simulated power of {self.primary_test} ({self.claim}, {', '.join(self.horizons)}; alpha {self.alpha:g}): "
            f"drift planted over the {self.drift_days} trading days after each entry, events {self.events}",
            f"{self.n_paths} stationary-bootstrap paths (mean block {self.mean_block:g} days, returns "
            f"{self.pool_start.date()} to {self.pool_end.date()}), seed {self.seed}",
            "",
            f"{'drift':>8} {'power':>7} {'MC SE':>7} {'events':>7} {'untestable':>10}",
        ]
        for d, p, se, m, u in zip(
            self.drifts, self.power, self.mc_standard_error, self.mean_events, self.share_untestable, strict=True
        ):
            lines.append(f"{d:>+8.2%} {p:>7.1%} {se:>7.1%} {m:>7.1f} {u:>10.1%}")
        lines.append("")
        if math.isfinite(self.detectable_drift):
            lines.append(
                f"{self.target_power:.0%} power at a drift of {self.detectable_drift:+.2%} "
                f"(Monte Carlo SE {self.detectable_drift_se:.2%}; between {self.bracket[0]:+.2%} and {self.bracket[1]:+.2%})"
            )
        else:
            lines.append(f"{self.target_power:.0%} power not reached up to a drift of {self.bracket[0]:+.2%}")
        if self.formula_mde is not None:
            lines.append(
                f"formula MDE of the joint test, the same added return at every horizon: {self.formula_mde:+.2%}"
            )
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


def formula_drift_mde(mde_by_horizon: Sequence[float]) -> float:
    """The joint test's formula MDE as one added return at every horizon: a return delta
    added to every event's window moves S by sum_h delta / sd_h, and the formula finds
    d * sd_h at every horizon with 80% power, so delta = H / sum_h (1 / mde_h) (the harmonic
    mean of the per-horizon MDEs)."""
    mde = np.asarray(mde_by_horizon, dtype=float)
    if mde.size == 0 or not np.all(np.isfinite(mde)) or np.any(mde <= 0):
        return float("nan")
    return float(len(mde) / np.sum(1.0 / mde))


@dataclass(eq=False)
class _Simulation:
    """What every evaluation shares: the pool, the block, the calendar, the events' mode,
    the sample window; ``drift_starts`` holds each null path's events, which the drift
    follows (None until the path's first evaluation finds them)."""

    study: EventStudy
    horizons: tuple[Horizon, ...]
    alternative: str
    alpha: float
    primary: PathPrimaryTest
    pool: np.ndarray  # the event period's daily log returns
    n_returns: int
    mean_block: float
    path_seed: int
    drift_days: int
    offsets: np.ndarray
    redetect: bool
    fixed_events: np.ndarray
    first_log: float
    window: tuple[int, int]
    drift_starts: list[np.ndarray | None] = field(default_factory=list)

    def null_returns(self, b: int) -> np.ndarray:
        """The daily log returns of null path b (its own stream of the path seed)."""
        indices = stats_nb.stationary_bootstrap_draw_nb(
            self.n_returns, len(self.pool), self.mean_block, self.path_seed, b
        )
        return self.pool[indices]

    def path(self, returns: np.ndarray, drift_events: np.ndarray, magnitude: float) -> np.ndarray:
        """Closes of the path of ``returns`` with a drift of ``magnitude`` in the claim's
        direction after ``drift_events`` (none at zero)."""
        delta = magnitude if self.alternative == "greater" else -magnitude
        log_closes = stats_nb.drifted_log_path_nb(
            returns,
            self.first_log,
            drift_events if magnitude else drift_events[:0],
            self.study.rules.entry_lag,
            self.drift_days,
            math.log1p(delta) / self.drift_days if magnitude else 0.0,
        )
        # numpy's exp, not the kernel's: numpy's vectorised exp differs from libm's in the last bit
        return np.exp(log_closes)

    def events_on(self, close: np.ndarray) -> np.ndarray:
        """The events on a path: re-detected (the source's signal through the timing kernel
        of ``select_events``, over the sample window found once) or the study's dates. A
        moving-average cross takes one pass of running totals for both simple averages
        (``sma_pair_nb``, bit for bit ``sma_nb`` twice) and one kernel call for its signal
        and timing, as the bootstrapped-path null does."""
        if not self.redetect:
            return self.fixed_events
        rules = self.study.rules
        source = rules.source
        first, last = self.window
        if type(source) is MACross:
            if kind_code(source.ma) == signals_nb.SMA:  # as average_kernel chooses
                fast_line, slow_line = signals_nb.sma_pair_nb(close, source.fast, source.slow)
            else:
                fast_line, slow_line = signals_nb.ema_nb(close, source.fast), signals_nb.ema_nb(close, source.slow)
            direction = direction_code(source.direction)
            return stats_nb.cross_events_nb(fast_line, slow_line, direction, first, last, rules.confirm, rules.min_gap)
        signal = source.signal_on_path(close)
        return events_nb.select_events_nb(
            np.ascontiguousarray(signal.trigger, dtype=np.bool_),
            np.ascontiguousarray(signal.state, dtype=np.bool_),
            first,
            last,
            rules.confirm,
            rules.min_gap,
        )[0]

    def evaluate_path(self, b: int, magnitudes: Sequence[float], out: dict[float, np.ndarray]) -> None:
        """Row b of ``out[m]`` for each magnitude m: path b's null returns drawn once for all
        of them, its events at zero drift found first (the drift follows them)."""
        returns = self.null_returns(b)
        todo = list(magnitudes)
        starts = self.drift_starts[b]
        if starts is None:
            close = self.path(returns, self.fixed_events, 0.0)
            starts = self.drift_starts[b] = self.events_on(close)
            if 0.0 in out:
                out[0.0][b] = self.decide(close, starts)
                todo.remove(0.0)
        for magnitude in todo:
            close = self.path(returns, starts, magnitude)
            out[magnitude][b] = self.decide(close, self.events_on(close))

    def decide(self, close: np.ndarray, events: np.ndarray) -> tuple[bool, int, bool]:
        """(rejected, events, untestable) on one path."""
        sample = PathSample(
            close=close,
            index=self.study.close.index,
            event_pos=events,
            rules=self.study.rules,
            horizons=self.horizons,
            offsets=self.offsets,
            alternative=self.alternative,
            alpha=self.alpha,
            sample_window=self.window,
        )
        if self.primary is joint_shift_primary:
            # only p < alpha counts here: the default test may stop once p >= alpha is certain
            pvalue = joint_shift_primary(sample, decide_at=self.alpha)
        else:
            pvalue = float(self.primary(sample))
        return bool(pvalue < self.alpha), len(events), not math.isfinite(pvalue)


def _fixed_dates_note(study: EventStudy) -> str:
    """Why the events keep the study's dates on every path (``path_null_unavailable``'s cases)."""
    source = study.rules.source
    if not source.price_only:
        return f"the event source ({source.describe()}) reads data other than the price path: the events keep the study's dates"
    if study.is_subset:
        return "the study holds a filtered subset of its source's events: the filter cannot be re-run on a path, so the events keep the study's dates"
    return "the study's events are not its source's events on the series (a hand-built table): they keep their dates"


def _size_note(size: float, n_paths: int, alpha: float, block: float, redetect: bool) -> list[str]:
    """A note when the rejection rate at zero drift is outside the binomial 99% band of
    alpha. Long blocks replay the series' own stretches: a price-path rule then fires on a
    path mostly where it fired on the series, followed by what followed there, so the paths
    carry the series' own link between its events and later returns (none for exogenous
    dates, which land anywhere in a shuffled path)."""
    low, high = (binomial_ppf(q, n_paths, alpha) / n_paths for q in (0.005, 0.995))
    if low <= size <= high:
        return []
    why = (
        f"the paths replay the series' own stretches ({block:g}-day mean blocks), and with them the rule's own "
        "events and what followed them, so the curve carries the association the data show"
        if redetect
        else "the primary test is not at its nominal size on these paths"
    )
    return [
        f"at zero drift the test rejects {size:.1%} of the paths, outside the binomial 99% band of alpha "
        f"{alpha:g} ({low:.1%} to {high:.1%}): {why}"
    ]


def isotonic_increasing(values: np.ndarray) -> np.ndarray:
    """The least-squares non-decreasing fit of ``values`` (equal weights): the pool adjacent
    violators algorithm, each run of values that would decrease replaced by its mean, in the
    order of Busing (2022, "Monotone regression: a simple and fast O(n) PAVA
    implementation", J. Statistical Software 102, code snippet 1, algorithm 1), which
    ``scipy.optimize.isotonic_regression`` follows (that import alone costs ~0.4 s)."""
    y = np.asarray(values, dtype=float)
    n = len(y)
    level = y.copy()  # level[b]: the mean of block b, blocks packed at the front
    weight = np.ones(n)
    start = np.zeros(n + 1, dtype=np.int64)  # block b spans start[b] .. start[b + 1] - 1
    if n == 0:
        return level
    start[1] = 1
    b = 0  # the last block
    i = 1
    while i < n:
        current, mass = y[i], 1.0
        if level[b] >= current:  # a violation: pool with the last block, forward, then backward
            total = weight[b] * level[b] + mass * current
            mass += weight[b]
            current = total / mass
            while i < n - 1 and current >= y[i + 1]:
                i += 1
                total += y[i]
                mass += 1.0
                current = total / mass
            while b > 0 and level[b - 1] >= current:
                b -= 1
                total += weight[b] * level[b]
                mass += weight[b]
                current = total / mass
        else:
            b += 1
            start[b] = i
        level[b], weight[b] = current, mass
        start[b + 1] = i + 1
        i += 1
    fitted = np.empty(n)
    for block in range(b + 1):
        fitted[start[block] : start[block + 1]] = level[block]
    return fitted


def _crossing(magnitudes: np.ndarray, power: np.ndarray, target: float) -> tuple[float, int]:
    """(interpolated magnitude, index of the first evaluated point at or above the target) on
    the isotonic fit of ``power`` over sorted ``magnitudes``; (NaN, len) when never reached."""
    fitted = isotonic_increasing(power)
    above = np.flatnonzero(fitted >= target)
    if above.size == 0:
        return float("nan"), len(magnitudes)
    k = int(above[0])
    if k == 0:
        return float(magnitudes[0]), 0
    lo, hi = fitted[k - 1], fitted[k]
    share = (target - lo) / (hi - lo)
    return float(magnitudes[k - 1] + share * (magnitudes[k] - magnitudes[k - 1])), k


def simulated_detectable_effect(
    study: EventStudy,
    claim_horizons: Sequence[str] | None = None,
    *,
    claim: str = GAINS,
    primary_test: PathPrimaryTest | None = None,
    n_paths: int = DEFAULT_POWER_PATHS,
    drifts: Sequence[float] | None = None,
    target_power: float = DEFAULT_TARGET_POWER,
    alpha: float = DEFAULT_ALPHA,
    mean_block: float | str | None = None,
    bisection_steps: int = DEFAULT_BISECTION_STEPS,
    formula_mde: float | str | None = "auto",
    seed: int = DEFAULT_SEED,
) -> SimulatedPower:
    """The drift after each event that the primary test finds with ``target_power`` (module docstring).

    Parameters
    ----------
    study : EventStudy
        The claim's study (its series is resampled, its rules re-run); at least one event.
    claim_horizons : Sequence[str] or None, default None
        The judged horizons (default: every horizon of the study).
    claim : str, default "gains"
        "gains" or "losses" (the drift is then negative).
    primary_test : PathPrimaryTest or None, default None
        A callable of a ``PathSample`` giving a p-value (default ``joint_shift_primary``).
    n_paths : int, default DEFAULT_POWER_PATHS
        Bootstrap paths, the same for every drift (>= 1; 200 by default).
    drifts : Sequence[float] or None, default None
        The coarse grid as drift sizes (simple returns >= 0, in the claim's direction, at
        most ``MAX_DRIFT``; default ``DEFAULT_GRID`` times the formula MDE, or times a
        plain-mean MDE 2.49 * sd / sqrt(events) at the shortest judged horizon when there is
        no formula, and extended by doubling while the target power is not reached; a given
        grid is not extended).
    target_power : float, default DEFAULT_TARGET_POWER
        The power sought, in (0, 1); 0.80 by default.
    alpha : float, default DEFAULT_ALPHA
        Significance level of the primary test, in (0, 0.5); 0.05 by default.
    mean_block : float or str or None, default None
        As ``bootstrap_path_tests`` (None: ``horizon_block_length`` at the longest judged
        horizon).
    bisection_steps : int, default DEFAULT_BISECTION_STEPS
        Bisections of the bracket after the grid (>= 0; 3 by default).
    formula_mde : float or str or None, default "auto"
        "auto" (the joint test's formula on the data when the primary test is the default
        one, else None), a number (shown beside the result, e.g. a caller's own formula) or
        None.
    seed : int, default DEFAULT_SEED
        Paths come from ``seed_from(seed, "power", "paths")``; the same seed gives the same
        bytes of ``to_dict``.

    Returns
    -------
    SimulatedPower
        The power curve, the detectable drift with its Monte Carlo SE, and the parameters.

    Raises
    ------
    ParameterError
        A bad study, claim, horizons, count, seed, level, grid, primary test or formula_mde.
    InsufficientDataError
        The study has no event: there is no effect to plant.
    """
    if not isinstance(study, EventStudy):
        raise ParameterError(f"study must be an EventStudy (from run_event_study), got {type(study).__name__}")
    claim = check_claim(claim)
    alternative = _ALTERNATIVE[claim]
    n_paths = check_count("n_paths", n_paths)
    bisection_steps = check_count("bisection_steps", bisection_steps, minimum=0)
    seed = check_seed(seed)
    alpha = check_scalar(alpha, "alpha", float, min_val=0.0, max_val=0.5, include_boundaries="neither")
    target_power = check_scalar(
        target_power, "target_power", float, min_val=0.0, max_val=1.0, include_boundaries="neither"
    )
    labels_all = tuple(h.label for h in study.horizons)
    judged = labels_all if claim_horizons is None else tuple(claim_horizons)
    if not judged or any(label not in labels_all for label in judged):
        raise ParameterError(f"claim_horizons must be horizons of the study ({', '.join(labels_all)}), got {judged!r}")
    horizons = tuple(h for h in study.horizons if h.label in judged)
    if study.n_events == 0:
        raise InsufficientDataError(
            f"the study of {study.rules.describe()!r} has no event: there is no effect to plant"
        )
    cap = MAX_DRIFT[claim]
    grid_given = drifts is not None
    if grid_given:
        grid = tuple(
            check_scalar(d, "drifts", float, min_val=0.0, max_val=cap, must=f"be drift sizes in [0, {cap:g}]")
            for d in drifts  # type: ignore[union-attr]
        )
        if not grid:
            raise ParameterError("drifts must hold at least one drift size")
    primary = joint_shift_primary if primary_test is None else primary_test
    if not callable(primary):
        raise ParameterError(f"primary_test must be a callable taking a PathSample, got {primary_test!r}")

    close = study.close
    index = close.index
    values = close_array(close)
    lo, hi = return_pool(close, study.rules)
    pool = np.diff(np.log(values))[lo : hi + 1]
    windows = [typical_window_days(index, h) for h in horizons]
    block = resolve_mean_block(mean_block, max(windows), len(pool), close)
    drift_days = max(1, int(round(min(windows))))
    redetect = path_null_unavailable(study) is None
    notes = [] if redetect else [_fixed_dates_note(study)]

    # the data's own analysis: the formula MDE and the grid's scale
    eligible = eligible_days(study)
    baseline = unconditional_baseline(study, eligible)
    formula: float | None = None
    formula_by_horizon: dict[str, float] | None = None
    complete = all(len(study.complete(h.label)) for h in horizons)
    if formula_mde == "auto":
        if primary is joint_shift_primary and complete:
            joint = study_joint_shift_test(
                study, eligible, baseline, judged, alternative=alternative, alpha=min(alpha, 0.25)
            )
            formula_by_horizon = dict(zip(judged, (float(v) for v in joint.mde), strict=True))
            value = formula_drift_mde(joint.mde)
            formula = None if not math.isfinite(value) else value
    elif formula_mde is not None:
        if isinstance(formula_mde, str):
            raise ParameterError(f"formula_mde must be 'auto', a number or None, got {formula_mde!r}")
        formula = abs(check_scalar(formula_mde, "formula_mde", float))
    shortest = horizons[int(np.argmin(windows))].label
    sd = baseline[shortest].std
    scale = formula if formula else 2.49 * sd / math.sqrt(study.n_events)
    if not (math.isfinite(scale) and scale > 0):
        scale = 0.01  # no spread to scale by (a single eligible window): start at 1%
    if not grid_given:
        grid = tuple(min(cap, m * scale) for m in DEFAULT_GRID)
    grid = tuple(sorted(set(grid)))

    path_seed = seed_from(seed, "power", "paths")
    # (days x horizons) as a view of its C-contiguous transpose: the forward-return kernel reads
    # one horizon's window lengths as one row
    offsets = np.ascontiguousarray(horizon_offsets(index, np.arange(len(values), dtype=np.int64), horizons).T).T
    sim = _Simulation(
        study=study,
        horizons=horizons,
        alternative=alternative,
        alpha=alpha,
        primary=primary,
        pool=pool,
        n_returns=len(values) - 1,
        mean_block=block,
        path_seed=path_seed,
        drift_days=drift_days,
        offsets=offsets,
        redetect=redetect,
        fixed_events=study.table["event_pos"].to_numpy(dtype=np.int64),
        first_log=float(np.log(values[0])),
        window=detection_bounds(index, study.rules),
    )
    # the events the drift follows: those of each null path (a price-only rule) or the data's
    sim.drift_starts = [None] * n_paths
    results: dict[float, np.ndarray] = {}

    def run(*magnitudes: float) -> None:
        new = sorted({m for m in magnitudes if m not in results})
        if not new:
            return
        out = {m: np.zeros((n_paths, 3), dtype=np.int64) for m in new}

        def fill(start: int, stop: int) -> None:
            for b in range(start, stop):
                sim.evaluate_path(b, new, out)

        # paths are independent (each reads its own stream), so any split gives the same rows;
        # the kernels release the GIL
        run_in_threads(n_paths, fill)
        results.update(out)

    def curve() -> tuple[np.ndarray, np.ndarray]:
        keys = np.array(sorted(results))
        return keys, np.array([results[k][:, 0].mean() for k in keys])

    run(*grid)
    if not grid_given:
        while curve()[1].max() < target_power and max(results) < cap:
            run(min(cap, 2.0 * max(results)) if max(results) > 0 else min(cap, scale))
    for _ in range(bisection_steps):
        keys, power = curve()
        _, k = _crossing(keys, power, target_power)
        if k == 0 or k >= len(keys):
            break
        run(0.5 * (keys[k - 1] + keys[k]))

    keys, power = curve()
    detectable, k = _crossing(keys, power, target_power)
    if k >= len(keys):
        bracket = (float(keys[-1]), float("nan"))
    elif k == 0:
        bracket = (float(keys[0]), float(keys[0]))
    else:
        bracket = (float(keys[k - 1]), float(keys[k]))
    decisions = np.column_stack([results[key][:, 0] for key in keys]).astype(bool)
    rng = np.random.default_rng(seed_from(seed, "power", "mc_error"))
    resampled = [
        _crossing(keys, decisions[rng.integers(0, n_paths, n_paths)].mean(axis=0), target_power)[0]
        for _ in range(_MC_RESAMPLES)
    ]
    finite = np.array([v for v in resampled if math.isfinite(v)])
    se = float(np.std(finite, ddof=1)) if len(finite) > 1 and math.isfinite(detectable) else float("nan")

    if 0.0 in results:
        notes.extend(_size_note(float(results[0.0][:, 0].mean()), n_paths, alpha, block, redetect))
    sign = 1.0 if claim == GAINS else -1.0
    return SimulatedPower(
        drifts=tuple(sign * float(k) + 0.0 for k in keys),
        power=tuple(float(p) for p in power),
        mc_standard_error=tuple(float(math.sqrt(p * (1.0 - p) / n_paths)) for p in power),
        mean_events=tuple(float(results[key][:, 1].mean()) for key in keys),
        share_untestable=tuple(float(results[key][:, 2].mean()) for key in keys),
        target_power=float(target_power),
        detectable_drift=sign * detectable,
        bracket=(sign * bracket[0], sign * bracket[1]),
        detectable_drift_se=se,
        formula_mde=None if formula is None else sign * formula,
        formula_mde_by_horizon=formula_by_horizon,
        claim=claim,
        alpha=float(alpha),
        horizons=judged,
        drift_days=drift_days,
        events="re-detected on every path" if redetect else "at the study's dates",
        notes=tuple(notes),
        primary_test=getattr(primary, "__name__", type(primary).__name__),
        n_paths=n_paths,
        mean_block=float(block),
        seed=seed,
        path_seed=path_seed,
        grid=tuple(sign * g + 0.0 for g in grid),
        bisection_steps=bisection_steps,
        pool_start=index[lo + 1],
        pool_end=index[hi + 1],
        rejections=decisions,
    )
