"""Simulated power (``backtest.stats.power``): agreement with a brute-force simulation through
the public pipeline, the formula MDE where its assumptions hold, determinism, size at zero
drift, and the refusals of bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from backtest.errors import InsufficientDataError, ParameterError
from backtest.events import DEFAULT_HORIZONS, DateList, EventRules, MACross, run_event_study, trading_day_horizons
from backtest.stats import nb as stats_nb
from backtest.stats.analysis import analyze_events
from backtest.stats.baseline import eligible_days, unconditional_baseline
from backtest.stats.bootstrap import return_pool
from backtest.stats.joint import study_joint_shift_test
from backtest.stats.power import (
    PathSample,
    SimulatedPower,
    formula_drift_mde,
    joint_shift_primary,
    simulated_detectable_effect,
)
from backtest.stats.verdict import MIN_EVENTS


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
