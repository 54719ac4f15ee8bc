"""Interactive (plotly) figures for the HTML reports: each function takes numbers already
computed and returns a ``plotly.graph_objects.Figure``; ``to_div`` turns one into an HTML
``<div>`` with a stable id, and the ``*_blocks`` functions compose a report's divs.

The divs do not carry plotly.js: the page carries it once (``backtest.report.render``).
Output is deterministic: ids are given, never drawn; arrays are written as they are.
Colours are the palette of ``backtest.report.style``, the same as in the PNGs.

Titles and names are plain text: plotly draws a few HTML-like tags in them (``<b>``,
``<a href>``), so every user string is HTML-escaped before it goes into a figure; the figure
JSON escapes ``<``, ``>`` and ``/`` (plotly's ``to_json_plotly``), so no string ends the
page's ``<script>``, and ``to_div`` checks that it does not. ``to_div`` sets each figure's
title above it as a line of the page, and every legend sits under the strip kept for the
mode bar (``MODEBAR_HEIGHT``): at 800 pixels as at 1280 the bar covers neither.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from backtest.report import style
from backtest.report.specification_curve import (
    FAMILY_COLOURS,
    SPECIFICATION_CURVE,
    family_name,
    specification_curve_frame,
)

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
    "golden": ("golden crosses", style.GOLDEN),
    "death": ("death crosses", style.DEATH),
    "event": ("events", style.EVENT),
}
"""The index chart's name and colour of the events, by how the event kind marks them."""


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


def _dates(index: pd.Index) -> list[str]:
    return [stamp.strftime("%Y-%m-%d") for stamp in pd.DatetimeIndex(index)]


def _epoch_ms(index: pd.Index) -> np.ndarray:
    """Dates as milliseconds since 1970 (plotly's numeric dates): written as a compact
    binary array, about half the size of ISO strings for a long daily series."""
    return (pd.DatetimeIndex(index).as_unit("ns").asi8 // 1_000_000).astype(np.float64)


def _levels(values: pd.Series) -> np.ndarray:
    """Levels as float32 (7 significant digits, more than a chart shows; half the bytes)."""
    return values.to_numpy(dtype=np.float32)


# --- figures -----------------------------------------------------------------------------------


def index_chart(
    close: pd.Series,
    event_dates: Sequence[pd.Timestamp],
    *,
    title: str,
    hover: pd.DataFrame | None = None,
    lines: Mapping[str, pd.Series] | None = None,
    sample_start: pd.Timestamp | None = None,
    event_name: str = "event",
    event_colour: str = style.EVENT,
    log_scale: bool = True,
) -> Any:
    """The series (zoomable, with a range slider) and every event marked.

    hover: one row per event (same order as ``event_dates``), columns of already formatted
    text (e.g. ``ret 3m`` -> ``+4.1%`` or ``pending``), shown when the pointer is on the event.
    """
    go = _go()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=_epoch_ms(close.index),
            y=_levels(close),
            mode="lines",
            name="close",
            line={"color": style.PRICE, "width": 1},
            hovertemplate="%{x}<br>close %{y:,.2f}<extra></extra>",
        )
    )
    for (label, line), colour in zip((lines or {}).items(), (style.FAST_MA, style.SLOW_MA, style.THIRD_LINE)):
        fig.add_trace(
            go.Scatter(
                x=_epoch_ms(line.index),
                y=_levels(line),
                mode="lines",
                name=plain_text(label),
                line={"color": colour, "width": 1.2},
                hoverinfo="skip",
            )
        )
    dates = pd.DatetimeIndex(event_dates)
    texts = []
    for position, date in enumerate(dates):
        rows = [f"<b>{date.date().isoformat()}</b>", f"close {close.get(date, np.nan):,.2f}"]
        if hover is not None:
            rows += [
                f"{html.escape(str(column))}: {html.escape(str(hover.iloc[position][column]))}"
                for column in hover.columns
            ]
        texts.append("<br>".join(rows))
    fig.add_trace(
        go.Scatter(
            x=_epoch_ms(dates),
            y=close.reindex(dates).to_numpy(dtype=np.float64),
            mode="markers",
            name=f"{plain_text(event_name)} ({len(dates)})",
            text=texts,
            hovertemplate="%{text}<extra></extra>",
            marker={"color": event_colour, "size": 9, "symbol": "diamond", "line": {"color": "black", "width": 1}},
        )
    )
    if sample_start is not None and sample_start > close.index[0]:
        fig.add_vrect(
            x0=_dates([close.index[0]])[0],
            x1=_dates([sample_start])[0],
            fillcolor="grey",
            opacity=0.08,
            line_width=0,
            annotation_text="before the sample: averages only",
            annotation_position="bottom right",
            annotation_font_size=11,
            annotation_font_color="#555555",
        )
    positive = bool((close.dropna() > 0).all())
    log_axis = log_scale and positive
    if log_axis:
        # 1-2-5 ticks over the range shown: plotly's log axis otherwise labels every digit
        low, high = float(close.min()), float(close.max())
        ticks = [
            m * 10.0**e
            for e in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
            for m in (1, 2, 5)
            if low / 2 <= m * 10.0**e <= high * 2
        ]
        fig.update_yaxes(tickvals=ticks, ticktext=[f"{t:,.0f}" if t >= 1 else f"{t:g}" for t in ticks])
    fig.update_layout(**_LAYOUT, title={"text": plain_text(title)})
    fig.update_yaxes(type="log" if log_axis else "linear", title_text="level" + (" (log scale)" if log_axis else ""))
    fig.update_xaxes(
        type="date", hoverformat="%Y-%m-%d", rangeslider={"visible": True, "thickness": 0.06}, title_text="date"
    )
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
    """The answer figure's twin (``figures.plot_event_paths``): the events' mean path with
    its confidence band (``events_band``: columns mean, low, high, n, index = trading days
    from entry) against the random-entry band (``random_band``: columns low, high), the
    judged ``horizons`` (label -> trading days) marked. Each event's path (``paths``) is one
    thin line, hidden until picked in the legend."""
    go = _go()
    fig = go.Figure()
    days = paths.index.to_numpy()
    if paths.shape[1]:
        # every event in one trace (NaN between them): one legend entry, hidden until clicked
        gap = np.full(1, np.nan)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([np.concatenate([days, gap]) for _ in paths.columns]),
                y=np.concatenate(
                    [np.concatenate([_levels(paths[column]), gap.astype(np.float32)]) for column in paths.columns]
                ),
                mode="lines",
                name=f"each event ({paths.shape[1]})",
                visible="legendonly",
                line={"color": "#8c8c8c", "width": 0.7},
                hoverinfo="skip",
                connectgaps=False,
            )
        )
    if random_band is not None:
        _add_band(fig, random_band, "rgba(86,180,233,0.30)", plain_text(random_label))
    _add_band(fig, events_band, "rgba(230,159,0,0.30)", f"its {confidence:.0%} band")
    band_days = events_band.index.to_numpy()
    customdata = np.column_stack(
        [
            events_band["low"].to_numpy(dtype=np.float64),
            events_band["high"].to_numpy(dtype=np.float64),
            events_band["n"].to_numpy(dtype=np.float64),
        ]
    )
    fig.add_trace(
        go.Scatter(
            x=band_days,
            y=events_band["mean"].to_numpy(dtype=np.float64),
            mode="lines",
            name=plain_text(events_label),
            line={"color": style.EVENTS_MEAN, "width": 2.5},
            customdata=customdata,
            hovertemplate="day %{x}: mean %{y:.1f} (%{customdata[0]:.1f} to %{customdata[1]:.1f}), "
            "n = %{customdata[2]:.0f}<extra></extra>",
        )
    )
    fig.add_hline(y=100, line={"color": "black", "width": 0.8})
    for label, day in (horizons or {}).items():
        if band_days[0] <= day <= band_days[-1]:
            fig.add_vline(x=day, line={"color": "#777777", "width": 1, "dash": "dot"})
            # inside the plotting area's top edge: above it is the legend's row
            fig.add_annotation(
                x=day,
                y=1,
                yref="paper",
                xanchor="left",
                yanchor="top",
                text=plain_text(label),
                showarrow=False,
                font={"size": 11},
            )
    fig.update_layout(**{**_LAYOUT, "hovermode": "x"}, title={"text": plain_text(title)})
    fig.update_layout(margin=_top_margin(legend_rows=2))  # four entries: two rows in the verdict card
    fig.update_xaxes(title_text="trading days after entry (dotted: the judged horizons)")
    fig.update_yaxes(title_text="level, entry = 100")
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
    return (%, drawn as a histogram of ``bins`` bins) with the events' mean and the
    all-days mean marked; hover gives the share of draws per bin."""
    from plotly.subplots import make_subplots

    go = _go()
    labels = list(null_by_horizon)
    columns = min(3, len(labels))
    rows = -(-len(labels) // columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        horizontal_spacing=0.06,
        vertical_spacing=0.16,
        subplot_titles=[f"{label}: p = {pvalues[label]:.3f}" for label in labels],
    )
    for position, label in enumerate(labels):
        row, col = position // columns + 1, position % columns + 1
        null = np.asarray(null_by_horizon[label], dtype=np.float64) * 100
        null = null[np.isfinite(null)]
        counts, edges = np.histogram(null, bins=bins)
        share = counts / max(len(null), 1) * 100
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=share,
                width=np.diff(edges),
                name="random entry",
                marker={"color": style.RANDOM_BAND},
                showlegend=position == 0,
                legendgroup="null",
                hovertemplate="mean %{x:.2f}%: %{y:.2f}% of draws<extra></extra>",
            ),
            row=row,
            col=col,
        )
        top = float(share.max()) if len(share) else 1.0
        for value, name, colour, dash in (
            (observed[label], f"{event_name}' mean", style.EVENTS_MEAN, "solid"),
            (baseline[label], "all days' mean", style.BASELINE, "dash"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[value * 100, value * 100],
                    y=[0, top * 1.05],
                    mode="lines",
                    name=plain_text(name),
                    line={"color": colour, "width": 2.5 if dash == "solid" else 1.5, "dash": dash},
                    showlegend=position == 0,
                    legendgroup=name,
                    hovertemplate=f"{plain_text(name)}: {value * 100:+.2f}%<extra></extra>",
                ),
                row=row,
                col=col,
            )
        fig.update_xaxes(title_text="mean forward return (%)", row=row, col=col)
    fig.update_yaxes(title_text="share of draws (%)", col=1)
    height = NULL_PANEL_HEIGHT * rows + NULL_EXTRA_HEIGHT
    fig.update_layout(**_LAYOUT, title={"text": plain_text(title)}, bargap=0, height=height)
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
    pair, the reference pair and the Romano-Wolf survivors marked; hover gives the pair."""
    go = _go()
    values = np.asarray(values_pct, dtype=np.float64)
    finite = values[np.isfinite(values)]
    limit = float(np.abs(finite).max()) if len(finite) and np.abs(finite).max() > 0 else 1.0
    fig = go.Figure(
        go.Heatmap(
            x=list(slow),
            y=list(fast),
            z=values,
            zmin=-limit,
            zmax=limit,
            zmid=0,
            colorscale=style.DIVERGING_CMAP,
            colorbar={"title": {"text": value_label, "side": "right"}},
            hovertemplate="fast %{y} / slow %{x}: %{z:+.2f}%<extra></extra>",
            hoverongaps=False,
        )
    )
    if survivors:
        fig.add_trace(
            go.Scatter(
                x=[s for _, s in survivors],
                y=[f for f, _ in survivors],
                mode="markers",
                name="survives Romano-Wolf",
                marker={"color": "black", "size": 3, "symbol": "square"},
                hoverinfo="skip",
            )
        )
    for pair, name, symbol in ((best, "best pair", "star"), (reference, "reference pair", "circle-open")):
        if pair is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pair[1]],
                y=[pair[0]],
                mode="markers+text",
                name=f"{name} {pair[0]}/{pair[1]}",
                text=[f"{pair[0]}/{pair[1]}"],
                textposition="top center",
                textfont={"color": "black", "size": 12},
                marker={
                    "symbol": symbol,
                    "size": 16,  # an open symbol is drawn in marker.color
                    "color": style.OKABE_ITO["yellow"] if symbol == "star" else "black",
                    "line": {"color": "black", "width": 2},
                },
                hovertemplate=f"{name} {pair[0]}/{pair[1]}<extra></extra>",
            )
        )
    fig.update_layout(**_LAYOUT, title={"text": plain_text(title)})
    fig.update_xaxes(title_text="slow moving-average window (trading days)")
    fig.update_yaxes(title_text="fast moving-average window (trading days)")
    return fig


def specification_curve_chart(robustness: Mapping[str, Any], *, title: str, unit: str = "events") -> Any:
    """The specification curve of summary.json's ``robustness`` block (the PNG twin:
    ``backtest.report.figures.plot_specification_curve``): above, each testable
    specification's excess return (%) sorted, coloured by family, filled where p is below
    alpha, the claim as stated a star; below, its one-sided p on a log axis with alpha
    marked. Hover names the specification, n and both tails' p; a legend entry per family."""
    from plotly.subplots import make_subplots

    go = _go()
    frame = specification_curve_frame(robustness)
    alpha = float(robustness["alpha"])
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06)
    present = list(dict.fromkeys(frame["family"]))
    families = [f for f in FAMILY_COLOURS if f in present] + [f for f in present if f not in FAMILY_COLOURS]
    for family in families:
        part = frame.loc[frame["family"] == family]
        colour = FAMILY_COLOURS.get(family, style.OKABE_ITO["black"])
        own = bool(part["own"].any())
        hover = [
            f"<b>{plain_text(row.label)}</b> ({plain_text(family)})<br>n = {row.n_events}<br>"
            f"excess {row.excess * 100:+.2f}%<br>p = {row.pvalue:.3f} (other tail {row.pvalue_opposite:.3f})"
            for row in part.itertuples(index=False)
        ]
        marker = {
            # hollow: the background shows through, on a light page and a dark one alike
            "color": [colour if sig else "rgba(0,0,0,0)" for sig in part["significant"]],
            "line": {"color": colour, "width": 1.5},
            "size": 16 if own else 8,
            "symbol": "star" if own else "circle",
        }
        for row_number, values in ((1, part["excess"] * 100), (2, part["pvalue"])):
            fig.add_trace(
                go.Scatter(
                    x=part["rank"].to_numpy(),
                    y=values.to_numpy(dtype=np.float64),
                    mode="markers",
                    name=f"{plain_text(family_name(family))} ({len(part)})",
                    legendgroup=family,
                    showlegend=row_number == 1,
                    marker=marker,
                    text=hover,
                    hovertemplate="%{text}<extra></extra>",
                ),
                row=row_number,
                col=1,
            )
    fig.add_hline(y=0, line={"color": "black", "width": 0.8}, row=1, col=1)
    fig.add_hline(
        y=alpha,
        line={"color": style.OKABE_ITO["vermillion"], "width": 1, "dash": "dash"},
        annotation_text=f"alpha = {alpha:g}",
        annotation_position="bottom right",
        row=2,
        col=1,
    )
    fig.update_layout(**_LAYOUT, title={"text": plain_text(title)})
    fig.update_layout(margin=_top_margin(legend_rows=2))
    fig.update_yaxes(title_text="excess return (%)" if unit == "events" else "window minus rest (log, %)", row=1, col=1)
    fig.update_yaxes(type="log", title_text="one-sided p (claimed tail)", row=2, col=1)
    fig.update_xaxes(title_text="specifications, sorted by excess return (filled: p below alpha)", row=2, col=1)
    return fig


# --- composing a report's blocks ---------------------------------------------------------------


def _pct_text(value: object, pending: object = False) -> str:
    if bool(pending):
        return "pending"
    if value is None or not np.isfinite(float(value)):  # type: ignore[arg-type]
        return "–"
    return f"{float(value) * 100:+.1f}%"  # type: ignore[arg-type]


def event_hover_table(events: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Per event, the forward return of each horizon as text ("+4.1%" or "pending")."""
    return pd.DataFrame(
        {
            f"ret {label}": [_pct_text(v, p) for v, p in zip(events[f"ret_{label}"], events[f"pending_{label}"])]
            for label in labels
        }
    )


def claim_blocks(result: Any, slug: str = "claim") -> dict[str, str]:
    """The interactive divs of a claim's HTML report, keyed by the PNG each one replaces
    (``events.png``, ``event_paths.png``, ``null_distributions.png``,
    ``specification_curve.png``; only the first for a claim that is not testable): the hook
    that ``backtest.report.claim_report.write_claim_report`` passes to the page builder."""
    from backtest.report.answer_figure import ANSWER_FIGURE, answer_path

    detection = result.detection_study
    close = detection.close
    # the event kind's own lines (the moving averages of a cross), computed by the run
    lines = result.event_chart.lines
    name, colour = EVENT_MARKERS[result.event_chart.direction]
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


def _add_band(fig: Any, band: pd.DataFrame, fillcolor: str, name: str) -> None:
    """A shaded band between ``band["low"]`` and ``band["high"]`` (indexed by day): an
    invisible upper edge, then the lower edge filled up to it (plotly's ``tonexty``)."""
    go = _go()
    days = band.index.to_numpy()
    fig.add_trace(
        go.Scatter(
            x=days,
            y=band["high"].to_numpy(dtype=np.float64),
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=days,
            y=band["low"].to_numpy(dtype=np.float64),
            mode="lines",
            fill="tonexty",
            fillcolor=fillcolor,
            line={"width": 0},
            name=name,
            hoverinfo="skip",
        )
    )
