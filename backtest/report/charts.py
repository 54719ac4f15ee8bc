"""Every chart of the reports defined once, free of any renderer: a chart is a frozen
description (lines, bands, markers, bars, reference lines, notes, axes, title) built by one
``*_chart`` function from numbers already computed (series, arrays, tables); ``Panels`` is a
grid of charts on one figure. ``backtest.report.figures.draw_matplotlib`` draws a chart on
matplotlib axes (the PNGs), ``backtest.report.interactive.draw_plotly`` on a plotly figure
(the interactive twins of report.html): the two outputs show the same content.

Nothing here computes a statistic or imports a plotting library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from backtest.report import style
from backtest.report.specification_curve import (
    FAMILY_COLOURS,
    family_name,
    specification_curve_frame,
    untestable_specifications,
)

Dash = Literal["solid", "dash", "dot"]
Symbol = Literal["circle", "triangle-up", "triangle-down", "diamond", "star", "square"]

# --- the description ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A line through (x, y); NaN in y (or x) breaks it (many paths in one line).
    ``hover``: plotly's hover template (None: no hover); ``custom``: columns it reads as
    ``customdata``; ``legend_only``: hidden in the interactive twin until picked in its legend;
    ``compact``: a long series the interactive twin writes as float32 (half the bytes)."""

    x: np.ndarray
    y: np.ndarray
    label: str | None = None
    colour: str = "black"
    width: float = 1.0
    dash: Dash = "solid"
    alpha: float = 1.0
    hover: str | None = None
    custom: np.ndarray | None = None
    legend_only: bool = False
    compact: bool = False


@dataclass(frozen=True)
class Markers:
    """Points at (x, y). ``filled`` per point (None: all filled; hollow shows the background);
    ``texts``: a label drawn beside each point; ``hover``: plotly's hover template and
    ``hover_texts`` the per-point text it shows as ``%{text}``; ``size`` in points."""

    x: np.ndarray
    y: np.ndarray
    label: str | None = None
    colour: str = "black"
    symbol: Symbol = "circle"
    size: float = 7.0
    edge_colour: str | None = None
    edge_width: float = 1.0
    filled: tuple[bool, ...] | None = None
    texts: tuple[str, ...] | None = None
    hover: str | None = None
    hover_texts: tuple[str, ...] | None = None
    legend_group: str | None = None
    show_in_legend: bool = True


@dataclass(frozen=True)
class Band:
    """The shaded area between ``low`` and ``high`` over x."""

    x: np.ndarray
    low: np.ndarray
    high: np.ndarray
    label: str | None = None
    colour: str = "grey"
    alpha: float = 0.3


@dataclass(frozen=True)
class Bars:
    """Vertical bars at x of the given heights and width (x units); ``texts`` above each."""

    x: np.ndarray
    height: np.ndarray
    width: float | np.ndarray = 0.8
    label: str | None = None
    colour: str = "grey"
    alpha: float = 1.0
    texts: tuple[str, ...] | None = None
    hover: str | None = None
    legend_group: str | None = None
    show_in_legend: bool = True


@dataclass(frozen=True)
class ReferenceLine:
    """A horizontal (``axis="y"``, at y = value) or vertical (``axis="x"``) line across the
    plotting area, with an optional ``text`` at its top (vertical) or right end (horizontal)
    and an optional legend ``label``."""

    axis: Literal["x", "y"]
    value: Any
    colour: str = "black"
    width: float = 0.8
    dash: Dash = "solid"
    label: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Span:
    """A shaded vertical strip from x0 to x1 over the whole height, an optional note inside."""

    x0: Any
    x1: Any
    colour: str = "grey"
    alpha: float = 0.08
    text: str | None = None


@dataclass(frozen=True)
class Strip:
    """A strip along the bottom of the plotting area where ``mask`` is true (e.g. the days a
    strategy is invested), held from each x to the next."""

    x: np.ndarray
    mask: np.ndarray
    label: str | None = None
    colour: str = "grey"
    alpha: float = 0.7
    height: float = 0.025


@dataclass(frozen=True)
class Note:
    """Text at a data point (x, y), shifted by (dx, dy) points, on a white box."""

    x: Any
    y: Any
    text: str
    dx: float = 0.0
    dy: float = 0.0
    align: Literal["left", "center", "right"] = "center"
    size: float = 9.0


@dataclass(frozen=True)
class Heatmap:
    """Cells of ``z`` (rows: ``y``, columns: ``x``, the cells' centres; NaN blank) on a
    diverging colour map from ``z_min`` to ``z_max``; ``cell_texts`` written in each cell."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    colour_map: str
    z_min: float
    z_max: float
    colour_bar_label: str = ""
    hover: str | None = None
    cell_texts: tuple[tuple[str, ...], ...] | None = None
    categorical: bool = False


Layer = Line | Markers | Band | Bars | ReferenceLine | Span | Strip | Note | Heatmap


@dataclass(frozen=True)
class Axis:
    """One axis: its label, ``scale`` (linear or log), ``dates`` (x values are dates),
    ``tick_format`` (a format spec shared by Python and d3, e.g. ``",.0f"``, ``"+.0f"``) with
    ``tick_suffix``; ``ticks_125`` puts 1-2-5 ticks on a log axis; ``tick_labels``:
    categorical ticks (positions, labels); ``limits`` (low, high) or None."""

    label: str = ""
    scale: Literal["linear", "log"] = "linear"
    dates: bool = False
    tick_format: str | None = None
    tick_suffix: str = ""
    ticks_125: bool = False
    tick_labels: tuple[tuple[Any, ...], tuple[str, ...]] | None = None
    tick_rotation: float = 0.0
    limits: tuple[float, float] | None = None
    hidden_ticks: bool = False


@dataclass(frozen=True)
class Chart:
    """One plotting area: its layers drawn in order, its axes, title and legend placement
    (``"below"`` the axes, a matplotlib location such as ``"upper left"``, or ``"none"``)."""

    layers: tuple[Layer, ...]
    title: str = ""
    x_axis: Axis = field(default_factory=Axis)
    y_axis: Axis = field(default_factory=Axis)
    legend: str = "below"
    legend_columns: int = 2
    figsize: tuple[float, float] = (10.0, 5.0)
    range_slider: bool = False

    def count(self, kind: type) -> int:
        """How many layers of ``kind`` the chart holds."""
        return sum(isinstance(layer, kind) for layer in self.layers)


@dataclass(frozen=True)
class Panels:
    """Charts on one figure, ``columns`` per row, under one ``title``; ``share_x``/``share_y``
    share the axes; ``height_ratios`` per row; ``footnote`` under the figure."""

    charts: tuple[Chart, ...]
    title: str = ""
    columns: int = 1
    share_x: bool = False
    share_y: bool = False
    height_ratios: tuple[float, ...] | None = None
    figsize: tuple[float, float] = (12.0, 6.0)
    footnote: str = ""
    legend: Literal["panels", "figure"] = "panels"

    @property
    def rows(self) -> int:
        """Rows of the grid."""
        return -(-len(self.charts) // self.columns)


# --- the charts --------------------------------------------------------------------------------

GOLDEN_COLOUR = style.GOLDEN
DEATH_COLOUR = style.DEATH
EVENT_STYLES = {
    "golden": ("golden cross", "triangle-up", GOLDEN_COLOUR),
    "death": ("death cross", "triangle-down", DEATH_COLOUR),
    "event": ("event", "circle", style.EVENT),
}
"""How each event direction is named and marked: (name, marker symbol, colour)."""
_CURVE_COLOURS = style.CYCLE
_PATH_GREY = "#9a9a9a"


def plural(name: str) -> str:
    """Plural of an event name: "golden crosses", "events"."""
    return name + ("es" if name.endswith("s") else "s")


def event_style(direction: str) -> tuple[str, str, str]:
    try:
        return EVENT_STYLES[direction]
    except KeyError:
        raise ValueError(f"direction must be one of {sorted(EVENT_STYLES)}, got {direction!r}") from None


def _dates(index: Any) -> np.ndarray:
    return pd.DatetimeIndex(index).to_numpy()


def _joined_paths(paths: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Every column of ``paths`` as one line, NaN between them: one legend entry, one trace."""
    days = paths.index.to_numpy(dtype=float)
    gap = np.full(1, np.nan)
    x = np.concatenate([np.concatenate([days, gap]) for _ in paths.columns]) if paths.shape[1] else days[:0]
    y = (
        np.concatenate([np.concatenate([paths[column].to_numpy(dtype=float), gap]) for column in paths.columns])
        if paths.shape[1]
        else days[:0]
    )
    return x, y


def series_with_events_chart(
    close: pd.Series,
    event_dates: Sequence[pd.Timestamp],
    *,
    title: str,
    lines: Mapping[str, pd.Series] | None = None,
    sample_start: pd.Timestamp | None = None,
    event_name: str = "events",
    event_symbol: str = "circle",
    event_colour: str = style.EVENT,
    event_hover: Sequence[str] | None = None,
    log_scale: bool = True,
    splice_date: pd.Timestamp | None = None,
    splice_text: str = "",
) -> Chart:
    """A series with every event marked (any source), optional ``lines`` (label -> series,
    e.g. its averages), the days before ``sample_start`` shaded and an optional splice
    marked; a log scale when every level is positive. ``event_hover``: one text per event,
    shown by the interactive twin."""
    dates = pd.DatetimeIndex(event_dates)
    layers: list[Any] = []
    if sample_start is not None and sample_start > close.index[0]:
        layers.append(Span(close.index[0], sample_start, text="before the sample: averages only"))
    if splice_date is not None:
        layers.append(ReferenceLine("x", splice_date, colour="grey", width=1, dash="dot", text=splice_text))
    layers.append(
        Line(
            _dates(close.index),
            close.to_numpy(dtype=float),
            "close",
            style.PRICE,
            0.7,
            hover="%{x}<br>close %{y:,.2f}<extra></extra>",
            compact=True,
        )
    )
    for (label, line), colour in zip((lines or {}).items(), (style.FAST_MA, style.SLOW_MA, style.THIRD_LINE)):
        layers.append(Line(_dates(line.index), line.to_numpy(dtype=float), label, colour, 1.0, compact=True))
    layers.append(
        Markers(
            _dates(dates),
            close.reindex(dates).to_numpy(dtype=float),
            f"{event_name} ({len(dates)})",
            event_colour,
            event_symbol,  # type: ignore[arg-type]
            size=7.5,
            edge_colour="black",
            hover="%{text}<extra></extra>" if event_hover is not None else None,
            hover_texts=tuple(event_hover) if event_hover is not None else None,
        )
    )
    log_axis = log_scale and bool((close.dropna() > 0).all())
    return Chart(
        tuple(layers),
        title=title,
        x_axis=Axis("date", dates=True),
        y_axis=Axis(
            "level (log scale)" if log_axis else "level",
            scale="log" if log_axis else "linear",
            tick_format=",.0f" if log_axis else None,
            ticks_125=log_axis,
        ),
        legend="below",
        legend_columns=4,
        figsize=(13, 5.5),
    )


def event_paths_chart(
    band: pd.DataFrame,
    random_band: pd.DataFrame | None,
    *,
    title: str,
    horizons: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    random_label: str = "random entry: 5–95% of the mean path",
    events_label: str = "events' mean",
    band_label: str | None = None,
    paths: pd.DataFrame | None = None,
) -> Chart:
    """The picture of question B: the events' mean path (``band``: columns mean, low, high
    and optionally n, by trading day from entry, ``backtest.events.paths.mean_path_interval``)
    with its confidence band, against the band where the mean path of as many random entry
    days falls (``random_band``: columns low, high), the judged ``horizons`` (label ->
    trading days) marked. ``paths``: each event's path, one thin line shown on demand in
    the interactive twin."""
    days = band.index.to_numpy()
    layers: list[Any] = []
    if paths is not None and paths.shape[1]:
        x, y = _joined_paths(paths)
        layers.append(Line(x, y, f"each event ({paths.shape[1]})", "#8c8c8c", 0.6, legend_only=True, compact=True))
    if random_band is not None:
        layers.append(
            Band(random_band.index.to_numpy(), random_band["low"].to_numpy(), random_band["high"].to_numpy(),
                 random_label, style.RANDOM_BAND, 0.35)
        )  # fmt: skip
    layers.append(
        Band(days, band["low"].to_numpy(), band["high"].to_numpy(),
             band_label or f"{confidence:.0%} confidence band of the mean", style.EVENTS_BAND, 0.3)
    )  # fmt: skip
    counts = band["n"].to_numpy(dtype=float) if "n" in band else np.full(len(band), np.nan)
    layers.append(
        Line(
            days,
            band["mean"].to_numpy(dtype=float),
            events_label,
            style.EVENTS_MEAN,
            2.2,
            custom=np.column_stack([band["low"].to_numpy(dtype=float), band["high"].to_numpy(dtype=float), counts]),
            hover="day %{x}: mean %{y:.1f} (%{customdata[0]:.1f} to %{customdata[1]:.1f}), "
            "n = %{customdata[2]:.0f}<extra></extra>",
        )
    )
    layers.append(ReferenceLine("y", 100))
    for label, day in (horizons or {}).items():
        if days[0] <= day <= days[-1]:
            layers.append(ReferenceLine("x", day, colour="#555555", width=0.9, dash="dot", text=label))
    return Chart(
        tuple(layers),
        title=title,
        x_axis=Axis("trading days after entry (dotted: the judged horizons)", limits=(days[0], days[-1])),
        y_axis=Axis("level, entry = 100"),
        legend="below",
        figsize=(9.6, 4.9),
    )


def each_event_path_chart(paths: pd.DataFrame, *, title: str = "") -> Chart:
    """Each event's path after entry (``aligned_paths``, entry = 100), one thin line each,
    with the mean and the median of the events whose window is complete: how far apart the
    outcomes behind the mean lie."""
    after = paths.loc[0:]
    days = after.index.to_numpy(dtype=float)
    complete = after.dropna(axis=1, how="any")
    x, y = _joined_paths(after)
    return Chart(
        (
            Line(x, y, None, _PATH_GREY, 0.6, alpha=0.6),
            Line(days, complete.mean(axis=1).to_numpy(), f"mean of {complete.shape[1]} complete events",
                 style.EVENTS_MEAN, 2.2),
            Line(days, complete.median(axis=1).to_numpy(), "median", "black", 1.6, dash="dash"),
            ReferenceLine("y", 100),
        ),
        title=title,
        x_axis=Axis("trading days after entry"),
        y_axis=Axis("level, entry = 100"),
        legend="upper left",
        figsize=(11, 5.5),
    )  # fmt: skip


def pre_event_window_chart(
    paths: pd.DataFrame, band: pd.DataFrame | None = None, *, title: str = "", legend: bool = True
) -> Chart:
    """How the series got to each event: ``paths`` (``aligned_paths(..., before=k)``, entry
    = 100) from -k to 0 days, one thin line each, with the events' mean and its band
    (``band``, same index) over them."""
    before = paths.loc[:0]
    days = before.index.to_numpy(dtype=float)
    x, y = _joined_paths(before)
    layers: list[Any] = [Line(x, y, None, _PATH_GREY, 0.6, alpha=0.6)]
    if band is not None:
        window = band.loc[:0]
        layers += [
            Band(days, window["low"].to_numpy(), window["high"].to_numpy(), "events' mean: 95% confidence band",
                 style.EVENTS_BAND, 0.4),
            Line(days, window["mean"].to_numpy(dtype=float), f"mean of {before.shape[1]} events", style.EVENTS_MEAN,
                 2.2),
        ]  # fmt: skip
    layers.append(ReferenceLine("y", 100))
    return Chart(
        tuple(layers),
        title=title,
        x_axis=Axis("trading days before the event (entry = 100)"),
        y_axis=Axis("level, entry = 100"),
        legend="below" if legend else "none",
        figsize=(9, 5),
    )


def event_drawdowns_chart(
    event_dates: Sequence[pd.Timestamp],
    max_drawdown: Sequence[float],
    final_return: Sequence[float] | None = None,
    *,
    horizon: str = "12m",
    title: str = "",
) -> Chart:
    """Per event: the deepest fall below the entry close within ``horizon`` (fractions,
    drawn in %, downward bars; NaN = pending window, left blank) and, when given, the
    return at the horizon's end as a marker: how much pain came before the outcome."""
    drawdown = np.asarray(max_drawdown, dtype=float) * 100
    x = np.arange(len(drawdown), dtype=float)
    layers: list[Any] = [
        Bars(x, drawdown, 0.7, f"deepest fall below entry within {horizon}", style.OKABE_ITO["vermillion"], 0.75)
    ]
    if final_return is not None:
        layers.append(
            Markers(x, np.asarray(final_return, dtype=float) * 100, f"return at {horizon}", style.OKABE_ITO["blue"],
                    "diamond", size=5, edge_colour="black", edge_width=0.4)
        )  # fmt: skip
    layers.append(ReferenceLine("y", 0))
    labels = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in event_dates]
    step = -(-len(labels) // 30)  # at most 30 dates on the axis: readable at the page's width
    return Chart(
        tuple(layers),
        title=title,
        x_axis=Axis(
            "event date",
            tick_labels=(tuple(x[::step]), tuple(labels[::step])),
            tick_rotation=70,
            limits=(-0.7, len(x) - 0.3),
        ),
        y_axis=Axis("% of the entry close", tick_format="+.0f", tick_suffix="%"),
        legend="below",
        figsize=(13, 4.8),
    )


def null_distributions_chart(
    null_by_horizon: Mapping[str, np.ndarray],
    observed: Mapping[str, float],
    baseline: Mapping[str, float],
    pvalues: Mapping[str, float],
    *,
    title: str,
    statistic_label: str = "mean forward return",
    event_name: str = "events",
    bins: int = 60,
) -> Panels:
    """One panel per horizon: the random-entry null distribution of the statistic (%, a
    histogram of ``bins`` bins as the share of draws in each) with the events' value and
    the all-days value marked."""
    labels = list(null_by_horizon)
    columns = min(3, len(labels))
    charts = []
    for position, label in enumerate(labels):
        null = np.asarray(null_by_horizon[label], dtype=np.float64) * 100
        null = null[np.isfinite(null)]
        counts, edges = np.histogram(null, bins=bins)
        share = counts / max(len(null), 1) * 100
        top = (float(share.max()) if len(share) else 1.0) * 1.05
        events_mean, all_days = observed[label] * 100, baseline[label] * 100
        charts.append(
            Chart(
                (
                    Bars((edges[:-1] + edges[1:]) / 2, share, np.diff(edges), "random entry", style.RANDOM_BAND,
                         hover="mean %{x:.2f}%: %{y:.2f}% of draws<extra></extra>"),
                    Line(np.array([events_mean] * 2), np.array([0.0, top]), f"{event_name}' mean", style.EVENTS_MEAN,
                         2.0, hover=f"{event_name}' mean: {events_mean:+.2f}%<extra></extra>"),
                    Line(np.array([all_days] * 2), np.array([0.0, top]), "all days' mean", style.BASELINE, 1.2,
                         dash="dash", hover=f"all days' mean: {all_days:+.2f}%<extra></extra>"),
                ),
                title=f"{label}: p = {pvalues[label]:.3f}",
                x_axis=Axis(f"{statistic_label} (%)"),
                y_axis=Axis("share of draws (%)" if position % columns == 0 else ""),
                legend="upper left" if position == 0 else "none",
            )
        )  # fmt: skip
    rows = -(-len(labels) // columns)
    return Panels(tuple(charts), title=title, columns=columns, figsize=(4.2 * columns, 3.4 * rows))


def hit_rates_chart(
    labels: Sequence[str],
    event_hit_rate: Sequence[float],
    baseline_hit_rate: Sequence[float],
    n_events: Sequence[int],
    *,
    title: str,
    event_name: str = "golden crosses",
    event_colour: str = GOLDEN_COLOUR,
    outcome: str = "a gain",
) -> Chart:
    """Share of windows with the claimed outcome after events vs on all eligible days, by
    horizon, n above the events' bars."""
    x = np.arange(len(labels), dtype=float)
    width = 0.38
    return Chart(
        (
            Bars(x - width / 2, np.asarray(event_hit_rate, dtype=float) * 100, width, f"after {event_name}",
                 event_colour, texts=tuple(f"n={n}" for n in n_events)),
            Bars(x + width / 2, np.asarray(baseline_hit_rate, dtype=float) * 100, width, "all eligible days",
                 style.BASELINE),
            ReferenceLine("y", 50, dash="dot"),
        ),
        title=title,
        x_axis=Axis("forward horizon", tick_labels=(tuple(x), tuple(labels))),
        y_axis=Axis(f"share of windows with {outcome} (%)", limits=(0, 100)),
        legend="below",
        figsize=(8, 4.5),
    )  # fmt: skip


def equity_curves_chart(
    curves: Mapping[str, pd.Series],
    *,
    title: str,
    ylabel: str = "value of 1 invested (log scale)",
    in_market: pd.Series | None = None,
    in_market_label: str = "strategy invested",
    styles: Mapping[str, tuple[str, str]] | None = None,
) -> Chart:
    """Equity curves on a log scale; ``in_market`` (bool by date) is a strip along the
    bottom so that the invested periods can be read against the curves. ``styles`` maps a
    curve's label to (colour, matplotlib line style "-" or "--"); others take the palette."""
    dashes: dict[str, Dash] = {"-": "solid", "--": "dash", ":": "dot"}
    layers: list[Any] = []
    for default_colour, (label, curve) in zip(_CURVE_COLOURS, curves.items()):
        colour, line = (styles or {}).get(label, (default_colour, "-"))
        layers.append(
            Line(_dates(curve.index), curve.to_numpy(dtype=float),
                 f"{label}: {curve.iloc[-1]:,.2f} on {curve.index[-1].date()}", colour, 1.1, dash=dashes[line],
                 compact=True)
        )  # fmt: skip
    if in_market is not None:
        layers.append(
            Strip(_dates(in_market.index), in_market.to_numpy(dtype=bool), in_market_label, style.OKABE_ITO["sky_blue"])
        )
    return Chart(
        tuple(layers),
        title=title,
        x_axis=Axis("date", dates=True),
        y_axis=Axis(ylabel, scale="log", tick_format="g", ticks_125=True),
        legend="upper left",
        figsize=(13, 6),
    )


def drawdowns_chart(drawdowns: Mapping[str, pd.Series], *, title: str) -> Panels:
    """Underwater curves, one filled panel per equity curve on a shared scale: each curve's
    fall from its running peak in percent, its worst point marked (two overlaid lines hid
    each other)."""
    charts = []
    last = len(drawdowns) - 1
    for position, (colour, (label, curve)) in enumerate(zip(_CURVE_COLOURS[1:], drawdowns.items())):
        values = curve.to_numpy(dtype=float) * 100
        dates = _dates(curve.index)
        worst = int(np.argmin(values))
        charts.append(
            Chart(
                (
                    Band(dates, values, np.zeros_like(values), None, colour, 0.35),
                    Line(dates, values, None, colour, 0.8, compact=True),
                    Markers(dates[[worst]], values[[worst]], None, "black", "triangle-down", size=7),
                    Note(dates[worst], values[worst], f"worst {values[worst]:.1f}% on {curve.index[worst].date()}",
                         dx=8, align="left"),
                    ReferenceLine("y", 0),
                ),
                title=label,
                x_axis=Axis("date" if position == last else "", dates=True),
                y_axis=Axis("below peak", tick_format=".0f", tick_suffix="%"),
                legend="none",
            )
        )  # fmt: skip
    return Panels(tuple(charts), title=title, share_x=True, share_y=True, figsize=(13, 2.6 * len(drawdowns) + 0.8))


def peer_excess_chart(rows: pd.DataFrame, *, title: str, min_n: int = 10) -> Panels:
    """One panel per horizon: each series' mean excess return over all days with its 95%
    interval. ``rows`` is tidy with columns series, group, horizon, excess_mean, ci_low,
    ci_high, n, random_entry_p (fractions); series are drawn top to bottom in row order and
    a cell with n < ``min_n`` is drawn hollow (anecdotal)."""
    series = list(dict.fromkeys(rows["series"]))
    horizons = list(dict.fromkeys(rows["horizon"]))
    groups = list(dict.fromkeys(rows["group"]))
    colours = dict(zip(groups, _CURVE_COLOURS[1:]))
    y_of = {name: len(series) - 1 - i for i, name in enumerate(series)}
    charts = []
    for position, horizon in enumerate(horizons):
        part = rows.loc[(rows["horizon"] == horizon) & np.isfinite(rows["excess_mean"].to_numpy(dtype=float))]
        layers: list[Any] = []
        for group in groups:
            cells = part.loc[part["group"] == group]
            if not len(cells):
                continue
            y = np.array([y_of[name] for name in cells["series"]], dtype=float)
            gap = np.full(len(cells), np.nan)
            interval_x = np.column_stack([cells["ci_low"] * 100, cells["ci_high"] * 100, gap]).ravel()
            interval_y = np.column_stack([y, y, gap]).ravel()
            layers.append(Line(interval_x, interval_y, None, colours[group], 1.6))
            layers.append(
                Markers(cells["excess_mean"].to_numpy(dtype=float) * 100, y, group, colours[group], size=6.5,
                        filled=tuple(bool(n >= min_n) for n in cells["n"]), legend_group=group,
                        show_in_legend=position == 0)
            )  # fmt: skip
        # on a white box above the point: the zero line passes behind, never through the text
        layers += [
            Note(row.excess_mean * 100, y_of[row.series],
                 f"n={row.n}" + (" anecd." if row.n < min_n else "") + f"  p={row.random_entry_p:.2f}", dy=7)
            for row in part.itertuples(index=False)
        ]  # fmt: skip
        layers.append(ReferenceLine("x", 0, dash="dash"))
        charts.append(
            Chart(
                tuple(layers),
                title=f"{horizon} after the cross",
                x_axis=Axis("mean excess return (% points)", tick_format="+.0f"),
                y_axis=Axis(
                    tick_labels=(tuple(y_of[name] for name in series), tuple(series)),
                    limits=(-0.7, len(series) - 0.3),
                ),
                legend="none",
            )
        )
    return Panels(
        tuple(charts),
        title=title,
        columns=len(horizons),
        share_y=True,
        figsize=(2.6 * len(horizons) + 2.5, 0.62 * len(series) + 2.4),
        footnote=f"hollow: n < {min_n}, anecdotal",
        legend="figure",
    )


def peer_percentiles_chart(percentiles: pd.DataFrame, counts: pd.DataFrame, *, title: str, min_n: int = 10) -> Chart:
    """Heat map: rows are series, columns horizons, colour the percentile (0-100) of the
    observed mean among random-entry means (50 = what a random day gives); each cell shows
    the percentile and n, and a cell with n < ``min_n`` says "anecdotal"."""
    values = percentiles.to_numpy(dtype=float)
    texts = tuple(
        tuple(
            f"{values[i, j]:.0f}\nn={int(counts.iat[i, j])}" + (" anecd." if int(counts.iat[i, j]) < min_n else "")
            for j in range(values.shape[1])
        )
        for i in range(values.shape[0])
    )
    columns, rows = np.arange(values.shape[1]), np.arange(values.shape[0])
    return Chart(
        (
            Heatmap(columns, rows, values, style.DIVERGING_CMAP, 0.0, 100.0,
                    "percentile among random-entry means (50 = random)", cell_texts=texts, categorical=True),
        ),
        title=title,
        x_axis=Axis("forward horizon", tick_labels=(tuple(columns), tuple(str(c) for c in percentiles.columns))),
        y_axis=Axis(tick_labels=(tuple(rows), tuple(str(i) for i in percentiles.index))),
        legend="none",
        figsize=(1.5 * values.shape[1] + 4, 0.5 * values.shape[0] + 1.8),
    )  # fmt: skip


def sweep_heatmap_chart(
    fast: Sequence[int] | np.ndarray,
    slow: Sequence[int] | np.ndarray,
    values_pct: np.ndarray,
    *,
    title: str,
    best: tuple[int, int] | None = None,
    reference: tuple[int, int] | None = None,
    survivors: Sequence[tuple[int, int]] = (),
    value_label: str = "mean excess return over random entry (%)",
    reference_name: str = "reference pair ",
) -> Chart:
    """Heatmap of ``values_pct`` (rows: ``fast`` windows, columns: ``slow``; NaN blank) on a
    colour scale symmetric around 0, with the Romano-Wolf ``survivors`` dotted, the ``best``
    pair starred and the ``reference`` pair circled."""
    values = np.asarray(values_pct, dtype=float)
    finite = values[np.isfinite(values)]
    limit = float(np.abs(finite).max()) if len(finite) and np.abs(finite).max() > 0 else 1.0
    layers: list[Any] = [
        Heatmap(np.asarray(slow), np.asarray(fast), values, style.DIVERGING_CMAP, -limit, limit, value_label,
                hover="fast %{y} / slow %{x}: %{z:+.2f}%<extra></extra>")
    ]  # fmt: skip
    if survivors:
        layers.append(
            Markers(np.array([s for _, s in survivors]), np.array([f for f, _ in survivors]),
                    "survives Romano-Wolf (FWER 5%)", "black", "square", size=2.4, edge_width=0)
        )  # fmt: skip
    if best is not None:
        layers.append(
            Markers(np.array([best[1]]), np.array([best[0]]), f"best pair {best[0]}/{best[1]}",
                    style.OKABE_ITO["yellow"], "star", size=16, edge_colour="black", edge_width=1.2,
                    hover=f"best pair {best[0]}/{best[1]}<extra></extra>")
        )  # fmt: skip
    if reference is not None:
        pair = f"{reference[0]}/{reference[1]}"
        layers.append(
            Markers(np.array([reference[1]]), np.array([reference[0]]), f"{reference_name}{pair}", "black",
                    size=12.5, edge_width=2.0, filled=(False,), texts=(pair,),
                    hover=f"reference pair {pair}<extra></extra>")
        )  # fmt: skip
    return Chart(
        tuple(layers),
        title=title,
        x_axis=Axis("slow moving-average window (trading days)"),
        y_axis=Axis("fast moving-average window (trading days)"),
        legend="below",
        legend_columns=3,
        figsize=(9.0, 6.6),
    )


def specification_curve_chart(robustness: Mapping[str, Any], *, title: str, unit: str = "events") -> Panels:
    """A specification curve (Simonsohn, Simmons & Nelson 2020) of summary.json's
    ``robustness`` block: above, each testable specification's excess return (%) sorted,
    coloured by family, filled where its p is below alpha, the claim as stated drawn as a
    star; below, the same specifications' one-sided p on a log axis with alpha marked. The
    untestable specifications are named under the figure, not drawn. The hover text (the
    interactive twin's) names the specification, n and both tails' p."""
    frame = specification_curve_frame(robustness)
    alpha = float(robustness["alpha"])
    present = list(dict.fromkeys(frame["family"]))
    families = [f for f in FAMILY_COLOURS if f in present] + sorted(set(present) - set(FAMILY_COLOURS))
    excess_layers: list[Any] = []
    pvalue_layers: list[Any] = []
    for family in families:
        part = frame.loc[frame["family"] == family]
        own = bool(part["own"].any())
        hover = tuple(
            f"{row.label} ({family})\nn = {row.n_events}\nexcess {row.excess * 100:+.2f}%\n"
            f"p = {row.pvalue:.3f} (other tail {row.pvalue_opposite:.3f})"
            for row in part.itertuples(index=False)
        )
        for layers, values in ((excess_layers, part["excess"] * 100), (pvalue_layers, part["pvalue"])):
            layers.append(
                Markers(part["rank"].to_numpy(dtype=float), values.to_numpy(dtype=float),
                        f"{family_name(family)} ({len(part)})", FAMILY_COLOURS.get(family, style.OKABE_ITO["black"]),
                        "star" if own else "circle", size=12.5 if own else 5.8, edge_width=1.3,
                        filled=tuple(bool(s) for s in part["significant"]), hover="%{text}<extra></extra>",
                        hover_texts=hover, legend_group=family, show_in_legend=layers is excess_layers)
            )  # fmt: skip
    excess_layers.append(ReferenceLine("y", 0))
    pvalue_layers.append(
        ReferenceLine(
            "y", alpha, colour=style.OKABE_ITO["vermillion"], width=1, dash="dash", label=f"alpha = {alpha:g}"
        )
    )
    low = min(float(frame["pvalue"].min()) / 2, alpha / 5) if len(frame) else alpha / 5
    untestable = untestable_specifications(robustness)
    shown = ", ".join(untestable[:6]) + (f" and {len(untestable) - 6} more" if len(untestable) > 6 else "")
    return Panels(
        (
            Chart(
                tuple(excess_layers),
                y_axis=Axis("excess return (%)" if unit == "events" else "window minus rest (log, %)",
                            tick_format="+g"),
                legend="none",
            ),
            Chart(
                tuple(pvalue_layers),
                x_axis=Axis("specifications, sorted by excess return (filled: p below alpha)"),
                y_axis=Axis("one-sided p (claimed tail)", scale="log", limits=(low, 1.05)),
                legend="none",
            ),
        ),
        title=title,
        share_x=True,
        height_ratios=(3, 2),
        figsize=(12, 6.6),
        footnote=f"Hollow: p ≥ {alpha:g}." + (f" Not testable, not drawn: {shown}" if untestable else ""),
        legend="figure",
    )  # fmt: skip
