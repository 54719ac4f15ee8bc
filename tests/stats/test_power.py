"""Simulated power (``backtest.stats.power``): agreement with a brute-force simulation through
the public pipeline, the formula MDE where its assumptions hold, determinism, size at zero
drift, and the refusals of bad input; the same bytes as the plain per-path numpy pipeline
(``_reference_evaluate_path``) on synthetic and real claims, and each per-path kernel
against its readable twin."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from backtest.errors import InsufficientDataError, ParameterError
from backtest.events import (
    DEFAULT_HORIZONS,
    RSI,
    DateList,
    EventRules,
    MACross,
    Threshold,
    calendar_month_horizons,
    run_event_study,
    trading_day_horizons,
)
from backtest.events.rules import horizon_offsets
from backtest.events.study import detection_bounds, select_events
from backtest.stats import nb as stats_nb
from backtest.stats import power as power_module
from backtest.stats.analysis import analyze_events
from backtest.stats.baseline import eligible_days, unconditional_baseline
from backtest.stats.bootstrap import return_pool
from backtest.stats.calendar import year_paired_test
from backtest.stats.joint import joint_shift_test, study_joint_shift_test
from backtest.stats.power import (
    PathSample,
    SimulatedPower,
    formula_drift_mde,
    joint_shift_primary,
    simulated_detectable_effect,
    year_paired_primary,
)
from backtest.stats.verdict import MIN_EVENTS

SELL_IN_MAY = Path(__file__).resolve().parents[2] / "studies" / "claims" / "sell_in_may.csv"


def _gbm_close(n_days: int, seed: int, drift: float = 0.0003, vol: float = 0.01) -> pd.Series:
    """A geometric random walk on business days: i.i.d. normal log returns."""
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("1990-01-01", periods=n_days)
    log_price = np.concatenate([[0.0], np.cumsum(rng.normal(drift, vol, n_days - 1))])
    return pd.Series(100.0 * np.exp(log_price), index=index, name="gbm")


def _spaced_dates(close: pd.Series, first: int, every: int) -> DateList:
    return DateList(tuple(close.index[first : len(close) - 300 : every]), label="spaced")


@pytest.fixture(scope="module")
def cross_study():
    """SMA 10/50 golden crosses on a 1,500-day random walk, measured at 21 and 42 days."""
    close = _gbm_close(1_500, seed=11)
    rules = EventRules(source=MACross(10, 50), start=close.index[60])
    return run_event_study(close, rules, trading_day_horizons((21, 42)))


def _brute_force_rejections(study, result: SimulatedPower, drift: float) -> tuple[np.ndarray, np.ndarray]:
    """Each path built as a pandas Series, the events found by ``run_event_study`` on the
    null path, the drift planted day by day after them, the events found again on the drifted
    path and its primary test run as ``analyze_events`` runs it (eligible days, baseline,
    ``study_joint_shift_test``; on the last path ``analyze_events`` itself must agree); the
    paths are the result's own stationary-bootstrap draws (its declared seed, block and
    pool). Returns (rejected, events) per path."""
    close, rules, horizons = study.close, study.rules, study.horizons
    lo, hi = return_pool(close, rules)
    pool = np.diff(np.log(close.to_numpy()))[lo : hi + 1]
    judged = list(result.horizons)
    rejected, counts = [], []
    for b in range(result.n_paths):
        indices = stats_nb.stationary_bootstrap_draw_nb(
            len(close) - 1, len(pool), result.mean_block, result.path_seed, b
        )
        returns = pool[indices]

        def series(log_returns: np.ndarray) -> pd.Series:
            return pd.Series(close.iloc[0] * np.exp(np.concatenate([[0.0], np.cumsum(log_returns)])), index=close.index)

        null_events = run_event_study(series(returns), rules, horizons).table["entry_pos"].to_numpy()
        drifted = returns.copy()
        planted = set()
        for entry in null_events:
            for day in range(entry, min(entry + result.drift_days, len(returns))):
                planted.add(day)
        for day in planted:
            drifted[day] += math.log1p(drift) / result.drift_days
        path_study = run_event_study(series(drifted), rules, horizons)
        counts.append(path_study.n_events)
        # a claim with fewer than MIN_EVENTS complete windows at a judged horizon is not testable
        testable = all(len(path_study.complete(label)) >= MIN_EVENTS for label in judged)
        if not testable:
            rejected.append(False)
            continue
        eligible = eligible_days(path_study)
        primary = study_joint_shift_test(path_study, eligible, unconditional_baseline(path_study, eligible), judged)
        rejected.append(bool(primary.pvalue < result.alpha))
    statistics = analyze_events(path_study, n_draws=10, n_paths=0, claim_horizons=judged)
    assert statistics.primary.pvalue == primary.pvalue
    return np.array(rejected), np.array(counts)


def test_agrees_with_brute_force_simulation(cross_study) -> None:
    """The fast path (one log-return array per path, events re-detected by the timing kernel,
    baseline and shift null from arrays) against the public pipeline run path by path: the
    power at each drift agrees within Monte Carlo error, and path by path nearly always."""
    drifts = (0.0, 0.04, 0.10)
    result = simulated_detectable_effect(
        cross_study, claim="gains", n_paths=30, drifts=drifts, bisection_steps=0, seed=3
    )
    assert result.drifts == drifts
    assert result.events == "re-detected on every path"
    for j, drift in enumerate(drifts):
        rejected, counts = _brute_force_rejections(cross_study, result, drift)
        power = rejected.mean()
        se = math.sqrt(max(power * (1 - power), 0.25 * 0.75) / result.n_paths)
        assert abs(result.power[j] - power) <= 2 * se, (drift, result.power[j], power)
        assert np.mean(result.rejections[:, j] == rejected) >= 0.95
        assert result.mean_events[j] == pytest.approx(counts.mean())
    assert result.power[-1] > result.power[0]


def test_formula_holds_without_leakage() -> None:
    """Exogenous, well-separated events on i.i.d. returns, one horizon: the drift leaks into
    little of the baseline (events cover ~4% of the days) and into few shifted sets, and the
    events cannot move, so the simulated 80% drift is close to the formula MDE."""
    close = _gbm_close(8_000, seed=21)
    source = _spaced_dates(close, 300, 400)
    study = run_event_study(close, EventRules(source=source), trading_day_horizons((21,)))
    result = simulated_detectable_effect(study, n_paths=300, seed=5)
    assert result.events == "at the study's dates"
    assert result.formula_mde is not None
    assert result.formula_mde == pytest.approx(result.formula_mde_by_horizon["21d"])
    assert abs(result.detectable_drift - result.formula_mde) <= max(
        0.15 * result.formula_mde, 3 * result.detectable_drift_se
    )


def test_real_russell2000_cross_needs_more_than_the_formula(russell2000) -> None:
    """The headline rule on the real Russell 2000: a drift after each cross leaks into the
    baseline and changes the crosses, so the simulated 80% drift is well above the formula
    MDE (headline run, 200 paths: +7.8% against +5.1%)."""
    rules = EventRules(source=MACross(50, 200), start="1985-01-01")
    study = run_event_study(russell2000, rules, tuple(h for h in DEFAULT_HORIZONS if h.label != "1m"))
    result = simulated_detectable_effect(study, n_paths=100, seed=2)
    assert result.formula_mde == pytest.approx(0.0514, abs=0.001)  # the committed report's MDEs, harmonic mean
    assert result.formula_mde_by_horizon["3m"] == pytest.approx(0.0369, abs=0.0005)
    assert result.detectable_drift > result.formula_mde + 3 * result.detectable_drift_se
    assert 0.06 <= result.detectable_drift <= 0.10
    assert result.bracket[0] <= result.detectable_drift <= result.bracket[1]


def test_same_seed_same_bytes_and_losses_are_negative() -> None:
    close = _gbm_close(2_000, seed=8)
    study = run_event_study(close, EventRules(source=_spaced_dates(close, 250, 120)), trading_day_horizons((21, 63)))
    first = simulated_detectable_effect(study, claim="losses", n_paths=30, seed=9)
    second = simulated_detectable_effect(study, claim="losses", n_paths=30, seed=9)
    other = simulated_detectable_effect(study, claim="losses", n_paths=30, seed=10)
    text = json.dumps(first.to_dict(), sort_keys=True, allow_nan=False)
    assert text == json.dumps(second.to_dict(), sort_keys=True, allow_nan=False)
    assert text != json.dumps(other.to_dict(), sort_keys=True, allow_nan=False)
    assert all(d <= 0 for d in first.drifts) and first.detectable_drift < 0 and first.formula_mde < 0
    assert list(first.to_frame().columns) == [
        "drift",
        "power",
        "mc_standard_error",
        "mean_events",
        "share_untestable",
        "n_paths",
    ]
    assert "power at a drift of -" in first.summary()


def test_power_at_zero_drift_is_the_size() -> None:
    """No drift: the rejection rate is the primary test's size on the bootstrap paths of a
    random walk (dates that carry nothing), within the binomial 99% band of alpha, and no
    note is raised."""
    close = _gbm_close(4_000, seed=31)
    study = run_event_study(close, EventRules(source=_spaced_dates(close, 200, 90)), trading_day_horizons((21, 42)))
    result = simulated_detectable_effect(study, n_paths=400, drifts=(0.0,), bisection_steps=0, seed=4)
    low, high = scipy.stats.binom.ppf([0.005, 0.995], result.n_paths, 0.05) / result.n_paths
    assert low <= result.size <= high
    assert not any("zero drift" in note for note in result.notes)
    assert result.mc_standard_error[0] == pytest.approx(math.sqrt(result.size * (1 - result.size) / 400))
    assert math.isnan(result.detectable_drift)  # 80% not reached on a grid of zero alone


def test_a_size_away_from_alpha_is_noted() -> None:
    close = _gbm_close(1_200, seed=2)
    study = run_event_study(close, EventRules(source=_spaced_dates(close, 100, 150)), trading_day_horizons((21,)))
    result = simulated_detectable_effect(study, primary_test=lambda s: 0.0, n_paths=50, drifts=(0.0,))
    assert any("at zero drift the test rejects 100.0% of the paths" in note for note in result.notes)
    assert "note: at zero drift" in result.summary()


def test_custom_primary_test() -> None:
    """Any callable on a PathSample is the primary test; no formula is shown beside it."""
    close = _gbm_close(1_200, seed=2)
    study = run_event_study(close, EventRules(source=_spaced_dates(close, 100, 150)), trading_day_horizons((21,)))
    seen: list[PathSample] = []

    def always(sample: PathSample) -> float:
        seen.append(sample)
        return 0.0

    result = simulated_detectable_effect(study, primary_test=always, n_paths=5, drifts=(0.0, 0.05))
    assert result.formula_mde is None and result.primary_test == "always"
    assert result.power == (1.0, 1.0) and result.detectable_drift == 0.0
    sample = seen[0]
    assert isinstance(sample.as_series(), pd.Series) and len(sample.close) == len(close)
    # six events: fewer than MIN_EVENTS complete windows, so the default test cannot run there
    assert study.n_events < MIN_EVENTS and math.isnan(joint_shift_primary(sample))

    never = simulated_detectable_effect(study, primary_test=lambda s: float("nan"), n_paths=5, drifts=(0.0, 0.05))
    assert never.share_untestable == (1.0, 1.0) and never.power == (0.0, 0.0)
    assert math.isnan(never.detectable_drift) and never.to_dict()["detectable_drift"] is None
    json.dumps(never.to_dict(), allow_nan=False)


def test_a_filtered_subset_keeps_its_dates(cross_study) -> None:
    """A subset of a price-path rule's events cannot be re-detected (the filter is not the
    source): the events keep the study's dates, and the result says so."""
    subset = cross_study.subset(np.arange(cross_study.n_events) % 2 == 0)
    result = simulated_detectable_effect(subset, n_paths=10, drifts=(0.0, 0.05), bisection_steps=0)
    assert result.events == "at the study's dates"
    assert set(result.mean_events) == {float(subset.n_events)}
    assert any("filtered subset" in note for note in result.notes)


def test_exported_from_the_stats_package() -> None:
    import backtest.stats

    assert backtest.stats.simulated_detectable_effect is simulated_detectable_effect
    assert backtest.stats.SimulatedPower is SimulatedPower and backtest.stats.PathSample is PathSample


def test_formula_drift_mde_is_the_harmonic_mean() -> None:
    assert formula_drift_mde([0.02, 0.04]) == pytest.approx(2 / (1 / 0.02 + 1 / 0.04))
    assert math.isnan(formula_drift_mde([]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_paths": 0}, "n_paths"),
        ({"claim": "up"}, "claim"),
        ({"claim_horizons": ("5y",)}, "claim_horizons"),
        ({"drifts": (-0.1,)}, "drifts"),
        ({"drifts": ()}, "drifts"),
        ({"claim": "losses", "drifts": (0.95,)}, "drifts"),
        ({"formula_mde": "formula"}, "formula_mde"),
        ({"target_power": 1.0}, "target_power"),
        ({"alpha": 0.7}, "alpha"),
        ({"primary_test": 3}, "primary_test"),
        ({"mean_block": 0.5}, "mean_block"),
        ({"seed": -1}, "seed"),
    ],
)
def test_rejects_bad_parameters(kwargs, match) -> None:
    close = _gbm_close(600, seed=1)
    study = run_event_study(close, EventRules(source=_spaced_dates(close, 50, 100)), trading_day_horizons((21,)))
    with pytest.raises(ParameterError, match=match):
        simulated_detectable_effect(study, **kwargs)


def test_refuses_a_study_without_events() -> None:
    close = _gbm_close(600, seed=1)
    study = run_event_study(close, EventRules(source=MACross(10, 50), start="2100-01-01"), trading_day_horizons((21,)))
    with pytest.raises(InsufficientDataError, match="no event"):
        simulated_detectable_effect(study)
    with pytest.raises(ParameterError, match="EventStudy"):
        simulated_detectable_effect(close)  # type: ignore[arg-type]


# ---- the per-path pipeline as it was computed in plain numpy: the twins of the kernels and the
# ---- reference of the whole simulation (same paths, same events, same decisions)


def forward_returns_twin(close: np.ndarray, offsets: np.ndarray, first: int, last: int, entry_lag: int) -> np.ndarray:
    """(days x horizons) forward returns of the sample window's days in numpy: the twin of
    ``stats.nb.path_forward_returns_nb`` (offsets: days x horizons, ``horizon_offsets``)."""
    n = len(close)
    entries = np.arange(first, last + 1, dtype=np.int64) + entry_lag
    inside = entries < n
    lengths = np.where(inside[:, None], offsets[np.minimum(entries, n - 1)], -1)
    ends = entries[:, None] + lengths
    complete = inside[:, None] & (lengths >= 0) & (ends < n)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = close[np.clip(ends, 0, n - 1)] / close[np.minimum(entries, n - 1)][:, None] - 1.0
    return np.where(complete, values, np.nan)


def drifted_log_path_twin(
    returns: np.ndarray, first_log: float, drift_events: np.ndarray, entry_lag: int, drift_days: int, step: float
) -> np.ndarray:
    """Log closes with the drift planted, in numpy: a mask of the drift_days after each entry
    (a day in two windows once), ``returns + mask * step``, ``np.cumsum``. The twin of
    ``stats.nb.drifted_log_path_nb``."""
    if len(drift_events):
        mask = np.zeros(len(returns), dtype=bool)
        for entry in np.asarray(drift_events) + entry_lag:
            if entry < len(returns):
                mask[entry : entry + drift_days] = True
        returns = returns + mask * step
    return first_log + np.concatenate(([0.0], np.cumsum(returns)))


def joint_shift_pvalue_twin(forward_returns: np.ndarray, event_rows: np.ndarray, alternative: str) -> float:
    """``joint_shift_test``'s p-value with the complete windows' np.mean and np.std(ddof=1)
    as baseline, NaN below MIN_EVENTS complete event windows at a horizon: the twin of
    ``stats.nb.joint_shift_pvalue_nb`` (forward_returns: days x horizons)."""
    fwd = np.ascontiguousarray(forward_returns)
    rows = np.asarray(event_rows, dtype=np.int64)
    rows = rows[(rows >= 0) & (rows < len(fwd))]
    if len(rows) == 0 or np.isfinite(fwd[rows]).sum(axis=0).min() < MIN_EVENTS:
        return float("nan")
    complete = [column[np.isfinite(column)] for column in fwd.T]
    labels = tuple(f"h{j}" for j in range(fwd.shape[1]))
    test = joint_shift_test(
        fwd,
        rows,
        [float(np.mean(values)) for values in complete],
        [float(np.std(values, ddof=1)) for values in complete],
        labels,
        alternative=alternative,
    )
    return float(test.pvalue)


def year_paired_pvalue_twin(sample: PathSample) -> float:
    """``year_paired_test``'s p-value on the path (NaN below MIN_EVENTS paired years): the
    twin of ``year_paired_primary``."""
    entries = np.asarray(sample.event_pos, dtype=np.int64) + sample.rules.entry_lag
    entries = entries[entries < len(sample.close)]
    windows = sample.offsets[entries, 0] if len(entries) else np.empty(0, dtype=np.int64)
    complete = (windows > 0) & (entries + windows < len(sample.close))
    entries, windows = entries[complete], windows[complete]
    if len(entries) < 2:
        return float("nan")
    test = year_paired_test(sample.close, entries, windows, alternative=sample.alternative, alpha=sample.alpha)
    return float(test.pvalue) if test.n >= MIN_EVENTS else float("nan")


def _reference_evaluate_path(sim, b: int, magnitudes, out) -> None:
    """``_Simulation.evaluate_path`` as the simulation computed it path by path in numpy: the
    null returns, the drift mask and ``np.cumsum``, ``select_events`` on the source's signal,
    the forward returns of ``forward_returns_twin`` and ``joint_shift_test`` (or
    ``year_paired_test``) on them, one drift at a time."""
    rules, index = sim.study.rules, sim.study.close.index

    def events_on(close: np.ndarray) -> np.ndarray:
        if not sim.redetect:
            return sim.fixed_events
        return select_events(rules.source.signal_on_path(close), index, rules)[0]

    def closes(magnitude: float) -> np.ndarray:
        returns = sim.null_returns(b)
        if magnitude:
            delta = magnitude if sim.alternative == "greater" else -magnitude
            mask = np.zeros(sim.n_returns, dtype=bool)
            for entry in sim.drift_starts[b] + rules.entry_lag:
                if entry < sim.n_returns:
                    mask[entry : entry + sim.drift_days] = True
            returns = returns + mask * (math.log1p(delta) / sim.drift_days)
        return np.exp(sim.first_log + np.concatenate(([0.0], np.cumsum(returns))))

    if sim.drift_starts[b] is None:
        sim.drift_starts[b] = events_on(closes(0.0))
    for magnitude in magnitudes:
        close = closes(magnitude)
        events = events_on(close)
        sample = PathSample(
            close=close,
            index=index,
            event_pos=events,
            rules=rules,
            horizons=sim.horizons,
            offsets=np.ascontiguousarray(sim.offsets),
            alternative=sim.alternative,
            alpha=sim.alpha,
        )
        if sim.primary is joint_shift_primary:
            first, last = detection_bounds(index, rules)
            fwd = forward_returns_twin(close, sample.offsets, first, last, rules.entry_lag)
            pvalue = joint_shift_pvalue_twin(fwd, events - first, sim.alternative)
        elif sim.primary is year_paired_primary:
            pvalue = year_paired_pvalue_twin(sample)
        else:
            pvalue = float(sim.primary(sample))
        out[magnitude][b] = (pvalue < sim.alpha, len(events), not math.isfinite(pvalue))


def _same_as_reference(monkeypatch, study, **kwargs) -> SimulatedPower:
    """The simulation, then the same one through ``_reference_evaluate_path``: the same bytes
    of ``to_dict`` and the same decisions on every path and drift."""
    fast = simulated_detectable_effect(study, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(power_module._Simulation, "evaluate_path", _reference_evaluate_path)
        reference = simulated_detectable_effect(study, **kwargs)
    assert json.dumps(fast.to_dict(), sort_keys=True, allow_nan=False) == json.dumps(
        reference.to_dict(), sort_keys=True, allow_nan=False
    )
    np.testing.assert_array_equal(fast.rejections, reference.rejections)
    return fast


@pytest.mark.parametrize("claim", ["gains", "losses"])
def test_same_bytes_as_the_numpy_pipeline_on_synthetic_claims(cross_study, monkeypatch, claim) -> None:
    """A re-detected MA cross (both directions), exogenous dates and a filtered subset: the
    kernels give the decisions of the per-path numpy pipeline, so the same result."""
    _same_as_reference(monkeypatch, cross_study, claim=claim, n_paths=24, seed=7)
    close = _gbm_close(2_500, seed=8)
    dates = run_event_study(close, EventRules(source=_spaced_dates(close, 250, 60)), trading_day_horizons((21, 63)))
    _same_as_reference(monkeypatch, dates, claim=claim, n_paths=24, seed=7)
    subset = cross_study.subset(np.arange(cross_study.n_events) % 2 == 0)
    _same_as_reference(monkeypatch, subset, claim=claim, n_paths=12, drifts=(0.0, 0.05), seed=7)


def test_same_bytes_as_the_numpy_pipeline_on_the_headline(russell2000, monkeypatch) -> None:
    """The headline claim (SMA 50/200 golden crosses since 1985, judged at 3 to 12 months)."""
    rules = EventRules(source=MACross(50, 200), start="1985-01-01")
    study = run_event_study(russell2000, rules, tuple(h for h in DEFAULT_HORIZONS if h.label != "1m"))
    result = _same_as_reference(monkeypatch, study, n_paths=40, seed=19850101)
    assert result.events == "re-detected on every path"


def test_same_bytes_as_the_numpy_pipeline_on_an_rsi_threshold(russell2000, monkeypatch) -> None:
    """The gallery's oversold claim: the 14-day RSI crossing below 30 since 1990, 1m and 3m."""
    rules = EventRules(source=Threshold(RSI(14), 30, "below"), start="1990-01-01")
    study = run_event_study(russell2000, rules, trading_day_horizons((21, 63)))
    _same_as_reference(monkeypatch, study, n_paths=40, seed=19850101)


def test_same_bytes_as_the_numpy_pipeline_on_sell_in_may(real_data_dir, monkeypatch) -> None:
    """The gallery's Sell in May on SPY: May dates kept on every path, the year-level paired
    test (``year_paired_primary``) as the primary test, a losses claim."""
    from backtest.data import load_series

    close = load_series("SPY", data_dir=real_data_dir).close
    dates = DateList(tuple(pd.to_datetime(pd.read_csv(SELL_IN_MAY)["date"])), label="sell in May")
    study = run_event_study(close, EventRules(source=dates), trading_day_horizons((126,)))
    result = _same_as_reference(
        monkeypatch, study, claim="losses", primary_test=year_paired_primary, n_paths=60, seed=19850101
    )
    assert result.events == "at the study's dates" and result.detectable_drift < 0


def _random_path_sample(seed: int, n_days: int, horizons: tuple[int, ...], n_events: int) -> PathSample:
    close = _gbm_close(n_days, seed=seed, vol=0.02)
    rules = EventRules(source=MACross(5, 20), start=close.index[30], entry="next_close")
    rng = np.random.default_rng(seed)
    events = np.sort(rng.choice(np.arange(30, n_days), n_events, replace=False)).astype(np.int64)
    chosen = trading_day_horizons(horizons)
    return PathSample(
        close=close.to_numpy(),
        index=close.index,
        event_pos=events,
        rules=rules,
        horizons=chosen,
        offsets=horizon_offsets(close.index, np.arange(n_days, dtype=np.int64), chosen),
        alternative="greater" if seed % 2 else "less",
        alpha=0.05,
    )


@pytest.mark.parametrize("seed", range(6))
def test_forward_returns_kernel_matches_its_twin(seed) -> None:
    """Trading-day windows (one length per horizon) and calendar-month ones (each entry its
    own, -1 past the data), with and without an entry lag: the same floats and NaNs."""
    close = _gbm_close(900, seed=seed)
    index = close.index
    horizons = (*trading_day_horizons((5, 21)), *calendar_month_horizons((1, 3)))
    offsets = horizon_offsets(index, np.arange(len(index), dtype=np.int64), horizons)
    offsets[seed * 7, 0] = -1  # a missing window inside a trading-day horizon: the general loop
    for first, last, lag in ((0, 899, 0), (40, 880, 1), (300, 899, 1), (10, 20, 0)):
        kernel = stats_nb.path_forward_returns_nb(close.to_numpy(), np.ascontiguousarray(offsets.T), first, last, lag)
        twin = forward_returns_twin(close.to_numpy(), offsets, first, last, lag)
        np.testing.assert_array_equal(kernel.T, twin)


@pytest.mark.parametrize("step", [0.0004, -0.0009])
def test_drifted_log_path_kernel_matches_its_twin(step) -> None:
    """Overlapping windows, an entry past the end, no events: np.exp of both is the same path."""
    returns = np.random.default_rng(4).normal(0.0003, 0.012, 1_000)
    for events in (np.array([3, 40, 45, 990, 1_200]), np.array([], dtype=np.int64)):
        for lag in (0, 1):
            kernel = stats_nb.drifted_log_path_nb(returns, np.log(1_234.5), events, lag, 21, step)
            twin = drifted_log_path_twin(returns, np.log(1_234.5), events, lag, 21, step)
            np.testing.assert_array_equal(np.exp(kernel), np.exp(twin))


@settings(max_examples=60, deadline=None)
@given(
    n_days=st.integers(12, 2_600),
    n_horizons=st.integers(1, 9),
    n_events=st.integers(1, 60),
    pattern=st.sampled_from(["tail", "tail and holes", "none"]),
    scale=st.sampled_from([0.05, 3.0]),
    sign=st.sampled_from([1.0, -1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_joint_shift_pvalue_kernel_is_the_tests_pvalue(n_days, n_horizons, n_events, pattern, scale, sign, seed):
    """The kernel's p against ``joint_shift_test``'s (numpy baselines), bit for bit, for one
    to nine horizons (from eight, a row's sum is numpy's pairwise one), incomplete windows
    at the end or also inside, large returns (a wide float32 bound), both tails; and with a
    decision level the kernel's answer is p below it, at or above it otherwise."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0.0, scale / 10, (n_days + 40, n_horizons)), axis=0)
    fwd = np.ascontiguousarray(walk[40:] - walk[:-40])  # overlapping sums: neighbouring shifts alike
    if pattern != "none":
        for j in range(n_horizons):
            fwd[n_days - rng.integers(0, max(2, n_days // 5)) :, j] = np.nan
    if pattern == "tail and holes":
        fwd[rng.random(fwd.shape) < 0.02] = np.nan
    rows = np.sort(rng.choice(n_days, min(n_events, n_days), replace=False)).astype(np.int64)
    alternative = "greater" if sign > 0 else "less"
    twin = joint_shift_pvalue_twin(fwd, rows, alternative)
    returns = np.ascontiguousarray(fwd.T)
    kernel = stats_nb.joint_shift_pvalue_nb(returns, rows, sign, MIN_EVENTS, 2.0)
    assert kernel == twin or (math.isnan(kernel) and math.isnan(twin))
    decided = stats_nb.joint_shift_pvalue_nb(returns, rows, sign, MIN_EVENTS, 0.05)
    if math.isfinite(twin):
        assert (decided < 0.05) == (twin < 0.05)
        assert decided == twin if twin < 0.05 else decided >= 0.05


def test_joint_shift_pvalue_kernel_on_exact_ties() -> None:
    """A periodic series with events a whole number of periods apart: many shifted sets hold
    the events' own values, so their statistics tie with the events' and are decided by the
    exact statistic, not the float32 one; the p-value is still the test's."""
    period = 50
    base = np.random.default_rng(2).normal(0.01, 0.1, (period, 3))
    fwd = np.ascontiguousarray(np.tile(base, (40, 1)))
    fwd[-30:, 2] = np.nan
    rows = np.arange(5, 1_900, 4 * period, dtype=np.int64)
    for sign, alternative in ((1.0, "greater"), (-1.0, "less")):
        kernel = stats_nb.joint_shift_pvalue_nb(np.ascontiguousarray(fwd.T), rows, sign, MIN_EVENTS, 2.0)
        assert kernel == joint_shift_pvalue_twin(fwd, rows, alternative)


@pytest.mark.parametrize("seed", range(8))
def test_joint_shift_primary_is_the_pvalue_of_the_twin(seed) -> None:
    """On a PathSample (an entry lag, events past the sample window's end dropped)."""
    sample = _random_path_sample(seed, 1_500, (5, 21, 63), 25 + seed)
    first, last = sample.window
    fwd = forward_returns_twin(sample.close, sample.offsets, first, last, sample.rules.entry_lag)
    np.testing.assert_array_equal(sample.forward_returns, fwd)
    twin = joint_shift_pvalue_twin(fwd, sample.event_pos - first, sample.alternative)
    assert joint_shift_primary(sample) == twin or math.isnan(twin)


@pytest.mark.parametrize("seed", range(12))
def test_year_paired_primary_is_the_pvalue_of_year_paired_test(seed) -> None:
    """One event a year (a few windows reaching the next event, the last one incomplete) and
    too few years: the same float as ``year_paired_test``'s p, or NaN as it."""
    close = _gbm_close(4_000, seed=seed, vol=0.015)
    rng = np.random.default_rng(seed)
    starts = np.arange(10, 3_990, 252) + rng.integers(0, 20, 16)
    events = starts[: 16 if seed % 4 else 9]
    horizons = trading_day_horizons((int(rng.choice([5, 126, 240])),))
    sample = PathSample(
        close=close.to_numpy(),
        index=close.index,
        event_pos=events.astype(np.int64),
        rules=EventRules(source=DateList(tuple(close.index[events]))),
        horizons=horizons,
        offsets=horizon_offsets(close.index, np.arange(len(close), dtype=np.int64), horizons),
        alternative="greater" if seed % 2 else "less",
        alpha=0.05,
    )
    twin = year_paired_pvalue_twin(sample)
    value = year_paired_primary(sample)
    assert value == twin or (math.isnan(value) and math.isnan(twin))


@pytest.mark.parametrize(
    ("ma", "direction", "confirm", "min_gap"),
    [("sma", "golden", 0, 0), ("sma", "death", 3, 0), ("ema", "golden", 0, 40), ("ema", "death", 2, 15)],
)
def test_cross_events_kernel_is_select_events_on_the_source_signal(ma, direction, confirm, min_gap) -> None:
    """The simulation's moving-average cross events (``sma_pair_nb`` or ``ema_nb``, then
    ``cross_events_nb``) are ``select_events`` on ``MACross.signal_on_path``."""
    from backtest.signals import nb as signals_nb
    from backtest.signals.moving_averages import direction_code

    close = _gbm_close(3_000, seed=17, vol=0.015)
    source = MACross(10, 40, ma=ma, direction=direction)
    rules = EventRules(source=source, start=close.index[100], end=close.index[2_800], confirm=confirm, min_gap=min_gap)
    values = close.to_numpy()
    expected = select_events(source.signal_on_path(values), close.index, rules)[0]
    if ma == "sma":
        fast, slow = signals_nb.sma_pair_nb(values, 10, 40)
    else:
        fast, slow = signals_nb.ema_nb(values, 10), signals_nb.ema_nb(values, 40)
    first, last = detection_bounds(close.index, rules)
    events = stats_nb.cross_events_nb(fast, slow, direction_code(direction), first, last, confirm, min_gap)
    assert len(expected) > 10
    np.testing.assert_array_equal(events, expected)


def test_same_bytes_as_the_numpy_pipeline_on_an_ema_death_cross(monkeypatch) -> None:
    """Exponential averages, a death cross confirmed for two days, entry at the next close:
    the other branch of the simulation's moving-average events."""
    close = _gbm_close(2_000, seed=23)
    source = MACross(8, 40, ma="ema", direction="death")
    rules = EventRules(source=source, start=close.index[60], confirm=2, min_gap=10, entry="next_close")
    study = run_event_study(close, rules, trading_day_horizons((21, 42)))
    _same_as_reference(monkeypatch, study, claim="losses", n_paths=20, seed=3)


def test_isotonic_fit_is_scipys() -> None:
    """The power curve's monotone fit is ``scipy.optimize.isotonic_regression``'s, value for
    value, on random curves, rejection shares with ties, and already monotone runs."""
    from scipy.optimize import isotonic_regression

    from backtest.stats.power import isotonic_increasing

    rng = np.random.default_rng(3)
    curves = [rng.normal(size=n) for n in range(1, 30) for _ in range(20)]
    curves += [rng.integers(0, 200, size=n) / 200 for n in range(1, 20) for _ in range(40)]
    curves += [np.array([0.05, 0.04, 0.04, 0.1, 0.3, 0.29, 0.5, 0.8, 0.79, 0.81, 0.95, 1.0, 1.0, 0.99]), np.arange(6.0)]
    for curve in curves:
        np.testing.assert_array_equal(isotonic_increasing(curve), isotonic_regression(curve, increasing=True).x)
    assert isotonic_increasing(np.array([])).size == 0
