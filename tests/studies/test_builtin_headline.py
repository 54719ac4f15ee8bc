"""The headline study on the built-in dataset gives the committed, snapshot-based answer:
the same 32 events, returns and p-values; only the data provenance differs, and says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest.data import clear_cache, sources
from backtest.study_runner import load_study

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_golden_cross"


@pytest.fixture(scope="module")
def builtin_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study with its defaults, with no data directory configured or found."""
    root = tmp_path_factory.mktemp("builtin")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(sources.ENV_VAR, raising=False)
        patch.setattr(sources, "default_data_dir", lambda: root / "shared" / "data")
        patch.setattr(sources, "user_data_dir", lambda: root / "user")
        clear_cache()
        assert sources.resolve_data_source().kind == "built-in"
        output = load_study("russell2000-golden-cross").run(None, root / "russell2000_golden_cross")
    clear_cache()
    return Path(output)


@pytest.mark.slow
def test_builtin_data_reproduce_the_committed_numbers(builtin_run: Path) -> None:
    ours = json.loads((builtin_run / "summary.json").read_text())
    committed = json.loads((COMMITTED / "summary.json").read_text())
    ours_data, committed_data = ours.pop("data"), committed.pop("data")
    assert ours == committed  # events, returns, p-values, verdicts, robustness, fact checks
    assert ours["events"]["n"] == 32 and ours["conclusion"]["overall"] == "not supported as a signal"
    assert (builtin_run / "events.csv").read_bytes() == (COMMITTED / "events.csv").read_bytes()
    for key in ("first_date", "last_date", "n_closes", "splice"):
        assert ours_data[key] == committed_data[key]


@pytest.mark.slow
def test_builtin_provenance_says_which_data_were_used(builtin_run: Path) -> None:
    data = json.loads((builtin_run / "summary.json").read_text())["data"]
    assert [segment["source"] for segment in data["segments"]] == ["built-in", "built-in"]
    assert data["segments"][1]["note"].startswith(
        "built-in dataset (derived from the snapshot of 2026-02-23, raw SHA-256 3189f0b4b2e1e736… of yahoo/RUT.csv"
    )
    report = (builtin_run / "report.md").read_text()
    assert "**Data used:** built-in dataset (derived from the snapshot of 2026-02-23, raw SHA-256" in report
    assert "validated (lenient policy) when the dataset was built" in report


def test_every_report_layout_names_the_builtin_data() -> None:
    from backtest.report.event_report import builtin_data_line

    origin = (
        "built-in dataset (derived from the snapshot of 2026-02-23, raw SHA-256 3189f0b4b2e1e736… of yahoo/RUT.csv)"
    )
    data = {
        "series": "RUT",
        "first_date": "1987-09-10",
        "last_date": "2026-02-20",
        "n_closes": 9685,
        "sha256": "ab" * 32,
        "validation": [],
        "segments": [{"source": "built-in", "file": "builtin_data/closes.parquet", "note": origin}],
    }
    assert builtin_data_line([data]) == f"**Data used:** {origin}."
    snapshot = {**data, "segments": [{"source": "yahoo", "file": "yahoo/RUT.csv", "note": ""}]}
    assert builtin_data_line([snapshot]) == ""
