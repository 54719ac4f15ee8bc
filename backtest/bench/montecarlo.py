"""Benchmarks of the statistics kernels against their peers, measured side by side.

``bench_random_entry`` times the numba random-entry Monte Carlo against two plain-NumPy
implementations of the same draws; ``bench_bootstrap_indices`` times the numba stationary
bootstrap against ``arch.bootstrap.StationaryBootstrap``. Both return a ``Benchmark``
(timings plus sanity checks that the implementations draw from the same distribution);
``backtest bench montecarlo`` prints and saves them.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numba
import numpy as np

from backtest.bench.measure import cpu_count
from backtest.defaults import DEFAULT_DETECTION_START
from backtest.stats import check_seed, seed_from
from backtest.stats import nb as stats_nb
from backtest.stats.montecarlo import check_count


def numpy_choice_means(pool: np.ndarray, k: int, n_draws: int, seed: int) -> np.ndarray:
    """Plain NumPy, one draw at a time: ``pool[rng.choice(n, k, replace=False)].mean()``."""
    rng = np.random.default_rng(seed)
    n = len(pool)
    out = np.empty(n_draws)
    for d in range(n_draws):
        out[d] = pool[rng.choice(n, k, replace=False)].mean()
    return out


def numpy_argpartition_means(pool: np.ndarray, k: int, n_draws: int, seed: int, chunk: int = 256) -> np.ndarray:
    """Plain NumPy, vectorised: per draw, the k smallest of n uniform keys
    (``argpartition``) are a uniform k-subset; chunks of draws bound the memory."""
    rng = np.random.default_rng(seed)
    n = len(pool)
    out = np.empty(n_draws)
    for start in range(0, n_draws, chunk):
        rows = min(chunk, n_draws - start)
        keys = rng.random((rows, n))
        picks = np.argpartition(keys, k - 1, axis=1)[:, :k]
        out[start : start + rows] = pool[picks].mean(axis=1)
    return out


def finite_population_moments(pool: np.ndarray, k: int) -> tuple[float, float]:
    """Mean and standard deviation of the mean of k draws without replacement from pool:
    mu and sqrt(sigma^2 / k * (n - k) / (n - 1)) with sigma^2 the population variance
    (the finite-population correction; Cochran 1977, Sampling Techniques, ch. 2)."""
    n = len(pool)
    variance = float(np.var(pool)) / k * (n - k) / (n - 1)
    return float(np.mean(pool)), float(np.sqrt(variance))


@dataclass(frozen=True)
class Timing:
    """Cold (first call in the process: numba compile or cache load included) and warm
    (median of ``repeats`` later calls) wall-clock seconds for ``work`` units.
    ``first_call``: "compile", "cache load" or "warm" for numba; "python" / "arch" otherwise."""

    implementation: str
    description: str
    work: int
    unit: str
    cold_seconds: float
    warm_seconds: float
    repeats: int
    first_call: str = ""

    @property
    def rate_cold(self) -> float:
        return self.work / self.cold_seconds if self.cold_seconds > 0 else float("inf")

    @property
    def rate_warm(self) -> float:
        return self.work / self.warm_seconds if self.warm_seconds > 0 else float("inf")

    def to_dict(self) -> dict[str, object]:
        return {
            "implementation": self.implementation,
            "description": self.description,
            "work": self.work,
            "unit": self.unit,
            "cold_seconds": self.cold_seconds,
            "warm_seconds": self.warm_seconds,
            f"{self.unit}_per_second_cold": self.rate_cold,
            f"{self.unit}_per_second_warm": self.rate_warm,
            "repeats": self.repeats,
            "first_call": self.first_call,
        }


@dataclass(frozen=True)
class Benchmark:
    """Timings of several implementations of one computation, plus distribution checks."""

    name: str
    parameters: dict[str, object]
    timings: tuple[Timing, ...]
    checks: dict[str, float] = field(default_factory=dict)

    def timing(self, implementation: str) -> Timing:
        return next(t for t in self.timings if t.implementation == implementation)

    def speedup(self, fast: str, slow: str) -> float:
        """Warm rate of ``fast`` over warm rate of ``slow``."""
        return self.timing(fast).rate_warm / self.timing(slow).rate_warm

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "parameters": dict(self.parameters),
            "timings": [t.to_dict() for t in self.timings],
            "checks": dict(self.checks),
        }


def _numba_first_call(dispatcher: object, before: tuple[int, int, bool]) -> str:
    """How the first timed call got its machine code: "cache load" (numba's on-disk cache),
    "compile", or "warm" (already compiled earlier in this process)."""
    hits, misses, compiled = before
    if compiled:
        return "warm"
    stats = dispatcher.stats
    if sum(stats.cache_hits.values()) > hits:
        return "cache load"
    if sum(stats.cache_misses.values()) > misses:
        return "compile"
    return "compile"


def _numba_state(dispatcher: object) -> tuple[int, int, bool]:
    stats = dispatcher.stats
    return sum(stats.cache_hits.values()), sum(stats.cache_misses.values()), bool(dispatcher.signatures)


def _time(function: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    start = time.perf_counter()
    result = function()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        warm.append(time.perf_counter() - start)
    return cold, statistics.median(warm), result


def environment() -> dict[str, object]:
    """Versions and thread counts that the numbers depend on."""
    import arch

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "arch": arch.__version__,
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": _threading_layer(),
        "cpu_count": cpu_count(),
        "machine": platform.machine(),
    }


def _threading_layer() -> str:
    try:
        return str(numba.threading_layer())
    except ValueError:  # no parallel kernel has run yet
        return "not initialised"


def bench_random_entry(
    pool: np.ndarray, k: int, *, n_draws: int, seed: int, repeats: int = 3, argpartition_draws: int = 10_000
) -> Benchmark:
    """Time ``random_entry_null_means_nb`` against ``numpy_choice_means`` (same draws) and
    ``numpy_argpartition_means`` (``min(n_draws, argpartition_draws)`` draws: it needs n
    random keys per draw, so it is ~100x slower; rates are per draw either way)."""
    pool = np.ascontiguousarray(pool, dtype=np.float64)
    k = check_count("k", k)
    n_draws = check_count("n_draws", n_draws)
    repeats = check_count("repeats", repeats)
    seed = check_seed(seed)
    sub_seed = seed_from(seed, "bench", "random_entry")
    before = _numba_state(stats_nb.random_entry_null_means_nb)
    numba_cold, numba_warm, numba_null = _time(
        lambda: stats_nb.random_entry_null_means_nb(pool, k, n_draws, sub_seed), repeats
    )
    first_call = _numba_first_call(stats_nb.random_entry_null_means_nb, before)
    choice_cold, choice_warm, choice_null = _time(lambda: numpy_choice_means(pool, k, n_draws, sub_seed), repeats)
    arg_draws = min(n_draws, check_count("argpartition_draws", argpartition_draws))
    arg_cold, arg_warm, arg_null = _time(lambda: numpy_argpartition_means(pool, k, arg_draws, sub_seed), repeats)
    mean, std = finite_population_moments(pool, k)
    timings = (
        Timing(
            "numba",
            "random_entry_null_means_nb: counter-based SplitMix64 + Floyd sampling, prange over draws",
            n_draws,
            "draws",
            numba_cold,
            numba_warm,
            repeats,
            first_call,
        ),
        Timing(
            "numpy-choice",
            "loop of Generator.choice(n, k, replace=False)",
            n_draws,
            "draws",
            choice_cold,
            choice_warm,
            repeats,
            "python",
        ),
        Timing(
            "numpy-argpartition",
            "vectorised: argpartition of n uniform keys per draw",
            arg_draws,
            "draws",
            arg_cold,
            arg_warm,
            repeats,
            "python",
        ),
    )
    checks = {
        "analytic_null_mean": mean,
        "analytic_null_std": std,
        "numba_null_mean": float(np.mean(numba_null)),
        "numba_null_std": float(np.std(numba_null, ddof=1)),
        "numpy_choice_null_mean": float(np.mean(choice_null)),
        "numpy_choice_null_std": float(np.std(choice_null, ddof=1)),
        "numpy_argpartition_null_mean": float(np.mean(arg_null)),
        "numpy_argpartition_null_std": float(np.std(arg_null, ddof=1)),
    }
    parameters = {"k": k, "pool_size": len(pool), "n_draws": n_draws, "seed": seed, "repeats": repeats}
    return Benchmark("random_entry_monte_carlo", parameters, timings, checks)


def bench_bootstrap_indices(
    n_obs: int, mean_block: float, *, n_replications: int, seed: int, repeats: int = 3
) -> Benchmark:
    """Time stationary-bootstrap index generation: ``arch.bootstrap.StationaryBootstrap``
    (``update_indices`` once per replication) against our kernel called once per
    replication from Python and the parallel matrix kernel (all replications in one call)."""
    from arch.bootstrap import StationaryBootstrap

    n_obs = check_count("n_obs", n_obs)
    n_replications = check_count("n_replications", n_replications)
    repeats = check_count("repeats", repeats)
    seed = check_seed(seed)
    sub_seed = seed_from(seed, "bench", "bootstrap")

    def with_arch() -> np.ndarray:
        bootstrap = StationaryBootstrap(mean_block, np.empty(n_obs), seed=np.random.default_rng(sub_seed))
        return np.stack([bootstrap.update_indices() for _ in range(n_replications)])

    def with_kernel_loop() -> np.ndarray:
        return np.stack(
            [stats_nb.stationary_bootstrap_indices_nb(n_obs, mean_block, sub_seed, r) for r in range(n_replications)]
        )

    before = _numba_state(stats_nb.stationary_bootstrap_indices_nb)
    loop_cold, loop_warm, loop_indices = _time(with_kernel_loop, repeats)
    first_loop = _numba_first_call(stats_nb.stationary_bootstrap_indices_nb, before)
    before = _numba_state(stats_nb.stationary_bootstrap_index_matrix_nb)
    matrix_cold, matrix_warm, _ = _time(
        lambda: stats_nb.stationary_bootstrap_index_matrix_nb(n_obs, mean_block, sub_seed, n_replications), repeats
    )
    first_matrix = _numba_first_call(stats_nb.stationary_bootstrap_index_matrix_nb, before)
    arch_cold, arch_warm, arch_indices = _time(with_arch, repeats)

    def mean_block_length(indices: np.ndarray) -> float:
        starts = np.count_nonzero(np.diff(indices, axis=1) != 1) + indices.shape[0]
        wraps = np.count_nonzero(np.diff(indices, axis=1) == -(n_obs - 1))
        return indices.size / (starts - wraps)

    timings = (
        Timing(
            "numba-loop",
            "stationary_bootstrap_indices_nb, one call per replication",
            n_replications,
            "replications",
            loop_cold,
            loop_warm,
            repeats,
            first_loop,
        ),
        Timing(
            "numba-matrix",
            "stationary_bootstrap_index_matrix_nb, prange over replications",
            n_replications,
            "replications",
            matrix_cold,
            matrix_warm,
            repeats,
            first_matrix,
        ),
        Timing(
            "arch",
            "arch.bootstrap.StationaryBootstrap.update_indices per replication",
            n_replications,
            "replications",
            arch_cold,
            arch_warm,
            repeats,
            "arch",
        ),
    )
    checks = {
        "numba_mean_block_length": mean_block_length(loop_indices),
        "arch_mean_block_length": mean_block_length(arch_indices),
    }
    parameters = {
        "n_obs": n_obs,
        "mean_block": mean_block,
        "n_replications": n_replications,
        "seed": seed,
        "repeats": repeats,
    }
    return Benchmark("stationary_bootstrap_indices", parameters, timings, checks)


@dataclass(frozen=True)
class MonteCarloBenchmarks:
    """``backtest bench montecarlo``: both benchmarks on one real series."""

    series: str
    rules: str
    horizon: str
    random_entry: Benchmark
    bootstrap: Benchmark
    environment: dict[str, object]

    def to_dict(self) -> dict[str, object]:
        return {
            "benchmark": "montecarlo",
            "series": self.series,
            "rules": self.rules,
            "horizon": self.horizon,
            "random_entry": self.random_entry.to_dict(),
            "bootstrap_indices": self.bootstrap.to_dict(),
            "speedup_warm": {
                "numba_vs_numpy_choice": self.random_entry.speedup("numba", "numpy-choice"),
                "numba_vs_numpy_argpartition": self.random_entry.speedup("numba", "numpy-argpartition"),
                "numba_loop_vs_arch": self.bootstrap.speedup("numba-loop", "arch"),
                "numba_matrix_vs_arch": self.bootstrap.speedup("numba-matrix", "arch"),
            },
            "environment": dict(self.environment),
        }


def run_montecarlo_benchmarks(
    series: object,
    *,
    n_draws: int = 100_000,
    seed: int,
    repeats: int = 3,
    n_replications: int = 1_000,
    argpartition_draws: int = 10_000,
    since: str = DEFAULT_DETECTION_START,
    horizon: str = "3m",
) -> MonteCarloBenchmarks:
    """Benchmarks on ``series``: the pool is every eligible day's ``horizon`` return since
    ``since`` and k the number of SMA 50/200 golden crosses since then with a complete window
    (what ``analyze_events`` draws); the bootstrap resamples the series' daily returns."""
    from backtest.events import EventRules, run_event_study
    from backtest.stats.bootstrap import BENCH_MEAN_BLOCK
    from backtest.stats.montecarlo import event_pool

    rules = EventRules(start=since)
    study = run_event_study(series, rules)
    pool = event_pool(study, horizon)
    random_entry = bench_random_entry(
        pool.ret,
        len(pool.event_rows),
        n_draws=n_draws,
        seed=seed,
        repeats=repeats,
        argpartition_draws=argpartition_draws,
    )
    bootstrap = bench_bootstrap_indices(
        len(study.close) - 1, BENCH_MEAN_BLOCK, n_replications=n_replications, seed=seed, repeats=repeats
    )
    return MonteCarloBenchmarks(
        series=study.series_name,
        rules=rules.describe(),
        horizon=horizon,
        random_entry=random_entry,
        bootstrap=bootstrap,
        environment=environment(),
    )
