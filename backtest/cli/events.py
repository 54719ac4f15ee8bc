"""`backtest events`: every event of one source on one series, and what followed it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich import box

from backtest.cli._common import (
    DataSettings,
    announce_output,
    check_analysis_window,
    console,
    data_options,
    fitted_table,
)
from backtest.cli._rules import RuleSettings, SourceSettings, rule_options, source_options

if TYPE_CHECKING:
    from rich.table import Table

    from backtest.events import EventStudy
    from backtest.events.rules import Horizon


@click.command("events")
@click.option(
    "--series",
    default="russell2000",
    show_default=True,
    help="Series name (see `backtest data list`) or path to a Yahoo/FRED CSV file.",
)
@click.option("--fast", type=int, default=50, show_default=True, help="Fast moving-average window, trading days.")
@click.option("--slow", type=int, default=200, show_default=True, help="Slow moving-average window, trading days.")
@rule_options
@source_options
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the full event table (every measurement) to this CSV file (checked before any "
    "work; an existing file is replaced only if backtest wrote it, or with --overwrite).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --csv file even if backtest did not write it.")
@data_options
def events_command(  # type: ignore[no-untyped-def]
    series: str,
    fast: int,
    slow: int,
    rule: RuleSettings,
    event_source: SourceSettings,
    csv_path: Path | None,
    overwrite: bool,
    data: DataSettings,
):
    """Print every event of an event source and what followed it.

    The source is a moving-average cross (--fast/--slow/--ma/--direction) unless one of
    --rsi-below, --rsi-above, --new-high, --new-low, --dates, --cross-above, --cross-below
    is given, or any event kind a claim spec may name by --event KIND with its --param
    KEY=VALUE (e.g. --event threshold --param indicator=zscore --param level=-2). Every source fires on day t from data up to day t's close; --confirm, --min-gap,
    --since/--until and --entry then apply the same way to any source (with --confirm the
    source's condition must hold on each of the next days, and the event is dated on the
    last). Returns are close-to-close price changes from the entry close; a window that runs
    past the last close is shown as 'pending' (never dropped). '% up' is the share of
    complete windows that ended above the entry close. Stderr gets one line on the data and
    what validation found, and every row it dropped.
    """
    from backtest._io import atomic_write_text
    from backtest.events import MACross, run_event_study

    source = event_source.source(data.data_dir, data.policy)
    rules, chosen = rule.rules_and_horizons(fast, slow, source=source)
    if csv_path is not None:
        announce_output(csv_path, "events-csv", overwrite, "choose another --csv path")
    market_series = data.load(series, list_dropped=True)
    rules = check_analysis_window(market_series, rules, chosen)
    study = run_event_study(market_series, rules, chosen)
    for line in in_brief(study):
        console.print(line, markup=False, highlight=False)
    if isinstance(rules.source, MACross):  # the cross of --fast/--slow or of --event ma_cross
        cross = rules.source
        levels = [f"{cross.ma.upper()}{cross.fast}", f"{cross.ma.upper()}{cross.slow}"]
    else:
        levels = None
    console.print(fitted_table(lambda left_out: _event_table(study, chosen, levels, left_out), console))
    console.print(study.summary(), markup=False, highlight=False)
    if csv_path is not None:
        atomic_write_text(
            csv_path, study.to_frame().to_csv(date_format="%Y-%m-%d", float_format="%.10g", lineterminator="\n")
        )
        console.print(f"wrote {csv_path}")


def _event_table(study: EventStudy, chosen: Sequence[Horizon], levels: list[str] | None, left_out: int) -> Table | None:
    """The events, one row each: date, close, the source's values, the return at each
    horizon and the largest drawdown within the last. ``left_out`` levels of detail are
    dropped to fit a narrow terminal (1: the source's values, 2: the close too; the caption
    says so); None when nothing is left to drop."""
    from rich.table import Table

    if left_out > 2:
        return None
    columns = list(study.table.columns)
    value_columns = columns[columns.index("close") + 1 : columns.index("entry_level")]
    headers = levels or value_columns
    last = chosen[-1].label
    shown = [("#", None), ("event date", "event_date")]
    if left_out < 2:
        shown.append(("close", "close"))
    if left_out < 1:
        shown += list(zip(headers, value_columns))
    dropped = (["the close"] if left_out >= 2 else []) + (list(headers) if left_out >= 1 else [])
    caption = (
        f"ret: the return from the entry close to the horizon's close; max dd: the largest drawdown within "
        f"{last}; pending: the window runs past the last close."
    )
    if dropped:
        caption += f" Left out to fit the terminal: {', '.join(dropped)} (`--csv FILE` writes every column)."
    table = Table(
        title=f"{study.series_name}: {study.rules.describe()}",
        caption=caption,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,  # two spaces between columns: 96 columns with every level
    )
    for header, _ in shown:
        table.add_column(header, justify="right", overflow="fold")
    for horizon in chosen:
        table.add_column(f"ret {horizon.label}", justify="right", overflow="fold")
    table.add_column(f"max dd {last}", justify="right", overflow="fold")
    for number, row in study.table.iterrows():
        cells = [str(number), row["event_date"].date().isoformat()]
        cells += [f"{row[column]:.2f}" for _, column in shown[2:]]
        for horizon in chosen:
            label = horizon.label
            cells.append("pending" if row[f"pending_{label}"] else f"{row[f'ret_{label}']:+.1%}")
        cells.append("pending" if row[f"pending_{last}"] else f"{row[f'max_drawdown_{last}']:.1%}")
        table.add_row(*cells)
    return table


def in_brief(study: EventStudy) -> list[str]:
    """The answer first, in plain words: how many events, what followed them on average, and
    what this command does not test (whether that beats a random day); how old the data are
    when they are old."""
    from backtest.data.series import data_age

    moves = []
    for horizon in study.horizons:
        done = study.complete(horizon.label)[f"ret_{horizon.label}"]
        if len(done):
            moves.append(f"{horizon.label} {done.mean():+.1%} ({(done > 0).mean():.0%} up, n={len(done)})")
    start = (
        f"detected from {study.rules.start.date()}"
        if study.rules.start is not None
        else f"detected from the start of the data, {study.close.index[0].date()} (no --since; the studies "
        "start in 1985: --since 1985-01-01)"
    )
    lines = [
        f"In brief: {study.n_events} events on {study.series_name or study.close.name}, {start}.",
        "After them, on average: " + ("; ".join(moves) if moves else "no complete window yet") + ".",
        "This lists what followed each event; whether that beats a random day is tested by `backtest claim run` "
        "(a spec: `backtest claim new`).",
    ]
    age = data_age(study.close.index[-1])
    if age:
        lines.append(f"Note: {age}.")
    return lines
