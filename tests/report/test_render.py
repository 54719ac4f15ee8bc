"""The HTML page builder: tables aligned by content, a table of contents, interactive
blocks placed where the Markdown shows a PNG or a marker, plotly.js in the head."""

from __future__ import annotations

import re

from backtest.report.render import INTERACTIVE_MARKER, markdown_to_html

PAGE = (
    """# Title

The answer.

## Events

| # | event date | ret 3m | note | 90% CI |
|---|---|---|---|---|
| 1 | 2020-03-23 | +12.3% | fell -4.5% on 2020-03-01 | [-1.12%, 2.76%] |
| 2 | 2021-01-04 | pending | – | – |

![The series](events.png)

## Statistics

### Per horizon

"""
    + INTERACTIVE_MARKER.format(key="extra")
    + "\n"
)


def _cells(page: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}([^>]*)>", page)


def test_numeric_columns_are_right_aligned_and_prose_keeps_numbers_whole(tmp_path):
    (tmp_path / "events.png").write_bytes(b"\x89PNG")
    page = markdown_to_html(PAGE, "t", image_dir=tmp_path)
    headers = re.findall(r"<th( class=\"num\")?>([^<]*)</th>", page)
    assert [(bool(numeric), name) for numeric, name in headers] == [
        (True, "#"),
        (True, "event date"),
        (True, "ret 3m"),
        (False, "note"),
        (True, "90% CI"),
    ]
    assert '<td class="num">pending</td>' in page and '<td class="num">+12.3%</td>' in page
    assert '<span class="nw">-4.5%</span>' in page and '<span class="nw">2020-03-01</span>' in page
    assert page.count('<div class="table-wrap">') == 1  # each table scrolls in its own box
    assert "white-space: nowrap" in page and "@media print" in page


def test_table_of_contents_lists_h2_and_h3_after_the_title():
    page = markdown_to_html(PAGE, "t")
    toc = re.search(r'<details class="toc">.*?</details>', page, flags=re.DOTALL).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ["events", "statistics", "per-horizon"]
    assert page.index("</h1>") < page.index('<details class="toc">') < page.index("The answer.")


def test_interactive_blocks_replace_their_png_or_marker_and_markdown_keeps_the_png(tmp_path):
    (tmp_path / "events.png").write_bytes(b"\x89PNG")
    blocks = {"events.png": '<div id="chart-a"></div>', "extra": '<div id="chart-b"></div>', "unused": "<div></div>"}
    page = markdown_to_html(PAGE, "t", image_dir=tmp_path, interactive=blocks, head='<script src="x.js"></script>\n')
    assert "data:image/png" not in page and '<div id="chart-a"></div>' in page and '<div id="chart-b"></div>' in page
    assert "<figcaption>The series</figcaption>" in page and "interactive:extra" not in page
    assert page.index('<script src="x.js">') < page.index("</head>")
    plain = markdown_to_html(PAGE, "t", image_dir=tmp_path)
    assert "data:image/png" in plain and "<script" not in plain
