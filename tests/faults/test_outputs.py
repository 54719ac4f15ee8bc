"""Output safety: what every writing command does with folders and files it did not write,
with another report's folder, with paths it cannot create, with debris of killed runs and
with two writers finishing at once. Each refusal is checked for its exit code, its one-line
message and that every byte that existed before is still there (``snapshot_tree``)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import backtest._io
import backtest.studies
import backtest.study_runner
from backtest._io import MANIFEST_FILE, STAGING_MARKER, read_manifest, report_directory
from backtest.cli import main
from backtest.errors import OutputError
from tests.faults.conftest import snapshot_tree

SMALL_SWEEP = ["--fast", "10:11", "--slow", "50:51", "--reps", "0", "--null-draws", "0"]
STUDY = "russell2000-golden-cross"
STUDY_FOLDER = "russell2000_golden_cross"
SWEEP_FOLDER = "russell2000_sma_golden_sweep"  # the default --name of a sweep on russell2000


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def write_report(folder: Path, files: dict[str, str], kind: str = "study", name: str | None = None) -> Path:
    """A report folder written through the library, as a command would."""
    with report_directory(folder, kind=kind, name=name) as staging:
        for relative, text in files.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_text(text)
    return folder


# --- refusals before any work -------------------------------------------------------------------


def _foreign_files(root: Path, folder: str) -> None:
    (root / folder).mkdir(parents=True)
    (root / folder / "a.txt").write_text("mine\n")
    (root / folder / "b.csv").write_text("x,y\n1,2\n")


def _git_clone(root: Path, folder: str) -> None:
    (root / folder / ".git" / "objects").mkdir(parents=True)
    (root / folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / folder / "README.md").write_text("# my project\n")


def _study_report(root: Path, folder: str) -> None:
    write_report(root / folder, {"summary.json": "{}\n"}, kind="study")


def _sweep_report(root: Path, folder: str) -> None:
    write_report(root / folder, {"summary.json": "{}\n"}, kind="sweep")


def _file_at_target(root: Path, folder: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / folder).write_text("a file where the report folder goes\n")


STUDY_ARGS = ["study", STUDY]
SWEEP_ARGS = ["sweep", *SMALL_SWEEP]

FOLDER_REFUSALS = [
    # (id, command, target folder name, setup, fragments of the message)
    (
        "study-foreign-files",
        STUDY_ARGS,
        STUDY_FOLDER,
        _foreign_files,
        ["holds 2 entries not written by backtest: a.txt, b.csv", "--output-dir"],
    ),
    (
        "sweep-foreign-files",
        SWEEP_ARGS,
        SWEEP_FOLDER,
        _foreign_files,
        ["holds 2 entries not written by backtest: a.txt, b.csv", "--output-dir or --name"],
    ),
    (
        "study-git-clone",
        STUDY_ARGS,
        STUDY_FOLDER,
        _git_clone,
        ["holds 2 entries not written by backtest: .git, README.md"],
    ),
    (
        "sweep-git-clone",
        SWEEP_ARGS,
        SWEEP_FOLDER,
        _git_clone,
        ["holds 2 entries not written by backtest: .git, README.md"],
    ),
    (
        "sweep-onto-a-study",
        [*SWEEP_ARGS, "--name", STUDY_FOLDER],
        STUDY_FOLDER,
        _study_report,
        [f"holds a study report named '{STUDY_FOLDER}', not a sweep report", "--overwrite"],
    ),
    (
        "study-onto-a-sweep",
        STUDY_ARGS,
        STUDY_FOLDER,
        _sweep_report,
        [f"holds a sweep report named '{STUDY_FOLDER}', not a study report", "--overwrite"],
    ),
    ("study-file-at-target", STUDY_ARGS, STUDY_FOLDER, _file_at_target, ["is a file, not a folder"]),
    ("sweep-file-at-target", SWEEP_ARGS, SWEEP_FOLDER, _file_at_target, ["is a file, not a folder"]),
    (
        "study-overwrite-never-takes-foreign-files",
        [*STUDY_ARGS, "--overwrite"],
        STUDY_FOLDER,
        _git_clone,
        ["not written by backtest: .git, README.md"],
    ),
    (
        "sweep-overwrite-never-takes-foreign-files",
        [*SWEEP_ARGS, "--overwrite"],
        SWEEP_FOLDER,
        _foreign_files,
        ["not written by backtest: a.txt, b.csv"],
    ),
    (
        "study-all-checks-every-target-first",
        ["study", "all"],
        STUDY_FOLDER,
        _foreign_files,
        [f"{STUDY_FOLDER} holds 2 entries"],
    ),
]


@pytest.mark.parametrize(
    "argv, folder, setup, fragments", [case[1:] for case in FOLDER_REFUSALS], ids=[case[0] for case in FOLDER_REFUSALS]
)
def test_a_folder_not_ours_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv, folder, setup, fragments
) -> None:  # type: ignore[no-untyped-def]
    parent = tmp_path / "results"
    setup(parent, folder)
    before = snapshot_tree(tmp_path)
    code, out, err = run_cli([*argv, "--output-dir", str(parent)], capsys)
    assert code == 2
    assert_one_error_line(err, str(parent / folder), *fragments)
    assert out == ""  # refused before it announced (or computed) anything
    assert snapshot_tree(tmp_path) == before


def _parent_is_a_file(tmp_path: Path) -> Path:
    (tmp_path / "results").write_text("not a folder\n")
    return tmp_path / "results"


def _ancestor_is_a_file(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("not a folder\n")
    return tmp_path / "notes.txt" / "deeper" / "results"


def _under_proc(tmp_path: Path) -> Path:
    return Path("/proc/backtest-no-such-folder/results")


UNCREATABLE = [
    ("parent-is-a-file", _parent_is_a_file, "is a file, not a folder"),
    ("ancestor-is-a-file", _ancestor_is_a_file, "is a file, not a folder"),
    ("under-proc", _under_proc, "cannot write in /proc"),
]


@pytest.mark.parametrize("argv", [STUDY_ARGS, SWEEP_ARGS], ids=["study", "sweep"])
@pytest.mark.parametrize("make_parent, fragment", [case[1:] for case in UNCREATABLE], ids=[c[0] for c in UNCREATABLE])
def test_an_output_dir_that_cannot_be_created_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv, make_parent, fragment
) -> None:  # type: ignore[no-untyped-def]
    parent = make_parent(tmp_path)
    before = snapshot_tree(tmp_path)
    code, out, err = run_cli([*argv, "--output-dir", str(parent)], capsys)
    assert code == 2
    if fragment == "is a file, not a folder" and parent.name == "results" and parent.is_file():
        # click rejects an --output-dir that is a file itself (file_okay=False): still one line, exit 2
        assert_one_error_line(err, str(parent))
    else:
        assert_one_error_line(err, fragment)
    assert out == "" and snapshot_tree(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders: permission bits do not stop it")
def test_a_read_only_parent_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parent = tmp_path / "results"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        code, _, err = run_cli([*SWEEP_ARGS, "--output-dir", str(parent)], capsys)
    finally:
        parent.chmod(0o755)
    assert code == 2
    assert_one_error_line(err, "cannot write in")


SINGLE_FILES = [
    ("events-csv", ["events", "--csv"]),
    ("bench-montecarlo", ["bench", "montecarlo", "--draws", "10", "--output"]),
    ("bench-sweep", ["bench", "sweep", "--skip-vectorbt", "--skip-full", "--skip-arch", "--output"]),
    ("bench-scaling", ["bench", "scaling", "--output"]),
    ("bench-study", ["bench", "study", "--output"]),
    ("calibration-csv", ["calibrate", "--replications", "2", "--output"]),
]


@pytest.mark.parametrize("argv", [case[1] for case in SINGLE_FILES], ids=[case[0] for case in SINGLE_FILES])
def test_a_single_file_not_ours_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "mine.json"
    target.write_text('{"my": "own numbers"}\n')
    before = snapshot_tree(tmp_path)
    code, out, err = run_cli([*argv, str(target)], capsys)
    assert code == 2
    assert_one_error_line(err, f"{target} exists and was not written by backtest", "--overwrite")
    assert out == "" and snapshot_tree(tmp_path) == before


@pytest.mark.parametrize("argv", [case[1] for case in SINGLE_FILES], ids=[case[0] for case in SINGLE_FILES])
def test_a_single_file_under_proc_is_refused_before_any_work(capsys: pytest.CaptureFixture[str], argv) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_cli([*argv, "/proc/backtest-no-such-folder/out.json"], capsys)
    assert code == 2
    assert_one_error_line(err, "cannot write in /proc")
    assert out == ""


def test_events_csv_onto_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out.csv").mkdir()
    (tmp_path / "out.csv" / "keep.txt").write_text("keep\n")
    before = snapshot_tree(tmp_path)
    code, _, err = run_cli(["events", "--csv", str(tmp_path / "out.csv")], capsys)
    assert code == 2
    assert_one_error_line(err, "out.csv")
    assert snapshot_tree(tmp_path) == before


# --- what a command may replace, and what survives ---------------------------------------------------


def test_events_csv_replaces_its_own_file_and_a_foreign_one_only_with_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], russell2000
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "events.csv"
    argv = ["events", "--since", "2015-01-01", "--csv", str(target)]
    code, out, _ = run_cli(argv, capsys)
    assert code == 0 and out.startswith(f"writing to {target}\n")
    first = target.read_bytes()
    assert run_cli(argv, capsys)[0] == 0 and target.read_bytes() == first  # its own file: replaced silently
    target.write_text("my,own\n1,2\n")
    assert run_cli(argv, capsys)[0] == 2 and target.read_text() == "my,own\n1,2\n"
    assert run_cli([*argv, "--overwrite"], capsys)[0] == 0 and target.read_bytes() == first


def test_a_user_file_inside_a_report_survives_regeneration_byte_for_byte(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "report", {"summary.json": "old\n", "figures/a.png": "old png"})
    (folder / "notes.md").write_text("my notes\n")
    (folder / "figures" / "mine.png").write_bytes(b"\x89PNG mine")
    (folder / "extra").mkdir()
    (folder / "extra" / "deep.txt").write_text("deep\n")
    mine = {
        key: value for key, value in snapshot_tree(folder).items() if key.startswith(("notes", "extra", "figures/m"))
    }
    write_report(folder, {"summary.json": "new\n", "figures/b.png": "new png"})
    after = snapshot_tree(folder)
    assert {key: after[key] for key in mine} == mine
    assert (folder / "summary.json").read_text() == "new\n"
    assert not (folder / "figures" / "a.png").exists()  # listed in the old manifest: replaced
    assert set(read_manifest(folder).files) == {"summary.json", "figures/b.png"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_overwrite_replaces_the_listed_files_of_another_kind_and_keeps_the_rest(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "name", {"summary.json": "study\n", "events.csv": "e\n"}, kind="study")
    (folder / "mine.txt").write_text("mine\n")
    with pytest.raises(OutputError, match="holds a study report named 'name', not a sweep report"):
        write_report(folder, {"summary.json": "sweep\n"}, kind="sweep")
    assert (folder / "summary.json").read_text() == "study\n"
    write_report_overwriting = backtest._io.overwriting
    with write_report_overwriting():
        write_report(folder, {"summary.json": "sweep\n"}, kind="sweep")
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST_FILE, "mine.txt", "summary.json"]
    assert read_manifest(folder).kind == "sweep" and (folder / "mine.txt").read_text() == "mine\n"


def test_a_user_file_in_the_way_of_a_new_report_file_stops_the_commit_and_changes_nothing(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "report", {"summary.json": "old\n"})
    (folder / "events.csv").write_text("my own table\n")
    before = snapshot_tree(tmp_path)
    with pytest.raises(OutputError, match="events.csv was not written by backtest"):
        write_report(folder, {"summary.json": "new\n", "events.csv": "report table\n"})
    assert snapshot_tree(tmp_path) == before


def test_output_dir_dot_means_a_report_folder_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _fake_study(tmp_path)
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "unrelated.txt").write_text("stays\n")
    monkeypatch.chdir(tmp_path / "work")
    code, out, err = run_cli(["study", "tiny", "--output-dir", "."], capsys)
    assert code == 0 and err == "" and out.splitlines()[0] == "writing to tiny/"
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["tiny", "unrelated.txt"]
    assert read_manifest(tmp_path / "work" / "tiny").files.keys() == {"summary.json"}


def test_the_default_output_dir_is_results_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _fake_study(tmp_path)
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    monkeypatch.chdir(tmp_path)
    assert backtest.studies.run_as_script(folder / "tiny.py", []) == 0
    assert (tmp_path / "results" / "tiny" / "summary.json").read_text() == "seed=1\n"
    assert capsys.readouterr().out.startswith("writing to results/tiny/\n")


def test_the_manifest_is_deterministic_and_names_no_absolute_path(tmp_path: Path) -> None:
    files = {"b.txt": "b\n", "a/c.txt": "c\n"}
    first = write_report(tmp_path / "one" / "report", files)
    second = write_report(tmp_path / "two" / "report", files)
    text = (first / MANIFEST_FILE).read_bytes()
    assert text == (second / MANIFEST_FILE).read_bytes() and str(tmp_path).encode() not in text
    payload = json.loads(text)
    assert list(payload) == ["tool", "format", "kind", "name", "files"]
    assert list(payload["files"]) == ["a/c.txt", "b.txt"]
    assert payload["files"]["b.txt"] == snapshot_tree(first)["b.txt"]


# --- interruptions, debris, races --------------------------------------------------------------------


def test_ctrl_c_while_staging_leaves_the_old_report_untouched_and_no_debris(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "report", {"summary.json": "old\n"})
    before = snapshot_tree(tmp_path)
    with pytest.raises(KeyboardInterrupt), report_directory(folder, kind="study") as staging:
        (staging / "summary.json").write_text("half")
        raise KeyboardInterrupt
    assert snapshot_tree(tmp_path) == before


def test_ctrl_c_mid_write_in_the_cli_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _fake_study(tmp_path, body="raise KeyboardInterrupt")
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    output = tmp_path / "out"
    write_report(output / "tiny", {"summary.json": "old\n"})
    before = snapshot_tree(output)
    code, _, err = run_cli(["study", "tiny", "--output-dir", str(output)], capsys)
    assert code == 130 and err.strip() == "aborted: no results were written"  # click turns Ctrl-C into Abort
    assert snapshot_tree(output) == before


def _stale_staging(parent: Path, name: str, suffix: str = "dead") -> Path:
    """A staging folder as a killed writer leaves it: marker present, its lock released."""
    staging = parent / f".{name}.{suffix}.partial"
    staging.mkdir(parents=True)
    (staging / STAGING_MARKER).write_text('{"tool": "backtest", "pid": 999999}\n')
    (staging / "summary.json").write_text("half\n")
    return staging


def test_the_next_run_removes_stale_debris_of_its_own_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_report(tmp_path / "report", {"summary.json": "old\n"})
    _stale_staging(tmp_path, "report", "killed1")
    swapped_out = tmp_path / ".report.killed2.partial"  # an old report, swapped out, never deleted
    write_report(swapped_out, {"summary.json": "older\n"})
    not_ours = tmp_path / ".report.other.partial"
    not_ours.mkdir()
    (not_ours / "keep.txt").write_text("not ours\n")
    capsys.readouterr()
    write_report(folder, {"summary.json": "new\n"})
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "removed 2 stale staging folder(s)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.other.partial", "report"]
    assert (not_ours / "keep.txt").read_text() == "not ours\n"


def test_a_live_writer_staging_folder_is_never_taken_for_debris(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "report", {"summary.json": "old\n"})
    with report_directory(folder, kind="study") as slow_staging:
        (slow_staging / "summary.json").write_text("slow\n")
        write_report(folder, {"summary.json": "fast\n"})  # another writer commits meanwhile
        assert slow_staging.exists()
    assert (folder / "summary.json").read_text() == "slow\n"  # the last complete one wins
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_without_an_atomic_exchange_the_two_rename_fallback_keeps_user_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(backtest._io, "_exchange", lambda first, second: False)
    folder = write_report(tmp_path / "report", {"summary.json": "old\n"})
    (folder / "mine.txt").write_text("mine\n")
    write_report(folder, {"summary.json": "new\n"})
    assert (folder / "summary.json").read_text() == "new\n" and (folder / "mine.txt").read_text() == "mine\n"
    # a run killed between the two renames leaves only the backup: the next run restores it first
    backup = tmp_path / ".report.killed.old"
    os.rename(folder, backup)
    write_report(tmp_path / "report", {"summary.json": "newer\n"})
    assert "restored" in capsys.readouterr().err
    assert (folder / "mine.txt").read_text() == "mine\n" and (folder / "summary.json").read_text() == "newer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_two_writers_finishing_at_once_both_succeed_and_never_mix(tmp_path: Path) -> None:
    trials = 300  # the old writer failed 222 of 300 such trials
    folder = tmp_path / "report"
    failures: list[BaseException] = []

    for trial in range(trials):
        barrier = threading.Barrier(2)

        def writer(label: str, trial: int = trial, barrier: threading.Barrier = barrier) -> None:
            try:
                with report_directory(folder, kind="study") as staging:
                    (staging / "summary.json").write_text(f"{label} {trial}\n")
                    (staging / "events.csv").write_text(f"{label} {trial}\n")
                    barrier.wait(timeout=30)  # both finish staging together, then commit at once
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=writer, args=(label,)) for label in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        texts = {(folder / name).read_text() for name in ("summary.json", "events.csv")}
        assert len(texts) == 1 and texts.pop() in (f"A {trial}\n", f"B {trial}\n")  # one writer's report whole
        assert set(read_manifest(folder).files) == {"summary.json", "events.csv"}
    assert failures == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


_KILLED_WRITER = textwrap.dedent("""\
    import sys
    from pathlib import Path

    from backtest._io import report_directory

    with report_directory(Path(sys.argv[1]), kind="study") as staging:
        (staging / "summary.json").write_text("new, never committed\\n")
        print("staged", flush=True)
        sys.stdin.readline()  # wait here until the test kills us
""")


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_writer_leaves_the_old_report_and_the_next_run_cleans_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], signal_number: int
) -> None:
    folder = write_report(tmp_path / "results" / "report", {"summary.json": "old\n"})
    (folder / "mine.txt").write_text("mine\n")
    before = snapshot_tree(folder)
    script = tmp_path / "writer.py"
    script.write_text(_KILLED_WRITER)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [sys.executable, str(script), str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "staged\n"
        process.send_signal(signal_number)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert snapshot_tree(folder) == before
    debris = [p.name for p in folder.parent.iterdir() if p.name != "report"]
    assert len(debris) == 1 and debris[0].endswith(".partial")
    capsys.readouterr()
    write_report(folder, {"summary.json": "next\n"})
    assert "removed 1 stale staging folder(s)" in capsys.readouterr().err
    assert sorted(p.name for p in folder.parent.iterdir()) == ["report"]
    assert (folder / "mine.txt").read_text() == "mine\n"


@pytest.mark.slow
def test_a_killed_cli_sweep_keeps_the_old_report_and_the_next_sweep_regenerates_it(tmp_path: Path) -> None:
    """The real command in a real process, killed while it computes (after its announcement)."""
    parent = tmp_path / "results"
    argv = [sys.executable, "-m", "backtest.cli", "sweep", *SMALL_SWEEP, "--output-dir", str(parent)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    first = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    before = snapshot_tree(parent)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == f"writing to {parent / SWEEP_FOLDER}/\n"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert {k: v for k, v in snapshot_tree(parent).items() if not k.startswith(".")} == before
    again = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in parent.iterdir()) == [SWEEP_FOLDER]  # the report, nothing beside it
    assert snapshot_tree(parent) == before  # same seed, same bytes, manifest included


# --- fake studies ----------------------------------------------------------------------------------


_TINY_STUDY = '''\
"""A tiny fake study: writes one file through the library."""

from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "tiny"


def run(data_dir=None, output_dir=DEFAULT_OUTPUT, *, seed=1, n_draws=10, n_paths=0, step=lambda _: None):
    from backtest._io import report_directory
    with report_directory(output_dir, kind="study") as staging:
        (staging / "summary.json").write_text(f"seed={{seed}}\\n")
        {body}
    return Path(output_dir)
'''


def _fake_study(tmp_path: Path, body: str = "pass") -> Path:
    folder = tmp_path / "studies"
    folder.mkdir(exist_ok=True)
    (folder / "tiny.py").write_text(_TINY_STUDY.format(body=body))
    return folder


# --- the committed results --------------------------------------------------------------------------

RESULTS = Path(__file__).resolve().parents[2] / "results"


# results/claims/ is the claims gallery: a parent of claim report folders (and its README.md)
# results/calibration/ holds stored calibrations (backtest.stats.calibration_cache), not reports
# results/pooled/ holds the pooled claims' report folders
_PARENTS = ("claims", "pooled")
_REPORT_FOLDERS = sorted(
    [p.name for p in RESULTS.iterdir() if p.is_dir() and p.name not in ("bench", "calibration", *_PARENTS)]
    + [f"{parent}/{p.name}" for parent in _PARENTS for p in (RESULTS / parent).iterdir() if p.is_dir()]
)


@pytest.mark.parametrize("folder", _REPORT_FOLDERS)
def test_every_committed_report_carries_a_manifest_that_matches_its_files(folder: str) -> None:
    manifest = read_manifest(RESULTS / folder)
    assert manifest is not None, f"results/{folder} has no {MANIFEST_FILE}: regenerate it with `backtest study`"
    kind = "claim" if folder.startswith(tuple(f"{parent}/" for parent in _PARENTS)) else "study"
    assert manifest.kind == kind and manifest.name == Path(folder).name
    tree = snapshot_tree(RESULTS / folder)
    assert {path: tree[path] for path in manifest.files if path in tree} == manifest.files


@pytest.mark.parametrize(
    "kind, name",
    [("bench-montecarlo", "montecarlo.json"), ("bench-sweep", "sweep.json"), ("bench-scaling", "scaling.json")],
)
def test_a_committed_bench_file_is_recognised_so_a_rerun_may_replace_it(kind: str, name: str) -> None:
    before = snapshot_tree(RESULTS / "bench")
    assert backtest._io.preflight(RESULTS / "bench" / name, kind, overwrite=False) == RESULTS / "bench" / name
    with pytest.raises(OutputError, match="was not written by backtest"):  # not another benchmark's file
        other = "sweep.json" if name != "sweep.json" else "scaling.json"
        backtest._io.preflight(RESULTS / "bench" / other, kind, overwrite=False)
    assert snapshot_tree(RESULTS / "bench") == before  # the probe file is gone again


# --- a report writes nothing outside its folder (plotly.js and figures are in the page) -------


def _outside_references(page: str) -> list[str]:
    """Every src/href of a page's elements (not of its scripts' code) that is not a data: URI,
    an #anchor or an http(s) address."""
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", page, flags=re.DOTALL | re.IGNORECASE)
    values = re.findall(r"""<[^>]*?\b(?:src|href)\s*=\s*["']?([^"' >]*)""", markup, flags=re.IGNORECASE)
    return [v for v in values if not v.startswith(("data:", "#", "http:", "https:"))]


def test_a_sweep_into_a_subfolder_of_results_writes_only_there_and_its_page_needs_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = tmp_path / "results"
    (parent / "mine").mkdir(parents=True)
    (parent / "mine" / "notes.txt").write_text("mine\n")
    before = snapshot_tree(parent)
    code, _, err = run_cli(["sweep", *SMALL_SWEEP, "--output-dir", str(parent / "sub")], capsys)
    assert code == 0, err
    after = snapshot_tree(parent)
    assert {k: v for k, v in after.items() if not k.startswith("sub")} == before  # nothing beside it
    page = (parent / "sub" / SWEEP_FOLDER / "summary.html").read_text()
    assert _outside_references(page) == [] and "plotly.js (cartesian - minified) v" in page


def test_a_claim_report_references_no_file_outside_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = Path(__file__).resolve().parents[2] / "studies" / "claims" / "rsi_oversold.toml"
    out = tmp_path / "results" / "claims"
    code, _, err = run_cli(
        ["claim", "run", str(spec), "--output-dir", str(out), "--draws", "20", "--paths", "0", "--power-paths", "10"],
        capsys,
    )
    assert code == 0, err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_dir()) == [
        "results",
        "results/claims",
        "results/claims/rsi_oversold",
    ]
    page = (out / "rsi_oversold" / "report.html").read_text()
    assert _outside_references(page) == [] and page.count('class="plotly-graph-div"') >= 3


@pytest.fixture(scope="module")
def rsi_oversold_result(data_dir: Path) -> Any:
    """The gallery's RSI claim run in memory (few draws, no path null), for reports to write."""
    from backtest.claims import load_spec
    from backtest.claims.run import run_claim

    spec = load_spec(Path(__file__).resolve().parents[2] / "studies" / "claims" / "rsi_oversold.toml")
    return run_claim(spec, data_dir=data_dir, n_draws=20, n_paths=0, n_power_paths=10)


@pytest.mark.parametrize("setup", [_foreign_files, _study_report], ids=["foreign-files", "study-report"])
def test_claim_result_report_on_a_refused_target_creates_nothing(
    tmp_path: Path, rsi_oversold_result: Any, setup: Callable[[Path, str], None]
) -> None:
    result = rsi_oversold_result
    setup(tmp_path / "results", "report")
    before = snapshot_tree(tmp_path)
    with pytest.raises(OutputError, match="results/report"):
        result.report(tmp_path / "results" / "report")
    assert snapshot_tree(tmp_path) == before
    written = result.report(tmp_path / "elsewhere" / "report")
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["report"]
    assert (written / "report.html").is_file() and snapshot_tree(tmp_path / "results") == {
        k.removeprefix("results/"): v for k, v in before.items() if k.startswith("results/")
    }
