"""Session-wide fixtures: the market-data directory and the canonical Russell 2000 series.

Both are loaded once per test session; tests that need the real snapshot skip (with the
loader's own message) when no data directory can be found.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.data import MarketSeries, load_series, resolve_data_dir
from backtest.errors import DataNotFoundError


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The resolved data directory (``$BACKTEST_DATA_DIR`` or ``../shared/data``)."""
    try:
        return resolve_data_dir()
    except DataNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def russell2000(data_dir: Path) -> MarketSeries:
    """``load_series("russell2000")``: RU2000PR rebased onto ^RUT, then ^RUT (lenient policy)."""
    return load_series("russell2000", data_dir=data_dir)
