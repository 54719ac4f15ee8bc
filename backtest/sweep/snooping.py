"""Data-snooping control over a grid of rules: Reality Check, SPA and Romano-Wolf stepdown.

Input: each pair's complete event days (sparse) and the excess forward return y_t = x_t - mu
of every eligible day. Pair p's performance is f_p = mean over its events of y, written as
a mean over the T eligible days of d_p[t] = (T/k_p)·1{t∈E_p}·y_t, i.e. the loss
differential of a model with losses -d_p against a benchmark with loss 0 (random entry).
One stationary bootstrap over days (Politis & Romano 1994), shared by every pair as in
Sullivan, Timmermann & White (1999), gives the null distributions of
- White's (2000) Reality Check and Hansen's (2005) SPA test of "the best pair beats random
  entry" (lower / consistent / upper centring; upper = Reality Check), and
- the Romano & Wolf (2005) stepdown: the pairs whose superiority survives at FWER alpha.

Output: a frozen ``SnoopingTest`` per horizon and per-pair arrays (statistic, adjusted
p-values). The work splits into ``prepare_snooping`` (family, centres, stepdown order),
``bootstrap_block`` (any range of replications, anywhere: replication b depends on
(seed, b) only) and ``finish_snooping`` (p-values and the stepdown on the merged blocks),
so that blocks computed by different workers merge into exactly the one-block result. The statistic is the one ``arch.bootstrap.SPA`` computes: arch (8.0) does not
divide by the standard error when forming the maximum (its ``studentize`` flag only feeds
the variance used in the consistent centring), so with ``studentize=False`` p-values agree
with arch's on the equivalent loss matrix, up to Monte Carlo error, and exactly when given
arch's bootstrap indices. ``studentize=True`` divides every term by the pair's standard
error sqrt(var_p / T), Hansen's (2005) recommendation, useful when event counts differ a lot.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from backtest.defaults import horizon_block_length
from backtest.errors import ParameterError
from backtest.sweep import _kernels

DETECTION_POWER = 0.8
"""The power at which a sweep states its detectable excess (``SnoopingTest``)."""

REPS_PER_CHUNK = _kernels.LANES
"""Replications processed together by one thread (a cache-sized slice of day counts)."""

IndexGenerator = Callable[[int, float, int, int], np.ndarray]


def default_index_generator() -> IndexGenerator:
    """The project's stationary-bootstrap kernel (Politis & Romano 1994; counter-based, so
    replication b is a function of (seed, b) only)."""
    from backtest.stats.nb import stationary_bootstrap_indices_nb

    return stationary_bootstrap_indices_nb


@dataclass(frozen=True)
class SnoopingTest:
    """Data-snooping p-values for one horizon over the pairs with enough complete events.

    statistic: max over the family of each pair's (possibly studentised) mean excess.
    pvalue: Hansen's consistent SPA p-value; reality_check_pvalue: White's (upper centring);
    spa_lower_pvalue: lower bound. Bootstrap p-values are arch's: the share of replications
    whose maximum exceeds the observed one. n_survivors: pairs kept by the Romano-Wolf
    stepdown at FWER ``alpha`` (adjusted p-value <= alpha).

    The power of the search for one pair (``tracked_pair``, the sweep's reference pair):
    ``detectable_excess`` is the smallest true mean excess of that pair, all others
    having none, that the Reality Check detects with probability ``power`` at level
    ``alpha`` after looking at every pair; ``detectable_excess_alone`` the same for a test
    of that pair alone (``detectable_excess_from``). The SPA rejects whenever the Reality
    Check does, so its detectable excess is at most this one. NaN without a tracked pair
    in the family.
    """

    horizon: str
    n: int
    statistic: float
    best_pair: tuple[int, int] | None
    pvalue: float
    reality_check_pvalue: float
    spa_lower_pvalue: float
    n_survivors: int
    alpha: float
    reps: int
    mean_block: float
    studentize: bool
    tracked_pair: tuple[int, int] | None = None
    detectable_excess: float = math.nan
    detectable_excess_alone: float = math.nan
    power: float = DETECTION_POWER

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["best_pair"] = None if self.best_pair is None else list(self.best_pair)
        out["tracked_pair"] = None if self.tracked_pair is None else list(self.tracked_pair)
        return out


@dataclass(frozen=True)
class PairInference:
    """Per-pair outputs of the snooping bootstrap (arrays over all pairs; NaN/False outside
    the family)."""

    statistic: np.ndarray
    standard_error: np.ndarray
    romano_wolf_pvalue: np.ndarray
    survives: np.ndarray
    in_family: np.ndarray


def consistent_threshold(variance: np.ndarray, n_days: int) -> np.ndarray:
    """Hansen's (2005) bound: a pair with mean below -sqrt(var/T · 2 loglog T) is taken to
    be strictly worse than the benchmark and is not recentred (arch's column validity)."""
    return -np.sqrt(variance / n_days * 2.0 * math.log(math.log(n_days)))


def bootstrap_day_counts(
    n_days: int,
    reps: int,
    mean_block: float,
    seed: int,
    index_generator: IndexGenerator | None = None,
    indices: np.ndarray | None = None,
    start: int = 0,
) -> np.ndarray:
    """uint8[n_chunks, T, REPS_PER_CHUNK]: how often each day appears in each replication
    (whole numbers; float32 if a day is drawn more than 255 times in one replication). A
    thread's T x 32 bytes of day weights then stay in its L2 cache in
    ``bootstrap_maxima``, whose products are the same as with float64 weights.

    ``indices`` (int[reps, T]) supplies the resamples directly (e.g. arch's); otherwise
    replication b is ``index_generator(T, mean_block, seed, b)``. ``start`` makes this the
    counts of replications start .. start + reps - 1 (a block of a larger bootstrap): the
    generator is counter-based, so a block's counts do not depend on the other blocks.
    """
    if indices is not None:
        indices = np.asarray(indices, dtype=np.int64)
        if indices.ndim != 2 or indices.shape[1] != n_days:
            raise ParameterError(f"indices must have shape (reps, {n_days}), got {indices.shape}")
        reps = indices.shape[0]
    if indices is None and index_generator is None:
        return _kernels.uint8_day_counts(int(n_days), float(mean_block), int(seed), int(start), int(reps))
    generator = index_generator or default_index_generator()
    n_chunks = (reps + REPS_PER_CHUNK - 1) // REPS_PER_CHUNK
    counts = np.zeros((n_chunks, n_days, REPS_PER_CHUNK), dtype=np.float32)
    for b in range(reps):
        drawn = indices[b] if indices is not None else generator(n_days, float(mean_block), int(seed), start + b)
        counts[b // REPS_PER_CHUNK, :, b % REPS_PER_CHUNK] = np.bincount(drawn, minlength=n_days)
    if counts.size and counts.max() <= np.iinfo(np.uint8).max:
        return counts.astype(np.uint8)
    return counts


def romano_wolf_adjust(statistic: np.ndarray, exceed: np.ndarray, reps: int) -> np.ndarray:
    """Stepdown adjusted p-values (Romano & Wolf 2016, Algorithm 4.1 in p-value form).

    ``exceed[p]``: replications whose maximum over the pairs ranked at or below p reaches
    p's statistic, "at or below" meaning at or before p in the stable ascending order of the
    statistic (as ``bootstrap_maxima`` walks it). Raw p = (1 + exceed) / (reps + 1), then
    a running maximum down the ranking (best first) so that a pair is rejected only after
    every better one. Walking exactly the reverse of that order makes tied statistics share
    one adjusted p-value: the first of a tie reached here counts the whole tie.
    """
    order = np.argsort(statistic, kind="stable")[::-1]
    raw = (1.0 + exceed[order]) / (reps + 1.0)
    adjusted = np.empty_like(raw)
    adjusted[order] = np.maximum.accumulate(raw)
    return adjusted


@dataclass(frozen=True)
class SnoopingSetup:
    """One horizon's bootstrap problem, fixed before any replication is drawn: the family,
    its statistics and centres, and the ranking the stepdown walks. Built once by
    ``prepare_snooping``; every replication block (``bootstrap_block``) reads it, and
    ``finish_snooping`` turns the merged blocks into p-values. The events themselves are
    not part of it: every horizon shares them, so they travel separately."""

    horizon: str
    n_days: int
    first_pos: int
    excess: np.ndarray = field(repr=False)
    n_complete: np.ndarray = field(repr=False)
    in_family: np.ndarray = field(repr=False)
    statistic: np.ndarray = field(repr=False)
    standard_error: np.ndarray = field(repr=False)
    order: np.ndarray = field(repr=False)
    centre_lower: np.ndarray = field(repr=False)
    centre_consistent: np.ndarray = field(repr=False)
    centre_upper: np.ndarray = field(repr=False)
    scale: np.ndarray = field(repr=False)
    reps: int
    seed: int
    mean_block: float
    alpha: float
    studentize: bool
    best_pair: tuple[int, int] | None
    tracked: int = -1
    tracked_pair: tuple[int, int] | None = None

    @property
    def empty(self) -> bool:
        """No bootstrap to run: fewer than 3 eligible days or no pair in the family."""
        return self.order.size == 0


@dataclass(frozen=True)
class BootstrapBlock:
    """Replications ``start .. stop - 1`` of one horizon's bootstrap: the three maxima per
    replication and, per pair, how many of these replications reach its statistic in the
    stepdown (an integer, so blocks add up exactly, in any order)."""

    start: int
    stop: int
    max_lower: np.ndarray = field(repr=False)
    max_consistent: np.ndarray = field(repr=False)
    max_upper: np.ndarray = field(repr=False)
    exceed: np.ndarray = field(repr=False)
    tracked: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))


def prepare_snooping(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    excess: np.ndarray,
    first_pos: int,
    *,
    pairs: np.ndarray | None = None,
    horizon: str = "",
    reps: int = 1000,
    seed: int = 0,
    mean_block: float | None = None,
    alpha: float = 0.05,
    studentize: bool = False,
    min_events: int = 1,
    mean_excess: np.ndarray | None = None,
    variance: np.ndarray | None = None,
    indices: np.ndarray | None = None,
    track: tuple[int, int] | None = None,
) -> SnoopingSetup:
    """Validate the inputs of ``snooping_test`` and fix the family, statistics, centres and
    stepdown order. ``variance`` (optional) is each pair's long-run variance as
    ``long_run_variances_nb`` computes it, when the caller already has it (a pair-block
    stage); otherwise it is computed here. ``track``: the (fast, slow) pair of ``pairs``
    whose bootstrap draws are kept for its detectable excess (``SnoopingTest``)."""
    n_days = int(excess.shape[0])
    n_pairs = int(offsets.shape[0] - 1)
    if reps < 1 and indices is None:
        raise ParameterError(f"reps must be a positive number of bootstrap replications, got {reps}")
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha must be in (0, 1), got {alpha}")
    if min_events < 1:
        raise ParameterError(f"min_events must be at least 1, got {min_events}")
    if mean_block is None:
        mean_block = horizon_block_length(1, n_days)
    if not mean_block >= 1.0:
        raise ParameterError(f"mean_block must be at least 1 day, got {mean_block}")
    if indices is not None:
        reps = int(np.asarray(indices).shape[0])
    n_complete = np.asarray(n_complete, dtype=np.int64)
    in_family = n_complete >= min_events
    nan = np.full(n_pairs, np.nan)
    common = {
        "horizon": horizon,
        "n_days": n_days,
        "first_pos": int(first_pos),
        "reps": int(reps),
        "seed": int(seed),
        "mean_block": float(mean_block),
        "alpha": alpha,
        "studentize": studentize,
    }
    if n_days < 3 or not in_family.any():
        return SnoopingSetup(
            excess=excess,
            n_complete=n_complete,
            in_family=in_family,
            statistic=nan,
            standard_error=nan.copy(),
            order=np.zeros(0, dtype=np.int64),
            centre_lower=nan,
            centre_consistent=nan,
            centre_upper=nan,
            scale=nan,
            best_pair=None,
            **common,
        )

    if mean_excess is None:
        mean_excess = np.full(n_pairs, np.nan)
        for p in np.flatnonzero(n_complete > 0):
            rows = events[offsets[p] : offsets[p] + n_complete[p]] - first_pos
            mean_excess[p] = excess[rows].mean()
    if variance is None:
        variance = _kernels.long_run_variances_nb(events, offsets, n_complete, excess, first_pos, float(mean_block))
    standard_error = np.sqrt(np.maximum(variance, 0.0) / n_days)
    valid = mean_excess >= consistent_threshold(variance, n_days)
    centre_upper = np.where(in_family, mean_excess, 0.0)
    centre_lower = np.maximum(centre_upper, 0.0)
    centre_consistent = np.where(valid, centre_upper, 0.0)
    if studentize:
        # A pair whose events all share one excess value has no variance: leave it out.
        in_family &= standard_error > 0
        scale = np.where(in_family, standard_error, 1.0)
    else:
        scale = np.ones(n_pairs)
    statistic = np.where(in_family, centre_upper / scale, np.nan)
    family = np.flatnonzero(in_family)
    order = family[np.argsort(statistic[family], kind="stable")]
    best = int(order[-1]) if order.size else -1
    best_pair = None if pairs is None or best < 0 else (int(pairs[best, 0]), int(pairs[best, 1]))
    tracked = -1
    if track is not None and pairs is not None:
        found = np.flatnonzero((pairs[:, 0] == track[0]) & (pairs[:, 1] == track[1]))
        if found.size and in_family[found[0]]:
            tracked = int(found[0])
    return SnoopingSetup(
        excess=np.ascontiguousarray(excess, dtype=np.float64),
        n_complete=n_complete,
        in_family=in_family,
        statistic=statistic,
        standard_error=standard_error,
        order=order,
        centre_lower=centre_lower,
        centre_consistent=centre_consistent,
        centre_upper=centre_upper,
        scale=scale,
        best_pair=best_pair,
        tracked=tracked,
        tracked_pair=None if tracked < 0 else (int(track[0]), int(track[1])),  # type: ignore[index]
        **common,
    )


def replication_blocks(reps: int, block: int | None = None) -> list[tuple[int, int]]:
    """Split replications 0 .. reps - 1 into consecutive blocks of ``block`` (a multiple of
    ``REPS_PER_CHUNK``, so that a replication sits in the same kernel lane as when all
    replications run at once; default: one block)."""
    if block is None or block >= reps:
        return [(0, reps)] if reps > 0 else []
    if block < 1 or block % REPS_PER_CHUNK:
        raise ParameterError(f"rep_block must be a positive multiple of {REPS_PER_CHUNK} replications, got {block}")
    return [(start, min(start + block, reps)) for start in range(0, reps, block)]


def bootstrap_block(
    events: np.ndarray,
    offsets: np.ndarray,
    setup: SnoopingSetup,
    start: int,
    stop: int,
    index_generator: IndexGenerator | None = None,
    indices: np.ndarray | None = None,
) -> BootstrapBlock:
    """Replications ``start .. stop - 1`` of ``setup``'s bootstrap (for every pair of the
    family). Replication b is drawn from (seed, b) alone, so a block's numbers are the same
    whichever process computes it and whatever the other blocks are."""
    if start % REPS_PER_CHUNK or not 0 <= start < stop <= setup.reps:
        raise ParameterError(
            f"replication block {start}..{stop} must start at a multiple of {REPS_PER_CHUNK} within 0..{setup.reps}"
        )
    width = stop - start
    counts = bootstrap_day_counts(
        setup.n_days,
        width,
        setup.mean_block,
        setup.seed,
        index_generator,
        None if indices is None else np.asarray(indices)[start:stop],
        start=start,
    )
    max_lower, max_consistent, max_upper, exceed = _kernels.bootstrap_maxima(
        events,
        offsets,
        setup.n_complete,
        setup.order,
        setup.excess,
        int(setup.first_pos),
        counts,
        int(width),
        setup.centre_lower,
        setup.centre_consistent,
        setup.centre_upper,
        setup.scale,
        np.where(setup.in_family, setup.statistic, 0.0),
    )
    tracked = np.zeros(0)
    if setup.tracked >= 0:
        # the tracked pair's term of the maximum, v_b = (f*_b - centre) / scale, per replication
        p = setup.tracked
        k = int(setup.n_complete[p])
        rows = events[offsets[p] : offsets[p] + k] - setup.first_pos
        weights = counts[:, rows, :].astype(np.float64)  # (chunks, k, lanes)
        resampled = np.einsum("ckl,k->cl", weights, setup.excess[rows]).reshape(-1)[:width] / k
        tracked = (resampled - setup.centre_upper[p]) / setup.scale[p]
    del counts
    return BootstrapBlock(start, stop, max_lower, max_consistent, max_upper, exceed, tracked)


def detectable_excess_from(
    maxima: np.ndarray, tracked: np.ndarray, alpha: float, power: float = DETECTION_POWER
) -> tuple[float, float]:
    """(with the search, alone): the smallest shift of the tracked pair's statistic that a
    test at level ``alpha`` detects with probability ``power``, in the statistic's units.

    ``maxima[b]`` and ``tracked[b]`` are replication b's centred maximum over the family
    (the Reality Check's null) and the tracked pair's centred term in it: together one
    draw of the statistics' sampling noise with no pair better than random entry. Planting
    a true excess s in the tracked pair alone makes the observed maximum max(maxima[b],
    tracked[b] + s) (exactly: the other terms do not move), and the test rejects when that
    reaches c, the smallest value whose share of larger maxima is at most alpha (the
    p-value convention of ``finish_snooping``). The power at s is the share of
    replications that reject; the detectable shift is the smallest s where it reaches
    ``power``. Alone: the same with the tracked term as the whole family.
    """

    def smallest_shift(null: np.ndarray, anyway: np.ndarray) -> float:
        reps = null.size
        critical = np.sort(null)[math.ceil((1.0 - alpha) * reps) - 1]
        rejected = anyway >= critical
        still_needed = math.ceil(power * reps - 1e-9) - int(rejected.sum())
        if still_needed <= 0:
            return 0.0
        shifts = np.sort(critical - tracked[~rejected])
        return float(max(shifts[still_needed - 1], 0.0))

    maxima = np.asarray(maxima, dtype=np.float64)
    tracked = np.asarray(tracked, dtype=np.float64)
    return smallest_shift(maxima, maxima), smallest_shift(tracked, np.full(tracked.size, -np.inf))


def finish_snooping(setup: SnoopingSetup, blocks: list[BootstrapBlock]) -> tuple[SnoopingTest, PairInference]:
    """P-values and the Romano-Wolf stepdown from the blocks of every replication.

    The blocks are put in replication order and must cover 0 .. reps - 1 exactly. Maxima
    are concatenated and stepdown counts summed (integers), so the result is bit-identical
    to one block holding every replication: the stepdown itself runs here, once, on the
    merged counts, never per block.
    """
    n_pairs = setup.n_complete.shape[0]
    if setup.empty:
        nan = np.full(n_pairs, np.nan)
        test = SnoopingTest(
            setup.horizon,
            0,
            math.nan,
            None,
            math.nan,
            math.nan,
            math.nan,
            0,
            setup.alpha,
            setup.reps,
            setup.mean_block,
            setup.studentize,
        )
        return test, PairInference(nan, setup.standard_error, nan.copy(), np.zeros(n_pairs, bool), setup.in_family)
    blocks = sorted(blocks, key=lambda block: block.start)
    covered = [(block.start, block.stop) for block in blocks]
    expected_starts = [0] + [stop for _, stop in covered[:-1]]
    if not covered or [start for start, _ in covered] != expected_starts or covered[-1][1] != setup.reps:
        raise ValueError(f"bootstrap blocks {covered} do not cover replications 0..{setup.reps} exactly once")
    max_lower = np.concatenate([block.max_lower for block in blocks])
    max_consistent = np.concatenate([block.max_consistent for block in blocks])
    max_upper = np.concatenate([block.max_upper for block in blocks])
    exceed = blocks[0].exceed.copy()
    for block in blocks[1:]:
        exceed += block.exceed
    statistic = setup.statistic
    family = np.flatnonzero(setup.in_family)
    observed = float(statistic[family].max())
    # As arch: share of replications whose maximum is strictly larger than the observed one.
    spa_lower = float(np.mean(max_lower > observed))
    spa_consistent = float(np.mean(max_consistent > observed))
    reality_check = float(np.mean(max_upper > observed))

    detectable = (math.nan, math.nan)
    if setup.tracked >= 0:
        tracked = np.concatenate([block.tracked for block in blocks])
        with_search, alone = detectable_excess_from(max_upper, tracked, setup.alpha)
        scale = float(setup.scale[setup.tracked])  # back from the statistic's units to returns
        detectable = (with_search * scale, alone * scale)

    adjusted = np.full(n_pairs, np.nan)
    adjusted[family] = romano_wolf_adjust(statistic[family], exceed[family].astype(np.float64), setup.reps)
    survives = np.zeros(n_pairs, dtype=bool)
    survives[family] = adjusted[family] <= setup.alpha
    test = SnoopingTest(
        horizon=setup.horizon,
        n=int(family.size),
        statistic=observed,
        best_pair=setup.best_pair,
        pvalue=spa_consistent,
        reality_check_pvalue=reality_check,
        spa_lower_pvalue=spa_lower,
        n_survivors=int(survives.sum()),
        alpha=setup.alpha,
        reps=int(setup.reps),
        mean_block=float(setup.mean_block),
        studentize=setup.studentize,
        tracked_pair=setup.tracked_pair,
        detectable_excess=detectable[0],
        detectable_excess_alone=detectable[1],
    )
    return test, PairInference(statistic, setup.standard_error, adjusted, survives, setup.in_family)


def snooping_test(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    excess: np.ndarray,
    first_pos: int,
    *,
    pairs: np.ndarray | None = None,
    horizon: str = "",
    reps: int = 1000,
    seed: int = 0,
    mean_block: float | None = None,
    alpha: float = 0.05,
    studentize: bool = False,
    min_events: int = 1,
    index_generator: IndexGenerator | None = None,
    indices: np.ndarray | None = None,
    mean_excess: np.ndarray | None = None,
    variance: np.ndarray | None = None,
    rep_block: int | None = None,
    track: tuple[int, int] | None = None,
) -> tuple[SnoopingTest, PairInference]:
    """Reality Check, SPA and Romano-Wolf for one horizon (see the module docstring).

    events/offsets: ragged event positions per pair (sorted); a pair's first
    ``n_complete[p]`` events are complete and lie in the eligible days
    ``first_pos .. first_pos + len(excess) - 1``. ``excess[t - first_pos]`` = y_t.
    ``mean_excess`` (optional) is f_p as reported elsewhere, to keep one value per pair.
    ``rep_block`` runs the replications in blocks of that many (a multiple of
    ``REPS_PER_CHUNK``); the result is the same, as ``finish_snooping`` explains.
    """
    setup = prepare_snooping(
        events,
        offsets,
        n_complete,
        excess,
        first_pos,
        pairs=pairs,
        horizon=horizon,
        reps=reps,
        seed=seed,
        mean_block=mean_block,
        alpha=alpha,
        studentize=studentize,
        min_events=min_events,
        mean_excess=mean_excess,
        variance=variance,
        indices=indices,
        track=track,
    )
    if setup.empty:
        return finish_snooping(setup, [])
    blocks = [
        bootstrap_block(events, offsets, setup, start, stop, index_generator, indices)
        for start, stop in replication_blocks(setup.reps, rep_block)
    ]
    return finish_snooping(setup, blocks)


def loss_matrix(
    events: np.ndarray,
    offsets: np.ndarray,
    n_complete: np.ndarray,
    excess: np.ndarray,
    first_pos: int,
    pairs: np.ndarray,
) -> np.ndarray:
    """Dense T x len(pairs) model losses -d_p[t] (benchmark loss 0): the input on which
    ``arch.bootstrap.SPA`` reproduces ``snooping_test``. For references only: O(T·pairs)."""
    n_days = excess.shape[0]
    out = np.zeros((n_days, len(pairs)))
    for column, p in enumerate(pairs):
        k = int(n_complete[p])
        if k == 0:
            continue
        rows = events[offsets[p] : offsets[p] + k] - first_pos
        out[rows, column] = -(n_days / k) * excess[rows]
    return out
