"""Pooled claims (backtest.claims.panel_spec, backtest.claims.pooled): the spec's pooled tables
and their one-line errors, a one-series panel against a hand computation and against the
single claim's events, the verdict rule, and a run end to end on the built-in data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from backtest.claims import load_spec
from backtest.claims.panel_spec import DEFAULT_MARKET_SERIES, read_pooled_tables
from backtest.claims.pooled import (
    CONTRADICTED,
    _pooled_verdict,
    load_pooled_spec,
    pooled_spec_from_dict,
    run_pooled_claim,
)
from backtest.claims.pooled_summary_model import pooled_summary_json_schema
from backtest.claims.run import _Loader, _measure, horizons_of
from backtest.data.catalog import SERIES_GROUPS
from backtest.errors import SpecError
from backtest.stats.multiple import holm
from backtest.stats.verdict import NOT_SUPPORTED, NOT_TESTABLE, SUPPORTED
from tests.claims.conftest import toml_text


def pooled_tables(**changes: Any) -> dict[str, Any]:
    """A small pooled spec: golden crosses in three sector ETFs, market model on SPY."""
    tables: dict[str, Any] = {
        "claim": {
            "title": "Golden crosses in three sectors",
            "statement": "Sector golden crosses signal gains beyond the market model.",
            "direction": "gains",
            "horizons": ["1m", "3m"],
        },
        "series": {"names": ["XLU", "XLP", "XLV"]},
        "benchmark": {"model": "market", "series": "SPY"},
        "event": {"kind": "ma_cross", "fast": 50, "slow": 200, "ma": "sma", "direction": "golden"},
        "rules": {"start": "2002-01-01", "min_gap": 21},
    }
    for table, value in changes.items():
        if value is None:
            tables.pop(table, None)
        else:
            tables[table] = value
    return tables


def refusal(values: dict[str, Any], data_dir: Path | None = None) -> str:
    with pytest.raises(SpecError) as caught:
        pooled_spec_from_dict(values, origin="p.toml", data_dir=data_dir)
    message = str(caught.value)
    assert "\n" not in message
    return message


# ----------------------------------------------------------------------------- the spec


def test_a_group_names_its_catalog_members_and_the_defaults_are_the_documented_ones(
    real_data_dir: Path | None,
) -> None:
    spec = pooled_spec_from_dict(
        pooled_tables(series={"group": "sectors"}, benchmark={"model": "market"}), data_dir=real_data_dir
    )
    assert spec.series == SERIES_GROUPS["sectors"]
    assert spec.tables.benchmark.series == DEFAULT_MARKET_SERIES == "SPY"
    assert spec.tables.benchmark.estimation_window == (-250, -30)
    assert spec.tables.benchmark.min_observations == 100
    assert spec.tables.primary == "panel_shift"
    assert spec.for_series("XLK").series == "XLK"


def test_a_universe_folder_gives_its_csv_files_sorted(tmp_path: Path) -> None:
    folder = tmp_path / "universe"
    folder.mkdir()
    for name in ("b.csv", "a.csv", "notes.txt"):
        (folder / name).write_text("date,close\n")
    values = pooled_tables(series={"universe": "universe"}, benchmark={"model": "raw"})
    tables = read_pooled_tables(values, "p.toml", tmp_path)
    assert tables.panel.names == ("universe/a.csv", "universe/b.csv")
    assert tables.benchmark.series is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"series": {"names": ["XLU"], "group": "sectors"}},
            "[series]: give exactly one of name, names, group, universe (got names, group)",
        ),
        ({"series": {"group": "sector"}}, "[series] group: must be one of"),
        ({"series": {"names": ["XLU", "XLU"]}}, "[series] names: 'XLU' is named twice"),
        ({"series": {"names": []}}, "[series] names: must be a non-empty list"),
        ({"series": {"nmes": ["XLU"]}}, "[series] nmes: unknown key"),
        ({"benchmark": {"modle": "market"}}, "did you mean `model`?"),
        ({"benchmark": {"model": "capm"}}, "[benchmark] model: must be one of market, market_adjusted"),
        ({"benchmark": {"model": "raw", "series": "SPY"}}, "[benchmark] series: model 'raw' reads no market"),
        ({"benchmark": {"model": "market", "estimation_window": [-30, -250]}}, "must satisfy first < last < 0"),
        ({"benchmark": {"model": "market", "min_observations": 500}}, "[benchmark] min_observations: must be"),
        ({"benchmark": {"model": "market", "relative_to": "SPY"}}, "[benchmark] relative_to: a pooled claim"),
        ({"analysis": {"pooled_primary": "kolari"}}, "[analysis] pooled_primary: must be one of panel_shift"),
    ],
)
def test_bad_pooled_tables_are_one_line_naming_the_key(changes: dict[str, Any], expected: str) -> None:
    message = refusal(pooled_tables(**changes))
    assert message.startswith("p.toml: ")
    assert expected in message


def test_the_group_typo_and_a_series_the_catalog_lacks_are_refused_with_a_hint(real_data_dir: Path | None) -> None:
    assert "did you mean" in refusal(pooled_tables(series={"group": "sector"}))
    message = refusal(pooled_tables(series={"names": ["XLU", "XLQ"]}), data_dir=real_data_dir)
    assert "XLQ" in message


def test_the_single_claim_loader_points_a_pooled_spec_to_its_own(tmp_path: Path) -> None:
    path = tmp_path / "pooled.toml"
    path.write_text(toml_text(pooled_tables()))
    with pytest.raises(SpecError, match="a pooled claim .*load_pooled_spec"):
        load_spec(path)
    assert load_pooled_spec(path).name == "pooled"


# ----------------------------------------------------------------------------- the run


@pytest.fixture(scope="module")
def one_series_raw(real_data_dir: Path | None) -> Any:
    """A one-series panel of raw returns: its CARs are sums of the series' own daily returns."""
    values = pooled_tables(
        series={"names": ["XLU"]},
        benchmark={"model": "raw", "estimation_window": [-120, -30], "min_observations": 50},
    )
    spec = pooled_spec_from_dict(values, data_dir=real_data_dir)
    return spec, run_pooled_claim(spec, data_dir=real_data_dir)


def test_a_one_series_panel_has_the_single_claims_events(one_series_raw: Any, real_data_dir: Path | None) -> None:
    spec, result = one_series_raw
    single = spec.for_series("XLU")
    measured = _measure(single, _Loader(single, real_data_dir, "lenient"), horizons_of(single.claim.horizons))
    dates = pd.DatetimeIndex(measured.detection.table["event_date"])
    row = result.per_series.iloc[0]
    assert row["events"] == len(dates) > 0
    assert row["first_event"] == dates[0].date().isoformat()
    assert row["last_event"] == dates[-1].date().isoformat()


def test_a_one_series_raw_car_is_the_sum_of_its_daily_returns(one_series_raw: Any, real_data_dir: Path | None) -> None:
    spec, result = one_series_raw
    from backtest.data import load_series

    close = load_series("XLU", data_dir=real_data_dir).close
    returns = close.pct_change()
    first = pd.Timestamp(result.per_series.iloc[0]["first_event"])
    last = pd.Timestamp(result.per_series.iloc[0]["last_event"])
    single = spec.for_series("XLU")
    measured = _measure(single, _Loader(single, real_data_dir, "lenient"), horizons_of(single.claim.horizons))
    dates = pd.DatetimeIndex(measured.detection.table["event_date"])
    assert dates[0] == first and dates[-1] == last
    cars = []
    for date in dates:
        at = close.index.get_loc(date)
        window = returns.iloc[at + 1 : at + 22]
        estimation = returns.iloc[max(at - 120, 0) : at - 29]
        if len(window) == 21 and estimation.notna().sum() >= 50:
            cars.append(window.sum())
    assert result.per_series.iloc[0]["car_1m"] == pytest.approx(np.mean(cars), rel=1e-9)
    assert result.per_series.iloc[0]["n_1m"] == len(cars)


def test_the_primary_p_values_are_holm_adjusted_over_the_judged_horizons(one_series_raw: Any) -> None:
    _, result = one_series_raw
    assert list(result.primary["horizon"]) == ["1m", "3m"]
    expected = holm(result.primary["pvalue"].to_numpy(dtype=float))
    np.testing.assert_allclose(result.primary["pvalue_holm"].to_numpy(dtype=float), expected)
    assert result.verdict in (SUPPORTED, NOT_SUPPORTED, CONTRADICTED, NOT_TESTABLE)


@pytest.mark.parametrize(
    ("holm_p", "holm_opposite", "expected"),
    [
        ([0.01, 0.2], [0.9, 0.9], SUPPORTED),
        ([0.9, 0.8], [0.02, 0.3], CONTRADICTED),
        ([0.2, 0.3], [0.6, 0.7], NOT_SUPPORTED),
        ([np.nan, np.nan], [np.nan, np.nan], NOT_TESTABLE),
    ],
)
def test_the_verdict_reads_the_holm_adjusted_primary_test(
    holm_p: list[float], holm_opposite: list[float], expected: str
) -> None:
    table = pd.DataFrame({"pvalue_holm": holm_p, "pvalue_opposite_holm": holm_opposite})
    assert _pooled_verdict(table, 0.05) == expected


def test_a_sector_panel_runs_end_to_end_and_writes_its_report(
    tmp_path: Path, real_data_dir: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    monkeypatch.setenv("BACKTEST_CALIBRATION_DIR", str(tmp_path / "calibration"))
    values = pooled_tables(analysis={"calibration": 20})
    spec = pooled_spec_from_dict(values, data_dir=real_data_dir)
    result = run_pooled_claim(spec, data_dir=real_data_dir)
    assert list(result.per_series["series"]) == ["XLU", "XLP", "XLV"]
    assert result.summary_data["n_events"] == int(result.per_series["events"].sum()) > 10
    assert result.study is not None and result.study.n_series == 3
    # the pooled CAAR of the cross-sectional test is the event-weighted mean of the series' CARs
    weights = result.per_series["n_3m"]
    caar = float((result.per_series["car_3m"] * weights).sum() / weights.sum())
    primary = result.primary.set_index("horizon")
    assert primary.loc["3m", "caar"] == pytest.approx(caar, rel=1e-9)
    assert np.isfinite(primary["excess_over_random"]).all() and (primary["detectable_effect"] > 0).all()
    calibration = result.summary_data["calibration"]
    assert calibration["n_panels"] == 20 and 0 <= calibration["size"] <= 1
    # every test's size under the rule's own selection, and the split the report states
    sizes = pd.DataFrame(calibration["sizes"])
    assert set(sizes["horizon"]) == {"1m", "3m"} and sizes["size"].between(0, 1).all()
    holding = sizes.groupby("test")["holds_size"].all()
    assert sorted(calibration["tests_holding_size"]) == sorted(holding.index[holding])
    assert sorted(calibration["tests_not_holding_size"]) == sorted(holding.index[~holding])
    stored = list((tmp_path / "calibration").glob("pooled-*.json"))
    assert len(stored) == 1
    again = run_pooled_claim(spec, data_dir=real_data_dir)
    assert again.summary_data["calibration"] == calibration  # read back, equal to the last bit
    folder = result.report(tmp_path / "out")
    written = sorted(path.name for path in folder.iterdir())
    expected = ["report.md", "report.html", "summary.json", "per_series.csv", "caar_path.csv"]
    assert set(expected + ["caar_path.png", "series_effects.png"]) <= set(written)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, pooled_summary_json_schema())
    report = (folder / "report.md").read_text()
    assert report.index(f"Pooled verdict: {result.verdict}") < report.index("## Per series")
    assert "Tests holding size under this rule and model:" in report
    assert "Golden crosses in three sectors" in result.summary()


def test_the_gallery_specs_read(real_data_dir: Path | None) -> None:
    root = Path(__file__).resolve().parents[2] / "studies" / "claims" / "pooled"
    sectors = load_pooled_spec(root / "sector_golden_cross.toml", data_dir=real_data_dir)
    assert sectors.series == SERIES_GROUPS["sectors"] and sectors.tables.benchmark.series == "SPY"
    peers = load_pooled_spec(root / "peers_golden_cross_pooled.toml", data_dir=real_data_dir)
    assert peers.tables.benchmark.model == "mean_adjusted" and peers.claim.daily_only


@pytest.mark.parametrize(
    ("benchmark", "warned"),
    [
        ({"model": "market", "series": "SPY"}, True),  # default window [-250, -30] inside the 200 days read
        ({"model": "mean_adjusted"}, True),
        ({"model": "market", "series": "SPY", "estimation_window": [-500, -251]}, False),
        ({"model": "market", "series": "SPY", "estimation_window": [-450, -200]}, True),  # day -200 is read
        ({"model": "market_adjusted", "series": "SPY"}, False),  # estimates nothing
    ],
)
def test_an_estimation_window_inside_the_days_the_rule_reads_is_warned_of(
    benchmark: dict[str, Any], warned: bool, real_data_dir: Path | None
) -> None:
    """The sizes measured by pooled_size: with the window inside the 200 days a golden cross
    reads, the event-window tests over-reject; the run says so before the report is read."""
    from backtest.claims.pooled import _estimation_overlap

    spec = pooled_spec_from_dict(pooled_tables(benchmark=benchmark), origin="p.toml", data_dir=real_data_dir)
    bench = spec.tables.benchmark
    warning = _estimation_overlap(spec.claim, bench.model, bench.estimation_window)
    assert (warning is not None) == warned
    if warned:
        assert f"[{bench.estimation_window[0]}, {bench.estimation_window[1]}]" in warning and "200 days" in warning
