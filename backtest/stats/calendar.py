"""The year-level paired test of a calendar claim (one date a year, e.g. "Sell in May"):
each year's event window against the rest of the same year (after Bouman & Jacobsen 2002,
"The Halloween indicator", American Economic Review 92(5)).

Inputs: closes, the events' entry positions (one a year, in date order) and the window's
length in trading days (plain arrays, or pandas through ``series_year_paired_test`` /
``study_year_paired_test``). Output: ``YearPairedTest``; ``is_one_date_a_year`` says whether
an event set is of this kind, so the composition layer can make this test the primary one.

Unit of observation: the year. Year y's cycle runs from its event's entry close e_y to the
next year's entry close e_{y+1}; its days are the window, e_y + 1 .. e_y + h, and the rest,
e_y + h + 1 .. e_{y+1}, so the cycles partition the days between the first and the last
event. With r_t the daily log return,

    d_y = h * (mean of r_t over the window - mean of r_t over the rest of the cycle),

the window's excess over the rest of its own year, in log-return units of the window (h
trading days; calendar-month windows use each year's own h). A year's seasons are
compared with each other, so a market-wide trend or a volatile decade moves both sides
alike. The test is a one-sample t-test of the d_y across years (n_years - 1 degrees of
freedom; scipy's ``ttest_1samp``), one-sided in the claim's direction, with the
opposite-tail p, and a sign test beside it (the share of years with d_y > 0 against one
half, ``binomtest``). The effective number of observations is the number of years: the
cycles share no day, and the daily returns of different years are nearly uncorrelated.

The last event's cycle is incomplete (no next event yet): it is DROPPED, even when its window
is complete, because its rest would be a part of the year only (after a May event with data
to February, November to February), a different season from the full rest of the other
years. A year whose window reaches its next event (h longer than the cycle) is dropped too;
both are listed in ``dropped``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.errors import ParameterError

if TYPE_CHECKING:
    from backtest.events import EventStudy

ONE_DATE_A_YEAR_GAP_DAYS: tuple[int, int] = (300, 430)
"""Calendar days allowed between consecutive events of a one-date-a-year set (a fixed date
moved to the next trading day, or a rule like "the third Friday of May", stays inside)."""


def is_one_date_a_year(dates: Sequence[object], *, gap_days: tuple[int, int] = ONE_DATE_A_YEAR_GAP_DAYS) -> bool:
    """True when ``dates`` fall once a year.

    At least two dates, at most one per calendar year, and consecutive dates between
    ``gap_days`` calendar days apart (inclusive).

    Parameters
    ----------
    dates : Sequence[object]
        Dates, anything ``pd.Timestamp`` reads, in any order.
    gap_days : tuple[int, int], default ONE_DATE_A_YEAR_GAP_DAYS
        (low, high) calendar days allowed between consecutive dates, (300, 430) by default.

    Returns
    -------
    bool
        Whether the dates form a one-date-a-year set.
    """
    stamps = pd.DatetimeIndex([pd.Timestamp(d) for d in dates]).sort_values()
    if len(stamps) < 2:
        return False
    if len(set(stamps.year)) != len(stamps):
        return False
    gaps = np.diff(stamps.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    low, high = gap_days
    return bool(((gaps >= low) & (gaps <= high)).all())


@dataclass(frozen=True, eq=False)
class YearPairedTest:
    """The year-level paired test (module docstring).

    Parameters
    ----------
    statistic : float
        t of the mean d_y.
    pvalue : float
        One-sided in ``alternative`` ("greater": the window beats the rest of its year, a
        gains claim; "less": a losses claim).
    pvalue_opposite : float
        The other tail.
    pvalue_two_sided : float
        Two-sided p-value.
    alternative : str
        "greater" or "less".
    estimate : float
        Mean d_y (log-return units of the window).
    standard_error : float
        sd(d_y) / sqrt(n).
    n : int
        Years used (the effective n).
    df : float
        n - 1 (NaN for fewer than two years).
    sign_positive : int
        Years with d_y > 0.
    sign_pvalue, sign_pvalue_opposite : float
        The sign test in the claim's tail and in the other.
    alpha : float
        One-sided significance level.
    years : tuple[str, ...]
        The entry date of each year used (ISO, or the entry positions as strings from plain
        arrays).
    differences : tuple[float, ...]
        d_y per year.
    window_returns : tuple[float, ...]
        h times the window's mean daily log return, i.e. its log return, per year.
    rest_means : tuple[float, ...]
        Mean daily log return of the rest, per year.
    window_days, rest_days : tuple[int, ...]
        Trading days of the window and of the rest, per year.
    dropped : tuple[tuple[str, str], ...], default ()
        (year, reason) of the cycles left out.
    """

    __test__ = False

    statistic: float
    pvalue: float
    pvalue_opposite: float
    pvalue_two_sided: float
    alternative: str
    estimate: float
    standard_error: float
    n: int
    df: float
    sign_positive: int
    sign_pvalue: float
    sign_pvalue_opposite: float
    alpha: float
    years: tuple[str, ...]
    differences: tuple[float, ...]
    window_returns: tuple[float, ...]
    rest_means: tuple[float, ...]
    window_days: tuple[int, ...]
    rest_days: tuple[int, ...]
    dropped: tuple[tuple[str, str], ...] = ()

    @property
    def n_effective(self) -> int:
        """The number of years: the test's unit of observation."""
        return self.n

    def points_other_way(self, alpha: float | None = None) -> bool:
        """True when the opposite-tail p of the t-test is below ``alpha`` (default: the test's)."""
        level = self.alpha if alpha is None else float(alpha)
        return bool(math.isfinite(self.pvalue_opposite) and self.pvalue_opposite < level)

    def to_frame(self) -> pd.DataFrame:
        """One row per year used.

        Returns
        -------
        pd.DataFrame
            Columns year (entry date), window_days, rest_days, window_return,
            rest_mean_daily, difference.
        """
        return pd.DataFrame(
            {
                "year": list(self.years),
                "window_days": list(self.window_days),
                "rest_days": list(self.rest_days),
                "window_return": list(self.window_returns),
                "rest_mean_daily": list(self.rest_means),
                "difference": list(self.differences),
            }
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields.

        Returns
        -------
        dict[str, object]
            "test" ("year_paired_t"), the t-test's numbers, the sign test, one dict per year
            used and the dropped cycles with their reasons.
        """
        return {
            "test": "year_paired_t",
            "statistic": float(self.statistic),
            "pvalue": float(self.pvalue),
            "pvalue_opposite": float(self.pvalue_opposite),
            "pvalue_two_sided": float(self.pvalue_two_sided),
            "alternative": self.alternative,
            "estimate": float(self.estimate),
            "standard_error": float(self.standard_error),
            "n": int(self.n),
            "n_effective": int(self.n),
            "df": float(self.df),
            "alpha": float(self.alpha),
            "sign_test": {
                "positive": int(self.sign_positive),
                "n": int(np.count_nonzero(np.asarray(self.differences) != 0.0)),
                "pvalue": float(self.sign_pvalue),
                "pvalue_opposite": float(self.sign_pvalue_opposite),
            },
            "last_cycle": "dropped: an incomplete cycle's rest is only part of the year",
            "years": [
                {
                    "year": y,
                    "window_days": int(w),
                    "rest_days": int(r),
                    "window_return": float(wr),
                    "rest_return": float(rm * w),
                    "difference": float(d),
                }
                for y, w, r, wr, rm, d in zip(
                    self.years, self.window_days, self.rest_days, self.window_returns, self.rest_means, self.differences
                )
            ],
            "dropped": [{"year": y, "reason": why} for y, why in self.dropped],
        }

    def summary(self) -> str:
        """A plain-text table: the test and one line per year.

        Returns
        -------
        str
            The t-test and sign test, one line per year used, then the dropped cycles.
        """
        lines = [
            "Year-level paired test (Bouman & Jacobsen 2002): window minus the rest of its year, "
            f"{self.n} years (the effective n)",
            f"mean difference {self.estimate:+.4f} (log return over the window), SE {self.standard_error:.4f}, "
            f"t = {self.statistic:.2f} ({self.df:g} df)",
            f"p ({self.alternative}) = {self.pvalue:.4f}; opposite tail p = {self.pvalue_opposite:.4f}; "
            f"sign test: {self.sign_positive} of {self.n} years positive, p = {self.sign_pvalue:.4f} "
            f"(opposite {self.sign_pvalue_opposite:.4f})",
            f"{'year':>10} {'days':>5} {'rest':>5} {'window':>8} {'rest x h':>9} {'diff':>8}",
        ]
        for y, w, r, wr, rm, d in zip(
            self.years, self.window_days, self.rest_days, self.window_returns, self.rest_means, self.differences
        ):
            lines.append(f"{y:>10} {w:>5} {r:>5} {wr:>+8.4f} {rm * w:>+9.4f} {d:>+8.4f}")
        lines += [f"dropped {y}: {why}" for y, why in self.dropped]
        return "\n".join(lines)


def paired_t(differences: object) -> tuple[float, float, float, float]:
    """(t, p greater, p less, standard error) of the one-sample t-test of ``differences``
    against 0 with n - 1 degrees of freedom; NaNs when fewer than two values or no spread.
    The test of ``year_paired_test``, also run on subsets of its years (leaving one out)."""
    values = np.asarray(differences, dtype=float)
    n = len(values)
    if n < 2 or not np.ptp(values) > 0.0:
        return math.nan, math.nan, math.nan, math.nan
    from backtest.stats.distributions import t_cdf, t_sf

    se = float(values.std(ddof=1) / math.sqrt(n))
    statistic = float(values.mean() / se)
    return statistic, float(t_sf(statistic, n - 1)), float(t_cdf(statistic, n - 1)), se


def year_paired_test(
    close: object,
    entry_pos: object,
    window_days: object,
    *,
    alternative: str = "greater",
    alpha: float = 0.05,
    labels: Sequence[str] | None = None,
) -> YearPairedTest:
    """The year-level paired test on plain arrays (module docstring).

    Parameters
    ----------
    close : object
        One-dimensional positive, finite prices.
    entry_pos : object
        The events' entry positions in it, increasing (one event a year); at least one.
    window_days : object
        The window's length in trading days (>= 1), one number or one per event.
    alternative : str, default "greater"
        "greater" or "less".
    alpha : float, default 0.05
        One-sided significance level, in (0, 0.5).
    labels : Sequence[str] or None, default None
        A name per event for the tables (default: the positions).

    Returns
    -------
    YearPairedTest
        The t-test and sign test of the years whose window ends before the next event.

    Raises
    ------
    ParameterError
        Prices not positive and finite, positions empty, not increasing or outside
        ``close``, a window below 1 day, an unknown alternative, ``alpha`` out of range, or
        not one label per event.
    """
    closes = np.asarray(close, dtype=float)
    entries = np.asarray(entry_pos, dtype=np.int64)
    if closes.ndim != 1 or not (np.isfinite(closes).all() and (closes > 0).all()):
        raise ParameterError("close must be a one-dimensional array of positive finite prices")
    if entries.ndim != 1 or len(entries) == 0:
        raise ParameterError("entry_pos must be a non-empty one-dimensional array of positions")
    if (np.diff(entries) <= 0).any() or entries[0] < 0 or entries[-1] >= len(closes):
        raise ParameterError(f"entry_pos must be increasing positions of close (0 .. {len(closes) - 1})")
    windows = np.broadcast_to(np.asarray(window_days, dtype=np.int64), entries.shape)
    if (windows < 1).any():
        raise ParameterError(f"window_days must be positive, got {window_days!r}")
    if alternative not in ("greater", "less"):
        raise ParameterError(f"alternative must be 'greater' or 'less', got {alternative!r}")
    alpha = check_scalar(alpha, "alpha", float, min_val=0.0, max_val=0.5, include_boundaries="neither")
    names = [str(p) for p in entries] if labels is None else [str(v) for v in labels]
    if len(names) != len(entries):
        raise ParameterError(f"labels must name each of the {len(entries)} events, got {len(names)}")

    log_close = np.log(closes)
    kept: list[int] = []
    dropped: list[tuple[str, str]] = []
    for i, (entry, h) in enumerate(zip(entries, windows)):
        if i == len(entries) - 1:
            dropped.append((names[i], "last cycle: no next event, so its rest is only part of the year"))
        elif entry + h >= entries[i + 1]:
            dropped.append((names[i], f"the {int(h)}-day window reaches the next event"))
        else:
            kept.append(i)
    idx = np.asarray(kept, dtype=np.int64)
    start, h, nxt = entries[idx], windows[idx], entries[idx + 1]
    window_returns = log_close[start + h] - log_close[start]
    rest_days = nxt - start - h
    rest_means = (log_close[nxt] - log_close[start + h]) / rest_days
    differences = window_returns - h * rest_means
    n = len(differences)
    nan = math.nan
    estimate = float(differences.mean()) if n else nan
    statistic, p_greater, p_less, se = paired_t(differences)
    p_two = float(min(1.0, 2.0 * min(p_greater, p_less))) if math.isfinite(statistic) else nan
    sign_greater = sign_less = nan
    positive = int(np.count_nonzero(differences > 0.0))
    if math.isfinite(statistic):
        from backtest.stats.distributions import binomial_test_pvalue

        nonzero = int(np.count_nonzero(differences != 0.0))
        sign_greater = binomial_test_pvalue(positive, nonzero, 0.5, "greater")
        sign_less = binomial_test_pvalue(positive, nonzero, 0.5, "less")
    claim_tail = alternative == "greater"
    return YearPairedTest(
        statistic=statistic,
        pvalue=p_greater if claim_tail else p_less,
        pvalue_opposite=p_less if claim_tail else p_greater,
        pvalue_two_sided=p_two,
        alternative=alternative,
        estimate=estimate,
        standard_error=se,
        n=n,
        df=float(n - 1) if n >= 2 else nan,
        sign_positive=positive,
        sign_pvalue=sign_greater if claim_tail else sign_less,
        sign_pvalue_opposite=sign_less if claim_tail else sign_greater,
        alpha=float(alpha),
        years=tuple(names[i] for i in kept),
        differences=tuple(float(v) for v in differences),
        window_returns=tuple(float(v) for v in window_returns),
        rest_means=tuple(float(v) for v in rest_means),
        window_days=tuple(int(v) for v in h),
        rest_days=tuple(int(v) for v in rest_days),
        dropped=tuple(dropped),
    )


def series_year_paired_test(
    close: pd.Series,
    dates: Sequence[object],
    window_days: int,
    *,
    alternative: str = "greater",
    alpha: float = 0.05,
) -> YearPairedTest:
    """``year_paired_test`` on a close Series and event dates.

    A date that is not a trading day maps to the next one (as ``DateList`` does), dates
    outside the data are dropped, and the entry is the event day's close.

    Parameters
    ----------
    close : pd.Series
        Positive closes on a DatetimeIndex.
    dates : Sequence[object]
        Event dates, one a year, anything ``pd.Timestamp`` reads.
    window_days : int
        The window's length in trading days (>= 1).
    alternative : str, default "greater"
        "greater" or "less".
    alpha : float, default 0.05
        One-sided significance level, in (0, 0.5).

    Returns
    -------
    YearPairedTest
        As ``year_paired_test``, years labelled by their ISO entry dates.

    Raises
    ------
    ParameterError
        ``close`` not a Series on a DatetimeIndex, a bad ``window_days``, no date inside the
        data, or as ``year_paired_test``.
    """
    if not isinstance(close, pd.Series) or not isinstance(close.index, pd.DatetimeIndex):
        raise ParameterError("close must be a pandas Series with a DatetimeIndex")
    window_days = check_scalar(window_days, "window_days", int, min_val=1)
    wanted = pd.DatetimeIndex(sorted(pd.Timestamp(d).normalize() for d in dates))
    positions = close.index.searchsorted(wanted, side="left")
    inside = (wanted >= close.index[0]) & (positions < len(close))
    positions = np.unique(positions[inside])
    if len(positions) == 0:
        raise ParameterError("no event date falls inside the close series")
    labels = [close.index[p].date().isoformat() for p in positions]
    return year_paired_test(
        close.to_numpy(dtype=float), positions, window_days, alternative=alternative, alpha=alpha, labels=labels
    )


def study_year_paired_test(
    study: EventStudy, label: str, *, alternative: str = "greater", alpha: float = 0.05
) -> YearPairedTest:
    """``year_paired_test`` of an ``EventStudy``'s events (their entry closes) over horizon ``label``'s window.

    Calendar-month horizons: each year's own number of trading days.

    Parameters
    ----------
    study : EventStudy
        The events, one a year.
    label : str
        The horizon's label.
    alternative : str, default "greater"
        "greater" or "less".
    alpha : float, default 0.05
        One-sided significance level, in (0, 0.5).

    Returns
    -------
    YearPairedTest
        As ``year_paired_test``, years labelled by their ISO entry dates.

    Raises
    ------
    ParameterError
        A study without events, an unknown horizon, or as ``year_paired_test``.
    """
    from backtest.stats.baseline import window_days

    entries = study.table["entry_pos"].to_numpy(dtype=np.int64)
    if len(entries) == 0:
        raise ParameterError("the study has no event")
    windows = window_days(study, label, entries)
    index = study.close.index
    labels = [index[p].date().isoformat() for p in entries]
    return year_paired_test(
        study.close.to_numpy(dtype=float), entries, windows, alternative=alternative, alpha=alpha, labels=labels
    )
