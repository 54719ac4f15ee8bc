"""Market data: loaders, validation, splicing and sources.

Raw Yahoo/FRED CSV files in, a validated ``MarketSeries`` with provenance out. Start with
``load_series("russell2000")``; ``backtest data check`` and ``backtest data show`` print what
validation found and where the series came from. With no data directory configured, series
come from the built-in dataset (``backtest.data.builtin``); ``backtest data update`` fetches
fresher ones (``backtest.data.update``).
"""

from backtest.data.catalog import (
    SERIES_GROUPS,
    clear_cache,
    data_files,
    list_series,
    load_series,
    peers_of,
    series_returns,
    validation_reports,
)
from backtest.data.loaders import load_csv, load_fred_csv, load_yahoo_csv
from backtest.data.series import (
    MAX_GAP_DAYS,
    MarketSeries,
    Segment,
    check_no_long_gaps,
    daily_segment,
    long_gaps,
    segment_for_analysis,
)
from backtest.data.sources import DataSource, fetch_yahoo, resolve_data_dir, resolve_data_source
from backtest.data.splice import SpliceStats, splice
from backtest.data.validation import (
    DEFAULT_MAX_MOVE,
    DEFAULT_POLICY,
    POLICIES,
    Finding,
    ValidationReport,
    validate_file,
)

__all__ = [
    "MAX_GAP_DAYS",
    "daily_segment",
    "check_no_long_gaps",
    "long_gaps",
    "segment_for_analysis",
    "DEFAULT_MAX_MOVE",
    "DEFAULT_POLICY",
    "POLICIES",
    "DataSource",
    "Finding",
    "MarketSeries",
    "Segment",
    "SpliceStats",
    "ValidationReport",
    "clear_cache",
    "data_files",
    "fetch_yahoo",
    "list_series",
    "load_csv",
    "load_fred_csv",
    "load_series",
    "load_yahoo_csv",
    "peers_of",
    "series_returns",
    "SERIES_GROUPS",
    "resolve_data_dir",
    "resolve_data_source",
    "splice",
    "validate_file",
    "validation_reports",
]
