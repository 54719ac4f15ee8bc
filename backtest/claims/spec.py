"""Claim specs: a TOML file that states a market-timing claim as data.

``load_spec(path)`` reads and validates a spec into a frozen ``ClaimSpec`` (every table a
frozen dataclass of plain values); ``spec_from_dict(mapping, origin)`` does the same for a
mapping built in code. Any problem is a ``SpecError`` whose one line names the file and the
key (``claims/rsi.toml: [event] window: must be an integer, got '14'``). Nothing here loads
data: relative paths are resolved against the spec's folder and checked to exist.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from backtest.errors import SpecError

EVENT_KINDS = ("ma_cross", "line_cross", "threshold", "new_high", "new_low", "dates")
INDICATORS = (
    "close",
    "rsi",
    "rate_of_change",
    "zscore",
    "drawdown",
    "sma",
    "ema",
    "level",
    "change",
    "relative_volume",
)
"""Lines a threshold, a line cross or a filter reads: of the close path (close, rsi,
rate_of_change, zscore, drawdown, sma, ema) or of another series named by ``series``
(level: its value; change: its change over ``window`` of its own observations;
relative_volume: its volume over the mean of the ``window`` days before)."""
SERIES_INDICATORS = ("level", "change", "relative_volume")
WINDOW_DEFAULTS = {
    "rsi": 14,
    "rate_of_change": 21,
    "zscore": 20,
    "sma": 200,
    "ema": 200,
    "change": 63,
    "relative_volume": 50,
}
OPERATORS = ("<", "<=", ">", ">=")
DIRECTIONS = ("gains", "losses")
ROUGHLY_FACTOR = 3.0
"""A figure within this many tolerances of ours is 'roughly' right, unless ``roughly`` is given."""
FACT_STATUSES = ("confirmed", "roughly", "not confirmed", "not checkable")
_HORIZON_LABEL = re.compile(r"^(?:(?P<months>[1-9][0-9]*)m|(?P<days>[1-9][0-9]*)d)$")
DEFAULT_HORIZON_LABELS = ("1m", "3m", "6m", "9m", "12m")


# ---------------------------------------------------------------------------------------
# The spec's tables
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimText:
    """[claim]: what was claimed, by whom, when, in which direction, over which horizons."""

    title: str
    statement: str
    direction: str = "gains"
    horizons: tuple[str, ...] = DEFAULT_HORIZON_LABELS
    verdict_horizons: tuple[str, ...] = ()
    source: str | None = None
    published: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class LineSpec:
    """A line read by a threshold, a line cross or a filter."""

    indicator: str
    window: int | None = None
    series: str | None = None


@dataclass(frozen=True)
class EventSpec:
    """[event]: the kind of source and its parameters (only the ones of its kind are set)."""

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
class FilterSpec:
    """[[filters]]: a condition that must hold on the event day (and each confirmation day)."""

    line: LineSpec
    operator: str
    level: float


@dataclass(frozen=True)
class RulesSpec:
    """[rules]: the timing rules of every source (``backtest.events.EventRules``)."""

    start: str | None = None
    end: str | None = None
    confirm: int = 0
    min_gap: int = 0
    entry: str = "close"


@dataclass(frozen=True)
class FactSpec:
    """[[facts]]: a checkable figure: the return of ``series`` over ``period`` (fractions:
    0.052 = 5.2%), read from closes up to ``as_of``, confirmed within ``tolerance``."""

    statement: str
    figure: float
    period: tuple[str, str]
    series: str | None = None
    as_of: str | None = None
    tolerance: float = 0.005
    roughly: float | None = None
    id: str | None = None
    proxy_note: str = ""

    @property
    def roughly_band(self) -> float:
        """Within it the figure is 'roughly' right (default: three tolerances)."""
        return self.roughly if self.roughly is not None else ROUGHLY_FACTOR * self.tolerance


@dataclass(frozen=True)
class VariantSpec:
    """[[variants]]: the claim re-run with one change: other timing rules (start, end,
    confirm, min_gap, entry; unset = the claim's), another series, added filters, or returns
    measured relative to a benchmark. One row of the report's comparison table."""

    name: str
    description: str = ""
    series: str | None = None
    relative_to: str | None = None
    filters: tuple[FilterSpec, ...] = ()
    start: str | None = None
    end: str | None = None
    confirm: int | None = None
    min_gap: int | None = None
    entry: str | None = None


@dataclass(frozen=True)
class PublishedSpec:
    """[[published]]: an average return after the same events that someone published
    (``figures``: horizon label -> fraction; ``all_days``: their all-days mean where given),
    reproduced with the claim's event on ``series`` from ``start``."""

    source: str
    what: str
    figures: tuple[tuple[str, float], ...]
    all_days: tuple[tuple[str, float], ...] = ()
    series: str | None = None
    start: str | None = None
    note: str = ""


@dataclass(frozen=True)
class AnalysisSpec:
    """[analysis]: optional extra work. calibration: simulated paths per null model (GBM,
    GARCH-t) measuring the size and power of the tests on this claim's rule (0 = skip)."""

    calibration: int = 0


@dataclass(frozen=True)
class ClaimSpec:
    """A whole spec: where it came from (``origin``, the file or "<code>"), its folder (for
    relative paths) and its tables. ``daily_only`` ([series] daily_only): every series is
    read from its last gap of over a week on (month-end values before it are left out)."""

    claim: ClaimText
    series: str
    event: EventSpec
    rules: RulesSpec = field(default_factory=RulesSpec)
    filters: tuple[FilterSpec, ...] = ()
    benchmark: str | None = None
    facts: tuple[FactSpec, ...] = ()
    variants: tuple[VariantSpec, ...] = ()
    published: tuple[PublishedSpec, ...] = ()
    analysis: AnalysisSpec = field(default_factory=AnalysisSpec)
    daily_only: bool = False
    origin: str = "<code>"
    base_dir: str = "."

    @property
    def name(self) -> str:
        """The report folder's name: [claim] name, else the spec file's stem."""
        if self.claim.name:
            return self.claim.name
        return (
            Path(self.origin).stem
            if self.origin != "<code>"
            else re.sub(r"[^a-z0-9]+", "_", self.claim.title.lower()).strip("_")
        )

    def resolve(self, relative: str) -> Path:
        """A path of the spec, relative to the spec's folder."""
        return Path(self.base_dir) / relative

    def judged_horizons(self) -> tuple[str, ...]:
        """The horizons the overall verdict reads (``verdict_horizons``, else all)."""
        return self.claim.verdict_horizons or self.claim.horizons

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (JSON-ready), without where it was read from."""
        out = asdict(self)
        out.pop("origin")
        out.pop("base_dir")
        return out


# ---------------------------------------------------------------------------------------
# Reading and checking
# ---------------------------------------------------------------------------------------


class _Table:
    """One table of the spec being read: hands out its keys with type checks and refuses,
    at the end, any key nobody asked for."""

    def __init__(self, origin: str, name: str, values: object, base_dir: str = ".") -> None:
        self.origin = origin
        self.name = name
        self.base_dir = base_dir
        if not isinstance(values, Mapping):
            raise self.error(None, f"must be a table, got {_shown(values)}")
        self.values = dict(values)
        self.read: set[str] = set()

    def error(self, key: str | None, message: str) -> SpecError:
        where = f"[{self.name}]" + (f" {key}" if key else "")
        return SpecError(f"{self.origin}: {where}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: object = None, *, required: bool = False) -> Any:
        self.read.add(key)
        if key not in self.values:
            if required:
                raise self.error(key, "missing (required)")
            return default
        value = self.values[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.error(key, f"must be {_type_name(kind)}, got {_shown(value)}")
        if not isinstance(value, kind):
            raise self.error(key, f"must be {_type_name(kind)}, got {_shown(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(key, f"must be a finite number, got {value!r}")
        return value

    def text(
        self, key: str, default: str | None = None, *, required: bool = False, choices: tuple[str, ...] = ()
    ) -> Any:
        value = self.get(key, str, default, required=required)
        if value is not None and required and not value.strip():
            raise self.error(key, "must not be empty")
        if choices and value is not None and value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def integer(self, key: str, default: int | None = None, *, minimum: int = 0, required: bool = False) -> Any:
        value = self.get(key, int, default, required=required)
        if value is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def number(self, key: str, default: float | None = None, *, required: bool = False) -> Any:
        return self.get(key, float, default, required=required)

    def date(self, key: str, *, required: bool = False) -> str | None:
        value = self.get(key, (str, _dt.date), None, required=required)
        if value is None:
            return None
        return _check_date(self, key, value)

    def done(self) -> None:
        unknown = [key for key in self.values if key not in self.read]
        if unknown:
            raise self.error(unknown[0], f"unknown key (known: {', '.join(sorted(self.read))})")


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        _dt.date: "a date",
        dict: "a table",
        bool: "true or false",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _shown(value: object) -> str:
    if isinstance(value, Mapping):
        return "a table"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_date(table: _Table, key: str, value: object) -> str:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    try:
        return _dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise table.error(key, f"must be a date like 2025-07-30, got {value!r}") from None


def check_horizon_label(label: object, where: str = "horizons") -> str:
    """A horizon label of today's reports: 'Nm' (N x 21 trading days, as 1m..12m) or 'Nd'
    (N trading days). Raises ValueError with the reason."""
    if not isinstance(label, str) or not _HORIZON_LABEL.match(label):
        raise ValueError(f"{where}: {label!r} is not a horizon label like '3m' (21 trading days a month) or '63d'")
    return label


def _line(table: _Table, indicator_key: str = "indicator", *, required: bool = True) -> LineSpec | None:
    indicator = table.text(indicator_key, None, required=required, choices=INDICATORS)
    window_key = "window" if indicator_key == "indicator" else f"{indicator_key}_window"
    series_key = "series" if indicator_key == "indicator" else f"{indicator_key}_series"
    window = table.integer(window_key, None, minimum=1)
    series = table.text(series_key)
    if indicator is None:
        return None
    if indicator in SERIES_INDICATORS:
        if series is None:
            raise table.error(
                series_key, f"missing: indicator {indicator!r} reads another series (a catalog name or CSV path)"
            )
    elif series is not None:
        raise table.error(series_key, f"goes with indicator 'level' or 'change', not {indicator!r}")
    if indicator in ("close", "drawdown", "level") and window is not None:
        raise table.error(window_key, f"indicator {indicator!r} takes no window")
    if window is None and indicator in WINDOW_DEFAULTS:
        window = WINDOW_DEFAULTS[indicator]
    if series is not None and looks_like_path(series):
        _check_file(table, series_key, series)
    return LineSpec(indicator=indicator, window=window, series=series)


def looks_like_path(name: str) -> bool:
    """A CSV path (relative to the spec) rather than a catalog name."""
    return name.lower().endswith(".csv") or "/" in name or "\\" in name


def _check_file(table: _Table, key: str, relative: str) -> None:
    path = Path(table.base_dir) / relative
    if not path.is_file():
        raise table.error(key, f"file not found: {relative} (looked in {path.parent})")


def _event(table: _Table) -> EventSpec:
    kind = table.text("kind", required=True, choices=EVENT_KINDS)
    if kind == "ma_cross":
        spec = EventSpec(
            kind=kind,
            fast=table.integer("fast", 50, minimum=1),
            slow=table.integer("slow", 200, minimum=2),
            ma=table.text("ma", "sma", choices=("sma", "ema")),
            direction=table.text("direction", "golden", choices=("golden", "death")),
        )
        if spec.fast >= spec.slow:
            raise table.error("fast", f"must be shorter than slow, got fast={spec.fast}, slow={spec.slow}")
    elif kind == "threshold":
        spec = EventSpec(
            kind=kind,
            line=_line(table),
            level=table.number("level", required=True),
            cross=table.text("cross", "below", choices=("above", "below")),
        )
    elif kind == "line_cross":
        spec = EventSpec(
            kind=kind,
            line=_line(table),
            against=_line(table, "against"),
            cross=table.text("cross", "above", choices=("above", "below")),
        )
    elif kind in ("new_high", "new_low"):
        spec = EventSpec(kind=kind, n=table.integer("n", 252, minimum=1))
    else:
        file = table.text("file", required=True)
        _check_file(table, "file", file)
        spec = EventSpec(kind=kind, file=file, column=table.text("column", "date"))
    table.done()
    return spec


def _claim(table: _Table) -> ClaimText:
    horizons_raw = table.get("horizons", list, list(DEFAULT_HORIZON_LABELS))
    judged_raw = table.get("verdict_horizons", list, [])
    horizons = []
    for key, raw in (("horizons", horizons_raw), ("verdict_horizons", judged_raw)):
        labels = []
        for label in raw:
            try:
                labels.append(check_horizon_label(label, key))
            except ValueError as exc:
                raise table.error(key, str(exc).partition(": ")[2]) from None
        if len(set(labels)) != len(labels):
            raise table.error(key, f"lists a horizon twice: {labels}")
        horizons.append(tuple(labels))
    if not horizons[0]:
        raise table.error("horizons", "must list at least one horizon")
    outside = [label for label in horizons[1] if label not in horizons[0]]
    if outside:
        raise table.error("verdict_horizons", f"{outside[0]!r} is not among horizons {list(horizons[0])}")
    name = table.text("name")
    if name is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise table.error("name", f"must be a folder name (letters, digits, _ . -), got {name!r}")
    text = ClaimText(
        title=table.text("title", required=True),
        statement=table.text("statement", required=True),
        direction=table.text("direction", "gains", choices=DIRECTIONS),
        horizons=horizons[0],
        verdict_horizons=horizons[1],
        source=table.text("source"),
        published=table.date("published"),
        name=name,
    )
    table.done()
    return text


def _rules(table: _Table) -> RulesSpec:
    rules = RulesSpec(
        start=table.date("start"),
        end=table.date("end"),
        confirm=table.integer("confirm", 0),
        min_gap=table.integer("min_gap", 0),
        entry=table.text("entry", "close", choices=("close", "next_close")),
    )
    if rules.start and rules.end and rules.start > rules.end:
        raise table.error("end", f"{rules.end} is before start {rules.start}")
    table.done()
    return rules


def _fact(table: _Table) -> FactSpec:
    period = table.get("period", list, required=True)
    if len(period) != 2:
        raise table.error("period", f"must be two dates [start, end], got {_shown(period)}")
    start, end = (_check_date(table, "period", value) for value in period)
    if start >= end:
        raise table.error("period", f"start {start} is not before end {end}")
    series = table.text("series")
    if series is not None and looks_like_path(series):
        _check_file(table, "series", series)
    tolerance = table.number("tolerance", 0.005)
    if tolerance < 0:
        raise table.error("tolerance", f"must be >= 0, got {tolerance}")
    roughly = table.number("roughly")
    if roughly is not None and roughly < tolerance:
        raise table.error("roughly", f"must be >= tolerance {tolerance}, got {roughly}")
    fact = FactSpec(
        statement=table.text("statement", required=True),
        figure=table.number("figure", required=True),
        period=(start, end),
        series=series,
        as_of=table.date("as_of"),
        tolerance=tolerance,
        roughly=roughly,
        id=table.text("id"),
        proxy_note=table.text("proxy_note", ""),
    )
    table.done()
    return fact


def _filters(origin: str, raw_filters: object, where: str, make: Any) -> tuple[FilterSpec, ...]:
    if not isinstance(raw_filters, list):
        raise SpecError(f"{origin}: [[{where}]]: must be an array of tables, got {_shown(raw_filters)}")
    out = []
    for i, raw in enumerate(raw_filters, start=1):
        t = make(f"{where} {i}", raw)
        line = _line(t)
        operator = t.text("operator", required=True, choices=OPERATORS)
        out.append(FilterSpec(line=line, operator=operator, level=t.number("level", required=True)))  # type: ignore[arg-type]
        t.done()
    return tuple(out)


def _series_name(table: _Table, key: str) -> str | None:
    name = table.text(key)
    if name is not None and looks_like_path(name):
        _check_file(table, key, name)
    return name


def _variant(table: _Table, make: Any) -> VariantSpec:
    name = table.text("name", required=True)
    filters = _filters(table.origin, table.get("filters", list, []), f"{table.name} filters", make)
    variant = VariantSpec(
        name=name,
        description=table.text("description", ""),
        series=_series_name(table, "series"),
        relative_to=_series_name(table, "relative_to"),
        filters=filters,
        start=table.date("start"),
        end=table.date("end"),
        confirm=table.integer("confirm"),
        min_gap=table.integer("min_gap"),
        entry=table.text("entry", choices=("close", "next_close")),
    )
    table.done()
    return variant


def _figures(
    table: _Table, key: str, horizons: tuple[str, ...], *, required: bool = False
) -> tuple[tuple[str, float], ...]:
    raw = table.get(key, dict, {} if not required else None, required=required)
    out = []
    for label, value in raw.items():
        if label not in horizons:
            raise table.error(key, f"{label!r} is not among the claim's horizons {list(horizons)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise table.error(key, f"{label} must be a finite number (a fraction), got {_shown(value)}")
        out.append((label, float(value)))
    if required and not out:
        raise table.error(key, "must give at least one horizon's figure")
    return tuple(out)


def _published(table: _Table, horizons: tuple[str, ...]) -> PublishedSpec:
    item = PublishedSpec(
        source=table.text("source", required=True),
        what=table.text("what", required=True),
        figures=_figures(table, "figures", horizons, required=True),
        all_days=_figures(table, "all_days", horizons),
        series=_series_name(table, "series"),
        start=table.date("start"),
        note=table.text("note", ""),
    )
    table.done()
    return item


def _array(origin: str, values: Mapping[str, Any], key: str) -> list[Any]:
    raw = values.get(key, [])
    if not isinstance(raw, list):
        raise SpecError(f"{origin}: [[{key}]]: must be an array of tables ([[{key}]]), got {_shown(raw)}")
    return raw


TOP_LEVEL = ("claim", "series", "event", "rules", "filters", "benchmark", "facts", "variants", "published", "analysis")


def spec_from_dict(values: Mapping[str, Any], origin: str = "<code>", base_dir: str | Path = ".") -> ClaimSpec:
    """Validate a spec given as nested mappings (what ``tomllib`` returns)."""
    base = str(base_dir)

    def table(name: str, raw: object) -> _Table:
        return _Table(origin, name, raw, base)

    table("top level", values)  # a mapping, or one line saying what it is
    for key in values:
        if key not in TOP_LEVEL:
            raise SpecError(f"{origin}: [{key}]: unknown table (known: {', '.join(TOP_LEVEL)})")
    for key in ("claim", "series", "event"):
        if key not in values:
            raise SpecError(f"{origin}: [{key}]: missing (required)")
    claim = _claim(table("claim", values["claim"]))
    series_table = table("series", values["series"])
    series = series_table.text("name", required=True)
    if looks_like_path(series):
        _check_file(series_table, "name", series)
    daily_only = series_table.get("daily_only", bool, False)
    series_table.done()
    event = _event(table("event", values["event"]))
    rules = _rules(table("rules", values.get("rules", {})))
    filters = _filters(origin, _array(origin, values, "filters"), "filters", table)
    benchmark = None
    if "benchmark" in values:
        t = table("benchmark", values["benchmark"])
        benchmark = t.text("relative_to", required=True)
        if looks_like_path(benchmark):
            _check_file(t, "relative_to", benchmark)
        t.done()
    facts = tuple(_fact(table(f"facts {i}", raw)) for i, raw in enumerate(_array(origin, values, "facts"), start=1))
    variants = tuple(
        _variant(table(f"variants {i}", raw), table)
        for i, raw in enumerate(_array(origin, values, "variants"), start=1)
    )
    names = [variant.name for variant in variants]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise SpecError(f"{origin}: [[variants]] name: {twice!r} is used twice")
    published = tuple(
        _published(table(f"published {i}", raw), claim.horizons)
        for i, raw in enumerate(_array(origin, values, "published"), start=1)
    )
    if published and event.kind == "dates":
        raise SpecError(f"{origin}: [[published]]: needs an event rule to re-run on another series, not kind 'dates'")
    t = table("analysis", values.get("analysis", {}))
    analysis = AnalysisSpec(calibration=t.integer("calibration", 0))
    t.done()
    return ClaimSpec(
        claim=claim,
        series=series,
        event=event,
        rules=rules,
        filters=filters,
        benchmark=benchmark,
        facts=facts,
        variants=variants,
        published=published,
        analysis=analysis,
        daily_only=daily_only,
        origin=origin,
        base_dir=base,
    )


def load_spec(path: str | Path) -> ClaimSpec:
    """Read and validate the TOML spec at ``path`` (SpecError: one line naming file and key)."""
    path = Path(path)
    origin = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{origin}: spec file not found") from None
    except IsADirectoryError:
        raise SpecError(f"{origin}: is a folder, not a spec file") from None
    except OSError as exc:
        raise SpecError(f"{origin}: cannot read the spec ({exc.strerror})") from None
    try:
        values = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecError(f"{origin}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{origin}: not valid TOML: {exc}") from None
    return spec_from_dict(values, origin=origin, base_dir=path.parent)
