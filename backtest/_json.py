"""Deterministic JSON for machine-readable results.

``plain`` turns nested results (numpy scalars, NaN, timestamps, paths) into JSON-ready
Python values; ``dumps`` writes them with sorted keys and fixed indentation, so the same
values always give the same bytes. Every summary.json and benchmark JSON goes through here.

Floats keep ``SIGNIFICANT_DIGITS`` significant digits: far more than any estimate here
carries, and short of the last-bit differences that vectorised sums give on different CPUs
(SIMD widths order the additions differently), so a fresh clone on another machine writes the
committed bytes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SIGNIFICANT_DIGITS = 12
FLOAT_FORMAT = f"%.{SIGNIFICANT_DIGITS}g"
"""The same precision for CSV writers (``DataFrame.to_csv(float_format=FLOAT_FORMAT)``)."""


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python, floats to ``SIGNIFICANT_DIGITS`` significant
    digits, NaN/inf/NaT/NA to None, timestamps to ISO dates, paths to POSIX strings, tuples and
    arrays to lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def dumps(value: Any) -> str:
    """Deterministic JSON text (sorted keys, two-space indent, UTF-8 kept, trailing newline)."""
    return json.dumps(plain(value), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
