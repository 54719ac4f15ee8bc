"""The 50/200-among-23,655-pairs sweep study regenerates the committed numbers exactly (its
Monte Carlo sizes are fixed: 1,000 bootstrap replications, 1,000 random-entry draws), read
back as data, so a new parquet writer or JSON layout does not count as a change."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from backtest.claims.jobs import run_job
from backtest.study_runner import study_path

pytestmark = pytest.mark.slow  # regenerates the full-grid sweep study (make test-fast skips it; CI runs it)

COMMITTED = Path(__file__).resolve().parents[2] / "results" / "russell2000_ma_sweep"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("sweep") / "russell2000_ma_sweep"
    run_job(study_path("russell2000-ma-sweep"), None, output, report_kind="study")
    return output


REGENERATE = "regenerate with `backtest study russell2000-ma-sweep` and commit the result"


def test_regenerated_results_equal_the_committed_ones(regenerated: Path) -> None:
    ours, committed = (json.loads((folder / "summary.json").read_text()) for folder in (regenerated, COMMITTED))
    assert ours == committed, f"summary.json differs from results/russell2000_ma_sweep/summary.json: {REGENERATE}"
    pd.testing.assert_frame_equal(
        pd.read_parquet(regenerated / "pairs.parquet"),
        pd.read_parquet(COMMITTED / "pairs.parquet"),
        check_exact=True,
        obj=f"pairs.parquet ({REGENERATE})",
    )


def test_summary_ranks_the_reference_pair_in_every_horizon(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    text = json.dumps(summary)
    assert "23655" in text or "23,655" in text
    report = (regenerated / "summary.md").read_text()
    assert "The 50/200 pair" in report and "Reality Check" in report
