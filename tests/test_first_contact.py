"""First contact: the README's `make study` on a fresh copy with no data beside it, and the
package installed from a wheel (studies and built-in data travel as package data).

Both reuse the environment these tests run in (a venv whose site-packages is added through a
``.pth`` file), so nothing is downloaded; the network is made unreachable for good measure.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import setuptools

from backtest.project import results_dir, studies_dir
from tests.studies.report_checks import check_against_committed

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "results" / "russell2000_golden_cross"


def _data_folders() -> list[str]:
    """Folders of backtest/ that hold files but no __init__.py (templates, assets, data)."""
    return sorted(
        ".".join(folder.relative_to(ROOT).parts)
        for folder in (ROOT / "backtest").rglob("*")
        if folder.is_dir()
        and folder.name != "__pycache__"
        and not (folder / "__init__.py").exists()
        and any(path.is_file() for path in folder.iterdir())
    )


def test_listed_packages_are_the_package_tree_plus_the_studies() -> None:
    """Every package, the studies, and every folder of data files as a package of its own
    with its files listed: setuptools then installs them without a warning."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = setuptools.find_packages(str(ROOT), include=["backtest", "backtest.*"])
    folders = _data_folders()
    assert {"backtest.data.builtin_data", "backtest.report.assets", "backtest.report.templates"} <= set(folders)
    assert sorted(config["packages"]) == sorted([*found, *folders, "backtest_studies"])
    assert config["package-dir"] == {"backtest_studies": "studies"}
    for folder in folders:
        patterns = config["package-data"][folder]
        directory = ROOT.joinpath(*folder.split("."))
        listed = {path for pattern in patterns for path in directory.glob(pattern)}
        assert all(list(directory.glob(pattern)) for pattern in patterns), folder  # each pattern matches
        tracked = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", str(directory)], cwd=ROOT, capture_output=True, text=True
        ).stdout.split()
        assert {ROOT / name for name in tracked} <= listed, folder  # and every file of the folder is listed


def test_studies_and_results_in_a_checkout_and_installed(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("BACKTEST_STUDIES_DIR", raising=False)
    assert studies_dir() == ROOT / "studies"
    assert results_dir(ROOT / "studies" / "russell2000_golden_cross.py") == ROOT / "results"
    installed = tmp_path / "site-packages" / "backtest_studies" / "russell2000_golden_cross.py"
    installed.parent.mkdir(parents=True)
    installed.touch()
    monkeypatch.chdir(tmp_path)
    assert results_dir(installed) == tmp_path / "results"


def _tracked_copy(target: Path) -> Path:
    """The files a fresh clone would have (tracked, plus new files not ignored)."""
    listing = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True, capture_output=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listing):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _with_compiled_kernels(root: Path) -> None:
    """numba's cache of this checkout's kernels (``backtest/**/__pycache__/*.nbi``, ``*.nbc``)
    beside the sources of the copy at ``root`` (a clone, or site-packages), where it is valid:
    numba keys an entry by its source file's modification time and size (which the copies
    keep) and the function's bytecode. A fresh clone or install compiles them on its first run
    instead; what these tests check is the answer and the files, not numba's compiler (the cold
    run of tests/bench/test_study.py compiles every kind of kernel a claim uses from scratch)."""
    for cache in (ROOT / "backtest").rglob("__pycache__/*.nb[ic]"):
        target = root / cache.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(cache, target)


def _venv_on_this_environment(path: Path, with_pip: bool = False) -> Path:
    """A venv that sees this environment's installed packages (no download), nothing else."""
    subprocess.run([sys.executable, "-m", "venv", *([] if with_pip else ["--without-pip"]), str(path)], check=True)
    purelib = Path(
        subprocess.run(
            [str(path / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (purelib / "reuse-installed-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return path


def _offline_user_env(home: Path) -> dict[str, str]:
    """No data directory configured, an empty HOME (so no per-user data), no network."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("BACKTEST_DATA_DIR", "BACKTEST_STUDIES_DIR", "XDG_DATA_HOME", "PYTHONPATH")
    }
    dead = "http://127.0.0.1:9"  # nothing listens there: any download fails at once
    env.update(
        HOME=str(home),
        PIP_NO_INDEX="1",
        HTTP_PROXY=dead,
        HTTPS_PROXY=dead,
        http_proxy=dead,
        https_proxy=dead,
        MPLBACKEND="Agg",
    )
    return env


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by its relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def _no_data_configured(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No --data-dir, no $BACKTEST_DATA_DIR, no ../shared/data, no per-user data: a clone."""
    from backtest.data import clear_cache, sources

    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: root / "shared" / "data")
    monkeypatch.setattr(sources, "user_data_dir", lambda: root / "user")
    clear_cache()
    assert sources.resolve_data_source().kind == "built-in"


SMALL_CLAIM = """
[claim]
title = "Russell 2000 golden crosses, relative to the S&P 500"
statement = "After a golden cross, small caps beat large caps over the next 3 and 6 months."
horizons = ["3m", "6m"]

[series]
name = "russell2000"

[event]
kind = "ma_cross"
fast = 50
slow = 200

[rules]
start = "1985-01-01"

[benchmark]
relative_to = "SPY"

[[variants]]
name = "IWM"
series = "IWM"
"""


def test_the_same_closes_give_the_same_report_bytes_however_they_were_found(
    data_dir: Path,
    data_is_snapshot: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A claim on a splice (RU2000PR onto ^RUT), a benchmark (SPY) and a variant series (IWM),
    run on the snapshot and then with no data configured (the built-in dataset, derived from
    the snapshot bit for bit): every file of the two report folders is the same bytes, so a
    fresh clone reproduces committed results exactly. Without the snapshot, the same holds
    of the synthetic fixture's files and a built-in dataset derived from them."""
    import functools

    from backtest.cli import main
    from backtest.data import builtin, clear_cache
    from backtest.data.catalog import catalog_files

    if not data_is_snapshot:
        # the runs with no data configured read a built-in dataset built from the fixture's
        # files here, as the package's own was built from the snapshot's
        derived = builtin.build_builtin(data_dir, tmp_path / "derived", files=catalog_files())
        monkeypatch.setattr(builtin, "BUILTIN_DIR", derived)
        monkeypatch.setattr(builtin, "builtin_files", functools.partial(builtin.builtin_files, derived))
        monkeypatch.setattr(builtin, "load_builtin", functools.partial(builtin.load_builtin, directory=derived))
    spec = tmp_path / "small.toml"
    spec.write_text(SMALL_CLAIM)
    run = ["claim", "run", str(spec), "--draws", "500", "--paths", "0", "--power-paths", "0"]
    assert main([*run, "--output-dir", str(tmp_path / "snapshot"), "--data-dir", str(data_dir)]) == 0
    from_snapshot = capsys.readouterr()
    _no_data_configured(tmp_path, monkeypatch)
    assert main([*run, "--output-dir", str(tmp_path / "builtin")]) == 0
    from_builtin = capsys.readouterr()
    clear_cache()
    snapshot, builtin = _tree(tmp_path / "snapshot" / "small"), _tree(tmp_path / "builtin" / "small")
    assert {"report.md", "report.html", "summary.json", "events.csv"} <= set(snapshot)
    assert sorted(builtin) == sorted(snapshot)
    assert [name for name in snapshot if builtin[name] != snapshot[name]] == []
    # only the terminal says where the data were found
    assert "(FRED RU2000PR + Yahoo ^RUT)" in from_snapshot.err
    assert "(FRED RU2000PR + Yahoo ^RUT, built-in dataset)" in from_builtin.err


@pytest.mark.slow
def test_make_study_on_a_fresh_copy_answers_and_leaves_the_clone_clean(tmp_path) -> None:
    """The README's first command on a fresh clone with nothing beside it: the answer,
    rendered for an 80-column terminal (no Markdown marks, no line wider), verdict first, from
    the built-in data; the headline report it rewrites has the committed numbers (checked by
    number, as every committed result is) and no other committed file changes (the
    calibrations it reads included)."""
    repo = _tracked_copy(tmp_path / "clone" / "backtest")
    assert not (repo.parent / "shared").exists()
    before = _tree(repo / "results")
    _with_compiled_kernels(repo)
    venv = _venv_on_this_environment(tmp_path / "venv")
    # The set-up `make` would do is already done: mark it so, with the Makefile's own key.
    key = hashlib.sha256((repo / "pyproject.toml").read_bytes() + (repo / "constraints.txt").read_bytes()).hexdigest()
    (venv / ".install-stamp").write_text(key + "\n")
    env = _offline_user_env(tmp_path / "home")
    env.pop("COLUMNS", None)
    result = subprocess.run(
        ["make", "--no-print-directory", "study", f"VENV={venv}"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Setting up" not in out
    assert out.startswith("writing to results/russell2000_golden_cross/\nwrote results/russell2000_golden_cross\n")
    answer = out.split("\n", 2)[2]
    assert answer.startswith("Verdict: not supported as a signal")
    assert "p = 0.453" in " ".join(answer.split())
    assert "**" not in answer and "##" not in answer
    assert [line for line in out.splitlines() if len(line.rstrip()) > 80] == []
    assert "(FRED RU2000PR + Yahoo ^RUT, built-in dataset)" in result.stderr.splitlines()[0]
    check_against_committed(repo / "results" / "russell2000_golden_cross", COMMITTED)
    after = _tree(repo / "results")
    assert sorted(after) == sorted(before)
    rewritten = "russell2000_golden_cross/"
    assert [name for name in after if after[name] != before[name] and not name.startswith(rewritten)] == []


@pytest.mark.slow
def test_an_installed_copy_finds_the_studies_and_the_builtin_data_from_any_directory(tmp_path) -> None:
    """What a wheel installs (setuptools' ``build_py`` output: the packages, the studies as
    ``backtest_studies`` and the package data), copied into a fresh venv's site-packages.
    (``bdist_wheel`` needs setuptools >= 70.1 or ``wheel``, which this environment may lack.)"""
    repo = _tracked_copy(tmp_path / "source")
    lib = tmp_path / "lib"
    built = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "build_py", "--build-lib", str(lib)],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    # quiet: no data folder "would be ignored", none "installed as data" (the packages list them)
    assert "would be ignored" not in built.stdout + built.stderr
    assert "as data is deprecated" not in built.stdout + built.stderr
    assert (lib / "backtest" / "data" / "builtin_data" / "provenance.json").is_file()
    assert (lib / "backtest" / "report" / "templates" / "event_study.md.j2").is_file()
    assert sorted(path.name for path in (lib / "backtest_studies").glob("*.py"))[1:] == sorted(
        path.name for path in (ROOT / "studies").glob("[!_]*.py")
    )
    venv = _venv_on_this_environment(tmp_path / "venv")
    purelib = next((venv / "lib").glob("python*/site-packages"))
    shutil.copytree(lib, purelib, dirs_exist_ok=True)
    _with_compiled_kernels(purelib)
    env = _offline_user_env(tmp_path / "home")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def backtest(*args: str) -> str:
        result = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "backtest.cli", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    listing = backtest("study", "--list")

    def flat(text: str) -> str:  # lines wrap at 80 columns; a long path is folded, not broken by a space
        return "".join(text.split())

    assert flat(f"6 studies in {purelib / 'backtest_studies'}") in flat(listing)
    assert "russell2000-golden-cross" in listing
    shown = backtest("data", "show", "russell2000")
    assert "data: built-in dataset (derived from the snapshot of 2026-02-23)" in shown
    assert flat(str(purelib / "backtest" / "data" / "builtin_data" / "closes.parquet")) in flat(shown)
    backtest("study", "russell2000-golden-cross", "--draws", "2000", "--paths", "20")
    check_against_committed(elsewhere / "results" / "russell2000_golden_cross", COMMITTED)
