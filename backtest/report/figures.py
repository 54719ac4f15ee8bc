"""The static (matplotlib) figures of every report: ``draw_matplotlib`` draws a chart of
``backtest.report.charts`` on matplotlib axes and ``draw_matplotlib_panels`` a grid of them on
a figure; each ``plot_*`` function draws one chart, alphalens style: it takes ``ax=`` (or
``fig=`` for a figure of several panels), draws on it (on a new figure when None) and returns
it. The report modules lay the figures out; ``backtest.report.render.figure_png`` saves them.
matplotlib is imported only when something is drawn. Colours come from the one Okabe-Ito
palette in ``backtest.report.style``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pandas as pd

from backtest.report import style
from backtest.report.charts import (
    Axis,
    Band,
    Bars,
    Chart,
    Heatmap,
    Layer,
    Line,
    Markers,
    Note,
    Panels,
    ReferenceLine,
    Span,
    Strip,
    drawdowns_chart,
    each_event_path_chart,
    equity_curves_chart,
    event_drawdowns_chart,
    event_paths_chart,
    event_style,
    hit_rates_chart,
    null_distributions_chart,
    peer_excess_chart,
    peer_percentiles_chart,
    plural,
    pre_event_window_chart,
    series_with_events_chart,
    specification_curve_chart,
    sweep_heatmap_chart,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_MPL_DASH = {"solid": "-", "dash": "--", "dot": ":"}
_MPL_MARKER = {"circle": "o", "triangle-up": "^", "triangle-down": "v", "diamond": "D", "star": "*", "square": "s"}
NOTE_BOX = {"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.85}
"""The white box behind a note: a line passes behind a note, never through it."""

# --- the renderer --------------------------------------------------------------------------------

STYLE: Any = {  # rc parameters (matplotlib types its keys as a Literal of every rc name)
    "figure.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "legend.fontsize": 10,
    # the palette's colour cycle, written as matplotlib parses it from a matplotlibrc
    "axes.prop_cycle": "cycler('color', [" + ", ".join(f"'{colour}'" for colour in style.CYCLE) + "])",
}
"""The PNGs' rc parameters (``plt.rc_context(STYLE)``), the palette's colour cycle included."""


def style_context() -> Any:
    """``plt.rc_context`` of the house style (``STYLE``)."""
    import matplotlib.pyplot as plt

    return plt.rc_context(STYLE)


def new_axes(figsize: tuple[float, float]) -> Axes:
    """A new figure's only axes, in the house style."""
    import matplotlib.pyplot as plt

    with style_context():
        return plt.subplots(figsize=figsize)[1]


def _cell_edges(centres: np.ndarray) -> np.ndarray:
    """Edges of cells centred on ``centres`` (half-way between neighbours)."""
    centres = np.asarray(centres, dtype=float)
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = (centres[:-1] + centres[1:]) / 2.0
    return np.concatenate([[centres[0] - (middle[0] - centres[0])], middle, [centres[-1] + (centres[-1] - middle[-1])]])


def _mpl_layer(ax: Axes, layer: Layer) -> None:
    if isinstance(layer, Line):
        ax.plot(
            layer.x,
            layer.y,
            color=layer.colour,
            lw=layer.width,
            ls=_MPL_DASH[layer.dash],
            alpha=layer.alpha,
            label=layer.label,
        )
    elif isinstance(layer, Markers):
        edge = layer.edge_colour or layer.colour
        filled = layer.filled if layer.filled is not None else (True,) * len(layer.x)
        ax.scatter(
            layer.x,
            layer.y,
            s=layer.size**2,
            marker=_MPL_MARKER[layer.symbol],
            facecolors=[layer.colour if fill else "white" for fill in filled] or layer.colour,
            edgecolors=edge,
            linewidths=layer.edge_width,
            zorder=5,
            label=layer.label if layer.show_in_legend else None,
        )
        for x, y, text in zip(layer.x, layer.y, layer.texts or ()):
            ax.annotate(
                text, (x, y), xytext=(9, 7), textcoords="offset points", fontsize=10, fontweight="bold", bbox=NOTE_BOX
            )
    elif isinstance(layer, Band):
        ax.fill_between(layer.x, layer.low, layer.high, color=layer.colour, alpha=layer.alpha, lw=0, label=layer.label)
    elif isinstance(layer, Bars):
        bars = ax.bar(
            layer.x,
            layer.height,
            layer.width,
            color=layer.colour,
            alpha=layer.alpha,
            label=layer.label if layer.show_in_legend else None,
        )
        for bar, text in zip(bars, layer.texts or ()):
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
    elif isinstance(layer, ReferenceLine):
        draw = ax.axhline if layer.axis == "y" else ax.axvline
        draw(layer.value, color=layer.colour, lw=layer.width, ls=_MPL_DASH[layer.dash], label=layer.label, zorder=1)
        if layer.text:
            if layer.axis == "x":  # x in data units, y a fraction of the axes: stays put on a log scale
                ax.text(
                    layer.value,
                    0.985,
                    f" {layer.text}",
                    transform=ax.get_xaxis_transform(),
                    fontsize=9,
                    color="#333333",
                    va="top",
                    bbox=NOTE_BOX,
                    zorder=6,
                )
            else:
                ax.text(
                    0.99,
                    layer.value,
                    layer.text,
                    transform=ax.get_yaxis_transform(),
                    fontsize=9,
                    ha="right",
                    va="bottom",
                )
    elif isinstance(layer, Span):
        ax.axvspan(layer.x0, layer.x1, color=layer.colour, alpha=layer.alpha, lw=0)
        if layer.text:
            # at the top of the span, on a white box: no line runs through it
            ax.text(
                layer.x0,
                0.97,
                " " + layer.text.replace(": ", ":\n "),
                transform=ax.get_xaxis_transform(),
                fontsize=9,
                color="#444444",
                va="top",
                bbox=NOTE_BOX,
                zorder=6,
            )
    elif isinstance(layer, Strip):
        ax.fill_between(
            layer.x,
            0,
            layer.height,
            where=np.asarray(layer.mask, dtype=bool),
            transform=ax.get_xaxis_transform(),
            color=layer.colour,
            alpha=layer.alpha,
            lw=0,
            step="post",
            label=layer.label,
        )
    elif isinstance(layer, Note):
        ax.annotate(
            layer.text,
            (layer.x, layer.y),
            xytext=(layer.dx, layer.dy),
            textcoords="offset points",
            ha=layer.align,
            va="center" if layer.dy == 0 else "bottom",
            fontsize=layer.size,
            color="#222222",
            bbox=NOTE_BOX,
            zorder=4,
        )
    elif isinstance(layer, Heatmap):
        z = np.asarray(layer.z, dtype=float)
        ax.grid(False)  # grid lines would cut the cells
        if layer.categorical:
            image = ax.imshow(z, cmap=layer.colour_map, vmin=layer.z_min, vmax=layer.z_max, aspect="auto")
        else:
            image = ax.pcolormesh(
                _cell_edges(layer.x),
                _cell_edges(layer.y),
                z,
                cmap=layer.colour_map,
                vmin=layer.z_min,
                vmax=layer.z_max,
                shading="flat",
            )
        colour_bar = ax.figure.colorbar(image, ax=ax, fraction=0.04 if layer.categorical else 0.15)
        colour_bar.set_label(layer.colour_bar_label)
        middle = (layer.z_min + layer.z_max) / 2
        spread = (layer.z_max - layer.z_min) / 2 or 1.0
        for i, row in enumerate(layer.cell_texts or ()):
            for j, text in enumerate(row):
                x, y = (j, i) if layer.categorical else (layer.x[j], layer.y[i])
                dark = abs(z[i, j] - middle) > 0.7 * spread
                ax.text(x, y, text, ha="center", va="center", fontsize=8, color="white" if dark else "black")
    else:  # pragma: no cover - the union above is exhaustive
        raise TypeError(f"not a chart layer: {layer!r}")


def _mpl_axis(ax: Axes, axis: Axis, which: Literal["x", "y"]) -> None:
    import matplotlib.dates as mdates
    import matplotlib.ticker as mticker

    target = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xlabel if which == "x" else ax.set_ylabel)(axis.label)
    if axis.scale == "log":
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        if axis.ticks_125:  # a log axis over one or two decades otherwise shows only 1 and 10
            target.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            target.set_minor_formatter(mticker.NullFormatter())
    if axis.dates:
        target.set_major_locator(mdates.YearLocator(5))
        target.set_major_formatter(mdates.DateFormatter("%Y"))
    if axis.tick_format is not None:
        spec, suffix = axis.tick_format, axis.tick_suffix
        target.set_major_formatter(mticker.FuncFormatter(lambda v, _: format(v, spec) + suffix))
    if axis.tick_labels is not None:
        positions, labels = axis.tick_labels
        (ax.set_xticks if which == "x" else ax.set_yticks)(
            list(positions), list(labels), rotation=axis.tick_rotation, fontsize=8 if axis.tick_rotation else None
        )
    if axis.hidden_ticks:
        (ax.set_xticks if which == "x" else ax.set_yticks)([])
    if axis.limits is not None:
        (ax.set_xlim if which == "x" else ax.set_ylim)(*axis.limits)


def _mpl_legend(ax: Axes, chart: Chart) -> None:
    if chart.legend == "none" or not ax.get_legend_handles_labels()[0]:
        return
    if chart.legend == "below":  # inside the axes a legend covers data or notes
        rotated = chart.x_axis.tick_rotation > 0
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.30 if rotated else -0.14),
            ncol=chart.legend_columns,
            fontsize=9,
            frameon=False,
        )
    else:
        ax.legend(loc=chart.legend, fontsize=9, framealpha=0.9)


def draw_matplotlib(chart: Chart, ax: Axes | None = None) -> Axes:
    """Draw ``chart`` on ``ax`` (a new figure of ``chart.figsize`` when None) and return it."""
    own = ax is None
    if ax is None:
        ax = new_axes(chart.figsize)
    with style_context():
        for layer in chart.layers:
            _mpl_layer(ax, layer)
        _mpl_axis(ax, chart.x_axis, "x")
        _mpl_axis(ax, chart.y_axis, "y")
        if chart.title:
            ax.set_title(chart.title)
        _mpl_legend(ax, chart)
        if own:
            ax.figure.tight_layout()
    return ax


def draw_matplotlib_panels(panels: Panels, fig: Figure | None = None) -> Figure:
    """Draw each chart of ``panels`` on its own axes of ``fig`` (a new figure when None;
    axes are added to a figure given without them) and return the figure."""
    import matplotlib.pyplot as plt

    with style_context():
        if fig is None:
            fig = plt.figure(figsize=panels.figsize)
        if len(fig.axes) < len(panels.charts):
            grid = fig.subplots(
                panels.rows,
                panels.columns,
                sharex=panels.share_x,
                sharey=panels.share_y,
                squeeze=False,
                gridspec_kw={"height_ratios": list(panels.height_ratios)} if panels.height_ratios else None,
            )
            axes = list(grid.flat)
            for spare in axes[len(panels.charts) :]:
                spare.set_visible(False)
        else:
            axes = list(fig.axes)
        for ax, chart in zip(axes, panels.charts):
            draw_matplotlib(chart, ax=ax)
        if panels.legend == "figure":
            handles, labels = [], []
            for ax in axes[: len(panels.charts)]:
                for handle, label in zip(*ax.get_legend_handles_labels()):
                    if label not in labels:
                        handles.append(handle)
                        labels.append(label)
            # above the footnote, below every panel: never over a point
            fig.legend(
                handles,
                labels,
                loc="lower center",
                bbox_to_anchor=(0.5, 0.04 if panels.footnote else 0.0),
                ncol=min(4, len(labels) or 1),
                frameon=False,
                fontsize=9,
            )
        if panels.title:
            fig.suptitle(panels.title)
        if panels.footnote:
            fig.text(0.01, 0.005, panels.footnote, fontsize=9, ha="left", va="bottom")
        bottom = 0.13 if panels.legend == "figure" or panels.footnote else 0.0
        fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


# --- the figures ---------------------------------------------------------------------------------


def plot_series_with_events(
    close: pd.Series,
    event_dates: Sequence[pd.Timestamp],
    *,
    title: str,
    lines: Mapping[str, pd.Series] | None = None,
    sample_start: pd.Timestamp | None = None,
    direction: str = "event",
    log_scale: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """A series with every event marked (any source) and optional lines (e.g. its averages)."""
    name, symbol, colour = event_style(direction)
    chart = series_with_events_chart(
        close,
        event_dates,
        title=title,
        lines=lines,
        sample_start=sample_start,
        event_name=plural(name),
        event_symbol=symbol,
        event_colour=colour,
        log_scale=log_scale,
    )
    return draw_matplotlib(chart, ax)


def plot_index_with_crosses(
    close: pd.Series,
    fast_ma: pd.Series,
    slow_ma: pd.Series,
    event_dates: Sequence[pd.Timestamp],
    *,
    title: str,
    fast_label: str,
    slow_label: str,
    splice_date: pd.Timestamp | None = None,
    sample_start: pd.Timestamp | None = None,
    direction: str = "golden",
    ax: Axes | None = None,
) -> Axes:
    """The index on a log scale with both averages and every cross marked, the splice of
    the price history (FRED RU2000PR, then ^RUT) marked when given."""
    name, symbol, colour = event_style(direction)
    chart = series_with_events_chart(
        close,
        event_dates,
        title=title,
        lines={fast_label: fast_ma, slow_label: slow_ma},
        sample_start=sample_start,
        event_name=plural(name),
        event_symbol=symbol,
        event_colour=colour,
        splice_date=splice_date,
        splice_text="splice: FRED RU2000PR → ^RUT",
    )
    return draw_matplotlib(chart, ax)


def plot_event_paths(
    band: pd.DataFrame,
    random_band: pd.DataFrame | None,
    *,
    title: str,
    horizons: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    random_label: str = "random entry: 5–95% of the mean path",
    events_label: str = "events' mean",
    ax: Axes | None = None,
) -> Axes:
    """The picture of question B (``event_paths_chart``) on ``ax``: the events' mean path
    with its confidence band against the random-entry band, the judged horizons marked. A
    mean path outside the random band is what random entry rarely gives."""
    chart = event_paths_chart(
        band,
        random_band,
        title=title,
        horizons=horizons,
        confidence=confidence,
        random_label=random_label,
        events_label=events_label,
    )
    return draw_matplotlib(chart, ax)


def plot_each_event_path(paths: pd.DataFrame, *, title: str = "", ax: Axes | None = None) -> Axes:
    """Each event's path after entry with their mean and median (``each_event_path_chart``)."""
    return draw_matplotlib(each_event_path_chart(paths, title=title), ax)


def plot_pre_event_window(
    paths: pd.DataFrame,
    band: pd.DataFrame | None = None,
    *,
    title: str = "",
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """How the series got to each event (``pre_event_window_chart``) on ``ax``."""
    return draw_matplotlib(pre_event_window_chart(paths, band, title=title, legend=legend), ax)


def plot_event_drawdowns(
    event_dates: Sequence[pd.Timestamp],
    max_drawdown: Sequence[float],
    final_return: Sequence[float] | None = None,
    *,
    horizon: str = "12m",
    title: str = "",
    ax: Axes | None = None,
) -> Axes:
    """Per event, the deepest fall within ``horizon`` and the return at its end
    (``event_drawdowns_chart``) on ``ax``."""
    chart = event_drawdowns_chart(event_dates, max_drawdown, final_return, horizon=horizon, title=title)
    return draw_matplotlib(chart, ax)


def plot_null_distributions(
    null_by_horizon: Mapping[str, np.ndarray],
    observed: Mapping[str, float],
    baseline: Mapping[str, float],
    pvalues: Mapping[str, float],
    *,
    title: str,
    statistic_label: str = "mean forward return",
    direction: str = "golden",
    fig: Figure | None = None,
) -> Figure:
    """Per horizon: the random-entry null distribution with the observed statistic marked
    (``null_distributions_chart``), one panel each on ``fig``."""
    panels = null_distributions_chart(
        null_by_horizon,
        observed,
        baseline,
        pvalues,
        title=title,
        statistic_label=statistic_label,
        event_name=plural(event_style(direction)[0]),
    )
    return draw_matplotlib_panels(panels, fig)


def plot_hit_rates(
    labels: Sequence[str],
    event_hit_rate: Sequence[float],
    baseline_hit_rate: Sequence[float],
    n_events: Sequence[int],
    *,
    title: str,
    direction: str = "golden",
    outcome: str = "a gain",
    ax: Axes | None = None,
) -> Axes:
    """Share of windows with the claimed outcome after events vs on all eligible days."""
    name, _, colour = event_style(direction)
    chart = hit_rates_chart(
        labels,
        event_hit_rate,
        baseline_hit_rate,
        n_events,
        title=title,
        event_name=plural(name),
        event_colour=colour,
        outcome=outcome,
    )
    return draw_matplotlib(chart, ax)


def plot_equity_curves(
    curves: Mapping[str, pd.Series],
    *,
    title: str,
    ylabel: str = "value of 1 invested (log scale)",
    in_market: pd.Series | None = None,
    in_market_label: str = "strategy invested",
    styles: Mapping[str, tuple[str, str]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Equity curves on a log scale with the invested periods along the bottom
    (``equity_curves_chart``) on ``ax``."""
    chart = equity_curves_chart(
        curves, title=title, ylabel=ylabel, in_market=in_market, in_market_label=in_market_label, styles=styles
    )
    return draw_matplotlib(chart, ax)


def plot_drawdowns(drawdowns: Mapping[str, pd.Series], *, title: str, fig: Figure | None = None) -> Figure:
    """Underwater curves, one panel per equity curve (``drawdowns_chart``), on ``fig``."""
    return draw_matplotlib_panels(drawdowns_chart(drawdowns, title=title), fig)


def plot_peer_excess(rows: pd.DataFrame, *, title: str, min_n: int = 10, fig: Figure | None = None) -> Figure:
    """Each series' mean excess return with its interval, one panel per horizon
    (``peer_excess_chart``), on ``fig``."""
    return draw_matplotlib_panels(peer_excess_chart(rows, title=title, min_n=min_n), fig)


def plot_peer_percentiles(
    percentiles: pd.DataFrame, counts: pd.DataFrame, *, title: str, min_n: int = 10, ax: Axes | None = None
) -> Axes:
    """The percentiles' heat map (``peer_percentiles_chart``) on ``ax``."""
    return draw_matplotlib(peer_percentiles_chart(percentiles, counts, title=title, min_n=min_n), ax)


def plot_sweep_heatmap(
    fast: np.ndarray,
    slow: np.ndarray,
    values_pct: np.ndarray,
    *,
    title: str,
    best: tuple[int, int] | None = None,
    reference: tuple[int, int] | None = None,
    survivors: Sequence[tuple[int, int]] = (),
    value_label: str = "mean excess return over random entry (%)",
    ax: Axes | None = None,
) -> Axes:
    """The heatmap of a sweep (``sweep_heatmap_chart``) on ``ax``; the legend sits below the
    axes so that it never hides a cell."""
    chart = sweep_heatmap_chart(
        fast,
        slow,
        values_pct,
        title=title,
        best=best,
        reference=reference,
        survivors=survivors,
        value_label=value_label,
        reference_name="",
    )
    return draw_matplotlib(chart, ax)


def plot_specification_curve(
    robustness: Mapping[str, Any], *, title: str, unit: str = "events", fig: Figure | None = None
) -> Figure:
    """The specification curve of summary.json's ``robustness`` block
    (``specification_curve_chart``), two panels on ``fig``."""
    return draw_matplotlib_panels(specification_curve_chart(robustness, title=title, unit=unit), fig)


_STYLE = STYLE  # the rc parameters, for pictures drawn elsewhere (the benchmark report's)


def figure_of(ax: Axes) -> Figure:
    """The figure that holds ``ax``: what ``render.figure_png`` saves after an ``ax=`` plot."""
    return cast("Figure", ax.figure)
