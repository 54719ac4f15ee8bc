"""The one writer of report folders: what ``backtest.report`` rendered, byte for byte, staged
and swapped in, never over a folder the tool did not write."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from backtest._io import MANIFEST_FILE
from backtest.claims.outputs import write_report, write_report_directory
from backtest.errors import OutputError
from backtest.report.outputs import ReportFiles, report_files


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST_FILE
    }


def test_write_report_writes_exactly_the_rendered_files(tmp_path: Path) -> None:
    files = ReportFiles({"summary.md": "# é\n", "pairs/a.parquet": b"PAR1\x00PAR1", "table.csv": "a,b\n1,2\n"})
    target = write_report(files, tmp_path / "report", kind="sweep")
    assert _tree(target) == {
        "summary.md": "# é\n".encode(),
        "pairs/a.parquet": b"PAR1\x00PAR1",
        "table.csv": b"a,b\n1,2\n",
    }
    manifest = json.loads((target / MANIFEST_FILE).read_text())
    assert (manifest["kind"], manifest["name"]) == ("sweep", "report")
    assert manifest["files"]["pairs/a.parquet"] == hashlib.sha256(b"PAR1\x00PAR1").hexdigest()


def test_write_report_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not written by backtest"):
        write_report(ReportFiles({"summary.md": "x"}), target, kind="sweep")
    assert _tree(target) == {"notes.txt": b"mine"}


def test_rendering_touches_no_disk_and_the_study_folder_is_its_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    rendered = report_files(
        title="T", report_markdown="# T\n", summary={"a": 1}, files={"events.csv": "x\n"}, figures={"f.png": b"\x89PNG"}
    )
    assert list(tmp_path.iterdir()) == []
    assert list(rendered) == ["f.png", "summary.json", "events.csv", "report.md", "report.html"]
    assert rendered.text("summary.json") == '{\n  "a": 1\n}\n'
    with pytest.raises(TypeError):
        rendered.files["x"] = "y"  # type: ignore[index]
    target = write_report_directory(
        tmp_path / "study",
        title="T",
        report_markdown="# T\n",
        summary={"a": 1},
        files={"events.csv": "x\n"},
        figures={"f.png": b"\x89PNG"},
    )
    assert _tree(target) == {
        name: content.encode() if isinstance(content, str) else content for name, content in rendered.files.items()
    }
