"""Claim specs: a TOML file that states a market-timing claim as data.

``load_spec(path)`` reads and validates a spec into a frozen ``ClaimSpec`` (every table a
frozen dataclass of plain values); ``spec_from_dict(mapping, origin)`` does the same for a
mapping built in code. Any problem is a ``SpecError`` whose one line names the file and the
key (``claims/rsi.toml: [event] window: must be an integer, got '14'``), with a hint where a
near miss is likely. The ``[event]`` table is read by its kind (``backtest.claims.kinds``). A relative path is read from the spec's folder only (never above it; a
file elsewhere needs an absolute path), every file a spec names must be a regular file within
its kind's size limit (``backtest.files``), and a dates file must read as a CSV of dates. The
report folder's name, given or derived from the file's name, is checked here too. What a
claim could never test is refused here, before a run: a level outside its indicator's range
(``INDICATOR_TABLE``: each indicator's unit and range), a series name the catalog does not
know, a start after the series' last close. Of the market data, only the catalog and each
series' first and last dates are read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from backtest.claims.kinds import EVENT_KINDS, EventSpec, event_kind
from backtest.claims.spec_models import (
    ARRAY_MODELS,
    DEFAULT_HORIZON_LABELS,
    DIRECTIONS,
    INDICATOR_INFO,
    INDICATOR_TABLE,
    INDICATORS,
    NAME_PATTERN,
    NAME_RULE,
    OPERATORS,
    ROUGHLY_FACTOR,
    SERIES_INDICATORS,
    WINDOW_DEFAULTS,
    AnalysisTable,
    BenchmarkTable,
    ClaimTable,
    FactTable,
    FilterTable,
    IndicatorInfo,
    LineSpec,
    PublishedTable,
    RobustnessTable,
    RulesTable,
    SeriesTable,
    SpecContext,
    VariantTable,
    check_horizon_label,
    did_you_mean,
    line_of,
    looks_like_path,
    shown,
    validated,
)
from backtest.errors import SpecError
from backtest.files import CLAIM_SPEC, read_text

__all__ = [
    "DEFAULT_HORIZON_LABELS",
    "DIRECTIONS",
    "EVENT_KINDS",
    "INDICATORS",
    "INDICATOR_INFO",
    "INDICATOR_TABLE",
    "NAME_PATTERN",
    "NAME_RULE",
    "OPERATORS",
    "ROUGHLY_FACTOR",
    "SERIES_INDICATORS",
    "TOP_LEVEL",
    "WINDOW_DEFAULTS",
    "AnalysisSpec",
    "ClaimSpec",
    "ClaimText",
    "EventSpec",
    "FactSpec",
    "FilterSpec",
    "IndicatorInfo",
    "LineSpec",
    "PublishedSpec",
    "RobustnessSpec",
    "RulesSpec",
    "VariantSpec",
    "check_horizon_label",
    "did_you_mean",
    "event_from_dict",
    "load_spec",
    "looks_like_path",
    "spec_from_dict",
    "spec_file_models",
    "spec_model",
    "spec_schema",
]

FACT_STATUSES = ("confirmed", "roughly", "not confirmed", "not checkable")


def indicator_reference(prefix: str = "#   ") -> str:
    """The indicator table as the spec template's comment lines, two per indicator (the
    template holds exactly these: a test compares them)."""
    lines = []
    for info in INDICATOR_TABLE:
        window = f" (window {info.window})" if info.window is not None else ""
        lines.append(f"{prefix}{info.name}{window}: {info.what}")
        levels = info.levels()
        lines.append(f"{prefix}    level{':' if levels == 'any number' else ''} {levels}; {info.unit}")
    return "\n".join(lines) + "\n"


def indicator_markdown() -> str:
    """The indicator table as a Markdown table (``docs/claims.md`` holds exactly this: a test
    compares them)."""
    rows = [
        "| indicator | what it is | default `window` | valid `level` | unit |",
        "|---|---|---|---|---|",
    ]
    for info in INDICATOR_TABLE:
        window = str(info.window) if info.window is not None else "none"
        rows.append(f"| `{info.name}` | {info.what} | {window} | {info.levels()} | {info.unit} |")
    return "\n".join(rows) + "\n"


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
    GARCH-t) measuring the size and power of the tests on this claim's rule (0 = skip; its
    cost is estimated with the rest of the run, ``backtest.claims.run.check_claim_work``)."""

    calibration: int = 0


@dataclass(frozen=True)
class RobustnessSpec:
    """[robustness]: which specifications the claim's primary test is re-run on
    (``backtest.claims.robustness``); all on by default, declared before any data are read.
    leave_one_year_out / sub_periods: each calendar year left out in turn (the fragility
    rule reads these) / the sample's halves and thirds; parameters: the event's parameters a
    step either side (dates one to three weeks either side); horizons: the judged horizons a
    month shorter and longer; peers: the series to re-run the claim on (None: the catalog's
    peers of the claim's series; () none)."""

    leave_one_year_out: bool = True
    sub_periods: bool = True
    parameters: bool = True
    horizons: bool = True
    peers: tuple[str, ...] | None = None


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
    robustness: RobustnessSpec = field(default_factory=RobustnessSpec)
    daily_only: bool = False
    origin: str = "<code>"
    base_dir: str = "."

    @property
    def name(self) -> str:
        """The report folder's name: [claim] name, else the spec file's stem (for a spec built
        in code, the title in lower case with ``_`` between words); checked against
        ``NAME_PATTERN`` when the spec is read."""
        if self.claim.name:
            return self.claim.name
        return (
            Path(self.origin).stem
            if self.origin != "<code>"
            else re.sub(r"[^a-z0-9]+", "_", self.claim.title.lower())[:100].strip("_")
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
# Reading and checking: each table through its model (``backtest.claims.spec_models``)
# ---------------------------------------------------------------------------------------

TOP_LEVEL = (
    "claim",
    "series",
    "event",
    "rules",
    "filters",
    "benchmark",
    "facts",
    "variants",
    "published",
    "analysis",
    "robustness",
)


def _event(raw: object, origin: str, context: SpecContext | None) -> EventSpec:
    """[event]: its ``kind`` names a registered kind (``backtest.claims.kinds``), whose
    parameter model reads every other key."""
    values = dict(raw) if isinstance(raw, Mapping) else raw
    if not isinstance(values, dict):
        raise SpecError(f"{origin}: [event]: must be a table, got {shown(values)}")
    if "kind" not in values:
        typo = did_you_mean("kind", list(values))
        if typo:
            raise SpecError(f"{origin}: [event] {typo[17:-2]}: unknown key; did you mean `kind`?")
        raise SpecError(f"{origin}: [event] kind: missing (required)")
    name = values.pop("kind")
    if not isinstance(name, str):
        raise SpecError(f"{origin}: [event] kind: must be a string, got {shown(name)}")
    if name not in EVENT_KINDS:
        raise SpecError(f"{origin}: [event] kind: must be one of {', '.join(EVENT_KINDS)}, got {name!r}")
    kind = event_kind(name)
    return kind.event(validated(kind.params, origin, "event", values, context, known_extra=("kind",)))


def event_from_dict(
    values: Mapping[str, Any], origin: str = "<code>", base_dir: str | Path = ".", data_dir: str | Path | None = None
) -> EventSpec:
    """An ``[event]`` table on its own (``kind`` and its parameters) validated by its kind's
    model, with the files and series it names checked (``base_dir``: where relative paths are
    read from; ``data_dir``: the data whose catalog names series). The CLI's ``--event``."""
    event = _event(values, origin, SpecContext(str(base_dir), data_dir))
    event_kind(event.kind).check_inputs(event, lambda relative: Path(base_dir) / relative, origin)
    return event


def _filter(table: FilterTable) -> FilterSpec:
    return FilterSpec(line=line_of(table), operator=table.operator, level=table.level)


def _array(origin: str, values: Mapping[str, Any], key: str, context: SpecContext) -> list[Any]:
    """The tables of ``[[key]]``, each validated by its model (``ARRAY_MODELS``)."""
    raw = values.get(key, [])
    if not isinstance(raw, list):
        raise SpecError(f"{origin}: [[{key}]]: must be an array of tables ([[{key}]]), got {shown(raw)}")
    return [validated(ARRAY_MODELS[key], origin, f"{key} {i}", item, context) for i, item in enumerate(raw, start=1)]


def _claim(table: ClaimTable) -> ClaimText:
    return ClaimText(
        title=table.title,
        statement=table.statement,
        direction=table.direction,
        horizons=tuple(table.horizons),
        verdict_horizons=tuple(table.verdict_horizons),
        source=table.source,
        published=table.published,
        name=table.name,
    )


def _fact(table: FactTable) -> FactSpec:
    start, end = table.period
    return FactSpec(
        statement=table.statement,
        figure=table.figure,
        period=(start, end),
        series=table.series,
        as_of=table.as_of,
        tolerance=table.tolerance,
        roughly=table.roughly,
        id=table.id,
        proxy_note=table.proxy_note,
    )


def _variant(table: VariantTable) -> VariantSpec:
    return VariantSpec(
        name=table.name,
        description=table.description,
        series=table.series,
        relative_to=table.relative_to,
        filters=tuple(_filter(item) for item in table.filters),
        start=table.start,
        end=table.end,
        confirm=table.confirm,
        min_gap=table.min_gap,
        entry=table.entry,
    )


def _published(table: PublishedTable) -> PublishedSpec:
    return PublishedSpec(
        source=table.source,
        what=table.what,
        figures=tuple(table.figures.items()),
        all_days=tuple(table.all_days.items()),
        series=table.series,
        start=table.start,
        note=table.note,
    )


def spec_from_dict(
    values: Mapping[str, Any],
    origin: str = "<code>",
    base_dir: str | Path = ".",
    data_dir: str | Path | None = None,
) -> ClaimSpec:
    """Validate a spec given as nested mappings (what ``tomllib`` returns).

    Each table is validated by its model (``backtest.claims.spec_models``; [event] by its
    kind's); the first problem is one ``SpecError`` line naming the file, the table and the
    key. Catalog names are checked against the data source the run will read, ``data_dir``
    (default: the one ``backtest.data.resolve_data_source`` picks), and so are the dates:
    a start after a series' last close, or an end before its first, is refused
    (``backtest.data.catalog.series_span``)."""
    base = str(base_dir)
    context = SpecContext(base, data_dir)
    if not isinstance(values, Mapping):
        raise SpecError(f"{origin}: [top level]: must be a table, got {shown(values)}")
    for key in values:
        if key not in TOP_LEVEL:
            hint = did_you_mean(key, TOP_LEVEL)
            raise SpecError(f"{origin}: [{key}]: unknown table (known: {', '.join(TOP_LEVEL)}){hint}")
    for key in ("claim", "series", "event"):
        if key not in values:
            raise SpecError(f"{origin}: [{key}]: missing (required)")
    claim = _claim(validated(ClaimTable, origin, "claim", values["claim"], context))
    # The one place where the tables of a pooled claim ([series] of many names, its
    # [benchmark] model) are told apart: they are read by ``backtest.claims.panel_spec``
    # and run by ``backtest.claims.pooled``; here [series] names one series and
    # [benchmark] one series to measure returns against.
    from backtest.claims.panel_spec import is_pooled

    if is_pooled(values):
        raise SpecError(
            f"{origin}: [series]: a pooled claim (many series or a [benchmark] model); "
            "read it with backtest.claims.pooled.load_pooled_spec"
        )
    series = validated(SeriesTable, origin, "series", values["series"], context)
    benchmark = None
    if "benchmark" in values:
        benchmark = validated(BenchmarkTable, origin, "benchmark", values["benchmark"], context).relative_to
    event = _event(values["event"], origin, context)
    rules = RulesSpec(**validated(RulesTable, origin, "rules", values.get("rules", {}), context).model_dump())
    filters = tuple(_filter(table) for table in _array(origin, values, "filters", context))
    facts = tuple(_fact(table) for table in _array(origin, values, "facts", context))
    variants = tuple(_variant(table) for table in _array(origin, values, "variants", context))
    names = [variant.name for variant in variants]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise SpecError(f"{origin}: [[variants]] name: {twice!r} is used twice")
    with_horizons = SpecContext(base, data_dir, claim.horizons)
    published = tuple(_published(table) for table in _array(origin, values, "published", with_horizons))
    if published and event_kind(event.kind).fixed_dates:
        raise SpecError(
            f"{origin}: [[published]]: needs an event rule to re-run on another series, not kind {event.kind!r}"
        )
    analysis = validated(AnalysisTable, origin, "analysis", values.get("analysis", {}), context)
    robustness = validated(RobustnessTable, origin, "robustness", values.get("robustness", {}), context)
    spec = ClaimSpec(
        claim=claim,
        series=series.name,
        event=event,
        rules=rules,
        filters=filters,
        benchmark=benchmark,
        facts=facts,
        variants=variants,
        published=published,
        analysis=AnalysisSpec(calibration=analysis.calibration),
        robustness=RobustnessSpec(
            leave_one_year_out=robustness.leave_one_year_out,
            sub_periods=robustness.sub_periods,
            parameters=robustness.parameters,
            horizons=robustness.horizons,
            peers=tuple(robustness.peers) if robustness.peers is not None else None,
        ),
        daily_only=series.daily_only,
        origin=origin,
        base_dir=base,
    )
    _check_report_name(spec)
    # last, so that every other key is checked before a file the event names is read
    event_kind(spec.event.kind).check_inputs(spec.event, spec.resolve, spec.origin)
    _check_spans(spec, data_dir)
    return spec


# ---------------------------------------------------------------------------------------
# The JSON Schema of a spec
# ---------------------------------------------------------------------------------------


def spec_model() -> type[BaseModel]:
    """The model of a whole spec, with [event] one of the registered kinds' models (told
    apart by ``kind``), built from the registry at each call (a kind registered later is in it)."""
    events: list[type[BaseModel]] = [
        create_model(  # type: ignore[call-overload]
            f"{type(event_kind(name)).__name__.removesuffix('Kind')}Event",
            __base__=event_kind(name).params,
            __doc__=f"[event] of kind {name}: {event_kind(name).wording}.",
            kind=(Literal[name], ...),  # type: ignore[valid-type, arg-type]
        )
        for name in EVENT_KINDS
    ]
    event_type: Any = Annotated[Union[tuple(events)], Field(discriminator="kind")] if len(events) > 1 else events[0]  # noqa: UP007
    fields: dict[str, Any] = {
        "claim": (ClaimTable, ...),
        "series": (SeriesTable, ...),
        "event": (event_type, ...),
        "rules": (RulesTable, Field(default_factory=RulesTable)),
        "filters": (list[FilterTable], Field(default_factory=list)),
        "benchmark": (BenchmarkTable | None, None),
        "facts": (list[FactTable], Field(default_factory=list)),
        "variants": (list[VariantTable], Field(default_factory=list)),
        "published": (list[PublishedTable], Field(default_factory=list)),
        "analysis": (AnalysisTable, Field(default_factory=AnalysisTable)),
        "robustness": (RobustnessTable, Field(default_factory=RobustnessTable)),
    }
    if list(fields) != list(TOP_LEVEL):  # pragma: no cover - a table added to one list only
        raise SpecError("spec_model: its tables must be TOP_LEVEL's")
    return create_model(  # type: ignore[call-overload, no-any-return]
        "ClaimSpecFile",
        __config__=ConfigDict(strict=True, extra="forbid", frozen=True, title="Claim spec"),
        __doc__="A claim spec (TOML): what was claimed, on which series, after which events.",
        **fields,
    )


def spec_file_models() -> dict[str, type[BaseModel]]:
    """The model of each kind of spec file, by name: a claim (``spec_model`` with the job
    layer's optional [job] and [report]), a pooled claim (its [series], [benchmark] and
    [analysis] those of ``backtest.claims.panel_spec``), a sweep and a strategy
    (``backtest.claims.job_models``)."""
    from backtest.claims.job_models import ClaimJobTable, ClaimReportTable, StrategySpecFile, SweepSpecFile
    from backtest.claims.panel_spec import PooledAnalysisTable, PooledBenchmarkTable, PooledSeriesTable

    claim = spec_model()
    job: Any = (ClaimJobTable, Field(default_factory=ClaimJobTable))
    claim_file = create_model(  # type: ignore[call-overload]
        "ClaimSpecFile",
        __base__=claim,
        __doc__=claim.__doc__,
        job=job,
        report=(ClaimReportTable, Field(default_factory=ClaimReportTable)),
    )
    pooled_file = create_model(  # type: ignore[call-overload]
        "PooledClaimSpecFile",
        __base__=claim,
        __doc__="A pooled claim spec (TOML): one claim on many series ([series] names, group or universe), "
        "abnormal returns by a [benchmark] model, one pooled verdict.",
        job=job,
        series=(PooledSeriesTable, ...),
        benchmark=(PooledBenchmarkTable, Field(default_factory=PooledBenchmarkTable)),
        analysis=(PooledAnalysisTable, Field(default_factory=PooledAnalysisTable)),
    )
    return {"claim": claim_file, "pooled": pooled_file, "sweep": SweepSpecFile, "strategy": StrategySpecFile}


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file as TOML reads it, dates as ISO
    strings, generated from the models (``spec_file_models``): any of a claim, a pooled
    claim, a sweep or a strategy spec. It checks each key's type, its choices and its
    bounds; what needs the spec's folder or the data (files, series names, dates within the
    data) is checked by ``load_job`` only."""
    from pydantic import RootModel

    files = tuple(spec_file_models().values())
    any_file: Any = RootModel[Union[files]]  # type: ignore[valid-type]  # noqa: UP007
    schema = any_file.model_json_schema()
    # a pooled claim is told apart as ``panel_spec.is_pooled`` tells it: many series in
    # [series], or a [benchmark] model (else its tables are read as a single claim's)
    schema["$defs"]["PooledClaimSpecFile"]["anyOf"] = [
        {"properties": {"series": {"anyOf": [{"required": [key]} for key in ("names", "group", "universe")]}}},
        {"required": ["benchmark"], "properties": {"benchmark": {"required": ["model"]}}},
    ]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "Spec file"}


def _check_spans(spec: ClaimSpec, data_dir: str | Path | None) -> None:
    """Refuse dates no event can follow: a start after the last close of the series the
    events are detected on, or an end before its first ([rules], each [[variants]] with its
    own series or dates, each [[published]] re-run). Catalog series only, whose span the
    catalog gives cheaply; a series whose data cannot be read is left to the run, which
    says why."""
    from backtest.data.catalog import series_span
    from backtest.errors import DataError

    spans: dict[str, tuple[str, str] | None] = {}

    def span(series: str) -> tuple[str, str] | None:
        if series not in spans:
            try:
                first, last = series_span(series, data_dir)
                spans[series] = (first.date().isoformat(), last.date().isoformat())
            except DataError:
                spans[series] = None
        return spans[series]

    def check(where: str, series: str, start: str | None, end: str | None, own: set[str]) -> None:
        """``own``: the keys ``where`` sets itself; an inherited date is blamed on its series."""
        known = None if looks_like_path(series) else span(series)
        if known is None:
            return
        first, last = known
        if start is not None and start > last:
            key, date, text = "start", start, f"is after the last close of {series} ({last})"
        elif end is not None and end < first:
            key, date, text = "end", end, f"is before the first close of {series} ({first})"
        else:
            return
        if key in own:
            raise SpecError(f"{spec.origin}: {where} {key}: {date} {text}: no event can be found")
        raise SpecError(f"{spec.origin}: {where} series: [rules] {key} {date} {text}: no event can be found")

    rules = spec.rules
    check("[rules]", spec.series, rules.start, rules.end, {"start", "end"})
    for i, variant in enumerate(spec.variants, start=1):
        own = {key for key in ("series", "start", "end") if getattr(variant, key) is not None}
        if own:
            series = variant.series or spec.series
            check(f"[variants {i}]", series, variant.start or rules.start, variant.end or rules.end, own)
    for i, item in enumerate(spec.published, start=1):
        own = {key for key in ("series", "start") if getattr(item, key) is not None}
        if own:
            check(f"[published {i}]", item.series or spec.series, item.start or rules.start, None, own)


def _check_report_name(spec: ClaimSpec) -> None:
    """Refuse a report folder name derived from the file name or title that [claim] name
    would refuse (``...toml`` gives ``..``: the parent folder)."""
    if spec.claim.name is not None or NAME_PATTERN.fullmatch(spec.name):
        return
    if spec.origin == "<code>":
        raise SpecError(f"{spec.origin}: [claim] title gives no usable folder name; set [claim] name ({NAME_RULE})")
    raise SpecError(
        f"{spec.origin}: the report folder's name would be the file's name, {shown(spec.name)}, which is not "
        f"{NAME_RULE}; set [claim] name or rename the file"
    )


def load_spec(path: str | Path, data_dir: str | Path | None = None) -> ClaimSpec:
    """Read and validate the TOML spec at ``path`` (SpecError: one line naming file and key);
    ``data_dir``: the data the run will read, against which series names and dates are
    checked (default: the source ``backtest.data.resolve_data_source`` picks)."""
    path = Path(path)
    origin = str(path)
    text = read_text(path, CLAIM_SPEC, error=SpecError)  # a regular file of at most 256 KiB
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{origin}: not valid TOML: {exc}") from None
    return spec_from_dict(values, origin=origin, base_dir=path.parent, data_dir=data_dir)
