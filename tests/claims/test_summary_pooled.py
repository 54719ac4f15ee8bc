"""A pooled claim's summary.json model: the committed schema is the one the model generates,
every committed pooled summary validates with it (jsonschema) and round-trips through the
model to the same bytes, and a broken summary fails naming the bad key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from backtest._json import dumps
from backtest.claims.pooled_summary_model import (
    POOLED_SCHEMA_FILE,
    POOLED_SCHEMA_ID,
    POOLED_SCHEMA_TITLE,
    pooled_summary_json_schema,
    pooled_summary_schema_text,
    validated_pooled_summary,
    write_pooled_summary_schema,
)

RESULTS = Path(__file__).resolve().parents[2] / "results"
POOLED_SUMMARIES = sorted(
    path
    for path in RESULTS.rglob("summary.json")
    if json.loads(path.read_text(encoding="utf-8")).get("kind") == "pooled_claim"
)


def _load(path: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(POOLED_SCHEMA_FILE.read_text(encoding="utf-8")))


def test_the_committed_schema_is_the_generated_one_byte_for_byte() -> None:
    assert POOLED_SCHEMA_FILE.read_text(encoding="utf-8") == pooled_summary_schema_text(), (
        "pooled_summary.schema.json is stale: regenerate it with `python -m backtest.claims.pooled_summary_model`"
    )


def test_the_generated_schema_is_draft_2020_12_told_apart_by_its_kind() -> None:
    schema = pooled_summary_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert (schema["$id"], schema["title"]) == (POOLED_SCHEMA_ID, POOLED_SCHEMA_TITLE)
    assert schema["properties"]["kind"] == {"const": "pooled_claim", "type": "string"}
    assert schema["properties"]["verdict"]["enum"] == ["supported", "not supported", "contradicted", "not testable"]
    assert "schema" not in schema["properties"]
    assert schema["additionalProperties"] is False


def test_writing_the_schema_writes_the_generated_text(tmp_path: Path) -> None:
    path = write_pooled_summary_schema(tmp_path / "pooled_summary.schema.json")
    assert path.read_text(encoding="utf-8") == pooled_summary_schema_text()


def test_there_are_committed_pooled_summaries_to_check() -> None:
    assert {path.parent.name for path in POOLED_SUMMARIES} >= {"sector_golden_cross", "peers_golden_cross_pooled"}


@pytest.mark.parametrize("path", POOLED_SUMMARIES, ids=lambda path: path.parent.name)
def test_a_committed_pooled_summary_validates_and_round_trips_to_its_bytes(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    summary = _load(path)
    assert [error.message for error in validator.iter_errors(summary)] == []
    assert dumps(validated_pooled_summary(summary)) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.update(kind="claim"), "kind"),
        (lambda s: s.update(verdict="maybe"), "verdict"),
        (lambda s: s.update(n_series=True), "n_series"),
        (lambda s: s["benchmark"].update(model="capm"), "benchmark.model"),
        (lambda s: s["primary_test"]["rows"][0].update(pvalue=1.5), "primary_test.rows.0.pvalue"),
        (lambda s: s["panel"].update(members=[]), "panel.members"),
        (lambda s: s.pop("per_series"), "per_series"),
        (lambda s: s.update(extra_block={}), "extra_block"),
    ],
)
def test_a_broken_pooled_summary_is_refused_naming_the_key(
    change: Any, where: str, validator: jsonschema.Draft202012Validator
) -> None:
    broken = copy.deepcopy(_load(POOLED_SUMMARIES[0]))
    change(broken)
    with pytest.raises(ValidationError) as caught:
        validated_pooled_summary(broken)
    assert where in str(caught.value).replace(" ", "").splitlines()[1]
    assert not validator.is_valid(broken)  # the committed schema refuses it too


def test_an_open_block_keeps_keys_the_stats_layer_adds() -> None:
    summary = copy.deepcopy(_load(POOLED_SUMMARIES[0]))
    summary["per_series"][0]["car_24m"] = 0.125  # a horizon the stats layer adds
    assert validated_pooled_summary(summary)["per_series"][0]["car_24m"] == 0.125
