"""`backtest claim run` prints its answer as soon as the statistics are done, before the
report (figures, pages) is written: the answer a user waits for does not wait for the
figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.cli import claim as claim_cli
from backtest.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_answer_is_printed_before_the_report_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    printed_before: list[str] = []
    write = claim_cli._write_claim_report

    def recording_write(result, drawn, target, overwrite):  # type: ignore[no-untyped-def]
        printed_before.append(capsys.readouterr().out)
        return write(result, drawn, target, overwrite)

    monkeypatch.setattr(claim_cli, "_write_claim_report", recording_write)
    spec = ROOT / "studies" / "claims" / "vix_above_30.toml"
    sizes = ["--draws", "50", "--paths", "0", "--power-paths", "0"]
    assert main(["claim", "run", str(spec), "--output-dir", str(tmp_path), *sizes]) == 0
    (before,) = printed_before
    assert "\nVerdict: " in before  # after the announced output folder, before any file of it
    after = capsys.readouterr().out
    assert "Verdict" not in after and after.startswith("wrote ")
    assert (tmp_path / "vix_above_30" / "report.html").is_file()
