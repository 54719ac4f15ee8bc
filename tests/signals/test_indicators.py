"""Indicators against independent references (pandas, vectorbt, a published RSI table),
readable twins of the kernels, and no look-ahead: truncating the inputs after day t never
changes a value on or before t (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.errors import ParameterError
from backtest.signals import nb
from backtest.signals.indicators import (
    lookback_touches,
    mean_relative_strength,
    relative_strength,
    relative_volume,
    rsi,
    trailing_change,
)


def random_walk(n: int, seed: int = 0, start: float = 100.0, name: str = "walk") -> pd.Series:
    rng = np.random.default_rng(seed)
    values = start * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n)))
    return pd.Series(values, index=pd.bdate_range("1990-01-01", periods=n), name=name)


# --- independent references -----------------------------------------------------------------


def wilder_rsi_pandas(close: pd.Series, window: int) -> pd.Series:
    """Wilder's RSI in plain pandas: simple-mean seed over the first ``window`` changes, then
    an EWM with alpha = 1/window (Wilder's smoothing) from that seed on."""
    delta = close.diff()
    gain = delta.clip(lower=0.0)
    loss = (-delta).clip(lower=0.0)

    def smooth(x: pd.Series) -> pd.Series:
        seeded = x.iloc[window:].copy()
        seeded.iloc[0] = x.iloc[1 : window + 1].mean()
        return seeded.ewm(alpha=1.0 / window, adjust=False).mean().reindex(x.index)

    average_gain, average_loss = smooth(gain), smooth(loss)
    out = 100.0 - 100.0 / (1.0 + average_gain / average_loss)
    out[(average_loss == 0) & (average_gain > 0)] = 100.0
    out[(average_loss == 0) & (average_gain == 0)] = 50.0
    return out


def relative_volume_twin(volume: pd.Series, window: int, min_valid: int) -> pd.Series:
    """Readable twin: zero -> missing, rolling mean of the previous ``window`` days."""
    valid = volume.where(volume > 0)
    benchmark = valid.rolling(window, min_periods=min_valid).mean().shift(1)
    out = valid / benchmark
    out.iloc[:window] = np.nan
    return out


@pytest.mark.parametrize("window", [2, 5, 14, 30])
def test_rsi_equals_pandas_wilder(window: int) -> None:
    close = random_walk(5_000, seed=window)
    ours = rsi(close, window)
    reference = wilder_rsi_pandas(close, window)
    assert ours.name == f"rsi_{window}" and ours.index.equals(close.index)
    assert ours.isna().sum() == window  # a value needs `window` changes
    np.testing.assert_array_equal(ours.isna(), reference.isna())
    np.testing.assert_allclose(ours.dropna(), reference.dropna(), rtol=1e-10)
    assert ((ours.dropna() >= 0) & (ours.dropna() <= 100)).all()


def test_rsi_matches_the_published_wilder_example() -> None:
    # The 14-day RSI worked example of StockCharts' ChartSchool ("Relative Strength Index",
    # spreadsheet cs-rsi.xls). Their sheet rounds the first averages to cents, which moves
    # each RSI by about 0.05; the exact arithmetic stays within 0.1 of every published value.
    closes = [
        44.34,
        44.09,
        44.15,
        43.61,
        44.33,
        44.83,
        45.10,
        45.42,
        45.84,
        46.08,
        45.89,
        46.03,
        45.61,
        46.28,
        46.28,
        46.00,
        46.03,
        46.41,
        46.22,
        45.64,
        46.21,
        46.25,
        45.71,
        46.45,
        45.78,
        45.35,
        44.03,
        44.18,
        44.22,
        44.57,
        43.42,
        42.66,
        43.13,
    ]
    published = [
        70.53,
        66.32,
        66.55,
        69.41,
        66.36,
        57.97,
        62.93,
        63.26,
        56.06,
        62.38,
        54.71,
        50.42,
        39.99,
        41.46,
        41.87,
        45.46,
        37.30,
        33.08,
        37.77,
    ]
    close = pd.Series(closes, index=pd.bdate_range("2010-01-04", periods=len(closes)))
    np.testing.assert_allclose(rsi(close, 14).dropna().to_numpy(), published, atol=0.1)


def test_rsi_agrees_with_vectorbt_once_the_seed_has_decayed() -> None:
    # vectorbt's RSI is another convention: ewm=False (its default) is Cutler's simple rolling
    # mean; ewm=True is pandas' span EWM, alpha = 2 / (window + 1), seeded with the first
    # change. Wilder's alpha = 1/14 is span 27, so vbt.RSI(window=27, ewm=True) differs from
    # Wilder's RSI(14) only by its seed, whose weight (13/14)^t fades: equal after ~600 days.
    vbt = pytest.importorskip("vectorbt")
    close = random_walk(3_000, seed=11)
    theirs = vbt.RSI.run(close, window=27, ewm=True).rsi
    ours = rsi(close, 14)
    np.testing.assert_allclose(ours.iloc[600:], theirs.iloc[600:], rtol=1e-10)
    assert (ours.iloc[14:40] - theirs.iloc[14:40]).abs().max() > 0.1  # the seeds do differ early on
    cutler = vbt.RSI.run(close, window=14).rsi
    assert (ours.iloc[600:] - cutler.iloc[600:]).abs().max() > 1.0  # and the default is not Wilder's


def test_rsi_edge_cases() -> None:
    index = pd.bdate_range("2000-01-03", periods=20)
    assert (rsi(pd.Series(np.linspace(10, 20, 20), index=index), 5).dropna() == 100.0).all()  # no loss at all
    assert (rsi(pd.Series(np.full(20, 7.0), index=index), 5).dropna() == 50.0).all()  # no move at all
    assert rsi(pd.Series(np.linspace(20, 10, 20), index=index), 5).dropna().eq(0.0).all()
    assert rsi(pd.Series([1.0, 2.0, 3.0], index=index[:3]), 5).isna().all()  # too short


def test_relative_volume_against_pandas_and_by_hand() -> None:
    rng = np.random.default_rng(3)
    volume = pd.Series(rng.lognormal(20, 0.3, 3_000), index=pd.bdate_range("1990-01-01", periods=3_000), name="volume")
    volume.iloc[[100, 101, 700, 1500]] = 0.0  # Yahoo's placeholder for a row without volume
    volume.iloc[900] = np.nan
    for min_valid in (50, 45):
        ours = relative_volume(volume, 50, min_valid=min_valid)
        reference = relative_volume_twin(volume, 50, min_valid)
        np.testing.assert_array_equal(ours.isna(), reference.isna())
        np.testing.assert_allclose(ours.dropna(), reference.dropna(), rtol=1e-12)
    strict = relative_volume(volume, 50)
    assert strict.iloc[100:151].isna().all() and np.isfinite(strict.iloc[152])  # zero on day 101 spoils 50 days
    assert relative_volume(volume, 50, min_valid=45).iloc[100:152].isna().sum() == 2  # only the zero days
    hand = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0], index=pd.bdate_range("2000-01-03", periods=5))
    assert relative_volume(hand, 2).tolist()[2:] == [30 / 15, 40 / 25, 50 / 35]
    with pytest.raises(ParameterError, match="negative"):
        relative_volume(-hand, 2)
    with pytest.raises(ParameterError, match="min_valid"):
        relative_volume(hand, 2, min_valid=3)


def test_relative_strength_against_pandas_on_different_calendars() -> None:
    asset = random_walk(1_500, seed=1, name="XLB")
    benchmark = random_walk(1_500, seed=2, name="SPY")
    asset = asset.drop(asset.index[[10, 500, 501]])  # days one of them lacks
    benchmark = benchmark.drop(benchmark.index[[700]])
    ours = relative_strength(asset, benchmark, 63)
    common = asset.index.intersection(benchmark.index)
    a, b = asset.reindex(common), benchmark.reindex(common)
    reference = a.pct_change(63).add(1) / b.pct_change(63).add(1) - 1
    assert ours.index.equals(common) and ours.name == "rs_XLB_63"
    np.testing.assert_array_equal(ours.isna(), reference.isna())
    np.testing.assert_allclose(ours.dropna(), reference.dropna(), rtol=1e-12, atol=1e-15)


def test_mean_relative_strength_needs_every_asset() -> None:
    spy = random_walk(400, seed=5, name="SPY")
    assets = {"XLB": random_walk(400, seed=6), "XLI": random_walk(400, seed=7).iloc[100:]}
    frame = mean_relative_strength(assets, spy, 63)
    assert list(frame.columns) == ["XLB", "XLI", "mean"]
    assert frame.index[0] == spy.index[100]  # dates every series has
    assert frame["mean"].iloc[:63].isna().all()
    np.testing.assert_allclose(frame["mean"].dropna(), frame[["XLB", "XLI"]].dropna().mean(axis=1))
    with pytest.raises(ParameterError, match="at least one"):
        mean_relative_strength({}, spy)


def test_trailing_change_against_pandas() -> None:
    values = random_walk(800, seed=9) / 10
    values.iloc[300] = np.nan  # a missing yield
    ours = trailing_change(values, 63)
    np.testing.assert_array_equal(ours.isna(), values.diff(63).isna())
    np.testing.assert_allclose(ours.dropna(), values.diff(63).dropna(), rtol=1e-12)


def test_lookback_touches_by_hand_and_against_twin() -> None:
    index = pd.bdate_range("2025-11-10", periods=10)
    touches = lookback_touches(index, ["2025-11-12"], 3)
    # the move into 11-12 is inside the 3-day changes ending 11-12, 11-13 and 11-14
    assert touches.tolist() == [False, False, True, True, True, False, False, False, False, False]
    weekend = lookback_touches(index, ["2025-11-15"], 2)  # a Saturday marks the Monday after
    assert weekend[weekend].index.tolist() == [pd.Timestamp("2025-11-17"), pd.Timestamp("2025-11-18")]
    assert not lookback_touches(index, ["2030-01-01"], 3).any()
    flags = np.random.default_rng(1).random(500) < 0.01
    twin = pd.Series(flags).rolling(20, min_periods=1).max().astype(bool).to_numpy()
    np.testing.assert_array_equal(nb.lookback_touches_nb(flags, 20), twin)


def test_wrappers_name_bad_parameters() -> None:
    close = random_walk(100)
    with pytest.raises(ParameterError, match="window"):
        rsi(close, 0)
    with pytest.raises(ParameterError, match="close"):
        rsi(close.reset_index(drop=True), 14)
    with pytest.raises(ParameterError, match="sorted"):
        trailing_change(close.iloc[::-1], 5)
    with pytest.raises(ParameterError, match="missing or non-positive"):
        relative_strength(close.where(close.index != close.index[5]), close, 5)


# --- no look-ahead --------------------------------------------------------------------------

_prices = st.lists(st.floats(min_value=1.0, max_value=1_000.0, allow_nan=False), min_size=2, max_size=160)


def _dated(values: list[float], name: str = "x") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2000-01-03", periods=len(values)), name=name)


@settings(max_examples=60, deadline=None)
@given(prices=_prices, window=st.integers(1, 30), data=st.data())
def test_rsi_and_trailing_change_use_no_future_data(prices: list[float], window: int, data) -> None:
    close = _dated(prices)
    cut = data.draw(st.integers(0, len(prices) - 1))
    for indicator in (lambda s: rsi(s, window), lambda s: trailing_change(s, window)):
        full = indicator(close).iloc[: cut + 1]
        truncated = indicator(close.iloc[: cut + 1])
        pd.testing.assert_series_equal(full, truncated)


@settings(max_examples=60, deadline=None)
@given(
    volume=st.lists(st.one_of(st.just(0.0), st.floats(min_value=1.0, max_value=1e9)), min_size=2, max_size=160),
    window=st.integers(1, 30),
    data=st.data(),
)
def test_relative_volume_uses_no_future_data(volume: list[float], window: int, data) -> None:
    series = _dated(volume, "volume")
    cut = data.draw(st.integers(0, len(volume) - 1))
    min_valid = data.draw(st.integers(1, window))
    full = relative_volume(series, window, min_valid).iloc[: cut + 1]
    pd.testing.assert_series_equal(full, relative_volume(series.iloc[: cut + 1], window, min_valid))


@settings(max_examples=60, deadline=None)
@given(asset=_prices, benchmark=_prices, window=st.integers(1, 30), data=st.data())
def test_relative_strength_uses_no_future_data(asset: list[float], benchmark: list[float], window: int, data) -> None:
    n = min(len(asset), len(benchmark))
    a, b = _dated(asset[:n], "a"), _dated(benchmark[:n], "b")
    cut = data.draw(st.integers(0, n - 1))
    full = mean_relative_strength({"a": a}, b, window).iloc[: cut + 1]
    truncated = mean_relative_strength({"a": a.iloc[: cut + 1]}, b.iloc[: cut + 1], window)
    pd.testing.assert_frame_equal(full, truncated)


def test_real_indicators_at_the_last_golden_cross_ignore_later_data(russell2000, data_dir) -> None:
    # The real snapshot: every indicator of the confirmation study, recomputed from data
    # truncated at the 2024-01-02 golden cross, equals the full-history value on that day.
    from backtest.data import load_series

    day = pd.Timestamp("2024-01-02")
    rut, spy, xlb, tnx = (load_series(name, data_dir=data_dir) for name in ("RUT", "SPY", "XLB", "TNX"))
    pairs = [
        (rsi(russell2000.close), rsi(russell2000.close[:day])),
        (relative_volume(rut.bars["volume"], 50, 45), relative_volume(rut.bars["volume"][:day], 50, 45)),
        (relative_strength(xlb.close, spy.close), relative_strength(xlb.close[:day], spy.close[:day])),
        (trailing_change(tnx.close), trailing_change(tnx.close[:day])),
    ]
    for full, truncated in pairs:
        assert np.isfinite(full[day]) and full[day] == truncated[day]
