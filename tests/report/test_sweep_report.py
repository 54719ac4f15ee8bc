"""Sweep outputs: the expected files, deterministic bytes, no partial directory."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from backtest.claims.outputs import write_sweep_report
from backtest.events import DEFAULT_HORIZONS, EventRules
from backtest.report import sweep_report
from backtest.sweep import SweepGrid, run_sweep


def _result(walk, seed=1):
    return run_sweep(
        walk,
        SweepGrid.from_ranges("3:12:3", "20:40:10"),
        EventRules(start="1991-01-01"),
        DEFAULT_HORIZONS[:2],
        reps=80,
        seed=seed,
        reference=(6, 30),
    )


def test_report_files_and_contents(walk, tmp_path):
    result = _result(walk)
    target = write_sweep_report(result, tmp_path / "walk_sweep", csv=True)
    names = sorted(p.name for p in target.iterdir())
    assert names == sorted(
        [
            "pairs.parquet",
            "pairs.csv",
            "heatmap_1m.png",
            "heatmap_3m.png",
            "summary.md",
            "summary.html",
            "summary.json",
            ".backtest-manifest.json",
        ]
    )
    table = pd.read_parquet(target / "pairs.parquet")
    pd.testing.assert_frame_equal(table, result.table, check_dtype=False)
    assert len(pd.read_csv(target / "pairs.csv")) == len(table)
    summary = json.loads((target / "summary.json").read_text())
    assert [t["horizon"] for t in summary["tests"]] == ["1m", "3m"]
    assert {"reality_check_pvalue", "pvalue", "spa_lower_pvalue", "n_survivors", "reference_percentile"} <= set(
        summary["tests"][0]
    )
    assert set(summary["columns"]) == set(table.columns)
    markdown = (target / "summary.md").read_text()
    assert "Reality Check p" in markdown and "![1m heatmap](heatmap_1m.png)" in markdown
    # the power statement: what the search could have detected for the reference pair, and alone
    for test in summary["tests"]:
        assert test["tracked_pair"] == [6, 30] and test["power"] == 0.8
        assert 0 < test["detectable_excess_alone"] < test["detectable_excess"]
        assert f"{test['detectable_excess'] * 100:+.2f} pp" in markdown
    assert "**What the search could have seen.**" in markdown and "detectable, this pair alone" in markdown
    html = (target / "summary.html").read_text()
    # each heatmap is interactive in the page, which carries plotly.js: nothing beside the report
    assert 'id="sweep-heatmap-1m"' in html and 'src="heatmap_1m.png"' not in html and "data:image/png" not in html
    assert "<script src" not in html and "plotly.js (cartesian - minified) v" in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk_sweep"]


def test_same_seed_same_bytes(walk, tmp_path):
    first = write_sweep_report(_result(walk, seed=7), tmp_path / "a")
    second = write_sweep_report(_result(walk, seed=7), tmp_path / "b")
    for name in ("pairs.parquet", "summary.json", "summary.md", "heatmap_1m.png", "summary.html"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    metadata = pq.read_metadata(first / "pairs.parquet")
    assert set(metadata.metadata) == {b"pandas", b"ARROW:schema"}  # no timestamp or host metadata
    third = write_sweep_report(_result(walk, seed=8), tmp_path / "c")
    assert (first / "summary.json").read_bytes() != (third / "summary.json").read_bytes()


def test_interrupted_write_leaves_previous_results(walk, tmp_path, monkeypatch):
    result = _result(walk)
    target = write_sweep_report(result, tmp_path / "kept")
    before = (target / "summary.json").read_bytes()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_report, "summary_markdown", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_sweep_report(result, tmp_path / "kept")
    with pytest.raises(KeyboardInterrupt):
        write_sweep_report(result, tmp_path / "fresh")
    assert (target / "summary.json").read_bytes() == before
    assert not (tmp_path / "fresh").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"]  # no staging leftovers


def test_summary_opens_with_the_answer_in_percent_and_states_the_detection_start(walk, tmp_path):
    result = _result(walk)
    markdown = sweep_report.summary_markdown(result)
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## Answer in brief", "## Settings", "## How to read this report"]
    answer = markdown[markdown.index("## Answer in brief") : markdown.index("## Settings")]
    assert sum(line.startswith("- ") and "best pair" in line for line in answer.splitlines()) == len(result.tests)
    assert "SPA p" in answer
    # returns in %, never as fractions
    for test in result.tests:
        best = result.table.loc[
            (result.table["horizon"] == test.horizon)
            & (result.table["fast"] == test.best_pair[0])
            & (result.table["slow"] == test.best_pair[1]),
            "mean_excess_return",
        ].iloc[0]
        assert f"{best * 100:+.2f}%" in answer
    assert "Events are counted from 1991-01-01 (--since)." in answer
    default_start = run_sweep(
        walk,
        SweepGrid.from_ranges("3:6:3", "20:30:10"),
        EventRules(),
        DEFAULT_HORIZONS[:1],
        reps=20,
        seed=1,
        reference=(6, 30),
    )
    assert "start of the data, 1990-01-01 (the sweep's default" in sweep_report.detection_start_text(default_start)
    assert "studies" in sweep_report.detection_start_text(default_start)


def test_heatmap_takes_an_axes_and_marks_the_best_and_reference_pairs():
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots()
    returned = sweep_report.plot_sweep_heatmap(
        np.array([10, 50]),
        np.array([100, 200]),
        np.array([[1.0, -2.0], [0.5, 3.0]]),
        title="t",
        best=(50, 200),
        reference=(10, 100),
        ax=ax,
    )
    assert returned is ax
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["best pair 50/200", "10/100"]
    # the legend sits below the axes, never over a cell
    fig.canvas.draw()
    assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0
    plt.close(fig)
