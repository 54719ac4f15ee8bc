"""Splicing: the switch rule, continuity, provenance and overlap statistics, on hand-made series
(with Hypothesis) and on the canonical Russell 2000 (FRED RU2000PR rebased onto ^RUT), read from
the snapshot or, without one, from the built-in dataset (the same values)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.data import MarketSeries, builtin, load_series, splice
from backtest.errors import DataError, ParameterError


def series(name: str, values, start: str) -> MarketSeries:  # type: ignore[no-untyped-def]
    index = pd.bdate_range(start, periods=len(values))
    return MarketSeries.from_close(name, pd.Series(np.asarray(values, dtype=np.float64), index=index))


@pytest.fixture
def pair() -> tuple[MarketSeries, MarketSeries]:
    # older: 10 days from 2020-01-01; newer: 2.5x the level from 2020-01-08 (its 6th day) on,
    # with one disagreeing day (2020-01-10: +1 point more in the newer series).
    older_values = 100 + np.arange(10.0)
    newer_values = 2.5 * (100 + np.arange(5.0, 15.0))
    newer_values[2:] += 1.0  # from 2020-01-10 on
    return series("old", older_values, "2020-01-01"), series("new", newer_values, "2020-01-08")


def test_first_overlap_rule(pair) -> None:
    older, newer = pair
    spliced = splice(older, newer, name="joined")
    switch = pd.Timestamp("2020-01-08")
    assert spliced.splice.switch_date == switch
    k = newer.close[switch] / older.close[switch]
    assert spliced.splice.scale_factor == pytest.approx(k) == pytest.approx(2.5)
    before = spliced.close[spliced.close.index < switch]
    pd.testing.assert_series_equal(before, (older.close * k)[older.close.index < switch], check_names=False)
    pd.testing.assert_series_equal(spliced.close[switch:], newer.close, check_names=False, check_freq=False)
    assert spliced.name == spliced.close.name == "joined" and spliced.close.index.is_unique


def test_return_across_the_switch_is_the_older_series_own_return(pair) -> None:
    older, newer = pair
    spliced = splice(older, newer)
    switch = spliced.splice.switch_date
    at = spliced.close.index.get_loc(switch)
    assert spliced.close.iloc[at] / spliced.close.iloc[at - 1] == pytest.approx(
        older.close[switch] / older.close.iloc[older.close.index.get_loc(switch) - 1], rel=1e-12
    )


def test_overlap_statistics_by_hand(pair) -> None:
    older, newer = pair
    stats = splice(older, newer).splice
    # Common dates: 8, 9, 10, 13, 14 January (the older series ends on the 14th).
    assert stats.overlap_first == pd.Timestamp("2020-01-08") and stats.overlap_last == pd.Timestamp("2020-01-14")
    assert stats.n_common_days == 5 and (stats.older_only_days, stats.newer_only_days) == (0, 0)
    returns_old = older.close.loc["2020-01-08":].pct_change().dropna()
    returns_new = newer.close.loc[:"2020-01-14"].pct_change().dropna()
    diff = (returns_new - returns_old).abs()
    assert stats.median_abs_ret_diff == pytest.approx(diff.median())
    assert stats.max_abs_ret_diff == pytest.approx(diff.max())
    assert stats.max_abs_ret_diff_date == pd.Timestamp("2020-01-10")
    ratio = newer.close.loc[:"2020-01-14"] / older.close.loc["2020-01-08":]
    assert stats.ratio_drift == pytest.approx(ratio.iloc[-1] / ratio.iloc[0] - 1)
    assert stats.max_abs_ratio_deviation == pytest.approx((ratio / 2.5 - 1).abs().max())
    frame = stats.to_frame()
    assert list(frame["period"]) == ["2020", "overall"] and frame["n_days"].tolist() == [5, 5]
    assert "Splice old -> new on 2020-01-08" in stats.summary()


def test_provenance_segments_are_clipped_and_rescaled(pair) -> None:
    older, newer = pair
    first, second = splice(older, newer).segments
    assert (first.first_date, first.last_date, first.rows_used) == (
        pd.Timestamp("2020-01-01"),
        pd.Timestamp("2020-01-07"),
        5,
    )
    assert first.scale_factor == pytest.approx(2.5) and second.scale_factor == 1.0
    assert (second.first_date, second.rows_used) == (pd.Timestamp("2020-01-08"), 10)


def test_explicit_and_last_overlap_switch(pair) -> None:
    older, newer = pair
    late = splice(older, newer, switch="2020-01-14")
    assert late.splice.switch_date == splice(older, newer, switch="last-overlap").splice.switch_date
    assert late.close["2020-01-13"] == pytest.approx(older.close["2020-01-13"] * late.splice.scale_factor)
    with pytest.raises(ParameterError, match="2020-01-02 is not a date on which both"):
        splice(older, newer, switch="2020-01-02")
    with pytest.raises(ParameterError, match="switch must be"):
        splice(older, newer, switch="sometime")


def test_series_without_overlap_cannot_be_spliced() -> None:
    older = series("old", [1.0, 2.0], "2020-01-01")
    newer = series("new", [3.0, 4.0], "2021-01-01")
    with pytest.raises(DataError, match="no date in common"):
        splice(older, newer)


def test_bars_survive_only_when_both_sides_have_them(write_csv) -> None:
    from backtest.data import load_csv
    from tests.data.csv_rows import yahoo_rows

    older = load_csv(write_csv(yahoo_rows(6, close=50.0), name="A.csv"))
    newer = load_csv(write_csv(yahoo_rows(6, start="2020-01-07", close=100.0), name="B.csv"))
    spliced = splice(older, newer)
    k = spliced.splice.scale_factor
    assert spliced.bars.loc["2020-01-02", "high"] == pytest.approx(older.bars.loc["2020-01-02", "high"] * k)
    assert spliced.bars.loc["2020-01-02", "volume"] == older.bars.loc["2020-01-02", "volume"]
    assert splice(MarketSeries.from_close("m", older.close), newer).bars is None
    expected = hashlib.sha256("\n".join([older.data_sha256, newer.data_sha256]).encode()).hexdigest()
    assert spliced.data_sha256 == expected and len(spliced.validation) == 2


@settings(max_examples=50, deadline=None)
@given(
    older_returns=st.lists(st.floats(-0.2, 0.2), min_size=2, max_size=40),
    newer_returns=st.lists(st.floats(-0.2, 0.2), min_size=2, max_size=40),
    offset=st.integers(0, 39),
    level=st.floats(0.01, 1e4),
)
def test_splice_properties(older_returns, newer_returns, offset, level) -> None:
    offset = min(offset, len(older_returns) - 1)  # the newer series starts inside the older one
    older = series("old", 100 * np.cumprod(1 + np.array(older_returns)), "2000-01-03")
    newer = series("new", level * np.cumprod(1 + np.array(newer_returns)), str(older.close.index[offset].date()))
    spliced = splice(older, newer)
    switch = spliced.splice.switch_date
    assert switch == older.close.index[offset]
    assert spliced.first_date == older.first_date and spliced.last_date == newer.last_date
    assert spliced.close.index.is_monotonic_increasing and spliced.close.index.is_unique
    np.testing.assert_allclose(spliced.close[switch:].to_numpy(), newer.close.to_numpy(), rtol=0)
    np.testing.assert_allclose(
        spliced.close[: switch - pd.Timedelta(days=1)].to_numpy(),
        (older.close * spliced.splice.scale_factor)[: switch - pd.Timedelta(days=1)].to_numpy(),
        rtol=1e-12,
    )
    if offset > 0:  # continuity: the return into the switch date is the older series' own
        spliced_return = spliced.close.iloc[offset] / spliced.close.iloc[offset - 1]
        assert spliced_return == pytest.approx(older.close.iloc[offset] / older.close.iloc[offset - 1], rel=1e-9)
    assert sum(segment.rows_used for segment in spliced.segments) == len(spliced)


# -- the canonical Russell 2000 ---------------------------------------------------------------------

SWITCH = pd.Timestamp("1987-09-10")


def test_russell2000_coverage(russell2000, real_data_dir) -> None:
    rut = load_series("RUT", data_dir=real_data_dir)
    assert russell2000.first_date == pd.Timestamp("1978-12-29")
    # The last valid day: ^RUT's 2026-02-23 bar is dropped as partial (volume 0).
    assert russell2000.last_date == rut.last_date == rut.validation[0].last_date == pd.Timestamp("2026-02-20")
    assert russell2000.bars is None  # FRED has no bars


def test_russell2000_is_rebased_fred_then_rut(russell2000, real_data_dir) -> None:
    fred = load_series("RU2000PR", data_dir=real_data_dir).close
    rut = load_series("RUT", data_dir=real_data_dir).close
    stats = russell2000.splice
    assert stats.switch_date == SWITCH and stats.older == "RU2000PR" and stats.newer == "RUT"
    assert stats.scale_factor == pytest.approx(rut[SWITCH] / fred[SWITCH])
    pd.testing.assert_series_equal(russell2000.close[SWITCH:], rut, check_names=False)
    pd.testing.assert_series_equal(
        russell2000.close[: SWITCH - pd.Timedelta(days=1)], fred[:"1987-09-09"] * stats.scale_factor, check_names=False
    )


def test_russell2000_is_continuous_at_the_switch(russell2000, real_data_dir) -> None:
    fred = load_series("RU2000PR", data_dir=real_data_dir).close
    at = russell2000.close.index.get_loc(SWITCH)
    across = russell2000.close.iloc[at] / russell2000.close.iloc[at - 1] - 1
    fred_at = fred.index.get_loc(SWITCH)
    assert abs(across) < 0.05  # a normal day: measured +0.92%
    assert across == pytest.approx(fred.iloc[fred_at] / fred.iloc[fred_at - 1] - 1, rel=1e-9)


def test_russell2000_overlap_agreement(russell2000) -> None:
    stats = russell2000.splice
    assert (stats.overlap_first, stats.overlap_last) == (SWITCH, pd.Timestamp("2019-01-10"))
    assert stats.n_common_days == 7898
    # FRED's 16 dates that ^RUT lacks (market closures with the previous level carried over,
    # 2001-09-11..14, 2012-10-29/30, ..., and six weekend month-ends in 1999-2000) are dropped
    # by validation as non-NYSE sessions, so both files now hold the same days.
    assert (stats.older_only_days, stats.newer_only_days) == (0, 0)
    # Measured: median |daily return difference| 1.0e-5 (FRED rounds levels to 2 decimals),
    # max 8.4e-3 on 1992-10-16, correlation 0.99972, level-ratio drift -0.20% over 31 years,
    # largest deviation of the ratio from the switch ratio 1.15% (early 1990s).
    assert stats.median_abs_ret_diff < 2e-5
    assert stats.max_abs_ret_diff < 0.01 and stats.max_abs_ret_diff_date == pd.Timestamp("1992-10-16")
    assert stats.ret_corr > 0.999
    assert abs(stats.ratio_drift) < 0.005 and stats.max_abs_ratio_deviation < 0.02


def test_russell2000_agreement_by_year(russell2000) -> None:
    by_year = russell2000.splice.by_year
    assert by_year["period"].iloc[0] == "1987" and by_year["period"].iloc[-1] == "2019"
    # Worst year by median: 1987 at 3.0e-4 (early FRED levels differ slightly day to day);
    # from 2002 on, FRED and ^RUT agree to rounding: every year's median below 1e-5 (max 8.9e-6).
    assert russell2000.splice.worst_year()["period"] == "1987"
    assert (by_year["median_abs_ret_diff"] < 5e-4).all()
    assert (by_year.loc[by_year["period"] >= "2002", "median_abs_ret_diff"] < 1e-5).all()
    assert (by_year["ret_corr"] > 0.98).all()  # worst: 1992, 0.987


def test_russell2000_provenance(russell2000, real_data_dir) -> None:
    provenance = russell2000.provenance_frame()
    assert provenance[["source", "symbol"]].values.tolist() == [["fred", "RU2000PR"], ["yahoo", "^RUT"]]
    assert provenance["last_date"].iloc[0] == pd.Timestamp("1987-09-09")
    assert provenance["first_date"].iloc[1] == SWITCH
    assert provenance["rows_used"].sum() == len(russell2000)
    files = ("fred/RU2000PR.csv", "yahoo/RUT.csv")
    if real_data_dir is not None:
        digests = [hashlib.sha256((real_data_dir / f).read_bytes()).hexdigest() for f in files]
    else:  # the built-in dataset records the SHA-256 of the raw files it was built from
        digests = [builtin.builtin_provenance()["series"][f]["raw_sha256"] for f in files]
    assert russell2000.data_sha256 == hashlib.sha256("\n".join(digests).encode()).hexdigest()


def test_russell2000_total_return_ends_in_2019(real_data_dir) -> None:
    total_return = load_series("russell2000-tr", data_dir=real_data_dir)
    assert total_return.splice is None
    assert (total_return.first_date, total_return.last_date) == (pd.Timestamp("1978-12-29"), pd.Timestamp("2019-01-10"))
    assert "2019" in total_return.segments[0].note and total_return.segments[0].symbol == "RU2000TR"
