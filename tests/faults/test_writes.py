"""Writes only where the tool may, and one clear line when the system refuses one.

An audit of every call in the package that creates, replaces or deletes a file, each with why
it is safe; the gallery's index and the built-in dataset never replace a file the tool did
not write; a report file the user edited is kept aside; a full disk, a file-size limit, a name
too long, a dangling link, a FIFO, an ASCII terminal, a scheduler that never answers or
speaks another protocol and a machine without a network each give one ``error:`` line and
a distinct exit status (``backtest.errors``), with the previous output intact.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import backtest
from backtest._io import FILE_RECOGNISERS, MANIFEST_FILE, preflight, read_manifest, report_directory
from backtest.claims.gallery import index_markdown
from backtest.data import builtin, clear_cache, sources
from backtest.data import update as update_module
from backtest.errors import DataError, NetworkError, OutputError, OutputWriteError, ServiceError
from backtest.sweep.executors import make_executor
from tests.faults.conftest import snapshot_tree

PACKAGE = Path(backtest.__file__).resolve().parent
PROJECT = PACKAGE.parent
WAVE = ["--series", "data/yahoo/WAVE.csv"]
EVENTS = ["events", *WAVE, "--fast", "5", "--slow", "20"]
SWEEP = ["sweep", *WAVE, "--fast", "5:6", "--slow", "20:21", "--reps", "0", "--null-draws", "0"]


def error_line(err: str, *fragments: str) -> str:
    """The one ``error:`` line of ``err`` (the data and estimate lines aside), with ``fragments``."""
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith(("data:", "estimate:"))]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


# --- the audit: every call that writes, replaces or deletes a file ----------------------------

WRITING_METHODS = {
    "write_text",
    "write_bytes",
    "to_csv",
    "to_json",
    "to_html",
    "to_parquet",
    "to_feather",
    "to_excel",
    "to_pickle",
    "write_table",
    "savefig",
    "write_html",
    "write_image",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_files",
    "exclusive_write_bytes",
    "unlink",
    "rmdir",
    "symlink_to",
    "hardlink_to",
}
"""Calls that write (or delete) whatever their receiver: pandas, pyarrow, matplotlib, plotly,
pathlib, and the package's own atomic writers."""
WRITING_FUNCTIONS = (
    {("os", name) for name in ("replace", "rename", "renames", "link", "symlink", "unlink", "remove", "rmdir")}
    | {("shutil", name) for name in ("copy", "copy2", "copyfile", "copytree", "move", "rmtree")}
    | {("tempfile", name) for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory")}
)

STAGING = "into the staging folder of report_directory (a new folder, swapped in only when complete)"
PROC = "/proc/self/clear_refs: a control file of the kernel for this process, not a file on disk"
PREFLIGHT = "its path passed preflight ({kind}) before any work: replaced only if backtest wrote it, or --overwrite"
BUFFER = "into an in-memory buffer"

ALLOWED_WRITES: dict[tuple[str, str, str], str] = {
    # the writers themselves
    ("_io.py", "atomic_write_bytes", "atomic_write_files"): "the atomic single-file writer: its callers are listed",
    ("_io.py", "atomic_write_text", "atomic_write_bytes"): "the atomic single-file writer: its callers are listed",
    ("_io.py", "atomic_write_files", "tempfile.mkstemp"): "a new temp sibling of each target",
    ("_io.py", "atomic_write_files", "os.fdopen(wb)"): "the temp sibling it just created",
    ("_io.py", "atomic_write_files", "os.replace"): "temp sibling over the target once every file is complete",
    ("_io.py", "atomic_write_files", "os.unlink"): "removes only its own temp siblings, on failure",
    ("_io.py", "exclusive_write_bytes", "tempfile.mkstemp"): "a new temp sibling of the target",
    ("_io.py", "exclusive_write_bytes", "os.fdopen(wb)"): "the temp sibling it just created",
    ("_io.py", "exclusive_write_bytes", "os.link"): "a hard link to a new name: fails if anything is there",
    ("_io.py", "exclusive_write_bytes", "os.unlink"): "removes only its own temp sibling",
    ("_io.py", "_probe_writable", "tempfile.mkstemp"): "an empty probe file, removed at once",
    ("_io.py", "_probe_writable", "os.unlink"): "the probe file it just created",
    ("_io.py", "report_directory", "tempfile.mkdtemp"): "its own new staging folder",
    ("_io.py", "report_directory", "os.open(O_CREAT)"): "the staging marker inside its own staging folder",
    ("_io.py", "report_directory", "atomic_write_text"): "the manifest inside its own staging folder",
    ("_io.py", "report_directory", "shutil.rmtree"): "its own staging folder, on failure",
    ("_io.py", "clean_stale_debris", "os.rename"): "restores a backup folder marked by the tool whose swap was cut",
    ("_io.py", "clean_stale_debris", "shutil.rmtree"): "staging folders marked by the tool whose writer is gone",
    ("_io.py", "_carry_user_files", "os.link"): "user files linked into the staging folder, never over a file",
    ("_io.py", "_carry_user_files", "shutil.copy2"): "as os.link, where hard links are not possible",
    ("_io.py", "_keep_edited_files", "os.link"): "an edited report file kept under a new name in the staging folder",
    ("_io.py", "_keep_edited_files", "shutil.copy2"): "as os.link, where hard links are not possible",
    (
        "_io.py",
        "_rescue_late_files",
        "os.rename",
    ): "files added during the swap moved into the new report, never over one",
    ("_io.py", "_commit", "unlink"): "the staging marker of its own staging folder",
    ("_io.py", "_commit", "os.rename"): "staging folder and checked target swapped under the parent's lock",
    ("_io.py", "_commit", "shutil.rmtree"): "the old report, once every file it did not write was moved back",
    # reports
    # reports: rendered in memory by backtest.report, written by the composition layer
    ("claims/outputs.py", "_write_files", "atomic_write_bytes"): STAGING,
    ("report/sweep_report.py", "multi_sweep_files", "write_table"): BUFFER,
    ("report/sweep_report.py", "parquet_bytes", "write_table"): BUFFER,
    ("report/render.py", "figure_png", "savefig"): BUFFER,
    # single files the user names
    ("cli/events.py", "events_command", "atomic_write_text"): PREFLIGHT.format(kind="events-csv"),
    ("cli/bench.py", "bench_montecarlo_command", "atomic_write_text"): PREFLIGHT.format(kind="bench-montecarlo"),
    ("bench/measure.py", "write_bench", "atomic_write_text"): PREFLIGHT.format(kind="bench-sweep/scaling/study"),
    ("bench/page.py", "write_bench_page", "atomic_write_text"): PREFLIGHT.format(kind="bench-page"),
    ("cli/calibrate.py", "calibrate_command", "atomic_write_text"): PREFLIGHT.format(kind="calibration-csv"),
    ("claims/gallery.py", "run_gallery", "atomic_write_text"): PREFLIGHT.format(kind="gallery-index"),
    ("cli/claim.py", "claim_new_command", "exclusive_write_bytes"): "creates a new file, never replaces one",
    # data
    ("data/builtin.py", "build_builtin", "atomic_write_files"): PREFLIGHT.format(kind="builtin-table/provenance"),
    ("data/builtin.py", "_parquet_bytes", "to_parquet"): BUFFER,
    ("data/sources.py", "fetch_yahoo", "atomic_write_bytes"): (
        "yahoo/<SYMBOL>.csv of the folder the user names: `data fetch` checks that it wrote the file there "
        "(its .fetch.json record) or has --overwrite; `data update` passes its own staging folder"
    ),
    ("data/sources.py", "fetch_yahoo", "atomic_write_text"): "the .fetch.json record beside that CSV",
    ("data/update.py", "update_user_data", "tempfile.mkdtemp"): "its own staging folder in the per-user data folder",
    ("data/update.py", "update_user_data", "shutil.rmtree"): "its own staging folder",
    ("data/update.py", "_stage_fred", "atomic_write_bytes"): "into its own staging folder",
    ("data/update.py", "_install", "os.replace"): (
        "a validated download over the per-user data folder's file of that name (a folder only `data update` writes)"
    ),
    # caches and scratch space
    ("cache.py", "write_entry", "atomic_write_bytes"): "an entry of the per-user cache folder, named by its key",
    ("cache.py", "write_entry", "write_table"): BUFFER,
    ("cache.py", "contain_library_caches", "tempfile.mkdtemp"): (
        "a private folder for matplotlib's caches in the system's temporary folder, removed at exit"
    ),
    ("cache.py", "remove_earlier_entries", "os.remove"): "the cache's own entries of earlier days (their name pattern)",
    ("claims/summary_model.py", "write_summary_schema", "atomic_write_text"): (
        "the package's own summary.schema.json, regenerated from the model by a developer (python -m)"
    ),
    ("claims/calibration_store.py", "_write_stored", "atomic_write_text"): (
        "a calibration (one series' or a pooled claim's) named by the SHA-256 of its parameters, written only "
        "where no file of that name exists"
    ),
    ("bench/scaling.py", "_driver_costs", "tempfile.TemporaryDirectory"): "its own temporary folder",
    ("bench/scaling.py", "_driver_costs", "write_bytes"): "into its own temporary folder",
    ("bench/study.py", "run_study_bench", "tempfile.TemporaryDirectory"): "its own temporary folder",
    ("bench/claim.py", "run_claim_bench", "tempfile.TemporaryDirectory"): "its own temporary folder",
    ("bench/measure.py", "reset_peak", "open(w)"): PROC,
    ("sweep/executors.py", "_reset_peak", "open(w)"): PROC,
}
"""(module under backtest/, function, call) -> why that write is safe. A new writing call
fails ``test_every_write_in_the_package_is_listed_with_why_it_is_safe`` until it is listed
here with its reason; a listed one that is gone fails it too, so the list stays the truth."""


def _mode(call: ast.Call, position: int) -> str | None:
    node = call.args[position] if len(call.args) > position else None
    node = node or next((keyword.value for keyword in call.keywords if keyword.arg == "mode"), None)
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return "?"


def _writing_call(call: ast.Call) -> str | None:
    """How the audit names ``call`` if it writes, replaces or deletes a file; None otherwise."""
    function = call.func
    if isinstance(function, ast.Name):
        if function.id == "open":
            mode = _mode(call, 1)
            return f"open({mode})" if mode is not None and set(mode) & set("wax+?") else None
        return function.id if function.id in WRITING_METHODS else None
    if not isinstance(function, ast.Attribute):
        return None
    owner = function.value.id if isinstance(function.value, ast.Name) else None
    if (owner, function.attr) in WRITING_FUNCTIONS:
        return f"{owner}.{function.attr}"
    if owner == "os" and function.attr == "open":
        return "os.open(O_CREAT)" if "O_CREAT" in ast.dump(call) else None
    if function.attr in ("open", "fdopen"):
        # Path.open(mode), os.fdopen(fd, mode), gzip.open(path, mode), ...
        mode = _mode(call, 0 if owner != "os" and function.attr == "open" else 1)
        writes = mode is not None and bool(set(mode) & set("wax+?"))
        return f"{'os.' if owner == 'os' else ''}{function.attr}({mode})" if writes else None
    if function.attr in WRITING_METHODS:
        # to_csv() / to_json() / to_html() with no target return text: nothing is written
        if function.attr in ("to_csv", "to_json", "to_html") and not call.args:
            if not any(keyword.arg in ("path_or_buf", "buf") for keyword in call.keywords):
                return None
        return function.attr
    return None


def package_writes() -> dict[tuple[str, str, str], list[int]]:
    """Every writing call of the package: (module, enclosing function, call) -> its lines."""
    found: dict[tuple[str, str, str], list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, scope: tuple[str, ...], module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                inner = scope
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    inner = (*scope, child.name)
                if isinstance(child, ast.Call):
                    name = _writing_call(child)
                    if name is not None:
                        found.setdefault((module, ".".join(scope) or "<module>", name), []).append(child.lineno)
                visit(child, inner)

        visit(tree, ())
    return found


def test_every_write_in_the_package_is_listed_with_why_it_is_safe() -> None:
    found = package_writes()
    unlisted = [f"{key!r}: lines {lines}" for key, lines in sorted(found.items()) if key not in ALLOWED_WRITES]
    gone = sorted(key for key in ALLOWED_WRITES if key not in found)
    assert not unlisted, "writing calls without a reason in ALLOWED_WRITES:\n" + "\n".join(unlisted)
    assert not gone, f"ALLOWED_WRITES lists calls that no longer exist: {gone}"
    assert all(len(reason) > 10 for reason in ALLOWED_WRITES.values())


def test_the_statistics_write_no_file() -> None:
    """``backtest.stats`` returns objects: what is stored (calibrations) is written by the
    composition layer above it (``backtest.claims.calibration_store``)."""
    assert [key for key in package_writes() if key[0].startswith("stats/")] == []


def test_the_reports_write_no_file() -> None:
    """``backtest.report`` renders reports into text and bytes (``ReportFiles``): its only
    writing calls fill in-memory buffers (a PNG, a Parquet table); the report folders are
    written by the composition layer (``backtest.claims.outputs``)."""
    in_report = {key: ALLOWED_WRITES.get(key) for key in package_writes() if key[0].startswith("report/")}
    assert {key: why for key, why in in_report.items() if why != BUFFER} == {}


def test_the_audit_sees_every_form_of_write() -> None:
    source = """
def writer(path, frame, fig, handle):
    open(path, "w"); open(path, mode="ab"); path.open("x"); open(path)
    os.open(path, os.O_WRONLY | os.O_CREAT); os.open(path, os.O_RDONLY)
    path.write_text("x"); frame.to_csv(path); frame.to_csv(); fig.savefig(path)
    shutil.move(path, path); os.replace(path, path); os.rename(path, path); text.replace("a", "b")
"""
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    names = sorted(name for name in map(_writing_call, calls) if name is not None)
    assert names == sorted(
        [
            "open(w)",
            "open(ab)",
            "open(x)",
            "os.open(O_CREAT)",
            "write_text",
            "to_csv",
            "savefig",
            "shutil.move",
            "os.replace",
            "os.rename",
        ]
    )


# --- the gallery's index and the built-in dataset: only files the tool wrote ---------------------


def test_run_all_refuses_a_readme_it_did_not_write_before_running_any_claim(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    clone = world / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / "README.md").write_text("# my project\n\nIts own readme.\n")
    before = snapshot_tree(world)
    code, out, err = cli(
        "claim", "run-all", PROJECT / "studies" / "claims" / "rsi_oversold.toml", "--output-dir", clone
    )
    assert code == 2 and out == ""  # not even "writing to": refused before the first claim
    error_line(err, f"{clone / 'README.md'} exists and was not written by backtest", "--overwrite")
    assert snapshot_tree(world) == before


def test_the_gallery_index_is_recognised_as_the_tools_own(tmp_path: Path) -> None:
    index = tmp_path / "README.md"
    index.write_text(index_markdown([]))
    assert preflight(index, "gallery-index") == index
    committed = PROJECT / "results" / "claims" / "README.md"
    if committed.is_file():
        assert FILE_RECOGNISERS["gallery-index"](committed.read_bytes())
    index.write_text("# Claims gallery of mine\n")
    with pytest.raises(OutputError, match="was not written by backtest"):
        preflight(index, "gallery-index")
    assert preflight(index, "gallery-index", overwrite=True) == index


SNAPSHOT_FILES = (("yahoo/SPY.csv", "SPY"), ("fred/NASDAQCOM.csv", "NASDAQCOM"))


@pytest.fixture
def snapshot(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of two snapshot files and its SHA256SUMS; the catalog cut down to those two."""
    copy = tmp_path / "snapshot"
    for file, _ in SNAPSHOT_FILES:
        (copy / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(data_dir / file, copy / file)
    shutil.copy2(data_dir / "SHA256SUMS", copy / "SHA256SUMS")
    monkeypatch.setattr("backtest.data.catalog.catalog_files", lambda: SNAPSHOT_FILES)
    yield copy
    builtin.clear_builtin_cache()


def _build(cli, snapshot: Path, target: Path, *options: str):  # type: ignore[no-untyped-def]
    return cli("data", "build-builtin", "--from", snapshot, "--to", target, *options)


def test_build_builtin_replaces_only_files_it_wrote(snapshot: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "target"
    assert _build(cli, snapshot, target)[0] == 0
    assert json.loads((target / builtin.PROVENANCE_NAME).read_text())["series"].keys() == {
        "yahoo/SPY.csv",
        "fred/NASDAQCOM.csv",
    }
    assert _build(cli, snapshot, target)[0] == 0  # its own files: replaced

    for name, foreign in (
        (builtin.TABLE_NAME, lambda path: pd.DataFrame({"price": [1.0]}).to_parquet(path)),
        (builtin.PROVENANCE_NAME, lambda path: path.write_text('{"mine": true}\n')),
    ):
        mine = tmp_path / f"mine-{name}"
        shutil.copytree(target, mine)
        foreign(mine / name)
        before = snapshot_tree(mine)
        code, out, err = _build(cli, snapshot, mine)
        assert code == 2 and out == ""
        error_line(err, f"{mine / name} exists and was not written by backtest", "--overwrite", "--to")
        assert snapshot_tree(mine) == before
        assert _build(cli, snapshot, mine, "--overwrite")[0] == 0
        assert (mine / builtin.TABLE_NAME).read_bytes() == (target / builtin.TABLE_NAME).read_bytes()


def test_build_builtin_from_files_that_differ_from_the_checksums_needs_force(
    snapshot: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "target"
    spy = snapshot / "yahoo" / "SPY.csv"
    spy.write_bytes(spy.read_bytes().replace(b"\n", b"\r\n", 1))  # one byte more, the same data
    actual = hashlib.sha256(spy.read_bytes()).hexdigest()
    code, out, err = _build(cli, snapshot, target)
    assert code == 2 and out == "" and not target.exists()
    error_line(
        err,
        f"{snapshot / 'SHA256SUMS'}: 1 file(s) do not match the snapshot's checksums: yahoo/SPY.csv",
        f"SHA-256 {actual[:12]}…",
        "pass --force",
    )
    assert _build(cli, snapshot, target, "--force")[0] == 0 and (target / builtin.TABLE_NAME).is_file()

    (snapshot / "SHA256SUMS").unlink()
    code, _, err = _build(cli, snapshot, tmp_path / "other")
    assert code == 2
    error_line(err, "SHA256SUMS does not exist", "pass --force")
    assert _build(cli, snapshot, tmp_path / "other", "--force")[0] == 0


def test_the_committed_builtin_dataset_is_recognised_as_the_tools_own() -> None:
    table = (builtin.BUILTIN_DIR / builtin.TABLE_NAME).read_bytes()
    provenance = (builtin.BUILTIN_DIR / builtin.PROVENANCE_NAME).read_bytes()
    assert FILE_RECOGNISERS["builtin-table"](table) and FILE_RECOGNISERS["builtin-provenance"](provenance)
    assert not FILE_RECOGNISERS["builtin-table"](table[: len(table) // 2])  # a cut-off file is not ours
    assert not FILE_RECOGNISERS["builtin-table"](provenance)
    assert not FILE_RECOGNISERS["builtin-provenance"](table)


def test_data_fetch_never_replaces_a_file_it_did_not_write(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    from tests.data.test_cli import yfinance_like_frame

    monkeypatch.setattr(sources, "_yfinance_download", lambda symbol, start: yfinance_like_frame())
    snapshot_file = tmp_path / "yahoo" / "RUT.csv"
    snapshot_file.parent.mkdir()
    snapshot_file.write_text("Date,Close,High,Low,Open,Volume\n2020-01-02,1,1,1,1,1\n")
    before = snapshot_tree(tmp_path)
    code, out, err = cli("data", "fetch", "^RUT", "--data-dir", tmp_path)
    assert code == 2 and out == ""
    error_line(err, f"{snapshot_file} exists and was not written by `backtest data fetch`", "--overwrite")
    assert snapshot_tree(tmp_path) == before
    assert cli("data", "fetch", "^RUT", "--data-dir", tmp_path, "--overwrite")[0] == 0
    assert cli("data", "fetch", "^RUT", "--data-dir", tmp_path)[0] == 0  # now its own: replaced


# --- a report file the user edited is kept aside ---------------------------------------------------


def _write(folder: Path, files: dict[str, str]) -> None:
    with report_directory(folder, kind="study") as staging:
        for relative, text in files.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_text(text)


def test_an_edited_report_file_is_kept_beside_the_new_one_with_one_warning(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "report"
    _write(folder, {"report.md": "first\n", "tables/events.csv": "a\n1\n", "summary.json": "{}\n"})
    (folder / "report.md").write_text("first\nmy notes\n")
    (folder / "tables" / "events.csv").write_text("a\n2\n")
    capsys.readouterr()
    _write(folder, {"report.md": "second\n", "tables/events.csv": "a\n3\n", "summary.json": "{}\n"})
    notes = "report.md.edited-" + hashlib.sha256(b"first\nmy notes\n").hexdigest()[:8]
    table = "tables/events.csv.edited-" + hashlib.sha256(b"a\n2\n").hexdigest()[:8]
    assert (folder / "report.md").read_text() == "second\n" and (folder / "tables/events.csv").read_text() == "a\n3\n"
    assert (folder / notes).read_text() == "first\nmy notes\n" and (folder / table).read_text() == "a\n2\n"
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("warning: 2 file(s) of "), err
    assert f"report.md -> {notes}" in err[0] and f"tables/events.csv -> {table}" in err[0]
    manifest = read_manifest(folder)
    assert manifest is not None and notes not in manifest.files  # the user's now: never replaced or deleted

    _write(folder, {"report.md": "third\n", "tables/events.csv": "a\n3\n", "summary.json": "{}\n"})
    assert capsys.readouterr().err == ""  # nothing edited since: nothing said
    assert (folder / notes).read_text() == "first\nmy notes\n" and (folder / table).read_text() == "a\n2\n"

    (folder / "report.md").write_text("first\nmy notes\n")  # the same edit again: one copy, already kept
    (folder / "summary.json").unlink()  # a listed file removed: nothing to keep
    _write(folder, {"report.md": "fourth\n", "summary.json": "{}\n"})
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and f"report.md -> {notes}" in err[0] and "summary.json" not in err[0]
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [MANIFEST_FILE, "report.md", notes, "summary.json", "tables"]
    )


# --- one clear line when the system refuses a write --------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Callable[[], None]]]:
    """(folder, fill): a folder on a 4 MiB tmpfs of its own, and a function that fills that
    filesystem to its last byte, so the next write meets the kernel's ENOSPC. Where mounting
    is not permitted (not root), ``fill`` makes ``os.fsync`` fail with ENOSPC instead, which
    is where a full disk shows for the atomic writers and the report's manifest."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = (
        shutil.which("mount") is not None
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True, check=False
        ).returncode
        == 0
    )

    def fill() -> None:
        if not mounted:

            def full(fd: int) -> None:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            monkeypatch.setattr(os, "fsync", full)
            return
        with open(folder / ".filler", "wb", buffering=0) as handle:
            for size in (1 << 16, 1 << 12, 1):
                with contextlib.suppress(OSError):
                    while True:
                        handle.write(b"\0" * size)
        assert shutil.disk_usage(folder).free == 0

    try:
        yield folder, fill
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_keeps_the_previous_report_and_says_so_in_one_line(world: Path, small_disk, cli) -> None:  # type: ignore[no-untyped-def]
    disk, fill = small_disk
    target = disk / "out" / "WAVE_sma_golden_sweep"
    with report_directory(target, kind="sweep") as staging:
        (staging / "summary.md").write_text("the previous sweep\n")
    before = snapshot_tree(disk / "out")
    fill()
    code, _, err = cli(*SWEEP, "--output-dir", disk / "out")
    assert code == OutputWriteError.exit_code == 4
    error_line(err, f"cannot write {target}: no space left on the device", "the previous report there is unchanged")
    assert snapshot_tree(disk / "out") == before  # the old report, and no staging debris


def test_a_full_disk_keeps_the_previous_csv(world: Path, small_disk, cli) -> None:  # type: ignore[no-untyped-def]
    disk, fill = small_disk
    csv = disk / "events.csv"
    csv.write_text("event,event_date,close\n1,2000-01-03,100\n")  # an event table of an earlier run
    before = snapshot_tree(disk)
    fill()
    code, _, err = cli(*EVENTS, "--csv", csv)
    assert code == 4
    error_line(err, f"cannot write {csv}: no space left on the device")
    after = snapshot_tree(disk)
    after.pop(".filler", None)
    before.pop(".filler", None)
    assert after == before  # the old file, and no temporary sibling


def test_a_file_size_limit_keeps_the_previous_dataset(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "builtin"
    shutil.copytree(builtin.BUILTIN_DIR, target)
    before = snapshot_tree(target)
    environment = {**os.environ, "BACKTEST_CACHE_DIR": "off", "PYTHONDONTWRITEBYTECODE": "1"}

    def build_into(folder: Path, preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "backtest.cli", "data", "build-builtin", "--from", str(data_dir)]
        return subprocess.run(
            [*command, "--to", str(folder)],
            capture_output=True,
            text=True,
            env=environment,
            preexec_fn=preexec_fn,
            timeout=120,
            check=False,
        )

    # the sizes of this data's build (the snapshot's table is about 1.4 MB, the fixture's far
    # less): a limit between them lets the provenance record be written but not the table
    unlimited = tmp_path / "unlimited"
    assert build_into(unlimited).returncode == 0
    table_size = (unlimited / builtin.TABLE_NAME).stat().st_size
    provenance_size = (unlimited / builtin.PROVENANCE_NAME).stat().st_size
    limit = (table_size + provenance_size) // 2
    assert provenance_size < limit < table_size

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG from write(), not death by signal

    done = build_into(target, preexec_fn=limited)
    assert done.returncode == 4, done.stderr
    error_line(
        done.stderr, f"cannot write {target / builtin.TABLE_NAME}: the file is larger than this process may write"
    )
    assert snapshot_tree(target) == before  # both old files, no temporary sibling


def test_a_name_longer_than_the_filesystem_allows_is_refused_before_any_work(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--csv", "e" * 300 + ".csv")
    assert code == 4 and out == ""
    error_line(err, "a name is longer than the filesystem allows (318 bytes with backtest's staging", "limit 255")
    code, out, err = cli(*SWEEP, "--output-dir", world / ("d" * 256) / "out")
    assert code == 4 and out == ""
    error_line(err, "a name is longer than the filesystem allows (256 bytes, limit 255)")
    assert snapshot_tree(world) == before


def test_a_dangling_link_or_a_fifo_as_the_csv_is_one_line(world: Path, cli, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    link = world / "link.csv"
    link.symlink_to(world / "gone" / "events.csv")
    fifo = tmp_path_factory.mktemp("fifo") / "pipe.csv"  # apart: snapshot_tree would block reading it
    os.mkfifo(fifo)
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--csv", link)
    assert code == 2 and out == ""
    error_line(
        err, f"{link} is a symbolic link to {world / 'gone' / 'events.csv'}, which does not exist", "--overwrite"
    )
    code, out, err = cli(*EVENTS, "--csv", fifo, "--overwrite")  # never read (it would block), never replaced
    assert code == 2 and out == ""
    error_line(err, f"{fifo} is not a regular file")
    assert snapshot_tree(world) == before
    code, _, _ = cli(*EVENTS, "--csv", link, "--overwrite")
    assert code == 0 and not link.is_symlink() and link.read_text().startswith("event,event_date,")


def test_a_terminal_without_unicode_gets_question_marks_not_a_traceback(tmp_path: Path) -> None:
    spec = (PROJECT / "studies" / "claims" / "rsi_oversold.toml").read_text(encoding="utf-8")
    title = next(line for line in spec.splitlines() if line.startswith("title"))
    path = tmp_path / "oversold.toml"
    path.write_text(spec.replace(title, 'title = "Oversold — the Russell 2000 at a café…"'), encoding="utf-8")
    environment = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "backtest.cli", "claim", "check", str(path), str(tmp_path / "missing→.toml")],
        capture_output=True,
        env=environment,
        timeout=60,
        check=False,
    )
    out, err = done.stdout.decode("ascii"), done.stderr.decode("ascii")  # ASCII only: nothing raised
    assert "Traceback" not in err
    assert "ok: 'Oversold ? the Russell 2000 at a caf??'" in " ".join(out.split())  # however the line wraps
    assert done.returncode == 2 and error_line(err, "missing")


# --- a scheduler that never answers, or speaks another protocol --------------------------------------


@contextlib.contextmanager
def fake_scheduler(reply: bytes | None) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts every connection and then says nothing
    (``reply`` None) or sends ``reply`` (bytes of another protocol); yields its address."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    connections: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(connection)
            if reply is not None:
                with contextlib.suppress(OSError):
                    connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        server.close()
        for connection in connections:
            connection.close()


SCHEDULERS = [
    pytest.param(None, "accepted the connection but did not answer Dask's handshake within 1 s", id="silent"),
    pytest.param(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>a dashboard</html>\n",
        "answered with bytes that are not Dask's protocol",
        id="http",
    ),
]


@pytest.mark.parametrize(("reply", "message"), SCHEDULERS)
def test_a_scheduler_that_does_not_speak_dask_is_a_service_error_within_the_timeout(
    reply: bytes | None, message: str
) -> None:
    pytest.importorskip("distributed")
    with fake_scheduler(reply) as address:
        started = time.perf_counter()
        with pytest.raises(ServiceError, match=message) as info:
            make_executor("dask", scheduler=address, connect_timeout=1.0)
        assert time.perf_counter() - started < 5
    assert f"scheduler {address} " in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(("reply", "message"), SCHEDULERS)
def test_sweep_on_a_scheduler_that_does_not_speak_dask_is_one_line(world: Path, cli, reply, message) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("distributed")
    with fake_scheduler(reply) as address:
        started = time.perf_counter()
        code, out, err = cli(
            *SWEEP, "--executor", "dask", "--scheduler", address, "--connect-timeout", "1", "--output-dir", "out"
        )
        assert time.perf_counter() - started < 15
    assert code == ServiceError.exit_code == 5
    error_line(err, f"scheduler {address} {message}")
    assert not (world / "out" / "WAVE_sma_golden_sweep").exists() and "wrote" not in out


# --- data update without a network ---------------------------------------------------------------


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    monkeypatch.setattr(sources, "user_data_dir", lambda: tmp_path / "user")

    def never(symbol: str, start: str | None) -> pd.DataFrame:
        raise AssertionError("no download is attempted without a network")

    monkeypatch.setattr(sources, "_yfinance_download", never)
    clear_cache()
    yield tmp_path / "user"
    clear_cache()


def test_update_offline_is_one_line_and_changes_nothing(user_dir: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    # TEST-NET-1 (RFC 5737): never routed, so the check fails at once or at its short bound
    monkeypatch.setattr(update_module, "YAHOO_ADDRESS", ("192.0.2.1", 443))
    monkeypatch.setattr(update_module, "FRED_ADDRESS", ("192.0.2.2", 443))
    monkeypatch.setattr(update_module, "NETWORK_TIMEOUT", 0.3)
    started = time.perf_counter()
    code, out, err = cli("data", "update")
    assert time.perf_counter() - started < 5
    assert code == NetworkError.exit_code == 6 and out == ""
    error_line(err, "error: data update: no network connection to 192.0.2.1 or 192.0.2.2 (", "nothing changed")
    assert not user_dir.exists()


def test_update_with_one_host_unreachable_fails_its_series_without_trying(user_dir: Path, monkeypatch) -> None:
    from tests.data.test_update import fred_download

    yahoo_host = update_module.YAHOO_ADDRESS[0]
    monkeypatch.setattr(
        update_module,
        "connection_problem",
        lambda host, port: "Name or service not known" if host == yahoo_host else None,
    )
    monkeypatch.setattr(update_module, "download_fred_csv", fred_download)
    files = (("yahoo/RUT.csv", "^RUT"), ("fred/NASDAQCOM.csv", "NASDAQCOM"))
    summary = update_module.update_user_data(files=files)
    statuses = {item.file: (item.status, item.message) for item in summary.series}
    assert statuses["yahoo/RUT.csv"] == ("failed", f"no network connection to {yahoo_host} (Name or service not known)")
    assert statuses["fred/NASDAQCOM.csv"][0] == "updated"
    assert sorted(path.name for path in user_dir.iterdir()) == ["fred"]  # no staging folder left


def test_yfinance_output_is_silenced(tmp_path: Path, monkeypatch, capsys, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    def chatty(symbol: str, start: str | None) -> pd.DataFrame:
        for _ in range(181):
            print(f"Failed to get ticker '{symbol}' reason: Could not resolve host")
            print("1 Failed download:", file=sys.stderr)
            logging.getLogger("yfinance").error("%s: possibly delisted", symbol)
        return pd.DataFrame()

    monkeypatch.setattr(sources, "_yfinance_download", chatty)
    with caplog.at_level(logging.DEBUG), pytest.raises(DataError, match="Yahoo returned no daily bars for '\\^RUT'"):
        update_module._stage_yahoo(tmp_path, "^RUT", None)
    assert capsys.readouterr() == ("", "")
    assert not [record for record in caplog.records if record.name == "yfinance"]
    assert not logging.getLogger("yfinance").disabled  # given back as it was
