"""Additions to a claim's report, kept apart from ``claim_report`` (two hooks there:
``EXTRA_FIGURES`` in its ``FIGURES``, ``extra_figures`` at the end of ``draw_figures``).

``extra_figures(result)`` draws the pre-event window beside each event's path after entry
(the events' mean path against the random-entry band is the report's own first figure), and
each event's drawdown.
"""

from __future__ import annotations

from typing import Any

EXTRA_FIGURES = {
    "event_window.png": "How the series got to the events (the days before each), and each event's path after entry",
    "event_drawdowns.png": "Per event: the deepest fall below the entry close before the longest horizon, and the return "
    "at its end",
}
"""Captions of the figures ``extra_figures`` draws, by file name."""


def extra_figures(result: Any) -> dict[str, bytes]:
    """A claim's extra pictures: the pre-event window beside each event's path after entry
    (``event_window.png``, two ``ax=`` plots on one figure), and each event's drawdown
    (``event_drawdowns.png``)."""
    import matplotlib.pyplot as plt

    from backtest.report.figures import (
        plot_each_event_path,
        plot_event_drawdowns,
        plot_pre_event_window,
        style_context,
    )
    from backtest.report.interactive import PATH_DAYS_BEFORE
    from backtest.report.render import figure_png

    figures = {}
    if result.event_paths is not None:  # the run's paths (no complete window: none)
        paths = result.event_paths.paths
        with style_context():
            fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5.4), gridspec_kw={"width_ratios": [1, 2.2]})
            plot_pre_event_window(
                paths,
                result.event_paths.interval,
                title=f"The {PATH_DAYS_BEFORE} days before each event",
                ax=left,
                legend=False,
            )
            plot_each_event_path(paths, ax=right, title="Each event after entry (entry = 100)")
            fig.tight_layout()
        figures["event_window.png"] = figure_png(fig)
    labels = [label for label in result.statistics.labels if result.statistics[label].n > 0]
    events = result.to_frame()
    if labels and len(events):
        last = labels[-1]
        done = ~events[f"pending_{last}"].to_numpy(dtype=bool)
        with style_context():
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
