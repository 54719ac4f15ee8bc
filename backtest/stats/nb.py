"""Null-distribution kernels shared across stages: random-entry Monte Carlo, stationary
bootstrap, bootstrapped price paths, the circular-shift null of the joint test and the
simulated power's per-path kernels. A public kernel module (vectorbt's ``nb`` convention):
plain arrays and scalars in and out, wrappers validate; every kernel has a readable twin,
of the same name without ``_nb`` in ``tests/stats/_twins.py`` unless its docstring names
another (numpy itself, ``joint_shift_test``, the twins of ``tests/stats/test_power.py``).

Randomness is counter-based: draw (or replication) ``d`` under seed ``s`` reads its own
SplitMix64 stream started at ``stream_state_nb(s, d)``, so every result is a function of
(seed, draw index) only, identical for any number of numba threads and any chunking.
SplitMix64: Steele, Lea & Flood (2014), "Fast splittable pseudorandom number generators",
OOPSLA; the finaliser is Stafford's "Mix13" variant, as in Java's SplittableRandom.

Shared with ``backtest.sweep`` (keep the names and signatures stable):
``random_entry_null_means_nb(pool, k, n_draws, seed)``, ``random_entry_prefix_means_nb(pool,
ks, n_draws, seed)``, ``median_inplace_nb(values, k)`` and
``stationary_bootstrap_indices_nb(n_obs, mean_block, seed, replication)``.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from numba import njit, prange

from backtest.events import nb as events_nb
from backtest.signals import nb as signals_nb
from backtest.threads import run_in_threads

_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, SplitMix64's increment
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEED_SALT = np.uint64(0xD1B54A32D192ED03)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53: top 53 bits -> a double in [0, 1)

CHUNK = 512
"""Draws per work item of the parallel loops (performance only; results do not depend on it)."""

_SHIFT_BLOCK = 2048  # sums per block of shifts (_add_shifted_block_nb): 16 KB of float64, inside any L1 cache

NULL_STATISTICS: tuple[str, ...] = ("mean", "median", "hit_rate", "mean_max_drawdown")
"""Columns of ``random_entry_horizon_stats_nb`` output, in order (the path null's excess
statistics, ``path_excess_stats_nb``, are the first three)."""
N_NULL_STATISTICS = 4


@njit(cache=True, nogil=True)
def _mix64(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def stream_state_nb(seed: int, counter: int) -> np.uint64:
    """Initial SplitMix64 state of stream ``counter`` under ``seed`` (a hash of the pair)."""
    key = _mix64(np.uint64(seed) ^ _SEED_SALT)
    return _mix64(key ^ (np.uint64(counter) * _GAMMA))


@njit(cache=True, nogil=True)
def _next_uniform(state: np.uint64) -> tuple[np.uint64, float]:
    """Advance the stream; a double in [0, 1) from the top 53 bits of the next output."""
    state = state + _GAMMA
    z = _mix64(state)
    return state, np.float64(z >> np.uint64(11)) * _TWO_M53


@njit(cache=True, nogil=True)
def _next_below(state: np.uint64, bound: int) -> tuple[np.uint64, int]:
    """Advance the stream; an integer in [0, bound) (bias < bound / 2**53, negligible)."""
    state, u = _next_uniform(state)
    value = np.int64(u * bound)
    if value >= bound:
        value = bound - 1
    return state, value


@njit(cache=True, nogil=True)
def uniforms_nb(seed: int, counter: int, size: int) -> np.ndarray:
    """The first ``size`` uniforms of stream ``counter`` (for tests of the generator)."""
    out = np.empty(size)
    state = stream_state_nb(seed, counter)
    for i in range(size):
        state, out[i] = _next_uniform(state)
    return out


@njit(cache=True, nogil=True)
def _floyd_sample(
    state: np.uint64, size: int, count: int, mask: np.ndarray, picks: np.ndarray, start: int
) -> np.uint64:
    """``count`` distinct integers uniform from [0, size) written to picks[start:start+count].

    Floyd's algorithm (Bentley & Floyd 1987, "A sample of brilliance", CACM 30(9)): k
    random numbers for a uniform k-subset, O(k) with a membership mask that is reset before
    returning (so one mask serves many draws). The order of the picks is not random.
    """
    i = start
    for j in range(size - count, size):
        state, t = _next_below(state, j + 1)
        if mask[t]:
            t = j
        mask[t] = True
        picks[i] = t
        i += 1
    for m in range(start, start + count):
        mask[picks[m]] = False
    return state


@njit(cache=True, nogil=True, parallel=True)
def random_entry_null_means_nb(pool: np.ndarray, k: int, n_draws: int, seed: int) -> np.ndarray:
    """SHARED API. Mean of ``k`` values drawn without replacement from ``pool``, per draw.

    pool: float64[n] (e.g. the forward returns of every eligible day); 1 <= k <= n.
    Returns float64[n_draws]; draw d depends only on (seed, d), never on thread count.
    Floyd's sampler (one pool, one k); the study's random-entry tests use the
    common-random-number sampler of ``random_entry_horizon_stats_nb`` instead.
    """
    n = pool.shape[0]
    out = np.empty(n_draws)
    n_chunks = (n_draws + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        mask = np.zeros(n, dtype=np.bool_)
        picks = np.empty(k, dtype=np.int64)
        stop = min(n_draws, (c + 1) * CHUNK)
        for d in range(c * CHUNK, stop):
            state = stream_state_nb(seed, d)
            _floyd_sample(state, n, k, mask, picks, 0)
            total = 0.0
            for i in range(k):
                total += pool[picks[i]]
            out[d] = total / k
    return out


@njit(cache=True, nogil=True, parallel=True)
def random_entry_prefix_means_nb(pool: np.ndarray, ks: np.ndarray, n_draws: int, seed: int) -> np.ndarray:
    """SHARED API. Random-entry null means for many event counts at once, on common random
    numbers: out[j, d] = mean of the first ks[j] days of draw d's random order of the pool.

    Draw d shuffles the pool by a partial Fisher-Yates (step i swaps position i with a
    uniform position in [i, n); Knuth, TAOCP vol. 2, Algorithm P) for max(ks) steps, so its
    first k days are a uniform k-subset drawn without replacement for every k at once, and
    one pass of max(ks) steps serves every count (the sweep needs a null per distinct event
    count; drawing each separately costs the sum of the counts per draw). The prefix of
    length k depends only on (seed, d, k), not on the other counts asked for.
    pool: float64[n]; ks: int64[m], each in 1..n. Returns float64[m, n_draws].
    """
    n = pool.shape[0]
    m = ks.shape[0]
    k_max = 0
    for j in range(m):
        if ks[j] > k_max:
            k_max = ks[j]
    # stop after each needed count, in increasing order
    order = np.argsort(ks)
    out = np.empty((m, n_draws))
    n_chunks = (n_draws + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        permutation = np.arange(n)
        stop = min(n_draws, (c + 1) * CHUNK)
        swapped = np.empty(k_max, dtype=np.int64)
        for d in range(c * CHUNK, stop):
            state = stream_state_nb(seed, d)
            total = 0.0
            j = 0
            for i in range(k_max):
                state, offset = _next_below(state, n - i)
                other = i + offset
                swapped[i] = other
                chosen = permutation[other]
                permutation[other] = permutation[i]
                permutation[i] = chosen
                total += pool[chosen]
                while j < m and ks[order[j]] == i + 1:
                    out[order[j], d] = total / (i + 1)
                    j += 1
            # undo the swaps, last first, so the next draw starts from the identity
            for i in range(k_max - 1, -1, -1):
                other = swapped[i]
                chosen = permutation[i]
                permutation[i] = permutation[other]
                permutation[other] = chosen
    return out


@njit(cache=True, nogil=True, inline="always")
def order_three_nb(values: np.ndarray, lo: int, mid: int, hi: int) -> None:
    """SHARED API. Sort values[lo], values[mid], values[hi] in place, leaving their median
    at ``mid``: the pivot of the quickselects here and in the sweep's branch-free median."""
    if values[mid] < values[lo]:
        values[mid], values[lo] = values[lo], values[mid]
    if values[hi] < values[lo]:
        values[hi], values[lo] = values[lo], values[hi]
    if values[hi] < values[mid]:
        values[hi], values[mid] = values[mid], values[hi]


@njit(cache=True, nogil=True)
def _select_nb(values: np.ndarray, k: int, rank: int) -> float:
    """The rank-th smallest of values[0:k] (0-based), partitioning values in place
    (Hoare's quickselect with a median-of-three pivot): O(k) on average, where sorting
    costs O(k log k). Exact: it only moves values, so a median is bit-identical to the
    sorted array's."""
    lo = 0
    hi = k - 1
    while hi > lo:
        mid = (lo + hi) // 2
        order_three_nb(values, lo, mid, hi)  # median of three as the pivot
        pivot = values[mid]
        i = lo
        j = hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if rank <= j:
            hi = j
        elif rank >= i:
            lo = i
        else:
            return values[rank]
    return values[rank]


@njit(cache=True, nogil=True)
def median_inplace_nb(values: np.ndarray, k: int) -> float:
    """SHARED API. Median of values[0:k], reordering them (twin: ``numpy.median``; exact,
    bit for bit: selection only moves values)."""
    # values[0:k] reordered; the lower middle of an even k is the largest value left of
    # the upper middle once that one is selected
    upper = _select_nb(values, k, k // 2)
    if k % 2 == 1:
        return upper
    lower = values[0]
    for i in range(1, k // 2):
        if values[i] > lower:
            lower = values[i]
    return (lower + upper) / 2.0


@njit(cache=True, nogil=True)
def _sift_down_nb(values: np.ndarray, root: int, end: int) -> None:
    """Restore the max-heap order of values[:end] below ``root`` (heapsort's step)."""
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and values[child] < values[child + 1]:
            child += 1
        if values[root] >= values[child]:
            return
        values[root], values[child] = values[child], values[root]
        root = child


@njit(cache=True, nogil=True)
def _sort_inplace_nb(values: np.ndarray) -> None:
    """Sort distinct int64 values in place: insertion sort up to 32 values (a draw's picks,
    usually), heapsort beyond. One small function, where numba's ``ndarray.sort`` compiles
    four generic quicksort functions on every cold start."""
    n = values.shape[0]
    if n <= 32:
        for i in range(1, n):
            value = values[i]
            j = i - 1
            while j >= 0 and values[j] > value:
                values[j + 1] = values[j]
                j -= 1
            values[j + 1] = value
        return
    for root in range(n // 2 - 1, -1, -1):
        _sift_down_nb(values, root, n)
    for end in range(n - 1, 0, -1):
        values[0], values[end] = values[end], values[0]
        _sift_down_nb(values, 0, end)


@njit(cache=True, nogil=True)
def _sample_horizons(
    seed: int,
    draw: int,
    draw_size: np.ndarray,
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: np.ndarray,
    mask: np.ndarray,
    seen: np.ndarray,
    picks: np.ndarray,
    filled: np.ndarray,
    got: np.ndarray,
    reduced: np.ndarray,
) -> None:
    """Pool rows of draw ``draw`` for every horizon h: picks[h, :k_h], with
    ``strata_count[h, s]`` distinct picks in rows [strata_start[h, s], + strata_size[h, s])
    of each stratum s, at least ``spacing[h]`` rows apart within a stratum.

    Common random numbers: stratum s reads one stream (counter draw * S + s) of uniform
    integers in [0, draw_size[s]) without repetition (a rejection mask); horizon h keeps, in
    order, the first strata_count[h, s] of them that fall below its reduced range
    R = strata_size[h, s] - (count - 1) * (spacing[h] - 1). A sequence without repetition
    filtered to [0, R) is itself uniform without repetition on [0, R), so each horizon's set
    is a uniform count-subset of its range, whatever the other horizons are; horizons with
    the same range get the same set, nearly equal ranges nearly the same set. With spacing,
    the sorted picks y_i map to x_i = y_i + i * (spacing - 1), one to one with the sets
    whose gaps are all >= spacing (so the draw is uniform over them, no set rejection).
    draw_size[s] >= every R of stratum s (the caller checks).
    """
    n_horizons = strata_count.shape[0]
    n_strata = strata_count.shape[1]
    for h in range(n_horizons):
        filled[h] = 0
    for s in range(n_strata):
        needed = 0
        for h in range(n_horizons):
            got[h] = 0
            count = strata_count[h, s]
            if count > 0:
                needed += 1
                gap = spacing[h] - 1 if spacing[h] > 1 else 0
                reduced[h] = strata_size[h, s] - (count - 1) * gap
        if needed == 0:
            continue
        state = stream_state_nb(seed, draw * n_strata + s)
        n_seen = 0
        while needed > 0:
            state, value = _next_below(state, draw_size[s])
            if mask[value]:
                continue
            mask[value] = True
            seen[n_seen] = value
            n_seen += 1
            for h in range(n_horizons):
                count = strata_count[h, s]
                if got[h] < count and value < reduced[h]:
                    picks[h, filled[h] + got[h]] = value
                    got[h] += 1
                    if got[h] == count:
                        needed -= 1
        for i in range(n_seen):
            mask[seen[i]] = False
        for h in range(n_horizons):
            count = strata_count[h, s]
            if count <= 0:
                continue
            first = filled[h]
            gap = spacing[h] - 1 if spacing[h] > 1 else 0
            if gap > 0:
                _sort_inplace_nb(picks[h, first : first + count])
                for i in range(count):
                    picks[h, first + i] += i * gap
            for i in range(count):
                picks[h, first + i] += strata_start[h, s]
            filled[h] += count


@njit(cache=True, nogil=True, inline="always")
def _draw_sizes(draw_size: np.ndarray, strata_count: np.ndarray) -> tuple[np.ndarray, int, int]:
    """(k, k_max, max_draw) of ``_sample_horizons``' arguments: each horizon's number of picks
    (its strata counts summed), the largest (at least 1), and the largest draw range."""
    n_horizons = strata_count.shape[0]
    k = np.zeros(n_horizons, dtype=np.int64)
    k_max = 1
    for h in range(n_horizons):
        for s in range(strata_count.shape[1]):
            if strata_count[h, s] > 0:
                k[h] += strata_count[h, s]
        if k[h] > k_max:
            k_max = k[h]
    max_draw = 1
    for s in range(draw_size.shape[0]):
        if draw_size[s] > max_draw:
            max_draw = draw_size[s]
    return k, k_max, max_draw


@njit(cache=True, nogil=True, inline="always")
def _draw_workspace(
    n_horizons: int, k_max: int, max_draw: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mask, seen, picks, filled, got, reduced): the scratch ``_sample_horizons`` fills."""
    mask = np.zeros(max_draw, dtype=np.bool_)
    seen = np.empty(max_draw, dtype=np.int64)
    picks = np.empty((n_horizons, k_max), dtype=np.int64)
    filled = np.empty(n_horizons, dtype=np.int64)
    got = np.empty(n_horizons, dtype=np.int64)
    reduced = np.empty(n_horizons, dtype=np.int64)
    return mask, seen, picks, filled, got, reduced


@njit(cache=True, nogil=True)
def _median_of_ranks(present: np.ndarray, block_count: np.ndarray, ordered: np.ndarray, h: int, k: int) -> float:
    """Median of k marked ranks: the value ``ordered[rank, h]`` at the middle marked rank
    (the mean of the two middle ones for even k, as ``numpy.median``)."""
    target = (k - 1) // 2
    seen = 0
    block = 0
    while seen + block_count[block] <= target:
        seen += block_count[block]
        block += 1
    r = block * 64
    while True:
        if present[r]:
            if seen == target:
                break
            seen += 1
        r += 1
    lower = ordered[r, h]
    if k % 2 == 1:
        return lower
    r += 1
    while not present[r]:
        r += 1
    return (lower + ordered[r, h]) / 2.0


def value_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rank, ordered) of each column of float64[N, H] ``values``: ``rank[i, h]`` is row i's
    position in column h sorted by value (ties in row order, a stable sort), and
    ``ordered[:, h]`` is column h sorted, the inputs ``random_entry_horizon_stats_nb`` reads
    medians off. Plain NumPy: sorting inside the kernel compiled numba's mergesort and its
    string ``kind`` argument on every cold start."""
    by_value = np.argsort(values, axis=0, kind="stable")
    rank = np.empty(values.shape, dtype=np.int64)
    np.put_along_axis(rank, by_value, np.arange(values.shape[0], dtype=np.int64)[:, None], axis=0)
    return rank, np.ascontiguousarray(np.take_along_axis(values, by_value, axis=0))


@njit(cache=True, nogil=True)
def random_entry_horizon_stats_nb(
    ret: np.ndarray,
    max_drawdown: np.ndarray,
    rank: np.ndarray,
    ordered: np.ndarray,
    draw_size: np.ndarray,
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: np.ndarray,
    seed: int,
    out: np.ndarray,
    draw_start: int,
    draw_stop: int,
) -> None:
    """Null statistics of random entry sets for H horizons at once, on common random numbers.

    ret, max_drawdown: float64[N, H], horizon h's pool in column h (its eligible days, in
    date order; rows past its pool are never read); rank, ordered: ``value_order(ret)``.
    Days run down the rows so that the horizons' values of one day share a cache line:
    with common random numbers the horizons mostly pick the same rows, and the gathers
    dominate the cost. draw_size: int64[S]; strata_start, strata_size, strata_count:
    int64[H, S]; spacing: int64[H] (see ``_sample_horizons``). Fills draws draw_start ..
    draw_stop - 1 of ``out`` float64[H, n_draws, 4], columns ``NULL_STATISTICS`` (mean
    return, median return, hit rate = share of returns > 0, mean max drawdown); NaN for a
    horizon with no picks. Draw d of horizon h depends only on (seed, d, draw_size and
    horizon h's own arrays): never on the other horizons or on how the draws are split, so
    ``random_entry_horizon_stats`` runs disjoint ranges in threads.
    """
    n_horizons = strata_count.shape[0]
    k, k_max, max_draw = _draw_sizes(draw_size, strata_count)
    # The median of a draw is read off ranks (pool values sorted once per horizon): mark the
    # picks' ranks, count them per block of 64 ranks, walk the blocks to the middle. Selection
    # on the values themselves (quickselect) costs most of the kernel: its comparisons are
    # coin flips for the branch predictor.
    n_rows = ret.shape[0]
    n_blocks = (n_rows + 63) // 64
    mask, seen, picks, filled, got, reduced = _draw_workspace(n_horizons, k_max, max_draw)
    present = np.zeros(n_blocks * 64, dtype=np.bool_)
    block_count = np.zeros(n_blocks, dtype=np.int64)
    for d in range(draw_start, draw_stop):
        _sample_horizons(
            seed,
            d,
            draw_size,
            strata_start,
            strata_size,
            strata_count,
            spacing,
            mask,
            seen,
            picks,
            filled,
            got,
            reduced,
        )
        for h in range(n_horizons):
            kh = k[h]
            if kh == 0:
                for j in range(N_NULL_STATISTICS):
                    out[h, d, j] = np.nan
                continue
            total = 0.0
            hits = 0
            drawdown = 0.0
            for i in range(kh):
                row = picks[h, i]
                value = ret[row, h]
                total += value
                if value > 0.0:
                    hits += 1
                drawdown += max_drawdown[row, h]
                r = rank[row, h]
                present[r] = True
                block_count[r >> 6] += 1
            out[h, d, 0] = total / kh
            out[h, d, 1] = _median_of_ranks(present, block_count, ordered, h, kh)
            for i in range(kh):
                r = rank[picks[h, i], h]
                present[r] = False
                block_count[r >> 6] = 0
            out[h, d, 2] = hits / kh
            out[h, d, 3] = drawdown / kh


def random_entry_horizon_stats(
    ret: np.ndarray,
    max_drawdown: np.ndarray,
    draw_size: np.ndarray,
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: np.ndarray,
    n_draws: int,
    seed: int,
) -> np.ndarray:
    """float64[H, n_draws, 4]: every draw of ``random_entry_horizon_stats_nb`` (same
    arguments), ranges of draws in threads (``run_in_threads``)."""
    rank, ordered = value_order(ret)
    out = np.empty((strata_count.shape[0], n_draws, N_NULL_STATISTICS))
    fill = partial(
        random_entry_horizon_stats_nb,
        ret,
        max_drawdown,
        rank,
        ordered,
        draw_size,
        strata_start,
        strata_size,
        strata_count,
        spacing,
        seed,
        out,
    )
    run_in_threads(n_draws, fill)
    return out


@njit(cache=True, nogil=True, parallel=True)
def random_entry_horizon_picks_nb(
    draw_size: np.ndarray,
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: np.ndarray,
    n_draws: int,
    seed: int,
) -> np.ndarray:
    """The pool rows behind ``random_entry_horizon_stats_nb``: int64[H, n_draws, k_max]
    (row h, d holds horizon h's k_h picks, then -1), for tests and figures."""
    n_horizons = strata_count.shape[0]
    _, k_max, max_draw = _draw_sizes(draw_size, strata_count)
    out = np.full((n_horizons, n_draws, k_max), -1, dtype=np.int64)
    n_chunks = (n_draws + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        mask, seen, picks, filled, got, reduced = _draw_workspace(n_horizons, k_max, max_draw)
        stop = min(n_draws, (c + 1) * CHUNK)
        for d in range(c * CHUNK, stop):
            _sample_horizons(
                seed,
                d,
                draw_size,
                strata_start,
                strata_size,
                strata_count,
                spacing,
                mask,
                seen,
                picks,
                filled,
                got,
                reduced,
            )
            for h in range(n_horizons):
                for i in range(filled[h]):
                    out[h, d, i] = picks[h, i]
    return out


def random_entry_null_stats(
    ret: np.ndarray,
    max_drawdown: np.ndarray,
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: int,
    n_draws: int,
    seed: int,
) -> np.ndarray:
    """One horizon of ``random_entry_horizon_stats_nb`` (draw ranges = the strata sizes):
    shape (n_draws, 4), columns ``NULL_STATISTICS``."""
    return random_entry_horizon_stats(
        np.ascontiguousarray(ret, dtype=np.float64).reshape(-1, 1),
        np.ascontiguousarray(max_drawdown, dtype=np.float64).reshape(-1, 1),
        np.array(strata_size, dtype=np.int64),
        np.asarray(strata_start, dtype=np.int64).reshape(1, -1),
        np.asarray(strata_size, dtype=np.int64).reshape(1, -1),
        np.asarray(strata_count, dtype=np.int64).reshape(1, -1),
        np.full(1, spacing, dtype=np.int64),
        n_draws,
        seed,
    )[0]


@njit(cache=True, nogil=True)
def random_entry_picks_nb(
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: int,
    n_draws: int,
    seed: int,
) -> np.ndarray:
    """The pool rows behind ``random_entry_null_stats`` (n_draws, k), for tests."""
    return random_entry_horizon_picks_nb(
        strata_size.copy(),
        strata_start.reshape(1, -1),
        strata_size.reshape(1, -1),
        strata_count.reshape(1, -1),
        np.full(1, spacing, dtype=np.int64),
        n_draws,
        seed,
    )[0]


@njit(cache=True, nogil=True)
def random_entry_path_means_nb(
    close: np.ndarray,
    pool_start: int,
    pool_size: int,
    k: int,
    length: int,
    seed: int,
    out: np.ndarray,
    draw_start: int,
    draw_stop: int,
) -> None:
    """Mean event-aligned path of ``k`` random entries, rebased to 100, per draw.

    Entries are distinct positions drawn uniformly from [pool_start, pool_start + pool_size)
    (the caller guarantees close[entry + length] exists). Fills rows draw_start ..
    draw_stop - 1 of ``out`` (n_draws, length + 1), zeros on entry: row d, column t = mean
    over draw d's entries of 100 * close[e + t] / close[e]. Draw d depends on (seed, d) only.
    """
    mask = np.zeros(pool_size, dtype=np.bool_)
    picks = np.empty(k, dtype=np.int64)
    for d in range(draw_start, draw_stop):
        state = stream_state_nb(seed, d)
        _floyd_sample(state, pool_size, k, mask, picks, 0)
        for i in range(k):
            entry = pool_start + picks[i]
            base = close[entry]
            for t in range(length + 1):
                out[d, t] += close[entry + t] / base
        for t in range(length + 1):
            out[d, t] *= 100.0 / k


def random_entry_path_means(
    close: np.ndarray, pool_start: int, pool_size: int, k: int, length: int, n_draws: int, seed: int
) -> np.ndarray:
    """(n_draws, length + 1): every draw of ``random_entry_path_means_nb``, in threads."""
    out = np.zeros((n_draws, length + 1))
    run_in_threads(n_draws, partial(random_entry_path_means_nb, close, pool_start, pool_size, k, length, seed, out))
    return out


@njit(cache=True, nogil=True)
def stationary_bootstrap_draw_nb(n_out: int, n_pool: int, mean_block: float, seed: int, replication: int) -> np.ndarray:
    """Indices into a pool of n_pool observations for a stationary-bootstrap series of n_out.

    Politis & Romano (1994), "The stationary bootstrap", JASA 89(428): blocks start at a
    uniform position of the pool and have geometric lengths with mean ``mean_block`` (a new
    block starts with probability 1 / mean_block at each step); a block that runs past the
    end of the pool wraps around to position 0, as ``arch.bootstrap.StationaryBootstrap``
    does. The output may be longer than the pool (the path bootstrap draws a whole price
    path from the event period's returns). Returns int64[n_out]; deterministic in (seed,
    replication). mean_block >= 1, n_pool >= 1.
    """
    out = np.empty(n_out, dtype=np.int64)
    if n_out == 0:
        return out
    p = 1.0 / mean_block
    state = stream_state_nb(seed, replication)
    state, first = _next_below(state, n_pool)
    out[0] = first
    for t in range(1, n_out):
        state, u = _next_uniform(state)
        if u < p:
            state, start = _next_below(state, n_pool)
            out[t] = start
        else:
            following = out[t - 1] + 1
            if following == n_pool:
                following = 0
            out[t] = following
    return out


@njit(cache=True, nogil=True)
def stationary_bootstrap_indices_nb(n_obs: int, mean_block: float, seed: int, replication: int) -> np.ndarray:
    """SHARED API. Indices of one stationary-bootstrap resample of n_obs observations:
    ``stationary_bootstrap_draw_nb(n_obs, n_obs, ...)`` (the same draws).
    Returns int64[n_obs]; deterministic in (seed, replication). mean_block >= 1.
    """
    return stationary_bootstrap_draw_nb(n_obs, n_obs, mean_block, seed, replication)


@njit(cache=True, nogil=True, parallel=True)
def stationary_bootstrap_index_matrix_nb(n_obs: int, mean_block: float, seed: int, n_replications: int) -> np.ndarray:
    """Rows r = ``stationary_bootstrap_indices_nb(n_obs, mean_block, seed, r)``, in parallel."""
    out = np.empty((n_replications, n_obs), dtype=np.int64)
    for r in prange(n_replications):
        out[r] = stationary_bootstrap_indices_nb(n_obs, mean_block, seed, r)
    return out


@njit(cache=True, nogil=True)
def rebuild_path_nb(first_price: float, growth: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Price path first_price * cumprod(growth[indices]), first_price prepended; ``growth``
    holds gross daily returns exp(log return), computed once per pool (a product per day
    instead of an exponential, and the same path to ~1e-13)."""
    n_returns = indices.shape[0]
    path = np.empty(n_returns + 1)
    level = first_price
    path[0] = level
    for t in range(n_returns):
        level *= growth[indices[t]]
        path[t + 1] = level
    return path


@njit(cache=True, nogil=True)
def bootstrap_path_nb(
    first_price: float, growth: np.ndarray, n_returns: int, mean_block: float, seed: int, replication: int
) -> np.ndarray:
    """``rebuild_path_nb(first_price, growth, stationary_bootstrap_draw_nb(n_returns,
    len(growth), mean_block, seed, replication))`` bit for bit, without the index array."""
    path = np.empty(n_returns + 1)
    level = first_price
    path[0] = level
    if n_returns == 0:
        return path
    n_pool = growth.shape[0]
    p = 1.0 / mean_block
    state = stream_state_nb(seed, replication)
    state, position = _next_below(state, n_pool)
    level *= growth[position]
    path[1] = level
    for t in range(2, n_returns + 1):
        state, u = _next_uniform(state)
        if u < p:
            state, position = _next_below(state, n_pool)
        else:
            position += 1
            if position == n_pool:
                position = 0
        level *= growth[position]
        path[t] = level
    return path


@njit(cache=True, nogil=True)
def path_excess_stats_nb(
    path: np.ndarray, events: np.ndarray, entry_lag: int, offsets: np.ndarray, first_pos: int, last_pos: int
) -> tuple[np.ndarray, int]:
    """Excess statistics of one horizon's events over the same path's eligible days.

    ``events`` are event positions on ``path`` (entry at ``event + entry_lag``); ``offsets[p]``
    is the horizon's window length for an entry at position p (negative: none). The eligible
    days are every position d in [first_pos, last_pos] whose window (entry d + entry_lag) is
    complete, as ``backtest.stats.baseline.eligible_days`` defines them. Returns (stats,
    count): stats (3,) = (event mean - all-days mean, event median - all-days median, event
    hit rate - all-days hit rate) of the simple forward returns (NaN without a complete
    event), count the number of complete events. Comparing each path with its own all-days
    values keeps the path's drift out of the null.
    """
    n = path.shape[0]
    stats = np.full(3, np.nan)
    values = np.empty(max(last_pos - first_pos + 1, 0))
    k_all = 0
    total_all = 0.0
    hits_all = 0
    for d in range(first_pos, last_pos + 1):
        entry = d + entry_lag
        if entry >= n:
            break
        offset = offsets[entry]
        if offset < 0 or entry + offset >= n:
            continue
        ret = path[entry + offset] / path[entry] - 1.0
        values[k_all] = ret
        total_all += ret
        # branch-free: a path's daily returns rise or fall at random, a branch would mispredict
        hits_all += np.int64(ret > 0.0)
        k_all += 1
    event_values = np.empty(events.shape[0])
    k = 0
    total = 0.0
    hits = 0
    for e in range(events.shape[0]):
        entry = events[e] + entry_lag
        if entry >= n:
            continue
        offset = offsets[entry]
        if offset < 0 or entry + offset >= n:
            continue
        ret = path[entry + offset] / path[entry] - 1.0
        event_values[k] = ret
        total += ret
        if ret > 0.0:
            hits += 1
        k += 1
    if k > 0 and k_all > 0:
        stats[0] = total / k - total_all / k_all
        # the shared selection kernel, bit for bit np.median: numba's own median compiles
        # five generic functions on every cold start (int64 casts: numba would otherwise
        # also compile a variant for the literal 0 the counters start from)
        stats[1] = median_inplace_nb(event_values, np.int64(k)) - median_inplace_nb(values, np.int64(k_all))
        stats[2] = hits / k - hits_all / k_all
    return stats, k


@njit(cache=True, nogil=True, inline="always")
def _cross_path_stats_nb(
    path: np.ndarray,
    fast_line: np.ndarray,
    slow_line: np.ndarray,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
    entry_lag: int,
    offsets: np.ndarray,
    stats: np.ndarray,
    counts: np.ndarray,
    b: int,
) -> None:
    """Row b of ``stats`` and ``counts``: the crosses of ``fast_line`` over ``slow_line`` on
    ``path`` (``MACross.signal_on_path``: ``signals.nb`` kernels), their events
    (``events.nb.select_events_nb``) and, per row j of ``offsets``, their excess statistics
    (``path_excess_stats_nb``)."""
    trigger = signals_nb.crossings_nb(fast_line, slow_line, direction)
    state = signals_nb.beyond_nb(fast_line, slow_line, direction)
    events, _ = events_nb.select_events_nb(trigger, state, first_pos, last_pos, confirm, min_gap)
    for j in range(offsets.shape[0]):
        path_stats, count = path_excess_stats_nb(path, events, entry_lag, offsets[j], first_pos, last_pos)
        for s in range(3):
            stats[b, j, s] = path_stats[s]
        counts[b, j] = count


@njit(cache=True, nogil=True)
def sma_cross_path_stats_nb(
    first_price: float,
    growth: np.ndarray,
    n_returns: int,
    mean_block: float,
    seed: int,
    fast: int,
    slow: int,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
    entry_lag: int,
    offsets: np.ndarray,
    stats: np.ndarray,
    counts: np.ndarray,
    path_start: int,
    path_stop: int,
) -> None:
    """The path null of a simple-moving-average cross for the horizons sharing one mean
    block: fills rows ``path_start .. path_stop - 1`` of ``stats`` (n_paths, horizons, 3) and
    ``counts`` (n_paths, horizons). Path b is ``bootstrap_path_nb(first_price, growth,
    n_returns, mean_block, seed, b)``, its two averages ``sma_pair_nb`` (bit for bit
    ``sma_nb`` twice) and row j of ``offsets`` (horizons, n_returns + 1; C-contiguous, so each
    row is read in place) is measured by ``_cross_path_stats_nb``. Each path depends on
    (seed, b) only, so any split of the paths gives the same rows: the caller runs disjoint
    ranges in threads (``backtest.threads``; not ``parallel=True``, whose parfor passes
    doubled this kernel's compile time on a cold start). One kernel per kind of average, so
    that a run compiles only the kind it uses. Twin: the per-path loop of
    ``bootstrap_path_stats`` (and ``tests/stats/_twins.py::bootstrap_path_stats``).
    """
    for b in range(path_start, path_stop):
        path = bootstrap_path_nb(first_price, growth, n_returns, mean_block, seed, b)
        fast_line, slow_line = signals_nb.sma_pair_nb(path, fast, slow)
        _cross_path_stats_nb(
            path,
            fast_line,
            slow_line,
            direction,
            first_pos,
            last_pos,
            confirm,
            min_gap,
            entry_lag,
            offsets,
            stats,
            counts,
            b,
        )


@njit(cache=True, nogil=True)
def ema_cross_path_stats_nb(
    first_price: float,
    growth: np.ndarray,
    n_returns: int,
    mean_block: float,
    seed: int,
    fast: int,
    slow: int,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
    entry_lag: int,
    offsets: np.ndarray,
    stats: np.ndarray,
    counts: np.ndarray,
    path_start: int,
    path_stop: int,
) -> None:
    """``sma_cross_path_stats_nb`` for exponential averages (``ema_nb`` twice)."""
    for b in range(path_start, path_stop):
        path = bootstrap_path_nb(first_price, growth, n_returns, mean_block, seed, b)
        fast_line = signals_nb.ema_nb(path, fast)
        slow_line = signals_nb.ema_nb(path, slow)
        _cross_path_stats_nb(
            path,
            fast_line,
            slow_line,
            direction,
            first_pos,
            last_pos,
            confirm,
            min_gap,
            entry_lag,
            offsets,
            stats,
            counts,
            b,
        )


@njit(cache=True, nogil=True)
def garch_returns_nb(
    shocks: np.ndarray, omega: float, alpha: float, beta: float, power: float, initial_value: float
) -> np.ndarray:
    """GARCH(1,1) returns r_t = e_t * sigma_t from standardized shocks ``e``: s_t = omega +
    alpha * |r_{t-1}| ** power + beta * s_{t-1}, sigma_t ** 2 = s_t ** (2 / power), s_0 =
    ``initial_value`` (arch's ``initial_value``: the variance when power = 2). The recursion of ``arch``'s ``GARCH(p=1, q=1, power=power).simulate``
    in its order of operations, so bit for bit its output (the reference test), without its
    per-day Python loop (~27 ms for the Russell 2000's 11,000 days, a quarter of a
    calibration replication). ``power`` arrives at run time, so the powers are libm's ``pow``
    as in arch, never folded into a product (|r| ** 2.0 and r * r differ in the last bit)."""
    n = shocks.shape[0]
    out = np.empty(n)
    if n == 0:
        return out
    inverse = 2.0 / power
    scale = initial_value
    value = np.sqrt(scale**inverse) * shocks[0]
    out[0] = value
    for t in range(1, n):
        scale = omega + alpha * abs(value) ** power + beta * scale
        value = shocks[t] * np.sqrt(scale**inverse)
        out[t] = value
    return out


@njit(cache=True, nogil=True)
def _add_run_nb(total: np.ndarray, values: np.ndarray) -> None:
    """total += values, element by element (contiguous views of equal length). Written over
    views indexed from 0 so that the compiler vectorises it: indexed at an offset (start +
    q), numba keeps its negative-index wraparound check in the loop, which stays scalar."""
    for q in range(total.shape[0]):
        total[q] += values[q]


@njit(cache=True, nogil=True)
def _add_runs4_nb(
    total: np.ndarray, first: np.ndarray, second: np.ndarray, third: np.ndarray, fourth: np.ndarray
) -> None:
    """total += first, then second, third, fourth, element by element: the four additions
    of ``_add_run_nb`` in the same order (the same floats), with one load and store of
    ``total`` instead of four."""
    for q in range(total.shape[0]):
        total[q] = (((total[q] + first[q]) + second[q]) + third[q]) + fourth[q]


@njit(cache=True, nogil=True)
def _lose_one_nb(count: np.ndarray) -> None:
    """count -= 1 over a contiguous view (a vectorised loop, as ``_add_run_nb``)."""
    for q in range(count.shape[0]):
        count[q] -= 1


@njit(cache=True, nogil=True)
def _shift_inputs_nb(
    returns: np.ndarray, event_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(values, count, complete, leading) behind the circular-shift sums: values and count
    (horizons x days, like ``returns``) hold the forward returns with 0.0 for an incomplete
    window (what adding it to a sum leaves) and, per (horizon, shift), the number of the
    shifted events' windows that are complete; complete the number of complete days per
    horizon, leading whether they are the first ones (the incomplete ones one run at the
    end). Each run of incomplete days [a, b) takes one window off the shifts that move an
    event into it, [a - r, b - r) mod L for event row r: at most two contiguous runs of
    counts per (run, event), so the counts take no pass over the events at every shift
    (incomplete windows are few: the last horizon's days of the sample, one run)."""
    n_horizons, n_days = returns.shape
    n_events = event_rows.shape[0]
    values = np.empty((n_horizons, n_days))
    count = np.full((n_horizons, n_days), n_events, dtype=np.int32)
    complete_days = np.empty(n_horizons, dtype=np.int64)
    leading = np.empty(n_horizons, dtype=np.bool_)
    for j in range(n_horizons):
        column = returns[j]
        kept = values[j]
        incomplete = 0
        for d in range(n_days):
            value = column[d]
            complete = np.abs(value) < np.inf  # np.isfinite: False for NaN and +-inf
            kept[d] = value if complete else 0.0
            incomplete += not complete
        complete_days[j] = n_days - incomplete
        lost = count[j]
        start = 0
        tail = 0
        while tail < incomplete and not np.abs(column[n_days - 1 - tail]) < np.inf:
            tail += 1
        leading[j] = tail == incomplete
        if leading[j]:
            start = n_days - tail  # the usual case, found without a scan: one run at the end
        while incomplete > 0:
            # the next run of incomplete days
            while np.abs(column[start]) < np.inf:
                start += 1
            stop = start
            while stop < n_days and not np.abs(column[stop]) < np.inf:
                stop += 1
            incomplete -= stop - start
            for i in range(n_events):
                low, high = start - event_rows[i], stop - event_rows[i]
                if low < 0 and high <= 0:
                    low, high = low + n_days, high + n_days
                if low >= 0:
                    _lose_one_nb(lost[low:high])
                else:
                    _lose_one_nb(lost[low + n_days :])
                    _lose_one_nb(lost[:high])
            start = stop
    return values, count, complete_days, leading


@njit(cache=True, nogil=True)
def _add_shifted_block_nb(values: np.ndarray, event_rows: np.ndarray, first: int, days: int, sums: np.ndarray) -> None:
    """Adds to sums[:, :days] (the sums of the shifts first .. first + days - 1, per
    horizon) every event's rows (r + s) mod L, event by event in order: each event's rows
    are at most two contiguous runs of a row of ``values`` (horizons x L), added by a
    vectorised loop, four events at a time where none of the four wraps around. One
    horizon at a time, so that the row read stays in a near cache. Any float dtype (the
    sums take the dtype of ``sums``)."""
    n_horizons, n_days = values.shape
    n_events = event_rows.shape[0]
    for j in range(n_horizons):
        row = values[j]
        block = sums[j, :days]
        i = 0
        while i < n_events:
            if i + 4 <= n_events:
                a, b = event_rows[i] + first, event_rows[i + 1] + first
                c, d = event_rows[i + 2] + first, event_rows[i + 3] + first
                a -= n_days if a >= n_days else 0
                b -= n_days if b >= n_days else 0
                c -= n_days if c >= n_days else 0
                d -= n_days if d >= n_days else 0
                if max(max(a, b), max(c, d)) + days <= n_days:
                    _add_runs4_nb(block, row[a : a + days], row[b : b + days], row[c : c + days], row[d : d + days])
                    i += 4
                    continue
            source = event_rows[i] + first
            if source >= n_days:
                source -= n_days
            head = min(days, n_days - source)
            _add_run_nb(block[:head], row[source : source + head])
            _add_run_nb(block[head:], row[: days - head])
            i += 1


@njit(cache=True, nogil=True)
def shifted_means_nb(forward_returns: np.ndarray, event_rows: np.ndarray) -> np.ndarray:
    """Means of the forward returns over the event set shifted circularly by s = 0 .. L-1
    rows, per horizon, NaN windows left out (NaN when none is left); row 0 is the events
    themselves. forward_returns: C-contiguous float64[L, H]; event_rows: int64[n] in
    [0, L). Returns float64[L, H]. Twin: ``backtest.stats.joint.shifted_means`` (numpy, the
    readable reference), equal bit for bit: both add the events' values in event order
    from 0.0 (adding 0.0 for a NaN window leaves a sum unchanged).

    O(L n H) time, O(L H) memory (no L x n index matrix). Event r adds row (r + s) mod L to
    row s of the sums. The work runs per horizon on contiguous columns, the shifts in
    blocks of ``_SHIFT_BLOCK`` sums that stay in the L1 cache while every event adds its
    rows to them (``_add_shifted_block_nb``); the counts of complete windows come from the
    incomplete ones (``_shift_inputs_nb``).
    """
    n_days, n_horizons = forward_returns.shape
    values, count = _shift_inputs_nb(np.ascontiguousarray(forward_returns.T), event_rows)[:2]
    block_days = max(1, _SHIFT_BLOCK // n_horizons)
    sums = np.empty((n_horizons, block_days))
    out = np.empty((n_days, n_horizons))
    for first in range(0, n_days, block_days):
        days = min(block_days, n_days - first)
        sums[:] = 0.0
        _add_shifted_block_nb(values, event_rows, first, days, sums)
        for s in range(days):
            for j in range(n_horizons):
                kept = count[j, first + s]
                out[first + s, j] = sums[j, s] / kept if kept > 0 else np.nan
    return out


_PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE


@njit(cache=True, nogil=True)
def _pairwise_block_nb(block: np.ndarray) -> float:
    """numpy's ``pairwise_sum`` of at most 128 values (``pairwise_sum_nb``); indexed from 0
    with range indices, so no wraparound check stays in the loop."""
    count = block.shape[0]
    if count < 8:
        total = -0.0
        for i in range(count):
            total += block[i]
        return total
    r0, r1, r2, r3 = block[0], block[1], block[2], block[3]
    r4, r5, r6, r7 = block[4], block[5], block[6], block[7]
    whole = count - count % 8
    for i in range(8, whole, 8):
        r0 += block[i]
        r1 += block[i + 1]
        r2 += block[i + 2]
        r3 += block[i + 3]
        r4 += block[i + 4]
        r5 += block[i + 5]
        r6 += block[i + 6]
        r7 += block[i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(whole, count):
        total += block[i]
    return total


@njit(cache=True, nogil=True)
def pairwise_sum_nb(values: np.ndarray) -> float:
    """Sum of a contiguous float64 vector as numpy sums it (``np.add.reduce``, hence
    ``np.sum``, ``np.mean``, ``np.std`` and a row sum of a C-contiguous array): 0.0 plus the
    pairwise sum, which takes fewer than 8 values in order from -0.0, up to 128 in eight
    interleaved partial sums combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    and then the remainder in order, and above that the sums of the two halves (split at a
    multiple of 8) added (numpy's ``pairwise_sum``, ``loops_utils.h``). Bit for bit numpy's
    result, the sign of a zero included (the reference test against ``np.add.reduce``),
    where a plain loop differs in the last bits: the kernels that must reproduce a numpy
    computation exactly call it. numpy recurses; here an explicit stack walks the same tree
    (numba's cache cannot hold a recursive function)."""
    count = values.shape[0]
    if count <= _PAIRWISE_BLOCK:
        return 0.0 + _pairwise_block_nb(values)
    # frames: (start, count, the left half's sum once known); 64 levels hold any array
    starts = np.empty(64, dtype=np.int64)
    counts = np.empty(64, dtype=np.int64)
    left_sum = np.empty(64)
    left_done = np.zeros(64, dtype=np.bool_)
    top = 0
    starts[0], counts[0] = 0, count
    value = 0.0
    returning = False
    while True:
        if not returning:
            n = counts[top]
            if n <= _PAIRWISE_BLOCK:
                value = _pairwise_block_nb(values[starts[top] : starts[top] + n])
                returning = True
                top -= 1
                continue
            half = n // 2
            half -= half % 8
            starts[top + 1], counts[top + 1], left_done[top + 1] = starts[top], half, False
            top += 1
            continue
        if top < 0:
            return 0.0 + value
        if not left_done[top]:
            left_sum[top] = value
            left_done[top] = True
            half = counts[top] // 2
            half -= half % 8
            starts[top + 1], counts[top + 1], left_done[top + 1] = starts[top] + half, counts[top] - half, False
            top += 1
            returning = False
            continue
        value = left_sum[top] + value
        top -= 1


@njit(cache=True, nogil=True, error_model="numpy")
def path_forward_returns_nb(
    close: np.ndarray, offsets: np.ndarray, first_pos: int, last_pos: int, entry_lag: int
) -> np.ndarray:
    """(horizons x days) forward return of every day d of [first_pos, last_pos] entered as an
    event would be (entry e = d + entry_lag, window offsets[j, e]): close[e + offset] /
    close[e] - 1, NaN where the window is incomplete (an entry or window end past the last
    close, or a negative offset). The eligible days of ``backtest.stats.baseline`` measured
    as ``events.nb`` measures them, one contiguous row per horizon (the layout of
    ``joint_shift_pvalue_nb``). close: float64[n]; offsets: C-contiguous int64[H, n] (the
    transpose of ``horizon_offsets``). A horizon whose window has the same length at every
    entry (trading days) is one vectorised division of two runs of closes. Twin: the numpy
    expression in ``tests/stats/test_power.py::forward_returns_twin``."""
    n = close.shape[0]
    n_days = max(last_pos - first_pos + 1, 0)
    n_horizons = offsets.shape[0]
    out = np.empty((n_horizons, n_days))
    lowest = first_pos + entry_lag
    inside = min(n_days, max(n - lowest, 0))  # days whose entry is a close of the path
    for j in range(n_horizons):
        row = out[j]
        lengths = offsets[j, lowest : lowest + inside]
        length = lengths[0] if inside > 0 else -1
        differ = 0
        for d in range(inside):
            differ += lengths[d] != length
        if length >= 0 and differ == 0:
            complete = min(inside, max(n - lowest - length, 0))
            ends = close[lowest + length : lowest + length + complete]
            entries = close[lowest : lowest + complete]
            for d in range(complete):
                row[d] = ends[d] / entries[d] - 1.0
            row[complete:] = np.nan
            continue
        row[:] = np.nan
        for d in range(inside):
            entry = lowest + d
            offset = lengths[d]
            if offset >= 0 and entry + offset < n:
                row[d] = close[entry + offset] / close[entry] - 1.0
    return out


_FLOAT32_UNIT = 2.0**-24  # unit roundoff of float32 (round to nearest)


@njit(cache=True, nogil=True)
def _largest_magnitude_nb(values: np.ndarray) -> float:
    """max |values| (finite values), as four interleaved running maxima: a floating-point
    max reduction in one chain does not vectorise."""
    m0 = m1 = m2 = m3 = 0.0
    whole = values.shape[0] - values.shape[0] % 4
    for d in range(0, whole, 4):
        a0, a1, a2, a3 = np.abs(values[d]), np.abs(values[d + 1]), np.abs(values[d + 2]), np.abs(values[d + 3])
        m0 = a0 if a0 > m0 else m0
        m1 = a1 if a1 > m1 else m1
        m2 = a2 if a2 > m2 else m2
        m3 = a3 if a3 > m3 else m3
    for d in range(whole, values.shape[0]):
        a0 = np.abs(values[d])
        m0 = a0 if a0 > m0 else m0
    return max(max(m0, m1), max(m2, m3))


@njit(cache=True, nogil=True)
def _shift_statistic_nb(
    values: np.ndarray,
    count: np.ndarray,
    event_rows: np.ndarray,
    shift: int,
    mean: np.ndarray,
    sd: np.ndarray,
    sign: float,
    z: np.ndarray,
) -> float:
    """The joint statistic of the events shifted by ``shift``, in the order of operations of
    ``joint_shift_test`` over ``shifted_means_nb``: per horizon the sum of the shifted
    events' values in event order from 0.0, divided by the count of complete windows,
    sign * (mean - baseline mean) / baseline sd, and numpy's sum of the horizons' values
    (``pairwise_sum_nb``). The same float as that test's (exact, not approximated)."""
    n_horizons, n_days = values.shape
    for j in range(n_horizons):
        row = values[j]
        total = 0.0
        for i in range(event_rows.shape[0]):
            day = event_rows[i] + shift
            total += row[day - n_days if day >= n_days else day]
        kept = count[j, shift]
        shifted = total / kept if kept > 0 else np.nan
        z[j] = sign * (shifted - mean[j]) / sd[j]
    return pairwise_sum_nb(z)


@njit(cache=True, nogil=True, error_model="numpy")
def joint_shift_pvalue_nb(
    returns: np.ndarray, event_rows: np.ndarray, sign: float, min_events: int, decide_at: float
) -> float:
    """The p-value of ``backtest.stats.joint.joint_shift_test`` with the all-days mean and
    standard deviation (ddof 1) of each horizon's complete windows as its baseline, bit for
    bit (the statistics compared are that test's floats), without the statistics the
    p-value does not need (per-horizon shares, quantiles). NaN when fewer than
    ``min_events`` of the events' windows are complete at some horizon (the test is then not
    run) or when the events' statistic is not finite.

    p counts the shifts whose statistic is at least the events' one. Every shift's
    statistic is first computed in float32 (``_add_shifted_block_nb`` over float32 values:
    half the memory traffic of float64, the kernel's main cost), with a rigorous bound on
    its distance to the exact float64 statistic. With u = 2**-24 and M a horizon's largest
    |return|: a recursive sum of n values, c of them non-zero, is within (n + 1) * 1.01 * u
    * c * M of the exact sum in float32 (the rounding of the values to float32 included;
    Higham 2002, Accuracy and Stability of Numerical Algorithms, sec. 4.2), float64's error
    being smaller still, so the mean is within (n + 1) * 1.01 * u * M whatever its count;
    the float32 division, subtraction and scaling add at most 6 u (M + |baseline mean|) /
    sd and the sum over the H horizons H u times the same; the total, (n + 8 + H) * 1.03 * u
    * sum_h (M_h + |mean_h|) / sd_h, bounds the gap to the exact statistic. A shift farther
    than the bound from the events' statistic is decided by the approximation; a nearer
    one (a few per path) by its exact statistic (``_shift_statistic_nb``). The events' own
    statistic is computed exactly.

    The shifts are taken block by block, each block's shifts counted as soon as its sums
    are known; once the count at or above the events' statistic makes p >= ``decide_at``
    certain, the kernel stops and returns that share (>= decide_at, a lower bound of p): a
    caller that only asks whether p < alpha passes alpha, and a rejection costs the whole
    pass, a clear non-rejection a fraction. Blocks after the first are visited with a
    stride, so that early blocks sample the whole period. decide_at > 1 always gives p.

    returns: C-contiguous float64[H, L] (the forward returns of the L days, one row per
    horizon: ``path_forward_returns_nb``), NaN where incomplete; event_rows: int64 rows
    (rows outside [0, L) are dropped); sign: +1.0 ("greater") or -1.0 ("less"). Twin:
    ``joint_shift_test`` on the (L x H) transpose with numpy's baselines
    (``tests/stats/test_power.py::joint_shift_pvalue_twin``)."""
    n_horizons, n_days = returns.shape
    rows = np.empty(event_rows.shape[0], dtype=np.int64)
    n_rows = 0
    for i in range(event_rows.shape[0]):
        if 0 <= event_rows[i] < n_days:
            rows[n_rows] = event_rows[i]
            n_rows += 1
    if n_rows == 0:
        return np.nan
    rows = rows[:n_rows]
    for j in range(n_horizons):
        complete = 0
        for i in range(n_rows):
            complete += np.abs(returns[j, rows[i]]) < np.inf
        if complete < min_events:
            return np.nan
    values, count, complete_days, leading = _shift_inputs_nb(returns, rows)
    # the baseline: np.mean and np.std(ddof=1) of each horizon's complete windows, in
    # numpy's order of operations
    mean = np.empty(n_horizons)
    sd = np.empty(n_horizons)
    buffer = np.empty(n_days)
    for j in range(n_horizons):
        k = complete_days[j]
        if leading[j]:
            complete_values = returns[j, :k]  # the usual case: the incomplete days are the last
        else:
            complete_values = buffer[:k]
            k = 0
            for d in range(n_days):
                if np.abs(returns[j, d]) < np.inf:
                    complete_values[k] = returns[j, d]
                    k += 1
        mean[j] = pairwise_sum_nb(complete_values) / k
        squares = buffer[:k]
        for d in range(k):
            deviation = complete_values[d] - mean[j]
            squares[d] = deviation * deviation
        sd[j] = np.sqrt(pairwise_sum_nb(squares) / max(k - 1, 0))
    z = np.empty(n_horizons)
    # (an int64 0: a literal 0 would compile a second variant of the kernel)
    observed = _shift_statistic_nb(values, count, rows, np.int64(0), mean, sd, sign, z)
    if not np.abs(observed) < np.inf:
        return np.nan
    # a shift's statistic is finite when each horizon keeps a complete window (the
    # baselines are finite, as the events' statistic is)
    every = np.ones(n_days, dtype=np.bool_)
    for j in range(n_horizons):
        kept = count[j]
        for s in range(n_days):
            every[s] &= kept[s] > 0
    n_finite = 0
    for s in range(n_days):
        n_finite += every[s]
    stop_count = n_finite + 1
    if decide_at <= 1.0:
        stop_count = max(int(decide_at * n_finite) - 1, 0)
        while stop_count / n_finite < decide_at:
            stop_count += 1
    # float32 copies of the values and the statistic's scaling; the bound on its error
    single = np.empty((n_horizons, n_days), dtype=np.float32)
    scaled_mean = np.empty(n_horizons, dtype=np.float32)
    weight = np.empty(n_horizons, dtype=np.float32)
    bound = 0.0
    for j in range(n_horizons):
        row, low = values[j], single[j]
        for d in range(n_days):
            low[d] = np.float32(row[d])
        scaled_mean[j] = np.float32(mean[j])
        weight[j] = np.float32(sign / sd[j])
        bound += (_largest_magnitude_nb(row) + np.abs(mean[j])) / sd[j]
    # (1 + 1e-9): the bound's own float64 rounding and the comparisons' subtraction
    bound *= (n_rows + 8 + n_horizons) * 1.03 * _FLOAT32_UNIT * (1.0 + 1e-9)
    block_days = max(1, 2 * _SHIFT_BLOCK // n_horizons)  # float32 sums: twice as many in as many bytes
    n_blocks = (n_days + block_days - 1) // block_days
    stride = max(1, int(0.618 * n_blocks))
    while math.gcd(stride, n_blocks) != 1:
        stride += 1
    sums = np.empty((n_horizons, block_days), dtype=np.float32)
    approximate = np.empty(block_days, dtype=np.float32)
    at_least = 0
    for visit in range(n_blocks):
        first = ((visit * stride) % n_blocks) * block_days
        days = min(block_days, n_days - first)
        sums[:] = 0.0
        _add_shifted_block_nb(single, rows, first, days, sums)
        approximate[:days] = 0.0
        for j in range(n_horizons):
            column_mean, column_weight = scaled_mean[j], weight[j]
            block_sums, kept = sums[j, :days], count[j, first : first + days]
            for s in range(days):
                # a count of 0 gives 0 / 0: NaN, as the exact statistic
                approximate[s] += (block_sums[s] / np.float32(kept[s]) - column_mean) * column_weight
        for s in range(days):
            statistic = np.float64(approximate[s])  # NaN for a shift without a complete window
            if statistic - bound >= observed and statistic < np.inf:
                at_least += 1
            elif statistic + bound >= observed:  # near the events' statistic (or float32 overflowed)
                at_least += _shift_statistic_nb(values, count, rows, first + s, mean, sd, sign, z) >= observed
        if at_least >= stop_count:
            break
    return at_least / n_finite


@njit(cache=True, nogil=True)
def drifted_log_path_nb(
    returns: np.ndarray, first_log: float, drift_events: np.ndarray, entry_lag: int, drift_days: int, step: float
) -> np.ndarray:
    """Log closes of a path of daily log ``returns`` with a drift planted after events:
    ``step`` is added to the return of each of the ``drift_days`` days from every entry
    (event + entry_lag) of ``drift_events``, once for a day inside two windows (nothing is
    added when ``drift_events`` is empty). Returns float64[len(returns) + 1]: first_log,
    then first_log + the running sum of the returns, in numpy's order of operations
    (``returns + mask * step``, ``np.cumsum``), so np.exp of it is bit for bit the path of
    the numpy twin (``tests/stats/test_power.py::drifted_log_path_twin``). The exponential
    is left to the caller: numpy's vectorised exp and libm's (numba's) differ in the last
    bit on a few percent of values."""
    n_returns = returns.shape[0]
    inside = np.zeros(n_returns, dtype=np.bool_)
    for e in range(drift_events.shape[0]):
        entry = drift_events[e] + entry_lag
        for t in range(max(entry, 0), min(entry + drift_days, n_returns)):
            inside[t] = True
    planted = drift_events.shape[0] > 0
    out = np.empty(n_returns + 1)
    out[0] = first_log + 0.0
    running = 0.0
    for t in range(n_returns):
        value = returns[t]
        if planted:
            value = value + (step if inside[t] else 0.0 * step)
        running = value if t == 0 else running + value
        out[t + 1] = first_log + running
    return out


@njit(cache=True, nogil=True)
def cross_events_nb(
    fast_line: np.ndarray,
    slow_line: np.ndarray,
    direction: int,
    first_pos: int,
    last_pos: int,
    confirm: int,
    min_gap: int,
) -> np.ndarray:
    """Event positions of a moving-average cross on a path, in one call: the signal of
    ``MACross.signal_on_path`` (``signals.nb.crossings_nb`` and ``beyond_nb`` of the two
    lines) through the timing kernel ``events.nb.select_events_nb``, as ``select_events``
    runs it. Twin: ``select_events(MACross(...).signal_on_path(close), index, rules)``
    (``tests/stats/test_power.py``)."""
    trigger = signals_nb.crossings_nb(fast_line, slow_line, direction)
    state = signals_nb.beyond_nb(fast_line, slow_line, direction)
    return events_nb.select_events_nb(trigger, state, first_pos, last_pos, confirm, min_gap)[0]
