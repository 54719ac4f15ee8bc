"""Matplotlib figures for event studies. Each function takes numbers already computed
(series, arrays, tables) and returns a Figure (or, for the ``ax=`` functions, draws on the
axes given, alphalens style, and returns them); none of them computes a statistic.
Colours come from the one Okabe-Ito palette in ``backtest.report.style``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from backtest.report import style
from backtest.report.specification_curve import (
    FAMILY_COLOURS,
    family_name,
    specification_curve_frame,
    untestable_specifications,
)

_STYLE: Any = {  # rc parameters (matplotlib types its keys as a Literal of every rc name)
    "figure.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "legend.fontsize": 10,
    "axes.prop_cycle": plt.cycler(color=style.CYCLE),
}
GOLDEN_COLOUR = style.GOLDEN
DEATH_COLOUR = style.DEATH
# How each cross direction is named and drawn: (name, marker, colour)
EVENT_STYLES = {
    "golden": ("golden cross", "^", GOLDEN_COLOUR),
    "death": ("death cross", "v", DEATH_COLOUR),
    "event": ("event", "o", style.EVENT),
}
_NOTE_BOX = {"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.85}


def _plural(name: str) -> str:
    """Plural of an event name: "golden crosses", "events"."""
    return name + ("es" if name.endswith("s") else "s")


def _event_style(direction: str) -> tuple[str, str, str]:
    try:
        return EVENT_STYLES[direction]
    except KeyError:
        raise ValueError(f"direction must be one of {sorted(EVENT_STYLES)}, got {direction!r}") from None


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
) -> plt.Figure:
    """The index on a log scale with both averages and every event marked."""
    name, marker, colour = _event_style(direction)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(13, 5.5))
        ax.plot(close.index, close.to_numpy(), color=style.PRICE, lw=0.7, label="close")
        ax.plot(fast_ma.index, fast_ma.to_numpy(), color=style.FAST_MA, lw=1.0, label=fast_label)
        ax.plot(slow_ma.index, slow_ma.to_numpy(), color=style.SLOW_MA, lw=1.0, label=slow_label)
        dates = pd.DatetimeIndex(event_dates)
        ax.scatter(
            dates,
            close.reindex(dates).to_numpy(),
            marker=marker,
            s=60,
            color=colour,
            edgecolor="black",
            zorder=5,
            label=f"{name} ({len(dates)})",
        )
        # x in data units, y as a fraction of the axes: labels stay put on a log scale
        blended = ax.get_xaxis_transform()
        if splice_date is not None:
            ax.axvline(splice_date, color="grey", ls=":", lw=1)
            ax.text(
                splice_date,
                0.02,
                " splice: FRED RU2000PR → ^RUT",
                transform=blended,
                fontsize=9,
                color="#444444",
                bbox=_NOTE_BOX,
                zorder=6,
            )
        if sample_start is not None:
            ax.axvspan(close.index[0], sample_start, color="grey", alpha=0.08, lw=0)
            # at the top of the shaded span, on a white box: the price line never runs through it
            ax.text(
                close.index[0],
                0.97,
                " before the sample:\n averages only",
                transform=blended,
                fontsize=9,
                color="#444444",
                va="top",
                bbox=_NOTE_BOX,
                zorder=6,
            )
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_major_locator(mdates.YearLocator(5))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_xlabel("date")
        ax.set_ylabel("index level (log scale)")
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False)
        fig.tight_layout()
    return fig


def plot_series_with_events(
    close: pd.Series,
    event_dates: Sequence[pd.Timestamp],
    *,
    title: str,
    lines: Mapping[str, pd.Series] | None = None,
    sample_start: pd.Timestamp | None = None,
    direction: str = "event",
    log_scale: bool = True,
) -> plt.Figure:
    """A series with every event marked (any source) and optional lines (e.g. its averages)."""
    name, marker, colour = _event_style(direction)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(13, 5.5))
        ax.plot(close.index, close.to_numpy(), color=style.PRICE, lw=0.7, label="close")
        for (label, line), line_colour in zip((lines or {}).items(), (style.FAST_MA, style.SLOW_MA, style.THIRD_LINE)):
            ax.plot(line.index, line.to_numpy(), color=line_colour, lw=1.0, label=label)
        dates = pd.DatetimeIndex(event_dates)
        ax.scatter(
            dates,
            close.reindex(dates).to_numpy(),
            marker=marker,
            s=40,
            color=colour,
            edgecolor="black",
            zorder=5,
            label=f"{_plural(name)} ({len(dates)})",
        )
        if sample_start is not None and sample_start > close.index[0]:
            ax.axvspan(close.index[0], sample_start, color="grey", alpha=0.08, lw=0)
        if log_scale and bool((close > 0).all()):
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_major_locator(mdates.YearLocator(5))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_xlabel("date")
        ax.set_ylabel("level" + (" (log scale)" if ax.get_yscale() == "log" else ""))
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False)
        fig.tight_layout()
    return fig


def plot_event_paths(
    band: pd.DataFrame,
    random_band: pd.DataFrame | None,
    *,
    title: str,
    horizons: Mapping[str, int] | None = None,
    confidence: float = 0.95,
    random_label: str = "random entry: 5–95% of the mean path",
    events_label: str = "events' mean",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """The picture of question B: the events' mean path (``band``: columns mean, low, high
    by trading day from entry, ``backtest.events.paths.mean_path_interval``) with its
    confidence band, against the band where the mean path of as many random entry days
    falls (``random_band``: columns low, high), the judged ``horizons`` (label -> trading
    days) marked. A mean path outside the random band is what random entry rarely gives."""
    own = ax is None
    ax = _axes(ax, (9.6, 4.9))
    with plt.rc_context(_STYLE):
        days = band.index.to_numpy()
        if random_band is not None:
            ax.fill_between(
                random_band.index.to_numpy(),
                random_band["low"],
                random_band["high"],
                color=style.RANDOM_BAND,
                alpha=0.35,
                lw=0,
                label=random_label,
            )
        ax.fill_between(
            days,
            band["low"],
            band["high"],
            color=style.EVENTS_BAND,
            alpha=0.3,
            lw=0,
            label=f"{confidence:.0%} confidence band of the mean",
        )
        ax.plot(days, band["mean"], color=style.EVENTS_MEAN, lw=2.4, label=events_label)
        ax.axhline(100, color="black", lw=0.8)
        blended = ax.get_xaxis_transform()
        for label, day in (horizons or {}).items():
            if days[0] <= day <= days[-1]:
                ax.axvline(day, color="#555555", lw=0.9, ls=":")
                ax.text(day, 0.985, f" {label}", transform=blended, fontsize=9, color="#333333", va="top")
        ax.set_xlim(days[0], days[-1])
        ax.set_xlabel("trading days after entry (dotted: the judged horizons)")
        ax.set_ylabel("level, entry = 100")
        ax.set_title(title)
        # below the axes: inside, it covered the horizons' labels or the paths
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=9, frameon=False)
        if own:
            ax.figure.tight_layout()
    return ax


def plot_each_event_path(paths: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Each event's path after entry (``aligned_paths``, entry = 100), one thin line each,
    with the mean and the median of the events whose window is complete: how far apart the
    outcomes behind the mean lie."""
    ax = _axes(ax, (11, 5.5))
    with plt.rc_context(_STYLE):
        after = paths.loc[0:]
        days = after.index.to_numpy()
        for column in after.columns:
            ax.plot(days, after[column].to_numpy(), color="#999999", lw=0.6, alpha=0.6)
        complete = after.dropna(axis=1, how="any")
        ax.plot(
            days,
            complete.mean(axis=1).to_numpy(),
            color=style.EVENTS_MEAN,
            lw=2.2,
            label=f"mean of {complete.shape[1]} complete events",
        )
        ax.plot(days, complete.median(axis=1).to_numpy(), color="black", lw=1.6, ls="--", label="median")
        ax.axhline(100, color="black", lw=0.8)
        ax.set_xlabel("trading days after entry")
        ax.set_ylabel("level, entry = 100")
        if title:
            ax.set_title(title)
        ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    return ax


def plot_null_distributions(
    null_by_horizon: Mapping[str, np.ndarray],
    observed: Mapping[str, float],
    baseline: Mapping[str, float],
    pvalues: Mapping[str, float],
    *,
    title: str,
    statistic_label: str = "mean forward return",
    direction: str = "golden",
) -> plt.Figure:
    """Per horizon: the random-entry null distribution with the observed statistic marked."""
    name = _event_style(direction)[0]
    labels = list(null_by_horizon)
    columns = min(3, len(labels))
    rows = -(-len(labels) // columns)
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.4 * rows), squeeze=False)
        for ax in axes.flat[len(labels) :]:
            ax.set_visible(False)
        for ax, label in zip(axes.flat, labels):
            null = np.asarray(null_by_horizon[label])
            ax.hist(null * 100, bins=60, color=style.RANDOM_BAND, edgecolor="none", density=True)
            ax.axvline(observed[label] * 100, color=style.EVENTS_MEAN, lw=2.2, label=_plural(name))
            ax.axvline(baseline[label] * 100, color=style.BASELINE, lw=1.2, ls="--", label="all days")
            ax.set_title(f"{label}   p = {pvalues[label]:.3f}", fontsize=10)
            ax.set_xlabel(f"{statistic_label} (%)")
            ax.set_yticks([])
        for row in axes:
            row[0].set_ylabel("density of random-entry draws")
        axes[0][0].legend(fontsize=8, loc="upper left")
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def plot_hit_rates(
    labels: Sequence[str],
    event_hit_rate: Sequence[float],
    baseline_hit_rate: Sequence[float],
    n_events: Sequence[int],
    *,
    title: str,
    direction: str = "golden",
    outcome: str = "a gain",
) -> plt.Figure:
    """Share of windows with the claimed outcome after events vs on all eligible days."""
    name, _, colour = _event_style(direction)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        x = np.arange(len(labels))
        width = 0.38
        bars = ax.bar(
            x - width / 2, np.asarray(event_hit_rate) * 100, width, color=colour, label=f"after {_plural(name)}"
        )
        ax.bar(
            x + width / 2, np.asarray(baseline_hit_rate) * 100, width, color=style.BASELINE, label="all eligible days"
        )
        for bar, n in zip(bars, n_events):
            ax.annotate(
                f"n={n}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
        ax.axhline(50, color="black", lw=0.8, ls=":")
        ax.set_xticks(x, labels)
        ax.set_ylim(0, 100)
        ax.set_xlabel("forward horizon")
        ax.set_ylabel(f"share of windows with {outcome} (%)")
        ax.set_title(title)
        # below the axes: inside, it covered the last horizon's bars
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
        fig.tight_layout()
    return fig


# --- strategies and peer comparisons -----------------------------------------------------------

_CURVE_COLOURS = style.CYCLE


def plot_equity_curves(
    curves: Mapping[str, pd.Series],
    *,
    title: str,
    ylabel: str = "value of 1 invested (log scale)",
    in_market: pd.Series | None = None,
    in_market_label: str = "strategy invested",
    styles: Mapping[str, tuple[str, str]] | None = None,
) -> plt.Figure:
    """Equity curves on a log scale; ``in_market`` (bool by date) is drawn as a strip along
    the bottom so that the invested periods can be read against the curves. ``styles``
    maps a curve's label to (colour, line style); others take the palette in order."""
    styles = styles or {}
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(13, 6))
        for default_colour, (label, curve) in zip(_CURVE_COLOURS, curves.items()):
            colour, line = styles.get(label, (default_colour, "-"))
            ax.plot(
                curve.index,
                curve.to_numpy(),
                color=colour,
                lw=1.1,
                ls=line,
                label=f"{label}: {curve.iloc[-1]:,.2f} on {curve.index[-1].date()}",
            )
        if in_market is not None:
            blended = ax.get_xaxis_transform()
            ax.fill_between(
                in_market.index,
                0,
                0.025,
                where=in_market.to_numpy(dtype=bool),
                transform=blended,
                color=style.OKABE_ITO["sky_blue"],
                alpha=0.7,
                lw=0,
                step="post",
                label=in_market_label,
            )
        ax.set_yscale("log")
        # 1-2-5 ticks: a log axis spanning one or two decades otherwise shows only 1 and 10
        ax.yaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(mticker.NullFormatter())
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_major_locator(mdates.YearLocator(5))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_xlabel("date")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
        fig.tight_layout()
    return fig


def plot_drawdowns(drawdowns: Mapping[str, pd.Series], *, title: str) -> plt.Figure:
    """Underwater curves, one filled panel per equity curve on a shared scale: each curve's
    fall from its running peak in percent, its worst point marked (two overlaid lines
    hid each other)."""
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(
            len(drawdowns), 1, figsize=(13, 2.6 * len(drawdowns) + 0.8), sharex=True, sharey=True, squeeze=False
        )
        for ax, colour, (label, curve) in zip(axes[:, 0], _CURVE_COLOURS[1:], drawdowns.items()):
            values = curve.to_numpy() * 100
            worst = int(np.argmin(values))
            ax.fill_between(curve.index, values, 0, color=colour, alpha=0.35, lw=0)
            ax.plot(curve.index, values, color=colour, lw=0.8)
            ax.plot(curve.index[worst], values[worst], "v", color="black", ms=7)
            ax.annotate(
                f"worst {values[worst]:.1f}% on {curve.index[worst].date()}",
                (curve.index[worst], values[worst]),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                bbox=_NOTE_BOX,
            )
            ax.axhline(0, color="black", lw=0.8)
            ax.set_title(label, loc="left", fontsize=11)
            ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
            ax.set_ylabel("below peak")
        axes[-1, 0].xaxis.set_major_locator(mdates.YearLocator(5))
        axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        axes[-1, 0].set_xlabel("date")
        fig.suptitle(title)
        fig.tight_layout()
    return fig


def plot_peer_excess(rows: pd.DataFrame, *, title: str, min_n: int = 10) -> plt.Figure:
    """One panel per horizon: each series' mean excess return over all days with its 95%
    interval. ``rows`` is tidy with columns series, group, horizon, excess_mean, ci_low,
    ci_high, n, random_entry_p (fractions); series are drawn top to bottom in row order and
    a cell with n < ``min_n`` is drawn hollow (anecdotal)."""
    series = list(dict.fromkeys(rows["series"]))
    horizons = list(dict.fromkeys(rows["horizon"]))
    groups = list(dict.fromkeys(rows["group"]))
    colours = dict(zip(groups, _CURVE_COLOURS[1:]))
    y_of = {name: len(series) - 1 - i for i, name in enumerate(series)}
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(
            1, len(horizons), figsize=(2.6 * len(horizons) + 2.5, 0.62 * len(series) + 2.4), sharey=True, squeeze=False
        )
        for ax, horizon in zip(axes[0], horizons):
            part = rows.loc[rows["horizon"] == horizon]
            for row in part.itertuples(index=False):
                y = y_of[row.series]
                colour = colours[row.group]
                if not np.isfinite(row.excess_mean):
                    continue
                ax.plot([row.ci_low * 100, row.ci_high * 100], [y, y], color=colour, lw=1.6)
                hollow = row.n < min_n
                ax.plot(row.excess_mean * 100, y, "o", ms=6.5, color=colour, mfc="white" if hollow else colour)
                # on a white box above the point: the zero line passes behind, never through the text
                ax.annotate(
                    f"n={row.n}" + (" anecd." if hollow else "") + f"  p={row.random_entry_p:.2f}",
                    (row.excess_mean * 100, y),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    fontsize=9,
                    color="#222222",
                    bbox=_NOTE_BOX,
                    zorder=4,
                )
            ax.axvline(0, color="black", lw=0.8, ls="--", zorder=1)
            ax.set_title(f"{horizon} after the cross", fontsize=10)
            ax.set_xlabel("mean excess return (% points)")
            ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:+.0f}"))
            ax.set_ylim(-0.7, len(series) - 0.3)
        axes[0][0].set_yticks([y_of[name] for name in series], series)
        handles = [plt.Line2D([], [], color=colours[g], marker="o", lw=1.6, label=g) for g in groups]
        handles.append(plt.Line2D([], [], color="grey", marker="o", mfc="white", lw=0, label=f"n < {min_n}: anecdotal"))
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=9, frameon=False)
        fig.suptitle(title)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def plot_peer_percentiles(
    percentiles: pd.DataFrame, counts: pd.DataFrame, *, title: str, min_n: int = 10
) -> plt.Figure:
    """Heat map: rows are series, columns horizons, colour the percentile (0-100) of the
    observed mean among random-entry means (50 = what a random day gives); each cell shows
    the percentile and n, and a cell with n < ``min_n`` says "anecdotal"."""
    values = percentiles.to_numpy(dtype=float)
    with plt.rc_context({**_STYLE, "axes.grid": False}):
        fig, ax = plt.subplots(figsize=(1.5 * values.shape[1] + 4, 0.5 * values.shape[0] + 1.8))
        image = ax.imshow(values, cmap=style.DIVERGING_CMAP, vmin=0, vmax=100, aspect="auto")
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                n = int(counts.iat[i, j])
                text = f"{values[i, j]:.0f}\nn={n}" + (" anecd." if n < min_n else "")
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if abs(values[i, j] - 50) > 35 else "black",
                )
        ax.set_xticks(range(values.shape[1]), [f"{c}" for c in percentiles.columns])
        ax.set_yticks(range(values.shape[0]), list(percentiles.index))
        ax.set_xlabel("forward horizon")
        colourbar = fig.colorbar(image, ax=ax, fraction=0.04)
        colourbar.set_label("percentile among random-entry means (50 = random)")
        ax.set_title(title)
        fig.tight_layout()
    return fig


# --- pictures drawn on a given axes (alphalens style: pass ax=, get the axes back) -----------


def _axes(ax: plt.Axes | None, figsize: tuple[float, float]) -> plt.Axes:
    if ax is not None:
        return ax
    with plt.rc_context(_STYLE):
        return plt.subplots(figsize=figsize)[1]


def plot_pre_event_window(
    paths: pd.DataFrame,
    band: pd.DataFrame | None = None,
    *,
    title: str = "",
    legend: bool = True,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """How the series got to each event: ``paths`` (``aligned_paths(..., before=k)``, entry
    = 100) from -k to 0 days, one thin line each, with the events' mean and its band
    (``band``, same index) over them."""
    ax = _axes(ax, (9, 5))
    before = paths.loc[:0]
    with plt.rc_context(_STYLE):
        days = before.index.to_numpy()
        for column in before.columns:
            ax.plot(days, before[column].to_numpy(), color="#9a9a9a", lw=0.6, alpha=0.6)
        if band is not None:
            window = band.loc[:0]
            ax.fill_between(
                days,
                window["low"],
                window["high"],
                color=style.EVENTS_BAND,
                alpha=0.4,
                lw=0,
                label="events' mean: 95% confidence band",
            )
            ax.plot(days, window["mean"], color=style.EVENTS_MEAN, lw=2.2, label=f"mean of {before.shape[1]} events")
            if legend:
                ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        ax.axhline(100, color="black", lw=0.8)
        ax.set_xlabel("trading days before the event (entry = 100)")
        ax.set_ylabel("level, entry = 100")
        if title:
            ax.set_title(title)
    return ax


def plot_event_drawdowns(
    event_dates: Sequence[pd.Timestamp],
    max_drawdown: Sequence[float],
    final_return: Sequence[float] | None = None,
    *,
    horizon: str = "12m",
    title: str = "",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Per event: the deepest fall below the entry close within ``horizon`` (fractions,
    drawn in %, downward bars; NaN = pending window, left blank) and, when given, the
    return at the horizon's end as a marker: how much pain came before the outcome."""
    ax = _axes(ax, (13, 4.8))
    drawdown = np.asarray(max_drawdown, dtype=float) * 100
    x = np.arange(len(drawdown))
    with plt.rc_context(_STYLE):
        ax.bar(
            x,
            drawdown,
            0.7,
            color=style.OKABE_ITO["vermillion"],
            alpha=0.75,
            label=f"deepest fall below entry within {horizon}",
        )
        if final_return is not None:
            ax.plot(
                x,
                np.asarray(final_return, dtype=float) * 100,
                "D",
                color=style.OKABE_ITO["blue"],
                ms=5,
                markeredgecolor="black",
                markeredgewidth=0.4,
                lw=0,
                label=f"return at {horizon}",
            )
        ax.axhline(0, color="black", lw=0.8)
        labels = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in event_dates]
        step = -(-len(labels) // 30)  # at most 30 dates on the axis: readable at the page's width
        ax.set_xticks(x[::step], labels[::step], rotation=70, fontsize=8)
        ax.set_xlim(-0.7, len(x) - 0.3)
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:+.0f}%"))
        ax.set_ylabel("% of the entry close")
        ax.set_xlabel("event date")
        if title:
            ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.30), ncol=2, frameon=False)
    return ax


def plot_specification_curve(
    robustness: Mapping[str, Any],
    *,
    title: str,
    unit: str = "events",
) -> plt.Figure:
    """A specification curve (Simonsohn, Simmons & Nelson 2020) of summary.json's
    ``robustness`` block: above, each testable specification's excess return (%) sorted,
    coloured by family, filled where its p is below alpha, the claim as stated drawn as a
    star; below, the same specifications' one-sided p on a log axis with alpha marked. The
    untestable specifications are named under the figure, not drawn."""
    frame = specification_curve_frame(robustness)
    alpha = float(robustness["alpha"])
    untestable = untestable_specifications(robustness)
    with plt.rc_context(_STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 6.6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
        present = set(frame["family"])
        families = [f for f in FAMILY_COLOURS if f in present] + sorted(present - set(FAMILY_COLOURS))
        for family in families:
            part = frame.loc[frame["family"] == family]
            colour = FAMILY_COLOURS.get(family, style.OKABE_ITO["black"])
            own = bool(part["own"].any())
            for ax, values in ((top, part["excess"] * 100), (bottom, part["pvalue"])):
                ax.scatter(
                    part["rank"],
                    values,
                    s=160 if own else 34,
                    marker="*" if own else "o",
                    facecolors=[colour if sig else "white" for sig in part["significant"]],
                    edgecolors=colour,
                    linewidths=1.3,
                    zorder=4 if own else 3,
                    label=f"{family_name(family)} ({len(part)})" if ax is top else None,
                )
        top.axhline(0, color="black", lw=0.8)
        top.set_ylabel("excess return (%)" if unit == "events" else "window minus rest (log, %)")
        top.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:+g}"))
        top.set_title(title)
        bottom.axhline(alpha, color=style.OKABE_ITO["vermillion"], lw=1, ls="--", label=f"alpha = {alpha:g}")
        bottom.set_yscale("log")
        bottom.set_ylim(min(float(frame["pvalue"].min()) / 2, alpha / 5) if len(frame) else alpha / 5, 1.05)
        bottom.set_ylabel("one-sided p (claimed tail)")
        bottom.set_xlabel("specifications, sorted by excess return")
        bottom.legend(loc="lower right", frameon=False, fontsize=9)
        handles, labels = top.get_legend_handles_labels()
        handles.append(plt.Line2D([], [], color="grey", marker="o", mfc="white", lw=0))
        labels.append(f"hollow: p ≥ {alpha:g}")
        # below both panels, never over a point
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.04), ncol=4, frameon=False, fontsize=9)
        if untestable:
            shown = ", ".join(untestable[:6]) + (f" and {len(untestable) - 6} more" if len(untestable) > 6 else "")
            fig.text(0.01, 0.005, f"Not testable, not drawn: {shown}", fontsize=9, ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.13, 1, 1))
    return fig
