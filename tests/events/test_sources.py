"""Event sources against independent pandas references on the real Russell 2000 (identical
events), and look-ahead freedom by truncation (Hypothesis)."""

from __future__ import annotations

import typing

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.data import load_series
from backtest.errors import ParameterError
from backtest.events import (
    MACD,
    RSI,
    All,
    Any,
    Close,
    Condition,
    Constant,
    DateList,
    Drawdown,
    EventRules,
    EventSource,
    LineCross,
    MACDSignal,
    MACross,
    MovingAverage,
    NewHigh,
    NewLow,
    RateOfChange,
    Ratio,
    RelativeVolume,
    SeriesChange,
    SeriesLevel,
    Threshold,
    ZScore,
    detect,
    run_event_study,
)
from backtest.events.rules import ma_cross_source

START = "1985-01-01"


# --- independent pandas references ----------------------------------------------------------


def pandas_cross(a: pd.Series, b: pd.Series, side: str) -> pd.Series:
    """a crosses b: <= on t-1 and > on t ("above"), >= and < ("below"); all four defined."""
    if isinstance(b, (int, float)):
        b = pd.Series(float(b), index=a.index)
    defined = a.notna() & b.notna() & a.shift().notna() & b.shift().notna()
    if side == "above":
        return defined & (a.shift() <= b.shift()) & (a > b)
    return defined & (a.shift() >= b.shift()) & (a < b)


def pandas_rsi(close: pd.Series, n: int) -> pd.Series:
    """Wilder: first averages are simple means of changes 1..n, then alpha = 1/n recursion."""
    change = close.diff()
    gains = change.clip(lower=0.0)
    losses = (-change).clip(lower=0.0)

    def smoothed(x: pd.Series) -> pd.Series:
        seeded = x.iloc[n:].copy()
        seeded.iloc[0] = x.iloc[1 : n + 1].mean()
        return seeded.ewm(alpha=1.0 / n, adjust=False).mean().reindex(close.index)

    gain, loss = smoothed(gains), smoothed(losses)
    rsi = 100.0 - 100.0 / (1.0 + gain / loss)
    return rsi.where(loss != 0.0, np.where(gain == 0.0, 50.0, 100.0)).where(gain.notna())


def as_of(other: pd.Series, index: pd.DatetimeIndex, days: int = 5) -> pd.Series:
    """``other`` as known at each date: merge_asof backwards within ``days`` calendar days."""
    left = pd.DataFrame({"date": index})
    right = pd.DataFrame({"date": other.index, "value": other.to_numpy(dtype=float)})
    merged = pd.merge_asof(left, right, on="date", direction="backward", tolerance=pd.Timedelta(days=days))
    return pd.Series(merged["value"].to_numpy(), index=index)


def pandas_events(trigger: pd.Series, start: str = START) -> pd.DatetimeIndex:
    """Event dates with no confirmation or de-clustering: the triggers from ``start`` on."""
    fired = trigger.fillna(False).astype(bool)
    return pd.DatetimeIndex(fired.index[fired & (fired.index >= pd.Timestamp(start))])


def events_of(close: pd.Series, source: EventSource, start: str = START) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(run_event_study(close, EventRules(source=source, start=start)).table["event_date"])


@pytest.fixture(scope="module")
def close(russell2000) -> pd.Series:
    return russell2000.close


@pytest.fixture(scope="module")
def vix(data_dir) -> pd.Series:
    return load_series("VIX", data_dir=data_dir).close


@pytest.fixture(scope="module")
def tnx(data_dir) -> pd.Series:
    return load_series("TNX", data_dir=data_dir).close


# --- each source against its pandas reference on the real Russell 2000 -------------------------


@pytest.mark.parametrize(("fast", "slow", "ma", "direction"), [(50, 200, "sma", "golden"), (20, 100, "ema", "death")])
def test_ma_cross_matches_pandas(close, fast, slow, ma, direction) -> None:
    if ma == "sma":
        a, b = close.rolling(fast).mean(), close.rolling(slow).mean()
    else:
        a = close.ewm(span=fast, adjust=False, min_periods=fast).mean()
        b = close.ewm(span=slow, adjust=False, min_periods=slow).mean()
    expected = pandas_events(pandas_cross(a, b, "above" if direction == "golden" else "below"))
    got = events_of(close, MACross(fast, slow, ma, direction))
    assert got.equals(expected)
    if (fast, slow, direction) == (50, 200, "golden"):
        assert len(got) == 32  # the headline


def test_price_crosses_its_average_matches_pandas(close) -> None:
    expected = pandas_events(pandas_cross(close, close.rolling(200).mean(), "below"))
    got = events_of(close, LineCross(Close(), MovingAverage(200), "below"))
    assert len(got) > 50 and got.equals(expected)


def test_macd_crosses_its_signal_line_matches_pandas(close) -> None:
    macd = (
        close.ewm(span=12, adjust=False, min_periods=12).mean()
        - close.ewm(span=26, adjust=False, min_periods=26).mean()
    )
    signal = macd.ewm(span=9, adjust=False, min_periods=9).mean()
    expected = pandas_events(pandas_cross(macd, signal, "above"))
    got = events_of(close, LineCross(MACD(12, 26), MACDSignal(12, 26, 9), "above"))
    assert len(got) > 200 and got.equals(expected)


@pytest.mark.parametrize(("level", "cross"), [(30.0, "below"), (70.0, "above")])
def test_rsi_threshold_matches_pandas(close, level, cross) -> None:
    expected = pandas_events(pandas_cross(pandas_rsi(close, 14), level, cross))
    got = events_of(close, Threshold(RSI(14), level, cross))
    assert len(got) > 20 and got.equals(expected)


def test_threshold_fires_on_the_day_after_the_other_side(close) -> None:
    study = run_event_study(close, EventRules(source=Threshold(RSI(14), 30, "below"), start=START))
    rsi = pandas_rsi(close, 14)
    for pos in study.table["event_pos"]:
        assert rsi.iloc[pos - 1] >= 30 > rsi.iloc[pos]
    np.testing.assert_allclose(study.table["rsi_14"], rsi.iloc[study.table["event_pos"]].to_numpy(), rtol=1e-9)


@pytest.mark.parametrize(
    ("line", "reference", "level", "cross"),
    [
        (RateOfChange(21), lambda c: c / c.shift(21) - 1, -0.10, "below"),
        (ZScore(50), lambda c: (c - c.rolling(50).mean()) / c.rolling(50).std(), 2.0, "above"),
        (Drawdown(), lambda c: c / c.cummax() - 1, -0.20, "below"),
    ],
    ids=["roc", "zscore", "drawdown"],
)
def test_indicator_thresholds_match_pandas(close, line, reference, level, cross) -> None:
    expected = pandas_events(pandas_cross(reference(close), level, cross))
    got = events_of(close, Threshold(line, level, cross))
    assert len(got) >= 5 and got.equals(expected)


@pytest.mark.parametrize("n", [63, 252])
def test_new_high_and_new_low_match_pandas(close, n) -> None:
    prior = close.shift(1)
    assert events_of(close, NewHigh(n)).equals(pandas_events(close > prior.rolling(n).max()))
    assert events_of(close, NewLow(n)).equals(pandas_events(close < prior.rolling(n).min()))


def test_vix_level_and_yield_change_match_pandas(close, real_data_dir) -> None:
    # the real VIX and 10-year yield beside the real Russell 2000 (the fixture's are synthetic)
    vix = load_series("VIX", data_dir=real_data_dir).close
    tnx = load_series("TNX", data_dir=real_data_dir).close
    expected = pandas_events(pandas_cross(as_of(vix, close.index), 30.0, "above"))
    got = events_of(close, Threshold(SeriesLevel(vix, "VIX"), 30, "above"))
    assert len(got) > 10 and got.equals(expected)
    change = as_of(tnx - tnx.shift(63), close.index)
    expected = pandas_events(pandas_cross(change, -0.5, "below"))
    got = events_of(close, Threshold(SeriesChange(tnx, "TNX", window=63), -0.5, "below"))
    assert len(got) > 5 and got.equals(expected)


def test_ratio_crossing_one_matches_pandas(close, real_data_dir) -> None:
    spy = load_series("SPY", data_dir=real_data_dir).close
    ratio = close / as_of(spy, close.index)
    rebased = Ratio(spy * float(close.loc["2000-01-03"] / spy.loc["2000-01-03"]), "SPY")
    expected = pandas_events(pandas_cross(close / as_of(rebased.series, close.index), 1.0, "above"))
    got = events_of(close, LineCross(rebased, Constant(1.0), "above"))
    assert ratio.notna().sum() > 1000 and len(got) > 10 and got.equals(expected)


def test_date_list_maps_to_next_trading_day_and_reports_dropped_dates(close) -> None:
    dates = ["2008-12-16", "2020-03-15", "1950-01-03", "2099-12-31", "2001-09-11"]
    source = DateList(dates, label="fomc")
    index = close.index
    expected = pd.DatetimeIndex(
        sorted({index[index >= pd.Timestamp(d)][0] for d in dates if index[0] <= pd.Timestamp(d) <= index[-1]})
    )
    study = run_event_study(close, source)
    assert pd.DatetimeIndex(study.table["event_date"]).equals(expected)
    mapping = source.mapping(index).set_index("date")["status"]
    assert mapping[pd.Timestamp("2020-03-15")] == "next trading day"
    assert mapping[pd.Timestamp("2001-09-11")] == "next trading day"  # markets closed until 09-17
    assert mapping[pd.Timestamp("2008-12-16")] == "trading day"
    assert mapping[pd.Timestamp("1950-01-03")] == "before the data"
    assert mapping[pd.Timestamp("2099-12-31")] == "after the data"
    notes = " ".join(study.source_notes)
    assert "2020-03-15->2020-03-16" in notes and "1950-01-03" in notes and "2099-12-31" in notes
    assert "Note:" in study.summary()


def test_date_list_from_csv(tmp_path) -> None:
    path = tmp_path / "fomc.csv"
    path.write_text("date,what\n2020-03-15,cut\n2008-12-16,zero\n")
    source = DateList.from_csv(path)
    assert source.dates == (pd.Timestamp("2008-12-16"), pd.Timestamp("2020-03-15")) and source.label == "fomc"
    (tmp_path / "bad.csv").write_text("day\n2020-01-01\n")
    with pytest.raises(ParameterError, match="no 'date' column"):
        DateList.from_csv(tmp_path / "bad.csv")


def test_conditions_on_a_source_match_pandas(close, vix) -> None:
    sma50, sma200 = close.rolling(50).mean(), close.rolling(200).mean()
    golden = pandas_cross(sma50, sma200, "above")
    rsi_ok = pandas_rsi(close, 14) <= 70
    got = events_of(close, All(MACross(), Condition(RSI(14), "<=", 70)))
    assert got.equals(pandas_events(golden & rsi_ok)) and 0 < len(got) < 32
    calm = as_of(vix, close.index) < 20
    got = events_of(close, All(MACross(), Condition(SeriesLevel(vix, "VIX"), "<", 20)))
    assert got.equals(pandas_events(golden & calm))
    either = events_of(close, Any(MACross(), MACross(direction="death")))
    assert either.equals(pandas_events(golden | pandas_cross(sma50, sma200, "below")))


def test_relative_volume_condition_matches_pandas(data_dir) -> None:
    iwm = load_series("IWM", data_dir=data_dir)
    close, volume = iwm.close, iwm.bars["volume"].astype(float)
    volume = volume.where(volume > 0)
    relative = volume / volume.shift(1).rolling(50).mean()
    source = All(
        LineCross(Close(), MovingAverage(50), "above"), Condition(RelativeVolume(volume, "IWM", window=50), ">=", 1.5)
    )
    expected = pandas_events(pandas_cross(close, close.rolling(50).mean(), "above") & (relative >= 1.5), "2001-01-01")
    assert events_of(close, source, "2001-01-01").equals(expected)


# --- timing rules apply to any source --------------------------------------------------------


def test_timing_rules_apply_to_any_source(close) -> None:
    source = Threshold(RSI(14), 30, "below")
    plain = detect(close, EventRules(source=source))
    spaced = detect(close, EventRules(source=source, min_gap=63))
    assert len(spaced.event_pos) < len(plain.event_pos)
    assert (np.diff(spaced.event_pos) > 63).all()
    confirmed = detect(close, EventRules(source=source, confirm=2))
    rsi = pandas_rsi(close, 14).to_numpy()
    for event, trigger in zip(confirmed.event_pos, confirmed.cross_pos):
        assert event == trigger + 2 and (rsi[trigger : event + 1] < 30).all()
    later = detect(close, EventRules(source=source, entry="next_close"))
    np.testing.assert_array_equal(later.entry_pos, np.minimum(plain.event_pos + 1, len(close)))


def test_rules_take_their_source_explicitly() -> None:
    assert EventRules() == EventRules(source=MACross(50, 200, "sma", "golden"))
    assert EventRules(source=MACross(20, 100, direction="death")).source == MACross(20, 100, "sma", "death")
    # the moving-average shorthand is gone: windows are the source's, not the rules'
    untyped: typing.Any = EventRules  # the calls below are the ones the type checker refuses
    with pytest.raises(TypeError):
        untyped(20, 100)
    with pytest.raises(TypeError, match="fast"):
        untyped(fast=20)
    assert not hasattr(EventRules(), "fast")
    rules = EventRules(source=NewHigh(252), min_gap=5)
    assert rules.describe().startswith("close above the highest close of the previous 252 days")
    assert rules.to_dict()["source"] == {"kind": "new_high", "n": 252}
    with pytest.raises(ParameterError, match="a sweep varies a moving-average cross; these rules use 'close above"):
        ma_cross_source(rules, "a sweep")
    assert ma_cross_source(EventRules(), "a sweep") == MACross()
    with pytest.raises(ParameterError, match="event source"):
        EventRules(source="golden")
    assert list(EventRules().to_dict()) == [
        "fast",
        "slow",
        "ma",
        "direction",
        "start",
        "end",
        "confirm",
        "min_gap",
        "entry",
    ]


def test_price_only_says_which_sources_a_path_can_rerun(vix) -> None:
    assert MACross().price_only and NewHigh(5).price_only and Threshold(ZScore(5), 1, "above").price_only
    assert All(MACross(), Condition(RSI(), "<=", 70)).price_only
    assert not DateList(["2020-01-02"]).price_only
    assert not Threshold(SeriesLevel(vix, "VIX"), 30, "above").price_only
    assert not All(MACross(), Condition(SeriesLevel(vix, "VIX"), "<", 20)).price_only
    with pytest.raises(ParameterError, match="resampled path"):
        DateList(["2020-01-02"]).signal_on_path(np.ones(10))


# --- no look-ahead: truncation invariance for every source ------------------------------------


def walk(n: int, seed: int, start: str = "1990-01-01", freq: str = "B") -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(0.0002, 0.012, n))), index=pd.date_range(start, periods=n, freq=freq)
    )


def other_series(seed: int) -> pd.Series:
    # another calendar: calendar days, some missing, so the as-of reading matters
    series = walk(2200, seed + 100, start="1989-12-20", freq="D") / 5.0
    return series.drop(series.index[::7])


def sources_for(seed: int) -> list[EventSource]:
    other = other_series(seed)
    volume = pd.Series(np.random.default_rng(seed).uniform(1e5, 3e5, 1600), index=walk(1600, 0).index)
    return [
        MACross(10, 40),
        MACross(5, 30, "ema", "death"),
        LineCross(Close(), MovingAverage(30), "above"),
        LineCross(MACD(5, 15), MACDSignal(5, 15, 4), "below"),
        Threshold(RSI(14), 40, "below"),
        Threshold(RateOfChange(10), 0.0, "above"),
        Threshold(ZScore(20), 1.0, "above"),
        Threshold(Drawdown(), -0.05, "below"),
        NewHigh(20),
        NewLow(20),
        DateList(list(pd.date_range("1990-03-01", periods=40, freq="17D")), "every 17 days"),
        Threshold(SeriesLevel(other, "other"), float(other.median()), "above"),
        Threshold(SeriesChange(other, "other", window=10), 0.0, "below"),
        LineCross(Ratio(other * 5.0, "other"), Constant(1.0), "above"),
        All(MACross(10, 40), Condition(RSI(14), "<=", 70), Condition(SeriesLevel(other, "other"), ">", 0.0)),
        All(Threshold(RSI(10), 50, "above"), Condition(RelativeVolume(volume, "volume", window=20), ">=", 1.0)),
        Any(NewHigh(50), NewLow(50)),
    ]


def cut_inputs(source: object, cut: pd.Timestamp) -> object:
    """Rebuild ``source`` with every other series truncated at ``cut``."""
    import dataclasses

    if isinstance(source, SeriesLevel):
        return dataclasses.replace(source, series=source.series.loc[:cut])
    if isinstance(source, Condition):
        return Condition(cut_inputs(source.line, cut), source.operator, source.level)
    if isinstance(source, Threshold):
        return Threshold(cut_inputs(source.a, cut), source.level, source.direction)
    if isinstance(source, LineCross):
        return LineCross(cut_inputs(source.a, cut), cut_inputs(source.b, cut), source.direction)
    if isinstance(source, All):
        return All(*(cut_inputs(p, cut) for p in source.parts))
    if isinstance(source, Any):
        return Any(*(cut_inputs(p, cut) for p in source.parts))
    return source


def assert_same_prefix(full, short, k: int) -> None:
    np.testing.assert_array_equal(full.trigger[:k], short.trigger)
    np.testing.assert_array_equal(full.state[:k], short.state)
    assert list(full.values) == list(short.values)
    for name in full.values:
        np.testing.assert_allclose(full.values[name][:k], short.values[name], rtol=1e-12, atol=1e-12, equal_nan=True)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 50), cut=st.floats(0.05, 0.999))
def test_every_source_is_look_ahead_free(seed: int, cut: float) -> None:
    close = walk(1600, seed)
    k = max(2, int(len(close) * cut))
    short_close = close.iloc[:k]
    for source in sources_for(seed):
        full = source.signal(close)
        short = cut_inputs(source, short_close.index[-1]).signal(short_close)
        assert_same_prefix(full, short, k)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 50), cut=st.floats(0.3, 0.999))
def test_events_before_a_cut_do_not_depend_on_later_data(seed: int, cut: float) -> None:
    close = walk(1600, seed)
    k = int(len(close) * cut)
    for source in sources_for(seed):
        rules = EventRules(source=source, confirm=2, min_gap=10)
        full = detect(close, rules).event_pos
        short = detect(close.iloc[:k], EventRules(source=cut_inputs(source, close.index[k - 1]), confirm=2, min_gap=10))
        np.testing.assert_array_equal(full[full < k], short.event_pos)


def test_price_only_sources_give_the_same_signal_on_a_path(russell2000) -> None:
    close = russell2000.close
    values = close.to_numpy()
    for source in sources_for(0):
        if source.price_only:
            on_series, on_path = source.signal(close), source.signal_on_path(values)
            np.testing.assert_array_equal(on_series.trigger, on_path.trigger)
            np.testing.assert_array_equal(on_series.state, on_path.state)


def test_article_filters_as_conditions_keep_exactly_the_filtered_events(russell2000, data_dir) -> None:
    """Each confirmation filter of the article, written as a Condition on the headline cross,
    gives the events ``apply_filter`` keeps (read at the event's close, same as-of rule)."""
    from backtest.events.filters import FilterRule, apply_filter
    from backtest.signals.indicators import mean_relative_strength, relative_volume, rsi, trailing_change

    data = {name: load_series(name, data_dir=data_dir) for name in ("RUT", "SPY", "XLB", "XLI", "XLY", "TNX", "VIX")}
    close = russell2000.close
    rotation = mean_relative_strength({n: data[n].close for n in ("XLB", "XLI", "XLY")}, data["SPY"].close, 63)["mean"]
    volume = data["RUT"].bars["volume"]
    filters = [
        (FilterRule("rsi", "RSI(14)", "<=", 70), rsi(close, 14), RSI(14)),
        (
            FilterRule("volume", "relative volume", ">", 1.0),
            relative_volume(volume, 50, min_valid=45),
            RelativeVolume(volume, "RUT volume", window=50, min_valid=45),
        ),
        (FilterRule("rotation", "sector strength", ">", 0.0), rotation, SeriesLevel(rotation, "rotation")),
        (
            FilterRule("rates", "yield change", "<=", 0.0),
            trailing_change(data["TNX"].close, 63),
            SeriesChange(data["TNX"].close, "TNX", window=63),
        ),
        (FilterRule("vix", "VIX", "<", 20), data["VIX"].close, SeriesLevel(data["VIX"].close, "VIX")),
    ]
    headline = run_event_study(close, EventRules(source=MACross(), start=START))
    assert headline.n_events == 32
    for rule, indicator, line in filters:
        split = apply_filter(headline, rule, indicator)
        kept = pd.DatetimeIndex(headline.table.loc[split.kept, "event_date"])
        got = events_of(close, All(MACross(), Condition.from_filter(rule, line)))
        assert got.equals(kept), rule.name
        assert 0 < len(got) < 32
