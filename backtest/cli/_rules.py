"""Options of the event rules and event sources, shared by `events` and `sweep`, and the
settings objects they build: ``RuleSettings`` (timing, horizons, the cross's average and
direction) and ``SourceSettings`` (an event source other than the cross: a shortcut flag, or
any registered event kind by ``--event KIND --param KEY=VALUE``, read through the kind's
parameter model as a spec's ``[event]`` table is).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from backtest.cli._common import parse_int_list, settings_options
from backtest.defaults import MAX_WINDOW_DAYS

if TYPE_CHECKING:
    from backtest.events import EventRules, Horizon

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
        "stays beyond the slow one); the event is dated on the last of them. At most 100,000, and fewer "
        "than the series' closes.",
    ),
    click.option(
        "--min-gap",
        type=int,
        default=0,
        show_default=True,
        help="Ignore an event within this many trading days of the previous kept one (at most 100,000, and "
        "fewer than the series' closes).",
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


@dataclass(frozen=True)
class RuleSettings:
    """The event rules of RULE_OPTIONS: the cross's average and direction, the timing
    (--since/--until/--confirm/--min-gap/--entry) and the horizons (text, as typed)."""

    ma: str
    direction: str
    since: str | None
    until: str | None
    confirm: int
    min_gap: int
    entry: str
    horizons: str | None
    months: str | None

    def rules_and_horizons(
        self, fast: int | None = None, slow: int | None = None, source: object = None
    ) -> tuple[EventRules, tuple[Horizon, ...]]:
        """EventRules and horizons (validation raises ParameterError or a click error).

        ``source``: an event source replacing the moving-average cross of fast/slow/ma/direction;
        a sweep gives neither (its windows come from the grid)."""
        from backtest.events import (
            DEFAULT_HORIZONS,
            EventRules,
            MACross,
            calendar_month_horizons,
            trading_day_horizons,
        )

        if self.horizons is not None and self.months is not None:
            raise click.BadParameter("give --horizons or --months, not both", param_hint="--months")
        timing = {
            "start": self.since,
            "end": self.until,
            "confirm": self.confirm,
            "min_gap": self.min_gap,
            "entry": self.entry,
        }
        if source is None:
            # --fast/--slow/--ma/--direction: a moving-average cross, MACross's windows when not given
            windows = {name: value for name, value in (("fast", fast), ("slow", slow)) if value is not None}
            source = MACross(**windows, ma=self.ma, direction=self.direction)
        rules = EventRules(source=source, **timing)  # type: ignore[arg-type]
        day_list = parse_int_list("--horizons", self.horizons)
        month_list = parse_int_list("--months", self.months)
        if month_list:
            chosen = calendar_month_horizons(month_list)
        elif day_list:
            chosen = DEFAULT_HORIZONS if day_list == (21, 63, 126, 189, 252) else trading_day_horizons(day_list)
        else:
            chosen = DEFAULT_HORIZONS
        return rules, chosen


rule_options = settings_options(RuleSettings, RULE_OPTIONS, into="rule")
"""RULE_OPTIONS, passed as ``rule: RuleSettings``."""


class EventKindOption(click.Option):
    """``--event``: its help lists the registered event kinds and their parameters as they are
    when the help is shown (a kind registered after import is among them)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from backtest.claims.kinds import EVENT_KINDS, event_kind

        kinds = "; ".join(f"{name}: {event_kind(name).describe_params()}" for name in EVENT_KINDS)
        self.help = (
            "Event source of a registered event kind, as a claim spec's [event] kind, with its "
            f"parameters given by --param KEY=VALUE (each checked as in a spec). Kinds: {kinds}."
        )
        return super().get_help_record(ctx)


def parse_param(text: str) -> tuple[str, Any]:
    """``--param KEY=VALUE``: the value read as a TOML value (50, 0.5, true, "x", [1, 2]),
    else as the text itself (``indicator=rsi``)."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise click.BadParameter(f"expected KEY=VALUE, got {text!r}", param_hint="--param")
    try:
        return key.strip(), tomllib.loads(f"value = {value}")["value"]
    except tomllib.TOMLDecodeError:
        return key.strip(), value


SOURCE_OPTIONS = [
    click.option("--event", "event_kind", cls=EventKindOption, default=None, metavar="KIND"),
    click.option(
        "--param",
        "event_params",
        multiple=True,
        metavar="KEY=VALUE",
        help="A parameter of the --event kind (repeat for each; the kind's defaults fill the rest).",
    ),
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
        type=click.IntRange(min=1, max=MAX_WINDOW_DAYS),
        default=14,
        show_default=True,
        help="RSI window in daily changes (Wilder's smoothing).",
    ),
    click.option(
        "--new-high",
        type=click.IntRange(min=1, max=MAX_WINDOW_DAYS),
        default=None,
        metavar="N",
        help="Event on every day whose close is above the highest close of the previous N trading days "
        "(day t excluded; 252 = a 52-week high). Use --min-gap to keep one event per run.",
    ),
    click.option(
        "--new-low",
        type=click.IntRange(min=1, max=MAX_WINDOW_DAYS),
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


@dataclass(frozen=True)
class SourceSettings:
    """The event source chosen by SOURCE_OPTIONS (none: the moving-average cross)."""

    rsi_below: float | None
    rsi_above: float | None
    rsi_window: int
    new_high: int | None
    new_low: int | None
    dates_file: Path | None
    cross_above: str | None
    cross_below: str | None
    level: float | None
    event_kind: str | None = None
    event_params: tuple[str, ...] = ()

    def source(self, data_dir: Path | None, policy: str = "lenient") -> object:
        """The event source (None: the moving-average cross); a series it reads is loaded."""
        from backtest.events import RSI, DateList, NewHigh, NewLow, SeriesLevel, Threshold

        chosen = {
            name: value
            for name, value in (
                ("--event", self.event_kind),
                ("--rsi-below", self.rsi_below),
                ("--rsi-above", self.rsi_above),
                ("--new-high", self.new_high),
                ("--new-low", self.new_low),
                ("--dates", self.dates_file),
                ("--cross-above", self.cross_above),
                ("--cross-below", self.cross_below),
            )
            if value is not None
        }
        if len(chosen) > 1:
            raise click.UsageError(f"give one event source, got {', '.join(chosen)}")
        if self.level is not None and self.cross_above is None and self.cross_below is None:
            raise click.BadParameter("--level goes with --cross-above or --cross-below", param_hint="--level")
        if self.event_params and self.event_kind is None:
            raise click.BadParameter("--param goes with --event KIND", param_hint="--param")
        if self.event_kind is not None:
            return self._kind_source(self.event_kind, data_dir, policy)
        if self.rsi_below is not None:
            return Threshold(RSI(self.rsi_window), self.rsi_below, "below")
        if self.rsi_above is not None:
            return Threshold(RSI(self.rsi_window), self.rsi_above, "above")
        if self.new_high is not None:
            return NewHigh(self.new_high)
        if self.new_low is not None:
            return NewLow(self.new_low)
        if self.dates_file is not None:
            return DateList.from_csv(self.dates_file)
        if self.cross_above is not None or self.cross_below is not None:
            from backtest.data import load_series

            if self.level is None:
                raise click.BadParameter("--cross-above / --cross-below need --level", param_hint="--level")
            name = self.cross_above if self.cross_above is not None else self.cross_below
            assert name is not None
            other = load_series(name, data_dir=data_dir, policy=policy)
            line = SeriesLevel(other.close, label=str(other.name or name))
            return Threshold(line, self.level, "above" if self.cross_above is not None else "below")
        return None

    def _kind_source(self, kind: str, data_dir: Path | None, policy: str) -> object:
        """The source of a registered kind with the --param values, checked by the kind's
        model (an error names --event or the --param key); a series a line reads is loaded."""
        from backtest.claims.kinds import SourceInputs, event_kind
        from backtest.claims.run import build_line
        from backtest.claims.spec import event_from_dict
        from backtest.data import load_series
        from backtest.errors import SpecError

        table: dict[str, Any] = {"kind": kind}
        for text in self.event_params:
            key, value = parse_param(text)
            if key in table:
                raise click.BadParameter(f"{key} is given twice", param_hint="--param")
            table[key] = value
        origin = "--event"
        try:
            event = event_from_dict(table, origin=origin, data_dir=data_dir)
        except SpecError as exc:
            # "--event: [event] level: missing" reads "--param level: missing" on the command line
            message = (
                str(exc).replace(f"{origin}: [event] kind:", f"{origin}:").replace(f"{origin}: [event] ", "--param ")
            )
            raise click.UsageError(message) from None
        inputs = SourceInputs(
            line=lambda line: build_line(line, lambda name: load_series(name, data_dir=data_dir, policy=policy)),
            resolve=Path,
            origin=origin,
        )
        return event_kind(kind).source(event, inputs)


source_options = settings_options(SourceSettings, SOURCE_OPTIONS, into="event_source")
"""SOURCE_OPTIONS, passed as ``event_source: SourceSettings``."""
