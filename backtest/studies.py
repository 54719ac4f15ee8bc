"""Find and load the study scripts in the project's ``studies/`` folder.

A study is a module ``studies/<name>.py`` with a ``run(data_dir, output_dir, *, seed,
n_draws, n_paths, step)`` function and a docstring whose first line describes it. On the
command line its name is written with hyphens (``russell2000-golden-cross``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from backtest.errors import ParameterError

STUDIES_DIR = Path(os.environ.get("BACKTEST_STUDIES_DIR", Path(__file__).resolve().parents[1] / "studies"))


def available_studies() -> dict[str, Path]:
    """Study names (hyphenated) to their script paths, sorted by name."""
    if not STUDIES_DIR.is_dir():
        return {}
    return {path.stem.replace("_", "-"): path for path in sorted(STUDIES_DIR.glob("*.py")) if not path.stem.startswith("_")}


def load_study(name: str) -> ModuleType:
    """Import the study script called ``name`` (hyphens or underscores)."""
    studies = available_studies()
    key = name.replace("_", "-")
    if key not in studies:
        known = ", ".join(studies) or f"none (no studies folder at {STUDIES_DIR})"
        raise ParameterError(f"unknown study {name!r}; available: {known}")
    spec = importlib.util.spec_from_file_location(f"backtest_study_{key.replace('-', '_')}", studies[key])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses and pickling look a module up by name while it executes
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    return module


def describe_study(path: Path) -> str:
    """First line of a study script's docstring (read without importing it)."""
    import ast

    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return docstring.strip().splitlines()[0] if docstring.strip() else ""
