"""The entry point of ``python studies/<name>.py`` (a study's hooks beside its spec, or a
study script of your own): the same as ``backtest study <name>``, through the command line
itself; the running file is that study's module, never imported a second time.

This module sits above the CLI (it calls ``backtest.cli.main``); the library that finds,
loads and runs studies is ``backtest.study_runner``, which the CLI imports.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from backtest import cli

# The runner's public functions, still importable from here (their home is study_runner;
# patch ``backtest.study_runner.STUDIES_DIR``, not a name here, to point at other scripts).
from backtest.study_runner import (
    ALL,
    StudyFailedError,
    available_studies,
    describe_study,
    load_study,
    run_studies,
    run_study,
)

__all__ = [
    "ALL",
    "StudyFailedError",
    "available_studies",
    "describe_study",
    "load_study",
    "run_as_script",
    "run_studies",
    "run_study",
]


def run_as_script(script: str | Path, argv: list[str] | None = None) -> int:
    """``python studies/<name>.py [--data-dir D] [--output-dir O] [--seed S]``: the same as
    ``backtest study <name>`` with those options (progress, errors and exit codes included)."""
    path = Path(script)
    name = path.stem.replace("_", "-")
    spec = path.with_suffix(".toml")  # a study's hooks beside its spec: the spec describes it
    parser = argparse.ArgumentParser(prog=path.name, description=describe_study(spec if spec.is_file() else path))
    parser.add_argument("--data-dir", type=Path, default=None, help="directory holding yahoo/ and fred/ CSV files")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="parent folder of the report folder (default: ./results, so the report goes to ./results/<name>/)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of every random draw (default: the study's)")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a report of another kind or name in the target folder (never unmarked files)",
    )
    args = parser.parse_args(argv)
    command = ["study", name]
    for option, value in (("--data-dir", args.data_dir), ("--output-dir", args.output_dir), ("--seed", args.seed)):
        if value is not None:
            command += [option, str(value)]
    return cli.main(command + (["--overwrite"] if args.overwrite else []))
