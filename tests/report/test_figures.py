"""Static figures: legends and notes never cover data, one palette, the ax= pictures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from backtest.events.paths import aligned_paths, mean_path_interval
from backtest.report import figures, style


def _close(n: int = 3000) -> pd.Series:
    rng = np.random.default_rng(5)
    return pd.Series(
        100 * np.exp(np.cumsum(rng.normal(0.0004, 0.01, n))), index=pd.bdate_range("1980-01-01", periods=n)
    )


def _below_axes(fig: plt.Figure, ax: plt.Axes) -> bool:
    fig.canvas.draw()
    return ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0


def test_hit_rate_legend_sits_below_the_bars():
    ax = figures.plot_hit_rates(["3m", "12m"], [0.7, 0.95], [0.6, 0.97], [30, 29], title="t")
    assert _below_axes(ax.figure, ax)
    plt.close(ax.figure)


def test_before_the_sample_note_is_clear_of_the_price_line():
    close = _close()
    ax = figures.plot_index_with_crosses(
        close,
        close.rolling(50).mean(),
        close.rolling(200).mean(),
        [close.index[900]],
        title="t",
        fast_label="50",
        slow_label="200",
        sample_start=close.index[700],
    )
    fig = ax.figure
    fig.canvas.draw()
    note = next(text for text in ax.texts if "before the sample" in text.get_text())
    box = note.get_window_extent()
    points = ax.transData.transform(np.column_stack([matplotlib.dates.date2num(close.index), close.to_numpy()]))
    inside = (points[:, 0] >= box.x0) & (points[:, 0] <= box.x1) & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1)
    assert not inside.any()
    assert _below_axes(fig, ax)
    plt.close(fig)


def test_drawdowns_are_one_filled_panel_per_curve_in_the_palette():
    close = _close(800)
    curves = {"a": close / close.cummax() - 1, "b": (close / close.cummax() - 1) / 2}
    fig = figures.plot_drawdowns(curves, title="t")
    panels = [ax for ax in fig.axes if ax.collections]
    assert len(panels) == 2
    colours = {matplotlib.colors.to_hex(ax.collections[0].get_facecolor()[0][:3]) for ax in panels}
    assert colours <= {colour.lower() for colour in style.CYCLE}
    plt.close(fig)


def test_the_new_pictures_draw_on_the_axes_given():
    close = _close(1200)
    paths = aligned_paths(close, np.array([300, 600, 900]), days=100, before=60)
    band = mean_path_interval(paths)
    random_band = pd.DataFrame({"low": np.full(101, 97.0), "high": np.full(101, 104.0)})
    fig, axes = plt.subplots(1, 3)
    after = mean_path_interval(paths.loc[0:])
    drawn = figures.plot_event_paths(after, random_band, title="t", horizons={"1m": 21}, ax=axes[0])
    assert drawn is axes[0] and axes[0].get_xlim() == (0, 100)
    assert figures.plot_pre_event_window(paths, band, ax=axes[1]) is axes[1]
    assert axes[1].get_xlim()[1] <= 5  # the window ends at the event
    dates = close.index[[300, 600, 900]]
    assert figures.plot_event_drawdowns(dates, [-0.1, -0.05, np.nan], [0.02, 0.1, np.nan], ax=axes[2]) is axes[2]
    heights = [patch.get_height() for patch in axes[2].patches]
    assert heights[:2] == [-10.0, -5.0]
    plt.close(fig)
