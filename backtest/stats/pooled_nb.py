"""Numba kernel of the pooled (cross-sectional) event study: the pairwise dependence of the
events' standardised CARs behind the Kolari-Pynnönen adjustment (``backtest.stats.pooled``).

Plain arrays in and out; the readable twin is ``_pair_sums_twin`` in
``tests/stats/test_pooled.py`` (each event's CAR weights written out on the calendar).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _pairwise_correlation_nb(first: np.ndarray, second: np.ndarray, min_common: int) -> float:
    """Pearson correlation of two equally long rows on the entries finite in both; NaN with
    fewer than ``min_common`` such entries or no variation."""
    count = 0
    sum_a = 0.0
    sum_b = 0.0
    for k in range(first.shape[0]):
        if np.isfinite(first[k]) and np.isfinite(second[k]):
            count += 1
            sum_a += first[k]
            sum_b += second[k]
    if count < min_common:
        return np.nan
    mean_a = sum_a / count
    mean_b = sum_b / count
    cross = 0.0
    var_a = 0.0
    var_b = 0.0
    for k in range(first.shape[0]):
        if np.isfinite(first[k]) and np.isfinite(second[k]):
            da = first[k] - mean_a
            db = second[k] - mean_b
            cross += da * db
            var_a += da * da
            var_b += db * db
    if var_a <= 0.0 or var_b <= 0.0:
        return np.nan
    return cross / np.sqrt(var_a * var_b)


@njit(cache=True, nogil=True)
def pair_correlation_sums_nb(
    residuals: np.ndarray,
    mean_weights: np.ndarray,
    slope_weights: np.ndarray,
    benchmark_deviation: np.ndarray,
    variance_factor: np.ndarray,
    event_pos: np.ndarray,
    estimation_start: int,
    horizons: np.ndarray,
    complete: np.ndarray,
    min_common: int,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Sums over pairs of events of rho_ij times the correlation that the design of their
    CARs gives them, per horizon.

    Event i's CAR(h) is a weighted sum of its model's daily disturbances u_it on calendar
    days: weight 1 on event days 1..h and, on each estimation date s used in the fit,
    -(h m_s + D_i(h) g_s) (the estimated parameters' share; m_s = 1/T, g_s = (Rm_s - mean Rm)
    / Sxx, D_i(h) = sum_{t=1..h} (Rm_t - mean Rm); zero for parameters the model does not
    fit). Its squared norm is V_i(h). With disturbances correlated rho_ij across series on the
    same date and independent over time, corr(SCAR_i, SCAR_j) = rho_ij w_ij(h), w_ij(h) the
    dot product of the two weight vectors over the calendar divided by sqrt(V_i V_j): 1 for
    two events on one date with the same benchmark, 0 for events far apart, negative for an
    event whose window lies in another's estimation window.

    residuals / mean_weights / slope_weights: float64[n, W], estimation days
    ``estimation_start`` .. ``estimation_start`` + W - 1 relative to each event (NaN / 0 where
    not used). benchmark_deviation / variance_factor: float64[n, H], D_i(h) and V_i(h).
    event_pos: int64[n] SORTED ascending. horizons: int64[H]. complete: bool[n, H] (only
    pairs complete at h count there). rho_ij: the correlation of the two rows of residuals
    on their common dates (at least ``min_common``).

    Returns (weighted[H], unestimated[H], rho_sum, rho_count): over unordered pairs,
    weighted[h] = sum of rho_ij w_ij(h) where rho_ij is estimable, unestimated[h] = sum of
    w_ij(h) where it is not; rho_sum / rho_count the sum and number of every estimable rho_ij.
    Sums over disjoint sets of pairs combine by addition.
    """
    n, width = residuals.shape
    n_h = horizons.shape[0]
    max_h = 0
    for j in range(n_h):
        max_h = max(max_h, horizons[j])
    # past this gap no estimation window or event window of one event meets the other's
    reach = max(width - 1, max_h - estimation_start)
    mean_prefix = np.zeros((n, width + 1))
    slope_prefix = np.zeros((n, width + 1))
    for i in range(n):
        for k in range(width):
            mean_prefix[i, k + 1] = mean_prefix[i, k] + mean_weights[i, k]
            slope_prefix[i, k + 1] = slope_prefix[i, k] + slope_weights[i, k]
    weighted = np.zeros(n_h)
    unestimated = np.zeros(n_h)
    rho_sum = 0.0
    rho_count = 0
    for a in range(n):
        for b in range(a + 1, n):
            gap = event_pos[b] - event_pos[a]
            if gap > reach:
                break
            rho = np.nan
            mm = mg = gm = gg = 0.0  # products of the two events' weights on common estimation dates
            if gap < width:
                if width - gap >= min_common:
                    rho = _pairwise_correlation_nb(residuals[a, gap:], residuals[b, : width - gap], min_common)
                for k in range(gap, width):
                    mm += mean_weights[a, k] * mean_weights[b, k - gap]
                    mg += mean_weights[a, k] * slope_weights[b, k - gap]
                    gm += slope_weights[a, k] * mean_weights[b, k - gap]
                    gg += slope_weights[a, k] * slope_weights[b, k - gap]
            estimable = np.isfinite(rho)
            if estimable:
                rho_sum += rho
                rho_count += 1
            for j in range(n_h):
                if not (complete[a, j] and complete[b, j]):
                    continue
                h = horizons[j]
                d_a = benchmark_deviation[a, j]
                d_b = benchmark_deviation[b, j]
                dot = float(max(0, h - gap))
                # event days 1..h of the earlier event that fall in the later one's estimation window
                first = max(0, 1 - gap - estimation_start)
                last = min(width, h - gap - estimation_start + 1)
                if first < last:
                    dot -= h * (mean_prefix[b, last] - mean_prefix[b, first])
                    dot -= d_b * (slope_prefix[b, last] - slope_prefix[b, first])
                dot += h * h * mm + h * d_b * mg + h * d_a * gm + d_a * d_b * gg
                if dot == 0.0:
                    continue
                weight = dot / np.sqrt(variance_factor[a, j] * variance_factor[b, j])
                if estimable:
                    weighted[j] += rho * weight
                else:
                    unestimated[j] += weight
    return weighted, unestimated, rho_sum, rho_count
