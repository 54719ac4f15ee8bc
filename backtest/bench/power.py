"""The simulated power of a claim (``backtest.stats.power.simulated_detectable_effect``) timed
warm, claim by claim.

``bench_power(specs)`` runs each claim spec once through ``run_claim``, which computes the
simulated power as ``backtest claim run`` does (and compiles every kernel on the way), then
the simulated power again on the claim's own study, ``repeats`` times: the median wall
seconds, the CPU seconds of every thread (CPU / wall shows how much of the cores the paths'
threads use), the (path, drift) evaluations behind the curve, the wall time per evaluation,
and whether each rerun gave the claim's own result byte for byte. Returns a plain dict for
JSON; it writes nothing.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from backtest._json import dumps
from backtest.bench.measure import cpu_count

GALLERY_SPECS: tuple[str, ...] = (
    "studies/russell2000_golden_cross.toml",
    "studies/claims/breakout_52_week_high.toml",
    "studies/claims/rsi_oversold.toml",
    "studies/claims/vix_above_30.toml",
    "studies/claims/ten_year_yield_drop.toml",
    "studies/claims/santa_rally.toml",
    "studies/claims/sell_in_may.toml",
)
"""The headline claim and the gallery's: a moving-average cross, a new high and an RSI
threshold re-detected on every path, a VIX level and a yield change at the data's dates,
two calendar claims (the year-level paired test)."""


def bench_power(
    specs: Sequence[str | Path] = GALLERY_SPECS,
    *,
    n_paths: int | None = None,
    repeats: int = 5,
    data_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Warm timings of the simulated power of each claim in ``specs`` (module docstring).
    n_paths: bootstrap paths (default: the claims' default, ``DEFAULT_POWER_PATHS``)."""
    from backtest.claims.run import run_claim
    from backtest.claims.spec import load_spec
    from backtest.stats.power import DEFAULT_POWER_PATHS, simulated_detectable_effect, year_paired_primary

    paths = DEFAULT_POWER_PATHS if n_paths is None else int(n_paths)
    rows: list[dict[str, Any]] = []
    for spec_path in specs:
        spec = load_spec(spec_path, data_dir)
        claim = run_claim(spec, data_dir=data_dir, n_power_paths=paths)
        power = claim.power
        if power is None:
            rows.append({"spec": str(spec_path), "power": None})
            continue
        primary = year_paired_primary if power.primary_test == year_paired_primary.__name__ else None
        expected = dumps(power.to_dict())
        walls: list[float] = []
        cpus: list[float] = []
        identical = True
        for _ in range(max(1, repeats)):
            wall, cpu = time.perf_counter(), time.process_time()
            rerun = simulated_detectable_effect(
                claim.study,
                power.horizons,
                claim=power.claim,
                primary_test=primary,
                n_paths=paths,
                alpha=power.alpha,
                seed=power.seed,
            )
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            identical &= dumps(rerun.to_dict()) == expected
        evaluations = paths * len(power.drifts)
        rows.append(
            {
                "spec": str(spec_path),
                "primary_test": power.primary_test,
                "events": power.events,
                "n_events": claim.study.n_events,
                "horizons": list(power.horizons),
                "days": len(claim.study.close),
                "evaluations": evaluations,
                "wall_s": statistics.median(walls),
                "cpu_s": statistics.median(cpus),
                "walls_s": walls,
                "wall_per_evaluation_ms": 1e3 * statistics.median(walls) / evaluations,
                "detectable_drift": power.detectable_drift,
                "identical_to_the_claims_run": identical,
            }
        )
    return {
        "benchmark": "power",
        "n_paths": paths,
        "repeats": repeats,
        "machine": {"cpus": cpu_count(), "processor": platform.processor() or platform.machine()},
        "claims": rows,
    }
