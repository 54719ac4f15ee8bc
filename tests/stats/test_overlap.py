"""Calendar-overlap t-test: reference twin, agreement of interval and test, calibration."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats

from backtest.errors import ParameterError
from backtest.stats.overlap import (
    coverage_sum_of_squares,
    effective_events,
    overlap_correlation,
    overlap_mean_test,
)


def _rho_reference(entries, windows):
    n = len(entries)
    rho = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            days_i = set(range(entries[i] + 1, entries[i] + windows[i] + 1))
            days_j = set(range(entries[j] + 1, entries[j] + windows[j] + 1))
            rho[i, j] = len(days_i & days_j) / math.sqrt(windows[i] * windows[j])
    return rho


def test_correlation_matches_set_counting_twin() -> None:
    entries = np.array([0, 5, 30, 31, 200])
    windows = np.array([21, 63, 21, 40, 10])
    np.testing.assert_allclose(overlap_correlation(entries, windows), _rho_reference(entries, windows))


def test_coverage_sum_of_squares_matches_the_pairwise_overlap() -> None:
    entries = np.array([3, 10, 11, 50])
    windows = np.array([20, 20, 5, 8])
    weights = np.array([0.5, -1.0, 2.0, 1.0])
    shared = np.clip(
        np.minimum(entries[:, None] + windows[:, None], entries[None] + windows[None])
        - np.maximum(entries[:, None], entries[None]),
        0,
        None,
    )
    assert coverage_sum_of_squares(entries, windows, weights) == pytest.approx(weights @ shared @ weights)


def test_no_overlap_is_the_one_sample_t_test() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(0.01, 0.05, 25)
    entries = np.arange(25) * 100
    result = overlap_mean_test(values, entries, 21)
    reference = scipy.stats.ttest_1samp(values, 0.0, alternative="greater")
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.pvalue == pytest.approx(reference.pvalue)
    assert result.n_effective == pytest.approx(25.0)
    assert effective_events(entries, 21) == pytest.approx(25.0)


def test_identical_windows_count_once() -> None:
    assert effective_events([10, 10, 10], 21) == pytest.approx(1.0)


@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_interval_excludes_null_exactly_when_test_rejects(alpha) -> None:
    rng = np.random.default_rng(2)
    for _ in range(200):
        values = rng.normal(0.02, 0.05, 20)
        entries = np.sort(rng.choice(2000, 20, replace=False))
        result = overlap_mean_test(values, entries, 126, alpha=alpha)
        assert (result.pvalue < alpha) == (result.confidence_interval[0] > 0.0)
        assert result.upper_bound == pytest.approx(result.confidence_interval[1])
        assert result.mde > 0


def test_rejects_bad_input() -> None:
    with pytest.raises(ParameterError, match="alternative"):
        overlap_mean_test([0.1, 0.2], [0, 1], 5, alternative="up")
    with pytest.raises(ParameterError, match="entry_pos holds"):
        overlap_mean_test([0.1, 0.2, 0.3], [0, 1], 5)


def test_size_under_overlapping_random_walk_windows() -> None:
    """Calibration: 400 random walks, 30 clustered events with 126-day windows; the
    one-sided 5% test of mean = true mean rejects near 5% (the iid t-test would reject
    far more often because the windows overlap)."""
    rng = np.random.default_rng(14)
    rejections = naive = 0
    for _ in range(400):
        daily = rng.normal(0.0, 0.01, 4000)
        cumulative = np.concatenate([[0.0], np.cumsum(daily)])
        entries = np.sort(rng.choice(3800, 30, replace=False))
        values = cumulative[entries + 126] - cumulative[entries]
        rejections += overlap_mean_test(values, entries, 126).pvalue < 0.05
        naive += scipy.stats.ttest_1samp(values, 0.0, alternative="greater").pvalue < 0.05
    assert 0.02 <= rejections / 400 <= 0.085
    assert naive >= rejections
