"""Reports: figures, tables and Markdown/HTML pages written into results/."""

from backtest.report.render import (
    figure_png,
    format_value,
    markdown_table,
    markdown_to_html,
)

__all__ = ["figure_png", "format_value", "markdown_table", "markdown_to_html"]
