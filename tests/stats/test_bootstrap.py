"""Stationary bootstrap: our indices against arch's in distribution; the bootstrapped-path
null end to end; the mean-block choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from arch.bootstrap import StationaryBootstrap, optimal_block_length

from backtest.errors import ParameterError
from backtest.events import EventRules, Horizon, MACross, run_event_study
from backtest.stats import bootstrap_path_tests, stationary_bootstrap_index_matrix, stationary_bootstrap_indices
from backtest.stats.bootstrap import (
    horizon_block_length,
    log_returns,
    politis_white_block_length,
    resolve_mean_block,
    return_pool,
)

N_OBS = 1500
MEAN_BLOCK = 12.0
REPLICATIONS = 400


def walk(n: int, seed: int, drift: float = 0.0003, sigma: float = 0.012) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(drift, sigma, n))), index=pd.bdate_range("1980-01-01", periods=n)
    )


def blocks(indices: np.ndarray, n_obs: int) -> tuple[np.ndarray, np.ndarray]:
    """(block starts, complete block lengths) of one replication; wrapping from n_obs - 1
    to 0 continues a block, as in arch. The last block is cut by the sample end: dropped."""
    step = np.diff(indices)
    new_block = (step != 1) & (step != -(n_obs - 1))
    starts_at = np.concatenate([[0], np.flatnonzero(new_block) + 1])
    lengths = np.diff(starts_at)
    return indices[starts_at], lengths


@pytest.fixture(scope="module")
def ours() -> np.ndarray:
    return stationary_bootstrap_index_matrix(N_OBS, MEAN_BLOCK, 2024, REPLICATIONS)


@pytest.fixture(scope="module")
def theirs() -> np.ndarray:
    bootstrap = StationaryBootstrap(MEAN_BLOCK, np.empty(N_OBS), seed=np.random.default_rng(2024))
    return np.stack([bootstrap.update_indices() for _ in range(REPLICATIONS)])


def test_block_lengths_agree_with_arch_and_are_geometric(ours, theirs) -> None:
    ours_lengths = np.concatenate([blocks(row, N_OBS)[1] for row in ours])
    arch_lengths = np.concatenate([blocks(row, N_OBS)[1] for row in theirs])
    assert scipy.stats.ks_2samp(ours_lengths, arch_lengths).pvalue > 0.01
    # geometric with mean MEAN_BLOCK: chi-square over lengths 1..40 and a tail bin
    edges = np.arange(1, 42)
    p = 1.0 / MEAN_BLOCK
    probs = (1 - p) ** (edges[:-1] - 1) * p
    probs = np.append(probs, 1 - probs.sum())
    for lengths in (ours_lengths, arch_lengths):
        observed = np.append(np.bincount(np.minimum(lengths, 41), minlength=42)[1:41], (lengths > 40).sum())
        assert scipy.stats.chisquare(observed, probs * len(lengths)).pvalue > 0.01
        assert lengths.mean() == pytest.approx(MEAN_BLOCK, rel=0.03)


def test_block_starts_are_uniform_like_arch(ours, theirs) -> None:
    # block starts are i.i.d. uniform positions (an exact chi-square; single indices are
    # not independent within a block)
    ours_starts = np.concatenate([blocks(row, N_OBS)[0] for row in ours])
    arch_starts = np.concatenate([blocks(row, N_OBS)[0] for row in theirs])
    bins = np.linspace(0, N_OBS, 16)
    ours_counts = np.histogram(ours_starts, bins)[0]
    arch_counts = np.histogram(arch_starts, bins)[0]
    assert scipy.stats.chisquare(ours_counts).pvalue > 0.01
    assert scipy.stats.chi2_contingency(np.vstack([ours_counts, arch_counts]))[1] > 0.01


def test_marginal_index_frequencies_agree_with_arch(ours, theirs) -> None:
    # with wrap-around every index has marginal probability 1/n at every position
    bins = np.linspace(0, N_OBS, 11)
    for indices in (ours, theirs):
        share = np.histogram(indices.ravel(), bins)[0] / indices.size
        assert np.abs(share - 0.1).max() < 0.006
    # per position: the first, middle and last positions are uniform too (no edge effect)
    for column in (0, N_OBS // 2, N_OBS - 1):
        assert scipy.stats.ks_2samp(ours[:, column], theirs[:, column]).pvalue > 0.001
    # wrap-around really happens (n - 1 followed by 0), as in arch
    assert (np.diff(ours, axis=1) == -(N_OBS - 1)).any() and (np.diff(theirs, axis=1) == -(N_OBS - 1)).any()


def test_wrapper_is_the_shared_kernel_and_validates() -> None:
    np.testing.assert_array_equal(
        stationary_bootstrap_indices(300, 5.0, 9, 3), stationary_bootstrap_index_matrix(300, 5.0, 9, 4)[3]
    )
    with pytest.raises(ParameterError, match="mean_block"):
        stationary_bootstrap_indices(300, 0.5, 9)
    with pytest.raises(ParameterError, match="n_obs"):
        stationary_bootstrap_indices(0, 5.0, 9)


def test_mean_block_choice() -> None:
    close = walk(3000, 1)
    # the one rule: the horizon's window, at least sqrt(n) (the sweep calls the same function)
    assert horizon_block_length(63, 10_000) == 100.0 and horizon_block_length(252, 10_000) == 252.0
    assert horizon_block_length(1, 1) == 1.0
    assert resolve_mean_block(None, 63, 2500) == horizon_block_length(63, 2500) == 63.0
    assert resolve_mean_block(7, 63, 2500) == 7.0
    expected = float(optimal_block_length(log_returns(close))["stationary"].iloc[0])
    assert politis_white_block_length(close) == pytest.approx(max(1.0, expected))
    assert resolve_mean_block("auto", 63, 2500, close) == min(politis_white_block_length(close), 63.0)
    for bad in (0.5, "long", float("nan"), True):
        with pytest.raises(ParameterError, match="mean_block"):
            resolve_mean_block(bad, 63, 2500, close)
    with pytest.raises(ParameterError, match="window_days"):
        horizon_block_length(0, 100)


RULES = EventRules(source=MACross(20, 100), start="1982-01-01")
HORIZONS = (Horizon("1m", days=21), Horizon("3m", days=63))


def test_bootstrap_path_tests_end_to_end() -> None:
    close = walk(4000, 2)
    study = run_event_study(close, RULES, HORIZONS)
    paths = bootstrap_path_tests(study, n_paths=200, seed=5)
    again = bootstrap_path_tests(study, n_paths=200, seed=5)
    n_pool = int((close.index >= pd.Timestamp("1982-01-01")).sum())
    assert paths.block_lengths == {"1m": horizon_block_length(21, n_pool), "3m": horizon_block_length(63, n_pool)}
    assert paths.labels == ("1m", "3m") and paths.pool_start == close.index[close.index >= "1982-01-01"][0]
    assert paths.event_counts.shape == (200, 2) and paths.event_counts.min() > 0
    mean = paths.tests["3m"]["mean"]
    np.testing.assert_array_equal(mean.null, again.tests["3m"]["mean"].null)
    # the observed statistic is the excess over the all-days mean (pandas reference)
    forward = close.shift(-63) / close - 1.0
    days = forward.loc["1982-01-01":].dropna()
    assert mean.statistic == pytest.approx(study.complete("3m")["ret_3m"].mean() - days.mean(), rel=1e-9)
    assert mean.n_null == 200 and 0 < mean.pvalue <= 1
    # each path is compared with its own days: the null centres on 0, not on the drift
    # (the old raw-mean null centred on exp(63 * drift) - 1 ~ +1.9 % here)
    assert abs(mean.null_mean) < 2 * mean.null_std / np.sqrt(200) + 0.002
    frame = paths.to_frame()
    assert len(frame) == 6 and {"horizon", "statistic_name", "pvalue", "mean_block", "mean_events_per_path"} <= set(
        frame.columns
    )


def test_resamples_only_the_event_period() -> None:
    # a warm-up with a huge drift must not reach the paths: they draw from the event period
    rng = np.random.default_rng(3)
    returns = np.concatenate([rng.normal(0.01, 0.01, 700), rng.normal(0.0, 0.01, 2300)])
    close = pd.Series(100.0 * np.exp(np.cumsum(returns)), index=pd.bdate_range("1980-01-01", periods=3000))
    start = close.index[700]
    lo, hi = return_pool(close, EventRules(source=MACross(20, 100), start=start))
    assert close.index[lo + 1] == start and hi == len(close) - 2
    assert abs(np.diff(np.log(close.to_numpy()))[lo : hi + 1].mean()) < 0.001


def _rejections(seed: int, n_replications: int, n_paths: int, effect: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided p-values of the 3m path test on GBM walks (no signal), and with ``effect``
    added to the observed excess (a planted return after every event: the null paths, drawn
    on other dates, are unchanged to first order)."""
    plain, planted = [], []
    for r in range(n_replications):
        close = walk(3000, 10_000 * seed + r, drift=0.0003, sigma=0.012)
        study = run_event_study(close, RULES, (HORIZONS[1],))
        if study.n_events < 5:
            continue
        test = bootstrap_path_tests(study, n_paths=n_paths, seed=r)
        mean = test.tests["3m"]["mean"]
        null = mean.null[np.isfinite(mean.null)]
        plain.append(mean.pvalue)
        planted.append((1 + np.count_nonzero(null >= mean.statistic + effect)) / (1 + len(null)))
    return np.array(plain), np.array(planted)


def test_path_null_size_and_power_under_gbm() -> None:
    """Calibration: under GBM the 3m excess test rejects at about 5 % (binomial 99 % band of
    the replication count); a planted +4 % after every event rejects far more often."""
    pvalues, planted = _rejections(seed=1, n_replications=160, n_paths=99, effect=0.04)
    n = len(pvalues)
    size = np.mean(pvalues <= 0.05)
    low, high = scipy.stats.binom.ppf([0.005, 0.995], n, 0.05) / n
    assert n >= 150 and low <= size <= high
    assert np.mean(planted <= 0.05) > size + 0.25


@pytest.mark.slow
def test_path_null_size_slow() -> None:
    """600 walks: measured size 2.0 % at 5 % (1.7 % with 199 paths a walk), conservative
    because the rule's long blocks carry the walk's own rallies and their aftermath into the
    paths (with 1-day blocks the same test rejects ~5 %, docs/inference.md); never above
    nominal. 99 paths a walk: the test's p, (1 + #paths at or above) / (1 + paths), is exact
    at any number of paths, so fewer only blur its power (15.5 % against 17.7 % at +2 %)."""
    pvalues, planted = _rejections(seed=2, n_replications=600, n_paths=99, effect=0.02)
    size = np.mean(pvalues <= 0.05)
    assert size <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / len(pvalues)) and np.mean(planted <= 0.05) > size + 0.1


@pytest.mark.slow  # compiles the path null's kernels from scratch (~4 s)
def test_an_sma_run_compiles_no_ema_kernel(tmp_path) -> None:
    # issue 17: the kind of average is chosen in Python, so a run compiles only the kernels
    # of the kind it uses. A fresh process with an empty numba cache: every kernel the run
    # reaches compiles, callees included, and its dispatcher lists the signature.
    import os
    import subprocess
    import sys

    script = """
import numpy as np, pandas as pd
from backtest.events import EventRules, MACross, Horizon, run_event_study
from backtest.signals import nb as signals_nb
from backtest.stats import bootstrap_path_tests, nb as stats_nb
rng = np.random.default_rng(1)
close = pd.Series(100 * np.exp(np.cumsum(rng.normal(3e-4, 0.01, 1500))), index=pd.bdate_range("1990-01-01", periods=1500))
study = run_event_study(close, EventRules(source=MACross(20, 60), start="1991-01-01"), (Horizon("1m", days=21),))
bootstrap_path_tests(study, n_paths=8, seed=1)
used = [len(k.signatures) for k in (signals_nb.sma_pair_nb, stats_nb.sma_cross_path_stats_nb)]
unused = [len(k.signatures) for k in (signals_nb.ema_nb, stats_nb.ema_cross_path_stats_nb)]
print(used, unused)
"""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path, env=env
    )
    assert done.stdout.split("\n")[0] == "[1, 1] [0, 0]", done.stdout + done.stderr
