"""Sweeps: every (fast, slow) pair of a grid through the event pipeline, with data-snooping
control (Reality Check, SPA, Romano-Wolf) over the whole grid -> a tidy table and a report;
over one series or many, in this process, in worker processes or on a Dask cluster. The
reports are drawn by the report stage (``backtest.report.sweep_report``)."""

from backtest.sweep.engine import (
    COLUMNS,
    SweepEvents,
    SweepResult,
    find_events,
)
from backtest.sweep.executors import (
    DaskExecutor,
    LocalExecutor,
    ProcessExecutor,
    SweepExecutor,
    make_executor,
)
from backtest.sweep.grid import SweepGrid, parse_windows
from backtest.sweep.multi import (
    MultiSweepResult,
    parse_series_list,
    read_series_file,
    run_sweeps,
)
from backtest.sweep.plan import SeriesInput, run_sweep
from backtest.sweep.snooping import (
    PairInference,
    SnoopingTest,
    loss_matrix,
    romano_wolf_adjust,
    snooping_test,
)

__all__ = [
    "COLUMNS",
    "DaskExecutor",
    "LocalExecutor",
    "MultiSweepResult",
    "PairInference",
    "ProcessExecutor",
    "SeriesInput",
    "SnoopingTest",
    "SweepEvents",
    "SweepExecutor",
    "SweepGrid",
    "SweepResult",
    "find_events",
    "loss_matrix",
    "make_executor",
    "parse_series_list",
    "parse_windows",
    "read_series_file",
    "romano_wolf_adjust",
    "run_sweep",
    "run_sweeps",
    "snooping_test",
]
