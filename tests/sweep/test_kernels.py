"""Each kernel of backtest.sweep._kernels against its readable twin."""

from __future__ import annotations

import numpy as np
import pytest
from arch.bootstrap import SPA

from backtest.events import EventRules, MACross
from backtest.events.rules import ma_cross_source
from backtest.events.study import detection_bounds
from backtest.signals.moving_averages import close_array, kind_code
from backtest.sweep import _kernels
from backtest.sweep.engine import find_events, forward_returns, window_averages
from backtest.sweep.grid import SweepGrid
from backtest.sweep.snooping import bootstrap_day_counts, loss_matrix
from tests.sweep import _twins
from tests.sweep.conftest import random_walk


@pytest.mark.parametrize(
    "rules",
    [
        EventRules(),
        EventRules(source=MACross(ma="ema", direction="death")),
        EventRules(confirm=3, min_gap=40, start="1992-03-01", end="1998-06-30"),
        EventRules(source=MACross(direction="death"), confirm=1, min_gap=5, entry="next_close"),
    ],
    ids=["golden-sma", "death-ema", "confirm-gap-window", "death-confirm-next"],
)
def test_events_match_twin_for_every_pair(walk, rules):
    grid = SweepGrid.from_ranges("2:12:2,30", "5:40:5")
    values = close_array(walk)
    found = find_events(values, walk.index, grid, rules)
    windows = grid.windows
    averages, _ = window_averages(values, windows, kind_code(ma_cross_source(rules, "a sweep").ma))
    row = {int(w): i for i, w in enumerate(windows)}
    first, last = detection_bounds(walk.index, rules)
    direction = 1 if ma_cross_source(rules, "a sweep").direction == "golden" else -1
    total = 0
    for p, (fast, slow) in enumerate(grid.pairs):
        expected = _twins.pair_events_twin(
            averages[row[fast]], averages[row[slow]], direction, first, last, rules.confirm, rules.min_gap
        )
        np.testing.assert_array_equal(found.events[found.offsets[p] : found.offsets[p + 1]], expected)
        total += len(expected)
    assert total > 100  # the fixture does produce events


@pytest.mark.parametrize("start", [None, "1995-01-01"])
def test_marked_fill_gives_the_events_of_the_full_scan(walk, start):
    # Count-and-mark then scan only marked 32-day blocks (plain rules) against scanning
    # every day; windows from 2 give crosses in most blocks, long ones in few.
    rules = EventRules(start=start)
    grid = SweepGrid.from_ranges("2:9,40:45", "3:12,150:155")
    values = close_array(walk)
    averages, first_defined = window_averages(values, grid.windows, kind_code(ma_cross_source(rules, "a sweep").ma))
    row = {int(w): i for i, w in enumerate(grid.windows)}
    fast_rows = np.array([row[int(f)] for f in grid.pairs[:, 0]])
    slow_rows = np.array([row[int(s)] for s in grid.pairs[:, 1]])
    first, last = detection_bounds(walk.index, rules)
    args = (averages, first_defined, fast_rows, slow_rows, 1, first, last, 0, 0)
    offsets, events = _kernels.grid_events(*args)
    counts = _kernels.count_events_nb(*args)
    np.testing.assert_array_equal(np.diff(offsets), counts)
    np.testing.assert_array_equal(events, _kernels.fill_events_nb(*args, offsets))
    assert events.size > 1000


def test_window_averages_are_bit_identical_to_the_signal_kernel(walk):
    from backtest.signals.nb import ema_nb, sma_nb

    values = close_array(walk)
    for kind, kernel in ((0, sma_nb), (1, ema_nb)):
        averages, first_defined = window_averages(values, np.array([3, 50, 200]), kind)
        for row, window in enumerate((3, 50, 200)):
            np.testing.assert_array_equal(averages[row], kernel(values, window))
            assert first_defined[row] == window - 1


@pytest.mark.parametrize("n", [*range(0, 300, 7), 1000, 2049, 5003])
def test_pairwise_sum_is_numpys_sum(n):
    rng = np.random.default_rng(n)
    values = rng.standard_normal(n) * np.exp(3 * rng.standard_normal(n))
    assert _kernels.pairwise_sum_nb(values, 0, n) == values.sum()


@pytest.mark.parametrize("n", [*range(1, 70), 128, 255, 256, 257, 1001, 4096])
def test_quickselect_median_is_numpys_median(n):
    rng = np.random.default_rng(n)
    for values in (
        rng.standard_normal(n),
        rng.integers(0, 4, n).astype(float),
        np.sort(rng.standard_normal(n)),
        np.sort(rng.standard_normal(n))[::-1].copy(),
        np.full(n, 0.25),
    ):
        expected = np.median(values)
        assert _kernels._median_nb(values.copy(), n) == expected
        assert _kernels.median_select_nb(values.copy(), n) == expected


def test_pair_statistics_match_twin(walk):
    values = close_array(walk)
    rules = EventRules(start="1991-01-01", entry="next_close")
    found = find_events(values, walk.index, SweepGrid.from_ranges("2:20:3", "10:60:10"), rules)
    forward = forward_returns(values, np.full(len(values), 63))
    last_complete = len(values) - 1 - 63 - 1
    n_complete, mean, median, hit = _kernels.pair_statistics_nb(found.events, found.offsets, forward, 1, last_complete)
    for p in range(len(found.pairs)):
        k, m, med, h = _twins.pair_statistics_twin(
            found.events[found.offsets[p] : found.offsets[p + 1]], forward, 1, last_complete
        )
        assert n_complete[p] == k
        np.testing.assert_array_equal([mean[p], median[p], hit[p]], [m, med, h])


def _sparse_problem(seed: int = 3, n_days: int = 700, n_pairs: int = 12):
    """Random sparse events over ``n_days`` eligible days (first_pos = 100)."""
    rng = np.random.default_rng(seed)
    first_pos = 100
    excess = rng.standard_normal(n_days) * 0.05
    excess -= excess.mean()
    lists = [np.sort(rng.choice(n_days, size=rng.integers(1, 40), replace=False)) + first_pos for _ in range(n_pairs)]
    offsets = np.zeros(n_pairs + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(x) for x in lists])
    events = np.concatenate(lists).astype(np.int64)
    n_complete = np.diff(offsets)
    return events, offsets, n_complete, excess, first_pos


def test_long_run_variances_match_twin_and_arch():
    events, offsets, n_complete, excess, first_pos = _sparse_problem()
    dense = -loss_matrix(events, offsets, n_complete, excess, first_pos, np.arange(len(n_complete)))
    got = _kernels.long_run_variances_nb(events, offsets, n_complete, excess, first_pos, 26.0)
    twin = np.array([_twins.long_run_variance_twin(dense[:, p], 26.0) for p in range(dense.shape[1])])
    np.testing.assert_allclose(got, twin, rtol=1e-9)
    spa = SPA(np.zeros(len(excess)), -dense, block_size=26)
    spa._compute_variance()  # the estimator behind arch's consistent centring
    np.testing.assert_allclose(got, spa._loss_diff_var, rtol=1e-9)


def test_searchsorted_rows_is_numpys_searchsorted_per_row():
    rng = np.random.default_rng(12)
    table = np.sort(np.round(rng.standard_normal((6, 50)), 1), axis=1)  # ties
    table[2, -3:] = np.nan  # NaN sorts last, as np.sort puts it
    rows = rng.integers(0, 6, 400)
    values = np.round(rng.standard_normal(400) * 1.5, 1)
    values[:5] = [np.nan, np.inf, -np.inf, table[2, 0], table[2, 46]]
    rows[:5] = 2
    got = _kernels.searchsorted_rows_nb(table, rows, values)
    expected = [np.searchsorted(table[r], v, side="left") for r, v in zip(rows, values, strict=True)]
    np.testing.assert_array_equal(got, expected)
    assert _kernels.searchsorted_rows_nb(np.zeros((2, 0)), np.array([1]), np.array([0.5]))[0] == 0


def test_horizon_long_run_variances_are_bit_identical_to_one_horizon_at_a_time():
    events, offsets, n_complete, excess, first_pos = _sparse_problem(seed=4, n_pairs=40)
    rng = np.random.default_rng(0)
    n_complete[5] = 0  # a pair without complete events
    # Later horizons: fewer eligible days, so some events are pending (not complete).
    n_days = [len(excess), len(excess) - 30, len(excess) - 200]
    excesses, counts = [], []
    for days in n_days:
        y = rng.standard_normal(days) * 0.03
        excesses.append(y - y.mean())
        counts.append(
            np.array(
                [
                    np.sum(events[offsets[p] : offsets[p] + n_complete[p]] - first_pos < days)
                    for p in range(len(n_complete))
                ]
            )
        )
    blocks = [26.0, 7.5, 101.0]
    got = _kernels.horizon_long_run_variances(events, offsets, np.array(counts), excesses, first_pos, blocks)
    assert got.shape == (3, len(n_complete))
    for h in range(3):
        one = _kernels.long_run_variances_nb(events, offsets, counts[h], excesses[h], first_pos, blocks[h])
        np.testing.assert_array_equal(got[h], one)
    assert np.isnan(got[:, 5]).all() and np.isfinite(np.delete(got, 5, axis=1)).all()


@pytest.mark.parametrize("weights", ["uint8", "float32"])
def test_bootstrap_maxima_match_dense_twin(weights):
    events, offsets, n_complete, excess, first_pos = _sparse_problem(seed=5)
    n_pairs = len(n_complete)
    dense = -loss_matrix(events, offsets, n_complete, excess, first_pos, np.arange(n_pairs))
    rng = np.random.default_rng(9)
    reps = 70  # not a multiple of the chunk: exercises the partial last chunk
    indices = rng.integers(0, len(excess), size=(reps, len(excess)))
    f = dense.mean(axis=0)
    scale = rng.uniform(0.5, 2.0, n_pairs)
    statistic = f / scale
    lower, consistent = np.maximum(f, 0.0), np.where(rng.random(n_pairs) < 0.5, f, 0.0)
    order = np.argsort(statistic, kind="stable")
    counts = bootstrap_day_counts(len(excess), reps, 10.0, 0, indices=indices).astype(weights)
    got = _kernels.bootstrap_maxima(
        events, offsets, n_complete, order, excess, first_pos, counts, reps, lower, consistent, f, scale, statistic
    )
    f_star = _twins.resampled_means_twin(dense, indices)
    expected = _twins.bootstrap_maxima_twin(f_star, lower, consistent, f, scale, statistic)
    for mine, theirs in zip(got[:3], expected[:3]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(got[3], expected[3])


def test_family_stream_is_the_family_events_in_order():
    events, offsets, n_complete, excess, first_pos = _sparse_problem(seed=8)
    n_complete = n_complete - (np.arange(len(n_complete)) % 3 == 0)  # some pending events
    order = np.random.default_rng(1).permutation(len(n_complete))[:9]
    starts, rows, values = _kernels.family_stream_nb(events, offsets, n_complete, order, excess, first_pos)
    expected = [events[offsets[p] : offsets[p] + n_complete[p]] - first_pos for p in order]
    np.testing.assert_array_equal(np.diff(starts), [len(x) for x in expected])
    np.testing.assert_array_equal(rows, np.concatenate(expected))
    np.testing.assert_array_equal(values, excess[np.concatenate(expected)])


def test_bootstrap_maxima_are_the_same_with_uint8_and_float32_weights():
    events, offsets, n_complete, excess, first_pos = _sparse_problem(seed=6)
    n_pairs = len(n_complete)
    counts = bootstrap_day_counts(len(excess), 100, 10.0, 4)
    assert counts.dtype == np.uint8
    rng = np.random.default_rng(2)
    f = rng.normal(0.0, 0.01, n_pairs)
    centres = (np.maximum(f, 0.0), np.where(f > 0, f, 0.0), f)
    scale = rng.uniform(0.5, 2.0, n_pairs)
    order = np.argsort(f / scale, kind="stable")
    args = (events, offsets, n_complete, order, excess, first_pos)
    small = _kernels.bootstrap_maxima(*args, counts, 100, *centres, scale, f / scale)
    wide = _kernels.bootstrap_maxima(*args, counts.astype(np.float32), 100, *centres, scale, f / scale)
    for a, b in zip(small, wide, strict=True):
        np.testing.assert_array_equal(a, b)


def test_day_counts_overflowing_uint8_are_flagged_and_widened():
    # A uint8 weight that wraps is reported, so that the wrapper switches to float32.
    full = np.full((1, 20, _kernels.LANES), 255, dtype=np.uint8)
    assert _kernels.fill_day_counts_nb(full, 20, 5.0, 3, 0, 1)
    assert not _kernels.fill_day_counts_nb(np.zeros_like(full), 20, 5.0, 3, 0, 1)
    # Resamples that draw one day 300 times cannot be uint8.
    indices = np.zeros((2, 300), dtype=np.int64)
    counts = bootstrap_day_counts(300, 2, 5.0, 0, indices=indices)
    assert counts.dtype == np.float32 and counts[0, 0, 0] == 300


def test_bootstrap_day_counts_layout():
    indices = np.array([[0, 0, 2], [1, 2, 2]])
    counts = bootstrap_day_counts(3, 2, 2.0, 0, indices=indices)
    np.testing.assert_array_equal(counts[0, :, 0], [2, 0, 1])
    np.testing.assert_array_equal(counts[0, :, 1], [0, 1, 2])
    assert counts[0, :, 2:].sum() == 0


def test_random_walk_fixture_is_deterministic():
    np.testing.assert_array_equal(random_walk(50, 1).to_numpy(), random_walk(50, 1).to_numpy())


@pytest.mark.parametrize(("n_days", "reps", "start"), [(50, 70, 0), (300, 33, 64), (7, 1, 0)])
def test_day_counts_kernel_matches_the_bincount_loop(n_days, reps, start) -> None:
    from backtest.stats.nb import stationary_bootstrap_indices_nb

    kernel = bootstrap_day_counts(n_days, reps, 5.0, 17, start=start)
    loop = bootstrap_day_counts(n_days, reps, 5.0, 17, index_generator=stationary_bootstrap_indices_nb, start=start)
    np.testing.assert_array_equal(kernel, loop)
    assert kernel.sum() == n_days * reps
