"""The answer's distribution functions against their scipy.stats twins, on grids of arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.stats

from backtest.stats import distributions as dist

DFS = np.array([1.0, 1.5, 2.0, 3.0, 4.5, 9.0, 29.0, 45.0, 120.0, 1e4])
XS = np.linspace(-8.0, 8.0, 161)
QS = np.array([1e-10, 1e-4, 0.005, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.975, 0.995, 1 - 1e-6])


def close(actual: Any, expected: Any) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("df", DFS)
def test_student_t_matches_scipy(df: float) -> None:
    close(dist.t_cdf(XS, df), scipy.stats.t.cdf(XS, df))
    close(dist.t_sf(XS, df), scipy.stats.t.sf(XS, df))
    close(dist.t_ppf(QS, df), scipy.stats.t.ppf(QS, df))
    # scalars, and the vector degrees of freedom of a day-by-day interval
    assert float(dist.t_sf(2.1, df)) == pytest.approx(float(scipy.stats.t.sf(2.1, df)), rel=1e-12)
    close(dist.t_ppf(0.975, DFS), scipy.stats.t.ppf(0.975, DFS))


def test_normal_matches_scipy() -> None:
    grid = np.linspace(-38.0, 38.0, 305)
    close(dist.normal_cdf(grid), scipy.stats.norm.cdf(grid))
    close(dist.normal_sf(grid), scipy.stats.norm.sf(grid))
    close(dist.normal_ppf(QS), scipy.stats.norm.ppf(QS))


@pytest.mark.parametrize("n", [1, 2, 7, 20, 46, 200, 1000])
@pytest.mark.parametrize("p", [0.01, 0.05, 0.3, 0.5, 0.77])
def test_binomial_matches_scipy(n: int, p: float) -> None:
    def approx(expected: float) -> object:
        return pytest.approx(expected, rel=1e-12, abs=1e-300)

    for k in range(-1, n + 2):
        assert dist.binomial_cdf(k, n, p) == approx(float(scipy.stats.binom.cdf(k, n, p)))
        assert dist.binomial_sf(k, n, p) == pytest.approx(float(scipy.stats.binom.sf(k, n, p)), rel=1e-12, abs=1e-200)
    for q in [0.0, *QS, 1.0]:
        assert dist.binomial_ppf(q, n, p) == float(scipy.stats.binom.ppf(q, n, p)), q
    hits = sorted({0, 1, n // 3, n // 2, n - 1, n})
    for k in hits:
        for alternative in ("greater", "less"):
            expected = scipy.stats.binomtest(k, n, p, alternative=alternative).pvalue
            assert dist.binomial_test_pvalue(k, n, p, alternative) == approx(expected)


def test_binomial_quantile_of_the_power_check() -> None:
    # the simulated power's size band: the 0.5% and 99.5% quantiles of its rejections at zero drift
    for n_paths in (50, 200, 1000):
        for alpha in (0.01, 0.05, 0.1):
            expected = scipy.stats.binom.ppf([0.005, 0.995], n_paths, alpha)
            assert [dist.binomial_ppf(q, n_paths, alpha) for q in (0.005, 0.995)] == list(expected)


def wilcoxon_samples() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    samples = [
        rng.normal(shift, 1.0, n) for n in (2, 3, 5, 9, 14, 23, 46, 50, 51, 80, 300) for shift in (-0.4, 0.0, 0.5)
    ]
    samples += [np.round(rng.normal(0.2, 1.0, n), 1) for n in (14, 30, 51, 120)]  # ties: normal approximation
    samples += [np.r_[0.0, 0.0, rng.normal(0.3, 1.0, n)] for n in (20, 60)]  # zeros dropped
    samples += [np.arange(1.0, 21.0), -np.arange(1.0, 21.0)]  # every sign alike: the extreme tails
    return samples


@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
def test_wilcoxon_matches_scipy(alternative: str) -> None:
    for x in wilcoxon_samples():
        ours = dist.wilcoxon_signed_rank(x, alternative)
        assert ours is not None
        expected = scipy.stats.wilcoxon(x, alternative=alternative)
        assert ours[0] == float(expected.statistic)
        assert ours[1] == pytest.approx(float(expected.pvalue), rel=1e-12, abs=1e-300), (len(x), alternative)


def test_wilcoxon_leaves_small_tied_samples_to_scipy() -> None:
    # 13 values or fewer with ties or zeros: scipy enumerates the sign patterns
    assert dist.wilcoxon_signed_rank(np.array([1.0, 1.0, -2.0, 3.0, 4.0]), "greater") is None
    assert dist.wilcoxon_signed_rank(np.array([0.0, 1.0, -2.0, 3.0, 4.0]), "greater") is None


def test_binomial_test_rejects_a_two_sided_alternative() -> None:
    with pytest.raises(ValueError, match="alternative"):
        dist.binomial_test_pvalue(3, 10, 0.5, "two-sided")
