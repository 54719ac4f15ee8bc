"""Where the project's parts are: the study scripts and the results folder.

In a checkout the studies are ``studies/*.py`` and reports go to ``results/`` beside them;
installed (``pip install .`` or a wheel), the same scripts travel as the package
``backtest_studies`` and reports go to ``results/`` under the current directory.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

STUDIES_PACKAGE = "backtest_studies"
STUDIES_DIR_ENV_VAR = "BACKTEST_STUDIES_DIR"


def _checkout_root(anchor: Path) -> Path | None:
    """The project root if ``anchor`` (a file of the package or a study) sits in a checkout."""
    root = anchor.resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "studies").is_dir() else None


def studies_dir() -> Path:
    """``$BACKTEST_STUDIES_DIR``, else the checkout's ``studies/``, else the installed
    ``backtest_studies`` package's folder (``studies/`` beside the package when none exists,
    so messages name a place)."""
    if os.environ.get(STUDIES_DIR_ENV_VAR):
        return Path(os.environ[STUDIES_DIR_ENV_VAR])
    package_file = Path(__file__)
    root = _checkout_root(package_file)
    if root is not None:
        return root / "studies"
    spec = importlib.util.find_spec(STUDIES_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return package_file.resolve().parents[1] / "studies"


def results_dir(study_file: str | os.PathLike[str]) -> Path:
    """Where a study's report folder goes by default: ``results/`` of the checkout holding
    ``study_file``, or ``results/`` under the current directory for an installed study."""
    root = _checkout_root(Path(study_file))
    return (root if root is not None else Path.cwd()) / "results"
