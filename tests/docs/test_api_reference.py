"""`make docs` builds the API reference from the docstrings (pdoc, numpydoc sections)."""

from __future__ import annotations

from pathlib import Path

import pytest

PUBLIC_MODULES = ("backtest.data", "backtest.signals", "backtest.events", "backtest.stats", "backtest.claims")


@pytest.mark.slow  # imports every module of the package (about 15 s)
def test_pdoc_renders_the_public_api(tmp_path: Path) -> None:
    pdoc = pytest.importorskip("pdoc")
    pdoc.render.configure(docformat="numpy")
    pdoc.pdoc("backtest", output_directory=tmp_path)
    pages = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")}
    for module in PUBLIC_MODULES:
        assert module.replace(".", "/") + ".html" in pages
    claims = (tmp_path / "backtest" / "claims.html").read_text(encoding="utf-8")
    assert "from_toml" in claims and "Claim" in claims
