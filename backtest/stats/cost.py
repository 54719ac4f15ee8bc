"""What a claim's statistics will cost before they run: time and memory of the random-entry
nulls, the bootstrapped-path null, the calibration and the robustness variants, from a cost
model measured on the project's machine, and the refusal of absurd work.

Input: the sizes of a run (closes, events, horizons, draws, paths, calibration replications,
variants). Output: a frozen ``ClaimEstimate``; ``check_claim_cost`` raises ``ParameterError``
(one line: the estimate, and the option that lifts the time limit, or the one to lower when
memory runs out). The nulls themselves refuse, before allocating, arrays that would not fit
in memory (``check_draws_memory``, ``check_paths_memory``, ``check_calibration_memory``), so
the Python API is guarded too. The sweep's own model is ``backtest.sweep.cost``; both use
``backtest.checks``' memory test and formats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from backtest import checks
from backtest.checks import MEMORY_SHARE, check_memory, format_bytes, format_duration
from backtest.defaults import DEFAULT_MAX_MINUTES
from backtest.errors import ParameterError

__all__ = [
    "DEFAULT_MAX_MINUTES",
    "NOMINAL_CLOSES",
    "NOMINAL_EVENTS",
    "ClaimEstimate",
    "check_calibration_memory",
    "check_claim_cost",
    "check_draws_memory",
    "check_paths_memory",
    "estimate_claim",
]

NOMINAL_CLOSES = 12_000
"""Closes assumed before the data are loaded: the longest series of the snapshot
(russell2000, 11,883 closes, 1978-2026), so an estimate made from a spec alone is an upper
bound for every built-in series."""
NOMINAL_EVENTS = 1_000
"""Events assumed before they are detected: more than any gallery claim has (a 252-day new
high without de-clustering fires 920 times on russell2000; a golden cross ~30 times)."""
CALIBRATION_MODELS = 2
"""A claim's calibration simulates each of GBM and GARCH-t (``backtest.claims.run``)."""
RANDOM_ENTRY_VARIANTS = 2
"""Random-entry variants of a claim's own analysis ("plain" and "spacing"); a variant row runs one."""
CALIBRATION_DRAWS = 999
"""Random-entry draws per simulated path and horizon in a claim's calibration."""

# -- cost model --------------------------------------------------------------------------------
# Measured on the project's machine (2 CPUs, shared with other work while measuring; 23 GB;
# Linux, Python 3.11, numba caches warm) on russell2000 (11,883 closes, 5 horizons), each
# case in a fresh process after a warm-up call: memory = growth of the peak resident set
# (VmHWM, reset before the call through /proc/self/clear_refs), time = wall seconds of the
# call. Rules: the SMA 50/200 golden cross from 1985 (32 events) and a 252-day new high
# without de-clustering (920 events).
#   analyze_events, random-entry draws only (n_paths=0; variants plain and spacing):
#     1 draw: 0.14 s / 14 MB (32 events), 0.65 s / 242 MB (920 events): per analysis
#       ~0.01 s and ~490 bytes per close, plus ~48 ns and ~23 bytes per event and close
#       (the circular-shift test's shifted sums);
#     1e5 / 3e5 / 1e6 / 3e6 draws (32 events): 0.41 / 1.3 / 7.0 / 13 s, 44 / 106 / 326 / 954 MB;
#       3e5 draws with 920 events: 11.5 s, 117 MB. So per draw, horizon and variant: 33
#       bytes (the (horizons, draws, 4) float64 null of each variant, kept by its tests,
#       and its copies) and ~0.31 us plus ~3.8 ns per event.
#   bootstrapped paths (n_draws=100): the fused moving-average-cross kernel 250 / 1,000 /
#     4,000 / 40,000 paths: 0.19 / 0.42 / 1.4 / 18 s, peak 14.0 / 14.1 / 14.7 / 20.1 MB, i.e.
#     ~0.45 ms and ~32 bytes (per horizon) a path; other price-only sources re-run in Python
#     per path: RSI(14) < 30 ~1.1 ms, a 252-day new high ~8.4 ms a path. The model takes the
#     RSI's 2e-5 s per path, horizon and 1,000 closes (the cross costs a third of it, a long
#     look-back like the new high several times more) and 40 bytes per path and horizon.
#   calibrate (GBM, 999 draws, no paths, 4 horizons): 16 / 64 replications: 2.4 / 8.1 CPU
#     seconds, peak 21 / 35 MB; GARCH-t costs the same per replication after its fit. So
#     ~0.12 s per replication (0.012 s per 1,000 closes) and ~0.29 MB kept per replication
#     (its joint null, ~14 bytes per close, and its random-entry nulls, 32 bytes per draw
#     and horizon).
# Expect +/-50 % on a quiet machine and more across sources: it is an order-of-magnitude
# guard, not a promise.
SECONDS_PER_ANALYSIS_KCLOSE = 0.01  # baseline, eligible days, overlap tests
SECONDS_PER_EVENT_CLOSE = 4.8e-8  # the circular-shift test
SECONDS_PER_DRAW_HORIZON = 3.1e-7  # per random-entry variant
SECONDS_PER_DRAW_HORIZON_EVENT = 3.8e-9
SECONDS_PER_PATH_HORIZON_KCLOSE = 2e-5
SECONDS_PER_REPLICATION_KCLOSE = 0.012  # per null model
BYTES_FIXED = 4 * 2**20
BYTES_PER_ANALYSIS_CLOSE = 490
BYTES_PER_EVENT_CLOSE = 23
BYTES_PER_DRAW_HORIZON = 33  # per random-entry variant
BYTES_PER_PATH_HORIZON = 40
BYTES_PER_REPLICATION_CLOSE = 14
BYTES_PER_REPLICATION_DRAW_HORIZON = 32
BYTES_PER_REPLICATION_PATH_HORIZON = 32

KNOBS: Mapping[str, str] = {
    "draws": "--draws",
    "paths": "--paths",
    "calibration": "[analysis] calibration",
    "variants": "[[variants]]",
    "events": "the events (their number, [rules] min_gap)",
}
"""What the user changes to lower each part of the cost (the refusal names the largest)."""


def analysis_cost(
    closes: int, events: int, horizons: int, draws: int, paths: int, variants: int = RANDOM_ENTRY_VARIANTS
) -> dict[str, tuple[float, float]]:
    """(seconds, bytes) of one ``analyze_events`` by part: "events" (what every analysis
    does), "draws" (random-entry nulls of ``variants`` variants) and "paths"."""
    kcloses = closes / 1000
    return {
        "events": (
            SECONDS_PER_ANALYSIS_KCLOSE * kcloses + SECONDS_PER_EVENT_CLOSE * events * closes,
            BYTES_PER_ANALYSIS_CLOSE * closes + BYTES_PER_EVENT_CLOSE * events * closes,
        ),
        "draws": (
            draws * horizons * variants * (SECONDS_PER_DRAW_HORIZON + SECONDS_PER_DRAW_HORIZON_EVENT * events),
            BYTES_PER_DRAW_HORIZON * draws * horizons * variants,
        ),
        "paths": (
            SECONDS_PER_PATH_HORIZON_KCLOSE * paths * horizons * kcloses,
            BYTES_PER_PATH_HORIZON * paths * horizons,
        ),
    }


def calibration_cost(
    closes: int, horizons: int, replications: int, draws: int = CALIBRATION_DRAWS, paths: int = 0
) -> tuple[float, float]:
    """(seconds, peak bytes) of one null model's calibration: the replications run one after
    another and each keeps its nulls until the rejection rates are read."""
    per_replication_bytes = (
        BYTES_PER_REPLICATION_CLOSE * closes
        + BYTES_PER_REPLICATION_DRAW_HORIZON * draws * horizons
        + BYTES_PER_REPLICATION_PATH_HORIZON * paths * horizons
    )
    seconds = replications * (
        SECONDS_PER_REPLICATION_KCLOSE * closes / 1000
        + SECONDS_PER_PATH_HORIZON_KCLOSE * paths * horizons * closes / 1000
    )
    return seconds, float(replications) * per_replication_bytes


@dataclass(frozen=True)
class ClaimEstimate:
    """The expected cost of a claim's run (or a study's): ``seconds`` of wall time and
    ``bytes`` of peak memory growth, and ``parts`` (name -> (seconds, bytes)) for the
    refusal to name the largest. Sizes are the run's, or nominal ones before the data are
    loaded (``NOMINAL_CLOSES``, ``NOMINAL_EVENTS``)."""

    closes: int
    events: int
    horizons: int
    draws: int
    paths: int
    calibration: int
    variants: int
    seconds: float
    bytes: float
    parts: tuple[tuple[str, float, float], ...]

    def describe(self) -> str:
        """One line: what runs, the expected time and memory."""
        pieces = [f"{self.draws:,} random-entry draws x {self.horizons} horizons", f"{self.paths:,} paths"]
        if self.calibration:
            pieces.append(f"calibration {self.calibration:,} x {CALIBRATION_MODELS} models")
        if self.variants:
            pieces.append(f"{self.variants:,} variants")
        return (
            f"{', '.join(pieces)} on ~{self.closes:,} closes and ~{self.events:,} events: about "
            f"{format_duration(self.seconds)} and {format_bytes(self.bytes)} of memory"
        )

    def largest(self, index: int) -> tuple[str, float]:
        """(name, cost) of the part costing most in seconds (``index`` 1) or bytes (2)."""
        name, *costs = max(self.parts, key=lambda part: part[index])
        return name, costs[index - 1]


def estimate_claim(
    *,
    draws: int,
    paths: int,
    horizons: int = 5,
    closes: int = NOMINAL_CLOSES,
    events: int = NOMINAL_EVENTS,
    calibration: int = 0,
    calibration_horizons: int | None = None,
    variants: int = 0,
    variant_draws: int | None = None,
    variant_paths: int | None = None,
) -> ClaimEstimate:
    """The cost model above applied to one claim: its own analysis (``draws`` per horizon
    and variant, ``paths``), its calibration (``calibration`` replications per model on
    ``calibration_horizons``, default all), then ``variants`` rows, each a light analysis of
    ``variant_draws`` / ``variant_paths`` (default the claim's) with one random-entry
    variant. Time adds up; memory is the largest stage (each frees its arrays)."""
    own = analysis_cost(closes, events, horizons, draws, paths)
    light = analysis_cost(
        closes,
        events,
        horizons,
        draws if variant_draws is None else variant_draws,
        paths if variant_paths is None else variant_paths,
        variants=1,
    )
    calibration_seconds, calibration_bytes = calibration_cost(
        closes, horizons if calibration_horizons is None else calibration_horizons, calibration
    )
    own_bytes = sum(part[1] for part in own.values())
    light_seconds = sum(part[0] for part in light.values())
    light_bytes = sum(part[1] for part in light.values())
    parts = (
        ("events", own["events"][0], own["events"][1]),
        ("draws", own["draws"][0], own["draws"][1]),
        ("paths", own["paths"][0], own["paths"][1]),
        ("calibration", CALIBRATION_MODELS * calibration_seconds, calibration_bytes),
        ("variants", variants * light_seconds, light_bytes if variants else 0.0),
    )
    return ClaimEstimate(
        closes=closes,
        events=events,
        horizons=horizons,
        draws=draws,
        paths=paths,
        calibration=calibration,
        variants=variants,
        seconds=sum(part[1] for part in parts),
        bytes=BYTES_FIXED + max(own_bytes, calibration_bytes, light_bytes if variants else 0.0),
        parts=parts,
    )


def check_claim_cost(
    estimate: ClaimEstimate,
    *,
    max_minutes: float,
    memory: int | None,
    what: str = "the run",
    knobs: Mapping[str, str] = KNOBS,
) -> None:
    """Refuse (one line each) a run whose estimated peak memory exceeds ``MEMORY_SHARE`` of
    ``memory`` (the bytes available; None: unknown) naming the part to lower, or whose
    estimated time exceeds ``max_minutes``, naming ``--max-minutes`` and the value that
    lifts it. ``knobs``: what to call each part (the CLI's options, or a spec's keys)."""
    if memory is not None and estimate.bytes > MEMORY_SHARE * memory:
        part, size = estimate.largest(2)
        raise ParameterError(
            f"{what} ({estimate.describe()}) needs more than {MEMORY_SHARE:.0%} of the {format_bytes(memory)} "
            f"of memory available; lower {knobs[part]} (about {format_bytes(size)} of it)"
        )
    if estimate.seconds > 60 * max_minutes:
        part, seconds = estimate.largest(1)
        raise ParameterError(
            f"{what} ({estimate.describe()}) is over --max-minutes {max_minutes:g}; lower {knobs[part]} "
            f"(about {format_duration(seconds)} of it) or pass --max-minutes {math.ceil(estimate.seconds / 60):,} "
            "to run it anyway"
        )


# -- guards of the nulls themselves (the Python API) ------------------------------------------


def check_draws_memory(n_draws: int, horizons: int) -> None:
    """Refuse, before allocating, random-entry nulls (one variant, ``horizons`` horizons)
    that would not fit in the memory available."""
    check_memory(
        BYTES_PER_DRAW_HORIZON * n_draws * horizons,
        f"{n_draws:,} random-entry draws x {horizons} horizons",
        "lower n_draws (--draws)",
        checks.available_memory(),
    )


def check_paths_memory(n_paths: int, horizons: int) -> None:
    """Refuse, before allocating, a bootstrapped-path null that would not fit in memory."""
    check_memory(
        BYTES_PER_PATH_HORIZON * n_paths * horizons,
        f"{n_paths:,} bootstrapped paths x {horizons} horizons",
        "lower n_paths (--paths)",
        checks.available_memory(),
    )


def check_calibration_memory(closes: int, horizons: int, replications: int, draws: int, paths: int) -> None:
    """Refuse, before simulating, a calibration whose kept nulls would not fit in memory."""
    _, n_bytes = calibration_cost(closes, horizons, replications, draws, paths)
    check_memory(
        n_bytes,
        f"a calibration of {replications:,} replications ({draws:,} draws, {paths:,} paths each) on {closes:,} closes",
        "lower n_replications (--replications, [analysis] calibration)",
        checks.available_memory(),
    )
