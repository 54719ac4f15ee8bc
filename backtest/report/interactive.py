"""Interactive (plotly) figures for the HTML reports: ``draw_plotly`` draws a chart of
``backtest.report.charts`` on a ``plotly.graph_objects.Figure`` (``draw_plotly_panels`` a grid
of them), the same definitions the PNGs draw with matplotlib; each ``*_chart`` function here
is a PNG's twin, the chart plus the page's layout (legend under the mode bar, heights).
``to_div`` turns a figure into an HTML ``<div>`` with a stable id, and the ``*_blocks``
functions compose a report's divs.

The divs do not carry plotly.js: the page carries it once (``backtest.report.render``).
Output is deterministic: ids are given, never drawn; arrays are written as they are.
Colours are the palette of ``backtest.report.style``, the same as in the PNGs.

Titles and names are plain text: plotly draws a few HTML-like tags in them (``<b>``,
``<a href>``), so ``draw_plotly`` HTML-escapes every text of a chart it puts in a figure; the figure
JSON escapes ``<``, ``>`` and ``/`` (plotly's ``to_json_plotly``), so no string ends the
page's ``<script>``, and ``to_div`` checks that it does not. ``to_div`` sets each figure's
title above it as a line of the page, and every legend sits under the strip kept for the
mode bar (``MODEBAR_HEIGHT``): at 800 pixels as at 1280 the bar covers neither.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from backtest import numbers
from backtest.report import charts, style
from backtest.report.charts import (
    EVENT_STYLES,
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
    null_distributions_chart,
    plural,
    series_with_events_chart,
)
from backtest.report.specification_curve import SPECIFICATION_CURVE

PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""Every interactive figure's toolbar: zoom, pan, reset and PNG download; no plotly logo."""

MODEBAR_HEIGHT = 32
"""Pixels at the top of every figure kept for plotly's mode bar (zoom, pan, reset, PNG),
which it draws in the top right corner: the legend and any subplot title sit below them, so
that the bar never covers them at any width (the title is a line of the page, ``to_div``)."""
LEGEND_ROW = 29
"""Pixels of one row of a horizontal legend at the font size below, at most (symbols of
constant size; a row of lines alone takes 24)."""


def _top_margin(legend_rows: int = 1, extra: int = 0) -> dict[str, int]:
    """A top margin holding the mode bar's strip, ``legend_rows`` rows of legend and ``extra``
    pixels (subplot titles) above the plotting area."""
    return {"t": MODEBAR_HEIGHT + LEGEND_ROW * legend_rows + extra + 6}


_LAYOUT = {
    "template": "plotly_white",
    "font": {"family": "-apple-system, Segoe UI, Helvetica, Arial, sans-serif", "size": 13},
    "margin": {"l": 60, "r": 20, "b": 50, **_top_margin()},
    "hovermode": "closest",
    # above the plotting area, left, under the mode bar's strip (_top_margin)
    "legend": {
        "orientation": "h",
        "yanchor": "bottom",
        "y": 1.0,
        "xanchor": "left",
        "x": 0.0,
        "font": {"size": 12},
        "itemsizing": "constant",  # a large marker (the claim's star) does not make its row taller
    },
}

NULL_PANEL_HEIGHT = 300
NULL_EXTRA_HEIGHT = 110
"""Height of the null distributions' figure: per row of panels, and for its margins."""

PATH_DAYS_BEFORE = 60
"""Trading days drawn before each event in the event-aligned paths (how the series got there)."""

ANSWER_FIGURE_HEIGHT = 390
"""Height in pixels of the answer figure, which sits in the verdict card: with the card's
verdict and numbers it fits a 1280 x 800 screen without scrolling."""

EVENT_MARKERS = {
    direction: (plural(name), colour, symbol) for direction, (name, symbol, colour) in EVENT_STYLES.items()
}
"""The index chart's name, colour and marker of the events, by how the event kind marks them
(``charts.EVENT_STYLES``, the PNG's)."""

PX_PER_POINT = 1.25
"""Plotly sizes (pixels) per matplotlib point: markers and lines look alike in both outputs."""


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def plain_text(text: object) -> str:
    """A user string as plain text in a plotly title, name or hover text (which draw
    ``<b>``, ``<br>`` and ``<a href>``): ``&``, ``<`` and ``>`` as entities, shown as typed."""
    return html.escape(str(text), quote=False)


_SCRIPT_BREAK = re.compile(r"</script|<script|<!--", flags=re.IGNORECASE)


def to_div(fig: Any, div_id: str, height: int | None = 480) -> str:
    """The figure as an HTML ``<div id=div_id>`` plus its drawing script, without plotly.js.
    ``div_id`` keeps only letters, digits, ``-`` and ``_`` (it is written into the script);
    ``height`` in pixels, None for the figure's own (``layout.height``).

    The figure's title is taken out of the drawing and set above it as a line of the page:
    there it wraps on a narrow screen, follows the page's colours, and the mode bar (which
    plotly draws in the figure's top right corner) can never cover it."""
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", div_id)
    title = fig.layout.title.text
    height = height or fig.layout.height or 480  # None: the figure's own
    fig.update_layout(height=height, autosize=True, title_text=None)
    # the title text is plotly's (user strings already entity-escaped by plain_text): shown as
    # text, never as markup, whatever it holds
    heading = f'<p class="plotly-title">{html.escape(html.unescape(title), quote=False)}</p>\n' if title else ""
    text = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=safe_id,
        config=PLOTLY_CONFIG,
        default_width="100%",
        default_height=f"{height}px",
    )
    opening, closing = text.index("<script"), text.rindex("</script>")
    script = text[text.index(">", opening) + 1 : closing]
    if _SCRIPT_BREAK.search(script):  # plotly escapes its JSON; never trust it silently
        raise ValueError(f"the drawing script of figure {safe_id!r} could end its <script> element")
    return f'<div class="plotly-figure">{heading}{text}</div>'


# --- the renderer ------------------------------------------------------------------------------

_PLOTLY_DASH = {"solid": "solid", "dash": "dash", "dot": "dot"}


def _epoch_ms(values: Any) -> np.ndarray:
    """Dates as milliseconds since 1970 (plotly's numeric dates): a compact binary array,
    about half the size of ISO strings for a long daily series."""
    import pandas as pd

    return (pd.DatetimeIndex(values).as_unit("ns").asi8 // 1_000_000).astype(np.float64)


def _date_text(value: Any) -> str:
    import pandas as pd

    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _plotly_x(values: Any, dates: bool) -> Any:
    if dates:
        return _epoch_ms(values)
    return np.asarray(values)


def _text(text: str | None) -> str | None:
    """Text as plotly shows it as typed: ``&``, ``<`` and ``>`` as entities (plotly draws a
    few HTML-like tags, ``<b>``, ``<a href>``), a newline as plotly's line break."""
    if text is None:
        return None
    return plain_text(text).replace("\n", "<br>")


def _texts(texts: tuple[str, ...] | None) -> list[str | None] | None:
    return None if texts is None else [_text(text) for text in texts]


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    if len(colour) != 6:
        return colour
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha:.2f})"


def _plotly_layer(fig: Any, layer: Layer, chart: Chart, where: dict[str, int]) -> None:
    go = _go()

    dates = chart.x_axis.dates
    if isinstance(layer, Line):
        y = np.asarray(layer.y, dtype=np.float32 if layer.compact else np.float64)
        fig.add_trace(
            go.Scatter(
                x=_plotly_x(layer.x, dates),
                y=y,
                mode="lines",
                name=_text(layer.label),
                showlegend=layer.label is not None,
                legendgroup=_text(layer.label),
                visible="legendonly" if layer.legend_only else None,
                opacity=layer.alpha if layer.alpha < 1 else None,
                line={"color": layer.colour, "width": layer.width * PX_PER_POINT, "dash": _PLOTLY_DASH[layer.dash]},
                customdata=layer.custom,
                hovertemplate=layer.hover,
                hoverinfo=None if layer.hover else "skip",
                connectgaps=False,
            ),
            **where,
        )
    elif isinstance(layer, Markers):
        filled = layer.filled if layer.filled is not None else (True,) * len(layer.x)
        fig.add_trace(
            go.Scatter(
                x=_plotly_x(layer.x, dates),
                y=np.asarray(layer.y, dtype=np.float64),
                mode="markers+text" if layer.texts else "markers",
                name=_text(layer.label),
                showlegend=layer.show_in_legend and layer.label is not None,
                legendgroup=layer.legend_group or _text(layer.label),
                text=_texts(layer.hover_texts if layer.hover_texts is not None else layer.texts),
                textposition="top center" if layer.texts else None,
                textfont={"color": "black", "size": 12} if layer.texts else None,
                hovertemplate=layer.hover,
                hoverinfo=None if layer.hover else "skip",
                marker={
                    # hollow: the background shows through, on a light page and a dark one alike
                    "color": [layer.colour if fill else "rgba(0,0,0,0)" for fill in filled],
                    "size": layer.size * PX_PER_POINT,
                    "symbol": layer.symbol,
                    "line": {"color": layer.edge_colour or layer.colour, "width": layer.edge_width * 1.5},
                },
            ),
            **where,
        )
    elif isinstance(layer, Band):
        # an invisible upper edge, then the lower edge filled up to it (plotly's tonexty)
        x = _plotly_x(layer.x, dates)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.asarray(layer.high, dtype=np.float64),
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            ),
            **where,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.asarray(layer.low, dtype=np.float64),
                mode="lines",
                fill="tonexty",
                fillcolor=_rgba(layer.colour, layer.alpha),
                line={"width": 0},
                name=_text(layer.label),
                showlegend=layer.label is not None,
                hoverinfo="skip",
            ),
            **where,
        )
    elif isinstance(layer, Bars):
        fig.add_trace(
            go.Bar(
                x=_plotly_x(layer.x, dates),
                y=np.asarray(layer.height, dtype=np.float64),
                width=layer.width,
                name=_text(layer.label),
                showlegend=layer.show_in_legend and layer.label is not None,
                legendgroup=layer.legend_group or _text(layer.label),
                marker={"color": layer.colour, "opacity": layer.alpha},
                text=_texts(layer.texts) if layer.texts else None,
                textposition="outside" if layer.texts else None,
                hovertemplate=layer.hover,
            ),
            **where,
        )
    elif isinstance(layer, ReferenceLine):
        line = {"color": layer.colour, "width": layer.width * PX_PER_POINT, "dash": _PLOTLY_DASH[layer.dash]}
        text = _text(layer.text or layer.label)
        value = _epoch_ms([layer.value])[0] if layer.axis == "x" and dates else layer.value
        if layer.axis == "y":
            notes: dict[str, Any] = {"annotation_text": text, "annotation_position": "bottom right"} if text else {}
            fig.add_hline(y=value, line=line, **notes, **where)
        else:
            fig.add_vline(x=value, line=line, **where)
            if text:  # inside the plotting area's top edge: above it is the legend's row
                fig.add_annotation(
                    x=value,
                    y=1,
                    yref="paper",
                    xanchor="left",
                    yanchor="top",
                    text=text,
                    showarrow=False,
                    font={"size": 11},
                )
    elif isinstance(layer, Span):
        x0, x1 = (_date_text(layer.x0), _date_text(layer.x1)) if dates else (layer.x0, layer.x1)
        span_notes: dict[str, Any] = (
            {
                "annotation_text": _text(layer.text),
                "annotation_position": "bottom right",
                "annotation_font_size": 11,
                "annotation_font_color": "#555555",
            }
            if layer.text
            else {}
        )
        fig.add_vrect(
            x0=x0,
            x1=x1,
            fillcolor=layer.colour,
            opacity=layer.alpha,
            line_width=0,
            **span_notes,
            **where,
        )
    elif isinstance(layer, Strip):
        mask = np.asarray(layer.mask, dtype=bool)
        x = list(layer.x)
        starts = np.flatnonzero(mask & ~np.concatenate([[False], mask[:-1]]))
        ends = np.flatnonzero(mask & ~np.concatenate([mask[1:], [False]]))
        for start, end in zip(starts.tolist(), ends.tolist()):
            stop = x[min(end + 1, len(x) - 1)]
            fig.add_vrect(
                x0=_date_text(x[start]) if dates else x[start],
                x1=_date_text(stop) if dates else stop,
                y0=0,
                y1=layer.height,
                fillcolor=layer.colour,
                opacity=layer.alpha,
                line_width=0,
                **where,
            )
    elif isinstance(layer, Note):
        x = _epoch_ms([layer.x])[0] if dates else layer.x
        fig.add_annotation(
            x=x,
            y=layer.y,
            text=_text(layer.text),
            showarrow=False,
            xshift=layer.dx * PX_PER_POINT,
            yshift=layer.dy * PX_PER_POINT,
            xanchor=layer.align,
            bgcolor="rgba(255,255,255,0.85)",
            font={"size": layer.size * PX_PER_POINT},
            **where,
        )
    elif isinstance(layer, Heatmap):
        fig.add_trace(
            go.Heatmap(
                x=list(layer.x),
                y=list(layer.y),
                z=np.asarray(layer.z, dtype=np.float64),
                zmin=layer.z_min,
                zmax=layer.z_max,
                zmid=(layer.z_min + layer.z_max) / 2,
                colorscale=layer.colour_map,
                colorbar={"title": {"text": _text(layer.colour_bar_label), "side": "right"}},
                text=[_texts(row) for row in layer.cell_texts] if layer.cell_texts else None,
                texttemplate="%{text}" if layer.cell_texts else None,
                hovertemplate=layer.hover,
                hoverongaps=False,
            ),
            **where,
        )
    else:  # pragma: no cover - the union above is exhaustive
        raise TypeError(f"not a chart layer: {layer!r}")


def _ticks_125(low: float, high: float) -> list[float]:
    """1-2-5 ticks from low/2 to high*2: plotly's log axis otherwise labels every digit."""
    return [
        m * 10.0**e
        for e in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
        for m in (1, 2, 5)
        if low / 2 <= m * 10.0**e <= high * 2
    ]


def _layer_values(chart: Chart, which: Literal["x", "y"]) -> np.ndarray:
    parts = []
    for layer in chart.layers:
        if isinstance(layer, (Line, Markers)):
            parts.append(np.asarray(layer.x if which == "x" else layer.y, dtype=float))
    values = np.concatenate(parts) if parts else np.array([])
    return values[np.isfinite(values) & (values > 0)]


def _plotly_axis(fig: Any, chart: Chart, which: Literal["x", "y"], where: dict[str, int]) -> None:
    axis = chart.x_axis if which == "x" else chart.y_axis
    update = fig.update_xaxes if which == "x" else fig.update_yaxes
    options: dict[str, Any] = {"title_text": _text(axis.label) or None}
    if axis.scale == "log":
        options["type"] = "log"
        values = _layer_values(chart, which)
        if axis.ticks_125 and len(values):
            ticks = _ticks_125(float(values.min()), float(values.max()))
            spec = axis.tick_format or "g"
            options["tickvals"] = ticks
            options["ticktext"] = [format(t, spec) if t >= 1 else f"{t:g}" for t in ticks]
    elif axis.dates:
        options.update(type="date", hoverformat="%Y-%m-%d")
    if axis.tick_format is not None and "tickvals" not in options:
        # d3's "g" keeps six digits ("+2.00000"), Python's drops trailing zeros: "~g" in d3
        tick_format = axis.tick_format[:-1] + "~g" if axis.tick_format.endswith("g") else axis.tick_format
        options.update(tickformat=tick_format, ticksuffix=axis.tick_suffix)
    if axis.tick_labels is not None:
        positions, labels = axis.tick_labels
        options.update(tickvals=list(positions), ticktext=list(labels), tickangle=-axis.tick_rotation or None)
    if axis.hidden_ticks:
        options["showticklabels"] = False
    if axis.limits is not None:
        low, high = axis.limits
        options["range"] = [np.log10(low), np.log10(high)] if axis.scale == "log" else [low, high]
    if which == "x" and chart.range_slider:
        options["rangeslider"] = {"visible": True, "thickness": 0.06}
    update(**options, **where)


def draw_plotly(chart: Chart, fig: Any = None, *, row: int | None = None, col: int | None = None) -> Any:
    """Draw ``chart`` on the plotly ``fig`` (a new ``go.Figure`` when None), in subplot
    (``row``, ``col``) when given, and return the figure. Layout beyond the chart's own
    (margins, legend placement, height) is the caller's."""
    go = _go()

    if fig is None:
        fig = go.Figure()
    where = {"row": row, "col": col} if row is not None and col is not None else {}
    for layer in chart.layers:
        _plotly_layer(fig, layer, chart, where)
    _plotly_axis(fig, chart, "x", where)
    _plotly_axis(fig, chart, "y", where)
    if chart.title and not where:
        fig.update_layout(title={"text": _text(chart.title)})
    return fig


def draw_plotly_panels(panels: Panels, fig: Any = None, **subplot_options: Any) -> Any:
    """Draw each chart of ``panels`` in its subplot of ``fig`` (made with plotly's
    ``make_subplots`` and ``subplot_options`` when None; each chart's title a subplot title)
    and return the figure. A legend entry shown by several panels is shown once."""
    from plotly.subplots import make_subplots

    if fig is None:
        options: dict[str, Any] = {
            "rows": panels.rows,
            "cols": panels.columns,
            "shared_xaxes": panels.share_x,
            "shared_yaxes": panels.share_y,
            "subplot_titles": [_text(chart.title) for chart in panels.charts]
            if any(chart.title for chart in panels.charts)
            else None,
        }
        if panels.height_ratios:
            options["row_heights"] = [r / sum(panels.height_ratios) for r in panels.height_ratios]
        fig = make_subplots(**{**options, **subplot_options})
    for position, chart in enumerate(panels.charts):
        row, col = position // panels.columns + 1, position % panels.columns + 1
        draw_plotly(chart, fig, row=row, col=col)
    seen: set[str] = set()
    for trace in fig.data:  # one legend entry per name, however many panels draw it
        if trace.showlegend is not False and trace.name:
            if trace.name in seen:
                trace.showlegend = False
            seen.add(trace.name)
    if panels.title:
        fig.update_layout(title={"text": _text(panels.title)})
    return fig


# --- the twins of the PNGs ---------------------------------------------------------------------


def index_chart(
    close: pd.Series,
    event_dates: Sequence[pd.Timestamp],
    *,
    title: str,
    hover: pd.DataFrame | None = None,
    lines: Mapping[str, pd.Series] | None = None,
    sample_start: pd.Timestamp | None = None,
    event_name: str = "events",
    event_colour: str = style.EVENT,
    event_symbol: str = "diamond",
    log_scale: bool = True,
) -> Any:
    """The series (zoomable, with a range slider) and every event marked: the twin of
    ``figures.plot_series_with_events`` (``charts.series_with_events_chart``).

    hover: one row per event (same order as ``event_dates``), columns of already formatted
    text (e.g. ``ret 3m`` -> ``+4.1%`` or ``pending``), shown when the pointer is on the event.
    """
    dates = pd.DatetimeIndex(event_dates)
    texts = []
    for position, date in enumerate(dates):
        rows = [date.date().isoformat(), f"close {close.get(date, np.nan):,.2f}"]
        if hover is not None:
            rows += [f"{column}: {hover.iloc[position][column]}" for column in hover.columns]
        texts.append("\n".join(rows))
    chart = series_with_events_chart(
        close,
        dates,
        title=title,
        lines=lines,
        sample_start=sample_start,
        event_name=event_name,
        event_symbol=event_symbol,
        event_colour=event_colour,
        event_hover=texts,
        log_scale=log_scale,
    )
    fig = draw_plotly(replace(chart, range_slider=True))
    fig.update_layout(**_LAYOUT)
    return fig


def event_paths_chart(
    paths: pd.DataFrame,
    events_band: pd.DataFrame,
    random_band: pd.DataFrame | None,
    *,
    title: str,
    confidence: float = 0.95,
    random_label: str = "random entry: 5–95%",
    events_label: str = "events' mean",
    horizons: Mapping[str, int] | None = None,
) -> Any:
    """The answer figure's twin (``figures.plot_event_paths``, ``charts.event_paths_chart``):
    the events' mean path with its confidence band (``events_band``: columns mean, low, high,
    n, index = trading days from entry) against the random-entry band (``random_band``:
    columns low, high), the judged ``horizons`` (label -> trading days) marked. Each event's
    path (``paths``) is one thin line, hidden until picked in the legend."""
    chart = charts.event_paths_chart(
        events_band,
        random_band,
        title=title,
        horizons=horizons,
        confidence=confidence,
        random_label=random_label,
        events_label=events_label,
        band_label=f"its {confidence:.0%} band",
        paths=paths,
    )
    fig = draw_plotly(chart)
    fig.update_layout(**{**_LAYOUT, "hovermode": "x"})
    fig.update_layout(margin=_top_margin(legend_rows=2))  # four entries: two rows in the verdict card
    return fig


def null_distribution_chart(
    null_by_horizon: Mapping[str, np.ndarray],
    observed: Mapping[str, float],
    baseline: Mapping[str, float],
    pvalues: Mapping[str, float],
    *,
    title: str,
    event_name: str = "events",
    bins: int = 60,
) -> Any:
    """One panel per horizon: the random-entry null distribution of the mean forward
    return (%, the share of draws in each of ``bins`` bins) with the events' mean and the
    all-days mean marked; hover gives the share of draws per bin. The twin of
    ``figures.plot_null_distributions`` (``charts.null_distributions_chart``)."""
    panels = null_distributions_chart(
        null_by_horizon, observed, baseline, pvalues, title=title, event_name=event_name, bins=bins
    )
    fig = draw_plotly_panels(panels, horizontal_spacing=0.06, vertical_spacing=0.16)
    height = NULL_PANEL_HEIGHT * panels.rows + NULL_EXTRA_HEIGHT
    fig.update_layout(**_LAYOUT, bargap=0, height=height)
    # the legend under the mode bar's strip and above the subplot titles, not over them
    fig.update_layout(
        margin=_top_margin(extra=26),
        legend={"yref": "container", "y": 1 - (MODEBAR_HEIGHT + 2) / height, "yanchor": "top"},
    )
    return fig


def sweep_heatmap_chart(
    fast: Sequence[int] | np.ndarray,
    slow: Sequence[int] | np.ndarray,
    values_pct: np.ndarray,
    *,
    title: str,
    best: tuple[int, int] | None = None,
    reference: tuple[int, int] | None = None,
    survivors: Sequence[tuple[int, int]] = (),
    value_label: str = "mean excess return (%)",
) -> Any:
    """Heatmap of ``values_pct`` (rows ``fast``, columns ``slow``; NaN blank) with the best
    pair, the reference pair and the Romano-Wolf survivors marked; hover gives the pair. The
    twin of ``figures.plot_sweep_heatmap`` (``charts.sweep_heatmap_chart``)."""
    chart = charts.sweep_heatmap_chart(
        fast,
        slow,
        values_pct,
        title=title,
        best=best,
        reference=reference,
        survivors=survivors,
        value_label=value_label,
    )
    fig = draw_plotly(chart)
    fig.update_layout(**_LAYOUT)
    return fig


def specification_curve_chart(robustness: Mapping[str, Any], *, title: str, unit: str = "events") -> Any:
    """The specification curve of summary.json's ``robustness`` block, the twin of
    ``figures.plot_specification_curve`` (``charts.specification_curve_chart``): above, each
    testable specification's excess return (%) sorted, coloured by family, filled where p is
    below alpha, the claim as stated a star; below, its one-sided p on a log axis with alpha
    marked. Hover names the specification, n and both tails' p; a legend entry per family."""
    panels = charts.specification_curve_chart(robustness, title=title, unit=unit)
    fig = draw_plotly_panels(panels, vertical_spacing=0.06)
    fig.update_layout(**_LAYOUT)
    fig.update_layout(margin=_top_margin(legend_rows=2))
    return fig


# --- composing a report's blocks ---------------------------------------------------------------


def event_hover_table(events: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Per event, the forward return of each horizon as text ("+4.1%" or "pending")."""
    return pd.DataFrame(
        {
            f"ret {label}": [
                "pending" if bool(p) else numbers.percent(v, 1, signed=True)
                for v, p in zip(events[f"ret_{label}"], events[f"pending_{label}"])
            ]
            for label in labels
        }
    )


def claim_blocks(result: Any, slug: str = "claim") -> dict[str, str]:
    """The interactive divs of a claim's HTML report, keyed by the PNG each one replaces
    (``events.png``, ``event_paths.png``, ``null_distributions.png``,
    ``specification_curve.png``; only the first for a claim that is not testable): the hook
    that ``backtest.report.claim_report.claim_report_files`` passes to the page builder."""
    from backtest.report.answer_figure import ANSWER_FIGURE, answer_path

    detection = result.detection_study
    close = detection.close
    # the event kind's own lines (the moving averages of a cross), computed by the run
    lines = result.event_chart.lines
    name, colour, symbol = EVENT_MARKERS[result.event_chart.direction]
    events = result.to_frame()
    stats = result.statistics
    summary = result.summary_data
    # a claim that is not testable shows its events and no statistic that would read as a finding
    testable = not summary["conclusion"].get("not_testable")
    labels = [label for label in stats.labels if stats[label].n > 0] if testable else []
    blocks = {
        "events.png": to_div(
            index_chart(
                close,
                list(detection.table["event_date"]),
                lines=lines,
                sample_start=detection.rules.start,
                hover=event_hover_table(events, labels) if len(events) == len(detection.table) else None,
                event_name=name,
                event_colour=colour,
                event_symbol=symbol,
                title=f"{result.summary_data['data']['series']}: {detection.rules.source.describe()} (drag to zoom)",
            ),
            f"{slug}-events",
            height=520,
        )
    }
    answer = answer_path(result) if testable else None
    if answer is not None:
        interval, random_band, horizons, k = answer
        study = result.study
        paths = result.event_paths.paths.loc[0:]  # after entry, each column named by its event's date
        blocks[ANSWER_FIGURE] = to_div(
            event_paths_chart(
                paths,
                interval,
                random_band,
                horizons=horizons,
                title=f"{study.series_name or study.close.name}: the events' mean path against random entry "
                "(entry = 100)",
                random_label=f"random entry, 5–95% ({k} days)",
                events_label=f"mean of {k} events",
            ),
            f"{slug}-event-paths",
            height=ANSWER_FIGURE_HEIGHT,
        )
    if labels:
        blocks["null_distributions.png"] = to_div(
            null_distribution_chart(
                {label: stats.null_distribution(label) for label in labels},
                {label: stats[label].events.mean for label in labels},
                {label: stats[label].baseline.mean for label in labels},
                {label: stats[label].random_entry["plain"]["mean"].pvalue for label in labels},
                title="Mean forward return after the events vs random entry dates",
                event_name=name,
            ),
            f"{slug}-null-distributions",
            height=None,
        )
    if testable and summary.get("robustness"):
        blocks[SPECIFICATION_CURVE] = to_div(
            specification_curve_chart(
                summary["robustness"],
                title=f"{summary['claim']['title']}: the primary test on every specification",
                unit=(summary.get("primary") or {}).get("unit", "events"),
            ),
            f"{slug}-specification-curve",
            height=600,
        )
    return blocks


def sweep_heatmap_grid(result: Any, label: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fast values, slow values, mean excess return in % on the fast x slow grid) of a sweep."""
    rows = result.table.loc[result.table["horizon"] == label]
    fast = np.array(result.grid.fast)
    slow = np.array(result.grid.slow)
    grid = np.full((len(fast), len(slow)), np.nan)
    grid[np.searchsorted(fast, rows["fast"].to_numpy()), np.searchsorted(slow, rows["slow"].to_numpy())] = (
        rows["mean_excess_return"].to_numpy() * 100.0
    )
    return fast, slow, grid


def sweep_marks(
    result: Any, label: str
) -> tuple[tuple[int, int] | None, tuple[int, int] | None, list[tuple[int, int]]]:
    """(best pair, reference pair if in the grid, Romano-Wolf survivors) of one horizon of a sweep."""
    test = next((test for test in result.tests if test.horizon == label), None)
    best = (int(test.best_pair[0]), int(test.best_pair[1])) if test is not None and test.best_pair else None
    fast, slow = (int(v) for v in result.reference)
    reference = (fast, slow) if fast in result.grid.fast and slow in result.grid.slow and fast < slow else None
    rows = result.table.loc[(result.table["horizon"] == label) & result.table["romano_wolf_survives"]]
    return best, reference, list(zip(rows["fast"].astype(int).tolist(), rows["slow"].astype(int).tolist()))


def sweep_blocks(result: Any, heatmap_file: Any, slug: str = "sweep") -> dict[str, str]:
    """The interactive heatmap of each horizon of a sweep, keyed by the PNG it replaces."""
    blocks = {}
    for horizon in result.horizons:
        label = horizon.label
        fast, slow, grid = sweep_heatmap_grid(result, label)
        best, reference, survivors = sweep_marks(result, label)
        blocks[heatmap_file(label)] = to_div(
            sweep_heatmap_chart(
                fast,
                slow,
                grid,
                best=best,
                reference=reference,
                survivors=survivors,
                title=f"{result.series_name}: {label} mean excess return over random entry, by pair",
            ),
            f"{slug}-heatmap-{label}",
            height=560,
        )
    return blocks
