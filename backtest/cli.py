"""Command-line interface: parse arguments, call the library, print.

Every command is thin: the work lives in the library. User errors (``BacktestError``) are
printed as one line on stderr with a non-zero exit code and no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from backtest.errors import BacktestError

console = Console()
err_console = Console(stderr=True)

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory holding yahoo/ and fred/ CSV files "
    "(default: $BACKTEST_DATA_DIR, then ../shared/data beside the project).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backtest")
def app() -> None:
    """Event-study backtester: detect moving-average crosses and test what followed."""


@app.group("data")
def data_group() -> None:
    """Inspect and validate market data."""


@app.group("bench")
def bench_group() -> None:
    """Measure our kernels against their peers (vectorbt, arch, plain numpy) side by side."""


# --- data ----------------------------------------------------------------------------------
# (commands: `backtest data check`, `backtest data show`)


# --- events --------------------------------------------------------------------------------


# --- study ---------------------------------------------------------------------------------


# --- stats (bench montecarlo) ----------------------------------------------------------------


# --- sweep and bench sweep -------------------------------------------------------------------


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
        exc.show()
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


if __name__ == "__main__":
    run()
