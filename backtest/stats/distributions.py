"""The few distribution functions a claim's answer needs, without importing ``scipy.stats``.

``scipy.stats`` takes about half a second to import (it builds every distribution and
parses their docstrings), while the answer of a claim only evaluates Student t, normal and
binomial tails and quantiles and the Wilcoxon signed-rank test. Each function here computes
what its ``scipy.stats`` twin (named in its docstring) computes, from the same special
functions in ``scipy.special`` (``stdtr``, ``stdtrit``, ``ndtr``, ``ndtri``; the binomial
tails through the regularised incomplete beta function, P(X <= k) = 1 - I_p(k + 1, n - k),
as Boost's binomial distribution, which scipy.stats uses, computes them), or from the same
exact null distribution (Wilcoxon); the tests compare each with
its twin on grids of arguments. ``scipy.stats`` stays where it is off the answer's path
(statsmodels' HAC test, the bootstrap, the two-sided binomial test).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special

WILCOXON_EXACT_MAX_N = 50
"""Largest sample for which the Wilcoxon test uses its exact null distribution (scipy's
``method="auto"`` threshold); larger samples use the normal approximation."""
WILCOXON_PERMUTATION_MAX_N = 13
"""Largest sample with ties or zeros that scipy's ``method="auto"`` tests by enumerating
every sign pattern (``permutation_test``); ``wilcoxon_signed_rank`` leaves those to scipy."""
QUANTILE_TOLERANCE = 1e-12
"""Relative shortfall of a binomial cdf below q still taken as reaching q (``binomial_ppf``)."""


def t_cdf(x: Any, df: Any) -> Any:
    """P(T <= x) for Student's t with ``df`` degrees of freedom (``scipy.stats.t.cdf``)."""
    return scipy.special.stdtr(df, x)


def t_sf(x: Any, df: Any) -> Any:
    """P(T > x) for Student's t with ``df`` degrees of freedom (``scipy.stats.t.sf``)."""
    return scipy.special.stdtr(df, -np.asarray(x, dtype=float))


def t_ppf(q: Any, df: Any) -> Any:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (``scipy.stats.t.ppf``)."""
    return scipy.special.stdtrit(df, q)


def normal_cdf(x: Any) -> Any:
    """P(Z <= x) for a standard normal Z (``scipy.stats.norm.cdf``)."""
    return scipy.special.ndtr(x)


def normal_sf(x: Any) -> Any:
    """P(Z > x) for a standard normal Z (``scipy.stats.norm.sf``)."""
    return scipy.special.ndtr(-np.asarray(x, dtype=float))


def normal_ppf(q: Any) -> Any:
    """The ``q`` quantile of the standard normal (``scipy.stats.norm.ppf``)."""
    return scipy.special.ndtri(q)


def binomial_cdf(k: float, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p) (``scipy.stats.binom.cdf``); 0 below 0, 1 from n."""
    k = math.floor(k)
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return float(scipy.special.betaincc(k + 1.0, n - k, p))


def binomial_sf(k: float, n: int, p: float) -> float:
    """P(X > k) for X ~ Binomial(n, p) (``scipy.stats.binom.sf``); 1 below 0, 0 from n."""
    k = math.floor(k)
    if k < 0:
        return 1.0
    if k >= n:
        return 0.0
    return float(scipy.special.betainc(k + 1.0, n - k, p))


def binomial_ppf(q: float, n: int, p: float) -> float:
    """The ``q`` quantile of Binomial(n, p), the smallest k with P(X <= k) >= q
    (``scipy.stats.binom.ppf``: -1 at q = 0, n at q = 1, NaN outside [0, 1])."""
    if not 0.0 <= q <= 1.0:
        return math.nan
    if q == 0.0:
        return -1.0
    if q == 1.0:
        return float(n)
    k = np.arange(n, dtype=float)
    cdf = scipy.special.betaincc(k + 1.0, n - k, p)  # P(X <= k) for k < n; P(X <= n) = 1
    # a cdf that equals q exactly (P(X <= 3) = 1/2 for n = 7, p = 1/2) may come out an
    # ulp or so below it: within 1e-12 counts as reached, as scipy's exact quantile has it
    return float(np.searchsorted(cdf, q * (1.0 - QUANTILE_TOLERANCE), side="left"))


def binomial_test_pvalue(k: int, n: int, p: float, alternative: str) -> float:
    """The one-sided p-value of the exact binomial test of ``k`` successes in ``n`` trials
    (``scipy.stats.binomtest(k, n, p, alternative).pvalue``): P(X >= k) for "greater",
    P(X <= k) for "less"."""
    if alternative == "greater":
        return binomial_sf(k - 1, n, p)
    if alternative == "less":
        return binomial_cdf(k, n, p)
    raise ValueError(f"alternative must be 'greater' or 'less', got {alternative!r}")


def _average_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(average ranks from 1, sizes of the groups of tied values) of ``values``."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(values)])
    # a group of tied values starting at rank s+1 with t members gets their mean, s + (t + 1) / 2
    group_ranks = starts + (sizes + 1) / 2.0
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = np.repeat(group_ranks, sizes)
    return ranks, sizes


def _wilcoxon_null(n: int) -> np.ndarray:
    """P(R+ = r), r = 0 .. n(n+1)/2, under the null of n signed ranks without ties: each rank's
    sign a fair coin, built one rank at a time (scipy's ``_get_wilcoxon_distr``)."""
    pmf = np.ones(1, dtype=np.float64)
    for k in range(1, n + 1):
        previous = pmf
        pmf = np.zeros(k * (k + 1) // 2 + 1, dtype=np.float64)
        m = len(previous)
        pmf[:m] = previous * 0.5
        pmf[-m:] += previous * 0.5
    return pmf


def _exact_tails(r_plus: float, n: int) -> tuple[float, float]:
    """(P(R+ >= floor(r_plus)), P(R+ <= ceil(r_plus))) on the exact null, each summed from its
    own side of the mean (scipy's ``WilcoxonDistribution`` sf and cdf)."""
    pmf = _wilcoxon_null(n)
    mean = n * (n + 1) / 4
    low, high = int(np.floor(r_plus)), int(np.ceil(r_plus))
    upper = float(pmf[low:].sum()) if low <= mean else float(1 - pmf[:low].sum())
    lower = float(pmf[: high + 1].sum()) if high <= mean else float(1 - pmf[high + 1 :].sum())
    return upper, lower


def wilcoxon_signed_rank(values: Any, alternative: str) -> tuple[float, float] | None:
    """(statistic, p-value) of the Wilcoxon signed-rank test that ``values`` are centred at 0
    (``scipy.stats.wilcoxon(values, alternative=alternative)``, its defaults: zeros dropped,
    no continuity correction, ``method="auto"``). The statistic is R+, the sum of the ranks
    of |values| over the positive values (for "two-sided" the smaller of R+ and R-).

    Up to 50 values without ties or zeros: the exact null distribution; otherwise the normal
    approximation with the tie correction. ``None`` for 13 values or fewer with ties or zeros,
    which scipy tests by enumerating every sign pattern: call ``scipy.stats.wilcoxon`` then.
    """
    d = np.asarray(values, dtype=float)
    total = len(d)
    nonzero = d[d != 0.0]
    count = len(nonzero)
    if count == 0:
        return math.nan, math.nan
    ranks, ties = _average_ranks(np.abs(nonzero))
    r_plus = float(np.sum((nonzero > 0).astype(float) * ranks))
    r_minus = float(np.sum((nonzero < 0).astype(float) * ranks))
    statistic = min(r_plus, r_minus) if alternative == "two-sided" else r_plus
    has_ties = bool(np.any(ties > 1))
    if total <= WILCOXON_EXACT_MAX_N and not has_ties and count == total:
        upper, lower = _exact_tails(r_plus, count)
        if alternative == "greater":
            return statistic, upper
        if alternative == "less":
            return statistic, lower
        return statistic, float(np.clip(2 * min(upper, lower), 0, 1))
    if total <= WILCOXON_PERMUTATION_MAX_N:
        return None
    c = float(count)
    mean = c * (c + 1.0) * 0.25
    tie_correction = float(np.sum(ties.astype(float) ** 3 - ties))
    se = math.sqrt((c * (c + 1.0) * (2.0 * c + 1.0) - tie_correction / 2) / 24)
    z = (r_plus - mean) / se
    if alternative == "greater":
        return statistic, float(scipy.special.ndtr(-z))
    if alternative == "less":
        return statistic, float(scipy.special.ndtr(z))
    return statistic, float(2 * scipy.special.ndtr(-abs(z)))
