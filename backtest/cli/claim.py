"""`backtest claim ...`: claims as data. Write a spec (`new`), validate it (`check`), run it
into a report folder (`run`), or regenerate the gallery (`run-all`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from backtest.cli._common import (
    announce_output,
    console,
    data_dir_option,
    err_console,
    print_answer,
    settings_options,
)
from backtest.defaults import DEFAULT_MAX_MINUTES, DEFAULT_SEED
from backtest.errors import NOT_TESTABLE_EXIT
from backtest.stats.verdict import NOT_TESTABLE


@click.group("claim")
def claim_group() -> None:
    """Claims as data: state a market-timing claim in a TOML spec and test it.

    `claim new` writes a commented spec, `claim check` validates one, `claim run` runs it
    into OUTPUT_DIR/<name>/ and prints the answer, `claim run-all` regenerates the gallery.
    """


max_minutes_option = click.option(
    "--max-minutes",
    type=click.FloatRange(min=0.0, min_open=True),
    default=DEFAULT_MAX_MINUTES,
    show_default=True,
    help="Refuse a run estimated to take longer (draws x horizons, paths x closes, calibration replications, "
    "variants; the estimate is made before any data is loaded). A run whose estimated memory exceeds 80% of the "
    "memory available is refused whatever this says.",
)


CLAIM_RUN_OPTIONS = [
    click.option(
        "--output-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("results"),
        show_default=True,
        help="Parent folder of report folders: the claim writes OUTPUT_DIR/<name>/ (name: the spec's "
        "[claim] name, else the spec file's stem).",
    ),
    click.option(
        "--overwrite",
        is_flag=True,
        help="Replace a report of another kind or name in the target folder (only the files it lists).",
    ),
    click.option(
        "--seed",
        type=click.IntRange(min=0, max=2**63 - 1),
        default=None,
        help="Seed of every random draw (default: the library's).",
    ),
    click.option(
        "--draws",
        "n_draws",
        type=click.IntRange(min=1),
        default=None,
        help="Random-entry Monte Carlo draws per horizon and variant (default 100,000).",
    ),
    click.option(
        "--paths",
        "n_paths",
        type=click.IntRange(min=0),
        default=None,
        help="Bootstrapped price paths (default 1,000; 0 skips the path null; sources that read other "
        "data than the price path skip it anyway, and say why).",
    ),
    click.option(
        "--policy",
        type=click.Choice(["strict", "lenient"]),
        default="lenient",
        show_default=True,
        help="Data validation policy of every series the claim loads.",
    ),
    click.option(
        "--power-paths",
        "n_power_paths",
        type=click.IntRange(min=0),
        default=None,
        help="Bootstrapped paths of the simulated power: the drift after each event the primary test finds "
        "80% of the time (default 200; 0 skips it).",
    ),
    data_dir_option,
    max_minutes_option,
]


@dataclass(frozen=True)
class ClaimRunSettings:
    """Where claims write and how they run (the options of `claim run` and `claim run-all`)."""

    output_dir: Path
    overwrite: bool
    seed: int | None
    n_draws: int | None
    n_paths: int | None
    n_power_paths: int | None
    policy: str
    data_dir: Path | None
    max_minutes: float

    def check_work(self, spec: Any) -> None:
        """Refuse a spec whose estimated run exceeds --max-minutes or the memory available,
        before its data are loaded (``backtest.claims.run.check_claim_work``)."""
        from backtest.checks import available_memory
        from backtest.claims.run import check_claim_work

        options = self.run_options()
        check_claim_work(
            spec,
            n_draws=options["n_draws"],
            n_paths=options["n_paths"],
            max_minutes=self.max_minutes,
            memory=available_memory(),
        )

    def run_options(self) -> dict[str, Any]:
        """The keyword arguments of ``run_claim``, the library's defaults filled in."""
        from backtest.claims.run import DEFAULT_N_DRAWS, DEFAULT_N_PATHS, DEFAULT_POWER_PATHS

        return {
            "seed": DEFAULT_SEED if self.seed is None else self.seed,
            "n_draws": self.n_draws or DEFAULT_N_DRAWS,
            "n_paths": DEFAULT_N_PATHS if self.n_paths is None else self.n_paths,
            "n_power_paths": DEFAULT_POWER_PATHS if self.n_power_paths is None else self.n_power_paths,
            "policy": self.policy,
            "data_dir": self.data_dir,
        }


claim_run_options = settings_options(ClaimRunSettings, CLAIM_RUN_OPTIONS, into="run")
"""CLAIM_RUN_OPTIONS, passed as ``run: ClaimRunSettings``."""


def _print_claim_answer(result):  # type: ignore[no-untyped-def]
    """The data line and warnings (stderr), then the answer (stdout) of a claim's own result."""
    click.echo(result.market_series.data_line(), err=True)
    for note in result.warnings:
        click.echo(f"warning: {note}", err=True)
    print_answer(result.answer_lines(), last_date=result.market_series.last_date)


def _run_job(job, run):  # type: ignore[no-untyped-def]
    """Run any job (a claim, a pooled claim, a sweep, a strategy) through
    ``backtest.claims.jobs.run_job``, as `backtest study` does: the answer printed as soon as
    a claim's statistics are done, a progress line on a terminal meanwhile."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from backtest._io import overwriting
    from backtest.claims.jobs import ClaimJob, PooledJob, default_report_kind, run_job
    from backtest.cli._common import print_study_answer

    if isinstance(job, ClaimJob):
        run.check_work(job.spec)
    target = run.output_dir / job.name
    announce_output(target, default_report_kind(job), run.overwrite, "choose another --output-dir")
    sizes = {"seed": run.seed, "n_draws": run.n_draws, "n_paths": run.n_paths, "policy": run.policy}
    if isinstance(job, ClaimJob) and run.n_power_paths is not None:
        sizes["n_power_paths"] = run.n_power_paths
    verdicts: list[str] = []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(f"{job.name}: starting", total=None)

        def answered(result):  # type: ignore[no-untyped-def]
            progress.stop()  # the answer goes to stdout, not above the progress line on stderr
            verdicts.append(result.verdict)
            if isinstance(job, ClaimJob):
                _print_claim_answer(result)
            else:
                click.echo(result.summary())
            progress.start()

        if isinstance(job, (ClaimJob, PooledJob)):
            sizes["on_answer"] = answered
        with overwriting(run.overwrite):
            run_job(
                job,
                run.data_dir,
                target,
                command="backtest claim run",
                step=lambda what: progress.update(task, description=f"{job.name}: {what}"),
                **sizes,
            )
    if not isinstance(job, (ClaimJob, PooledJob)):
        print_study_answer(target)
    console.print(f"wrote {target}", markup=False, highlight=False, soft_wrap=True)
    if NOT_TESTABLE in verdicts:
        raise click.exceptions.Exit(NOT_TESTABLE_EXIT)


@claim_group.command("run")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path, dir_okay=False))
@claim_run_options
def claim_run_command(spec_path: Path, run: ClaimRunSettings) -> None:
    """Test the claim of SPEC (a TOML file) and write its report to OUTPUT_DIR/<name>/:
    report.md, report.html (one file: its figures and plotly.js inside), events.csv, summary.json
    and figures.

    Prints the answer: the verdict, then one line per horizon. The spec is validated before
    anything else (a bad key, type, date or file: one line naming it, exit 2), then the
    output folder is checked, then data are loaded.
    """

    from backtest.claims.jobs import load_job

    _run_job(load_job(spec_path, data_dir=run.data_dir), run)  # a claim, pooled claim, sweep or strategy


@claim_group.command("check")
@click.argument(
    "spec_paths", metavar="SPEC...", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@max_minutes_option
@data_dir_option
def claim_check_command(spec_paths, max_minutes, data_dir):  # type: ignore[no-untyped-def]
    """Validate each SPEC without running anything (exit 2 at the first problem, with one
    line naming the file and the key, and a hint where a near miss is likely).

    Besides keys, types, dates and files, a claim that could never be tested is refused: a
    level outside its indicator's range (RSI is 0-100 points; a drawdown is a fraction of
    the running peak, -0.20 = 20% below it: see docs/claims.md), a series name the catalog
    of the data (--data-dir, as `claim run` would read) does not know, or a [rules] start
    after the series' last close (only each series' first and last dates are read). The
    work a spec asks for ([analysis] calibration, [[variants]], with the default draws and
    paths) is estimated too, on the longest built-in series, and refused past --max-minutes
    or the memory available, as `claim run` would."""
    from rich.text import Text

    from backtest.checks import available_memory
    from backtest.claims.jobs import ClaimJob, load_job
    from backtest.claims.run import check_claim_work

    for path in spec_paths:
        job = load_job(path, data_dir=data_dir)
        if not isinstance(job, ClaimJob):  # a sweep or strategy spec: validated, nothing to estimate here
            console.print(Text(f"{path}: ok: a {job.kind} job -> {job.name}/"))
            continue
        spec = job.spec
        estimate = check_claim_work(spec, max_minutes=max_minutes, memory=available_memory())
        console.print(
            Text(
                f"{path}: ok: {spec.claim.title!r}, {spec.event.kind} on {spec.series}, "
                f"horizons {', '.join(spec.claim.horizons)} -> {spec.name}/ (estimated {estimate.describe()})"
            ),
        )


@claim_group.command("new")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default=Path("claim.toml"))
def claim_new_command(path):  # type: ignore[no-untyped-def]
    """Write a commented claim spec to PATH (default claim.toml) to edit; an existing file
    is never replaced."""
    from backtest._io import exclusive_write_bytes, write_failure
    from backtest.claims import TEMPLATE_PATH
    from backtest.errors import OutputError

    text = TEMPLATE_PATH.read_bytes()
    try:
        exclusive_write_bytes(path, text)
    except FileExistsError:
        raise OutputError(f"{path} exists; choose another PATH (claim new never replaces a file)") from None
    except OSError as exc:
        raise write_failure(exc) or OutputError(f"cannot create {path}: {exc.strerror}; choose another PATH") from None
    console.print(
        f"wrote {path}: edit it, then `backtest claim check {path}` and `backtest claim run {path}`",
        markup=False,
        highlight=False,
    )


@claim_group.command("run-all")
@click.argument("targets", metavar="[SPEC_OR_FOLDER]...", nargs=-1, type=click.Path(path_type=Path, exists=True))
@claim_run_options
def claim_run_all_command(targets: tuple[Path, ...], run: ClaimRunSettings) -> None:
    """Run every claim (default: the gallery, studies/*.toml and studies/claims/*.toml) into
    OUTPUT_DIR/<name>/ and write OUTPUT_DIR/README.md, a table of what each found. Every spec
    and target folder is checked before the first run, and so is README.md: one that
    run-all did not write is replaced only with --overwrite."""
    from rich.text import Text

    from backtest.claims.gallery import gallery_specs, run_gallery, spec_paths

    paths = spec_paths(targets) if targets else gallery_specs()
    if not paths:
        raise click.UsageError("no spec (*.toml) found")
    options = run.run_options()

    def written(result):  # type: ignore[no-untyped-def]
        console.print(Text(result.answer_lines()[0] + f"  ({result.spec.name}, {result.study.n_events} events)"))

    gallery = run_gallery(
        paths,
        run.output_dir,
        overwrite=run.overwrite,
        check=run.check_work,
        announce=lambda target: announce_output(target, "claim", run.overwrite, "choose another --output-dir"),
        on_warning=lambda name, note: click.echo(f"warning: {name}: {note}", err=True),
        on_written=written,
        **options,
    )
    console.print(
        f"wrote {len(gallery.results)} claims and {gallery.index}", markup=False, highlight=False, soft_wrap=True
    )
    if gallery.untestable:
        click.echo(f"warning: not testable (exit {NOT_TESTABLE_EXIT}): {', '.join(gallery.untestable)}", err=True)
        raise click.exceptions.Exit(NOT_TESTABLE_EXIT)
