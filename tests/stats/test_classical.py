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
    bootstrap_mean_ci,
    hac_mean_test,
    overlap_maxlags,
    wilcoxon_test,
)


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
