"""`backtest study NAME`: run a study script from studies/ (or `all` of them) into its report
folder, with a spinner on stderr and one data line per series it loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from backtest.cli._common import console, data_dir_option, err_console, self_contained_option, settings_options

if TYPE_CHECKING:
    from backtest.data import MarketSeries


@dataclass(frozen=True)
class StudyRunSettings:
    """Where a study writes and what it may override (None: the study's own default)."""

    output_dir: Path
    overwrite: bool
    seed: int | None
    n_draws: int | None
    n_paths: int | None
    policy: str | None
    data_dir: Path | None

    def options(self) -> dict[str, Any]:
        """The keyword arguments of ``run_study`` and ``run_studies`` besides the folders."""
        return {
            "seed": self.seed,
            "n_draws": self.n_draws,
            "n_paths": self.n_paths,
            "overwrite": self.overwrite,
            "policy": self.policy,
        }


STUDY_RUN_OPTIONS = [
    click.option(
        "--output-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("results"),
        show_default=True,
        help="Parent folder of report folders, relative to the current directory: each study writes "
        "OUTPUT_DIR/<its folder name>/ (e.g. results/russell2000_golden_cross/), with `all` too.",
    ),
    click.option(
        "--overwrite",
        is_flag=True,
        help="Replace a report of another kind or name in the target folder (only the files it lists; "
        "files backtest did not write are never deleted).",
    ),
    click.option("--seed", type=int, default=None, help="Seed of every random draw (default: the study's)."),
    click.option(
        "--draws",
        "n_draws",
        type=click.IntRange(min=1),
        default=None,
        help="Random-entry Monte Carlo draws (default: the study's; 100,000 in the event studies).",
    ),
    click.option(
        "--paths",
        "n_paths",
        type=click.IntRange(min=0),
        default=None,
        help="Bootstrapped price paths (default: the study's; 1,000 in the event studies; 0 skips the "
        "bootstrapped-path null).",
    ),
    click.option(
        "--policy",
        type=click.Choice(["strict", "lenient"]),
        default=None,
        help="Data validation policy of every series the study loads (default: lenient): strict stops at "
        "the first unusable row or long gap.",
    ),
    data_dir_option,
]

study_run_options = settings_options(StudyRunSettings, STUDY_RUN_OPTIONS, into="run")


def _study_listing() -> str:
    """One line per study: its name and the first line of its docstring."""
    from backtest.study_runner import STUDIES_DIR, available_studies, describe_study

    studies = available_studies()
    if not studies:
        return f"no studies found in {STUDIES_DIR}"
    width = max(len(name) for name in studies)
    lines = [
        f"{len(studies)} studies in {STUDIES_DIR} (run one with `backtest study NAME`, "
        "every one with `backtest study all`):"
    ]
    for name, path in studies.items():
        lines.append(f"  {name:<{width}}  {describe_study(path) or '(no description: add a module docstring)'}")
    return "\n".join(lines)


@click.command("study")
@click.argument("name", required=False)
@click.option(
    "--list", "list_only", is_flag=True, help="List the available studies with one-line descriptions and exit."
)
@study_run_options
@self_contained_option
def study_command(name: str | None, list_only: bool, run: StudyRunSettings) -> None:
    """Run a study script from studies/ and write its report to OUTPUT_DIR/<folder name>/
    (atomically: an interrupted run leaves the previous report in place and no partial
    files). Only a folder backtest wrote (it holds .backtest-manifest.json) is replaced, and
    in it only the files it wrote (files you added stay); a non-empty folder backtest did
    not write is refused before any work.

    NAME is a study from `backtest study --list`, or `all` to regenerate every report in
    turn (name order) with each study's defaults; the first failure stops the run with a
    one-line error naming the study (reports written before it are kept, the failing one
    keeps its previous report, later ones are not run).
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from backtest.data.catalog import listening_to_loads
    from backtest.study_runner import (
        ALL,
        available_studies,
        check_study_targets,
        run_studies,
        run_study,
    )

    if list_only or name is None:
        console.print(Text(_study_listing()), soft_wrap=True)
        return
    output_dir = run.output_dir
    targets = check_study_targets(list(available_studies()) if name == ALL else [name], output_dir, run.overwrite)
    where = f"{targets[0]}/" if len(targets) == 1 else f"{output_dir}/ ({', '.join(t.name for t in targets)})"
    if targets:
        console.print(Text(f"writing to {where}"), soft_wrap=True)
    options = run.options()
    # one line per series the study loaded, on stderr once it succeeded (a failure: only its line)
    data_lines: dict[str, str] = {}

    def remember(series: MarketSeries) -> None:
        data_lines.setdefault(series.name, series.data_line())

    listening = listening_to_loads(remember)
    # a spinner only on a terminal: piped stderr then holds nothing but a failure's one line
    with (
        listening,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=not err_console.is_terminal,
        ) as progress,
    ):
        task = progress.add_task(f"{name}: starting", total=None)

        def step(study: str, description: str) -> None:
            progress.update(task, description=f"{study}: {description}")

        if name == ALL:

            def done(study: str, path: Path) -> None:
                console.print(Text(f"wrote {path}  ({study})"), soft_wrap=True)

            written = run_studies(None, run.data_dir, output_dir, step=step, done=done, **options)
        else:
            written_one = run_study(name, run.data_dir, output_dir, step=lambda text: step(name, text), **options)
    for line in data_lines.values():
        click.echo(line, err=True)
    if name == ALL:
        console.print(Text(f"regenerated {len(written)} studies"))
        return
    console.print(f"wrote {written_one}")
