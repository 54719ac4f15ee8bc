"""calibrate(): the simulation runs through the pipeline and reports sane rates (fast);
the full-size calibration is slow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.events import EventRules
from backtest.stats.calibration import calibrate


def _calendar(n_days=5000):
    dates = pd.bdate_range("1990-01-01", periods=n_days)
    rng = np.random.default_rng(0)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n_days))), index=dates)


def test_calibration_table_shape_and_bounds() -> None:
    close = _calendar()
    result = calibrate(close, EventRules(fast=20, slow=100), ("3m", "6m"), n_replications=8, seed=1)
    frame = result.to_frame()
    assert set(frame["test"]) == {
        "primary_joint_shift",
        "overlap_t_excess",
        "overlap_t_mean",
        "shift_by_horizon",
        "random_entry_plain",
        "sign_vs_all_days_median",
        "wilcoxon_vs_all_days_median",
    }
    assert frame["rejection_rate"].between(0, 1).all()
    power = frame[frame["test"] == "primary_joint_shift"].sort_values("effect")["rejection_rate"].to_numpy()
    assert (np.diff(power) >= 0).all()  # a larger planted effect is never detected less often
    assert "size" in result.summary()


SECONDARY = (
    "random_entry_plain",
    "bootstrap_paths_excess",
    "overlap_t_excess",
    "sign_vs_all_days_median",
    "wilcoxon_vs_all_days_median",
)


def test_secondary_tests_are_calibrated_per_horizon() -> None:
    """Every secondary test gets size and power per horizon; under GBM none rejects far above
    alpha (3 binomial SEs at 40 paths), and a planted +10 % is detected more often than none."""
    close = _calendar()
    result = calibrate(
        close, EventRules(fast=20, slow=100), ("3m", "6m"), n_replications=40, seed=4, n_draws=499, n_paths=49
    )
    frame = result.to_frame()
    assert set(SECONDARY) <= set(frame["test"])
    n = result.n_replications
    bound = 0.05 + 3 * np.sqrt(0.05 * 0.95 / n)
    for test in SECONDARY:
        for label in ("3m", "6m"):
            rows = frame[(frame["test"] == test) & (frame["horizon"] == label)].set_index("effect")["rejection_rate"]
            assert set(rows.index) == {0.0, 0.025, 0.05, 0.10}, (test, label)
            assert rows[0.0] <= bound, (test, label, rows[0.0])
            assert rows[0.10] > rows[0.0] + 0.3, (test, label)
    # the skips: no paths, no draws -> no such rows
    quick = calibrate(close, EventRules(fast=20, slow=100), ("3m",), n_replications=2, seed=1, n_draws=0)
    assert not {"random_entry_plain", "bootstrap_paths_excess"} & set(quick.to_frame()["test"])


@pytest.mark.slow
@pytest.mark.parametrize("model", ["gbm", "garch_t"])
def test_primary_test_size_near_nominal(model) -> None:
    from backtest.data import load_series

    close = load_series("russell2000").close
    rules = EventRules(fast=50, slow=200, start="1985-01-01")
    # n_draws=0: the primary test draws nothing, so its size does not depend on the random-entry
    # test, which would cost a third of the run (its own size is checked per horizon above)
    result = calibrate(close, rules, ("3m", "6m", "9m", "12m"), null_model=model, n_replications=300, seed=3, n_draws=0)
    frame = result.to_frame()
    size = frame.query("test == 'primary_joint_shift' and effect == 0")["rejection_rate"].item()
    assert 0.015 <= size <= 0.095  # 5% +- 3 Monte Carlo SEs at 300 replications
