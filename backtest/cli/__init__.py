"""Command-line interface: parse arguments, call the library, print.

One module per command group (``data``, ``events``, ``study``, ``claim``, ``sweep``,
``bench``, ``calibrate``); shared options and the settings objects they build live in
``_common`` and ``_rules``. Every command is thin: the work lives in the library. User
errors (``BacktestError``) are printed as one line on stderr with a non-zero exit code and
no traceback.
"""

from __future__ import annotations

import sys

import click

from backtest.cli.bench import bench_group
from backtest.cli.calibrate import calibrate_command
from backtest.cli.claim import claim_group
from backtest.cli.data import data_group
from backtest.cli.events import events_command
from backtest.cli.study import study_command
from backtest.cli.sweep import sweep_command
from backtest.errors import BacktestError

__all__ = ["app", "main", "run"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backtest")
def app() -> None:
    """Event-study backtester: detect moving-average crosses and test what followed."""


# click lists a group's commands by name, so the order here does not show in --help
for command in (
    data_group,
    events_command,
    study_command,
    claim_group,
    sweep_command,
    bench_group,
    calibrate_command,
):
    app.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (user errors become one line on stderr)."""
    try:
        app.main(args=argv, prog_name="backtest", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        print("aborted: no results were written", file=sys.stderr)
        return 130
    except click.ClickException as exc:
        # usage errors too are one line: what is wrong, and where to read about it
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        print(f"error: {exc.format_message()}{hint}", file=sys.stderr)
        return exc.exit_code
    except BacktestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: no results were written", file=sys.stderr)
        return 130
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
