"""``backtest.threads.run_in_threads``: every item once, at most one range per thread."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from backtest.threads import run_in_threads


@pytest.mark.parametrize("n_items, threads", [(0, 2), (1, 2), (7, 1), (7, 2), (1000, 3)])
def test_run_in_threads_covers_every_item_once(n_items, threads) -> None:
    before = numba.get_num_threads()
    seen = np.zeros(n_items, dtype=np.int64)
    calls = []

    def work(start: int, stop: int) -> None:
        calls.append((start, stop))
        seen[start:stop] += 1

    try:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        run_in_threads(n_items, work)
    finally:
        numba.set_num_threads(before)
    assert (seen == 1).all()
    assert len(calls) <= max(1, min(threads, numba.config.NUMBA_NUM_THREADS))
