"""The death-cross study: its spec through the claim path, a losses claim throughout,
numbers traceable to summary.json/events.csv, and counts below 10 marked anecdotal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest.stats.verdict import VERDICT_RULES_LOSSES
from tests.studies.report_checks import (
    check_against_committed,
    check_anecdotal_marks,
    check_claim_folder,
    check_report_numbers,
    run_study,
)

pytestmark = pytest.mark.slow  # regenerates the death-cross study (make test-fast skips it; CI runs it)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_death_cross"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study run from scratch with few Monte Carlo draws into a temporary directory."""
    return run_study("russell2000-death-cross", tmp_path_factory.mktemp("study") / "russell2000_death_cross")


def test_regenerated_results_match_the_committed_numbers(regenerated: Path) -> None:
    check_against_committed(regenerated, COMMITTED)


def test_outputs_and_the_losses_claim(regenerated: Path) -> None:
    summary = check_claim_folder(regenerated)
    stats = summary["statistics"]
    assert stats["claim"] == "losses" and summary["spec"]["event"]["direction"] == "death"
    assert stats["verdict_rules"] == VERDICT_RULES_LOSSES
    assert stats["primary"]["alternative"] == "less"
    for h in stats["horizons"]:
        assert h["tests"]["hac_mean"]["alternative"] == "less"
        assert h["random_entry"]["plain"]["mean"]["pvalue"] == h["random_entry"]["plain"]["mean"]["pvalue_less"]
    report = (regenerated / "report.md").read_text()
    assert VERDICT_RULES_LOSSES.splitlines()[0] in report and "did losses follow?" in report
    assert "**Worse than a random day?**" in report.split("## 1.")[0]


def test_counts_below_ten_are_marked_anecdotal(regenerated: Path) -> None:
    check_anecdotal_marks(regenerated)
    summary = json.loads((regenerated / "summary.json").read_text())
    small = [h for v in summary["variants"] for h in v["horizons"] if 0 < h["n"] < 10]
    assert all(h["verdict_a"] == h["verdict_b"] == "inconclusive" and "anecdotal" in h["flags"] for h in small)


def test_report_numbers_come_from_the_outputs(regenerated: Path) -> None:
    check_report_numbers(regenerated, minimum=200)
