"""What every command shares: the consoles, the common options (--data-dir, --policy,
--self-contained), the output check, and ``settings_options``, which turns a group of click
options into one frozen settings object so that commands take a few arguments, not dozens.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

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


def announce_output(target: Path, kind: str, overwrite: bool, hint: str) -> None:
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


def parse_int_list(name: str, text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"expected comma-separated whole numbers, got {text!r}", param_hint=name) from None
    if not values:
        raise click.BadParameter("expected at least one value", param_hint=name)
    return values


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
Settings = TypeVar("Settings")


def with_options(options: Sequence[Decorator]) -> Decorator:
    """Decorate a command with a list of click options, in the order listed."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def settings_options(
    settings: type[Settings],
    options: Sequence[Decorator],
    into: str,
    nested: dict[str, type] | None = None,
) -> Decorator:
    """Add ``options`` to a command (in the order listed) and pass their values to it as one
    ``settings`` object, the keyword argument ``into``.

    Each field of the (frozen) dataclass ``settings`` takes the value of the click parameter
    of the same name; a field named in ``nested`` is itself a settings dataclass, filled the
    same way from its own fields' parameters. Help, option order and defaults are the
    options' own: only the function's signature changes.
    """
    nested = nested or {}

    def build(cls: type[Any], values: dict[str, Any]) -> Any:
        fields = {}
        for field in dataclasses.fields(cls):
            if field.name in nested:
                fields[field.name] = build(nested[field.name], values)
            else:
                fields[field.name] = values.pop(field.name)
        return cls(**fields)

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def command(**values: Any) -> Any:
            values[into] = build(settings, values)
            return function(**values)

        return with_options(options)(command)

    return decorate


def load_for_analysis(name, data_dir, policy, list_dropped=False):  # type: ignore[no-untyped-def]
    """Load a series for events or a sweep: one line on stderr says what validation found
    (stdout stays a clean table), dropped rows are listed when asked, and a gap over
    MAX_GAP_DAYS is cut off (lenient, with a warning) or refused (strict)."""
    from backtest.data import load_series, segment_for_analysis

    series = load_series(name, data_dir=data_dir, policy=policy)
    echo_data_line(series, list_dropped=list_dropped)
    analysed, note = segment_for_analysis(series, policy)
    if note:
        click.echo(f"warning: {note}", err=True)
    return analysed


DROPPED_ROWS_SHOWN = 10


def echo_data_line(series, list_dropped=False):  # type: ignore[no-untyped-def]
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


def check_analysis_window(series, rules, horizons):  # type: ignore[no-untyped-def]
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


@dataclass(frozen=True)
class DataSettings:
    """--policy and --data-dir: how a command finds and validates the series it loads."""

    policy: str
    data_dir: Path | None

    def load(self, name: str, list_dropped: bool = False):  # type: ignore[no-untyped-def]
        """The series ``name`` for an analysis (see ``load_for_analysis``)."""
        return load_for_analysis(name, self.data_dir, self.policy, list_dropped=list_dropped)


data_options = settings_options(DataSettings, [data_policy_option, data_dir_option], into="data")
"""--policy (lenient by default) then --data-dir, passed as ``data: DataSettings``."""
