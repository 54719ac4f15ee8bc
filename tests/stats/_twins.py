"""Readable pure-Python twins of ``backtest.stats.nb``, used only by the tests.

Same counter-based generator (SplitMix64 on Python ints), same sampling algorithms, written
for clarity with sets, lists and pandas instead of masks and preallocated arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.events import Horizon, measure_forward
from backtest.events.rules import EventRules
from backtest.events.study import detect

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
SEED_SALT = 0xD1B54A32D192ED03


def mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


class Stream:
    """Stream ``counter`` of seed ``seed``: SplitMix64 started at a hash of the pair."""

    def __init__(self, seed: int, counter: int) -> None:
        key = mix64(seed ^ SEED_SALT)
        self.state = mix64(key ^ ((counter * GAMMA) & MASK64))

    def uniform(self) -> float:
        self.state = (self.state + GAMMA) & MASK64
        return (mix64(self.state) >> 11) * 2.0**-53

    def below(self, bound: int) -> int:
        return min(int(self.uniform() * bound), bound - 1)


def floyd_sample(stream: Stream, size: int, count: int) -> list[int]:
    """Floyd's k-subset of range(size), in the order the kernel writes it."""
    chosen: list[int] = []
    seen: set[int] = set()
    for j in range(size - count, size):
        t = stream.below(j + 1)
        if t in seen:
            t = j
        seen.add(t)
        chosen.append(t)
    return chosen


def sample_horizons(seed: int, draw: int, draw_sizes, starts, sizes, counts, spacings) -> list[list[int]]:
    """Every horizon's picks of one draw, on common random numbers: stratum s reads stream
    draw * S + s, skips repeats, and horizon h keeps the first counts[h][s] values below its
    reduced range (then sorted and spread by the spacing gap, and shifted to its start)."""
    n_strata = len(draw_sizes)
    picks: list[list[int]] = [[] for _ in counts]
    for s in range(n_strata):
        wanted = [row[s] for row in counts]
        if all(c <= 0 for c in wanted):
            continue
        gaps = [max(spacing - 1, 0) for spacing in spacings]
        reduced = [sizes[h][s] - (wanted[h] - 1) * gaps[h] for h in range(len(counts))]
        chosen: list[list[int]] = [[] for _ in counts]
        seen: set[int] = set()
        stream = Stream(seed, draw * n_strata + s)
        while any(len(chosen[h]) < wanted[h] for h in range(len(counts))):
            value = stream.below(draw_sizes[s])
            if value in seen:
                continue
            seen.add(value)
            for h in range(len(counts)):
                if len(chosen[h]) < wanted[h] and value < reduced[h]:
                    chosen[h].append(value)
        for h in range(len(counts)):
            local = chosen[h]
            if gaps[h] and local:
                local = [y + i * gaps[h] for i, y in enumerate(sorted(local))]
            picks[h].extend(starts[h][s] + x for x in local)
    return picks


def _stats(ret, max_drawdown, picks) -> list[float]:
    if not picks:
        return [np.nan] * 4
    values = [ret[p] for p in picks]
    total = 0.0
    for v in values:  # left-to-right, as the kernel adds
        total += v
    drawdown = 0.0
    for p in picks:
        drawdown += max_drawdown[p]
    return [total / len(picks), np.median(values), sum(v > 0 for v in values) / len(picks), drawdown / len(picks)]


def random_entry_horizon_stats(
    ret, max_drawdown, draw_sizes, starts, sizes, counts, spacings, n_draws, seed
) -> np.ndarray:
    out = np.empty((len(counts), n_draws, 4))
    for d in range(n_draws):
        picks = sample_horizons(seed, d, draw_sizes, starts, sizes, counts, spacings)
        for h, rows in enumerate(picks):
            out[h, d] = _stats(np.asarray(ret)[:, h], np.asarray(max_drawdown)[:, h], rows)
    return out


def random_entry_null_stats(ret, max_drawdown, starts, sizes, counts, spacing, n_draws, seed) -> np.ndarray:
    return random_entry_horizon_stats(
        np.asarray(ret)[:, None],
        np.asarray(max_drawdown)[:, None],
        sizes,
        [starts],
        [sizes],
        [counts],
        [spacing],
        n_draws,
        seed,
    )[0]


def random_entry_picks(starts, sizes, counts, spacing, n_draws, seed) -> np.ndarray:
    return np.array(
        [sample_horizons(seed, d, sizes, [starts], [sizes], [counts], [spacing])[0] for d in range(n_draws)]
    )


def random_entry_null_means(pool, k, n_draws, seed) -> np.ndarray:
    """Floyd's sampler (the sweep's kernel), summed left to right."""
    out = np.empty(n_draws)
    for d in range(n_draws):
        total = 0.0
        for p in floyd_sample(Stream(seed, d), len(pool), k):
            total += pool[p]
        out[d] = total / k
    return out


def random_entry_prefix_means(pool, ks, n_draws, seed) -> np.ndarray:
    """Means of the first k days of each draw's partial Fisher-Yates shuffle, per k."""
    out = np.empty((len(ks), n_draws))
    n = len(pool)
    for d in range(n_draws):
        stream = Stream(seed, d)
        order = list(range(n))
        for i in range(max(ks)):
            other = i + stream.below(n - i)
            order[i], order[other] = order[other], order[i]
        for j, k in enumerate(ks):
            total = 0.0
            for p in order[:k]:  # left to right, as the kernel adds
                total += pool[p]
            out[j, d] = total / k
    return out


def random_entry_path_means(close, pool_start, pool_size, k, length, n_draws, seed) -> np.ndarray:
    out = np.empty((n_draws, length + 1))
    for d in range(n_draws):
        entries = [pool_start + x for x in floyd_sample(Stream(seed, d), pool_size, k)]
        paths = [100.0 * np.asarray(close[e : e + length + 1]) / close[e] for e in entries]
        out[d] = np.mean(paths, axis=0)
    return out


def stationary_bootstrap_draw(n_out: int, n_pool: int, mean_block: float, seed: int, replication: int) -> np.ndarray:
    """Politis-Romano: a new block (uniform start in the pool) with probability 1/mean_block,
    else the next index, wrapping from n_pool - 1 to 0."""
    stream = Stream(seed, replication)
    indices = [stream.below(n_pool)]
    for _ in range(1, n_out):
        if stream.uniform() < 1.0 / mean_block:
            indices.append(stream.below(n_pool))
        else:
            indices.append((indices[-1] + 1) % n_pool)
    return np.array(indices, dtype=np.int64)


def stationary_bootstrap_indices(n_obs: int, mean_block: float, seed: int, replication: int) -> np.ndarray:
    return stationary_bootstrap_draw(n_obs, n_obs, mean_block, seed, replication)


def path_excess(path: pd.Series, rules: EventRules, horizon: Horizon) -> tuple[np.ndarray, int]:
    """Events' (mean, median, hit rate) of the forward return minus the same over every day of
    the detection window with a complete window, with pandas (``measure_forward``)."""
    index = path.index
    first = 0 if rules.start is None else index.searchsorted(rules.start)
    last = len(index) - 1 if rules.end is None else index.searchsorted(rules.end, side="right") - 1
    days = np.arange(first, last + 1) + rules.entry_lag
    days = days[days < len(index)]
    label = horizon.label
    every = measure_forward(path, days, (horizon,))
    every = every.loc[~every[f"pending_{label}"], f"ret_{label}"].to_numpy()
    events = measure_forward(path, detect(path, rules).entry_pos, (horizon,))
    events = events.loc[~events[f"pending_{label}"], f"ret_{label}"].to_numpy()
    if not len(events):
        return np.full(3, np.nan), 0
    return np.array(
        [events.mean() - every.mean(), np.median(events) - np.median(every), np.mean(events > 0) - np.mean(every > 0)]
    ), len(events)


def bootstrap_path_stats(close: pd.Series, rules: EventRules, horizons: tuple[Horizon, ...], blocks, seed, n_paths):
    """Paths rebuilt with numpy from the detection window's returns, events found by
    ``events.study.detect``, excess statistics by ``path_excess``."""
    log_returns = np.diff(np.log(close.to_numpy()))
    first = 0 if rules.start is None else close.index.searchsorted(rules.start)
    last = len(close) - 1 if rules.end is None else close.index.searchsorted(rules.end, side="right") - 1
    pool = log_returns[max(first, 1) - 1 : last]
    stats = np.full((n_paths, len(horizons), 3), np.nan)
    counts = np.zeros((n_paths, len(horizons)), dtype=np.int64)
    for j, horizon in enumerate(horizons):
        for b in range(n_paths):
            indices = stationary_bootstrap_draw(len(log_returns), len(pool), blocks[j], seed, b)
            path = close.iloc[0] * np.exp(np.concatenate([[0.0], np.cumsum(pool[indices])]))
            stats[b, j], counts[b, j] = path_excess(pd.Series(path, index=close.index), rules, horizon)
    return stats, counts
