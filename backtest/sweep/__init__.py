"""Sweeps: every (fast, slow) pair of a grid through the event pipeline, with data-snooping
control (Reality Check, SPA, Romano-Wolf) over the whole grid -> a tidy table and a report;
over one series or many, in this process, in worker processes or on a Dask cluster."""

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
    "MultiSweepReport",
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
    "write_multi_sweep_report",
    "write_sweep_report",
]

# The report writers pull in matplotlib (~0.4 s); a Dask or process worker unpickling a
# sweep task imports this package and never draws, so they load on first use (PEP 562).
_REPORT_NAMES = ("MultiSweepReport", "write_multi_sweep_report", "write_sweep_report")


def __getattr__(name: str) -> object:
    if name in _REPORT_NAMES:
        from backtest.sweep import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
