"""Verdicts: turn the tests of one horizon into "supported", "not supported" or
"inconclusive" for question A (did gains follow?) and B (beyond a random entry date?).

Inputs: plain numbers (n, Holm-adjusted p-values, hit rate). Output: ``Verdict``. The rules
are the text ``VERDICT_RULES``, which reports quote verbatim; the functions below implement
exactly that text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from backtest.errors import ParameterError

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
INCONCLUSIVE = "inconclusive"
OUTCOMES: tuple[str, ...] = (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE)

DEFAULT_ALPHA = 0.05
MIN_EVENTS = 10
"""Below this many complete events a horizon gets no verdict ("anecdotal")."""
SMALL_SAMPLE = 20
"""Below this many complete events verdicts are flagged "small sample"."""

ANECDOTAL = "anecdotal"
SMALL = "small sample"

VERDICT_RULES = """\
Verdicts are given per horizon for two questions, at significance level alpha (default
0.05). p-values are one-sided in the direction of the claim. "Holm" means adjusted with
Holm's step-down method across the horizons tested, separately for each test. n is the
number of events whose window at that horizon is complete.

Sample size. n < 10: both verdicts are "inconclusive", flagged "anecdotal".
10 <= n < 20: the rules below apply, and the verdicts are flagged "small sample".

A. Did gains follow? (absolute)
  supported      Holm p of the Newey-West (HAC) t-test of mean event return > 0 is below
                 alpha, and the hit rate (share of events with a positive return) is above 50%.
  not supported  Holm HAC p >= alpha, and the binomial test of the hit rate against 50% gives
                 p >= alpha: neither the mean nor the share of gains shows gains.
  inconclusive   otherwise (the mean and the share of gains disagree, or a test could not run).

B. Did the cross add information beyond a random entry date? (relative)
  supported      Holm p of the random-entry Monte Carlo (mean event return against random
                 entry sets of the same size, plain variant) is below alpha, and Holm p of
                 the bootstrapped-path test (mean event return against the same rule on
                 stationary-bootstrap price paths) is below alpha.
  not supported  Holm random-entry p >= alpha, and Holm bootstrapped-path p >= alpha (or the
                 path test was not run).
  inconclusive   otherwise (the two nulls disagree, or only the random-entry test ran).

Reported beside the verdicts without changing them: the spacing- and era-matched
random-entry variants (a note is added when one disagrees with the plain variant at alpha),
the median, hit-rate and drawdown Monte Carlo tests, the classical tests of excess returns
(HAC t, binomial against the unconditional hit rate, Wilcoxon signed-rank) and the
bootstrap confidence intervals."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one question at one horizon.

    question: "A" or "B". outcome: one of ``OUTCOMES``. rule: which clause of
    ``VERDICT_RULES`` decided it. flags: "anecdotal" / "small sample". evidence: the
    numbers the rule read, as (name, value) pairs.
    """

    question: str
    outcome: str
    rule: str
    flags: tuple[str, ...] = ()
    evidence: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "outcome": self.outcome,
            "rule": self.rule,
            "flags": list(self.flags),
            "evidence": {name: value for name, value in self.evidence},
        }


def _check_alpha(alpha: float) -> float:
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha must lie in (0, 1), got {alpha!r}")
    return float(alpha)


def sample_flags(n: int) -> tuple[str, ...]:
    """("anecdotal",) when n < MIN_EVENTS, ("small sample",) when n < SMALL_SAMPLE, else ()."""
    if n < MIN_EVENTS:
        return (ANECDOTAL,)
    if n < SMALL_SAMPLE:
        return (SMALL,)
    return ()


def _significant(p: float, alpha: float) -> bool | None:
    """True / False, or None when the p-value is missing (NaN or None)."""
    if p is None or not math.isfinite(p):
        return None
    return p < alpha


def absolute_verdict(
    *, n: int, hac_pvalue_holm: float, hit_rate: float, hit_vs_half_pvalue: float, alpha: float = DEFAULT_ALPHA
) -> Verdict:
    """Question A by ``VERDICT_RULES``."""
    alpha = _check_alpha(alpha)
    flags = sample_flags(n)
    evidence = (
        ("n", float(n)),
        ("hac_pvalue_holm", float(hac_pvalue_holm)),
        ("hit_rate", float(hit_rate)),
        ("hit_vs_half_pvalue", float(hit_vs_half_pvalue)),
        ("alpha", alpha),
    )
    if n < MIN_EVENTS:
        return Verdict("A", INCONCLUSIVE, f"n < {MIN_EVENTS}: anecdotal", flags, evidence)
    mean_shows = _significant(hac_pvalue_holm, alpha)
    hits_show = _significant(hit_vs_half_pvalue, alpha)
    if mean_shows and math.isfinite(hit_rate) and hit_rate > 0.5:
        return Verdict("A", SUPPORTED, "Holm HAC p < alpha and hit rate > 50%", flags, evidence)
    if mean_shows is False and hits_show is False:
        return Verdict("A", NOT_SUPPORTED, "Holm HAC p >= alpha and binomial p (hit rate vs 50%) >= alpha", flags, evidence)
    return Verdict("A", INCONCLUSIVE, "mean and hit rate disagree, or a test could not run", flags, evidence)


def relative_verdict(
    *,
    n: int,
    random_entry_pvalue_holm: float,
    bootstrap_path_pvalue_holm: float | None,
    alpha: float = DEFAULT_ALPHA,
) -> Verdict:
    """Question B by ``VERDICT_RULES`` (``bootstrap_path_pvalue_holm`` None or NaN: not run)."""
    alpha = _check_alpha(alpha)
    flags = sample_flags(n)
    path_p = math.nan if bootstrap_path_pvalue_holm is None else float(bootstrap_path_pvalue_holm)
    evidence = (
        ("n", float(n)),
        ("random_entry_pvalue_holm", float(random_entry_pvalue_holm)),
        ("bootstrap_path_pvalue_holm", path_p),
        ("alpha", alpha),
    )
    if n < MIN_EVENTS:
        return Verdict("B", INCONCLUSIVE, f"n < {MIN_EVENTS}: anecdotal", flags, evidence)
    random_shows = _significant(random_entry_pvalue_holm, alpha)
    path_shows = _significant(path_p, alpha)
    if random_shows and path_shows:
        return Verdict("B", SUPPORTED, "Holm random-entry p < alpha and Holm bootstrapped-path p < alpha", flags, evidence)
    if random_shows is False and path_shows is not True:
        rule = "Holm random-entry p >= alpha and Holm bootstrapped-path p >= alpha"
        if path_shows is None:
            rule = "Holm random-entry p >= alpha (bootstrapped-path test not run)"
        return Verdict("B", NOT_SUPPORTED, rule, flags, evidence)
    return Verdict("B", INCONCLUSIVE, "the random-entry and bootstrapped-path tests disagree, or only one ran", flags, evidence)
