"""analyze_events end to end: structure, tidy frames, JSON, seeds, the excess-return and
lag-order construction against direct statsmodels calls, Holm, verdicts, real data."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from backtest.bench.montecarlo import finite_population_moments
from backtest.errors import ParameterError
from backtest.events import EventRules, Horizon, MACross, run_event_study
from backtest.stats import NULL_STATISTICS, VERDICT_RULES, analyze_events, holm
from backtest.stats.classical import binomial_tail_pvalues
from backtest.stats.montecarlo import event_pool
from backtest.stats.verdict import OUTCOMES, absolute_verdict, relative_verdict

HORIZONS = (Horizon("1m", days=21), Horizon("6m", days=126), Horizon("20y", days=5000))


def walk(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n))),
        index=pd.bdate_range("1980-01-01", periods=n),
        name="walk",
    )


@pytest.fixture(scope="module")
def study():
    return run_event_study(walk(4000, 3), EventRules(source=MACross(20, 100), start="1981-01-01"), HORIZONS)


@pytest.fixture(scope="module")
def result(study):
    return analyze_events(study, n_draws=4000, n_paths=150, seed=7, n_resamples=999)


def test_structure(study, result) -> None:
    assert result.labels == ("1m", "6m", "20y")
    assert result.n_events == study.n_events > 20
    six = result["6m"]
    assert six.n == len(study.complete("6m")) and six.n_pending == study.n_events - six.n
    assert set(six.random_entry) == {"plain", "spacing"}  # "era" is opt-in: biased towards "no"
    assert set(six.random_entry["spacing"]) == set(NULL_STATISTICS)
    assert six.bootstrap_paths["mean"].n_null <= 150
    assert six.excess_mean == pytest.approx(six.events.mean - six.baseline.mean)
    assert six.verdict_a.outcome in OUTCOMES and six.verdict_b.outcome in OUTCOMES
    assert result.verdict_rules == VERDICT_RULES
    null = result.null_distribution("6m", "mean", "spacing")
    assert null.shape == (4000,) and null is six.random_entry["spacing"]["mean"].null
    assert result.null_distribution("6m", "hit_rate", "bootstrap_paths").shape == (150,)
    with pytest.raises(ParameterError, match="horizon '2m'"):
        result["2m"]


def test_no_complete_event_gives_nan_tests_and_inconclusive(result) -> None:
    never = result["20y"]  # 5,000-day windows never complete in 4,000 days
    assert never.n == 0 and never.random_entry == {}
    assert math.isnan(never.hac_mean.pvalue) and math.isnan(never.pvalues_holm["random_entry.plain.mean"])
    assert never.verdict_a.outcome == "inconclusive" and never.verdict_a.flags == ("anecdotal",)


def test_excess_returns_and_lag_order_match_direct_statsmodels(study, result) -> None:
    for label in ("1m", "6m"):
        events = study.complete(label)
        entries = events["entry_pos"].to_numpy()
        days = {"1m": 21, "6m": 126}[label]
        maxlags = max(sum(1 for later in entries[i + 1 :] if later < entry + days) for i, entry in enumerate(entries))
        assert result[label].maxlags == maxlags
        pool_mean = event_pool(study, label).ret.mean()
        ret = events[f"ret_{label}"].to_numpy()
        excess = ret - pool_mean
        # readable twin of the calendar-overlap SE: shared days / sqrt(h_i h_j), by loops
        n = len(ret)
        shared = sum(
            max(0, min(entries[i], entries[j]) + days - max(entries[i], entries[j])) / days
            for i in range(n)
            for j in range(n)
        )
        se = ret.std(ddof=1) * math.sqrt(shared) / n
        assert result[label].hac_mean.test == "calendar_overlap_t"
        assert result[label].hac_mean.statistic == pytest.approx(ret.mean() / se, rel=1e-10)
        assert result[label].n_effective == pytest.approx(n * n / shared, rel=1e-10)
        assert result[label].overlap_excess.estimate == pytest.approx(excess.mean(), rel=1e-10)
    assert result["6m"].maxlags >= result["1m"].maxlags


def test_holm_and_verdicts_follow_from_the_pvalues(result) -> None:
    for key in ("hac_mean", "random_entry.plain.mean", "bootstrap_paths.mean", "random_entry.spacing.hit_rate"):
        raw = [h.pvalues[key] for h in result.horizons]
        np.testing.assert_array_equal([h.pvalues_holm[key] for h in result.horizons], holm(raw))
    for h in result.horizons:
        assert h.verdict_a == absolute_verdict(
            n=h.n,
            hac_pvalue_holm=h.pvalues_holm["hac_mean"],
            hit_rate=h.events.hit_rate,
            hit_vs_half_pvalue=h.hit_vs_half.pvalue,
            alpha=result.alpha,
        )
        assert h.verdict_b == relative_verdict(
            n=h.n,
            random_entry_pvalue_holm=h.pvalues_holm["random_entry.plain.mean"],
            bootstrap_path_pvalue_holm=h.pvalues_holm["bootstrap_paths.mean"],
            alpha=result.alpha,
        )


def test_tidy_frames(result) -> None:
    frame = result.to_frame()
    per_horizon = 5 + 2 + 2 * 4 + 3  # classical tests, CIs, random entry (2 variants x 4), paths (3 excess statistics)
    assert len(frame[frame["horizon"] == "6m"]) == per_horizon
    assert len(frame[frame["horizon"] == "20y"]) == 5 + 2 + 3  # no random entry without events
    assert frame.columns.tolist()[:6] == ["horizon", "question", "test", "variant", "statistic_name", "statistic"]
    assert set(frame["question"]) == {"A", "B"}
    assert not frame.duplicated(["horizon", "test", "variant", "statistic_name"]).any()
    row = frame.query("horizon == '6m' and test == 'random_entry' and variant == 'plain' and statistic_name == 'mean'")
    assert row["pvalue"].item() == result["6m"].random_entry["plain"]["mean"].pvalue
    descriptive = result.descriptive_frame()
    assert descriptive.columns.tolist() == ["horizon", "statistic", "events", "baseline", "difference"]
    assert len(result.verdict_frame()) == 6


def test_to_dict_is_plain_json_with_none_for_nan(result) -> None:
    payload = result.to_dict()
    text = json.dumps(payload, allow_nan=False)  # raises on NaN / inf
    assert json.loads(text) == payload
    never = payload["horizons"][2]
    assert never["events"]["mean"] is None and never["tests"]["hac_mean"]["pvalue"] is None
    assert payload["parameters"]["seed"] == 7 and payload["verdict_rules"] == VERDICT_RULES
    assert payload["horizons"][1]["verdicts"]["B"]["outcome"] in OUTCOMES


def test_summary_reads(result) -> None:
    text = result.summary()
    for phrase in ("A. Did gains follow?", "B. Beyond a random entry date?", "6m", "verdict", "excess over each path"):
        assert phrase in text


def test_same_seed_identical_other_seed_within_monte_carlo_error(study, result) -> None:
    again = analyze_events(study, n_draws=4000, n_paths=150, seed=7, n_resamples=999)
    assert again.to_dict() == result.to_dict()
    np.testing.assert_array_equal(again.null_distribution("1m", "median"), result.null_distribution("1m", "median"))
    other = analyze_events(study, n_draws=4000, n_paths=150, seed=8, n_resamples=999)
    for label in ("1m", "6m"):
        ours, theirs = result[label].random_entry["plain"]["mean"], other[label].random_entry["plain"]["mean"]
        assert ours.pvalue != theirs.pvalue or not np.array_equal(ours.null, theirs.null)
        se = math.hypot(ours.pvalue_standard_error, theirs.pvalue_standard_error)
        assert abs(ours.pvalue - theirs.pvalue) < 4 * se + 1e-3
        paths, other_paths = result[label].bootstrap_paths["mean"], other[label].bootstrap_paths["mean"]
        assert (
            abs(paths.pvalue - other_paths.pvalue)
            < 4 * math.hypot(paths.pvalue_standard_error, other_paths.pvalue_standard_error) + 1e-2
        )


def test_parameters_are_validated(study) -> None:
    with pytest.raises(ParameterError, match="include 'plain'"):
        analyze_events(study, variants=("spacing",))
    with pytest.raises(ParameterError, match="n_draws"):
        analyze_events(study, n_draws=0)
    with pytest.raises(ParameterError, match="alpha"):
        analyze_events(study, alpha=5)
    with pytest.raises(ParameterError, match="EventStudy"):
        analyze_events(walk(100, 1))


def test_without_paths_question_b_cannot_be_supported(study) -> None:
    result = analyze_events(study, n_draws=2000, n_paths=0, seed=1, variants=("plain",), n_resamples=999)
    assert result.bootstrap is None and result.mean_block is None
    for h in result.horizons:
        assert h.bootstrap_paths is None and h.verdict_b.outcome != "supported"
    assert "not run" in result.summary()
    json.dumps(result.to_dict(), allow_nan=False)


def test_real_russell2000_golden_crosses(russell2000) -> None:
    # The real snapshot matters here: a null that reproduces the data's own drift and event
    # frequency is what makes question B meaningful.
    rules = EventRules(start="1985-01-01", end="2019-01-10")
    study = run_event_study(russell2000, rules)
    assert study.n_events == 25  # the RU2000PR history to 2019 (spliced series: same closes)
    result = analyze_events(study, n_draws=20_000, n_paths=200, seed=1)
    three = result["3m"]
    pool = event_pool(study, "3m").ret
    mean, std = finite_population_moments(pool, three.n)
    null = three.random_entry["plain"]["mean"]
    assert null.null_mean == pytest.approx(mean, abs=4 * std / math.sqrt(20_000))
    assert null.null_std == pytest.approx(std, rel=0.03)
    assert three.baseline.mean == pytest.approx(pool.mean())
    # bootstrapped paths cross about as often as the data do (not a different regime)
    events_per_path = result.bootstrap.event_counts[:, 1].mean()
    assert 0.5 * three.n < events_per_path < 2.0 * three.n
    json.dumps(result.to_dict(), allow_nan=False)


THREE_HORIZONS = (Horizon("1m", days=21), Horizon("3m", days=63), Horizon("6m", days=126))


@pytest.fixture(scope="module")
def judged_result():
    study = run_event_study(walk(4000, 3), EventRules(source=MACross(20, 100), start="1981-01-01"), THREE_HORIZONS)
    return analyze_events(study, n_draws=2000, n_paths=0, seed=7, claim_horizons=("3m", "6m"))


def test_holm_family_is_the_judged_horizons_only(judged_result) -> None:
    """Holm adjusts across the claim's horizons only; another horizon keeps its unadjusted p,
    is marked not judged (flag and note) and does not enter the family."""
    judged = [judged_result["3m"], judged_result["6m"]]
    for key in ("hac_mean", "hit_vs_half", "random_entry.plain.mean"):
        raw = [h.pvalues[key] for h in judged]
        np.testing.assert_array_equal([h.pvalues_holm[key] for h in judged], holm(raw))
    one = judged_result["1m"]
    assert not one.judged and all(h.judged for h in judged)
    assert one.pvalues_holm == one.pvalues
    assert "not judged" in one.verdict_a.flags and "not judged" in one.verdict_b.flags
    assert not any("not judged" in h.verdict_a.flags for h in judged)
    assert any("not judged" in note for note in one.notes)
    payload = judged_result.to_dict()
    assert [h["judged"] for h in payload["horizons"]] == [False, True, True]


def test_hit_rate_tests_count_the_effective_number_of_events(judged_result) -> None:
    """Question A's hit-rate test (and B's against the all-days rate) is the binomial on the
    signs' effective number of events of the overlapping windows."""
    study_horizon = judged_result["6m"]
    test = study_horizon.hit_vs_half
    details = dict(test.details)
    assert test.test == "binomial_effective_n"
    assert 1.0 <= details["n_effective"] < study_horizon.n  # 126-day windows of 20/100 crosses overlap
    greater, _ = binomial_tail_pvalues(test.statistic * details["n_effective"], details["n_effective"], 0.5)
    assert test.pvalue == greater
    assert dict(study_horizon.hit_vs_unconditional.details)["n_effective"] == details["n_effective"]


def test_every_one_sided_p_has_its_opposite_tail(judged_result) -> None:
    six = judged_result["6m"]
    assert set(six.pvalues_opposite) == set(six.pvalues)
    plain = six.random_entry["plain"]["mean"]
    assert six.pvalues_opposite["random_entry.plain.mean"] == plain.pvalue_less
    assert six.pvalues_opposite["hit_vs_half"] == six.hit_vs_half.pvalue_opposite
    assert six.pvalues["hac_mean"] + six.pvalues_opposite["hac_mean"] == pytest.approx(1.0)
    frame = judged_result.to_frame()
    assert "pvalue_opposite" in frame.columns
    payload = judged_result.to_dict()
    assert payload["horizons"][2]["pvalues_opposite"]["hac_mean"] == pytest.approx(six.pvalues_opposite["hac_mean"])
    assert payload["primary"]["pvalue_opposite"] == pytest.approx(judged_result.primary.pvalue_opposite, rel=1e-11)
    json.dumps(payload, allow_nan=False)


def test_death_crosses_point_the_other_way(russell2000) -> None:
    """The real death-cross claim (losses after the Russell 2000's 50-day average falls below
    its 200-day, since 1985): the primary test's opposite tail is about 0.008, so the data
    point the other way, and the statistics say so plainly; the golden crosses do not."""
    horizons = ("3m", "6m", "9m", "12m")
    death = run_event_study(russell2000, EventRules(source=MACross(direction="death"), start="1985-01-01"))
    result = analyze_events(death, n_draws=1000, n_paths=0, claim="losses", claim_horizons=horizons)
    assert result.primary.pvalue > 0.95
    assert result.primary_pvalue_opposite == pytest.approx(0.0082, abs=0.0005)
    assert result.points_other_way()
    assert any("point the other way" in note and "higher" in note for note in result.notes)
    assert "point the other way" in result.summary()
    assert result.to_dict()["points_other_way"] is True
    golden = run_event_study(russell2000, EventRules(start="1985-01-01"))
    headline = analyze_events(golden, n_draws=1000, n_paths=0, claim_horizons=horizons)
    assert not headline.points_other_way() and headline.notes == ()
