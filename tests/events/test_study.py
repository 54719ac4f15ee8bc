"""Event detection and forward measurements: references (pandas, vectorbt), rules, and
properties (no look-ahead, bounds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.errors import InsufficientDataError, ParameterError
from backtest.events import (
    DEFAULT_HORIZONS,
    EventRules,
    Horizon,
    MACross,
    calendar_month_horizons,
    measure_forward,
    run_event_studies,
    run_event_study,
)
from backtest.events import nb as events_nb


def random_walk(n: int, seed: int = 0, sigma: float = 0.012) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = 100.0 * np.exp(np.cumsum(rng.normal(0.0002, sigma, n)))
    return pd.Series(values, index=pd.bdate_range("1980-01-01", periods=n), name="walk")


def pandas_forward_reference(close: pd.Series, entry: int, days: int) -> dict[str, float]:
    """Plain-pandas measurement of one forward window (the readable twin of the kernel)."""
    window = close.iloc[entry : entry + days + 1]
    if len(window) < days + 1:
        return {}
    entry_level = window.iloc[0]
    trough_offset = int(np.argmin(window.to_numpy()))
    after_trough = window.iloc[trough_offset + 1 :]
    regained = np.flatnonzero(after_trough.to_numpy() >= entry_level)
    if window.min() >= entry_level:
        recover = 0.0
    elif len(regained):
        recover = float(trough_offset + 1 + regained[0])
    else:
        recover = np.nan
    return {
        "ret": window.iloc[-1] / entry_level - 1,
        "max_drawdown": (window / window.cummax() - 1).min(),
        "mae": window.min() / entry_level - 1,
        "mfe": window.max() / entry_level - 1,
        "days_to_trough": float(trough_offset),
        "days_to_recover": recover,
    }


def assert_measures_match_reference(close: pd.Series, table: pd.DataFrame, horizons=DEFAULT_HORIZONS) -> int:
    checked = 0
    for _, row in table.iterrows():
        for horizon in horizons:
            label = horizon.label
            reference = pandas_forward_reference(close, int(row["entry_pos"]), horizon.days)
            if not reference:
                assert row[f"pending_{label}"]
                assert np.isnan(row[f"ret_{label}"])
                continue
            assert not row[f"pending_{label}"]
            for measure, expected in reference.items():
                got = row[f"{measure}_{label}"]
                if np.isnan(expected):
                    assert np.isnan(got), (measure, label)
                else:
                    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), (measure, label)
            checked += 1
    return checked


# --- references on the real canonical Russell 2000 -------------------------------------------


@pytest.mark.parametrize("direction", ["golden", "death"])
@pytest.mark.parametrize("fast,slow", [(50, 200), (20, 100)])
def test_cross_dates_equal_vectorbt_on_real_series(russell2000, direction: str, fast: int, slow: int) -> None:
    vbt = pytest.importorskip("vectorbt")
    close = russell2000.close
    fast_ma = vbt.MA.run(close, fast, short_name="fast")
    slow_ma = vbt.MA.run(close, slow, short_name="slow")
    crossed = fast_ma.ma_crossed_above(slow_ma) if direction == "golden" else fast_ma.ma_crossed_below(slow_ma)
    expected = close.index[np.asarray(crossed).ravel()]
    study = run_event_study(russell2000, EventRules(source=MACross(fast, slow, direction=direction)))
    assert len(expected) > 20
    pd.testing.assert_index_equal(
        pd.DatetimeIndex(study.table["event_date"]), pd.DatetimeIndex(expected), check_names=False
    )


def test_forward_measures_equal_pandas_reference_on_real_series(russell2000) -> None:
    study = run_event_study(russell2000, EventRules(start="1985-01-01"))
    checked = assert_measures_match_reference(russell2000.close, study.table)
    assert checked >= 5 * 20


def test_golden_crosses_since_1985_include_known_dates(russell2000) -> None:
    study = run_event_study(russell2000, EventRules(start="1985-01-01"))
    dates = set(study.table["event_date"].dt.date.astype(str))
    assert study.table["event_date"].min() >= pd.Timestamp("1985-01-01")
    # every event date is a real cross: fast <= slow the day before and fast > slow on the day
    close = russell2000.close
    fast, slow = close.rolling(50).mean(), close.rolling(200).mean()
    for pos in study.table["event_pos"]:
        assert fast.iloc[pos - 1] <= slow.iloc[pos - 1] and fast.iloc[pos] > slow.iloc[pos]
    assert len(dates) == study.n_events


# --- rules ----------------------------------------------------------------------------------


def staircase() -> pd.Series:
    """Down 260 days, up 60, down 60, up 200: golden crosses of a 5/20 SMA pair, by hand."""
    legs = [np.linspace(200, 100, 260), np.linspace(100, 130, 60), np.linspace(130, 95, 60), np.linspace(95, 180, 200)]
    values = np.concatenate(legs)
    return pd.Series(values, index=pd.bdate_range("1990-01-01", periods=len(values)), name="stairs")


def test_confirmation_dates_the_event_on_the_confirmation_day() -> None:
    close = staircase()
    plain = run_event_study(close, EventRules(source=MACross(5, 20)), (Horizon("5d", days=5),))
    confirmed = run_event_study(close, EventRules(source=MACross(5, 20), confirm=3), (Horizon("5d", days=5),))
    assert plain.n_events == confirmed.n_events == 2
    np.testing.assert_array_equal(confirmed.table["event_pos"], plain.table["event_pos"] + 3)
    np.testing.assert_array_equal(confirmed.table["cross_date"], plain.table["event_date"])


def test_confirmation_drops_a_cross_that_fails_back() -> None:
    values = np.concatenate([np.linspace(100, 80, 60), [81, 95, 70, 60, 55], np.linspace(55, 50, 30)])
    close = pd.Series(values, index=pd.bdate_range("2000-01-01", periods=len(values)))
    plain = run_event_study(close, EventRules(source=MACross(2, 10)), (Horizon("1d", days=1),))
    confirmed = run_event_study(close, EventRules(source=MACross(2, 10), confirm=3), (Horizon("1d", days=1),))
    assert plain.n_events == 1 and confirmed.n_events == 0


def test_min_gap_drops_events_close_to_the_previous_kept_one() -> None:
    close = random_walk(3000, seed=7)
    plain = run_event_study(close, EventRules(source=MACross(5, 20)), (Horizon("5d", days=5),))
    gaps = np.diff(plain.table["event_pos"])
    min_gap = int(np.median(gaps))
    declustered = run_event_study(close, EventRules(source=MACross(5, 20), min_gap=min_gap), (Horizon("5d", days=5),))
    kept = declustered.table["event_pos"].to_numpy()
    assert 0 < len(kept) < plain.n_events
    assert (np.diff(kept) > min_gap).all()
    # a readable twin of the rule
    expected, last = [], None
    for pos in plain.table["event_pos"]:
        if last is None or pos - last > min_gap:
            expected.append(pos)
            last = pos
    np.testing.assert_array_equal(kept, expected)


def test_start_end_window_uses_prior_history_for_the_averages() -> None:
    close = random_walk(4000, seed=3)
    full = run_event_study(close, EventRules(source=MACross(10, 50)))
    start, end = close.index[1500], close.index[3000]
    windowed = run_event_study(close, EventRules(source=MACross(10, 50), start=start, end=end))
    inside = full.table[(full.table["event_date"] >= start) & (full.table["event_date"] <= end)]
    np.testing.assert_array_equal(windowed.table["event_pos"], inside["event_pos"])
    np.testing.assert_allclose(windowed.table["ret_3m"], inside["ret_3m"])


def test_next_close_entry_shifts_entry_by_one_day() -> None:
    close = random_walk(3000, seed=11)
    at_close = run_event_study(close, EventRules(source=MACross(10, 50)))
    next_close = run_event_study(close, EventRules(source=MACross(10, 50), entry="next_close"))
    np.testing.assert_array_equal(next_close.table["entry_pos"], at_close.table["entry_pos"] + 1)
    assert_measures_match_reference(close, next_close.table)


def test_windows_past_the_data_end_are_pending_not_dropped() -> None:
    close = staircase()
    study = run_event_study(
        close, EventRules(source=MACross(5, 20)), (Horizon("5d", days=5), Horizon("400d", days=400))
    )
    table = study.table
    assert study.n_events == 2
    assert not table["pending_5d"].any()
    assert table["pending_400d"].all() and table["ret_400d"].isna().all() and table["end_date_400d"].isna().all()
    assert "pending" in study.summary() and "400d" in study.summary()


def test_entry_after_the_last_close_is_pending_everywhere() -> None:
    values = np.concatenate([np.linspace(100, 80, 40), [200.0]])
    close = pd.Series(values, index=pd.bdate_range("2000-01-01", periods=len(values)))
    study = run_event_study(close, EventRules(source=MACross(2, 10), entry="next_close"), (Horizon("1d", days=1),))
    assert study.n_events == 1
    row = study.table.iloc[0]
    assert pd.isna(row["entry_date"]) and np.isnan(row["entry_level"]) and row["pending_1d"]


def test_calendar_month_horizons_end_on_first_trading_day_after_the_anniversary() -> None:
    close = random_walk(3000, seed=5)
    study = run_event_study(close, EventRules(source=MACross(10, 50)), calendar_month_horizons((3,)))
    done = study.complete("3m")
    assert len(done) > 5
    for _, row in done.iterrows():
        target = row["entry_date"] + pd.DateOffset(months=3)
        end = row["end_date_3m"]
        assert end >= target and close.index[close.index.get_loc(end) - 1] < target
        assert row["ret_3m"] == pytest.approx(close[end] / row["entry_level"] - 1)


def test_many_pairs_match_single_runs() -> None:
    close = random_walk(2500, seed=9)
    studies = run_event_studies(close, [(5, 20), (10, 50)])
    for (fast, slow), study in studies.items():
        single = run_event_study(close, EventRules(source=MACross(fast, slow)))
        pd.testing.assert_frame_equal(study.table, single.table)


def test_death_cross_study_and_ema() -> None:
    close = random_walk(3000, seed=21)
    study = run_event_study(close, EventRules(source=MACross(12, 26, ma="ema", direction="death")))
    assert study.n_events > 5
    fast = close.ewm(span=12, adjust=False, min_periods=12).mean()
    slow = close.ewm(span=26, adjust=False, min_periods=26).mean()
    for pos in study.table["event_pos"]:
        assert fast.iloc[pos - 1] >= slow.iloc[pos - 1] and fast.iloc[pos] < slow.iloc[pos]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fast": 200, "slow": 50}, "shorter"),
        ({"fast": 0}, "fast"),
        ({"ma": "wma"}, "ma kind"),
        ({"direction": "up"}, "direction"),
        ({"confirm": -1}, "confirm"),
        ({"entry": "open"}, "entry"),
        ({"start": "not a date"}, "start"),
        ({"start": "2020-01-01", "end": "2019-01-01"}, "after end"),
    ],
)
def test_bad_rules_raise_parameter_errors(kwargs: dict, match: str) -> None:
    cross = {name: value for name, value in kwargs.items() if name in ("fast", "slow", "ma", "direction")}
    timing = {name: value for name, value in kwargs.items() if name not in cross}
    with pytest.raises(ParameterError, match=match):
        EventRules(source=MACross(**cross), **timing)


def test_too_little_data_is_a_clear_error() -> None:
    with pytest.raises(InsufficientDataError, match="200-day average needs at least 201"):
        run_event_study(random_walk(150), EventRules())


# --- properties -----------------------------------------------------------------------------


@given(n=st.integers(300, 1200), seed=st.integers(0, 100_000), cut=st.floats(0.2, 1.0))
@settings(max_examples=50, deadline=None)
def test_truncated_data_give_the_same_events_and_measures(n: int, seed: int, cut: float) -> None:
    close = random_walk(n, seed, sigma=0.02)
    t = max(int(cut * n), 60)
    horizons = (Horizon("5d", days=5), Horizon("21d", days=21))
    rules = EventRules(source=MACross(5, 40), confirm=2, min_gap=10)
    full = run_event_study(close, rules, horizons).table
    part = run_event_study(close.iloc[:t], rules, horizons).table
    known = full[full["event_pos"] < t]
    np.testing.assert_array_equal(part["event_pos"], known["event_pos"])
    for label, days in (("5d", 5), ("21d", 21)):
        complete_by_t = (known["entry_pos"] + days < t).to_numpy()
        np.testing.assert_array_equal(
            part[f"ret_{label}"].to_numpy()[complete_by_t], known[f"ret_{label}"].to_numpy()[complete_by_t]
        )
        assert part[f"pending_{label}"].to_numpy()[~complete_by_t].all()


@given(n=st.integers(300, 900), seed=st.integers(0, 100_000))
@settings(max_examples=50, deadline=None)
def test_measurement_bounds(n: int, seed: int) -> None:
    close = random_walk(n, seed, sigma=0.03)
    days = 30
    table = measure_forward(close, np.arange(n), (Horizon("30d", days=days),))
    done = table[~table["pending_30d"]]
    assert len(done) == n - days
    assert ((done["max_drawdown_30d"] >= -1) & (done["max_drawdown_30d"] <= 0)).all()
    assert (done["mae_30d"] <= 0).all() and (done["mfe_30d"] >= 0).all()
    assert (done["max_drawdown_30d"] <= done["mae_30d"] + 1e-15).all()  # a fall from entry is a drawdown
    assert done["days_to_trough_30d"].between(0, days).all()
    recovered = done["days_to_recover_30d"].dropna()
    assert recovered.between(0, days).all()
    assert ((done["mae_30d"] == 0) == (done["days_to_recover_30d"] == 0)).all()
    assert ((done["ret_30d"] >= done["mae_30d"]) & (done["ret_30d"] <= done["mfe_30d"])).all()


def test_forward_measure_kernel_matches_pandas_twin_on_random_entries() -> None:
    close = random_walk(2000, seed=1, sigma=0.02)
    entries = np.random.default_rng(0).integers(0, 2000, 300)
    table = measure_forward(close, entries).assign(entry_pos=entries)
    assert assert_measures_match_reference(close, table) > 500


def test_forward_returns_kernel_matches_pandas() -> None:
    close = random_walk(1000, seed=2)
    np.testing.assert_allclose(
        events_nb.forward_returns_nb(close.to_numpy(), 63), (close.shift(-63) / close - 1).to_numpy(), rtol=1e-12
    )


def test_aligned_paths_rebase_to_100_and_stop_at_the_data_end() -> None:
    from backtest.events.paths import aligned_paths

    close = random_walk(400, seed=4)
    paths = aligned_paths(close, np.array([10, 300, 399]), days=150)
    assert paths.shape == (151, 3)
    np.testing.assert_allclose(paths.iloc[0], 100.0)
    assert paths.iloc[150, 0] == pytest.approx(100 * close.iloc[160] / close.iloc[10])
    assert paths[1].notna().sum() == 100 and paths[2].notna().sum() == 1
