"""The indicator kernels added for event sources (``backtest.signals.nb``) against their
pandas twins, named in each kernel's docstring."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.signals import nb


def prices(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 400), window=st.integers(1, 60))
def test_rate_of_change_drawdown_and_prior_extremes_match_pandas(seed: int, n: int, window: int) -> None:
    values = prices(seed, n)
    s = pd.Series(values)
    np.testing.assert_allclose(
        nb.rate_of_change_nb(values, window), (s / s.shift(window) - 1).to_numpy(), rtol=1e-12, equal_nan=True
    )
    np.testing.assert_allclose(nb.drawdown_nb(values), (s / s.cummax() - 1).to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(
        nb.prior_extreme_nb(values, window, True), s.shift(1).rolling(window).max().to_numpy()
    )
    np.testing.assert_array_equal(
        nb.prior_extreme_nb(values, window, False), s.shift(1).rolling(window).min().to_numpy()
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 400), window=st.integers(2, 60))
def test_zscore_matches_pandas(seed: int, n: int, window: int) -> None:
    values = prices(seed, n)
    s = pd.Series(values)
    expected = ((s - s.rolling(window).mean()) / s.rolling(window).std()).to_numpy()
    np.testing.assert_allclose(nb.zscore_nb(values, window), expected, rtol=1e-7, atol=1e-9, equal_nan=True)


def test_beyond_is_strict_and_false_on_nan() -> None:
    a = np.array([1.0, 2.0, np.nan, 3.0, 3.0])
    b = np.array([2.0, 1.0, 1.0, np.nan, 3.0])
    np.testing.assert_array_equal(nb.beyond_nb(a, b, nb.GOLDEN), [False, True, False, False, False])
    np.testing.assert_array_equal(nb.beyond_nb(a, b, nb.DEATH), [True, False, False, False, False])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 600), st.integers(1, 60), st.integers(1, 250))
def test_sma_pair_is_sma_twice_bit_for_bit(seed: int, n: int, fast: int, slow: int) -> None:
    close = 100 * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.02, n)))
    fast_line, slow_line = nb.sma_pair_nb(close, fast, slow)
    np.testing.assert_array_equal(fast_line, nb.sma_nb(close, fast))
    np.testing.assert_array_equal(slow_line, nb.sma_nb(close, slow))
    expected = pd.Series(close).rolling(fast).mean().to_numpy()
    np.testing.assert_allclose(fast_line, expected, rtol=1e-10, atol=1e-12)


def _prior_extreme_scan(values: np.ndarray, window: int, highest: bool) -> np.ndarray:
    """The definition read literally: the extreme of the ``window`` values before each day."""
    out = np.full(len(values), np.nan)
    for t in range(window, len(values)):
        out[t] = values[t - window : t].max() if highest else values[t - window : t].min()
    return out


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), window=st.integers(1, 40), levels=st.integers(2, 6))
def test_prior_extremes_block_form_on_many_ties(seed: int, n: int, window: int, levels: int) -> None:
    """The O(n) block form equals the direct scan where ties are everywhere (few levels)."""
    values = np.random.default_rng(seed).integers(0, levels, n).astype(float) + 1.0
    for highest in (True, False):
        np.testing.assert_array_equal(
            nb.prior_extreme_nb(values, window, highest), _prior_extreme_scan(values, window, highest)
        )
