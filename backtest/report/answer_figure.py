"""The figure that answers a claim, the one its verdict card shows: the events' mean path
against the random-entry band, the judged horizons marked. ``answer_path(result)`` gives
what it draws, the same for its PNG (``figures.plot_event_paths``) and its interactive twin
(``interactive.event_paths_chart``), both drawing one definition (``charts.event_paths_chart``). Nothing is computed that the run did not compute: the
paths and the band are the run's own.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

ANSWER_FIGURE = "event_paths.png"
"""The figure that answers a claim (its verdict card's): the events' mean path against the
random-entry band, the judged horizons marked."""
ANSWER_FIGURE_CAPTION = "The events' mean path against random entry days, the judged horizons marked"


def answer_path(result: Any) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int], int] | None:
    """What the answer figure draws, for its PNG and its interactive twin alike: the mean
    path of the events whose window is complete (as many as the random-entry band's k, so
    that the two compare) with its 95% confidence band, the random-entry band (5-95%), the
    judged horizons (label -> trading days) and k; None without a band. All computed by the
    run (``ClaimResult.event_paths``)."""
    paths = result.event_paths
    if paths is None:
        return None
    return paths.complete_interval, paths.random_band, paths.horizons, paths.k
