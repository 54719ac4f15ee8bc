"""Period returns use only closes on or before each date."""

import numpy as np
import pandas as pd
import pytest

from backtest.errors import InsufficientDataError
from backtest.stats.periods import period_return


def test_period_return_uses_last_close_on_or_before_each_date() -> None:
    close = pd.Series([100.0, 110.0, 121.0], index=pd.to_datetime(["2025-06-27", "2025-06-30", "2025-07-03"]), name="x")
    result = period_return(close, "2025-06-30", "2025-07-02")  # 07-02 has no close: use 06-30
    assert result.end == pd.Timestamp("2025-06-30") and result.value == 0.0
    result = period_return(close, "2025-06-29", "2025-07-31")
    assert result.start == pd.Timestamp("2025-06-27")
    assert result.value == pytest.approx(0.21)
    assert result.to_dict()["return"] == pytest.approx(0.21)


def test_period_before_the_data_is_an_error() -> None:
    close = pd.Series(np.ones(3), index=pd.bdate_range("2020-01-01", periods=3), name="x")
    with pytest.raises(InsufficientDataError, match="no close on or before 2019-12-31"):
        period_return(close, "2019-12-31", "2020-01-03")
