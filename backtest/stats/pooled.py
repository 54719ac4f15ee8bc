"""Cross-sectional (pooled) event study: the same kind of event in many series, abnormal
returns against a benchmark model, and pooled tests that allow for events clustered in time.

Inputs: daily returns of the series and of the benchmark on one calendar (aligned float
arrays, NaN where missing) and the events' positions on it. Outputs: ``AbnormalReturns``
(per event: CAR, BHAR, estimation-window residuals) and ``PooledTest`` / ``PooledEventStudy``.

Abnormal returns (event day 0, entry at its close; event window days 1..h; estimation
window days a..b, default -250..-30, at least ``min_estimation_obs`` = 100 returns, else the
event is dropped and counted). Expected return E_t by ``model``: "market" alpha + beta Rm_t
(OLS over the estimation window), "market_adjusted" Rm_t, "mean_adjusted" the series' own
estimation-window mean, "raw" 0. AR_t = R_t - E_t; CAR(h) = sum_{t=1..h} AR_t (complete
windows only); BHAR(h) = prod(1 + R_t) - prod(1 + E_t) (exp of the sums for log returns).

Prediction-error variance of CAR(h) (Campbell, Lo & MacKinlay 1997, The Econometrics of
Financial Markets, sec. 4.4; the daily factor 1 + 1/T + (Rm_t - mean Rm)^2 / Sxx of Patell
1976 summed with its cross-day terms): Var CAR(h) = s^2 V(h), with

    V(h) = h + h^2 / T + (sum_{t=1..h} (Rm_t - mean Rm))^2 / Sxx    (market model)
    V(h) = h + h^2 / T                                              (mean adjusted)
    V(h) = h                                                        (market adjusted, raw)

s^2 = sum (e_t - mean e)^2 / (T - k) over the T estimation residuals, k = 2 for the market
model, else 1 (Brown & Warner 1985 for the unfitted models); mean Rm and Sxx =
sum (Rm - mean Rm)^2 are the estimation window's. SCAR = CAR / (s sqrt(V)).

Pooled tests, per horizon, over the n events with a complete window (each gives a
one-sided p in the claim's direction and in the other tail):

- ``cross_sectional_t``: t = mean CAR / (sd(CAR) / sqrt n), Student t(n - 1) (Brown & Warner
  1985).
- ``bmp``: Boehmer, Musumeci & Poulsen (1991, J. Financial Economics 30): t = mean SCAR /
  (sd(SCAR) / sqrt n), t(n - 1).
- ``kolari_pynnonen``: Kolari & Pynnönen (2010, Review of Financial Studies 23): t_BMP *
  sqrt((1 - r) / (1 + (n - 1) r)), t(n - 1). Their r-bar is the average correlation of the
  estimation residuals when all events share a date. Here events need not: r_h =
  2 sum_{i<j} rho_ij w_ij(h) / (n (n - 1)), the average correlation of the SCARs implied
  by rho_ij, the correlation of the two events' estimation residuals on their common dates
  (at least ``min_common_dates``; pairs short of that take the average of the estimable
  rho_ij), and w_ij, the correlation the design of the two CARs gives two disturbance
  series correlated 1 on common dates (``backtest.stats.pooled_nb``): the share of event
  window they share, less the part of one's window that the other's estimated alpha and
  beta absorb when it lies in its estimation window. With every event on one date w = 1
  and r_h is KP's r-bar; for events far apart w = 0 and the test is BMP's. The second term
  matters: with a common factor the model leaves out, events a few months apart are
  negatively correlated through the estimation window, and in simulated panels with
  unclustered events it cancels most of the overlap term (with the overlap term alone the
  test rejects 0.5 % instead of 5 % at 21 days there).
- ``rank``: the multi-day Corrado (1989) rank test in the cumulative form of Campbell &
  Wasley (1993, J. Financial Economics 33): per event, ranks K_it of its ARs over the
  estimation window and days 1..H (H the longest horizon) among its M_i finite ones,
  U_it = K_it / (M_i + 1) - 1/2 (Corrado & Zivney 1992's scaling for unequal M_i);
  Ubar_t = mean over the n_t events with day t; S^2 = (1/L) sum_t (n_t / n) Ubar_t^2 over the
  L days of the combined window; Z = sum_{t=1..h} Ubar_t / (sqrt(h) S), standard normal.
- ``generalized_sign``: Cowan (1992, Review of Quantitative Finance and Accounting 2):
  p = (1/n) sum_i (share of positive estimation residuals of event i), w = events with
  CAR > 0, Z = (w - n p) / sqrt(n p (1 - p)), standard normal.
- ``calendar_time``: the calendar-time portfolio (Jaffe 1974; Mitchell & Stafford 2000,
  J. Business 73): each day, the equal-weighted mean AR of the series with an event in their
  last h days (a series' most recent event gives its AR); the t test of the portfolio's mean
  with Newey-West (1987) standard errors (``backtest.stats.classical.hac_mean_test``, lag
  rule floor(4 (T / 100)^(2/9)) of Newey & West 1994 unless given). Days with no series in
  the portfolio are left out. Overlap and clustering only change which series a day holds,
  and the portfolio's own variance over time carries their cross-correlation.

Every test reads per-event rows, or sums over events that each event adds on its own (the
rank test's ``centred_ranks`` per relative day, the calendar-time portfolio's
``series_calendar_returns`` per calendar day): ``backtest.stats.pooled_stream`` computes
them one series at a time and gives the same results (``rank_test_from_sums``,
``calendar_time_test_from_portfolio``) without holding every series.

``panel_shift_test`` extends the primary circular-shift test (``backtest.stats.joint``) to
panels: every series' events shift together by the same s, so the cross-sectional
dependence of the events is kept.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.defaults import DEFAULT_HORIZON_DAYS
from backtest.errors import ParameterError
from backtest.stats import nb as stats_nb
from backtest.stats.classical import hac_mean_test
from backtest.stats.pooled_nb import pair_correlation_sums_nb
from backtest.stats.verdict import GAINS, check_claim

MODELS: tuple[str, ...] = ("market", "market_adjusted", "mean_adjusted", "raw")
"""Expected-return models, named as in the claim spec's ``[benchmark] model``."""

_FITTED_PARAMETERS = {"market": 2, "mean_adjusted": 1, "market_adjusted": 0, "raw": 0}
_USES_BENCHMARK = {"market": True, "market_adjusted": True, "mean_adjusted": False, "raw": False}

DEFAULT_HORIZONS: tuple[int, ...] = tuple(days for _, days in DEFAULT_HORIZON_DAYS)
"""Event windows in trading days: the project's default horizons (1 to 12 months)."""

DEFAULT_ESTIMATION_WINDOW = (-250, -30)
"""Estimation window in trading days relative to the event day (both ends included)."""

DEFAULT_MIN_ESTIMATION_OBS = 100
"""Fewest estimation-window returns an event needs; events with fewer are dropped."""

DEFAULT_MIN_COMMON_DATES = 30
"""Fewest common estimation dates for a pairwise residual correlation (Kolari-Pynnönen)."""

POOLED_TESTS: tuple[str, ...] = (
    "cross_sectional_t",
    "bmp",
    "kolari_pynnonen",
    "rank",
    "generalized_sign",
    "calendar_time",
)
"""The pooled tests ``pooled_tests`` runs, in the order of ``PooledEventStudy.tests``."""


@dataclass(frozen=True, eq=False)
class AbnormalReturns:
    """Abnormal returns of the kept events of one or many series on one calendar.

    Per event (rows, in series then date order): ``series`` and ``event_pos`` (calendar
    position of the event day), the model's ``alpha`` / ``beta`` (NaN where the model has
    none), ``n_estimation`` (T), ``residual_sd`` (s), ``estimation_residuals`` (n x W, relative
    days ``estimation_window``, NaN where missing), ``daily`` (n x H_max, ARs of days
    1..H_max, NaN where missing or past the data), and per horizon ``car``, ``bhar`` and
    ``car_sd`` = s sqrt(V(h)) and ``variance_factor`` V(h) (module docstring), NaN where the
    window is incomplete. The design of each CAR, for the dependence between events:
    ``mean_weights`` (n x W, 1/T on the estimation dates used where the model fits a mean, else
    0), ``slope_weights`` (n x W, (Rm_s - mean Rm) / Sxx for the market model, else 0) and
    ``benchmark_deviation`` (n x H, D(h) = sum_{t=1..h} (Rm_t - mean Rm), 0 without a slope).
    ``n_dropped``: events dropped for fewer than ``min_estimation_obs`` estimation returns
    (or a constant benchmark there). ``series_names``: labels of the series indices.
    """

    model: str
    horizons: tuple[int, ...]
    estimation_window: tuple[int, int]
    compounding: str
    n_days: int
    series_names: tuple[str, ...]
    series: np.ndarray
    event_pos: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    n_estimation: np.ndarray
    residual_sd: np.ndarray
    estimation_residuals: np.ndarray = field(repr=False)
    daily: np.ndarray = field(repr=False)
    car: np.ndarray = field(repr=False)
    bhar: np.ndarray = field(repr=False)
    car_sd: np.ndarray = field(repr=False)
    variance_factor: np.ndarray = field(repr=False)
    mean_weights: np.ndarray = field(repr=False)
    slope_weights: np.ndarray = field(repr=False)
    benchmark_deviation: np.ndarray = field(repr=False)
    n_dropped: int = 0

    @property
    def n_events(self) -> int:
        return int(len(self.event_pos))

    @property
    def scar(self) -> np.ndarray:
        """Standardised CARs, CAR / (s sqrt(V(h))) (n x H)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.car / self.car_sd

    def horizon_index(self, horizon: int) -> int:
        if horizon not in self.horizons:
            raise ParameterError(f"horizon must be one of {self.horizons} (trading days), got {horizon!r}")
        return self.horizons.index(horizon)

    def to_frame(self) -> pd.DataFrame:
        """One row per (event, horizon): series, event position, horizon (trading days), CAR,
        BHAR, SCAR, the model's alpha and beta, T and s."""
        n, n_h = self.car.shape
        names = np.asarray(self.series_names, dtype=object)
        return pd.DataFrame(
            {
                "series": np.repeat(names[self.series], n_h) if n else np.array([], dtype=object),
                "event_pos": np.repeat(self.event_pos, n_h),
                "horizon_days": np.tile(np.asarray(self.horizons, dtype=np.int64), n),
                "car": self.car.ravel(),
                "bhar": self.bhar.ravel(),
                "scar": self.scar.ravel(),
                "alpha": np.repeat(self.alpha, n_h),
                "beta": np.repeat(self.beta, n_h),
                "n_estimation": np.repeat(self.n_estimation, n_h),
                "residual_sd": np.repeat(self.residual_sd, n_h),
            }
        )

    @classmethod
    def concat(cls, parts: Sequence[AbnormalReturns]) -> AbnormalReturns:
        """The events of ``parts`` (computed separately, e.g. one series at a time, with the
        same model, horizons, window and calendar) as one panel; series indices are
        renumbered in the order of the parts."""
        if not parts:
            raise ParameterError("parts must hold at least one AbnormalReturns")
        first = parts[0]
        for part in parts[1:]:
            same = (part.model, part.horizons, part.estimation_window, part.compounding, part.n_days)
            if same != (first.model, first.horizons, first.estimation_window, first.compounding, first.n_days):
                raise ParameterError("parts must share model, horizons, estimation_window, compounding and n_days")
        offsets = np.cumsum([0] + [len(part.series_names) for part in parts[:-1]])

        def stack(name: str) -> np.ndarray:
            return np.concatenate([getattr(part, name) for part in parts])

        return cls(
            model=first.model,
            horizons=first.horizons,
            estimation_window=first.estimation_window,
            compounding=first.compounding,
            n_days=first.n_days,
            series_names=tuple(name for part in parts for name in part.series_names),
            series=np.concatenate([part.series + offset for part, offset in zip(parts, offsets, strict=True)]),
            event_pos=stack("event_pos"),
            alpha=stack("alpha"),
            beta=stack("beta"),
            n_estimation=stack("n_estimation"),
            residual_sd=stack("residual_sd"),
            estimation_residuals=stack("estimation_residuals"),
            daily=stack("daily"),
            car=stack("car"),
            bhar=stack("bhar"),
            car_sd=stack("car_sd"),
            variance_factor=stack("variance_factor"),
            mean_weights=stack("mean_weights"),
            slope_weights=stack("slope_weights"),
            benchmark_deviation=stack("benchmark_deviation"),
            n_dropped=sum(part.n_dropped for part in parts),
        )


@dataclass(frozen=True)
class PooledTest:
    """One pooled test at one horizon (scipy's names). ``pvalue``: one-sided in the claim's
    direction; ``pvalue_opposite``: the other tail. ``estimate``: CAAR (mean CAR) for the
    CAR tests, mean SCAR for BMP / KP, the mean daily portfolio AR for the calendar-time
    test. ``details``: the test's own quantities (r-bar, df, maxlags, ...)."""

    __test__ = False

    test: str
    horizon: int
    statistic: float
    pvalue: float
    pvalue_opposite: float
    claim: str
    n_events: int
    n_series: int
    estimate: float
    details: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "test": self.test,
            "horizon_days": int(self.horizon),
            "statistic": float(self.statistic),
            "pvalue": float(self.pvalue),
            "pvalue_opposite": float(self.pvalue_opposite),
            "claim": self.claim,
            "n_events": int(self.n_events),
            "n_series": int(self.n_series),
            "estimate": float(self.estimate),
        }
        out.update({key: float(value) for key, value in self.details})
        return out


@dataclass(frozen=True)
class PooledEventStudy:
    """Every pooled test at every horizon, with the counts of the abnormal returns."""

    model: str
    claim: str
    horizons: tuple[int, ...]
    n_events: int
    n_series: int
    n_dropped: int
    tests: tuple[PooledTest, ...]

    def get(self, test: str, horizon: int) -> PooledTest:
        for result in self.tests:
            if result.test == test and result.horizon == horizon:
                return result
        raise KeyError((test, horizon))

    def to_frame(self) -> pd.DataFrame:
        """One row per (test, horizon)."""
        return pd.DataFrame([result.to_dict() for result in self.tests])

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "claim": self.claim,
            "horizons_days": list(self.horizons),
            "n_events": self.n_events,
            "n_series": self.n_series,
            "n_dropped": self.n_dropped,
            "tests": [result.to_dict() for result in self.tests],
        }

    def summary(self) -> str:
        """A plain-text table, one line per (horizon, test)."""
        head = (
            f"Pooled event study: model {self.model}, claim {self.claim}, {self.n_events} events in "
            f"{self.n_series} series ({self.n_dropped} dropped: short estimation window)"
        )
        rows = [f"{'h':>5} {'test':<18} {'estimate':>10} {'statistic':>10} {'p':>8} {'p other':>8} {'n':>6}"]
        for result in sorted(self.tests, key=lambda r: (r.horizon, POOLED_TESTS.index(r.test))):
            rows.append(
                f"{result.horizon:>5} {result.test:<18} {result.estimate:>10.5f} {result.statistic:>10.3f} "
                f"{result.pvalue:>8.4f} {result.pvalue_opposite:>8.4f} {result.n_events:>6}"
            )
        return "\n".join([head, *rows])


# ---------------------------------------------------------------------------- inputs


def _check_horizons(horizons: Iterable[int]) -> tuple[int, ...]:
    values = tuple(check_scalar(h, "horizons", int, min_val=1) for h in horizons)
    if not values or len(set(values)) != len(values):
        raise ParameterError(f"horizons must be distinct positive trading-day counts, got {values!r}")
    return tuple(sorted(values))


def _check_window(estimation_window: tuple[int, int]) -> tuple[int, int]:
    if len(estimation_window) != 2:
        raise ParameterError(f"estimation_window must be (first, last) days, got {estimation_window!r}")
    first = check_scalar(estimation_window[0], "estimation_window[0]", int)
    last = check_scalar(estimation_window[1], "estimation_window[1]", int, max_val=-1)
    if first > last:
        raise ParameterError(f"estimation_window must run forward (first <= last < 0), got {estimation_window!r}")
    return first, last


def _as_panel(name: str, values: object, n_days: int | None = None) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ParameterError(f"{name} must be a 1-D (days) or 2-D (days x series) array, got shape {array.shape}")
    if np.isinf(array).any():
        raise ParameterError(f"{name} holds infinite values; mark missing days with NaN")
    if n_days is not None and array.shape[0] != n_days:
        raise ParameterError(f"{name} must have {n_days} days (rows) like returns, got {array.shape[0]}")
    return array


def _event_sets(events: object, n_series: int, n_days: int, *, one_series: bool = False) -> list[np.ndarray]:
    """One sorted array of distinct positions per series; ``one_series``: ``events`` is the
    positions of a single series given as 1-D returns."""
    sets = [events] if one_series else list(events)  # type: ignore[call-overload]
    if len(sets) != n_series:
        raise ParameterError(f"events must give one array of positions per series ({n_series}), got {len(sets)}")
    out = []
    for i, positions in enumerate(sets):
        array = np.asarray(positions)
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise ParameterError(f"events[{i}] must hold integer day positions, got dtype {array.dtype}")
        array = np.unique(array.astype(np.int64).ravel())
        if array.size and (array[0] < 0 or array[-1] >= n_days):
            raise ParameterError(f"events[{i}] positions must lie in [0, {n_days}), got {array[0]}..{array[-1]}")
        out.append(array)
    return out


def _gather(panel: np.ndarray, days: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """panel[days, column] for every event row (NaN for days off the calendar)."""
    inside = (days >= 0) & (days < panel.shape[0])
    return np.where(inside, panel[np.clip(days, 0, panel.shape[0] - 1), columns[:, None]], np.nan)


# ------------------------------------------------------------------ abnormal returns


def abnormal_returns(
    returns: object,
    benchmark: object = None,
    events: object = (),
    *,
    model: str = "market",
    horizons: Iterable[int] = DEFAULT_HORIZONS,
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW,
    min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS,
    compounding: str = "simple",
    series_names: Sequence[str] | None = None,
) -> AbnormalReturns:
    """Abnormal returns of every event (module docstring).

    Parameters
    ----------
    returns : array (days,) or (days, series)
        Daily returns on one calendar, NaN where missing.
    benchmark : array (days,) or like ``returns``, optional
        The benchmark's daily returns (one for all series, or one column per series);
        required by the "market" and "market_adjusted" models.
    events : int array, or a sequence of them (one per series)
        Calendar positions of the event days (duplicates within a series count once).
    model : {"market", "market_adjusted", "mean_adjusted", "raw"}
    horizons : iterable of int
        Event windows in trading days after the event day.
    estimation_window : (int, int)
        First and last estimation day relative to the event day, both included.
    min_estimation_obs : int
        Fewest finite estimation returns (with the benchmark's, where used); events with
        fewer are dropped and counted in ``n_dropped``.
    compounding : {"simple", "log"}
        What the returns are: BHAR compounds simple returns by products, log returns by exp
        of sums. CARs are sums either way.
    series_names : sequence of str, optional
        Labels of the columns (default "0", "1", ...).

    Returns
    -------
    AbnormalReturns
        The kept events in series then date order, with ``n_dropped`` counted. Each series'
        events are independent of the others', so a long panel can be computed a series (or
        a chunk) at a time and joined with ``AbnormalReturns.concat``.
    """
    if model not in MODELS:
        raise ParameterError(f"model must be one of {MODELS}, got {model!r}")
    if compounding not in ("simple", "log"):
        raise ParameterError(f"compounding must be 'simple' or 'log', got {compounding!r}")
    horizon_days = _check_horizons(horizons)
    first_day, last_day = _check_window(estimation_window)
    k = _FITTED_PARAMETERS[model]
    min_obs = check_scalar(min_estimation_obs, "min_estimation_obs", int, min_val=max(k, 1) + 1)
    panel = _as_panel("returns", returns)
    n_days, n_series = panel.shape
    if _USES_BENCHMARK[model]:
        if benchmark is None:
            raise ParameterError(f"model {model!r} needs the benchmark's returns")
        bench = _as_panel("benchmark", benchmark, n_days)
        if bench.shape[1] not in (1, n_series):
            raise ParameterError(f"benchmark must have 1 or {n_series} columns, got {bench.shape[1]}")
    else:
        bench = np.zeros((n_days, 1))
    names = tuple(str(i) for i in range(n_series)) if series_names is None else tuple(map(str, series_names))
    if len(names) != n_series:
        raise ParameterError(f"series_names must name {n_series} series, got {len(names)}")
    event_sets = _event_sets(events, n_series, n_days, one_series=np.asarray(returns).ndim == 1)

    h_array = np.asarray(horizon_days, dtype=np.int64)
    series = np.concatenate([np.full(len(rows), i, dtype=np.int64) for i, rows in enumerate(event_sets)])
    positions = np.concatenate(event_sets).astype(np.int64)
    bench_column = series if bench.shape[1] > 1 else np.zeros_like(series)
    # every event's windows at once: rows are events, columns relative days
    estimation_days = positions[:, None] + np.arange(first_day, last_day + 1)[None, :]
    event_days = positions[:, None] + np.arange(1, horizon_days[-1] + 1)[None, :]
    est_r, est_m = _gather(panel, estimation_days, series), _gather(bench, estimation_days, bench_column)
    used = np.isfinite(est_r) & np.isfinite(est_m)
    n_obs = used.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x = np.where(used, est_m, 0.0).sum(axis=1) / n_obs
        mean_y = np.where(used, est_r, 0.0).sum(axis=1) / n_obs
    dev_x = np.where(used, est_m - mean_x[:, None], 0.0)
    dev_y = np.where(used, est_r - mean_y[:, None], 0.0)
    sxx = (dev_x**2).sum(axis=1)
    # a constant benchmark identifies no beta: such events drop with the short windows
    keep = (n_obs >= min_obs) & ((sxx > 0.0) if model == "market" else True)
    dropped = int((~keep).sum())
    series, positions, used, n_obs = series[keep], positions[keep], used[keep], n_obs[keep]
    est_r, est_m, mean_x, mean_y, dev_x, dev_y, sxx = (
        values[keep] for values in (est_r, est_m, mean_x, mean_y, dev_x, dev_y, sxx)
    )
    ev_r = _gather(panel, event_days[keep], series)
    ev_m = _gather(bench, event_days[keep], bench_column[keep])
    alpha = beta = np.full(len(positions), np.nan)
    if model == "market":
        beta = (dev_x * dev_y).sum(axis=1) / sxx
        alpha = mean_y - beta * mean_x
    elif model == "mean_adjusted":
        alpha = mean_y

    def expected(bench_window: np.ndarray) -> np.ndarray:
        if model == "market":
            return alpha[:, None] + beta[:, None] * bench_window
        if model == "market_adjusted":
            return bench_window
        if model == "mean_adjusted":
            return np.broadcast_to(alpha[:, None], bench_window.shape)
        return np.zeros(bench_window.shape)

    residuals = np.where(used, est_r - expected(est_m), np.nan)
    centred = np.where(used, residuals - np.nansum(residuals, axis=1, keepdims=True) / n_obs[:, None], 0.0)
    sd = np.sqrt((centred**2).sum(axis=1) / (n_obs - max(k, 1)))
    ev_expected = expected(ev_m)
    daily = ev_r - ev_expected
    complete = np.cumsum(np.isfinite(daily), axis=1)[:, h_array - 1] == h_array[None, :]
    car = np.where(complete, np.cumsum(np.nan_to_num(daily), axis=1)[:, h_array - 1], np.nan)
    if compounding == "simple":
        growth = np.cumprod(1.0 + np.nan_to_num(ev_r), axis=1) - np.cumprod(1.0 + np.nan_to_num(ev_expected), axis=1)
    else:
        growth = np.exp(np.cumsum(np.nan_to_num(ev_r), axis=1)) - np.exp(np.cumsum(np.nan_to_num(ev_expected), axis=1))
    bhar = np.where(complete, growth[:, h_array - 1], np.nan)
    mean_weights = np.where(used, 1.0 / n_obs[:, None], 0.0) if k >= 1 else np.zeros(used.shape)
    slope_weights = np.zeros(used.shape)
    deviation = np.zeros(car.shape)
    variance = np.broadcast_to(h_array.astype(np.float64), car.shape).copy()
    if k >= 1:
        variance += h_array[None, :].astype(np.float64) ** 2 / n_obs[:, None]
    if model == "market":
        slope_weights = dev_x / sxx[:, None]
        deviation = np.cumsum(np.nan_to_num(ev_m - mean_x[:, None]), axis=1)[:, h_array - 1]
        variance += deviation**2 / sxx[:, None]
    return AbnormalReturns(
        model=model,
        horizons=horizon_days,
        estimation_window=(first_day, last_day),
        compounding=compounding,
        n_days=n_days,
        series_names=names,
        series=series,
        event_pos=positions,
        alpha=np.asarray(alpha, dtype=np.float64),
        beta=np.asarray(beta, dtype=np.float64),
        n_estimation=n_obs.astype(np.int64),
        residual_sd=sd,
        estimation_residuals=residuals,
        daily=daily,
        car=car,
        bhar=bhar,
        car_sd=np.where(complete, sd[:, None] * np.sqrt(variance), np.nan),
        variance_factor=np.where(complete, variance, np.nan),
        mean_weights=mean_weights,
        slope_weights=slope_weights,
        benchmark_deviation=deviation,
        n_dropped=dropped,
    )


# ---------------------------------------------------------------------- pooled tests


def _tails(statistic: float, claim: str, df: float | None) -> tuple[float, float]:
    """(p in the claim's direction, p in the other tail) of a t(df) or normal statistic."""
    import scipy.stats  # imported here: scipy.stats costs ~1 s to import

    if not math.isfinite(statistic):
        return math.nan, math.nan
    if df is None:
        upper, lower = float(scipy.stats.norm.sf(statistic)), float(scipy.stats.norm.cdf(statistic))
    else:
        upper, lower = float(scipy.stats.t.sf(statistic, df)), float(scipy.stats.t.cdf(statistic, df))
    return (upper, lower) if claim == GAINS else (lower, upper)


def _complete(ar: AbnormalReturns, horizon: int) -> tuple[int, np.ndarray]:
    j = ar.horizon_index(horizon)
    return j, np.isfinite(ar.car[:, j]) & np.isfinite(ar.car_sd[:, j])


def _n_series(ar: AbnormalReturns, mask: np.ndarray) -> int:
    return int(len(np.unique(ar.series[mask])))


def _mean_t(values: np.ndarray) -> float:
    n = len(values)
    if n < 2:
        return math.nan
    sd = float(values.std(ddof=1))
    return float(values.mean() / (sd / math.sqrt(n))) if sd > 0 else math.nan


def cross_sectional_t_test(ar: AbnormalReturns, horizon: int, *, claim: str = GAINS) -> PooledTest:
    """t = CAAR / (sd(CAR) / sqrt n), Student t(n - 1) (module docstring)."""
    check_claim(claim)
    j, mask = _complete(ar, horizon)
    car = ar.car[mask, j]
    n = len(car)
    statistic = _mean_t(car)
    p, p_other = _tails(statistic, claim, n - 1)
    estimate = float(car.mean()) if n else math.nan
    return PooledTest("cross_sectional_t", horizon, statistic, p, p_other, claim, n, _n_series(ar, mask), estimate,
                      (("df", float(n - 1)),))  # fmt: skip


def bmp_test(ar: AbnormalReturns, horizon: int, *, claim: str = GAINS) -> PooledTest:
    """Boehmer, Musumeci & Poulsen (1991): t = mean SCAR / (sd(SCAR) / sqrt n), t(n - 1)."""
    check_claim(claim)
    j, mask = _complete(ar, horizon)
    scar = ar.scar[mask, j]
    n = len(scar)
    statistic = _mean_t(scar)
    p, p_other = _tails(statistic, claim, n - 1)
    estimate = float(scar.mean()) if n else math.nan
    caar = float(ar.car[mask, j].mean()) if n else math.nan
    return PooledTest("bmp", horizon, statistic, p, p_other, claim, n, _n_series(ar, mask), estimate,
                      (("df", float(n - 1)), ("caar", caar)))  # fmt: skip


def average_residual_correlations(
    ar: AbnormalReturns,
    horizons: Sequence[int] | None = None,
    *,
    min_common_dates: int = DEFAULT_MIN_COMMON_DATES,
) -> dict[int, tuple[float, float]]:
    """{h: (r_h, r-bar)} for each of ``horizons`` (default: every horizon of ``ar``): the
    overlap-weighted average pairwise correlation of the events' estimation residuals that
    the Kolari-Pynnönen adjustment uses at h, and the plain average over every pair with
    enough common dates (module docstring). One pass over the pairs serves every horizon:
    the residual correlation of a pair does not depend on the horizon, and it is most of
    the cost."""
    check_scalar(min_common_dates, "min_common_dates", int, min_val=3)
    wanted = tuple(ar.horizons if horizons is None else horizons)
    columns = [ar.horizon_index(h) for h in wanted]
    complete = np.column_stack([_complete(ar, h)[1] for h in wanted]) if wanted else np.zeros((ar.n_events, 0), bool)
    order = np.argsort(ar.event_pos, kind="stable")
    weighted, unestimated, rho_sum, rho_count = pair_correlation_sums_nb(
        np.ascontiguousarray(ar.estimation_residuals[order]),
        np.ascontiguousarray(ar.mean_weights[order]),
        np.ascontiguousarray(ar.slope_weights[order]),
        np.ascontiguousarray(ar.benchmark_deviation[order][:, columns]),
        np.ascontiguousarray(ar.variance_factor[order][:, columns]),
        np.ascontiguousarray(ar.event_pos[order]),
        int(ar.estimation_window[0]),
        np.asarray(wanted, dtype=np.int64),
        np.ascontiguousarray(complete[order]),
        int(min_common_dates),
    )
    r_bar = float(rho_sum / rho_count) if rho_count else 0.0
    out = {}
    for j, h in enumerate(wanted):
        n = int(complete[:, j].sum())
        r_h = math.nan if n < 2 else float(2.0 * (weighted[j] + r_bar * unestimated[j]) / (n * (n - 1)))
        out[h] = (r_h, r_bar)
    return out


def average_residual_correlation(
    ar: AbnormalReturns, horizon: int, *, min_common_dates: int = DEFAULT_MIN_COMMON_DATES
) -> tuple[float, float]:
    """(r_h, r-bar) at one horizon (``average_residual_correlations``)."""
    return average_residual_correlations(ar, (horizon,), min_common_dates=min_common_dates)[horizon]


def kolari_pynnonen_test(
    ar: AbnormalReturns,
    horizon: int,
    *,
    claim: str = GAINS,
    min_common_dates: int = DEFAULT_MIN_COMMON_DATES,
    correlation: tuple[float, float] | None = None,
) -> PooledTest:
    """Kolari & Pynnönen (2010): t_BMP sqrt((1 - r) / (1 + (n - 1) r)), t(n - 1), with the
    overlap-weighted r of ``average_residual_correlation`` (module docstring);
    ``correlation``: that (r_h, r-bar) when already computed for every horizon at once."""
    bmp = bmp_test(ar, horizon, claim=claim)
    r_h, r_bar = correlation or average_residual_correlation(ar, horizon, min_common_dates=min_common_dates)
    n = bmp.n_events
    factor = math.sqrt((1.0 - r_h) / (1.0 + (n - 1) * r_h)) if n >= 2 and -1.0 / (n - 1) < r_h < 1.0 else math.nan
    statistic = bmp.statistic * factor
    p, p_other = _tails(statistic, claim, n - 1)
    return PooledTest("kolari_pynnonen", horizon, statistic, p, p_other, claim, n, bmp.n_series, bmp.estimate,
                      (("df", float(n - 1)), ("r_h", r_h), ("r_bar", r_bar)))  # fmt: skip


def rank_test(ar: AbnormalReturns, horizon: int, *, claim: str = GAINS) -> PooledTest:
    """Campbell & Wasley (1993) cumulative Corrado rank test, standard normal (module
    docstring). Ranks are over the estimation window and days 1..max(horizons)."""
    check_claim(claim)
    j, mask = _complete(ar, horizon)
    centred, finite = centred_ranks(ar.estimation_residuals[mask], ar.daily[mask])
    return rank_test_from_sums(
        centred.sum(axis=0),
        finite.sum(axis=0),
        int(mask.sum()),
        _n_series(ar, mask),
        horizon,
        ar.estimation_residuals.shape[1],
        claim=claim,
    )


def centred_ranks(estimation_residuals: np.ndarray, daily: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(U, finite): per event (row), U_it = K_it / (M_i + 1) - 1/2 of its ARs over the
    estimation window then days 1..H (0 where missing), and where they are finite. Each row
    depends on its own event only, so a series' rows can be computed with that series alone."""
    import scipy.stats

    combined = np.concatenate([estimation_residuals, daily], axis=1)
    finite = np.isfinite(combined)
    if not len(combined):
        return np.zeros(combined.shape), finite
    ranks = scipy.stats.rankdata(np.where(finite, combined, np.inf), axis=1)  # NaNs rank last, then masked
    count = finite.sum(axis=1, keepdims=True)
    return np.where(finite, ranks / (count + 1.0) - 0.5, 0.0), finite


def rank_test_from_sums(
    rank_sum: np.ndarray,
    rank_count: np.ndarray,
    n_events: int,
    n_series: int,
    horizon: int,
    estimation_width: int,
    *,
    claim: str = GAINS,
) -> PooledTest:
    """The rank test from the sums over events of ``centred_ranks`` per relative day
    (``rank_sum``, events added in series then date order) and the events with each day
    (``rank_count``): all it needs of the events, so a stream of series can accumulate them."""
    n = n_events
    if n == 0:
        return PooledTest("rank", horizon, math.nan, math.nan, math.nan, claim, 0, 0, math.nan)
    n_t = rank_count
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_t = np.where(n_t > 0, rank_sum / n_t, 0.0)
    days = n_t > 0
    scale = math.sqrt(float((n_t[days] / n * mean_t[days] ** 2).sum() / days.sum()))
    event_days = slice(estimation_width, estimation_width + horizon)
    statistic = float(mean_t[event_days].sum() / (math.sqrt(horizon) * scale)) if scale > 0 else math.nan
    p, p_other = _tails(statistic, claim, None)
    return PooledTest("rank", horizon, statistic, p, p_other, claim, n, n_series,
                      float(mean_t[event_days].mean()), (("rank_sd", scale),))  # fmt: skip


def generalized_sign_test(ar: AbnormalReturns, horizon: int, *, claim: str = GAINS) -> PooledTest:
    """Cowan (1992): Z = (w - n p) / sqrt(n p (1 - p)), standard normal (module docstring)."""
    check_claim(claim)
    j, mask = _complete(ar, horizon)
    residuals = ar.estimation_residuals[mask]
    n = int(mask.sum())
    with np.errstate(invalid="ignore"):
        share = (residuals > 0).sum(axis=1) / np.isfinite(residuals).sum(axis=1)
    p_hat = float(share.mean()) if n else math.nan
    positive = int((ar.car[mask, j] > 0).sum())
    statistic = (positive - n * p_hat) / math.sqrt(n * p_hat * (1 - p_hat)) if n and 0 < p_hat < 1 else math.nan
    p, p_other = _tails(statistic, claim, None)
    return PooledTest("generalized_sign", horizon, float(statistic), p, p_other, claim, n, _n_series(ar, mask),
                      positive / n if n else math.nan, (("p_hat", p_hat), ("positive", float(positive))))  # fmt: skip


def series_calendar_returns(event_pos: np.ndarray, daily: np.ndarray, horizon: int, n_days: int) -> np.ndarray:
    """One series' ARs in the calendar-time portfolio at ``horizon``: float64[n_days], the AR
    of its most recent event in the last ``horizon`` days, NaN on days it is out. ``event_pos``
    and ``daily`` are that series' events in date order (``AbnormalReturns`` rows)."""
    series_ar = np.full(n_days, np.nan)
    for e in range(len(event_pos)):
        first = int(event_pos[e]) + 1
        last = min(first + horizon, n_days)
        series_ar[first:last] = daily[e, : last - first]
    return series_ar


def calendar_time_portfolio(ar: AbnormalReturns, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean AR, number of series) per calendar day of the calendar-time portfolio at
    ``horizon`` (module docstring); the mean is NaN on days no series is in it. Each
    series' days are filled event by event in date order, so its most recent event wins."""
    ar.horizon_index(horizon)
    total = np.zeros(ar.n_days)
    count = np.zeros(ar.n_days, dtype=np.int64)
    by_series = np.argsort(ar.series, kind="stable")  # events stay in date order within a series
    boundaries = np.flatnonzero(np.diff(ar.series[by_series])) + 1
    for events in np.split(by_series, boundaries):
        if not len(events):
            continue
        series_ar = series_calendar_returns(ar.event_pos[events], ar.daily[events], horizon, ar.n_days)
        finite = np.isfinite(series_ar)
        total += np.where(finite, series_ar, 0.0)
        count += finite
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan), count


def calendar_time_test(
    ar: AbnormalReturns, horizon: int, *, claim: str = GAINS, maxlags: int | None = None
) -> PooledTest:
    """Calendar-time portfolio t test with Newey-West standard errors (module docstring)."""
    check_claim(claim)
    portfolio, count = calendar_time_portfolio(ar, horizon)
    in_portfolio = ar.event_pos < ar.n_days - 1
    return calendar_time_test_from_portfolio(
        portfolio, count, int(in_portfolio.sum()), _n_series(ar, in_portfolio), horizon, claim=claim, maxlags=maxlags
    )


def calendar_time_test_from_portfolio(
    portfolio: np.ndarray,
    count: np.ndarray,
    n_events: int,
    n_series: int,
    horizon: int,
    *,
    claim: str = GAINS,
    maxlags: int | None = None,
) -> PooledTest:
    """The calendar-time test from the portfolio's daily mean AR and series count
    (``calendar_time_portfolio``), ``n_events`` / ``n_series`` the events (and their series)
    that enter it: what a stream of series accumulates by date."""
    check_claim(claim)
    days = np.isfinite(portfolio)
    values = portfolio[days]
    n_obs = len(values)
    lags = int(4 * (n_obs / 100) ** (2 / 9)) if maxlags is None else check_scalar(maxlags, "maxlags", int, min_val=0)
    alternative = "greater" if claim == GAINS else "less"
    result = hac_mean_test(values, lags, alternative=alternative)
    return PooledTest(
        "calendar_time",
        horizon,
        result.statistic,
        result.pvalue,
        result.pvalue_opposite,
        claim,
        n_events,
        n_series,
        result.estimate,
        (
            ("maxlags", float(lags)),
            ("n_days", float(n_obs)),
            ("mean_series_per_day", float(count[days].mean()) if n_obs else math.nan),
        ),
    )


def pooled_tests(
    ar: AbnormalReturns,
    *,
    claim: str = GAINS,
    min_common_dates: int = DEFAULT_MIN_COMMON_DATES,
    calendar_maxlags: int | None = None,
) -> PooledEventStudy:
    """Every test of ``POOLED_TESTS`` at every horizon of ``ar``.

    Parameters
    ----------
    ar : AbnormalReturns
        The events' abnormal returns (``abnormal_returns``).
    claim : {"gains", "losses"}
        Direction of the one-sided p-values (the other tail is reported as well).
    min_common_dates : int
        Fewest common estimation dates for a pairwise residual correlation (Kolari-Pynnönen).
    calendar_maxlags : int, optional
        Newey-West lags of the calendar-time test (default floor(4 (T / 100)^(2/9))).

    Returns
    -------
    PooledEventStudy
        One ``PooledTest`` per (test, horizon), with ``to_frame()`` and ``summary()``.
    """
    check_claim(claim)
    correlations = average_residual_correlations(ar, min_common_dates=min_common_dates)
    results = []
    for horizon in ar.horizons:
        results += [
            cross_sectional_t_test(ar, horizon, claim=claim),
            bmp_test(ar, horizon, claim=claim),
            kolari_pynnonen_test(ar, horizon, claim=claim, correlation=correlations[horizon]),
            rank_test(ar, horizon, claim=claim),
            generalized_sign_test(ar, horizon, claim=claim),
            calendar_time_test(ar, horizon, claim=claim, maxlags=calendar_maxlags),
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


# ------------------------------------------------------------- panel circular shifts


@dataclass(frozen=True, eq=False)
class PanelShiftTest:
    """The circular-shift test of a panel at one horizon (``panel_shift_test``).

    statistic: the pooled mean forward value of the events; pvalue: the share of shifts
    (identity included) whose pooled mean is at least it (at most, for "losses");
    pvalue_opposite: the same share in the other tail; null: the pooled mean of every shift
    s = 0 .. L-1 (row 0 the events), NaN shifts left out."""

    __test__ = False

    statistic: float
    pvalue: float
    pvalue_opposite: float
    claim: str
    n_events: int
    n_series: int
    n_null: int
    null: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "test": "panel_circular_shift",
            "statistic": float(self.statistic),
            "pvalue": float(self.pvalue),
            "pvalue_opposite": float(self.pvalue_opposite),
            "claim": self.claim,
            "n_events": int(self.n_events),
            "n_series": int(self.n_series),
            "n_null": int(self.n_null),
        }


def forward_sums(values: np.ndarray, horizon: int) -> np.ndarray:
    """Each day t's sum of ``values`` over days t+1..t+h (NaN if any is missing or past the end)."""
    out = np.full(len(values), np.nan)
    if len(values) <= horizon:
        return out
    filled = np.concatenate([[0.0], np.cumsum(np.nan_to_num(values))])
    missing = np.concatenate([[0], np.cumsum(~np.isfinite(values))])
    t = np.arange(len(values) - horizon)
    sums = filled[t + horizon + 1] - filled[t + 1]
    gaps = missing[t + horizon + 1] - missing[t + 1]
    out[t] = np.where(gaps == 0, sums, np.nan)
    return out


def daily_abnormal_returns(returns: np.ndarray, market: np.ndarray | None, model: str) -> np.ndarray:
    """Each calendar day's abnormal return for the shift test's null, where no event fixes an
    estimation window: the market model with the series' beta over the whole sample (its
    alpha, a constant, moves every shift's mean alike and cannot change the p-value), the
    market-adjusted return, or the return itself (mean adjusted and raw: a constant apart)."""
    if market is None or model in ("mean_adjusted", "raw"):
        return returns
    if model == "market_adjusted":
        return returns - market
    both = np.isfinite(returns) & np.isfinite(market)
    if both.sum() < 3 or np.var(market[both]) == 0:
        return returns - market
    beta = float(np.cov(returns[both], market[both])[0, 1] / np.var(market[both], ddof=1))
    return returns - beta * market


def panel_shifted_means(forward_values: object, events: object) -> np.ndarray:
    """Pooled mean of ``forward_values`` over every series' events shifted together by
    s = 0 .. L-1 rows (circularly), NaN windows left out: float64[L].

    forward_values: (L days x series), e.g. each day's h-day forward abnormal return, NaN
    where incomplete; events: one array of row positions per series. Each series' shifted
    sums come from ``backtest.stats.nb.shifted_means_nb`` (the single-series kernel, mean
    times count), so the panel adds sums and counts across series."""
    panel = _as_panel("forward_values", forward_values)
    n_days, n_series = panel.shape
    totals = np.zeros(n_days)
    counts = np.zeros(n_days)
    for i, rows in enumerate(_event_sets(events, n_series, n_days)):
        if not len(rows):
            continue
        column = np.ascontiguousarray(panel[:, i : i + 1])
        means = stats_nb.shifted_means_nb(column, rows)[:, 0]
        kept = np.rint(stats_nb.shifted_means_nb(np.isfinite(column).astype(np.float64), rows)[:, 0] * len(rows))
        totals += np.where(kept > 0, np.nan_to_num(means) * kept, 0.0)
        counts += kept
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1.0), np.nan)


def panel_shift_test(forward_values: object, events: object, *, claim: str = GAINS) -> PanelShiftTest:
    """The primary circular-shift test (``backtest.stats.joint``) extended to panels.

    Every series' events shift by the same s (days i -> (i + s) mod L, s = 1 .. L-1, the
    same eligible shifts as the single-series test), so the events' clustering across
    series and in time is kept; p = #{s in 0..L-1: S_s >= S_0} / L, the identity counted
    once, ties counted against the claim (S_s <= S_0 for "losses"). The rows must be the
    sample window's days on one calendar for all series (a series' missing days NaN).

    Parameters
    ----------
    forward_values : array (days, series)
        Each day's forward value at one horizon (e.g. the h-day forward abnormal return),
        NaN where the window is incomplete or the series has no data.
    events : sequence of int arrays
        The events' rows, one array per series.
    claim : {"gains", "losses"}
        The tail of the p-value.

    Returns
    -------
    PanelShiftTest
    """
    check_claim(claim)
    null_all = panel_shifted_means(forward_values, events)
    panel = _as_panel("forward_values", forward_values)
    sets = _event_sets(events, panel.shape[1], panel.shape[0])
    n_events = int(sum(np.isfinite(panel[rows, i]).sum() for i, rows in enumerate(sets)))
    observed = float(null_all[0])
    null = null_all[np.isfinite(null_all)]
    pvalue = pvalue_opposite = math.nan
    if math.isfinite(observed) and len(null):
        upper = float(np.count_nonzero(null >= observed) / len(null))
        lower = float(np.count_nonzero(null <= observed) / len(null))
        pvalue, pvalue_opposite = (upper, lower) if claim == GAINS else (lower, upper)
    return PanelShiftTest(
        statistic=observed,
        pvalue=pvalue,
        pvalue_opposite=pvalue_opposite,
        claim=claim,
        n_events=n_events,
        n_series=int(sum(1 for rows in sets if len(rows))),
        n_null=len(null),
        null=null,
    )
