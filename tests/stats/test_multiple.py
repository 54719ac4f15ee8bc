"""Holm's adjustment against statsmodels' multipletests(method="holm")."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from backtest.errors import ParameterError
from backtest.stats import holm


@pytest.fixture(autouse=True)
def _no_gc_in_multipletests(monkeypatch) -> None:
    # statsmodels' holm branch calls gc.collect() on every call (~0.1 s here; the reason
    # backtest.stats.multiple computes Holm itself); it changes no number, so skip it
    monkeypatch.setattr(gc, "collect", lambda *args: 0)


@pytest.mark.parametrize("m", [1, 2, 5, 12])
def test_holm_equals_statsmodels(m) -> None:
    rng = np.random.default_rng(m)
    for _ in range(200):
        p = rng.uniform(0, 1, m) ** 3
        if m > 2:
            p[1] = p[2]  # ties
        np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=0, atol=1e-15)


def test_holm_on_hand_values() -> None:
    # sorted 0.01, 0.02, 0.04 -> 3 * 0.01, max(0.03, 2 * 0.02), max(0.04, 0.04)
    np.testing.assert_allclose(holm([0.04, 0.01, 0.02]), [0.04, 0.03, 0.04])
    np.testing.assert_allclose(holm([0.5, 0.9]), [1.0, 1.0])


def test_nan_entries_are_left_out_of_the_family() -> None:
    out = holm([0.01, np.nan, 0.04])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], multipletests([0.01, 0.04], method="holm")[1])
    assert holm([]).shape == (0,)
    with pytest.raises(ParameterError, match="pvalues"):
        holm([0.5, 1.5])
