"""Find and run the studies in the project's ``studies/`` folder (installed: the
``backtest_studies`` package; see ``backtest.project``).

A study is a spec ``studies/<name>.toml`` of any job kind (a claim, a sweep, a strategy:
``backtest.claims.jobs``), run by ``backtest.claims.jobs.run_job``, the same function as
`backtest claim run studies/<name>.toml`; a Python file beside it (``studies/<name>.py``)
holds only the hooks its spec names. A Python file with no spec beside it is a study script
of your own: a module with a ``run(data_dir, output_dir, *, seed, n_draws, n_paths, step,
policy)`` function and a docstring whose first line describes it. On the command line a
study's name is written with hyphens (``russell2000-golden-cross``); ``all`` is reserved for
"every study in turn".

``run_study`` and ``run_studies`` take the PARENT folder of report folders (as every
command's ``--output-dir``): each study writes ``output_root/<name with underscores>``
(default ``results/`` beside the studies folder), and every target is checked
(``backtest._io.preflight``) before any study computes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from backtest.claims.jobs import hook_module, job_kind, load_job, read_tables, run_job
from backtest.errors import BacktestError, ParameterError
from backtest.project import results_dir, studies_dir

STUDIES_DIR = studies_dir()
ALL = "all"
"""The name that means every study, in name order (so no study may be called ``all``)."""


def available_studies() -> dict[str, Path]:
    """Study names (hyphenated) to their paths, sorted by name: every spec ``*.toml``, and
    every public ``*.py`` with no spec of the same name beside it (a study script)."""
    if not STUDIES_DIR.is_dir():
        return {}
    specs = {path.stem: path for path in STUDIES_DIR.glob("*.toml")}
    scripts = {
        path.stem: path for path in STUDIES_DIR.glob("*.py") if not path.stem.startswith("_") and path.stem not in specs
    }
    found = {**specs, **scripts}
    return {stem.replace("_", "-"): found[stem] for stem in sorted(found)}


def study_path(name: str) -> Path:
    """The spec (or script) of the study called ``name`` (hyphens or underscores)."""
    studies = available_studies()
    key = name.replace("_", "-")
    if key not in studies:
        known = ", ".join(studies) or f"none (no studies folder at {STUDIES_DIR})"
        raise ParameterError(f"unknown study {name!r}; available: {known}")
    return studies[key]


def load_study(name: str) -> ModuleType:
    """The Python module of the study called ``name``: its script, or the hooks beside its
    spec; the running program itself when it is that file (``python studies/<name>.py``),
    never imported twice."""
    path = study_path(name).with_suffix(".py")
    if not path.is_file():
        raise ParameterError(f"study {name!r} is a spec with no Python file beside it ({path.name})")
    return hook_module(path)


def describe_study(path: Path) -> str:
    """One line describing a study, read without running it: a spec's title (``[claim]
    title``, ``[report] title``), or the opening paragraph of a script's docstring."""
    import ast

    if path.suffix == ".toml":
        try:
            tables = read_tables(path)
            section = "report" if job_kind(tables, str(path)) != "claim" else "claim"
            title = tables.get(section, {}).get("title", "")
        except BacktestError:
            return ""
        return " ".join(str(title).split())
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
    """The report folder of a study: ``output_root/<name with underscores>``
    (``russell2000_golden_cross`` for ``russell2000-golden-cross``), by default under the
    ``results/`` folder beside the studies (a script's own ``DEFAULT_OUTPUT`` for a script)."""
    folder = name.replace("-", "_")
    if output_root is not None:
        return Path(output_root) / folder
    path = study_path(name)
    if path.suffix == ".py":
        return Path(load_study(name).DEFAULT_OUTPUT)
    return results_dir(path) / folder


def check_study_targets(names: list[str], output_root: Path | None, overwrite: bool = False) -> list[Path]:
    """The report folder of each study, each checked writable before anything runs
    (``OutputError`` names the first that is not); every spec is validated first."""
    from backtest._io import preflight

    for name in names:
        path = study_path(name)  # raises the unknown-study error, listing the available ones
        if path.suffix == ".toml":
            load_job(path)
    targets = [study_target(name, output_root) for name in names]
    for target in targets:
        preflight(target, "study", overwrite=overwrite, hint="choose another parent folder with --output-dir")
    return targets


def _run_one(
    name: str,
    data_dir: Path | None,
    target: Path,
    step: Callable[[str], None] | None,
    options: dict[str, Any],
    overwrite: bool,
) -> Path:
    from backtest._io import overwriting

    given = {key: value for key, value in options.items() if value is not None}
    path = study_path(name)
    with overwriting(overwrite):
        if path.suffix == ".py":
            return Path(load_study(name).run(data_dir, target, step=step or (lambda _: None), **given))
        command = f"backtest study {name.replace('_', '-')}"
        return run_job(path, data_dir, target, step=step, command=command, report_kind="study", **given)


def run_study(
    name: str,
    data_dir: Path | None = None,
    output_root: Path | None = None,
    *,
    step: Callable[[str], None] | None = None,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Run the study ``name``; returns the directory it wrote.

    output_root: the parent folder; the report goes to ``output_root/<name with
    underscores>`` (default: ``results/`` beside the studies), checked before the study
    computes. overwrite: may replace a report of another kind or name there. options:
    ``seed``, ``n_draws``, ``n_paths``, ``policy`` (data validation: strict or lenient);
    only those given (not None) are passed, so each study keeps its own defaults for the
    rest. Errors propagate unchanged (see ``run_studies``).
    """
    (target,) = check_study_targets([name.replace("_", "-")], output_root, overwrite)
    return _run_one(name, data_dir, target, step, options, overwrite)


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

    Each study writes atomically into its report folder (``study_target``); every target
    is checked before the first study runs. The first failure stops the batch with a
    ``StudyFailedError`` naming the study; reports written before it stay, the failing
    study's previous report is left untouched (atomic write), later studies are not run.
    ``step(name, description)`` reports progress; ``done(name, path)`` is called after each study.
    """
    chosen = list(available_studies()) if names is None else [n.replace("_", "-") for n in names]
    if not chosen:
        raise ParameterError(f"no studies to run: {STUDIES_DIR} holds no studies")
    check_study_targets(chosen, output_root, overwrite)
    written = []
    for number, name in enumerate(chosen, start=1):
        context = f"{number} of {len(chosen)}; {number - 1} written before it" + (
            f", {len(chosen) - number} not run" if number < len(chosen) else ""
        )
        try:
            path = _run_one(
                name,
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
