"""Fixtures of the sweep tests: small hand-made price paths (random walks, no signal)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def random_walk(n: int, seed: int, drift: float = 0.0003, vol: float = 0.012, name: str = "walk") -> pd.Series:
    """Geometric random walk on business days: forward returns are independent of the past,
    so no moving-average rule has an edge over random entry."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(drift, vol, n)
    index = pd.bdate_range("1990-01-01", periods=n)
    return pd.Series(100.0 * np.exp(np.cumsum(steps)), index=index, name=name)


@pytest.fixture()
def walk() -> pd.Series:
    return random_walk(2500, seed=11)


def cycles(
    n: int = 2500, seed: int = 0, period: int = 160, drift: float = 0.0025, vol: float = 0.012, name: str = "cycles"
) -> pd.Series:
    """Up- and down-trends of ``period / 2`` days under noise: golden crosses come early in
    up-trends, so some pairs beat random entry and some do not (Romano-Wolf keeps part of
    the grid, which makes its merged result worth comparing)."""
    rng = np.random.default_rng(seed)
    trend = drift * np.sign(np.sin(2.0 * np.pi * np.arange(n) / period))
    steps = trend + rng.normal(0.0, vol, n)
    index = pd.bdate_range("1990-01-01", periods=n)
    return pd.Series(100.0 * np.exp(np.cumsum(steps)), index=index, name=name)
