"""The primary test of question B: one joint test over the claim's horizons against a
circular-shift null that keeps the events' spacing.

Inputs: every eligible day's forward return per horizon (a days x horizons array, NaN where
the window is incomplete), the events' rows in it, and the all-days mean and standard
deviation per horizon. Output: ``JointShiftTest`` (statistic, p, per-horizon shares of the
same draws, minimum detectable effect and 95% upper bound from the null quantiles).

Statistic (fixed before looking at the data): the sum over the claim's horizons of the
standardised excess, S = sum_h (mean event return_h - all-days mean_h) / all-days sd_h, so
each horizon weighs the same and a lasting effect (what "gains over the next 3 to 12 months"
claims) adds up. Null: every circular shift of the whole event set along the sample window
(days i -> (i + s) mod L for s = 1 .. L-1), evaluated at every horizon on the SAME shifted
sets (common random numbers, so a sum over horizons is well defined). A shift keeps the
gaps between events exactly, hence their clustering and window overlap, and needs no seed.
Shift (rotation) nulls for dependent series: Good (2005, Permutation, Parametric and
Bootstrap Tests of Hypotheses, sec. 3.6); their use for event timing goes back to the
"pseudo-event" dates of Brown & Warner (1985, J. Financial Economics 14(1)).
p = #{s in 0..L-1: S_s >= S_0} / L, the identity counted once. The opposite-tail p,
#{s: S_s <= S_0} / L, says whether the data point the other way (the events followed by
returns on the side opposite to the claim's); the two add up to 1 + #{S_s = S_0} / L.

Power and upper bound. A planted effect of d all-days standard deviations at every horizon
moves S by H*d and leaves the shifted sets (which sit on other dates) unchanged, so with the
null quantiles q: the effect detected with 80% power at alpha is d_80 = (q_{1-alpha} - q_0.20)
/ H, and the one-sided 95% upper bound of the effect (the d that a lower-tail test at 5% just
fails to reject) is d_U = (S_0 - q_0.05) / H; both are reported in return units per horizon
(d * sd_h).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from backtest.errors import ParameterError
from backtest.stats import nb as stats_nb


@dataclass(frozen=True, eq=False)
class JointShiftTest:
    """The joint circular-shift test (module docstring).

    The properties ``mde`` and ``upper_bound`` give, per horizon, the effect in return units
    (the same d in sd units times each horizon's all-days sd).

    Parameters
    ----------
    statistic : float
        S of the events (in the claim's direction: for "losses" S is computed on the negated
        excess so that larger is always the claim).
    pvalue : float
        Its one-sided p.
    alternative : str
        "greater" (claim of gains) or "less" (losses).
    alpha : float
        Significance level of the test.
    n_null : int
        The number of shifts (with a finite S).
    horizons : tuple[str, ...]
        Horizon labels.
    n : tuple[int, ...]
        Events with a complete window, per horizon.
    excess : tuple[float, ...]
        Per-horizon mean excess return of the events over the all-days mean (fractions).
    z : tuple[float, ...]
        Per-horizon standardised excess (in the claim's direction).
    baseline_sd : tuple[float, ...]
        All-days standard deviation of the forward return, per horizon.
    pvalue_by_horizon : tuple[float, ...]
        The per-horizon shares of the same shifts (secondary).
    critical_value : float
        The null's (1 - alpha) quantile of S.
    mde_sd : float
        d_80, the effect detected with 80% power, in all-days sd units.
    upper_bound_sd : float
        d_U, the one-sided 95% upper bound of the effect, in all-days sd units.
    null : np.ndarray
        S of every shift (the identity included), finite values only.
    pvalue_opposite : float, default nan
        The same share in the opposite tail (S_s <= S_0), so ``points_other_way()`` can say
        when the data contradict the claim.
    pvalue_opposite_by_horizon : tuple[float, ...], default ()
        The per-horizon shares in the opposite tail.
    """

    __test__ = False

    statistic: float
    pvalue: float
    alternative: str
    alpha: float
    n_null: int
    horizons: tuple[str, ...]
    n: tuple[int, ...]
    excess: tuple[float, ...]
    z: tuple[float, ...]
    baseline_sd: tuple[float, ...]
    pvalue_by_horizon: tuple[float, ...]
    critical_value: float
    mde_sd: float
    upper_bound_sd: float
    null: np.ndarray = field(repr=False)
    pvalue_opposite: float = math.nan
    pvalue_opposite_by_horizon: tuple[float, ...] = ()

    def points_other_way(self, alpha: float | None = None) -> bool:
        """True when the opposite-tail p is below ``alpha`` (default: the test's): the events
        were followed by returns significantly on the side opposite to the claim's."""
        level = self.alpha if alpha is None else float(alpha)
        return bool(math.isfinite(self.pvalue_opposite) and self.pvalue_opposite < level)

    @property
    def mde(self) -> tuple[float, ...]:
        return tuple(self.mde_sd * sd for sd in self.baseline_sd)

    @property
    def upper_bound(self) -> tuple[float, ...]:
        sign = 1.0 if self.alternative == "greater" else -1.0
        return tuple(sign * self.upper_bound_sd * sd for sd in self.baseline_sd)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields (no null array).

        Returns
        -------
        dict[str, object]
            "test" ("joint_circular_shift_sum"), the joint statistic, p-values and bounds,
            and under ``horizons`` one dict per label (n, excess, z, baseline_sd, p-values,
            mde, upper_bound).
        """
        return {
            "test": "joint_circular_shift_sum",
            "statistic": float(self.statistic),
            "pvalue": float(self.pvalue),
            "pvalue_opposite": float(self.pvalue_opposite),
            "alternative": self.alternative,
            "alpha": float(self.alpha),
            "n_null": int(self.n_null),
            "critical_value": float(self.critical_value),
            "mde_sd": float(self.mde_sd),
            "upper_bound_sd": float(self.upper_bound_sd),
            "horizons": {
                label: {
                    "n": int(self.n[j]),
                    "excess": float(self.excess[j]),
                    "z": float(self.z[j]),
                    "baseline_sd": float(self.baseline_sd[j]),
                    "pvalue": float(self.pvalue_by_horizon[j]),
                    "pvalue_opposite": float(self.pvalue_opposite_by_horizon[j])
                    if j < len(self.pvalue_opposite_by_horizon)
                    else math.nan,
                    "mde": float(self.mde[j]),
                    "upper_bound": float(self.upper_bound[j]),
                }
                for j, label in enumerate(self.horizons)
            },
        }


def shifted_means(forward_returns: np.ndarray, event_rows: np.ndarray) -> np.ndarray:
    """(L x H) means of the forward returns over the event set shifted by s = 0 .. L-1 rows
    (circularly), NaN windows left out; row 0 is the events themselves.

    The readable numpy twin of ``backtest.stats.nb.shifted_means_nb`` (which
    ``joint_shift_test`` calls), used by the tests: event by event, the whole array rolled
    so that row s holds day (row + s) mod L is added to the running sums, in event order
    from 0.0, the kernel's order of additions, so the two agree bit for bit."""
    fwd = np.asarray(forward_returns, dtype=float)
    rows = np.asarray(event_rows, dtype=np.int64)
    total = np.zeros(fwd.shape)
    count = np.zeros(fwd.shape, dtype=np.int64)
    for row in rows:
        shifted = np.roll(fwd, -int(row), axis=0)  # shifted[s] = fwd[(row + s) mod L]
        finite = np.isfinite(shifted)
        total += np.where(finite, shifted, 0.0)
        count += finite
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def joint_shift_test(
    forward_returns: np.ndarray,
    event_rows: Sequence[int] | np.ndarray,
    baseline_mean: Sequence[float],
    baseline_sd: Sequence[float],
    horizons: Sequence[str],
    *,
    alternative: str = "greater",
    alpha: float = 0.05,
) -> JointShiftTest:
    """The primary joint test of question B (module docstring).

    Parameters
    ----------
    forward_returns : np.ndarray
        (days x horizons) forward returns (fractions) of every eligible day of the sample
        window, in date order, NaN where incomplete.
    event_rows : Sequence[int] or np.ndarray
        The events' rows in it; at least one.
    baseline_mean, baseline_sd : Sequence[float]
        All-days mean and sd per horizon (the columns' own).
    horizons : Sequence[str]
        Horizon labels, one per column.
    alternative : str, default "greater"
        "greater" (claim of gains) or "less" (losses).
    alpha : float, default 0.05
        One-sided significance level, in (0, 0.5).

    Returns
    -------
    JointShiftTest
        S, its p-values, per-horizon shares, minimum detectable effect and upper bound.

    Raises
    ------
    ParameterError
        A ``forward_returns`` shape that does not match ``horizons``, an unknown alternative,
        ``alpha`` outside (0, 0.5), or event rows empty or outside the array.
    """
    fwd = np.asarray(forward_returns, dtype=float)
    rows = np.asarray(event_rows, dtype=np.int64)
    if fwd.ndim != 2 or fwd.shape[1] != len(horizons):
        raise ParameterError(f"forward_returns must be days x {len(horizons)} horizons, got shape {fwd.shape}")
    if alternative not in ("greater", "less"):
        raise ParameterError(f"alternative must be 'greater' or 'less', got {alternative!r}")
    if not 0.0 < alpha < 0.5:
        raise ParameterError(f"alpha must lie in (0, 0.5), got {alpha!r}")
    if len(rows) == 0 or rows.min() < 0 or rows.max() >= len(fwd):
        raise ParameterError("event_rows must be a non-empty set of rows of forward_returns")
    mean = np.asarray(baseline_mean, dtype=float)
    sd = np.asarray(baseline_sd, dtype=float)
    sign = 1.0 if alternative == "greater" else -1.0
    means = stats_nb.shifted_means_nb(np.ascontiguousarray(fwd), rows)
    z_all = sign * (means - mean[None, :]) / sd[None, :]
    total = z_all.sum(axis=1)  # NaN when a shifted set has no complete window at some horizon
    observed = float(total[0])
    null = total[np.isfinite(total)]
    pvalue, pvalue_opposite = np.nan, np.nan
    if np.isfinite(observed):
        pvalue = float(np.count_nonzero(null >= observed) / len(null))
        pvalue_opposite = float(np.count_nonzero(null <= observed) / len(null))
    per_horizon, per_horizon_opposite = [], []
    for j in range(len(horizons)):
        column = z_all[:, j][np.isfinite(z_all[:, j])]
        per_horizon.append(float(np.count_nonzero(column >= z_all[0, j]) / len(column)))
        per_horizon_opposite.append(float(np.count_nonzero(column <= z_all[0, j]) / len(column)))
    q_high, q_power, q_low = np.quantile(null, [1.0 - alpha, 0.20, 0.05])
    n_h = len(horizons)
    counts = np.isfinite(fwd[rows]).sum(axis=0)
    return JointShiftTest(
        statistic=observed,
        pvalue=pvalue,
        alternative=alternative,
        alpha=float(alpha),
        n_null=len(null),
        horizons=tuple(horizons),
        n=tuple(int(c) for c in counts),
        excess=tuple(float(v) for v in means[0] - mean),
        z=tuple(float(v) for v in z_all[0]),
        baseline_sd=tuple(float(v) for v in sd),
        pvalue_by_horizon=tuple(per_horizon),
        critical_value=float(q_high),
        mde_sd=float((q_high - q_power) / n_h),
        upper_bound_sd=float((observed - q_low) / n_h),
        null=null,
        pvalue_opposite=pvalue_opposite,
        pvalue_opposite_by_horizon=tuple(per_horizon_opposite),
    )


def study_joint_shift_test(
    study, eligible, baseline, horizons: Sequence[str], *, alternative: str = "greater", alpha: float = 0.05
) -> JointShiftTest:
    """``joint_shift_test`` of an ``EventStudy``'s events over ``horizons``.

    Parameters
    ----------
    study : EventStudy
        The events.
    eligible : EligibleDays
        The study's eligible days (``backtest.stats.baseline.eligible_days``).
    baseline : Baseline
        The study's all-days statistics (``backtest.stats.baseline.unconditional_baseline``).
    horizons : Sequence[str]
        The claim's horizon labels.
    alternative : str, default "greater"
        "greater" (claim of gains) or "less" (losses).
    alpha : float, default 0.05
        One-sided significance level, in (0, 0.5).

    Returns
    -------
    JointShiftTest
        The joint test over ``horizons``.

    Raises
    ------
    ParameterError
        As ``joint_shift_test``.
    """
    table = eligible.table
    fwd = np.column_stack(
        [
            np.where(
                table[f"pending_{label}"].to_numpy(dtype=bool), np.nan, table[f"ret_{label}"].to_numpy(dtype=float)
            )
            for label in horizons
        ]
    )
    rows = study.table["event_pos"].to_numpy(dtype=np.int64) - eligible.first_pos
    return joint_shift_test(
        fwd,
        rows,
        [baseline[label].mean for label in horizons],
        [baseline[label].std for label in horizons],
        horizons,
        alternative=alternative,
        alpha=alpha,
    )
