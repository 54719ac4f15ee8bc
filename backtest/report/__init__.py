"""Reports: figures, tables and Markdown/HTML pages, built as files (``ReportFiles``) that the
composition layer writes (``backtest.claims.outputs``).

The names below are read lazily from ``backtest.report.render``, so importing a report
module (a summary's provenance, say) does not import matplotlib.
"""

from typing import Any

__all__ = ["figure_png", "format_value", "markdown_table", "markdown_text", "markdown_to_html"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from backtest.report import render

        return getattr(render, name)
    raise AttributeError(f"module 'backtest.report' has no attribute {name!r}")
