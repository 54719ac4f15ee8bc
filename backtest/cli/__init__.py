"""Command-line interface: parse arguments, call the library, print.

One module per command group (``data``, ``events``, ``study``, ``claim``, ``sweep``,
``bench``, ``calibrate``); shared options and the settings objects they build live in
``_common`` and ``_rules``. Every command is thin: the work lives in the library. User
errors (``BacktestError``) are printed as one line on stderr with a non-zero exit code and
no traceback; the exit statuses are listed in ``backtest.errors``.
"""

from __future__ import annotations

import codecs
import sys

import click

from backtest._io import write_failure
from backtest.cache import contain_library_caches
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


def _replace_unencodable_characters() -> None:
    """On a terminal whose encoding cannot show every character (``PYTHONIOENCODING=ascii``,
    a Latin-1 locale), print '?' for the ones it lacks: the output (names, dashes, ellipses
    in messages) stays whole instead of stopping at a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        try:
            utf = codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name.startswith("utf")
        except LookupError:
            utf = False
        if reconfigure is not None and not utf and getattr(stream, "errors", "strict") == "strict":
            reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (user errors become one line on stderr)."""
    _replace_unencodable_characters()
    contain_library_caches()  # before matplotlib is imported: no home folder created for it
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
    except OSError as exc:
        # a disk that filled up, a file-size limit or a name too long, met where no writer
        # named the output itself: still one line (a report's writer says which report)
        failure = write_failure(exc)
        if failure is None:
            raise
        print(f"error: {failure}", file=sys.stderr)
        return failure.exit_code
    except KeyboardInterrupt:
        print("interrupted: no results were written", file=sys.stderr)
        return 130
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
