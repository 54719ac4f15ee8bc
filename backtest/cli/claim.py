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
    self_contained_option,
    settings_options,
)
from backtest.defaults import DEFAULT_SEED


@click.group("claim")
def claim_group() -> None:
    """Claims as data: state a market-timing claim in a TOML spec and test it.

    `claim new` writes a commented spec, `claim check` validates one, `claim run` runs it
    into OUTPUT_DIR/<name>/ and prints the answer, `claim run-all` regenerates the gallery.
    """


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
    data_dir_option,
]


@dataclass(frozen=True)
class ClaimRunSettings:
    """Where claims write and how they run (the options of `claim run` and `claim run-all`)."""

    output_dir: Path
    overwrite: bool
    seed: int | None
    n_draws: int | None
    n_paths: int | None
    policy: str
    data_dir: Path | None

    def run_options(self) -> dict[str, Any]:
        """The keyword arguments of ``run_claim``, the library's defaults filled in."""
        from backtest.claims.run import DEFAULT_N_DRAWS, DEFAULT_N_PATHS

        return {
            "seed": DEFAULT_SEED if self.seed is None else self.seed,
            "n_draws": self.n_draws or DEFAULT_N_DRAWS,
            "n_paths": DEFAULT_N_PATHS if self.n_paths is None else self.n_paths,
            "policy": self.policy,
            "data_dir": self.data_dir,
        }


claim_run_options = settings_options(ClaimRunSettings, CLAIM_RUN_OPTIONS, into="run")
"""CLAIM_RUN_OPTIONS, passed as ``run: ClaimRunSettings``."""


def _run_one_claim(spec, target, options, overwrite):  # type: ignore[no-untyped-def]
    """Run a validated spec and write its report folder at ``target``; returns the result."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from backtest.claims.run import run_claim_report

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(f"{spec.name}: starting", total=None)
        result, _ = run_claim_report(
            spec,
            target,
            overwrite=overwrite,
            step=lambda text: progress.update(task, description=f"{spec.name}: {text}"),
            **options,
        )
    return result


@claim_group.command("run")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path, dir_okay=False))
@claim_run_options
@self_contained_option
def claim_run_command(spec_path: Path, run: ClaimRunSettings) -> None:
    """Test the claim of SPEC (a TOML file) and write its report to OUTPUT_DIR/<name>/:
    report.md, report.html (plotly.js from <results>/_assets/, or inline with --self-contained), events.csv,
    summary.json and figures.

    Prints the answer: the verdict, then one line per horizon. The spec is validated before
    anything else (a bad key, type, date or file: one line naming it, exit 2), then the
    output folder is checked, then data are loaded.
    """
    from rich.text import Text

    from backtest.claims import load_spec

    spec = load_spec(spec_path)
    target = run.output_dir / spec.name
    announce_output(target, "claim", run.overwrite, "choose another --output-dir")
    result = _run_one_claim(spec, target, run.run_options(), run.overwrite)
    click.echo(result.market_series.data_line(), err=True)
    console.print(Text("\n".join(result.answer_lines())), soft_wrap=True)
    console.print(f"wrote {target}", markup=False, highlight=False, soft_wrap=True)


@claim_group.command("check")
@click.argument(
    "spec_paths", metavar="SPEC...", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
def claim_check_command(spec_paths):  # type: ignore[no-untyped-def]
    """Validate each SPEC without loading data or running anything (exit 2 at the first
    problem, with one line naming the file and the key)."""
    from rich.text import Text

    from backtest.claims import load_spec

    for path in spec_paths:
        spec = load_spec(path)
        console.print(
            Text(
                f"{path}: ok: {spec.claim.title!r}, {spec.event.kind} on {spec.series}, "
                f"horizons {', '.join(spec.claim.horizons)} -> {spec.name}/"
            ),
            soft_wrap=True,
        )


@claim_group.command("new")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default=Path("claim.toml"))
def claim_new_command(path):  # type: ignore[no-untyped-def]
    """Write a commented claim spec to PATH (default claim.toml) to edit; an existing file
    is never replaced."""
    import os

    from backtest.claims import TEMPLATE_PATH
    from backtest.errors import OutputError

    text = TEMPLATE_PATH.read_bytes()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise OutputError(f"{path} exists; choose another PATH (claim new never replaces a file)") from None
    except OSError as exc:
        raise OutputError(f"cannot create {path}: {exc.strerror}; choose another PATH") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(text)
    console.print(
        f"wrote {path}: edit it, then `backtest claim check {path}` and `backtest claim run {path}`",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@claim_group.command("run-all")
@click.argument("targets", metavar="[SPEC_OR_FOLDER]...", nargs=-1, type=click.Path(path_type=Path, exists=True))
@claim_run_options
@self_contained_option
def claim_run_all_command(targets: tuple[Path, ...], run: ClaimRunSettings) -> None:
    """Run every claim (default: the gallery, studies/*.toml and studies/claims/*.toml) into
    OUTPUT_DIR/<name>/ and write OUTPUT_DIR/README.md, a table of what each found. Every spec
    and target folder is checked before the first run."""
    from rich.text import Text

    from backtest._io import atomic_write_text
    from backtest.claims import load_spec
    from backtest.claims.gallery import (
        gallery_specs,
        index_markdown,
        project_relative,
        spec_paths,
    )

    paths = spec_paths(targets) if targets else gallery_specs()
    if not paths:
        raise click.UsageError("no spec (*.toml) found")
    specs = [load_spec(path) for path in paths]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise click.UsageError(f"two specs write the same report folder {twice!r}; give one a [claim] name")
    output_dir = run.output_dir
    for spec in specs:
        announce_output(output_dir / spec.name, "claim", run.overwrite, "choose another --output-dir")
    options = run.run_options()
    rows = []
    for path, spec in zip(paths, specs):
        result = _run_one_claim(spec, output_dir / spec.name, options, run.overwrite)
        console.print(
            Text(result.answer_lines()[0] + f"  ({spec.name}, {result.study.n_events} events)"), soft_wrap=True
        )
        rows.append(
            {
                "title": spec.claim.title,
                "spec": project_relative(path),
                "series": spec.series,
                "n_events": result.study.n_events,
                "verdict": result.verdict,
                "name": spec.name,
            }
        )
    index = output_dir / "README.md"
    atomic_write_text(index, index_markdown(rows))
    console.print(f"wrote {len(rows)} claims and {index}", markup=False, highlight=False, soft_wrap=True)
