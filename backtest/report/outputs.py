"""Writing a study's report directory: figures, summary.json, tables, report.md and its
self-contained HTML twin, staged and swapped into place in one step.

Callers pass texts and bytes already rendered; this module only writes them through
``backtest._io.report_directory`` (kind "study"): an interrupted run leaves the previous
directory untouched, and files a user added to it survive the next run. Nothing is written
outside the report folder: report.html carries its figures and, when it has interactive
ones, plotly.js (``backtest.report.render.markdown_to_html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from backtest._io import atomic_write_bytes, atomic_write_text, report_directory
from backtest._json import FLOAT_FORMAT
from backtest.report.render import markdown_to_html
from backtest.report.summary import dumps


def csv_text(frame: pd.DataFrame, *, index: bool = True, float_format: str = FLOAT_FORMAT) -> str:
    """CSV text with ISO dates, ``\\n`` line ends on every platform and floats to the precision
    of summary.json (``backtest._json.SIGNIFICANT_DIGITS``)."""
    return frame.to_csv(index=index, date_format="%Y-%m-%d", float_format=float_format, lineterminator="\n")


def write_report_directory(
    output_dir: str | Path,
    *,
    title: str,
    report_markdown: str,
    summary: Mapping[str, Any],
    files: Mapping[str, str] | None = None,
    figures: Mapping[str, bytes] | None = None,
    kind: str = "study",
    interactive: Mapping[str, str] | None = None,
) -> Path:
    """Write report.md, report.html (figures embedded), summary.json, ``files`` (name ->
    text, e.g. CSV tables) and ``figures`` (name -> PNG bytes) into ``output_dir``, a report
    folder of ``kind`` named after the folder (see ``backtest._io.report_directory``).
    interactive: plotly divs for report.html by the PNG (or marker) they replace
    (``backtest.report.render.markdown_to_html``); report.md keeps the PNGs."""
    with report_directory(output_dir, kind=kind) as staging:
        for name, png in (figures or {}).items():
            atomic_write_bytes(staging / name, png)
        atomic_write_text(staging / "summary.json", dumps(dict(summary)))
        for name, text in (files or {}).items():
            atomic_write_text(staging / name, text)
        atomic_write_text(staging / "report.md", report_markdown)
        atomic_write_text(
            staging / "report.html",
            markdown_to_html(report_markdown, title, figures=figures, interactive=interactive),
        )
    return Path(output_dir)
