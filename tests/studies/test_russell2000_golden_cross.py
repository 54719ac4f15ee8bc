"""The headline study: reproducible outputs, numbers traceable to summary.json/events.csv,
atomic writes, and the study CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from backtest.cli import main
from backtest.study_runner import load_study

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_golden_cross"


@pytest.fixture(scope="module")
def study_module():
    return load_study("russell2000-golden-cross")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory, study_module) -> Path:
    """The study run from scratch with its defaults into a temporary directory."""
    output = tmp_path_factory.mktemp("study") / "russell2000_golden_cross"
    study_module.run(None, output)
    return output


@pytest.mark.parametrize("name", ["summary.json", "events.csv"])
@pytest.mark.slow
def test_regenerated_machine_readable_results_equal_the_committed_ones(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (COMMITTED / name).read_bytes(), (
        f"{name} differs from results/russell2000_golden_cross/{name}: regenerate it with "
        "`backtest study russell2000-golden-cross` and commit the result"
    )


@pytest.mark.slow
def test_all_outputs_are_written(regenerated: Path) -> None:
    expected = {"report.md", "report.html", "events.csv", "summary.json", "SCHEMA.md", "index_golden_crosses.png",
                "event_paths.png", "null_distributions.png", "hit_rates.png"}
    assert expected <= {p.name for p in regenerated.iterdir()}
    html = (regenerated / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4 and 'src="event_paths.png"' not in html


def _formatted_values(summary: dict, events: pd.DataFrame) -> set[str]:
    """Every way the report formats a number that exists in summary.json or events.csv."""
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
            out.add(f"{value * 100:+.{digits}f}")
        for digits in (0, 1, 2, 3, 6):
            out.add(f"{value:,.{digits}f}")
        out.add(f"{abs(value):,.1f}")
        out.add(f"{value:.2e}")
    return out


@pytest.mark.slow
def test_every_percentage_and_p_value_in_the_report_comes_from_the_outputs(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    events = pd.read_csv(regenerated / "events.csv")
    known = _formatted_values(summary, events)
    report = (regenerated / "report.md").read_text()
    # the verdict-rules text quotes thresholds, not results
    report = report.split("### Verdict rules")[0] + report.split("## 6. Robustness")[1]
    percentages = re.findall(r"[+-]?\d[\d,]*\.?\d*%", report)
    p_values = re.findall(r"(?:p = |p=)(\d\.\d{3})", report)
    assert len(percentages) > 300 and len(p_values) > 20
    missing = sorted({token for token in percentages + p_values if token not in known})
    assert not missing, f"numbers in report.md not found in summary.json/events.csv: {missing[:20]}"


@pytest.mark.slow
def test_report_states_the_verdicts_of_summary_json(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    report = (regenerated / "report.md").read_text()
    assert f"Verdict on the claim: {summary['conclusion']['overall']}" in report
    for horizon in summary["statistics"]["horizons"]:
        # the Question A table is the one whose rows carry a confidence interval "[low, high]"
        row = next(line for line in report.splitlines()
                   if line.startswith(f"| {horizon['label']} | {horizon['n']} | ") and "[" in line)
        assert f"**{horizon['verdicts']['A']['outcome']}**" in row
    for check in summary["fact_checks"]:
        assert check["statement"] in report and check["status"] in ("confirmed", "not confirmed")


def test_interrupted_run_leaves_the_previous_results_untouched(tmp_path: Path, study_module, monkeypatch) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "summary.json").write_text("previous")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    # interrupt the last step, after every other file was staged
    monkeypatch.setattr("backtest.report.outputs.markdown_to_html", interrupted)
    outputs = study_module.StudyOutputs(summary={"a": 1}, events=pd.DataFrame({"x": [1]}), figures={"f.png": b"png"},
                                        report_markdown="# r\n")
    with pytest.raises(KeyboardInterrupt):
        study_module.write(outputs, output)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in output.iterdir()] == ["summary.json"]
    assert (output / "summary.json").read_text() == "previous"


def test_study_cli_lists_and_rejects_unknown_studies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study", "--list"]) == 0
    assert "russell2000-golden-cross" in capsys.readouterr().out
    assert main(["study", "no-such-study"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown study 'no-such-study'") and "\n" not in err


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
    code = main(["study", "russell2000-golden-cross", "--data-dir", str(tmp_path / "nowhere"), "--output-dir", str(output)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and str(tmp_path / "nowhere") in err
    assert not output.exists()
