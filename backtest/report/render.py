"""Rendering primitives shared by every report: figures to PNG bytes, tables and Markdown
to a self-contained HTML page, and the staged write of a whole results directory.

Nothing here computes a statistic: callers pass numbers already computed; these functions
only format and write them. Output is deterministic (no timestamps in PNG metadata).

User-supplied strings (a claim's title, a file name, a sweep's name) are data, never markup:
``markdown_text`` turns one into literal Markdown text, ``markdown_table`` applies it to every
cell, and ``markdown_to_html`` sanitises the rendered body with ``nh3`` (an allowlist of the
tags our Markdown produces) before it inserts the trusted plotly blocks, and lists the page's
own inline scripts, by hash, in a Content-Security-Policy that admits no other.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html as html_lib
import io
import math
import re
import secrets
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


# Characters that would turn a user's string into markup: Markdown links and images (``[``,
# ``]``), code spans and table cells. Emphasis marks stay: they cannot link, load or run anything.
_MARKDOWN_ESCAPES = str.maketrans({"\\": "\\\\", "`": "\\`", "[": "\\[", "]": "\\]", "|": "\\|"})
# Only what could start markup is escaped, so that "S&P 500", "p < 0.05" and "<0.001" stay
# readable in report.md: "<" before a letter, "/", "!" or "?" (a tag, a comment, an
# autolink) and "&" before a character reference ("&lt;", "&#106;").
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_REFERENCE_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def markdown_text(text: object) -> str:
    """``text`` (a user-supplied string: a title, a file name, a series name) as literal
    Markdown text: ``\\ ` [ ] |`` backslash-escaped, a ``<`` that could open a tag and an
    ``&`` that could start a character reference written as entities, so report.md shows it
    as typed on GitHub and in our HTML, and it never becomes a tag, a link, an image, a code
    span or a table cell break."""
    escaped = str(text).translate(_MARKDOWN_ESCAPES)
    return _TAG_START.sub("&lt;", _REFERENCE_START.sub("&amp;", escaped))


class MarkdownFragment(str):
    """Markdown written by this package (a table, a section, a study's own paragraph): the
    report template inserts it as it is, where it escapes every other value (``markdown_text``)."""

    __slots__ = ()


def markdown_table(
    frame: pd.DataFrame,
    formats: Mapping[str, str | Callable[[object], str]] | None = None,
    index: bool = False,
) -> str:
    """A GitHub-flavoured Markdown table of ``frame`` with per-column formats. Every header
    and cell is literal text (``markdown_text``): a cell can bold (``**x**``), never link."""
    formats = formats or {}
    table = frame.reset_index() if index else frame
    header = "| " + " | ".join(markdown_text(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = [
        "| "
        + " | ".join(markdown_text(format_value(v, formats.get(str(c)))) for c, v in zip(table.columns, row))
        + " |"
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


PLOTLY_BUNDLE = Path(__file__).with_name("assets") / "plotly-cartesian.min.js"
"""The plotly.js bundle a page with interactive figures carries (``assets/README.md``: the
cartesian build, which draws the scatter, bar and heatmap traces our figures use)."""


@functools.lru_cache(maxsize=1)
def plotly_bundle() -> str:
    """The vendored plotly.js source (about 1.5 MB, read once per process)."""
    source = PLOTLY_BUNDLE.read_text(encoding="utf-8")
    # it goes inline into a <script> element, which these would end or confuse
    if re.search(r"</script|<!--|<script", source, flags=re.IGNORECASE):
        raise ValueError(f"{PLOTLY_BUNDLE} cannot be inlined: it holds </script, <script or <!--")
    return source


# What python-markdown (tables, fenced_code, toc) and this module's own wrappers produce;
# everything else (script, style, iframe, object, embed, svg, form, base, meta, every on*
# attribute) is removed, its text kept (script and style lose their content too).
_ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "div", "span", "details", "summary", "nav", "figure", "figcaption",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
_ALLOWED_CLASSES = {
    "div": {"table-wrap"},
    "span": {"nw"},
    "th": {"num"},
    "td": {"num"},
    "details": {"toc"},
    "figure": {"interactive"},
    "code": {"language-text"},
}
_LINK_SCHEMES = {"http", "https"}
"""Absolute links may use these; relative paths and ``#anchors`` are kept as they are."""


def sanitize_html(body: str, images: frozenset[str] = frozenset()) -> str:
    """``body`` (an HTML fragment rendered from Markdown) with only the tags and attributes
    our Markdown produces, links only to http(s) addresses, relative paths and anchors, and
    ``<img src>`` only one of ``images`` (the page's own figure files, embedded afterwards)."""
    import nh3

    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            return value if value in images else None
        if element == "a" and attribute == "href" and value.lstrip().startswith(("//", "\\", "/\\")):
            return None  # a scheme-relative address leaves the page's own folder
        return value

    return nh3.clean(
        body,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes=_LINK_SCHEMES,
        attribute_filter=keep,
        strip_comments=True,
        link_rel=None,  # no link opens a new window: rel="noopener" would guard nothing
    )


_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", flags=re.DOTALL | re.IGNORECASE)


def script_hash(source: str) -> str:
    """The CSP source admitting an inline script whose text is ``source``: ``'sha256-…'``."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: list[str]) -> str:
    """The policy of a report page: nothing loads from anywhere (``default-src 'none'``);
    scripts run only when their text is one of ``scripts`` (the page's own inline scripts,
    by SHA-256); styles inline (our stylesheet; plotly.js adds style elements and
    attributes as it draws); images only as data: URIs (our figures) and blob: URLs (which
    only a script of the page can make: plotly's PNG download draws the chart's SVG through
    one, checked in Chromium); no ``<base>``, no form submission. plotly.js needs no
    ``'unsafe-eval'``: its cartesian bundle calls neither eval nor Function."""
    script_src = " ".join(["'none'"] if not scripts else sorted({script_hash(s) for s in scripts}))
    return (
        f"default-src 'none'; script-src {script_src}; style-src 'unsafe-inline'; img-src data: blob:; "
        "base-uri 'none'; form-action 'none'"
    )


def _interactive_figure(slot: str, caption: str = "") -> str:
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="interactive">\n<p>{slot}</p>\n{figcaption}</figure>'


def _figure_for_image(slot: str, match: re.Match[str]) -> str:
    """The figure whose slot replaces a PNG's ``<img>``, captioned by its alt text."""
    return _interactive_figure(slot, match.group(1))


def markdown_to_html(
    markdown_text: str,
    title: str,
    *,
    figures: Mapping[str, bytes] | None = None,
    interactive: Mapping[str, str] | None = None,
) -> str:
    """A self-contained HTML page: Markdown rendered and sanitised (``sanitize_html``), the
    page's PNG figures embedded as data URIs, tables aligned by content and scrolling in
    their own box, a table of contents, and a Content-Security-Policy that runs no script
    but the page's own.

    figures: the PNG files the report wrote (name -> bytes); an image of the Markdown is
    shown only when it names one of them, never read from a path the text names.
    interactive: trusted blocks of HTML (plotly divs) by key, inserted after sanitising. A
    key that names a PNG of the page (``"event_paths.png"``) replaces that image, its alt
    text becoming the caption; any key replaces the line ``INTERACTIVE_MARKER.format(key=
    key)``. Unused keys are ignored. A page with any carries plotly.js (``plotly_bundle``).
    """
    figures = dict(figures or {})
    converter = markdown_lib.Markdown(
        extensions=["tables", "fenced_code", "toc"], extension_configs={"toc": {"toc_depth": "2-3"}}
    )
    body = converter.convert(markdown_text)
    # Each interactive block's place becomes a slot whose name no text can guess (a fresh
    # token, never written out): the sanitiser keeps it as text, then the block replaces it.
    token = secrets.token_hex(16)
    slots: dict[str, str] = {}
    for position, (key, block) in enumerate((interactive or {}).items()):
        slot = f"interactive-slot-{token}-{position}"
        marker = INTERACTIVE_MARKER.format(key=key)
        image = re.compile(rf'<p><img alt="([^"]*)" src="{re.escape(key)}"\s*/?></p>')
        replaced = body.replace(marker, _interactive_figure(slot))
        replaced = image.sub(functools.partial(_figure_for_image, slot), replaced)
        if replaced != body:
            slots[slot] = block
            body = replaced
    body = re.sub(r"<table>.*?</table>", lambda m: _format_table(m.group(0)), body, flags=re.DOTALL)
    contents = _table_of_contents(getattr(converter, "toc", ""))
    if contents:
        heading_end = body.find("</h1>")
        at = heading_end + len("</h1>") if heading_end >= 0 else 0
        body = body[:at] + "\n" + contents + body[at:]
    body = sanitize_html(body, frozenset(figures))

    def embed(match: re.Match[str]) -> str:
        png = figures.get(html_lib.unescape(match.group(2)))
        if png is None:  # never left by the sanitiser
            return match.group(0)
        return f'{match.group(1)}data:image/png;base64,{base64.b64encode(png).decode("ascii")}"'

    body = re.sub(r'(<img\b[^>]*?\ssrc=")([^"]*)"', embed, body)
    scripts = []
    for slot, block in slots.items():
        body = body.replace(f"<p>{slot}</p>", block)
        scripts += _SCRIPT.findall(block)
    head = ""
    if slots:
        scripts.insert(0, plotly_bundle())
        head = f"<script>{plotly_bundle()}</script>\n"
    policy = content_security_policy(scripts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_lib.escape(title)}</title>\n<style>{_CSS}</style>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
