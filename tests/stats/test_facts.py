"""Fact checks compare numbers: statuses at the edges of precision and tolerance."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.errors import ParameterError
from backtest.stats.facts import Fact, check_fact

CLOSES = {"X": pd.Series([100.0, 101.0, 103.5], index=pd.to_datetime(["2025-06-30", "2025-07-15", "2025-07-29"]))}


def _fact(figure, **kw):
    return Fact("x", "X rose.", figure, kw.pop("series", "X"), "2025-06-30", "2025-07-31", "2025-07-29", **kw)


@pytest.mark.parametrize(
    ("figure", "status"), [(0.035, "confirmed"), (0.0354, "confirmed"), (0.040, "roughly"), (0.050, "not confirmed")]
)
def test_status_by_distance(figure, status) -> None:
    check = check_fact(_fact(figure), CLOSES)
    assert check.status == status
    assert check.value == pytest.approx(0.035)
    assert check.difference == pytest.approx(0.035 - figure)


def test_missing_series_is_not_checkable_and_never_substituted() -> None:
    check = check_fact(_fact(0.035, series="NASDAQ"), CLOSES)
    assert check.status == "not checkable" and "NASDAQ" in check.reason and check.value is None


def test_stale_data_is_not_checkable() -> None:
    old = {"X": pd.Series([1.0, 2.0], index=pd.to_datetime(["2018-01-02", "2019-01-10"]))}
    assert check_fact(_fact(0.035), old).status == "not checkable"


def test_precision_must_not_exceed_tolerance() -> None:
    with pytest.raises(ParameterError, match="precision"):
        _fact(0.035, precision=0.02, tolerance=0.01)
