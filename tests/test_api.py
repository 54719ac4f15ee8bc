"""What ``import backtest as bt`` offers a notebook user: ``bt.Claim`` from a file, a dict or
keywords, a result's ``summary()``, ``plot(kind)`` (matplotlib Axes), ``to_frame()``, and
``bt.load_series``; ``import backtest`` alone stays cheap."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

import backtest as bt
from backtest.errors import ParameterError, SpecError

ROOT = Path(__file__).resolve().parents[1]
RSI_SPEC = ROOT / "studies" / "claims" / "rsi_oversold.toml"
EVENT = {"kind": "threshold", "indicator": "rsi", "window": 14, "level": 30, "cross": "below"}


def _keywords() -> dict:
    return {
        "title": "Oversold Russell 2000 (RSI(14) below 30)",
        "statement": "When the Russell 2000's 14-day RSI drops below 30, gains follow over the next 3 months.",
        "source": "technical-analysis lore (Wilder 1978: RSI below 30 is oversold)",
        "series": "russell2000",
        "event": EVENT,
        "horizons": ["1m", "3m"],
        "rules": {"start": "1990-01-01"},
    }


def test_a_claim_from_keywords_a_dict_or_a_file_is_the_same_claim() -> None:
    by_keywords = bt.Claim(**_keywords())
    tables = {
        "claim": {key: _keywords()[key] for key in ("title", "statement", "source", "horizons")},
        "series": {"name": "russell2000"},
        "event": EVENT,
        "rules": {"start": "1990-01-01"},
    }
    assert bt.Claim(tables) == by_keywords == bt.Claim.from_dict(tables)
    from_file = bt.Claim(RSI_SPEC)
    assert from_file == bt.Claim.from_toml(RSI_SPEC)
    for field in ("claim", "series", "event", "rules"):
        assert getattr(from_file.spec, field) == getattr(by_keywords.spec, field), field
    assert dataclasses.replace(by_keywords, spec=from_file.spec) == from_file
    # the statement defaults to the title; the report folder is named after the title
    short = bt.Claim(title="Oversold small caps", series="russell2000", event=EVENT)
    assert short.spec.claim.statement == "Oversold small caps" and short.name == "oversold_small_caps"


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"titel": "x"}, SpecError, r"^Claim\(\.\.\.\): unknown keyword 'titel' .*did you mean `title`\?$"),
        ({"title": "x", "series": "russell2000"}, SpecError, r"\[event\]: missing \(required\)"),
        ({"title": "x", "series": "russel2000", "event": EVENT}, SpecError, r"unknown series 'russel2000'"),
        ({}, ParameterError, r"^Claim needs a spec file, a dict of tables, or keywords"),
    ],
)
def test_a_mistake_in_keywords_is_one_line_naming_it(arguments: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message) as raised:
        bt.Claim(**arguments)
    assert "\n" not in str(raised.value)


def test_a_spec_and_keywords_together_are_refused() -> None:
    with pytest.raises(ParameterError, match="not both"):
        bt.Claim(RSI_SPEC, title="x")


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return bt.Claim(**_keywords()).run(n_draws=500, n_paths=0, n_power_paths=0)


def test_a_result_reads_as_summary_table_and_pictures(result) -> None:  # type: ignore[no-untyped-def]
    summary = result.summary()
    assert summary.startswith("Verdict: ") and "Oversold Russell 2000" in summary
    frame = result.to_frame()
    assert len(frame) == result.summary_data["events"]["n"] > 0
    assert {"event_date", "ret_1m", "ret_3m"} <= set(frame.columns)
    for kind in ("paths", "before", "drawdowns"):
        ax = result.plot(kind)
        assert isinstance(ax, plt.Axes) and ax.get_title() and ax.has_data(), kind
        plt.close(ax.figure)
    figure, given = plt.subplots()
    assert result.plot("paths", ax=given) is given and given.has_data()
    plt.close(figure)
    assert result.plot().get_title().endswith("the events' mean path (entry = 100)")  # "paths" by default
    plt.close("all")


def test_an_unknown_plot_kind_is_refused_before_drawing(result) -> None:  # type: ignore[no-untyped-def]
    figures = plt.get_fignums()
    with pytest.raises(ParameterError, match=r"^plot kind must be one of paths, before, drawdowns; got 'pats'$"):
        result.plot("pats")
    assert plt.get_fignums() == figures


def test_load_series_is_at_the_top() -> None:
    series = bt.load_series("russell2000")
    assert series.name == "russell2000" and str(series.first_date.date()) == "1978-12-29"
    assert {"Claim", "ClaimResult", "load_series"} <= set(dir(bt))


def test_import_backtest_stays_cheap_and_its_docstring_starts_from_claim() -> None:
    code = "import sys, backtest; print(sorted(m for m in ('pandas', 'numba', 'backtest.claims') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.strip() == "[]"
    doc = bt.__doc__ or ""
    assert "Start from a `Claim`" in doc[:300]  # the API reference's landing page
    assert doc.index("import backtest as bt") < doc.index("bt.Claim(") < doc.index("result.summary()")
    assert "result.plot(" in doc and "result.to_frame()" in doc and "bt.load_series(" in doc


def _public_api() -> list[tuple[str, object]]:
    """Every public function and class of ``backtest.events``, ``backtest.stats`` and ``backtest.load_series``.

    Constants (horizon tuples, rule texts, seeds) carry no sections, so only callables are kept.
    """
    import backtest.events
    import backtest.stats

    names = [(f"backtest.events.{name}", getattr(backtest.events, name)) for name in backtest.events.__all__]
    names += [(f"backtest.stats.{name}", getattr(backtest.stats, name)) for name in backtest.stats._LAZY]
    names.append(("backtest.load_series", bt.load_series))
    return [(name, value) for name, value in names if inspect.isfunction(value) or inspect.isclass(value)]


def _numpydoc_sections(doc: str) -> dict[str, list[str]]:
    """The lines under each numpydoc section header (a title line underlined by dashes of its length)."""
    lines = doc.splitlines()
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    is_underline = False
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if is_underline:
            is_underline = False
        elif line.strip() and following.strip() == "-" * len(line.strip()):
            current = sections.setdefault(line.strip(), [])
            is_underline = True
        elif current is not None:
            current.append(line)
    return sections


def _documented_parameters(section: list[str]) -> set[str]:
    """The names of a Parameters section: its unindented ``name : type`` lines (``a, b : type`` names both)."""
    names: set[str] = set()
    for line in section:
        if line.strip() and not line.startswith(" "):
            for name in line.split(" : ")[0].split(","):
                names.add(name.strip().lstrip("*"))
    return names


@pytest.mark.parametrize("name, value", _public_api(), ids=lambda item: item if isinstance(item, str) else "")
def test_every_public_name_documents_its_parameters_and_returns(name: str, value: object) -> None:
    doc = inspect.getdoc(value) or ""
    lines = doc.splitlines()
    assert lines and lines[0].strip(), f"{name} has no summary"
    assert len(lines) == 1 or not lines[1].strip(), f"{name}: the summary runs over one line"
    sections = _numpydoc_sections(doc)
    is_class = inspect.isclass(value)
    if is_class and "Parameters" not in sections:
        assert "Attributes" in sections, f"{name}: a class needs a Parameters or an Attributes section"
        return
    assert "Parameters" in sections, f"{name} has no Parameters section"
    if not is_class:
        assert "Returns" in sections or "Yields" in sections, f"{name} has no Returns section"
    signature = inspect.signature(value)  # type: ignore[arg-type]
    in_signature = {
        parameter.name for parameter in signature.parameters.values() if parameter.name not in ("self", "cls")
    }
    must_document = {
        parameter.name
        for parameter in signature.parameters.values()
        if parameter.name not in ("self", "cls")
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }
    documented = _documented_parameters(sections["Parameters"])
    assert documented <= in_signature, (
        f"{name} documents parameters it does not take: {sorted(documented - in_signature)}"
    )
    assert must_document <= documented, f"{name} leaves parameters undocumented: {sorted(must_document - documented)}"


def test_the_section_parser_reads_headers_and_parameter_names() -> None:
    doc = "Summary.\n\nParameters\n----------\na, b : int\n    Two.\n*parts : object\n    Rest.\n\nReturns\n-------\nint\n    Sum.\n"
    sections = _numpydoc_sections(doc)
    assert set(sections) == {"Parameters", "Returns"}
    assert _documented_parameters(sections["Parameters"]) == {"a", "b", "parts"}
    assert _documented_parameters(_numpydoc_sections("Summary.\n\nNotes\n-----\nx : y\n")["Notes"]) == {"x"}
