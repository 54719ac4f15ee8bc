"""Classical tests on event returns: Newey-West t-tests, binomial (plain and on the effective
number of overlapping events), Wilcoxon, bootstrap CIs.

Inputs: plain arrays of per-event values (returns or excess returns), event entry
positions and window lengths. Outputs: ``TestResult`` and ``ConfidenceInterval``. Every
test calls scipy or statsmodels (the Wilcoxon test through ``backtest.stats.distributions``,
which computes scipy's p-values without importing scipy.stats); this module only chooses
their arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from backtest.checks import check_scalar
from backtest.errors import ParameterError

Alternative = str  # "greater" | "less" | "two-sided"


@dataclass(frozen=True)
class TestResult:
    """One classical test.

    ``pvalue`` is for ``alternative`` (the claim's direction); ``pvalue_two_sided`` is given as
    well, and ``pvalue_opposite``, the one-sided p in the other tail (NaN for a two-sided
    alternative). Statistics and p-values are NaN when the test cannot run (too few values).

    Parameters
    ----------
    test : str
        Which test: "hac_t", "calendar_overlap_t" (from ``analyze_events``), "binomial",
        "binomial_effective_n", "wilcoxon".
    statistic : float
        The test statistic (a t statistic, a hit rate as a fraction, a signed-rank sum).
    pvalue : float
        One-sided p-value for ``alternative`` (two-sided when it is "two-sided").
    pvalue_two_sided : float
        Two-sided p-value.
    alternative : str
        "greater", "less" or "two-sided".
    n : int
        Values tested.
    null_value : float
        The value tested against (0 for a mean, the unconditional hit rate for a binomial
        test...).
    estimate : float
        The point estimate (mean, hit rate or median).
    details : tuple[tuple[str, float], ...], default ()
        Test-specific numbers (maxlags, standard_error, df, hits, n_effective, ...).
    pvalue_opposite : float, default nan
        One-sided p-value in the other tail; NaN for a two-sided alternative.
    """

    __test__ = False  # not a pytest class

    test: str
    statistic: float
    pvalue: float
    pvalue_two_sided: float
    alternative: str
    n: int
    null_value: float
    estimate: float
    details: tuple[tuple[str, float], ...] = ()
    pvalue_opposite: float = math.nan

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields, with the ``details`` flattened in.

        Returns
        -------
        dict[str, object]
            test, statistic, the three p-values, alternative, n, null_value, estimate, then
            each detail by name.
        """
        out: dict[str, object] = {
            "test": self.test,
            "statistic": float(self.statistic),
            "pvalue": float(self.pvalue),
            "pvalue_two_sided": float(self.pvalue_two_sided),
            "pvalue_opposite": float(self.pvalue_opposite),
            "alternative": self.alternative,
            "n": int(self.n),
            "null_value": float(self.null_value),
            "estimate": float(self.estimate),
        }
        out.update({key: float(value) for key, value in self.details})
        return out


@dataclass(frozen=True)
class ConfidenceInterval:
    """A confidence interval for ``estimate`` (scipy's ``low``/``high`` names).

    Parameters
    ----------
    low, high : float
        The interval's bounds (NaN when it cannot be computed: fewer than two distinct values).
    estimate : float
        The point estimate.
    confidence_level : float
        Coverage as a fraction, e.g. 0.95.
    method : str
        How the interval was computed, e.g. "percentile".
    n : int
        Values the interval is computed from.
    """

    low: float
    high: float
    estimate: float
    confidence_level: float
    method: str
    n: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields.

        Returns
        -------
        dict[str, object]
            low, high, estimate, confidence_level, method, n.
        """
        return {
            "low": float(self.low),
            "high": float(self.high),
            "estimate": float(self.estimate),
            "confidence_level": float(self.confidence_level),
            "method": self.method,
            "n": int(self.n),
        }


def _values(name: str, values: object) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ParameterError(f"{name} holds NaN or infinite values; pass complete windows only")
    return array


def _check_alternative(alternative: str) -> str:
    if alternative not in ("greater", "less", "two-sided"):
        raise ParameterError(f"alternative must be 'greater', 'less' or 'two-sided', got {alternative!r}")
    return alternative


OPPOSITE = {"greater": "less", "less": "greater"}
"""The other tail of a one-sided alternative."""


def overlap_maxlags(entry_pos: object, window_days: object) -> int:
    """Newey-West lag order from the overlap of event windows.

    Event i's window covers returns of days entry_i + 1 .. entry_i + window_i; a later event
    j shares some of them when entry_j < entry_i + window_i. The lag order is the largest
    number of later events starting inside one event's window: beyond that lag (in event
    order) two events' returns share no day, so their correlation under a
    no-serial-dependence null is zero and a Bartlett kernel truncated there (Newey & West
    1987, Econometrica 55(3)) covers every overlap. 0 when no windows overlap (then HAC
    reduces to White's heteroskedasticity-robust standard error).

    Parameters
    ----------
    entry_pos : object
        Integer entry positions of the events, sorted (events in date order).
    window_days : object
        Window length in trading days, one per event or one for all.

    Returns
    -------
    int
        The lag order (>= 0; 0 for fewer than two events).

    Raises
    ------
    ParameterError
        ``entry_pos`` not sorted.
    """
    entries = np.asarray(entry_pos, dtype=np.int64)
    windows = np.broadcast_to(np.asarray(window_days, dtype=np.int64), entries.shape)
    if len(entries) < 2:
        return 0
    if (np.diff(entries) < 0).any():
        raise ParameterError("entry_pos must be sorted (events in date order)")
    ends = entries + windows
    later_inside = np.searchsorted(entries, ends, side="left") - np.arange(len(entries)) - 1
    return int(max(0, later_inside.max()))


def hac_mean_test(
    values: object, maxlags: int, *, alternative: Alternative = "greater", null_value: float = 0.0
) -> TestResult:
    """t-test of mean(values) = null_value with Newey-West (HAC) standard errors.

    statsmodels ``OLS(values - null_value, constant).fit(cov_type="HAC",
    cov_kwds={"maxlags": maxlags}, use_t=True)``: Bartlett kernel and Student t with n - 1
    degrees of freedom. NO small-sample correction (statsmodels' default
    ``use_correction=False``: with no lags the SE is sd(ddof=0)/sqrt(n)). Lags count events in
    event order, which means little for irregularly spaced events: ``analyze_events`` uses the
    calendar-overlap test of ``backtest.stats.overlap`` instead; this one is kept as a
    reference. One-sided p from the same t statistic.

    Parameters
    ----------
    values : object
        One-dimensional per-event values (returns or excess returns as fractions), all finite.
    maxlags : int
        Newey-West lag order in events (>= 0), e.g. ``overlap_maxlags``.
    alternative : str, default "greater"
        "greater", "less" or "two-sided".
    null_value : float, default 0.0
        The mean under the null, in the unit of ``values``.

    Returns
    -------
    TestResult
        ``test`` "hac_t": the t statistic, its p-values, the mean as estimate and details
        maxlags, standard_error and df; NaN statistics for fewer than two values or constant
        values.

    Raises
    ------
    ParameterError
        Values not one-dimensional or not finite, an unknown alternative, or a negative maxlags.
    """
    y = _values("values", values)
    _check_alternative(alternative)
    check_scalar(maxlags, "maxlags", int, min_val=0)
    n = len(y)
    estimate = float(y.mean()) if n else np.nan
    if n < 2 or np.ptp(y) == 0.0:
        return TestResult(
            "hac_t", np.nan, np.nan, np.nan, alternative, n, null_value, estimate, (("maxlags", float(maxlags)),)
        )
    import scipy.stats  # imported here: scipy.stats and statsmodels cost ~1 s to import
    from statsmodels.regression.linear_model import OLS

    fit = OLS(y - null_value, np.ones((n, 1))).fit(cov_type="HAC", cov_kwds={"maxlags": int(maxlags)}, use_t=True)
    t_stat = float(fit.tvalues[0])
    df = float(fit.df_resid)
    p_two = float(fit.pvalues[0])
    tails = {"greater": float(scipy.stats.t.sf(t_stat, df)), "less": float(scipy.stats.t.cdf(t_stat, df))}
    p = tails.get(alternative, p_two)
    return TestResult(
        "hac_t",
        t_stat,
        p,
        p_two,
        alternative,
        n,
        null_value,
        estimate,
        (("maxlags", float(maxlags)), ("standard_error", float(fit.bse[0])), ("df", df)),
        tails[OPPOSITE[alternative]] if alternative in OPPOSITE else math.nan,
    )


def binomial_hit_test(values: object, hit_rate_null: float, *, alternative: Alternative = "greater") -> TestResult:
    """Exact binomial test (``scipy.stats.binomtest``) of the share of values > 0 against ``hit_rate_null``.

    Parameters
    ----------
    values : object
        One-dimensional per-event values (returns or excess returns), all finite.
    hit_rate_null : float
        The share of values > 0 under the null, in [0, 1] (e.g. the unconditional hit rate,
        or 0.5).
    alternative : str, default "greater"
        "greater", "less" or "two-sided".

    Returns
    -------
    TestResult
        ``test`` "binomial": the observed hit rate as statistic and estimate, detail hits;
        NaN without values.

    Raises
    ------
    ParameterError
        Values not one-dimensional or not finite, an unknown alternative, or ``hit_rate_null``
        outside [0, 1].
    """
    x = _values("values", values)
    _check_alternative(alternative)
    if not 0.0 <= hit_rate_null <= 1.0:
        raise ParameterError(f"hit_rate_null must lie in [0, 1], got {hit_rate_null!r}")
    n = len(x)
    hits = int(np.count_nonzero(x > 0.0))
    if n == 0:
        return TestResult("binomial", np.nan, np.nan, np.nan, alternative, 0, hit_rate_null, np.nan)
    import scipy.stats

    result = scipy.stats.binomtest(hits, n, hit_rate_null, alternative=alternative)
    two = scipy.stats.binomtest(hits, n, hit_rate_null, alternative="two-sided")
    opposite = (
        scipy.stats.binomtest(hits, n, hit_rate_null, alternative=OPPOSITE[alternative]).pvalue
        if alternative in OPPOSITE
        else math.nan
    )
    return TestResult(
        "binomial",
        hits / n,
        float(result.pvalue),
        float(two.pvalue),
        alternative,
        n,
        hit_rate_null,
        hits / n,
        (("hits", float(hits)),),
        float(opposite),
    )


def binomial_tail_pvalues(hits: float, n: float, hit_rate_null: float) -> tuple[float, float]:
    """(P(X >= hits), P(X <= hits)) for X ~ Binomial(n, hit_rate_null), continued to real
    ``hits`` and ``n`` through the regularised incomplete beta function (``scipy.special.betainc``):
    P(X >= k) = I_p(k, n - k + 1) and P(X <= k) = I_{1-p}(n - k, k + 1), the identities that
    hold for integers (Johnson, Kemp & Kotz, Univariate Discrete Distributions, 3rd ed.,
    eq. 3.34). With integer arguments they are scipy's ``binomtest`` one-sided p-values."""
    from scipy.special import betainc

    greater = float(betainc(hits, n - hits + 1.0, hit_rate_null)) if hits > 0.0 else 1.0
    less = float(betainc(n - hits, hits + 1.0, 1.0 - hit_rate_null)) if n - hits > 0.0 else 1.0
    return greater, less


def sign_effective_events(entry_pos: object, window_days: object) -> float:
    """Effective number of events for a test of their SIGNS.

    n^2 / sum_ij (2 / pi) arcsin(rho_ij), with rho_ij the windows' overlap correlation
    (``backtest.stats.overlap.overlap_correlation``). For jointly Gaussian window returns
    (2 / pi) arcsin(rho) is the correlation of their signs at the median (Sheppard's formula;
    Kendall & Stuart, The Advanced Theory of Statistics, vol. 2, sec. 26.9), and an upper
    bound of it at any other threshold, so this n_eff errs on the safe side while counting
    more than the returns' n_eff (``effective_events``), which treats signs as correlated as
    the returns themselves. n when no windows overlap, 0 without events.

    Parameters
    ----------
    entry_pos : object
        Integer entry positions of the events, in date order.
    window_days : object
        Window length in trading days, one per event or one for all.

    Returns
    -------
    float
        The effective number of events, between 1 and n (0.0 without events).
    """
    from backtest.stats.overlap import overlap_correlation

    rho = overlap_correlation(entry_pos, window_days)
    if not len(rho):
        return 0.0
    return float(len(rho) ** 2 / ((2.0 / math.pi) * np.arcsin(np.clip(rho, 0.0, 1.0))).sum())


def effective_binomial_test(
    values: object, hit_rate_null: float, n_effective: float, *, alternative: Alternative = "greater"
) -> TestResult:
    """Binomial test of the share of values > 0 against ``hit_rate_null`` on the effective number of events.

    The observed hit rate h is read as h * n_eff hits out of n_eff
    (``binomial_tail_pvalues``), so overlapping windows, whose outcomes move together, count
    for what they are worth instead of as independent trials (a plain binomial on n
    overlapping windows over-rejects: measured in ``tests/stats/test_classical.py``).
    n_effective: ``sign_effective_events`` of the events' windows (what ``analyze_events``
    passes), or the returns' ``backtest.stats.overlap.effective_events`` (smaller, so more
    conservative); n when no windows overlap, and then this is exactly the plain binomial
    test. Two-sided p: twice the smaller tail, capped at 1.

    Parameters
    ----------
    values : object
        One-dimensional per-event values (returns or excess returns), all finite.
    hit_rate_null : float
        The share of values > 0 under the null, in [0, 1].
    n_effective : float
        Effective number of events, in (0, n].
    alternative : str, default "greater"
        "greater", "less" or "two-sided".

    Returns
    -------
    TestResult
        ``test`` "binomial_effective_n": the observed hit rate as statistic and estimate,
        details hits, n_effective and effective_hits; NaN without values.

    Raises
    ------
    ParameterError
        Values not one-dimensional or not finite, an unknown alternative, ``hit_rate_null``
        outside [0, 1], or ``n_effective`` outside (0, n].
    """
    x = _values("values", values)
    _check_alternative(alternative)
    if not 0.0 <= hit_rate_null <= 1.0:
        raise ParameterError(f"hit_rate_null must lie in [0, 1], got {hit_rate_null!r}")
    n = len(x)
    if n == 0:
        return TestResult("binomial_effective_n", np.nan, np.nan, np.nan, alternative, 0, hit_rate_null, np.nan)
    n_eff = float(n_effective)
    if not 0.0 < n_eff <= n * (1.0 + 1e-9):
        raise ParameterError(f"n_effective must lie in (0, {n}] (the number of values), got {n_effective!r}")
    n_eff = min(n_eff, float(n))
    hits = int(np.count_nonzero(x > 0.0))
    rate = hits / n
    effective_hits = rate * n_eff
    greater, less = binomial_tail_pvalues(effective_hits, n_eff, hit_rate_null)
    tails = {"greater": greater, "less": less}
    two = min(1.0, 2.0 * min(greater, less))
    return TestResult(
        "binomial_effective_n",
        rate,
        tails.get(alternative, two),
        two,
        alternative,
        n,
        hit_rate_null,
        rate,
        (("hits", float(hits)), ("n_effective", n_eff), ("effective_hits", effective_hits)),
        tails[OPPOSITE[alternative]] if alternative in OPPOSITE else math.nan,
    )


def _wilcoxon(x: np.ndarray, alternative: str) -> tuple[float, float]:
    """(statistic, p-value) of ``scipy.stats.wilcoxon(x, alternative=alternative)``, computed
    without importing scipy.stats (``backtest.stats.distributions``) except for the small
    samples with ties that scipy tests by enumerating sign patterns."""
    from backtest.stats.distributions import wilcoxon_signed_rank

    found = wilcoxon_signed_rank(x, alternative)
    if found is not None:
        return found
    import scipy.stats

    result = scipy.stats.wilcoxon(x, alternative=alternative)
    return float(result.statistic), float(result.pvalue)


def wilcoxon_test(values: object, *, alternative: Alternative = "greater") -> TestResult:
    """Wilcoxon signed-rank test (``scipy.stats.wilcoxon``) that values are centred above 0.

    For excess returns: that events beat the unconditional mean more often and by more than
    they trail it. Zero differences are dropped (scipy's default "wilcox").

    Parameters
    ----------
    values : object
        One-dimensional per-event values (e.g. excess returns), all finite.
    alternative : str, default "greater"
        "greater", "less" or "two-sided".

    Returns
    -------
    TestResult
        ``test`` "wilcoxon": scipy's statistic, its p-values and the median as estimate;
        NaN statistics with fewer than two non-zero values.

    Raises
    ------
    ParameterError
        Values not one-dimensional or not finite, or an unknown alternative.
    """
    x = _values("values", values)
    _check_alternative(alternative)
    n = len(x)
    estimate = float(np.median(x)) if n else np.nan
    if np.count_nonzero(x) < 2:
        return TestResult("wilcoxon", np.nan, np.nan, np.nan, alternative, n, 0.0, estimate)
    result = _wilcoxon(x, alternative)
    two = _wilcoxon(x, "two-sided")
    opposite = _wilcoxon(x, OPPOSITE[alternative])[1] if alternative in OPPOSITE else math.nan
    return TestResult(
        "wilcoxon",
        result[0],
        result[1],
        two[1],
        alternative,
        n,
        0.0,
        estimate,
        (),
        opposite,
    )


def bootstrap_mean_ci(
    values: object, *, seed: int, confidence_level: float = 0.95, n_resamples: int = 9_999
) -> ConfidenceInterval:
    """Percentile bootstrap CI of the mean.

    ``scipy.stats.bootstrap``, method="percentile", ``rng=numpy.random.default_rng(seed)``.
    Resamples events independently, so with overlapping windows it is narrower than it
    should be; the HAC test accounts for overlap.

    Parameters
    ----------
    values : object
        One-dimensional per-event values, all finite.
    seed : int
        Seed of the resampling generator.
    confidence_level : float, default 0.95
        Coverage as a fraction, in (0, 1).
    n_resamples : int, default 9999
        Bootstrap resamples.

    Returns
    -------
    ConfidenceInterval
        Method "percentile" around the mean; NaN bounds for fewer than two distinct values.

    Raises
    ------
    ParameterError
        Values not one-dimensional or not finite, or ``confidence_level`` outside (0, 1).
    """
    x = _values("values", values)
    if not 0.0 < confidence_level < 1.0:
        raise ParameterError(f"confidence_level must lie in (0, 1), got {confidence_level!r}")
    n = len(x)
    estimate = float(x.mean()) if n else np.nan
    if n < 2 or np.ptp(x) == 0.0:
        return ConfidenceInterval(np.nan, np.nan, estimate, confidence_level, "percentile", n)
    import scipy.stats

    result = scipy.stats.bootstrap(
        (x,),
        np.mean,
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    interval = result.confidence_interval
    return ConfidenceInterval(float(interval.low), float(interval.high), estimate, confidence_level, "percentile", n)
