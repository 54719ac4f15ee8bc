"""The registry of event kinds: what a spec's ``[event] kind`` may name.

Each kind is one class registered under its spec name (``register_event_kind``): it declares
its parameters as a typed model (``params``, a ``backtest.claims.spec_models.EventParams``:
the ``[event]`` keys, their types, defaults and the checks of keys that go together), turns
them into an ``EventSpec``, builds its event source (``backtest.events``), words itself for
reports, lists its neighbouring specifications for the robustness panel and names the lines
an index chart draws. The spec parser, its JSON Schema, the CLI's ``--event``/``--param``,
the run, the robustness panel and the reports look a kind up here (``event_kind``); none of
them branches on a kind's name. The six built-in kinds are registered below.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import Field, model_validator

from backtest.claims.spec_models import (
    DatesFile,
    EventParams,
    Indicator,
    LineSpec,
    Number,
    Refusal,
    SeriesName,
    Window,
    check_level,
    line_of,
)
from backtest.defaults import MAX_WINDOW_DAYS
from backtest.errors import ParameterError, SpecError

if TYPE_CHECKING:  # the sources are imported when built: reading a spec loads no numba code
    from backtest.events import DateList
    from backtest.events.sources import Line

KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,49}")
"""A kind's spec name: lower case letters, digits and ``_``, a letter first (summary.json's
schema accepts exactly these)."""


@dataclass(frozen=True)
class EventSpec:
    """[event]: the kind of source and its parameters (only the ones of its kind are set).
    A kind with parameters of its own reads them into a frozen subclass with those fields."""

    kind: str
    fast: int = 50
    slow: int = 200
    ma: str = "sma"
    direction: str = "golden"
    line: LineSpec | None = None
    against: LineSpec | None = None
    level: float | None = None
    cross: str = "below"
    n: int = 252
    file: str | None = None
    column: str = "date"


@dataclass(frozen=True)
class SourceInputs:
    """What building a kind's source may read: ``line`` builds the ``backtest.events`` line of
    a ``LineSpec`` (loading another series if it reads one), ``resolve`` turns a path of the
    spec into a path on disk, ``origin`` is the spec's file (for error messages)."""

    line: Callable[[LineSpec], Line]
    resolve: Callable[[str], Path]
    origin: str = "<code>"


@dataclass(frozen=True)
class EventNeighbour:
    """A specification around the claim's event: its label in the robustness panel, the
    event it states and, for a list of dates, how many trading days they move."""

    label: str
    event: EventSpec
    date_shift: int = 0


@dataclass(frozen=True)
class RegimeLines:
    """The two lines of a regime test (Brock, Lakonishok & LeBaron 1992): returns while
    ``fast`` is above ``slow`` against the rest; ``event_when_fast_above``: the kind's events
    start the fast-above regime (a golden cross) rather than end it (a death cross)."""

    fast: Line
    slow: Line
    event_when_fast_above: bool


class EventKind:
    """One kind of event a spec can name. A subclass sets ``kind`` (its spec name),
    ``wording`` (how a report names it: "a moving-average cross") and ``params`` (the model of
    its ``[event]`` keys) and implements ``event`` and ``source``; the other methods default to
    "nothing of the kind": no indicator lines, no neighbouring parameters, no regime test,
    events drawn as plain events.

    ``fixed_dates``: its events are a list of dates rather than a rule on prices, so no
    simulated price path can re-run it, a ``[[published]]`` figure cannot be re-run with it on
    another series, and a list falling once a year is judged by the year-level paired test.
    """

    kind: ClassVar[str]
    wording: ClassVar[str]
    params: ClassVar[type[EventParams]] = EventParams
    fixed_dates: ClassVar[bool] = False

    def event(self, params: Any) -> EventSpec:
        """The ``EventSpec`` of the kind's validated parameters (an instance of ``params``)."""
        raise NotImplementedError

    def describe_params(self) -> str:
        """The kind's parameters in words, for ``--help``: 'fast (integer, default 50), ...'."""
        return describe_params(self.params)

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        """The event source that dates the kind's events (a ``backtest.events.EventSource``), before
        filters and timing rules."""
        raise NotImplementedError

    def check_inputs(self, event: EventSpec, resolve: Callable[[str], Path], origin: str) -> None:
        """Read the files the kind names as the run will (``resolve``: a path of the spec on
        disk; ``origin``: the spec's file), once every other key of the spec is checked
        (``SpecError`` naming the key); nothing by default."""

    def lines(self, event: EventSpec) -> tuple[LineSpec, ...]:
        """The indicator lines the rule reads (one of them may read another series)."""
        return ()

    def neighbours(self, event: EventSpec) -> list[EventNeighbour]:
        """The event's parameters a step either side, for the robustness panel."""
        return []

    def regime(self, event: EventSpec) -> RegimeLines | None:
        """The lines of the kind's regime test, if it has one."""
        return None

    def chart_lines(self, event: EventSpec) -> tuple[Line, ...]:
        """The lines an index chart draws over the close (each labelled by its ``describe()``)."""
        return ()

    def chart_direction(self, event: EventSpec) -> str:
        """How the chart marks the events: "golden", "death" or "event"."""
        return "event"


_REGISTRY: dict[str, EventKind] = {}

K = TypeVar("K", bound=type[EventKind])


def register_event_kind(cls: K) -> K:
    """Register an ``EventKind`` subclass under its ``kind`` (usable as a class decorator);
    ``ParameterError`` for a name that is not ``KIND_NAME`` or is taken, or parameters that
    are not an ``EventParams`` model."""
    name = getattr(cls, "kind", None)
    if not isinstance(name, str) or not KIND_NAME.fullmatch(name):
        raise ParameterError(f"event kind name must match {KIND_NAME.pattern}, got {name!r}")
    params = getattr(cls, "params", None)
    if not (isinstance(params, type) and issubclass(params, EventParams)) or "kind" in params.model_fields:
        raise ParameterError(f"event kind {name!r}: params must be an EventParams model without a `kind` key")
    if name in _REGISTRY:
        raise ParameterError(f"event kind {name!r} is already registered")
    _REGISTRY[name] = cls()
    return cls


def unregister_event_kind(name: str) -> None:
    """Remove a registered kind (a test's own kind, once it is done)."""
    if name not in _REGISTRY:
        raise ParameterError(f"unknown event kind {name!r}; known: {', '.join(_REGISTRY)}")
    del _REGISTRY[name]


def event_kind(name: str) -> EventKind:
    """The registered kind named ``name`` (``ParameterError`` listing the known ones)."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ParameterError(f"unknown event kind {name!r}; known: {', '.join(_REGISTRY)}") from None


class _KindNames(Sequence[str]):
    """The registered kinds' names in registration order, read at each use (so a kind
    registered later is among them)."""

    def __getitem__(self, index: Any) -> Any:
        return tuple(_REGISTRY)[index]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY))

    def __repr__(self) -> str:
        return repr(tuple(_REGISTRY))


EVENT_KINDS: Sequence[str] = _KindNames()
"""The names a spec's ``[event] kind`` may take: the registry's, in registration order."""


def describe_params(model: type[EventParams]) -> str:
    """A parameter model's keys in words: 'fast (integer >= 1, default 50), ma (sma|ema,
    default sma)'; 'none' for a kind without parameters."""
    words = []
    for key, field in model.model_fields.items():
        schema = model.model_json_schema()["properties"][key]
        if field.is_required():
            default = ""
        else:
            default = ", optional" if field.default is None else f", default {field.default}"
        words.append(f"{key} ({_schema_words(schema)}{default})")
    return ", ".join(words) or "none"


def _schema_words(schema: dict[str, Any]) -> str:
    """A property's JSON Schema in a few words: 'sma|ema', 'integer >= 1', 'number', 'string'."""
    if "enum" in schema:
        values = [str(value) for value in schema["enum"]]
        return "|".join(values) if len(values) <= 3 else f"one of {', '.join(values)}"
    if "anyOf" in schema:
        return " or ".join(_schema_words(option) for option in schema["anyOf"] if option.get("type") != "null")
    kind = schema.get("type", "value")
    minimum = schema.get("minimum")
    return f"{kind} >= {minimum}" if minimum is not None else str(kind)


# ---------------------------------------------------------------------------------------
# Neighbouring parameters
# ---------------------------------------------------------------------------------------

RELATIVE_STEP = 0.10
"""A window, a day count or a level a step either side: 10% of it (at least one day)."""
LEVEL_STEPS = {"rsi": 5.0, "drawdown": 0.05, "zscore": 0.25, "relative_volume": 0.25}
"""Steps of a threshold's level where 10% of the level is not the natural unit (RSI points,
a drawdown's fraction, standard deviations)."""
LEVEL_RANGES = {"rsi": (0.0, 100.0), "drawdown": (-1.0, 0.0), "relative_volume": (0.0, math.inf)}
"""Where a neighbouring level must stay (open at the ends: a level on an edge never fires)."""
DATE_SHIFTS = (-15, -10, -5, 5, 10, 15)
"""A calendar claim's dates moved by one to three weeks (trading days) either side."""


def relative_step(value: int) -> int:
    """``RELATIVE_STEP`` of a day count, at least one day."""
    return max(1, round(RELATIVE_STEP * value))


E = TypeVar("E", bound=EventSpec)


def changed(event: E, **changes: Any) -> E:
    """``event`` with some parameters changed (its own class kept)."""
    return dataclasses.replace(event, **changes)


def window_neighbours(event: EventSpec, key: str, line: LineSpec) -> list[EventNeighbour]:
    """The window of the line ``event.<key>`` a step either side (none for a line without one)."""
    if line.window is None:
        return []
    step = relative_step(line.window)
    out = []
    for window in (line.window - step, line.window + step):
        if window >= 2:
            moved = dataclasses.replace(line, window=window)
            out.append(EventNeighbour(f"{line.indicator} window {window}", changed(event, **{key: moved})))
    return out


def level_neighbours(event: EventSpec) -> list[EventNeighbour]:
    """A threshold's level a step either side (``LEVEL_STEPS``, else ``RELATIVE_STEP`` of it),
    kept inside the indicator's range (``LEVEL_RANGES``)."""
    if event.level is None or event.line is None:
        return []
    indicator = event.line.indicator
    step = LEVEL_STEPS.get(indicator, RELATIVE_STEP * abs(event.level))
    if step == 0:
        return []
    low, high = LEVEL_RANGES.get(indicator, (-math.inf, math.inf))
    out = []
    for level in (event.level - step, event.level + step):
        level = round(level, 10)
        if low < level < high:
            out.append(EventNeighbour(f"level {level:g}", changed(event, level=level)))
    return out


# ---------------------------------------------------------------------------------------
# The built-in kinds' parameters
# ---------------------------------------------------------------------------------------


class MACrossParams(EventParams):
    """[event] of ``ma_cross``: the windows (trading days), the average and the direction."""

    fast: Window = 50
    slow: Annotated[int, Field(ge=2, le=MAX_WINDOW_DAYS)] = 200
    ma: Literal["sma", "ema"] = "sma"
    direction: Literal["golden", "death"] = "golden"

    @model_validator(mode="after")
    def _fast_below_slow(self) -> MACrossParams:
        if self.fast >= self.slow:
            raise Refusal(f"must be shorter than slow, got fast={self.fast}, slow={self.slow}", "fast")
        return self


class LineCrossParams(EventParams):
    """[event] of ``line_cross``: a line (``indicator``/``window``/``series``) crossing
    another (``against``/``against_window``/``against_series``)."""

    indicator: Indicator
    window: Window | None = None
    series: SeriesName | None = None
    against: Indicator
    against_window: Window | None = None
    against_series: SeriesName | None = None
    cross: Literal["above", "below"] = "above"

    @model_validator(mode="after")
    def _lines(self) -> LineCrossParams:
        line_of(self)
        line_of(self, "against")
        return self


class ThresholdParams(EventParams):
    """[event] of ``threshold``: a line crossing ``level`` (in the indicator's unit)."""

    indicator: Indicator
    window: Window | None = None
    series: SeriesName | None = None
    level: Number
    cross: Literal["above", "below"] = "below"

    @model_validator(mode="after")
    def _reachable(self) -> ThresholdParams:
        condition = f'cross = "{self.cross}" {self.level:g} can never fire: no event can be found'
        check_level(line_of(self), self.level, self.cross, condition)
        return self


class ExtremeParams(EventParams):
    """[event] of ``new_high``/``new_low``: how many previous closes (trading days)."""

    n: Window = 252


class DatesParams(EventParams):
    """[event] of ``dates``: a CSV file beside the spec and its column of dates."""

    file: DatesFile
    column: str = "date"


# ---------------------------------------------------------------------------------------
# The built-in kinds, in the order a spec's error message lists them
# ---------------------------------------------------------------------------------------


@register_event_kind
class MACrossKind(EventKind):
    """A fast moving average crossing a slow one (``backtest.events.MACross``)."""

    kind = "ma_cross"
    wording = "a moving-average cross"
    params = MACrossParams

    def event(self, params: MACrossParams) -> EventSpec:
        return EventSpec(kind=self.kind, fast=params.fast, slow=params.slow, ma=params.ma, direction=params.direction)

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        from backtest.events import MACross

        return MACross(event.fast, event.slow, event.ma, event.direction)  # type: ignore[arg-type]

    def neighbours(self, event: EventSpec) -> list[EventNeighbour]:
        out = []
        for fast in (event.fast - relative_step(event.fast), event.fast + relative_step(event.fast)):
            if 1 <= fast < event.slow:
                out.append(EventNeighbour(f"fast {fast}", changed(event, fast=fast)))
        for slow in (event.slow - relative_step(event.slow), event.slow + relative_step(event.slow)):
            if slow > event.fast:
                out.append(EventNeighbour(f"slow {slow}", changed(event, slow=slow)))
        return out

    def regime(self, event: EventSpec) -> RegimeLines:
        fast, slow = self.chart_lines(event)
        return RegimeLines(fast, slow, event_when_fast_above=event.direction == "golden")

    def chart_lines(self, event: EventSpec) -> tuple[Line, ...]:
        from backtest.events import MovingAverage

        return MovingAverage(event.fast, event.ma), MovingAverage(event.slow, event.ma)

    def chart_direction(self, event: EventSpec) -> str:
        return event.direction


@register_event_kind
class LineCrossKind(EventKind):
    """One indicator line crossing another (``backtest.events.LineCross``)."""

    kind = "line_cross"
    wording = "one line crossing another"
    params = LineCrossParams

    def event(self, params: LineCrossParams) -> EventSpec:
        return EventSpec(kind=self.kind, line=line_of(params), against=line_of(params, "against"), cross=params.cross)

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        from backtest.events import LineCross

        line, against = self.lines(event)
        return LineCross(inputs.line(line), inputs.line(against), event.cross)  # type: ignore[arg-type]

    def lines(self, event: EventSpec) -> tuple[LineSpec, ...]:
        return tuple(line for line in (event.line, event.against) if line is not None)

    def neighbours(self, event: EventSpec) -> list[EventNeighbour]:
        if event.line is None or event.against is None:
            return []
        return window_neighbours(event, "line", event.line) + window_neighbours(event, "against", event.against)


@register_event_kind
class ThresholdKind(EventKind):
    """An indicator line crossing a fixed level (``backtest.events.Threshold``)."""

    kind = "threshold"
    wording = "a value crossing a fixed level"
    params = ThresholdParams

    def event(self, params: ThresholdParams) -> EventSpec:
        return EventSpec(kind=self.kind, line=line_of(params), level=params.level, cross=params.cross)

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        from backtest.events import Threshold

        (line,) = self.lines(event)
        return Threshold(inputs.line(line), event.level, event.cross)  # type: ignore[arg-type]

    def lines(self, event: EventSpec) -> tuple[LineSpec, ...]:
        return (event.line,) if event.line is not None else ()

    def neighbours(self, event: EventSpec) -> list[EventNeighbour]:
        if event.line is None:
            return []
        return level_neighbours(event) + window_neighbours(event, "line", event.line)


class _ExtremeKind(EventKind):
    """A close beyond the extreme of the previous ``n`` closes."""

    params = ExtremeParams

    def event(self, params: ExtremeParams) -> EventSpec:
        return EventSpec(kind=self.kind, n=params.n)

    def neighbours(self, event: EventSpec) -> list[EventNeighbour]:
        out = []
        for n in (event.n - relative_step(event.n), event.n + relative_step(event.n)):
            if n >= 2:
                out.append(EventNeighbour(f"n {n}", changed(event, n=n)))
        return out


@register_event_kind
class NewHighKind(_ExtremeKind):
    """A close above the highest of the previous ``n`` closes (``backtest.events.NewHigh``)."""

    kind = "new_high"
    wording = "a close above the highest close of the previous days"

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        from backtest.events import NewHigh

        return NewHigh(event.n)


@register_event_kind
class NewLowKind(_ExtremeKind):
    """A close below the lowest of the previous ``n`` closes (``backtest.events.NewLow``)."""

    kind = "new_low"
    wording = "a close below the lowest close of the previous days"

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        from backtest.events import NewLow

        return NewLow(event.n)


@register_event_kind
class DatesKind(EventKind):
    """A list of dates read from a CSV file beside the spec (``backtest.events.DateList``)."""

    kind = "dates"
    wording = "a list of dates"
    fixed_dates = True

    params = DatesParams

    def event(self, params: DatesParams) -> EventSpec:
        return EventSpec(kind=self.kind, file=params.file, column=params.column)

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        return self._dates(event, inputs.resolve, inputs.origin)

    def check_inputs(self, event: EventSpec, resolve: Callable[[str], Path], origin: str) -> None:
        self._dates(event, resolve, origin)

    @staticmethod
    def _dates(event: EventSpec, resolve: Callable[[str], Path], origin: str) -> DateList:
        """The dates file read (bounded; its errors never quote the file's content and name
        the spec key)."""
        from backtest.events import DateList

        try:
            return DateList.from_csv(resolve(event.file), column=event.column)  # type: ignore[arg-type]
        except ParameterError as exc:
            raise SpecError(f"{origin}: [event] file: {exc}") from None

    def neighbours(self, event: EventSpec) -> list[EventNeighbour]:
        out = []
        for shift in DATE_SHIFTS:
            weeks = abs(shift) // 5
            when = "earlier" if shift < 0 else "later"
            out.append(EventNeighbour(f"dates {weeks} week{'s' if weeks > 1 else ''} {when}", event, date_shift=shift))
        return out
