"""Readable twins of ``backtest.sweep._kernels`` and slow references, for tests only.

Each function does what its kernel does in the plainest Python/NumPy: loops over days,
dense matrices over (replication, pair), literal formulas from the papers and from arch.
"""

from __future__ import annotations

import numpy as np


def pair_events_twin(fast, slow, direction, first_pos, last_pos, confirm, min_gap):
    """Events of one pair: a cross on t (both averages defined on t-1 and t; golden:
    fast <= slow then fast > slow), confirmed over ``confirm`` days, dated t + confirm,
    kept inside [first_pos, last_pos] and more than ``min_gap`` days after the last kept."""
    n = len(fast)

    def beyond(t):
        if np.isnan(fast[t]) or np.isnan(slow[t]):
            return False
        return fast[t] > slow[t] if direction == 1 else fast[t] < slow[t]

    events = []
    for t in range(1, n):
        if any(np.isnan(v) for v in (fast[t - 1], slow[t - 1], fast[t], slow[t])):
            continue
        if not (beyond(t) and not beyond(t - 1)):
            continue
        event = t + confirm
        if event >= n or event < first_pos or event > last_pos:
            continue
        if not all(beyond(j) for j in range(t + 1, event + 1)):
            continue
        if min_gap > 0 and events and event - events[-1] <= min_gap:
            continue
        events.append(event)
    return np.array(events, dtype=np.int64)


def pair_statistics_twin(events, forward, entry_lag, last_complete):
    """(complete events, mean, median, hit rate) of one pair with NumPy."""
    done = [e for e in events if e <= last_complete]
    if not done:
        return 0, np.nan, np.nan, np.nan
    values = np.array([forward[e + entry_lag] for e in done])
    return len(done), values.mean(), np.median(values), np.mean(values > 0)


def long_run_variance_twin(d, mean_block):
    """arch's ``SPA._compute_variance`` (non-nested) for one column d, literally."""
    t = len(d)
    q = 1.0 / mean_block
    demeaned = d - d.mean()
    variance = np.sum(demeaned**2) / t
    for i in range(1, t):
        kappa = (1.0 - i / t) * (1 - q) ** i + (i / t) * (1 - q) ** (t - i)
        variance += 2 * kappa * np.sum(demeaned[: t - i] * demeaned[i:]) / t
    return variance


def resampled_means_twin(dense_d, indices):
    """f*[b, p]: mean over the resampled days of each column of d (reps x pairs)."""
    return np.stack([dense_d[row].mean(axis=0) for row in indices])


def bootstrap_maxima_twin(f_star, centre_lower, centre_consistent, centre_upper, scale, statistic):
    """Per replication the maxima of (f* - c)/scale for the three centrings, and per pair the
    Romano-Wolf exceedance count over the pairs ranked at or below it (stable order)."""
    lower = ((f_star - centre_lower) / scale).max(axis=1)
    consistent = ((f_star - centre_consistent) / scale).max(axis=1)
    centred = (f_star - centre_upper) / scale
    upper = centred.max(axis=1)
    order = np.argsort(statistic, kind="stable")
    exceed = np.zeros(len(statistic), dtype=np.int64)
    for j, p in enumerate(order):
        suffix_max = centred[:, order[: j + 1]].max(axis=1)
        exceed[p] = int(np.sum(suffix_max >= statistic[p]))
    return lower, consistent, upper, exceed


def romano_wolf_reference(statistic, centred_draws, alpha):
    """Romano & Wolf (2005) stepdown, literally: test every active hypothesis against the
    bootstrap maximum over the active set, remove the rejected ones, repeat until none is
    rejected. Returns (rejected mask, adjusted p-values per Romano & Wolf 2016)."""
    reps, m = centred_draws.shape
    active = np.ones(m, dtype=bool)
    rejected = np.zeros(m, dtype=bool)
    while active.any():
        maximum = centred_draws[:, active].max(axis=1)
        pvalues = (1 + (maximum[:, None] >= statistic[None, active]).sum(axis=0)) / (reps + 1)
        newly = np.flatnonzero(active)[pvalues <= alpha]
        if newly.size == 0:
            break
        rejected[newly] = True
        active[newly] = False
    order = np.argsort(-statistic, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for j, p in enumerate(order):
        maximum = centred_draws[:, order[j:]].max(axis=1)
        running = max(running, (1 + np.sum(maximum >= statistic[p])) / (reps + 1))
        adjusted[p] = running
    return rejected, adjusted
