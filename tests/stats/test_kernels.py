"""Kernels against their pure-Python twins (tests/stats/_twins.py), plus the properties the
shared API promises: determinism in (seed, draw) whatever the thread count or draw count,
distinct picks, spacing, strata."""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.events import EventRules, Horizon
from backtest.events.sources import MACross
from backtest.stats import nb as stats_nb
from backtest.stats.bootstrap import bootstrap_path_stats

from . import _twins


def walk(n: int, seed: int, drift: float = 0.0003, sigma: float = 0.012) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(drift, sigma, n))), index=pd.bdate_range("1990-01-01", periods=n)
    )


def one_stratum(n: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.array([0]), np.array([n]), np.array([k])


def test_generator_matches_twin_and_is_uniform() -> None:
    values = stats_nb.uniforms_nb(12345, 7, 2000)
    stream = _twins.Stream(12345, 7)
    assert values.tolist() == [stream.uniform() for _ in range(2000)]
    many = stats_nb.uniforms_nb(99, 0, 200_000)
    assert scipy.stats.kstest(many, "uniform").pvalue > 0.01
    # neighbouring streams and seeds are not shifted copies of each other
    assert abs(np.corrcoef(stats_nb.uniforms_nb(99, 1, 100_000), stats_nb.uniforms_nb(99, 2, 100_000))[0, 1]) < 0.02
    assert abs(np.corrcoef(stats_nb.uniforms_nb(99, 1, 100_000), stats_nb.uniforms_nb(100, 1, 100_000))[0, 1]) < 0.02


def test_null_means_kernel_matches_twin() -> None:
    pool = np.random.default_rng(1).normal(0.01, 0.05, 300)
    kernel = stats_nb.random_entry_null_means_nb(pool, 12, 700, 42)
    np.testing.assert_allclose(kernel, _twins.random_entry_null_means(pool, 12, 700, 42), rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("starts", "sizes", "counts", "spacing"),
    [
        ([0], [300], [12], 1),  # plain
        ([0], [300], [12], 17),  # spacing-matched
        ([0, 40, 200], [40, 100, 60], [2, 3, 1], 1),  # era-matched (strata)
        ([0], [30], [30], 1),  # k = pool size: every day once
    ],
)
def test_null_stats_and_picks_match_twin(starts, sizes, counts, spacing) -> None:
    rng = np.random.default_rng(2)
    ret = rng.normal(0.01, 0.05, 300)
    drawdown = -np.abs(rng.normal(0.05, 0.03, 300))
    args = (np.array(starts), np.array(sizes), np.array(counts), spacing)
    kernel = stats_nb.random_entry_null_stats(ret, drawdown, *args, 600, 5)
    twin = _twins.random_entry_null_stats(ret, drawdown, starts, sizes, counts, spacing, 600, 5)
    np.testing.assert_allclose(kernel, twin, rtol=0, atol=1e-15)
    picks = stats_nb.random_entry_picks_nb(*args, 600, 5)
    np.testing.assert_array_equal(picks, _twins.random_entry_picks(starts, sizes, counts, spacing, 600, 5))


def test_horizon_stats_and_picks_match_twin() -> None:
    # three horizons on nested pools (300, 290, 250 rows), two strata of draw sizes 150 and 150
    rng = np.random.default_rng(6)
    ret = rng.normal(0.01, 0.05, (300, 3))
    drawdown = -np.abs(rng.normal(0.05, 0.03, (300, 3)))
    draw_size = np.array([150, 150])
    starts = np.array([[0, 150], [0, 150], [0, 150]])
    sizes = np.array([[150, 150], [150, 140], [150, 100]])
    counts = np.array([[4, 5], [4, 3], [4, 0]])
    spacing = np.array([1, 9, 1])
    kernel = stats_nb.random_entry_horizon_stats(ret, drawdown, draw_size, starts, sizes, counts, spacing, 400, 7)
    twin = _twins.random_entry_horizon_stats(ret, drawdown, draw_size, starts, sizes, counts, spacing, 400, 7)
    np.testing.assert_allclose(kernel, twin, rtol=0, atol=1e-15)
    picks = stats_nb.random_entry_horizon_picks_nb(draw_size, starts, sizes, counts, spacing, 400, 7)
    for h in range(3):
        k = counts[h].sum()
        assert (picks[h, :, k:] == -1).all()
        expected = [_twins.sample_horizons(7, d, draw_size, starts, sizes, counts, spacing)[h] for d in range(400)]
        np.testing.assert_array_equal(picks[h, :, :k], np.array(expected))


def test_common_random_numbers_share_sets_and_do_not_depend_on_other_horizons() -> None:
    pool = 1000
    one = np.array([pool])
    starts, sizes, counts = np.zeros((1, 1), dtype=np.int64), np.array([[pool]]), np.array([[20]])
    alone = stats_nb.random_entry_horizon_picks_nb(one, starts, sizes, counts, np.array([1]), 300, 9)[0]
    # the same horizon next to a shorter pool with fewer events: its draws are unchanged
    together = stats_nb.random_entry_horizon_picks_nb(
        one,
        np.zeros((2, 1), dtype=np.int64),
        np.array([[pool], [950]]),
        np.array([[20], [18]]),
        np.array([1, 1]),
        300,
        9,
    )
    np.testing.assert_array_equal(together[0], alone)
    # and the shorter horizon's set is mostly the same days (common random numbers)
    shared = np.mean([len(set(a) & set(b[:18])) / 18 for a, b in zip(together[0], together[1], strict=True)])
    assert shared > 0.8


def test_draws_depend_only_on_seed_and_draw_index() -> None:
    pool = np.random.default_rng(4).normal(size=2000)
    long_run = stats_nb.random_entry_null_means_nb(pool, 20, 3 * stats_nb.CHUNK + 17, 8)
    short_run = stats_nb.random_entry_null_means_nb(pool, 20, 5, 8)
    np.testing.assert_array_equal(long_run[:5], short_run)
    assert not np.array_equal(long_run[:5], stats_nb.random_entry_null_means_nb(pool, 20, 5, 9))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs at least 2 numba threads to compare with 1")
def test_results_do_not_depend_on_thread_count() -> None:
    pool = np.random.default_rng(5).normal(size=3000)
    close = walk(3000, 5).to_numpy()
    before = numba.get_num_threads()
    runs = []
    try:
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            runs.append(
                (
                    stats_nb.random_entry_null_stats(pool, pool, *one_stratum(3000, 30), 40, 5000, 3),
                    stats_nb.random_entry_path_means(close, 0, 2000, 10, 100, 1500, 3),
                    stats_nb.stationary_bootstrap_index_matrix_nb(3000, 20.0, 3, 64),
                    # threads from Python over path ranges (backtest.threads), not prange
                    *bootstrap_path_stats(
                        walk(1200, 6), EventRules(source=MACross(10, 40)), (Horizon("21d", days=21),), (15.0,), 4, 9
                    ),
                )
            )
    finally:
        numba.set_num_threads(before)
    for single, multi in zip(runs[0], runs[1], strict=True):
        np.testing.assert_array_equal(single, multi)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=4),
    data=st.data(),
    seed=st.integers(0, 2**63 - 1),
)
def test_picks_are_distinct_inside_their_strata(sizes, data, seed) -> None:
    counts = [data.draw(st.integers(0, size)) for size in sizes]
    if sum(counts) == 0:
        counts[0] = 1
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    picks = stats_nb.random_entry_picks_nb(starts, np.array(sizes), np.array(counts), 1, 50, seed)
    for row in picks:
        assert len(set(row.tolist())) == len(row)
        position = 0
        for start, size, count in zip(starts, sizes, counts, strict=True):
            block = row[position : position + count]
            assert ((block >= start) & (block < start + size)).all()
            position += count


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 15), spacing=st.integers(1, 30), slack=st.integers(0, 100), seed=st.integers(0, 2**63 - 1))
def test_spacing_is_respected(k, spacing, slack, seed) -> None:
    size = (k - 1) * spacing + 1 + slack
    picks = stats_nb.random_entry_picks_nb(np.array([0]), np.array([size]), np.array([k]), spacing, 50, seed)
    assert picks.min() >= 0 and picks.max() < size
    if k > 1:
        assert np.diff(np.sort(picks, axis=1), axis=1).min() >= spacing


def test_spacing_draws_are_uniform_over_admissible_sets() -> None:
    # 2 picks from 6 days at least 3 apart: the admissible pairs are (0,3) (0,4) (0,5) (1,4) (1,5) (2,5)
    picks = stats_nb.random_entry_picks_nb(np.array([0]), np.array([6]), np.array([2]), 3, 60_000, 1)
    pairs = pd.Series([tuple(sorted(row)) for row in picks.tolist()]).value_counts()
    assert set(pairs.index) == {(0, 3), (0, 4), (0, 5), (1, 4), (1, 5), (2, 5)}
    assert scipy.stats.chisquare(pairs.to_numpy()).pvalue > 0.001


def test_plain_draws_are_uniform_over_subsets() -> None:
    picks = stats_nb.random_entry_picks_nb(np.array([0]), np.array([5]), np.array([2]), 1, 50_000, 2)
    pairs = pd.Series([tuple(sorted(row)) for row in picks.tolist()]).value_counts()
    assert len(pairs) == 10
    assert scipy.stats.chisquare(pairs.to_numpy()).pvalue > 0.001


def test_path_means_kernel_matches_twin() -> None:
    close = walk(1500, 6).to_numpy()
    kernel = stats_nb.random_entry_path_means(close, 100, 900, 7, 60, 200, 13)
    np.testing.assert_allclose(kernel, _twins.random_entry_path_means(close, 100, 900, 7, 60, 200, 13), rtol=1e-13)


def test_stationary_bootstrap_kernel_matches_twin() -> None:
    for replication in (0, 1, 250):
        kernel = stats_nb.stationary_bootstrap_indices_nb(3000, 7.5, 77, replication)
        np.testing.assert_array_equal(kernel, _twins.stationary_bootstrap_indices(3000, 7.5, 77, replication))
    matrix = stats_nb.stationary_bootstrap_index_matrix_nb(500, 4.0, 77, 9)
    np.testing.assert_array_equal(matrix[5], stats_nb.stationary_bootstrap_indices_nb(500, 4.0, 77, 5))
    assert stats_nb.stationary_bootstrap_indices_nb(0, 4.0, 77, 0).shape == (0,)
    # a draw longer than its pool (a whole path from the event period's returns)
    for replication in (0, 3):
        np.testing.assert_array_equal(
            stats_nb.stationary_bootstrap_draw_nb(2000, 700, 9.0, 5, replication),
            _twins.stationary_bootstrap_draw(2000, 700, 9.0, 5, replication),
        )
    # mean_block = 1: every step starts a new block, i.e. the i.i.d. bootstrap
    iid = stats_nb.stationary_bootstrap_indices_nb(20_000, 1.0, 3, 0)
    assert abs(np.mean(np.diff(iid) == 1) - 1 / 20_000) < 0.002


def test_rebuild_path_matches_cumsum() -> None:
    rng = np.random.default_rng(7)
    returns = rng.normal(0, 0.01, 800)
    indices = rng.integers(0, 800, 800)
    expected = 50.0 * np.exp(np.concatenate([[0.0], np.cumsum(returns[indices])]))
    path = stats_nb.rebuild_path_nb(50.0, np.exp(returns), indices)
    np.testing.assert_allclose(path, expected, rtol=1e-12)
    # the fused kernel: the same path bit for bit, drawn and rebuilt in one pass
    growth = np.exp(rng.normal(0, 0.01, 700))
    for replication in (0, 3):
        drawn = stats_nb.stationary_bootstrap_draw_nb(2000, 700, 9.0, 5, replication)
        np.testing.assert_array_equal(
            stats_nb.bootstrap_path_nb(50.0, growth, 2000, 9.0, 5, replication),
            stats_nb.rebuild_path_nb(50.0, growth, drawn),
        )
    assert stats_nb.bootstrap_path_nb(50.0, growth, 0, 9.0, 5, 0).tolist() == [50.0]


def test_bootstrap_path_stats_kernel_matches_twin() -> None:
    close = walk(2500, 8, drift=0.0, sigma=0.015)
    rules = EventRules(source=MACross(10, 40), start=close.index[300], entry="next_close")
    horizons = (Horizon("21d", days=21), Horizon("2m", months=2))
    # two blocks: each horizon draws its own paths
    stats, counts = bootstrap_path_stats(close, rules, horizons, (10.0, 30.0), 21, 12)
    twin_stats, twin_counts = _twins.bootstrap_path_stats(close, rules, horizons, (10.0, 30.0), 21, 12)
    np.testing.assert_array_equal(counts, twin_counts)
    assert counts.min() > 5
    np.testing.assert_allclose(stats, twin_stats, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 3, 10, 31, 200])
def test_median_inplace_matches_numpy(k) -> None:
    rng = np.random.default_rng(k)
    for values in (rng.normal(size=k), np.round(rng.normal(size=k), 1)):  # with and without ties
        assert stats_nb.median_inplace_nb(values.copy(), k) == np.median(values)


def test_prefix_means_kernel_matches_twin_and_any_subset_of_counts() -> None:
    pool = np.random.default_rng(8).normal(0.01, 0.05, 120)
    ks = np.array([30, 1, 7, 120, 8])
    kernel = stats_nb.random_entry_prefix_means_nb(pool, ks, 700, 13)
    np.testing.assert_allclose(kernel, _twins.random_entry_prefix_means(pool, ks, 700, 13), rtol=0, atol=1e-15)
    # a count's null does not depend on the other counts asked for (blocks of counts merge exactly)
    np.testing.assert_array_equal(stats_nb.random_entry_prefix_means_nb(pool, np.array([7]), 700, 13)[0], kernel[2])
    # k = n is the pool mean on every draw; k = 1 draws single days uniformly
    np.testing.assert_allclose(kernel[3], pool.mean(), rtol=0, atol=1e-14)
    singles = stats_nb.random_entry_prefix_means_nb(pool, np.array([1]), 60_000, 2)[0]
    counts = pd.Series(singles).value_counts()
    assert len(counts) == len(pool)
    assert scipy.stats.chisquare(counts.to_numpy()).pvalue > 0.001


def test_prefix_means_have_the_sampling_without_replacement_moments() -> None:
    pool = np.random.default_rng(9).normal(size=400)
    ks = np.array([5, 50, 200])
    null = stats_nb.random_entry_prefix_means_nb(pool, ks, 40_000, 4)
    for j, k in enumerate(ks):
        variance = pool.var(ddof=1) / k * (1 - k / len(pool))  # finite-population correction
        assert abs(null[j].mean() - pool.mean()) < 5 * np.sqrt(variance / 40_000)
        assert abs(null[j].var() / variance - 1) < 0.05


class _GenericCross(MACross):
    """The same source seen as a generic one: ``bootstrap_path_stats`` takes its per-path loop."""


@pytest.mark.parametrize(
    ("source", "timing"),
    [
        (MACross(fast=10, slow=40), {}),
        (MACross(fast=10, slow=40, ma="ema"), {"confirm": 3}),
        (MACross(fast=10, slow=40, direction="death"), {"min_gap": 60, "entry": "next_close"}),
    ],
)
def test_ma_cross_path_stats_kernel_matches_per_path_loop(source, timing) -> None:
    close = walk(2500, 8, drift=0.0, sigma=0.015)
    horizons = (Horizon("21d", days=21), Horizon("2m", months=2), Horizon("3m", months=3))
    blocks = (10.0, 30.0, 10.0)
    rules = EventRules(source=source, start=close.index[300], **timing)
    generic = EventRules(
        source=_GenericCross(fast=source.fast, slow=source.slow, ma=source.ma, direction=source.direction),
        start=close.index[300],
        **timing,
    )
    stats, counts = bootstrap_path_stats(close, rules, horizons, blocks, 21, 40)
    loop_stats, loop_counts = bootstrap_path_stats(close, generic, horizons, blocks, 21, 40)
    np.testing.assert_array_equal(counts, loop_counts)
    assert counts.min() > 0
    np.testing.assert_array_equal(stats, loop_stats)


@pytest.mark.parametrize("n", [0, 1, 2, 31, 32, 33, 100, 2_000])
def test_sort_inplace_matches_numpy_sort(n) -> None:
    rng = np.random.default_rng(n)
    values = rng.permutation(10 * n + 5)[:n].astype(np.int64)  # distinct, as a draw's picks
    sorted_in_place = values.copy()
    stats_nb._sort_inplace_nb(sorted_in_place)
    np.testing.assert_array_equal(sorted_in_place, np.sort(values))


@pytest.mark.parametrize("power", [2.0, 1.0, 1.5])
def test_garch_recursion_is_archs_bit_for_bit(power) -> None:
    # reference: arch's own GARCH(1,1) simulation fed the same shocks (its per-day Python loop)
    from arch.univariate import GARCH

    shocks = np.random.default_rng(3).standard_t(6.0, 4000) / np.sqrt(1.5)
    expected, _ = GARCH(power=power).simulate(
        [0.02, 0.08, 0.9], len(shocks), lambda n: shocks, burn=0, initial_value=0.9
    )
    np.testing.assert_array_equal(stats_nb.garch_returns_nb(shocks, 0.02, 0.08, 0.9, power, 0.9), expected)
    assert stats_nb.garch_returns_nb(shocks[:0], 0.02, 0.08, 0.9, power, 0.9).shape == (0,)


def test_garch_t_returns_are_archs_constant_mean_simulation_on_the_same_draws() -> None:
    from arch.univariate import GARCH, ConstantMean, StudentsT

    from backtest.stats.calibration import garch_t_returns

    params = np.array([0.05, 0.02, 0.08, 0.91, 6.5])  # mu, omega, alpha, beta, nu
    for seed in range(3):
        arch_model = ConstantMean(None, volatility=GARCH(), distribution=StudentsT(seed=np.random.default_rng(seed)))
        expected = arch_model.simulate(params, 3000, burn=200, initial_value_vol=1.7)["data"].to_numpy()
        rng = np.random.default_rng(seed)
        np.testing.assert_array_equal(garch_t_returns(params, 3000, rng, initial_variance=1.7, burn=200), expected)


@settings(max_examples=40, deadline=None)
@given(
    n_days=st.integers(1, 120),
    n_horizons=st.integers(1, 4),
    data=st.data(),
)
def test_shifted_means_kernel_is_its_numpy_twin_bit_for_bit(n_days, n_horizons, data) -> None:
    """The circular-shift kernel against ``joint.shifted_means`` (its readable twin): the same
    floats, NaN where no window of a shifted set is complete, whatever the event rows
    (first and last rows, repeats) and NaN pattern."""
    from backtest.stats.joint import shifted_means

    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    fwd = rng.normal(0.01, 0.1, (n_days, n_horizons))
    fwd[rng.random(fwd.shape) < data.draw(st.sampled_from([0.0, 0.3, 1.0]))] = np.nan
    fwd[rng.random(fwd.shape) < 0.02] = np.inf  # never counted, as np.isfinite
    rows = np.sort(rng.integers(0, n_days, data.draw(st.integers(1, 12)))).astype(np.int64)
    kernel = stats_nb.shifted_means_nb(fwd, rows)
    np.testing.assert_array_equal(kernel, shifted_means(fwd, rows))  # NaN == NaN here, and bit for bit


def test_joint_shift_pvalues_from_the_kernel_equal_the_twins() -> None:
    """``joint_shift_test`` (the kernel) gives exactly the p-values computed from the twin."""
    from backtest.stats.joint import joint_shift_test, shifted_means

    rng = np.random.default_rng(8)
    fwd = np.cumsum(rng.normal(0.0003, 0.01, (2500, 3)), axis=0)[::-1].copy()
    fwd[-126:, 1:] = np.nan
    rows = np.sort(rng.choice(2300, 40, replace=False))
    mean, sd = np.nanmean(fwd, axis=0), np.nanstd(fwd, axis=0, ddof=1)
    test = joint_shift_test(fwd, rows, mean, sd, ("a", "b", "c"))
    total = ((shifted_means(fwd, rows) - mean) / sd).sum(axis=1)
    null = total[np.isfinite(total)]
    assert test.pvalue == np.count_nonzero(null >= total[0]) / len(null)
    assert test.pvalue_opposite == np.count_nonzero(null <= total[0]) / len(null)
    assert test.statistic == total[0]


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 3_000), start=st.integers(0, 5), data=st.data())
def test_pairwise_sum_is_numpys_sum_bit_for_bit(count, start, data) -> None:
    """``pairwise_sum_nb`` against ``np.add.reduce`` (hence np.sum, np.mean, np.std): the
    same float, the sign of a zero included, for any length (the 8-way block, the halving
    above 128 values) and magnitudes that make the order of additions matter."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    values = rng.normal(0.01, 0.1, start + count + 3) * 10.0 ** rng.integers(-6, 7, start + count + 3)
    if data.draw(st.booleans()):
        values[rng.random(len(values)) < 0.3] = -0.0
    expected = np.add.reduce(values[start : start + count])
    result = stats_nb.pairwise_sum_nb(values[start : start + count])
    assert result == expected and np.signbit(result) == np.signbit(expected)


@pytest.mark.parametrize(("n_days", "n_horizons", "n_events"), [(5_000, 1, 37), (3_001, 4, 60), (1_300, 9, 11)])
def test_shifted_means_kernel_over_many_blocks_is_its_twin(n_days, n_horizons, n_events) -> None:
    """Several blocks of shifts, events that wrap around inside a block and ones four at a
    time that do not, incomplete windows at the end and inside: bit for bit
    ``joint.shifted_means``."""
    from backtest.stats.joint import shifted_means

    rng = np.random.default_rng(n_days)
    fwd = rng.normal(0.01, 0.1, (n_days, n_horizons))
    fwd[-(n_days // 7) :, -1] = np.nan
    fwd[rng.random(fwd.shape) < 0.01] = np.nan
    fwd[rng.random(fwd.shape) < 0.001] = np.inf
    rows = np.sort(rng.choice(n_days, n_events, replace=False)).astype(np.int64)
    np.testing.assert_array_equal(stats_nb.shifted_means_nb(fwd, rows), shifted_means(fwd, rows))
