"""The HTML page builder: tables aligned by content, a table of contents, interactive
blocks placed where the Markdown shows a PNG or a marker, plotly.js and a Content-Security-
Policy listing the page's own scripts in the head, user strings kept as text."""

from __future__ import annotations

import re

import pandas as pd

from backtest.report.render import (
    BLOCK_END,
    BLOCK_START,
    DARK_FIGURES_SCRIPT,
    INTERACTIVE_MARKER,
    TRANSPOSE_MIN_COLUMNS,
    markdown_table,
    markdown_text,
    markdown_to_html,
    plotly_bundle,
    script_hash,
)

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


PNG = {"events.png": b"\x89PNG"}


def test_numeric_columns_are_right_aligned_and_prose_keeps_numbers_whole():
    page = markdown_to_html(PAGE, "t", figures=PNG)
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


def test_interactive_blocks_replace_their_png_or_marker_and_markdown_keeps_the_png():
    blocks = {
        "events.png": '<div id="chart-a"></div><script>draw("a")</script>',
        "extra": '<div id="chart-b"></div>',
        "unused": "<script>never()</script>",
    }
    page = markdown_to_html(PAGE, "t", figures=PNG, interactive=blocks)
    assert "data:image/png" not in page and '<div id="chart-a"></div>' in page and '<div id="chart-b"></div>' in page
    assert "<figcaption>The series</figcaption>" in page and "interactive:extra" not in page
    # plotly.js inline in the head; the policy admits it and the blocks' scripts, nothing else
    assert page.index("<script>" + plotly_bundle()) < page.index("</head>") < page.index('<script>draw("a")')
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    hashes = re.findall(r"'sha256-[^']+'", policy)
    assert sorted(hashes) == sorted(
        [script_hash(plotly_bundle()), script_hash('draw("a")'), script_hash(DARK_FIGURES_SCRIPT)]
    )
    assert page.index('<script>draw("a")') < page.index("<script>" + DARK_FIGURES_SCRIPT) < page.index("</body>")
    assert "default-src 'none'" in policy and "'unsafe-eval'" not in policy and "never()" not in page
    plain = markdown_to_html(PAGE, "t", figures=PNG)
    assert "data:image/png" in plain and "<script" not in plain and "script-src 'none'" in plain


def test_an_image_is_embedded_only_when_it_is_one_of_the_page_figures(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG the user's file")
    text = f"![ours](events.png)\n\n![theirs]({secret})\n\n![remote](https://example.org/x.png)\n"
    page = markdown_to_html(text, "t", figures=PNG)
    body = page[page.index("<body>") :]
    assert body.count("<img") == 3 and body.count('src="data:image/png;base64,') == 1
    assert str(secret) not in body and "example.org" not in body


def test_the_sanitiser_keeps_our_markup_and_drops_every_script_path():
    raw = (
        "# T\n\n<script>alert(1)</script> <img src=x onerror=alert(1)> <svg onload=alert(1)></svg>\n\n"
        '<iframe src="javascript:alert(1)"></iframe> <a href="javascript:alert(1)">j</a> [d](data:text/html,x) '
        "[ok](https://example.org) [rel](other/report.md) [top](#t) [far](//evil.example/x)\n\n"
        '<form action="https://evil.example"><input></form><base href="https://evil.example/">'
        '<meta http-equiv="refresh" content="0;url=https://evil.example"><style>body{}</style>\n'
    )
    body = markdown_to_html(raw, "t")
    body = body[body.index("<body>") :]
    for forbidden in ("<script", "onerror", "onload", "<svg", "<iframe", "javascript:", "data:text", "<form",
                      "<input", "<base", "<meta", "<style", "evil.example"):  # fmt: skip
        assert forbidden not in body, forbidden
    assert '<a href="https://example.org">ok</a>' in body and '<a href="other/report.md">rel</a>' in body
    assert '<a href="#t">top</a>' in body


def test_markdown_text_shows_a_user_string_as_typed():
    payload = "<script>alert(1)</script> [x](javascript:alert(1)) a|b `c` \\ &#106; **kept**"
    assert markdown_text(payload).count("<") == 0
    page = markdown_to_html(f"# {markdown_text(payload)}\n\n> {markdown_text(payload)}\n", "t")
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page).group(1)
    assert heading == (
        "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) a|b `c` \\ &amp;#106; <strong>kept</strong>"
    )
    table = markdown_table(pd.DataFrame({"name": [payload], "n": [1]}))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", markdown_to_html(table, "t"))
    assert len(cells) == 2 and cells[0].startswith("&lt;script&gt;") and "a|b" in cells[0]


CARD_PAGE = "\n\n".join(
    [
        "# Title",
        BLOCK_START.format(name="verdict-card"),
        "## Answer in brief",
        "**Verdict on the claim: supported.** The reason.",
        BLOCK_START.format(name="card-body"),
        BLOCK_START.format(name="card-numbers"),
        "| judged horizon | 3m |\n|---|---|\n| mean after the events | +2.1% |",
        BLOCK_END,
        "![The answer](events.png)",
        BLOCK_END,
        BLOCK_END,
        "- the rest of the answer",
        "## Evidence",
        "### Detail",
        "text",
    ]
)


def test_block_markers_group_the_verdict_card_and_the_contents_follow_it():
    page = markdown_to_html(CARD_PAGE, "t", figures=PNG)
    body = page[page.index("<body>") :]
    card = body.index('<div class="verdict-card">')
    assert (
        card
        < body.index("<h2", card)
        < body.index('<div class="card-body">')
        < body.index('<div class="card-numbers">')
    )
    assert body.index('<div class="card-numbers">') < body.index("<table>") < body.index("<img")
    # the three blocks close after the figure; the contents come after the card, not above it
    toc = body.index('<details class="toc">')
    assert body.index("<img") < toc < body.index("the rest of the answer")
    assert body[:toc].count("<div") == body[:toc].count("</div>")
    assert body.count("<div") == body.count("</div>") and "block:" not in body


def test_unbalanced_or_unknown_block_markers_open_nothing():
    unbalanced = CARD_PAGE.replace(BLOCK_END, "", 1)
    unknown = CARD_PAGE.replace("block:card-body", "block:evil")
    for text in (unbalanced, unknown):
        body = markdown_to_html(text, "t", figures=PNG)
        body = body[body.index("<body>") :]
        assert "verdict-card" not in body and "block:" not in body  # the sanitiser drops the comments
        assert body.count("<div") == body.count("</div>")


def test_a_wide_table_of_few_rows_is_turned_in_the_html_and_kept_in_the_markdown():
    header = ["horizon", *(f"measure {i}" for i in range(TRANSPOSE_MIN_COLUMNS - 1))]
    rows = [["1m", *(f"{i}.{j}%" for j in range(TRANSPOSE_MIN_COLUMNS - 1))] for i in range(3)]
    rows[0][-1] = "**supported**"
    text = "\n".join(
        ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]
    )
    page = markdown_to_html(text, "t")
    table = re.search(r"<table>.*?</table>", page, flags=re.DOTALL).group(0)
    lines = re.findall(r"<tr>(.*?)</tr>", table, flags=re.DOTALL)
    assert len(lines) == len(header)  # a row per measure
    assert lines[0] == '<th>horizon</th><th class="num">1m</th><th class="num">1m</th><th class="num">1m</th>'
    assert lines[1].startswith('<th>measure 0</th><td class="num">0.0%</td>')
    assert lines[-1].startswith(f"<th>measure {TRANSPOSE_MIN_COLUMNS - 2}</th><td><strong>supported</strong></td>")
    # fewer columns: as written
    narrow = "| a | b |\n|---|---|\n| 1 | 2 |"
    assert "<th>a</th>" in markdown_to_html(narrow, "t").replace(' class="num"', "")
