"""Fixtures of the fault tests: byte snapshots of folder trees (``snapshot_tree``, to
assert that a refused or interrupted command changed nothing), a small hand-made data
directory, and an in-process CLI runner that returns (exit code, stdout, stderr)."""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from backtest.cli import main
from tests.data.csv_rows import YAHOO_HEADER, sessions


def snapshot_tree(path: str | os.PathLike[str]) -> dict[str, str]:
    """Every entry under ``path`` (hidden ones included, symlinks not followed) as relative
    POSIX path -> SHA-256 of its bytes ("dir" for folders, "link:<target>" for symlinks)."""
    root = Path(path)
    found: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(root):
        base = Path(folder)
        for name in dirnames:
            entry = base / name
            relative = entry.relative_to(root).as_posix()
            found[relative] = f"link:{os.readlink(entry)}" if entry.is_symlink() else "dir"
        for name in filenames:
            entry = base / name
            relative = entry.relative_to(root).as_posix()
            found[relative] = (
                f"link:{os.readlink(entry)}" if entry.is_symlink() else hashlib.sha256(entry.read_bytes()).hexdigest()
            )
    return dict(sorted(found.items()))


def wave_rows(n: int = 700, start: str = "2000-01-03", period: int = 90) -> list[str]:
    """Yahoo rows of a smooth wave (about +/-12% over ``period`` NYSE sessions, so a 5/20
    average pair crosses every cycle), no large move, round-lot volumes: a clean file
    (sessions, because validation drops rows dated on days the exchange was closed)."""
    rows = []
    for i, day in enumerate(sessions(start, n)):
        level = 100.0 * math.exp(0.12 * math.sin(2 * math.pi * i / period) + 0.0002 * i)
        rows.append(
            f"{day:%Y-%m-%d},{level:.4f},{level * 1.005:.4f},{level * 0.995:.4f},{level:.4f},{100_000 + 100 * (i % 7)}"
        )
    return rows


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding data/yahoo/WAVE.csv (a clean wave) and nothing else; the
    tests run from it, so a stray relative ``results/`` would show up in its snapshot."""
    data = tmp_path / "data" / "yahoo"
    data.mkdir(parents=True)
    (data / "WAVE.csv").write_text("\n".join([YAHOO_HEADER, *wave_rows()]) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKTEST_DATA_DIR", raising=False)
    return tmp_path


@pytest.fixture
def write_data(world: Path) -> Callable[..., Path]:
    """``write_data(rows, name="BAD.csv", header=YAHOO_HEADER)`` -> path under data/yahoo/."""

    def write(rows: list[str], name: str = "BAD.csv", header: str | None = YAHOO_HEADER) -> Path:
        path = world / "data" / "yahoo" / name
        lines = ([header] if header is not None else []) + list(rows)
        path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``cli("events", "--series", ...)`` -> (exit code, stdout, stderr), in this process."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
