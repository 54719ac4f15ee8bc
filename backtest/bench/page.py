"""The benchmarks' readable page beside their JSON: ``write_bench_page(folder)`` reads every
benchmark's JSON in ``folder`` (``results/bench/``), renders one table and one chart through
the report template (``backtest.report.bench_report``) and writes ``report.html`` there: one
self-contained file (the chart embedded), replaced only when backtest wrote it.

Each ``backtest bench`` command calls it after writing its JSON, so the page always shows
the latest numbers; it measures nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backtest._io import FILE_RECOGNISERS, atomic_write_text, preflight
from backtest.errors import DataError
from backtest.files import FileKind, MiB, read_bytes

PAGE_FILE = "report.html"
PAGE_TITLE = "backtest benchmarks"
BENCH_JSON = FileKind("benchmark result", 16 * MiB)
"""A benchmark's JSON (``results/bench/*.json``, under 100 KB each)."""


def is_bench_page(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) is a page ``write_bench_page`` wrote: an HTML
    page whose title is the benchmarks' (``backtest._io.FILE_RECOGNISERS["bench-page"]``)."""
    return FILE_RECOGNISERS["bench-page"](head)


def read_bench_results(folder: Path) -> dict[str, dict[str, Any]]:
    """Each benchmark's JSON found in ``folder`` (name -> content); a file that is not valid
    JSON is left out (the page shows what it can read)."""
    from backtest.report.bench_report import BENCHMARKS

    found = {}
    for name in BENCHMARKS:
        path = folder / f"{name}.json"
        if not path.is_file():
            continue
        try:
            payload = json.loads(read_bytes(path, BENCH_JSON, error=DataError))
        except (DataError, ValueError):
            continue
        if isinstance(payload, dict):
            found[name] = payload
    return found


def write_bench_page(folder: str | Path) -> Path | None:
    """Write ``folder/report.html`` from the benchmarks' JSON in ``folder``; None (nothing
    written) when there is none. Raises ``OutputError`` when a ``report.html`` there was not
    written by backtest: it is never replaced."""
    from backtest.report.bench_report import SPEEDUP_FIGURE, bench_markdown, bench_rows, speedup_figure
    from backtest.report.render import figure_png, markdown_to_html

    folder = Path(folder)
    target = folder / PAGE_FILE
    preflight(target, "bench-page", overwrite=False, hint="move it to write the benchmarks' page")
    payloads = read_bench_results(folder)
    if not payloads:
        return None
    rows = bench_rows(payloads)
    figure = speedup_figure(rows)
    figures = {SPEEDUP_FIGURE: figure_png(figure)} if figure is not None else {}
    markdown = bench_markdown(rows, payloads, figure=bool(figures))
    return atomic_write_text(target, markdown_to_html(markdown, PAGE_TITLE, figures=figures))
