"""Events: turn crosses into dated events and measure what followed each one."""

from backtest.events.rules import (
    DEFAULT_HORIZONS,
    EventRules,
    Horizon,
    calendar_month_horizons,
    trading_day_horizons,
)
from backtest.events.study import (
    MEASURES,
    EventStudy,
    detect,
    measure_forward,
    run_event_studies,
    run_event_study,
)

__all__ = [
    "DEFAULT_HORIZONS",
    "MEASURES",
    "EventRules",
    "EventStudy",
    "Horizon",
    "calendar_month_horizons",
    "detect",
    "measure_forward",
    "run_event_studies",
    "run_event_study",
    "trading_day_horizons",
]
