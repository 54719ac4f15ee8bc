"""`backtest study --list` and `backtest study all`, on a temporary studies folder of tiny
fake studies (one failing) so that the batch logic is tested without running real studies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import backtest.study_runner
from backtest._io import report_directory
from backtest.cli import main
from backtest.study_runner import StudyFailedError, available_studies, describe_study, run_studies

ROOT = Path(__file__).resolve().parents[2]

_OK = '''\
"""{doc}"""

from pathlib import Path

from backtest._io import atomic_write_text, report_directory

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "{name}"


def run(data_dir=None, output_dir=DEFAULT_OUTPUT, *, seed=7, n_draws=10, n_paths=0, step=lambda _: None):
    step("writing")
    with report_directory(output_dir, kind="study") as staging:
        atomic_write_text(staging / "summary.json", f"seed={{seed}} n_draws={{n_draws}} n_paths={{n_paths}}\\n")
    return Path(output_dir)
'''

_FAILS = '''\
"""A study that breaks half-way through writing."""

from pathlib import Path

from backtest._io import atomic_write_text, report_directory
{imports}
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "b_fails"


def run(data_dir=None, output_dir=DEFAULT_OUTPUT, *, seed=7, n_draws=10, n_paths=0, step=lambda _: None):
    with report_directory(output_dir, kind="study") as staging:
        atomic_write_text(staging / "summary.json", "half\\n")
        raise {error}
'''


def _write_studies(folder: Path, error: str = 'RuntimeError("boom\\nsecond line")', imports: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a_ok.py").write_text(_OK.format(doc="First fake study: writes one file.", name="a_ok"))
    (folder / "b_fails.py").write_text(_FAILS.format(error=error, imports=imports))
    (folder / "c_ok.py").write_text(
        _OK.format(doc="Third fake study, with a first sentence\nwrapped over two lines.", name="c_ok")
    )
    (folder / "_helper.py").write_text('"""Not a study: private modules are skipped."""\n')
    return folder


@pytest.fixture
def fake_studies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = _write_studies(tmp_path / "studies")
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    return folder


def test_list_shows_every_study_with_its_one_line_description(
    fake_studies: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["study", "--list"]) == 0
    out = capsys.readouterr().out
    assert "3 studies in" in out and "backtest study all" in out and "_helper" not in out
    assert re.search(r"^  a-ok +First fake study: writes one file\.$", out, re.MULTILINE)
    assert "Third fake study, with a first sentence wrapped over two lines." in out
    assert main(["study"]) == 0 and "b-fails" in capsys.readouterr().out


def test_list_of_the_real_studies_has_a_description_for_each(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per study, as the pattern below reads it
    assert main(["study", "--list"]) == 0
    out = capsys.readouterr().out
    for name, path in available_studies().items():
        description = describe_study(path)
        assert description and re.search(rf"^  {re.escape(name)} +{re.escape(description)}$", out, re.MULTILINE)
    assert {"russell2000-golden-cross", "peers-golden-cross", "russell2000-ma-strategy"} <= set(available_studies())
    for name in ("peers-golden-cross", "russell2000-ma-strategy", "russell2000-ma-sweep"):
        assert backtest.study_runner.study_target(name, None) == ROOT / "results" / name.replace("-", "_")
    # every study is a spec; a Python file beside one holds only its hooks, never a second study
    assert {path.suffix for path in available_studies().values()} == {".toml"}


def test_all_stops_at_the_first_failure_with_one_line_naming_it(
    fake_studies: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out"
    with report_directory(output / "b_fails", kind="study") as staging:  # a previous report of b_fails
        (staging / "summary.json").write_text("previous\n")
    code = main(["study", "all", "--output-dir", str(output)])
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert code == 1 and "\n" not in err and "Traceback" not in captured.err
    assert err == (
        "error: study 'b-fails' failed (2 of 3; 1 written before it, 1 not run): RuntimeError: boom second line"
    )
    assert (output / "a_ok" / "summary.json").read_text() == "seed=7 n_draws=10 n_paths=0\n"  # the study's defaults
    assert (output / "b_fails" / "summary.json").read_text() == "previous\n"  # atomic: the old report stays
    assert not (output / "c_ok").exists()
    assert sorted(p.name for p in output.iterdir()) == ["a_ok", "b_fails"]  # no staging leftovers
    assert sorted(p.name for p in (output / "b_fails").iterdir()) == [".backtest-manifest.json", "summary.json"]


def test_all_regenerates_every_study_in_name_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _write_studies(tmp_path / "studies")
    (folder / "b_fails.py").unlink()
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    monkeypatch.chdir(tmp_path)
    assert main(["study", "all"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("writing to results/ (a_ok, c_ok)\n")
    assert out.index("(a-ok)") < out.index("(c-ok)") and "regenerated 2 studies" in out
    for name in ("a_ok", "c_ok"):  # each into ./results/<its folder name>, relative to the current directory
        assert (tmp_path / "results" / name / "summary.json").read_text() == "seed=7 n_draws=10 n_paths=0\n"
    assert main(["study", "all", "--output-dir", str(tmp_path / "o"), "--seed", "3", "--draws", "50"]) == 0
    assert (tmp_path / "o" / "c_ok" / "summary.json").read_text() == "seed=3 n_draws=50 n_paths=0\n"


def test_a_user_error_in_a_study_keeps_its_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _write_studies(
        tmp_path / "studies",
        error='DataNotFoundError("no data in /nowhere")',
        imports="from backtest.errors import DataNotFoundError\n",
    )
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    assert main(["study", "all", "--output-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().endswith("DataNotFoundError: no data in /nowhere")
    with pytest.raises(StudyFailedError) as caught:
        run_studies(["b-fails"], output_root=tmp_path / "again")
    assert caught.value.study == "b-fails" and isinstance(caught.value.__cause__, Exception)


def test_a_single_study_still_runs_by_name(
    fake_studies: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "single"
    assert main(["study", "c-ok", "--output-dir", str(output), "--paths", "5"]) == 0
    assert (output / "c_ok" / "summary.json").read_text() == "seed=7 n_draws=10 n_paths=5\n"
    out = capsys.readouterr().out
    assert out.startswith(f"writing to {output / 'c_ok'}/\n") and f"wrote {output / 'c_ok'}" in out
    assert main(["study", "no-such-study"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown study 'no-such-study'; available: a-ok, b-fails, c-ok")


def test_no_studies_at_all_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", tmp_path / "empty")
    assert main(["study", "all"]) == 2
    assert "no studies to run" in capsys.readouterr().err
    assert main(["study", "--list"]) == 0
    assert "no studies found in" in capsys.readouterr().out
