"""A claim's primary test, its neighbours and its verdict: the specifications around a claim
are declared from the spec alone; the claim's own robustness row is its primary test; a
calendar claim is decided by the year-level paired test; a claim whose rule never fires, or
fires too rarely, is "not testable" with a reason and a hint; a supported claim that rests
on one year is "supported, fragile"."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.claims import spec_from_dict
from backtest.claims.robustness import (
    JOINT_SHIFT,
    YEAR_PAIRED,
    horizon_neighbours,
    neighbours,
    parameter_neighbours,
    peer_neighbours,
    primary_kind,
)
from backtest.claims.run import run_claim
from backtest.stats.calendar import study_year_paired_test
from backtest.stats.robustness import HORIZON, LEAVE_ONE_YEAR_OUT, PARAMETER, PEER
from backtest.stats.verdict import NOT_TESTABLE, SUPPORTED_FRAGILE
from tests.claims.conftest import minimal

FAST = {"n_draws": 200, "n_paths": 0, "n_power_paths": 0}


def _spec(**tables: object) -> object:
    values = minimal()
    values.update(tables)
    return spec_from_dict(values)


def test_neighbours_are_declared_from_the_spec_alone() -> None:
    cross = _spec(event={"kind": "ma_cross", "fast": 50, "slow": 200})
    labels = [n.label for n in parameter_neighbours(cross)]
    assert labels == ["fast 45", "fast 55", "slow 180", "slow 220"]
    assert [n.spec.event.fast for n in parameter_neighbours(cross)][:2] == [45, 55]

    rsi = _spec()  # RSI(14) below 30
    assert [n.label for n in parameter_neighbours(rsi)] == ["level 25", "level 35", "rsi window 13", "rsi window 15"]

    drawdown = _spec(event={"kind": "threshold", "indicator": "drawdown", "level": -0.02, "cross": "below"})
    # a level a step either side, kept inside (-1, 0): -0.02 + 0.05 would be above the peak
    assert [n.label for n in parameter_neighbours(drawdown)] == ["level -0.07"]

    high = _spec(event={"kind": "new_high", "n": 252})
    assert [n.label for n in parameter_neighbours(high)] == ["n 227", "n 277"]

    judged = _spec(claim={**minimal()["claim"], "horizons": ["1m", "3m"], "verdict_horizons": ["3m"]})
    assert [n.label for n in horizon_neighbours(judged)] == ["horizons shorter: 2m", "horizons longer: 4m"]
    days = _spec(claim={**minimal()["claim"], "horizons": ["7d"]})
    assert [n.label for n in horizon_neighbours(days)] == ["horizons shorter: 6d", "horizons longer: 8d"]

    assert [n.label for n in peer_neighbours(rsi)] == ["on IWM", "on RU2000PR"]
    # judged at 1m and 3m: a month shorter would be 0m, so only the longer horizons
    assert [n.family for n in neighbours(rsi)] == [PARAMETER] * 4 + [HORIZON] + [PEER] * 2


def test_the_spec_narrows_the_panel() -> None:
    spec = _spec(robustness={"parameters": False, "horizons": False, "peers": ["SPY"]})
    assert [n.label for n in neighbours(spec)] == ["on SPY"]
    none = _spec(robustness={"parameters": False, "horizons": False, "peers": []})
    assert neighbours(none) == ()


def test_calendar_claims_are_decided_by_the_year_level_test(real_data_dir: Path | None, tmp_path: Path) -> None:
    dates = tmp_path / "may.csv"
    dates.write_text("date\n" + "\n".join(f"{year}-05-01" for year in range(1993, 2026)) + "\n")
    values = minimal()
    values.update(
        claim={**values["claim"], "direction": "losses", "horizons": ["6m"]},
        series={"name": "SPY"},
        event={"kind": "dates", "file": "may.csv"},
        rules={},
        robustness={"peers": []},
    )
    spec = spec_from_dict(values, base_dir=tmp_path)
    result = run_claim(spec, data_dir=real_data_dir, **FAST)
    data = result.summary_data
    assert data["primary"]["test"] == YEAR_PAIRED and data["primary"]["unit"] == "years"
    paired = study_year_paired_test(result.study, "6m", alternative="less")
    assert data["primary"]["pvalue"] == pytest.approx(paired.pvalue, rel=1e-12)
    assert data["primary"]["n"] == paired.n == data["conclusion"]["n_complete"]["6m"]
    assert data["conclusion"]["primary_pvalue"] == data["primary"]["pvalue"]
    # the dates a step either side: one to three weeks earlier and later
    shifts = [row["label"] for row in data["robustness"]["specifications"] if row["family"] == PARAMETER]
    assert shifts == [
        f"dates {w} week{'s' if w > 1 else ''} {when}"
        for w, when in [(3, "earlier"), (2, "earlier"), (1, "earlier"), (1, "later"), (2, "later"), (3, "later")]
    ]
    # a dates claim judged at two horizons, or dates not once a year, keeps the joint shift test
    assert (
        primary_kind(
            dataclasses.replace(
                spec, claim=dataclasses.replace(spec.claim, horizons=("3m", "6m"), verdict_horizons=())
            ),
            result.study.table["event_date"],
        )
        == JOINT_SHIFT
    )
    assert primary_kind(spec, pd.to_datetime(["2001-05-01", "2001-06-01", "2002-05-01"])) == JOINT_SHIFT


def test_the_claims_own_row_is_its_primary_test(data_dir: Path) -> None:
    spec = _spec(robustness={"parameters": False, "horizons": False, "peers": []})
    result = run_claim(spec, data_dir=data_dir, **FAST)
    data = result.summary_data
    assert data["primary"]["test"] == JOINT_SHIFT
    # summary.json keeps 12 significant digits (backtest._json.SIGNIFICANT_DIGITS)
    assert data["primary"]["pvalue"] == pytest.approx(result.statistics.primary.pvalue, rel=1e-11)
    assert data["robustness"]["specifications"][0]["family"] == "claim"
    assert data["robustness"]["specifications"][0]["pvalue"] == pytest.approx(data["primary"]["pvalue"], rel=1e-11)
    years = {row["label"] for row in data["robustness"]["specifications"] if row["family"] == LEAVE_ONE_YEAR_OUT}
    first, last = result.study.close.index[0].year, result.study.close.index[-1].year
    assert years == {f"without {year}" for year in range(max(first, 1990), last + 1)}
    assert result.robustness is not None and result.robustness.claim.pvalue == result.statistics.primary.pvalue


@pytest.mark.parametrize(
    ("event", "reason", "hint"),
    [
        # RSI(14) of the Russell 2000 never fell below 5: no event at all
        ({"kind": "threshold", "indicator": "rsi", "level": 5, "cross": "below"}, "no event fired", "ranged from"),
        # five dates: five complete windows, fewer than the ten a test needs
        ({"kind": "dates", "file": "five.csv"}, "only 5 complete windows at 1m", ""),
    ],
)
def test_a_claim_the_data_cannot_test_gets_no_verdict(
    real_data_dir: Path | None, tmp_path: Path, event: dict, reason: str, hint: str
) -> None:
    (tmp_path / "five.csv").write_text("date\n" + "\n".join(f"2010-0{m}-01" for m in range(1, 6)) + "\n")
    values = minimal()
    values["event"] = event
    spec = spec_from_dict(values, base_dir=tmp_path)
    result = run_claim(spec, data_dir=real_data_dir, **FAST)
    conclusion = result.summary_data["conclusion"]
    assert result.verdict == NOT_TESTABLE
    assert reason in conclusion["not_testable"]["reason"]
    assert hint in conclusion["not_testable"]["hint"]
    assert result.summary_data["robustness"] is None and result.summary_data["power"] is None


def test_a_supported_claim_resting_on_one_year_is_fragile(tmp_path: Path) -> None:
    """A made-up series: a random walk whose only strong post-event gains follow the events
    of one year (2008). The claim is supported on the whole sample, not without 2008."""
    rng = np.random.default_rng(7)
    index = pd.bdate_range("1995-01-02", "2020-12-31")
    steps = rng.normal(0.0002, 0.01, len(index))
    events = [index[i] for i in range(100, len(index) - 200, 120)]
    positions = index.searchsorted(pd.DatetimeIndex(events))
    for position, date in zip(positions, events):
        if date.year == 2008:
            steps[position + 1 : position + 22] += 0.012  # +25% over the month after 2008's events
    close = 100 * np.exp(np.cumsum(steps))
    data = tmp_path / "walk.csv"
    pd.DataFrame({"Date": index.strftime("%Y-%m-%d"), "Close": close}).to_csv(data, index=False)
    dates = tmp_path / "dates.csv"
    pd.DataFrame({"date": [d.date().isoformat() for d in events]}).to_csv(dates, index=False)
    values = minimal()
    values.update(
        claim={**values["claim"], "horizons": ["1m"], "published": None},
        series={"name": "walk.csv"},
        event={"kind": "dates", "file": "dates.csv"},
        rules={},
        robustness={"parameters": False, "horizons": False, "peers": []},
    )
    del values["claim"]["published"]
    spec = spec_from_dict(values, base_dir=tmp_path)
    result = run_claim(spec, **FAST)
    conclusion = result.summary_data["conclusion"]
    assert conclusion["primary_pvalue"] < 0.05
    assert result.verdict == SUPPORTED_FRAGILE
    assert conclusion["fragility"]["hinge"].startswith("2008")
    worst = conclusion["fragility"]["worst"]
    assert worst["label"] == "without 2008" and (worst["pvalue"] is None or worst["pvalue"] >= 0.05)
    assert math.isfinite(conclusion["primary_pvalue_opposite"])
