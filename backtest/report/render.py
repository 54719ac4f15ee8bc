"""Rendering primitives shared by every report: figures to PNG bytes, tables and Markdown
to a self-contained HTML page, and the staged write of a whole results directory.

Nothing here computes a statistic: callers pass numbers already computed; these functions
only format and write them. Output is deterministic (no timestamps in PNG metadata).
"""

from __future__ import annotations

import base64
import functools
import html as html_lib
import io
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import markdown as markdown_lib
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Metadata that would make PNG bytes vary between runs or machines.
_PNG_METADATA = {"Software": None}

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #1a1a1a; line-height: 1.5; overflow-wrap: break-word; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 1em 0; }
table { border-collapse: collapse; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
th.num, td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.nw { white-space: nowrap; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
figure.interactive { margin: 1em 0; border: 1px solid #eee; }
figure.interactive figcaption { font-size: .85em; color: #555; padding: .2em .6em; }
.plotly-figure { width: 100%; }
code { background: #f6f6f6; padding: 0 .2em; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; }
blockquote { border-left: 4px solid #ccc; margin-left: 0; padding-left: 1em; color: #444; }
details.toc { background: #fafafa; border: 1px solid #e3e3e3; padding: .4em .8em; margin: 1em 0; }
details.toc summary { cursor: pointer; font-weight: 600; }
details.toc ul { margin: .3em 0; padding-left: 1.2em; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  details.toc { display: none; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  th.num, td.num { white-space: normal; }
  h2, h3 { break-after: avoid; }
  img, figure, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes of a matplotlib figure (closed afterwards), without run-dependent metadata."""
    # imported here: pyplot costs ~0.4 s, which a claim's run pays in its figure thread
    import matplotlib.pyplot as plt

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


INTERACTIVE_MARKER = "<!-- interactive:{key} -->"
"""A line of report.md where the HTML twin places the interactive block ``key``: an HTML
comment, so the Markdown shows nothing there (it keeps its PNGs)."""

# A cell is numeric when it is a number (sign, thousands separators, unit or percent,
# optional bold/italic marks), a date, or a placeholder of a missing number.
_NUMBER = r"[<>≤≥~±+\-−]?\s*\$?\d[\d,]*(?:\.\d+)?(?:e[+\-]?\d+)?"
_NUMERIC_CELL = re.compile(
    rf"^\**(?:{_NUMBER}\s*(?:%|pp|pts?|points|days?|×|x|bp|s|ms)?"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}(?: to \d{{4}}-\d{{2}}-\d{{2}})?|{_NUMBER}\s*/\s*{_NUMBER}"
    rf"|\[{_NUMBER}%?,\s*{_NUMBER}%?\])\**$",
    re.IGNORECASE,
)
_PLACEHOLDER_CELL = {"", "–", "-", "—", "pending", "n/a", "nan"}
# Inside prose cells: dates and signed numbers never break across lines.
_UNBREAKABLE = re.compile(r"\d{4}-\d{2}-\d{2}|[+\-−]\d[\d,]*(?:\.\d+)?%?")


def _cell_text(cell_html: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", cell_html)).strip()


def _nowrap_tokens(cell_html: str) -> str:
    """Wrap dates and signed numbers of a prose cell in ``<span class="nw">`` (text only, never tags)."""
    parts = re.split(r"(<[^>]+>)", cell_html)
    return "".join(
        part if part.startswith("<") else _UNBREAKABLE.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', part)
        for part in parts
    )


def _format_table(table_html: str) -> str:
    """One rendered table: columns whose every cell is a number, date or placeholder (and at
    least one is a number) are right-aligned and never wrap; other cells are left-aligned
    with their dates and signed numbers kept whole; the table scrolls in its own box."""
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, flags=re.DOTALL)
    cell_pattern = re.compile(r"<(td|th)([^>]*)>(.*?)</\1>", flags=re.DOTALL)
    body_cells = [[m.group(3) for m in cell_pattern.finditer(row)] for row in rows if "<td" in row]
    width = max((len(cells) for cells in body_cells), default=0)
    numeric = []
    for column in range(width):
        texts = [_cell_text(cells[column]) for cells in body_cells if column < len(cells)]
        numbers = [bool(_NUMERIC_CELL.match(text)) for text in texts]
        numeric.append(any(numbers) and all(n or t.lower() in _PLACEHOLDER_CELL for n, t in zip(numbers, texts)))

    def format_row(match: re.Match[str]) -> str:
        column = -1

        def format_cell(cell: re.Match[str]) -> str:
            nonlocal column
            column += 1
            tag, content = cell.group(1), cell.group(3)
            # Python-Markdown's alignment from the rule row gives way to the detected one
            if column < width and numeric[column]:
                return f'<{tag} class="num">{content}</{tag}>'
            return f"<{tag}>{content if tag == 'th' else _nowrap_tokens(content)}</{tag}>"

        return "<tr>" + cell_pattern.sub(format_cell, match.group(1)) + "</tr>"

    formatted = re.sub(r"<tr>(.*?)</tr>", format_row, table_html, flags=re.DOTALL)
    return f'<div class="table-wrap">\n{formatted}\n</div>'


def _table_of_contents(toc_html: str) -> str:
    """The h2/h3 outline as a collapsed block (the answer stays at the top of the page)."""
    if toc_html.count("<li>") < 3:
        return ""
    inner = re.sub(r'^<div class="toc">\s*|\s*</div>\s*$', "", toc_html.strip())
    return f'<details class="toc"><summary>Contents</summary>\n<nav>\n{inner}\n</nav>\n</details>\n'


def _interactive_figure(block: str, caption: str = "") -> str:
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="interactive">\n{block}\n{figcaption}</figure>'


def _figure_for_image(block: str, match: re.Match[str]) -> str:
    """The interactive figure that replaces a PNG's ``<img>``, captioned by its alt text."""
    return _interactive_figure(block, match.group(1))


def markdown_to_html(
    markdown_text: str,
    title: str,
    image_dir: Path | None = None,
    *,
    interactive: Mapping[str, str] | None = None,
    head: str = "",
) -> str:
    """A self-contained HTML page: Markdown rendered, local PNGs embedded as data URIs,
    tables aligned by content and scrolling in their own box, a table of contents.

    interactive: blocks of HTML (plotly divs) by key. A key that names a PNG of the page
    (``"event_paths.png"``) replaces that image, its alt text becoming the caption; any
    key replaces the line ``INTERACTIVE_MARKER.format(key=key)``. Unused keys are ignored.
    head: extra ``<head>`` content, e.g. the ``<script>`` loading plotly.js.
    """
    converter = markdown_lib.Markdown(
        extensions=["tables", "fenced_code", "toc"], extension_configs={"toc": {"toc_depth": "2-3"}}
    )
    body = converter.convert(markdown_text)
    for key, block in (interactive or {}).items():
        marker = INTERACTIVE_MARKER.format(key=key)
        body = body.replace(marker, _interactive_figure(block))
        image = re.compile(rf'<p><img alt="([^"]*)" src="{re.escape(key)}"\s*/?></p>')
        body = image.sub(functools.partial(_figure_for_image, block), body)

    def embed(match: re.Match[str]) -> str:
        source = match.group(1)
        if image_dir is None or source.startswith(("data:", "http:", "https:")):
            return match.group(0)
        path = image_dir / source
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{encoded}"'

    body = re.sub(r'src="([^"]+\.png)"', embed, body)
    body = re.sub(r"<table>.*?</table>", lambda m: _format_table(m.group(0)), body, flags=re.DOTALL)
    contents = _table_of_contents(getattr(converter, "toc", ""))
    if contents:
        heading_end = body.find("</h1>")
        at = heading_end + len("</h1>") if heading_end >= 0 else 0
        body = body[:at] + "\n" + contents + body[at:]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_lib.escape(title)}</title>\n<style>{_CSS}</style>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
