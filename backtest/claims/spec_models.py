"""The typed models of a claim spec's tables (pydantic v2) and the indicator table they read.

Each TOML table of a spec is one frozen model with strict types and no unknown keys
(``ClaimTable``, ``RulesTable``, ...); an event kind's parameters are a model of the same
kind declared on the kind (``backtest.claims.kinds``). Checks that read files or the data
catalog run only when the spec's folder and data are given as the validation context
(``SpecContext``); the JSON Schema of a spec is generated from the same models without them.
``spec_error`` turns pydantic's errors into the one-line ``SpecError`` of the house:
the file, the table and key, what was expected and, for a misspelled key, the key probably
meant.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from backtest.defaults import MAX_WINDOW_DAYS
from backtest.errors import ParameterError, SpecError
from backtest.files import DATES_CSV, SERIES_CSV, FileKind, check_file

# ---------------------------------------------------------------------------------------
# The indicators a line may read
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """One line a threshold, a line cross or a filter reads: what it is, its unit in words,
    and the values it can take (``low``/``high``, None for no bound; ``*_closed``: the bound
    itself can be taken), so that a ``level`` it can never reach is refused with its unit.
    ``window``: the default window (None: it takes none); ``reads_series``: it reads the
    other series a spec names by ``series``; ``fraction``: its unit is a fraction, so a
    level written in percent gets a "did you mean" hint."""

    name: str
    what: str
    unit: str
    low: float | None = None
    high: float | None = None
    low_closed: bool = False
    high_closed: bool = False
    window: int | None = None
    reads_series: bool = False
    fraction: bool = False

    def levels(self) -> str:
        """The values it takes: 'in [0, 100]', '> -1', 'any number'."""
        if self.low is not None and self.high is not None:
            left, right = "[" if self.low_closed else "(", "]" if self.high_closed else ")"
            return f"in {left}{self.low:g}, {self.high:g}{right}"
        if self.low is not None:
            return f"{'>=' if self.low_closed else '>'} {self.low:g}"
        if self.high is not None:
            return f"{'<=' if self.high_closed else '<'} {self.high:g}"
        return "any number"

    def range_text(self) -> str:
        """What a level must do, to follow 'must': 'lie in [0, 100]', 'be > -1'."""
        levels = self.levels()
        return f"lie {levels}" if levels.startswith("in ") else f"be {levels}"

    def contains(self, level: float) -> bool:
        """Whether the indicator can take the value ``level``."""
        if self.low is not None and (level < self.low or (level == self.low and not self.low_closed)):
            return False
        return not (self.high is not None and (level > self.high or (level == self.high and not self.high_closed)))

    def never_past(self, level: float, side: str) -> bool:
        """Whether the indicator can never be strictly ``side`` ("below"/"above") of a level it
        can take: only at a closed bound (RSI is never below 0, a drawdown never above 0)."""
        if side == "below":
            return self.low is not None and self.low_closed and level == self.low
        return self.high is not None and self.high_closed and level == self.high

    def suggestion(self, level: float) -> float | None:
        """The level probably meant by one outside the range: a fraction written in percent
        (-20 for -0.20) or with the wrong sign (0.2 for a drawdown of -0.2); None if none fits."""
        if not self.fraction:
            return None
        candidates = (level / 100, -level / 100) if abs(level) >= 1 else (-level,)
        for candidate in candidates:
            if self.contains(candidate) and not (
                self.never_past(candidate, "below") or self.never_past(candidate, "above")
            ):
                return candidate
        return None


_PRICE_UNITS = "the series' own price units, like its closes (index points, dollars)"
INDICATOR_TABLE: tuple[IndicatorInfo, ...] = (
    IndicatorInfo("close", "the close itself", _PRICE_UNITS, low=0.0),
    IndicatorInfo(
        "rsi",
        "Wilder's relative strength index of the last `window` daily changes",
        "RSI is 0–100 points: 0 = only losses, 100 = only gains; 30 is read as oversold, 70 as overbought",
        low=0.0,
        high=100.0,
        low_closed=True,
        high_closed=True,
        window=14,
    ),
    IndicatorInfo(
        "rate_of_change",
        "the return over the last `window` trading days (close / close `window` days earlier - 1)",
        "a fraction: 0.05 = +5%, -0.10 = -10%",
        low=-1.0,
        window=21,
        fraction=True,
    ),
    IndicatorInfo(
        "zscore",
        "(close - mean) / standard deviation of the last `window` closes",
        "standard deviations: -2 = two below the mean",
        window=20,
    ),
    IndicatorInfo(
        "drawdown",
        "the fall from the running peak (close / highest close so far - 1)",
        "a fraction of the running peak: -0.20 = 20% below it",
        low=-1.0,
        high=0.0,
        high_closed=True,
        fraction=True,
    ),
    IndicatorInfo("sma", "simple moving average of the last `window` closes", _PRICE_UNITS, low=0.0, window=200),
    IndicatorInfo("ema", "exponential moving average of the closes (span `window`)", _PRICE_UNITS, low=0.0, window=200),
    IndicatorInfo(
        "level",
        "the value of another series (`series`) as known at each close",
        "the other series' own units: VIX in points, TNX in percent",
        reads_series=True,
    ),
    IndicatorInfo(
        "change",
        "the change of another series (`series`) over its last `window` observations",
        "the other series' change in its own units: TNX -0.5 = down 50 basis points",
        window=63,
        reads_series=True,
    ),
    IndicatorInfo(
        "relative_volume",
        "the volume of another series (`series`) / its mean over the `window` days before",
        "a ratio: 1.5 = 50% above its average, 1 = average",
        low=0.0,
        low_closed=True,
        window=50,
        reads_series=True,
    ),
)
"""Every indicator a spec may name: the one table the spec template, `claim new`, the docs
(``docs/claims.md``) and every error read."""
INDICATOR_INFO = {info.name: info for info in INDICATOR_TABLE}
INDICATORS = tuple(INDICATOR_INFO)
SERIES_INDICATORS = tuple(info.name for info in INDICATOR_TABLE if info.reads_series)
WINDOW_DEFAULTS = {info.name: info.window for info in INDICATOR_TABLE if info.window is not None}


Indicator = Literal[
    "close", "rsi", "rate_of_change", "zscore", "drawdown", "sma", "ema", "level", "change", "relative_volume"
]
"""An indicator's name (``INDICATORS``, as a type: the JSON Schema lists them)."""
if get_args(Indicator) != INDICATORS:  # pragma: no cover - a table edited without its type
    raise ImportError("spec_models.Indicator must list INDICATOR_TABLE's names in its order")

DEFAULT_HORIZON_LABELS = ("1m", "3m", "6m", "9m", "12m")
_HORIZON_LABEL = re.compile(r"^(?:(?P<months>[1-9][0-9]*)m|(?P<days>[1-9][0-9]*)d)$")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
"""A report folder's name: [claim] name, or the one derived from the spec's file name or title.
A letter or digit first (never ``.`` or ``..``, never hidden), then letters, digits, ``_ . -``,
100 characters at most (a folder name is 255 bytes at most, and its staging folder adds ~20)."""
NAME_RULE = "a folder name: letters, digits, _ . -, a letter or digit first, 100 characters at most"
OPERATORS = ("<", "<=", ">", ">=")
DIRECTIONS = ("gains", "losses")
ROUGHLY_FACTOR = 3.0
"""A figure within this many tolerances of ours is 'roughly' right, unless ``roughly`` is given."""


# ---------------------------------------------------------------------------------------
# Refusals, the validation context and the errors
# ---------------------------------------------------------------------------------------


class Refusal(ValueError):
    """A check of a model refusing a value: ``key`` names the key to blame (None: the key
    being validated), ``message`` says what is wrong (following "key: ")."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class SpecContext:
    """What the checks of files and series names read: the spec's folder (``base_dir``), the
    data the run will read (``data_dir``: None for the default source) and the claim's
    horizons (which a [[published]] figure must be among). Without a context (the JSON
    Schema, a spec checked for its shape only) these checks are skipped."""

    base_dir: str = "."
    data_dir: str | Path | None = None
    horizons: tuple[str, ...] | None = None


def _context(info: ValidationInfo) -> SpecContext | None:
    context = info.context
    return context if isinstance(context, SpecContext) else None


def shown(value: object) -> str:
    """A value as an error message quotes it: a table as 'a table', at most 40 characters."""
    if isinstance(value, Mapping):
        return "a table"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """'; did you mean `statement`?' for a near miss among ``known`` (difflib), else ''."""
    near = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean `{near[0]}`?" if near else ""


_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def _nested_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    """The model of the tables a key of ``model`` holds (a list of filters: ``FilterTable``)."""
    field = model.model_fields.get(key)
    if field is None:
        return None
    stack = [field.annotation]
    while stack:
        annotation = stack.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        stack.extend(get_args(annotation))
    return None


@dataclass(frozen=True)
class Expected:
    """Metadata of a key whose every refusal but a ``Refusal`` reads "expected <what>, got
    <value>" (``Annotated[int, Field(ge=0), Expected("an integer >= 0")]``): the wording of the
    job layer's tables ([job], [report], [sweep], [strategy]), which says in one phrase what
    the key takes, where the claim's tables say what is wrong with the value."""

    what: str


def _expected(model: type[BaseModel], key: str | None) -> Expected | None:
    """The ``Expected`` of a key of ``model``: on the field, or on its type within an optional."""
    field = model.model_fields.get(key) if key is not None else None
    if field is None:
        return None
    metadata, stack = list(field.metadata), [field.annotation]
    while stack:
        annotation = stack.pop()
        metadata.extend(getattr(annotation, "__metadata__", ()))
        stack.extend(get_args(annotation))
    return next((item for item in metadata if isinstance(item, Expected)), None)


def _problem(error: Any, model: type[BaseModel], table: str) -> tuple[str, str | None, str, type[BaseModel]]:
    """(table name, key, message, the model of that table) of one pydantic error: a key of a
    nested table (``filters``' first) names the table ``[variants 1 filters 1]``; an entry of
    a list or a mapping of plain values is named in the message."""
    loc = list(error["loc"])
    key: str | None = None
    entry: str | None = None
    while loc:
        part = loc.pop(0)
        if key is None:
            key = str(part)
            continue
        nested = _nested_model(model, key)
        if isinstance(part, int) and nested is not None:
            table, model, key = f"{table} {key} {part + 1}", nested, None
        elif (
            isinstance(part, str)
            and nested is None
            and entry is None
            and get_origin(model.model_fields[key].annotation) is not list
        ):
            entry = part
    kind, value = error["type"], error.get("input")
    context = error.get("ctx") or {}
    expected = _expected(model, key)
    if expected is not None and not (kind == "value_error" and isinstance(context.get("error"), Refusal)):
        # a key of the job layer's tables: 'expected ..., got ...', a missing key got None
        message = f"expected {expected.what}, got {None if kind == 'missing' else value!r}"
    elif kind == "value_error":
        cause = context.get("error")
        if isinstance(cause, Refusal) and cause.key is not None:
            key = cause.key
        message = str(cause) if cause is not None else error["msg"]
    elif kind in _TYPE_WORDS:
        message = f"must be {_TYPE_WORDS[kind]}, got {shown(value)}"
    elif kind == "finite_number":
        message = f"must be a finite number, got {value!r}"
    elif kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        message = f"must be one of {', '.join(choices)}, got {value!r}"
    elif kind == "greater_than_equal":
        message = f"must be at least {context['ge']}, got {value}"
    elif kind == "less_than_equal" and context.get("le") == MAX_WINDOW_DAYS:
        message = (
            f"must be at most {MAX_WINDOW_DAYS:,} trading days (about 400 years: longer than any daily series), "
            f"got {value:,}"
        )
    elif kind == "less_than_equal":
        message = f"must be at most {context['le']}, got {value}"
    elif kind == "missing":
        message = "missing (required)"
    else:
        message = f"{error['msg'].lower()}, got {shown(value)}"
    if entry is not None:
        message = f"{entry} {message}"
    return table, key, message, model


def spec_error(
    exc: ValidationError, origin: str, table: str, model: type[BaseModel], known_extra: Sequence[str] = ()
) -> SpecError:
    """The one-line ``SpecError`` of a table's ``ValidationError``: ``origin: [table] key:
    message``. The first error of the table's keys is told; a key nobody knows only when
    every other key is right, with the known keys (``known_extra``: keys read before the
    model, like ``[event] kind``) and the one probably meant; a required key that is missing
    beside a near miss of it is told as that misspelled key."""
    errors = exc.errors()
    extra = [error for error in errors if error["type"] == "extra_forbidden"]
    others = [error for error in errors if error["type"] != "extra_forbidden"]
    for error in others:
        if error["type"] == "missing" and len(error["loc"]) >= 1:
            where, key, _, inner = _problem(error, model, table)
            unknown = [str(e["loc"][-1]) for e in extra if list(e["loc"][:-1]) == list(error["loc"][:-1])]
            typo = difflib.get_close_matches(str(key), unknown, n=1, cutoff=0.75)
            if typo:
                return SpecError(f"{origin}: [{where}] {typo[0]}: unknown key; did you mean `{key}`?")
    if others:
        where, key, message, _ = _problem(others[0], model, table)
        return SpecError(f"{origin}: [{where}]" + (f" {key}" if key else "") + f": {message}")
    where, key, _, inner = _problem(extra[0], model, table)
    known = sorted({*inner.model_fields, *(known_extra if inner is model else ())})
    hint = did_you_mean(str(key), known)
    return SpecError(f"{origin}: [{where}] {key}: unknown key (known: {', '.join(known)}){hint}")


def table_error(origin: str, table: str, value: object) -> SpecError | None:
    """The error of a table that is not a table (None when it is one)."""
    if isinstance(value, Mapping):
        return None
    return SpecError(f"{origin}: [{table}]: must be a table, got {shown(value)}")


def validated(
    model: type[TableModel],
    origin: str,
    table: str,
    values: object,
    context: SpecContext | None = None,
    known_extra: Sequence[str] = (),
) -> TableModel:
    """``values`` (one table of the spec) validated by ``model``, or the one-line SpecError."""
    not_a_table = table_error(origin, table, values)
    if not_a_table is not None:
        raise not_a_table
    try:
        return model.model_validate(values, context=context)
    except ValidationError as exc:
        raise spec_error(exc, origin, table, model, known_extra) from None


def validated_tables(
    file_model: type[BaseModel], values: Mapping[str, Any], origin: str, context: SpecContext | None = None
) -> dict[str, Any]:
    """Each table of a whole spec file (``values``, as ``tomllib`` gives it) validated by the
    model of its field in ``file_model`` (whose fields are the file's tables, in the order
    they are checked), or the one-line SpecError: an unknown table with the known ones, else
    the first problem of the first table that has one. A table the file leaves out takes its
    field's default or, when it is required, is read as an empty table (whose first missing
    key is told)."""
    known = tuple(file_model.model_fields)
    for name in values:
        if name not in known:
            raise SpecError(f"{origin}: [{name}]: unknown table (known: {', '.join(known)}){did_you_mean(name, known)}")
    tables: dict[str, Any] = {}
    for name, field in file_model.model_fields.items():
        model = _nested_model(file_model, name)
        if name not in values and not field.is_required():
            tables[name] = field.get_default(call_default_factory=True)
        elif model is None:  # pragma: no cover - every field of a spec file is a table
            raise SpecError(f"{origin}: [{name}]: not a table of {file_model.__name__}")
        else:
            tables[name] = validated(model, origin, name, values.get(name, {}), context)
    return tables


# ---------------------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise Refusal("must not be empty")
    return value


def _date_text(value: object) -> object:
    """A TOML date (or datetime) or an ISO date string, as the ISO string."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise Refusal(f"must be a date like 2025-07-30, got {shown(value)}")
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise Refusal(f"must be a date like 2025-07-30, got {value!r}") from None


def check_horizon_label(label: object, where: str = "horizons") -> str:
    """A horizon label of today's reports: 'Nm' (N x 21 trading days, as 1m..12m) or 'Nd'
    (N trading days). Raises ValueError with the reason."""
    if not isinstance(label, str) or not _HORIZON_LABEL.match(label):
        raise ValueError(f"{where}: {label!r} is not a horizon label like '3m' (21 trading days a month) or '63d'")
    return label


def _horizon_label(label: object) -> object:
    try:
        return check_horizon_label(label)
    except ValueError as exc:
        raise Refusal(str(exc).partition(": ")[2]) from None


def _finite_fraction(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
        raise Refusal(f"must be a finite number (a fraction), got {shown(value)}")
    return float(value)


def looks_like_path(name: str) -> bool:
    """A CSV path (relative to the spec) rather than a catalog name."""
    return name.lower().endswith(".csv") or "/" in name or "\\" in name


def check_spec_file(base_dir: str, relative: str, kind: FileKind = SERIES_CSV) -> None:
    """A file the spec names: a relative path stays inside the spec's folder (``..`` may not
    climb out of it), and the file is a regular file within ``kind``'s size limit
    (``Refusal`` saying what is wrong)."""
    if not os.path.isabs(relative) and os.path.normpath(relative).split(os.sep)[0] == os.pardir:
        raise Refusal(
            f"{shown(relative)} is outside the spec's folder: a relative path is read from the "
            "spec's folder only; give an absolute path for a file elsewhere"
        )
    path = Path(base_dir) / relative
    if not os.path.exists(path):  # follows symbolic links: a dangling one is not found
        raise Refusal(f"file not found: {relative} (looked in {path.parent})")
    try:
        check_file(path, kind, error=SpecError)
    except SpecError as exc:
        raise Refusal(str(exc)) from None


def check_series(name: str, context: SpecContext) -> None:
    """A series name is a file beside the spec or a name the run's catalog knows."""
    if looks_like_path(name):
        check_spec_file(context.base_dir, name)
        return
    from backtest.data.catalog import check_series_name

    try:
        check_series_name(name, context.data_dir)
    except ParameterError as exc:  # the catalog's "unknown series ...; known: ..."
        raise Refusal(str(exc)) from None


def _series_name(value: str, info: ValidationInfo) -> str:
    context = _context(info)
    if context is not None:
        check_series(value, context)
    return value


def _dates_file(value: str, info: ValidationInfo) -> str:
    context = _context(info)
    if context is not None:
        check_spec_file(context.base_dir, value, DATES_CSV)
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
"""A string that must say something."""
Number = Annotated[float, Field(allow_inf_nan=False)]
"""A finite number (an integer is taken as one)."""
DateText = Annotated[str, BeforeValidator(_date_text), Field(json_schema_extra={"format": "date"})]
"""A date: a TOML date or an ISO string, kept as the ISO string."""
Days = Annotated[int, Field(ge=0, le=MAX_WINDOW_DAYS)]
"""A span in trading days (at most ``MAX_WINDOW_DAYS``: refused before any data are read)."""
Window = Annotated[int, Field(ge=1, le=MAX_WINDOW_DAYS)]
"""A window or count of at least one trading day."""
HorizonLabel = Annotated[
    str, BeforeValidator(_horizon_label), Field(json_schema_extra={"pattern": "^[1-9][0-9]*[md]$"})
]
"""A horizon label: '3m' (3 x 21 trading days) or '63d' (trading days)."""
SeriesName = Annotated[str, AfterValidator(_not_blank), AfterValidator(_series_name)]
"""A catalog name or a CSV path relative to the spec's folder (checked with a context)."""
DatesFile = Annotated[str, AfterValidator(_not_blank), AfterValidator(_dates_file)]
"""A CSV of dates beside the spec (checked with a context)."""
Figure = Annotated[float, BeforeValidator(_finite_fraction), WithJsonSchema({"type": "number"})]
"""A published figure: a finite fraction (0.02 = 2%)."""
FolderName = Annotated[str, Field(pattern=f"^{NAME_PATTERN.pattern}$")]


class SpecTable(BaseModel):
    """A table of the spec: strict types (no "14" for 14, no true for 1), no unknown key, frozen."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


TableModel = Any  # a SpecTable subclass (``validated`` returns the model it is given)


# ---------------------------------------------------------------------------------------
# Lines and levels (an [event] of a kind that reads a line, and [[filters]])
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSpec:
    """A line read by a threshold, a line cross or a filter."""

    indicator: str
    window: int | None = None
    series: str | None = None


def line_of(table: BaseModel, indicator_key: str = "indicator") -> LineSpec:
    """The line a table names by ``indicator_key`` with its window and series keys
    (``window``/``series``, or ``<key>_window``/``<key>_series``), checked: a series for an
    indicator that reads one only, a window for an indicator that takes one only; the
    indicator's default window where none is given."""
    window_key = "window" if indicator_key == "indicator" else f"{indicator_key}_window"
    series_key = "series" if indicator_key == "indicator" else f"{indicator_key}_series"
    indicator = getattr(table, indicator_key)
    window, series = getattr(table, window_key), getattr(table, series_key)
    info = INDICATOR_INFO[indicator]
    if info.reads_series:
        if series is None:
            raise Refusal(
                f"missing: indicator {indicator!r} reads another series (a catalog name or CSV path)", series_key
            )
    elif series is not None:
        raise Refusal(f"goes with indicator {' or '.join(SERIES_INDICATORS)}, not {indicator!r}", series_key)
    if info.window is None and window is not None:
        raise Refusal(f"indicator {indicator!r} takes no window", window_key)
    return LineSpec(indicator=indicator, window=window if window is not None else info.window, series=series)


def level_text(level: float) -> str:
    """-0.2 as '-0.20' (a fraction reads as hundredths), -0.055 as '-0.055'."""
    return f"{level:.2f}" if round(level, 2) == level else f"{level:g}"


def check_level(line: LineSpec, level: float, side: str | None, condition: str) -> None:
    """Refuse a level ``line`` never takes (outside its indicator's range: one line with the
    value, the range, the unit and, for a fraction written in percent, the level probably
    meant), or one it can never be strictly ``side`` of (RSI below 0: ``condition`` says
    what then never happens)."""
    info = INDICATOR_INFO[line.indicator]
    if not info.contains(level):
        meant = info.suggestion(level)
        hint = f"; did you mean {level_text(meant)}?" if meant is not None else ""
        raise Refusal(
            f"{level:g} is outside the range of {info.name}: it must {info.range_text()} ({info.unit}){hint}", "level"
        )
    if side is not None and info.never_past(level, side):
        raise Refusal(f"{info.name} is never {side} {level:g} ({info.unit}), so {condition}", "level")


class LineTable(SpecTable):
    """The keys of one line: ``indicator`` with its ``window`` and ``series``."""

    indicator: Indicator
    window: Window | None = None
    series: SeriesName | None = None


# ---------------------------------------------------------------------------------------
# The spec's tables
# ---------------------------------------------------------------------------------------


class ClaimTable(SpecTable):
    """[claim]: what was claimed, by whom, when, in which direction, over which horizons."""

    title: Text
    statement: Text
    direction: Literal["gains", "losses"] = "gains"
    horizons: list[HorizonLabel] = Field(default_factory=lambda: list(DEFAULT_HORIZON_LABELS))
    verdict_horizons: list[HorizonLabel] = Field(default_factory=list)
    source: str | None = None
    published: DateText | None = None
    name: FolderName | None = None

    @model_validator(mode="after")
    def _horizons(self) -> ClaimTable:
        for key in ("horizons", "verdict_horizons"):
            labels = getattr(self, key)
            if len(set(labels)) != len(labels):
                raise Refusal(f"lists a horizon twice: {labels}", key)
        if not self.horizons:
            raise Refusal("must list at least one horizon", "horizons")
        outside = [label for label in self.verdict_horizons if label not in self.horizons]
        if outside:
            raise Refusal(f"{outside[0]!r} is not among horizons {list(self.horizons)}", "verdict_horizons")
        return self


class SeriesTable(SpecTable):
    """[series]: the series the events are dated on; ``daily_only``: read from its last gap of
    over a week on."""

    name: SeriesName
    daily_only: bool = False


class RulesTable(SpecTable):
    """[rules]: the timing rules of every source."""

    start: DateText | None = None
    end: DateText | None = None
    confirm: Days = 0
    min_gap: Days = 0
    entry: Literal["close", "next_close"] = "close"

    @model_validator(mode="after")
    def _order(self) -> RulesTable:
        if self.start and self.end and self.start > self.end:
            raise Refusal(f"{self.end} is before start {self.start}", "end")
        return self


class FilterTable(LineTable):
    """[[filters]]: a condition on a line that must hold on the event day."""

    operator: Literal["<", "<=", ">", ">="]
    level: Number

    @model_validator(mode="after")
    def _reachable(self) -> FilterTable:
        line = line_of(self)
        side = {"<": "below", ">": "above"}.get(self.operator)
        condition = f"`{line.indicator} {self.operator} {self.level:g}` never holds: no event can pass this filter"
        check_level(line, self.level, side, condition)
        return self


class BenchmarkTable(SpecTable):
    """[benchmark]: returns measured relative to another series."""

    relative_to: SeriesName


class FactTable(SpecTable):
    """[[facts]]: a checkable figure, the return of ``series`` over ``period``."""

    statement: Text
    figure: Number
    period: list[DateText]
    series: SeriesName | None = None
    as_of: DateText | None = None
    tolerance: Number = 0.005
    roughly: Number | None = None
    id: str | None = None
    proxy_note: str = ""

    @model_validator(mode="after")
    def _checks(self) -> FactTable:
        if len(self.period) != 2:
            raise Refusal(f"must be two dates [start, end], got {shown(self.period)}", "period")
        start, end = self.period
        if start >= end:
            raise Refusal(f"start {start} is not before end {end}", "period")
        if self.tolerance < 0:
            raise Refusal(f"must be >= 0, got {self.tolerance}", "tolerance")
        if self.roughly is not None and self.roughly < self.tolerance:
            raise Refusal(f"must be >= tolerance {self.tolerance}, got {self.roughly}", "roughly")
        return self


class VariantTable(SpecTable):
    """[[variants]]: the claim re-run with one change."""

    name: Text
    description: str = ""
    series: SeriesName | None = None
    relative_to: SeriesName | None = None
    filters: list[FilterTable] = Field(default_factory=list)
    start: DateText | None = None
    end: DateText | None = None
    confirm: Days | None = None
    min_gap: Days | None = None
    entry: Literal["close", "next_close"] | None = None


class PublishedTable(SpecTable):
    """[[published]]: average returns after the same events that someone published."""

    source: Text
    what: Text
    figures: dict[str, Figure]
    all_days: dict[str, Figure] = Field(default_factory=dict)
    series: SeriesName | None = None
    start: DateText | None = None
    note: str = ""

    @model_validator(mode="after")
    def _horizons(self, info: ValidationInfo) -> PublishedTable:
        context = _context(info)
        for key in ("figures", "all_days"):
            labels = getattr(self, key)
            if context is not None and context.horizons is not None:
                for label in labels:
                    if label not in context.horizons:
                        raise Refusal(f"{label!r} is not among the claim's horizons {list(context.horizons)}", key)
        if not self.figures:
            raise Refusal("must give at least one horizon's figure", "figures")
        return self


class AnalysisTable(SpecTable):
    """[analysis]: simulated paths per null model measuring the tests' size and power (0: skip)."""

    calibration: Annotated[int, Field(ge=0)] = 0


class RobustnessTable(SpecTable):
    """[robustness]: which specifications the primary test is re-run on."""

    leave_one_year_out: bool = True
    sub_periods: bool = True
    parameters: bool = True
    horizons: bool = True
    peers: list[SeriesName] | None = None


TABLE_MODELS: dict[str, type[SpecTable]] = {
    "claim": ClaimTable,
    "series": SeriesTable,
    "rules": RulesTable,
    "benchmark": BenchmarkTable,
    "analysis": AnalysisTable,
    "robustness": RobustnessTable,
}
"""The model of each single table but [event] (whose model is its kind's)."""
ARRAY_MODELS: dict[str, type[SpecTable]] = {
    "filters": FilterTable,
    "facts": FactTable,
    "variants": VariantTable,
    "published": PublishedTable,
}
"""The model of each array of tables ([[filters]], ...)."""


class EventParams(SpecTable):
    """The parameters of an event kind: its [event] keys other than ``kind``. A kind's
    model subclasses it, declaring each key with its type and default, and checks keys
    that go together (fast below slow, a level its line can reach) in a model validator
    raising ``Refusal`` with the key to blame."""
