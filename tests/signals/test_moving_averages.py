"""Reference tests: numba averages and crossovers against pandas and readable twins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.errors import ParameterError
from backtest.signals import crossovers, moving_average, nb


def random_walk(n: int, seed: int = 0, start: float = 100.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = start * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n)))
    return pd.Series(values, index=pd.bdate_range("1980-01-01", periods=n), name="walk")


def crossings_twin(fast: np.ndarray, slow: np.ndarray, direction: int) -> np.ndarray:
    """Readable twin of crossings_nb."""
    out = np.zeros(len(fast), dtype=bool)
    for t in range(1, len(fast)):
        pair = (fast[t - 1], slow[t - 1], fast[t], slow[t])
        if any(np.isnan(v) for v in pair):
            continue
        f0, s0, f1, s1 = pair
        out[t] = (f0 <= s0 and f1 > s1) if direction == 1 else (f0 >= s0 and f1 < s1)
    return out


@pytest.mark.parametrize("window", [1, 2, 5, 50, 200, 400])
def test_sma_equals_pandas_rolling_mean(window: int) -> None:
    close = random_walk(12_000, seed=window)
    ours = moving_average(close, window, "sma")
    reference = close.rolling(window).mean()
    pd.testing.assert_index_equal(ours.index, reference.index)
    assert ours.isna().sum() == window - 1
    np.testing.assert_array_equal(ours.isna(), reference.isna())
    np.testing.assert_allclose(ours.dropna(), reference.dropna(), rtol=1e-9, atol=0)


@pytest.mark.parametrize("window", [1, 2, 12, 26, 50, 200])
def test_ema_equals_pandas_ewm(window: int) -> None:
    close = random_walk(12_000, seed=100 + window)
    ours = moving_average(close, window, "ema")
    reference = close.ewm(span=window, adjust=False, min_periods=window).mean()
    np.testing.assert_array_equal(ours.isna(), reference.isna())
    np.testing.assert_allclose(ours.dropna(), reference.dropna(), rtol=1e-9, atol=0)


def test_sma_on_real_series_matches_pandas(russell2000) -> None:
    close = russell2000.close
    for window in (50, 200):
        np.testing.assert_allclose(
            moving_average(close, window).dropna(), close.rolling(window).mean().dropna(), rtol=1e-9
        )


@given(
    fast=st.lists(st.one_of(st.floats(1, 2), st.just(np.nan)), min_size=2, max_size=60),
    seed=st.integers(0, 10_000),
)
@settings(max_examples=200, deadline=None)
def test_crossings_kernel_matches_twin(fast: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    fast_arr = np.array(fast)
    # ties on purpose: a slow line that sometimes equals the fast one exactly
    slow_arr = np.where(rng.random(len(fast)) < 0.2, fast_arr, rng.uniform(1, 2, len(fast)))
    for direction in (1, -1):
        np.testing.assert_array_equal(
            nb.crossings_nb(fast_arr, slow_arr, direction), crossings_twin(fast_arr, slow_arr, direction)
        )


def test_crossovers_convention_on_hand_made_lines() -> None:
    index = pd.bdate_range("2020-01-01", periods=6)
    fast = pd.Series([np.nan, 1.0, 2.0, 2.0, 3.0, 1.0], index=index)
    slow = pd.Series([np.nan, 2.0, 2.0, 2.5, 2.5, 2.0], index=index)
    # day 2 equal: neither above nor below, so no golden cross there; day 3 leaves the tie
    # downwards (>= then <): a death cross; day 4 below -> above: golden; day 5: death again
    assert crossovers(fast, slow, "golden").tolist() == [False, False, False, False, True, False]
    assert crossovers(fast, slow, "death").tolist() == [False, False, False, True, False, True]


@given(n=st.integers(210, 600), seed=st.integers(0, 10_000), cut=st.floats(0.3, 1.0))
@settings(max_examples=40, deadline=None)
def test_averages_and_crosses_have_no_look_ahead(n: int, seed: int, cut: float) -> None:
    close = random_walk(n, seed)
    t = int(cut * n)
    for kind in ("sma", "ema"):
        full_fast, full_slow = moving_average(close, 20, kind), moving_average(close, 100, kind)
        part_fast, part_slow = moving_average(close[:t], 20, kind), moving_average(close[:t], 100, kind)
        pd.testing.assert_series_equal(full_fast[:t], part_fast)
        pd.testing.assert_series_equal(full_slow[:t], part_slow)
        pd.testing.assert_series_equal(crossovers(full_fast, full_slow)[:t], crossovers(part_fast, part_slow))


@given(n=st.integers(250, 800), seed=st.integers(0, 10_000))
@settings(max_examples=40, deadline=None)
def test_golden_and_death_crosses_alternate(n: int, seed: int) -> None:
    close = random_walk(n, seed)
    fast, slow = moving_average(close, 10, "sma"), moving_average(close, 60, "sma")
    golden = np.flatnonzero(crossovers(fast, slow, "golden"))
    death = np.flatnonzero(crossovers(fast, slow, "death"))
    merged = sorted([(p, "g") for p in golden] + [(p, "d") for p in death])
    kinds = [k for _, k in merged]
    assert all(a != b for a, b in zip(kinds, kinds[1:]))


@pytest.mark.parametrize("window", [0, -3, 2.5, True])
def test_bad_window_is_a_parameter_error(window: object) -> None:
    with pytest.raises(ParameterError, match="window"):
        moving_average(random_walk(50), window)  # type: ignore[arg-type]


def test_missing_close_is_rejected_with_the_date() -> None:
    close = random_walk(50)
    close.iloc[10] = np.nan
    with pytest.raises(ParameterError, match=str(close.index[10].date())):
        moving_average(close, 5)
