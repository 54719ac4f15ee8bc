"""Command-line interface: parse arguments, call the library, print.

Every command is thin: the work lives in the library. User errors (``BacktestError``) are
printed as one line on stderr with a non-zero exit code and no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from backtest.defaults import DEFAULT_DETECTION_START, DEFAULT_SEED
from backtest.errors import BacktestError

# Piped output (files, CI logs) gets a wide fixed width so tables are never truncated.
console = Console() if sys.stdout.isatty() else Console(width=200)
err_console = Console(stderr=True)

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory holding yahoo/ and fred/ CSV files (default: $BACKTEST_DATA_DIR, then ../shared/data "
    "beside the project, then the per-user data of `backtest data update`, then the built-in dataset).",
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
# (commands: `backtest data check`, `backtest data show`, `backtest data list`, `backtest data fetch`,
#  `backtest data update`, `backtest data build-builtin`)

data_policy_option = click.option(
    "--policy",
    type=click.Choice(["strict", "lenient"]),
    default="lenient",
    show_default=True,
    help="lenient: drop unusable rows and list every one; strict: stop with an error naming the file and line instead.",
)
data_max_move_option = click.option(
    "--max-move",
    type=float,
    default=0.15,
    show_default=True,
    help="Report single-day moves whose |log return| exceeds this (0.15 is about +16%/-14%).",
)


def _data_findings_table(report):  # type: ignore[no-untyped-def]
    """A rich table of one file's findings (text cells, so data never renders as markup)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(report.headline()), title_justify="left", show_lines=False)
    for column, justify in (
        ("kind", "left"),
        ("severity", "left"),
        ("count", "right"),
        ("first lines", "left"),
        ("first dates", "left"),
        ("message", "left"),
    ):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for finding in report.findings:
        table.add_row(
            *(
                Text(cell)
                for cell in (
                    finding.kind,
                    finding.severity,
                    f"{finding.count:,}",
                    finding.first_lines(3),
                    finding.first_dates(3),
                    finding.message,
                )
            )
        )
    return table


def _data_frame_table(frame, title: str):  # type: ignore[no-untyped-def]
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), title_justify="left")
    for column in frame.columns:
        # fold, never ellipsize: a cut-off name or path would be worse than a wrapped one
        table.add_column(str(column), justify="right" if frame[column].dtype.kind in "fiu" else "left", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(Text(str(cell)) for cell in row))
    return table


@data_group.command("check")
@click.argument("target", required=False)
@data_policy_option
@data_max_move_option
@click.option("--show-dropped", is_flag=True, help="Also list every dropped row: line, date, kind, detail.")
@data_dir_option
def data_check_command(target, policy, max_move, show_dropped, data_dir):  # type: ignore[no-untyped-def]
    """Validate data files and print every finding, file by file.

    TARGET is a series name (russell2000, RUT, RU2000PR, ...) or a path to a Yahoo/FRED CSV
    file; without it, every CSV file in the data directory is checked. Severity "error" means
    the row is unusable (dropped under lenient); "warning" and "info" rows are kept. Line
    numbers count the header as line 1. Under --policy strict any error exits with status 2.
    """
    from rich.text import Text

    from backtest.data import DEFAULT_POLICY, validation_reports

    reports = validation_reports(target, data_dir=data_dir, max_move=max_move)
    if policy == "strict":
        for report in reports:
            report.raise_if_errors()
    for report in reports:
        console.print(_data_findings_table(report))
        if show_dropped and report.rows_dropped:
            dropped_rows = report.dropped_frame().drop(columns=["file"])
            console.print(_data_frame_table(dropped_rows, f"{report.name}: every dropped row"))
    if not reports:
        console.print(
            Text(
                f"{target}: read from the built-in dataset, validated ({DEFAULT_POLICY} policy) when it "
                "was built; `backtest data check --data-dir DIR` validates raw files"
            )
        )
        return
    dropped = sum(report.rows_dropped for report in reports)
    with_errors = sum(1 for report in reports if report.errors)
    console.print(
        Text(
            f"{len(reports)} file(s) checked ({policy} policy, max move {max_move:g}): {dropped:,} rows dropped "
            f"and listed; {with_errors} file(s) with unusable rows"
        )
    )


@data_group.command("show")
@click.argument("name", default="russell2000")
@data_policy_option
@data_max_move_option
@data_dir_option
def data_show_command(name, policy, max_move, data_dir):  # type: ignore[no-untyped-def]
    """Show a series' coverage, provenance segments and splice agreement (per year).

    NAME is a series name (default russell2000) or a CSV path. Return differences in the
    splice table are daily simple returns, newer minus older, on the dates both series share.
    """
    from rich.text import Text

    from backtest.data import load_series
    from backtest.data.sources import resolve_data_source

    series = load_series(name, data_dir=data_dir, policy=policy, max_move=max_move)
    _echo_data_line(series)
    lines = [
        f"data: {resolve_data_source(data_dir).describe()}",
        f"{series.name}: {len(series):,} daily closes, {series.first_date.date()} to {series.last_date.date()}",
        f"data sha256: {series.data_sha256}",
        "",
        "Provenance (oldest first):",
    ]
    for number, segment in enumerate(series.segments, start=1):
        lines.append(
            f"  {number}. {segment.source} {segment.symbol}: {segment.first_date.date()} to "
            f"{segment.last_date.date()}, {segment.rows_used:,} rows, scale x{segment.scale_factor:.6g}"
        )
        lines.append(f"     {segment.path or '(in memory)'}" + (f"; {segment.note}" if segment.note else ""))
    console.print(Text("\n".join(lines)))
    if series.splice is not None:
        stats = series.splice
        console.print(Text("\n" + stats.summary().partition("\n\n")[0]))
        table = stats.to_frame()
        shown = _splice_display_frame(table)
        console.print(
            _data_frame_table(shown, "Agreement on the overlap by year (daily simple returns, newer - older)")
        )
    console.print(Text("\nValidation:"))
    for report in series.validation:
        console.print(Text("  " + report.headline()))
    if not series.validation:
        console.print(
            Text(
                "  built-in data: validated (lenient policy) when the dataset was built; "
                "`backtest data check --data-dir DIR` validates raw files"
            )
        )


def _splice_display_frame(table):  # type: ignore[no-untyped-def]
    """The splice agreement table with short headers and formatted numbers."""
    import pandas as pd

    return pd.DataFrame(
        {
            "year": table["period"],
            "days": table["n_days"],
            "median |diff|": table["median_abs_ret_diff"].map("{:.2e}".format),
            "max |diff|": table["max_abs_ret_diff"].map("{:.2e}".format),
            "max on": pd.to_datetime(table["max_abs_ret_diff_date"]).dt.strftime("%Y-%m-%d").fillna(""),
            "corr": table["ret_corr"].map("{:.6f}".format),
            "ratio drift": table["ratio_drift"].map("{:+.3%}".format),
        }
    )


@data_group.command("list")
@data_dir_option
def data_list_command(data_dir):  # type: ignore[no-untyped-def]
    """List the series names `data show`, `data check` and --series accept."""
    from backtest.data import list_series

    listing = list_series(data_dir).drop(columns=["files"])
    console.print(_data_frame_table(listing, "Series (files: yahoo/<NAME>.csv, fred/<NAME>.csv)"))


@data_group.command("fetch")
@click.argument("symbol")
@click.option("--start", default=None, help="First date to download (YYYY-MM-DD); default: all history.")
@data_dir_option
def data_fetch_command(symbol, start, data_dir):  # type: ignore[no-untyped-def]
    """Download daily bars for SYMBOL (such as ^RUT or IWM) from Yahoo into DATA_DIR/yahoo/.

    Needs the `live` extra (pip install 'backtest[live]') and a network. Writes only into
    --data-dir (or $BACKTEST_DATA_DIR); the file has the snapshot's format and replaces an
    existing file of the same name atomically. The file is validated after writing.
    """
    import os

    from backtest.data import fetch_yahoo, load_csv
    from backtest.data.sources import ENV_VAR
    from backtest.errors import ParameterError

    target_dir = data_dir or os.environ.get(ENV_VAR)
    if not target_dir:
        raise ParameterError(f"`data fetch` writes only where you say: pass --data-dir DIR or set ${ENV_VAR}")
    path = fetch_yahoo(symbol, target_dir, start=start)
    series = load_csv(path)
    console.print(_data_findings_table(series.validation[0]))
    console.print(f"wrote {path}", markup=False, highlight=False)


# --- output ---------------------------------------------------------------------------------


def _set_self_contained(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    from backtest.report.outputs import SELF_CONTAINED

    # for this command's run (a context variable, as --overwrite), reset when it ends: an
    # in-process caller (the tests) runs the next command with the default again
    token = SELF_CONTAINED.set(bool(value))
    context.call_on_close(lambda: SELF_CONTAINED.reset(token))


self_contained_option = click.option(
    "--self-contained",
    is_flag=True,
    expose_value=False,
    callback=_set_self_contained,
    help="Embed plotly.js (about 5 MB) in each report.html, to send one file; by default the pages load it "
    "from one shared copy, <results>/_assets/plotly-<version>.min.js, by a relative path.",
)


def _announce_output(target: Path, kind: str, overwrite: bool, hint: str) -> None:
    """Check that ``target`` (and the shared ``_assets`` folder its page loads plotly.js
    from) can be written (before any data is loaded: ``OutputError``, exit 2, otherwise)
    and say where the command will write."""
    from backtest._io import REPORT_KINDS, preflight
    from backtest.report.outputs import SELF_CONTAINED, assets_folder

    preflight(target, kind, overwrite=overwrite, hint=hint)
    if kind in ("claim", "sweep", "study") and not SELF_CONTAINED.get():
        preflight(assets_folder(target), "asset", hint="move it away or pass --self-contained")
    console.print(
        f"writing to {target}{'/' if kind in REPORT_KINDS else ''}", highlight=False, markup=False, soft_wrap=True
    )


@data_group.command("update")
def data_update_command():  # type: ignore[no-untyped-def]
    """Fetch every catalog series into the per-user data directory and say what changed.

    Yahoo series come through yfinance (the `live` extra: pip install 'backtest[live]'), FRED
    series through FRED's CSV download; FRED's Russell series are no longer served (FRED
    stopped them in 2019), so their built-in history stays. Each download is validated and
    must splice onto the built-in history before it replaces the previous one; the built-in
    dataset is never changed. Afterwards every command reads the per-user data when no
    --data-dir, $BACKTEST_DATA_DIR or ../shared/data is there. Exit status 2, with one
    line, when every download failed (no network?).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.text import Text

    from backtest.data.catalog import catalog_files
    from backtest.data.update import update_user_data
    from backtest.errors import DataError

    total = len(catalog_files())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("updating", total=total)

        def advance(file: str, status: str) -> None:
            progress.update(task, advance=1, description=f"{file}: {status}")

        summary = update_user_data(progress=advance)
    tried = [item for item in summary.series if item.status != "not served"]
    if tried and all(item.status == "failed" for item in tried):
        raise DataError(
            f"no series could be downloaded ({tried[0].file}: {tried[0].message}); nothing changed, the data "
            f"used stay as they were; run `backtest data update` again when online"
        )
    frame = summary.to_frame()
    frame["message"] = frame["message"].str.slice(0, 90)
    console.print(_data_frame_table(frame, "What changed (new rows: closes after the previous last date)"))
    console.print(Text(summary.headline()), soft_wrap=True)


@data_group.command("build-builtin")
@click.option(
    "--from",
    "snapshot_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="The snapshot directory (yahoo/ and fred/ raw CSV files, SHA256SUMS).",
)
@click.option(
    "--to",
    "target_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write closes.parquet and provenance.json (default: the package's built-in data).",
)
def data_build_builtin_command(snapshot_dir, target_dir):  # type: ignore[no-untyped-def]
    """Rebuild the built-in dataset from a snapshot: every catalog file, validated (lenient
    policy), closes only (OHLCV bars where a study reads them), with provenance."""
    from backtest.data.builtin import BUILTIN_DIR, build_builtin
    from backtest.data.catalog import catalog_files

    written = build_builtin(snapshot_dir, target_dir or BUILTIN_DIR, files=catalog_files())
    console.print(f"wrote {written}", markup=False, highlight=False)


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


def with_options(options):  # type: ignore[no-untyped-def]
    """Decorate a command with a list of click options, in the order listed."""

    def decorate(function):  # type: ignore[no-untyped-def]
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


RULE_OPTIONS = [
    click.option("--ma", type=click.Choice(["sma", "ema"]), default="sma", show_default=True, help="Average type."),
    click.option(
        "--direction",
        type=click.Choice(["golden", "death"]),
        default="golden",
        show_default=True,
        help="golden: fast crosses above slow; death: below.",
    ),
    click.option(
        "--since",
        default=None,
        help="Detect events from this date (YYYY-MM-DD); averages and indicators use all prior history.",
    ),
    click.option("--until", default=None, help="Detect events up to this date (YYYY-MM-DD)."),
    click.option(
        "--confirm",
        type=int,
        default=0,
        show_default=True,
        help="Days the source's condition must keep holding after it fires (for a cross: the fast average "
        "stays beyond the slow one); the event is dated on the last of them.",
    ),
    click.option(
        "--min-gap",
        type=int,
        default=0,
        show_default=True,
        help="Ignore an event within this many trading days of the previous kept one.",
    ),
    click.option(
        "--entry",
        type=click.Choice(["close", "next_close"]),
        default="close",
        show_default=True,
        help="Enter at the event-day close or the next close.",
    ),
    click.option(
        "--horizons",
        default=None,
        help="Forward horizons in trading days, comma-separated (default 21,63,126,189,252 = 1m..12m).",
    ),
    click.option("--months", default=None, help="Forward horizons in calendar months instead, e.g. 1,3,6,9,12."),
]
"""Options of the event rules shared by `events` and `sweep` (which differ in --fast/--slow)."""

event_rule_options = with_options(
    [
        click.option(
            "--series",
            default="russell2000",
            show_default=True,
            help="Series name (see `backtest data list`) or path to a Yahoo/FRED CSV file.",
        ),
        click.option(
            "--fast", type=int, default=50, show_default=True, help="Fast moving-average window, trading days."
        ),
        click.option(
            "--slow", type=int, default=200, show_default=True, help="Slow moving-average window, trading days."
        ),
        *RULE_OPTIONS,
    ]
)


def rules_and_horizons(fast, slow, ma, direction, since, until, confirm, min_gap, entry, horizons, months, source=None):  # type: ignore[no-untyped-def]
    """EventRules and horizons from the shared CLI options (validation raises ParameterError).

    ``source``: an event source replacing the moving-average cross of fast/slow/ma/direction."""
    from backtest.events import (
        DEFAULT_HORIZONS,
        EventRules,
        calendar_month_horizons,
        trading_day_horizons,
    )

    if horizons is not None and months is not None:
        raise click.BadParameter("give --horizons or --months, not both", param_hint="--months")
    if source is None:
        rules = EventRules(
            fast=fast,
            slow=slow,
            ma=ma,
            direction=direction,
            start=since,
            end=until,
            confirm=confirm,
            min_gap=min_gap,
            entry=entry,
        )
    else:
        rules = EventRules(source=source, start=since, end=until, confirm=confirm, min_gap=min_gap, entry=entry)
    day_list = _parse_int_list("--horizons", horizons)
    month_list = _parse_int_list("--months", months)
    if month_list:
        chosen = calendar_month_horizons(month_list)
    elif day_list:
        chosen = DEFAULT_HORIZONS if day_list == (21, 63, 126, 189, 252) else trading_day_horizons(day_list)
    else:
        chosen = DEFAULT_HORIZONS
    return rules, chosen


def _load_for_analysis(name, data_dir, policy, list_dropped=False):  # type: ignore[no-untyped-def]
    """Load a series for events or a sweep: one line on stderr says what validation found
    (stdout stays a clean table), dropped rows are listed when asked, and a gap over
    MAX_GAP_DAYS is cut off (lenient, with a warning) or refused (strict)."""
    from backtest.data import load_series, segment_for_analysis

    series = load_series(name, data_dir=data_dir, policy=policy)
    _echo_data_line(series, list_dropped=list_dropped)
    analysed, note = segment_for_analysis(series, policy)
    if note:
        click.echo(f"warning: {note}", err=True)
    return analysed


DROPPED_ROWS_SHOWN = 10


def _echo_data_line(series, list_dropped=False):  # type: ignore[no-untyped-def]
    """The data summary line on stderr, then (``list_dropped``) every unusable row dropped."""
    click.echo(series.data_line(), err=True)
    if not list_dropped:
        return
    for report in series.validation:
        rows = report.dropped_frame()
        rows = rows[rows["severity"] == "error"]
        for row in rows.head(DROPPED_ROWS_SHOWN).itertuples(index=False):
            click.echo(
                f"dropped: {report.name} line {row.line} {row.date or '(no date)'}: {row.kind} ({row.detail})", err=True
            )
        if len(rows) > DROPPED_ROWS_SHOWN:
            click.echo(
                f"dropped: {report.name}: +{len(rows) - DROPPED_ROWS_SHOWN:,} more rows; "
                f"`backtest data check {report.file} --show-dropped` lists them all",
                err=True,
            )


def _check_analysis_window(series, rules, horizons):  # type: ignore[no-untyped-def]
    """Refuse horizons longer than the data; warn (one line) when --since/--until select no day."""
    from backtest.events.rules import check_horizons_fit
    from backtest.events.study import detection_bounds

    check_horizons_fit(horizons, series.close.index, series.name)
    first, last = detection_bounds(series.close.index, rules)
    if first > last:
        window = " ".join(
            part
            for part in (
                f"--since {rules.start.date()}" if rules.start is not None else "",
                f"--until {rules.end.date()}" if rules.end is not None else "",
            )
            if part
        )
        click.echo(
            f"warning: the event window ({window}) holds no close: {series.name} runs from "
            f"{series.first_date.date()} to {series.last_date.date()}, so there can be no event",
            err=True,
        )


SOURCE_OPTIONS = [
    click.option(
        "--rsi-below",
        type=float,
        default=None,
        metavar="LEVEL",
        help="Event source instead of the cross: Wilder's RSI (--rsi-window days) crosses below LEVEL, i.e. "
        "RSI >= LEVEL on day t-1 and < LEVEL on day t (closes up to t).",
    ),
    click.option(
        "--rsi-above",
        type=float,
        default=None,
        metavar="LEVEL",
        help="RSI crosses above LEVEL: <= LEVEL on t-1 and > LEVEL on t.",
    ),
    click.option(
        "--rsi-window",
        type=click.IntRange(min=1),
        default=14,
        show_default=True,
        help="RSI window in daily changes (Wilder's smoothing).",
    ),
    click.option(
        "--new-high",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Event on every day whose close is above the highest close of the previous N trading days "
        "(day t excluded; 252 = a 52-week high). Use --min-gap to keep one event per run.",
    ),
    click.option(
        "--new-low",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Event on every day whose close is below the lowest close of the previous N trading days.",
    ),
    click.option(
        "--dates",
        "dates_file",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        default=None,
        help="Events on the dates of a CSV file's 'date' column (e.g. FOMC days). A date that is not a "
        "trading day maps to the next trading day; dates outside the data are listed and dropped.",
    ),
    click.option(
        "--cross-above",
        default=None,
        metavar="SERIES",
        help="Event when another series (name or CSV, e.g. vix) crosses above --level: <= level on t-1 and "
        "> level on t, read as of each close (its row that day or the last within 5 days before).",
    ),
    click.option(
        "--cross-below",
        default=None,
        metavar="SERIES",
        help="Event when another series crosses below --level: >= level on t-1 and < level on t.",
    ),
    click.option(
        "--level", type=float, default=None, help="Level of --cross-above / --cross-below, in the series' units."
    ),
]
"""Event sources of `events` other than the moving-average cross (at most one)."""


def source_from_options(
    rsi_below,
    rsi_above,
    rsi_window,
    new_high,
    new_low,
    dates_file,
    cross_above,
    cross_below,
    level,
    data_dir,
    policy="lenient",
):  # type: ignore[no-untyped-def]
    """The event source chosen by SOURCE_OPTIONS (None: the moving-average cross)."""
    from backtest.events import RSI, DateList, NewHigh, NewLow, SeriesLevel, Threshold

    chosen = {
        name: value
        for name, value in (
            ("--rsi-below", rsi_below),
            ("--rsi-above", rsi_above),
            ("--new-high", new_high),
            ("--new-low", new_low),
            ("--dates", dates_file),
            ("--cross-above", cross_above),
            ("--cross-below", cross_below),
        )
        if value is not None
    }
    if len(chosen) > 1:
        raise click.UsageError(f"give one event source, got {', '.join(chosen)}")
    if level is not None and cross_above is None and cross_below is None:
        raise click.BadParameter("--level goes with --cross-above or --cross-below", param_hint="--level")
    if rsi_below is not None:
        return Threshold(RSI(rsi_window), rsi_below, "below")
    if rsi_above is not None:
        return Threshold(RSI(rsi_window), rsi_above, "above")
    if new_high is not None:
        return NewHigh(new_high)
    if new_low is not None:
        return NewLow(new_low)
    if dates_file is not None:
        return DateList.from_csv(dates_file)
    if cross_above is not None or cross_below is not None:
        from backtest.data import load_series

        if level is None:
            raise click.BadParameter("--cross-above / --cross-below need --level", param_hint="--level")
        name = cross_above if cross_above is not None else cross_below
        other = load_series(name, data_dir=data_dir, policy=policy)
        line = SeriesLevel(other.close, label=str(other.name or name))
        return Threshold(line, level, "above" if cross_above is not None else "below")
    return None


@app.command("events")
@event_rule_options
@with_options(SOURCE_OPTIONS)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the full event table (every measurement) to this CSV file (checked before any "
    "work; an existing file is replaced only if backtest wrote it, or with --overwrite).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --csv file even if backtest did not write it.")
@data_policy_option
@data_dir_option
def events_command(
    series,
    fast,
    slow,
    ma,
    direction,
    since,
    until,
    confirm,
    min_gap,
    entry,
    horizons,
    months,
    rsi_below,
    rsi_above,
    rsi_window,
    new_high,
    new_low,
    dates_file,
    cross_above,
    cross_below,
    level,
    csv_path,
    overwrite,
    policy,
    data_dir,
):  # type: ignore[no-untyped-def]
    """Print every event of an event source and what followed it.

    The source is a moving-average cross (--fast/--slow/--ma/--direction) unless one of
    --rsi-below, --rsi-above, --new-high, --new-low, --dates, --cross-above, --cross-below
    is given. Every source fires on day t from data up to day t's close; --confirm, --min-gap,
    --since/--until and --entry then apply the same way to any source (with --confirm the
    source's condition must hold on each of the next days, and the event is dated on the
    last). Returns are close-to-close price changes from the entry close; a window that runs
    past the last close is shown as 'pending' (never dropped). '% up' is the share of
    complete windows that ended above the entry close. Stderr gets one line on the data and
    what validation found, and every row it dropped.
    """
    from rich.table import Table

    from backtest._io import atomic_write_text
    from backtest.events import MACross, run_event_study

    source = source_from_options(
        rsi_below,
        rsi_above,
        rsi_window,
        new_high,
        new_low,
        dates_file,
        cross_above,
        cross_below,
        level,
        data_dir,
        policy,
    )
    rules, chosen = rules_and_horizons(
        fast, slow, ma, direction, since, until, confirm, min_gap, entry, horizons, months, source=source
    )
    if csv_path is not None:
        _announce_output(csv_path, "events-csv", overwrite, "choose another --csv path")
    market_series = _load_for_analysis(series, data_dir, policy, list_dropped=True)
    _check_analysis_window(market_series, rules, chosen)
    study = run_event_study(market_series, rules, chosen)
    table = Table(title=f"{study.series_name}: {rules.describe()}")
    columns = list(study.table.columns)
    value_columns = columns[columns.index("close") + 1 : columns.index("entry_level")]
    if isinstance(rules.source, MACross):
        headers = [f"SMA{fast}" if ma == "sma" else f"EMA{fast}", f"{ma.upper()}{slow}"]
    else:
        headers = value_columns
    for column in ("#", "event date", "close", *headers):
        table.add_column(column, justify="right")
    for horizon in chosen:
        table.add_column(f"ret {horizon.label}", justify="right")
    last = chosen[-1].label
    table.add_column(f"max dd {last}", justify="right")
    for number, row in study.table.iterrows():
        cells = [
            str(number),
            row["event_date"].date().isoformat(),
            f"{row['close']:.2f}",
            *(f"{row[column]:.2f}" for column in value_columns),
        ]
        for horizon in chosen:
            label = horizon.label
            cells.append("pending" if row[f"pending_{label}"] else f"{row[f'ret_{label}']:+.1%}")
        cells.append("pending" if row[f"pending_{last}"] else f"{row[f'max_drawdown_{last}']:.1%}")
        table.add_row(*cells)
    console.print(table)
    console.print(study.summary(), markup=False, highlight=False)
    if csv_path is not None:
        atomic_write_text(
            csv_path, study.to_frame().to_csv(date_format="%Y-%m-%d", float_format="%.10g", lineterminator="\n")
        )
        console.print(f"wrote {csv_path}")


# --- study ---------------------------------------------------------------------------------


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


@app.command("study")
@click.argument("name", required=False)
@click.option(
    "--list", "list_only", is_flag=True, help="List the available studies with one-line descriptions and exit."
)
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("results"),
    show_default=True,
    help="Parent folder of report folders, relative to the current directory: each study writes "
    "OUTPUT_DIR/<its folder name>/ (e.g. results/russell2000_golden_cross/), with `all` too.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace a report of another kind or name in the target folder (only the files it lists; "
    "files backtest did not write are never deleted).",
)
@click.option("--seed", type=int, default=None, help="Seed of every random draw (default: the study's).")
@click.option(
    "--draws",
    "n_draws",
    type=click.IntRange(min=1),
    default=None,
    help="Random-entry Monte Carlo draws (default: the study's; 100,000 in the event studies).",
)
@click.option(
    "--paths",
    "n_paths",
    type=click.IntRange(min=0),
    default=None,
    help="Bootstrapped price paths (default: the study's; 1,000 in the event studies; 0 skips the "
    "bootstrapped-path null).",
)
@click.option(
    "--policy",
    type=click.Choice(["strict", "lenient"]),
    default=None,
    help="Data validation policy of every series the study loads (default: lenient): strict stops at "
    "the first unusable row or long gap.",
)
@data_dir_option
@self_contained_option
def study_command(name, list_only, output_dir, overwrite, seed, n_draws, n_paths, policy, data_dir):  # type: ignore[no-untyped-def]
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
    targets = check_study_targets(list(available_studies()) if name == ALL else [name], output_dir, overwrite)
    where = f"{targets[0]}/" if len(targets) == 1 else f"{output_dir}/ ({', '.join(t.name for t in targets)})"
    if targets:
        console.print(Text(f"writing to {where}"), soft_wrap=True)
    options = {"seed": seed, "n_draws": n_draws, "n_paths": n_paths, "overwrite": overwrite, "policy": policy}
    # one line per series the study loaded, on stderr once it succeeded (a failure: only its line)
    data_lines: dict[str, str] = {}
    listening = listening_to_loads(lambda series: data_lines.setdefault(series.name, series.data_line()))
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

            written = run_studies(None, data_dir, output_dir, step=step, done=done, **options)
        else:
            written_one = run_study(name, data_dir, output_dir, step=lambda text: step(name, text), **options)
    for line in data_lines.values():
        click.echo(line, err=True)
    if name == ALL:
        console.print(Text(f"regenerated {len(written)} studies"))
        return
    console.print(f"wrote {written_one}")


# --- claim -----------------------------------------------------------------------------------


@app.group("claim")
def claim_group() -> None:
    """Claims as data: state a market-timing claim in a TOML spec and test it.

    `claim new` writes a commented spec, `claim check` validates one, `claim run` runs it
    into OUTPUT_DIR/<name>/ and prints the answer, `claim run-all` regenerates the gallery.
    """


claim_run_options = [
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


def _claim_options(seed, n_draws, n_paths, policy, data_dir):  # type: ignore[no-untyped-def]
    from backtest.claims.run import DEFAULT_N_DRAWS, DEFAULT_N_PATHS

    return {
        "seed": DEFAULT_SEED if seed is None else seed,
        "n_draws": n_draws or DEFAULT_N_DRAWS,
        "n_paths": DEFAULT_N_PATHS if n_paths is None else n_paths,
        "policy": policy,
        "data_dir": data_dir,
    }


def _run_one_claim(spec, target, options, overwrite):  # type: ignore[no-untyped-def]
    """Run a validated spec and write its report folder at ``target``; returns the result."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from backtest._io import overwriting
    from backtest.claims.run import run_claim
    from backtest.report.claim_report import write_claim_report

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(f"{spec.name}: starting", total=None)
        result = run_claim(spec, step=lambda text: progress.update(task, description=f"{spec.name}: {text}"), **options)
        progress.update(task, description=f"{spec.name}: writing the report")
        with overwriting(overwrite):
            write_claim_report(result, target)
    return result


@claim_group.command("run")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path, dir_okay=False))
@with_options(claim_run_options)
@self_contained_option
def claim_run_command(spec_path, output_dir, overwrite, seed, n_draws, n_paths, policy, data_dir):  # type: ignore[no-untyped-def]
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
    target = output_dir / spec.name
    _announce_output(target, "claim", overwrite, "choose another --output-dir")
    result = _run_one_claim(spec, target, _claim_options(seed, n_draws, n_paths, policy, data_dir), overwrite)
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
@with_options(claim_run_options)
@self_contained_option
def claim_run_all_command(targets, output_dir, overwrite, seed, n_draws, n_paths, policy, data_dir):  # type: ignore[no-untyped-def]
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
    for spec in specs:
        _announce_output(output_dir / spec.name, "claim", overwrite, "choose another --output-dir")
    options = _claim_options(seed, n_draws, n_paths, policy, data_dir)
    rows = []
    for path, spec in zip(paths, specs):
        result = _run_one_claim(spec, output_dir / spec.name, options, overwrite)
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


# --- stats (bench montecarlo) ----------------------------------------------------------------


@bench_group.command("montecarlo")
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Random-entry draws per timed call (numba and the numpy Generator.choice loop).",
)
@click.option(
    "--argpartition-draws",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Draws for the vectorised numpy argpartition variant (about 100x slower per draw; "
    "rates are per draw, so fewer draws compare fairly).",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    default=1_000,
    show_default=True,
    help="Stationary-bootstrap replications (numba vs arch), each as long as the series.",
)
@click.option(
    "--repeat",
    "repeats",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Warm calls timed after the first (cold) one; the median is reported.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=None,
    help="Seed of every random draw (default: backtest.defaults.DEFAULT_SEED).",
)
@click.option(
    "--series",
    default="russell2000",
    show_default=True,
    help="Series name for backtest.data.load_series (k = its SMA 50/200 golden crosses since 1985).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("results/bench/montecarlo.json"),
    show_default=True,
    help="JSON written atomically; an existing file is replaced only if it is this benchmark's "
    "JSON (recognised by its keys), or with --overwrite.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --output file even if backtest did not write it.")
@data_policy_option
@data_dir_option
def bench_montecarlo_command(
    draws, argpartition_draws, replications, repeats, seed, series, output, overwrite, policy, data_dir
):  # type: ignore[no-untyped-def]
    """Draws per second of the random-entry Monte Carlo (numba vs plain numpy) and
    replications per second of stationary-bootstrap indices (numba vs arch), side by side.

    Cold = first call in this process (numba compile or on-disk cache load included); warm =
    median of the later calls. The pool is every eligible day's 3-month (63 trading days)
    forward return; k is the number of golden crosses since 1985.
    """
    from rich.table import Table

    from backtest._io import atomic_write_text
    from backtest._json import dumps
    from backtest.bench.montecarlo import run_montecarlo_benchmarks

    _announce_output(output, "bench-montecarlo", overwrite, "choose another --output path")
    market_series = _load_for_analysis(series, data_dir, policy)
    with console.status("timing numba, numpy and arch..."):
        result = run_montecarlo_benchmarks(
            market_series,
            n_draws=draws,
            seed=DEFAULT_SEED if seed is None else seed,
            repeats=repeats,
            n_replications=replications,
            argpartition_draws=argpartition_draws,
        )
    for bench, title in (
        (
            result.random_entry,
            f"Random-entry Monte Carlo: k={result.random_entry.parameters['k']} of "
            f"{result.random_entry.parameters['pool_size']:,} eligible {result.horizon} returns",
        ),
        (
            result.bootstrap,
            f"Stationary-bootstrap indices: n={result.bootstrap.parameters['n_obs']:,}, "
            f"mean block {result.bootstrap.parameters['mean_block']:g}",
        ),
    ):
        table = Table(title=title)
        for column in ("implementation", "n", "cold s", "warm s", "warm /s", "cold /s", "first call"):
            table.add_column(column, justify="left" if column in ("implementation", "first call") else "right")
        for timing in bench.timings:
            table.add_row(
                timing.implementation,
                f"{timing.work:,}",
                f"{timing.cold_seconds:.4f}",
                f"{timing.warm_seconds:.4f}",
                f"{timing.rate_warm:,.0f}",
                f"{timing.rate_cold:,.0f}",
                timing.first_call,
            )
        console.print(table)
    checks = result.random_entry.checks
    console.print(
        f"null of the mean: analytic {checks['analytic_null_mean']:.5f} +/- {checks['analytic_null_std']:.5f}, "
        f"numba {checks['numba_null_mean']:.5f} +/- {checks['numba_null_std']:.5f}, "
        f"numpy {checks['numpy_choice_null_mean']:.5f} +/- {checks['numpy_choice_null_std']:.5f}"
    )
    payload = result.to_dict()
    speedups = payload["speedup_warm"]
    console.print(
        "warm speed-up: numba vs numpy choice loop {numba_vs_numpy_choice:,.0f}x, vs numpy argpartition "
        "{numba_vs_numpy_argpartition:,.0f}x; bootstrap indices numba vs arch {numba_loop_vs_arch:,.1f}x "
        "(one call per replication), {numba_matrix_vs_arch:,.1f}x (parallel matrix)".format(**speedups)
    )
    atomic_write_text(output, dumps(payload))
    console.print(f"wrote {output}")


# --- sweep and bench sweep -------------------------------------------------------------------


def _sweep_rules_and_horizons(ma, direction, since, until, confirm, min_gap, entry, horizons, months):  # type: ignore[no-untyped-def]
    """Shared event rules of a sweep: the timing and the cross's ma/direction (the windows come
    from the grid, so none are given)."""
    return rules_and_horizons(None, None, ma, direction, since, until, confirm, min_gap, entry, horizons, months)


def _sweep_progress(total: int):  # type: ignore[no-untyped-def]
    """A rich progress bar on stderr and the callback that advances it one step at a time."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = bar.add_task("sweep", total=total)
    started = [False]

    def step(description: str) -> None:
        if started[0]:
            bar.advance(task)
        started[0] = True
        bar.update(task, description=description)

    return bar, step


def _reference_pair(text: str) -> tuple[int, int]:
    parts = text.replace("x", "/").split("/")
    try:
        fast, slow = (int(p) for p in parts)
    except ValueError:
        raise click.BadParameter(f"expected FAST/SLOW like 50/200, got {text!r}", param_hint="--reference") from None
    return fast, slow


sweep_grid_options = [
    click.option(
        "--series",
        default="russell2000",
        show_default=True,
        help="Series name (see `backtest data list`) or path to a Yahoo/FRED CSV file; several, "
        "comma-separated (A,B,C), sweep each and add a cross-series summary.",
    ),
    click.option(
        "--fast",
        "fast_range",
        default="5:100:1",
        show_default=True,
        help="Fast windows in trading days: START:STOP[:STEP] (STOP inclusive), N, or a comma list.",
    ),
    click.option(
        "--slow",
        "slow_range",
        default="20:300:1",
        show_default=True,
        help="Slow windows in trading days, same syntax; only pairs with fast < slow are run.",
    ),
    *RULE_OPTIONS,
]


executor_options = [
    click.option(
        "--executor",
        default="local",
        show_default=True,
        help="Where the sweep runs: local (this process, numba threads), processes (local worker "
        "processes), dask (a Dask cluster: --scheduler, or a LocalCluster on 127.0.0.1). Same results.",
    ),
    click.option(
        "--scheduler",
        default=None,
        help="Address of an existing Dask scheduler, e.g. tcp://host:8786 (--executor dask).",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes (processes, or the dask LocalCluster; default: one per CPU). With "
        "--scheduler: wait until this many workers have joined.",
    ),
    click.option(
        "--threads-per-worker",
        type=click.IntRange(min=1),
        default=None,
        help="Threads per worker (processes: numba threads per task; dask: tasks at once). Default 1.",
    ),
    click.option(
        "--memory-limit",
        default=None,
        help="Memory limit per LocalCluster worker: auto (machine memory / workers), 0 (none) or e.g. 4GB.",
    ),
    click.option(
        "--connect-timeout",
        type=click.FloatRange(min=0.1),
        default=10.0,
        show_default=True,
        help="Seconds to wait for the scheduler (and for --workers to join) before failing.",
    ),
    click.option(
        "--pair-block",
        type=click.IntRange(min=1),
        default=None,
        help="Pairs per task (default: chosen from the number of workers; results do not depend on it).",
    ),
    click.option(
        "--rep-block",
        type=click.IntRange(min=1),
        default=None,
        help="Bootstrap replications per task, a multiple of 32 (default: from the number of workers).",
    ),
]


def _sweep_executor(kind, scheduler, workers, threads_per_worker, memory_limit, connect_timeout):  # type: ignore[no-untyped-def]
    """The executor of --executor and its options (a context manager that shuts it down)."""
    from backtest.sweep.executors import make_executor

    return make_executor(
        kind,
        scheduler=scheduler,
        workers=workers,
        threads_per_worker=threads_per_worker,
        memory_limit=memory_limit,
        connect_timeout=connect_timeout,
    )


@app.command("sweep")
@with_options(sweep_grid_options)
@click.option(
    "--reps",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Stationary-bootstrap replications for Reality Check / SPA / Romano-Wolf (0 skips them).",
)
@click.option(
    "--null-draws",
    type=click.IntRange(min=0),
    default=None,
    help="Random-entry draws per distinct event count (default: --reps, or 1000; 0 skips those p-values).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of every random draw: same seed and data give byte-identical files.",
)
@click.option(
    "--mean-block",
    type=click.FloatRange(min=1.0),
    default=None,
    help="Mean block length of the stationary bootstrap, trading days "
    "(default per horizon: max(sqrt(days), horizon length)).",
)
@click.option(
    "--alpha",
    type=click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="Family-wise error rate of the Romano-Wolf stepdown.",
)
@click.option(
    "--studentize",
    is_flag=True,
    help="Divide each pair's mean excess by its standard error (Hansen 2005) instead of arch's raw maximum.",
)
@click.option(
    "--min-events",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Complete events a pair needs to enter the data-snooping family.",
)
@click.option("--reference", default="50/200", show_default=True, help="Pair to rank and highlight, FAST/SLOW.")
@click.option("--name", default=None, help="Sweep name: outputs go to OUTPUT_DIR/NAME (default from the settings).")
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("results"),
    show_default=True,
    help="Parent folder of report folders, relative to the current directory: the sweep writes OUTPUT_DIR/NAME/.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace a report of another kind or name in OUTPUT_DIR/NAME (only the files it lists; "
    "files backtest did not write are never deleted).",
)
@click.option("--csv", is_flag=True, help="Also write the table as CSV (Parquet is always written).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Pairs listed per horizon.")
@click.option(
    "--series-file",
    type=click.Path(path_type=Path),
    default=None,
    help="Text file listing the series to sweep, one name or CSV path per line (# comments); replaces --series.",
)
@click.option(
    "--max-pairs",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse grids of more pairs (fast < slow) than this per series (default 250,000: under a "
    "minute and a gigabyte locally). The estimate of pairs, time and memory is printed before a sweep starts.",
)
@with_options(executor_options)
@data_policy_option
@data_dir_option
@self_contained_option
def sweep_command(
    series,
    fast_range,
    slow_range,
    ma,
    direction,
    since,
    until,
    confirm,
    min_gap,
    entry,
    horizons,
    months,
    reps,
    null_draws,
    seed,
    mean_block,
    alpha,
    studentize,
    min_events,
    reference,
    name,
    output_dir,
    overwrite,
    csv,
    top,
    series_file,
    max_pairs,
    executor,
    scheduler,
    workers,
    threads_per_worker,
    memory_limit,
    connect_timeout,
    pair_block,
    rep_block,
    policy,
    data_dir,
):  # type: ignore[no-untyped-def]
    """Run every fast/slow pair of a grid and test the best against random entry.

    Per pair and horizon: events, mean / median forward return, hit rate, mean excess over
    the unconditional mean of the same window, and a one-sided random-entry p-value. Over
    the whole grid, per horizon: White's Reality Check and Hansen's SPA p-values for "the
    best pair beats random entry" and the Romano-Wolf set of pairs that survive, from one
    stationary bootstrap over days shared by every pair. Returns are fractions of the entry
    close; windows are trading days. Writes OUTPUT_DIR/NAME/ (pairs.parquet, heatmaps,
    summary.md/.html, summary.json) only when everything succeeded, and replaces only a
    sweep report of the same name there (checked before any work).

    Several series (--series A,B,C or --series-file) write OUTPUT_DIR/NAME/series.parquet
    (one row per series and horizon: best pair, RC/SPA p, Romano-Wolf survivors, reference
    rank), pairs/<series>.parquet and a cross-series summary.md/.json. --executor runs the
    same computation in this process (local), in worker processes or on a Dask cluster;
    the numbers and files are identical whichever runs it.
    """
    import re

    from backtest._io import overwriting
    from backtest.events.rules import check_horizons_fit
    from backtest.report.sweep_report import MultiSweepReport, write_sweep_report
    from backtest.sweep import SweepGrid, run_sweep
    from backtest.sweep.cost import (
        DEFAULT_MAX_PAIRS,
        available_memory,
        check_pair_count,
        check_sweep_cost,
        estimate_sweep,
    )
    from backtest.sweep.executors import check_scheduler_address
    from backtest.sweep.multi import (
        check_unique_labels,
        load_series_inputs,
        parse_series_list,
        read_series_file,
        run_sweeps,
    )
    from backtest.sweep.plan import check_block_sizes

    grid = SweepGrid.from_ranges(fast_range, slow_range)
    max_pairs = DEFAULT_MAX_PAIRS if max_pairs is None else max_pairs
    check_pair_count(grid, max_pairs)  # before any data is read or any pair listed
    if scheduler is not None:
        check_scheduler_address(scheduler)
    rules, chosen = _sweep_rules_and_horizons(ma, direction, since, until, confirm, min_gap, entry, horizons, months)
    ref = _reference_pair(reference)
    source = click.get_current_context().get_parameter_source("series")
    if series_file is not None and source is not None and source.name != "DEFAULT":
        raise click.BadParameter("give --series or --series-file, not both", param_hint="--series-file")
    entries = read_series_file(series_file) if series_file is not None else parse_series_list(series)
    several = series_file is not None or len(entries) > 1
    if name is None:
        if several:
            stem = Path(series_file).stem if series_file is not None else "multi"
        else:
            stem = Path(entries[0]).stem if Path(entries[0]).suffix else entries[0]
        name = f"{stem}_{ma}_{direction}_sweep"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise click.BadParameter(f"use letters, digits, '_', '-' and '.', got {name!r}", param_hint="--name")
    options = {
        "reps": reps,
        "null_draws": null_draws,
        "seed": seed,
        "mean_block": mean_block,
        "alpha": alpha,
        "studentize": studentize,
        "min_events": min_events,
        "reference": ref,
        "pair_block": pair_block,
        "rep_block": rep_block,
    }
    _announce_output(
        output_dir / name, "multi-sweep" if several else "sweep", overwrite, "choose another --output-dir or --name"
    )
    if several:

        def loaded(series, note):  # type: ignore[no-untyped-def]
            _echo_data_line(series)
            if note:
                click.echo(f"warning: {note}", err=True)

        inputs = load_series_inputs(entries, data_dir=data_dir, policy=policy, on_loaded=loaded)
        check_unique_labels([item.name for item in inputs])
        for item in inputs:
            grid.check_windows_fit(len(item.close), repr(item.name))
            check_horizons_fit(chosen, item.close.index, item.name)
        closes = max(len(item.close) for item in inputs)
    else:
        market_series = _load_for_analysis(entries[0], data_dir, policy)
        grid.check_windows_fit(len(market_series), repr(market_series.name))
        _check_analysis_window(market_series, rules, chosen)
        closes = len(market_series)
    estimate = estimate_sweep(grid, closes, len(chosen), reps, series=len(inputs) if several else 1)
    check_sweep_cost(estimate, max_pairs, available_memory())
    click.echo(f"estimate: {estimate.describe()} (local executor)", err=True)
    check_block_sizes(pair_block, rep_block)
    # Every input is loaded and checked before a worker is started or a cluster contacted.
    with (
        overwriting(overwrite),
        _sweep_executor(executor, scheduler, workers, threads_per_worker, memory_limit, connect_timeout) as runner,
    ):
        if not several:
            bar, step = _sweep_progress(2 + len(chosen))
            with bar:
                result = run_sweep(market_series, grid, rules, chosen, progress=step, executor=runner, **options)
                step("writing the report")
                target = write_sweep_report(result, output_dir / name, csv=csv, top=top)
            from backtest.report.sweep_report import answer_lines

            console.print("\n".join(answer_lines(result)).replace("**", ""), highlight=False, markup=False)
            console.print(result.summary(), highlight=False, markup=False)
        else:
            bar, step = _sweep_progress(len(inputs) + 1)
            with bar, MultiSweepReport(output_dir / name, csv=csv) as report:

                def done(position, result):  # type: ignore[no-untyped-def]
                    report.add(position, result)
                    step(f"{result.series_name}: written")

                multi = run_sweeps(
                    inputs, grid, rules, chosen, executor=runner, on_result=done, keep_results=False, **options
                )
                step("writing the cross-series summary")
                report.finish(multi)
            target = output_dir / name
            console.print(multi.summary(), highlight=False, markup=False)
    console.print(f"wrote {target}/", highlight=False, markup=False)


@bench_group.command("sweep")
@click.option("--series", default="russell2000", show_default=True, help="Series name or CSV path.")
@click.option("--since", default=DEFAULT_DETECTION_START, show_default=True, help="Detect events from this date.")
@click.option(
    "--fast", "fast_range", default="5:100:1", show_default=True, help="Fast windows of the vectorbt comparison."
)
@click.option(
    "--slow", "slow_range", default="20:300:1", show_default=True, help="Slow windows of the vectorbt comparison."
)
@click.option("--full-fast", default="2:400", show_default=True, help="Fast windows of the full-grid timing run.")
@click.option("--full-slow", default="3:400", show_default=True, help="Slow windows of the full-grid timing run.")
@click.option("--spa-fast", default="41:60", show_default=True, help="Fast windows of the SPA-vs-arch grid.")
@click.option(
    "--spa-slow",
    default="191:210",
    show_default=True,
    help="Slow windows of the SPA-vs-arch grid (20 x 20 = 400 pairs).",
)
@click.option("--spa-horizon", default="6m", show_default=True, help="Horizon of the SPA-vs-arch comparison.")
@click.option("--reps", type=click.IntRange(min=1), default=1000, show_default=True, help="Bootstrap replications.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=DEFAULT_SEED, show_default=True)
@click.option(
    "--skip-vectorbt", is_flag=True, help="Do not run the vectorbt pipeline (about 40 s and 14 GB on the default grid)."
)
@click.option("--skip-full", is_flag=True, help="Do not run the full-grid timing run.")
@click.option("--skip-arch", is_flag=True, help="Do not run arch's SPA (about 40 s at 400 pairs x 1,000 replications).")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("results/bench/sweep.json"),
    show_default=True,
    help="Where to write the JSON results (atomically); an existing file is replaced "
    "only if it is this benchmark's JSON (recognised by its keys), or with --overwrite.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --output file even if backtest did not write it.")
@data_policy_option
@data_dir_option
def bench_sweep_command(
    series,
    since,
    fast_range,
    slow_range,
    full_fast,
    full_slow,
    spa_fast,
    spa_slow,
    spa_horizon,
    reps,
    seed,
    skip_vectorbt,
    skip_full,
    skip_arch,
    output,
    overwrite,
    policy,
    data_dir,
):  # type: ignore[no-untyped-def]
    """Time our sweep against vectorbt and our SPA against arch, in one process.

    Wall times are seconds with numba caches warm; peak memory is the growth of the
    process's peak resident set during each call (numpy and numba allocations alike).
    Also checks that event counts and forward returns agree with vectorbt for every pair.
    """
    from backtest.bench.measure import write_bench
    from backtest.bench.sweep import run_sweep_bench
    from backtest.events import DEFAULT_HORIZONS, EventRules
    from backtest.sweep import SweepGrid

    rules = EventRules(start=since)
    grid = SweepGrid.from_ranges(fast_range, slow_range)
    full_grid = None if skip_full else SweepGrid.from_ranges(full_fast, full_slow)
    spa_grid = None if skip_arch else SweepGrid.from_ranges(spa_fast, spa_slow)
    if spa_horizon not in {h.label for h in DEFAULT_HORIZONS}:
        raise click.BadParameter(f"one of {', '.join(h.label for h in DEFAULT_HORIZONS)}", param_hint="--spa-horizon")
    _announce_output(output, "bench-sweep", overwrite, "choose another --output path")
    market_series = _load_for_analysis(series, data_dir, policy)
    with err_console.status("benchmarking") as status:
        result = run_sweep_bench(
            market_series,
            grid,
            full_grid,
            spa_grid,
            rules,
            DEFAULT_HORIZONS,
            reps=reps,
            seed=seed,
            spa_horizon=spa_horizon,
            vectorbt=not skip_vectorbt,
            progress=lambda text: status.update(text),
            series_spec=(series, None if data_dir is None else str(data_dir)),
        )
    write_bench(result, output)
    console.print_json(data=_bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)


SCALING_SERIES = "RUT,DJI,SPY,IWM,XLB,XLE,XLF,XLK"


@bench_group.command("scaling")
@click.option(
    "--series",
    default=SCALING_SERIES,
    show_default=True,
    help="Series of the multi-series sweep (one task per series), comma-separated.",
)
@click.option(
    "--single",
    default="russell2000",
    show_default=True,
    help="Series of the single-series sweep (split into pair and replication blocks); 'none' skips it.",
)
@click.option("--fast", "fast_range", default="5:100:1", show_default=True, help="Fast windows (trading days).")
@click.option("--slow", "slow_range", default="20:300:1", show_default=True, help="Slow windows (trading days).")
@click.option("--reps", type=click.IntRange(min=1), default=1000, show_default=True, help="Bootstrap replications.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=DEFAULT_SEED, show_default=True)
@click.option(
    "--workers",
    "worker_counts",
    default="1,2",
    show_default=True,
    help="Worker counts to compare, comma-separated (must include 1 for efficiency and the projection).",
)
@click.option(
    "--executors",
    "executor_kinds",
    default="dask,processes",
    show_default=True,
    help="Executors to measure: dask (LocalCluster, processes) and/or processes.",
)
@click.option(
    "--project",
    "project_series",
    type=click.IntRange(min=1),
    default=3000,
    show_default=True,
    help="Number of series of the projected sweep (e.g. every Russell 3000 member).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("results/bench/scaling.json"),
    show_default=True,
    help="Where to write the JSON results (atomically); an existing file is replaced "
    "only if it is this benchmark's JSON (recognised by its keys), or with --overwrite.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --output file even if backtest did not write it.")
@data_policy_option
@data_dir_option
def bench_scaling_command(
    series,
    single,
    fast_range,
    slow_range,
    reps,
    seed,
    worker_counts,
    executor_kinds,
    project_series,
    output,
    overwrite,
    policy,
    data_dir,
):  # type: ignore[no-untyped-def]
    """Wall time of the same sweep on 1 and 2 workers (Dask LocalCluster and local worker
    processes), parallel efficiency, memory per worker, and the projected cost of sweeping
    --project series from the measured cost per series.

    Efficiency = T(1 worker) / (n x T(n workers)); one thread per worker. Cluster start-up
    and numba's warm-up on each worker are timed separately, not in the sweep's wall time.
    Also checks that every run produced identical tables.
    """
    import time

    from backtest.bench.scaling import (
        bench_headline,
        run_scaling_bench,
        write_scaling_bench,
    )
    from backtest.errors import ParameterError
    from backtest.events import DEFAULT_HORIZONS, EventRules
    from backtest.sweep import SweepGrid
    from backtest.sweep.multi import (
        check_unique_labels,
        load_series_inputs,
        parse_series_list,
    )
    from backtest.sweep.plan import series_input

    grid = SweepGrid.from_ranges(fast_range, slow_range)
    counts = _parse_int_list("--workers", worker_counts)
    if 1 not in counts or min(counts) < 1:
        raise click.BadParameter("include 1 (the reference of the efficiency), e.g. 1,2", param_hint="--workers")
    kinds = tuple(part.strip() for part in executor_kinds.split(",") if part.strip())
    unknown = [kind for kind in kinds if kind not in ("dask", "processes")]
    if not kinds or unknown:
        raise ParameterError(f"executors must be dask and/or processes, got {executor_kinds!r}")
    _announce_output(output, "bench-scaling", overwrite, "choose another --output path")
    started = time.perf_counter()
    inputs = load_series_inputs(parse_series_list(series), data_dir=data_dir, policy=policy)
    load_seconds = (time.perf_counter() - started) / len(inputs)
    check_unique_labels([item.name for item in inputs])
    single_input = None if single.lower() == "none" else series_input(_load_for_analysis(single, data_dir, policy))
    with err_console.status("measuring") as status:
        result = run_scaling_bench(
            inputs,
            single_input,
            grid,
            EventRules(),
            DEFAULT_HORIZONS,
            reps=reps,
            seed=seed,
            workers=tuple(sorted(set(counts))),
            executors=kinds,
            project_series=project_series,
            load_seconds_per_series=load_seconds,
            progress=lambda text: status.update(text),
        )
    write_scaling_bench(result, output)
    console.print_json(data=bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)


@bench_group.command("study")
@click.argument("name", default="russell2000-golden-cross")
@click.option(
    "--cold",
    "cold_runs",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Runs with an empty numba cache (NUMBA_CACHE_DIR a new temporary directory): every kernel compiles.",
)
@click.option(
    "--warm",
    "warm_runs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Runs with the numba cache the first cold run filled.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("results/bench/study.json"),
    show_default=True,
    help="Where to write the JSON results (atomically); an existing file is replaced "
    "only if it is this benchmark's JSON (recognised by its keys), or with --overwrite.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --output file even if backtest did not write it.")
def bench_study_command(name, cold_runs, warm_runs, output, overwrite):  # type: ignore[no-untyped-def]
    """Wall time of `backtest study NAME` end to end, each run in a fresh process: --cold
    runs with an empty numba cache, --warm runs with a filled one, the import time alone,
    and a per-stage profile (seconds, cProfile) of one more warm run. The study's report
    goes to a temporary directory; results/ is not touched except --output.
    """
    from backtest.bench.measure import write_bench
    from backtest.bench.study import bench_headline, run_study_bench
    from backtest.study_runner import available_studies

    if name.replace("_", "-") not in available_studies():
        raise click.BadParameter(f"unknown study {name!r}; see `backtest study --list`", param_hint="NAME")
    _announce_output(output, "bench-study", overwrite, "choose another --output path")
    with err_console.status("measuring") as status:
        result = run_study_bench(
            name, cold_runs=cold_runs, warm_runs=warm_runs, progress=lambda text: status.update(text)
        )
    write_bench(result, output)
    console.print_json(data=bench_headline(result))
    console.print(f"wrote {output}", highlight=False, markup=False)


def _bench_headline(result):  # type: ignore[no-untyped-def]
    """The numbers a person looks for first."""
    out = {}
    if "full_sweep" in result:
        full = result["full_sweep"]
        out["full_grid"] = {k: full.get(k) for k in ("pairs", "wall_s", "process_peak_mb", "peak_mb", "split_s")}
    grid = result["grid_vs_vectorbt"]
    out["grid"] = {
        "pairs": grid["pairs"],
        "ours_wall_s": grid["ours"]["wall_s"],
        "ours_peak_mb": grid["ours"]["peak_mb"],
    }
    if "vectorbt" in grid:
        out["grid"].update(
            {
                "vectorbt_wall_s": grid["vectorbt"]["wall_s"],
                "vectorbt_peak_mb": grid["vectorbt"]["peak_mb"],
                "speedup": grid["speedup"],
                "memory_ratio": grid.get("memory_ratio"),
            }
        )
        agreement = grid["agreement"]
        out["grid"]["agreement"] = {
            key: agreement.get(key)
            for key in (
                "identical_event_counts",
                "identical_event_days",
                "events_on_different_days",
                "differences_resolved_for_us_by_exact_arithmetic",
                "identical_forward_returns_on_common_days",
            )
        }
    if "spa_vs_arch" in result:
        spa = result["spa_vs_arch"]
        out["spa_vs_arch"] = {
            "speedup": spa["speedup"],
            "max_abs_pvalue_diff": spa["max_abs_pvalue_diff"],
            "arch_wall_s": spa["arch"]["wall_s"],
            "ours_wall_s": spa["ours"]["wall_s"],
        }
    return out


@app.command("calibrate")
@click.option(
    "--series",
    default="russell2000",
    show_default=True,
    help="Series whose trading calendar, drift and volatility the simulated paths take.",
)
@click.option("--fast", default=50, show_default=True, type=int, help="Fast moving average (trading days).")
@click.option("--slow", default=200, show_default=True, type=int, help="Slow moving average (trading days).")
@click.option("--since", default=DEFAULT_DETECTION_START, show_default=True, help="First event date.")
@click.option(
    "--horizons",
    default="3m,6m,9m,12m",
    show_default=True,
    help="Claim horizons of the primary joint test (comma-separated labels).",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    type=click.Choice(["gbm", "garch_t"]),
    default=("gbm", "garch_t"),
    show_default=True,
    help="No-signal null model(s) of the simulated daily returns.",
)
@click.option(
    "--replications",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1, max=100_000),
    help="Simulated paths per null model.",
)
@click.option(
    "--seed", default=0, show_default=True, type=click.IntRange(min=0, max=2**63 - 1), help="Seed of the simulation."
)
@click.option(
    "--alpha",
    default=0.05,
    show_default=True,
    type=click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True),
    help="Significance level.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the table as CSV here (checked before any work; an existing file is replaced only if "
    "backtest wrote it, or with --overwrite).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --output file even if backtest did not write it.")
@click.option(
    "--draws",
    default=999,
    show_default=True,
    type=click.IntRange(min=0, max=1_000_000),
    help="Random-entry draws per simulated path and horizon (secondary test; 0 skips it).",
)
@click.option(
    "--paths",
    default=99,
    show_default=True,
    type=click.IntRange(min=0, max=100_000),
    help="Bootstrapped price paths per simulated path (secondary path null; 0 skips it).",
)
@data_policy_option
@data_dir_option
def calibrate_command(
    series,
    fast,
    slow,
    since,
    horizons,
    models,
    replications,
    seed,
    alpha,
    output,
    overwrite,
    draws,
    paths,
    policy,
    data_dir,
):  # type: ignore[no-untyped-def]
    """Size and power of question B's primary test and the secondary tests, by simulation.

    Simulates price paths with no signal (GBM; GARCH(1,1)-t fitted by arch) on the series'
    trading calendar, runs the golden-cross rule and the tests on each, and prints the
    rejection rate at --alpha: with no planted effect (size, should be near alpha) and with
    +2.5%, +5% and +10% added after every event at every horizon (power). Long: about 0.5 s
    per path.
    """
    import pandas as pd

    from backtest._io import atomic_write_text
    from backtest.events import EventRules
    from backtest.stats.calibration import calibrate

    if output is not None:
        _announce_output(output, "calibration-csv", overwrite, "choose another --output path")
    close = _load_for_analysis(series, data_dir, policy).close
    rules = EventRules(fast=fast, slow=slow, ma="sma", direction="golden", start=since)
    labels = tuple(label.strip() for label in horizons.split(",") if label.strip())
    frames = []
    for model in models:
        result = calibrate(
            close,
            rules,
            labels,
            null_model=model,
            n_replications=replications,
            seed=seed,
            alpha=alpha,
            n_draws=draws,
            n_paths=paths,
        )
        console.print(result.summary())
        frames.append(result.to_frame())
    if output is not None:
        atomic_write_text(output, pd.concat(frames).to_csv(index=False, lineterminator="\n"))
        console.print(f"wrote {output}", highlight=False, markup=False)


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


if __name__ == "__main__":
    run()
