"""Verdict rules exercised on constructed inputs: every outcome of both questions."""

from __future__ import annotations

import math

import pytest

from backtest.errors import ParameterError
from backtest.stats.verdict import (
    INCONCLUSIVE,
    MIN_EVENTS,
    NOT_SUPPORTED,
    SMALL_SAMPLE,
    SUPPORTED,
    VERDICT_RULES,
    absolute_verdict,
    relative_verdict,
)


def a(n=25, hac=0.01, hit=0.7, hit_p=0.02, alpha=0.05):
    return absolute_verdict(n=n, hac_pvalue_holm=hac, hit_rate=hit, hit_vs_half_pvalue=hit_p, alpha=alpha)


def b(n=25, random=0.01, path=0.01, alpha=0.05):
    return relative_verdict(n=n, random_entry_pvalue_holm=random, bootstrap_path_pvalue_holm=path, alpha=alpha)


@pytest.mark.parametrize(
    ("kwargs", "outcome"),
    [
        ({}, SUPPORTED),
        ({"hit": 0.5}, INCONCLUSIVE),  # significant mean, but no more gains than losses
        ({"hac": 0.2, "hit_p": 0.3}, NOT_SUPPORTED),
        ({"hac": 0.2, "hit_p": 0.01}, INCONCLUSIVE),  # many small gains, mean not significant
        ({"hac": math.nan, "hit_p": 0.3}, INCONCLUSIVE),  # a test could not run
        ({"hac": 0.049}, SUPPORTED),
        ({"hac": 0.05, "hit_p": 0.05}, NOT_SUPPORTED),  # p = alpha is not below alpha
        ({"hac": 0.03, "alpha": 0.01, "hit_p": 0.2}, NOT_SUPPORTED),
    ],
)
def test_question_a(kwargs, outcome) -> None:
    verdict = a(**kwargs)
    assert verdict.outcome == outcome and verdict.question == "A"
    assert verdict.flags == ()


@pytest.mark.parametrize(
    ("kwargs", "outcome"),
    [
        ({}, SUPPORTED),
        ({"path": 0.2}, INCONCLUSIVE),  # the nulls disagree
        ({"random": 0.2}, INCONCLUSIVE),
        ({"random": 0.2, "path": 0.3}, NOT_SUPPORTED),
        ({"random": 0.2, "path": None}, NOT_SUPPORTED),  # path test not run, no evidence anyway
        ({"random": 0.01, "path": None}, INCONCLUSIVE),  # only the random-entry test ran
        ({"random": 0.01, "path": math.nan}, INCONCLUSIVE),
        ({"random": math.nan, "path": 0.3}, INCONCLUSIVE),
    ],
)
def test_question_b(kwargs, outcome) -> None:
    verdict = b(**kwargs)
    assert verdict.outcome == outcome and verdict.question == "B"


def test_sample_size_rules() -> None:
    for verdict in (a(n=MIN_EVENTS - 1), b(n=MIN_EVENTS - 1), a(n=3, hac=0.2, hit_p=0.3)):
        assert verdict.outcome == INCONCLUSIVE and verdict.flags == ("anecdotal",)
    small = a(n=SMALL_SAMPLE - 1)
    assert small.outcome == SUPPORTED and small.flags == ("small sample",)
    assert b(n=SMALL_SAMPLE - 1, random=0.3, path=0.3).flags == ("small sample",)
    assert a(n=SMALL_SAMPLE).flags == ()


def test_verdicts_are_serialisable_and_rules_are_quotable() -> None:
    verdict = b(path=None).to_dict()
    assert verdict["evidence"]["random_entry_pvalue_holm"] == 0.01 and math.isnan(
        verdict["evidence"]["bootstrap_path_pvalue_holm"]
    )
    for phrase in ("supported", "not supported", "inconclusive", "Holm", "n < 10", "anecdotal", "small sample"):
        assert phrase in VERDICT_RULES
    with pytest.raises(ParameterError, match="alpha"):
        a(alpha=1.5)


def test_overall_from_the_primary_test() -> None:
    from backtest.stats.verdict import overall_verdict as overall

    a = {"3m": "inconclusive", "6m": "supported"}
    b = {"3m": "not supported", "6m": "not supported"}
    assert overall(a, b, primary_pvalue=0.01)["overall"] == "supported"
    assert overall(a, b, primary_pvalue=0.30)["overall"] == "not supported as a signal"
    assert overall({"3m": "not supported", "6m": "inconclusive"}, b, primary_pvalue=0.30)["overall"] == "not supported"
    assert overall(a, b, primary_pvalue=float("nan"))["overall"] == "inconclusive"
    assert "not evidence of no effect" in overall(a, b, primary_pvalue=0.30)["rule"]
