"""Calibration of the tests by simulation: size under a no-signal null and power under
planted effects, through the project's own pipeline (``run_event_study`` -> tests).

Inputs: a real close series (its trading calendar and its daily drift and volatility), event
rules, claim horizons, a null model ("gbm": i.i.d. normal log returns; "garch_t": GARCH(1,1)
with Student-t innovations fitted to the series by ``arch``, Bollerslev 1986 / 1987), a number
of replications and a seed. Output: ``Calibration`` with one row per (test, horizon, planted
effect) giving the rejection rate and its Monte Carlo standard error.

On simulated paths the crosses carry no information about future returns by construction
(the paths have no serial dependence in the mean), so every rejection is a false one. A
planted effect adds delta to each event's forward return at every claim horizon: it moves
the calendar-overlap t by delta / SE and the joint statistic by sum_h delta / sd_h while the
shifted (null) sets, which sit on other dates, are unchanged, so power is read off the same
replications without re-simulating.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.stats

from backtest.errors import ParameterError
from backtest.events import EventRules, run_event_study
from backtest.stats import nb as stats_nb
from backtest.stats._rng import seed_from
from backtest.stats.baseline import eligible_days, unconditional_baseline, window_days
from backtest.stats.bootstrap import bootstrap_path_tests
from backtest.stats.joint import study_joint_shift_test
from backtest.stats.montecarlo import check_count, random_entry_tests
from backtest.stats.overlap import overlap_mean_test

NULL_MODELS: tuple[str, ...] = ("gbm", "garch_t")
DEFAULT_EFFECTS: tuple[float, ...] = (0.0, 0.025, 0.05, 0.10)
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
    if n_replications < 1:
        raise ParameterError(f"n_replications must be >= 1, got {n_replications!r}")
    rng = np.random.default_rng(seed)
    log_returns = np.diff(np.log(close.to_numpy(dtype=float)))
    if null_model == "garch_t":
        # fit once, simulate many: the fitted parameters are the null's
        from arch.univariate import GARCH, ConstantMean, StudentsT

        fitted = ConstantMean(log_returns * 100.0, volatility=GARCH(), distribution=StudentsT()).fit(disp="off")
        params = fitted.params.to_numpy().copy()
        # The Russell 2000 fit is integrated (alpha + beta = 1.000), whose simulated variance
        # wanders without bound over 11,000 days; cap the persistence at 0.99 (half-life of a
        # volatility shock ~70 days) and start at the sample variance.
        persistence = params[2] + params[3]
        if persistence > 0.99:
            params[3] = 0.99 - params[2]
            params[1] = float(np.var(log_returns * 100.0)) * (1.0 - 0.99)
        variance0 = float(np.var(log_returns * 100.0))
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
            # issue 14: both rank tests are centred on the all-days MEDIAN (a sign test and
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
