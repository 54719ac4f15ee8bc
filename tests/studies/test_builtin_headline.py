"""The headline study on the built-in dataset gives the committed, snapshot-based report:
the same 32 events, returns and p-values, and the same provenance (the raw files' names,
SHA-256 and validation findings), so every file is the same bytes: a fresh clone's
`make study` leaves `git status` clean."""

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
    assert ours["data"] == committed["data"]  # provenance included: it describes the data, not where they were
    assert ours == committed  # events, returns, p-values, verdicts, robustness, fact checks
    assert ours["events"]["n"] == 32 and ours["conclusion"]["overall"] == "not supported as a signal"


@pytest.mark.slow
def test_builtin_data_rewrite_no_committed_byte(builtin_run: Path) -> None:
    written = {path.relative_to(builtin_run).as_posix(): path.read_bytes() for path in builtin_run.rglob("*")}
    committed = {path.relative_to(COMMITTED).as_posix(): path.read_bytes() for path in COMMITTED.rglob("*")}
    assert sorted(written) == sorted(committed)
    assert [name for name in written if written[name] != committed[name]] == []


@pytest.mark.slow
def test_builtin_provenance_names_the_raw_files(builtin_run: Path) -> None:
    data = json.loads((builtin_run / "summary.json").read_text())["data"]
    assert [(segment["source"], segment["file"]) for segment in data["segments"]] == [
        ("fred", "fred/RU2000PR.csv"),
        ("yahoo", "yahoo/RUT.csv"),
    ]
    assert [report["file"] for report in data["validation"]] == ["fred/RU2000PR.csv", "yahoo/RUT.csv"]
    assert data["validation"][1]["sha256"].startswith("3189f0b4b2e1e736")
    assert [finding["kind"] for finding in data["validation"][1]["findings"]] == [
        "partial_bar",
        "zero_volume",
        "large_move",
    ]
    report = (builtin_run / "report.md").read_text()
    assert "builtin_data" not in report  # no path of where the data were found
