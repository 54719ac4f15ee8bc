"""Writing a study's report directory: figures, summary.json, tables, report.md and its
self-contained HTML twin, staged and swapped into place in one step.

Callers pass texts and bytes already rendered; this module only writes them through
``backtest._io.report_directory`` (kind "study"): an interrupted run leaves the previous
directory untouched, and files a user added to it survive the next run.

A page with interactive figures loads plotly.js from ``<results root>/_assets/`` (one
copy for every report, written through the same machinery, kind "asset", and referenced
by a relative path so the folder can be moved or opened offline), or carries it inline
within ``self_contained()`` (the CLI's ``--self-contained``: one file to send).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from backtest._io import (
    atomic_write_bytes,
    atomic_write_text,
    read_manifest,
    report_directory,
)
from backtest.report.render import markdown_to_html
from backtest.report.summary import dumps

ASSETS_DIR = "_assets"
RESULTS_DIR_NAME = "results"

SELF_CONTAINED: ContextVar[bool] = ContextVar("backtest_self_contained", default=False)
"""``--self-contained`` of the running command (a context variable, as ``--overwrite``:
study scripts call the writers without an option for it)."""


@contextlib.contextmanager
def self_contained(enabled: bool = True) -> Iterator[None]:
    """Within this block, HTML reports embed plotly.js instead of referencing ``_assets/``."""
    token = SELF_CONTAINED.set(enabled)
    try:
        yield
    finally:
        SELF_CONTAINED.reset(token)


def assets_root(report_folder: str | os.PathLike[str]) -> Path:
    """Where a report's shared assets live: the nearest enclosing folder named ``results``
    (``results/claims/x`` -> ``results``), else the report folder's parent (its output dir)."""
    folder = Path(os.path.abspath(report_folder))
    for ancestor in folder.parents:
        if ancestor.name == RESULTS_DIR_NAME:
            return ancestor
    return folder.parent


def assets_folder(report_folder: str | os.PathLike[str]) -> Path:
    """The ``_assets`` folder a report's page references (see ``assets_root``)."""
    return assets_root(report_folder) / ASSETS_DIR


@lru_cache(maxsize=1)
def plotly_asset() -> tuple[str, bytes]:
    """(file name, bytes) of the installed plotly.js, named after its version."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    return f"plotly-{get_plotlyjs_version()}.min.js", get_plotlyjs().encode("utf-8")


def write_plotly_asset(report_folder: str | os.PathLike[str]) -> Path:
    """Write plotly.js once into the report's ``_assets`` folder (kind "asset": refused if
    the folder holds files backtest did not write; nothing rewritten if it is current)."""
    folder = assets_folder(report_folder)
    name, data = plotly_asset()
    digest = hashlib.sha256(data).hexdigest()
    manifest = read_manifest(folder)
    if manifest is not None and manifest.kind == "asset" and manifest.files.get(name) == digest:
        with contextlib.suppress(OSError):
            if (folder / name).stat().st_size == len(data) and hashlib.sha256(
                (folder / name).read_bytes()
            ).hexdigest() == digest:
                return folder / name
    with report_directory(folder, kind="asset", name=ASSETS_DIR) as staging:
        atomic_write_bytes(staging / name, data)
    return folder / name


def plotly_head(report_folder: str | os.PathLike[str]) -> str:
    """The ``<script>`` loading plotly.js for a page written into ``report_folder``: inline
    within ``self_contained()``, else a relative reference to the shared asset (written
    here if needed)."""
    if SELF_CONTAINED.get():
        return f'<script type="text/javascript">{plotly_asset()[1].decode("utf-8")}</script>\n'
    asset = write_plotly_asset(report_folder)
    relative = Path(os.path.relpath(asset, os.path.abspath(report_folder))).as_posix()
    return f'<script src="{relative}" charset="utf-8"></script>\n'


def html_page(
    markdown: str,
    title: str,
    folder: str | os.PathLike[str],
    *,
    image_dir: Path,
    interactive: Mapping[str, str] | None = None,
) -> str:
    """report.html of a report folder: the Markdown page with its interactive blocks, and
    plotly.js loaded as ``plotly_head`` says when there are any."""
    head = plotly_head(folder) if interactive else ""
    return markdown_to_html(markdown, title, image_dir=image_dir, interactive=interactive, head=head)


def csv_text(frame: pd.DataFrame, *, index: bool = True, float_format: str | None = None) -> str:
    """CSV text with ISO dates and ``\\n`` line ends on every platform."""
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
            html_page(report_markdown, title, output_dir, image_dir=staging, interactive=interactive),
        )
    return Path(output_dir)
