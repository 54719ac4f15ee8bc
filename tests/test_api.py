"""What ``import backtest as bt`` offers a notebook user: ``bt.Claim`` from a file, a dict or
keywords, a result's ``summary()``, ``plot(kind)`` (matplotlib Axes), ``to_frame()``, and
``bt.load_series``; ``import backtest`` alone stays cheap."""

from __future__ import annotations

import dataclasses
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
