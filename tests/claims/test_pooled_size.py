"""Size of the pooled tests when the rule selects the events (backtest.claims.pooled_size)
and the store of a pooled claim's calibration (backtest.claims.calibration_store): rejection
rates against a hand count, one simulated panel's p-values against the tests run directly,
events on simulated closes against ``detect``, and the measured size on the synthetic
universe (slow)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.claims.calibration_store import CalibrationCacheError, cached_pooled_calibration
from backtest.claims.pooled_size import (
    PANEL_SHIFT,
    SimulatedPanel,
    bootstrap_panel,
    detect_on_calendar,
    golden_cross_rules,
    pooled_size,
    rejection_rates,
    simulated_pvalues,
)
from backtest.events.study import detect
from backtest.stats.pooled import abnormal_returns, panel_shift_test, pooled_tests
from backtest.stats.pooled_stream import PooledSettings


def test_rejection_rates_count_the_panels_below_alpha() -> None:
    pvalues = [{("bmp", 21): 0.01}, {("bmp", 21): 0.2}, {("bmp", 21): 0.04}, {}]
    table = rejection_rates(pvalues, 0.05)
    row = table.iloc[0]
    assert row["size"] == 2 / 4  # a panel without a p-value does not reject
    assert row["standard_error"] == pytest.approx(math.sqrt(0.05 * 0.95 / 4))
    assert not row["holds_size"]  # 0.5 > 0.05 + 2 * 0.109
    assert rejection_rates([{("rank", 5): 0.5}] * 10, 0.05).iloc[0]["holds_size"]


def _calendar(n_days: int) -> pd.DatetimeIndex:
    return pd.bdate_range("2000-01-03", periods=n_days)


def test_events_on_simulated_closes_are_detects_on_the_listed_days() -> None:
    rng = np.random.default_rng(3)
    calendar = _calendar(1500)
    simulated = rng.normal(0.0002, 0.012, len(calendar))
    listed = np.arange(len(calendar)) >= 200  # listed late
    rules = golden_cross_rules()
    returns, events = detect_on_calendar(simulated, listed, calendar, rules)
    close = pd.Series(100.0 * np.cumprod(1.0 + np.r_[0.0, simulated[201:]]), index=calendar[200:])
    expected = detect(close, rules).event_pos + 200
    np.testing.assert_array_equal(events, expected)
    assert len(events) > 0
    assert np.isnan(returns[:201]).all()
    np.testing.assert_allclose(returns[201:], simulated[201:], rtol=1e-9, atol=1e-14)  # close ratios


def _small_panel(seed: int = 5) -> tuple[SimulatedPanel, pd.DatetimeIndex]:
    rng = np.random.default_rng(seed)
    calendar = _calendar(2200)
    market = rng.normal(0.0003, 0.01, len(calendar))
    market[0] = np.nan
    returns = [np.r_[np.nan, 0.9 * market[1:] + rng.normal(0, 0.015, len(calendar) - 1)] for _ in range(3)]
    listed = [np.ones(len(calendar), dtype=bool)] * 3
    panel = bootstrap_panel(returns, market, listed, calendar, [golden_cross_rules()] * 3, rng, market_is_factor=True)
    return panel, calendar


def test_a_simulated_panel_gives_the_tests_run_directly() -> None:
    panel, _ = _small_panel()
    assert panel.n_events > 10 and panel.market is not None
    settings = PooledSettings(model="market", horizons=(21, 63))
    sample = (300, 2000)
    values = simulated_pvalues(panel, settings, (21, 63), sample=sample, planted_effect=0.01)
    ar = abnormal_returns(panel.returns, panel.market, list(panel.events), model="market", horizons=(21, 63))
    for result in pooled_tests(ar).tests:
        assert values[(result.test, result.horizon)] == result.pvalue
    # the panel shift on each day's 21-day forward sum of return - full-sample beta x market
    first, last = sample
    forward = []
    for i in range(panel.returns.shape[1]):
        r, m = panel.returns[:, i], panel.market
        both = np.isfinite(r) & np.isfinite(m)
        beta = np.cov(r[both], m[both])[0, 1] / np.var(m[both], ddof=1)
        daily = pd.Series(r - beta * m)
        forward.append(daily.rolling(21).sum().shift(-21).to_numpy()[first : last + 1])
    events = [e[(e >= first) & (e <= last)] - first for e in panel.events]
    direct = panel_shift_test(np.column_stack(forward), events)
    assert values[(PANEL_SHIFT, 21)] == pytest.approx(direct.pvalue)
    # a planted effect can only make the shift test reject more easily
    assert values[("panel_shift_planted", 21)] <= values[(PANEL_SHIFT, 21)]


def test_bootstrap_panels_are_seeded_and_keep_each_series_listing() -> None:
    rng = np.random.default_rng(1)
    calendar = _calendar(1200)
    factor = rng.normal(0, 0.01, len(calendar))
    listed = [np.ones(len(calendar), dtype=bool), np.arange(len(calendar)) >= 400]
    returns = [np.where(mask, factor + rng.normal(0, 0.01, len(calendar)), np.nan) for mask in listed]

    def draw(seed: int) -> SimulatedPanel:
        rules = [golden_cross_rules()] * 2
        return bootstrap_panel(
            returns, factor, listed, calendar, rules, np.random.default_rng(seed), market_is_factor=False
        )

    one, same, other = draw(7), draw(7), draw(8)
    np.testing.assert_array_equal(one.returns, same.returns)
    assert not np.array_equal(np.nan_to_num(one.returns), np.nan_to_num(other.returns))
    assert one.market is None
    assert np.isnan(one.returns[:401, 1]).all() and np.isfinite(one.returns[401:, 1]).all()
    assert all((events >= 400).all() for events in one.events[1:])


def test_a_stored_pooled_calibration_reads_back_and_refuses_a_tampered_file(tmp_path: Path) -> None:
    calls = []

    def compute() -> dict[str, object]:
        calls.append(1)
        return {"size": 0.1 + 0.2, "sizes": [{"test": "bmp", "size": 1 / 3}]}

    inputs = {"n_panels": 5, "seed": 1, "settings": {"estimation_window": (-500, -251)}}
    first = cached_pooled_calibration(inputs, compute, cache_dir=tmp_path)
    second = cached_pooled_calibration(inputs, compute, cache_dir=tmp_path)
    assert first == second == compute() and len(calls) == 2  # the second read the file
    (path,) = tmp_path.glob("pooled-*.json")
    assert cached_pooled_calibration({**inputs, "seed": 2}, compute, cache_dir=tmp_path) == first
    assert len(calls) == 3 and len(list(tmp_path.glob("pooled-*.json"))) == 2  # another key: computed
    payload = json.loads(path.read_text())
    payload["parameters"]["inputs"]["seed"] = 99
    path.write_text(json.dumps(payload))
    with pytest.raises(CalibrationCacheError, match="stored parameters differ"):
        cached_pooled_calibration(inputs, compute, cache_dir=tmp_path)
    assert cached_pooled_calibration(inputs, compute, cache_dir=None) == first  # no store: computed


@pytest.mark.slow
def test_the_market_model_over_rejects_unless_its_window_precedes_the_rules_look_back() -> None:
    """Golden crosses selected on simulated one-factor prices with no signal: with the
    estimation window -250..-30 inside the 250 days the rule reads, the event-window market
    model's t test rejects far more than 5 %; with -500..-251 it holds size, and the panel
    shift (full-sample beta, shifted events on the same panel) holds size with either."""
    common = {"n_panels": 60, "n_series": 15, "n_days": 5040, "models": ("market",), "horizons": (21,), "seed": 11}
    inside = pooled_size(**common).to_frame().set_index("test")  # type: ignore[arg-type]
    before = pooled_size(**common, estimation_window=(-500, -251)).to_frame().set_index("test")  # type: ignore[arg-type]
    limit = 0.05 + 2 * math.sqrt(0.05 * 0.95 / 60)
    assert inside.loc["cross_sectional_t", "size"] > 0.2
    assert not inside.loc["kolari_pynnonen", "holds_size"]
    assert before.loc["cross_sectional_t", "size"] <= limit
    assert inside.loc[PANEL_SHIFT, "size"] <= limit and before.loc[PANEL_SHIFT, "size"] <= limit
