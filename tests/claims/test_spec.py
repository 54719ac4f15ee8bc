"""Claim specs: the issue's minimal contract parses as written; every mistake is one line
naming the spec file and the key, with exit status 2, before any data is loaded."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import backtest.claims.jobs
from backtest.claims import TEMPLATE_PATH, load_spec
from backtest.claims.jobs import load_job
from backtest.claims.spec import (
    EVENT_KINDS,
    TOP_LEVEL,
    indicator_markdown,
    indicator_reference,
    spec_from_dict,
    spec_schema,
)
from backtest.cli import main
from backtest.errors import SpecError
from tests.claims.conftest import minimal

ISSUE_SPEC = """\
[claim]
title = "Oversold Russell 2000"
statement = "When the Russell 2000's 14-day RSI drops below 30, gains follow over the next 3 months."
source = "..."            # optional
published = "2025-07-30"  # optional: events after it are out of sample
direction = "gains"       # or "losses"
horizons = ["1m", "3m"]   # the horizon labels used today

[series]
name = "russell2000"      # a catalog name, or a CSV path relative to the spec file

[event]
kind = "threshold"        # ma_cross | line_cross | threshold | new_high | new_low | dates
indicator = "rsi"         # Wilder's RSI
window = 14
level = 30
cross = "below"           # fires on t when the value is >= 30 on t-1 and < 30 on t

[rules]                   # optional: start, end, confirm, min_gap, entry
start = "1990-01-01"
"""


def test_the_issue_spec_parses_as_written(tmp_path: Path) -> None:
    path = tmp_path / "oversold.toml"
    path.write_text(ISSUE_SPEC)
    spec = load_spec(path)
    assert spec.claim.title == "Oversold Russell 2000" and spec.claim.published == "2025-07-30"
    assert spec.claim.horizons == ("1m", "3m") and spec.judged_horizons() == ("1m", "3m")
    assert spec.event.kind == "threshold" and spec.event.line.indicator == "rsi" and spec.event.line.window == 14
    assert spec.event.level == 30.0 and spec.event.cross == "below"
    assert spec.rules.start == "1990-01-01" and spec.rules.min_gap == 0 and spec.rules.entry == "close"
    assert spec.series == "russell2000" and spec.name == "oversold"


def test_the_template_of_claim_new_is_a_valid_spec() -> None:
    spec = load_spec(TEMPLATE_PATH)
    assert spec.event.kind == "threshold"


def test_claim_new_writes_the_template_and_never_replaces_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.toml"
    assert main(["claim", "new", str(path)]) == 0
    assert path.read_bytes() == TEMPLATE_PATH.read_bytes()
    assert main(["claim", "check", str(path)]) == 0
    path.write_text("my notes")
    assert main(["claim", "new", str(path)]) == 2
    assert path.read_text() == "my notes"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "exists" in err[0]


def _with(change: Any) -> dict[str, Any]:
    tables = minimal()
    change(tables)
    return tables


def _set(table: str, key: str, value: Any) -> Any:
    def change(tables: dict[str, Any]) -> None:
        tables.setdefault(table, {})[key] = value

    return change


def _drop(table: str, key: str | None = None) -> Any:
    def change(tables: dict[str, Any]) -> None:
        if key is None:
            del tables[table]
        else:
            del tables[table][key]

    return change


def _replace_event(**event: Any) -> Any:
    def change(tables: dict[str, Any]) -> None:
        tables["event"] = event

    return change


def _add(name: str, item: dict[str, Any]) -> Any:
    def change(tables: dict[str, Any]) -> None:
        tables.setdefault(name, []).append(item)

    return change


BAD_SPECS = [
    # unknown keys
    ("unknown key in [claim]", _set("claim", "titel", "x"), "[claim] titel: unknown key"),
    ("unknown key in [event]", _set("event", "windw", 14), "[event] windw: unknown key"),
    ("key of another kind", _set("event", "fast", 50), "[event] fast: unknown key"),
    ("unknown key in [rules]", _set("rules", "gap", 5), "[rules] gap: unknown key"),
    ("unknown table", _set("output", "dir", "x"), "[output]: unknown table"),
    # a near miss gets the key probably meant
    (
        "misspelled key",
        _set("rules", "min_gp", 5),
        "[rules] min_gp: unknown key (known: confirm, end, entry, min_gap, start); did you mean `min_gap`?",
    ),
    (
        "misspelled required key",
        lambda t: t["claim"].update(statment=t["claim"].pop("statement")),
        "[claim] statment: unknown key; did you mean `statement`?",
    ),
    ("misspelled event key", _set("event", "levle", 30), "[event] levle: unknown key"),
    ("misspelled table", _set("rule", "start", "1990-01-01"), "[rule]: unknown table (known: claim, series"),
    ("misspelled table hint", _set("anlysis", "calibration", 5), "did you mean `analysis`?"),
    (
        "misspelled filter key",
        _add("filters", {"indicator": "rsi", "operater": "<", "operator": "<", "level": 70}),
        "[filters 1] operater: unknown key (known: indicator, level, operator, series, window); did you mean `operator`?",
    ),
    (
        "unknown key in a filter",
        _add("filters", {"indicator": "rsi", "operator": "<", "level": 70, "colour": "red"}),
        "[filters 1] colour: unknown key",
    ),
    # wrong types
    ("window as text", _set("event", "window", "14"), "[event] window: must be an integer, got '14'"),
    ("level as text", _set("event", "level", "30"), "[event] level: must be a number"),
    ("level as boolean", _set("event", "level", True), "[event] level: must be a number"),
    ("horizons as text", _set("claim", "horizons", "3m"), "[claim] horizons: must be a list"),
    ("title as number", _set("claim", "title", 3), "[claim] title: must be a string"),
    ("min_gap negative", _set("rules", "min_gap", -1), "[rules] min_gap: must be at least 0"),
    ("confirm as float", _set("rules", "confirm", 1.5), "[rules] confirm: must be an integer"),
    ("series name as list", _set("series", "name", ["russell2000"]), "[series] name: must be a string"),
    # missing keys and tables
    ("no [event]", _drop("event"), "[event]: missing (required)"),
    ("no title", _drop("claim", "title"), "[claim] title: missing (required)"),
    ("no level", _drop("event", "level"), "[event] level: missing (required)"),
    ("no series for level", _replace_event(kind="threshold", indicator="level", level=30), "[event] series: missing"),
    # missing files
    (
        "missing dates file",
        _replace_event(kind="dates", file="nowhere.csv"),
        "[event] file: file not found: nowhere.csv",
    ),
    ("missing series CSV", _set("series", "name", "data/closes.csv"), "[series] name: file not found: data/closes.csv"),
    ("missing benchmark CSV", _set("benchmark", "relative_to", "bench.csv"), "[benchmark] relative_to: file not found"),
    # bad kinds and choices
    ("bad kind", _set("event", "kind", "golden_cross"), "[event] kind: must be one of ma_cross, line_cross"),
    ("bad indicator", _set("event", "indicator", "macd"), "[event] indicator: must be one of"),
    ("bad cross", _set("event", "cross", "under"), "[event] cross: must be one of above, below"),
    ("bad direction", _set("claim", "direction", "up"), "[claim] direction: must be one of gains, losses"),
    ("bad entry", _set("rules", "entry", "open"), "[rules] entry: must be one of close, next_close"),
    ("bad operator", _add("filters", {"indicator": "rsi", "operator": "=<", "level": 70}), "[filters 1] operator"),
    (
        "fast not below slow",
        _replace_event(kind="ma_cross", fast=200, slow=50),
        "[event] fast: must be shorter than slow",
    ),
    # bad horizon labels
    (
        "bad horizon label",
        _set("claim", "horizons", ["3 months"]),
        "[claim] horizons: '3 months' is not a horizon label",
    ),
    ("zero horizon", _set("claim", "horizons", ["0m"]), "[claim] horizons: '0m' is not a horizon label"),
    ("horizon in years", _set("claim", "horizons", ["1y"]), "[claim] horizons: '1y'"),
    ("empty horizons", _set("claim", "horizons", []), "[claim] horizons: must list at least one"),
    ("duplicate horizon", _set("claim", "horizons", ["3m", "3m"]), "[claim] horizons: lists a horizon twice"),
    (
        "verdict horizon not measured",
        _set("claim", "verdict_horizons", ["6m"]),
        "[claim] verdict_horizons: '6m' is not among",
    ),
    # bad dates
    (
        "bad start date",
        _set("rules", "start", "1990-13-01"),
        "[rules] start: must be a date like 2025-07-30, got '1990-13-01'",
    ),
    ("bad published date", _set("claim", "published", "July 30, 2025"), "[claim] published: must be a date"),
    ("end before start", _set("rules", "end", "1980-01-01"), "[rules] end: 1980-01-01 is before start 1990-01-01"),
    (
        "fact period backwards",
        _add("facts", {"statement": "s", "figure": 0.01, "period": ["2025-07-31", "2025-06-30"]}),
        "[facts 1] period: start 2025-07-31 is not before end",
    ),
    (
        "fact without figure",
        _add("facts", {"statement": "s", "period": ["2025-06-30", "2025-07-31"]}),
        "[facts 1] figure: missing (required)",
    ),
    (
        "fact roughly below tolerance",
        _add(
            "facts",
            {
                "statement": "s",
                "figure": 0.01,
                "period": ["2025-06-30", "2025-07-31"],
                "tolerance": 0.01,
                "roughly": 0.005,
            },
        ),
        "[facts 1] roughly: must be >=",
    ),
    (
        "unknown key in a fact",
        _add("facts", {"statement": "s", "figure": 0.01, "period": ["2025-06-30", "2025-07-31"], "precision": 0.001}),
        "[facts 1] precision: unknown key",
    ),
    # [[variants]], [[published]], [analysis]
    ("variant without name", _add("variants", {"min_gap": 5}), "[variants 1] name: missing (required)"),
    ("unknown key in a variant", _add("variants", {"name": "v", "gap": 5}), "[variants 1] gap: unknown key"),
    (
        "variant confirm as text",
        _add("variants", {"name": "v", "confirm": "5"}),
        "[variants 1] confirm: must be an integer",
    ),
    ("variant bad entry", _add("variants", {"name": "v", "entry": "open"}), "[variants 1] entry: must be one of close"),
    ("variant bad start", _add("variants", {"name": "v", "start": "1990-02-30"}), "[variants 1] start: must be a date"),
    (
        "variant missing series CSV",
        _add("variants", {"name": "v", "series": "other.csv"}),
        "[variants 1] series: file not found: other.csv",
    ),
    (
        "variant filters not a list",
        _add("variants", {"name": "v", "filters": {"indicator": "rsi"}}),
        "[variants 1] filters: must be a list",
    ),
    (
        "variant filter bad operator",
        _add("variants", {"name": "v", "filters": [{"indicator": "rsi", "operator": "=<", "level": 1}]}),
        "[variants 1 filters 1] operator: must be one of",
    ),
    (
        "variant filter unknown key",
        _add(
            "variants", {"name": "v", "filters": [{"indicator": "rsi", "operator": "<", "level": 1, "colour": "red"}]}
        ),
        "[variants 1 filters 1] colour: unknown key",
    ),
    (
        "duplicate variant names",
        lambda t: t.update(variants=[{"name": "v", "min_gap": 5}, {"name": "v", "confirm": 2}]),
        "[[variants]] name: 'v' is used twice",
    ),
    (
        "published without figures",
        _add("published", {"source": "s", "what": "w"}),
        "[published 1] figures: missing (required)",
    ),
    (
        "published figures as number",
        _add("published", {"source": "s", "what": "w", "figures": 0.02}),
        "[published 1] figures: must be a table, got 0.02",
    ),
    (
        "published horizon not measured",
        _add("published", {"source": "s", "what": "w", "figures": {"6m": 0.02}}),
        "[published 1] figures: '6m' is not among the claim's horizons",
    ),
    (
        "published figure as text",
        _add("published", {"source": "s", "what": "w", "figures": {"3m": "2%"}}),
        "[published 1] figures: 3m must be a finite number",
    ),
    (
        "published on a list of dates",
        lambda t: t.update(
            event={"kind": "dates", "file": "claim.toml"},  # any existing file: checked before it is read
            published=[{"source": "s", "what": "w", "figures": {"3m": 0.02}}],
        ),
        "[[published]]: needs an event rule",
    ),
    ("calibration negative", _set("analysis", "calibration", -5), "[analysis] calibration: must be at least 0"),
    ("unknown key in analysis", _set("analysis", "replications", 5), "[analysis] replications: unknown key"),
    ("daily_only as text", _set("series", "daily_only", "yes"), "[series] daily_only: must be true or false"),
]


@pytest.mark.parametrize("case, change, fragment", BAD_SPECS, ids=[case for case, _, _ in BAD_SPECS])
@pytest.mark.parametrize("command", ["check", "run"])
def test_a_bad_spec_is_one_line_naming_file_and_key_and_exit_2(
    case: str, change: Any, fragment: str, command: str, write_spec: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_spec(_with(change))
    assert (
        main(["claim", command, str(path), "--output-dir", str(path.parent / "out")][: 3 if command == "check" else 5])
        == 2
    )
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"error: {path}: "), lines[0]
    assert fragment in lines[0], lines[0]
    assert not (path.parent / "out").exists()  # refused before any output or data


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[claim\ntitle = 1", "not valid TOML"),
        ("title = 'x'\n", "[title]: unknown table"),
        (b"\xff\xfe".decode("latin-1"), "not UTF-8"),
    ],
    ids=["broken TOML", "top-level key", "not UTF-8"],
)
def test_unreadable_specs_are_one_line(
    text: str, fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(text.encode("latin-1"))
    assert main(["claim", "check", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and str(path) in lines[0]


def test_a_missing_spec_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claim", "run", str(tmp_path / "nope.toml")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "nope.toml: spec file not found" in lines[0]


def test_specs_built_in_code_are_checked_the_same_way() -> None:
    tables = minimal()
    tables["event"]["window"] = "fourteen"
    with pytest.raises(SpecError, match=r"^<code>: \[event\] window: must be an integer"):
        spec_from_dict(tables)


def test_relative_paths_are_relative_to_the_spec_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "days.csv").write_text("date\n2020-03-16\n")
    tables = minimal()
    tables["event"] = {"kind": "dates", "file": "days.csv"}
    spec = spec_from_dict(tables, origin="sub/x.toml", base_dir=tmp_path / "sub")
    assert spec.resolve(spec.event.file) == tmp_path / "sub" / "days.csv"
    with pytest.raises(SpecError, match="file not found: days.csv"):
        spec_from_dict(tables, origin="x.toml", base_dir=tmp_path)


def test_variants_published_and_analysis_parse_into_the_spec(tmp_path: Path) -> None:
    path = tmp_path / "full.toml"
    path.write_text(
        ISSUE_SPEC
        + """
[analysis]
calibration = 20

[[variants]]
name = "de-clustered"
min_gap = 63

[[variants]]
name = "calm VIX, relative to SPY"
relative_to = "SPY"
entry = "next_close"
filters = [{ indicator = "level", series = "VIX", operator = "<", level = 20 }]

[[published]]
source = "a newsletter"
what = "its average"
figures = { "3m" = 0.02 }
all_days = { "3m" = 0.015 }
start = "2000-01-01"

[[facts]]
statement = "up 2%"
figure = 0.02
period = ["2024-12-31", "2025-06-30"]
tolerance = 0.0005
roughly = 0.01
proxy_note = "a proxy"
"""
    )
    spec = load_spec(path)
    gap, calm = spec.variants
    assert gap.name == "de-clustered" and gap.min_gap == 63 and gap.confirm is None and gap.start is None
    assert calm.relative_to == "SPY" and calm.entry == "next_close"
    (condition,) = calm.filters
    assert condition.line.indicator == "level" and condition.line.series == "VIX" and condition.level == 20.0
    (item,) = spec.published
    assert item.figures == (("3m", 0.02),) and item.all_days == (("3m", 0.015),) and item.start == "2000-01-01"
    assert spec.analysis.calibration == 20
    (fact,) = spec.facts
    assert fact.tolerance == 0.0005 and fact.roughly_band == 0.01 and fact.proxy_note == "a proxy"
    assert spec.to_dict()["variants"][1]["filters"][0]["operator"] == "<"


# -- one indicator table: the template, the docs and the errors read it ------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "claims.md"


def test_the_template_lists_every_indicator_from_the_table() -> None:
    template = TEMPLATE_PATH.read_text(encoding="utf-8")
    assert indicator_reference() in template, (
        "regenerate the template's indicator block: backtest.claims.spec.indicator_reference()"
    )
    assert "level in (-1, 0]; a fraction of the running peak: -0.20 = 20% below it" in template


def test_the_docs_hold_the_indicator_table_as_generated() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert indicator_markdown() in docs, "regenerate docs/claims.md's table: backtest.claims.spec.indicator_markdown()"
    assert "| `rsi` |" in docs and "| in [0, 100] |" in docs


def _keys(schema: dict[str, Any]) -> set[str]:
    """Every key of every table a JSON Schema describes (its properties, its $defs')."""
    keys = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        keys |= set(definition.get("properties", {}))
    return keys


JOB_LAYER_DEFINITIONS = {
    *("ClaimJobTable", "ClaimReportTable", "SweepJobTable", "SweepReportTable", "SweepTable"),
    *("StrategyJobTable", "StrategyReportTable", "StrategyTable", "SweepSpecFile", "StrategySpecFile"),
}
"""The schema's definitions of the job layer's tables, documented with the studies, not in docs/claims.md."""


def test_the_docs_name_every_table_key_and_event_kind() -> None:
    schema = spec_schema()
    claim_file = schema["$defs"]["ClaimSpecFile"]
    tables = set(claim_file["properties"]) - {"job", "report"}
    claim_definitions = {name: body for name, body in schema["$defs"].items() if name not in JOB_LAYER_DEFINITIONS}
    read = _keys({"properties": claim_file["properties"], "$defs": claim_definitions}) - tables - {"job", "report"}
    docs = DOCS.read_text(encoding="utf-8")
    assert {"title", "kind", "level", "against_window", "relative_to", "proxy_note", "calibration"} <= read
    assert {"names", "group", "universe", "model", "estimation_window", "pooled_primary"} <= read  # pooled
    assert [key for key in sorted(read) if f"`{key}`" not in docs] == []
    assert tables == set(TOP_LEVEL)
    assert [table for table in TOP_LEVEL if f"[{table}]" not in docs] == []
    assert [kind for kind in EVENT_KINDS if f"| `{kind}` |" not in docs] == []


# -- the JSON Schema of a spec, generated from the models -------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _json_ready(value: Any) -> Any:
    """TOML values as JSON has them: a date as its ISO string."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _gallery() -> list[Path]:
    """Every spec of the gallery, of every kind: the studies (claims with a [report] table, a
    sweep, a strategy), the claims and the pooled claims."""
    return sorted(
        [
            *(ROOT / "studies").glob("*.toml"),
            *(ROOT / "studies" / "claims").glob("*.toml"),
            *(ROOT / "studies" / "claims" / "pooled").glob("*.toml"),
        ]
    )


def _validator() -> jsonschema.Draft202012Validator:
    schema = spec_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_gallery_has_a_spec_of_every_kind() -> None:
    kinds = {type(load_job(path)).__name__ for path in _gallery()}
    assert kinds == {"ClaimJob", "PooledJob", "SweepJob", "StrategyJob"}


@pytest.mark.parametrize("path", _gallery(), ids=lambda path: path.name)
def test_every_gallery_spec_validates_against_the_schema(path: Path) -> None:
    load_job(path)  # a valid spec by the loader ...
    values = _json_ready(tomllib.loads(path.read_text(encoding="utf-8")))
    errors = [error.message for error in _validator().iter_errors(values)]
    assert errors == []  # ... is valid by the schema too


def test_the_schema_tells_a_pooled_claim_apart_as_the_loader_does() -> None:
    pooled = _json_ready(
        tomllib.loads((ROOT / "studies" / "claims" / "pooled" / "sector_golden_cross.toml").read_text())
    )
    validator = _validator()
    assert validator.is_valid(pooled)
    one_series = {**pooled, "series": {"name": "XLK"}}  # no group, no [benchmark] model: a single claim's tables
    del one_series["benchmark"]
    assert not validator.is_valid(one_series)  # [analysis] pooled_primary is a pooled claim's key
    one_series["analysis"] = {}
    assert validator.is_valid(one_series)
    assert validator.is_valid({**one_series, "benchmark": {"model": "raw"}})  # a model makes it pooled


def _edited(path: Path, table: str, key: str, value: Any) -> dict[str, Any]:
    values: dict[str, Any] = _json_ready(tomllib.loads(path.read_text(encoding="utf-8")))
    values.setdefault(table, {})[key] = value
    return values


@pytest.mark.parametrize(
    ("spec", "table", "key", "value"),
    [
        ("russell2000_ma_sweep.toml", "sweep", "reps", -1),
        ("russell2000_ma_sweep.toml", "sweep", "rep", 10),
        ("russell2000_ma_sweep.toml", "sweep", "ma", "wma"),
        ("russell2000_ma_sweep.toml", "sweep", "reference", "50-200"),
        ("russell2000_ma_sweep.toml", "job", "kind", "swep"),
        ("russell2000_ma_strategy.toml", "strategy", "sections", ["only one"]),
        ("russell2000_ma_strategy.toml", "strategy", "fee", "0.1%"),
        ("russell2000_ma_strategy.toml", "report", "title", 3),
        ("russell2000_golden_cross.toml", "report", "narrative", "no hook"),
        ("russell2000_golden_cross.toml", "report", "narative", "a:b"),
        ("claims/pooled/sector_golden_cross.toml", "benchmark", "model", "capm"),
        ("claims/pooled/sector_golden_cross.toml", "analysis", "pooled_primary", "kolari"),
        ("claims/pooled/sector_golden_cross.toml", "series", "group", "sector"),
        ("claims/pooled/sector_golden_cross.toml", "benchmark", "estimation_window", [-30]),
    ],
)
def test_the_schema_and_the_loader_refuse_a_bad_key_of_every_kind_of_spec(
    spec: str, table: str, key: str, value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ROOT / "studies" / spec
    values = _edited(path, table, key, value)
    assert not _validator().is_valid(values)
    # the loader refuses it too, with one line naming the table and the key
    toml_values = tomllib.loads(path.read_text(encoding="utf-8"))
    toml_values.setdefault(table, {})[key] = value
    monkeypatch.setattr(backtest.claims.jobs, "read_tables", lambda _: toml_values)
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: \[{table}\] {key}: "):
        load_job(path)


def test_a_spec_with_every_table_of_every_kind_validates_against_the_schema(tmp_path: Path) -> None:
    validator = _validator()
    (tmp_path / "days.csv").write_text("date\n2020-03-16\n")
    events: dict[str, dict[str, Any]] = {
        "ma_cross": {"kind": "ma_cross"},
        "threshold": {"kind": "threshold", "indicator": "rsi", "level": 30},
        "line_cross": {"kind": "line_cross", "indicator": "close", "against": "sma"},
        "new_high": {"kind": "new_high"},
        "new_low": {"kind": "new_low"},
        "dates": {"kind": "dates", "file": "days.csv"},
    }
    assert set(events) == set(EVENT_KINDS)
    for event in events.values():
        tables = minimal()
        tables["event"] = event
        tables["filters"] = [{"indicator": "rsi", "operator": "<", "level": 70}]
        tables["benchmark"] = {"relative_to": "SPY"}
        tables["facts"] = [{"statement": "s", "figure": 0.01, "period": ["2025-06-30", "2025-07-31"]}]
        tables["variants"] = [{"name": "v", "filters": [{"indicator": "rsi", "operator": "<", "level": 70}]}]
        if event["kind"] != "dates":
            tables["published"] = [{"source": "s", "what": "w", "figures": {"3m": 0.02}}]
        tables["robustness"] = {"peers": ["SPY"]}
        spec_from_dict(tables, base_dir=tmp_path)
        assert list(validator.iter_errors(tables)) == [], event["kind"]


SCHEMA_REFUSES = [
    "unknown key in [claim]",
    "key of another kind",
    "unknown table",
    "window as text",
    "level as boolean",
    "min_gap negative",
    "confirm as float",
    "no [event]",
    "no level",
    "bad kind",
    "bad indicator",
    "bad entry",
    "zero horizon",
    "misspelled filter key",
    "published figure as text",
    "calibration negative",
]


@pytest.mark.parametrize("case", SCHEMA_REFUSES)
def test_the_schema_refuses_what_the_parser_refuses_for_its_shape(case: str) -> None:
    (change,) = [change for name, change, _ in BAD_SPECS if name == case]
    assert not _validator().is_valid(_with(change))
