"""The study runner: a study script run as a program is that study, never imported a second time."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import backtest.study_runner
from backtest.errors import ParameterError
from backtest.study_runner import load_study

# Appends its module name to executions.txt beside it each time its code runs, and writes one
# file through the library when the study runs.
COUNTING_STUDY = '''\
"""A study that records each execution of its module code."""

import sys
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "counting"
with Path(__file__).with_name("executions.txt").open("a") as executions:
    executions.write(__name__ + "\\n")


def run(data_dir=None, output_dir=DEFAULT_OUTPUT, *, seed=1, n_draws=10, n_paths=0, step=lambda _: None):
    from backtest._io import report_directory

    with report_directory(output_dir, kind="study") as staging:
        (staging / "summary.json").write_text(f"seed={seed}\\n")
    return Path(output_dir)


if __name__ == "__main__":
    from backtest.studies import run_as_script

    sys.exit(run_as_script(__file__))
'''


@pytest.fixture
def studies(tmp_path: Path) -> Path:
    folder = tmp_path / "studies"
    folder.mkdir()
    (folder / "counting.py").write_text(COUNTING_STUDY)
    return folder


def executions(folder: Path) -> list[str]:
    return (folder / "executions.txt").read_text().splitlines()


def test_a_study_run_as_a_script_executes_its_module_once(studies: Path, tmp_path: Path) -> None:
    """``python studies/<name>.py`` goes through the CLI, which finds the running script
    instead of importing the file again."""
    env = {**os.environ, "BACKTEST_STUDIES_DIR": str(studies)}
    done = subprocess.run(
        [sys.executable, str(studies / "counting.py"), "--output-dir", str(tmp_path / "out"), "--seed", "7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert executions(studies) == ["__main__"]
    assert (tmp_path / "out" / "counting" / "summary.json").read_text() == "seed=7\n"


def test_load_study_returns_the_running_script_and_imports_any_other(
    studies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", studies)
    running = types.ModuleType("__main__")
    running.__file__ = str(studies / "counting.py")
    monkeypatch.setitem(sys.modules, "__main__", running)
    assert load_study("counting") is running
    assert not (studies / "executions.txt").exists()

    running.__file__ = str(studies / "elsewhere.py")
    imported = load_study("counting")
    assert imported is not running and imported.DEFAULT_OUTPUT.name == "counting"
    assert executions(studies) == ["backtest_study_counting"]


def test_a_spec_is_a_study_and_the_python_file_beside_it_only_its_hooks(
    studies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", studies)
    (studies / "with_hooks.toml").write_text('[job]\nkind = "sweep"\n[sweep]\nseries = "russell2000"\n')
    (studies / "with_hooks.py").write_text("def paragraph(result):\n    return ''\n")
    (studies / "spec_only.toml").write_text('[job]\nkind = "sweep"\n[sweep]\nseries = "russell2000"\n')
    (studies / "_private.py").write_text("")
    found = backtest.study_runner.available_studies()
    assert found == {
        "counting": studies / "counting.py",  # a script of its own, with no spec beside it
        "spec-only": studies / "spec_only.toml",
        "with-hooks": studies / "with_hooks.toml",
    }
    assert callable(load_study("with-hooks").paragraph)
    with pytest.raises(ParameterError, match="'spec-only' is a spec with no Python file beside it"):
        load_study("spec-only")
    root = studies.parent / "out"
    assert backtest.study_runner.study_target("with-hooks", root) == root / "with_hooks"
    monkeypatch.chdir(studies.parent)  # outside a checkout: results/ under the current directory
    assert backtest.study_runner.study_target("spec-only", None) == studies.parent / "results" / "spec_only"
