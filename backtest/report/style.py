"""The one colour palette of every figure, static (matplotlib) or interactive (plotly).

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct under the
common colour-vision deficiencies. Roles name what a colour means in every report, so a
golden cross, a band or a rejected event looks the same in each figure.
"""

from __future__ import annotations

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""Okabe-Ito colours by their published names."""

CYCLE = (
    OKABE_ITO["black"],
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
)
"""Colours of successive lines (black first: the reference curve)."""

PRICE = "#666666"  # the series itself: a neutral grey under the coloured overlays
FAST_MA = OKABE_ITO["blue"]
SLOW_MA = OKABE_ITO["vermillion"]
THIRD_LINE = OKABE_ITO["bluish_green"]
GOLDEN = OKABE_ITO["orange"]
DEATH = OKABE_ITO["reddish_purple"]
EVENT = OKABE_ITO["blue"]
EVENTS_MEAN = OKABE_ITO["vermillion"]  # the events' mean path / observed statistic
EVENTS_BAND = OKABE_ITO["orange"]  # its confidence band
RANDOM_BAND = OKABE_ITO["sky_blue"]  # the random-entry band / null distribution
BASELINE = "#555555"  # every eligible day ("all days")
KEPT = OKABE_ITO["bluish_green"]
REJECTED = OKABE_ITO["vermillion"]
NO_DATA = "#BBBBBB"
DIVERGING_CMAP = "RdBu"  # heatmaps: red below zero, blue above (a diverging map safe for colour-blind readers)
