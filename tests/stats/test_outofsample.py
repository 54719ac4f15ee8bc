"""Out-of-sample check of the latest event against a plain-pandas reference."""

import numpy as np
import pandas as pd
import pytest

from backtest.events import EventRules, MACross, run_event_study
from backtest.stats.outofsample import percentile_of, recent_event_check


def test_percentile_of_counts_ties_and_ignores_nan() -> None:
    assert percentile_of(np.array([1.0, 2.0, 2.0, np.nan, 4.0]), 2.0) == 75.0
    assert np.isnan(percentile_of(np.array([np.nan]), 1.0))


def test_recent_event_check_matches_pandas_reference() -> None:
    rng = np.random.default_rng(3)
    close = pd.Series(
        100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, 3000))),
        index=pd.bdate_range("1990-01-01", periods=3000),
        name="walk",
    )
    study = run_event_study(close, EventRules(source=MACross(10, 50), start="1991-01-01"))
    check = recent_event_check(study)
    entries = study.table["entry_pos"].to_numpy()
    latest = entries[-1]
    assert check.days_elapsed == len(close) - 1 - latest
    to_date = check.windows[-1]
    assert to_date.label == "to date" and not to_date.complete
    assert to_date.realised_return == pytest.approx(close.iloc[-1] / close.iloc[latest] - 1)
    for window in check.windows:
        d = window.days
        forward = close.shift(-d) / close - 1
        earlier = forward.iloc[[e for e in entries[:-1] if e + d < len(close)]]
        assert window.earlier_events_n == len(earlier)
        assert window.percentile_among_earlier_events == pytest.approx(100 * (earlier <= window.realised_return).mean())
        start = close.index.searchsorted(pd.Timestamp("1991-01-01"))
        all_days = forward.iloc[start:].dropna()
        assert window.all_days_n == len(all_days)
        assert window.percentile_among_all_days == pytest.approx(100 * (all_days <= window.realised_return).mean())
    assert set(check.to_frame().columns) >= {"label", "realised_return", "percentile_among_all_days"}
