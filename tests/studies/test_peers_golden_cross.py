"""The peers study: its spec through the claim path, one variant per series (daily data only),
the small- vs large-cap paragraph by its stated rule, and the extra figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest.study_runner import load_study
from tests.studies.report_checks import (
    check_against_committed,
    check_anecdotal_marks,
    check_claim_folder,
    check_report_numbers,
    run_study,
)

pytestmark = pytest.mark.slow  # regenerates the peers study (make test-fast skips it; CI runs it)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "peers_golden_cross"


@pytest.fixture(scope="module")
def study_module():
    return load_study("peers-golden-cross")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study run from scratch with few Monte Carlo draws into a temporary directory."""
    return run_study("peers-golden-cross", tmp_path_factory.mktemp("study") / "peers_golden_cross")


def test_regenerated_results_match_the_committed_numbers(regenerated: Path) -> None:
    check_against_committed(regenerated, COMMITTED)


def test_every_series_is_a_variant_with_the_headline_rule(regenerated: Path, data_dir: Path) -> None:
    summary = check_claim_folder(regenerated, {"peer_excess.png"})
    assert {v["series"] for v in summary["variants"]} == {
        "RU2000PR",
        "RU2000GPR",
        "RU2000VPR",
        "RU1000PR",
        "DJI",
        "SPY",
        "NASDAQCOM",
        "RU3000PR",
    }
    assert all(v["rules"].startswith("SMA 50/200 golden cross") for v in summary["variants"])
    assert summary["spec"]["daily_only"] is True
    # Growth and Value hold month-end values before their daily data: only the daily segment is read
    from backtest.data import daily_segment, load_series

    growth = daily_segment(load_series("RU2000GPR", data_dir=data_dir))[0]
    variant = next(v for v in summary["variants"] if v["series"] == "RU2000GPR")
    assert variant["data_end"] == growth.close.index[-1].date().isoformat() and variant["n_events"] > 0


def test_small_vs_large_follows_its_stated_rule(regenerated: Path, study_module) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    by_name = {v["name"]: {h["label"]: h for h in v["horizons"]} for v in summary["variants"]}
    small, large = by_name[study_module.SMALL], by_name[study_module.LARGE]
    different = [
        label
        for label in summary["claim"]["verdict_horizons"]
        if small[label]["excess_ci_low"] > large[label]["excess_ci_high"]
        or large[label]["excess_ci_low"] > small[label]["excess_ci_high"]
        or small[label]["verdict_b"] != large[label]["verdict_b"]
    ]
    paragraph = next(
        line
        for line in (regenerated / "report.md").read_text().splitlines()
        if line.startswith("**Small vs large caps**")
    )
    assert (f"different at {', '.join(different)}" if different else "no detectable difference") in paragraph


def test_report_numbers_and_anecdotal_cells(regenerated: Path) -> None:
    check_report_numbers(regenerated, minimum=200)
    check_anecdotal_marks(regenerated)
