"""Sweeps: every (fast, slow) pair of a grid through the event pipeline, with data-snooping
control (Reality Check, SPA, Romano-Wolf) over the whole grid -> a tidy table and a report."""

from backtest.sweep.engine import COLUMNS, SweepEvents, SweepResult, find_events, run_sweep
from backtest.sweep.grid import SweepGrid, parse_windows
from backtest.sweep.report import write_sweep_report
from backtest.sweep.snooping import PairInference, SnoopingTest, loss_matrix, romano_wolf_adjust, snooping_test

__all__ = [
    "COLUMNS",
    "PairInference",
    "SnoopingTest",
    "SweepEvents",
    "SweepGrid",
    "SweepResult",
    "find_events",
    "loss_matrix",
    "parse_windows",
    "romano_wolf_adjust",
    "run_sweep",
    "snooping_test",
    "write_sweep_report",
]
