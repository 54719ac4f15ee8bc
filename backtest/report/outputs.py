"""A report's files, rendered and not written: ``ReportFiles``, and the standard set of a
study or claim folder (figures, summary.json, tables, report.md and its HTML twin).

Nothing here touches the disk: the composition layer writes a ``ReportFiles`` through
``backtest.claims.outputs.write_report`` (staged, swapped into place in one step). report.html
carries its figures and, when it has interactive ones, plotly.js
(``backtest.report.render.markdown_to_html``), so nothing lives outside the report folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pandas as pd

from backtest._json import FLOAT_FORMAT
from backtest.report.render import markdown_to_html
from backtest.report.summary import dumps

FileContent = str | bytes
"""A file's content: text (written as UTF-8) or bytes."""


def csv_text(frame: pd.DataFrame, *, index: bool = True, float_format: str = FLOAT_FORMAT) -> str:
    """CSV text with ISO dates, ``\\n`` line ends on every platform and floats to the precision
    of summary.json (``backtest._json.SIGNIFICANT_DIGITS``)."""
    return frame.to_csv(index=index, date_format="%Y-%m-%d", float_format=float_format, lineterminator="\n")


@dataclass(frozen=True)
class ReportFiles:
    """The files of one report folder, in the order they are written: relative POSIX path
    (``pairs/RUT.parquet`` for a file in a subfolder) -> text or bytes.

    name: the folder's name the report suggests (a claim's spec name; "" when the caller
    names the folder, as a sweep's ``--name``). The mapping is read-only."""

    files: Mapping[str, FileContent]
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", MappingProxyType(dict(self.files)))

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, name: str) -> FileContent:
        return self.files[name]

    def text(self, name: str) -> str:
        """The file ``name`` as text (a text file as it is, bytes decoded as UTF-8)."""
        content = self.files[name]
        return content if isinstance(content, str) else content.decode("utf-8")


def report_files(
    *,
    title: str,
    report_markdown: str,
    summary: Mapping[str, Any],
    files: Mapping[str, str] | None = None,
    figures: Mapping[str, bytes] | None = None,
    interactive: Mapping[str, str] | None = None,
    name: str = "",
) -> ReportFiles:
    """The files of a study or claim folder: ``figures`` (name -> PNG bytes), summary.json,
    ``files`` (name -> text, e.g. CSV tables), report.md and report.html (figures embedded).
    interactive: plotly divs for report.html by the PNG (or marker) they replace
    (``backtest.report.render.markdown_to_html``); report.md keeps the PNGs."""
    contents: dict[str, FileContent] = dict(figures or {})
    contents["summary.json"] = dumps(dict(summary))
    contents.update(files or {})
    contents["report.md"] = report_markdown
    contents["report.html"] = markdown_to_html(report_markdown, title, figures=figures, interactive=interactive)
    return ReportFiles(contents, name=name)
