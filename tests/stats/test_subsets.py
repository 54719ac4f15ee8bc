"""Filtered subsets: the kept-vs-rejected permutation test against exact enumeration and
under a null / a planted effect, the one Holm family across filters and horizons, and the
verdicts with their sample-size rules."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest

from backtest.errors import ParameterError
from backtest.events import EventRules, Horizon, MACross, run_event_study
from backtest.events.filters import FilterRule, FilterSplit, apply_filter
from backtest.report.summary import dumps
from backtest.stats import analyze_events, holm
from backtest.stats.subsets import (
    FAMILY_TESTS,
    FILTER_VERDICT_RULES,
    compare_filters,
    filter_verdict,
    kept_vs_rejected_test,
)
from backtest.stats.verdict import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED

H = (Horizon("1m", days=21), Horizon("3m", days=63))


def walk(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n))),
        index=pd.bdate_range("1980-01-01", periods=n),
        name="walk",
    )


@pytest.fixture(scope="module")
def study():
    result = run_event_study(walk(6000, 8), EventRules(source=MACross(20, 100), start="1981-01-01"), H)
    assert result.n_events >= 30
    return result


def indicator_from_events(study, values: np.ndarray, first: int = 0) -> pd.Series:
    """An indicator whose value on each event day is ``values`` (NaN before event ``first``)."""
    series = pd.Series(0.0, index=study.close.index)
    series.iloc[study.table["event_pos"].to_numpy()] = values
    series.iloc[: study.table["event_pos"].iloc[first]] = np.nan
    return series


def test_permutation_test_matches_exact_enumeration(study) -> None:
    small = study.subset(np.arange(study.n_events) < 12)
    rng = np.random.default_rng(1)
    split = apply_filter(
        small, FilterRule("coin", "coin", ">", 0.5), indicator_from_events(study, rng.random(study.n_events))
    )
    test = kept_vs_rejected_test(small, split, "3m", n_draws=200_000, seed=3)
    ret = small.table["ret_3m"].to_numpy()
    kept = split.kept
    assert test.statistic == pytest.approx(ret[kept].mean() - ret[~kept].mean(), abs=1e-12)
    assert test.n == kept.sum() and test.null_model == "permutation" and test.better == "greater"
    k = int(kept.sum())
    exact = [ret[list(c)].mean() - np.delete(ret, list(c)).mean() for c in itertools.combinations(range(len(ret)), k)]
    exact_p = np.mean(np.round(exact, 12) >= round(test.statistic, 12))
    assert test.pvalue == pytest.approx(exact_p, abs=4 * math.sqrt(exact_p * (1 - exact_p) / 200_000) + 1e-5)
    assert test.null_mean == pytest.approx(0.0, abs=4 * test.null_std / math.sqrt(200_000))
    losses = kept_vs_rejected_test(small, split, "3m", n_draws=200_000, seed=3, claim="losses")
    assert losses.better == "less" and losses.pvalue == test.pvalue_less
    np.testing.assert_array_equal(losses.null, test.null)


def test_permutation_test_needs_both_sides(study) -> None:
    split = apply_filter(
        study, FilterRule("all", "x", ">", -1.0), indicator_from_events(study, np.zeros(study.n_events))
    )
    assert kept_vs_rejected_test(study, split, "1m", n_draws=100, seed=1) is None
    with pytest.raises(ParameterError, match="horizon"):
        kept_vs_rejected_test(study, split, "9m", n_draws=100, seed=1)


@pytest.mark.slow  # calibration and power: many simulated studies
def test_permutation_calibration_and_power(study) -> None:
    # A filter of coin flips: the one-sided 5% test rejects about 5% of the time (it is a
    # permutation test, exact given the returns; these seeds give 5.6%, 3,000 others 4.9%).
    # A filter that keeps the events with the best 3-month returns: it always rejects.
    rule = FilterRule("coin", "coin", ">", 0.5)
    rejections = 0
    trials = 1000
    for i in range(trials):
        coins = np.random.default_rng(5000 + i).random(study.n_events)
        outcome = np.where(coins > 0.5, "kept", "rejected")
        split = FilterSplit(rule, pd.DataFrame({"outcome": outcome}, index=study.table.index))
        rejections += kept_vs_rejected_test(study, split, "3m", n_draws=999, seed=i).pvalue < 0.05
    assert 0.03 <= rejections / trials <= 0.07
    oracle = apply_filter(
        study,
        FilterRule("oracle", "future", ">", 0.0),
        indicator_from_events(study, study.table["ret_3m"].fillna(0).to_numpy()),
    )
    assert kept_vs_rejected_test(study, oracle, "3m", n_draws=9999, seed=1).pvalue < 0.001


@pytest.fixture(scope="module")
def comparison(study):
    rng = np.random.default_rng(7)
    splits = [
        apply_filter(
            study, FilterRule("coin", "coin", ">", 0.5), indicator_from_events(study, rng.random(study.n_events))
        ),
        apply_filter(
            study,
            FilterRule("late", "late coin", ">", 0.3),
            indicator_from_events(study, rng.random(study.n_events), first=study.n_events - 12),
        ),
        apply_filter(
            study,
            FilterRule("oracle", "future", ">", 0.0),
            indicator_from_events(study, study.table["ret_3m"].fillna(0).to_numpy()),
        ),
    ]
    return compare_filters(study, splits, n_draws=4000, seed=11, n_resamples=999, variants=("plain",))


def test_cells_count_kept_rejected_and_no_data(study, comparison) -> None:
    assert comparison.filters == ("coin", "late", "oracle") and comparison.labels == ("1m", "3m")
    assert len(comparison.cells) == 6
    late = comparison["late", "3m"]
    split = comparison.splits[1]
    assert late.n_no_data == study.n_events - 12 == split.counts["no data"]
    complete = ~study.table["pending_3m"].to_numpy()
    assert late.kept.n == int((split.kept & complete).sum()) and late.rejected.n == int(
        (split.rejected & complete).sum()
    )
    assert late.with_data.n == late.kept.n + late.rejected.n
    ret = study.table["ret_3m"].to_numpy()
    assert late.kept.mean == pytest.approx(ret[split.kept & complete].mean())
    kept_alone = analyze_events(study.subset(split.kept), n_draws=4000, n_paths=0, n_resamples=999, variants=("plain",))
    assert kept_alone["3m"].events == late.kept_statistics.events  # the same descriptive statistics
    with pytest.raises(ParameterError, match="no cell"):
        comparison["coin", "6m"]


def test_one_holm_family_across_filters_and_horizons(comparison) -> None:
    for key in FAMILY_TESTS:
        raw = [cell.pvalues[key] for cell in comparison.cells]
        np.testing.assert_array_equal([cell.pvalues_holm[key] for cell in comparison.cells], holm(raw))
        assert comparison.family_size[key] == sum(math.isfinite(p) for p in raw)
    for cell in comparison.cells:
        assert cell.pvalues["hac_mean"] == cell.kept_statistics.hac_mean.pvalue
        assert cell.verdict_b.outcome != SUPPORTED  # no bootstrapped paths on a subset
        assert cell.verdict_c == filter_verdict(
            n_kept=cell.kept.n,
            n_rejected=cell.rejected.n,
            pvalue_holm=cell.pvalues_holm["kept_vs_rejected"],
            alpha=0.05,
        )
    oracle = comparison["oracle", "3m"]
    assert oracle.verdict_c.outcome == SUPPORTED and oracle.kept.mean > oracle.rejected.mean
    assert comparison["late", "1m"].verdict_c.outcome == INCONCLUSIVE and "anecdotal" in comparison["late", "1m"].flags


def test_filter_verdict_rules() -> None:
    assert filter_verdict(n_kept=20, n_rejected=20, pvalue_holm=0.01).outcome == SUPPORTED
    assert filter_verdict(n_kept=20, n_rejected=20, pvalue_holm=0.05).outcome == NOT_SUPPORTED
    small = filter_verdict(n_kept=30, n_rejected=12, pvalue_holm=0.01)
    assert small.outcome == SUPPORTED and small.flags == ("small sample",)
    six = filter_verdict(n_kept=6, n_rejected=30, pvalue_holm=0.001)  # a filter that leaves 6 events proves little
    assert six.outcome == INCONCLUSIVE and six.flags == ("anecdotal",)
    assert filter_verdict(n_kept=20, n_rejected=20, pvalue_holm=math.nan).outcome == INCONCLUSIVE
    for phrase in ("n < 10", "anecdotal", "one family", "kept", "rejected", "no data"):
        assert phrase in FILTER_VERDICT_RULES or phrase.replace("no data", "lack of data") in FILTER_VERDICT_RULES


def test_frames_dict_and_summary(comparison) -> None:
    frame = comparison.to_frame()
    assert len(frame) == 6 and {"n_kept", "n_rejected", "n_no_data", "p_holm_kept_vs_rejected", "verdict_c"} <= set(
        frame.columns
    )
    payload = comparison.to_dict()
    assert json.loads(dumps(payload))["cells"][0]["filter"] == "coin"
    assert payload["filters"][1]["counts"]["no data"] == comparison["late", "1m"].n_no_data
    assert "Holm across 6 filter x horizon cells" in comparison.summary()


def test_parameters(study, comparison) -> None:
    with pytest.raises(ParameterError, match="at least one"):
        compare_filters(study, [])
    with pytest.raises(ParameterError, match="distinct"):
        compare_filters(study, [comparison.splits[0], comparison.splits[0]])
    other = study.subset(np.arange(study.n_events) > 0)
    with pytest.raises(ParameterError, match="another study"):
        compare_filters(other, comparison.splits[:1], n_draws=10)
    with pytest.raises(ParameterError, match="claim"):
        compare_filters(study, comparison.splits[:1], n_draws=10, claim="sideways")
