"""`backtest study NAME`: run a study of studies/ (its spec, any job kind: ``backtest.claims.jobs``),
or `all` of them, into its report folder, with a spinner on stderr and one data line per series
it loaded; ``backtest.study_runner`` does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from backtest.cli._common import (
    console,
    data_dir_option,
    data_lines_in_brief,
    err_console,
    print_study_answer,
    settings_options,
)
from backtest.cli.claim import max_minutes_option

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
    max_minutes: float

    def check_work(self) -> None:
        """Refuse --draws / --paths whose statistics alone are estimated past --max-minutes or
        the memory available (``backtest.stats.cost``, on the longest built-in series), before
        any study starts. A study's own calibration and variants are its spec's, checked by
        `backtest claim check`."""
        if self.n_draws is None and self.n_paths is None:
            return
        from backtest.checks import available_memory
        from backtest.claims.run import DEFAULT_N_DRAWS, DEFAULT_N_PATHS
        from backtest.stats.cost import check_claim_cost, estimate_claim

        estimate = estimate_claim(
            draws=DEFAULT_N_DRAWS if self.n_draws is None else self.n_draws,
            paths=DEFAULT_N_PATHS if self.n_paths is None else self.n_paths,
        )
        check_claim_cost(estimate, max_minutes=self.max_minutes, memory=available_memory(), what="the study")

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
    max_minutes_option,
]

study_run_options = settings_options(StudyRunSettings, STUDY_RUN_OPTIONS, into="run")


def _print_study_listing() -> None:
    """One line per study: its name and the first line of its docstring, wrapped beside the
    name to fit the terminal."""
    import textwrap

    from rich.text import Text

    from backtest.study_runner import STUDIES_DIR, available_studies, describe_study

    studies = available_studies()
    if not studies:
        console.print(Text(f"no studies found in {STUDIES_DIR}"))
        return
    console.print(
        Text(
            f"{len(studies)} studies in {STUDIES_DIR} (run one with `backtest study NAME`, "
            "every one with `backtest study all`):"
        )
    )
    width = max(len(name) for name in studies)
    for name, path in studies.items():
        description = describe_study(path) or "(no description: add a module docstring)"
        lead = f"  {name:<{width}}  "
        text = textwrap.fill(
            description,
            width=max(console.width, len(lead) + 20),
            initial_indent=lead,
            subsequent_indent=" " * len(lead),
        )
        console.print(Text(text), soft_wrap=True)  # wrapped here, by words, beside the name


@click.command("study")
@click.argument("name", required=False)
@click.option(
    "--list", "list_only", is_flag=True, help="List the available studies with one-line descriptions and exit."
)
@study_run_options
def study_command(name: str | None, list_only: bool, run: StudyRunSettings) -> None:
    """Run a study of studies/ (its spec NAME.toml: a claim, a sweep or a strategy; the same as
    `backtest claim run studies/NAME.toml`) and write its report to OUTPUT_DIR/<folder name>/
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
        _print_study_listing()
        return
    run.check_work()
    output_dir = run.output_dir
    targets = check_study_targets(list(available_studies()) if name == ALL else [name], output_dir, run.overwrite)
    where = f"{targets[0]}/" if len(targets) == 1 else f"{output_dir}/ ({', '.join(t.name for t in targets)})"
    if targets:
        # soft wrap: a path is never broken in two, so that it can be copied whole
        console.print(Text(f"writing to {where}"), soft_wrap=True)
    options = run.options()
    # the series the study loaded, on stderr once it succeeded (a failure: only its line): the
    # first in full, the others (benchmarks, variants, peers) in one line
    loaded: dict[str, MarketSeries] = {}

    def remember(series: MarketSeries) -> None:
        loaded.setdefault(series.name, series)

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
    for line in data_lines_in_brief(list(loaded.values())):
        click.echo(line, err=True)
    if name == ALL:
        console.print(Text(f"regenerated {len(written)} studies"))
        return
    console.print(Text(f"wrote {written_one}"), soft_wrap=True)
    # the answer, as `claim run` prints it, for a study whose report answers a claim
    print_study_answer(Path(written_one))
