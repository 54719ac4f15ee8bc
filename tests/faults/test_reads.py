"""Fault tests of the reads: every file the tool reads is checked (a regular file) and bounded
(its kind's size limit, ``backtest.files``) before a byte is read, and refused in one line.

The reproductions of the issue (``--series-file /dev/zero``, a 2 GiB sparse file as a series,
``claim check /dev/zero``, a FIFO as ``--dates``) and every other option and spec key that
names a file, each with every kind of file that is not one (a character device, a FIFO, a
socket, a directory, a 2 GiB sparse file, a dangling symbolic link), run in ONE subprocess
under an address-space limit (``RLIMIT_AS``) and a timeout: a regression fails the test with
a MemoryError or a timeout instead of exhausting the machine or hanging it. Also here: no
error repeats a dates file's content (a secrets file named by mistake), a spec's relative
paths stay in its folder, a report name derived from a spec's file name is checked like
``[claim] name``, and an unusable home means no cache and nothing created.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from backtest import cache, files
from backtest.claims.spec import spec_from_dict
from backtest.errors import DataError, SpecError
from tests.claims.conftest import minimal, toml_text
from tests.data.csv_rows import YAHOO_HEADER
from tests.faults.conftest import wave_rows
from tests.faults.test_inputs import error_line

GiB = 1024**3
MEMORY_LIMIT = 2 * GiB
"""Address space of the guarded subprocess: enough for the CLI (about 1 GiB), far less than
reading a 2 GiB file or /dev/zero would take."""
TIMEOUT = 240
"""Seconds for the guarded subprocess (every case together): a FIFO opened for reading
blocks forever, so a regression ends here, with the cases' output."""

EVENTS = ["events", "--fast", "5", "--slow", "20", "--horizons", "5,10"]
SPECIALS = ("device", "fifo", "socket", "directory", "sparse-2GiB", "dangling-link")
EXPECTED = {
    "device": "is a character device, not a regular file",
    "fifo": "is a FIFO (named pipe), not a regular file",
    "socket": "is a socket, not a regular file",
    "directory": "is a directory",
    "sparse-2GiB": "is 2 GiB (2,147,483,648 bytes), over the",
    "dangling-link": "not",  # "not found" (ours) or "does not exist" (click's own check)
}


# -- the guarded run of every case ----------------------------------------------------------------

DRIVER = """
import contextlib, io, json, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from backtest.cli import main
results = {}
for name, args in json.loads(sys.argv[2]).items():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except BaseException as exc:  # a regression: recorded, never the end of the run
            code = "raised " + type(exc).__name__
    results[name] = [code, out.getvalue(), err.getvalue()]
print(json.dumps(results))
"""


@contextlib.contextmanager
def deadline(seconds: int = 30) -> Iterator[None]:
    """Fail (TimeoutError) instead of hanging when what runs inside blocks, as opening a FIFO
    for reading does until a writer comes."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def guarded(cases: dict[str, list[str]], cwd: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run each case's arguments through ``backtest.cli.main`` in one subprocess under
    ``MEMORY_LIMIT`` and ``TIMEOUT``; {case: (exit code, stdout, stderr)}."""
    process = subprocess.run(
        [sys.executable, "-c", DRIVER, str(MEMORY_LIMIT), json.dumps(cases)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout.splitlines()[-1])


def tree_state(root: Path) -> dict[str, str]:
    """Every entry under ``root`` by its type, and a regular file by its size and bytes (a
    large one by size and mtime): never opens a FIFO, a socket or a device."""
    found = {}
    for folder, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            entry = Path(folder) / name
            info = entry.lstat()
            if stat.S_ISREG(info.st_mode):
                small = info.st_size <= files.MiB
                found[str(entry.relative_to(root))] = (
                    entry.read_bytes().hex() if small else f"{info.st_size}:{info.st_mtime_ns}"
                )
            else:
                found[str(entry.relative_to(root))] = stat.filemode(info.st_mode)[0]
    return found


def make_specials(folder: Path) -> tuple[dict[str, Path], socket.socket]:
    """Every kind of file that is not a readable regular file, in ``folder`` (and the socket,
    which stays bound while the caller keeps it)."""
    folder.mkdir(parents=True, exist_ok=True)
    # neutral names, so that no message names a kind through its path alone
    os.mkfifo(folder / "b.csv")
    (folder / "d.csv").mkdir()
    with open(folder / "e.csv", "wb") as handle:
        handle.truncate(2 * GiB)  # sparse: no block is written
    (folder / "f.csv").symlink_to("nowhere.csv")
    listener = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(folder)  # a socket's path is limited to ~100 bytes: bind a short relative one
    try:
        listener.bind("c.csv")
    finally:
        os.chdir(here)
    paths = {
        "device": Path("/dev/zero"),
        "fifo": folder / "b.csv",
        "socket": folder / "c.csv",
        "directory": folder / "d.csv",
        "sparse-2GiB": folder / "e.csv",
        "dangling-link": folder / "f.csv",
    }
    return paths, listener


SPEC_KEYS: dict[str, Callable[[dict[str, Any], str], None]] = {
    "[series] name": lambda t, p: t["series"].update(name=p),
    "[event] file": lambda t, p: t.update(event={"kind": "dates", "file": p}),
    "[event] series": lambda t, p: t.update(
        event={"kind": "threshold", "indicator": "level", "series": p, "level": 30, "cross": "above"}
    ),
    "[[filters]] series": lambda t, p: t.update(
        filters=[{"indicator": "change", "series": p, "operator": "<", "level": 0.1}]
    ),
    "[benchmark] relative_to": lambda t, p: t.update(benchmark={"relative_to": p}),
    "[[facts]] series": lambda t, p: t.update(
        facts=[{"statement": "s", "figure": 0.1, "period": ["2020-01-01", "2020-06-30"], "series": p}]
    ),
    "[[variants]] series": lambda t, p: t.update(variants=[{"name": "v", "series": p}]),
    "[[variants]] relative_to": lambda t, p: t.update(variants=[{"name": "v", "relative_to": p}]),
    "[[published]] series": lambda t, p: t.update(
        published=[{"source": "s", "what": "w", "figures": {"1m": 0.01}, "series": p}]
    ),
}
"""Every spec key that names a file, and how to set it in a spec's tables."""


def options(special: Path, arena: Path) -> dict[str, list[str]]:
    """Every command-line way to hand the tool ``special`` as a file it reads."""
    spec = arena / "specs" / f"spec-for-{special.name}.toml"
    return {
        "events --series PATH": [*EVENTS, "--series", str(special)],
        "data show PATH": ["data", "show", str(special)],
        "data check PATH": ["data", "check", str(special)],
        "sweep --series PATH": ["sweep", "--series", str(special), "--name", "s", "--output-dir", str(arena / "out")],
        "events --dates": [*EVENTS, "--series", "data/yahoo/WAVE.csv", "--dates", str(special)],
        "sweep --series-file": ["sweep", "--series-file", str(special), "--output-dir", str(arena / "out")],
        "claim check SPEC": ["claim", "check", str(special)],
        "claim run SPEC": ["claim", "run", str(special), "--output-dir", str(arena / "out")],
        "claim run-all SPEC": ["claim", "run-all", str(special), "--output-dir", str(arena / "out")],
        "a data directory's file": [*EVENTS, "--series", "RUT", "--data-dir", str(arena / "datadirs" / special.name)],
        "a fetch record beside a CSV": [*EVENTS, "--series", str(arena / "fetched" / special.name / "WAVE.csv")],
        **{
            f"spec {key}": ["claim", "check", str(spec.with_name(f"{i}-{spec.name}"))]
            for i, key in enumerate(SPEC_KEYS)
        },
    }


def _place(arena: Path, kind: str, special: Path) -> None:
    """The data directory, the fetched CSV and the specs that lead to ``special``."""
    yahoo = arena / "datadirs" / special.name / "yahoo"
    yahoo.mkdir(parents=True)
    fetched = arena / "fetched" / special.name
    fetched.mkdir(parents=True)
    (fetched / "WAVE.csv").write_text("\n".join([YAHOO_HEADER, *wave_rows()]) + "\n")
    for target in (yahoo / "RUT.csv", fetched / "WAVE.fetch.json"):
        if kind == "device":
            target.symlink_to(special)
        elif kind == "fifo":
            os.mkfifo(target)
        elif kind == "socket":
            target.symlink_to(special)
        elif kind == "directory":
            target.mkdir()
        elif kind == "sparse-2GiB":
            with open(target, "wb") as handle:
                handle.truncate(2 * GiB)
        else:
            target.symlink_to("nowhere")
    specs = arena / "specs"
    specs.mkdir(exist_ok=True)
    for i, put in enumerate(SPEC_KEYS.values()):
        tables = minimal()
        put(tables, str(special))
        (specs / f"{i}-spec-for-{special.name}.toml").write_text(toml_text(tables))


@pytest.fixture(scope="module")
def battery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], dict[str, Path], bool]]:
    """Every (option, special file) case run once, guarded; yields (results, specials, the
    arena unchanged)."""
    arena = tmp_path_factory.mktemp("reads")
    (arena / "data" / "yahoo").mkdir(parents=True)
    (arena / "data" / "yahoo" / "WAVE.csv").write_text("\n".join([YAHOO_HEADER, *wave_rows()]) + "\n")
    specials, listener = make_specials(arena / "specials")
    try:
        for kind, special in specials.items():
            _place(arena, kind, special)
        cases = {
            f"{option} <- {kind}": args
            for kind, special in specials.items()
            for option, args in options(special, arena).items()
        }
        before = tree_state(arena)
        env = {"BACKTEST_CACHE_DIR": "off", "BACKTEST_DATA_DIR": str(arena / "data")}
        results = guarded(cases, arena, env)
        yield results, specials, tree_state(arena) == before
    finally:
        listener.close()


OPTIONS = list(options(Path("x"), Path("arena")))
OUTCOMES: dict[tuple[str, str], str | None] = {
    ("claim run-all SPEC", "directory"): "no spec (*.toml) found",  # a folder of specs is a valid target
    ("a fetch record beside a CSV", "dangling-link"): None,  # no record: the CSV loads, unlabelled
}
"""Outcomes other than a refusal naming the kind (``EXPECTED``); None: the command succeeds."""


def _named(option: str, kind: str, specials: dict[str, Path]) -> str:
    """What the error line must name: the path handed over, or the file placed for it."""
    if option == "a data directory's file":
        return str(Path("datadirs") / specials[kind].name / "yahoo" / "RUT.csv")
    if option == "a fetch record beside a CSV":
        return str(Path("fetched") / specials[kind].name / "WAVE.fetch.json")
    return str(specials[kind])


@pytest.mark.parametrize("kind", SPECIALS)
@pytest.mark.parametrize("option", OPTIONS)
def test_every_file_read_is_checked_and_bounded_before_it_is_read(battery, option: str, kind: str) -> None:
    results, specials, _ = battery
    code, out, err = results[f"{option} <- {kind}"]
    expected = OUTCOMES.get((option, kind), EXPECTED[kind])
    if expected is None:
        assert code == 0, err[-2000:]
        return
    assert code == 2, (code, err[-2000:])
    line = error_line(err)
    assert expected in line, line
    if (option, kind) != ("claim run-all SPEC", "directory"):
        assert _named(option, kind, specials) in line, line


def test_the_battery_changed_no_file(battery) -> None:
    assert battery[2]


# -- the reading function itself ----------------------------------------------------------------


def test_the_limit_is_exact_and_the_message_names_path_kind_size_and_limit(tmp_path: Path) -> None:
    kind = files.FileKind("test file", 100)
    path = tmp_path / "f.csv"
    path.write_bytes(b"x" * 100)
    assert files.read_bytes(path, kind) == b"x" * 100
    path.write_bytes(b"x" * 101)
    with pytest.raises(DataError) as refused:
        files.read_bytes(path, kind)
    assert str(refused.value) == f"{path}: the test file is 101 bytes, over the 100 bytes limit of a test file"


def test_a_file_that_grows_while_read_is_still_bounded(tmp_path: Path) -> None:
    # /proc files report a size of 0 and then hold more: the read stops at limit + 1
    kind = files.FileKind("process status", 16)
    with pytest.raises(DataError, match="grew past the 16 bytes limit"):
        files.read_bytes("/proc/self/status", kind)


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "regular.csv").write_text("date\n")
    checked = (tmp_path / "regular.csv").stat()
    path = tmp_path / "swapped.csv"
    os.mkfifo(path)
    monkeypatch.setattr(files, "check_file", lambda *args, **kwargs: checked)  # the check saw a regular file
    with deadline(), pytest.raises(DataError, match="is a FIFO"):
        files.read_bytes(path, files.DATES_CSV)


def test_unreadable_paths_are_one_line(tmp_path: Path) -> None:
    long_name = tmp_path / ("x" * 300 + ".csv")
    with pytest.raises(DataError, match="cannot read the series CSV \\(a name in the path is too long\\)"):
        files.read_bytes(long_name, files.SERIES_CSV)
    with pytest.raises(DataError, match="file not found"):
        files.read_bytes(tmp_path / "a-file.csv" / "below-it.csv", files.SERIES_CSV)
    (tmp_path / "bad.txt").write_bytes(b"ok\n\xff\n")
    with pytest.raises(DataError, match=r"not UTF-8 text \(line 2\)$"):
        files.read_text(tmp_path / "bad.txt", files.SERIES_LIST)


def test_the_builtin_dataset_is_read_bounded(tmp_path: Path) -> None:
    from backtest.data import builtin

    os.mkfifo(tmp_path / builtin.TABLE_NAME)
    (tmp_path / builtin.PROVENANCE_NAME).write_text("{}")
    with deadline(), pytest.raises(DataError, match="built-in closes table is a FIFO"):
        builtin._read.__wrapped__(tmp_path)  # type: ignore[attr-defined]


def test_a_stored_calibration_is_read_bounded(tmp_path: Path, monkeypatch) -> None:
    from backtest.claims import calibration_store as calibration_cache
    from backtest.claims.calibration_store import CalibrationCacheError, cached_calibrate

    monkeypatch.setattr(calibration_cache, "calibration_parameters", lambda *args, **kwargs: {"a": 1})
    monkeypatch.setattr(calibration_cache, "calibration_key", lambda parameters: "0123abcd")
    path = tmp_path / "gbm-0123abcd.json"

    def read() -> object:
        return cached_calibrate(pd.Series(dtype=float), None, ("5d",), cache_dir=tmp_path)

    with open(path, "wb") as handle:
        handle.truncate(64 * files.MiB)  # sparse, over the 16 MiB limit
    with pytest.raises(CalibrationCacheError, match="stored calibration is 64 MiB .* over the 16 MiB limit"):
        read()
    path.unlink()
    os.mkfifo(path)
    with deadline(), pytest.raises(CalibrationCacheError, match="stored calibration is a FIFO"):
        read()
    path.unlink()
    path.write_text("not JSON")
    with pytest.raises(CalibrationCacheError, match="not a stored calibration"):
        read()


# -- dates files: never echoed, relative paths in the spec's folder ---------------------------------

SECRET = "hunter2-XYZZY"
SECRET_FILES = {
    "a key file": f"AWS_SECRET_ACCESS_KEY={SECRET}\nPASSWORD={SECRET}\n",
    "a secret in the date column": f"date\n2020-03-16\n{SECRET}\n",
    "one column with a secret header": f"{SECRET}\n2020-03-16\n",
    "binary": "\x00\x01" + SECRET + "\xff",
    "unequal rows": f"date\n2020-03-16\n{SECRET},{SECRET},x\n",
}


def _spec_with_dates(folder: Path, file: str, name: str = "claim.toml") -> Path:
    tables = minimal()
    tables["event"] = {"kind": "dates", "file": file}
    path = folder / name
    path.write_text(toml_text(tables))
    return path


@pytest.mark.parametrize("how", ["--dates", "spec, relative", "spec, absolute"])
@pytest.mark.parametrize("content", list(SECRET_FILES), ids=list(SECRET_FILES))
def test_a_dates_file_s_content_is_never_echoed(world: Path, cli, how: str, content: str) -> None:  # type: ignore[no-untyped-def]
    secrets = world / "secrets.txt"
    secrets.write_bytes(SECRET_FILES[content].encode("utf-8", "surrogateescape"))
    if how == "--dates":
        code, out, err = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv", "--dates", secrets)
    else:
        spec = _spec_with_dates(world, "secrets.txt" if how == "spec, relative" else str(secrets))
        code, out, err = cli("claim", "check", spec)
    line = error_line(err)
    assert code == 2 and str(secrets.name) in line
    assert "XYZZY" not in out + err and "hunter2" not in out + err and "AWS" not in out + err


def test_a_column_differing_in_case_is_named(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (world / "days.csv").write_text("Date,Note\n2020-03-16,x\n")
    code, _, err = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv", "--dates", "days.csv")
    assert code == 2
    assert "no 'date' column in its header line (2 columns; 'Date' differs only in case)" in error_line(err)


def test_a_bad_date_names_its_line_only(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (world / "days.csv").write_text("date\n2020-03-16\n\nnot-a-day\n")
    code, _, err = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv", "--dates", "days.csv")
    assert code == 2
    assert error_line(err).endswith(
        "days.csv: line 4: column 'date' holds a value that is not a date (like 2008-12-16)"
    )


def test_a_relative_path_out_of_the_spec_s_folder_is_refused_and_an_absolute_one_read(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (world / "days.csv").write_text("date\n2020-03-16\n")
    (world / "specs").mkdir()
    code, _, err = cli("claim", "check", _spec_with_dates(world / "specs", "../days.csv"))
    assert code == 2 and "'../days.csv' is outside the spec's folder" in error_line(err)
    code, _, err = cli("claim", "check", _spec_with_dates(world / "specs", "sub/../../days.csv"))
    assert code == 2 and "outside the spec's folder" in error_line(err)
    code, out, err = cli("claim", "check", _spec_with_dates(world / "specs", str(world / "days.csv")))
    # the line wraps at the terminal's width, wherever the temporary folder's path ends it
    assert code == 0 and ".toml:ok:" in "".join(out.split()), err


def test_a_spec_s_dates_file_is_read_when_the_spec_is_checked(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (world / "days.csv").write_text("date\nyesterday\n")
    spec = _spec_with_dates(world, "days.csv")
    for command in (["claim", "check", spec], ["claim", "run", spec, "--output-dir", "out"]):
        code, _, err = cli(*command)
        line = error_line(err)
        assert code == 2 and "[event] file: " in line and "days.csv: line 2: column 'date' holds a value" in line
    assert not (world / "out").exists()


# -- report names derived from a spec's file name ----------------------------------------------------


@pytest.mark.parametrize("file_name", ["...toml", "..toml", ".toml", "my claim.toml", "x" * 120 + ".toml"])
@pytest.mark.parametrize("command", ["check", "run", "run-all"])
def test_a_spec_file_name_that_is_no_folder_name_is_refused_before_work(
    world: Path, cli, file_name: str, command: str
) -> None:  # type: ignore[no-untyped-def]
    (world / "specs").mkdir()
    spec = world / "specs" / file_name
    spec.write_text(toml_text(minimal()))
    args = ["claim", command, spec] + ([] if command == "check" else ["--output-dir", world / "specs" / "out"])
    code, out, err = cli(*args)
    assert code == 2
    line = error_line(err)
    assert "the report folder's name would be the file's name" in line and "is not a folder name" in line, line
    assert line.endswith("set [claim] name or rename the file"), line
    assert sorted(p.name for p in (world / "specs").iterdir()) == [file_name]  # nothing created


def test_a_claim_name_makes_any_file_name_usable(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    tables = minimal()
    tables["claim"]["name"] = "oversold"
    (world / "...toml").write_text(toml_text(tables))
    code, out, _ = cli("claim", "check", world / "...toml")
    # the line wraps at the terminal's width, wherever the temporary folder's path ends it
    assert code == 0 and "-> oversold/" in " ".join(out.split())


def test_a_title_without_letters_needs_a_name_in_code() -> None:
    tables = minimal()
    tables["claim"]["title"] = "!!! ???"
    with pytest.raises(SpecError, match=r"^<code>: \[claim\] title gives no usable folder name; set \[claim\] name"):
        spec_from_dict(tables)
    tables["claim"]["title"] = "A title " * 30
    assert len(spec_from_dict(tables).name) <= 100


# -- an unusable home ------------------------------------------------------------------------------


@pytest.mark.parametrize("home", ["missing", "a file"])
def test_an_unusable_home_means_no_cache_and_nothing_created(world: Path, home: str) -> None:
    if home == "a file":
        (world / "home").write_text("not a folder\n")
    env = {key: value for key, value in os.environ.items() if key not in ("BACKTEST_CACHE_DIR", "XDG_CACHE_HOME")}
    env["HOME"] = str(world / "home")
    before = tree_state(world)
    script = (
        "import sys; from backtest import cache; from backtest.cli import main; cache.contain_library_caches(); "
        "import matplotlib.pyplot; code = main(sys.argv[1:]); sys.exit(code)"
    )
    process = subprocess.run(
        [sys.executable, "-c", script, *EVENTS, "--series", "data/yahoo/WAVE.csv"],
        cwd=world,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    assert "Events: 7" in process.stdout
    assert "matplotlib" not in process.stderr.lower()  # no warning about its folder either
    assert tree_state(world) == before


def test_a_usable_home_is_the_default_cache_s_root(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_ENV_VAR, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.user_cache_dir() == tmp_path / ".cache" / "backtest" / "validated"
    monkeypatch.setenv("HOME", str(tmp_path / "missing"))
    assert cache.user_cache_dir() is None and cache.usable_home() is None
