"""Calibration of the tests by simulation: size under a no-signal null and power under
planted effects, through the project's own pipeline (``run_event_study`` -> tests).

Inputs: a real close series (its trading calendar and its daily drift and volatility), event
rules, claim horizons, a null model ("gbm": i.i.d. normal log returns; "garch_t": GARCH(1,1)
with Student-t innovations fitted to the series by ``arch``, Bollerslev 1986 / 1987, drifting
at the series' sample mean daily log return like the GBM, not at the fitted t location), a
number of replications and a seed. Output: ``Calibration`` with one row per (test, horizon, planted
effect) giving the rejection rate and its Monte Carlo standard error.

On simulated paths the crosses carry no information about future returns by construction
(the paths have no serial dependence in the mean), so every rejection is a false one. A
planted effect adds delta to each event's forward return at every claim horizon: it moves
the calendar-overlap t by delta / SE and the joint statistic by sum_h delta / sd_h while the
shifted (null) sets, which sit on other dates, are unchanged, so power is read off the same
replications without re-simulating.

``fragility_calibration`` does the same for the verdict itself (``FRAGILITY_RULE``): on each
path the primary test is rebuilt as a claim builds it and re-run with every calendar year
left out, and ``FragilityCalibration`` gives the rates of "supported" and "supported,
fragile" under no effect, an effect on every event, and the same total effect in one year.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.checks import available_memory, check_memory, check_scalar
from backtest.errors import ParameterError
from backtest.events import EventRules, run_event_study
from backtest.events.rules import DEFAULT_HORIZONS
from backtest.stats import nb as stats_nb
from backtest.stats._rng import check_seed, seed_from
from backtest.stats.baseline import eligible_days, unconditional_baseline, window_days
from backtest.stats.bootstrap import bootstrap_path_tests, resolve_mean_block, return_pool, typical_window_days
from backtest.stats.cost import check_calibration_memory
from backtest.stats.joint import study_joint_shift_test
from backtest.stats.montecarlo import check_count, random_entry_tests
from backtest.stats.overlap import overlap_mean_test
from backtest.stats.power import formula_drift_mde
from backtest.stats.robustness import (
    FRAGILITY_RULE,
    LEAVE_ONE_YEAR_OUT,
    ShiftPrimary,
    mask_specifications,
    robustness_panel,
)
from backtest.stats.verdict import DEFAULT_ALPHA, GAINS, MIN_EVENTS, check_claim
from backtest.threads import run_in_threads

NULL_MODELS: tuple[str, ...] = ("gbm", "garch_t")
DEFAULT_EFFECTS: tuple[float, ...] = (0.0, 0.025, 0.05, 0.10)

METHOD_VERSION = 1
"""The version of ``calibrate``'s method: bump it when the same inputs would give other
rejection rates (a stored calibration, ``backtest.claims.calibration_store``, is keyed by it
as well as by the code it runs through)."""
"""Planted added returns (0 = size), the same at every claim horizon."""


@dataclass(frozen=True, eq=False)
class Calibration:
    """Rejection rates by simulation. ``table``: one row per (null_model, test, horizon,
    effect) with columns rejection_rate, mc_standard_error, n_replications; test
    "primary_joint_shift" (horizon "3m-12m" or the claim's span), and the secondary tests,
    unadjusted, per horizon: "overlap_t_excess", "overlap_t_mean" (question A, GBM only),
    "shift_by_horizon" (size only), "random_entry_plain" (when n_draws), "bootstrap_paths_excess"
    (when n_paths), "sign_vs_all_days_median" and "wilcoxon_vs_all_days_median"."""

    table: pd.DataFrame = field(repr=False)
    alpha: float
    n_replications: int
    seed: int
    horizons: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, object]:
        return {
            "alpha": self.alpha,
            "n_replications": self.n_replications,
            "seed": self.seed,
            "horizons": list(self.horizons),
            "rows": self.table.to_dict(orient="records"),
        }

    def summary(self) -> str:
        wide = self.table.pivot_table(
            index=["null_model", "test", "horizon"], columns="effect", values="rejection_rate"
        )
        wide.columns = [f"+{c:.1%}" if c else "size" for c in wide.columns]
        return (
            f"Calibration: {self.n_replications} replications per null model, alpha {self.alpha}, seed {self.seed}\n"
            + wide.to_string(float_format=lambda v: f"{v:.3f}")
        )


def garch_t_returns(
    params: np.ndarray, n_obs: int, rng: np.random.Generator, *, initial_variance: float, burn: int = 500
) -> np.ndarray:
    """``n_obs`` returns of arch's ``ConstantMean(volatility=GARCH(), distribution=StudentsT(seed=rng))``
    with ``params`` (mu, omega, alpha, beta, nu): ``simulate(params, n_obs, burn=burn,
    initial_value_vol=initial_variance)["data"]`` bit for bit, on the same draws of ``rng``
    (arch's Student-t shocks; ``stats_nb.garch_returns_nb`` runs the recursion). arch's mean
    model and its volatility model each discard ``burn`` days, so 2 * burn days are
    simulated before the first one kept."""
    from arch.univariate import StudentsT

    mu, omega, alpha, beta = (float(v) for v in params[:4])
    shocks = StudentsT(seed=rng).simulate(params[4:])(n_obs + 2 * burn)
    returns = stats_nb.garch_returns_nb(
        np.ascontiguousarray(shocks, dtype=float), omega, alpha, beta, 2.0, initial_variance
    )
    return returns[2 * burn :] + mu


def garch_t_null(log_returns: np.ndarray) -> tuple[np.ndarray, float]:
    """The GARCH-t null's parameters (mu, omega, alpha, beta, nu) for ``garch_t_returns``, in
    percent, and its starting variance: arch's ``ConstantMean(GARCH, StudentsT)`` fitted to
    100 x ``log_returns``, then two changes, both to keep the simulated paths like the data.

    Persistence: an integrated fit (the Russell 2000's: alpha + beta = 1.000) has a simulated
    variance that wanders without bound over 11,000 days; alpha + beta is capped at 0.99
    (half-life of a volatility shock ~70 days) with omega set for the sample variance, and the
    simulation starts at the sample variance. Drift: mu is the sample mean return, NOT the
    fitted Student-t location. The t fit puts its location near the median of the left-skewed
    daily returns, well above their mean (Russell 2000: 0.091 % against 0.035 % a day); paths
    rising that fast stay above their 200-day average, with 15 golden crosses per path since
    1985 instead of 28 (the data: 32), so the null was a different market."""
    from arch.univariate import GARCH, ConstantMean, StudentsT

    scaled = np.asarray(log_returns, dtype=float) * 100.0
    fitted = ConstantMean(scaled, volatility=GARCH(), distribution=StudentsT()).fit(disp="off")
    params = fitted.params.to_numpy().copy()
    variance = float(np.var(scaled))
    if params[2] + params[3] > 0.99:
        params[3] = 0.99 - params[2]
        params[1] = variance * (1.0 - 0.99)
    params[0] = float(scaled.mean())
    return params, variance


def calibrate(
    close: pd.Series,
    rules: EventRules,
    horizons: Sequence[str],
    *,
    null_model: str = "gbm",
    n_replications: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    effects: Sequence[float] = DEFAULT_EFFECTS,
    n_draws: int = 999,
    n_paths: int = 0,
) -> Calibration:
    """Size and power of the primary joint test and the per-horizon secondary tests on
    ``n_replications`` simulated paths on ``close``'s trading calendar (module docstring).
    n_draws: random-entry draws per path and horizon (0 skips that test); n_paths:
    bootstrapped price paths per simulated path (0, the default, skips the path null, which
    costs n_paths re-runs of the rule per horizon and simulated path)."""
    n_draws = check_count("n_draws", n_draws, minimum=0)
    n_paths = check_count("n_paths", n_paths, minimum=0)
    if null_model not in NULL_MODELS:
        raise ParameterError(f"null_model must be one of {', '.join(NULL_MODELS)}, got {null_model!r}")
    n_replications = check_count("n_replications", n_replications)
    # every replication keeps its nulls until the rates are read: refuse before simulating
    check_calibration_memory(len(close), len(tuple(horizons)), n_replications, n_draws, n_paths)
    rng = np.random.default_rng(seed)
    log_returns = np.diff(np.log(close.to_numpy(dtype=float)))
    if null_model == "garch_t":
        # fit once, simulate many: the fitted parameters are the null's
        params, variance0 = garch_t_null(log_returns)
    horizons = tuple(horizons)
    records: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    joint_rows: list[tuple[float, np.ndarray, float]] = []
    # Monte Carlo tests: (observed, null draws) per replication; a planted effect moves the
    # observed statistic only. Rank tests: the events' returns minus the all-days median.
    simulated_nulls: dict[tuple[str, str], list[tuple[float, np.ndarray]]] = {}
    rank_inputs: dict[str, list[np.ndarray]] = {}
    kept = 0
    pool_windows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for replication in range(n_replications):
        if null_model == "gbm":
            simulated = rng.normal(log_returns.mean(), log_returns.std(ddof=1), len(log_returns))
        else:
            simulated = garch_t_returns(params, len(log_returns), rng, initial_variance=variance0) / 100.0
        prices = pd.Series(100.0 * np.exp(np.concatenate([[0.0], np.cumsum(simulated)])), index=close.index)
        study = run_event_study(prices, rules)
        if study.n_events < 10:
            continue
        kept += 1
        eligible = eligible_days(study)
        baseline = unconditional_baseline(study, eligible)
        joint = study_joint_shift_test(study, eligible, baseline, horizons, alpha=alpha)
        joint_rows.append((joint.statistic, joint.null, sum(1.0 / sd for sd in joint.baseline_sd)))
        paths = (
            bootstrap_path_tests(study, n_paths=n_paths, seed=seed_from(seed, "calibration", "paths", replication))
            if n_paths
            else None
        )
        for j, label in enumerate(horizons):
            table = study.complete(label)
            ret = table[f"ret_{label}"].to_numpy(dtype=float)
            entry = table["entry_pos"].to_numpy(dtype=np.int64)
            windows = window_days(study, label, entry)
            if label not in pool_windows:  # the calendar, hence every eligible window, is the same on every path
                pool_entry = eligible.pool(label)["entry_pos"].to_numpy(dtype=np.int64)
                pool_windows[label] = (pool_entry, window_days(study, label, pool_entry))
            pool_entry, pool_window = pool_windows[label]
            test = overlap_mean_test(
                ret - baseline[label].mean,
                entry,
                windows,
                alpha=alpha,
                baseline_entry_pos=pool_entry,
                baseline_window_days=pool_window,
            )
            records.setdefault(("overlap_t_excess", label), []).append((test.statistic, test.standard_error, test.df))
            if null_model == "gbm":
                # question A's test against the path's true expected window return
                drift, vol = log_returns.mean(), log_returns.std(ddof=1)
                expected = float(np.mean(np.expm1(windows * (drift + 0.5 * vol * vol))))
                test_a = overlap_mean_test(ret, entry, windows, null_value=expected, alpha=alpha)
                records.setdefault(("overlap_t_mean", label), []).append(
                    (test_a.statistic, test_a.standard_error, test_a.df)
                )
            records.setdefault(("shift_by_horizon", label), []).append((joint.pvalue_by_horizon[j], np.nan, np.nan))
            rank_inputs.setdefault(label, []).append(ret - baseline[label].median)
            if n_draws:
                mean = random_entry_tests(
                    study,
                    label,
                    n_draws=n_draws,
                    seed=seed_from(seed, "calibration", "random_entry", replication),
                    eligible=eligible,
                )["mean"]
                simulated_nulls.setdefault(("random_entry_plain", label), []).append((mean.statistic, mean.null))
            if paths is not None:
                mean = paths.tests[label]["mean"]
                simulated_nulls.setdefault(("bootstrap_paths_excess", label), []).append((mean.statistic, mean.null))
    if kept == 0:
        raise ParameterError("no simulated path had 10 or more events; use a longer series")
    import scipy.stats  # only when a calibration is computed, not when one is read from a store

    rows = []
    span = f"{horizons[0]}-{horizons[-1]}"
    for effect in effects:
        rejected = []
        for statistic, null, inverse_sd in joint_rows:
            shifted = statistic + effect * inverse_sd
            rejected.append(np.count_nonzero(null >= shifted) / len(null) <= alpha)
        rows.append(_row(null_model, "primary_joint_shift", span, effect, rejected))
        for (test, label), values in records.items():
            if test in ("overlap_t_excess", "overlap_t_mean"):
                rejected = [np.isfinite(t) and scipy.stats.t.sf(t + effect / se, df) < alpha for t, se, df in values]
            elif effect == 0.0:
                rejected = [p <= alpha for p, _, _ in values]
            else:
                continue  # per-horizon shift power needs the null draws; the primary test is the one powered
            rows.append(_row(null_model, test, label, effect, rejected))
        for (test, label), values in simulated_nulls.items():
            rejected = []
            for observed, null in values:
                finite = null[np.isfinite(null)]
                rejected.append((1 + np.count_nonzero(finite >= observed + effect)) / (1 + len(finite)) <= alpha)
            rows.append(_row(null_model, test, label, effect, rejected))
        for label, diffs in rank_inputs.items():
            # both rank tests are centred on the all-days MEDIAN (a sign test and
            # Wilcoxon's signed-rank test are about a median-like centre, not the mean)
            sign = [
                scipy.stats.binomtest(int(np.count_nonzero(d + effect > 0)), len(d), 0.5, alternative="greater").pvalue
                <= alpha
                for d in diffs
            ]
            rows.append(_row(null_model, "sign_vs_all_days_median", label, effect, sign))
            signed_rank = [
                np.count_nonzero(d + effect) >= 2
                and scipy.stats.wilcoxon(d + effect, alternative="greater").pvalue <= alpha
                for d in diffs
            ]
            rows.append(_row(null_model, "wilcoxon_vs_all_days_median", label, effect, signed_rank))
    return Calibration(pd.DataFrame(rows), alpha=float(alpha), n_replications=kept, seed=seed, horizons=horizons)


def _row(model: str, test: str, horizon: str, effect: float, rejected: list[bool]) -> dict[str, object]:
    rate = float(np.mean(rejected))
    return {
        "null_model": model,
        "test": test,
        "horizon": horizon,
        "effect": float(effect),
        "rejection_rate": rate,
        "mc_standard_error": float(np.sqrt(rate * (1.0 - rate) / len(rejected))),
        "n_replications": len(rejected),
    }


FRAGILITY_NULL_MODELS: tuple[str, ...] = ("gbm", "garch_t", "bootstrap")
"""Null models of ``fragility_calibration``: ``calibrate``'s two, and "bootstrap", the
stationary bootstrap of the series' own daily log returns with the path null's block rule."""
NO_EFFECT = "no effect"
EVERY_EVENT = "every event"
ONE_YEAR = "one year"
FRAGILITY_SCENARIOS: tuple[str, ...] = (NO_EFFECT, EVERY_EVENT, ONE_YEAR)
"""What is planted on a simulated path: nothing (size); ``effect`` added to every event's
forward return at every judged horizon (a robust effect); the same total added return
concentrated on the events of one year (an effect a reader should see flagged as fragile)."""
DEFAULT_FRAGILITY_EFFECTS_IN_MDE: tuple[float, ...] = (1.0, 2.0)
"""Default planted effects of ``fragility_calibration``, in multiples of the joint test's
formula MDE on the data (``backtest.stats.power.formula_drift_mde``)."""


@dataclass(frozen=True, eq=False)
class FragilityCalibration:
    """Rates of the verdicts the fragility rule gives on simulated paths
    (``fragility_calibration``).

    table: one row per (scenario, effect) with columns null_model, scenario
    (``FRAGILITY_SCENARIOS``), effect (the added return per event at every judged horizon, in
    the claim's direction; for "one year" the same total, concentrated), effect_in_mde (effect /
    formula_mde), n_paths (paths with at least ``MIN_EVENTS`` events, the rates' denominator),
    mean_events, rejection_rate (the primary test rejects), supported_rate (rejects and
    survives leaving out every single year), fragile_rate ("supported, fragile"), fragile_share
    (fragile / rejections; NaN without a rejection), planted_year_named (for "one year": the
    share of fragile flags whose largest leave-one-year-out p is the planted year's), and the
    binomial Monte Carlo standard errors rejection_se, supported_se, fragile_share_se.
    formula_mde: the joint test's formula MDE on the data, as one added return at every judged
    horizon; mean_block: the bootstrap's mean block (None for the parametric nulls)."""

    table: pd.DataFrame = field(repr=False)
    null_model: str
    claim: str
    alpha: float
    n_replications: int
    n_paths: int
    seed: int
    horizons: tuple[str, ...]
    formula_mde: float
    mean_block: float | None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, object]:
        return {
            "null_model": self.null_model,
            "claim": self.claim,
            "alpha": self.alpha,
            "n_replications": self.n_replications,
            "n_paths": self.n_paths,
            "seed": self.seed,
            "horizons": list(self.horizons),
            "formula_mde": self.formula_mde,
            "mean_block": self.mean_block,
            "rule": FRAGILITY_RULE,
            "rows": self.table.to_dict(orient="records"),
        }

    def summary(self) -> str:
        block = f", mean block {self.mean_block:g} days" if self.mean_block is not None else ""
        lines = [
            f"Fragility rule: {self.null_model}{block}, {self.n_paths} of {self.n_replications} paths with "
            f">= {MIN_EVENTS} events, alpha {self.alpha:g}, seed {self.seed}; formula MDE {self.formula_mde:+.2%}",
            f"{'scenario':<12} {'effect':>8} {'xMDE':>5} {'rejects':>8} {'supported':>10} {'fragile':>8} "
            f"{'fragile/rej':>12} {'planted yr':>11}",
        ]
        for r in self.table.itertuples(index=False):
            share = f"{r.fragile_share:.1%}" if np.isfinite(r.fragile_share) else "–"
            named = f"{r.planted_year_named:.1%}" if np.isfinite(r.planted_year_named) else "–"
            lines.append(
                f"{r.scenario:<12} {r.effect:>+8.2%} {r.effect_in_mde:>5.1f} {r.rejection_rate:>8.1%} "
                f"{r.supported_rate:>10.1%} {r.fragile_rate:>8.1%} {share:>12} {named:>11}"
            )
        return "\n".join(lines)


def planted_returns(primary: ShiftPrimary, scenario: str, effect: float) -> tuple[np.ndarray, int | None]:
    """(added returns, the same shape as ``primary.forward_returns``; the planted year or None)
    of ``scenario`` with ``effect`` (signed: in the claim's direction).

    "every event": ``effect`` on every event's row at every judged horizon. "one year": at
    each horizon the same total, ``effect`` times the number of complete events there, shared
    equally by the complete events of the year with the most events complete at every judged
    horizon (the earliest on a tie), so the events' mean moves by ``effect`` as in "every
    event" but all of it comes from one year. The year is the event day's calendar year, the
    year ``mask_specifications`` leaves out with it."""
    fwd = np.asarray(primary.forward_returns, dtype=float)
    rows = np.asarray(primary.event_rows, dtype=np.int64)
    plant = np.zeros_like(fwd)
    if scenario == NO_EFFECT or effect == 0.0:
        return plant, None
    if scenario == EVERY_EVENT:
        plant[rows] = effect
        return plant, None
    if scenario != ONE_YEAR:
        raise ParameterError(f"scenario must be one of {', '.join(FRAGILITY_SCENARIOS)}, got {scenario!r}")
    complete = np.isfinite(fwd[rows])
    years = primary.day_dates.year.to_numpy()[rows]
    candidates, counts = np.unique(years[complete.all(axis=1)], return_counts=True)
    if not len(candidates):
        raise ParameterError("no event is complete at every judged horizon: there is no year to plant an effect in")
    year = int(candidates[np.argmax(counts)])
    in_year = years == year
    for j in range(fwd.shape[1]):
        share = complete[:, j] & in_year
        plant[rows[share], j] = effect * complete[:, j].sum() / share.sum()
    return plant, year


def _leave_one_year_out_masks(day_dates: pd.DatetimeIndex) -> list[tuple[str, str, np.ndarray]]:
    return [m for m in mask_specifications(day_dates) if m[0] == LEAVE_ONE_YEAR_OUT]


def _verdict_on(
    primary: ShiftPrimary, masks: Sequence[tuple[str, str, np.ndarray]], plant: np.ndarray
) -> tuple[int, int, str]:
    """(rejects, fragile, label of the largest leave-one-year-out p) of the primary test with
    ``plant`` added to its forward returns: the claim's row and, only when it rejects (the
    rule reads them only then), every leave-one-year-out row, through ``robustness_panel``."""
    test = dataclasses.replace(primary, forward_returns=primary.forward_returns + plant)
    if not test.evaluate().significant(test.alpha):
        return 0, 0, ""
    fragility = robustness_panel(test, alpha=test.alpha, masks=masks).fragility()
    worst = "" if fragility.worst is None else fragility.worst.label
    return 1, int(fragility.fragile), worst


def fragility_calibration(
    close: pd.Series,
    rules: EventRules,
    horizons: Sequence[str],
    *,
    null_model: str = "gbm",
    n_replications: int = 200,
    seed: int = 0,
    effects: Sequence[float] | None = None,
    alpha: float = DEFAULT_ALPHA,
    claim: str = GAINS,
) -> FragilityCalibration:
    """Size and power of ``FRAGILITY_RULE``: how often a claim is "supported" and "supported,
    fragile" on ``n_replications`` simulated paths on ``close``'s trading calendar.

    On each path the rule runs through ``run_event_study`` (paths with fewer than
    ``MIN_EVENTS`` events are skipped, as in ``calibrate``), the joint circular-shift primary
    test is built as the claims layer builds it (``ShiftPrimary.from_study``) over the judged
    ``horizons``, and each scenario of ``FRAGILITY_SCENARIOS`` is planted in the events'
    forward returns (``planted_returns``; the all-days baseline and the shifted sets that land
    on an event's row see the planted return too, as a real effect's days are days). The
    verdict is then read as a report reads it: the primary test, and when it rejects the
    leave-one-year-out rows through ``robustness_panel(...).fragility()``. Under no effect the
    "supported" rate is the rule's size (at most the primary's); under an effect on every event
    few rejections should be flagged; under the same effect in one year most should.

    null_model: one of ``FRAGILITY_NULL_MODELS``. "gbm" and "garch_t" are ``calibrate``'s
    (i.i.d. normal log returns with the series' drift and volatility; ``garch_t_null``), with
    path b drawn from ``seed_from(seed, "fragility", null_model, b)``; "bootstrap" resamples
    the daily log returns of the rules' event period (``bootstrap.return_pool``) with the
    stationary bootstrap, the mean block of the path null's rule at the longest judged horizon
    (``horizon_block_length``), path b from ``seed_from(seed, "fragility", "bootstrap")``.
    Long blocks replay stretches of the real history, so a price-path rule fires on a path
    mostly where it fired on the data, followed by what followed there: the paths carry the
    data's own association, and the size under this null is the rule's size given that.
    effects: added returns per event (>= 0, in the claim's direction; 0 is the no-effect row);
    default ``DEFAULT_FRAGILITY_EFFECTS_IN_MDE`` times the formula MDE of the joint test on
    the data. claim: "gains" or "losses" (the effects are then subtracted, the test is
    lower-tailed)."""
    if null_model not in FRAGILITY_NULL_MODELS:
        raise ParameterError(f"null_model must be one of {', '.join(FRAGILITY_NULL_MODELS)}, got {null_model!r}")
    n_replications = check_count("n_replications", n_replications)
    seed = check_seed(seed)
    alpha = check_scalar(alpha, "alpha", float, min_val=0.0, max_val=0.5, include_boundaries="neither")
    claim = check_claim(claim)
    alternative = "greater" if claim == GAINS else "less"
    judged = tuple(horizons)
    by_label = {h.label: h for h in DEFAULT_HORIZONS}
    if not judged or any(label not in by_label for label in judged) or len(set(judged)) < len(judged):
        raise ParameterError(f"horizons must be distinct labels of {', '.join(by_label)}, got {judged!r}")
    study_horizons = tuple(by_label[label] for label in judged)

    # the data's own study: the formula MDE (the effects' scale) and the sample days (the same
    # calendar, hence the same leave-one-year-out masks, on every path)
    data_study = run_event_study(close, rules, study_horizons)
    data_primary = ShiftPrimary.from_study(data_study, judged, alternative=alternative, alpha=alpha)
    eligible = eligible_days(data_study)
    formula = math.nan
    if data_study.n_events and all(len(data_study.complete(label)) for label in judged):
        joint = study_joint_shift_test(
            data_study,
            eligible,
            unconditional_baseline(data_study, eligible),
            judged,
            alternative=alternative,
            alpha=alpha,
        )
        formula = formula_drift_mde(joint.mde)
    if effects is None:
        if not math.isfinite(formula):
            raise ParameterError("the joint test's formula MDE is not defined on the data: give the effects")
        effects = tuple(m * formula for m in DEFAULT_FRAGILITY_EFFECTS_IN_MDE)
    sizes = sorted(
        {check_scalar(e, "effects", float, min_val=0.0, must="be added returns >= 0") for e in effects} - {0.0}
    )
    scenarios = [(NO_EFFECT, 0.0)] + [(name, e) for e in sizes for name in (EVERY_EVENT, ONE_YEAR)]
    # the outcomes below, refused before any path is simulated
    check_memory(
        8.0 * n_replications * (1 + 3 * len(scenarios)),
        f"a fragility calibration of {n_replications:,} replications and {len(scenarios)} scenarios",
        "lower n_replications or the number of effects",
        available_memory(),
    )
    sign = 1.0 if claim == GAINS else -1.0
    masks = _leave_one_year_out_masks(data_primary.day_dates)

    values = close.to_numpy(dtype=float)
    log_returns = np.diff(np.log(values))
    mean_block: float | None = None
    if null_model == "garch_t":
        params, variance0 = garch_t_null(log_returns)
    elif null_model == "bootstrap":
        lo, hi = return_pool(close, rules)
        pool = log_returns[lo : hi + 1]
        windows = [typical_window_days(close.index, h) for h in study_horizons]
        mean_block = resolve_mean_block(None, max(windows), len(pool))
        path_seed = seed_from(seed, "fragility", "bootstrap")

    def simulated_returns(b: int) -> np.ndarray:
        if null_model == "bootstrap":
            draw = stats_nb.stationary_bootstrap_draw_nb(len(log_returns), len(pool), mean_block, path_seed, b)
            return pool[draw]
        rng = np.random.default_rng(seed_from(seed, "fragility", null_model, b))
        if null_model == "gbm":
            return rng.normal(log_returns.mean(), log_returns.std(ddof=1), len(log_returns))
        return garch_t_returns(params, len(log_returns), rng, initial_variance=variance0) / 100.0

    # per path: events (-1: skipped), then per scenario (rejects, fragile, planted year named)
    n_events = np.full(n_replications, -1, dtype=np.int64)
    outcome = np.zeros((n_replications, len(scenarios), 3), dtype=np.int64)

    def fill(start: int, stop: int) -> None:
        for b in range(start, stop):
            path = values[0] * np.exp(np.concatenate(([0.0], np.cumsum(simulated_returns(b)))))
            study = run_event_study(pd.Series(path, index=close.index), rules, study_horizons)
            if study.n_events < MIN_EVENTS:
                continue
            primary = ShiftPrimary.from_study(study, judged, alternative=alternative, alpha=alpha)
            n_events[b] = study.n_events
            for k, (scenario, effect) in enumerate(scenarios):
                plant, year = planted_returns(primary, scenario, sign * effect)
                rejects, fragile, worst = _verdict_on(primary, masks, plant)
                outcome[b, k] = rejects, fragile, int(fragile and year is not None and worst == f"without {year}")

    # paths are independent (each has its own stream), so any split gives the same rows; the
    # shift kernel releases the GIL
    run_in_threads(n_replications, fill)
    kept = n_events >= 0
    if not kept.any():
        raise ParameterError(f"no simulated path had {MIN_EVENTS} or more events; use a longer series")
    rows = []
    for k, (scenario, effect) in enumerate(scenarios):
        rejects, fragile, named = (outcome[kept, k, i] for i in range(3))
        n, n_rejects, n_fragile = int(kept.sum()), int(rejects.sum()), int(fragile.sum())
        share = n_fragile / n_rejects if n_rejects else math.nan
        rows.append(
            {
                "null_model": null_model,
                "scenario": scenario,
                "effect": float(sign * effect),
                "effect_in_mde": float(effect / abs(formula)) if math.isfinite(formula) and formula else math.nan,
                "n_paths": n,
                "mean_events": float(n_events[kept].mean()),
                "rejection_rate": n_rejects / n,
                "supported_rate": (n_rejects - n_fragile) / n,
                "fragile_rate": n_fragile / n,
                "fragile_share": share,
                "planted_year_named": named.sum() / n_fragile if scenario == ONE_YEAR and n_fragile else math.nan,
                "rejection_se": _binomial_se(n_rejects / n, n),
                "supported_se": _binomial_se((n_rejects - n_fragile) / n, n),
                "fragile_share_se": _binomial_se(share, n_rejects) if n_rejects else math.nan,
            }
        )
    return FragilityCalibration(
        table=pd.DataFrame(rows),
        null_model=null_model,
        claim=claim,
        alpha=float(alpha),
        n_replications=n_replications,
        n_paths=int(kept.sum()),
        seed=seed,
        horizons=judged,
        formula_mde=float(sign * formula) if math.isfinite(formula) else math.nan,
        mean_block=mean_block,
    )


def _binomial_se(rate: float, n: int) -> float:
    return float(math.sqrt(rate * (1.0 - rate) / n))
