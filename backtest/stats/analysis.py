"""All the statistics of one event study: ``analyze_events(study) -> EventStatistics``.

Input: an ``EventStudy``. Output: per horizon, descriptive statistics of the events and of
every eligible day, calendar-overlap t-tests with their intervals, effective number of events,
minimum detectable effect and upper bound (``backtest.stats.overlap``), binomial tests of
the hit rate on the effective number of events and Wilcoxon tests, the random-entry Monte
Carlo (plain and spacing-matched), the bootstrapped-path null, Holm-adjusted p-values across
the claim's (judged) horizons, the verdicts of ``backtest.stats.verdict``, and the primary
joint test of question B over the claim's horizons (``backtest.stats.joint``).
``claim="losses"`` (death crosses) runs the same tests one-sided in the lower tail. Every
one-sided p comes with its opposite-tail twin (``pvalues_opposite``), and
``EventStatistics.points_other_way()`` says when the data contradict the claim.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest import numbers
from backtest._json import plain
from backtest.checks import check_scalar
from backtest.errors import ParameterError
from backtest.events import EventRules, EventStudy
from backtest.events.rules import horizon_offsets
from backtest.stats._rng import DEFAULT_SEED, check_seed
from backtest.stats.baseline import (
    DESCRIPTIVE_FIELDS,
    Baseline,
    Descriptive,
    describe,
    eligible_days,
    unconditional_baseline,
    window_days,
)
from backtest.stats.bootstrap import BootstrapPaths, bootstrap_path_tests, path_null_unavailable
from backtest.stats.classical import (
    OPPOSITE,
    ConfidenceInterval,
    TestResult,
    effective_binomial_test,
    overlap_maxlags,
    sign_effective_events,
    wilcoxon_test,
)
from backtest.stats.joint import JointShiftTest, study_joint_shift_test
from backtest.stats.montecarlo import (
    DEFAULT_VARIANTS,
    NULL_STATISTICS,
    VARIANTS,
    MonteCarloTest,
    check_count,
    random_entry_tests_by_horizon,
)
from backtest.stats.multiple import holm
from backtest.stats.overlap import OverlapMeanTest, overlap_mean_test
from backtest.stats.verdict import (
    DEFAULT_ALPHA,
    GAINS,
    SMALL_SAMPLE,
    VERDICT_RULES,
    Verdict,
    absolute_verdict,
    check_claim,
    relative_verdict,
    verdict_rules,
)

# Keys of HorizonStatistics.pvalues / pvalues_holm (each key is one Holm family across horizons)
_CLASSICAL_TESTS: tuple[tuple[str, str], ...] = (
    ("A", "hac_mean"),
    ("A", "hit_vs_half"),
    ("B", "hac_excess"),
    ("B", "hit_vs_unconditional"),
    ("B", "wilcoxon_excess"),
)

NOT_JUDGED = "not judged"
"""Verdict flag of a horizon outside the claim's horizons: reported, unadjusted, not judged."""


@dataclass(frozen=True, eq=False)
class HorizonStatistics:
    """Every statistic of one horizon.

    Built by ``analyze_events``. Properties: ``n`` (complete events), ``excess_mean``
    (events.mean - baseline.mean) and ``n_effective``. The hit-rate tests are binomial tests
    on the effective number of events (``effective_binomial_test``), since overlapping
    windows are not independent trials (``sign_effective_events``).

    Parameters
    ----------
    label : str
        The horizon's label.
    days, months : int or None
        Its length in trading days or calendar months (one of them).
    events, baseline : Descriptive
        ``Descriptive`` of the complete events and of every eligible day.
    n_pending : int
        Events whose window runs past the data.
    maxlags : int
        Newey-West lag order (``overlap_maxlags``, kept for reference).
    hac_mean : TestResult
        Question A: mean return > 0 by the calendar-overlap t-test of
        ``backtest.stats.overlap`` (the key predates it and is kept so readers of
        ``to_dict`` keep working).
    hit_vs_half : TestResult
        Question A: binomial, hit rate > 0.5.
    ci_mean : ConfidenceInterval
        The overlap-t interval whose ends are one-sided 95% bounds, so it excludes 0 exactly
        when the unadjusted test rejects.
    hac_excess : TestResult
        Question B: mean excess return > 0 by the same test, excess = event return -
        baseline mean, the baseline treated as known (it averages thousands of days).
    hit_vs_unconditional : TestResult
        Question B: binomial against the baseline hit rate.
    wilcoxon_excess : TestResult
        Signed-rank test of event return minus the all-days MEDIAN: Wilcoxon's test is about
        a median-like centre, so it is centred on the baseline's median, not its mean.
    ci_excess : ConfidenceInterval
        The overlap-t interval of the excess.
    random_entry : dict[str, dict[str, MonteCarloTest]]
        ``random_entry[variant][statistic]``, the random-entry Monte Carlo tests.
    bootstrap_paths : dict[str, MonteCarloTest] or None
        ``bootstrap_paths[statistic]``, the bootstrapped-path tests (None when not run).
    pvalues : dict[str, float]
        The one-sided p-value of every test by key (``hac_mean``,
        ``random_entry.plain.mean``, ``bootstrap_paths.mean``...).
    pvalues_holm : dict[str, float]
        Its Holm adjustment across the judged horizons (the claim's; on a horizon that is
        not judged, ``pvalues_holm`` repeats the unadjusted p).
    verdict_a, verdict_b : Verdict
        The verdicts of questions A and B.
    notes : tuple[str, ...], default ()
        Statements about this horizon a reader must see.
    overlap_mean, overlap_excess : OverlapMeanTest or None, default None
        The full ``OverlapMeanTest`` results (SE, n_eff, MDE, upper bound) of the mean and
        of the excess.
    pvalues_opposite : dict[str, float], default {}
        The same tests' one-sided p-values in the opposite tail (do the data point the
        other way?), by the same keys.
    judged : bool, default True
        The horizon is one of the claim's (its verdicts count; otherwise they carry the flag
        "not judged").
    """

    label: str
    days: int | None
    months: int | None
    events: Descriptive
    baseline: Descriptive
    n_pending: int
    maxlags: int
    hac_mean: TestResult
    hit_vs_half: TestResult
    ci_mean: ConfidenceInterval
    hac_excess: TestResult
    hit_vs_unconditional: TestResult
    wilcoxon_excess: TestResult
    ci_excess: ConfidenceInterval
    random_entry: dict[str, dict[str, MonteCarloTest]]
    bootstrap_paths: dict[str, MonteCarloTest] | None
    pvalues: dict[str, float]
    pvalues_holm: dict[str, float]
    verdict_a: Verdict
    verdict_b: Verdict
    notes: tuple[str, ...] = ()
    overlap_mean: OverlapMeanTest | None = None
    overlap_excess: OverlapMeanTest | None = None
    pvalues_opposite: dict[str, float] = field(default_factory=dict)
    judged: bool = True

    @property
    def n_effective(self) -> float:
        """Independent events the overlapping windows are worth (``overlap.effective_events``)."""
        return self.overlap_mean.n_effective if self.overlap_mean is not None else float(self.n)

    @property
    def n(self) -> int:
        return self.events.n

    @property
    def excess_mean(self) -> float:
        return self.events.mean - self.baseline.mean

    def classical_tests(self) -> dict[str, TestResult]:
        return {key: getattr(self, key) for _, key in _CLASSICAL_TESTS}


def _as_test_result(test: OverlapMeanTest, maxlags: int) -> TestResult:
    """The calendar-overlap test in the ``TestResult`` shape the tables read (with its
    opposite-tail p, from the same t and degrees of freedom)."""
    opposite = math.nan
    if test.alternative in OPPOSITE and math.isfinite(test.statistic):
        from backtest.stats.distributions import t_cdf, t_sf

        tail = t_cdf if test.alternative == "greater" else t_sf
        opposite = float(tail(test.statistic, test.df))
    return TestResult(
        "calendar_overlap_t",
        test.statistic,
        test.pvalue,
        test.pvalue_two_sided,
        test.alternative,
        test.n,
        test.null_value,
        test.estimate,
        (
            ("maxlags", float(maxlags)),
            ("standard_error", test.standard_error),
            ("standard_error_iid", test.standard_error_iid),
            ("n_effective", test.n_effective),
            ("df", test.df),
            ("mde", test.mde),
            ("upper_bound", test.upper_bound),
            ("lower_bound", test.lower_bound),
        ),
        opposite,
    )


def _opposite_pvalue(test: MonteCarloTest) -> float:
    """A Monte Carlo test's one-sided p in the tail opposite to its ``better`` one."""
    return test.pvalue_less if test.better == "greater" else test.pvalue_greater


def _as_interval(test: OverlapMeanTest) -> ConfidenceInterval:
    """Its interval: ends are the one-sided (1 - alpha) bounds, so the interval and the
    unadjusted test never disagree."""
    low, high = test.confidence_interval
    return ConfidenceInterval(low, high, test.estimate, test.confidence_level, "calendar-overlap t", test.n)


def _horizon_window_days(study: EventStudy, label: str, entry_pos: np.ndarray) -> np.ndarray:
    horizon = next(h for h in study.horizons if h.label == label)
    return horizon_offsets(study.close.index, entry_pos, (horizon,))[:, 0]


def _random_entry_notes(label: str, random_entry: dict[str, dict[str, MonteCarloTest]], alpha: float) -> list[str]:
    notes = []
    plain = random_entry.get("plain", {}).get("mean")
    if plain is None:
        return notes
    for variant, tests in random_entry.items():
        if variant == "plain":
            continue
        test = tests["mean"]
        if (test.pvalue < alpha) != (plain.pvalue < alpha):
            notes.append(f"{label}: the {variant}-matched random-entry test and the plain one disagree at alpha")
    return notes


@dataclass(frozen=True, eq=False)
class EventStatistics:
    """The statistics layer's answer for one event study (see ``analyze_events``).

    ``stats[label]`` gives one horizon's ``HorizonStatistics``.

    Parameters
    ----------
    horizons : tuple[HorizonStatistics, ...]
        One ``HorizonStatistics`` per horizon, in the study's order.
    series_name : str
        Name of the series analysed.
    rules : EventRules
        The rules that produced the events.
    sample_start, sample_end : pd.Timestamp
        First and last day of the sample window (the eligible days).
    data_end : pd.Timestamp
        Last close of the data.
    n_events : int
        Events of the study.
    seed : int
        The single user seed of every random component.
    alpha : float
        Level of the verdicts.
    n_draws : int
        Random-entry draws per horizon and variant.
    n_paths : int
        Bootstrapped price paths (0: not run).
    mean_block : dict[str, float] or None
        Stationary-bootstrap mean block per horizon, in trading days (None without paths).
    variants : tuple[str, ...]
        Random-entry variants run.
    baseline : Baseline
        The intermediate all-days statistics (with the eligible days).
    bootstrap : BootstrapPaths or None
        The path null with its event counts (None when not run).
    verdict_rules : str, default VERDICT_RULES
        The text the verdicts implement.
    claim : str, default "gains"
        "gains" or "losses", the direction of every one-sided p-value.
    path_null_skipped : str or None, default None
        Why the bootstrapped-path null was not run for this source, if so.
    primary : JointShiftTest or None, default None
        The primary joint test of question B.
    claim_horizons : tuple[str, ...], default ()
        The horizons of the primary test (the judged ones).
    notes : tuple[str, ...], default ()
        Statements about the whole claim (e.g. that the data point the other way,
        ``points_other_way``).
    """

    horizons: tuple[HorizonStatistics, ...]
    series_name: str
    rules: EventRules
    sample_start: pd.Timestamp
    sample_end: pd.Timestamp
    data_end: pd.Timestamp
    n_events: int
    seed: int
    alpha: float
    n_draws: int
    n_paths: int
    mean_block: dict[str, float] | None
    variants: tuple[str, ...]
    baseline: Baseline = field(repr=False)
    bootstrap: BootstrapPaths | None = field(repr=False)
    verdict_rules: str = field(default=VERDICT_RULES, repr=False)
    claim: str = GAINS
    path_null_skipped: str | None = None
    primary: JointShiftTest | None = field(default=None, repr=False)
    claim_horizons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(h.label for h in self.horizons)

    @property
    def primary_pvalue_opposite(self) -> float:
        """The primary test's one-sided p in the tail opposite to the claim (NaN without it)."""
        return self.primary.pvalue_opposite if self.primary is not None else math.nan

    def points_other_way(self, alpha: float | None = None) -> bool:
        """Do the data point the other way? True when the primary test's opposite-tail p is
        below ``alpha`` (default: the analysis's): after the events, returns were on the side
        opposite to the claim's (lower than on random days for a gains claim, higher for a
        losses claim), significantly so. False when there is no primary test."""
        if self.primary is None:
            return False
        return self.primary.points_other_way(self.alpha if alpha is None else alpha)

    def __getitem__(self, label: str) -> HorizonStatistics:
        for horizon in self.horizons:
            if horizon.label == label:
                return horizon
        raise ParameterError(f"horizon {label!r} was not analysed (horizons: {', '.join(self.labels)})")

    def null_distribution(self, label: str, statistic: str = "mean", variant: str = "plain") -> np.ndarray:
        """Null draws of ``statistic`` at horizon ``label`` for a histogram with the observed
        value: ``variant`` "plain" / "spacing" / "era" (random entry) or "bootstrap_paths"
        (one value per path, NaN for paths without a complete event)."""
        horizon = self[label]
        if statistic not in NULL_STATISTICS:
            raise ParameterError(f"statistic must be one of {', '.join(NULL_STATISTICS)}, got {statistic!r}")
        if variant == "bootstrap_paths":
            if horizon.bootstrap_paths is None:
                raise ParameterError("the bootstrapped-path test was not run (n_paths=0)")
            if statistic not in horizon.bootstrap_paths:
                raise ParameterError(
                    f"the bootstrapped-path null has no {statistic!r} (it tests {', '.join(horizon.bootstrap_paths)})"
                )
            return horizon.bootstrap_paths[statistic].null
        if variant not in horizon.random_entry:
            raise ParameterError(f"variant {variant!r} was not run (variants: {', '.join(horizon.random_entry)})")
        return horizon.random_entry[variant][statistic].null

    def descriptive_frame(self) -> pd.DataFrame:
        """Tidy: one row per horizon x statistic with the events' value, the baseline's, and their difference.

        Returns
        -------
        pd.DataFrame
            Columns horizon, statistic, events, baseline, difference.
        """
        rows = []
        for h in self.horizons:
            for name in DESCRIPTIVE_FIELDS:
                ev = float(getattr(h.events, name))
                base = float(getattr(h.baseline, name))
                rows.append(
                    {"horizon": h.label, "statistic": name, "events": ev, "baseline": base, "difference": ev - base}
                )
        return pd.DataFrame(rows, columns=["horizon", "statistic", "events", "baseline", "difference"])

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per horizon x test.

        Returns
        -------
        pd.DataFrame
            Columns: horizon, question ("A" absolute / "B" relative), test, variant,
            statistic_name, statistic (observed), null_value (value tested against, or the
            mean of the simulated null), pvalue (one-sided, the claim's direction),
            pvalue_holm, pvalue_two_sided, pvalue_opposite (one-sided, the other tail),
            percentile (Monte Carlo only), n, n_null, ci_low, ci_high.
        """
        rows: list[dict[str, object]] = []
        for h in self.horizons:
            base = {"horizon": h.label}
            for question, key in _CLASSICAL_TESTS:
                test: TestResult = getattr(h, key)
                rows.append(
                    {
                        **base,
                        "question": question,
                        "test": key,
                        "variant": "",
                        "statistic_name": "hit_rate"
                        if test.test.startswith("binomial")
                        else ("t" if test.test in ("hac_t", "calendar_overlap_t") else "W"),
                        "statistic": test.statistic,
                        "null_value": test.null_value,
                        "pvalue": test.pvalue,
                        "pvalue_holm": h.pvalues_holm[key],
                        "pvalue_two_sided": test.pvalue_two_sided,
                        "pvalue_opposite": h.pvalues_opposite.get(key, math.nan),
                        "n": test.n,
                    }
                )
            for question, key, ci in (("A", "ci_mean", h.ci_mean), ("B", "ci_excess", h.ci_excess)):
                rows.append(
                    {
                        **base,
                        "question": question,
                        "test": key,
                        "variant": ci.method,
                        "statistic_name": "mean" if key == "ci_mean" else "mean_excess",
                        "statistic": ci.estimate,
                        "n": ci.n,
                        "ci_low": ci.low,
                        "ci_high": ci.high,
                    }
                )
            mc_tests = [(f"random_entry.{v}.{s}", t) for v, tests in h.random_entry.items() for s, t in tests.items()]
            if h.bootstrap_paths is not None:
                mc_tests += [(f"bootstrap_paths.{s}", t) for s, t in h.bootstrap_paths.items()]
            for key, t in mc_tests:
                rows.append(
                    {
                        **base,
                        "question": "B",
                        "test": t.null_model,
                        "variant": t.variant,
                        "statistic_name": t.statistic_name,
                        "statistic": t.statistic,
                        "null_value": t.null_mean,
                        "pvalue": t.pvalue,
                        "pvalue_holm": h.pvalues_holm[key],
                        "pvalue_two_sided": t.pvalue_two_sided,
                        "pvalue_opposite": _opposite_pvalue(t),
                        "percentile": t.percentile,
                        "n": t.n,
                        "n_null": t.n_null,
                    }
                )
        columns = [
            "horizon",
            "question",
            "test",
            "variant",
            "statistic_name",
            "statistic",
            "null_value",
            "pvalue",
            "pvalue_holm",
            "pvalue_two_sided",
            "pvalue_opposite",
            "percentile",
            "n",
            "n_null",
            "ci_low",
            "ci_high",
        ]
        frame = pd.DataFrame(rows, columns=columns)
        for column in (
            "statistic",
            "null_value",
            "pvalue",
            "pvalue_holm",
            "pvalue_two_sided",
            "pvalue_opposite",
            "percentile",
            "ci_low",
            "ci_high",
        ):
            frame[column] = frame[column].astype(float)
        frame["n"] = frame["n"].astype("Int64")
        frame["n_null"] = frame["n_null"].astype("Int64")
        return frame

    def verdict_frame(self) -> pd.DataFrame:
        """One row per horizon x question: outcome, rule, flags.

        Returns
        -------
        pd.DataFrame
            Columns horizon, question, outcome, rule, flags (comma-separated).
        """
        rows = [
            {
                "horizon": h.label,
                "question": v.question,
                "outcome": v.outcome,
                "rule": v.rule,
                "flags": ", ".join(v.flags),
            }
            for h in self.horizons
            for v in (h.verdict_a, h.verdict_b)
        ]
        return pd.DataFrame(rows, columns=["horizon", "question", "outcome", "rule", "flags"])

    def to_dict(self) -> dict[str, object]:
        """JSON-ready nested dict.

        Returns
        -------
        dict[str, object]
            Plain Python floats/ints/strings, NaN and inf as None, no arrays (null
            distributions are available from ``null_distribution``).
        """
        horizons = []
        for h in self.horizons:
            horizons.append(
                {
                    "label": h.label,
                    "days": h.days,
                    "months": h.months,
                    "n": h.n,
                    "n_pending": h.n_pending,
                    "maxlags": h.maxlags,
                    "n_effective": h.n_effective,
                    "events": h.events.to_dict(),
                    "baseline": h.baseline.to_dict(),
                    "excess_mean": h.excess_mean,
                    "tests": {key: test.to_dict() for key, test in h.classical_tests().items()},
                    "confidence_intervals": {"mean": h.ci_mean.to_dict(), "mean_excess": h.ci_excess.to_dict()},
                    "random_entry": {
                        v: {s: t.to_dict() for s, t in tests.items()} for v, tests in h.random_entry.items()
                    },
                    "bootstrap_paths": None
                    if h.bootstrap_paths is None
                    else {s: t.to_dict() for s, t in h.bootstrap_paths.items()},
                    "pvalues": dict(h.pvalues),
                    "pvalues_holm": dict(h.pvalues_holm),
                    "pvalues_opposite": dict(h.pvalues_opposite),
                    "judged": h.judged,
                    "verdicts": {"A": h.verdict_a.to_dict(), "B": h.verdict_b.to_dict()},
                    "notes": list(h.notes),
                    "overlap": {
                        "mean": h.overlap_mean.to_dict() if h.overlap_mean is not None else None,
                        "excess": h.overlap_excess.to_dict() if h.overlap_excess is not None else None,
                    },
                }
            )
        out = {
            "series": self.series_name,
            "rules": self.rules.to_dict(),
            "sample": {
                "start": self.sample_start.date().isoformat(),
                "end": self.sample_end.date().isoformat(),
                "data_end": self.data_end.date().isoformat(),
                "n_events": self.n_events,
            },
            "parameters": {
                "seed": self.seed,
                "alpha": self.alpha,
                "n_draws": self.n_draws,
                "n_paths": self.n_paths,
                "mean_block": self.mean_block,
                "variants": list(self.variants),
            },
            "verdict_rules": self.verdict_rules,
            "horizons": horizons,
            "claim_horizons": list(self.claim_horizons),
            "primary": self.primary.to_dict() if self.primary is not None else None,
            "claim": self.claim,
            "points_other_way": self.points_other_way(),
            "notes": list(self.notes),
        }
        # likewise only when the source's nature ruled the path null out
        if self.path_null_skipped is not None:
            out["path_null_skipped"] = self.path_null_skipped
        return plain(out)

    def summary(self) -> str:
        """Plain-text tables a person reads in a terminal.

        Returns
        -------
        str
            The setting, then per horizon the descriptive statistics, tests and verdicts.
        """
        lines = [
            f"Event statistics: {self.series_name} - {self.rules.describe()}",
            f"Sample window {self.sample_start.date()} to {self.sample_end.date()} (data to {self.data_end.date()}); "
            f"{self.n_events} events; seed {self.seed}; alpha {self.alpha}",
            f"Random entry: {self.n_draws:,} draws ({', '.join(self.variants)}); bootstrapped paths: "
            + (
                f"{self.n_paths:,} (stationary bootstrap of the event period's returns, excess over each "
                f"path's own days; mean block "
                + ", ".join(f"{k} {v:g}" for k, v in (self.mean_block or {}).items())
                + " days)"
                if self.n_paths
                else ("not run" if self.path_null_skipped is None else f"skipped: {self.path_null_skipped}")
            ),
            "",
            "Descriptive: events vs every eligible day (base)",
            f"{'horizon':>7} {'n':>4} {'mean':>8} {'base':>8} {'excess':>8} {'median':>8} {'hit':>5} {'base':>5} "
            f"{'mdd':>8} {'base':>8}",
        ]
        hit_vs_half, hit_vs_base = ("hit>50% p", "hit>base") if self.claim == GAINS else ("hit<50% p", "hit<base")
        for h in self.horizons:
            e, b = h.events, h.baseline
            lines.append(
                f"{h.label:>7} {e.n:>4} {_percent(e.mean, 2):>8} {_percent(b.mean, 2):>8} {_percent(h.excess_mean, 2):>8} {_percent(e.median, 2):>8} "
                f"{_percent(e.hit_rate, 0):>5} {_percent(b.hit_rate, 0):>5} {_percent(e.mean_max_drawdown, 2):>8} {_percent(b.mean_max_drawdown, 2):>8}"
            )
        lines += [
            "",
            f"A. Did {self.claim} follow? (calendar-overlap t; one-sided p; Holm across the judged horizons)",
            f"{'horizon':>7} {'t':>7} {'n_eff':>5} {'SE':>7} {'p':>8} {'p Holm':>8} {hit_vs_half:>9} "
            f"{'90% CI of mean (overlap t)':>27}  verdict",
        ]
        for h in self.horizons:
            ci = f"[{_percent(h.ci_mean.low, 2)}, {_percent(h.ci_mean.high, 2)}]"
            se = h.overlap_mean.standard_error if h.overlap_mean is not None else math.nan
            lines.append(
                f"{h.label:>7} {_decimal(h.hac_mean.statistic, 2):>7} {_decimal(h.n_effective, 1):>5} {_percent(se, 2):>7} {_pvalue(h.hac_mean.pvalue):>8} "
                f"{_pvalue(h.pvalues_holm['hac_mean']):>8} {_pvalue(h.hit_vs_half.pvalue):>9} {ci:>27}  "
                f"{_verdict_text(h.verdict_a)}"
            )
        variants = [v for v in self.variants if v != "plain"]
        header = f"{'horizon':>7} {'RE p':>8} {'RE Holm':>8} " + "".join(f"{'RE ' + v:>11}" for v in variants)
        header += f" {'paths p':>8} {'pathHolm':>8} {'xs HAC p':>8} {hit_vs_base:>8} {'Wilcoxon':>8}  verdict"
        question_b = "Beyond a random entry date?" if self.claim == GAINS else "Worse than a random entry date?"
        lines += [
            "",
            f"B. {question_b} (secondary, per horizon; mean return; one-sided p, {self.claim} tail; RE = random entry)",
            header,
        ]
        for h in self.horizons:
            plain = h.random_entry.get("plain", {}).get("mean")
            row = f"{h.label:>7} {_pvalue(plain.pvalue if plain else math.nan):>8} {_pvalue(h.pvalues_holm.get('random_entry.plain.mean', math.nan)):>8} "
            for v in variants:
                test = h.random_entry.get(v, {}).get("mean")
                row += f"{_pvalue(test.pvalue if test else math.nan):>11}"
            path = h.bootstrap_paths["mean"] if h.bootstrap_paths else None
            row += (
                f" {_pvalue(path.pvalue if path else math.nan):>8} {_pvalue(h.pvalues_holm.get('bootstrap_paths.mean', math.nan)):>8}"
                f" {_pvalue(h.hac_excess.pvalue):>8} {_pvalue(h.hit_vs_unconditional.pvalue):>8} {_pvalue(h.wilcoxon_excess.pvalue):>8}  "
                f"{_verdict_text(h.verdict_b)}"
            )
            lines.append(row)
        if self.primary is not None:
            j = self.primary
            lines += [
                "",
                f"B, primary test (pre-specified): sum over {', '.join(j.horizons)} of the standardised excess "
                f"against {j.n_null:,} circular shifts of the event dates",
                f"  S = {j.statistic:.3f}, p = {_pvalue(j.pvalue)} (opposite tail {_pvalue(j.pvalue_opposite)}); "
                f"80%-power effect {', '.join(_percent(v, 2) for v in j.mde)}; "
                f"95% upper bound {', '.join(_percent(v, 2) for v in j.upper_bound)}",
                f"{'horizon':>7} {'excess':>8} {'SE':>7} {'n_eff':>5} {'p (t)':>8} {'MDE':>7} {'upper 95%':>9}",
            ]
            for h in self.horizons:
                o = h.overlap_excess
                if o is None:
                    continue
                lines.append(
                    f"{h.label:>7} {_percent(o.estimate, 2):>8} {_percent(o.standard_error, 2):>7} {_decimal(o.n_effective, 1):>5} "
                    f"{_pvalue(o.pvalue):>8} {_percent(o.mde, 2):>7} {_percent(o.upper_bound, 2):>9}"
                )
        notes = [*self.notes, *(note for h in self.horizons for note in h.notes)]
        if notes:
            lines += ["", "Notes:"] + [f"  - {note}" for note in notes]
        constant = "VERDICT_RULES" if self.claim == GAINS else "VERDICT_RULES_LOSSES"
        lines += ["", f"Verdict rules: see EventStatistics.verdict_rules (backtest.stats.verdict.{constant})."]
        return "\n".join(lines)


# The terminal tables of ``summary()``: ASCII placeholders, p-values to four decimals (the
# size of a tiny one in scientific notation), decimals without thousands separators.
_percent = functools.partial(numbers.percent, missing=numbers.ASCII_MISSING)
_decimal = functools.partial(numbers.decimal, grouping=False, missing=numbers.ASCII_MISSING)
_pvalue = functools.partial(numbers.pvalue, digits=4, small="scientific", missing=numbers.ASCII_MISSING)


def _verdict_text(verdict: Verdict) -> str:
    return verdict.outcome + (f" ({', '.join(verdict.flags)})" if verdict.flags else "")


_ALTERNATIVE = {"gains": "greater", "losses": "less"}


def in_claim_direction(test: MonteCarloTest, claim: str) -> MonteCarloTest:
    """The test with ``pvalue`` in the claim's tail: unchanged for gains; for losses the lower
    tail, in which ``better`` then names the tail the claim predicts for the events."""
    if check_claim(claim) == GAINS:
        return test
    return dataclasses.replace(test, better="less", pvalue=test.pvalue_less)


def analyze_events(
    study: EventStudy,
    *,
    n_draws: int = 100_000,
    n_paths: int = 1_000,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
    mean_block: float | str | None = None,
    variants: Sequence[str] = DEFAULT_VARIANTS,
    n_resamples: int = 9_999,
    claim: str = GAINS,
    claim_horizons: Sequence[str] | None = None,
) -> EventStatistics:
    """Answer questions A (did gains follow?) and B (beyond a random entry date?) for every horizon of ``study``.

    The statistics ask the study's source what it can do (``path_null_unavailable``): the
    bootstrapped-path null runs only for a source that is a function of the price path alone.
    For an exogenous source (dates, another series, volume) it is skipped, the reason is
    kept in ``path_null_skipped`` and in every horizon's notes, and question B rests on the
    random-entry null (``VERDICT_RULE_EXOGENOUS``). A sub-study of filtered events
    (``EventStudy.subset``) needs ``n_paths=0``: the path null would re-run the unfiltered
    rule, so it would compare a subset's mean with the mean of every event of a path, whose
    spread is narrower; a ParameterError says so.

    Parameters
    ----------
    study : EventStudy
        The events and the series they were detected on.
    n_draws : int, default 100000
        Random-entry Monte Carlo draws per horizon and variant (>= 1).
    n_paths : int, default 1000
        Bootstrapped price paths (0 skips the path test; question B then cannot be
        "supported").
    seed : int, default DEFAULT_SEED
        The single seed of every random component (sub-seeds via ``seed_from``).
    alpha : float, default DEFAULT_ALPHA
        Level of the verdicts, in (0, 1); 0.05 by default.
    mean_block : float or str or None, default None
        Stationary-bootstrap mean block length in trading days (None: per horizon by
        ``horizon_block_length``; "auto": Politis-White capped at the horizon; a number:
        that block at every horizon).
    variants : Sequence[str], default DEFAULT_VARIANTS
        Random-entry variants to run, distinct ("plain" is required: the verdict reads it).
        "era" is not run by default: it draws from the event's own year, which holds the
        rally that caused the cross, so it is biased towards "no" by construction (measured
        size 0.4-1.1% at 5%).
    n_resamples : int, default 9999
        Checked (>= 1) and kept for callers; the intervals are the analytic calendar-overlap
        ones, so no resampling uses it.
    claim : str, default "gains"
        "gains" (p-values one-sided in the upper tail, questions "did gains follow?" and
        "beyond a random entry date?") or "losses" (every one-sided test in the lower tail:
        mean < 0, hit rate < 50%, mean below random entry sets and bootstrapped paths;
        verdicts by ``VERDICT_RULES_LOSSES``). The same seed gives the same null draws
        either way.
    claim_horizons : Sequence[str] or None, default None
        The horizons of the primary joint test of question B (``joint``; default: every
        horizon of the study).

    Returns
    -------
    EventStatistics
        Every horizon's statistics and verdicts, the primary test and the intermediate objects.

    Raises
    ------
    ParameterError
        A bad study, count, seed, alpha, claim, variants or horizons, or ``n_paths`` > 0 on
        a subset.
    """
    if not isinstance(study, EventStudy):
        raise ParameterError(f"study must be an EventStudy (from run_event_study), got {type(study).__name__}")
    n_draws = check_count("n_draws", n_draws)
    n_paths = check_count("n_paths", n_paths, minimum=0)
    n_resamples = check_count("n_resamples", n_resamples)
    seed = check_seed(seed)
    claim = check_claim(claim)
    alternative = _ALTERNATIVE[claim]
    alpha = check_scalar(
        alpha, "alpha", float, min_val=0.0, max_val=1.0, include_boundaries="neither", must="lie in (0, 1)"
    )
    variants = tuple(variants)
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or "plain" not in variants or len(set(variants)) != len(variants):
        raise ParameterError(
            f"variants must be distinct values among {', '.join(VARIANTS)} and include 'plain', got {variants!r}"
        )

    if n_paths and study.is_subset:
        raise ParameterError(
            f"study holds {study.n_events} events, a filtered subset of its rule's: the "
            "bootstrapped-path null re-runs the unfiltered rule and does not apply to a subset; pass n_paths=0"
        )
    path_null_skipped = path_null_unavailable(study) if n_paths else None
    if path_null_skipped is not None:
        n_paths = 0

    eligible = eligible_days(study)
    baseline = unconditional_baseline(study, eligible)
    labels_all = tuple(h.label for h in study.horizons)
    claim_horizons = labels_all if claim_horizons is None else tuple(claim_horizons)
    if not claim_horizons or any(label not in labels_all for label in claim_horizons):
        raise ParameterError(
            f"claim_horizons must be horizons of the study ({', '.join(labels_all)}), got {claim_horizons!r}"
        )
    primary = None
    if all(describe(study.table, label).n > 0 for label in claim_horizons):
        primary = study_joint_shift_test(
            study, eligible, baseline, claim_horizons, alternative=alternative, alpha=min(float(alpha), 0.25)
        )
    paths = bootstrap_path_tests(study, n_paths=n_paths, mean_block=mean_block, seed=seed) if n_paths else None
    if paths is not None and claim != GAINS:
        paths = dataclasses.replace(
            paths,
            tests={
                label: {s: in_claim_direction(t, claim) for s, t in tests.items()}
                for label, tests in paths.tests.items()
            },
        )

    # one kernel pass per variant over every horizon with events (common random numbers)
    tested = tuple(h.label for h in study.horizons if len(study.complete(h.label)))
    random_entry_by_horizon = {
        variant: random_entry_tests_by_horizon(
            study, tested, variant=variant, n_draws=n_draws, seed=seed, eligible=eligible
        )
        for variant in variants
    }

    partial: list[dict[str, object]] = []
    for horizon in study.horizons:
        label = horizon.label
        events_table = study.complete(label)
        events = describe(study.table, label)
        base = baseline[label]
        ret = events_table[f"ret_{label}"].to_numpy(dtype=float)
        excess = ret - base.mean
        entry_pos = events_table["entry_pos"].to_numpy(dtype=np.int64)
        maxlags = overlap_maxlags(entry_pos, _horizon_window_days(study, label, entry_pos)) if len(ret) else 0
        n = len(ret)
        windows = window_days(study, label, entry_pos) if n else np.zeros(0, dtype=np.int64)
        test_alpha = min(float(alpha), 0.25)
        overlap_mean = overlap_mean_test(ret, entry_pos, windows, alternative=alternative, alpha=test_alpha)
        pool_entry = eligible.pool(label)["entry_pos"].to_numpy(dtype=np.int64)
        overlap_excess = overlap_mean_test(
            excess,
            entry_pos,
            windows,
            alternative=alternative,
            alpha=test_alpha,
            baseline_entry_pos=pool_entry,
            baseline_window_days=window_days(study, label, pool_entry),
        )
        n_effective_signs = sign_effective_events(entry_pos, windows) if n else 0.0
        random_entry: dict[str, dict[str, MonteCarloTest]] = {}
        if n:
            for variant in variants:
                tests = random_entry_by_horizon[variant][label]
                random_entry[variant] = {name: in_claim_direction(test, claim) for name, test in tests.items()}
        item = {
            "horizon": horizon,
            "events": events,
            "baseline": base,
            "maxlags": maxlags,
            "hac_mean": _as_test_result(overlap_mean, maxlags),
            "hit_vs_half": effective_binomial_test(ret, 0.5, n_effective_signs, alternative=alternative),
            "ci_mean": _as_interval(overlap_mean),
            "hac_excess": _as_test_result(overlap_excess, maxlags),
            "hit_vs_unconditional": effective_binomial_test(
                ret, base.hit_rate, n_effective_signs, alternative=alternative
            )
            if math.isfinite(base.hit_rate)
            else effective_binomial_test(ret[:0], 0.5, 1.0),
            "wilcoxon_excess": wilcoxon_test(ret - base.median, alternative=alternative)
            if math.isfinite(base.median)
            else wilcoxon_test(excess, alternative=alternative),
            "ci_excess": _as_interval(overlap_excess),
            "overlap_mean": overlap_mean,
            "overlap_excess": overlap_excess,
            "random_entry": random_entry,
            "bootstrap_paths": paths.tests[label] if paths is not None else None,
        }
        pvalues = {key: item[key].pvalue for _, key in _CLASSICAL_TESTS}
        opposite = {key: item[key].pvalue_opposite for _, key in _CLASSICAL_TESTS}
        for variant in variants:
            for statistic in NULL_STATISTICS:
                test = random_entry.get(variant, {}).get(statistic)
                pvalues[f"random_entry.{variant}.{statistic}"] = test.pvalue if test else math.nan
                opposite[f"random_entry.{variant}.{statistic}"] = _opposite_pvalue(test) if test else math.nan
        if paths is not None:
            for statistic, test in paths.tests[label].items():
                pvalues[f"bootstrap_paths.{statistic}"] = test.pvalue
                opposite[f"bootstrap_paths.{statistic}"] = _opposite_pvalue(test)
        item["pvalues"] = pvalues
        item["pvalues_opposite"] = opposite
        partial.append(item)

    # Holm's family for each test is the claim's horizons, the ones judged; another horizon
    # keeps its unadjusted p and is flagged "not judged" (reported, not part of the claim)
    keys = list(partial[0]["pvalues"]) if partial else []
    judged_items = [j for j, item in enumerate(partial) if item["horizon"].label in claim_horizons]
    adjusted = {key: holm([partial[j]["pvalues"][key] for j in judged_items]) for key in keys}

    results = []
    for j, item in enumerate(partial):
        horizon = item["horizon"]
        label = horizon.label
        judged = j in judged_items
        if judged:
            position = judged_items.index(j)
            pvalues_holm = {key: float(adjusted[key][position]) for key in keys}
        else:
            pvalues_holm = {key: float(item["pvalues"][key]) for key in keys}
        events: Descriptive = item["events"]
        n = events.n
        verdict_a = absolute_verdict(
            n=n,
            hac_pvalue_holm=pvalues_holm["hac_mean"],
            hit_rate=events.hit_rate,
            hit_vs_half_pvalue=item["hit_vs_half"].pvalue,
            alpha=alpha,
            claim=claim,
        )
        verdict_b = relative_verdict(
            n=n,
            random_entry_pvalue_holm=pvalues_holm["random_entry.plain.mean"],
            bootstrap_path_pvalue_holm=pvalues_holm.get("bootstrap_paths.mean"),
            alpha=alpha,
            path_null_applies=path_null_skipped is None,
        )
        if not judged:
            verdict_a = dataclasses.replace(verdict_a, flags=(*verdict_a.flags, NOT_JUDGED))
            verdict_b = dataclasses.replace(verdict_b, flags=(*verdict_b.flags, NOT_JUDGED))
        notes = _random_entry_notes(label, item["random_entry"], alpha)
        if not judged:
            notes.append(f"{label}: not one of the claim's horizons, so not judged (p-values unadjusted, outside Holm)")
        if 0 < n < SMALL_SAMPLE:
            notes.insert(0, f"{label}: only {n} complete events; " + ("anecdotal" if n < 10 else "small sample"))
        if item["maxlags"] > 0:
            notes.append(f"{label}: event windows overlap (up to {item['maxlags']} later events inside one window)")
        if path_null_skipped is not None:
            notes.append(f"{label}: bootstrapped-path null skipped: {path_null_skipped}")
        if paths is not None:
            without = int(np.count_nonzero(paths.event_counts[:, j] == 0))
            if without:
                notes.append(f"{label}: {without} of {n_paths} bootstrapped paths had no complete event (left out)")
        results.append(
            HorizonStatistics(
                label=label,
                days=horizon.days,
                months=horizon.months,
                events=events,
                baseline=item["baseline"],
                n_pending=study.n_events - n,
                maxlags=item["maxlags"],
                hac_mean=item["hac_mean"],
                hit_vs_half=item["hit_vs_half"],
                ci_mean=item["ci_mean"],
                hac_excess=item["hac_excess"],
                hit_vs_unconditional=item["hit_vs_unconditional"],
                wilcoxon_excess=item["wilcoxon_excess"],
                ci_excess=item["ci_excess"],
                random_entry=item["random_entry"],
                bootstrap_paths=item["bootstrap_paths"],
                pvalues=item["pvalues"],
                pvalues_holm=pvalues_holm,
                verdict_a=verdict_a,
                verdict_b=verdict_b,
                notes=tuple(notes),
                overlap_mean=item["overlap_mean"],
                overlap_excess=item["overlap_excess"],
                pvalues_opposite=item["pvalues_opposite"],
                judged=judged,
            )
        )
    return EventStatistics(
        horizons=tuple(results),
        series_name=study.series_name or str(study.close.name or ""),
        rules=study.rules,
        sample_start=baseline.first_date,
        sample_end=baseline.last_date,
        data_end=study.close.index[-1],
        n_events=study.n_events,
        seed=seed,
        alpha=float(alpha),
        n_draws=n_draws,
        n_paths=n_paths,
        mean_block=dict(paths.block_lengths) if paths is not None else None,
        variants=variants,
        baseline=baseline,
        bootstrap=paths,
        verdict_rules=verdict_rules(claim, path_null_applies=path_null_skipped is None),
        claim=claim,
        path_null_skipped=path_null_skipped,
        primary=primary,
        claim_horizons=claim_horizons,
        notes=_claim_notes(primary, claim, float(alpha)),
    )


def _claim_notes(primary: JointShiftTest | None, claim: str, alpha: float) -> tuple[str, ...]:
    """The claim-level notes: whether the data point the other way (the primary test's
    opposite tail below alpha)."""
    if primary is None or not primary.points_other_way(alpha):
        return ()
    side = "lower" if claim == GAINS else "higher"
    return (
        f"The data point the other way: after these events returns were {side} than after random days "
        f"(primary test, opposite tail p = {_pvalue(primary.pvalue_opposite)} < alpha = {alpha:g}), "
        f"the opposite of the claim that {claim} follow.",
    )
