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


def test_the_answer_chart_draws_the_mean_against_the_random_band_with_the_judged_horizons_marked():
    close = _close()
    paths = aligned_paths(close, np.array([100, 300, 500]), days=120)
    random_band = pd.DataFrame({"low": np.full(121, 98.0), "high": np.full(121, 103.0)})
    fig = interactive.event_paths_chart(
        paths, mean_path_interval(paths), random_band, title="t", horizons={"1m": 21, "3m": 63, "1y": 252}
    )
    names = [trace.name for trace in fig.data]
    assert any(name and name.startswith("random entry") for name in names)
    assert "its 95% band" in names and "each event (3)" in names
    mean = next(trace for trace in fig.data if trace.name == "events' mean")
    assert mean.x[0] == 0 and mean.x[-1] == 120
    # a dotted line and a label per judged horizon inside the window; none past its end
    assert sorted(shape.x0 for shape in fig.layout.shapes if shape.x0 == shape.x1) == [21, 63]
    assert [note.text for note in fig.layout.annotations] == ["1m", "3m"]


def test_the_title_is_a_line_of_the_page_above_the_figure_not_in_the_drawing():
    """Outside the drawing the title wraps on a narrow screen and the mode bar cannot cover
    it; it stays text whatever it holds."""
    close = _close()
    fig = interactive.index_chart(close, [close.index[100]], title="<b>x</b> & y")
    block = interactive.to_div(fig, "t")
    assert block.startswith('<div class="plotly-figure"><p class="plotly-title">&lt;b&gt;x&lt;/b&gt; &amp; y</p>')
    assert fig.layout.title.text is None and block.count("x&lt;/b&gt;") == 1  # drawn once, by the page


def test_sweep_heatmap_marks_the_best_and_the_reference_pair():
    values = np.array([[1.0, -2.0], [np.nan, 3.0]])
    fig = interactive.sweep_heatmap_chart([10, 50], [100, 200], values, title="t", best=(50, 200), reference=(10, 200))
    marks = {trace.name: (trace.x[0], trace.y[0]) for trace in fig.data if trace.type == "scatter"}
    assert marks == {"best pair 50/200": (200, 50), "reference pair 10/200": (200, 10)}
    assert fig.data[0].zmin == -3.0 and fig.data[0].zmax == 3.0
