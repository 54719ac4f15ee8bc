"""Robustness of a verdict: the primary test re-run on specifications fixed in advance,
reported as a specification curve, and the rule that calls a supported claim fragile.

Inputs: a ``PrimaryTest`` (the claim's primary test on its sample days, able to re-run on
any subset of them) and, from the composition layer, results of the same test on other
specifications (neighbouring parameters, horizons, peer series). Output:
``RobustnessPanel``: one ``SpecificationResult`` per specification, the leave-one-year-out
extreme, the shares that agree in sign and reach alpha, and ``fragility``.

Specifications by mask (``mask_specifications``) are the ones a reader asks for first and
need no new data: every calendar year of the sample left out in turn, and the sample's
halves and thirds. Leaving out a year removes its days from the sample entirely: its events,
its days from the all-days baseline and from the null (for the circular shift, the
remaining days are joined end to end). The specification curve is Simonsohn, Simmons &
Nelson (2020, "Specification curve analysis", Nature Human Behaviour 4): every reasonable
specification's estimate, sorted, with the share that agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from backtest.errors import ParameterError
from backtest.events import EventStudy
from backtest.stats.baseline import eligible_days
from backtest.stats.calendar import YearPairedTest, paired_t, study_year_paired_test
from backtest.stats.joint import joint_shift_test
from backtest.stats.verdict import DEFAULT_ALPHA, MIN_EVENTS

CLAIM = "claim"
LEAVE_ONE_YEAR_OUT = "leave-one-year-out"
SUB_PERIOD = "sub-period"
PARAMETER = "parameter"
HORIZON = "horizon"
PEER = "peer"
FAMILIES: tuple[str, ...] = (CLAIM, LEAVE_ONE_YEAR_OUT, SUB_PERIOD, PARAMETER, HORIZON, PEER)
"""Kinds of specification, in the order a report lists them."""

SUB_PERIOD_SPLITS: tuple[int, ...] = (2, 3)
"""The sample cut into halves and thirds (by trading days)."""


@dataclass(frozen=True)
class SpecificationResult:
    """The primary test on one specification.

    family: one of ``FAMILIES``; label: what changed, in words ("without 2008", "fast 45");
    n_events: complete events at the judged horizon with the fewest (the test's n);
    excess: the events' mean return minus the all-days mean, averaged over the judged
    horizons (return units, not in the claim's orientation); statistic: the primary
    statistic in the claim's orientation (larger = more in the claimed direction); pvalue /
    pvalue_opposite: one-sided in the claimed / the other direction; NaN when not testable
    (fewer than ``MIN_EVENTS`` complete events).
    """

    family: str
    label: str
    n_events: int
    excess: float
    statistic: float
    pvalue: float
    pvalue_opposite: float

    @property
    def testable(self) -> bool:
        return self.n_events >= MIN_EVENTS and math.isfinite(self.pvalue)

    def agrees(self) -> bool:
        """The estimate points in the claimed direction."""
        return self.testable and self.statistic > 0.0

    def significant(self, alpha: float) -> bool:
        return self.testable and self.pvalue < alpha

    def to_dict(self) -> dict[str, object]:
        return {
            "family": self.family,
            "label": self.label,
            "n_events": int(self.n_events),
            "excess": float(self.excess),
            "statistic": float(self.statistic),
            "pvalue": float(self.pvalue),
            "pvalue_opposite": float(self.pvalue_opposite),
            "testable": self.testable,
        }


class PrimaryTest(Protocol):
    """A claim's primary test on its sample days, re-runnable on a subset of them.

    ``day_dates``: the dates of the sample days, in order (the rows a ``keep`` mask selects).
    ``evaluate(keep, family, label)``: the test on the days where ``keep`` is True (all days
    when None), as a ``SpecificationResult``."""

    @property
    def day_dates(self) -> pd.DatetimeIndex: ...

    def evaluate(
        self, keep: np.ndarray | None = None, *, family: str = CLAIM, label: str = "as claimed"
    ) -> SpecificationResult: ...


@dataclass(frozen=True, eq=False)
class ShiftPrimary:
    """The joint circular-shift test (``backtest.stats.joint``) as a ``PrimaryTest``.

    forward_returns: (days x judged horizons) forward returns of every sample day, NaN where
    the window is incomplete; event_rows: the events' rows in it; day_dates: the days'
    dates. On a subset of days the all-days mean and sd are those of the kept days, and the
    shifts run over the kept days joined end to end."""

    forward_returns: np.ndarray = field(repr=False)
    event_rows: np.ndarray = field(repr=False)
    dates: pd.DatetimeIndex = field(repr=False)
    horizons: tuple[str, ...]
    alternative: str = "greater"
    alpha: float = DEFAULT_ALPHA

    def __post_init__(self) -> None:
        fwd = np.asarray(self.forward_returns, dtype=float)
        if fwd.ndim != 2 or fwd.shape != (len(self.dates), len(self.horizons)):
            raise ParameterError(
                f"forward_returns must be {len(self.dates)} days x {len(self.horizons)} horizons, got {fwd.shape}"
            )

    @classmethod
    def from_study(
        cls, study: EventStudy, judged: Sequence[str], *, alternative: str = "greater", alpha: float = DEFAULT_ALPHA
    ) -> ShiftPrimary:
        """The joint test of ``study`` over the ``judged`` horizons: every sample day's
        forward returns (``eligible_days``), NaN where the window is incomplete, and the
        events' rows in them: the same numbers ``analyze_events``' primary test reads."""
        eligible = eligible_days(study)
        table = eligible.table
        forward = np.column_stack(
            [
                np.where(table[f"pending_{h}"].to_numpy(dtype=bool), np.nan, table[f"ret_{h}"].to_numpy(dtype=float))
                for h in judged
            ]
        )
        rows = study.table["event_pos"].to_numpy(dtype=np.int64) - eligible.first_pos
        dates = pd.DatetimeIndex(table["day_date"])
        return cls(forward, rows, dates, tuple(judged), alternative=alternative, alpha=alpha)

    @property
    def day_dates(self) -> pd.DatetimeIndex:
        return self.dates

    def evaluate(
        self, keep: np.ndarray | None = None, *, family: str = CLAIM, label: str = "as claimed"
    ) -> SpecificationResult:
        fwd = np.asarray(self.forward_returns, dtype=float)
        rows = np.asarray(self.event_rows, dtype=np.int64)
        if keep is not None:
            keep = np.asarray(keep, dtype=bool)
            new_row = np.cumsum(keep) - 1
            rows = new_row[rows[keep[rows]]]
            fwd = fwd[keep]
        complete = np.isfinite(fwd[rows]).sum(axis=0) if len(rows) else np.zeros(fwd.shape[1], dtype=np.int64)
        n_events = int(complete.min()) if complete.size else 0
        if n_events < MIN_EVENTS or len(fwd) < 2:
            return SpecificationResult(family, label, n_events, math.nan, math.nan, math.nan, math.nan)
        mean = np.nanmean(fwd, axis=0)
        sd = np.nanstd(fwd, axis=0, ddof=1)
        test = joint_shift_test(fwd, rows, mean, sd, self.horizons, alternative=self.alternative, alpha=self.alpha)
        return SpecificationResult(
            family=family,
            label=label,
            n_events=n_events,
            excess=float(np.mean(test.excess)),
            statistic=float(test.statistic),
            pvalue=float(test.pvalue),
            pvalue_opposite=float(np.count_nonzero(test.null <= test.statistic) / len(test.null)),
        )


@dataclass(frozen=True, eq=False)
class YearPairedPrimary:
    """The year-level paired test of a calendar claim (``backtest.stats.calendar``) as a
    ``PrimaryTest``: a subset of days keeps the years whose event's entry falls on a kept
    day, and the t-test runs on their window-minus-rest differences (a year's difference
    needs the next year's event, so the test is not re-run on a shorter history: leaving a
    year out removes that year's pair, not the cycle around it). ``n_events`` counts years.

    test: the paired test on the whole sample; dates: the sample days (the mask's rows)."""

    test: YearPairedTest
    dates: pd.DatetimeIndex = field(repr=False)

    @classmethod
    def from_study(
        cls, study: EventStudy, judged: Sequence[str], *, alternative: str = "greater", alpha: float = DEFAULT_ALPHA
    ) -> YearPairedPrimary:
        """The year-level paired test of ``study``'s events at the first judged horizon, over
        the study's sample days (``eligible_days``)."""
        dates = pd.DatetimeIndex(eligible_days(study).table["day_date"])
        test = study_year_paired_test(study, judged[0], alternative=alternative, alpha=alpha)
        return cls(test, dates)

    @property
    def day_dates(self) -> pd.DatetimeIndex:
        return self.dates

    def evaluate(
        self, keep: np.ndarray | None = None, *, family: str = CLAIM, label: str = "as claimed"
    ) -> SpecificationResult:
        differences = np.asarray(self.test.differences, dtype=float)
        if keep is not None:
            kept_days = self.dates[np.asarray(keep, dtype=bool)]
            years = pd.DatetimeIndex(pd.to_datetime(list(self.test.years)))
            differences = differences[years.isin(kept_days)]
        n_years = len(differences)
        if n_years < MIN_EVENTS:
            return SpecificationResult(family, label, n_years, math.nan, math.nan, math.nan, math.nan)
        statistic, p_greater, p_less, _ = paired_t(differences)
        greater = self.test.alternative == "greater"
        return SpecificationResult(
            family=family,
            label=label,
            n_events=n_years,
            excess=float(differences.mean()),
            statistic=statistic if greater else -statistic,
            pvalue=p_greater if greater else p_less,
            pvalue_opposite=p_less if greater else p_greater,
        )


def mask_specifications(day_dates: pd.DatetimeIndex) -> list[tuple[str, str, np.ndarray]]:
    """(family, label, keep mask) of the specifications that subset the sample days: each
    calendar year left out in turn, then the halves and thirds of the days (each labelled by
    its first and last year)."""
    dates = pd.DatetimeIndex(day_dates)
    years = dates.year.to_numpy()
    out: list[tuple[str, str, np.ndarray]] = [
        (LEAVE_ONE_YEAR_OUT, f"without {year}", years != year) for year in np.unique(years)
    ]
    n = len(dates)
    for parts in SUB_PERIOD_SPLITS:
        edges = np.linspace(0, n, parts + 1).round().astype(int)
        name = {2: "half", 3: "third"}[parts]
        for k in range(parts):
            keep = np.zeros(n, dtype=bool)
            keep[edges[k] : edges[k + 1]] = True
            if not keep.any():
                continue
            first, last = dates[edges[k]].year, dates[edges[k + 1] - 1].year
            out.append((SUB_PERIOD, f"{_ordinal(k + 1)} {name} ({first}–{last})", keep))
    return out


def _ordinal(k: int) -> str:
    return {1: "first", 2: "second", 3: "last"}[k] if k < 3 else "last"


@dataclass(frozen=True)
class Fragility:
    """What the leave-one-year-out rows say about a verdict (``FRAGILITY_RULE``).

    fragile: the claim's primary test rejects, but leaving out some single year makes it
    not reject (or leaves too few events to test); hinge: that year's label and p.
    worst: the leave-one-year-out row with the largest p (None without such rows)."""

    fragile: bool
    worst: SpecificationResult | None
    hinge: str

    def to_dict(self) -> dict[str, object]:
        return {
            "fragile": self.fragile,
            "worst": None if self.worst is None else self.worst.to_dict(),
            "hinge": self.hinge,
        }


FRAGILITY_RULE = """\
Fragility (fixed before looking at the data). A claim whose primary test rejects at alpha
is "supported" only if it still rejects with any single calendar year of the sample left
out (that year's events, and its days in the baseline and the null, removed). If leaving out
some year lifts p to alpha or above, or leaves fewer than 10 complete events, the verdict is
"supported, fragile", naming the year whose removal gives the largest p. The sub-periods,
neighbouring parameters, neighbouring horizons and peer series are reported beside it as a
specification curve (each specification's excess return and p, sorted, with the share that
agree in sign and reach alpha); they inform the reader and do not change the verdict."""


@dataclass(frozen=True)
class RobustnessPanel:
    """The primary test over every specification (module docstring).

    results: the claim's own row first, then the others in ``FAMILIES`` order; alpha: the
    level every row is read at."""

    results: tuple[SpecificationResult, ...]
    alpha: float = DEFAULT_ALPHA

    @property
    def claim(self) -> SpecificationResult:
        return self.results[0]

    def family(self, name: str) -> tuple[SpecificationResult, ...]:
        return tuple(r for r in self.results if r.family == name)

    @property
    def others(self) -> tuple[SpecificationResult, ...]:
        return self.results[1:]

    def share_agreeing(self) -> float:
        """Share of the testable other specifications whose estimate points the claimed way."""
        testable = [r for r in self.others if r.testable]
        return sum(r.agrees() for r in testable) / len(testable) if testable else math.nan

    def share_significant(self) -> float:
        """Share of the testable other specifications whose p is below alpha."""
        testable = [r for r in self.others if r.testable]
        return sum(r.significant(self.alpha) for r in testable) / len(testable) if testable else math.nan

    def fragility(self) -> Fragility:
        """``FRAGILITY_RULE`` applied to this panel."""
        left_out = self.family(LEAVE_ONE_YEAR_OUT)
        if not left_out:
            return Fragility(False, None, "")
        # an untestable row counts as the worst: the result rests on too few events without it
        worst = max(left_out, key=lambda r: r.pvalue if r.testable else math.inf)
        if not self.claim.significant(self.alpha):
            return Fragility(False, worst, "")
        if worst.testable and worst.pvalue < self.alpha:
            return Fragility(False, worst, "")
        year = worst.label.removeprefix("without ")
        if worst.testable:
            hinge = f"{year} (without it p = {worst.pvalue:.3f})"
        else:
            hinge = f"{year} (without it {worst.n_events} complete events remain, too few to test)"
        return Fragility(True, worst, hinge)

    def to_frame(self) -> pd.DataFrame:
        """One row per specification, sorted as a specification curve (by statistic, the
        untestable ones last)."""
        frame = pd.DataFrame([r.to_dict() for r in self.results])
        frame["significant"] = [r.significant(self.alpha) for r in self.results]
        return frame.sort_values(["testable", "statistic"], ascending=[False, True], kind="stable").reset_index(
            drop=True
        )

    def to_dict(self) -> dict[str, object]:
        fragility = self.fragility()
        return {
            "alpha": float(self.alpha),
            "rule": FRAGILITY_RULE,
            "n_specifications": len(self.others),
            "n_testable": sum(r.testable for r in self.others),
            "share_agreeing": self.share_agreeing(),
            "share_significant": self.share_significant(),
            "fragility": fragility.to_dict(),
            "specifications": [r.to_dict() for r in self.results],
        }

    def summary(self) -> str:
        fragility = self.fragility()
        lines = [
            f"Robustness: {len(self.others)} specifications besides the claim's "
            f"({sum(r.testable for r in self.others)} testable), alpha {self.alpha:g}",
            f"  agree in sign: {self.share_agreeing():.0%}; reach alpha: {self.share_significant():.0%}",
        ]
        if fragility.worst is not None:
            worst = fragility.worst
            shown = f"p = {worst.pvalue:.3f}" if worst.testable else f"{worst.n_events} events, not testable"
            lines.append(f"  largest leave-one-year-out p: {worst.label} ({shown})")
        if fragility.fragile:
            lines.append(f"  fragile: the result hinges on {fragility.hinge}")
        lines.append(f"  {'family':<20} {'specification':<34} {'n':>4} {'excess':>8} {'p':>7}")
        for r in self.to_frame().itertuples(index=False):
            p = f"{r.pvalue:.3f}" if r.testable else "–"
            excess = f"{r.excess:+.2%}" if r.testable else "–"
            lines.append(f"  {r.family:<20} {r.label[:34]:<34} {r.n_events:>4} {excess:>8} {p:>7}")
        return "\n".join(lines)


def robustness_panel(
    primary: PrimaryTest,
    others: Iterable[SpecificationResult] = (),
    *,
    alpha: float = DEFAULT_ALPHA,
    masks: Sequence[tuple[str, str, np.ndarray]] | None = None,
) -> RobustnessPanel:
    """The claim's primary test, then every mask specification (``mask_specifications`` of
    its days unless ``masks`` is given), then ``others`` (specifications the composition
    layer ran: parameters, horizons, peers), as one panel."""
    claim = primary.evaluate()
    masks = mask_specifications(primary.day_dates) if masks is None else masks
    by_mask = [primary.evaluate(keep, family=family, label=label) for family, label, keep in masks]
    rank = {name: k for k, name in enumerate(FAMILIES)}
    rest = sorted([*by_mask, *others], key=lambda r: rank.get(r.family, len(FAMILIES)))
    return RobustnessPanel(results=(claim, *rest), alpha=float(alpha))
