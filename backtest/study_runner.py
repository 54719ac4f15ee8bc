"""Find, load and run the study scripts in the project's ``studies/`` folder (installed:
the ``backtest_studies`` package; see ``backtest.project``).

A study is a module ``studies/<name>.py`` with a ``run(data_dir, output_dir, *, seed,
n_draws, n_paths, step, policy)`` function, a ``DEFAULT_OUTPUT`` directory and a docstring whose
first line describes it. On the command line its name is written with hyphens
(``russell2000-golden-cross``); ``all`` is reserved for "every study in turn".

``run_study`` and ``run_studies`` take the PARENT folder of report folders (as every
command's ``--output-dir``): each study writes ``output_root/<its DEFAULT_OUTPUT's name>``,
and every target is checked (``backtest._io.preflight``) before any study computes.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from backtest.errors import BacktestError, ParameterError
from backtest.project import studies_dir

STUDIES_DIR = studies_dir()
ALL = "all"
"""The name that means every study, in name order (so no study may be called ``all``)."""


def available_studies() -> dict[str, Path]:
    """Study names (hyphenated) to their script paths, sorted by name."""
    if not STUDIES_DIR.is_dir():
        return {}
    return {
        path.stem.replace("_", "-"): path for path in sorted(STUDIES_DIR.glob("*.py")) if not path.stem.startswith("_")
    }


def running_script(path: Path) -> ModuleType | None:
    """The module already executing ``path`` as the program (``python studies/<name>.py`` runs it
    as ``__main__``), or None. Its code has run to the ``__main__`` block that called the CLI, so
    it is the study itself: importing the file again would run its module-level code a second
    time, with classes and constants that are not the script's own."""
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    if main is None or main_file is None:
        return None
    return main if Path(main_file).resolve() == path.resolve() else None


def load_study(name: str) -> ModuleType:
    """The study script called ``name`` (hyphens or underscores) as a module: the running
    script itself when it is the program (``running_script``), else imported from its file."""
    studies = available_studies()
    key = name.replace("_", "-")
    if key not in studies:
        known = ", ".join(studies) or f"none (no studies folder at {STUDIES_DIR})"
        raise ParameterError(f"unknown study {name!r}; available: {known}")
    running = running_script(studies[key])
    if running is not None:
        return running
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
    """The opening line of a study script's docstring, read without importing the script;
    a first sentence wrapped over several lines (up to the first blank line) is joined."""
    import ast

    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    paragraph = docstring.strip().split("\n\n")[0]
    return " ".join(paragraph.split())


class StudyFailedError(BacktestError):
    """A study raised while running as part of a batch; the message names the study and
    the original error on one line (the original is chained as ``__cause__``). The exit
    code is the original's for a user error (2), else 1."""

    def __init__(self, name: str, error: BaseException, context: str = "") -> None:
        detail = " ".join(str(error).split())
        where = f" ({context})" if context else ""
        super().__init__(f"study {name!r} failed{where}: {type(error).__name__}" + (f": {detail}" if detail else ""))
        self.study = name
        self.exit_code = getattr(error, "exit_code", 1)


def study_target(name: str, output_root: Path | None) -> Path:
    """The report folder of a study: ``output_root/<script name>`` (``russell2000_golden_cross``
    for ``russell2000-golden-cross``, the name of every study's ``DEFAULT_OUTPUT`` folder),
    or the study's ``DEFAULT_OUTPUT`` when no root is given."""
    if output_root is not None:
        return Path(output_root) / name.replace("-", "_")
    return Path(load_study(name).DEFAULT_OUTPUT)


def check_study_targets(names: list[str], output_root: Path | None, overwrite: bool = False) -> list[Path]:
    """The report folder of each study, each checked writable before anything runs
    (``OutputError`` names the first that is not)."""
    from backtest._io import preflight

    known = available_studies()
    for name in names:
        if name.replace("_", "-") not in known:
            load_study(name)  # raises the unknown-study error, listing the available ones
    targets = [study_target(name, output_root) for name in names]
    for target in targets:
        preflight(target, "study", overwrite=overwrite, hint="choose another parent folder with --output-dir")
    return targets


def run_study(
    name: str,
    data_dir: Path | None = None,
    output_root: Path | None = None,
    *,
    step: Callable[[str], None] | None = None,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Load the study ``name`` and run it; returns the directory it wrote.

    output_root: the parent folder; the report goes to ``output_root/<the study's folder
    name>`` (default: the study's ``DEFAULT_OUTPUT``), checked before the study computes.
    overwrite: may replace a report of another kind or name there. options: ``seed``,
    ``n_draws``, ``n_paths``, ``policy`` (data validation: strict or lenient); only those
    given (not None) are passed, so each study keeps
    its own defaults for the rest. Errors propagate unchanged (see ``run_studies``).
    """
    module = load_study(name)
    (target,) = check_study_targets([name.replace("_", "-")], output_root, overwrite)
    return _run_module(module, data_dir, target, step, options, overwrite)


def _run_module(
    module: ModuleType,
    data_dir: Path | None,
    target: Path,
    step: Callable[[str], None] | None,
    options: dict[str, Any],
    overwrite: bool,
) -> Path:
    from backtest._io import overwriting

    given = {key: value for key, value in options.items() if value is not None}
    with overwriting(overwrite):
        return Path(module.run(data_dir, target, step=step or (lambda _: None), **given))


def run_studies(
    names: list[str] | None = None,
    data_dir: Path | None = None,
    output_root: Path | None = None,
    *,
    step: Callable[[str, str], None] | None = None,
    done: Callable[[str, Path], None] | None = None,
    overwrite: bool = False,
    **options: Any,
) -> list[Path]:
    """Run several studies in turn (default: every available study, in name order).

    Each study writes atomically into its ``DEFAULT_OUTPUT`` (or ``output_root/<that
    folder's name>``); every target is checked before the first study runs. The first failure stops the batch with a ``StudyFailedError`` naming
    the study; reports written before it stay, the failing study's previous report is left
    untouched (atomic write), later studies are not run. ``step(name, description)`` reports
    progress; ``done(name, path)`` is called after each study.
    """
    chosen = list(available_studies()) if names is None else [n.replace("_", "-") for n in names]
    if not chosen:
        raise ParameterError(f"no studies to run: {STUDIES_DIR} holds no study scripts")
    check_study_targets(chosen, output_root, overwrite)
    written = []
    for number, name in enumerate(chosen, start=1):
        context = f"{number} of {len(chosen)}; {number - 1} written before it" + (
            f", {len(chosen) - number} not run" if number < len(chosen) else ""
        )
        try:
            module = load_study(name)
            path = _run_module(
                module,
                data_dir,
                study_target(name, output_root),
                (lambda text, name=name: step(name, text)) if step else None,
                options,
                overwrite,
            )
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as error:  # any failure: one line naming the study, the traceback chained
            raise StudyFailedError(name, error, context) from error
        written.append(path)
        if done is not None:
            done(name, path)
    return written
