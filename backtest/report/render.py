"""Rendering primitives shared by every report: figures to PNG bytes, tables and Markdown
to a self-contained HTML page, and the one Jinja2 environment of the report templates.

Nothing here computes a statistic or writes a file: callers pass numbers already computed;
these functions only format them (``backtest.claims.outputs`` writes the report folders).
Output is deterministic (no timestamps in PNG metadata).

User-supplied strings (a claim's title, a file name, a sweep's name) are data, never markup:
``markdown_text`` turns one into literal Markdown text, ``markdown_table`` applies it to every
cell, and ``markdown_to_html`` sanitises the rendered body with ``nh3`` (an allowlist of the
tags our Markdown produces) before it inserts the trusted plotly blocks, and lists the page's
own inline scripts, by hash, in a Content-Security-Policy that admits no other.

The page reads on any screen: block markers group the verdict card for the stylesheet, a
wide table of few rows is turned so that it fits 800 pixels, and a dark scheme follows the
reader's system setting (``prefers-color-scheme``: the stylesheet, and for the figures one
small script of the page's own, ``DARK_FIGURES_SCRIPT``).
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
from typing import TYPE_CHECKING, Any

import pandas as pd

from backtest.numbers import FILTERS, MISSING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Metadata that would make PNG bytes vary between runs or machines.
_PNG_METADATA = {"Software": None}

_CSS = """
:root { color-scheme: light dark; }
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px;
       margin: 1.2em auto 2em; padding: 0 1em; color: #1a1a1a; background: #ffffff; line-height: 1.5;
       overflow-wrap: break-word; }
h1 { font-size: 1.75em; margin: .3em 0 .5em; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
a { color: #0b5cad; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 1em 0; }
table { border-collapse: collapse; font-size: .88em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tbody th { font-weight: 600; }
.nw { white-space: nowrap; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
figure { margin: 1em 0; }
figure.interactive { border: 1px solid #eee; }
figure.interactive figcaption { font-size: .85em; color: #555; padding: .2em .6em; }
.plotly-figure { width: 100%; }
.plotly-title { font-weight: 600; font-size: .95em; margin: .4em .6em 0; }
code { background: #f6f6f6; padding: 0 .2em; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; }
blockquote { border-left: 4px solid #ccc; margin-left: 0; padding-left: 1em; color: #444; }
details.toc { background: #fafafa; border: 1px solid #e3e3e3; padding: .4em .8em; margin: 1em 0; }
details.toc summary { cursor: pointer; font-weight: 600; }
details.toc ul { margin: .3em 0; padding-left: 1.2em; }
.verdict-card { border: 1px solid #d5d9e0; border-left: 6px solid #0072b2; border-radius: 6px;
                padding: .5em 1em .6em; margin: 0 0 1em; background: #ffffff; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
.verdict-card h2 { font-size: .8em; text-transform: uppercase; letter-spacing: .06em; color: #5f6368;
                   border: none; margin: .2em 0 .3em; padding: 0; }
.verdict-card > p { margin: .2em 0 .5em; font-size: 1.05em; }
.verdict-card > p:first-of-type strong:first-child { display: block; font-size: 1.55em; line-height: 1.2;
                                                    margin-bottom: .15em; }
.card-body { display: flex; flex-wrap: wrap; flex-direction: row-reverse; gap: .2em 1.2em; align-items: flex-start; }
.card-body > figure { flex: 1 1 30em; min-width: 0; margin: 0; border: none; }
.card-body > figure figcaption { display: none; }
.card-body > p { flex: 1 1 30em; min-width: 0; margin: 0; }
.card-body > .card-numbers { flex: 1 1 24em; min-width: 0; }
.card-numbers .table-wrap { margin: .2em 0 .5em; }
.card-numbers table { font-size: .92em; }
.card-numbers thead th:first-child { font-weight: 400; color: #5f6368; }
.card-numbers ul { margin: .3em 0; padding-left: 1.1em; font-size: .92em; }
.card-numbers li { margin: .15em 0; }
@media (prefers-color-scheme: dark) {
  body { color: #e2e4e8; background: #16181d; }
  a { color: #8ab4f8; }
  h2 { border-bottom-color: #3a3f48; }
  th, td { border-color: #3a3f48; }
  th { background: #23262d; }
  code, pre { background: #23262d; }
  blockquote { border-left-color: #555b66; color: #c4c7cc; }
  details.toc { background: #1c1f25; border-color: #3a3f48; }
  img { border-color: #3a3f48; }
  figure.interactive { border-color: #3a3f48; }
  figure.interactive figcaption, .verdict-card h2, .card-numbers thead th:first-child { color: #a9adb4; }
  .verdict-card { background: #1c1f25; border-color: #3a3f48; border-left-color: #56b4e9; box-shadow: none; }
}
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; color: #000; background: #fff; }
  details.toc { display: none; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  td.num { white-space: normal; }
  h2, h3 { break-after: avoid; }
  img, figure, tr, .verdict-card { break-inside: avoid; }
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
        return MISSING
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


TEMPLATES_DIR = Path(__file__).with_name("templates")
"""The Jinja2 templates of every report (claim, strategy, sweep, benchmarks)."""


def _literal(value: object) -> str:
    """Every ``{{ value }}`` of a template: literal text (``markdown_text``), unless it is
    Markdown this package wrote (a ``MarkdownFragment``: a table, a section)."""
    return value if isinstance(value, MarkdownFragment) else markdown_text(value)


@functools.lru_cache(maxsize=1)
def template_environment() -> Any:
    """The one Jinja2 environment of every report template, with the number formats of
    ``backtest.numbers`` as filters (``{{ x | pct(1, signed=True) }}``, ``pvalue``, ``pp``,
    ``bp``, ``count``, ``num``)."""
    import jinja2

    # Markdown, not HTML, so not Jinja's HTML autoescape: every value is escaped as Markdown
    # text by ``finalize`` (a title or file name never becomes a tag or a link), and the
    # HTML twin is sanitised again (``markdown_to_html``).
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=_literal,
    )
    environment.filters.update(FILTERS)
    return environment


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

BLOCK_START = "<!-- block:{name} -->"
BLOCK_END = "<!-- /block -->"
"""Lines of report.md (HTML comments: the Markdown shows nothing) between which the HTML twin
groups what they enclose in ``<div class="name">``, for its stylesheet: the verdict card
(``verdict-card``) opening a report, its figure beside its numbers (``card-body``,
``card-numbers``). Blocks nest; only these names are kept (``BLOCK_NAMES``)."""
BLOCK_NAMES = ("verdict-card", "card-body", "card-numbers")
_BLOCK_LINE = re.compile(r"<!-- block:([a-z-]+) -->|<!-- /block -->")


def _open_blocks(body: str) -> tuple[str, int]:
    """``body`` with each block's markers turned into its ``<div>``, and where the verdict
    card ends (-1 without one). Unbalanced markers or unknown names leave the body as it is
    (the sanitiser then drops the comments): a half-open ``<div>`` would swallow the page."""
    stack: list[str] = []
    for match in _BLOCK_LINE.finditer(body):
        if match.group(1) is not None:
            if match.group(1) not in BLOCK_NAMES:
                return body, -1
            stack.append(match.group(1))
        elif not stack:
            return body, -1
        else:
            stack.pop()
    if stack:
        return body, -1
    out: list[str] = []
    card_end = -1
    position = 0
    for match in _BLOCK_LINE.finditer(body):
        out.append(body[position : match.start()])
        position = match.end()
        if match.group(1) is not None:
            stack.append(match.group(1))
            out.append(f'<div class="{match.group(1)}">')
        else:
            out.append("</div>")
            if stack.pop() == "verdict-card" and card_end < 0:
                card_end = sum(len(part) for part in out)
    out.append(body[position:])
    return "".join(out), card_end


# A cell is numeric when it is a number (sign, thousands separators, unit or percent,
# optional bold/italic marks), a date, or a placeholder of a missing number.
_NUMBER = r"(?:[<>≤≥~±]\s*)?[+\-−]?\s*\$?\d[\d,]*(?:\.\d+)?(?:e[+\-]?\d+)?"
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


TRANSPOSE_MIN_COLUMNS = 8
"""A table with at least this many columns and fewer rows than columns (the per-horizon
tables: a row per horizon, a column per measure) is shown turned, in the HTML twin only: a
row per measure, a column per horizon, so that it fits an 800-pixel screen instead of
scrolling sideways. report.md keeps the table as written (GitHub scrolls it)."""


def _transposed(header: list[str], body: list[list[str]], numeric: list[bool]) -> str:
    """The table turned: the first column's cells become the header, each other column a row
    headed by its name; a row of numbers is right-aligned and kept whole, as its column was."""
    head = [f"<th>{header[0]}</th>"] + [f'<th class="num">{cells[0]}</th>' for cells in body]
    rows = []
    for column in range(1, len(header)):
        cells = [cells[column] if column < len(cells) else "" for cells in body]
        if numeric[column]:
            rendered = "".join(f'<td class="num">{cell}</td>' for cell in cells)
        else:
            rendered = "".join(f"<td>{_nowrap_tokens(cell)}</td>" for cell in cells)
        rows.append(f"<tr><th>{header[column]}</th>{rendered}</tr>")
    return (
        '<div class="table-wrap">\n<table>\n<thead>\n<tr>'
        + "".join(head)
        + "</tr>\n</thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</div>"
    )


def _format_table(table_html: str) -> str:
    """One rendered table: columns whose every cell is a number, date or placeholder (and at
    least one is a number) are right-aligned and never wrap; other cells are left-aligned
    with their dates and signed numbers kept whole; the table scrolls in its own box. A wide
    table of few rows is turned (``TRANSPOSE_MIN_COLUMNS``)."""
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, flags=re.DOTALL)
    cell_pattern = re.compile(r"<(td|th)([^>]*)>(.*?)</\1>", flags=re.DOTALL)
    body_cells = [[m.group(3) for m in cell_pattern.finditer(row)] for row in rows if "<td" in row]
    header_cells = [[m.group(3) for m in cell_pattern.finditer(row)] for row in rows if "<td" not in row]
    width = max((len(cells) for cells in body_cells), default=0)
    numeric = []
    for column in range(width):
        texts = [_cell_text(cells[column]) for cells in body_cells if column < len(cells)]
        numbers = [bool(_NUMERIC_CELL.match(text)) for text in texts]
        numeric.append(any(numbers) and all(n or t.lower() in _PLACEHOLDER_CELL for n, t in zip(numbers, texts)))
    if (
        len(header_cells) == 1
        and len(header_cells[0]) == width >= TRANSPOSE_MIN_COLUMNS
        and 0 < len(body_cells) < width - 1
    ):
        return _transposed(header_cells[0], body_cells, numeric)

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
    "div": {"table-wrap", *BLOCK_NAMES},
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


DARK_FIGURES_SCRIPT = """
(function () {
  if (!window.matchMedia || typeof Plotly === "undefined") { return; }
  var scheme = window.matchMedia("(prefers-color-scheme: dark)");
  var INK = "#e2e4e8", GRID = "#30353e", AXIS = "#5c6370", BLACK = /^(black|#000|#000000|rgb\\(0, ?0, ?0\\))$/i;
  var saved = new WeakMap();
  function read(object, path) {
    return path.replace(/\\[(\\d+)\\]/g, ".$1").split(".").reduce(function (node, key) {
      return node === undefined || node === null ? undefined : node[key];
    }, object);
  }
  function darkLayout(gd) {
    var full = gd._fullLayout, update = {
      "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font.color": INK,
      "legend.bgcolor": "rgba(0,0,0,0)", "modebar.bgcolor": "rgba(0,0,0,0)", "modebar.color": "#9aa0a6",
      "modebar.activecolor": INK
    };
    Object.keys(full).forEach(function (key) {
      if (!/^[xy]axis[0-9]*$/.test(key)) { return; }
      update[key + ".gridcolor"] = GRID;
      update[key + ".zerolinecolor"] = AXIS;
      update[key + ".linecolor"] = AXIS;
      if (full[key].rangeslider && full[key].rangeslider.visible) {
        update[key + ".rangeslider.bgcolor"] = "rgba(0,0,0,0)";
        update[key + ".rangeslider.bordercolor"] = AXIS;
      }
    });
    (gd.layout.shapes || []).forEach(function (shape, i) {
      if (shape.line && BLACK.test(shape.line.color || "")) { update["shapes[" + i + "].line.color"] = INK; }
    });
    (gd.layout.annotations || []).forEach(function (note, i) { update["annotations[" + i + "].font.color"] = INK; });
    return update;
  }
  function darkTraces(gd) {
    var changes = [];
    gd.data.forEach(function (trace, i) {
      ["line.color", "marker.color", "marker.line.color"].forEach(function (path) {
        var value = read(trace, path);
        if (typeof value === "string" && BLACK.test(value)) {
          changes.push([path, i, value, INK]);
        } else if (Array.isArray(value) && value.some(function (c) { return BLACK.test(c); })) {
          changes.push([path, i, value, value.map(function (c) { return BLACK.test(c) ? INK : c; })]);
        }
      });
    });
    return changes;
  }
  function paint() {
    document.querySelectorAll(".plotly-graph-div").forEach(function (gd) {
      if (!gd._fullLayout || !gd.data) { return; }
      if (!saved.has(gd)) {
        if (!scheme.matches) { return; }
        var dark = darkLayout(gd), light = {};
        Object.keys(dark).forEach(function (key) { light[key] = read(gd._fullLayout, key); });
        saved.set(gd, {dark: dark, light: light, traces: darkTraces(gd)});
      }
      var state = saved.get(gd), on = scheme.matches;
      state.traces.forEach(function (change) {
        var update = {};
        update[change[0]] = [on ? change[3] : change[2]];
        Plotly.restyle(gd, update, [change[1]]);
      });
      Plotly.relayout(gd, on ? state.dark : state.light);
    });
  }
  window.addEventListener("load", paint);
  if (scheme.addEventListener) { scheme.addEventListener("change", paint); }
})();
"""
"""The one script a page with interactive figures adds to plotly's: when the reader's system
asks for a dark scheme (``prefers-color-scheme``), each figure's background, text, grid and
black lines follow the page's dark stylesheet, and back when it changes. Listed in the
page's policy by hash, as every script of the page."""


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
    import markdown as markdown_lib  # imported here: a claim's answer reads this module, not the page

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
    body, card_end = _open_blocks(body)
    contents = _table_of_contents(getattr(converter, "toc", ""))
    if contents:
        # after the verdict card when there is one: the answer is the first thing on the page
        heading_end = body.find("</h1>")
        at = card_end if card_end >= 0 else (heading_end + len("</h1>") if heading_end >= 0 else 0)
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
        scripts.append(DARK_FIGURES_SCRIPT)
        body += f"\n<script>{DARK_FIGURES_SCRIPT}</script>"
    policy = content_security_policy(scripts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_lib.escape(title)}</title>\n<style>{_CSS}</style>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
