"""Classical tests: our wrappers give exactly what statsmodels and scipy give for the
arguments we document (lag order, alternative, seed)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import statsmodels.api as sm

from backtest.errors import ParameterError
from backtest.stats.classical import (
    binomial_hit_test,
    binomial_tail_pvalues,
    bootstrap_mean_ci,
    effective_binomial_test,
    hac_mean_test,
    overlap_maxlags,
    sign_effective_events,
    wilcoxon_test,
)
from backtest.stats.overlap import effective_events


def overlap_maxlags_reference(entries, windows) -> int:
    """Readable twin: for each event, count later events entering before its window ends."""
    best = 0
    for i, (entry, window) in enumerate(zip(entries, windows, strict=True)):
        best = max(best, sum(1 for later in entries[i + 1 :] if later < entry + window))
    return best


def test_overlap_maxlags_on_constructed_events() -> None:
    entries = [0, 10, 50, 55, 58, 200]
    assert overlap_maxlags(entries, 60) == 4  # 10, 50, 55, 58 start inside the first window
    assert overlap_maxlags(entries, 50) == 3  # 50, 55, 58 start inside the window 10..60
    assert overlap_maxlags(entries, 9) == 2  # 55 and 58 start inside the window 50..59
    assert overlap_maxlags(entries, 5) == 1  # 50..55 and 55..60 share no return; 58 < 60 does
    assert overlap_maxlags(entries, 1) == 0
    assert overlap_maxlags([3], 100) == 0 and overlap_maxlags([], 100) == 0
    rng = np.random.default_rng(0)
    for _ in range(50):
        entries = np.sort(rng.choice(2000, 25, replace=False))
        windows = rng.integers(1, 300, 25)
        assert overlap_maxlags(entries, windows) == overlap_maxlags_reference(entries.tolist(), windows.tolist())
    with pytest.raises(ParameterError, match="sorted"):
        overlap_maxlags([5, 1], 10)


def test_hac_t_equals_statsmodels() -> None:
    rng = np.random.default_rng(1)
    y = 0.01 + np.convolve(rng.normal(0, 0.05, 40), [1, 0.6, 0.3], mode="valid")  # overlapping-window-like MA(2)
    for maxlags in (0, 1, 2, 5):
        ours = hac_mean_test(y, maxlags, alternative="greater")
        fit = sm.OLS(y, np.ones((len(y), 1))).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags}, use_t=True)
        assert ours.statistic == pytest.approx(fit.tvalues[0], rel=1e-12)
        assert dict(ours.details)["standard_error"] == pytest.approx(fit.bse[0], rel=1e-12)
        assert ours.pvalue_two_sided == pytest.approx(fit.pvalues[0], rel=1e-12)
        assert ours.pvalue == pytest.approx(scipy.stats.t.sf(fit.tvalues[0], len(y) - 1), rel=1e-12)
        assert ours.estimate == pytest.approx(y.mean()) and ours.n == len(y)
    less = hac_mean_test(y, 2, alternative="less")
    assert less.pvalue == pytest.approx(1 - hac_mean_test(y, 2).pvalue)
    # testing against a non-zero value shifts the regressand
    shifted = hac_mean_test(y, 1, null_value=0.02)
    fit = sm.OLS(y - 0.02, np.ones((len(y), 1))).fit(cov_type="HAC", cov_kwds={"maxlags": 1}, use_t=True)
    assert shifted.statistic == pytest.approx(fit.tvalues[0], rel=1e-12)


def test_hac_degenerate_inputs_give_nan() -> None:
    assert np.isnan(hac_mean_test([0.1], 0).pvalue)
    assert np.isnan(hac_mean_test([0.1, 0.1, 0.1], 0).pvalue)
    with pytest.raises(ParameterError, match="maxlags"):
        hac_mean_test([0.1, 0.2], -1)
    with pytest.raises(ParameterError, match="NaN"):
        hac_mean_test([0.1, np.nan], 0)
    with pytest.raises(ParameterError, match="alternative"):
        hac_mean_test([0.1, 0.2], 0, alternative="bigger")


def test_binomial_equals_scipy() -> None:
    values = np.array([0.1, -0.2, 0.3, 0.05, 0.0, 0.2, -0.1, 0.4])  # 5 of 8 positive (0 is not a gain)
    ours = binomial_hit_test(values, 0.62)
    assert ours.statistic == 5 / 8 and dict(ours.details)["hits"] == 5
    assert ours.pvalue == scipy.stats.binomtest(5, 8, 0.62, alternative="greater").pvalue
    assert ours.pvalue_two_sided == scipy.stats.binomtest(5, 8, 0.62).pvalue
    with pytest.raises(ParameterError, match="hit_rate_null"):
        binomial_hit_test(values, 1.5)


def test_wilcoxon_equals_scipy() -> None:
    x = np.random.default_rng(2).normal(0.01, 0.05, 25)
    ours = wilcoxon_test(x)
    assert ours.pvalue == scipy.stats.wilcoxon(x, alternative="greater").pvalue
    assert ours.statistic == scipy.stats.wilcoxon(x, alternative="greater").statistic
    assert ours.pvalue_two_sided == scipy.stats.wilcoxon(x).pvalue
    assert np.isnan(wilcoxon_test([0.0, 0.0, 0.1]).pvalue)


def test_bootstrap_ci_is_scipy_percentile_and_seeded() -> None:
    x = np.random.default_rng(3).normal(0.02, 0.05, 25)
    ours = bootstrap_mean_ci(x, seed=11, n_resamples=2000)
    direct = scipy.stats.bootstrap((x,), np.mean, n_resamples=2000, method="percentile", rng=np.random.default_rng(11))
    assert (ours.low, ours.high) == (direct.confidence_interval.low, direct.confidence_interval.high)
    assert ours == bootstrap_mean_ci(x, seed=11, n_resamples=2000)
    assert ours.low < x.mean() < ours.high and ours.method == "percentile"
    assert bootstrap_mean_ci(x, seed=12, n_resamples=2000) != ours
    assert np.isnan(bootstrap_mean_ci([0.1], seed=1).low)


def test_opposite_tail_pvalues_are_scipys_other_alternative() -> None:
    """Every one-sided test carries the p of the other tail: scipy's other alternative."""
    x = np.random.default_rng(4).normal(0.01, 0.05, 30)
    for alternative, other in (("greater", "less"), ("less", "greater")):
        assert (
            wilcoxon_test(x, alternative=alternative).pvalue_opposite
            == scipy.stats.wilcoxon(x, alternative=other).pvalue
        )
        hits = int(np.count_nonzero(x > 0))
        assert (
            binomial_hit_test(x, 0.55, alternative=alternative).pvalue_opposite
            == scipy.stats.binomtest(hits, 30, 0.55, alternative=other).pvalue
        )
        hac = hac_mean_test(x, 2, alternative=alternative)
        assert hac.pvalue + hac.pvalue_opposite == pytest.approx(1.0)
        assert hac.to_dict()["pvalue_opposite"] == hac.pvalue_opposite
    assert np.isnan(wilcoxon_test(x, alternative="two-sided").pvalue_opposite)


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_effective_binomial_is_scipys_binomtest_when_n_eff_is_n(alternative) -> None:
    """With no overlap (n_eff = n) the continued binomial is the exact test, both tails,
    including the boundary hit counts 0 and n."""
    rng = np.random.default_rng(6)
    other = "less" if alternative == "greater" else "greater"
    for n in (1, 7, 40):
        for hits in sorted({0, 1, n // 2, n - 1, n}):
            values = np.concatenate([np.full(hits, 0.01), np.full(n - hits, -0.01)])
            rng.shuffle(values)
            for rate in (0.0, 0.3, 0.5, 0.62, 1.0):
                ours = effective_binomial_test(values, rate, float(n), alternative=alternative)
                exact = scipy.stats.binomtest(hits, n, rate, alternative=alternative).pvalue
                exact_other = scipy.stats.binomtest(hits, n, rate, alternative=other).pvalue
                assert ours.pvalue == pytest.approx(exact, rel=1e-12, abs=1e-300), (n, hits, rate)
                assert ours.pvalue_opposite == pytest.approx(exact_other, rel=1e-12, abs=1e-300), (n, hits, rate)
    assert dict(ours.details)["n_effective"] == 40.0
    with pytest.raises(ParameterError, match="n_effective"):
        effective_binomial_test([0.1, -0.1], 0.5, 3.0)


def test_continued_binomial_moves_smoothly_between_integers() -> None:
    """Real hit counts and trial numbers: P(X >= k) falls as k rises, rises with p, and sits
    between its integer neighbours."""
    low, _ = binomial_tail_pvalues(6.0, 10.0, 0.5)
    middle, _ = binomial_tail_pvalues(6.4, 10.0, 0.5)
    high, _ = binomial_tail_pvalues(7.0, 10.0, 0.5)
    assert low > middle > high
    assert binomial_tail_pvalues(6.4, 10.0, 0.6)[0] > middle
    assert binomial_tail_pvalues(6.4, 10.7, 0.5)[0] > middle  # more trials, same hits: easier


def test_sign_effective_events_between_returns_n_eff_and_n() -> None:
    entries = np.array([0, 10, 20, 300, 305, 900])
    n_returns = effective_events(entries, 63)
    n_signs = sign_effective_events(entries, 63)
    assert n_returns < n_signs < 6
    assert sign_effective_events(np.array([0, 100, 200]), 50) == pytest.approx(3.0)
    assert sign_effective_events(np.array([5, 5]), 20) == pytest.approx(1.0)
    assert sign_effective_events(np.zeros(0, dtype=np.int64), 20) == 0.0


def test_hit_rate_test_holds_its_size_on_overlapping_windows() -> None:
    """Calibration. 30 events at random dates of a 3,000-day driftless Gaussian walk, 126-day
    windows (neighbours mostly overlap: the returns' n_eff is about 14 of 30): the share of
    positive windows is Binomial(n, 1/2) only if the windows were independent. Measured on
    these 1,500 walks at 5%: the plain binomial rejects 12.3%, the binomial on the returns'
    n_eff 2.1%, on the signs' n_eff (the one analyze_events uses) 3.3%."""
    rng = np.random.default_rng(11)
    n_walks, n_days, window, k = 1500, 3000, 126, 30
    plain = returns_n = signs_n = 0
    for _ in range(n_walks):
        cumulative = np.concatenate([[0.0], np.cumsum(rng.normal(0.0, 0.01, n_days + window))])
        entries = np.sort(rng.choice(n_days, k, replace=False))
        values = cumulative[entries + window] - cumulative[entries]
        plain += binomial_hit_test(values, 0.5).pvalue < 0.05
        returns_n += effective_binomial_test(values, 0.5, effective_events(entries, window)).pvalue < 0.05
        signs_n += effective_binomial_test(values, 0.5, sign_effective_events(entries, window)).pvalue < 0.05
    se = np.sqrt(0.05 * 0.95 / n_walks)
    assert plain / n_walks > 0.05 + 4 * se  # the plain binomial over-rejects on overlapping windows
    assert returns_n / n_walks <= 0.05 + 3 * se
    assert signs_n / n_walks <= 0.05 + 3 * se
    assert signs_n > returns_n  # and the signs' n_eff gives back part of the power
