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


def _run_one_claim(spec, options):  # type: ignore[no-untyped-def]
    """Run a validated spec, its figures drawn meanwhile, with a progress line on a
    terminal; returns (result, drawn figures) for ``result.report``."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from backtest.claims.run import run_claim_drawing

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(f"{spec.name}: starting", total=None)
        return run_claim_drawing(
            spec, step=lambda text: progress.update(task, description=f"{spec.name}: {text}"), **options
        )


def _write_claim_report(result, drawn, target, overwrite):  # type: ignore[no-untyped-def]
    """The report folder of a claim run by ``_run_one_claim``, at ``target``."""
    return result.report(target, overwrite=overwrite, command="backtest claim run", drawn=drawn)


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

    from backtest.claims import load_spec

    spec = load_spec(spec_path, data_dir=run.data_dir)
    run.check_work(spec)
    target = run.output_dir / spec.name
    announce_output(target, "claim", run.overwrite, "choose another --output-dir")
    result, drawn = _run_one_claim(spec, run.run_options())
    click.echo(result.market_series.data_line(), err=True)
    for note in result.warnings:
        click.echo(f"warning: {note}", err=True)
    # the answer as soon as the statistics are done; the figures finish while it is read
    print_answer(result.answer_lines(), last_date=result.market_series.last_date)
    _write_claim_report(result, drawn, target, run.overwrite)
    console.print(f"wrote {target}", markup=False, highlight=False, soft_wrap=True)
    if result.verdict == NOT_TESTABLE:
        raise click.exceptions.Exit(NOT_TESTABLE_EXIT)


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
    from backtest.claims import load_spec
    from backtest.claims.run import check_claim_work

    for path in spec_paths:
        spec = load_spec(path, data_dir=data_dir)
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

    from backtest._io import atomic_write_text, preflight
    from backtest.claims import load_spec
    from backtest.claims.gallery import (
        family_adjustment,
        gallery_specs,
        index_markdown,
        project_relative,
        spec_paths,
    )
    from backtest.claims.run import with_family

    paths = spec_paths(targets) if targets else gallery_specs()
    if not paths:
        raise click.UsageError("no spec (*.toml) found")
    specs = [load_spec(path, data_dir=run.data_dir) for path in paths]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise click.UsageError(f"two specs write the same report folder {twice!r}; give one a [claim] name")
    for spec in specs:
        run.check_work(spec)
    output_dir = run.output_dir
    index = output_dir / "README.md"
    # the index is a single file of its own kind: a README that is not the gallery's (a
    # project's, when OUTPUT_DIR is a clone) must never be replaced without --overwrite
    preflight(index, "gallery-index", overwrite=run.overwrite, hint="choose another --output-dir")
    for spec in specs:
        announce_output(output_dir / spec.name, "claim", run.overwrite, "choose another --output-dir")
    options = run.run_options()
    # every claim first, then the reports: each report gives its p adjusted over the family
    runs = []
    for spec in specs:
        result, drawn = _run_one_claim(spec, options)
        for note in result.warnings:
            click.echo(f"warning: {spec.name}: {note}", err=True)
        runs.append((result, drawn))
    family = family_adjustment(
        {
            spec.name: (spec.claim.title, result.summary_data["conclusion"]["primary_pvalue"])
            for spec, (result, _) in zip(specs, runs)
        }
    )
    rows = []
    untestable = []
    for path, spec, (result, drawn) in zip(paths, specs, runs):
        result = with_family(result, family[spec.name])
        _write_claim_report(result, drawn, output_dir / spec.name, run.overwrite)
        console.print(Text(result.answer_lines()[0] + f"  ({spec.name}, {result.study.n_events} events)"))
        if result.verdict == NOT_TESTABLE:
            untestable.append(spec.name)
        rows.append(
            {
                "title": spec.claim.title,
                "spec": project_relative(path),
                "series": spec.series,
                "n_events": result.study.n_events,
                "verdict": result.verdict,
                "name": spec.name,
                "pvalue": family[spec.name]["pvalue"],
                "pvalue_holm": family[spec.name]["pvalue_holm"],
            }
        )
    atomic_write_text(index, index_markdown(rows))
    console.print(f"wrote {len(rows)} claims and {index}", markup=False, highlight=False, soft_wrap=True)
    if untestable:
        click.echo(f"warning: not testable (exit {NOT_TESTABLE_EXIT}): {', '.join(untestable)}", err=True)
        raise click.exceptions.Exit(NOT_TESTABLE_EXIT)
