"""Split and merge: any pair blocks, replication blocks and task order give the result of
one block, bit for bit (Reality Check / SPA p-values and the Romano-Wolf stepdown included)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.errors import ParameterError
from backtest.events import DEFAULT_HORIZONS, EventRules, calendar_month_horizons
from backtest.sweep import SweepGrid, run_sweep
from backtest.sweep.engine import event_count_blocks
from backtest.sweep.executors import LocalExecutor, SweepExecutor
from backtest.sweep.plan import plan_blocks
from backtest.sweep.snooping import (
    bootstrap_block,
    finish_snooping,
    prepare_snooping,
    replication_blocks,
    snooping_test,
)
from tests.sweep.conftest import cycles, random_walk
from tests.sweep.test_snooping import grid_problem

GRID = SweepGrid.from_ranges("3:30:3", "20:80:10")


def assert_same_sweep(expected, actual):
    """Every number of two sweeps, exactly (NaN where NaN), and the same tests."""
    pd.testing.assert_frame_equal(expected.table, actual.table, check_exact=True)
    np.testing.assert_array_equal(expected.events.events, actual.events.events)
    np.testing.assert_array_equal(expected.events.offsets, actual.events.offsets)
    assert expected.to_dict() == actual.to_dict()
    assert expected.summary() == actual.summary()


def assert_same_inference(one, other):
    (test_a, inference_a), (test_b, inference_b) = one, other
    assert test_a.to_dict() == test_b.to_dict()
    for name in ("statistic", "standard_error", "romano_wolf_pvalue", "survives", "in_family"):
        np.testing.assert_array_equal(getattr(inference_a, name), getattr(inference_b, name))


@pytest.fixture(scope="module")
def signal():
    return cycles()


@pytest.fixture(scope="module")
def reference(signal):
    result = run_sweep(signal, GRID, EventRules(), DEFAULT_HORIZONS[:2], reps=160, seed=3, reference=(6, 30))
    # A meaningful comparison: the stepdown keeps some pairs and rejects others.
    kept = [test.n_survivors for test in result.tests]
    assert all(0 < k < test.n for k, test in zip(kept, result.tests, strict=True)), kept
    return result


@pytest.mark.parametrize(("pair_block", "rep_block"), [(1, 32), (7, 64), (64, 96), (None, 32), (10, None)])
def test_blocks_of_pairs_and_replications_change_nothing(signal, reference, pair_block, rep_block):
    result = run_sweep(
        signal,
        GRID,
        EventRules(),
        DEFAULT_HORIZONS[:2],
        reps=160,
        seed=3,
        reference=(6, 30),
        executor=LocalExecutor(),
        pair_block=pair_block,
        rep_block=rep_block,
    )
    assert_same_sweep(reference, result)


def test_blocks_with_studentised_month_horizons_and_a_family_floor():
    walk = random_walk(1800, seed=5)
    options = dict(
        rules=EventRules(start="1991-01-01", confirm=1),
        horizons=calendar_month_horizons((1, 3)),
        reps=100,
        seed=11,
        studentize=True,
        min_events=4,
        null_draws=150,
    )
    whole = run_sweep(walk, GRID, **options)
    split = run_sweep(walk, GRID, **options, executor=LocalExecutor(), pair_block=9, rep_block=32)
    assert_same_sweep(whole, split)


class ShuffledExecutor(SweepExecutor):
    """Tasks run on threads and finish in a random order; results are returned in order.
    Stands in for a cluster whose workers finish whenever they finish."""

    kind = "shuffled"

    def __init__(self, slots: int, seed: int) -> None:
        self._slots = slots
        self._random = random.Random(seed)

    @property
    def slots(self) -> int:
        return self._slots

    def map(self, function, arguments, window=None):
        tasks = list(arguments)
        order = list(range(len(tasks)))
        self._random.shuffle(order)
        results = [None] * len(tasks)
        with ThreadPoolExecutor(self._slots) as pool:
            futures = {pool.submit(function, *tasks[i]): i for i in order}
            for future, i in futures.items():
                results[i] = future.result()
        return iter(results)


@pytest.mark.parametrize("slots", [2, 3])
def test_any_task_order_and_slot_count_give_the_same_sweep(signal, reference, slots):
    result = run_sweep(
        signal,
        GRID,
        EventRules(),
        DEFAULT_HORIZONS[:2],
        reps=160,
        seed=3,
        reference=(6, 30),
        executor=ShuffledExecutor(slots, seed=slots),
    )
    assert_same_sweep(reference, result)


@pytest.fixture(scope="module")
def problem(signal):
    found, n_complete, excess, first_pos = grid_problem(signal, GRID, EventRules(), DEFAULT_HORIZONS[0])
    return found, n_complete, excess, first_pos


@settings(max_examples=15, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 6), min_size=0, max_size=5),
    shuffle_seed=st.integers(0, 1000),
    studentize=st.booleans(),
)
def test_romano_wolf_on_merged_blocks_equals_one_block(problem, cuts, shuffle_seed, studentize):
    found, n_complete, excess, first_pos = problem
    reps = 192
    args = (found.events, found.offsets, n_complete, excess, first_pos)
    options = dict(pairs=found.pairs, reps=reps, seed=4, mean_block=20.0, studentize=studentize)
    whole = snooping_test(*args, **options)
    setup = prepare_snooping(*args, **options)
    # Block edges at multiples of 32 chosen by hypothesis; blocks merged in a shuffled order.
    edges = sorted({0, reps, *(32 * c for c in cuts if 32 * c < reps)})
    blocks = [bootstrap_block(found.events, found.offsets, setup, a, b) for a, b in zip(edges, edges[1:])]
    random.Random(shuffle_seed).shuffle(blocks)
    assert_same_inference(whole, finish_snooping(setup, blocks))


def test_blocks_of_given_resamples_equal_one_block(problem):
    found, n_complete, excess, first_pos = problem
    rng = np.random.default_rng(0)
    indices = rng.integers(0, len(excess), size=(100, len(excess)))
    args = (found.events, found.offsets, n_complete, excess, first_pos)
    assert_same_inference(
        snooping_test(*args, indices=indices, mean_block=10.0),
        snooping_test(*args, indices=indices, mean_block=10.0, rep_block=32),
    )


def test_merge_refuses_missing_or_overlapping_blocks(problem):
    found, n_complete, excess, first_pos = problem
    setup = prepare_snooping(found.events, found.offsets, n_complete, excess, first_pos, reps=96, seed=1)
    first, second, third = (
        bootstrap_block(found.events, found.offsets, setup, a, b) for a, b in replication_blocks(96, 32)
    )
    with pytest.raises(ValueError, match="do not cover"):
        finish_snooping(setup, [first, third])
    with pytest.raises(ValueError, match="do not cover"):
        finish_snooping(setup, [first, first, second, third])
    with pytest.raises(ParameterError, match="multiple of 32"):
        bootstrap_block(found.events, found.offsets, setup, 16, 48)


def test_replication_blocks():
    assert replication_blocks(100) == [(0, 100)]
    assert replication_blocks(100, 32) == [(0, 32), (32, 64), (64, 96), (96, 100)]
    assert replication_blocks(64, 64) == [(0, 64)]
    assert replication_blocks(0) == []
    with pytest.raises(ParameterError, match="rep_block"):
        replication_blocks(100, 40)


@given(counts=st.lists(st.integers(0, 60), min_size=1, max_size=80), n_blocks=st.integers(1, 6))
def test_event_count_blocks_cover_every_count_once(counts, n_blocks):
    n_complete = np.array(counts)
    blocks = event_count_blocks(n_complete, n_blocks)
    joined = np.concatenate(blocks) if blocks else np.zeros(0, dtype=n_complete.dtype)
    np.testing.assert_array_equal(joined, np.unique(n_complete[n_complete > 0]))
    assert len(blocks) <= n_blocks


def test_plan_blocks():
    whole = plan_blocks(n_series=8, n_pairs=1000, reps=1000, slots=4)
    assert whole.whole_series and whole.pair_block == 1000
    split = plan_blocks(n_series=1, n_pairs=1000, reps=1000, slots=4)
    assert not split.whole_series and split.pair_block == 250 and split.rep_block == 256 and split.null_blocks == 4
    assert not plan_blocks(n_series=1, n_pairs=1000, reps=1000, slots=1).whole_series
    given_sizes = plan_blocks(n_series=3, n_pairs=1000, reps=1000, slots=8, pair_block=100, rep_block=320)
    assert (given_sizes.pair_block, given_sizes.rep_block, given_sizes.null_blocks) == (100, 320, 10)
    with pytest.raises(ParameterError, match="pair_block"):
        plan_blocks(1, 10, 10, 2, pair_block=0)
    with pytest.raises(ParameterError, match="rep_block must be a multiple of 32"):
        plan_blocks(1, 10, 100, 2, rep_block=50)
