"""Is 50/200 special? Every SMA golden-cross pair 5-100 x 20-300 on the Russell 2000.

Runs the sweep of all 23,655 pairs (fast 5..100, slow 20..300, fast < slow, step 1) on the
Russell 2000 price index with events since 1985-01-01, default horizons (1, 3, 6, 9, 12
months of 21 trading days), 1,000 stationary-bootstrap replications and a fixed seed, and
writes the report to results/russell2000_ma_sweep/ (pairs.parquet, heatmaps, summary.md,
summary.html, summary.json).

    python studies/russell2000_ma_sweep.py [--data-dir DIR] [--output-dir PARENT]  (= backtest study russell2000-ma-sweep)
"""

from __future__ import annotations

import sys
from pathlib import Path

from backtest.data import load_series
from backtest.defaults import DEFAULT_SEED
from backtest.events import DEFAULT_HORIZONS, EventRules
from backtest.project import results_dir
from backtest.report.sweep_report import write_sweep_report
from backtest.studies import run_as_script
from backtest.sweep import SweepGrid, SweepResult, run_sweep

NAME = "russell2000_ma_sweep"
DEFAULT_OUTPUT = results_dir(__file__) / NAME
GRID = SweepGrid.from_ranges("5:100:1", "20:300:1")
RULES = EventRules(ma="sma", direction="golden", start="1985-01-01")
REPS = 1000
SEED = DEFAULT_SEED


def sweep(data_dir: str | Path | None = None, *, seed: int = SEED, step=None, policy: str = "lenient") -> SweepResult:  # type: ignore[no-untyped-def]
    """The computed sweep (no files written)."""
    series = load_series("russell2000", data_dir=data_dir, policy=policy)
    return run_sweep(series, GRID, RULES, DEFAULT_HORIZONS, reps=REPS, seed=seed, reference=(50, 200), progress=step)


def run(
    data_dir: str | Path | None = None,
    output_dir: str | Path = DEFAULT_OUTPUT,
    *,
    seed: int = SEED,
    n_draws: int | None = None,
    n_paths: int | None = None,
    step=None,  # type: ignore[no-untyped-def]
    policy: str = "lenient",
) -> Path:
    """Run the study and write its report into ``output_dir`` (atomically); return it.

    The signature is the one ``backtest study`` calls; ``n_draws`` and ``n_paths`` (the
    Monte Carlo sizes of the single-pair studies) do not apply here: the sweep always uses
    1,000 bootstrap replications and 1,000 random-entry draws per distinct event count.
    """
    del n_draws, n_paths
    result = sweep(data_dir, seed=seed, step=step, policy=policy)
    return write_sweep_report(result, output_dir, csv=False, top=15, kind="study")


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
