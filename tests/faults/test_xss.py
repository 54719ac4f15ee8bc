"""Script injection: a catalogue of XSS payloads put in every user string that reaches a page
(a claim spec's title, statement, source, variant names and descriptions, fact statements and
proxy notes, published source/what/note; a series file's name; a sweep's series), run through
the CLI on a small hand-made series. Each written report.html / summary.html must run no script
but its own (listed by hash in its Content-Security-Policy), carry no event-handler attribute,
no javascript:/data: link, no iframe/object/embed/base/form/meta refresh, and still show the
payload as text; report.md / summary.md show it as literal Markdown text."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from backtest.report.render import markdown_text
from tests.claims.conftest import toml_text
from tests.data.csv_rows import YAHOO_HEADER
from tests.faults.conftest import snapshot_tree, wave_rows
from tests.faults.test_inputs import error_line

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "iframe-javascript": '<iframe src="javascript:alert(1)">',
    "attribute-break": '"><script>alert(1)</script>',
    "markdown-link-javascript": "[x](javascript:alert(1))",
    "a-href-javascript": '<a href="javascript:alert(1)">x</a>',
    "autolink-javascript": "<javascript:alert(1)>",
    "entity-javascript": "[x](&#106;avascript:alert(1)) <a href='&#x6A;avascript&#58;alert(1)'>y</a>",
    "markdown-link-data": "[x](data:text/html,<script>alert(1)</script>)",
    "markdown-image": "![x](../../secret.png) ![y](https://evil.example/x.png)",
    "script-break": "</script><script>alert(1)</script><!--<script>",
    "style": "<style>body{display:none}</style>",
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "base": '<base href="https://evil.example/">',
    "form": '<form action="https://evil.example"><input name=x><button>go</button></form>',
    "table-and-code-break": "a | b ` c \\ d",
}
FILE_PAYLOADS = {key: payload for key, payload in PAYLOADS.items() if "/" not in payload}
"""The payloads a file name can hold (no ``/``)."""


def cases(payloads: dict[str, str]) -> list[object]:
    """Every payload at once (one run, in the fast loop), then each alone (CI: about 1.5 s a run)."""
    every = pytest.param(" ~ ".join(payloads.values()), id="all-at-once")
    return [every, *(pytest.param(payload, id=key, marks=pytest.mark.slow) for key, payload in payloads.items())]


FAST = ("--draws", "20", "--paths", "0", "--seed", "3")
SMALL_SWEEP = ("--fast", "5:6", "--slow", "20:21", "--reps", "0", "--null-draws", "0")


# --- what a page may hold -----------------------------------------------------------------------


class _Page(HTMLParser):
    """Every element with its attributes, the text of each script, the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag in ("script", "style"):
            self._inside = tag
            if tag == "script":
                self.scripts.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            self.scripts[-1] += data
        elif self._inside is None:
            self.text.append(data)


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def assert_page_is_inert(path: Path, shown: list[str]) -> None:
    """``path`` runs only its own hash-listed scripts, links and loads nothing it should not,
    and shows each string of ``shown`` as text."""
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    tags = [tag for tag, _ in page.elements]
    policies = [a["content"] for t, a in page.elements if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]  # fmt: skip
    assert len(policies) == 1, f"{path}: {len(policies)} CSP meta elements"
    policy = policies[0]
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    first_script = text.find("<script")
    assert first_script < 0 or text.index("Content-Security-Policy") < first_script  # in force before any script
    listed = set(re.findall(r"'sha256-[A-Za-z0-9+/=]+'", policy))
    assert all(_hash(script) in listed for script in page.scripts), f"{path}: a script not listed in the policy"
    assert len(listed) == len(page.scripts)  # every listed hash is one of the page's own scripts
    assert all(not any(name.startswith("on") for name in attrs) for _, attrs in page.elements), "an on* attribute"
    for forbidden in ("iframe", "object", "embed", "base", "form", "input", "button", "svg", "math", "frame", "link"):
        assert forbidden not in tags, f"{path}: <{forbidden}>"
    assert tags.count("style") == 1 and tags.count("title") == 1
    metas = [a for t, a in page.elements if t == "meta"]
    assert all(set(a) <= {"charset", "http-equiv", "content", "name"} for a in metas)
    assert [a.get("http-equiv", "").lower() for a in metas if "http-equiv" in a] == ["content-security-policy"]
    for tag, attrs in page.elements:
        for name in ("href", "src", "action", "formaction", "xlink:href", "background", "poster"):
            value = re.sub(r"[\x00-\x20]", "", attrs.get(name, "")).lower()
            if not value:
                continue
            if tag == "img" and name == "src":
                assert value.startswith("data:image/png;base64,"), f"{path}: <img src={value[:60]}>"
            else:
                assert not value.startswith(("javascript:", "data:", "vbscript:", "//")), f"{path}: {name}={value}"
                assert ":" not in value.split("/")[0] or value.startswith(("http:", "https:")), f"{path}: {value}"
    visible = re.sub(r"\s+", " ", "".join(page.text))
    for string in shown:
        assert re.sub(r"\s+", " ", string) in visible, f"{path}: {string!r} is not shown as text"


def assert_markdown_is_literal(path: Path, shown: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    for string in shown:
        assert markdown_text(string) in text, f"{path}: {string!r} is not literal Markdown text"


# --- a claim spec with a payload in every field -------------------------------------------------

CLAIM_FIELDS = ("T", "S", "So", "V", "D", "F", "N", "PS", "PW", "PN")
"""Prefixes of the fields: title, statement, source, variant name, variant description, fact
statement, proxy note, published source, what, note (each field reads "<prefix> <payload>")."""


def payload_spec(payload: str, series: str = "data/yahoo/WAVE.csv") -> dict[str, object]:
    field = {prefix: f"{prefix} {payload}" for prefix in CLAIM_FIELDS}
    return {
        "claim": {
            "name": "xss",
            "title": field["T"],
            "statement": field["S"],
            "source": field["So"],
            "published": "2001-06-01",
            "direction": "gains",
            "horizons": ["1m", "3m"],
        },
        "series": {"name": series},
        "event": {"kind": "ma_cross", "fast": 5, "slow": 20},
        "variants": [{"name": field["V"], "description": field["D"], "min_gap": 10}],
        "facts": [
            {"statement": field["F"], "figure": 0.01, "period": ["2000-06-30", "2000-12-29"], "proxy_note": field["N"]}
        ],
        "published": [
            {
                "source": field["PS"],
                "what": field["PW"],
                "start": "2000-01-01",
                "figures": {"1m": 0.02},
                "note": field["PN"],
            }
        ],
    }


def _wave_file(world: Path, name: str) -> Path:
    path = world / "data" / "yahoo" / name
    path.write_text("\n".join([YAHOO_HEADER, *wave_rows()]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("payload", cases(PAYLOADS))
def test_a_payload_in_every_claim_field_is_text_in_the_report(
    payload: str, world: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    (world / "xss.toml").write_text(toml_text(payload_spec(payload)), encoding="utf-8")
    code, _, err = cli("claim", "run", "xss.toml", "--output-dir", "out", *FAST)
    assert code == 0, err
    shown = [f"{prefix} {payload}" for prefix in CLAIM_FIELDS]
    assert_page_is_inert(world / "out" / "xss" / "report.html", shown)
    assert_markdown_is_literal(world / "out" / "xss" / "report.md", shown)
    assert sorted(p.name for p in world.iterdir()) == ["data", "out", "xss.toml"]
    assert sorted(p.name for p in (world / "out").iterdir()) == ["xss"]  # nothing beside the report


@pytest.mark.parametrize("payload", cases(FILE_PAYLOADS))
def test_a_series_file_named_with_a_payload_is_text_in_the_claim_report(
    payload: str, world: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    _wave_file(world, f"{payload}.csv")
    tables = payload_spec("plain", series=f"data/yahoo/{payload}.csv")
    (world / "xss.toml").write_text(toml_text(tables), encoding="utf-8")
    code, _, err = cli("claim", "run", "xss.toml", "--output-dir", "out", *FAST)
    assert code == 0, err
    assert_page_is_inert(world / "out" / "xss" / "report.html", [payload, f"yahoo/{payload}.csv"])
    assert_markdown_is_literal(world / "out" / "xss" / "report.md", [payload])


@pytest.mark.parametrize("payload", cases(FILE_PAYLOADS))
def test_a_sweep_of_a_series_named_with_a_payload_is_text_in_its_summary(
    payload: str, world: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    path = _wave_file(world, f"{payload}.csv")
    code, _, err = cli("sweep", "--series", path, *SMALL_SWEEP, "--output-dir", "out", "--name", "xss")
    assert code == 0, err
    assert_page_is_inert(world / "out" / "xss" / "summary.html", [f"Parameter sweep: {payload}"])
    assert_markdown_is_literal(world / "out" / "xss" / "summary.md", [payload])
    assert sorted(p.name for p in (world / "out").iterdir()) == ["xss"]


def test_a_multi_series_sweep_lists_payload_names_as_text(
    world: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    names = [FILE_PAYLOADS["img-onerror"], FILE_PAYLOADS["svg-onload"]]
    paths = [_wave_file(world, f"{name}.csv") for name in names]
    series = ",".join(str(path) for path in paths)
    grid = [*SMALL_SWEEP[:4], "--reps", "20", "--null-draws", "20"]  # a multi-series summary needs the tests
    code, _, err = cli("sweep", "--series", series, *grid, "--output-dir", "out", "--name", "xss")
    assert code == 0, err
    assert_page_is_inert(world / "out" / "xss" / "summary.html", names)
    assert_markdown_is_literal(world / "out" / "xss" / "summary.md", names)


def test_a_sweep_name_holding_a_payload_is_refused_before_any_work(
    world: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    before = snapshot_tree(world)
    code, _, err = cli("sweep", "--series", "data/yahoo/WAVE.csv", *SMALL_SWEEP, "--output-dir", "out", "--name", PAYLOADS["img-onerror"])  # fmt: skip
    assert code == 2 and "--name" in error_line(err)
    assert snapshot_tree(world) == before


def test_the_plotly_json_of_a_figure_cannot_end_its_script() -> None:
    """A title or name that holds ``</script>`` or ``<!--`` stays inside the figure's JSON."""
    import pandas as pd

    from backtest.report import interactive

    close = pd.Series([100.0 + i for i in range(300)], index=pd.bdate_range("2001-01-01", periods=300), name="x")
    payload = PAYLOADS["script-break"]
    figure = interactive.index_chart(close, [close.index[100]], title=payload, event_name=payload)
    block = interactive.to_div(figure, f"x{payload}")
    page = _Page()
    page.feed(block)
    page.close()
    assert len(page.scripts) == 1 and "</script" not in page.scripts[0].lower() and "<!--" not in page.scripts[0]
    (div_id,) = [attrs["id"] for tag, attrs in page.elements if "plotly-graph-div" in attrs.get("class", "")]
    assert re.fullmatch(r"x[A-Za-z0-9_-]+", div_id) and f'"{div_id}"' in page.scripts[0]
    # plotly draws its title as HTML-like text: the payload is escaped for it, then JSON-escaped
    assert "&lt;\\u002fscript&gt;" in page.scripts[0]
