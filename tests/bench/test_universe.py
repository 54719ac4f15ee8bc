"""The universe study streamed through the executors against the in-memory pooled study on the
same panel, a folder of CSV files against the synthetic series it holds, the same results on
a 2-worker Dask cluster, and the benchmark's JSON and page rows at a tiny size."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from backtest.data.universe import FolderUniverse, SyntheticUniverse, years_to_days
from backtest.errors import DataError, ParameterError
from backtest.stats.pooled import pooled_tests
from backtest.stats.pooled_stream import PooledSettings, calendar_returns, event_positions
from backtest.sweep.universe import CrossEvents, run_pooled_universe

SETTINGS = PooledSettings(horizons=(5, 21, 63))
RULE = CrossEvents(fast=10, slow=40)  # short averages: several events in a short series


def _as_json(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _in_memory(universe: SyntheticUniverse) -> dict[str, object]:
    """The whole panel at once: every series' returns and events, then ``pooled_tests``."""
    benchmark = universe.benchmark()
    calendar = benchmark.index
    closes = [universe.close(i) for i in range(universe.n_series)]
    returns = np.column_stack([calendar_returns(close, calendar) for close in closes])
    events = [event_positions(RULE(close), calendar) for close in closes]
    ar = SETTINGS.abnormal_returns(returns, calendar_returns(benchmark, calendar), events, universe.names)
    return pooled_tests(ar).to_dict()


def test_synthetic_universe_is_seeded_correlated_and_one_series_at_a_time() -> None:
    universe = SyntheticUniverse(40, 1000, seed=7)
    again = SyntheticUniverse(40, 1000, seed=7)
    pd.testing.assert_series_equal(universe.close(3), again.close(3))
    assert not universe.close(3).equals(SyntheticUniverse(40, 1000, seed=8).close(3))
    market = universe.benchmark().pct_change()
    correlations = [universe.close(i).pct_change().corr(market) for i in range(40)]
    assert 0.2 < min(correlations) and max(correlations) < 0.9  # a common factor, not one series
    assert sum(len(universe.close(i)) < 1000 for i in range(40)) > 0  # some series list late
    assert years_to_days(30) == 7560
    with pytest.raises(ParameterError, match="series index"):
        universe.close(40)


def test_streamed_universe_equals_in_memory_pooled_tests() -> None:
    universe = SyntheticUniverse(9, 1500, seed=3)
    streamed = run_pooled_universe(universe, event_rule=RULE, settings=SETTINGS, chunk_size=4)
    assert streamed.n_series == 9 and streamed.study.n_events > 50
    assert _as_json(streamed.study.to_dict()) == _as_json(_in_memory(universe))


def test_folder_universe_reads_csv_files_lazily_and_gives_the_same_study(tmp_path) -> None:
    universe = SyntheticUniverse(5, 1200, seed=4)

    def write(close: pd.Series, path) -> None:
        frame = pd.DataFrame(
            {"Close": close, "High": close, "Low": close, "Open": close, "Volume": 1000}, index=close.index
        )
        frame.index.name = "Date"
        frame.to_csv(path, float_format="%.17g")

    folder = tmp_path / "universe"
    folder.mkdir()
    for i, name in enumerate(universe.names):
        write(universe.close(i), folder / f"{name}.csv")
    write(universe.benchmark(), folder / "benchmark.csv")
    (folder / "notes.txt").write_text("not a series")
    from_folder = FolderUniverse.open(folder, folder / "benchmark.csv")
    assert from_folder.names == universe.names  # the benchmark file is not a series
    np.testing.assert_array_equal(from_folder.close(2).to_numpy(), universe.close(2).to_numpy())
    expected = run_pooled_universe(universe, event_rule=RULE, settings=SETTINGS)
    got = run_pooled_universe(from_folder, event_rule=RULE, settings=SETTINGS, chunk_size=2)
    assert _as_json(got.study.to_dict()) == _as_json(expected.study.to_dict())
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no .csv files"):
        FolderUniverse.open(empty, folder / "benchmark.csv")
    with pytest.raises(DataError, match="not a folder"):
        FolderUniverse.open(tmp_path / "missing", folder / "benchmark.csv")


@pytest.mark.slow
def test_dask_two_workers_give_identical_results() -> None:
    from backtest.sweep.executors import make_executor

    universe = SyntheticUniverse(8, 1500, seed=5)
    local = run_pooled_universe(universe, event_rule=RULE, settings=SETTINGS, chunk_size=3)
    with make_executor("dask", workers=2) as executor:
        on_dask = run_pooled_universe(universe, event_rule=RULE, settings=SETTINGS, chunk_size=3, executor=executor)
    assert on_dask.executor["kind"] == "dask" and on_dask.executor["workers"] == 2
    assert _as_json(on_dask.study.to_dict()) == _as_json(local.study.to_dict())


@pytest.mark.slow
def test_bench_universe_json_and_page_rows() -> None:
    from backtest.bench.universe import bench_headline, run_universe_bench
    from backtest.report.bench_report import bench_rows

    result = run_universe_bench(n_series=6, years=5, workers=2, reference_series=3, chunk_size=2)
    assert result["identical_results"] is True
    assert result["universe"]["days"] == 1260 and result["universe"]["events"] > 0
    reference = result["reference"]
    assert reference["same_events_and_windows"] and reference["max_abs_car_difference"] < 1e-12
    projection = result["projection"]["clusters"][0]
    assert projection["projected_s"] == pytest.approx(
        result["in_process"]["stream_s"] / 6 * projection["series"] / projection["workers"]
        + result["in_process"]["tests_s"] * (projection["series"] / 6) ** 2
    )
    assert bench_headline(result)["identical_results"] is True
    rows = bench_rows({"universe": result})
    assert [row.benchmark for row in rows] == ["universe", "universe"]
    assert "identical results" in rows[0].check
