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


def _parse_int_list(name: str, text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated whole numbers, got {text!r}", param_hint=name) from None
    if not values:
        raise click.BadParameter("expected at least one value", param_hint=name)
    return values


def event_rule_options(function):  # type: ignore[no-untyped-def]
    """The options that define an event rule, shared by `events`, `study` and `sweep`."""
    options = [
        click.option("--series", default="russell2000", show_default=True,
                     help="Series name (see `backtest data check`) or path to a Yahoo/FRED CSV file."),
        click.option("--fast", type=int, default=50, show_default=True, help="Fast moving-average window, trading days."),
        click.option("--slow", type=int, default=200, show_default=True, help="Slow moving-average window, trading days."),
        click.option("--ma", type=click.Choice(["sma", "ema"]), default="sma", show_default=True, help="Average type."),
        click.option("--direction", type=click.Choice(["golden", "death"]), default="golden", show_default=True,
                     help="golden: fast crosses above slow; death: below."),
        click.option("--since", default=None, help="Detect events from this date (YYYY-MM-DD); averages use all prior history."),
        click.option("--until", default=None, help="Detect events up to this date (YYYY-MM-DD)."),
        click.option("--confirm", type=int, default=0, show_default=True,
                     help="Days the fast average must stay beyond the slow one; the event is dated on the last of them."),
        click.option("--min-gap", type=int, default=0, show_default=True,
                     help="Ignore an event within this many trading days of the previous kept one."),
        click.option("--entry", type=click.Choice(["close", "next_close"]), default="close", show_default=True,
                     help="Enter at the event-day close or the next close."),
        click.option("--horizons", default=None,
                     help="Forward horizons in trading days, comma-separated (default 21,63,126,189,252 = 1m..12m)."),
        click.option("--months", default=None, help="Forward horizons in calendar months instead, e.g. 1,3,6,9,12."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def rules_and_horizons(fast, slow, ma, direction, since, until, confirm, min_gap, entry, horizons, months):  # type: ignore[no-untyped-def]
    """EventRules and horizons from the shared CLI options (validation raises ParameterError)."""
    from backtest.events import DEFAULT_HORIZONS, EventRules, calendar_month_horizons, trading_day_horizons

    if horizons is not None and months is not None:
        raise click.BadParameter("give --horizons or --months, not both", param_hint="--months")
    rules = EventRules(fast=fast, slow=slow, ma=ma, direction=direction, start=since, end=until,
                       confirm=confirm, min_gap=min_gap, entry=entry)
    day_list = _parse_int_list("--horizons", horizons)
    month_list = _parse_int_list("--months", months)
    if month_list:
        chosen = calendar_month_horizons(month_list)
    elif day_list:
        chosen = DEFAULT_HORIZONS if day_list == (21, 63, 126, 189, 252) else trading_day_horizons(day_list)
    else:
        chosen = DEFAULT_HORIZONS
    return rules, chosen


@app.command("events")
@event_rule_options
@click.option("--csv", "csv_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the full event table (every measurement) to this CSV file.")
@data_dir_option
def events_command(series, fast, slow, ma, direction, since, until, confirm, min_gap, entry, horizons, months,
                   csv_path, data_dir):  # type: ignore[no-untyped-def]
    """Print every event of a moving-average cross rule and what followed it.

    Returns are close-to-close price changes from the entry close; a window that runs past
    the last close is shown as 'pending' (never dropped).
    """
    from rich.table import Table

    from backtest._io import atomic_write_text
    from backtest.data import load_series
    from backtest.events import run_event_study

    rules, chosen = rules_and_horizons(fast, slow, ma, direction, since, until, confirm, min_gap, entry, horizons, months)
    market_series = load_series(series, data_dir=data_dir)
    study = run_event_study(market_series, rules, chosen)
    table = Table(title=f"{study.series_name}: {rules.describe()}")
    for column in ("#", "event date", "close", f"SMA{fast}" if ma == "sma" else f"EMA{fast}", f"{ma.upper()}{slow}"):
        table.add_column(column, justify="right")
    for horizon in chosen:
        table.add_column(f"ret {horizon.label}", justify="right")
    last = chosen[-1].label
    table.add_column(f"max dd {last}", justify="right")
    for number, row in study.table.iterrows():
        cells = [str(number), row["event_date"].date().isoformat(), f"{row['close']:.2f}",
                 f"{row['fast_ma']:.2f}", f"{row['slow_ma']:.2f}"]
        for horizon in chosen:
            label = horizon.label
            cells.append("pending" if row[f"pending_{label}"] else f"{row[f'ret_{label}']:+.1%}")
        cells.append("pending" if row[f"pending_{last}"] else f"{row[f'max_drawdown_{last}']:.1%}")
        table.add_row(*cells)
    console.print(table)
    console.print(study.summary())
    if csv_path is not None:
        atomic_write_text(csv_path, study.to_frame().to_csv(date_format="%Y-%m-%d", float_format="%.10g", lineterminator="\n"))
        console.print(f"wrote {csv_path}")


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
