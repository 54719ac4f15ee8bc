"""The regime view of a moving-average rule: mean next-day return on days the fast average is
above the slow one against days it is not (Brock, Lakonishok & LeBaron 1992, J. Finance
47(5), "buy" and "sell" days), with a Newey-West standard error.

Inputs: closes and the two average lines (plain arrays, or pandas Series through
``series_regime_test``) and the detection window. Output: ``RegimeTest``.

Where the event study asks what followed the crosses, this asks what followed every day
spent in each regime: r_{t+1} = log(close_{t+1} / close_t) regressed on a constant and
D_t = 1{fast_t > slow_t} (the regime known at day t's close, so no look-ahead). The slope is
mean(r | above) - mean(r | not above), the buy-minus-sell difference of BLL's Table II. The
regime lasts months, so D_t is highly persistent, and the returns' own autocorrelation and
volatility clustering then make the products D_t * e_t serially correlated: the standard
error is Newey & West's (1987, Econometrica 55(3)) HAC with a Bartlett kernel through
statsmodels (``OLS(...).fit(cov_type="HAC")``). Lag rule, fixed in advance: the Newey & West
(1994, Rev. Economic Studies 61(4)) rule of thumb floor(4 (T / 100)^(2/9)) (11 lags for
T = 10,000 days); ``maxlags`` overrides it. t with T - 2 degrees of freedom.

Direction: a claim that the fast-above-slow regime is the good one ("gains" after a golden
cross, and equally "losses" after a death cross, i.e. below is the bad regime) predicts a
positive difference: ``alternative="greater"``. ``pvalue_opposite`` is the other tail.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.errors import ParameterError

ALTERNATIVES: tuple[str, ...] = ("greater", "less")


def newey_west_lags(n_obs: int) -> int:
    """The Newey & West (1994) rule-of-thumb lag order floor(4 (T / 100)^(2/9))."""
    return int(math.floor(4.0 * (max(int(n_obs), 1) / 100.0) ** (2.0 / 9.0)))


@dataclass(frozen=True)
class RegimeTest:
    """Buy-minus-sell difference of mean next-day log returns (module docstring).

    The property ``n`` is both regimes' days; statistics are NaN when a regime has fewer
    than two days.

    Parameters
    ----------
    statistic : float
        HAC t of the difference.
    pvalue : float
        One-sided in ``alternative`` ("greater": days with the fast average above the slow
        one are followed by higher returns).
    pvalue_opposite : float
        The other tail.
    pvalue_two_sided : float
        Two-sided p-value.
    alternative : str
        "greater" or "less".
    estimate : float
        mean_above - mean_below (per day, log returns).
    mean_above, mean_below : float
        Mean next-day log return on days with the fast average above the slow one, and on
        the other regime days.
    standard_error : float
        HAC standard error of the difference.
    standard_error_iid : float
        The plain OLS one (for comparison).
    n_above, n_below : int
        Regime days.
    maxlags : int
        The HAC lag order.
    df : float
        Degrees of freedom, n - 2.
    alpha : float
        One-sided significance level.
    first_pos, last_pos : int, default -1
        Positions of the first and last regime day (-1 without regime days).
    start, end : str or None, default None
        Their dates (ISO, from ``series_regime_test``; None from plain arrays).
    """

    __test__ = False

    statistic: float
    pvalue: float
    pvalue_opposite: float
    pvalue_two_sided: float
    alternative: str
    estimate: float
    mean_above: float
    mean_below: float
    standard_error: float
    standard_error_iid: float
    n_above: int
    n_below: int
    maxlags: int
    df: float
    alpha: float
    first_pos: int = -1
    last_pos: int = -1
    start: str | None = None
    end: str | None = None

    @property
    def n(self) -> int:
        return self.n_above + self.n_below

    def points_other_way(self, alpha: float | None = None) -> bool:
        """True when the opposite-tail p is below ``alpha`` (default: the test's)."""
        level = self.alpha if alpha is None else float(alpha)
        return bool(math.isfinite(self.pvalue_opposite) and self.pvalue_opposite < level)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields.

        Returns
        -------
        dict[str, object]
            "test" ("regime_difference_hac"), the fields but the positions, ``n`` and the
            ``lag_rule`` text.
        """
        return {
            "test": "regime_difference_hac",
            "statistic": float(self.statistic),
            "pvalue": float(self.pvalue),
            "pvalue_opposite": float(self.pvalue_opposite),
            "pvalue_two_sided": float(self.pvalue_two_sided),
            "alternative": self.alternative,
            "estimate": float(self.estimate),
            "mean_above": float(self.mean_above),
            "mean_below": float(self.mean_below),
            "standard_error": float(self.standard_error),
            "standard_error_iid": float(self.standard_error_iid),
            "n": int(self.n),
            "n_above": int(self.n_above),
            "n_below": int(self.n_below),
            "maxlags": int(self.maxlags),
            "lag_rule": "Newey-West (1994): floor(4 (T/100)^(2/9))",
            "df": float(self.df),
            "alpha": float(self.alpha),
            "start": self.start,
            "end": self.end,
        }

    def summary(self) -> str:
        """A plain-text table (daily log returns in percent).

        Returns
        -------
        str
            Days and mean return per regime, the difference with its HAC and iid standard
            errors, t and the three p-values.
        """
        window = f" {self.start} to {self.end}" if self.start else ""
        return "\n".join(
            [
                f"Regime test (Brock, Lakonishok & LeBaron 1992): next-day log return, fast above slow vs not{window}",
                f"{'regime':>12} {'days':>6} {'mean %/day':>11}",
                f"{'above':>12} {self.n_above:>6} {100 * self.mean_above:>11.4f}",
                f"{'not above':>12} {self.n_below:>6} {100 * self.mean_below:>11.4f}",
                f"difference {100 * self.estimate:+.4f} %/day, HAC SE {100 * self.standard_error:.4f} "
                f"({self.maxlags} lags; iid SE {100 * self.standard_error_iid:.4f}), t = {self.statistic:.2f}",
                f"p ({self.alternative}) = {self.pvalue:.4f}; opposite tail p = {self.pvalue_opposite:.4f}; "
                f"two-sided p = {self.pvalue_two_sided:.4f}",
            ]
        )


def regime_test(
    close: object,
    fast_line: object,
    slow_line: object,
    first: int,
    last: int,
    *,
    alternative: str = "greater",
    alpha: float = 0.05,
    maxlags: int | None = None,
) -> RegimeTest:
    """Buy-minus-sell regime test on plain arrays (module docstring).

    Parameters
    ----------
    close : object
        One-dimensional positive, finite prices.
    fast_line, slow_line : object
        Float arrays of the same length as ``close`` (the lines NaN until they are defined).
    first, last : int
        Positions of the detection window's first and last day (inclusive; 0 <= first <=
        last < len(close)); day t in it is a regime day when both lines are defined on it
        and t + 1 exists.
    alternative : str, default "greater"
        "greater" or "less".
    alpha : float, default 0.05
        One-sided significance level, in (0, 0.5).
    maxlags : int or None, default None
        HAC lag order (>= 0; None: ``newey_west_lags`` of the number of regime days).

    Returns
    -------
    RegimeTest
        The difference, its HAC t and p-values (no dates: ``start`` and ``end`` None).

    Raises
    ------
    ParameterError
        Arrays of other shapes, an unknown alternative, ``alpha``, ``first``, ``last`` or
        ``maxlags`` out of range, or prices that are not positive and finite.
    """
    closes = np.asarray(close, dtype=float)
    fast = np.asarray(fast_line, dtype=float)
    slow = np.asarray(slow_line, dtype=float)
    if closes.ndim != 1 or fast.shape != closes.shape or slow.shape != closes.shape:
        raise ParameterError(
            f"close, fast_line and slow_line must be 1-d arrays of one length, got shapes "
            f"{closes.shape}, {fast.shape}, {slow.shape}"
        )
    if alternative not in ALTERNATIVES:
        raise ParameterError(f"alternative must be 'greater' or 'less', got {alternative!r}")
    alpha = check_scalar(alpha, "alpha", float, min_val=0.0, max_val=0.5, include_boundaries="neither")
    first = check_scalar(first, "first", int, min_val=0)
    last = check_scalar(last, "last", int, min_val=first, max_val=len(closes) - 1)
    if maxlags is not None:
        maxlags = check_scalar(maxlags, "maxlags", int, min_val=0)
    if not (np.isfinite(closes).all() and (closes > 0).all()):
        raise ParameterError("close must hold positive finite prices")
    days = np.arange(first, min(last, len(closes) - 2) + 1)
    days = days[np.isfinite(fast[days]) & np.isfinite(slow[days])]
    above = fast[days] > slow[days]
    returns = np.log(closes[days + 1] / closes[days])
    n_above, n_below = int(above.sum()), int((~above).sum())
    lags = newey_west_lags(len(days)) if maxlags is None else int(maxlags)
    span = (int(days[0]), int(days[-1])) if len(days) else (-1, -1)
    nan = math.nan
    if n_above < 2 or n_below < 2:
        mean_above = float(returns[above].mean()) if n_above else nan
        mean_below = float(returns[~above].mean()) if n_below else nan
        return RegimeTest(
            nan, nan, nan, nan, alternative, mean_above - mean_below, mean_above, mean_below, nan, nan,
            n_above, n_below, lags, nan, float(alpha), span[0], span[1],
        )  # fmt: skip
    import scipy.stats  # imported here: scipy.stats and statsmodels cost ~1 s to import
    from statsmodels.regression.linear_model import OLS

    design = np.column_stack([np.ones(len(days)), above.astype(float)])
    model = OLS(returns, design)
    fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True)
    iid = model.fit()
    t_stat = float(fit.tvalues[1])
    df = float(fit.df_resid)
    tails = {"greater": float(scipy.stats.t.sf(t_stat, df)), "less": float(scipy.stats.t.cdf(t_stat, df))}
    other = "less" if alternative == "greater" else "greater"
    return RegimeTest(
        statistic=t_stat,
        pvalue=tails[alternative],
        pvalue_opposite=tails[other],
        pvalue_two_sided=float(fit.pvalues[1]),
        alternative=alternative,
        estimate=float(fit.params[1]),
        mean_above=float(returns[above].mean()),
        mean_below=float(returns[~above].mean()),
        standard_error=float(fit.bse[1]),
        standard_error_iid=float(iid.bse[1]),
        n_above=n_above,
        n_below=n_below,
        maxlags=lags,
        df=df,
        alpha=float(alpha),
        first_pos=span[0],
        last_pos=span[1],
    )


def series_regime_test(
    close: pd.Series,
    fast_line: pd.Series,
    slow_line: pd.Series,
    *,
    start: object = None,
    end: object = None,
    alternative: str = "greater",
    alpha: float = 0.05,
    maxlags: int | None = None,
) -> RegimeTest:
    """``regime_test`` on pandas Series sharing ``close``'s DatetimeIndex.

    Parameters
    ----------
    close : pd.Series
        Positive closes on a DatetimeIndex.
    fast_line, slow_line : pd.Series
        The two averages on ``close``'s index (NaN until defined).
    start, end : object
        Regime days are those dated in [start, end] (anything ``pd.Timestamp`` reads; None:
        from the first / to the last close).
    alternative : str, default "greater"
        "greater" or "less".
    alpha : float, default 0.05
        One-sided significance level, in (0, 0.5).
    maxlags : int or None, default None
        HAC lag order (None: ``newey_west_lags`` of the number of regime days).

    Returns
    -------
    RegimeTest
        As ``regime_test``, with ``start`` and ``end`` the ISO dates of the first and last
        regime day.

    Raises
    ------
    ParameterError
        A line not on ``close``'s index, a window holding no close, or as ``regime_test``.
    """
    for name, line in (("fast_line", fast_line), ("slow_line", slow_line)):
        if not isinstance(line, pd.Series) or not line.index.equals(close.index):
            raise ParameterError(f"{name} must be a Series on close's index")
    index = close.index
    first = 0 if start is None else int(index.searchsorted(pd.Timestamp(start), side="left"))
    last = len(index) - 1 if end is None else int(index.searchsorted(pd.Timestamp(end), side="right")) - 1
    if first > last or first >= len(index):
        raise ParameterError(f"the detection window {start} .. {end} holds no close of the series")
    result = regime_test(
        close.to_numpy(dtype=float),
        fast_line.to_numpy(dtype=float),
        slow_line.to_numpy(dtype=float),
        first,
        last,
        alternative=alternative,
        alpha=alpha,
        maxlags=maxlags,
    )
    if result.first_pos < 0:
        return result
    return dataclasses.replace(
        result,
        start=index[result.first_pos].date().isoformat(),
        end=index[result.last_pos].date().isoformat(),
    )
