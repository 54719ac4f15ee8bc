"""Interactive figures: stable ids and byte-identical HTML, the marks each figure promises."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.events.paths import aligned_paths, mean_path_interval
from backtest.report import interactive


def _close() -> pd.Series:
    rng = np.random.default_rng(3)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 800))), index=pd.bdate_range("2000-01-03", periods=800))


def test_divs_have_the_given_id_and_are_byte_identical_on_rerun():
    close = _close()
    dates = list(close.index[[100, 400]])
    hover = pd.DataFrame({"ret 3m": ["+1.0%", "pending"]})

    def draw() -> str:
        return interactive.to_div(interactive.index_chart(close, dates, hover=hover, title="t"), "report-events")

    first, second = draw(), draw()
    assert first == second
    assert first.count('id="report-events"') == 1 and "<script" in first and "plotly.min.js" not in first
    assert "pending" in first  # hover text of the events


def test_event_paths_chart_draws_both_bands_and_the_pre_event_window():
    close = _close()
    paths = aligned_paths(close, np.array([100, 300, 500]), days=120, before=interactive.PATH_DAYS_BEFORE)
    random_band = pd.DataFrame({"low": np.full(121, 98.0), "high": np.full(121, 103.0)})
    fig = interactive.event_paths_chart(paths, mean_path_interval(paths), random_band, title="t")
    names = [trace.name for trace in fig.data]
    assert any(name and name.startswith("random entry") for name in names)
    assert any(name and "confidence band" in name for name in names)
    mean = next(trace for trace in fig.data if trace.name == "events' mean")
    assert mean.x[0] == -interactive.PATH_DAYS_BEFORE and mean.x[-1] == 120


def test_sweep_heatmap_marks_the_best_and_the_reference_pair():
    values = np.array([[1.0, -2.0], [np.nan, 3.0]])
    fig = interactive.sweep_heatmap_chart([10, 50], [100, 200], values, title="t", best=(50, 200), reference=(10, 200))
    marks = {trace.name: (trace.x[0], trace.y[0]) for trace in fig.data if trace.type == "scatter"}
    assert marks == {"best pair 50/200": (200, 50), "reference pair 10/200": (200, 10)}
    assert fig.data[0].zmin == -3.0 and fig.data[0].zmax == 3.0
