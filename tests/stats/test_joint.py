"""Primary joint circular-shift test: twin of the shift kernel, size and power on a null."""

from __future__ import annotations

import numpy as np
import pytest

from backtest.errors import ParameterError
from backtest.stats.joint import joint_shift_test, shifted_means


def _shifted_means_reference(fwd, rows):
    n_days, n_h = fwd.shape
    out = np.full((n_days, n_h), np.nan)
    for s in range(n_days):
        for j in range(n_h):
            values = [fwd[(r + s) % n_days, j] for r in rows if np.isfinite(fwd[(r + s) % n_days, j])]
            if values:
                out[s, j] = np.mean(values)
    return out


def test_shifted_means_match_loop_twin() -> None:
    rng = np.random.default_rng(0)
    fwd = rng.normal(size=(60, 3))
    fwd[-5:, 1] = np.nan
    fwd[-20:, 2] = np.nan
    rows = np.array([2, 9, 10, 40, 57])
    np.testing.assert_allclose(shifted_means(fwd, rows), _shifted_means_reference(fwd, rows))


def _walk_forward(rng, n_days, horizons):
    cumulative = np.concatenate([[0.0], np.cumsum(rng.normal(0.0003, 0.01, n_days + max(horizons)))])
    fwd = np.column_stack([cumulative[np.arange(n_days) + h] - cumulative[np.arange(n_days)] for h in horizons])
    return fwd


def test_size_and_power_on_random_walks() -> None:
    """Calibration: events at fixed random dates carry no information about a random walk's
    future; the joint test rejects near 5%, and near always with a large planted effect."""
    rng = np.random.default_rng(5)
    horizons = (63, 126, 189, 252)
    rejections, planted = [], []
    for _ in range(300):
        fwd = _walk_forward(rng, 3000, horizons)
        rows = np.sort(rng.choice(3000, 25, replace=False))
        mean, sd = fwd.mean(axis=0), fwd.std(axis=0, ddof=1)
        test = joint_shift_test(fwd, rows, mean, sd, ("3m", "6m", "9m", "12m"))
        rejections.append(test.pvalue <= 0.05)
        boosted = fwd.copy()
        boosted[rows] += 0.8 * sd
        planted.append(joint_shift_test(boosted, rows, mean, sd, ("3m", "6m", "9m", "12m")).pvalue <= 0.05)
        assert test.n_null == 3000 and test.mde_sd > 0
    assert 0.02 <= np.mean(rejections) <= 0.09
    assert np.mean(planted) >= 0.8


def test_losses_tail_mirrors_gains() -> None:
    rng = np.random.default_rng(3)
    fwd = _walk_forward(rng, 800, (21, 63))
    rows = np.sort(rng.choice(800, 10, replace=False))
    mean, sd = fwd.mean(axis=0), fwd.std(axis=0, ddof=1)
    gains = joint_shift_test(fwd, rows, mean, sd, ("1m", "3m"))
    losses = joint_shift_test(fwd, rows, mean, sd, ("1m", "3m"), alternative="less")
    assert losses.statistic == pytest.approx(-gains.statistic)


def test_rejects_bad_input() -> None:
    with pytest.raises(ParameterError, match="alternative"):
        joint_shift_test(np.zeros((5, 1)), [1], [0.0], [1.0], ("1m",), alternative="two-sided")
    with pytest.raises(ParameterError, match="event_rows"):
        joint_shift_test(np.zeros((5, 1)), [7], [0.0], [1.0], ("1m",))


def test_opposite_tail_is_the_lower_share_and_the_losses_claims_p() -> None:
    """pvalue_opposite counts the shifts at or below S_0; with the claim's p it adds up to 1
    plus the ties; a "losses" claim's p is the gains claim's opposite-tail p exactly (its
    statistic is the exact negation); to_dict carries both tails, overall and per horizon."""
    rng = np.random.default_rng(12)
    fwd = _walk_forward(rng, 1500, (21, 63))
    rows = np.sort(rng.choice(1400, 15, replace=False))
    mean, sd = fwd.mean(axis=0), fwd.std(axis=0, ddof=1)
    gains = joint_shift_test(fwd, rows, mean, sd, ("1m", "3m"))
    losses = joint_shift_test(fwd, rows, mean, sd, ("1m", "3m"), alternative="less")
    ties = np.count_nonzero(gains.null == gains.statistic) / gains.n_null
    assert gains.pvalue + gains.pvalue_opposite == pytest.approx(1.0 + ties)
    assert losses.pvalue == gains.pvalue_opposite and losses.pvalue_opposite == gains.pvalue
    assert losses.pvalue_by_horizon == gains.pvalue_opposite_by_horizon
    payload = gains.to_dict()
    assert payload["pvalue_opposite"] == gains.pvalue_opposite
    assert payload["horizons"]["3m"]["pvalue_opposite"] == gains.pvalue_opposite_by_horizon[1]


def test_points_other_way_on_a_planted_reversal() -> None:
    """Events followed by losses, tested as a gains claim: the claim's p is near 1, the
    opposite tail rejects and ``points_other_way`` says so; no planted effect, no flag."""
    rng = np.random.default_rng(21)
    fwd = _walk_forward(rng, 3000, (63, 126))
    rows = np.sort(rng.choice(2800, 25, replace=False))
    mean, sd = fwd.mean(axis=0), fwd.std(axis=0, ddof=1)
    reversed_ = fwd.copy()
    reversed_[rows] -= 1.0 * sd
    test = joint_shift_test(reversed_, rows, mean, sd, ("3m", "6m"))
    assert test.pvalue > 0.9 and test.pvalue_opposite < 0.05
    assert test.points_other_way() and not test.points_other_way(alpha=test.pvalue_opposite / 2)
    assert not joint_shift_test(fwd, rows, mean, sd, ("3m", "6m")).points_other_way(alpha=0.001)


def test_opposite_tail_size_on_random_walks() -> None:
    """Calibration of the opposite tail: with no effect it rejects near 5% too."""
    rng = np.random.default_rng(33)
    horizons = (63, 126)
    rejections = []
    for _ in range(250):
        fwd = _walk_forward(rng, 2500, horizons)
        rows = np.sort(rng.choice(2500, 20, replace=False))
        mean, sd = fwd.mean(axis=0), fwd.std(axis=0, ddof=1)
        rejections.append(joint_shift_test(fwd, rows, mean, sd, ("3m", "6m")).pvalue_opposite <= 0.05)
    assert 0.01 <= np.mean(rejections) <= 0.095  # 5% +- 3 binomial SEs at 250 walks
