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


def test_timed_event_applies_confirmation_window_and_gap() -> None:
    state = np.array([False, True, True, False, True, True, True])
    assert events_nb.timed_event_nb(state, 7, 0, 0, 6, 2, 0, -1) == 2
    assert events_nb.timed_event_nb(state, 7, 1, 0, 6, 2, 0, -1) == -1  # fails back on day 3
    assert events_nb.timed_event_nb(state, 7, 3, 0, 4, 2, 0, -1) == -1  # dated after last_pos
    assert events_nb.timed_event_nb(state, 7, 4, 0, 6, 0, 5, 0) == -1  # within min_gap of day 0
    assert events_nb.timed_event_nb(state, 7, 6, 0, 6, 1, 0, -1) == -1  # past the data end
