"""A claim's overall verdict, read so that it cannot say more than the evidence carries.

``claim_conclusion`` turns the statistics, the claim's primary test and its robustness
panel into ``conclusion`` (summary.json's block): "not testable" when there is no event or
too few complete windows (with the reason and a hint, never "not supported"); otherwise the
primary test decides question B (``backtest.stats.verdict.overall_verdict``), a supported
claim that does not survive leaving out a single year is "supported, fragile" (naming the
year), the opposite tail is reported beside the claimed one and said plainly when the data
point the other way, and a verdict resting on fewer than ``SMALL_SAMPLE`` complete windows is
flagged. ``no_event_hint`` says why a rule found nothing, in the rule's own terms.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from backtest.claims.spec import ClaimSpec
from backtest.events import EventRules, EventStudy, LineCross, Threshold
from backtest.events.study import detection_bounds
from backtest.stats import EventStatistics
from backtest.stats.robustness import FRAGILITY_RULE, RobustnessPanel, SpecificationResult
from backtest.stats.verdict import (
    NOT_TESTABLE,
    SMALL,
    SMALL_SAMPLE,
    fragile_overall,
    overall_verdict,
    untestable_reason,
)

NOT_TESTABLE_RULE = (
    "A claim is 'not testable' when no event fired in the window analysed, or when some judged "
    "horizon has fewer than 10 complete windows (years, for a calendar claim): no evidence was "
    "weighed, so no verdict is given."
)


def _primary_unit(primary_kind: str) -> str:
    return "years" if primary_kind == "year_paired_t" else "complete windows"


def _primary_words(primary_kind: str, judged: tuple[str, ...]) -> str:
    if primary_kind == "year_paired_t":
        return f"the year-level paired test at {judged[0]}, each year's window against the rest of its year"
    return f"the joint circular-shift test over {', '.join(judged)}"


def complete_counts(statistics: EventStatistics, spec: ClaimSpec) -> dict[str, int]:
    """Complete windows per judged horizon (the n every test of that horizon reads)."""
    return {label: int(statistics[label].n) for label in spec.judged_horizons()}


def claim_conclusion(
    statistics: EventStatistics,
    spec: ClaimSpec,
    *,
    primary: SpecificationResult | None = None,
    primary_kind: str = "joint_circular_shift_sum",
    panel: RobustnessPanel | None = None,
    hint: str = "",
) -> dict[str, Any]:
    """The overall verdict (module docstring). ``primary``: the claim's primary test (None:
    the joint shift test of ``statistics``); ``panel``: its robustness panel (None: no
    fragility reading, as for a variant row); ``hint``: why no event fired, when none did."""
    judged = spec.judged_horizons()
    alpha = statistics.alpha
    complete = complete_counts(statistics, spec)
    if primary is not None and primary_kind == "year_paired_t":
        complete = {label: primary.n_events for label in judged}
    if primary is not None:
        pvalue, opposite = primary.pvalue, primary.pvalue_opposite
    elif statistics.primary is not None:
        pvalue, opposite = statistics.primary.pvalue, statistics.primary_pvalue_opposite
    else:
        pvalue, opposite = None, None
    conclusion: dict[str, Any] = overall_verdict(
        {label: statistics[label].verdict_a.outcome for label in judged},
        {label: statistics[label].verdict_b.outcome for label in judged},
        claim=spec.claim.direction,
        # a claim's verdict always rests on its primary test: one that could not run is NaN,
        # "inconclusive", never the per-horizon rule
        primary_pvalue=math.nan if pvalue is None else pvalue,
        alpha=alpha,
        primary_test=_primary_words(primary_kind, judged),
    )
    fewest = min(complete.values()) if complete else 0
    conclusion.update(
        {
            "primary_test": primary_kind,
            "primary_pvalue": pvalue,
            "primary_pvalue_opposite": opposite,
            "n_complete": complete,
            "unit": _primary_unit(primary_kind),
            "flags": [SMALL] if fewest and fewest < SMALL_SAMPLE else [],
            "points_other_way": bool(opposite is not None and math.isfinite(opposite) and opposite < alpha),
            "fragility": None,
            "not_testable": None,
        }
    )
    reason = untestable_reason(complete, unit=_primary_unit(primary_kind))
    if reason is not None:
        conclusion["overall"] = NOT_TESTABLE
        conclusion["not_testable"] = {"reason": reason, "hint": hint}
        conclusion["flags"] = []
        conclusion["rule"] = NOT_TESTABLE_RULE + " " + conclusion["rule"]
        return conclusion
    if panel is not None:
        fragility = panel.fragility()
        conclusion["overall"] = fragile_overall(conclusion["overall"], fragility.fragile)
        conclusion["fragility"] = fragility.to_dict()
        conclusion["rule"] = conclusion["rule"] + "\n\n" + FRAGILITY_RULE
    return conclusion


def _in_window(values: np.ndarray, index: Any, rules: EventRules) -> np.ndarray:
    first, last = detection_bounds(index, rules)
    window = values[first : last + 1]
    return window[np.isfinite(window)]


def no_event_hint(study: EventStudy) -> str:
    """Why the rule of ``study`` fired nowhere, in its own terms: the range a threshold's
    line took in the window analysed, that two lines never crossed, or that no date fell in
    the data ("" when there were events)."""
    if study.n_events:
        return ""
    rules, close = study.rules, study.close
    source = rules.source
    first, last = detection_bounds(close.index, rules)
    if first > last:
        return (
            f"the window analysed holds no close of {study.series_name} "
            f"({close.index[0].date()} to {close.index[-1].date()})"
        )
    span = f"{close.index[first].date()} to {close.index[last].date()}"
    if isinstance(source, Threshold):
        values = _in_window(np.asarray(source.a.on(close), dtype=float), close.index, rules)
        level = float(source.b.value)  # type: ignore[attr-defined]
        if len(values):
            return (
                f"{source.a.describe()} ranged from {values.min():.4g} to {values.max():.4g} from {span}, so it "
                f"never crossed {source.direction} {level:g}"
            )
    if isinstance(source, LineCross):
        return f"{source.a.describe()} never crossed {source.direction} {source.b.describe()} from {span}"
    return f"{source.describe()} fired on no day from {span}"
