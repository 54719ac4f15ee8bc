"""Rendering primitives shared by every report: figures to PNG bytes, tables and Markdown
to a self-contained HTML page, and the staged write of a whole results directory.

Nothing here computes a statistic: callers pass numbers already computed; these functions
only format and write them. Output is deterministic (no timestamps in PNG metadata).
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import markdown as markdown_lib
import matplotlib.pyplot as plt
import pandas as pd

# Metadata that would make PNG bytes vary between runs or machines.
_PNG_METADATA = {"Software": None}

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #1a1a1a; line-height: 1.5; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: right; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
code { background: #f6f6f6; padding: 0 .2em; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; }
blockquote { border-left: 4px solid #ccc; margin-left: 0; padding-left: 1em; color: #444; }
"""


def figure_png(fig: plt.Figure, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib figure (closed afterwards), without run-dependent metadata."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata=_PNG_METADATA)
    plt.close(fig)
    return buffer.getvalue()


def format_value(value: object, fmt: str | Callable[[object], str] | None = None) -> str:
    """One table cell: NaN/None become an en dash; ``fmt`` is a format spec or a callable."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if callable(fmt):
        return fmt(value)
    if fmt:
        return format(value, fmt)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def markdown_table(
    frame: pd.DataFrame,
    formats: Mapping[str, str | Callable[[object], str]] | None = None,
    index: bool = False,
) -> str:
    """A GitHub-flavoured Markdown table of ``frame`` with per-column formats."""
    formats = formats or {}
    table = frame.reset_index() if index else frame
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = [
        "| " + " | ".join(format_value(v, formats.get(str(c))) for c, v in zip(table.columns, row)) + " |"
        for row in table.itertuples(index=False, name=None)
    ]
    return "\n".join([header, rule, *rows])


def markdown_to_html(markdown_text: str, title: str, image_dir: Path | None = None) -> str:
    """A self-contained HTML page: Markdown rendered, local PNGs embedded as data URIs."""
    body = markdown_lib.markdown(markdown_text, extensions=["tables", "fenced_code", "toc"])

    def embed(match: re.Match[str]) -> str:
        source = match.group(1)
        if image_dir is None or source.startswith(("data:", "http:", "https:")):
            return match.group(0)
        path = image_dir / source
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{encoded}"'

    body = re.sub(r'src="([^"]+\.png)"', embed, body)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
