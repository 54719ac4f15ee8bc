"""The confirmation-filters study: its spec through the claim path, one variant per filter
side (kept, rejected), each variant's events those of the filter read at the event's close."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.studies.report_checks import (
    check_against_committed,
    check_anecdotal_marks,
    check_claim_folder,
    check_report_numbers,
    run_study,
)

pytestmark = pytest.mark.slow  # regenerates the confirmation-filters study (make test-fast skips it; CI runs it)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_confirmation_filters"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study run from scratch with few Monte Carlo draws into a temporary directory."""
    return run_study(
        "russell2000-confirmation-filters", tmp_path_factory.mktemp("study") / "russell2000_confirmation_filters"
    )


def test_regenerated_results_match_the_committed_numbers(regenerated: Path) -> None:
    check_against_committed(regenerated, COMMITTED)


def test_kept_and_rejected_split_the_crosses_with_a_filter_value(regenerated: Path, real_data_dir: Path | None) -> None:
    from backtest.data import load_series
    from tests.events.test_sources import as_of, pandas_rsi

    summary = check_claim_folder(regenerated)
    variants = {v["name"]: v for v in summary["variants"]}
    assert len(variants) == 8
    dates = pd.DatetimeIndex(pd.read_csv(regenerated / "events.csv", parse_dates=["event_date"])["event_date"])
    close = load_series("russell2000", data_dir=real_data_dir).close
    rsi = pandas_rsi(close, 14)[dates]
    assert variants["RSI(14) <= 70: kept"]["n_events"] == int((rsi <= 70).sum())
    assert variants["RSI(14) > 70: rejected"]["n_events"] == int((rsi > 70).sum())
    vix = as_of(load_series("VIX", data_dir=real_data_dir).close, close.index)[dates]
    assert variants["VIX < 20: kept"]["n_events"] == int((vix < 20).sum())
    assert variants["VIX >= 20: rejected"]["n_events"] == int((vix >= 20).sum())
    # a filter with missing values (volume before 1987, yields before 2001) keeps a cross in neither row
    for kept, rejected in (
        ("relative volume > 1: kept", "relative volume <= 1: rejected"),
        ("10-year yield not rising: kept", "10-year yield rising: rejected"),
    ):
        assert variants[kept]["n_events"] + variants[rejected]["n_events"] < summary["events"]["n"]


def test_report_numbers_and_anecdotal_cells(regenerated: Path) -> None:
    check_report_numbers(regenerated, minimum=200)
    check_anecdotal_marks(regenerated)
    summary = json.loads((regenerated / "summary.json").read_text())
    small = [h for v in summary["variants"] for h in v["horizons"] if 0 < h["n"] < 10]
    assert small and all(h["verdict_b"] == "inconclusive" for h in small)
