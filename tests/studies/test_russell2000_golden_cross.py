"""The headline study: its spec through the claim path and the one template; the committed
results checked by their numbers (regenerated with few Monte Carlo draws), a second run on the
dataset built into the package that writes the same bytes with the same provenance, numbers
traceable to summary.json/events.csv, the article's figures and the published averages checked
number for number, the relative test against SPY, and the study CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtest.claims.jobs import ClaimJob, load_job
from backtest.cli import main
from backtest.data import clear_cache, sources
from backtest.study_runner import load_study, study_target
from tests.studies.report_checks import (
    check_against_committed,
    check_anecdotal_marks,
    check_claim_folder,
    check_report_numbers,
    run_study,
)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_golden_cross"


SPEC = ROOT / "studies" / "russell2000_golden_cross.toml"
HOOKS = ROOT / "studies" / "russell2000_golden_cross.py"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study run from scratch with few Monte Carlo draws into a temporary directory."""
    return run_study("russell2000-golden-cross", tmp_path_factory.mktemp("study") / "russell2000_golden_cross")


@pytest.mark.slow
def test_regenerated_results_match_the_committed_numbers(regenerated: Path) -> None:
    check_against_committed(regenerated, COMMITTED)


@pytest.fixture(scope="module")
def builtin_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same run with no data directory configured or found: the dataset built into the
    package (derived from the snapshot bit for bit), as in a fresh clone."""
    root = tmp_path_factory.mktemp("builtin")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(sources.ENV_VAR, raising=False)
        patch.setattr(sources, "default_data_dir", lambda: root / "shared" / "data")
        patch.setattr(sources, "user_data_dir", lambda: root / "user")
        clear_cache()
        assert sources.resolve_data_source().kind == "built-in"
        output = run_study("russell2000-golden-cross", root / "russell2000_golden_cross")
    clear_cache()
    return output


@pytest.mark.slow
def test_a_second_run_on_the_builtin_data_writes_every_file_with_the_same_bytes(
    regenerated: Path, builtin_run: Path
) -> None:
    """The one byte-for-byte check of a study: the same spec, seed and draws, run again from
    the built-in dataset instead of the snapshot, give the same files (provenance included:
    it describes the data, not where they were found; figures drawn in a second thread while
    the variants run included). So reruns are deterministic and a fresh clone reproduces the
    committed results, which match the code by their numbers (above)."""
    first = {path.relative_to(regenerated).as_posix(): path.read_bytes() for path in regenerated.rglob("*")}
    second = {path.relative_to(builtin_run).as_posix(): path.read_bytes() for path in builtin_run.rglob("*")}
    assert sorted(second) == sorted(first) and len(first) >= 10
    assert [name for name in first if second[name] != first[name]] == []
    report = (builtin_run / "report.md").read_text()
    assert "builtin_data" not in report  # no path of where the data were found


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


@pytest.mark.slow
def test_the_study_is_its_spec_and_writes_the_claim_files(regenerated: Path) -> None:
    summary = check_claim_folder(regenerated)
    assert (regenerated / "claim.toml").read_text() == SPEC.read_text()
    assert (
        summary["name"] == "russell2000_golden_cross"
        and summary["events"]["n"] == summary["statistics"]["sample"]["n_events"]
    )
    assert len(HOOKS.read_text().splitlines()) <= 200
    assert (
        "**At publication.** On 2025-07-29, the last close before the article"
        in (regenerated / "report.md").read_text()
    )


@pytest.mark.slow
def test_report_numbers_come_from_the_outputs(regenerated: Path) -> None:
    check_report_numbers(regenerated, minimum=300)
    check_anecdotal_marks(regenerated)


@pytest.mark.slow
def test_report_has_the_headline_sections(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    report = (regenerated / "report.md").read_text()
    for heading in (
        "Statistics per horizon",
        "Calibration of the tests",
        "Variants",
        "The most recent event, out of sample",
        "The claim's figures, checked",
        "Data and conventions",
    ):
        assert f". {heading}\n" in report, heading
    assert "**Question B — primary test**" in report and "**Published averages vs ours**" in report
    assert summary["calibration"]["n_replications"] == 100 and summary["recent_event"]["event_date"] > "2025-07-30"
    for horizon in summary["statistics"]["horizons"]:
        # the Question A table is the one whose rows carry a confidence interval "[low, high]"
        row = next(
            line
            for line in report.splitlines()
            if line.startswith(f"| {horizon['label']} | {horizon['n']} | ") and "[" in line
        )
        assert f"**{horizon['verdicts']['A']['outcome']}**" in row
    assert "**At publication.**" in report.split("## 1.")[0]


@pytest.mark.slow
def test_the_relative_test_against_spy_is_a_variant(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    relative = next(v for v in summary["variants"] if v["relative_to"] == "SPY")
    assert relative["series"] == "russell2000 / SPY" and relative["n_events"] > 0 and relative["primary"] is not None
    assert {h["label"] for h in relative["horizons"]} == set(summary["claim"]["horizons"])


@pytest.mark.slow
def test_the_articles_figures_are_checked_number_for_number(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    report = (regenerated / "report.md").read_text()
    facts = {fact["id"]: fact for fact in summary["facts"]}
    assert len(facts) == 6 and all(fact["statement"] in report for fact in facts.values())
    # the article said "Nasdaq": a Nasdaq figure is never silently replaced by another index
    assert facts["ytd_nasdaq"]["series"] == "NASDAQCOM" and facts["ytd_nasdaq"]["status"] == "not checkable"
    nasdaq_row = next(line for line in report.splitlines() if line.startswith("| Year to date the Nasdaq"))
    assert "DJI" not in nasdaq_row and "SPY" not in nasdaq_row
    # the old inequality checks ("gained more than", "trailed") are gone
    assert "fact_checks" not in summary and "gained more than the" not in report
    assert [row["source"] for row in summary["published"]] == ["Dow Jones Market Data", "LSEG/Reuters"]


def test_study_cli_lists_and_rejects_unknown_studies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study", "--list"]) == 0
    assert "russell2000-golden-cross" in capsys.readouterr().out
    assert main(["study", "no-such-study"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown study 'no-such-study'") and "\n" not in err


def test_the_spec_is_valid_and_names_the_study_folder() -> None:
    job = load_job(SPEC)
    assert (
        isinstance(job, ClaimJob)
        and job.narrative is not None
        and job.narrative.load() is load_study("russell2000-golden-cross").at_publication
    )
    spec = job.spec
    assert spec.name == SPEC.stem and study_target("russell2000-golden-cross", None) == ROOT / "results" / spec.name
    assert spec.judged_horizons() == ("3m", "6m", "9m", "12m") and spec.analysis.calibration > 0


def test_script_entry_point_runs_the_study_command(monkeypatch, tmp_path: Path) -> None:
    import backtest.cli
    from backtest.studies import run_as_script

    calls = []
    monkeypatch.setattr(backtest.cli, "main", lambda argv: calls.append(argv) or 0)
    script = ROOT / "studies" / "russell2000_golden_cross.py"
    assert run_as_script(script, ["--output-dir", str(tmp_path), "--seed", "7"]) == 0
    assert calls == [["study", "russell2000-golden-cross", "--output-dir", str(tmp_path), "--seed", "7"]]


def test_study_cli_with_missing_data_dir_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out"
    code = main(
        ["study", "russell2000-golden-cross", "--data-dir", str(tmp_path / "nowhere"), "--output-dir", str(output)]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and str(tmp_path / "nowhere") in err
    assert not output.exists()
