"""Additions to a claim's report, kept apart from ``claim_report`` (two hooks there:
``EXTRA_FIGURES`` in its ``FIGURES``, ``extra_figures`` at the end of ``draw_figures``).

``extra_figures(result)`` draws the pre-event window beside the events' mean path with both
bands, and each event's drawdown.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

EXTRA_FIGURES = {
    "event_window.png": "How the series got to the events, and the events' mean path with its 95% confidence band "
    "against the random-entry band",
    "event_drawdowns.png": "Per event: the deepest fall below the entry close before the longest horizon, and the return "
    "at its end",
}
"""Captions of the figures ``extra_figures`` draws, by file name."""


def extra_figures(result: Any) -> dict[str, bytes]:
    """A claim's extra pictures: the pre-event window beside the events' mean path
    with both bands (``event_window.png``), and each event's drawdown (``event_drawdowns.png``)."""
    import matplotlib.pyplot as plt

    from backtest.events.paths import aligned_paths, mean_path_interval
    from backtest.report.figures import (
        _STYLE,
        plot_event_drawdowns,
        plot_mean_path_band,
        plot_pre_event_window,
    )
    from backtest.report.interactive import PATH_DAYS_BEFORE
    from backtest.report.render import figure_png

    figures = {}
    study = result.study
    if result.band is not None and result.band.k > 0:
        band = result.band
        paths = aligned_paths(study.close, study.entry_pos, days=len(band.event_mean) - 1, before=PATH_DAYS_BEFORE)
        interval = mean_path_interval(paths)
        random_band = pd.DataFrame({"low": band.quantiles[0.05], "high": band.quantiles[0.95]}, index=band.days)
        with plt.rc_context(_STYLE):
            fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5.4), gridspec_kw={"width_ratios": [1, 2.2]})
            plot_pre_event_window(
                paths, interval, title=f"The {PATH_DAYS_BEFORE} days before each event", ax=left, legend=False
            )
            plot_mean_path_band(
                interval,
                random_band=random_band,
                ax=right,
                title="The events' mean path (entry = 100)",
                random_label=f"random entry: 5–95% of the mean of {band.k} random days' paths",
            )
            fig.tight_layout()
        figures["event_window.png"] = figure_png(fig)
    labels = [label for label in result.statistics.labels if result.statistics[label].n > 0]
    events = result.to_frame()
    if labels and len(events):
        last = labels[-1]
        done = ~events[f"pending_{last}"].to_numpy(dtype=bool)
        with plt.rc_context(_STYLE):
            fig, ax = plt.subplots(figsize=(13, 5.0))
            plot_event_drawdowns(
                events["event_date"],
                events[f"max_drawdown_{last}"].where(done),
                events[f"ret_{last}"].where(done),
                horizon=last,
                ax=ax,
                title=f"Each event: deepest fall below the entry close within {last}, and the {last} return",
            )
            fig.tight_layout()
        figures["event_drawdowns.png"] = figure_png(fig)
    return figures
