"""The death-cross study: reproducible outputs, a losses claim throughout, numbers traceable
to summary.json/events.csv, and counts below 10 marked anecdotal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from backtest.stats.verdict import VERDICT_RULES_LOSSES
from backtest.study_runner import load_study

pytestmark = pytest.mark.slow  # regenerates the death-cross study (make test-fast skips it; CI runs it)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_death_cross"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study run from scratch with its defaults into a temporary directory."""
    output = tmp_path_factory.mktemp("study") / "russell2000_death_cross"
    load_study("russell2000-death-cross").run(None, output)
    return output


@pytest.mark.parametrize("name", ["summary.json", "events.csv"])
def test_regenerated_machine_readable_results_equal_the_committed_ones(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (COMMITTED / name).read_bytes(), (
        f"{name} differs from results/russell2000_death_cross/{name}: regenerate it with "
        "`backtest study russell2000-death-cross` and commit the result"
    )


def test_outputs_and_the_losses_claim(regenerated: Path) -> None:
    expected = {"report.md", "report.html", "events.csv", "summary.json", "index_death_crosses.png", "event_paths.png",
                "null_distributions.png", "hit_rates.png"}
    assert expected <= {p.name for p in regenerated.iterdir()}
    html = (regenerated / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4
    summary = json.loads((regenerated / "summary.json").read_text())
    stats = summary["statistics"]
    assert stats["claim"] == "losses" and stats["rules"]["direction"] == "death"
    assert stats["verdict_rules"] == VERDICT_RULES_LOSSES
    for h in stats["horizons"]:
        assert h["tests"]["hac_mean"]["alternative"] == "less"
        assert h["random_entry"]["plain"]["mean"]["pvalue"] == h["random_entry"]["plain"]["mean"]["pvalue_less"]
    report = (regenerated / "report.md").read_text()
    assert f"Verdict on the claim: {summary['conclusion']['overall']}" in report
    assert VERDICT_RULES_LOSSES.splitlines()[0] in report and "did losses follow?" in report


def test_counts_below_ten_are_marked_anecdotal(regenerated: Path) -> None:
    report = (regenerated / "report.md").read_text()
    counts = re.findall(r"n=(\d+)( \(anecdotal\))?", report)
    assert counts, "the robustness table prints n per cell"
    for number, mark in counts:
        assert bool(mark) == (int(number) < 10), f"n={number}{mark}"
    summary = json.loads((regenerated / "summary.json").read_text())
    small = [h for v in summary["robustness"] for h in v["horizons"] if 0 < h["n"] < 10]
    assert all(h["verdict_a"] == h["verdict_b"] == "inconclusive" and "anecdotal" in h["flags"] for h in small)


def test_report_numbers_come_from_the_outputs(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    events = pd.read_csv(regenerated / "events.csv")
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
    known = {f"{v:{sign}.{d}%}" for v in numbers for d in (0, 1, 2) for sign in ("", "+")}
    known |= {f"{v:.3f}" for v in numbers}
    report = (regenerated / "report.md").read_text()
    report = report.split("### Verdict rules")[0] + report.split("## 6. Robustness")[1]
    tokens = re.findall(r"[+-]?\d[\d,]*\.\d+%", report) + re.findall(r"p = (\d\.\d{3})", report)
    assert len(tokens) > 200
    missing = sorted({token for token in tokens if token not in known})
    assert not missing, f"numbers in report.md not found in summary.json/events.csv: {missing[:20]}"
