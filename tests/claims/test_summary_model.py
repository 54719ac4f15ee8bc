"""summary.json's model: the committed schema is the one the model generates, every committed
claim summary validates with it (jsonschema) and round-trips through the model to the same
bytes, and a broken summary fails with a message naming the bad key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from backtest._json import dumps
from backtest.claims import SCHEMA_PATH
from backtest.claims.summary_model import (
    SCHEMA_FILE,
    SCHEMA_ID,
    SCHEMA_TITLE,
    SummaryModel,
    summary_json_schema,
    summary_schema_text,
    validated_summary,
    with_validated_family,
    write_summary_schema,
)

RESULTS = Path(__file__).resolve().parents[2] / "results"
CLAIM_SUMMARIES = sorted(
    path
    for path in RESULTS.rglob("summary.json")
    if json.loads(path.read_text(encoding="utf-8")).get("kind") == "claim"
)


def _load(path: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_the_committed_schema_is_the_generated_one_byte_for_byte() -> None:
    assert SCHEMA_FILE == SCHEMA_PATH
    assert SCHEMA_PATH.read_text(encoding="utf-8") == summary_schema_text(), (
        "summary.schema.json is stale: regenerate it with `python -m backtest.claims.summary_model`"
    )


def test_the_generated_schema_is_draft_2020_12_with_its_id_and_title() -> None:
    schema = summary_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (schema["$id"], schema["title"]) == (SCHEMA_ID, SCHEMA_TITLE)
    assert schema["description"].startswith("Returns are fractions (0.05 = 5%)")
    # descriptions of the schema's sections come from the model's fields and docstrings
    assert "simulated detectable effect" in json.dumps(schema["$defs"]["PowerBlock"])
    assert schema["properties"]["parameters"]["$ref"] == "#/$defs/ParametersBlock"
    assert "0: not run" in schema["$defs"]["ParametersBlock"]["properties"]["n_power_paths"]["description"]


def test_the_schema_keeps_a_property_named_title_but_no_generated_titles() -> None:
    schema = summary_json_schema()
    assert "title" in schema["$defs"]["ClaimBlock"]["properties"]
    assert "title" not in schema["$defs"]["ClaimBlock"]
    assert "title" not in schema["$defs"]["ClaimBlock"]["properties"]["statement"]


def test_writing_the_schema_writes_the_generated_text(tmp_path: Path) -> None:
    path = write_summary_schema(tmp_path / "summary.schema.json")
    assert path.read_text(encoding="utf-8") == summary_schema_text()


def test_there_are_committed_claim_summaries_to_check() -> None:
    # the gallery's six claims and the study scripts' event studies
    assert len(CLAIM_SUMMARIES) >= 6


@pytest.mark.parametrize("path", CLAIM_SUMMARIES, ids=lambda path: path.parent.name)
def test_a_committed_summary_validates_and_round_trips_to_its_bytes(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    summary = _load(path)
    assert [error.message for error in validator.iter_errors(summary)] == []
    checked = validated_summary(summary)
    assert checked == summary
    assert dumps(checked) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [p for p in CLAIM_SUMMARIES if "family" in _load(p)], ids=lambda p: p.parent.name)
def test_a_family_block_added_to_a_validated_summary_gives_the_committed_bytes(path: Path) -> None:
    summary = _load(path)
    family = summary.pop("family")
    assert dumps(with_validated_family(validated_summary(summary), family)) == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    return _load(RESULTS / "claims" / "vix_above_30" / "summary.json")


def _broken(summary: dict[str, Any], path: tuple[str | int, ...], value: Any = ...) -> dict[str, Any]:
    """A copy of ``summary`` with the key at ``path`` deleted (value ``...``) or set."""
    broken = copy.deepcopy(summary)
    parent: Any = broken
    for key in path[:-1]:
        parent = parent[key]
    if value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return broken


def _error_text(summary: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        SummaryModel.model_validate(summary)
    return str(caught.value)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        (("conclusion",), "conclusion\n  Field required"),
        (("conclusion", "overall"), "conclusion.overall\n  Field required"),
        (("statistics", "horizons", 0, "verdicts", "B"), "statistics.horizons.0.verdicts.B\n  Field required"),
        (("data", "n_closes"), "data.n_closes\n  Field required"),
    ],
)
def test_a_missing_required_key_is_named(
    summary: dict[str, Any], validator: jsonschema.Draft202012Validator, path: tuple[str | int, ...], named: str
) -> None:
    broken = _broken(summary, path)
    assert named in _error_text(broken)
    assert not validator.is_valid(broken)


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("events", "n"), "12", "events.n\n  Input should be a valid integer"),
        (("events", "n"), True, "events.n\n  Input should be a valid integer"),
        (("events", "n"), -1, "events.n\n  Input should be greater than or equal to 0"),
        (("events", "dates", 0), "2001/09/17", "events.dates.0\n  String should match pattern"),
        (("claim", "direction"), "up", "claim.direction\n  Input should be 'gains' or 'losses'"),
        (("claim", "title"), None, "claim.title\n  Input should be a valid string"),
        (("conclusion", "primary_pvalue"), 1.5, "conclusion.primary_pvalue\n  Value error, expected a number or null"),
        (("conclusion", "primary_pvalue"), True, "conclusion.primary_pvalue\n  Value error, expected a number or null"),
        (("robustness", "alpha"), 1, "robustness.alpha\n  Value error, expected a number (exclusiveMinimum 0, "),
        (("parameters", "horizons"), [], "parameters.horizons\n  List should have at least 1 item"),
        (("schema_version",), 2, "schema_version\n  Input should be 1"),
        (("schema_version",), True, "schema_version\n  Value error, expected the integer 1"),
        (("events", "surprise"), 1, "events.surprise\n  Extra inputs are not permitted"),
    ],
)
def test_a_wrong_value_is_named(
    summary: dict[str, Any],
    validator: jsonschema.Draft202012Validator,
    path: tuple[str | int, ...],
    value: Any,
    named: str,
) -> None:
    broken = _broken(summary, path, value)
    assert named in _error_text(broken)
    assert not validator.is_valid(broken)


def test_an_open_block_keeps_the_keys_the_stats_layer_adds(
    summary: dict[str, Any], validator: jsonschema.Draft202012Validator
) -> None:
    extended = _broken(summary, ("statistics", "horizons", 0, "tests", "new_test"), {"pvalue": 0.5})
    extended = _broken(extended, ("statistics", "new_block"), [1, 2.5])
    assert validator.is_valid(extended)
    assert validated_summary(extended) == extended


def test_a_key_a_summary_may_leave_out_stays_out(summary: dict[str, Any]) -> None:
    without = _broken(summary, ("statistics", "horizons", 0, "judged"))
    assert "judged" not in validated_summary(without)["statistics"]["horizons"][0]
    assert "family" not in validated_summary(_broken(summary, ("family",)))
    # left out, never null: the schema types it boolean
    assert "statistics.horizons.0.judged\n  Input should be a valid boolean" in _error_text(
        _broken(summary, ("statistics", "horizons", 0, "judged"), None)
    )


def test_numbers_keep_their_json_type_and_are_rounded_as_summary_json_writes_them(summary: dict[str, Any]) -> None:
    raw = _broken(summary, ("path_band", "q50"), 100.123456789012345)
    raw = _broken(raw, ("path_band", "q95"), float("nan"))
    checked = validated_summary(raw)
    assert checked["path_band"]["q50"] == 100.123456789 and checked["path_band"]["q95"] is None
    assert isinstance(checked["events"]["n"], int) and isinstance(checked["robustness"]["alpha"], float)
    # an integer where the schema says number stays an integer (pydantic's float would write 30.0)
    assert checked["spec"]["filters"] == summary["spec"]["filters"]
