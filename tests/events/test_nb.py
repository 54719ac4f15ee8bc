"""The shared timing kernel (``backtest.events.nb.select_events_nb``) against its readable twin."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.events import nb as events_nb


def select_events_twin(trigger, state, first_pos, last_pos, confirm, min_gap):
    """Readable twin: a trigger on t becomes an event on t + confirm when the state holds on
    t+1 .. t+confirm, the event lies in [first_pos, last_pos] and is more than min_gap days
    after the previous kept one."""
    n = len(trigger)
    events, triggers = [], []
    for t in np.flatnonzero(trigger):
        event = t + confirm
        if event >= n or not first_pos <= event <= last_pos:
            continue
        if not all(state[t + 1 : event + 1]):
            continue
        if min_gap and events and event - events[-1] <= min_gap:
            continue
        events.append(event)
        triggers.append(t)
    return np.array(events, dtype=np.int64), np.array(triggers, dtype=np.int64)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 300),
    confirm=st.integers(0, 5),
    min_gap=st.integers(0, 30),
    bounds=st.tuples(st.floats(0, 1), st.floats(0, 1)),
)
def test_select_events_matches_twin(seed, n, confirm, min_gap, bounds) -> None:
    rng = np.random.default_rng(seed)
    trigger = rng.random(n) < 0.1
    state = rng.random(n) < 0.8
    first_pos, last_pos = sorted(int(b * n) for b in bounds)
    got = events_nb.select_events_nb(trigger, state, first_pos, last_pos, confirm, min_gap)
    expected = select_events_twin(trigger, state, first_pos, last_pos, confirm, min_gap)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


def test_count_only_mode_writes_nothing() -> None:
    trigger = np.array([False, True, False, True, True])
    state = np.ones(5, dtype=bool)
    empty = np.empty(0, dtype=np.int64)
    assert events_nb.select_events_into_nb(trigger, state, 0, 4, 0, 0, empty, empty, 0, False) == 3
