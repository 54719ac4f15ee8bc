"""The sweep equals the single-pair engine exactly, pair by pair."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtest.errors import InsufficientDataError, ParameterError
from backtest.events import DEFAULT_HORIZONS, EventRules, MACross, NewHigh, calendar_month_horizons, run_event_study
from backtest.sweep import SweepGrid, run_sweep
from tests.sweep.conftest import random_walk


def assert_matches_single_pair_engine(series, result, pairs, rules, horizons):
    table = result.table
    for fast, slow in pairs:
        study = run_event_study(series, rules.replace(source=replace(rules.source, fast=fast, slow=slow)), horizons)
        np.testing.assert_array_equal(result.events.of(fast, slow), study.table["event_pos"].to_numpy())
        rows = table.loc[(table["fast"] == fast) & (table["slow"] == slow)].set_index("horizon")
        for horizon in horizons:
            label = horizon.label
            row = rows.loc[label]
            done = study.complete(label)[f"ret_{label}"]
            assert row["n_events"] == study.n_events
            assert row["n_complete"] == len(done)
            if len(done) == 0:
                assert np.isnan(row["mean_return"])
                continue
            # Exactly equal, not approximately: same averages, same events, same arithmetic.
            assert row["mean_return"] == done.mean()
            assert row["median_return"] == done.median()
            assert row["hit_rate"] == (done > 0).mean()


def test_sample_of_pairs_equals_run_event_study_on_the_russell_2000(russell2000):
    rules = EventRules(start="1985-01-01")
    grid = SweepGrid.from_ranges("5:100:19", "20:300:31")
    result = run_sweep(russell2000, grid, rules, DEFAULT_HORIZONS, reps=0, null_draws=0)
    rng = np.random.default_rng(0)
    sample = [tuple(p) for p in grid.pairs[rng.choice(grid.n_pairs, 12, replace=False)]] + [(50, 299)]
    sample = [p for p in sample if p in {tuple(q) for q in grid.pairs}]
    assert_matches_single_pair_engine(russell2000, result, sample, rules, DEFAULT_HORIZONS)
    # The per-event forward returns too, for the 50/200 pair.
    result = run_sweep(russell2000, SweepGrid((50,), (200,)), rules, DEFAULT_HORIZONS, reps=0, null_draws=0)
    study = run_event_study(russell2000, rules, DEFAULT_HORIZONS)
    assert_matches_single_pair_engine(russell2000, result, [(50, 200)], rules, DEFAULT_HORIZONS)
    assert study.n_events > 10


@pytest.mark.parametrize(
    "rules",
    [
        EventRules(
            source=MACross(ma="ema", direction="death"),
            confirm=2,
            min_gap=30,
            entry="next_close",
            start="1995-01-01",
            end="2015-12-31",
        ),
        EventRules(min_gap=120, start="1985-01-01"),
    ],
    ids=["death-ema-confirm-gap-window-next", "gap"],
)
def test_event_rules_and_month_horizons_match_run_event_study(russell2000, rules):
    horizons = calendar_month_horizons((1, 6))
    grid = SweepGrid.from_ranges("10:90:40", "60:250:95")
    result = run_sweep(russell2000, grid, rules, horizons, reps=0, null_draws=0)
    assert_matches_single_pair_engine(russell2000, result, [tuple(p) for p in grid.pairs], rules, horizons)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    ma=st.sampled_from(["sma", "ema"]),
    direction=st.sampled_from(["golden", "death"]),
    confirm=st.integers(0, 4),
    min_gap=st.integers(0, 60),
    entry=st.sampled_from(["close", "next_close"]),
)
def test_property_sweep_equals_single_pair_engine_on_random_walks(seed, ma, direction, confirm, min_gap, entry):
    walk = random_walk(600, seed)
    rules = EventRules(
        source=MACross(ma=ma, direction=direction), confirm=confirm, min_gap=min_gap, entry=entry, start="1990-06-01"
    )
    horizons = DEFAULT_HORIZONS[:2]
    grid = SweepGrid((2, 5, 13), (6, 21, 40))
    result = run_sweep(walk, grid, rules, horizons, reps=0, null_draws=0)
    assert_matches_single_pair_engine(walk, result, [tuple(p) for p in grid.pairs], rules, horizons)


def test_baseline_and_random_entry_pvalues(walk):
    rules = EventRules(start="1991-01-01")
    grid = SweepGrid.from_ranges("3:9:3", "20:40:10")
    result = run_sweep(walk, grid, rules, DEFAULT_HORIZONS[:1], reps=0, null_draws=400)
    forward = walk.shift(-21) / walk - 1.0
    eligible = forward.loc["1991-01-01":].dropna()
    table = result.table
    assert (table["baseline_mean_return"] == eligible.to_numpy().mean()).all()
    np.testing.assert_array_equal(table["mean_excess_return"], table["mean_return"] - table["baseline_mean_return"])
    p = table["random_entry_pvalue"]
    assert ((p > 0) & (p <= 1)).all()
    assert p.min() >= 1 / 401  # +1 corrected
    # Pairs with the same number of complete events share one null: a higher mean, a lower p.
    for _, group in table.groupby("n_complete"):
        ranked = group.sort_values("mean_return")
        assert ranked["random_entry_pvalue"].is_monotonic_decreasing


def test_result_objects(walk):
    result = run_sweep(
        walk,
        SweepGrid.from_ranges("3:9:3", "20:40:10"),
        EventRules(start="1991-01-01"),
        DEFAULT_HORIZONS[:2],
        reps=50,
        reference=(6, 30),
    )
    frame = result.to_frame()
    assert len(frame) == result.grid.n_pairs * 2
    assert list(frame.columns[:3]) == ["fast", "slow", "horizon"]
    assert "Reality Check" not in result.summary() and "RC p" in result.summary()
    tests = result.tests_frame()
    assert list(tests["horizon"]) == ["1m", "3m"]
    assert tests["reference_rank"].notna().all()
    assert 0 <= tests["reference_percentile"].min() <= tests["reference_percentile"].max() <= 100


def test_wrapper_errors_name_the_parameter(walk):
    grid = SweepGrid((5,), (20,))
    with pytest.raises(ParameterError, match="reps"):
        run_sweep(walk, grid, reps=-1)
    with pytest.raises(ParameterError, match="mean_block"):
        run_sweep(walk, grid, mean_block=0.5)
    with pytest.raises(ParameterError, match="grid"):
        run_sweep(walk, "5:20")
    with pytest.raises(InsufficientDataError):
        run_sweep(walk.iloc[:30], SweepGrid((5,), (40,)))
    with pytest.raises(ParameterError, match="series"):
        run_sweep(pd.Series([1.0, 2.0]), grid)
    with pytest.raises(ParameterError, match="a sweep varies a moving-average cross; these rules use 'close above"):
        run_sweep(walk, grid, EventRules(source=NewHigh(20)))


@pytest.mark.parametrize("subset", [None, [7, 3], [40, 1, 2]])
def test_null_pvalues_equal_a_search_in_each_counts_null(subset):
    # The vectorised lookup against the plain loop: one sorted null per count k, searched
    # for the means of the pairs with k events.
    from backtest.stats import seed_from
    from backtest.stats.nb import random_entry_prefix_means_nb
    from backtest.sweep.engine import null_pvalues

    rng = np.random.default_rng(4)
    pool = rng.standard_normal(300) * 0.02
    n_complete = rng.integers(0, 9, 500)
    n_complete[:3] = [40, 40, 0]
    mean = np.round(rng.standard_normal(500) * 0.01, 3)
    got = null_pvalues(pool, n_complete, mean, 200, 5, 2, None, None if subset is None else np.array(subset))
    counts = np.unique(n_complete[n_complete > 0]) if subset is None else np.array(subset)
    nulls = random_entry_prefix_means_nb(pool, counts.astype(np.int64), 200, seed_from(5, "random_entry", 2))
    expected = np.full(500, np.nan)
    for j, k in enumerate(counts):
        members = np.flatnonzero(n_complete == k)
        expected[members] = (1.0 + 200 - np.searchsorted(np.sort(nulls[j]), mean[members], side="left")) / 201.0
    np.testing.assert_array_equal(got, expected)
