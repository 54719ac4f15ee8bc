"""Null-distribution kernels shared across stages: random-entry Monte Carlo, stationary
bootstrap, bootstrapped price paths. A public kernel module (vectorbt's ``nb`` convention):
plain arrays and scalars in and out, wrappers validate; every kernel has a readable twin of
the same name without ``_nb`` in ``tests/stats/_twins.py``.

Randomness is counter-based: draw (or replication) ``d`` under seed ``s`` reads its own
SplitMix64 stream started at ``stream_state_nb(s, d)``, so every result is a function of
(seed, draw index) only, identical for any number of numba threads and any chunking.
SplitMix64: Steele, Lea & Flood (2014), "Fast splittable pseudorandom number generators",
OOPSLA; the finaliser is Stafford's "Mix13" variant, as in Java's SplittableRandom.

Shared with ``backtest.sweep`` (keep the names and signatures stable):
``random_entry_null_means_nb(pool, k, n_draws, seed)`` and
``stationary_bootstrap_indices_nb(n_obs, mean_block, seed, replication)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, SplitMix64's increment
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEED_SALT = np.uint64(0xD1B54A32D192ED03)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53: top 53 bits -> a double in [0, 1)

CHUNK = 512
"""Draws per work item of the parallel loops (performance only; results do not depend on it)."""

NULL_STATISTICS: tuple[str, ...] = ("mean", "median", "hit_rate", "mean_max_drawdown")
"""Columns of ``random_entry_null_stats_nb`` output, in order (the path null's excess
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
def _floyd_sample(state: np.uint64, size: int, count: int, mask: np.ndarray, picks: np.ndarray, start: int) -> np.uint64:
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


@njit(cache=True, nogil=True)
def _sample_strata(
    state: np.uint64,
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: int,
    mask: np.ndarray,
    picks: np.ndarray,
) -> np.uint64:
    """Pool indices of one draw: ``strata_count[s]`` distinct picks from the contiguous pool
    range ``[strata_start[s], strata_start[s] + strata_size[s])`` of each stratum s.

    With ``spacing`` > 1, picks within a stratum are at least ``spacing`` apart, uniformly
    over all such sets: sorted picks x_i with x_{i+1} - x_i >= spacing correspond one to one
    with increasing y_i = x_i - i * (spacing - 1) in a range shorter by
    (count - 1) * (spacing - 1), so a plain uniform subset of the shorter range, sorted and
    shifted back, is exact (no rejection).
    """
    position = 0
    gap = spacing - 1 if spacing > 1 else 0
    for s in range(strata_start.shape[0]):
        count = strata_count[s]
        if count <= 0:
            continue
        reduced = strata_size[s] - (count - 1) * gap
        state = _floyd_sample(state, reduced, count, mask, picks, position)
        if gap > 0:
            picks[position : position + count] = np.sort(picks[position : position + count])
            for i in range(count):
                picks[position + i] += i * gap
        for i in range(count):
            picks[position + i] += strata_start[s]
        position += count
    return state


@njit(cache=True, nogil=True, parallel=True)
def random_entry_null_means_nb(pool: np.ndarray, k: int, n_draws: int, seed: int) -> np.ndarray:
    """SHARED API. Mean of ``k`` values drawn without replacement from ``pool``, per draw.

    pool: float64[n] (e.g. the forward returns of every eligible day); 1 <= k <= n.
    Returns float64[n_draws]; draw d depends only on (seed, d), never on thread count.
    Equals column 0 of ``random_entry_null_stats_nb`` with one stratum and spacing 1.
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
def random_entry_null_stats_nb(
    ret: np.ndarray,
    max_drawdown: np.ndarray,
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: int,
    n_draws: int,
    seed: int,
) -> np.ndarray:
    """Null statistics of random entry sets: shape (n_draws, 4) with columns
    ``NULL_STATISTICS`` (mean return, median return, hit rate = share of returns > 0, mean
    max drawdown) over the picks of ``_sample_strata`` (one stratum = plain draw)."""
    k = 0
    max_size = 1
    for s in range(strata_count.shape[0]):
        k += strata_count[s]
        if strata_size[s] > max_size:
            max_size = strata_size[s]
    out = np.empty((n_draws, N_NULL_STATISTICS))
    n_chunks = (n_draws + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        mask = np.zeros(max_size, dtype=np.bool_)
        picks = np.empty(k, dtype=np.int64)
        values = np.empty(k)
        stop = min(n_draws, (c + 1) * CHUNK)
        for d in range(c * CHUNK, stop):
            state = stream_state_nb(seed, d)
            _sample_strata(state, strata_start, strata_size, strata_count, spacing, mask, picks)
            total = 0.0
            hits = 0
            drawdown = 0.0
            for i in range(k):
                value = ret[picks[i]]
                values[i] = value
                total += value
                if value > 0.0:
                    hits += 1
                drawdown += max_drawdown[picks[i]]
            out[d, 0] = total / k
            out[d, 1] = np.median(values)
            out[d, 2] = hits / k
            out[d, 3] = drawdown / k
    return out


@njit(cache=True, nogil=True, parallel=True)
def random_entry_picks_nb(
    strata_start: np.ndarray,
    strata_size: np.ndarray,
    strata_count: np.ndarray,
    spacing: int,
    n_draws: int,
    seed: int,
) -> np.ndarray:
    """The pool indices behind ``random_entry_null_stats_nb`` (n_draws, k), for tests and
    figures; same streams, so row d is exactly the set whose statistics are row d there."""
    k = 0
    max_size = 1
    for s in range(strata_count.shape[0]):
        k += strata_count[s]
        if strata_size[s] > max_size:
            max_size = strata_size[s]
    out = np.empty((n_draws, k), dtype=np.int64)
    n_chunks = (n_draws + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        mask = np.zeros(max_size, dtype=np.bool_)
        picks = np.empty(k, dtype=np.int64)
        stop = min(n_draws, (c + 1) * CHUNK)
        for d in range(c * CHUNK, stop):
            state = stream_state_nb(seed, d)
            _sample_strata(state, strata_start, strata_size, strata_count, spacing, mask, picks)
            out[d] = picks
    return out


@njit(cache=True, nogil=True, parallel=True)
def random_entry_path_means_nb(
    close: np.ndarray, pool_start: int, pool_size: int, k: int, length: int, n_draws: int, seed: int
) -> np.ndarray:
    """Mean event-aligned path of ``k`` random entries, rebased to 100, per draw.

    Entries are distinct positions drawn uniformly from [pool_start, pool_start + pool_size)
    (the caller guarantees close[entry + length] exists). Returns (n_draws, length + 1):
    row d, column t = mean over the draw's entries of 100 * close[e + t] / close[e].
    """
    out = np.zeros((n_draws, length + 1))
    n_chunks = (n_draws + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        mask = np.zeros(pool_size, dtype=np.bool_)
        picks = np.empty(k, dtype=np.int64)
        stop = min(n_draws, (c + 1) * CHUNK)
        for d in range(c * CHUNK, stop):
            state = stream_state_nb(seed, d)
            _floyd_sample(state, pool_size, k, mask, picks, 0)
            for i in range(k):
                entry = pool_start + picks[i]
                base = close[entry]
                for t in range(length + 1):
                    out[d, t] += close[entry + t] / base
            for t in range(length + 1):
                out[d, t] *= 100.0 / k
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
def rebuild_path_nb(first_price: float, log_returns: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Price path first_price * exp(cumsum(log_returns[indices])), first_price prepended."""
    n_returns = indices.shape[0]
    path = np.empty(n_returns + 1)
    path[0] = first_price
    cumulative = 0.0
    for t in range(n_returns):
        cumulative += log_returns[indices[t]]
        path[t + 1] = first_price * np.exp(cumulative)
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
    values keeps the path's drift out of the null (issue 14).
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
        if ret > 0.0:
            hits_all += 1
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
        stats[1] = np.median(event_values[:k]) - np.median(values[:k_all])
        stats[2] = hits / k - hits_all / k_all
    return stats, k
