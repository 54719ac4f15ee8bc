"""What every benchmark measures the same way: wall time, peak resident memory, CPU count,
and how its JSON is written.

Peak memory is Linux's VmHWM, reset before each measured call (``reset_peak``); unlike
``tracemalloc`` it sees numba's allocations too, and unlike a sampling thread it cannot miss
a short peak. Off Linux the memory figures are None.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backtest._io import atomic_write_text
from backtest._json import dumps
from backtest.sweep.executors import cpu_count

__all__ = ["cpu_count", "measure", "measure_repeated", "reset_peak", "status_kib", "write_bench"]


def status_kib(field: str) -> int | None:
    """A ``/proc/self/status`` field in KiB (``VmRSS``, ``VmHWM``), or None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS; False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def measure(function: Callable[[], Any]) -> tuple[Any, dict[str, float | None]]:
    """Run ``function`` once; wall seconds and peak RSS growth in MB (None off Linux)."""
    gc.collect()
    resettable = reset_peak()
    before = status_kib("VmRSS")
    start = time.perf_counter()
    result = function()
    wall = time.perf_counter() - start
    peak = status_kib("VmHWM")
    growth = None
    absolute = None
    if resettable and before is not None and peak is not None:
        growth = (peak - before) / 1024.0
        absolute = peak / 1024.0
    return result, {"wall_s": wall, "peak_mb": growth, "process_peak_mb": absolute}


def measure_repeated(function: Callable[[], Any], repeats: int) -> tuple[Any, dict[str, Any]]:
    """``measure`` ``repeats`` times: the median wall time, the largest peak growth, and
    every call's seconds (``walls_s``), so that one call slowed by a busy machine does not
    set the figure."""
    walls: list[float] = []
    peaks: list[float] = []
    absolute: list[float] = []
    result = None
    for _ in range(max(1, repeats)):
        result, cost = measure(function)
        walls.append(float(cost["wall_s"] or 0.0))
        if cost["peak_mb"] is not None:
            peaks.append(cost["peak_mb"])
        if cost["process_peak_mb"] is not None:
            absolute.append(cost["process_peak_mb"])
    return result, {
        "wall_s": statistics.median(walls),
        "walls_s": walls,
        "peak_mb": max(peaks) if peaks else None,
        "process_peak_mb": max(absolute) if absolute else None,
    }


def write_bench(result: dict[str, Any], path: str | Path) -> Path:
    """Write the bench JSON atomically (sorted keys, NaN as null)."""
    return atomic_write_text(path, dumps(result))
