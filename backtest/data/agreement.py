"""How well two series of the same quantity agree where they overlap: ``SpliceStats``.

Computed by ``backtest.data.splice.splice_stats`` and carried by the spliced ``MarketSeries``;
kept apart from the splicer so that the series container can name it without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["STAT_COLUMNS", "SpliceStats"]

STAT_COLUMNS = [
    "period",
    "first_date",
    "last_date",
    "n_days",
    "median_abs_ret_diff",
    "max_abs_ret_diff",
    "max_abs_ret_diff_date",
    "ret_corr",
    "ratio_drift",
]


@dataclass(frozen=True, eq=False)
class SpliceStats:
    """Agreement of two series on their overlap (the dates on which both have a close).

    Daily simple returns are taken on the common dates, so both returns of a pair span the
    same interval. ``ret_diff`` = newer return - older return. ``ratio_drift`` = change of the
    level ratio newer/older from the first to the last common date (0 when the two move in
    lockstep); ``max_abs_ratio_deviation`` = largest |ratio / k - 1| on the overlap.
    ``older_only_days`` / ``newer_only_days`` count dates inside the overlap span that only
    one series has (FRED carries values over some market closures, e.g. 2001-09-11..14).
    ``by_year`` has one row per calendar year with the columns of ``to_frame``.
    """

    older: str
    newer: str
    switch_date: pd.Timestamp
    scale_factor: float
    overlap_first: pd.Timestamp
    overlap_last: pd.Timestamp
    n_common_days: int
    older_only_days: int
    newer_only_days: int
    median_abs_ret_diff: float
    max_abs_ret_diff: float
    max_abs_ret_diff_date: pd.Timestamp | None
    ret_corr: float
    ratio_drift: float
    max_abs_ratio_deviation: float
    by_year: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Per calendar year, then one ``period == "overall"`` row: a tidy agreement table."""
        overall = pd.DataFrame(
            [
                {
                    "period": "overall",
                    "first_date": self.overlap_first,
                    "last_date": self.overlap_last,
                    "n_days": self.n_common_days,
                    "median_abs_ret_diff": self.median_abs_ret_diff,
                    "max_abs_ret_diff": self.max_abs_ret_diff,
                    "max_abs_ret_diff_date": self.max_abs_ret_diff_date,
                    "ret_corr": self.ret_corr,
                    "ratio_drift": self.ratio_drift,
                }
            ],
            columns=STAT_COLUMNS,
        )
        return pd.concat([self.by_year, overall], ignore_index=True)

    def worst_year(self, column: str = "median_abs_ret_diff") -> pd.Series:
        """The per-year row with the largest value of ``column``."""
        return self.by_year.loc[self.by_year[column].idxmax()]

    def summary(self) -> str:
        table = self.to_frame()
        for column in ("first_date", "last_date", "max_abs_ret_diff_date"):
            table[column] = pd.to_datetime(table[column]).dt.strftime("%Y-%m-%d")
        formats = {
            "median_abs_ret_diff": "{:.2e}".format,
            "max_abs_ret_diff": "{:.2e}".format,
            "ret_corr": "{:.6f}".format,
            "ratio_drift": "{:+.3%}".format,
        }
        return "\n".join(
            [
                f"Splice {self.older} -> {self.newer} on {self.switch_date.date()}: "
                f"older levels x {self.scale_factor:.6g}",
                f"  overlap {self.overlap_first.date()} to {self.overlap_last.date()}: {self.n_common_days:,} common "
                f"days ({self.older_only_days} only in {self.older}, {self.newer_only_days} only in {self.newer})",
                f"  daily returns: median |diff| {self.median_abs_ret_diff:.2e}, max |diff| {self.max_abs_ret_diff:.2e}"
                f"{f' on {self.max_abs_ret_diff_date.date()}' if self.max_abs_ret_diff_date is not None else ''}, "
                f"correlation {self.ret_corr:.6f}",
                f"  level ratio {self.newer}/{self.older}: drift {self.ratio_drift:+.3%} over the overlap, "
                f"max deviation from the switch ratio {self.max_abs_ratio_deviation:.3%}",
                "",
                table.to_string(index=False, formatters=formats),
            ]
        )
