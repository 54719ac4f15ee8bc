"""Every report as a reader sees it: each report.html under results/ (and a freshly written
claim report) rendered in headless Chromium at 800 and 1280 px wide, measured through the
DOM: the page never scrolls sideways, no table is wider than its box (cut off), every plotly
figure drew (plotly.js carried by the page, each figure has its SVG) with its mode bar
clear of its legend and titles and its legend in at most three rows, every image loaded,
and its Content-Security-Policy blocked nothing the page needs; a page of XSS payloads runs
none of them. A fresh claim report opens with the verdict card, whole in the first screen
at 1280 x 800, and follows the system's dark setting (page and figures).

Driver: Chromium's own ``--headless --dump-dom`` (no Python dependency). The page is copied
alone into a scratch folder (a report needs no file beside it: a report moved or emailed
alone) with two scripts of the test: one, first in the head, records every CSP violation;
the other writes the measurements into the DOM once the page has loaded. The copy's policy
admits them by their hashes, as the page's own policy admits its scripts;
``--virtual-time-budget`` lets plotly finish drawing. The dark scheme is asked for with
``--blink-settings=preferredColorScheme=0`` (Blink's enum: 0 dark, 1 light), which sets
what ``prefers-color-scheme`` reports. Chromium comes from the OS packages (``.ci/run``
installs it in CI, where its absence is a failure, not a skip).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

# About 2.5 s of Chromium per render: make test-fast skips them; CI runs them
pytestmark = pytest.mark.slow

WIDTHS = (800, 1280)
HEIGHT = 1000
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
RENDER_TIMEOUT_S = 120
VIRTUAL_TIME_BUDGET_MS = 20_000

RECORD_VIOLATIONS = """
window.__violations__ = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations__.push(event.violatedDirective + " " + (event.blockedURI || "") + " " + (event.sample || ""));
});
"""

MEASURE_SCRIPT = """
window.addEventListener("load", function () {
  setTimeout(function () {
    var root = document.documentElement;
    function box(el) {
      if (!el) { return null; }
      var r = el.getBoundingClientRect();
      return [r.left, r.top, r.right, r.bottom];
    }
    var wide = [];
    document.querySelectorAll("body *").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && wide.length < 5) {
        wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && el.className.baseVal === undefined ? "." + el.className : "") + " right=" + Math.round(r.right));
      }
    });
    var card = document.querySelector(".verdict-card");
    var out = {
      scrollWidth: root.scrollWidth,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
      background: getComputedStyle(document.body).backgroundColor,
      plotly: typeof window.Plotly !== "undefined",
      figures: Array.prototype.map.call(document.querySelectorAll(".plotly-graph-div"), function (div) {
        var rows = [];
        div.querySelectorAll("g.legend text.legendtext").forEach(function (text) {
          var top = text.getBoundingClientRect().top;
          if (!rows.some(function (other) { return Math.abs(other - top) < 8; })) { rows.push(top); }
        });
        var figure = div.closest(".plotly-figure");
        var titles = Array.prototype.map.call(div.querySelectorAll(".gtitle, .annotation-text"), box);
        if (figure && figure.querySelector(".plotly-title")) { titles.push(box(figure.querySelector(".plotly-title"))); }
        return {
          id: div.id,
          svg: div.querySelector("svg.main-svg") !== null,
          modebar: box(div.querySelector(".modebar")),
          legend: box(div.querySelector("g.legend")),
          legendRows: rows.length,
          titles: titles,
          paper: div._fullLayout ? div._fullLayout.paper_bgcolor : null,
          font: div._fullLayout ? div._fullLayout.font.color : null
        };
      }),
      tables: Array.prototype.map.call(document.querySelectorAll("table"), function (table) {
        var wrap = table.closest(".table-wrap") || table.parentElement;
        return {width: table.getBoundingClientRect().width, box: wrap.clientWidth, head: (table.rows[0] ? table.rows[0].textContent : "").slice(0, 60)};
      }),
      card: card ? {
        box: box(card),
        verdict: (card.querySelector("p strong") || {}).textContent || "",
        figure: card.querySelector(".plotly-graph-div svg.main-svg, img") !== null,
        table: card.querySelector("table") !== null
      } : null,
      images: Array.prototype.map.call(document.images, function (img) {
        return {src: (img.getAttribute("src") || "").slice(0, 40), loaded: img.complete && img.naturalWidth > 0};
      }),
      wide: wide,
      violations: window.__violations__,
      title: document.title,
      pwned: document.querySelectorAll("#pwned, [data-pwned]").length
    };
    var pre = document.createElement("pre");
    pre.id = "__measurements__";
    pre.style.display = "none";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 1000);
});
"""


def chromium() -> str:
    """The Chromium executable; skips without one locally, fails in CI (``CI=true``)."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    message = "headless Chromium is not installed (apt-get install chromium): the browser test cannot run"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; .ci/run installs it in CI")
    pytest.skip(message)


def script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def instrumented(text: str) -> str:
    """The page with the test's two scripts, and its policy admitting them by hash."""
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
    assert policy, "the page has no Content-Security-Policy"
    own = policy.group(1).replace("script-src 'none'", "script-src", 1)  # a page without scripts of its own
    admitted = own.replace(
        "script-src", f"script-src {script_hash(RECORD_VIOLATIONS)} {script_hash(MEASURE_SCRIPT)}", 1
    )
    head = f'<meta http-equiv="Content-Security-Policy" content="{admitted}">\n<script>{RECORD_VIOLATIONS}</script>'
    return text.replace(policy.group(0), head, 1).replace("</body>", f"<script>{MEASURE_SCRIPT}</script></body>", 1)


DARK = "--blink-settings=preferredColorScheme=0"
"""Chromium's switch that makes ``prefers-color-scheme`` report dark (checked below: the
page's background turns dark with it and stays white without)."""


def measure(page: Path, width: int, scratch: Path, *, height: int = HEIGHT, flags: tuple[str, ...] = ()) -> dict:
    """Render a copy of ``page``, alone in ``scratch``, in a ``width`` x ``height`` window
    (Chromium ``flags`` added) and return what the injected script measured."""
    copy = scratch / f"{page.parent.name}-{width}x{height}{'-'.join(('', *flags)).replace('=', '')}.html"
    copy.write_text(instrumented(page.read_text(encoding="utf-8")), encoding="utf-8")
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--allow-file-access-from-files",
        *flags,
        f"--window-size={width},{height}",
        f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
        "--dump-dom",
        copy.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=RENDER_TIMEOUT_S, check=False)
    found = re.search(r'<pre id="__measurements__"[^>]*>(.*?)</pre>', done.stdout, flags=re.DOTALL)
    assert found, f"no measurements from Chromium for {page} (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


MAX_LEGEND_ROWS = 3
"""A figure's legend wraps to at most this many rows, at 800 px as at 1280."""


def _overlap(first: list[float] | None, second: list[float] | None) -> bool:
    """Whether two boxes (left, top, right, bottom) share any area."""
    if not first or not second:
        return False
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def check_page(page: Path, width: int, scratch: Path) -> dict:
    """The checks every page passes at ``width``; returns the measurements."""
    result = measure(page, width, scratch)
    assert result["innerWidth"] == width
    assert result["scrollWidth"] <= result["innerWidth"], (
        f"{page} scrolls sideways at {width} px: {result['scrollWidth']} px wide; widest: {result['wide']}"
    )
    cut = [table["head"] for table in result["tables"] if table["width"] > table["box"] + 1]
    assert not cut, f"{page}: tables wider than their box at {width} px (cut off): {cut}"
    assert all(image["loaded"] for image in result["images"]), f"{page}: images not loaded: {result['images']}"
    assert result["violations"] == [], f"{page}: the page's policy blocked {result['violations']}"
    if 'class="plotly-figure"' in page.read_text(encoding="utf-8"):
        assert result["plotly"], f"{page}: plotly.js did not run"
        assert result["figures"], f"{page}: no plotly figure in the DOM"
        missing = [figure["id"] for figure in result["figures"] if not figure["svg"]]
        assert not missing, f"{page}: plotly figures without an SVG: {missing}"
        for figure in result["figures"]:
            assert figure["modebar"], f"{page}: {figure['id']} has no mode bar"
            covered = [title for title in figure["titles"] if _overlap(figure["modebar"], title)]
            assert not covered, f"{page}: the mode bar of {figure['id']} covers a title at {width} px: {covered}"
            assert not _overlap(figure["modebar"], figure["legend"]), (
                f"{page}: the mode bar of {figure['id']} covers its legend at {width} px"
            )
            assert figure["legendRows"] <= MAX_LEGEND_ROWS, (
                f"{page}: the legend of {figure['id']} wraps to {figure['legendRows']} rows at {width} px"
            )
    return result


RESULTS = Path(__file__).resolve().parents[2] / "results"


def committed_reports() -> list[Path]:
    root = RESULTS
    return sorted(path for path in root.rglob("*.html") if not any(part.startswith(".") for part in path.parts))


WIDE_CHECKS = ("russell2000_golden_cross", "russell2000_ma_strategy", "russell2000_ma_sweep", "sell_in_may")
"""Reports also rendered at the wide width: one per page template (a study's or a claim's event
study, the strategy, the sweep). Every report is rendered at the narrow width, the one where a
page could scroll sideways: the stylesheet has no width-dependent rule (checked below), so a
page that fits 800 px fits 1280 px; the wide renders check each template's figures resize."""


def width_cases() -> list[tuple[Path, int]]:
    pages = committed_reports()
    cases = [(page, WIDTHS[0]) for page in pages]
    return cases + [(page, width) for width in WIDTHS[1:] for page in pages if page.parent.name in WIDE_CHECKS]


@pytest.mark.parametrize(
    ("page", "width"), width_cases(), ids=lambda value: value.parent.name if isinstance(value, Path) else str(value)
)
def test_committed_report_reads_well_in_chromium(page: Path, width: int, tmp_path: Path) -> None:
    check_page(page, width, tmp_path)


def test_every_page_template_is_rendered_wide_and_no_style_depends_on_the_width() -> None:
    """The premise of rendering most reports at one width only."""
    folders = {page.parent.name for page in committed_reports()}
    assert set(WIDE_CHECKS) <= folders
    for page in committed_reports():
        styles = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", page.read_text(encoding="utf-8"), flags=re.DOTALL))
        queries = re.findall(r"@media[^{]*", styles)
        assert all("width" not in query for query in queries), f"{page}: a width-dependent style: {queries}"


@pytest.fixture(scope="module")
def fresh_claim_report(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A claim report written now (few draws and paths: the page, not the statistics, is
    tested), with every section a claim can have but variants: the robustness panel, the
    simulated power, the calibration."""
    from backtest.claims import load_spec
    from backtest.claims.outputs import write_claim_report
    from backtest.claims.run import run_claim

    spec = load_spec(Path(__file__).resolve().parents[2] / "studies" / "claims" / "rsi_oversold.toml")
    result = run_claim(spec, data_dir=data_dir, n_draws=500, n_paths=20, n_power_paths=20)
    return write_claim_report(result, tmp_path_factory.mktemp("results") / "claims" / spec.name) / "report.html"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_fresh_claim_report_draws_its_interactive_figures(
    fresh_claim_report: Path, width: int, tmp_path: Path
) -> None:
    text = fresh_claim_report.read_text(encoding="utf-8")
    assert "<script src" not in text and text.count('class="plotly-figure"') >= 3  # plotly.js is in the page
    check_page(fresh_claim_report, width, tmp_path)  # drawn from a copy of the page alone


def test_the_verdict_card_is_the_whole_first_screen_at_1280_by_800(fresh_claim_report: Path, tmp_path: Path) -> None:
    """Verdict, its numbers and the figure that answers the claim, with no scrolling."""
    import json

    result = measure(fresh_claim_report, 1280, tmp_path, height=800)
    card = result["card"]
    assert card, "the report has no verdict card"
    summary = json.loads((fresh_claim_report.parent / "summary.json").read_text())
    assert card["verdict"] == f"Verdict on the claim: {summary['conclusion']['overall']}."
    assert card["figure"] and card["table"], card
    left, top, right, bottom = card["box"]
    assert 0 <= top and bottom <= result["innerHeight"], f"the card ends at {bottom} px, below the first screen"
    assert right <= result["innerWidth"]
    card_figures = [f for f in result["figures"] if f["svg"] and f["modebar"] and f["modebar"][3] <= bottom]
    assert card_figures, "the card's figure is not drawn"


def test_the_page_and_its_figures_follow_the_dark_setting(fresh_claim_report: Path, tmp_path: Path) -> None:
    light = measure(fresh_claim_report, 1280, tmp_path)
    dark = measure(fresh_claim_report, 1280, tmp_path, flags=(DARK,))

    def luminance(css: str) -> float:
        """Of "#rrggbb" or "rgb(r, g, b)": 0 black to 1 white."""
        if css.startswith("#"):
            red, green, blue = (int(css[i : i + 2], 16) for i in (1, 3, 5))
        else:
            red, green, blue = (int(part) for part in re.findall(r"\d+", css)[:3])
        return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255

    assert luminance(light["background"]) > 0.9 and luminance(dark["background"]) < 0.15
    assert all(figure["paper"] == "white" for figure in light["figures"])
    # each figure: drawn on the page's background, its text light
    assert dark["figures"] and all(figure["paper"] == "rgba(0,0,0,0)" for figure in dark["figures"])
    assert all(luminance(figure["font"]) > 0.8 for figure in dark["figures"])
    assert all(luminance(figure["font"]) < 0.4 for figure in light["figures"])
    assert dark["violations"] == [] and all(figure["svg"] for figure in dark["figures"])


# Each would change the title or add an element marked "pwned" if it ran.
BROWSER_PAYLOADS = (
    "<script>document.title = 'pwned'</script>",
    "<img src=x onerror=\"document.title='pwned'\">",
    "<svg onload=\"document.body.appendChild(document.createElement('b')).id='pwned'\"></svg>",
    "<iframe srcdoc=\"<script>parent.document.title='pwned'</script>\"></iframe>",
    "<a href=\"javascript:document.title='pwned'\" id=pwned-link>x</a>",
    "<details open ontoggle=\"document.title='pwned'\"><summary>s</summary></details>",
    "</script><script>document.title='pwned'</script>",
)


def test_a_page_of_xss_payloads_runs_none_of_them(tmp_path: Path) -> None:
    """The payloads as literal text (the normal path), raw in the Markdown (as if escaping had
    failed: the sanitiser alone holds) and in a figure's title and trace name (plotly's JSON);
    then raw in the body of a copy that bypasses the sanitiser: the policy alone holds."""
    import pandas as pd

    from backtest.report import interactive
    from backtest.report.render import markdown_text, markdown_to_html

    close = pd.Series([100.0 + (i % 40) for i in range(400)], index=pd.bdate_range("2001-01-01", periods=400))
    payload = " ".join(BROWSER_PAYLOADS)
    figure = interactive.index_chart(close, [close.index[100]], title=payload, event_name=payload)
    markdown = "\n\n".join(
        ["# payload page", markdown_text(payload), *BROWSER_PAYLOADS, "![chart](events.png)", "## end"]
    )
    text = markdown_to_html(markdown, "payload page", interactive={"events.png": interactive.to_div(figure, "chart")})
    page = tmp_path / "pages" / "report.html"
    page.parent.mkdir()
    page.write_text(text, encoding="utf-8")
    result = measure(page, WIDTHS[0], tmp_path)
    assert result["title"] == "payload page" and result["pwned"] == 0 and result["violations"] == []
    assert result["plotly"] and [figure["svg"] for figure in result["figures"]] == [True]
    bypass = tmp_path / "bypass" / "report.html"
    bypass.parent.mkdir()
    bypass.write_text(text.replace("<h1", "\n".join(BROWSER_PAYLOADS) + "<h1", 1), encoding="utf-8")
    result = measure(bypass, WIDTHS[0], tmp_path)
    assert result["title"] == "payload page" and result["pwned"] == 0
    assert any(v.startswith("script-src") for v in result["violations"]), result["violations"]
    assert result["plotly"] and all(figure["svg"] for figure in result["figures"])
