"""The typed model of a pooled claim's summary.json, and the JSON Schema generated from it.

``PooledSummaryModel`` describes the summary ``backtest.claims.pooled`` builds (its ``kind``
is "pooled_claim", where a single claim's is "claim": ``backtest.claims.summary_model``);
``validated_pooled_summary`` passes a summary through it, so that summary.json is valid by
construction. ``pooled_summary_schema_text()`` is the text of ``pooled_summary.schema.json``
beside this module (regenerate it with ``python -m backtest.claims.pooled_summary_model``; a
test checks that the committed file equals the generated one byte for byte).

As in the single claim's model, blocks the report reads key by key are closed and blocks a
statistics dataclass's ``to_dict()`` fills are open (the keys the report reads required), and
numbers keep their JSON type, so that a summary round-trips to the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from backtest._json import dumps
from backtest.claims.summary_model import (
    JSON_SCHEMA_DIALECT,
    Count,
    Date,
    DateOrNull,
    Direction,
    Fraction,
    Label,
    NumberOrNull,
    POrNull,
    PositiveCount,
    _Closed,
    _Open,
    _tidy,
    write_summary_schema,
)

__all__ = [
    "POOLED_SCHEMA_FILE",
    "POOLED_SCHEMA_ID",
    "POOLED_SCHEMA_TITLE",
    "PooledSummaryModel",
    "pooled_summary_json_schema",
    "pooled_summary_schema_text",
    "validated_pooled_summary",
    "write_pooled_summary_schema",
]

POOLED_SCHEMA_FILE = Path(__file__).with_name("pooled_summary.schema.json")
"""The committed schema, generated from ``PooledSummaryModel``."""
POOLED_SCHEMA_ID = "https://backtest.invalid/claims/pooled_summary.schema.json"
POOLED_SCHEMA_TITLE = "summary.json of a pooled claim report (backtest claim run)"

PooledVerdict = Literal["supported", "not supported", "contradicted", "not testable"]
PrimaryTest = Literal["panel_shift", "kolari_pynnonen"]
ReturnModel = Literal["market", "market_adjusted", "mean_adjusted", "raw"]


class PooledClaimBlock(_Closed):
    """[claim] as the report tells it: ``verdict_horizons`` are the horizons judged."""

    title: str
    statement: str
    direction: Direction
    horizons: list[Label] = Field(min_length=1)
    verdict_horizons: list[Label] = Field(min_length=1)
    source: str | None


class PooledEvent(_Open):
    """The event definition (its kind's dataclass, ``dataclasses.asdict``)."""

    kind: str


class PooledRules(_Open):
    """The timing rules ([rules])."""

    start: DateOrNull
    end: DateOrNull
    confirm: Count
    min_gap: Count
    entry: Literal["close", "next_close"]


class PanelBlock(_Closed):
    """The series, in the order given, and the catalog group or the folder they came from."""

    series: list[str] = Field(min_length=1)
    group: str | None
    universe: str | None
    described: str


class ReturnModelBlock(_Closed):
    """The expected-return model, its market series (null: none), the estimation window
    (trading days relative to the event day, both ends included) and the fewest estimation
    returns an event needs."""

    model: ReturnModel
    series: str | None
    estimation_window: Annotated[list[int], Field(min_length=2, max_length=2)]
    min_observations: PositiveCount


class SampleBlock(_Closed):
    """The panel's calendar: its first and last day, and the trading days between (both included)."""

    first_day: Date
    last_day: Date
    days: Count


class PrimaryRow(_Open):
    """The primary test at one judged horizon: pvalue one-sided in the claim's direction,
    pvalue_opposite in the other, their Holm adjustments over the judged horizons; caar: the
    mean event-model CAR (fraction); shift_statistic: the shift test's mean forward abnormal
    return (full-sample beta); excess_over_random: it less the mean over every shift;
    detectable_effect: the pooled mean abnormal return the test rejects about half the time."""

    horizon: Label
    horizon_days: PositiveCount
    n_events: Count
    pvalue: POrNull
    pvalue_opposite: POrNull
    pvalue_holm: POrNull
    pvalue_opposite_holm: POrNull


class PrimaryTestBlock(_Closed):
    """The test declared primary before the data, one row per judged horizon."""

    test: PrimaryTest
    name: str
    horizons: list[Label] = Field(min_length=1)
    adjustment: Literal["holm"]
    rows: list[PrimaryRow]


class SeriesRow(_Open):
    """One series: its events (kept, dropped for too short an estimation window), the first
    and last, its mean beta (null without a market model) and its mean CAR, BHAR and count
    per horizon (``car_3m``, ``bhar_3m``, ``n_3m``)."""

    series: str
    events: Count
    events_kept: Count
    events_dropped: Count
    first_event: DateOrNull
    last_event: DateOrNull
    mean_beta: NumberOrNull


class PooledTest(_Open):
    """One pooled test at one horizon (``backtest.stats.pooled``)."""

    test: str
    horizon_days: PositiveCount
    pvalue: POrNull
    pvalue_opposite: POrNull


class PooledTestsBlock(_Open):
    """The pooled event study's tests (``backtest.stats.pooled.PooledEventStudy.to_dict()``)."""

    claim: Direction
    model: ReturnModel
    n_series: Count
    n_events: Count
    horizons_days: list[PositiveCount]
    tests: list[PooledTest]


class CaarAtHorizon(_Open):
    """The CAAR path at a judged horizon's day, with the random-entry band (fractions)."""

    day: PositiveCount
    caar: NumberOrNull
    events: Count


class PooledCalibrationBlock(_Open):
    """Size and power of the primary test on simulated panels (``backtest.claims.calibration_store``)."""


class PooledSummaryModel(_Closed):
    """Returns are fractions (0.05 = 5%), dates ISO YYYY-MM-DD, missing values null. The
    verdict is the primary test's, from its Holm-adjusted p-values over the judged horizons
    at level ``alpha``."""

    model_config = ConfigDict(title=POOLED_SCHEMA_TITLE)

    kind: Literal["pooled_claim"]
    name: str = Field(min_length=1)
    claim: PooledClaimBlock
    event: PooledEvent
    rules: PooledRules
    panel: PanelBlock
    benchmark: ReturnModelBlock
    sample: SampleBlock
    verdict: PooledVerdict
    alpha: Fraction
    primary_test: PrimaryTestBlock
    n_series: PositiveCount
    n_series_with_events: Count
    n_events: Count
    per_series: list[SeriesRow]
    pooled_tests: PooledTestsBlock | None
    caar_path_at_horizons: list[CaarAtHorizon]
    calibration: PooledCalibrationBlock | None
    warnings: list[str]


# ---- validation and the schema --------------------------------------------------------------


def validated_pooled_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """``summary`` as summary.json holds it (``backtest._json``: floats to 12 significant
    digits, NaN to null, keys sorted), validated and serialised by ``PooledSummaryModel``;
    raises pydantic's ``ValidationError`` naming each bad key's path."""
    checked = PooledSummaryModel.model_validate(json.loads(dumps(summary)))
    dumped = checked.model_dump(exclude_unset=True, by_alias=True)
    plain: dict[str, Any] = json.loads(json.dumps(dumped, sort_keys=True))
    return plain


def pooled_summary_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a pooled claim's summary.json, generated from
    ``PooledSummaryModel``."""
    generated = _tidy(PooledSummaryModel.model_json_schema(mode="validation", by_alias=True))
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": POOLED_SCHEMA_ID, "title": POOLED_SCHEMA_TITLE, **generated}


def pooled_summary_schema_text() -> str:
    """The text of pooled_summary.schema.json: the generated schema, two-space indented."""
    return json.dumps(pooled_summary_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_pooled_summary_schema(path: str | Path = POOLED_SCHEMA_FILE) -> Path:
    """Write the generated schema to ``path`` (by default the committed file beside this
    module) and return the path."""
    return write_summary_schema(path, pooled_summary_schema_text())


if __name__ == "__main__":
    print(write_pooled_summary_schema())
