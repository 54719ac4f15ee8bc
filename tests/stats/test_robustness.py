"""Robustness panel: the primary test on masks of the sample days against a pandas twin, the
claim's own row equal to the study's primary test, and the fragility rule on planted effects
(one that rests on one year is flagged, one spread over every year is not)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from backtest.errors import ParameterError
from backtest.events import EventRules, MACross, run_event_study
from backtest.stats import analyze_events
from backtest.stats.baseline import eligible_days
from backtest.stats.robustness import (
    LEAVE_ONE_YEAR_OUT,
    PARAMETER,
    SUB_PERIOD,
    ShiftPrimary,
    SpecificationResult,
    mask_specifications,
    robustness_panel,
)

HORIZONS = ("3m", "6m")
DAYS = (63, 126)


def _world(seed: int, years: int = 20, n_events: int = 60) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """Forward returns of a random walk on business days, and events at random rows."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2000-01-03", periods=252 * years)
    steps = rng.normal(0.0003, 0.01, len(dates) + max(DAYS))
    cumulative = np.concatenate([[0.0], np.cumsum(steps)])
    rows = np.arange(len(dates))
    fwd = np.column_stack([cumulative[rows + h] - cumulative[rows] for h in DAYS])
    fwd[-20:, 1] = np.nan  # incomplete windows at the end, as in real data
    events = np.sort(rng.choice(len(dates) - 200, n_events, replace=False))
    return fwd, events, dates


def _reference_pvalue(fwd: np.ndarray, rows: np.ndarray, keep: np.ndarray) -> tuple[float, float]:
    """The joint statistic and p on the kept days, from pandas alone: shifted event sets over
    the kept days joined end to end."""
    kept = pd.DataFrame(fwd[keep]).reset_index(drop=True)
    position = pd.Series(np.cumsum(keep) - 1)
    new_rows = position[rows[keep[rows]]].to_numpy()
    mean, sd = kept.mean(), kept.std(ddof=1)
    length = len(kept)
    totals = []
    for shift in range(length):
        shifted = kept.iloc[(new_rows + shift) % length]
        totals.append(float(((shifted.mean() - mean) / sd).sum()))
    totals_array = np.array(totals)
    return totals_array[0], float(np.mean(totals_array >= totals_array[0]))


def test_masked_primary_matches_pandas_twin() -> None:
    fwd, events, dates = _world(1, years=6, n_events=90)
    primary = ShiftPrimary(fwd, events, dates, HORIZONS)
    masks = mask_specifications(dates)
    for family, label, keep in [masks[2], masks[-1], (LEAVE_ONE_YEAR_OUT, "all", np.ones(len(dates), bool))]:
        result = primary.evaluate(keep, family=family, label=label)
        statistic, pvalue = _reference_pvalue(fwd, events, keep)
        assert result.statistic == pytest.approx(statistic, rel=1e-12)
        assert result.pvalue == pytest.approx(pvalue, abs=1e-12)
        assert result.n_events == int(np.isfinite(fwd[events[keep[events]]]).sum(axis=0).min())


def test_mask_specifications_cover_years_halves_and_thirds() -> None:
    dates = pd.bdate_range("2001-01-01", "2004-12-31")
    masks = mask_specifications(dates)
    left_out = [label for family, label, _ in masks if family == LEAVE_ONE_YEAR_OUT]
    assert left_out == ["without 2001", "without 2002", "without 2003", "without 2004"]
    periods = [(label, keep) for family, label, keep in masks if family == SUB_PERIOD]
    assert len(periods) == 5
    halves = [keep for label, keep in periods if "half" in label]
    assert (halves[0] ^ halves[1]).all()  # the halves partition the days
    thirds = [keep for label, keep in periods if "third" in label]
    assert sum(k.sum() for k in thirds) == len(dates) and not (thirds[0] & thirds[1]).any()
    assert periods[0][0] == "first half (2001–2002)"


def test_claim_row_equals_the_study_primary(russell2000) -> None:
    rules = EventRules(source=MACross(50, 200), start="1985-01-01")
    study = run_event_study(russell2000, rules)
    judged = ("3m", "6m", "9m", "12m")
    stats = analyze_events(study, n_draws=200, n_paths=0, claim_horizons=judged)
    eligible = eligible_days(study)
    table = eligible.table
    fwd = np.column_stack(
        [np.where(table[f"pending_{h}"].to_numpy(bool), np.nan, table[f"ret_{h}"].to_numpy(float)) for h in judged]
    )
    rows = study.table["event_pos"].to_numpy(np.int64) - eligible.first_pos
    primary = ShiftPrimary(fwd, rows, pd.DatetimeIndex(table["day_date"]), judged)
    own = primary.evaluate()
    assert own.pvalue == stats.primary.pvalue
    assert own.statistic == pytest.approx(stats.primary.statistic, rel=1e-12)


def _panel_with_effect(seed: int, boost_rows: np.ndarray, size: float) -> tuple[ShiftPrimary, object]:
    fwd, events, dates = _world(seed)
    sd = np.nanstd(fwd, axis=0, ddof=1)
    boosted = fwd.copy()
    boosted[boost_rows] += size * sd
    primary = ShiftPrimary(boosted, events, dates, HORIZONS)
    return primary, robustness_panel(primary)


def test_effect_resting_on_one_year_is_fragile() -> None:
    """Six events of one year carry a large effect, the other events none: the claim's p
    rejects, leaving that year out does not, and the panel names it."""
    flagged = 0
    for seed in range(10):
        fwd, events, dates = _world(seed)
        year_of_event = dates[events].year
        target = int(pd.Series(year_of_event).mode().iloc[0])
        in_year = events[year_of_event == target]
        primary, panel = _panel_with_effect(seed, in_year, 2.5)
        if not panel.claim.significant(0.05):
            continue
        fragility = panel.fragility()
        flagged += fragility.fragile
        if fragility.fragile:
            assert fragility.hinge.startswith(str(target))
    assert flagged >= 6


def test_effect_spread_over_every_year_is_not_fragile() -> None:
    robust = 0
    tested = 0
    for seed in range(10):
        fwd, events, dates = _world(seed)
        primary, panel = _panel_with_effect(seed, events, 0.6)
        if not panel.claim.significant(0.05):
            continue
        tested += 1
        robust += not panel.fragility().fragile
        left_out = panel.family(LEAVE_ONE_YEAR_OUT)
        assert len(left_out) == 20
    assert tested >= 8 and robust >= tested - 1


def test_not_testable_rows_and_shares() -> None:
    fwd, events, dates = _world(4, years=4, n_events=12)
    primary = ShiftPrimary(fwd, events, dates, HORIZONS)
    extra = SpecificationResult(PARAMETER, "fast 45", 3, math.nan, math.nan, math.nan, math.nan)
    panel = robustness_panel(primary, [extra])
    assert not extra.testable
    frame = panel.to_frame()
    assert frame.iloc[-1]["label"] in {r.label for r in panel.results if not r.testable}
    testable = [r for r in panel.others if r.testable]
    assert panel.share_agreeing() == pytest.approx(sum(r.statistic > 0 for r in testable) / len(testable))
    # leaving a year out of 12 events over 4 years leaves fewer than 10: not testable, so a
    # supported claim here could only be fragile
    assert any(not r.testable for r in panel.family(LEAVE_ONE_YEAR_OUT))
    text = panel.summary()
    assert "leave-one-year-out" in text and "fast 45" in text
    assert panel.to_dict()["n_specifications"] == len(panel.results) - 1


def test_shape_is_checked() -> None:
    fwd, events, dates = _world(2, years=2, n_events=12)
    with pytest.raises(ParameterError, match="forward_returns"):
        ShiftPrimary(fwd[:, :1], events, dates, HORIZONS)
