"""First contact: the README's `make study` on a fresh copy with no data beside it, and the
package installed from a wheel (studies and built-in data travel as package data).

Both reuse the environment these tests run in (a venv whose site-packages is added through a
``.pth`` file), so nothing is downloaded; the network is made unreachable for good measure.
"""

from __future__ import annotations

import hashlib
import json
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

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "results" / "russell2000_golden_cross"


def test_listed_packages_are_the_package_tree_plus_the_studies() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = setuptools.find_packages(str(ROOT), include=["backtest", "backtest.*"])
    assert sorted(config["packages"]) == sorted([*found, "backtest_studies"])
    assert config["package-dir"] == {"backtest_studies": "studies"}
    data = config["package-data"]["backtest.data"]
    assert all((ROOT / "backtest" / "data" / pattern).is_file() for pattern in data)


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


def _numbers(summary_path: Path) -> dict:
    summary = json.loads(summary_path.read_text())
    summary.pop("data")
    return summary


@pytest.mark.slow
def test_make_study_on_a_fresh_copy_answers_from_the_builtin_data(tmp_path) -> None:
    repo = _tracked_copy(tmp_path / "clone" / "backtest")
    assert not (repo.parent / "shared").exists()
    venv = _venv_on_this_environment(tmp_path / "venv")
    # The set-up `make` would do is already done: mark it so, with the Makefile's own key.
    key = hashlib.sha256((repo / "pyproject.toml").read_bytes() + (repo / "constraints.txt").read_bytes()).hexdigest()
    (venv / ".install-stamp").write_text(key + "\n")
    result = subprocess.run(
        ["make", "study", f"VENV={venv}"],
        cwd=repo,
        env=_offline_user_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Setting up" not in result.stdout
    assert (
        "**Verdict on the claim: not supported as a signal.** 32 events on russell2000: SMA 50/200 golden cross"
        in result.stdout
    )
    assert "circular shifts of the event dates) p = 0.453: not supported" in result.stdout
    assert "**Data used:** built-in dataset (derived from the snapshot of 2026-02-23, raw SHA-256" in result.stdout
    written = repo / "results" / "russell2000_golden_cross"
    assert _numbers(written / "summary.json") == _numbers(COMMITTED / "summary.json")
    assert (
        "**Data used:** built-in dataset (derived from the snapshot of 2026-02-23"
        in (written / "report.md").read_text()
    )


@pytest.mark.slow
def test_an_installed_copy_finds_the_studies_and_the_builtin_data_from_any_directory(tmp_path) -> None:
    """What a wheel installs (setuptools' ``build_py`` output: the packages, the studies as
    ``backtest_studies`` and the package data), copied into a fresh venv's site-packages.
    (``bdist_wheel`` needs setuptools >= 70.1 or ``wheel``, which this environment may lack.)"""
    repo = _tracked_copy(tmp_path / "source")
    lib = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "build_py", "--build-lib", str(lib)],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    assert sorted(path.name for path in (lib / "backtest_studies").glob("*.py"))[1:] == sorted(
        path.name for path in (ROOT / "studies").glob("[!_]*.py")
    )
    venv = _venv_on_this_environment(tmp_path / "venv")
    purelib = next((venv / "lib").glob("python*/site-packages"))
    shutil.copytree(lib, purelib, dirs_exist_ok=True)
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
    assert f"6 studies in {purelib / 'backtest_studies'}" in listing and "russell2000-golden-cross" in listing
    shown = backtest("data", "show", "russell2000")
    assert "data: built-in dataset (derived from the snapshot of 2026-02-23)" in shown
    assert str(purelib / "backtest" / "data" / "builtin_data" / "closes.parquet") in shown
    backtest("study", "russell2000-golden-cross", "--draws", "2000", "--paths", "20")
    summary = json.loads((elsewhere / "results" / "russell2000_golden_cross" / "summary.json").read_text())
    committed = json.loads((COMMITTED / "summary.json").read_text())
    assert summary["events"] == committed["events"]
    assert summary["conclusion"]["question_a"] == committed["conclusion"]["question_a"]
