"""`backtest data ...`: list, show, check, fetch and update the market data, and rebuild the
built-in dataset. Each command calls backtest.data and prints its findings as tables.
"""

from __future__ import annotations

from pathlib import Path

import click

from backtest.cli._common import (
    compact_table,
    console,
    data_dir_option,
    data_max_move_option,
    data_policy_option,
    echo_data_line,
    err_console,
)


@click.group("data")
def data_group() -> None:
    """Inspect and validate market data."""


def _data_findings_table(report):  # type: ignore[no-untyped-def]
    """A table of one file's findings (text cells, so data never render as markup)."""
    from rich.text import Text

    table = compact_table(title=Text(report.headline()), title_justify="left")
    for column, justify in (
        ("kind", "left"),
        ("severity", "left"),
        ("count", "right"),
        ("first lines", "left"),
        ("first dates", "left"),
        ("message", "left"),
    ):
        table.add_column(column, justify=justify, overflow="fold")
    for finding in report.findings:
        cells = (
            finding.kind,
            finding.severity,
            f"{finding.count:,}",
            finding.first_lines(3),
            finding.first_dates(3),
            finding.message,
        )
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _data_frame_table(frame, title: str):  # type: ignore[no-untyped-def]
    """A table of ``frame``. Cells fold, never ellipsize (a cut-off name or path would be
    worse than a wrapped one); rich narrows the widest columns first, so short values (a
    name, a file, a date) keep their width while long text wraps."""
    from rich.text import Text

    table = compact_table(title=Text(title), title_justify="left")
    for column in frame.columns:
        justify = "right" if frame[column].dtype.kind in "fiu" else "left"
        table.add_column(str(column), justify=justify, overflow="fold")
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
    if any(not Path(report.file).is_absolute() for report in reports):
        console.print(
            Text(
                "The built-in dataset holds these files' usable rows: their findings were recorded when it was "
                f"built ({DEFAULT_POLICY} policy); `backtest data check --data-dir DIR` validates raw files."
            )
        )
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
    from backtest.data.builtin import BUILTIN_DIR, TABLE_NAME
    from backtest.data.series import data_age
    from backtest.data.sources import resolve_data_source

    series = load_series(name, data_dir=data_dir, policy=policy, max_move=max_move)
    echo_data_line(series)
    source = resolve_data_source(data_dir)
    lines = [f"data: {source.describe()}"]
    if any(segment.found_in for segment in series.segments):
        lines.append(f"built-in dataset: {BUILTIN_DIR / TABLE_NAME}")
    lines.append(
        f"{series.name}: {len(series):,} daily closes, {series.first_date.date()} to {series.last_date.date()}"
    )
    age = data_age(series.last_date)
    if age:
        lines.append(f"Note: {age}.")
    lines += [f"data sha256: {series.data_sha256}", "", "Provenance (oldest first):"]
    for number, segment in enumerate(series.segments, start=1):
        lines.append(
            f"  {number}. {segment.source} {segment.symbol}: {segment.first_date.date()} to "
            f"{segment.last_date.date()}, {segment.rows_used:,} rows, scale x{segment.scale_factor:.6g}"
        )
        where = segment.path or "(in memory)"
        if segment.found_in:
            where += f", read from the {segment.found_in}"
        lines.append(f"     {where}" + (f"; {segment.note}" if segment.note else ""))
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
    if any(segment.found_in for segment in series.segments):
        console.print(
            Text(
                "  built-in data: the raw files' findings, recorded when the dataset was built (lenient policy); "
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
    from rich.text import Text

    from backtest.data import list_series
    from backtest.data.builtin import builtin_provenance
    from backtest.data.series import data_age
    from backtest.data.sources import resolve_data_source

    listing = list_series(data_dir).drop(columns=["files"])
    console.print(_data_frame_table(listing, "Series (files: yahoo/<NAME>.csv, fred/<NAME>.csv)"))
    source = resolve_data_source(data_dir)
    console.print(Text(f"data: {source.describe()}"))
    if source.kind == "built-in":
        age = data_age(builtin_provenance()["snapshot"]["last_date"])
        if age:
            console.print(Text(f"Note: {age}."))


@data_group.command("fetch")
@click.argument("symbol")
@click.option("--start", default=None, help="First date to download (YYYY-MM-DD); default: all history.")
@click.option(
    "--overwrite", is_flag=True, help="Replace DATA_DIR/yahoo/<SYMBOL>.csv even if `data fetch` did not write it."
)
@data_dir_option
def data_fetch_command(symbol, start, overwrite, data_dir):  # type: ignore[no-untyped-def]
    """Download daily bars for SYMBOL (such as ^RUT or IWM) from Yahoo into DATA_DIR/yahoo/.

    Needs yfinance (the `live` extra, which `make` installs; elsewhere `pip install -e '.[live]'` in the
    project folder) and a network. Writes only into
    --data-dir (or $BACKTEST_DATA_DIR); the file has the snapshot's format and replaces an
    existing file of the same name atomically, but only one that `data fetch` wrote (its
    <SYMBOL>.fetch.json record matches it) unless --overwrite: a snapshot's own file is
    never replaced by accident. The file is validated after writing.
    """
    import os

    from backtest.data import fetch_yahoo, load_csv
    from backtest.data.sources import ENV_VAR, yahoo_stem
    from backtest.errors import OutputError, ParameterError

    target_dir = data_dir or os.environ.get(ENV_VAR)
    if not target_dir:
        raise ParameterError(f"`data fetch` writes only where you say: pass --data-dir DIR or set ${ENV_VAR}")
    target = Path(target_dir).expanduser() / "yahoo" / f"{yahoo_stem(symbol)}.csv"
    if os.path.lexists(target) and not overwrite and not _written_by_fetch(target):
        raise OutputError(
            f"{target} exists and was not written by `backtest data fetch` (no matching .fetch.json record "
            "beside it); pass --overwrite to replace it or choose another --data-dir"
        )
    path = fetch_yahoo(symbol, target_dir, start=start)
    series = load_csv(path)
    console.print(_data_findings_table(series.validation[0]))
    console.print(f"wrote {path}", markup=False, highlight=False)


def _written_by_fetch(path: Path) -> bool:
    """Whether ``path`` is a CSV `data fetch` wrote: the record it writes beside the file
    holds the SHA-256 of exactly these bytes."""
    import hashlib
    import json

    from backtest.data.loaders import live_sidecar_path
    from backtest.errors import BacktestError
    from backtest.files import FETCH_RECORD, SERIES_CSV, read_bytes, read_text

    try:
        record = json.loads(read_text(live_sidecar_path(path), FETCH_RECORD))
        digest = hashlib.sha256(read_bytes(path, SERIES_CSV)).hexdigest()
    except (BacktestError, ValueError):
        return False
    return isinstance(record, dict) and record.get("csv_sha256") == digest


@data_group.command("update")
def data_update_command():  # type: ignore[no-untyped-def]
    """Fetch every catalog series into the per-user data directory and say what changed.

    Yahoo series come through yfinance (the `live` extra, which `make` installs; elsewhere
    `pip install -e '.[live]'` in the project folder), FRED
    series through FRED's CSV download; FRED's Russell series are no longer served (FRED
    stopped them in 2019), so their built-in history stays. Each download is validated and
    must splice onto the built-in history before it replaces the previous one; the built-in
    dataset is never changed. Afterwards every command reads the per-user data when no
    --data-dir, $BACKTEST_DATA_DIR or ../shared/data is there. Without a network: one line
    and exit status 6, before anything is downloaded or written (a short connection to each
    host first); exit status 2, with one line, when every download failed otherwise.
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
    shown = frame.drop(columns=["symbol", "message"]).rename(
        columns={"new_rows": "new rows", "previous_last_date": "was to", "last_date": "now to"}
    )
    console.print(_data_frame_table(shown, "What changed (new rows: closes after the previous last date)"))
    for file, message in zip(frame["file"], frame["message"]):
        if message:
            console.print(Text(f"  {file}: {message}"))
    console.print(Text(summary.headline()))


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
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace a closes.parquet or provenance.json in --to that backtest did not write.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Build even from files whose SHA-256 differs from the snapshot's SHA256SUMS (or without one).",
)
def data_build_builtin_command(snapshot_dir, target_dir, overwrite, force):  # type: ignore[no-untyped-def]
    """Rebuild the built-in dataset from a snapshot: every catalog file, validated (lenient
    policy), closes only (OHLCV bars where a study reads them), with provenance.

    Checked before any work: every file must match the snapshot's SHA256SUMS (else --force),
    and files in --to that backtest did not write are never replaced (else --overwrite).
    Both files are replaced together or not at all."""
    from backtest.data.builtin import BUILTIN_DIR, build_builtin
    from backtest.data.catalog import catalog_files

    written = build_builtin(
        snapshot_dir, target_dir or BUILTIN_DIR, files=catalog_files(), force=force, overwrite=overwrite
    )
    console.print(f"wrote {written}", markup=False, highlight=False)
