"""The typed model of a claim's summary.json, and the JSON Schema generated from it.

``SummaryModel`` describes every section of the summary that ``run_claim`` builds (required
keys, types, enums, nullability, numeric ranges); ``validated_summary`` passes a summary
through it before the result keeps it and the report writes it, so summary.json is valid by
construction. ``summary_schema_text()`` is the text of ``summary.schema.json`` beside this
module (regenerate it with ``python -m backtest.claims.summary_model``; a test checks that
the committed file equals the generated one byte for byte).

Blocks the report reads key by key are closed (an unknown key is an error); blocks that a
statistics dataclass's ``to_dict()`` fills are open, requiring only the keys the report
reads, so the stats layer can add more. Numbers keep their JSON type through the model (an
integer stays an integer), so a summary round-trips to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic_core import CoreSchema, core_schema
from typing_extensions import TypeAliasType

from backtest._json import dumps, plain

__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "SCHEMA_TITLE",
    "SummaryModel",
    "summary_json_schema",
    "summary_schema_text",
    "validated_summary",
    "with_validated_family",
    "write_summary_schema",
]

SCHEMA_FILE = Path(__file__).with_name("summary.schema.json")
"""The committed schema (``backtest.claims.SCHEMA_PATH``), generated from ``SummaryModel``."""
SCHEMA_ID = "https://backtest.invalid/claims/summary.schema.json"
SCHEMA_TITLE = "summary.json of a claim report (backtest claim run)"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


# ---- scalar types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonNumber:
    """Metadata of a JSON number field (``Annotated[float, JsonNumber(...)]``): an int or a
    float, never a bool, within the bounds, kept as given. Pydantic's own ``float`` would turn
    an integer into a float, and so change the written bytes (30 -> 30.0)."""

    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None

    def _bounds(self) -> dict[str, float]:
        bounds = {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "exclusiveMinimum": self.exclusive_minimum,
            "exclusiveMaximum": self.exclusive_maximum,
        }
        return {key: bound for key, bound in bounds.items() if bound is not None}

    def check(self, value: Any) -> Any:
        """``value`` itself, or ValueError saying what was expected."""
        if value is None and self.nullable:
            return value
        within = (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and (self.minimum is None or value >= self.minimum)
            and (self.maximum is None or value <= self.maximum)
            and (self.exclusive_minimum is None or value > self.exclusive_minimum)
            and (self.exclusive_maximum is None or value < self.exclusive_maximum)
        )
        if not within:
            wording = ", ".join(f"{key} {bound:g}" for key, bound in self._bounds().items())
            kind = "a number" + (" or null" if self.nullable else "") + (f" ({wording})" if wording else "")
            raise ValueError(f"expected {kind}, got {value!r}")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.check)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        number: dict[str, Any] = {"type": "number", **self._bounds()}
        if not self.nullable:
            return number
        return {"anyOf": [number, {"type": "null"}]} if self._bounds() else {"type": ["number", "null"]}


Number = Annotated[float, JsonNumber()]
NonNegativeNumber = Annotated[float, JsonNumber(minimum=0)]
Fraction = Annotated[float, JsonNumber(minimum=0, maximum=1)]
OpenFraction = Annotated[float, JsonNumber(exclusive_minimum=0, exclusive_maximum=1)]
Count = Annotated[int, Field(ge=0)]
PositiveCount = Annotated[int, Field(ge=1)]

if TYPE_CHECKING:
    # what the checker sees; at run time each is a named alias, so that the schema has one
    # definition of it under the name the hand-kept schema gave it (``#/$defs/date``, ...)
    NumberOrNull = float | None
    POrNull = float | None
    Date = str
    DateOrNull = str | None
    Label = str
    EventKindName = str
    Outcome = str
else:
    NumberOrNull = TypeAliasType("number_or_null", Annotated[float | None, JsonNumber(nullable=True)])
    POrNull = TypeAliasType("p_or_null", Annotated[float | None, JsonNumber(nullable=True, minimum=0, maximum=1)])
    Date = TypeAliasType("date", Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")])
    DateOrNull = TypeAliasType("date_or_null", Date | None)
    Label = TypeAliasType("label", Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]*[md]$")])
    EventKindName = TypeAliasType(
        "event_kind",
        Annotated[
            str,
            StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$"),
            Field(
                description="a registered event kind (backtest.claims.kinds): the built-ins ma_cross, line_cross, "
                "threshold, new_high, new_low, dates, or one registered with register_event_kind, whose name "
                "matches KIND_NAME"
            ),
        ],
    )
    Outcome = TypeAliasType("outcome", Literal["supported", "not supported", "inconclusive"])

Direction = Literal["gains", "losses"]
Alternative = Literal["greater", "less"]
PrimaryTestName = Literal["joint_circular_shift_sum", "year_paired_t"]


def _not_a_bool(value: Any) -> Any:
    """``value``, unless it is a bool (``True == 1``, so ``Literal[1]`` alone would take it)."""
    if isinstance(value, bool):
        raise ValueError(f"expected the integer 1, got {value!r}")
    return value


def _optional(description: str | None = None) -> Any:
    """A key that a summary may leave out (absent, never null: the dump keeps only the keys
    given, and the schema does not require it)."""
    return Field(default=None, description=description)


# ---- base blocks ----------------------------------------------------------------------------


class _Closed(BaseModel):
    """A block whose keys are all listed: an unknown key is an error."""

    model_config = ConfigDict(strict=True, extra="forbid")


class _Open(BaseModel):
    """A block filled by a statistics dataclass's ``to_dict()``: the keys listed are required,
    others are kept as they are."""

    model_config = ConfigDict(strict=True, extra="allow")


# ---- shared definitions ---------------------------------------------------------------------


class Specification(_Closed):
    """The primary test on one specification (backtest.stats.robustness.SpecificationResult.to_dict()):
    n_events counts complete events (years for a calendar claim) at the judged horizon with the
    fewest; excess is the events' mean return minus the all-days mean averaged over the judged
    horizons (a calendar claim: the mean window-minus-rest log return), not oriented; statistic is
    in the claim's orientation (larger = more in the claimed direction); pvalue / pvalue_opposite
    are one-sided in the claimed / the other direction. Untestable (fewer than 10): the numbers
    are null."""

    family: Literal["claim", "leave-one-year-out", "sub-period", "parameter", "horizon", "peer"]
    label: str
    n_events: Count
    excess: NumberOrNull
    statistic: NumberOrNull
    pvalue: POrNull
    pvalue_opposite: POrNull
    testable: bool


class Fragility(_Closed):
    """The fragility rule applied (backtest.stats.robustness.Fragility.to_dict()): worst is the
    leave-one-year-out row with the largest p; hinge names the year and its p when fragile,
    else ''."""

    fragile: bool
    worst: Specification | None
    hinge: str


class Provenance(_Open):
    """A series' provenance (backtest.report.summary.series_provenance): coverage, segments,
    splice statistics and validation findings."""

    series: str
    first_date: Date
    last_date: Date
    n_closes: PositiveCount


class Verdict(_Open):
    """One question's verdict at one horizon (backtest.stats.verdict)."""

    question: Literal["A", "B"]
    outcome: Outcome
    rule: str
    flags: list[str]
    evidence: dict[str, Any]


class Verdicts(_Open):
    """Questions A (beyond all days) and B (beyond random entry) at one horizon."""

    A: Verdict
    B: Verdict


class EventMoments(_Open):
    """The events' forward returns at one horizon."""

    n: Any
    mean: Any
    median: Any
    hit_rate: Any


class BaselineMoments(_Open):
    """All days' forward returns at one horizon."""

    n: Any
    mean: Any
    hit_rate: Any


class HorizonStatistics(_Open):
    """The statistics at one horizon (backtest.stats.EventStatistics.to_dict()'s horizons)."""

    label: Label
    n: Count
    n_pending: Count
    events: EventMoments
    baseline: BaselineMoments
    excess_mean: NumberOrNull
    tests: dict[str, Any]
    random_entry: dict[str, Any]
    bootstrap_paths: dict[str, Any] | None
    pvalues: dict[str, Any]
    pvalues_holm: dict[str, Any]
    pvalues_opposite: dict[str, POrNull] = _optional(
        "the same tests' one-sided p-values in the tail opposite to the claim's, keyed as pvalues"
    )
    judged: bool = _optional("whether the verdict reads this horizon")
    verdicts: Verdicts
    notes: list[str]


class Line(_Closed):
    """An indicator line of a spec (what an event rule or a filter reads)."""

    indicator: Literal["close", "rsi", "rate_of_change", "zscore", "drawdown", "sma", "ema", "level", "change"]
    window: PositiveCount | None
    series: str | None


# ---- claim and spec -------------------------------------------------------------------------


class ClaimBlock(_Closed):
    """The claim as stated: its words, source, direction and horizons."""

    title: str
    statement: str
    source: str | None
    published: DateOrNull
    direction: Direction
    horizons: list[Label] = Field(min_length=1)
    verdict_horizons: list[Label] = Field(min_length=1)


class SpecEvent(_Open):
    """[event]: the kind and its own parameters."""

    kind: EventKindName
    line: Line | None = _optional()
    against: Line | None = _optional()


class SpecRules(_Open):
    """[rules]: the sample window, confirmation, minimum gap and entry."""

    start: DateOrNull
    end: DateOrNull
    confirm: Count
    min_gap: Count
    entry: Literal["close", "next_close"]


class SpecFilter(_Open):
    """A [[filters]] condition: a line against a level."""

    line: Line
    operator: Literal["<", "<=", ">", ">="]
    level: Number


class SpecVariant(_Open):
    """A [[variants]] table."""

    name: Any


class SpecPublished(_Open):
    """A [[published]] table."""

    source: Any
    what: Any
    figures: Any


class SpecAnalysis(_Open):
    """[analysis]."""

    calibration: Count


class SpecRobustness(_Closed):
    """[robustness]: the specifications the primary test is re-run on (peers null: the
    catalog's peers of the series)."""

    leave_one_year_out: bool
    sub_periods: bool
    parameters: bool
    horizons: bool
    peers: list[str] | None


class SpecBlock(_Closed):
    """The validated spec (backtest.claims.spec.ClaimSpec.to_dict()): every table with its
    defaults filled in."""

    claim: dict[str, Any]
    series: str
    event: SpecEvent
    rules: SpecRules
    filters: list[SpecFilter]
    benchmark: str | None
    facts: list[dict[str, Any]]
    variants: list[SpecVariant]
    published: list[SpecPublished]
    analysis: SpecAnalysis
    daily_only: bool
    robustness: SpecRobustness


# ---- what was run on what -------------------------------------------------------------------


class EventSourceBlock(_Closed):
    """How the events were dated, in words."""

    kind: EventKindName
    description: str
    rules: str
    price_only: bool
    filters: list[str]
    notes: list[str]
    path_null_skipped: str | None


class BenchmarkData(_Open):
    """The benchmark series' coverage."""

    series: Any
    first_date: Any
    last_date: Any


class BenchmarkBlock(_Closed):
    """Returns measured relative to a benchmark series."""

    relative_to: str
    measured: str
    data: BenchmarkData
    note: str


class HorizonParameter(_Open):
    """A horizon: its label and its length in trading days or calendar months."""

    label: Label
    days: int | None
    months: int | None


class ParametersBlock(_Closed):
    """The run's parameters: rules, horizons, seed and the Monte Carlo sizes."""

    rules: dict[str, Any]
    horizons: list[HorizonParameter] = Field(min_length=1)
    seed: Count
    n_draws: PositiveCount
    n_paths: Count
    path_band_draws: Count
    n_power_paths: Count = Field(description="bootstrapped paths per drift of the simulated power (0: not run)")
    variant_n_draws: Count
    variant_n_paths: Count


class EventsBlock(_Closed):
    """The events' dates, pending windows and those after publication."""

    n: Count
    dates: list[Date]
    n_pending: dict[str, Count]
    out_of_sample: list[Date]


# ---- statistics and the verdict -------------------------------------------------------------


class StatisticsPrimary(_Open):
    """The joint test across the judged horizons and its detectable effect."""

    statistic: Any
    pvalue: Any
    n_null: Any
    mde_sd: Any
    upper_bound_sd: Any
    horizons: Any


class StatisticsBlock(_Open):
    """backtest.stats.EventStatistics.to_dict(); only the keys the report reads are required
    of it, so the stats layer can add more."""

    horizons: list[HorizonStatistics] = Field(min_length=1)
    verdict_rules: str
    claim: Direction
    claim_horizons: list[Label]
    notes: list[str] = _optional("notes on the whole analysis (the per-horizon ones are in each horizon)")
    points_other_way: bool = _optional("the joint circular-shift test's opposite-tail p is below alpha")
    primary: StatisticsPrimary | None


class NotTestable(_Closed):
    """Why a claim could not be tested, and what might help."""

    reason: str = Field(min_length=1)
    hint: str


class ConclusionBlock(_Open):
    """The overall verdict (backtest.claims.verdict.claim_conclusion): the primary test decides
    question B, a supported claim that does not survive leaving out a single year is 'supported,
    fragile', and a claim without an event or with fewer than 10 complete windows (years) at a
    judged horizon is 'not testable'."""

    rule: str = Field(description="the overall rule, verbatim (with the fragility rule when a robustness panel ran)")
    claim: Direction
    claim_horizons: list[Label]
    question_a: dict[str, Outcome]
    question_b: dict[str, Outcome]
    beyond_random_entry_at: list[Label]
    overall: Literal[
        "supported",
        "supported, fragile",
        "partly supported",
        "not supported as a signal",
        "not supported",
        "inconclusive",
        "not testable",
    ]
    primary_test: PrimaryTestName
    primary_pvalue: POrNull
    primary_pvalue_opposite: POrNull
    n_complete: dict[str, Count] = Field(
        description="judged horizon -> the n the verdict rests on (complete windows, or years for a calendar claim)"
    )
    unit: Literal["complete windows", "years"]
    flags: list[Literal["small sample"]] = Field(description="'small sample' when the verdict rests on fewer than 20")
    points_other_way: bool = Field(description="the primary test's opposite-tail p is below alpha")
    fragility: Fragility | None
    not_testable: NotTestable | None


class SignTest(_Open):
    """The sign test across years."""

    positive: Any
    n: Any
    pvalue: Any
    pvalue_opposite: Any


class PairedYear(_Open):
    """One year of the year-level paired test."""

    year: Date
    window_days: PositiveCount
    rest_days: Count
    difference: Number


class DroppedYear(_Open):
    """A year left out of the year-level paired test, and why."""

    year: str
    reason: str


class YearPaired(_Open):
    """backtest.stats.calendar.YearPairedTest.to_dict(): per year the window's log return minus
    the rest of its year's (scaled to the window), a t-test across years."""

    test: Literal["year_paired_t"]
    statistic: Any
    pvalue: POrNull
    pvalue_opposite: POrNull
    pvalue_two_sided: POrNull
    alternative: Alternative
    estimate: Any
    standard_error: Any
    n: Count
    n_effective: Count
    df: Any
    alpha: Any
    sign_test: SignTest
    years: list[PairedYear]
    dropped: list[DroppedYear]


class PrimaryBlock(_Closed):
    """The test that decides question B: the joint circular shift, or for a calendar claim (one
    date a year) the year-level paired test, n then counting years; null without an event."""

    test: PrimaryTestName
    description: str
    statistic: NumberOrNull
    pvalue: POrNull
    pvalue_opposite: POrNull
    n: Count
    unit: Literal["events", "years"]
    excess: NumberOrNull
    year_paired: YearPaired | None


class RobustnessBlock(_Closed):
    """The primary test on every specification fixed in advance
    (backtest.stats.robustness.RobustnessPanel.to_dict()): the claim's own row first, then each
    year left out, sub-periods, neighbouring parameters and horizons, peers; null when not
    testable."""

    alpha: OpenFraction
    rule: str
    n_specifications: Count = Field(description="specifications other than the claim's own")
    n_testable: Count
    share_agreeing: POrNull
    share_significant: POrNull
    fragility: Fragility | None
    specifications: list[Specification] = Field(min_length=1)


class PowerPoint(_Open):
    """The simulated power at one planted drift."""

    drift: Number
    power: Fraction
    mc_standard_error: NonNegativeNumber
    mean_events: NonNegativeNumber
    share_untestable: Fraction


class PowerParameters(_Open):
    """How the power was simulated."""

    n_paths: Any
    drift_days: Any
    events: Any


class PowerBlock(_Open):
    """The simulated detectable effect (backtest.stats.power.SimulatedPower.to_dict()): a drift
    planted in bootstrapped price paths after each event, the primary test rerun;
    detectable_drift is signed (negative for a losses claim), null when the target power was not
    reached; formula_mde is null for a calendar claim (the formula does not apply). Null when not
    run or not testable."""

    method: str
    primary_test: str
    claim: Direction
    alpha: Number
    horizons: list[Label]
    target_power: OpenFraction
    detectable_drift: NumberOrNull
    bracket: list[NumberOrNull] = Field(min_length=2, max_length=2)
    detectable_drift_se: NumberOrNull
    formula_mde: NumberOrNull
    formula_mde_by_horizon: dict[str, Number] | None
    size: POrNull
    notes: list[str]
    curve: list[PowerPoint]
    parameters: PowerParameters


class RegimeBlock(_Open):
    """A moving-average claim's regime test, secondary (backtest.stats.regime.RegimeTest.to_dict()):
    mean next-day log return while the fast average is above the slow one minus the rest,
    Newey-West SE; null for other claims."""

    test: Literal["regime_difference_hac"]
    statistic: Any
    pvalue: POrNull
    pvalue_opposite: POrNull
    pvalue_two_sided: POrNull
    alternative: Alternative
    estimate: Any
    mean_above: Any
    mean_below: Any
    standard_error: Any
    n: Any
    n_above: Count
    n_below: Count
    maxlags: Count
    lag_rule: Any
    start: DateOrNull
    end: DateOrNull


class FamilyMember(_Closed):
    """One claim of the family and its primary p, raw and Holm-adjusted."""

    name: str
    title: str
    pvalue: POrNull
    pvalue_holm: POrNull


class FamilyBlock(_Closed):
    """Only when run as one of a family (backtest claim run-all): the Holm adjustment of the
    primary p over the claims that could be tested."""

    method: Literal["Holm"]
    n_claims: PositiveCount
    n_tested: Count
    pvalue: POrNull
    pvalue_holm: POrNull
    members: list[FamilyMember]


class FactBlock(_Closed):
    """backtest.stats.facts.FactCheck.to_dict() of a [[facts]] table."""

    id: str
    statement: str
    figure: Number
    series: str
    start: Date
    end: Date
    as_of: Date
    precision: NonNegativeNumber
    tolerance: NonNegativeNumber
    proxy_note: str
    value: NumberOrNull
    value_period_end: NumberOrNull
    difference: NumberOrNull
    start_date: DateOrNull
    end_date: DateOrNull
    status: Literal["confirmed", "roughly", "not confirmed", "not checkable"]
    reason: str
    series_returns: Literal["price", "total return", "unknown"] = _optional("what the series' closes measure")
    returns_note: str = _optional(
        "when a price index's figure is checked on a total-return series: what that does to the comparison "
        "('' otherwise)"
    )


class PathBand(_Open):
    """The mean event path and the random-entry band at the longest horizon (entry = 100)."""

    days: PositiveCount
    k: PositiveCount
    event_mean: NumberOrNull
    q05: NumberOrNull
    q50: NumberOrNull
    q95: NumberOrNull


class VariantHorizon(_Open):
    """A variant's result at one horizon."""

    label: Label
    n: Count
    mean: Any
    excess_mean: Any
    random_entry_p: Any
    verdict_a: Outcome
    verdict_b: Outcome
    flags: Any


class VariantPrimary(_Open):
    """A variant's primary test."""

    statistic: Any
    pvalue: Any


class VariantBlock(_Closed):
    """[[variants]]: the whole analysis re-run with one change, one row each."""

    name: str
    description: str
    series: str
    relative_to: str | None
    rules: str | None
    data_end: DateOrNull
    n_events: Count
    horizons: list[VariantHorizon]
    primary: VariantPrimary | None
    conclusion: str | None
    flags: list[str] = _optional("the variant's verdict flags ('small sample')")
    note: str


class PublishedBlock(_Closed):
    """[[published]]: published averages after the same events beside ours."""

    source: str
    what: str
    series: str
    start: DateOrNull
    note: str
    figures: dict[str, Number]
    all_days: dict[str, Number]
    n_events: Count
    ours: dict[str, NumberOrNull]
    ours_n: dict[str, int]
    ours_all_days: dict[str, NumberOrNull]
    ours_before_publication: dict[str, NumberOrNull] = Field(
        description="our mean on the events whose windows closed before publication (what the publisher could "
        "have seen)"
    )
    ours_before_publication_n: dict[str, Count]


class CalibrationRow(_Open):
    """The rejection rate of one test under one null model at one horizon and effect."""

    null_model: Any
    test: Any
    horizon: Any
    effect: Any
    rejection_rate: Any
    mc_standard_error: Any
    n_replications: Any


class CalibrationBlock(_Open):
    """[analysis] calibration: size and power of the tests on simulated paths."""

    n_replications: PositiveCount
    alpha: Number
    seed: int
    rows: list[CalibrationRow]


class RecentEvent(_Open):
    """The latest event, dated after publication, beside earlier events and all days."""

    event_date: Any
    entry_date: Any
    entry_level: Any
    last_date: Any
    days_elapsed: Any
    windows: Any


# ---- the whole summary ----------------------------------------------------------------------


class SummaryModel(_Closed):
    """Returns are fractions (0.05 = 5%), dates ISO YYYY-MM-DD, missing values null. The
    statistics block is backtest.stats.EventStatistics.to_dict(); only the keys the report
    reads are required of it, so the stats layer can add more."""

    model_config = ConfigDict(title=SCHEMA_TITLE)

    schema_version: Annotated[Literal[1], BeforeValidator(_not_a_bool)]
    kind: Literal["claim"]
    name: str = Field(min_length=1)
    claim: ClaimBlock
    spec: SpecBlock
    event_source: EventSourceBlock
    benchmark: BenchmarkBlock | None
    parameters: ParametersBlock
    data: Provenance
    other_series: list[Provenance] = Field(
        description="the provenance of every other series that dates, filters or benchmarks the events (a VIX "
        "filter, a yield's change, the benchmark), each once"
    )
    events: EventsBlock
    statistics: StatisticsBlock
    conclusion: ConclusionBlock
    primary: PrimaryBlock | None
    robustness: RobustnessBlock | None
    power: PowerBlock | None
    regime: RegimeBlock | None
    family: FamilyBlock | None = _optional()
    facts: list[FactBlock]
    path_band: PathBand | None
    variants: list[VariantBlock]
    published: list[PublishedBlock]
    calibration: CalibrationBlock | None
    recent_event: RecentEvent | None
    software: dict[str, str]


# ---- validation and the schema --------------------------------------------------------------


def validated_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``summary`` as summary.json holds it (``backtest._json``: floats to 12 significant
    digits, NaN to null, keys sorted), validated and serialised by ``SummaryModel``; raises
    pydantic's ``ValidationError`` naming each bad key's path."""
    checked = SummaryModel.model_validate(json.loads(dumps(summary)))
    # the values are plain JSON already: a second ``dumps`` would only sort the keys again, slower
    dumped: dict[str, Any] = json.loads(json.dumps(checked.model_dump(exclude_unset=True), sort_keys=True))
    return dumped


def with_validated_family(summary: Mapping[str, Any], family: Mapping[str, Any]) -> dict[str, Any]:
    """A validated ``summary`` (``validated_summary``) with its ``family`` block added, that
    block validated alone (the rest was already)."""
    checked = FamilyBlock.model_validate(plain(dict(family)))
    return {**summary, "family": checked.model_dump(exclude_unset=True)}


_SCHEMA_NAMES = ("$defs", "properties", "patternProperties", "dependentSchemas")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "if", "then", "else")


def _tidy(schema: Any) -> Any:
    """``schema`` without pydantic's generated titles (repeating the key) and defaults (the
    keys a summary may leave out have none), walked as a schema so that a property named
    ``title`` is kept."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("title", "default"):
            continue
        if key in _SCHEMA_NAMES:
            out[key] = {name: _tidy(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS:
            out[key] = [_tidy(sub) for sub in value]
        elif key in _SCHEMA_ONE:
            out[key] = _tidy(value)
        else:
            out[key] = value
    return out


def summary_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a claim's summary.json, generated from
    ``SummaryModel``."""
    generated = _tidy(SummaryModel.model_json_schema(mode="validation"))
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": SCHEMA_ID, "title": SCHEMA_TITLE, **generated}


def summary_schema_text() -> str:
    """The text of summary.schema.json: the generated schema, two-space indented."""
    return json.dumps(summary_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_summary_schema(path: str | Path = SCHEMA_FILE, text: str | None = None) -> Path:
    """Write a generated schema to ``path`` (by default the committed file beside this
    module) and return the path: ``text``, or this model's (``summary_schema_text``); a
    pooled claim's is written through here too (``backtest.claims.pooled_summary_model``)."""
    from backtest._io import atomic_write_text

    path = Path(path)
    atomic_write_text(path, summary_schema_text() if text is None else text)
    return path


if __name__ == "__main__":
    print(write_summary_schema())
