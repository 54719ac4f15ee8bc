"""Reality Check / SPA against arch, Romano-Wolf against a literal stepdown, and the
family-wise error rate of the stepdown on no-signal series."""

from __future__ import annotations

import numpy as np
import pytest
from arch.bootstrap import SPA, StationaryBootstrap

from backtest.events import DEFAULT_HORIZONS, EventRules
from backtest.signals.moving_averages import close_array
from backtest.sweep import SweepGrid, _kernels, run_sweep
from backtest.sweep.engine import find_events, horizon_sample
from backtest.sweep.snooping import detectable_excess_from, loss_matrix, romano_wolf_adjust, snooping_test
from tests.sweep import _twins
from tests.sweep.conftest import random_walk


def grid_problem(series, grid, rules, horizon):
    """Sparse inputs of ``snooping_test`` for one horizon, as ``run_sweep`` builds them."""
    values = close_array(series)
    found = find_events(values, series.index, grid, rules)
    sample = horizon_sample(values, series.index, rules, horizon)
    n_complete, mean, _, _ = _kernels.pair_statistics_nb(
        found.events, found.offsets, sample.forward, rules.entry_lag, sample.last_complete
    )
    pool = sample.forward[sample.first_pos + rules.entry_lag : sample.last_complete + rules.entry_lag + 1]
    return found, n_complete, pool - pool.mean(), sample.first_pos


@pytest.fixture(scope="module")
def spa_setup():
    walk = random_walk(1800, seed=4, drift=0.0006)
    grid = SweepGrid.from_ranges("3:15:3", "20:60:10")
    found, n_complete, excess, first_pos = grid_problem(walk, grid, EventRules(start="1990-06-01"), DEFAULT_HORIZONS[1])
    family = np.flatnonzero(n_complete > 0)
    losses = loss_matrix(found.events, found.offsets, n_complete, excess, first_pos, family)
    return found, n_complete, excess, first_pos, losses


def test_spa_and_reality_check_equal_arch_on_the_same_resamples(spa_setup):
    found, n_complete, excess, first_pos, losses = spa_setup
    n_days = len(excess)
    for block, seed in ((12, 1), (40, 2)):
        spa = SPA(np.zeros(n_days), losses, block_size=block, reps=300, seed=seed)
        spa.compute()
        resampler = StationaryBootstrap(block, np.zeros(n_days), seed=seed)
        indices = np.array([resampler.update_indices() for _ in range(300)])
        test, _ = snooping_test(
            found.events, found.offsets, n_complete, excess, first_pos, indices=indices, mean_block=float(block)
        )
        assert test.spa_lower_pvalue == pytest.approx(spa.pvalues["lower"], abs=1e-12)
        assert test.pvalue == pytest.approx(spa.pvalues["consistent"], abs=1e-12)
        assert test.reality_check_pvalue == pytest.approx(spa.pvalues["upper"], abs=1e-12)
        assert test.statistic == pytest.approx(losses.mean(axis=0).__neg__().max(), rel=1e-12)


def test_spa_with_its_own_bootstrap_agrees_with_arch_within_monte_carlo_error(spa_setup):
    found, n_complete, excess, first_pos, losses = spa_setup
    spa = SPA(np.zeros(len(excess)), losses, block_size=20, reps=1000, seed=5)
    spa.compute()
    test, _ = snooping_test(
        found.events, found.offsets, n_complete, excess, first_pos, reps=1000, seed=5, mean_block=20.0
    )
    # Two independent 1,000-draw estimates of one p-value: the difference has standard error
    # at most sqrt(2 * 0.25 / 1000) = 0.022; 0.08 is 3.6 of those.
    assert abs(test.pvalue - spa.pvalues["consistent"]) <= 0.08
    assert abs(test.reality_check_pvalue - spa.pvalues["upper"]) <= 0.08


def centred_draws(found, n_complete, excess, first_pos, indices, family):
    dense = -loss_matrix(found.events, found.offsets, n_complete, excess, first_pos, family)
    f_star = _twins.resampled_means_twin(dense, indices)
    return dense.mean(axis=0), f_star - dense.mean(axis=0)


def make_events(n_days, n_pairs, seed, shift):
    """Sparse pairs over ``n_days`` eligible days; event days get ``shift`` added."""
    rng = np.random.default_rng(seed)
    excess = rng.standard_normal(n_days) * 0.04
    lists = [np.sort(rng.choice(n_days, size=rng.integers(15, 40), replace=False)) for _ in range(n_pairs)]
    for p, days in enumerate(lists):
        excess[days] += shift[p]
    excess -= excess.mean()
    offsets = np.zeros(n_pairs + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(x) for x in lists])
    return np.concatenate(lists).astype(np.int64), offsets, np.diff(offsets), excess


@pytest.mark.parametrize(
    ("case", "shift"),
    [
        ("all selected", np.full(15, 0.08)),
        ("none selected", np.full(15, -0.02)),
        ("some selected", np.r_[np.full(4, 0.06), np.zeros(11)]),
    ],
)
def test_romano_wolf_matches_the_literal_stepdown(case, shift):
    events, offsets, n_complete, excess = make_events(800, 15, seed=len(case), shift=shift)
    rng = np.random.default_rng(1)
    indices = rng.integers(0, 800, size=(400, 800))
    test, inference = snooping_test(events, offsets, n_complete, excess, 0, indices=indices, mean_block=5.0)
    family = np.arange(15)
    f, draws = centred_draws(_Found(events, offsets), n_complete, excess, 0, indices, family)
    rejected, adjusted = _twins.romano_wolf_reference(f, draws, 0.05)
    np.testing.assert_array_equal(inference.survives, rejected)
    np.testing.assert_allclose(inference.romano_wolf_pvalue, adjusted, rtol=1e-12)
    expected = {"all selected": 15, "none selected": 0}.get(case)
    if expected is not None:
        assert rejected.sum() == expected == test.n_survivors
    else:
        assert 0 < rejected.sum() < 15


class _Found:
    def __init__(self, events, offsets):
        self.events, self.offsets = events, offsets


def test_romano_wolf_adjust_on_ties_and_dense_draws():
    rng = np.random.default_rng(2)
    statistic = np.array([0.3, 0.1, 0.3, -0.2, 0.05, 0.1])
    draws = rng.standard_normal((500, 6)) * 0.1
    order = np.argsort(statistic, kind="stable")
    exceed = np.zeros(6)
    for j, p in enumerate(order):
        exceed[p] = np.sum(draws[:, order[: j + 1]].max(axis=1) >= statistic[p])
    adjusted = romano_wolf_adjust(statistic, exceed, 500)
    _, reference = _twins.romano_wolf_reference(statistic, draws, 0.05)
    np.testing.assert_allclose(adjusted, reference)
    assert adjusted[0] == adjusted[2]  # tied statistics, tied adjusted p-values


@pytest.mark.slow  # calibration: family-wise error rate over many random walks
def test_romano_wolf_family_wise_error_rate_on_random_walks():
    """No-signal series: the share of series on which the stepdown rejects any pair.

    300 independent driftless random walks of 1,500 days, a 12-pair grid, 1m horizon, 199
    replications each. The rejection count is Binomial(300, FWER); at FWER = 5% its SD is
    1.3 points, so we accept up to 0.05 + 3 SD = 0.09. The stepdown may be conservative (the
    +1 correction, the maximum over strongly correlated pairs; about 3% here), but not
    degenerate: at least 0.5% (2 series) must reject. Longer horizons on so few days are far
    more conservative (few independent blocks), so the CI-sized check uses 1m.
    """
    grid = SweepGrid.from_ranges("3:12:3", "20:50:10")
    rules = EventRules(start="1990-04-01")
    n_series = 300
    rejections = 0
    for seed in range(n_series):
        walk = random_walk(1500, seed=1000 + seed, drift=0.0, vol=0.01)
        result = run_sweep(walk, grid, rules, DEFAULT_HORIZONS[:1], reps=199, null_draws=0, seed=seed)
        rejections += result.tests[0].n_survivors > 0
    rate = rejections / n_series
    assert 0.005 <= rate <= 0.09, rate


def test_planted_signal_is_found_and_survives():
    """A planted signal (the 5/20 golden cross is followed by gains) is found and survives."""
    walk = random_walk(2000, seed=8, drift=0.0, vol=0.01)
    values = walk.to_numpy().copy()
    grid = SweepGrid.from_ranges("5", "20:40:10")
    found = find_events(close_array(walk), walk.index, grid, EventRules())
    days = found.of(5, 20)
    log = np.diff(np.log(values), prepend=np.log(values[0]))
    for day in days:
        log[day + 1 : day + 22] += 0.004  # +8% over the next month
    planted = walk.copy()
    planted[:] = values[0] * np.exp(np.cumsum(log))
    result = run_sweep(planted, grid, EventRules(), DEFAULT_HORIZONS[:1], reps=300, null_draws=300, seed=3)
    test = result.tests[0]
    assert test.best_pair == (5, 20)
    assert test.reality_check_pvalue < 0.05 and test.pvalue < 0.05
    row = result.table.set_index(["fast", "slow"]).loc[(5, 20)]
    assert row["romano_wolf_survives"] and row["random_entry_pvalue"] < 0.01


def test_studentized_statistic_is_mean_over_standard_error(walk):
    result = run_sweep(
        walk,
        SweepGrid.from_ranges("3:9:3", "20:40:10"),
        EventRules(start="1991-01-01"),
        DEFAULT_HORIZONS[:1],
        reps=60,
        studentize=True,
    )
    table = result.table.loc[result.table["in_family"]]
    t_stats = table["mean_excess_return"] / table["standard_error"]
    assert result.tests[0].studentize
    assert result.tests[0].statistic == pytest.approx(t_stats.max(), rel=1e-12)
    best = table.loc[t_stats.idxmax()]
    assert result.tests[0].best_pair == (best["fast"], best["slow"])


def _power_by_definition(maxima, tracked, shift, alpha):
    """Share of replications rejecting when the tracked pair alone gets ``shift``: the
    observed maximum max(maxima, tracked + shift) against the level-alpha critical value."""
    critical = np.sort(maxima)[int(np.ceil((1 - alpha) * maxima.size)) - 1]
    return float(np.mean(np.maximum(maxima, tracked + shift) >= critical))


def test_detectable_excess_is_the_smallest_shift_reaching_the_power():
    rng = np.random.default_rng(8)
    tracked = rng.normal(0.0, 1.0, 999)
    maxima = np.maximum(tracked, rng.normal(2.0, 0.5, 999))  # the family's maximum includes the tracked term
    with_search, alone = detectable_excess_from(maxima, tracked, 0.05, power=0.8)
    assert _power_by_definition(maxima, tracked, with_search, 0.05) >= 0.8
    assert _power_by_definition(maxima, tracked, with_search - 1e-9, 0.05) < 0.8
    assert _power_by_definition(tracked, tracked, alone, 0.05) >= 0.8
    assert _power_by_definition(tracked, tracked, alone - 1e-9, 0.05) < 0.8
    assert with_search > alone  # looking at more pairs raises the bar
    # one draw of a normal: alone = z(0.95) + z(0.8) in units of its standard deviation
    assert alone == pytest.approx(1.6449 + 0.8416, abs=0.2)


def test_detectable_excess_of_the_reference_pair_in_a_sweep(spa_setup):
    import scipy.stats

    found, n_complete, excess, first_pos, _ = spa_setup
    family = np.flatnonzero(n_complete > 0)
    tracked = int(family[np.argsort(n_complete[family])[len(family) // 2]])  # a pair with a typical count
    pair = (int(found.pairs[tracked, 0]), int(found.pairs[tracked, 1]))
    common = {"pairs": found.pairs, "reps": 1000, "seed": 3, "mean_block": 20.0, "track": pair}
    test, inference = snooping_test(found.events, found.offsets, n_complete, excess, first_pos, **common)
    assert test.tracked_pair == pair and test.power == 0.8
    # alone: the bootstrap answer is normal theory's (z(1 - alpha) + z(power)) x the pair's standard error
    normal = (scipy.stats.norm.ppf(0.95) + scipy.stats.norm.ppf(0.8)) * inference.standard_error[tracked]
    assert test.detectable_excess_alone == pytest.approx(normal, rel=0.2)
    assert test.detectable_excess > test.detectable_excess_alone
    # a family of the tracked pair only: the search is the test of that pair alone
    only = np.where(np.arange(len(n_complete)) == tracked, n_complete, 0)
    single, _ = snooping_test(found.events, found.offsets, only, excess, first_pos, **common)
    assert single.detectable_excess == pytest.approx(single.detectable_excess_alone, rel=1e-9)
    assert single.detectable_excess_alone == pytest.approx(test.detectable_excess_alone, rel=1e-9)
    # studentised: the same pair, the same answer in returns (the statistic's scale is undone)
    studentised, _ = snooping_test(found.events, found.offsets, only, excess, first_pos, studentize=True, **common)
    assert studentised.detectable_excess_alone == pytest.approx(single.detectable_excess_alone, rel=1e-9)
    # no tracked pair: NaN
    untracked, _ = snooping_test(found.events, found.offsets, n_complete, excess, first_pos, reps=200, seed=3)
    assert untracked.tracked_pair is None and np.isnan(untracked.detectable_excess)
