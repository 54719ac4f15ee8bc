"""Verdicts: turn the tests of one horizon into "supported", "not supported" or
"inconclusive" for question A (did gains follow?) and B (beyond a random entry date?).

Inputs: plain numbers (n, Holm-adjusted p-values, hit rate). Output: ``Verdict``. The rules
are the text ``VERDICT_RULES``, which reports quote verbatim; the functions below implement
exactly that text. A claim that losses follow the events (death crosses) reads the same
tests in the lower tail; its text is ``VERDICT_RULES_LOSSES`` (``verdict_rules(claim)``).
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

NOT_TESTABLE = "not testable"
"""The overall verdict when the data cannot test the claim: no event, or fewer than
``MIN_EVENTS`` complete windows at a judged horizon. Never "not supported": no evidence was
weighed."""
SUPPORTED_FRAGILE = "supported, fragile"
"""The overall verdict of a claim whose primary test rejects but not with some single year
left out (``backtest.stats.robustness.FRAGILITY_RULE``)."""
OVERALL_VERDICTS: tuple[str, ...] = (
    "supported",
    SUPPORTED_FRAGILE,
    "not supported as a signal",
    "not supported",
    INCONCLUSIVE,
    NOT_TESTABLE,
)
"""Every overall verdict a claim can get, from the strongest to none."""

GAINS = "gains"
LOSSES = "losses"
CLAIMS: tuple[str, ...] = (GAINS, LOSSES)
"""Directions of a claim: "gains" follow the events (one-sided tests in the upper tail) or
"losses" do (lower tail)."""

VERDICT_RULES = """\
Verdicts are given per horizon for two questions, at significance level alpha (default
0.05). p-values are one-sided in the direction of the claim. "Holm" means adjusted with
Holm's step-down method across the horizons tested, separately for each test. n is the
number of events whose window at that horizon is complete.

Sample size. n < 10: both verdicts are "inconclusive", flagged "anecdotal".
10 <= n < 20: the rules below apply, and the verdicts are flagged "small sample".

A. Did gains follow? (absolute)
  supported      Holm p of the calendar-overlap t-test of mean event return > 0 is below
                 alpha, and the hit rate (share of events with a positive return) is above 50%.
  not supported  Holm overlap-t p >= alpha, and the binomial test of the hit rate against 50%
                 gives p >= alpha: neither the mean nor the share of gains shows gains.
  inconclusive   otherwise (the mean and the share of gains disagree, or a test could not run).
  The calendar-overlap t-test takes its standard error from the exact number of trading days
  the event windows share (Hansen & Hodrick 1980), with n_eff - 1 degrees of freedom.

B. Did the cross add information beyond a random entry date? (relative)
  Primary test, fixed before looking: the sum over the claim's horizons of the standardised
  excess return (event mean minus all-days mean, over the all-days standard deviation)
  against every circular shift of the event dates (spacing kept). The claim's verdict on B
  is "supported" when its p is below alpha. The per-horizon rule below is SECONDARY.
  supported      Holm p of the random-entry Monte Carlo (mean event return against random
                 entry sets of the same size, plain variant) is below alpha, and Holm p of
                 the bootstrapped-path test (mean event return minus the all-days mean,
                 against the same on stationary-bootstrap price paths) is below alpha.
  not supported  Holm random-entry p >= alpha, and Holm bootstrapped-path p >= alpha (or the
                 path test was not run).
  inconclusive   otherwise (the two nulls disagree, or only the random-entry test ran).

Reported beside the verdicts without changing them: the spacing-matched (and, on request,
the era-matched, which is biased towards "no") random-entry variants (a note is added when one disagrees with the plain variant at alpha),
the median, hit-rate and drawdown Monte Carlo tests, the classical tests of excess returns
(overlap t, binomial against the unconditional hit rate, Wilcoxon signed-rank of the event
return minus the all-days median) and the overlap-t intervals (90%: their ends are one-sided
95% bounds, so they agree with the unadjusted one-sided 5% tests)."""

VERDICT_RULES_LOSSES = """\
Verdicts are given per horizon for two questions, at significance level alpha (default
0.05). The claim is that LOSSES follow the events, so every p-value is one-sided in that
direction (the lower tail). "Holm" means adjusted with Holm's step-down method across the
horizons tested, separately for each test. n is the number of events whose window at that
horizon is complete. The loss rate is the share of windows without a gain (return <= 0),
i.e. 100% minus the hit rate.

Sample size. n < 10: both verdicts are "inconclusive", flagged "anecdotal".
10 <= n < 20: the rules below apply, and the verdicts are flagged "small sample".

A. Did losses follow? (absolute)
  supported      Holm p of the calendar-overlap t-test of mean event return < 0 is below
                 alpha, and the loss rate is above 50% (the hit rate is below 50%).
  not supported  Holm overlap-t p >= alpha, and the binomial test of the hit rate against 50%
                 (lower tail) gives p >= alpha: neither the mean nor the share of losses
                 shows losses.
  inconclusive   otherwise (the mean and the share of losses disagree, or a test could not run).

B. Were the events worse than a random entry date? (relative)
  Primary test, fixed before looking: the sum over the claim's horizons of the standardised
  excess return, lower tail, against every circular shift of the event dates. The claim's
  verdict on B reads it; the per-horizon rule below is SECONDARY.
  supported      Holm p of the random-entry Monte Carlo (mean event return against random
                 entry sets of the same size, plain variant; p = share of random sets whose
                 mean is at or below the events') is below alpha, and Holm p of the
                 bootstrapped-path test (mean event return minus the all-days mean, against
                 the same on stationary-bootstrap price paths, lower tail) is below alpha.
  not supported  Holm random-entry p >= alpha, and Holm bootstrapped-path p >= alpha (or the
                 path test was not run).
  inconclusive   otherwise (the two nulls disagree, or only the random-entry test ran).

Reported beside the verdicts without changing them, all in the lower tail: the spacing-matched
(and, on request, era-matched) random-entry variants (a note is added when one disagrees with the plain variant
at alpha), the median, hit-rate and drawdown Monte Carlo tests (a deeper mean drawdown counts
as worse), the classical tests of excess returns (overlap t of mean excess < 0, binomial of the
hit rate below the unconditional one, Wilcoxon signed-rank against the all-days median) and
the overlap-t intervals."""


VERDICT_RULE_EXOGENOUS = """\
Exogenous event source. When the events come from a source that reads data other than the
price path (a list of dates, another series such as the VIX or a yield, volume), a resampled
price path cannot re-run it and the bootstrapped-path test does not apply. Question B is then
decided by the random-entry Monte Carlo alone (valid for any source): supported when its Holm
p is below alpha, not supported otherwise."""


def check_claim(claim: str) -> str:
    """ "gains" or "losses", or ParameterError naming the parameter."""
    if claim not in CLAIMS:
        raise ParameterError(f"claim must be 'gains' or 'losses', got {claim!r}")
    return claim


def verdict_rules(claim: str = GAINS, path_null_applies: bool = True) -> str:
    """The verdict-rules text of a claim direction (``VERDICT_RULES`` for gains), with
    ``VERDICT_RULE_EXOGENOUS`` appended when the path null does not apply to the source."""
    text = VERDICT_RULES if check_claim(claim) == GAINS else VERDICT_RULES_LOSSES
    return text if path_null_applies else text + "\n\n" + VERDICT_RULE_EXOGENOUS


@dataclass(frozen=True)
class Verdict:
    """The outcome of one question at one horizon.

    Parameters
    ----------
    question : str
        "A" or "B".
    outcome : str
        One of ``OUTCOMES``.
    rule : str
        Which clause of ``VERDICT_RULES`` decided it.
    flags : tuple[str, ...], default ()
        "anecdotal" / "small sample".
    evidence : tuple[tuple[str, float], ...], default ()
        The numbers the rule read, as (name, value) pairs.
    """

    question: str
    outcome: str
    rule: str
    flags: tuple[str, ...] = ()
    evidence: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields.

        Returns
        -------
        dict[str, object]
            question, outcome, rule, flags (a list) and evidence (a name -> value dict).
        """
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


def untestable_reason(complete: dict[str, int], *, unit: str = "complete windows") -> str | None:
    """Why a claim cannot be tested (None when it can): no event at all, or fewer than
    ``MIN_EVENTS`` complete windows at some judged horizon (``complete``: label -> count;
    ``unit``: what the counts count, e.g. "years" for a calendar claim)."""
    if not complete or max(complete.values()) == 0:
        return "no event fired in the window analysed"
    label, fewest = min(complete.items(), key=lambda item: item[1])
    if fewest < MIN_EVENTS:
        return f"only {fewest} {unit} at {label} (at least {MIN_EVENTS} are needed to test a claim)"
    return None


def fragile_overall(overall: str, fragile: bool) -> str:
    """The overall verdict with the fragility rule applied: "supported" becomes
    ``SUPPORTED_FRAGILE`` when the result does not survive leaving out a single year."""
    return SUPPORTED_FRAGILE if overall == "supported" and fragile else overall


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
    *,
    n: int,
    hac_pvalue_holm: float,
    hit_rate: float,
    hit_vs_half_pvalue: float,
    alpha: float = DEFAULT_ALPHA,
    claim: str = GAINS,
) -> Verdict:
    """Question A by ``VERDICT_RULES`` (claim "gains") or ``VERDICT_RULES_LOSSES`` ("losses").

    For "losses" the p-values passed are the lower-tail ones.

    Parameters
    ----------
    n : int
        Events whose window at the horizon is complete.
    hac_pvalue_holm : float
        Holm-adjusted one-sided p-value of the test of the mean event return (the
        calendar-overlap t-test in ``analyze_events``); NaN when it could not run.
    hit_rate : float
        Share of events with a positive return, as a fraction.
    hit_vs_half_pvalue : float
        One-sided p-value of the binomial test of the hit rate against 50%.
    alpha : float, default 0.05
        Significance level, in (0, 1).
    claim : str, default "gains"
        "gains" or "losses".

    Returns
    -------
    Verdict
        Question "A", its outcome, the deciding rule, sample flags and the numbers read.

    Raises
    ------
    ParameterError
        ``alpha`` outside (0, 1), or an unknown claim.
    """
    alpha = _check_alpha(alpha)
    claim = check_claim(claim)
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
    if claim == LOSSES:
        if mean_shows and math.isfinite(hit_rate) and hit_rate < 0.5:
            return Verdict("A", SUPPORTED, "Holm HAC p < alpha and loss rate > 50%", flags, evidence)
        if mean_shows is False and hits_show is False:
            return Verdict(
                "A", NOT_SUPPORTED, "Holm HAC p >= alpha and binomial p (hit rate below 50%) >= alpha", flags, evidence
            )
        return Verdict("A", INCONCLUSIVE, "mean and loss rate disagree, or a test could not run", flags, evidence)
    if mean_shows and math.isfinite(hit_rate) and hit_rate > 0.5:
        return Verdict("A", SUPPORTED, "Holm HAC p < alpha and hit rate > 50%", flags, evidence)
    if mean_shows is False and hits_show is False:
        return Verdict(
            "A", NOT_SUPPORTED, "Holm HAC p >= alpha and binomial p (hit rate vs 50%) >= alpha", flags, evidence
        )
    return Verdict("A", INCONCLUSIVE, "mean and hit rate disagree, or a test could not run", flags, evidence)


def relative_verdict(
    *,
    n: int,
    random_entry_pvalue_holm: float,
    bootstrap_path_pvalue_holm: float | None,
    alpha: float = DEFAULT_ALPHA,
    path_null_applies: bool = True,
) -> Verdict:
    """Question B by ``VERDICT_RULES`` (``bootstrap_path_pvalue_holm`` None or NaN: not run).

    The rule reads p-values only, so it serves both claim directions: for "losses" pass the
    lower-tail p-values (``VERDICT_RULES_LOSSES``).

    Parameters
    ----------
    n : int
        Events whose window at the horizon is complete.
    random_entry_pvalue_holm : float
        Holm-adjusted p-value of the random-entry Monte Carlo (plain variant).
    bootstrap_path_pvalue_holm : float or None
        Holm-adjusted p-value of the bootstrapped-path test; None or NaN: not run.
    alpha : float, default 0.05
        Significance level, in (0, 1).
    path_null_applies : bool, default True
        False: the event source is exogenous (``VERDICT_RULE_EXOGENOUS``), so the
        random-entry test alone decides.

    Returns
    -------
    Verdict
        Question "B", its outcome, the deciding rule, sample flags and the numbers read.

    Raises
    ------
    ParameterError
        ``alpha`` outside (0, 1).
    """
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
    if not path_null_applies:
        if random_shows is None:
            return Verdict("B", INCONCLUSIVE, "the random-entry test could not run", flags, evidence)
        outcome = SUPPORTED if random_shows else NOT_SUPPORTED
        comparison = "<" if random_shows else ">="
        return Verdict(
            "B",
            outcome,
            f"Holm random-entry p {comparison} alpha (bootstrapped-path null does not apply to the source)",
            flags,
            evidence,
        )
    path_shows = _significant(path_p, alpha)
    if random_shows and path_shows:
        return Verdict(
            "B", SUPPORTED, "Holm random-entry p < alpha and Holm bootstrapped-path p < alpha", flags, evidence
        )
    if random_shows is False and path_shows is not True:
        rule = "Holm random-entry p >= alpha and Holm bootstrapped-path p >= alpha"
        if path_shows is None:
            rule = "Holm random-entry p >= alpha (bootstrapped-path test not run)"
        return Verdict("B", NOT_SUPPORTED, rule, flags, evidence)
    return Verdict(
        "B", INCONCLUSIVE, "the random-entry and bootstrapped-path tests disagree, or only one ran", flags, evidence
    )


def overall_verdict(
    question_a: dict[str, str],
    question_b: dict[str, str],
    claim: str = GAINS,
    *,
    primary_pvalue: float | None = None,
    alpha: float = DEFAULT_ALPHA,
    primary_test: str | None = None,
) -> dict[str, object]:
    """The claim's verdict over several horizons from their per-horizon outcomes.

    A claim that events *signal* gains (or losses) is "supported" if question B is supported
    at every horizon given, "partly supported" if at some, "not supported as a signal" if A
    is supported somewhere but B nowhere, and "not supported" otherwise. Returns the rule
    text, the horizons where A and B are supported, and ``overall``.

    With ``primary_pvalue`` (the joint test of ``backtest.stats.joint``, or the test that
    ``primary_test`` names, e.g. a calendar claim's year-level paired test) B is decided by
    that one pre-specified test instead: "supported" when it is below ``alpha``,
    "inconclusive" when it is NaN; the per-horizon B outcomes are then secondary. (The all-horizons rule without it needs
    two Holm-adjusted nulls to reject at every horizon: its measured size was 0.2-0.7% and its
    power 6-8% for realistic effects, so it could hardly ever say yes.)
    """
    claim = check_claim(claim)
    if primary_pvalue is not None:
        test = primary_test or f"the joint circular-shift test over {', '.join(question_b)}"
        return _overall_from_primary(question_a, question_b, claim, float(primary_pvalue), _check_alpha(alpha), test)
    if set(question_a) != set(question_b) or not question_a:
        raise ParameterError("question_a and question_b must give outcomes for the same, non-empty horizons")
    followed = [label for label, outcome in question_a.items() if outcome == SUPPORTED]
    beyond = [label for label, outcome in question_b.items() if outcome == SUPPORTED]
    if beyond:
        overall = "supported" if len(beyond) == len(question_b) else "partly supported"
    elif followed:
        overall = "not supported as a signal"
    else:
        overall = "not supported"
    movement = claim
    relation = "beyond" if claim == GAINS else "worse than"
    rule = (
        f"The claim is that the events *signal* {movement}. It is 'supported' if question B ({relation} a "
        f"random entry date) is supported at every horizon of the claim ({', '.join(question_b)}), 'partly "
        f"supported' if at some, 'not supported as a signal' if {movement} followed (A supported somewhere) "
        "but B is supported nowhere, and 'not supported' otherwise."
    )
    return {
        "rule": rule,
        "claim": claim,
        "claim_horizons": list(question_b),
        "question_a": dict(question_a),
        "question_b": dict(question_b),
        f"{movement}_followed_at": followed,
        "beyond_random_entry_at": beyond,
        "overall": overall,
    }


def _overall_from_primary(
    question_a: dict[str, str],
    question_b: dict[str, str],
    claim: str,
    primary_pvalue: float,
    alpha: float,
    primary_test: str,
) -> dict[str, object]:
    if set(question_a) != set(question_b) or not question_a:
        raise ParameterError("question_a and question_b must give outcomes for the same, non-empty horizons")
    followed = [label for label, outcome in question_a.items() if outcome == SUPPORTED]
    beyond = [label for label, outcome in question_b.items() if outcome == SUPPORTED]
    primary_shows = _significant(primary_pvalue, alpha)
    if primary_shows:
        overall = "supported"
    elif primary_shows is None:
        overall = "inconclusive"
    elif followed:
        overall = "not supported as a signal"
    else:
        overall = "not supported"
    relation = "beyond" if claim == GAINS else "worse than"
    rule = (
        f"The claim is that the events *signal* {claim}. It is 'supported' if the primary test of question B "
        f"({relation} a random entry date: {primary_test}) has p < alpha = {alpha:g}; 'inconclusive' if it "
        f"could not run; 'not supported as a signal' if it does not reject but {claim} followed (A supported at "
        "some horizon); 'not supported' otherwise. Not supported means no evidence of an effect, not evidence of "
        "no effect: the simulated power says how large an effect the data could have found."
    )
    return {
        "rule": rule,
        "claim": claim,
        "claim_horizons": list(question_b),
        "question_a": dict(question_a),
        "question_b": dict(question_b),
        f"{claim}_followed_at": followed,
        "beyond_random_entry_at": beyond,
        "primary_pvalue": primary_pvalue,
        "overall": overall,
    }
