"""Confirmation filters: each rule on hand-made values, reading indicators as of the event
(never later), missing data reported with its reason (never dropped), exclusions for flagged
moves, and sub-studies that keep what the statistics need."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.errors import ParameterError
from backtest.events import EventRules, Horizon, MACross, run_event_study
from backtest.events.filters import (
    KEPT,
    NO_DATA,
    REJECTED,
    FilterRule,
    apply_filter,
    flagged_move_exclusions,
    split_studies,
    values_at,
)

H = (Horizon("1m", days=21), Horizon("3m", days=63))


def walk(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n))),
        index=pd.bdate_range("1990-01-01", periods=n),
        name="walk",
    )


@pytest.fixture(scope="module")
def study():
    result = run_event_study(walk(3000, 4), EventRules(source=MACross(20, 100)), H)
    assert result.n_events >= 8
    return result


@pytest.mark.parametrize(
    ("operator", "threshold", "values", "expected"),
    [
        ("<=", 70, [69.9, 70.0, 70.1, np.nan], [True, True, False, False]),  # RSI not overheating
        (">", 1.0, [0.5, 1.0, 1.5, np.nan], [False, False, True, False]),  # volume above its average
        (">", 0.0, [-0.01, 0.0, 0.02, np.nan], [False, False, True, False]),  # sectors outperform SPY
        ("<=", 0.0, [-0.3, 0.0, 0.25, np.nan], [True, True, False, False]),  # 10-year yield not rising
        ("<", 20, [12.0, 19.99, 20.0, np.nan], [True, True, False, False]),  # VIX calm
        (">=", 5, [4.0, 5.0, 6.0, np.nan], [False, True, True, False]),
    ],
)
def test_rules_on_hand_made_values(operator, threshold, values, expected) -> None:
    rule = FilterRule("x", "indicator", operator, threshold)
    assert rule.passes(values).tolist() == expected


def test_rule_text_and_validation() -> None:
    rule = FilterRule("rsi", "RSI(14)", "<=", 70, "not overheating")
    assert rule.describe() == "keep if RSI(14) ≤ 70 (not overheating)"
    assert rule.describe_rejected() == "reject if RSI(14) > 70"
    assert rule.to_dict()["threshold"] == 70.0
    with pytest.raises(ParameterError, match="operator"):
        FilterRule("x", "y", "==", 1)
    with pytest.raises(ParameterError, match="threshold"):
        FilterRule("x", "y", "<", float("nan"))


def test_values_are_read_as_of_the_date_never_later() -> None:
    indicator = pd.Series(
        [1.0, 2.0, np.nan, 4.0], index=pd.to_datetime(["2001-01-02", "2001-01-03", "2001-01-04", "2001-01-12"])
    )
    dates = pd.to_datetime(["2001-01-01", "2001-01-03", "2001-01-04", "2001-01-05", "2001-01-11", "2001-01-12"])
    read = values_at(indicator, dates, max_stale_days=5)
    # 01-01: before the series; 01-05: the row of 01-04 (NaN); 01-11: 01-04 is 7 days old -> none
    assert read["value"].tolist()[1] == 2.0 and read["value"].tolist()[5] == 4.0
    assert np.isnan(read["value"].to_numpy()[[0, 2, 3, 4]]).all()
    assert read["value_date"].tolist()[3] == pd.Timestamp("2001-01-04")
    assert pd.isna(read["value_date"].iloc[4]) and pd.isna(read["value_date"].iloc[0])
    holiday = values_at(indicator, pd.to_datetime(["2001-01-08"]), max_stale_days=5)  # bond holiday: Friday's? none
    assert holiday["value_date"].iloc[0] == pd.Timestamp("2001-01-04")
    with pytest.raises(ParameterError, match="max_stale_days"):
        values_at(indicator, dates, max_stale_days=-1)


def test_apply_filter_reports_missing_data_with_reasons(study) -> None:
    dates = study.table["event_date"]
    # an indicator that starts after the second event, with a gap on the fourth
    index = study.close.index[study.close.index > dates.iloc[1]]
    indicator = pd.Series(np.arange(len(index), dtype=float) % 3, index=index, name="ind")
    indicator[dates.iloc[3]] = np.nan
    split = apply_filter(study, FilterRule("f", "the indicator", "<", 1.5), indicator)
    table = split.table
    assert table.index.equals(study.table.index) and list(table.columns) == [
        "event_date",
        "value",
        "value_date",
        "outcome",
        "reason",
    ]
    assert table["outcome"].iloc[:2].tolist() == [NO_DATA, NO_DATA]
    assert table["reason"].iloc[0] == f"the indicator: no value before {index[0].date()}"
    assert (
        table["outcome"].iloc[3] == NO_DATA
        and table["reason"].iloc[3] == f"the indicator: missing on {dates.iloc[3].date()}"
    )
    with_value = table["outcome"] != NO_DATA
    assert (table.loc[with_value, "reason"] == "").all()
    expected = np.where(table.loc[with_value, "value"] < 1.5, KEPT, REJECTED)
    assert table.loc[with_value, "outcome"].tolist() == expected.tolist()
    counts = split.counts
    assert sum(counts.values()) == study.n_events and counts[NO_DATA] == 3  # reported, not dropped
    assert (split.kept | split.rejected | ~split.with_data).all() and not (split.kept & split.rejected).any()
    assert "no data (2): the indicator: no value before" in split.summary()
    assert split.to_frame()["filter"].eq("f").all()


def test_exclusions_mark_events_whose_lookback_holds_a_flagged_move(study) -> None:
    dates = study.table["event_date"]
    index = study.close.index
    flagged_day = index[index.get_loc(dates.iloc[2]) - 10]  # ten days before the third event
    reasons = flagged_move_exclusions(
        index, {"XLB": [flagged_day], "SPY": []}, 63, "a split missing from adjusted closes"
    )
    assert reasons[dates.iloc[2]].startswith(
        f"XLB: the 63-day look-back holds the flagged move of {flagged_day.date()}"
    )
    assert (reasons != "").sum() == 63
    indicator = pd.Series(1.0, index=index)
    split = apply_filter(study, FilterRule("rotation", "relative strength", ">", 0.0), indicator, exclusions=reasons)
    assert split.table["outcome"].iloc[2] == NO_DATA and "split missing" in split.table["reason"].iloc[2]
    untouched = np.flatnonzero(reasons.reindex(dates).to_numpy() == "")
    assert (split.table["outcome"].to_numpy()[untouched] == KEPT).all()
    both = flagged_move_exclusions(index, {"XLB": [flagged_day], "XLY": [flagged_day]}, 63)
    assert both[dates.iloc[2]].count("look-back") == 2
    with pytest.raises(ParameterError, match="exclusions"):
        apply_filter(study, FilterRule("r", "x", ">", 0), indicator, exclusions=reasons.iloc[1:])


def test_subset_keeps_positions_rules_and_numbers(study) -> None:
    mask = np.zeros(study.n_events, dtype=bool)
    mask[[0, 2, 5]] = True
    subset = study.subset(mask)
    assert subset.n_events == 3 and subset.table.index.tolist() == [1, 3, 6]
    assert subset.rules == study.rules and subset.horizons == study.horizons and subset.close is study.close
    np.testing.assert_array_equal(subset.entry_pos, study.entry_pos[mask])
    assert study.subset(pd.Series(mask, index=study.table.index)).n_events == 3
    assert study.subset(np.zeros(study.n_events, dtype=bool)).n_events == 0
    with pytest.raises(ParameterError, match="booleans"):
        study.subset(mask[:-1])
    with pytest.raises(ParameterError, match="booleans"):
        study.subset(mask.astype(int))


def test_split_studies_partition_the_events(study) -> None:
    indicator = pd.Series(np.sin(np.arange(len(study.close))), index=study.close.index)
    indicator.iloc[: study.table["event_pos"].iloc[1]] = np.nan
    split = apply_filter(study, FilterRule("sin", "sine", ">", 0), indicator)
    parts = split_studies(study, split)
    assert (
        parts[KEPT].n_events + parts[REJECTED].n_events
        == parts["with_data"].n_events
        == study.n_events - split.counts[NO_DATA]
    )
    assert set(parts[KEPT].table.index).isdisjoint(parts[REJECTED].table.index)
    other = study.subset(np.ones(study.n_events, dtype=bool) & (np.arange(study.n_events) > 0))
    with pytest.raises(ParameterError, match="another study"):
        split_studies(other, split)


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(150, 2999), seed=st.integers(0, 10_000))
def test_outcomes_at_events_ignore_later_indicator_values(study, cut: int, seed: int) -> None:
    # no look-ahead in the reading: an indicator truncated after day `cut` gives the same
    # value and outcome at every event dated on or before it
    rng = np.random.default_rng(seed)
    indicator = pd.Series(rng.normal(size=len(study.close)), index=study.close.index)
    rule = FilterRule("n", "noise", ">", 0.0)
    full = apply_filter(study, rule, indicator).table
    truncated = apply_filter(study, rule, indicator.iloc[: cut + 1]).table
    before = (study.table["event_pos"] <= cut).to_numpy()
    pd.testing.assert_frame_equal(full.loc[before], truncated.loc[before])
