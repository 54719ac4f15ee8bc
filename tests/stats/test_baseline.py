"""Unconditional baseline: every eligible day, measured like an event, against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest.events import EventRules, Horizon, MACross, calendar_month_horizons, run_event_study
from backtest.stats import describe, eligible_days, unconditional_baseline


def walk(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n))),
        index=pd.bdate_range("1990-01-01", periods=n),
        name="walk",
    )


@pytest.mark.parametrize("entry", ["close", "next_close"])
def test_eligible_days_and_baseline_match_pandas(entry) -> None:
    close = walk(1500, 1)
    rules = EventRules(source=MACross(10, 50), start="1991-01-01", end="1995-01-31", entry=entry)
    horizons = (Horizon("21d", days=21), Horizon("250d", days=250))
    study = run_event_study(close, rules, horizons)
    eligible = eligible_days(study)
    first = close.index.searchsorted(pd.Timestamp("1991-01-01"))
    last = close.index.searchsorted(pd.Timestamp("1995-01-31"), side="right") - 1
    assert (eligible.first_pos, eligible.last_pos) == (first, last)
    assert eligible.table["day_pos"].tolist() == list(range(first, last + 1))
    lag = rules.entry_lag
    for horizon in horizons:
        days = horizon.days
        forward = close.shift(-days) / close - 1  # pandas twin: close[t + h] / close[t] - 1
        positions = np.arange(first, last + 1) + lag
        expected = forward.to_numpy()[positions]
        expected = expected[np.isfinite(expected)]
        pool = eligible.pool(horizon.label)
        np.testing.assert_allclose(pool[f"ret_{horizon.label}"].to_numpy(), expected, rtol=1e-12)
        base = unconditional_baseline(study, eligible)[horizon.label]
        assert base.n == len(expected)
        assert base.mean == pytest.approx(expected.mean())
        assert base.median == pytest.approx(np.median(expected))
        assert base.hit_rate == pytest.approx((expected > 0).mean())
        assert base.mean_max_drawdown == pytest.approx(pool[f"max_drawdown_{horizon.label}"].mean())
    # the 250-day pool stops where the data do: fewer eligible days than the 21-day one
    assert len(eligible.pool("250d")) < len(eligible.pool("21d"))


def test_describe_skips_pending_windows_and_counts_recoveries() -> None:
    table = pd.DataFrame(
        {
            "ret_x": [0.1, -0.05, 0.0, np.nan],
            "max_drawdown_x": [-0.02, -0.1, -0.03, np.nan],
            "mae_x": [0.0, -0.1, -0.03, np.nan],
            "mfe_x": [0.12, 0.01, 0.02, np.nan],
            "days_to_trough_x": [0.0, 10.0, 3.0, np.nan],
            "days_to_recover_x": [0.0, np.nan, 7.0, np.nan],
            "pending_x": [False, False, False, True],
        }
    )
    stats = describe(table, "x")
    assert stats.n == 3 and stats.hit_rate == pytest.approx(1 / 3)
    assert stats.mean == pytest.approx(0.05 / 3) and stats.median == 0.0
    assert stats.share_recovered == pytest.approx(2 / 3) and stats.mean_days_to_recover == pytest.approx(3.5)


def test_baseline_with_calendar_month_horizons() -> None:
    close = walk(1200, 2)
    study = run_event_study(close, EventRules(source=MACross(10, 50)), calendar_month_horizons((1, 3)))
    baseline = unconditional_baseline(study)
    assert set(baseline.horizons) == {"1m", "3m"}
    assert baseline["1m"].n > baseline["3m"].n > 1000
    frame = baseline.to_frame()
    assert list(frame.columns) == ["horizon", "statistic", "value"] and len(frame) == 2 * 12
    assert "every day" in baseline.summary()
