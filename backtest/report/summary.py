"""Machine-readable study summaries: JSON-ready dictionaries of data provenance, software
versions and results, and their deterministic serialisation.

Everything here only gathers values already computed elsewhere. Paths are written relative
to the data directory and no clock time is recorded, so the same inputs give byte-identical
``summary.json`` files on any machine.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import pandas as pd

from backtest._json import dumps, plain

__all__ = ["dumps", "plain", "provenance_records", "series_provenance", "software_versions"]

SOFTWARE_PACKAGES = ("backtest", "numpy", "pandas", "numba", "scipy", "statsmodels", "arch", "vectorbt", "matplotlib")


def software_versions() -> dict[str, str]:
    """Versions of Python and the packages whose arithmetic the results depend on."""
    from backtest.cache import package_versions

    return {"python": platform.python_version(), **package_versions(SOFTWARE_PACKAGES, missing="not installed")}


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


def provenance_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Provenance rows (``MarketSeries.provenance_frame()``) for JSON: each absolute
    ``path`` becomes ``file`` relative to its data directory, so outputs do not depend on
    where the data live."""
    records = frame.to_dict(orient="records")
    for record in records:
        if "path" in record:
            record["file"] = _relative(record.pop("path"))
    return plain(records)
