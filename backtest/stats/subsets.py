"""Filtered subsets of one event study: did the events a filter keeps beat the ones it
rejects, and what do the kept events show on their own? One Holm family per test across
every filter and horizon.

Input: an ``EventStudy`` and ``FilterSplit``s (``backtest.events.filters``). Output:
``FilterComparison``, one ``FilterCell`` per filter x horizon: descriptive statistics of the
kept, rejected and with-data events, the kept-vs-rejected permutation test, questions A and
B on the kept events (``analyze_events`` without the bootstrapped-path null), p-values
adjusted across the whole family, and verdicts.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest import numbers
from backtest.checks import check_scalar
from backtest.errors import ParameterError
from backtest.events import EventStudy
from backtest.events.filters import NO_DATA, FilterSplit
from backtest.stats._rng import DEFAULT_SEED, check_seed, seed_from
from backtest.stats.analysis import (
    HorizonStatistics,
    analyze_events,
    in_claim_direction,
)
from backtest.stats.baseline import Descriptive, describe
from backtest.stats.montecarlo import (
    VARIANTS,
    MonteCarloTest,
    check_count,
    monte_carlo_test,
    random_entry_null_means,
)
from backtest.stats.multiple import holm
from backtest.stats.verdict import (
    DEFAULT_ALPHA,
    GAINS,
    INCONCLUSIVE,
    MIN_EVENTS,
    NOT_SUPPORTED,
    SUPPORTED,
    Verdict,
    absolute_verdict,
    check_claim,
    relative_verdict,
    sample_flags,
)

FAMILY_TESTS: tuple[str, ...] = ("hac_mean", "random_entry.plain.mean", "kept_vs_rejected")
"""The p-values adjusted with Holm across every filter x horizon (one family per test)."""

FILTER_VERDICT_RULES = """\
Each filter splits the events into those it keeps, those it rejects, and those it cannot
judge for lack of data (reported, and left out of both). Cells are filter x horizon; n is
the number of events in a cell whose window at that horizon is complete. Holm's adjustment
runs over every filter and horizon at once (one family per test), so looking at many
filters does not make one of them look good by chance. p-values are one-sided in the
direction of the claim.

Sample size. A cell with n < 10 is "anecdotal": its verdicts are "inconclusive" whatever
the p-values; 10 <= n < 20 is flagged "small sample". For question C the smaller of the
kept and rejected counts decides.

A. Did the claimed move follow the kept events? and B. Did the kept events beat a random
   entry date? The rules of the unfiltered study, applied to the kept events with the
   family-wide Holm p-values. The bootstrapped-path null is not run on a subset (it re-runs
   the unfiltered rule on synthetic prices, where the filter's inputs do not exist), so B
   rests on the random-entry test alone and is at best "inconclusive".

C. Did the filter help? (kept vs rejected)
  supported      family-wide Holm p of the permutation test of mean(kept) - mean(rejected)
                 (in the claim's direction) is below alpha.
  not supported  that Holm p >= alpha.
  inconclusive   otherwise (no test: every event with data was kept, or none was).
  The permutation null draws the kept set at random, as many events as were kept, from the
  events with data and a complete window (the filter's values shuffled among them); p =
  (1 + #draws at least as extreme) / (1 + draws). It treats events as exchangeable, which
  overlapping windows and regimes that last for several crosses only approximate."""


def filter_verdict(*, n_kept: int, n_rejected: int, pvalue_holm: float, alpha: float = DEFAULT_ALPHA) -> Verdict:
    """Question C by ``FILTER_VERDICT_RULES``: did the kept events beat the rejected ones?"""
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha must lie in (0, 1), got {alpha!r}")
    n = min(n_kept, n_rejected)
    flags = sample_flags(n)
    evidence = (
        ("n_kept", float(n_kept)),
        ("n_rejected", float(n_rejected)),
        ("pvalue_holm", float(pvalue_holm)),
        ("alpha", float(alpha)),
    )
    if n < MIN_EVENTS:
        return Verdict("C", INCONCLUSIVE, f"n < {MIN_EVENTS} kept or rejected: anecdotal", flags, evidence)
    if not math.isfinite(pvalue_holm):
        return Verdict("C", INCONCLUSIVE, "the permutation test could not run", flags, evidence)
    if pvalue_holm < alpha:
        return Verdict("C", SUPPORTED, "family-wide Holm p of kept vs rejected < alpha", flags, evidence)
    return Verdict("C", NOT_SUPPORTED, "family-wide Holm p of kept vs rejected >= alpha", flags, evidence)


def kept_vs_rejected_test(
    study: EventStudy,
    split: FilterSplit,
    label: str,
    *,
    n_draws: int = 100_000,
    seed: int = DEFAULT_SEED,
    claim: str = GAINS,
) -> MonteCarloTest | None:
    """Permutation test of mean(kept) - mean(rejected) at horizon ``label``.

    The pool is the events with data whose ``label`` window is complete; the null draws as
    many of them as were kept, without replacement (the shared kernel
    ``random_entry_null_means_nb``), and compares the difference of means. None when the
    pool holds no kept or no rejected event. ``pvalue`` is in the claim's tail.
    """
    if not split.table.index.equals(study.table.index):
        raise ParameterError(f"filter {split.rule.name!r} was applied to another study")
    if f"ret_{label}" not in study.table.columns:
        raise ParameterError(f"horizon {label!r} is not in the study")
    claim = check_claim(claim)
    complete = ~study.table[f"pending_{label}"].to_numpy(dtype=bool)
    in_pool = complete & split.with_data
    pool = study.table[f"ret_{label}"].to_numpy(dtype=float)[in_pool]
    kept = split.kept[in_pool]
    k, m = int(kept.sum()), len(pool)
    if k == 0 or k == m:
        return None
    total = float(pool.sum())

    def difference(kept_mean: np.ndarray | float) -> np.ndarray:
        # mean(rejected) = (sum - k * mean(kept)) / (m - k); rounded to 1e-12 so that a draw of
        # the very kept set ties with the observation whatever the order of summation
        return np.round(np.asarray(kept_mean) - (total - k * np.asarray(kept_mean)) / (m - k), 12)

    null = difference(random_entry_null_means(pool, k, n_draws=n_draws, seed=seed))
    test = monte_carlo_test(
        null,
        float(difference(float(pool[kept].mean()))),
        statistic_name="mean_difference",
        n=k,
        null_model="permutation",
        variant="kept_vs_rejected",
        seed=seed,
    )
    return in_claim_direction(test, claim)


_SHORT_FIELDS = ("n", "mean", "median", "hit_rate", "mean_max_drawdown")


def _short(descriptive: Descriptive) -> dict[str, float | int]:
    return {name: getattr(descriptive, name) for name in _SHORT_FIELDS}


@dataclass(frozen=True, eq=False)
class FilterCell:
    """One filter at one horizon.

    kept / rejected / with_data: ``Descriptive`` of the complete windows of each group
    (with_data = kept + rejected: the unfiltered events of the indicator's period).
    n_no_data: events the filter could not judge (all of them, complete or not).
    difference: the kept-vs-rejected permutation test (None when a side is empty).
    kept_statistics: ``analyze_events`` of the kept events at this horizon (None without any
    kept event). pvalues / pvalues_holm: raw and family-wide Holm p-values by ``FAMILY_TESTS``.
    """

    filter: str
    label: str
    kept: Descriptive
    rejected: Descriptive
    with_data: Descriptive
    n_no_data: int
    difference: MonteCarloTest | None
    kept_statistics: HorizonStatistics | None
    pvalues: dict[str, float]
    pvalues_holm: dict[str, float]
    verdict_a: Verdict
    verdict_b: Verdict
    verdict_c: Verdict

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.verdict_a.flags + self.verdict_c.flags))

    def to_dict(self) -> dict[str, object]:
        kept_stats = self.kept_statistics
        plain = kept_stats.random_entry.get("plain", {}).get("mean") if kept_stats is not None else None
        return {
            "filter": self.filter,
            "label": self.label,
            "n_kept": self.kept.n,
            "n_rejected": self.rejected.n,
            "n_with_data": self.with_data.n,
            "n_no_data": self.n_no_data,
            "kept": _short(self.kept),
            "rejected": _short(self.rejected),
            "with_data": _short(self.with_data),
            "kept_baseline_mean": kept_stats.baseline.mean if kept_stats is not None else math.nan,
            "kept_vs_rejected": None
            if self.difference is None
            else {
                "statistic": self.difference.statistic,
                "pvalue": self.difference.pvalue,
                "pvalue_two_sided": self.difference.pvalue_two_sided,
                "percentile": self.difference.percentile,
                "null_mean": self.difference.null_mean,
                "null_std": self.difference.null_std,
                "n_null": self.difference.n_null,
                "alternative": self.difference.better,
            },
            "kept_hac_t": kept_stats.hac_mean.statistic if kept_stats is not None else math.nan,
            "kept_random_entry_percentile": plain.percentile if plain is not None else math.nan,
            "pvalues": dict(self.pvalues),
            "pvalues_holm": dict(self.pvalues_holm),
            "verdicts": {"A": self.verdict_a.to_dict(), "B": self.verdict_b.to_dict(), "C": self.verdict_c.to_dict()},
            "flags": list(self.flags),
        }


@dataclass(frozen=True, eq=False)
class FilterComparison:
    """Every filter x horizon of one study (see ``compare_filters``)."""

    cells: tuple[FilterCell, ...]
    splits: tuple[FilterSplit, ...] = field(repr=False)
    labels: tuple[str, ...]
    claim: str
    alpha: float
    n_draws: int
    seed: int
    verdict_rules: str = field(default=FILTER_VERDICT_RULES, repr=False)

    @property
    def filters(self) -> tuple[str, ...]:
        return tuple(split.rule.name for split in self.splits)

    def __getitem__(self, key: tuple[str, str]) -> FilterCell:
        for cell in self.cells:
            if (cell.filter, cell.label) == key:
                return cell
        raise ParameterError(f"no cell {key!r}; filters {', '.join(self.filters)}, horizons {', '.join(self.labels)}")

    @property
    def family_size(self) -> dict[str, int]:
        """How many finite p-values each Holm family holds."""
        return {key: int(sum(math.isfinite(c.pvalues[key]) for c in self.cells)) for key in FAMILY_TESTS}

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per filter x horizon with counts, means, p-values and verdicts."""
        rows = []
        for cell in self.cells:
            rows.append(
                {
                    "filter": cell.filter,
                    "horizon": cell.label,
                    "n_kept": cell.kept.n,
                    "n_rejected": cell.rejected.n,
                    "n_no_data": cell.n_no_data,
                    "mean_kept": cell.kept.mean,
                    "mean_rejected": cell.rejected.mean,
                    "mean_with_data": cell.with_data.mean,
                    "difference": cell.difference.statistic if cell.difference is not None else np.nan,
                    **{f"p_{key}": cell.pvalues[key] for key in FAMILY_TESTS},
                    **{f"p_holm_{key}": cell.pvalues_holm[key] for key in FAMILY_TESTS},
                    "verdict_a": cell.verdict_a.outcome,
                    "verdict_b": cell.verdict_b.outcome,
                    "verdict_c": cell.verdict_c.outcome,
                    "flags": ", ".join(cell.flags),
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: parameters, the rules text, each filter's rule and counts, every cell."""
        return {
            "claim": self.claim,
            "alpha": self.alpha,
            "n_draws": self.n_draws,
            "seed": self.seed,
            "family_tests": list(FAMILY_TESTS),
            "family_size": self.family_size,
            "verdict_rules": self.verdict_rules,
            "filters": [
                {
                    **split.rule.to_dict(),
                    "counts": split.counts,
                    "first_value_date": None
                    if split.first_value_date is None
                    else split.first_value_date.date().isoformat(),
                }
                for split in self.splits
            ],
            "cells": [cell.to_dict() for cell in self.cells],
        }

    def summary(self) -> str:
        """Plain-text table a person reads in a terminal."""
        lines = [
            f"Filters compared ({self.claim}); Holm across {len(self.cells)} filter x horizon cells per test; "
            f"{self.n_draws:,} permutation / random-entry draws; seed {self.seed}",
            f"{'filter':>10} {'hz':>4} {'kept':>5} {'rej':>4} {'nodata':>6} {'mean kept':>10} {'mean rej':>9} "
            f"{'p C':>7} {'Holm C':>7} {'Holm A':>7} {'Holm B':>7}  verdicts A / B / C",
        ]

        # terminal text: ASCII placeholders, p-values to four decimals
        percent = functools.partial(numbers.percent, digits=2, missing=numbers.ASCII_MISSING)
        pvalue = functools.partial(numbers.pvalue, digits=4, small="fixed", missing=numbers.ASCII_MISSING)
        for c in self.cells:
            lines.append(
                f"{c.filter:>10} {c.label:>4} {c.kept.n:>5} {c.rejected.n:>4} {c.n_no_data:>6} {percent(c.kept.mean):>10} "
                f"{percent(c.rejected.mean):>9} {pvalue(c.pvalues['kept_vs_rejected']):>7} {pvalue(c.pvalues_holm['kept_vs_rejected']):>7} "
                f"{pvalue(c.pvalues_holm['hac_mean']):>7} {pvalue(c.pvalues_holm['random_entry.plain.mean']):>7}  "
                f"{c.verdict_a.outcome} / {c.verdict_b.outcome} / {c.verdict_c.outcome}"
                + (f" ({', '.join(c.flags)})" if c.flags else "")
            )
        return "\n".join(lines)


def compare_filters(
    study: EventStudy,
    splits: Sequence[FilterSplit],
    *,
    n_draws: int = 100_000,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
    claim: str = GAINS,
    variants: Sequence[str] = VARIANTS,
    n_resamples: int = 9_999,
) -> FilterComparison:
    """Compare the kept, rejected and with-data events of every filter at every horizon.

    Per filter: ``analyze_events`` on the kept events (``n_paths=0``; seed
    ``seed_from(seed, "filter", name)``), ``describe`` of the rejected and with-data events,
    and ``kept_vs_rejected_test`` per horizon (seed ``seed_from(seed, "kept_vs_rejected",
    name, label)``). Then Holm over all filter x horizon cells for each of ``FAMILY_TESTS``,
    and the verdicts of ``FILTER_VERDICT_RULES``.
    """
    if not isinstance(study, EventStudy):
        raise ParameterError(f"study must be an EventStudy, got {type(study).__name__}")
    splits = tuple(splits)
    if not splits:
        raise ParameterError("splits must hold at least one FilterSplit")
    names = [split.rule.name for split in splits]
    if len(set(names)) != len(names):
        raise ParameterError(f"filter names must be distinct, got {names}")
    n_draws = check_count("n_draws", n_draws)
    seed = check_seed(seed)
    claim = check_claim(claim)
    alpha = check_scalar(
        alpha, "alpha", float, min_val=0.0, max_val=1.0, include_boundaries="neither", must="lie in (0, 1)"
    )
    labels = tuple(h.label for h in study.horizons)

    partial = []
    for split in splits:
        name = split.rule.name
        if not split.table.index.equals(study.table.index):
            raise ParameterError(f"filter {name!r} was applied to another study")
        kept_study = study.subset(split.kept)
        kept_stats = (
            analyze_events(
                kept_study,
                n_draws=n_draws,
                n_paths=0,
                seed=seed_from(seed, "filter", name),
                alpha=alpha,
                variants=variants,
                n_resamples=n_resamples,
                claim=claim,
            )
            if kept_study.n_events
            else None
        )
        n_no_data = int((split.table["outcome"] == NO_DATA).sum())
        for label in labels:
            horizon_stats = kept_stats[label] if kept_stats is not None else None
            difference = kept_vs_rejected_test(
                study, split, label, n_draws=n_draws, seed=seed_from(seed, "kept_vs_rejected", name, label), claim=claim
            )
            pvalues = {
                "hac_mean": horizon_stats.hac_mean.pvalue if horizon_stats is not None else math.nan,
                "random_entry.plain.mean": horizon_stats.pvalues["random_entry.plain.mean"]
                if horizon_stats is not None
                else math.nan,
                "kept_vs_rejected": difference.pvalue if difference is not None else math.nan,
            }
            partial.append(
                {
                    "filter": name,
                    "label": label,
                    "kept": describe(study.table.loc[split.kept], label),
                    "rejected": describe(study.table.loc[split.rejected], label),
                    "with_data": describe(study.table.loc[split.with_data], label),
                    "n_no_data": n_no_data,
                    "difference": difference,
                    "kept_statistics": horizon_stats,
                    "pvalues": pvalues,
                }
            )

    adjusted = {key: holm([item["pvalues"][key] for item in partial]) for key in FAMILY_TESTS}
    cells = []
    for j, item in enumerate(partial):
        pvalues_holm = {key: float(adjusted[key][j]) for key in FAMILY_TESTS}
        kept: Descriptive = item["kept"]
        horizon_stats = item["kept_statistics"]
        hit_p = horizon_stats.hit_vs_half.pvalue if horizon_stats is not None else math.nan
        cells.append(
            FilterCell(
                filter=item["filter"],
                label=item["label"],
                kept=kept,
                rejected=item["rejected"],
                with_data=item["with_data"],
                n_no_data=item["n_no_data"],
                difference=item["difference"],
                kept_statistics=horizon_stats,
                pvalues=item["pvalues"],
                pvalues_holm=pvalues_holm,
                verdict_a=absolute_verdict(
                    n=kept.n,
                    hac_pvalue_holm=pvalues_holm["hac_mean"],
                    hit_rate=kept.hit_rate,
                    hit_vs_half_pvalue=hit_p,
                    alpha=alpha,
                    claim=claim,
                ),
                verdict_b=relative_verdict(
                    n=kept.n,
                    random_entry_pvalue_holm=pvalues_holm["random_entry.plain.mean"],
                    bootstrap_path_pvalue_holm=None,
                    alpha=alpha,
                ),
                verdict_c=filter_verdict(
                    n_kept=kept.n,
                    n_rejected=item["rejected"].n,
                    pvalue_holm=pvalues_holm["kept_vs_rejected"],
                    alpha=alpha,
                ),
            )
        )
    return FilterComparison(
        cells=tuple(cells), splits=splits, labels=labels, claim=claim, alpha=float(alpha), n_draws=n_draws, seed=seed
    )


FILTER_CONCLUSION_RULE = (
    "A filter 'helped' if question C (kept events beat rejected ones, family-wide Holm) is supported at one or "
    "more of the claim's horizons; 'too few events to tell' if every one of those horizons is anecdotal (fewer "
    "than 10 kept or rejected events); otherwise 'no evidence it helped'."
)


def filter_conclusions(comparison: FilterComparison, horizons: Sequence[str]) -> list[dict[str, object]]:
    """Per filter, the verdict over the claim's ``horizons`` by ``FILTER_CONCLUSION_RULE``, with
    the horizons where C was supported, not supported, or anecdotal, where question A was
    supported for the kept events (``claim_followed_kept_at``), and where the kept events
    did worse than the rejected ones (a lower mean for a gains claim, a higher one for losses)."""
    unknown = [label for label in horizons if label not in comparison.labels]
    if unknown or not horizons:
        raise ParameterError(f"horizons must be among {', '.join(comparison.labels)}, got {list(horizons)}")
    out = []
    for name in comparison.filters:
        cells = [comparison[name, label] for label in horizons]
        helped = [c.label for c in cells if c.verdict_c.outcome == SUPPORTED]
        anecdotal = [c.label for c in cells if "anecdotal" in c.verdict_c.flags]
        if helped:
            overall = "helped"
        elif len(anecdotal) == len(cells):
            overall = "too few events to tell"
        else:
            overall = "no evidence it helped"
        out.append(
            {
                "filter": name,
                "helped_at": helped,
                "not_helped_at": [c.label for c in cells if c.verdict_c.outcome == NOT_SUPPORTED],
                "anecdotal_at": anecdotal,
                "claim_followed_kept_at": [c.label for c in cells if c.verdict_a.outcome == SUPPORTED],
                "kept_worse_than_rejected_at": [
                    c.label
                    for c in cells
                    if c.difference is not None
                    and (c.difference.statistic < 0 if comparison.claim == GAINS else c.difference.statistic > 0)
                ],
                "overall": overall,
            }
        )
    return out
