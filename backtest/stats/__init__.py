"""Statistics: did gains follow the events (A), and did the events beat random entry dates (B)?

``analyze_events(study)`` runs everything and returns an ``EventStatistics``; the pieces
(baseline, random-entry Monte Carlo, bootstrapped paths, classical tests, Holm, verdicts)
are importable on their own. Kernels shared with ``backtest.sweep`` live in
``backtest.stats.nb`` (``random_entry_null_means_nb``,
``stationary_bootstrap_indices_nb``); sub-seeds come from ``backtest.stats.seed_from``.
"""

from backtest.stats._rng import DEFAULT_SEED, seed_from
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
    DEFAULT_MEAN_BLOCK,
    BootstrapPaths,
    bootstrap_path_tests,
    politis_white_block_length,
    stationary_bootstrap_index_matrix,
    stationary_bootstrap_indices,
)
from backtest.stats.classical import (
    ConfidenceInterval,
    TestResult,
    binomial_hit_test,
    bootstrap_mean_ci,
    hac_mean_test,
    overlap_maxlags,
    wilcoxon_test,
)
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
from backtest.stats.joint import JointShiftTest, joint_shift_test, study_joint_shift_test
from backtest.stats.multiple import holm
from backtest.stats.overlap import OverlapMeanTest, effective_events, overlap_correlation, overlap_mean_test
from backtest.stats.verdict import (
    OUTCOMES,
    VERDICT_RULES,
    Verdict,
    absolute_verdict,
    relative_verdict,
)

__all__ = [
    "BETTER_TAIL",
    "DEFAULT_MEAN_BLOCK",
    "DEFAULT_SEED",
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
    "politis_white_block_length",
    "random_entry_band",
    "random_entry_null_means",
    "random_entry_tests",
    "random_entry_tests_by_horizon",
    "relative_verdict",
    "seed_from",
    "stationary_bootstrap_index_matrix",
    "stationary_bootstrap_indices",
    "study_joint_shift_test",
    "unconditional_baseline",
    "wilcoxon_test",
]
