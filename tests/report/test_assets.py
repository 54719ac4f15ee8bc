"""The vendored plotly.js (backtest/report/assets/): the release the pinned Python plotly
targets, registering every trace type our figures use, the bytes its provenance note names,
and shipped as package data."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from backtest.report import interactive
from backtest.report.render import PLOTLY_BUNDLE, plotly_bundle

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_SHA256 = "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a"


def test_the_bundle_is_the_plotly_js_release_the_pinned_plotly_targets() -> None:
    from plotly.offline import get_plotlyjs_version

    source = plotly_bundle()
    header = re.match(r"/\*\*\s*\n\* plotly\.js \(cartesian - minified\) v(\S+)", source)
    assert header is not None, source[:200]
    assert header.group(1) == get_plotlyjs_version()
    assert set(re.findall(r'\.version="(\d+\.\d+\.\d+)"', source)) == {get_plotlyjs_version()}


def test_the_bundle_registers_every_trace_type_the_figures_use() -> None:
    used = {name.lower() for name in re.findall(r"\bgo\.(\w+)\(", Path(interactive.__file__).read_text())}
    used.discard("figure")
    assert used == {"scatter", "bar", "heatmap"}  # a new trace type: check the bundle holds it
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', plotly_bundle()))
    assert used <= registered, used - registered


def test_the_bundle_is_the_file_its_provenance_note_names_and_is_package_data() -> None:
    data = PLOTLY_BUNDLE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == BUNDLE_SHA256
    note = (PLOTLY_BUNDLE.parent / "README.md").read_text()
    assert BUNDLE_SHA256 in note and "plotly.js-cartesian-dist-min@4.1.1" in note and "MIT" in note
    assert "MIT License" in (PLOTLY_BUNDLE.parent / "LICENSE").read_text()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert {"*.js", "LICENSE"} <= set(package_data["backtest.report.assets"])
