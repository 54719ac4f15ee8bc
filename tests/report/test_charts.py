"""Each chart is defined once and drawn twice: every ``plot_*`` draws its chart definition on
the axes (or figure) it is given and returns them, and each definition drawn by matplotlib and
by plotly shows the same lines, points, bars and reference lines with the same y values."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from backtest.events.paths import aligned_paths, mean_path_interval
from backtest.report import charts, figures, interactive
from backtest.report.charts import Band, Bars, Chart, Heatmap, Line, Markers, Panels, ReferenceLine, Span, Strip

ROBUSTNESS = {
    "alpha": 0.05,
    "specifications": [
        {"family": "claim", "label": "as claimed", "n_events": 30, "excess": 0.02, "statistic": 2.0,
         "pvalue": 0.03, "pvalue_opposite": 0.97, "testable": True},
        {"family": "sub-period", "label": "first half", "n_events": 14, "excess": -0.01, "statistic": -0.5,
         "pvalue": 0.7, "pvalue_opposite": 0.3, "testable": True},
        {"family": "peer", "label": "on <b>peer</b>", "n_events": 3, "excess": None, "statistic": None,
         "pvalue": None, "pvalue_opposite": None, "testable": False},
    ],
}  # fmt: skip


def _close(n: int = 1500) -> pd.Series:
    rng = np.random.default_rng(11)
    return pd.Series(
        100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, n))), index=pd.bdate_range("1990-01-01", periods=n)
    )


def _single_charts() -> dict[str, tuple[Chart, Callable[..., Any], dict[str, Any]]]:
    """name -> (the chart definition, its plot_* function, that function's arguments)."""
    close = _close()
    events = list(close.index[[300, 700, 1100]])
    paths = aligned_paths(close, np.array([300, 700, 1100]), days=120, before=40)
    after = mean_path_interval(paths.loc[0:])
    random_band = pd.DataFrame({"low": np.full(121, 97.0), "high": np.full(121, 104.0)})
    lines = {"50": close.rolling(50).mean(), "200": close.rolling(200).mean()}
    curves = {"held": close / close.iloc[0], "rule": (close / close.iloc[0]) ** 0.5}
    in_market = pd.Series(np.arange(len(close)) % 200 < 120, index=close.index)
    grid = np.array([[1.0, -2.0, np.nan], [0.5, 3.0, -1.0]])
    percentiles = pd.DataFrame([[10.0, 50.0], [90.0, 40.0]], index=["A", "B"], columns=["3m", "12m"])
    counts = pd.DataFrame([[30, 8], [20, 25]], index=percentiles.index, columns=percentiles.columns)
    drawdown, final = [-0.1, -0.05, np.nan], [0.02, 0.1, np.nan]
    return {
        "series": (
            charts.series_with_events_chart(close, events, title="t", lines=lines, sample_start=close.index[200],
                                            event_name="golden crosses", event_symbol="triangle-up"),
            figures.plot_series_with_events,
            {"close": close, "event_dates": events, "title": "t", "lines": lines, "sample_start": close.index[200],
             "direction": "golden"},
        ),
        "event paths": (
            charts.event_paths_chart(after, random_band, title="t", horizons={"1m": 21, "1y": 252}),
            figures.plot_event_paths,
            {"band": after, "random_band": random_band, "title": "t", "horizons": {"1m": 21, "1y": 252}},
        ),
        "each event": (
            charts.each_event_path_chart(paths, title="t"),
            figures.plot_each_event_path,
            {"paths": paths, "title": "t"},
        ),
        "before": (
            charts.pre_event_window_chart(paths, mean_path_interval(paths)),
            figures.plot_pre_event_window,
            {"paths": paths, "band": mean_path_interval(paths)},
        ),
        "event drawdowns": (
            charts.event_drawdowns_chart(events, drawdown, final),
            figures.plot_event_drawdowns,
            {"event_dates": events, "max_drawdown": drawdown, "final_return": final},
        ),
        "hit rates": (
            charts.hit_rates_chart(["3m", "12m"], [0.7, 0.9], [0.6, 0.8], [30, 29], title="t"),
            figures.plot_hit_rates,
            {"labels": ["3m", "12m"], "event_hit_rate": [0.7, 0.9], "baseline_hit_rate": [0.6, 0.8],
             "n_events": [30, 29], "title": "t"},
        ),
        "equity curves": (
            charts.equity_curves_chart(curves, title="t", in_market=in_market),
            figures.plot_equity_curves,
            {"curves": curves, "title": "t", "in_market": in_market},
        ),
        "sweep heatmap": (
            charts.sweep_heatmap_chart([10, 50], [100, 150, 200], grid, title="t", best=(50, 150),
                                       reference=(10, 200), survivors=[(50, 150)], reference_name=""),
            figures.plot_sweep_heatmap,
            {"fast": np.array([10, 50]), "slow": np.array([100, 150, 200]), "values_pct": grid, "title": "t",
             "best": (50, 150), "reference": (10, 200), "survivors": [(50, 150)]},
        ),
        "peer percentiles": (
            charts.peer_percentiles_chart(percentiles, counts, title="t"),
            figures.plot_peer_percentiles,
            {"percentiles": percentiles, "counts": counts, "title": "t"},
        ),
    }  # fmt: skip


def _panel_charts() -> dict[str, tuple[Panels, Callable[..., Any], dict[str, Any]]]:
    close = _close(800)
    rng = np.random.default_rng(2)
    null = {"1m": rng.normal(0, 0.02, 2000), "3m": rng.normal(0.01, 0.04, 2000)}
    observed, baseline, pvalues = {"1m": 0.01, "3m": 0.03}, {"1m": 0.002, "3m": 0.01}, {"1m": 0.2, "3m": 0.04}
    drawdowns = {"held": close / close.cummax() - 1, "rule": (close / close.cummax() - 1) / 2}
    rows = pd.DataFrame(
        {"series": ["A", "B", "A", "B"], "group": ["small", "large"] * 2, "horizon": ["3m", "3m", "12m", "12m"],
         "excess_mean": [0.01, -0.02, 0.03, np.nan], "ci_low": [-0.01, -0.04, 0.0, np.nan],
         "ci_high": [0.03, 0.0, 0.06, np.nan], "n": [30, 8, 30, 0], "random_entry_p": [0.2, 0.6, 0.1, np.nan]}
    )  # fmt: skip
    return {
        "null distributions": (
            charts.null_distributions_chart(null, observed, baseline, pvalues, title="t", event_name="golden crosses"),
            figures.plot_null_distributions,
            {"null_by_horizon": null, "observed": observed, "baseline": baseline, "pvalues": pvalues, "title": "t"},
        ),
        "drawdowns": (charts.drawdowns_chart(drawdowns, title="t"), figures.plot_drawdowns,
                      {"drawdowns": drawdowns, "title": "t"}),
        "peer excess": (charts.peer_excess_chart(rows, title="t"), figures.plot_peer_excess,
                        {"rows": rows, "title": "t"}),
        "specification curve": (charts.specification_curve_chart(ROBUSTNESS, title="t"),
                                figures.plot_specification_curve, {"robustness": ROBUSTNESS, "title": "t"}),
    }  # fmt: skip


SINGLE = _single_charts()
PANELS = _panel_charts()


def _mpl_counts(chart: Chart) -> dict[str, int]:
    """What matplotlib draws for a chart: a Line2D per line and reference line, a collection
    per set of points, band, strip and pcolormesh, a patch per bar and per span."""
    return {
        "lines": chart.count(Line) + chart.count(ReferenceLine),
        "collections": chart.count(Markers) + chart.count(Band) + chart.count(Strip)
        + sum(1 for layer in chart.layers if isinstance(layer, Heatmap) and not layer.categorical),
        "patches": sum(len(layer.x) for layer in chart.layers if isinstance(layer, Bars)) + chart.count(Span),
        "images": sum(1 for layer in chart.layers if isinstance(layer, Heatmap) and layer.categorical),
    }  # fmt: skip


def _drawn_counts(ax: Any) -> dict[str, int]:
    return {
        "lines": len(ax.lines),
        "collections": len(ax.collections),
        "patches": len(ax.patches),
        "images": len(ax.images),
    }


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_each_plot_draws_its_chart_on_the_axes_given_and_returns_them(name: str) -> None:
    chart, plot, arguments = SINGLE[name]
    fig, ax = plt.subplots()
    try:
        assert plot(**arguments, ax=ax) is ax
        assert _drawn_counts(ax) == _mpl_counts(chart)
        assert len(fig.axes) == 1 + sum(isinstance(layer, Heatmap) for layer in chart.layers)  # + a colour bar
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_without_axes_each_plot_draws_on_a_new_figure_of_the_charts_size(name: str) -> None:
    chart, plot, arguments = SINGLE[name]
    ax = plot(**arguments)
    try:
        assert tuple(ax.figure.get_size_inches()) == pytest.approx(chart.figsize)
        assert _drawn_counts(ax) == _mpl_counts(chart)
    finally:
        plt.close(figures.figure_of(ax))


@pytest.mark.parametrize("name", sorted(PANELS))
def test_each_figure_of_panels_draws_one_chart_per_axes_of_the_figure_given(name: str) -> None:
    panels, plot, arguments = PANELS[name]
    fig = plt.figure()
    try:
        assert plot(**arguments, fig=fig) is fig
        shown = [ax for ax in fig.axes if ax.get_visible()]
        assert len(shown) == len(panels.charts)
        for ax, chart in zip(shown, panels.charts):
            assert _drawn_counts(ax) == _mpl_counts(chart)
    finally:
        plt.close(fig)


def _finite(values: Any) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[np.isfinite(array)]


def _assert_same_drawing(chart: Chart, ax: Any, traces: list[Any], shapes: list[Any]) -> tuple[int, int]:
    """The lines, points, bars and reference lines of ``chart`` as matplotlib drew them on
    ``ax`` and as plotly drew them (``traces`` from the first of this chart's, ``shapes``
    likewise): the same number, with the same y values. Returns how many traces and shapes
    the chart used."""
    mpl_lines = iter(ax.lines)
    mpl_points = iter(c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection))
    position, shape_position = 0, 0
    for layer in chart.layers:
        if isinstance(layer, Line):
            drawn, trace = next(mpl_lines), traces[position]
            assert trace.type == "scatter" and trace.mode == "lines"
            np.testing.assert_allclose(_finite(trace.y), _finite(drawn.get_ydata()), rtol=1e-6)
            np.testing.assert_allclose(_finite(trace.y), _finite(layer.y), rtol=1e-6)
            position += 1
        elif isinstance(layer, Markers):
            drawn, trace = next(mpl_points), traces[position]
            assert trace.type == "scatter" and trace.mode.startswith("markers")
            offsets = np.asarray(drawn.get_offsets(), dtype=float)
            np.testing.assert_allclose(np.asarray(trace.y, dtype=float), offsets[:, 1], rtol=1e-9)
            position += 1
        elif isinstance(layer, Band):
            low, high = traces[position + 1], traces[position]
            assert low.fill == "tonexty"
            np.testing.assert_allclose(np.asarray(low.y, dtype=float), np.asarray(layer.low, dtype=float))
            np.testing.assert_allclose(np.asarray(high.y, dtype=float), np.asarray(layer.high, dtype=float))
            position += 2
        elif isinstance(layer, Bars):
            trace = traces[position]
            assert trace.type == "bar"
            bars = [patch.get_height() for patch in ax.patches]
            assert len(trace.y) == len(layer.x)
            assert set(_finite(trace.y)) <= set(_finite(bars))
            position += 1
        elif isinstance(layer, Heatmap):
            trace = traces[position]
            assert trace.type == "heatmap"
            np.testing.assert_array_equal(np.asarray(trace.z, dtype=float), np.asarray(layer.z, dtype=float))
            position += 1
        elif isinstance(layer, ReferenceLine):
            drawn, shape = next(mpl_lines), shapes[shape_position]
            coordinate = shape.y0 if layer.axis == "y" else shape.x0
            assert coordinate == pytest.approx(layer.value)
            mpl_value = drawn.get_ydata()[0] if layer.axis == "y" else drawn.get_xdata()[0]
            assert mpl_value == pytest.approx(layer.value)
            shape_position += 1
        elif isinstance(layer, Span):
            shape_position += 1
        elif isinstance(layer, Strip):  # a strip: one shaded rectangle per run of days in plotly
            mask = np.asarray(layer.mask, dtype=bool)
            runs = int(np.sum(mask & ~np.concatenate([[False], mask[:-1]])))
            assert all(shape.type == "rect" for shape in shapes[shape_position : shape_position + runs])
            shape_position += runs
    return position, shape_position


def _dated(chart: Chart) -> bool:
    return chart.x_axis.dates


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_each_chart_shows_the_same_marks_in_both_outputs(name: str) -> None:
    chart = SINGLE[name][0]
    ax = figures.draw_matplotlib(chart)
    fig = interactive.draw_plotly(chart)
    try:
        shapes = [shape for shape in fig.layout.shapes if shape.type in ("line", "rect")]
        used, used_shapes = _assert_same_drawing(chart, ax, list(fig.data), shapes)
        assert used == len(fig.data) and used_shapes == len(shapes)
    finally:
        plt.close(figures.figure_of(ax))


@pytest.mark.parametrize("name", sorted(PANELS))
def test_each_figure_of_panels_shows_the_same_marks_in_both_outputs(name: str) -> None:
    panels = PANELS[name][0]
    drawn = figures.draw_matplotlib_panels(panels)
    fig = interactive.draw_plotly_panels(panels)
    try:
        traces, shapes = list(fig.data), list(fig.layout.shapes)
        for ax, chart in zip([ax for ax in drawn.axes if ax.get_visible()], panels.charts):
            used, used_shapes = _assert_same_drawing(chart, ax, traces, shapes)
            traces, shapes = traces[used:], shapes[used_shapes:]
        assert traces == [] and shapes == []
        # a legend entry drawn by several panels is listed once
        listed = [trace.name for trace in fig.data if trace.showlegend is not False and trace.name]
        assert len(listed) == len(set(listed))
    finally:
        plt.close(drawn)


def test_the_interactive_twin_escapes_every_text_and_keeps_its_hover() -> None:
    chart = charts.specification_curve_chart(ROBUSTNESS, title="<b>t</b>")
    fig = interactive.draw_plotly_panels(chart)
    assert fig.layout.title.text == "&lt;b&gt;t&lt;/b&gt;"
    hover = [text for trace in fig.data if trace.mode == "markers" for text in trace.text]
    assert len(hover) == 4 and all("<br>" in text for text in hover)  # two rows, in both panels
    # the untestable row is named under the PNG only, never drawn
    png = figures.draw_matplotlib_panels(chart)
    assert any("on <b>peer</b> (n = 3)" in text.get_text() for text in png.texts)
    plt.close(png)


def test_report_modules_import_neither_plotting_library() -> None:
    """The charts, the figures and the twins import matplotlib and plotly when they draw."""
    import subprocess
    import sys

    code = (
        "import sys, backtest.report.charts, backtest.report.figures, backtest.report.interactive; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'plotly'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
