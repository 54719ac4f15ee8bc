"""Statistics: did gains follow the events (A), and did the events beat random entry dates (B)?

``analyze_events(study)`` runs everything and returns an ``EventStatistics``; the pieces
(baseline, random-entry Monte Carlo, bootstrapped paths, classical tests, Holm, verdicts)
are importable on their own. Kernels shared with ``backtest.sweep`` live in
``backtest.stats.nb`` (``random_entry_null_means_nb``,
``stationary_bootstrap_indices_nb``); sub-seeds come from ``backtest.stats.seed_from``.

The names below load their submodule on first use (PEP 562), so ``import backtest.stats.nb``
(what ``backtest.sweep`` and every Dask worker need) does not pay for scipy and statsmodels.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_LAZY: dict[str, str] = {
    "BETTER_TAIL": "backtest.stats.montecarlo",
    "PATH_STATISTICS": "backtest.stats.bootstrap",
    "check_seed": "backtest.stats._rng",
    "horizon_block_length": "backtest.defaults",
    "DEFAULT_SEED": "backtest.stats._rng",
    "NULL_STATISTICS": "backtest.stats.montecarlo",
    "OUTCOMES": "backtest.stats.verdict",
    "VARIANTS": "backtest.stats.montecarlo",
    "VERDICT_RULES": "backtest.stats.verdict",
    "Baseline": "backtest.stats.baseline",
    "BootstrapPaths": "backtest.stats.bootstrap",
    "ConfidenceInterval": "backtest.stats.classical",
    "Descriptive": "backtest.stats.baseline",
    "EligibleDays": "backtest.stats.baseline",
    "EventStatistics": "backtest.stats.analysis",
    "HorizonStatistics": "backtest.stats.analysis",
    "JointShiftTest": "backtest.stats.joint",
    "OverlapMeanTest": "backtest.stats.overlap",
    "MonteCarloTest": "backtest.stats.montecarlo",
    "PathBand": "backtest.stats.montecarlo",
    "TestResult": "backtest.stats.classical",
    "Verdict": "backtest.stats.verdict",
    "absolute_verdict": "backtest.stats.verdict",
    "analyze_events": "backtest.stats.analysis",
    "binomial_hit_test": "backtest.stats.classical",
    "bootstrap_mean_ci": "backtest.stats.classical",
    "bootstrap_path_tests": "backtest.stats.bootstrap",
    "describe": "backtest.stats.baseline",
    "effective_events": "backtest.stats.overlap",
    "eligible_days": "backtest.stats.baseline",
    "hac_mean_test": "backtest.stats.classical",
    "holm": "backtest.stats.multiple",
    "joint_shift_test": "backtest.stats.joint",
    "monte_carlo_pvalues": "backtest.stats.montecarlo",
    "overlap_correlation": "backtest.stats.overlap",
    "overlap_maxlags": "backtest.stats.classical",
    "overlap_mean_test": "backtest.stats.overlap",
    "politis_white_block_length": "backtest.stats.bootstrap",
    "pooled_tests": "backtest.stats.pooled",
    "random_entry_band": "backtest.stats.montecarlo",
    "random_entry_null_means": "backtest.stats.montecarlo",
    "random_entry_tests": "backtest.stats.montecarlo",
    "random_entry_tests_by_horizon": "backtest.stats.montecarlo",
    "relative_verdict": "backtest.stats.verdict",
    "RegimeTest": "backtest.stats.regime",
    "regime_test": "backtest.stats.regime",
    "series_regime_test": "backtest.stats.regime",
    "YearPairedTest": "backtest.stats.calendar",
    "is_one_date_a_year": "backtest.stats.calendar",
    "year_paired_test": "backtest.stats.calendar",
    "series_year_paired_test": "backtest.stats.calendar",
    "study_year_paired_test": "backtest.stats.calendar",
    "effective_binomial_test": "backtest.stats.classical",
    "sign_effective_events": "backtest.stats.classical",
    "seed_from": "backtest.stats._rng",
    "PathSample": "backtest.stats.power",
    "SimulatedPower": "backtest.stats.power",
    "simulated_detectable_effect": "backtest.stats.power",
    "stationary_bootstrap_index_matrix": "backtest.stats.bootstrap",
    "stationary_bootstrap_indices": "backtest.stats.bootstrap",
    "study_joint_shift_test": "backtest.stats.joint",
    "unconditional_baseline": "backtest.stats.baseline",
    "wilcoxon_test": "backtest.stats.classical",
}

if TYPE_CHECKING:  # static analysers and IDEs see the eager imports
    from backtest.defaults import horizon_block_length
    from backtest.stats._rng import DEFAULT_SEED, check_seed, seed_from
    from backtest.stats.analysis import EventStatistics, HorizonStatistics, analyze_events
    from backtest.stats.baseline import (
        Baseline,
        Descriptive,
        EligibleDays,
        describe,
        eligible_days,
        unconditional_baseline,
    )
    from backtest.stats.bootstrap import (
        PATH_STATISTICS,
        BootstrapPaths,
        bootstrap_path_tests,
        politis_white_block_length,
        stationary_bootstrap_index_matrix,
        stationary_bootstrap_indices,
    )
    from backtest.stats.calendar import (
        YearPairedTest,
        is_one_date_a_year,
        series_year_paired_test,
        study_year_paired_test,
        year_paired_test,
    )
    from backtest.stats.classical import (
        ConfidenceInterval,
        TestResult,
        binomial_hit_test,
        bootstrap_mean_ci,
        effective_binomial_test,
        hac_mean_test,
        overlap_maxlags,
        sign_effective_events,
        wilcoxon_test,
    )
    from backtest.stats.joint import JointShiftTest, joint_shift_test, study_joint_shift_test
    from backtest.stats.montecarlo import (
        BETTER_TAIL,
        NULL_STATISTICS,
        VARIANTS,
        MonteCarloTest,
        PathBand,
        monte_carlo_pvalues,
        random_entry_band,
        random_entry_null_means,
        random_entry_tests,
        random_entry_tests_by_horizon,
    )
    from backtest.stats.multiple import holm
    from backtest.stats.overlap import OverlapMeanTest, effective_events, overlap_correlation, overlap_mean_test
    from backtest.stats.power import PathSample, SimulatedPower, simulated_detectable_effect
    from backtest.stats.regime import RegimeTest, regime_test, series_regime_test
    from backtest.stats.verdict import OUTCOMES, VERDICT_RULES, Verdict, absolute_verdict, relative_verdict

__all__ = [
    "BETTER_TAIL",
    "PATH_STATISTICS",
    "DEFAULT_SEED",
    "check_seed",
    "NULL_STATISTICS",
    "OUTCOMES",
    "VARIANTS",
    "VERDICT_RULES",
    "Baseline",
    "BootstrapPaths",
    "ConfidenceInterval",
    "Descriptive",
    "EligibleDays",
    "EventStatistics",
    "HorizonStatistics",
    "JointShiftTest",
    "OverlapMeanTest",
    "MonteCarloTest",
    "PathBand",
    "TestResult",
    "Verdict",
    "absolute_verdict",
    "analyze_events",
    "binomial_hit_test",
    "bootstrap_mean_ci",
    "bootstrap_path_tests",
    "describe",
    "effective_events",
    "eligible_days",
    "hac_mean_test",
    "holm",
    "joint_shift_test",
    "monte_carlo_pvalues",
    "overlap_correlation",
    "overlap_maxlags",
    "overlap_mean_test",
    "horizon_block_length",
    "politis_white_block_length",
    "random_entry_band",
    "random_entry_null_means",
    "random_entry_tests",
    "random_entry_tests_by_horizon",
    "relative_verdict",
    "RegimeTest",
    "regime_test",
    "series_regime_test",
    "YearPairedTest",
    "is_one_date_a_year",
    "year_paired_test",
    "series_year_paired_test",
    "study_year_paired_test",
    "effective_binomial_test",
    "sign_effective_events",
    "seed_from",
    "PathSample",
    "SimulatedPower",
    "simulated_detectable_effect",
    "stationary_bootstrap_index_matrix",
    "stationary_bootstrap_indices",
    "study_joint_shift_test",
    "unconditional_baseline",
    "wilcoxon_test",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
