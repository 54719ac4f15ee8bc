"""Statistics ask the event source what it can do: the bootstrapped-path null runs for sources
that are functions of the price path alone, is skipped (with the reason) for exogenous ones,
and never gives a hand-built or filtered table the null of another rule."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from backtest.errors import ParameterError
from backtest.events import RSI, All, Condition, DateList, EventRules, Horizon, MACross, NewHigh, run_event_study
from backtest.stats import analyze_events
from backtest.stats.bootstrap import bootstrap_path_tests, path_null_unavailable
from backtest.stats.verdict import NOT_SUPPORTED, SUPPORTED, relative_verdict

HORIZONS = (Horizon("1m", days=21), Horizon("3m", days=63))


def walk(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n))),
        index=pd.bdate_range("1980-01-01", periods=n),
        name="walk",
    )


def test_exogenous_source_skips_the_path_null_with_its_reason() -> None:
    close = walk(3000, 5)
    dates = DateList(list(close.index[300::97]), label="listed")
    study = run_event_study(close, EventRules(source=dates, start="1981-01-01"), HORIZONS)
    assert study.n_events > 20
    reason = path_null_unavailable(study)
    assert reason is not None and "reads data other than the price path" in reason
    with pytest.raises(ParameterError, match="does not apply"):
        bootstrap_path_tests(study, n_paths=10)
    result = analyze_events(study, n_draws=2000, n_paths=50, seed=3, n_resamples=199)
    assert result.bootstrap is None and result.n_paths == 0 and result.path_null_skipped == reason
    for horizon in result.horizons:
        assert horizon.bootstrap_paths is None
        assert any("bootstrapped-path null skipped" in note for note in horizon.notes)
        assert "does not apply to the source" in horizon.verdict_b.rule or horizon.verdict_b.rule.startswith("n <")
    assert "Exogenous event source" in result.verdict_rules
    assert "skipped:" in result.summary()
    assert json.loads(json.dumps(result.to_dict()))["path_null_skipped"] == reason


def test_price_only_sources_other_than_the_cross_get_the_path_null() -> None:
    close = walk(3000, 6)
    for source in (NewHigh(63), All(MACross(10, 50), Condition(RSI(14), "<=", 70))):
        study = run_event_study(close, EventRules(source=source, start="1981-01-01", min_gap=21), HORIZONS)
        assert path_null_unavailable(study) is None
        paths = bootstrap_path_tests(study, n_paths=40, seed=1)
        assert paths.event_counts.shape == (40, 2) and paths.event_counts.sum() > 0


def test_a_filtered_subset_never_gets_the_null_of_the_unfiltered_rule() -> None:
    study = run_event_study(walk(4000, 3), EventRules(source=MACross(20, 100), start="1981-01-01"), HORIZONS)
    mask = np.arange(study.n_events) % 2 == 0
    subset = study.subset(mask)
    assert subset.is_subset and not study.is_subset
    assert "filtered subset" in path_null_unavailable(subset)
    with pytest.raises(ParameterError, match="n_paths=0"):
        analyze_events(subset, n_draws=500, n_paths=10)
    # even when the subset holds as many events as a rule would find elsewhere: the flag decides
    assert study.subset(np.ones(study.n_events, dtype=bool)).is_subset


def test_random_entry_alone_decides_question_b_for_exogenous_sources() -> None:
    supported = relative_verdict(
        n=30, random_entry_pvalue_holm=0.01, bootstrap_path_pvalue_holm=None, path_null_applies=False
    )
    rejected = relative_verdict(
        n=30, random_entry_pvalue_holm=0.4, bootstrap_path_pvalue_holm=None, path_null_applies=False
    )
    assert supported.outcome == SUPPORTED and rejected.outcome == NOT_SUPPORTED
    # for a price-path source a missing path test still keeps B from "supported"
    assert relative_verdict(n=30, random_entry_pvalue_holm=0.01, bootstrap_path_pvalue_holm=None).outcome != SUPPORTED


def test_a_hand_built_table_never_borrows_the_null_of_its_rules() -> None:
    import dataclasses

    study = run_event_study(walk(4000, 3), EventRules(source=MACross(20, 100), start="1981-01-01"), HORIZONS)
    assert path_null_unavailable(study) is None
    # more events than the rule finds, put together by hand under the rule's name
    shifted = study.table.iloc[:3].assign(
        event_pos=study.table["event_pos"].iloc[:3] + 1, entry_pos=study.table["entry_pos"].iloc[:3] + 1
    )
    extra = pd.concat([study.table, shifted]).sort_values("event_pos", kind="stable")
    hand_built = dataclasses.replace(study, table=extra.reset_index(drop=True))
    assert "hand-built" in path_null_unavailable(hand_built)
    result = analyze_events(hand_built, n_draws=500, n_paths=10, seed=2, n_resamples=99)
    assert result.bootstrap is None and "hand-built" in result.path_null_skipped
