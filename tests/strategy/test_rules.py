"""TrendStrategy: validation names the parameter; the event rules it implies."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest.errors import ParameterError
from backtest.events import MACross
from backtest.strategy import TrendStrategy


@pytest.mark.parametrize(
    ("changes", "parameter"),
    [
        ({"fast": 200, "slow": 50}, "fast window"),
        ({"fast": 0}, "fast"),
        ({"ma": "wma"}, "ma kind"),
        ({"execution": "open"}, "execution"),
        ({"first_entry": "always"}, "first_entry"),
        ({"fee": -0.001}, "fee"),
        ({"fee": 0.5}, "fee"),
        ({"fee": float("nan")}, "fee"),
        ({"start": "not a date"}, "start"),
        ({"start": "2000-01-01", "end": "1990-01-01"}, "after end"),
    ],
)
def test_bad_parameters_raise_naming_them(changes: dict, parameter: str) -> None:
    with pytest.raises(ParameterError, match=parameter):
        TrendStrategy(**changes)


def test_event_rules_carry_the_window_and_the_execution() -> None:
    strategy = TrendStrategy(start="1985-01-01", end="2019-01-10", execution="next_close")
    golden = strategy.event_rules("golden")
    death = strategy.event_rules("death")
    assert (golden.source, death.source) == (MACross(50, 200, "sma", "golden"), MACross(50, 200, "sma", "death"))
    assert golden.entry == "next_close" and golden.entry_lag == strategy.lag == 1
    assert golden.start == pd.Timestamp("1985-01-01") and golden.end == pd.Timestamp("2019-01-10")
    assert strategy.to_dict()["start"] == "1985-01-01" and strategy.replace(fee=0.0).fee == 0.0
    assert "next close" in strategy.describe() and "0.10% per side" in TrendStrategy().describe()
