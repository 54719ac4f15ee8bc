"""Multiple testing across horizons: Holm's step-down adjustment.

Input: the p-values of one question (one test) at several horizons. Output: adjusted
p-values in the same order. Holm (1979), "A simple sequentially rejective multiple test
procedure", Scand. J. Statist. 6(2): controls the family-wise error rate under any
dependence, which matters here because the horizons share events and overlap in time.
"""

from __future__ import annotations

import numpy as np

from backtest.errors import ParameterError


def holm(pvalues: object) -> np.ndarray:
    """Holm-adjusted p-values.

    Equal to ``statsmodels.stats.multitest.multipletests(p, method="holm")[1]``
    (tests/stats/test_multiple.py checks it on random inputs with ties).
    Sorted p_(1) <= ... <= p_(m): adjusted p_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)).
    Computed here rather than by calling statsmodels because its "holm" branch runs
    ``gc.collect()`` on every call: ~0.1 s each with numba's objects loaded, two seconds of
    a five-horizon analysis and more for sweeps that adjust thousands of families.
    NaN entries (a horizon where the test could not run) stay NaN and are not counted in
    the family; an empty input gives an empty output.

    Parameters
    ----------
    pvalues : object
        One-dimensional array-like of p-values in [0, 1] (NaN allowed), one per test of
        the family (e.g. one per horizon).

    Returns
    -------
    np.ndarray
        Adjusted p-values, float, in the input's order; NaN where the input was NaN.

    Raises
    ------
    ParameterError
        Input not one-dimensional, or a finite p-value outside [0, 1].
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ParameterError(f"pvalues must be one-dimensional, got shape {p.shape}")
    finite = np.isfinite(p)
    if ((p[finite] < 0) | (p[finite] > 1)).any():
        raise ParameterError(f"pvalues must lie in [0, 1], got {p.tolist()!r}")
    out = np.full(p.shape, np.nan)
    family = p[finite]
    m = len(family)
    if m:
        order = np.argsort(family, kind="mergesort")
        stepped = np.maximum.accumulate(family[order] * np.arange(m, 0, -1))
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(stepped, 1.0)
        out[finite] = adjusted
    return out
