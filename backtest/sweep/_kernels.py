"""Numba kernels of the parameter sweep: plain arrays in and out, no pandas.

Events of every (fast, slow) pair are found by one pass per pair over two precomputed
averages and stored sparse (ragged: ``events[offsets[p]:offsets[p + 1]]``), so that every
later statistic costs O(events) per pair, never O(days). Readable twins live in
``tests/sweep/_twins.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from backtest.events.nb import timed_event_nb
from backtest.signals.nb import GOLDEN
from backtest.stats.nb import median_inplace_nb as _median_nb
from backtest.stats.nb import order_three_nb, stationary_bootstrap_indices_nb

# ---------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------


# Days per block of the cross scan (see ``_count_and_mark``).
CROSS_BLOCK = 32


@njit(cache=True, nogil=True)
def _count_crosses(above: np.ndarray, below: np.ndarray, t_lo: int, t_hi: int) -> int:
    """Days t in t_lo..t_hi (t_lo >= 1) with above[t] > below[t] but not on t-1.

    The comparisons are read through slices indexed from 0: with the raw positions numba
    cannot prove the index non-negative and guards every read for wrap-around, which turns
    the loads into gathers; through slices the loop is a vectorised sum, ~3x the scalar scan.
    """
    if t_hi < t_lo:
        return 0
    before_above = above[t_lo - 1 : t_hi]
    before_below = below[t_lo - 1 : t_hi]
    today_above = above[t_lo : t_hi + 1]
    today_below = below[t_lo : t_hi + 1]
    hits = 0
    for i in range(today_above.shape[0]):
        hits += int(today_above[i] > today_below[i]) > int(before_above[i] > before_below[i])
    return hits


@njit(cache=True, nogil=True)
def mark_words(n_days: int) -> int:
    """uint64 words of one pair's block marks (one bit per CROSS_BLOCK days)."""
    return (n_days // CROSS_BLOCK + 63) // 64


@njit(cache=True, nogil=True)
def _count_and_mark(above: np.ndarray, below: np.ndarray, t_lo: int, t_hi: int, marks: np.ndarray) -> int:
    """``_count_crosses``, also setting bit i of ``marks`` (uint64 words) for every block i of
    CROSS_BLOCK days from t_lo that holds a cross (the days after the last whole block are
    not marked: ``_fill_marked`` always scans them)."""
    if t_hi < t_lo:
        return 0
    before_above = above[t_lo - 1 : t_hi]
    before_below = below[t_lo - 1 : t_hi]
    today_above = above[t_lo : t_hi + 1]
    today_below = below[t_lo : t_hi + 1]
    n = today_above.shape[0]
    total = 0
    n_blocks = n // CROSS_BLOCK
    for block in range(n_blocks):
        lo = block * CROSS_BLOCK
        x1 = today_above[lo : lo + CROSS_BLOCK]
        y1 = today_below[lo : lo + CROSS_BLOCK]
        x0 = before_above[lo : lo + CROSS_BLOCK]
        y0 = before_below[lo : lo + CROSS_BLOCK]
        hits = 0
        for i in range(CROSS_BLOCK):
            hits += int(x1[i] > y1[i]) > int(x0[i] > y0[i])
        if hits:
            marks[block >> 6] |= np.uint64(1) << np.uint64(block & 63)
            total += hits
    for i in range(n_blocks * CROSS_BLOCK, n):
        total += int(today_above[i] > today_below[i]) > int(before_above[i] > before_below[i])
    return total


@njit(cache=True, nogil=True)
def _fill_marked(
    above: np.ndarray,
    below: np.ndarray,
    t_lo: int,
    t_hi: int,
    marks: np.ndarray,
    scratch: np.ndarray,
    out: np.ndarray,
    out_start: int,
) -> int:
    """The crosses ``_count_and_mark`` counted, written to out[out_start:] in date order:
    only the marked blocks (and the days after the last whole block) are scanned. The scan
    stores every day it passes (branch-free), so it writes to ``scratch`` (at least
    t_hi - t_lo + 2 long), never past the pair's own slots of ``out``."""
    if t_hi < t_lo:
        return 0
    before_above = above[t_lo - 1 : t_hi]
    before_below = below[t_lo - 1 : t_hi]
    today_above = above[t_lo : t_hi + 1]
    today_below = below[t_lo : t_hi + 1]
    n = today_above.shape[0]
    n_blocks = n // CROSS_BLOCK
    count = 0
    for word in range(marks.shape[0]):
        bits = marks[word]
        if bits == 0:
            continue
        for bit in range(64):
            if (bits >> np.uint64(bit)) & np.uint64(1):
                lo = (word * 64 + bit) * CROSS_BLOCK
                for i in range(lo, lo + CROSS_BLOCK):
                    scratch[count] = t_lo + i
                    count += int(today_above[i] > today_below[i]) > int(before_above[i] > before_below[i])
    for i in range(n_blocks * CROSS_BLOCK, n):
        scratch[count] = t_lo + i
        count += int(today_above[i] > today_below[i]) > int(before_above[i] > before_below[i])
    for i in range(count):
        out[out_start + i] = scratch[i]
    return count


@njit(cache=True, nogil=True)
def _scan_crosses(above: np.ndarray, below: np.ndarray, t_lo: int, t_hi: int, scratch: np.ndarray) -> int:
    """The crosses of ``_count_crosses`` written to scratch[0..count) in date order: the
    blocks holding one are marked (``_count_and_mark``), then only those are scanned
    (``_fill_marked``, which writes through ``scratch`` onto itself). Crosses are rare (about
    one day in three hundred on the grid), so few blocks are scanned day by day."""
    if t_hi < t_lo:
        return 0
    marks = np.zeros(mark_words(t_hi - t_lo + 1), dtype=np.uint64)
    _count_and_mark(above, below, t_lo, t_hi, marks)
    return _fill_marked(above, below, t_lo, t_hi, marks, scratch, scratch, 0)


@njit(cache=True, nogil=True)
def _pair_events(
    above: np.ndarray,
    below: np.ndarray,
    t_lo: int,
    t_hi: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
    scratch: np.ndarray,
    out: np.ndarray,
    out_start: int,
    write: bool,
) -> int:
    """Events of one pair whose condition is ``above[t] > below[t]`` (fast and slow, swapped
    for a death cross): its crosses, then the timing rules every source shares
    (``backtest.events.nb.timed_event_nb``, inlined here).

    A cross on t (beyond on t, not beyond on t-1) is a trigger for t in t_lo..t_hi (the
    caller puts t_lo-1 past both warm-ups, so the comparisons are exactly those of
    ``backtest.signals.nb.crossings_nb`` and ``beyond_nb``); the state a confirmation reads
    is the same strict comparison, filled once over the span when ``confirm`` > 0.
    ``scratch`` (at least t_hi - t_lo + 2 long) receives the crosses first.
    """
    n = above.shape[0]
    crosses = _scan_crosses(above, below, t_lo, t_hi, scratch)
    if confirm > 0:
        # only a confirmation reads the state of later days: fill it once over the span
        state = np.empty(n, dtype=np.bool_)
        for t in range(t_lo - 1, min(n - 1, t_hi + confirm) + 1):
            state[t] = above[t] > below[t]
    else:
        state = np.empty(0, dtype=np.bool_)
    count = 0
    last_kept = -1
    for i in range(crosses):
        event_pos = timed_event_nb(state, n, scratch[i], first_pos, last_pos, confirm, min_gap, last_kept)
        if event_pos >= 0:
            if write:
                out[out_start + count] = event_pos
            count += 1
            last_kept = event_pos
    return count


@njit(cache=True, nogil=True)
def _candidate_span(
    first_defined: np.ndarray, fast_row: int, slow_row: int, n: int, first_pos: int, last_pos: int, confirm: int
) -> tuple[int, int]:
    # A cross on t needs both averages on t-1; its event t+confirm must lie in
    # [first_pos, min(last_pos, n-1)].
    t_lo = max(first_defined[fast_row], first_defined[slow_row]) + 1
    t_lo = max(t_lo, first_pos - confirm, 1)
    t_hi = min(last_pos, n - 1) - confirm
    return t_lo, t_hi


# Pairs per parallel task: enough to amortise the task's scratch buffers, small enough to
# balance two to a few dozen threads on grids of a few thousand pairs or more.
PAIR_CHUNK = 64
# Windows per side of a tile of pairs: a task reads TILE fast and TILE slow averages
# (16 rows of 8 bytes x days: 1.5 MB for 12,000 days) for up to TILE x TILE pairs, so the
# averages come from cache instead of from memory once per pair (the grid's 28 MB of
# averages would otherwise stream from memory twice per pair: count and fill).
TILE = 8


def pair_order(fast_rows: np.ndarray, slow_rows: np.ndarray) -> np.ndarray:
    """Visiting order of the pairs: grouped by tiles of TILE fast x TILE slow windows."""
    return np.lexsort((slow_rows, fast_rows, slow_rows // TILE, fast_rows // TILE)).astype(np.int64)


@njit(cache=True, nogil=True, parallel=True)
def _grid_events(
    averages: np.ndarray,
    first_defined: np.ndarray,
    fast_rows: np.ndarray,
    slow_rows: np.ndarray,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
    offsets: np.ndarray,
    order: np.ndarray,
    write: bool,
    marks: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    # One pass of the two-pass ragged layout: counts (write=False) or events (write=True).
    # Pairs are visited in ``order`` (tiles of windows, see ``pair_order``) and written by
    # their own index, so the order changes the speed, never the result.
    # Without confirmation or de-clustering every cross in the span is an event (the span
    # lies inside the detection window). Then the count pass needs no positions and marks
    # in ``marks[p]`` (zeros, [n_pairs, mark_words(n)]) the blocks of days holding a cross,
    # and the fill pass scans only those (about one block in ten on the grid), given marks
    # (an empty ``marks`` makes the fill pass scan every block).
    plain = confirm == 0 and min_gap == 0
    marked = marks.shape[0] == fast_rows.shape[0] and marks.shape[1] >= mark_words(averages.shape[1])
    n = averages.shape[1]
    n_pairs = fast_rows.shape[0]
    counts = np.zeros(n_pairs, dtype=np.int64)
    events = np.empty(offsets[n_pairs] if write else 0, dtype=np.int64)
    n_chunks = (n_pairs + PAIR_CHUNK - 1) // PAIR_CHUNK
    golden = direction == GOLDEN
    for c in prange(n_chunks):
        scratch = np.empty(n + 1, dtype=np.int64)
        for j in range(c * PAIR_CHUNK, min(n_pairs, (c + 1) * PAIR_CHUNK)):
            p = order[j]
            t_lo, t_hi = _candidate_span(first_defined, fast_rows[p], slow_rows[p], n, first_pos, last_pos, confirm)
            if t_hi < t_lo:
                continue
            fast = averages[fast_rows[p]]
            slow = averages[slow_rows[p]]
            above, below = (fast, slow) if golden else (slow, fast)
            if plain and not write:
                counts[p] = (
                    _count_and_mark(above, below, t_lo, t_hi, marks[p])
                    if marked
                    else _count_crosses(above, below, t_lo, t_hi)
                )
                continue
            if plain and marked:
                counts[p] = _fill_marked(above, below, t_lo, t_hi, marks[p], scratch, events, offsets[p])
                continue
            counts[p] = _pair_events(
                above,
                below,
                t_lo,
                t_hi,
                first_pos,
                last_pos,
                confirm,
                min_gap,
                scratch,
                events,
                offsets[p] if write else 0,
                write,
            )
    return counts, events


def count_events_nb(
    averages: np.ndarray,
    first_defined: np.ndarray,
    fast_rows: np.ndarray,
    slow_rows: np.ndarray,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
    marks: np.ndarray | None = None,
) -> np.ndarray:
    """Number of events of each pair (fast average ``averages[fast_rows[p]]`` against
    ``averages[slow_rows[p]]``); first pass of the two-pass ragged layout. ``marks`` (zeros,
    uint64[n_pairs, mark_words(days)]) receives the blocks of days ``fill_events_nb`` must
    scan (used when the rules have neither confirmation nor de-clustering)."""
    offsets = np.zeros(1, dtype=np.int64)
    order = pair_order(fast_rows, slow_rows)
    return _grid_events(
        averages,
        first_defined,
        fast_rows,
        slow_rows,
        direction,
        first_pos,
        last_pos,
        confirm,
        min_gap,
        offsets,
        order,
        False,
        np.zeros((0, 0), dtype=np.uint64) if marks is None else marks,
    )[0]


def fill_events_nb(
    averages: np.ndarray,
    first_defined: np.ndarray,
    fast_rows: np.ndarray,
    slow_rows: np.ndarray,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
    offsets: np.ndarray,
    marks: np.ndarray | None = None,
) -> np.ndarray:
    """Event positions of every pair, concatenated: pair p owns
    ``events[offsets[p]:offsets[p + 1]]`` (sorted). ``marks``: those ``count_events_nb``
    filled, if any (then only the marked blocks of days are scanned)."""
    order = pair_order(fast_rows, slow_rows)
    return _grid_events(
        averages,
        first_defined,
        fast_rows,
        slow_rows,
        direction,
        first_pos,
        last_pos,
        confirm,
        min_gap,
        offsets,
        order,
        True,
        np.zeros((0, 0), dtype=np.uint64) if marks is None else marks,
    )[1]


def grid_events(
    averages: np.ndarray,
    first_defined: np.ndarray,
    fast_rows: np.ndarray,
    slow_rows: np.ndarray,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, events) of every pair: both passes, the fill scanning only the blocks of
    days the count marked (the same events as ``fill_events_nb`` without marks)."""
    args = (averages, first_defined, fast_rows, slow_rows, direction, first_pos, last_pos, confirm, min_gap)
    marks = np.zeros((fast_rows.shape[0], mark_words(averages.shape[1])), dtype=np.uint64)
    counts = count_events_nb(*args, marks)
    offsets = np.zeros(fast_rows.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets, fill_events_nb(*args, offsets, marks)


# ---------------------------------------------------------------------------------------
# Per-pair descriptive statistics
# ---------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _block_sum(values: np.ndarray, lo: int, n: int) -> float:
    # NumPy's leaf: a plain loop below 8 values, else eight interleaved accumulators.
    if n < 8:
        total = -0.0
        for i in range(n):
            total += values[lo + i]
        return total
    r0 = values[lo]
    r1 = values[lo + 1]
    r2 = values[lo + 2]
    r3 = values[lo + 3]
    r4 = values[lo + 4]
    r5 = values[lo + 5]
    r6 = values[lo + 6]
    r7 = values[lo + 7]
    whole = n - n % 8
    for i in range(8, whole, 8):
        r0 += values[lo + i]
        r1 += values[lo + i + 1]
        r2 += values[lo + i + 2]
        r3 += values[lo + i + 3]
        r4 += values[lo + i + 4]
        r5 += values[lo + i + 5]
        r6 += values[lo + i + 6]
        r7 += values[lo + i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(whole, n):
        total += values[lo + i]
    return total


@njit(cache=True, nogil=True)
def pairwise_sum_nb(values: np.ndarray, lo: int, n: int) -> float:
    """Sum of values[lo:lo+n] in NumPy's pairwise order (leaves of at most 128 values with
    eight accumulators, split in halves rounded to 8), so that sum / n is bit-identical to
    ``np.mean`` and pandas' ``Series.mean``. Written with an explicit stack: numba's cache
    cannot reload self-recursive functions."""
    if n <= 128:
        return _block_sum(values, lo, n)
    stack_lo = np.empty(64, dtype=np.int64)
    stack_n = np.empty(64, dtype=np.int64)
    stack_stage = np.zeros(64, dtype=np.int64)
    stack_left = np.empty(64)
    top = 0
    stack_lo[0] = lo
    stack_n[0] = n
    result = 0.0
    while top >= 0:
        start = stack_lo[top]
        size = stack_n[top]
        if size <= 128:
            result = _block_sum(values, start, size)
            top -= 1
            continue
        half = size // 2
        half -= half % 8
        stage = stack_stage[top]
        if stage == 0:
            stack_stage[top] = 1
            top += 1
            stack_lo[top] = start
            stack_n[top] = half
            stack_stage[top] = 0
        elif stage == 1:
            stack_left[top] = result
            stack_stage[top] = 2
            top += 1
            stack_lo[top] = start + half
            stack_n[top] = size - half
            stack_stage[top] = 0
        else:
            result = stack_left[top] + result
            top -= 1
    return result


# Largest count whose median uses the branch-free selection (``median_select_nb``); larger
# samples use the shared Hoare quickselect, which cannot degrade to O(k²) on many ties.
BRANCH_FREE_MEDIAN = 256


@njit(cache=True, nogil=True)
def median_select_nb(values: np.ndarray, k: int) -> float:
    """Median of values[0:k] (reordering them), exact like ``np.median`` (selection only
    moves values): the same number as ``backtest.stats.nb.median_inplace_nb``, faster on
    the small samples of a grid's pairs.

    Quickselect with a branch-free Lomuto partition: every element is swapped and the
    boundary advances by the comparison's 0 or 1, so the partition loop has no branch to
    mispredict (Hoare's inner loops mispredict about once per element on random returns,
    which made the median ~85% of the per-pair statistics). Samples longer than
    BRANCH_FREE_MEDIAN go to the shared quickselect."""
    if k > BRANCH_FREE_MEDIAN:
        return _median_nb(values, k)
    rank = k // 2
    lo = 0
    hi = k - 1
    while hi > lo:
        mid = (lo + hi) // 2
        order_three_nb(values, lo, mid, hi)  # median of three as the pivot, parked at hi below
        pivot = values[mid]
        values[mid] = values[hi]
        values[hi] = pivot
        store = lo
        for i in range(lo, hi):
            v = values[i]
            values[i] = values[store]
            values[store] = v
            store += v < pivot
        values[hi] = values[store]
        values[store] = pivot
        if store == rank:
            break
        if rank < store:
            hi = store - 1
        else:
            lo = store + 1
    upper = values[rank]
    if k % 2 == 1:
        return upper
    # every value left of the selected one is at most it: the lower middle is their maximum
    lower = values[0]
    for i in range(1, rank):
        if values[i] > lower:
            lower = values[i]
    return (lower + upper) / 2.0


@njit(cache=True, nogil=True, parallel=True)
def pair_statistics_nb(
    events: np.ndarray, offsets: np.ndarray, forward: np.ndarray, entry_lag: int, last_complete: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per pair: complete events, mean, median and hit rate of the forward returns.

    ``forward[t]`` is the forward return of an entry at position t; an event at e is
    complete when e <= ``last_complete`` (events are sorted, so complete events are a prefix
    of each pair's list). Empty pairs give NaN. The mean is NumPy's pairwise sum in event
    order over k (bit-identical to ``np.mean``); the median a quickselect (exact).
    """
    n_pairs = offsets.shape[0] - 1
    n_complete = np.zeros(n_pairs, dtype=np.int64)
    mean = np.full(n_pairs, np.nan)
    median = np.full(n_pairs, np.nan)
    hit_rate = np.full(n_pairs, np.nan)
    n_chunks = (n_pairs + PAIR_CHUNK - 1) // PAIR_CHUNK
    for c in prange(n_chunks):
        last = min(n_pairs, (c + 1) * PAIR_CHUNK)
        widest = 0
        for p in range(c * PAIR_CHUNK, last):
            widest = max(widest, offsets[p + 1] - offsets[p])
        values = np.empty(widest)  # one buffer per chunk, not one per pair
        for p in range(c * PAIR_CHUNK, last):
            lo = offsets[p]
            hi = offsets[p + 1]
            k = 0
            while lo + k < hi and events[lo + k] <= last_complete:
                k += 1
            n_complete[p] = k
            if k == 0:
                continue
            hits = 0
            for i in range(k):
                value = forward[events[lo + i] + entry_lag]
                values[i] = value
                if value > 0.0:
                    hits += 1
            mean[p] = pairwise_sum_nb(values, 0, k) / k
            hit_rate[p] = hits / k
            median[p] = median_select_nb(values, k)
    return n_complete, mean, median, hit_rate


# ---------------------------------------------------------------------------------------
# Random-entry p-values
# ---------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _before(a: float, b: float) -> bool:
    # NumPy's sort order: a sorts before b (NaN last, after every number).
    return a < b or (b != b and a == a)


@njit(cache=True, nogil=True, parallel=True)
def searchsorted_rows_nb(table: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.searchsorted(table[rows[i]], values[i], side="left")`` for every i: the number of
    entries of that (sorted) row that sort before values[i]. One binary search per value,
    where a loop over rows in Python scanned every pair once per distinct row."""
    n = values.shape[0]
    width = table.shape[1]
    out = np.empty(n, dtype=np.int64)
    for i in prange(n):
        row = table[rows[i]]
        value = values[i]
        lo = 0
        hi = width
        while lo < hi:
            mid = (lo + hi) >> 1
            if _before(row[mid], value):
                lo = mid + 1
            else:
                hi = mid
        out[i] = lo
    return out


# ---------------------------------------------------------------------------------------
# Data-snooping bootstrap
# ---------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def lag_weights_nb(n_days: int, mean_block: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The stationary bootstrap's lag weights over ``n_days`` days: κ(i) (κ(0) = 0), their
    prefix sums K(j) = Σ_{i=1..j} κ(i) and Q = Σ_i κ(i)(T - i) (see ``long_run_variances_nb``)."""
    q = 1.0 / mean_block
    kappa = np.zeros(n_days)
    for i in range(1, n_days):
        kappa[i] = (1.0 - i / n_days) * (1.0 - q) ** i + (i / n_days) * (1.0 - q) ** (n_days - i)
    cumulative = np.zeros(n_days)
    weighted = 0.0
    for i in range(1, n_days):
        cumulative[i] = cumulative[i - 1] + kappa[i]
        weighted += kappa[i] * (n_days - i)
    return kappa, cumulative, weighted


@njit(cache=True, nogil=True, parallel=True)
def long_run_variances_nb(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    excess: np.ndarray,
    first_pos: int,
    mean_block: float,
) -> np.ndarray:
    """Per pair, the stationary-bootstrap long-run variance of d_p[t] = (T/k)·1{t∈E_p}·y_t
    (T = len(excess) eligible days, y = excess return), the estimator of Hansen (2005,
    eq. 8) and of ``arch.bootstrap.SPA._compute_variance``:

        var = (1/T) Σ_t d̃_t² + (2/T) Σ_{i≥1} κ(i) Σ_t d̃_t d̃_{t+i},   d̃ = d - mean(d),
        κ(i) = (1 - i/T)(1-q)^i + (i/T)(1-q)^(T-i),   q = 1/mean_block.

    Expanding the demeaned products leaves sums over event pairs and prefix sums of κ, so
    the cost is O(k²) per pair instead of O(T²).
    """
    n_days = excess.shape[0]
    kappa, cumulative, weighted = lag_weights_nb(n_days, mean_block)
    n_pairs = offsets.shape[0] - 1
    out = np.full(n_pairs, np.nan)
    for p in prange(n_pairs):
        k = n_complete[p]
        if k == 0:
            continue
        lo = offsets[p]
        scale = n_days / k
        total = 0.0
        squares = 0.0
        edge = 0.0
        cross = 0.0
        for a in range(k):
            row = events[lo + a] - first_pos
            value = excess[row]
            total += value
            squares += value * value
            edge += value * (cumulative[row] + cumulative[n_days - 1 - row])
            for b in range(a + 1, k):
                other = events[lo + b] - first_pos
                cross += value * excess[other] * kappa[other - row]
        mean = total / k  # = mean of d over the T days
        variance = (
            scale * scale * squares
            - n_days * mean * mean
            + 2.0 * (scale * scale * cross - mean * scale * edge + mean * mean * weighted)
        ) / n_days
        out[p] = variance
    return out


# Horizons whose O(k²) sums run side by side in ``horizon_long_run_variances_nb``.
HORIZON_GROUP = 5


@njit(cache=True, nogil=True, parallel=True)
def horizon_long_run_variances_nb(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    excess: np.ndarray,
    n_days: np.ndarray,
    first_pos: int,
    kappa: np.ndarray,
    cumulative: np.ndarray,
    weighted: np.ndarray,
) -> np.ndarray:
    """``long_run_variances_nb`` of HORIZON_GROUP horizons at once, bit for bit:
    float64[HORIZON_GROUP, n_pairs].

    Horizon h has ``n_days[h]`` eligible days from ``first_pos``, excess returns
    ``excess[:n_days[h], h]``, lag weights ``kappa[:, h]``, ``cumulative[:, h]`` and
    ``weighted[h]`` (``lag_weights_nb``; day-major [T_max, HORIZON_GROUP] arrays,
    zero-padded, so one cache line holds a day of every horizon) and ``n_complete[h, p]``
    complete events.

    Why: the O(k²) sum over event pairs is one chain of dependent additions per pair and
    horizon (its order fixes the bits), so one horizon at a time waits on the adder's
    latency at every term. The horizons' chains are independent: five scalar accumulators
    walked together over the pair's events (which every horizon shares) keep the adder busy,
    each chain in its own order. Events a horizon lacks (pending at the end) are handled
    after the common prefix, horizon by horizon.
    """
    n_pairs = offsets.shape[0] - 1
    out = np.full((HORIZON_GROUP, n_pairs), np.nan)
    # Strided tasks: task c takes pairs c, c + n_tasks, ... The cost is k² and the grid's
    # few pairs with thousands of events sit together (the smallest windows), so contiguous
    # ranges of pairs would leave one thread with most of the work.
    n_tasks = min(n_pairs, 1024)
    for c in prange(n_tasks):
        for p in range(c, n_pairs, n_tasks):
            _pair_variances(events, offsets, n_complete, excess, n_days, first_pos, kappa, cumulative, weighted, p, out)
    return out


@njit(cache=True, nogil=True)
def _pair_variances(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    excess: np.ndarray,
    n_days: np.ndarray,
    first_pos: int,
    kappa: np.ndarray,
    cumulative: np.ndarray,
    weighted: np.ndarray,
    p: int,
    out: np.ndarray,
) -> None:
    # One pair of ``horizon_long_run_variances_nb`` into out[:, p].
    k0 = n_complete[0, p]
    k1 = n_complete[1, p]
    k2 = n_complete[2, p]
    k3 = n_complete[3, p]
    k4 = n_complete[4, p]
    k_min = min(min(min(k0, k1), min(k2, k3)), k4)
    k_max = max(max(max(k0, k1), max(k2, k3)), k4)
    if k_max == 0:
        return
    lo = offsets[p]
    c0 = 0.0
    c1 = 0.0
    c2 = 0.0
    c3 = 0.0
    c4 = 0.0
    # Every horizon has events 0 .. k_min - 1: the five chains together.
    for a in range(k_min):
        row = events[lo + a] - first_pos
        v0 = excess[row, 0]
        v1 = excess[row, 1]
        v2 = excess[row, 2]
        v3 = excess[row, 3]
        v4 = excess[row, 4]
        for b in range(a + 1, k_min):
            other = events[lo + b] - first_pos
            lag = other - row
            c0 += v0 * excess[other, 0] * kappa[lag, 0]
            c1 += v1 * excess[other, 1] * kappa[lag, 1]
            c2 += v2 * excess[other, 2] * kappa[lag, 2]
            c3 += v3 * excess[other, 3] * kappa[lag, 3]
            c4 += v4 * excess[other, 4] * kappa[lag, 4]
        # then, per horizon, its terms with b beyond the common prefix (same order as
        # the one-horizon kernel: every b of this a before the next a)
        if k_min < k_max:
            for b in range(k_min, k_max):
                other = events[lo + b] - first_pos
                lag = other - row
                if b < k0:
                    c0 += v0 * excess[other, 0] * kappa[lag, 0]
                if b < k1:
                    c1 += v1 * excess[other, 1] * kappa[lag, 1]
                if b < k2:
                    c2 += v2 * excess[other, 2] * kappa[lag, 2]
                if b < k3:
                    c3 += v3 * excess[other, 3] * kappa[lag, 3]
                if b < k4:
                    c4 += v4 * excess[other, 4] * kappa[lag, 4]
    # Events k_min .. k_max - 1 as first index: only pairs b > a, both below that k.
    for a in range(k_min, k_max):
        row = events[lo + a] - first_pos
        for b in range(a + 1, k_max):
            other = events[lo + b] - first_pos
            lag = other - row
            if b < k0:
                c0 += excess[row, 0] * excess[other, 0] * kappa[lag, 0]
            if b < k1:
                c1 += excess[row, 1] * excess[other, 1] * kappa[lag, 1]
            if b < k2:
                c2 += excess[row, 2] * excess[other, 2] * kappa[lag, 2]
            if b < k3:
                c3 += excess[row, 3] * excess[other, 3] * kappa[lag, 3]
            if b < k4:
                c4 += excess[row, 4] * excess[other, 4] * kappa[lag, 4]
    for h in range(HORIZON_GROUP):
        k = n_complete[h, p]
        if k == 0:
            continue
        cross = c0 if h == 0 else c1 if h == 1 else c2 if h == 2 else c3 if h == 3 else c4
        total = 0.0
        squares = 0.0
        edge = 0.0
        for a in range(k):
            row = events[lo + a] - first_pos
            value = excess[row, h]
            total += value
            squares += value * value
            edge += value * (cumulative[row, h] + cumulative[n_days[h] - 1 - row, h])
        scale = n_days[h] / k
        mean = total / k
        out[h, p] = (
            scale * scale * squares
            - n_days[h] * mean * mean
            + 2.0 * (scale * scale * cross - mean * scale * edge + mean * mean * weighted[h])
        ) / n_days[h]


def horizon_long_run_variances(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    excesses: list[np.ndarray],
    first_pos: int,
    mean_blocks: list[float],
) -> np.ndarray:
    """float64[H, n_pairs]: ``long_run_variances_nb(events, offsets, n_complete[h],
    excesses[h], first_pos, mean_blocks[h])`` for every horizon h, bit for bit, in groups
    of HORIZON_GROUP horizons (``horizon_long_run_variances_nb``; a short last group is
    padded with copies of its last horizon, whose results are dropped)."""
    n_horizons = len(excesses)
    out = np.empty((n_horizons, offsets.shape[0] - 1))
    for start in range(0, n_horizons, HORIZON_GROUP):
        group = [min(h, n_horizons - 1) for h in range(start, start + HORIZON_GROUP)]
        n_days = np.array([len(excesses[h]) for h in group], dtype=np.int64)
        width = int(n_days.max())
        excess = np.zeros((width, HORIZON_GROUP))
        kappa = np.zeros((width, HORIZON_GROUP))
        cumulative = np.zeros((width, HORIZON_GROUP))
        weighted = np.zeros(HORIZON_GROUP)
        for column, h in enumerate(group):
            days = int(n_days[column])
            excess[:days, column] = excesses[h]
            kappa[:days, column], cumulative[:days, column], weighted[column] = lag_weights_nb(
                days, float(mean_blocks[h])
            )
        counts = np.ascontiguousarray(np.asarray(n_complete, dtype=np.int64)[group])
        values = horizon_long_run_variances_nb(
            events, offsets, counts, excess, n_days, int(first_pos), kappa, cumulative, weighted
        )
        stop = min(start + HORIZON_GROUP, n_horizons)
        out[start:stop] = values[: stop - start]
    return out


# Replications per chunk: a thread accumulates LANES replications of one pair at once (in
# vector registers), and its slice of day weights is T x LANES.
LANES = 32
# Day weights are uint8: a thread's slice is then T x 32 bytes (330 KB for 10,000 days),
# which stays in its L2 cache; float32 weights (1.3 MB) spilled to L3 and made the
# bootstrap wait on memory rather than compute.


@njit(cache=True, nogil=True, parallel=True)
def fill_day_counts_nb(counts: np.ndarray, n_days: int, mean_block: float, seed: int, start: int, reps: int) -> bool:
    """Fill ``counts`` (zeros, [n_chunks, n_days, LANES], any numeric dtype) with how often each
    day appears in replications start .. start + reps - 1 of the stationary bootstrap
    (replication b = ``stationary_bootstrap_indices_nb(n_days, mean_block, seed, b)``), laid
    out as ``bootstrap_maxima`` reads them; one chunk of replications per thread.
    Returns True when a count overflowed the dtype (a uint8 weight wrapped to 0), in which
    case the caller must use a wider dtype."""
    n_chunks = (reps + LANES - 1) // LANES
    overflow = np.zeros(n_chunks, dtype=np.bool_)
    for c in prange(n_chunks):
        for b in range(c * LANES, min(reps, (c + 1) * LANES)):
            drawn = stationary_bootstrap_indices_nb(n_days, mean_block, seed, start + b)
            column = b - c * LANES
            for t in range(n_days):
                counts[c, drawn[t], column] += 1
                if counts[c, drawn[t], column] == 0:
                    overflow[c] = True
    for c in range(n_chunks):
        if overflow[c]:
            return True
    return False


def uint8_day_counts(n_days: int, mean_block: float, seed: int, start: int, reps: int) -> np.ndarray:
    """uint8[n_chunks, n_days, LANES] day counts of replications start .. start + reps - 1
    (``fill_day_counts_nb``), float32 in the (practically impossible) case that a day is
    drawn more than 255 times in one replication. Both hold whole numbers exactly, so the
    products in ``bootstrap_maxima`` are the same with either."""
    n_chunks = (reps + LANES - 1) // LANES
    counts = np.zeros((n_chunks, n_days, LANES), dtype=np.uint8)
    if fill_day_counts_nb(counts, n_days, mean_block, seed, start, reps):
        counts = np.zeros((n_chunks, n_days, LANES), dtype=np.float32)
        fill_day_counts_nb(counts, n_days, mean_block, seed, start, reps)
    return counts


@njit(cache=True, nogil=True, parallel=True)
def family_stream_nb(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    order: np.ndarray,
    excess: np.ndarray,
    first_pos: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The complete events of the pairs ``order`` in that order, as one contiguous stream:
    (starts[len(order) + 1], rows int32 (day - first_pos), values = excess[rows]).

    The bootstrap walks the family once per chunk of replications (32 times for 1,000):
    reading this stream front to back is prefetched, where following ``order`` into the
    events and then into ``excess`` jumped around memory on every pair and every event."""
    n_family = order.shape[0]
    starts = np.zeros(n_family + 1, dtype=np.int64)
    for j in range(n_family):
        starts[j + 1] = starts[j] + n_complete[order[j]]
    rows = np.empty(starts[n_family], dtype=np.int32)
    values = np.empty(starts[n_family])
    for j in prange(n_family):
        lo = offsets[order[j]]
        out = starts[j]
        for a in range(starts[j + 1] - out):
            row = events[lo + a] - first_pos
            rows[out + a] = row
            values[out + a] = excess[row]
    return starts, rows, values


@njit(cache=True, nogil=True, parallel=True)
def stream_maxima_nb(
    starts: np.ndarray,
    rows: np.ndarray,
    values: np.ndarray,
    counts: np.ndarray,
    n_reps: int,
    centre_lower: np.ndarray,
    centre_consistent: np.ndarray,
    centre_upper: np.ndarray,
    inv_scale: np.ndarray,
    statistic: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``bootstrap_maxima`` on the family stream (``family_stream_nb``): every per-pair
    array is indexed by family position j (already in the stepdown's ascending order).
    Returns (max_lower[B], max_consistent[B], max_upper[B], exceed[n_chunks, n_family])."""
    n_chunks, _, lanes = counts.shape
    n_family = starts.shape[0] - 1
    max_lower = np.full(n_reps, -np.inf)
    max_consistent = np.full(n_reps, -np.inf)
    max_upper = np.full(n_reps, -np.inf)
    exceed = np.zeros((n_chunks, n_family), dtype=np.int32)
    for c in prange(n_chunks):
        width = min(lanes, n_reps - c * lanes)
        weights = counts[c]
        acc = np.empty(lanes)
        running = np.full(lanes, -np.inf)
        lower = np.full(lanes, -np.inf)
        consistent = np.full(lanes, -np.inf)
        for j in range(n_family):
            lo = starts[j]
            hi = starts[j + 1]
            acc[:] = 0.0
            # The same products (value x whole-number weight, exact in any dtype) added in
            # the same event order as a plain per-event loop, so the means are bit-identical;
            # four events per pass over the lanes load and store the accumulators a quarter
            # as often. ``lanes`` is a run-time value on purpose: with a constant trip count
            # LLVM unrolls the lane loop into scalar code instead of vectorising it.
            a = lo
            while a + 3 < hi:
                v0 = values[a]
                v1 = values[a + 1]
                v2 = values[a + 2]
                v3 = values[a + 3]
                w0 = weights[rows[a]]
                w1 = weights[rows[a + 1]]
                w2 = weights[rows[a + 2]]
                w3 = weights[rows[a + 3]]
                for b in range(lanes):
                    acc[b] = (((acc[b] + v0 * w0[b]) + v1 * w1[b]) + v2 * w2[b]) + v3 * w3[b]
                a += 4
            while a < hi:
                v0 = values[a]
                w0 = weights[rows[a]]
                for b in range(lanes):
                    acc[b] += v0 * w0[b]
                a += 1
            k = hi - lo
            inv = inv_scale[j]
            mean = centre_upper[j]
            c_low = centre_lower[j]
            c_con = centre_consistent[j]
            s = statistic[j]
            hits = 0
            # Selects instead of branches, so that the lanes vectorise; NaN never replaces
            # a maximum, as with the comparisons they replace.
            for b in range(width):
                f_star = acc[b] / k
                v = (f_star - mean) * inv
                r = v if v > running[b] else running[b]
                running[b] = r
                hits += r >= s
                v = (f_star - c_low) * inv
                lower[b] = v if v > lower[b] else lower[b]
                v = (f_star - c_con) * inv
                consistent[b] = v if v > consistent[b] else consistent[b]
            exceed[c, j] = hits
        for b in range(width):
            max_lower[c * lanes + b] = lower[b]
            max_consistent[c * lanes + b] = consistent[b]
            max_upper[c * lanes + b] = running[b]
    return max_lower, max_consistent, max_upper, exceed


def bootstrap_maxima(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    order: np.ndarray,
    excess: np.ndarray,
    first_pos: int,
    counts: np.ndarray,
    n_reps: int,
    centre_lower: np.ndarray,
    centre_consistent: np.ndarray,
    centre_upper: np.ndarray,
    scale: np.ndarray,
    statistic: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One shared bootstrap over days for every pair of the family ``order``.

    A replication b gives day t a weight w_b[t] (``counts``: [n_chunks, T, LANES], whole
    numbers in any dtype); pair p's resampled mean excess is f*_p = (1/k_p) Σ_{e∈E_p}
    w_b[e]·y_e, which is the resampled mean of d_p, at O(k_p) per pair and replication. With
    v_p = (f*_p - c_p) / scale_p this returns, per b: max_p v_p centred at the lower,
    consistent and upper (= sample mean) centres of Hansen (2005) - the upper one is White's
    (2000) Reality Check - and, per pair, the number of replications whose maximum over the
    pairs ranked at or below it (upper centring) reaches its statistic, the Romano-Wolf
    (2005) stepdown count. ``order`` lists the family by ascending ``statistic`` so that a
    running maximum is that suffix maximum.
    Returns (max_lower[B], max_consistent[B], max_upper[B], exceed[n_pairs]) (exceed: int64,
    summed over the chunks of replications).

    The family's events and excess returns are first laid out as one stream in ``order``
    (``family_stream_nb``) and the per-pair constants gathered in that order, so that the
    kernel (``stream_maxima_nb``) reads memory front to back.
    """
    order = np.ascontiguousarray(order, dtype=np.int64)
    starts, rows, values = family_stream_nb(
        events, offsets, np.asarray(n_complete, dtype=np.int64), order, np.ascontiguousarray(excess), int(first_pos)
    )
    max_lower, max_consistent, max_upper, exceed_family = stream_maxima_nb(
        starts,
        rows,
        values,
        counts,
        int(n_reps),
        np.ascontiguousarray(centre_lower[order], dtype=np.float64),
        np.ascontiguousarray(centre_consistent[order], dtype=np.float64),
        np.ascontiguousarray(centre_upper[order], dtype=np.float64),
        1.0 / np.asarray(scale, dtype=np.float64)[order],
        np.ascontiguousarray(statistic[order], dtype=np.float64),
    )
    exceed = np.zeros(offsets.shape[0] - 1, dtype=np.int64)
    exceed[order] = exceed_family.sum(axis=0, dtype=np.int64)
    return max_lower, max_consistent, max_upper, exceed
