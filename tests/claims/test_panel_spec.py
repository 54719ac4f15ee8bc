"""The pooled tables' models (backtest.claims.panel_spec): defaults filled as documented, the
universe folder checked against the spec's folder, the choices read from their registries,
and every refusal one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backtest.claims.panel_spec import (
    DEFAULT_MARKET_SERIES,
    POOLED_PRIMARY_TESTS,
    PooledAnalysisTable,
    PooledBenchmarkTable,
    PooledSeriesTable,
    read_pooled_tables,
)
from backtest.data.catalog import SERIES_GROUPS
from backtest.errors import SpecError
from backtest.stats.pooled import DEFAULT_MIN_ESTIMATION_OBS, MODELS


def _read(tmp_path: Path, **tables: Any) -> Any:
    return read_pooled_tables({"series": {"names": ["XLU"]}, **tables}, "p.toml", tmp_path)


def _choices(model: Any, key: str) -> list[str]:
    """The names a key's JSON Schema lists (of its one option that is not null)."""
    schema = model.model_json_schema()["properties"][key]
    options = [option for option in schema.get("anyOf", [schema]) if "enum" in option]
    return list(options[0]["enum"])


def test_the_schema_lists_the_registries_choices() -> None:
    assert _choices(PooledBenchmarkTable, "model") == list(MODELS)
    assert _choices(PooledSeriesTable, "group") == list(SERIES_GROUPS)
    assert _choices(PooledAnalysisTable, "pooled_primary") == list(POOLED_PRIMARY_TESTS)


@pytest.mark.parametrize(
    ("benchmark", "series", "window", "min_observations"),
    [
        ({}, DEFAULT_MARKET_SERIES, (-250, -30), DEFAULT_MIN_ESTIMATION_OBS),  # the market model on SPY
        ({"model": "market_adjusted", "series": "IWM"}, "IWM", (-250, -30), DEFAULT_MIN_ESTIMATION_OBS),
        ({"model": "raw"}, None, (-250, -30), DEFAULT_MIN_ESTIMATION_OBS),
        # a window shorter than the default count: every day of it
        ({"model": "mean_adjusted", "estimation_window": [-40, -11]}, None, (-40, -11), 30),
    ],
)
def test_the_benchmark_defaults_are_filled_as_documented(
    tmp_path: Path, benchmark: dict[str, Any], series: str | None, window: tuple[int, int], min_observations: int
) -> None:
    model = _read(tmp_path, benchmark=benchmark).benchmark
    assert (model.series, model.estimation_window, model.min_observations) == (series, window, min_observations)


@pytest.mark.parametrize(
    ("universe", "message"),
    [
        ("../elsewhere", "p.toml: [series] universe: '../elsewhere' leaves the spec's folder; give an absolute path"),
        ("missing", "p.toml: [series] universe: 'missing' is not a folder"),
        ("empty", "p.toml: [series] universe: 'empty' holds no CSV file"),
    ],
)
def test_a_universe_folder_is_refused_in_one_line(tmp_path: Path, universe: str, message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a series")
    with pytest.raises(SpecError) as caught:
        read_pooled_tables({"series": {"universe": universe}}, "p.toml", tmp_path)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"benchmark": {"model": "market", "min_observations": 2}}, "from 3 to the window's 221 days, got 2"),
        ({"benchmark": {"model": "raw", "min_observations": 1}}, None),  # raw fits nothing: one return will do
        ({"benchmark": {"model": "market", "estimation_window": [-30, True]}}, "must be two trading-day offsets"),
        ({"series": {"names": ["XLU"], "daily_only": 1}}, "[series] daily_only: must be true or false, got 1"),
        ({"analysis": {"pooled_primary": "kolari_pynonen"}}, "did you mean `kolari_pynnonen`?"),
        ({"analysis": {"calibration": -1}}, "[analysis] calibration: must be at least 0, got -1"),
        (
            {"series": {"group": "sectors", "universe": "u"}},
            "[series]: give exactly one of name, names, group, universe",
        ),
    ],
)
def test_a_bad_pooled_key_is_one_line_naming_it(tmp_path: Path, tables: dict[str, Any], message: str | None) -> None:
    if message is None:
        assert _read(tmp_path, **tables).benchmark.min_observations == 1
        return
    with pytest.raises(SpecError) as caught:
        _read(tmp_path, **tables)
    assert str(caught.value).startswith("p.toml: [") and message in str(caught.value)
    assert "\n" not in str(caught.value)
