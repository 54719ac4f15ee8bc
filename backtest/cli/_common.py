"""What every command shares: the consoles, the common options (--data-dir, --policy), the
output check, and ``settings_options``, which turns a group of click options into one
frozen settings object so that commands take a few arguments, not dozens.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console, ConsoleDimensions

from backtest.files import FileKind, read_text

PIPE_WIDTH = 80
"""Columns of output that goes to a pipe or a file when ``$COLUMNS`` does not say."""


def output_width() -> int:
    """The width of output that is not a terminal: ``$COLUMNS`` when it is a whole number,
    else ``PIPE_WIDTH``. A log or a pager then holds lines that fit the terminal it is read
    in; tables wrap their cells to fit, never cutting a value short."""
    columns = os.environ.get("COLUMNS", "").strip()
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH


class FittedConsole(Console):
    """A rich console as wide as its terminal or, writing to a pipe or a file,
    ``output_width()`` wide (read at each print, not once at start-up)."""

    @property
    def size(self) -> ConsoleDimensions:
        measured = super().size
        if self.is_terminal:
            return measured
        return ConsoleDimensions(output_width(), measured.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        width, height = new_size
        self._width, self._height = width, height


console = FittedConsole()
err_console = FittedConsole(stderr=True)

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


def compact_table(**options: Any) -> Any:
    """A rich table that spends the terminal's width on its cells: a rule under the header,
    two spaces between columns, no outer border."""
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True, **options)


def fitted_table(build: Callable[[int], Any], target: Console | None = None) -> Any:
    """The first of ``build(0)``, ``build(1)``, ... whose natural width fits ``target``
    (default: ``console``): ``build(n)`` is the table with ``n`` levels of detail left out
    (its caption saying which), or None when nothing more can go. When none fits, the last
    is used and rich wraps its cells (columns should fold, never cut a value short)."""
    from rich.measure import Measurement

    target = target or console
    wide = target.options.update(max_width=10_000)
    chosen = build(0)
    left_out = 0
    while Measurement.get(target, wide, chosen).maximum > target.width:
        left_out += 1
        narrower = build(left_out)
        if narrower is None:
            break
        chosen = narrower
    return chosen


def answer_markdown(lines: Sequence[str]) -> str:
    """A claim's answer lines (``ClaimResult.answer_lines()``) as Markdown: the first line,
    the verdict, in bold (unless it is already a heading or bold), each indented line an item
    of a list under the line before it, every other line a paragraph of its own."""
    blocks: list[tuple[bool, str]] = []  # (is a list item, Markdown)
    for number, line in enumerate(line for line in lines if line.strip()):
        text = line.strip()
        if line[:1].isspace() or text.startswith(("- ", "* ")):
            blocks.append((True, text if text.startswith(("- ", "* ")) else f"- {text}"))
        elif number == 0 and not text.startswith(("#", "**")):
            blocks.append((False, f"**{text}**"))
        else:
            blocks.append((False, text))
    parts = []
    for index, (item, text) in enumerate(blocks):
        if index:
            parts.append("\n" if item and blocks[index - 1][0] else "\n\n")
        parts.append(text)
    return "".join(parts)


def print_answer(lines: Sequence[str], last_date: Any = None, target: Console | None = None) -> None:
    """Print a claim's answer for a terminal, rendered (headings, bold, lists) and wrapped
    to its width (``answer_markdown``), verdict first; then, when ``last_date`` (the data's
    last close) lies more than a month before the run date, how old the data are and how to
    refresh them (``backtest.data.series.data_age``)."""
    from rich.markdown import Markdown

    from backtest.data.series import data_age

    text = answer_markdown(lines)
    age = data_age(last_date) if last_date is not None else ""
    if age:
        text += f"\n\n*Note:* {age}."
    (target or console).print(Markdown(text))


STUDY_SUMMARY = FileKind("study summary", 64 * 1024 * 1024)
"""A report folder's ``summary.json``, read back to print a study's answer."""


def print_study_answer(folder: Path, target: Console | None = None) -> bool:
    """Print the answer of the claim report in ``folder`` (its ``summary.json``, as
    ``print_answer`` does for `claim run`); False, printing nothing, for a report of another
    kind (a sweep, a strategy)."""
    import json

    from backtest.report.claim_report import answer_lines

    path = folder / "summary.json"
    if not path.is_file():
        return False
    try:
        summary = json.loads(read_text(path, STUDY_SUMMARY))
    except ValueError:  # a study's own summary that is not JSON: no claim to answer
        return False
    if not (isinstance(summary, dict) and {"claim", "conclusion", "data"} <= set(summary)):
        return False
    print_answer(answer_lines(summary), last_date=summary["data"].get("last_date"), target=target)
    return True


def announce_output(target: Path, kind: str, overwrite: bool, hint: str) -> None:
    """Check that ``target`` can be written (before any data is loaded: ``OutputError``,
    exit 2, otherwise) and say where the command will write: a report writes nothing outside
    its own folder (report.html carries plotly.js and its figures)."""
    from backtest._io import REPORT_KINDS, preflight

    preflight(target, kind, overwrite=overwrite, hint=hint)
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
            # a file of the built-in dataset is named as in its snapshot (yahoo/RUT.csv): check it by name
            target = report.file if Path(report.file).is_absolute() else Path(report.file).stem
            click.echo(
                f"dropped: {report.name}: +{len(rows) - DROPPED_ROWS_SHOWN:,} more rows; "
                f"`backtest data check {target} --show-dropped` lists them all",
                err=True,
            )


def data_lines_in_brief(loaded: Sequence[Any]) -> list[str]:
    """Stderr lines for the series a run loaded (``MarketSeries``, in loading order): the
    first one's whole data line (sources, span, validation, age), then one line for all the
    others, with their rows dropped and warnings added up; [] when none was loaded."""
    if not loaded:
        return []
    first, others = loaded[0], loaded[1:]
    lines = [first.data_line()]
    if others:
        dropped = sum(f.count for s in others for r in s.validation for f in r.findings if f.severity == "error")
        warnings = sum(f.count for s in others for r in s.validation for f in r.findings if f.severity == "warning")
        lines.append(
            f"data: {len(others)} more series ({', '.join(s.name for s in others)}): {dropped:,} "
            f"row{'s' if dropped != 1 else ''} dropped, {warnings:,} warning{'s' if warnings != 1 else ''}; "
            "`backtest data show NAME` describes each"
        )
    return lines


def check_analysis_window(series, rules, horizons):  # type: ignore[no-untyped-def]
    """The rules as run on ``series``: horizons, --confirm and --min-gap longer than the data
    are refused; a --since before the data becomes its first close (one warning line when it
    lay more than a week before it); a window holding no close is one warning line."""
    from backtest.events.rules import check_horizons_fit
    from backtest.events.study import detection_bounds

    check_horizons_fit(horizons, series.close.index, series.name)
    rules, note = rules.for_data(series.close.index, series.name)
    if note:
        click.echo(f"warning: {note}", err=True)
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
    return rules


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
