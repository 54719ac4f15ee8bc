"""Many series: series lists, the per-series table (each row equals that series' own
sweep), the cross-series summary, and the streamed report (same bytes, nothing partial)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from backtest.claims.outputs import MultiSweepReport, write_multi_sweep_report
from backtest.errors import ParameterError
from backtest.events import DEFAULT_HORIZONS, EventRules
from backtest.report import sweep_report
from backtest.sweep import SweepGrid, run_sweep
from backtest.sweep.executors import LocalExecutor
from backtest.sweep.multi import (
    SERIES_COLUMNS,
    cross_series_summary,
    parse_series_list,
    read_series_file,
    run_sweeps,
    series_frame,
)
from tests.sweep.conftest import cycles, random_walk

GRID = SweepGrid.from_ranges("3:30:9", "20:80:20")
OPTIONS = dict(rules=EventRules(), horizons=DEFAULT_HORIZONS[:2], reps=64, seed=5, reference=(12, 40))


@pytest.fixture(scope="module")
def several():
    return [cycles(seed=1, name="cycles-a"), random_walk(2200, seed=2, name="walk-b")]


@pytest.fixture(scope="module")
def multi(several):
    return run_sweeps(several, GRID, **OPTIONS)


def test_series_file(tmp_path):
    (tmp_path / "data").mkdir()
    listing = tmp_path / "list.txt"
    listing.write_text("# members\nRUT\n\n  SPY   # an ETF\ndata/own.csv\n/abs/other.csv\nC#  \n")
    assert read_series_file(listing) == ("RUT", "SPY", str(tmp_path / "data" / "own.csv"), "/abs/other.csv", "C#")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# nothing\n\n", "lists no series"),
        ("RUT\nSPY\nrut\n", "line 3: 'rut' is already on line 1"),
        ("RUT, SPY\n", "line 1: one series per line"),
    ],
)
def test_bad_series_files(tmp_path, text, message):
    listing = tmp_path / "list.txt"
    listing.write_text(text)
    with pytest.raises(ParameterError, match=message):
        read_series_file(listing)


def test_unreadable_series_files(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        read_series_file(tmp_path / "missing.txt")
    with pytest.raises(ParameterError, match="is a directory"):
        read_series_file(tmp_path)
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00RUT")
    with pytest.raises(ParameterError, match="not UTF-8"):
        read_series_file(tmp_path / "binary.txt")


def test_series_list():
    assert parse_series_list(" RUT, SPY ,IWM") == ("RUT", "SPY", "IWM")
    with pytest.raises(ParameterError, match="no series name"):
        parse_series_list(" , ")


def test_each_row_is_that_series_own_sweep(several, multi):
    assert multi.series == ("cycles-a", "walk-b")
    assert list(multi.series_table.columns) == list(SERIES_COLUMNS)
    for series, kept in zip(several, multi.results, strict=True):
        alone = run_sweep(series, GRID, **OPTIONS)
        pd.testing.assert_frame_equal(alone.table, kept.table, check_exact=True)
        rows = multi.series_table.loc[multi.series_table["series"] == alone.series_name].set_index("horizon")
        for test in alone.tests:
            row = rows.loc[test.horizon]
            assert (row["best_fast"], row["best_slow"]) == test.best_pair
            assert row["reality_check_pvalue"] == test.reality_check_pvalue and row["spa_pvalue"] == test.pvalue
            assert row["romano_wolf_survivors"] == test.n_survivors
            rank = alone.reference_rank(test.horizon)
            assert row["reference_rank"] == rank["reference_rank"]
            assert row["reference_percentile"] == rank["reference_percentile"]
            np.testing.assert_equal(
                (row["reference_detectable_excess"], row["reference_detectable_excess_alone"]),
                (test.detectable_excess, test.detectable_excess_alone),
            )
            best = alone.table.loc[
                (alone.table["horizon"] == test.horizon)
                & (alone.table["fast"] == test.best_pair[0])
                & (alone.table["slow"] == test.best_pair[1])
            ]
            assert row["best_mean_excess_return"] == best["mean_excess_return"].iloc[0]
    text = multi.summary()
    assert "Sweep of 2 series" in text and "12/40" in text


def test_cross_series_summary_by_hand():
    rows = []
    for name, survivors, spa, pct, best in (
        ("a", 3, 0.01, 95.0, (5, 20)),
        ("b", 0, 0.40, 50.0, (5, 20)),
        ("c", 1, 0.04, 10.0, (9, 40)),
        ("d", 0, 0.90, np.nan, None),
    ):
        rows.append(
            {
                "series": name,
                "horizon": "1m",
                "romano_wolf_survivors": survivors,
                "spa_pvalue": spa,
                "reality_check_pvalue": spa,
                "reference_percentile": pct,
                "reference_survives": name == "a",
                "best_fast": None if best is None else best[0],
                "best_slow": None if best is None else best[1],
            }
        )
    frame = series_frame(rows)
    summary = cross_series_summary(frame, DEFAULT_HORIZONS[:1], alpha=0.05).iloc[0]
    assert summary["n_series"] == 4 and summary["series_with_survivors"] == 2
    assert summary["share_with_survivors"] == 0.5
    assert summary["series_spa_below_alpha"] == 2 and summary["expected_by_chance"] == pytest.approx(0.2)
    assert summary["reference_survives"] == 1 and summary["reference_top_decile"] == 1
    assert summary["reference_percentile_median"] == 50.0 and summary["reference_percentile_min"] == 10.0
    assert summary["reference_percentile_mean"] == pytest.approx(155.0 / 3)
    assert summary["most_common_best_pair"] == "5/20" and summary["most_common_best_pair_series"] == 2


def test_without_bootstrap_the_tests_are_empty(several):
    multi = run_sweeps(several, GRID, **{**OPTIONS, "reps": 0, "null_draws": 50})
    table = multi.series_table
    assert table["reality_check_pvalue"].isna().all() and table["romano_wolf_survivors"].isna().all()
    assert table["best_fast"].notna().all()  # best by mean excess return
    summary = multi.summary_table
    assert summary["series_with_survivors"].isna().all() and math.isnan(summary["expected_by_chance"].iloc[0])
    assert "Sweep of 2 series" in multi.summary()


def test_report_files_are_the_same_bytes_whatever_the_split(several, multi, tmp_path):
    first = write_multi_sweep_report(multi, tmp_path / "a" / "sweep", csv=True)  # one name: the same manifest
    split = run_sweeps(several, GRID, **OPTIONS, executor=LocalExecutor(), pair_block=5, rep_block=32)
    with MultiSweepReport(tmp_path / "b" / "sweep", csv=True) as streamed:
        kept = run_sweeps(several, GRID, **OPTIONS, on_result=streamed.add, keep_results=False)
        streamed.finish(kept)
    assert kept.results is None
    second = tmp_path / "b" / "sweep"
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == [
        ".backtest-manifest.json",
        "pairs/cycles-a.parquet",
        "pairs/walk-b.parquet",
        "pairs_csv/cycles-a.csv",
        "pairs_csv/walk-b.csv",
        "series.csv",
        "series.parquet",
        "summary.html",
        "summary.json",
        "summary.md",
    ]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    third = write_multi_sweep_report(split, tmp_path / "c")
    for name in ("series.parquet", "summary.json", "pairs/walk-b.parquet"):
        assert (first / name).read_bytes() == (third / name).read_bytes(), name
    pairs = pd.read_parquet(first / "pairs")
    assert len(pairs) == 2 * GRID.n_pairs * 2 and set(pairs["series"]) == {"cycles-a", "walk-b"}
    summary = json.loads((first / "summary.json").read_text())
    assert [row["horizon"] for row in summary["cross_series"]] == ["1m", "3m"]
    assert len(summary["per_series"]) == 4 and set(summary["series_columns"]) == set(SERIES_COLUMNS)
    # the answer first: one plain line per horizon, counts read from the cross-series table
    text = (first / "summary.md").read_text()
    answer = text.split("## Answer in brief", 1)[1].split("## Settings", 1)[0]
    for row in summary["cross_series"]:
        assert f"**{row['horizon']}**: the best pair beat random entry" in answer
        assert f"in {row['series_spa_below_alpha']} of {row['n_series']} series" in answer
    assert text.index("## Answer in brief") < text.index("## Across series")


def test_interrupted_multi_series_report_leaves_nothing(several, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_report, "multi_summary_markdown", interrupt)
    with pytest.raises(KeyboardInterrupt), MultiSweepReport(tmp_path / "cut") as streamed:
        streamed.finish(run_sweeps(several, GRID, **OPTIONS, on_result=streamed.add, keep_results=False))
    assert list(tmp_path.iterdir()) == []


def test_duplicate_series_names_are_refused(several):
    with pytest.raises(ParameterError, match="same series name"):
        run_sweeps([several[0], several[0]], GRID, **OPTIONS)
    with pytest.raises(ParameterError, match="at least one series"):
        run_sweeps([], GRID, **OPTIONS)
