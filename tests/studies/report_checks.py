"""Checks every event-study report shares (all four come from the one claim template): the
numbers in report.md are formatted values of summary.json or events.csv, summary.json meets
the claim schema, and the files of the claim path are written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pandas as pd

from backtest.claims import SCHEMA_PATH

CLAIM_FILES = {
    "report.md",
    "report.html",
    "events.csv",
    "summary.json",
    "claim.toml",
    "events.png",
    "event_paths.png",
    "null_distributions.png",
    "hit_rates.png",
}


def formatted_values(summary: dict, events: pd.DataFrame) -> set[str]:
    """Every way a report formats a number that exists in summary.json or events.csv."""
    numbers: list[float] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            numbers.append(float(node))

    walk(summary)
    numbers += [float(v) for v in events.select_dtypes("number").to_numpy().ravel() if pd.notna(v)]
    out: set[str] = set()
    for value in numbers:
        for digits in (0, 1, 2):
            out.add(f"{value:.{digits}%}")
            out.add(f"{value:+.{digits}%}")
        out.add(f"{value:.3f}")
    return out


def check_report_numbers(folder: Path, minimum: int) -> None:
    """Every percentage with decimals and every p-value in report.md (outside the verdict-rules
    text, which quotes thresholds) is a value of summary.json or events.csv."""
    summary = json.loads((folder / "summary.json").read_text())
    events = pd.read_csv(folder / "events.csv")
    known = formatted_values(summary, events)
    report = (folder / "report.md").read_text()
    report = report.split("### Verdict rules")[0] + report.split("## Files")[1]
    tokens = re.findall(r"[+-]?\d[\d,]*\.\d+%", report) + re.findall(r"p = (\d\.\d{3})", report)
    assert len(tokens) > minimum
    missing = sorted({token for token in tokens if token not in known})
    assert not missing, f"numbers in report.md not found in summary.json/events.csv: {missing[:20]}"


def check_claim_folder(folder: Path, extra: set[str] = frozenset()) -> dict:
    """The files of the claim path, figures embedded in the HTML, summary.json valid; returns it."""
    assert CLAIM_FILES | extra <= {p.name for p in folder.iterdir()}
    html = (folder / "report.html").read_text()
    # every PNG is in the page: embedded, or replaced by its interactive twin (report.md keeps the PNGs)
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert len(pngs) >= 4 + len(extra)
    assert not [name for name in pngs if f'src="{name}"' in html]
    assert html.count("data:image/png;base64,") + html.count('<figure class="interactive">') >= len(pngs)
    markdown_page = (folder / "report.md").read_text()
    assert all(f"]({name})" in markdown_page for name in pngs)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, json.loads(SCHEMA_PATH.read_text()), cls=jsonschema.Draft202012Validator)
    report = (folder / "report.md").read_text()
    assert report.index("## Answer in brief") < report.index("## 1. The claim")
    assert f"**Verdict on the claim: {summary['conclusion']['overall']}.**" in report
    events = pd.read_csv(folder / "events.csv")
    assert {"event_date", *(f"ret_{label}" for label in summary["claim"]["horizons"])} <= set(events.columns)
    return summary


def check_anecdotal_marks(folder: Path) -> None:
    """Every 'n=' cell below 10 is marked anecdotal, and only those."""
    counts = re.findall(r"n=(\d+)( \(anecdotal\))?", (folder / "report.md").read_text())
    assert counts
    for number, mark in counts:
        assert bool(mark) == (int(number) < 10), f"n={number}{mark}"
