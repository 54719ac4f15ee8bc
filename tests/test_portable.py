"""Portability: the package imports and writes a report folder where there is no ``fcntl``
(Windows), simulated by blocking the module's import in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
sys.modules["fcntl"] = None  # "import fcntl" now raises ImportError, as on Windows
import backtest, backtest.claims, backtest.events, backtest.stats, backtest.report, backtest.cli
from backtest._io import report_directory
with report_directory(sys.argv[1], kind="study") as staging:
    (staging / "a.txt").write_text("x", encoding="utf-8")
with report_directory(sys.argv[1], kind="study") as staging:  # a rerun replaces its own folder
    (staging / "a.txt").write_text("y", encoding="utf-8")
print("ok")
"""


def test_the_package_imports_and_writes_without_fcntl(tmp_path: Path) -> None:
    target = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(target)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
    assert (target / "a.txt").read_text(encoding="utf-8") == "y"
    assert (target / ".backtest-manifest.json").is_file()
