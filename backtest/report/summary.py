"""Machine-readable study summaries: JSON-ready dictionaries of data provenance, software
versions and results, and their deterministic serialisation.

Everything here only gathers values already computed elsewhere. Paths are written relative
to the data directory and no clock time is recorded, so the same inputs give byte-identical
``summary.json`` files on any machine.
"""

from __future__ import annotations

import json
import math
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SOFTWARE_PACKAGES = ("backtest", "numpy", "pandas", "numba", "scipy", "statsmodels", "arch", "vectorbt", "matplotlib")


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python, NaN/NaT to None, dates to ISO strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Path):
        return value.as_posix()
    return value


def dumps(summary: dict[str, Any]) -> str:
    """Deterministic JSON text (sorted keys, fixed indentation, trailing newline)."""
    return json.dumps(plain(summary), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def software_versions() -> dict[str, str]:
    """Versions of Python and the packages whose arithmetic the results depend on."""
    versions = {"python": platform.python_version()}
    for package in SOFTWARE_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _relative(path: str | Path) -> str:
    """'fred/RU2000PR.csv' for any absolute path inside a data directory."""
    path = Path(path)
    return f"{path.parent.name}/{path.name}"


def series_provenance(series: Any) -> dict[str, Any]:
    """Coverage, segments, splice statistics and validation findings of a MarketSeries."""
    close = series.close
    segments = [
        {
            "source": seg.source,
            "symbol": seg.symbol,
            "file": _relative(seg.path),
            "first_date": seg.first_date,
            "last_date": seg.last_date,
            "scale_factor": seg.scale_factor,
            "rows_used": seg.rows_used,
            "note": seg.note,
        }
        for seg in series.segments
    ]
    out: dict[str, Any] = {
        "series": series.name,
        "first_date": close.index[0],
        "last_date": close.index[-1],
        "n_closes": len(close),
        "sha256": series.data_sha256,
        "segments": segments,
        "validation": [
            {
                "file": _relative(report.file),
                "sha256": report.sha256,
                "policy": report.policy,
                "rows_read": report.rows_read,
                "rows_used": report.rows_used,
                "findings": [
                    {
                        "kind": finding.kind,
                        "severity": finding.severity,
                        "count": finding.count,
                        "dropped": finding.dropped,
                        "first_dates": list(finding.dates[:5]),
                        "message": finding.message,
                    }
                    for finding in report.findings
                ],
            }
            for report in series.validation
        ],
        "splice": None,
    }
    splice = series.splice
    if splice is not None:
        by_year = splice.to_frame()
        out["splice"] = {
            "older": splice.older,
            "newer": splice.newer,
            "switch_date": splice.switch_date,
            "scale_factor": splice.scale_factor,
            "overlap_first": splice.overlap_first,
            "overlap_last": splice.overlap_last,
            "n_common_days": splice.n_common_days,
            "median_abs_ret_diff": splice.median_abs_ret_diff,
            "max_abs_ret_diff": splice.max_abs_ret_diff,
            "max_abs_ret_diff_date": splice.max_abs_ret_diff_date,
            "ret_corr": splice.ret_corr,
            "ratio_drift": splice.ratio_drift,
            "max_abs_ratio_deviation": splice.max_abs_ratio_deviation,
            "by_year": by_year.to_dict(orient="records"),
        }
    return plain(out)
