"""A claim's primary test and the specifications it is re-run on.

``primary_kind(spec, dates)`` says which test decides question B, fixed by the spec before
any price is read: the joint circular-shift test, or for a calendar claim (a list of dates
falling once a year, one judged horizon) the year-level paired test. ``primary_test(study,
...)`` builds it on a study as a ``backtest.stats.robustness.PrimaryTest``. ``neighbours(spec)``
lists the specifications around the claim, from the spec alone: the event's parameters a
step either side, the judged horizons a month shorter and longer, the claim's dates one to
three weeks earlier and later, and the series' peers in the catalog. ``robustness(...)``
runs the primary test on each (through the caller's ``measure``, the same detection and
measurement as the claim's own) and returns the panel with the leave-one-year-out and
sub-period rows.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from backtest.claims.kinds import event_kind, relative_step
from backtest.claims.spec import ClaimSpec
from backtest.data import peers_of
from backtest.errors import BacktestError
from backtest.events import EventStudy
from backtest.stats.calendar import is_one_date_a_year
from backtest.stats.robustness import (
    HORIZON,
    PARAMETER,
    PEER,
    PrimaryTest,
    RobustnessPanel,
    ShiftPrimary,
    SpecificationResult,
    YearPairedPrimary,
    robustness_panel,
)
from backtest.stats.verdict import GAINS

JOINT_SHIFT = "joint_circular_shift_sum"
YEAR_PAIRED = "year_paired_t"
PRIMARY_TESTS = {
    JOINT_SHIFT: "the sum over the judged horizons of the standardised excess return against every circular "
    "shift of the event dates",
    YEAR_PAIRED: "the year-level paired test: each year's event window against the rest of the same year "
    "(Bouman & Jacobsen 2002), a t-test across years",
}
"""The primary tests a claim can have, and how a report names them."""


def _alternative(claim: str) -> str:
    return "greater" if claim == GAINS else "less"


def primary_kind(spec: ClaimSpec, event_dates: Sequence[object]) -> str:
    """``YEAR_PAIRED`` for a calendar claim (a kind of fixed dates, as ``dates``, falling once a
    year, judged at one horizon), else ``JOINT_SHIFT``. The dates come from the spec's own
    file, so the choice is made before any price is read."""
    fixed_dates = event_kind(spec.event.kind).fixed_dates
    if fixed_dates and len(spec.judged_horizons()) == 1 and is_one_date_a_year(event_dates):
        return YEAR_PAIRED
    return JOINT_SHIFT


def primary_test(study: EventStudy, judged: Sequence[str], *, kind: str, claim: str, alpha: float) -> PrimaryTest:
    """The claim's primary test on ``study`` (``primary_kind``), over its sample days."""
    builder = YearPairedPrimary if kind == YEAR_PAIRED else ShiftPrimary
    return builder.from_study(study, judged, alternative=_alternative(claim), alpha=alpha)


@dataclass(frozen=True)
class Neighbour:
    """A specification around the claim: its family and label, the spec that states it and,
    for a calendar claim, how many trading days its dates move (``date_shift``)."""

    family: str
    label: str
    spec: ClaimSpec
    date_shift: int = 0


def parameter_neighbours(spec: ClaimSpec) -> list[Neighbour]:
    """The event's parameters a step either side, as its kind lists them
    (``backtest.claims.kinds``: ``RELATIVE_STEP`` of each window, day count or level,
    ``LEVEL_STEPS`` where a level has its own unit; a calendar claim's dates moved by
    ``DATE_SHIFTS`` trading days)."""
    return [
        Neighbour(PARAMETER, moved.label, dataclasses.replace(spec, event=moved.event), date_shift=moved.date_shift)
        for moved in event_kind(spec.event.kind).neighbours(spec.event)
    ]


def _shifted_label(label: str, by: int) -> str | None:
    number, unit = int(label[:-1]), label[-1]
    if unit == "m":
        shifted = number + by
    else:
        shifted = number + by * relative_step(number)
    return f"{shifted}{unit}" if shifted >= 1 else None


def horizon_neighbours(spec: ClaimSpec) -> list[Neighbour]:
    """The judged horizons all a month shorter, and all a month longer ('Nd' horizons: a
    tenth of their days)."""
    judged = spec.judged_horizons()
    out = []
    for by, word in ((-1, "shorter"), (1, "longer")):
        labels = [_shifted_label(label, by) for label in judged]
        if any(label is None for label in labels) or len(set(labels)) < len(labels):
            continue
        shifted = tuple(str(label) for label in labels)
        claim = dataclasses.replace(spec.claim, horizons=shifted, verdict_horizons=shifted)
        out.append(Neighbour(HORIZON, f"horizons {word}: {', '.join(shifted)}", dataclasses.replace(spec, claim=claim)))
    return out


def peer_neighbours(spec: ClaimSpec, peers: Sequence[str] | None = None) -> list[Neighbour]:
    """The claim's rule on each peer of its series (``backtest.data.peers_of``, or ``peers``)."""
    names = peers_of(spec.series) if peers is None else tuple(peers)
    return [Neighbour(PEER, f"on {name}", dataclasses.replace(spec, series=name)) for name in names]


def neighbours(spec: ClaimSpec) -> tuple[Neighbour, ...]:
    """Every specification around the claim that ``spec.robustness`` asks for, in report order."""
    settings = spec.robustness
    out: list[Neighbour] = []
    if settings.parameters:
        out += parameter_neighbours(spec)
    if settings.horizons:
        out += horizon_neighbours(spec)
    out += peer_neighbours(spec, settings.peers)
    return tuple(out)


Measure = Callable[[Neighbour], EventStudy]
"""Detects and measures a neighbour's events exactly as the claim's own (the composition
layer's ``_measure``), raising a ``BacktestError`` when it cannot (a series the data lack)."""


def robustness(spec: ClaimSpec, primary: PrimaryTest, measure: Measure, *, kind: str, alpha: float) -> RobustnessPanel:
    """The claim's robustness panel: ``primary`` on the claim, by year and by sub-period (as
    ``spec.robustness`` asks), then on every neighbour (a neighbour that cannot run, say a peer
    the data lack, is a row that is not testable, with the reason in its label)."""
    settings = spec.robustness
    masks = None
    if not (settings.leave_one_year_out and settings.sub_periods):
        from backtest.stats.robustness import LEAVE_ONE_YEAR_OUT, SUB_PERIOD, mask_specifications

        wanted = {LEAVE_ONE_YEAR_OUT: settings.leave_one_year_out, SUB_PERIOD: settings.sub_periods}
        masks = [m for m in mask_specifications(primary.day_dates) if wanted[m[0]]]
    others = []
    for neighbour in neighbours(spec):
        try:
            study = measure(neighbour)
        except BacktestError as exc:
            reason = str(exc).split(": ")[-1][:80]
            others.append(_untestable(neighbour, f"{neighbour.label} ({reason})"))
            continue
        judged = neighbour.spec.judged_horizons()
        if not study.n_events:
            others.append(_untestable(neighbour, neighbour.label))
            continue
        try:
            test = primary_test(study, judged, kind=kind, claim=spec.claim.direction, alpha=alpha)
        except BacktestError as exc:
            others.append(_untestable(neighbour, f"{neighbour.label} ({str(exc)[:80]})"))
            continue
        others.append(test.evaluate(family=neighbour.family, label=neighbour.label))
    return robustness_panel(primary, others, alpha=alpha, masks=masks)


def _untestable(neighbour: Neighbour, label: str) -> SpecificationResult:
    return SpecificationResult(neighbour.family, label, 0, math.nan, math.nan, math.nan, math.nan)
