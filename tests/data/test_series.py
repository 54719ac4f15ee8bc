"""MarketSeries: its invariants, provenance table and terminal summary."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from backtest.data import MarketSeries, Segment
from backtest.errors import ParameterError


def closes(values, start: str = "2020-01-02", name: str = "x") -> pd.Series:  # type: ignore[no-untyped-def]
    index = pd.bdate_range(start, periods=len(values), name="date").astype("datetime64[ns]")
    return pd.Series(np.asarray(values, dtype=np.float64), index=index, name=name)


def make(close: pd.Series, name: str = "x", bars=None) -> MarketSeries:  # type: ignore[no-untyped-def]
    segment = Segment("memory", name, "", close.index[0], close.index[-1], 1.0, len(close))
    return MarketSeries(name, close, bars, (segment,), (), None, "0" * 64)


def test_valid_series_constructs_and_is_frozen() -> None:
    series = make(closes([1.0, 2.0, 3.0]))
    assert len(series) == 3 and series.first_date == pd.Timestamp("2020-01-02")
    with pytest.raises(dataclasses.FrozenInstanceError):
        series.name = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c.astype("float32"),
        lambda c: c.rename("other"),
        lambda c: c.rename_axis("when"),
        lambda c: c.iloc[::-1],
        lambda c: pd.concat([c, c.iloc[-1:]]),
        lambda c: c.tz_localize("UTC"),
        lambda c: c.where(c < 3),
        lambda c: -c,
    ],
    ids=["float32", "series-name", "index-name", "unsorted", "duplicate", "tz-aware", "nan", "negative"],
)
def test_invariants_are_enforced(breakage) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match="MarketSeries 'x'"):
        make(breakage(closes([1.0, 2.0, 3.0])))


def test_bars_must_share_the_index_and_columns() -> None:
    close = closes([1.0, 2.0])
    bars = pd.DataFrame({"open": close, "high": close, "low": close, "close": close, "volume": close})
    make(close, bars=bars)
    with pytest.raises(ParameterError, match="bars"):
        make(close, bars=bars[["close", "open", "high", "low", "volume"]])


def test_from_close_stamps_the_data() -> None:
    first = MarketSeries.from_close("x", closes([1.0, 2.0]))
    again = MarketSeries.from_close("x", closes([1.0, 2.0]))
    other = MarketSeries.from_close("x", closes([1.0, 2.5]))
    assert first.data_sha256 == again.data_sha256 != other.data_sha256
    assert first.segments[0].source == "memory" and first.validation == ()


def test_tables_and_summary() -> None:
    series = MarketSeries.from_close("demo", closes([1.0, 2.0, 3.0]), symbol="DEMO")
    provenance = series.provenance_frame()
    assert list(provenance.columns) == [
        "source",
        "symbol",
        "path",
        "first_date",
        "last_date",
        "scale_factor",
        "rows_used",
        "note",
    ]
    assert provenance.loc[0, "symbol"] == "DEMO" and provenance.loc[0, "rows_used"] == 3
    assert list(series.to_frame().columns) == ["close"]
    assert series.validation_frame().empty
    text = series.summary()
    assert "demo: 3 daily closes, 2020-01-02 to 2020-01-06" in text and "Provenance" in text


def test_summary_of_the_real_series(russell2000) -> None:
    text = russell2000.summary()
    for expected in (
        "russell2000: ",
        "1978-12-29",
        "Splice RU2000PR -> RUT on 1987-09-10",
        "overall",
        "RUT.csv: 9,686 rows read",
        "partial_bar 1",
    ):
        assert expected in text
    assert set(russell2000.validation_frame()["kind"]) >= {"no_value", "partial_bar", "zero_volume"}
