"""Run a pooled claim: one event definition on many series, abnormal returns against a
market model, pooled tests, and one verdict from the test declared primary in advance.

``load_pooled_spec(path)`` / ``pooled_spec_from_dict(values)`` -> ``PooledClaimSpec`` (the
event, rules and filters validated as a one-series claim's, ``backtest.claims.spec``; the
pooled tables by ``backtest.claims.panel_spec``). ``run_pooled_claim(spec)`` loads each
series in turn, detects its events exactly as a single claim does (``run._measure``), and
folds what the pooled tests need into ``backtest.stats.pooled_stream.PooledAccumulator``;
only the per-series summaries, the event positions and each series' forward abnormal
returns (one float per day and horizon, for the panel circular-shift test) are kept.
``PooledClaimResult.report(path)`` writes report.md, summary.json, per_series.csv and the
figures (rendered by ``backtest.report.pooled_report``).
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtest.claims.panel_spec import PooledTables, read_pooled_tables, single_series_tables
from backtest.claims.run import _Loader, _measure, horizons_of
from backtest.claims.spec import ClaimSpec, spec_from_dict
from backtest.errors import BacktestError, ParameterError, SpecError
from backtest.files import CLAIM_SPEC, read_text
from backtest.stats import DEFAULT_SEED
from backtest.stats.multiple import holm
from backtest.stats.pooled import (
    PooledEventStudy,
    daily_abnormal_returns,
    forward_sums,
    panel_shift_test,
    panel_shifted_means,
)
from backtest.stats.pooled_stream import (
    PooledAccumulator,
    PooledSettings,
    calendar_returns,
    event_positions,
    series_contribution,
)
from backtest.stats.verdict import DEFAULT_ALPHA, GAINS, MIN_EVENTS, NOT_SUPPORTED, NOT_TESTABLE, SUPPORTED

CONTRADICTED = "contradicted"
"""The verdict when the primary test rejects in the direction opposite to the claim's."""

PRIMARY_TEST_NAMES = {
    "panel_shift": "the panel circular-shift test (every series' events shifted together)",
    "kolari_pynnonen": "the Kolari-Pynnönen (2010) test (BMP corrected for correlated residuals)",
}

BAND_QUANTILES = (0.05, 0.95)
"""The random-entry band of the CAAR path: these quantiles of the shifted panels' paths."""


@dataclass(frozen=True)
class PooledClaimSpec:
    """A pooled claim: ``claim``, the event definition as a one-series claim (on the first
    series; its [claim], [event], [rules], [[filters]] and [analysis] are the pooled
    claim's), and ``tables``, its series, abnormal-return model and primary test."""

    claim: ClaimSpec
    tables: PooledTables

    @property
    def name(self) -> str:
        return self.claim.name

    @property
    def origin(self) -> str:
        return self.claim.origin

    @property
    def series(self) -> tuple[str, ...]:
        return self.tables.panel.names

    def for_series(self, name: str) -> ClaimSpec:
        """The one-series claim on ``name`` (its events are this claim's events there)."""
        return dataclasses.replace(self.claim, series=name)


def pooled_spec_from_dict(
    values: Mapping[str, Any],
    origin: str = "<code>",
    base_dir: str | Path = ".",
    data_dir: str | Path | None = None,
) -> PooledClaimSpec:
    """Validate a pooled spec given as nested mappings (module docstring): the pooled tables,
    then the rest as a one-series claim on each series in turn, so that a series name the
    catalog does not know, or dates no event of a series can follow, are refused with the
    same one line as a single claim's."""
    if not isinstance(values, Mapping):
        raise SpecError(f"{origin}: [top level]: must be a table, got {type(values).__name__}")
    if "series" not in values:
        raise SpecError(f"{origin}: [series]: missing (required)")
    tables = read_pooled_tables(values, origin, base_dir)
    first = None
    for name in tables.panel.names:
        checked = spec_from_dict(single_series_tables(values, name), origin, base_dir, data_dir)
        first = first or checked
    if tables.benchmark.series is not None:
        spec_from_dict(single_series_tables(values, tables.benchmark.series), origin, base_dir, data_dir)
    assert first is not None  # a panel names at least one series
    return PooledClaimSpec(claim=first, tables=tables)


def load_pooled_spec(path: str | Path, data_dir: str | Path | None = None) -> PooledClaimSpec:
    """Read and validate the pooled spec at ``path`` (``SpecError``: one line naming the
    file and the key)."""
    path = Path(path)
    text = read_text(path, CLAIM_SPEC, error=SpecError)
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    return pooled_spec_from_dict(values, origin=str(path), base_dir=path.parent, data_dir=data_dir)


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PooledClaimResult:
    """A pooled claim's answer.

    ``verdict``: supported / not supported / contradicted / not testable, from the primary
    test's Holm-adjusted p-values over the judged horizons; ``primary``: one row per judged
    horizon (raw and Holm-adjusted p in the claim's direction and the other; the smallest
    pooled mean abnormal return the primary test would detect); ``study``: every pooled test
    at every horizon; ``per_series``: one row per series; ``caar_path``: day, CAAR, its 95 %
    band and the random-entry band; ``summary_data``: everything, JSON-ready."""

    spec: PooledClaimSpec
    verdict: str
    primary: pd.DataFrame
    study: PooledEventStudy | None
    per_series: pd.DataFrame
    caar_path: pd.DataFrame
    effects: pd.DataFrame
    summary_data: dict[str, Any] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-series table: one row per series (events, mean CAR and BHAR per horizon)."""
        return self.per_series.copy()

    def summary(self) -> str:
        """The answer in plain text: the verdict, then one line per judged horizon."""
        data = self.summary_data
        lines = [
            f"{self.spec.claim.claim.title}",
            f"Pooled verdict: {self.verdict} ({data['primary_test']['name']}, Holm over "
            f"{', '.join(data['primary_test']['horizons'])}; alpha {data['alpha']:g})",
            f"{data['n_events']} events in {data['n_series_with_events']} of {data['n_series']} series, "
            f"model {data['benchmark']['model']}",
        ]
        for row in self.primary.itertuples():
            lines.append(
                f"  {row.horizon:>4}: CAAR {row.caar:+.2%}  excess over random entry {row.excess_over_random:+.2%}  "
                f"p {row.pvalue:.4f}  Holm p {row.pvalue_holm:.4f}  detectable {row.detectable_effect:+.2%}"
            )
        return "\n".join(lines)

    def report_markdown(self) -> str:
        from backtest.report.pooled_report import render_pooled_markdown

        return render_pooled_markdown(self.summary_data)

    def report(self, path: str | Path, *, overwrite: bool | None = None) -> Path:
        """Write the report folder ``path`` (report.md, report.html, summary.json,
        per_series.csv, caar_path.csv and the figures) through ``backtest.claims.outputs``:
        staged and swapped in whole; a folder the tool did not write is refused, and one of
        another kind or name unless ``overwrite``."""
        from backtest._io import overwriting
        from backtest.claims.outputs import write_report
        from backtest.report.outputs import report_files
        from backtest.report.pooled_report import FIGURE_FILES, pooled_figures, render_pooled_markdown
        from backtest.report.render import figure_png

        figures = pooled_figures(self.summary_data, self.caar_path, self.effects)
        files = report_files(
            title=self.spec.claim.claim.title,
            report_markdown=render_pooled_markdown(self.summary_data),
            summary=self.summary_data,
            files={
                "per_series.csv": self.per_series.to_csv(index=False, float_format="%.6g"),
                "caar_path.csv": self.caar_path.to_csv(index=False, float_format="%.6g"),
            },
            figures={FIGURE_FILES[key]: figure_png(figure) for key, figure in figures.items()},
            name=self.spec.name,
        )
        with overwriting(overwrite):
            return write_report(files, path, kind="claim")

    def __repr__(self) -> str:
        return f"PooledClaimResult({self.spec.name!r}, verdict={self.verdict!r})"


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------


def _estimation_overlap(claim: ClaimSpec, model: str, window: tuple[int, int]) -> str | None:
    """A warning when the estimation window of a model that estimates something (alpha and
    beta, or a mean) reaches into the days the event rule reads before each event: the
    rule selects what those days did (a golden cross follows a decline and a recovery), so
    the estimate and every test on the abnormal returns after the event inherit the
    selection. The panel circular-shift test does not read the window."""
    if model not in ("market", "mean_adjusted"):
        return None
    from backtest.claims.kinds import event_kind

    reads = [line.lookback() for line in event_kind(claim.event.kind).chart_lines(claim.event)]
    days = max((needed for _, _, needed in filter(None, reads)), default=0)
    if days == 0 or window[1] < -days:
        return None
    return (
        f"the estimation window [{window[0]}, {window[1]}] reaches into the {days} days the event rule reads "
        f"before each event: the {model.replace('_', '-')} model's estimate inherits the rule's selection, which "
        f"biases the CAAR and the tests on it (not the panel circular-shift test); end the window before "
        f"day {-days} or measure the tests' size with [analysis] calibration"
    )


@dataclass
class _PanelBuilder:
    """What the run keeps of each series once its contribution is folded in."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    abnormal: list[np.ndarray] = field(default_factory=list)
    n_rows: int = 0
    events: list[np.ndarray] = field(default_factory=list)
    path_sum: np.ndarray | None = None
    path_count: np.ndarray | None = None
    effects: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # kept only for the calibration, which simulates panels shaped like this one
    returns: list[np.ndarray] = field(default_factory=list)
    listed: list[np.ndarray] = field(default_factory=list)
    rules: list[Any] = field(default_factory=list)


def run_pooled_claim(
    spec: PooledClaimSpec,
    *,
    data_dir: str | Path | None = None,
    seed: int = DEFAULT_SEED,
    policy: str = "lenient",
    alpha: float = DEFAULT_ALPHA,
    step: Callable[[str], object] = lambda _: None,
) -> PooledClaimResult:
    """Run the pooled claim of ``spec`` (module docstring).

    Parameters
    ----------
    spec : PooledClaimSpec
        From ``load_pooled_spec`` or ``pooled_spec_from_dict``.
    data_dir : str or Path, optional
        The data source (default: the one ``backtest.data.resolve_data_source`` picks).
    seed : int
        Seed of the calibration's simulated panels ([analysis] calibration).
    policy : {"lenient", "strict"}
        How data defects are handled (``backtest.data.load_series``).
    alpha : float
        Level of the primary test after Holm's adjustment over the judged horizons.
    step : callable
        Hears a line of progress before each stage.

    Returns
    -------
    PooledClaimResult
    """
    tables = spec.tables
    bench_spec = tables.benchmark
    claim = spec.claim
    direction = claim.claim.direction
    load = _Loader(claim, data_dir, policy)
    horizons = horizons_of(claim.claim.horizons)
    horizon_days = tuple(int(h.days or 0) for h in horizons)  # labels 'Nm' / 'Nd': days always set
    labels = {int(h.days or 0): h.label for h in horizons}
    judged = claim.judged_horizons()
    settings = PooledSettings(
        model=bench_spec.model,
        horizons=tuple(sorted(horizon_days)),
        estimation_window=bench_spec.estimation_window,
        min_estimation_obs=bench_spec.min_observations,
    )

    step("loading each series and detecting its events")
    detected: list[tuple[str, pd.Series, tuple[pd.Timestamp, ...], Any]] = []
    builder = _PanelBuilder()
    overlap = _estimation_overlap(claim, bench_spec.model, bench_spec.estimation_window)
    if overlap:
        builder.warnings.append(overlap)
    for name in tables.panel.names:
        try:
            measured = _measure(spec.for_series(name), load, horizons)
        except (BacktestError, ParameterError) as exc:
            builder.warnings.append(f"{name}: left out ({exc})")
            continue
        dates = tuple(pd.Timestamp(d) for d in measured.detection.table["event_date"])
        detected.append((name, measured.market.close, dates, measured.rules))
        load.loaded.pop(name, None)  # one series at a time: its events and close are all that stay
    if not detected:
        raise BacktestError(f"{spec.origin}: no series of the panel could be read")
    market_close = load(bench_spec.series).close if bench_spec.uses_market and bench_spec.series else None
    if market_close is not None:
        calendar = pd.DatetimeIndex(market_close.index)
    else:
        calendar = pd.DatetimeIndex(sorted(set().union(*(set(close.index) for _, close, _, _ in detected))))
    start = pd.Timestamp(claim.rules.start) if claim.rules.start else calendar[0]
    end = pd.Timestamp(claim.rules.end) if claim.rules.end else calendar[-1]
    in_sample = np.flatnonzero((calendar >= start) & (calendar <= end))
    first_row, last_row = int(in_sample[0]), int(in_sample[-1])
    market_returns = calendar_returns(market_close, calendar) if market_close is not None else None
    # the models without a market read none; the streamed step still takes an array
    market_or_zeros = market_returns if market_returns is not None else np.zeros(len(calendar))
    accumulator = PooledAccumulator(settings, len(calendar))
    longest = max(horizon_days)
    builder.n_rows = last_row - first_row + 1

    step(f"abnormal returns ({bench_spec.model} model) and pooled tests, series by series")
    for name, close, dates, series_rules in detected:
        returns = calendar_returns(close, calendar)
        if claim.analysis.calibration:
            builder.returns.append(returns)
            builder.listed.append(close.reindex(calendar).notna().to_numpy())
            builder.rules.append(series_rules)
        positions = event_positions(dates, calendar)
        contribution = series_contribution(name, returns, market_or_zeros, positions, settings)
        accumulator.add(contribution)
        ar = settings.abnormal_returns(returns, market_returns, positions, [name])
        cumulative = np.cumsum(ar.daily, axis=1) if ar.n_events else np.zeros((0, longest))
        finite = np.isfinite(cumulative)
        path_sum = np.where(finite, cumulative, 0.0).sum(axis=0)
        path_count = finite.sum(axis=0)
        builder.path_sum = path_sum if builder.path_sum is None else builder.path_sum + path_sum
        builder.path_count = path_count if builder.path_count is None else builder.path_count + path_count
        row: dict[str, Any] = {
            "series": name,
            "events": len(positions),
            "events_kept": ar.n_events,
            "events_dropped": ar.n_dropped,
            "first_event": pd.Timestamp(calendar[positions[0]]).date().isoformat() if len(positions) else None,
            "last_event": pd.Timestamp(calendar[positions[-1]]).date().isoformat() if len(positions) else None,
            "mean_beta": float(np.nanmean(ar.beta)) if ar.n_events and np.isfinite(ar.beta).any() else math.nan,
        }
        for j, days in enumerate(ar.horizons):
            cars, bhars = ar.car[:, j], ar.bhar[:, j]
            complete = np.isfinite(cars)
            row[f"car_{labels[days]}"] = float(cars[complete].mean()) if complete.any() else math.nan
            row[f"bhar_{labels[days]}"] = float(np.nanmean(bhars)) if np.isfinite(bhars).any() else math.nan
            row[f"n_{labels[days]}"] = int(complete.sum())
        builder.rows.append(row)
        builder.abnormal.append(daily_abnormal_returns(returns, market_returns, bench_spec.model)[first_row:])
        kept = positions[(positions >= first_row) & (positions <= last_row)] - first_row
        builder.events.append(kept.astype(np.int64))

    study = accumulator.pooled_tests(claim=direction) if accumulator.abnormal_returns().n_events else None
    step(f"the primary test ({tables.primary}) at {', '.join(judged)}, Holm over them")
    primary = _primary_table(tables.primary, judged, horizons, builder, study, direction, alpha)
    verdict = _pooled_verdict(primary, alpha)
    caar_path = _caar_path(builder, horizon_days, direction)
    per_series = pd.DataFrame(builder.rows)
    effects = _effects(per_series, horizons)
    calibration = None
    if claim.analysis.calibration:
        step(f"calibration: {claim.analysis.calibration} simulated panels, events detected on each")
        calibration = _calibration(
            _CalibrationInputs(
                builder=builder,
                market_returns=market_returns,
                calendar=calendar,
                sample=(first_row, last_row),
                settings=settings,
                primary=tables.primary,
                primary_table=primary,
                judged=judged,
                horizons=horizons,
                direction=direction,
            ),
            claim.analysis.calibration,
            seed,
            alpha,
        )
    summary = _summary_data(
        spec, verdict, primary, study, per_series, caar_path, builder, alpha, calibration, calendar, first_row, last_row
    )
    return PooledClaimResult(
        spec=spec,
        verdict=verdict,
        primary=primary,
        study=study,
        per_series=per_series,
        caar_path=caar_path,
        effects=effects,
        summary_data=summary,
    )


def _panel(builder: _PanelBuilder, days: int) -> np.ndarray:
    """(sample days x series): each sample day's ``days``-day forward abnormal return (its
    window may run past the sample's end, as a single claim's does)."""
    return np.column_stack([forward_sums(values, days)[: builder.n_rows] for values in builder.abnormal])


def _detectable(null: np.ndarray, alpha: float, direction: str) -> float:
    """The pooled mean abnormal return the shift test rejects at ``alpha`` about half the
    time: the distance from the null's median to its critical quantile (a drift planted
    after every event moves the observed mean by that much and the null hardly at all)."""
    if not len(null):
        return math.nan
    median = float(np.median(null))
    if direction == GAINS:
        return float(np.quantile(null, 1 - alpha)) - median
    return float(np.quantile(null, alpha)) - median


def _primary_table(
    primary: str,
    judged: tuple[str, ...],
    horizons: tuple[Any, ...],
    builder: _PanelBuilder,
    study: PooledEventStudy | None,
    direction: str,
    alpha: float,
) -> pd.DataFrame:
    by_label = {h.label: h.days for h in horizons}
    rows = []
    for label in judged:
        days = by_label[label]
        shift = panel_shift_test(_panel(builder, days), builder.events, claim=direction)
        n_events = shift.n_events
        caar = study.get("cross_sectional_t", days).estimate if study is not None else math.nan
        if primary == "panel_shift":
            pvalue, opposite = shift.pvalue, shift.pvalue_opposite
        elif study is not None:
            kp = study.get("kolari_pynnonen", days)
            pvalue, opposite, n_events = kp.pvalue, kp.pvalue_opposite, kp.n_events
        else:
            pvalue = opposite = math.nan
        if n_events < MIN_EVENTS:
            pvalue = opposite = math.nan
        rows.append(
            {
                "horizon": label,
                "horizon_days": days,
                "n_events": n_events,
                "caar": caar,
                "shift_statistic": shift.statistic,
                # what the shift test judges: the events' mean forward abnormal return less
                # the mean over every shift, in the units of ``detectable_effect``
                "excess_over_random": shift.statistic - float(np.mean(shift.null)) if len(shift.null) else math.nan,
                "pvalue": pvalue,
                "pvalue_opposite": opposite,
                "detectable_effect": _detectable(shift.null, alpha, direction),
            }
        )
    table = pd.DataFrame(rows)
    table["pvalue_holm"] = holm(table["pvalue"].to_numpy(dtype=float))
    table["pvalue_opposite_holm"] = holm(table["pvalue_opposite"].to_numpy(dtype=float))
    return table


def _pooled_verdict(primary: pd.DataFrame, alpha: float) -> str:
    """Supported when the primary test rejects at some judged horizon after Holm's
    adjustment in the claim's direction, contradicted when it does in the other, not
    testable when no judged horizon has ``MIN_EVENTS`` events, else not supported."""
    holm_p = primary["pvalue_holm"].to_numpy(dtype=float)
    if not np.isfinite(holm_p).any():
        return NOT_TESTABLE
    if np.nanmin(holm_p) < alpha:
        return SUPPORTED
    opposite = primary["pvalue_opposite_holm"].to_numpy(dtype=float)
    if np.isfinite(opposite).any() and np.nanmin(opposite) < alpha:
        return CONTRADICTED
    return NOT_SUPPORTED


def _caar_path(builder: _PanelBuilder, horizon_days: tuple[int, ...], direction: str) -> pd.DataFrame:
    """Day 1..H: CAAR (mean cumulative abnormal return over the events with that day),
    and the random-entry band: the 5 % and 95 % quantiles of the same mean over the panel's
    circular shifts (every series' events shifted together) less their mean, with the events'
    own value less the same mean (``excess``: what the primary test judges), at the horizons
    and every fifth day (each point is one pass over the shifts)."""
    longest = max(horizon_days)
    total = builder.path_sum if builder.path_sum is not None else np.zeros(longest)
    count = builder.path_count if builder.path_count is not None else np.zeros(longest)
    with np.errstate(invalid="ignore", divide="ignore"):
        caar = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    days = np.arange(1, longest + 1)
    low = np.full(longest, np.nan)
    high = np.full(longest, np.nan)
    excess = np.full(longest, np.nan)
    marks = sorted({*range(5, longest + 1, 5), *horizon_days, 1})
    for day in marks if builder.abnormal else ():
        shifted = panel_shifted_means(_panel(builder, day), builder.events)
        null = shifted[np.isfinite(shifted)]
        if len(null):
            # centred on the shifts' mean: the null's level holds each series' average
            # abnormal return (its alpha), which the event model's CARs remove
            low[day - 1], high[day - 1] = np.quantile(null, BAND_QUANTILES) - null.mean()
            excess[day - 1] = shifted[0] - null.mean()
    return pd.DataFrame(
        {"day": days, "caar": caar, "events": count, "excess": excess, "random_low": low, "random_high": high}
    )


def _effects(per_series: pd.DataFrame, horizons: tuple[Any, ...]) -> pd.DataFrame:
    """The per-series mean CARs, long: one row per (series, horizon)."""
    rows = []
    for row in per_series.to_dict("records"):
        for h in horizons:
            rows.append({"series": row["series"], "horizon": h.label, "mean_car": row.get(f"car_{h.label}")})
    return pd.DataFrame(rows, columns=["series", "horizon", "mean_car"])


@dataclass(frozen=True, eq=False)
class _CalibrationInputs:
    """What the calibration simulates from: the run's panel and its settings."""

    builder: _PanelBuilder
    market_returns: np.ndarray | None
    calendar: pd.DatetimeIndex
    sample: tuple[int, int]
    settings: PooledSettings
    primary: str
    primary_table: pd.DataFrame
    judged: tuple[str, ...]
    horizons: tuple[Any, ...]
    direction: str

    def factor(self) -> np.ndarray:
        """The common factor of the simulated panels: the market's returns where the model
        reads a market, else the panel's equal-weighted mean return."""
        if self.market_returns is not None:
            return self.market_returns
        stacked = np.column_stack(self.builder.returns)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # days no series has
            return np.nanmean(stacked, axis=1)

    def key(self, n_panels: int, seed: int, alpha: float) -> dict[str, object]:
        """Everything the calibration depends on, as plain JSON values (its stored key)."""
        from backtest.claims.calibration_store import array_digest

        builder = self.builder
        return {
            "n_panels": int(n_panels),
            "seed": int(seed),
            "alpha": float(alpha),
            "primary": self.primary,
            "direction": self.direction,
            "judged": list(self.judged),
            "horizon_days": [int(h.days or 0) for h in self.horizons if h.label in self.judged],
            "settings": {
                "model": self.settings.model,
                "estimation_window": list(self.settings.estimation_window),
                "min_estimation_obs": int(self.settings.min_estimation_obs),
                "compounding": self.settings.compounding,
            },
            "rules": [rules.to_dict() for rules in builder.rules],
            "sample": list(self.sample),
            "data_sha256": array_digest(
                self.calendar.asi8,
                *(self.market_returns,) if self.market_returns is not None else (),
                *builder.returns,
                *builder.listed,
                *builder.events,
            ),
        }


def _calibration(inputs: _CalibrationInputs, n_panels: int, seed: int, alpha: float) -> dict[str, Any]:
    """Size of every pooled test and of the primary at the judged horizons, and the
    primary's power at its detectable effect, on ``n_panels`` panels simulated with the
    selection kept (``backtest.claims.pooled_size.bootstrap_panel``): each series' returns
    rebuilt from days drawn at random (the common factor's, its own residuals', its alpha
    and beta to the factor), listed on its real days, its events detected on its simulated
    closes by the claim's rules and measured by the claim's model. No effect is planted
    (every rejection is a false one), except for the power, where the detectable effect of
    the real panel at the first judged horizon is added after every event. Read from
    ``results/calibration`` when stored (``calibration_store.cached_pooled_calibration``)."""
    from backtest.claims.calibration_store import cached_pooled_calibration

    return cached_pooled_calibration(
        inputs.key(n_panels, seed, alpha), lambda: _simulate_calibration(inputs, n_panels, seed, alpha)
    )


def _simulate_calibration(inputs: _CalibrationInputs, n_panels: int, seed: int, alpha: float) -> dict[str, Any]:
    from backtest.claims.pooled_size import PANEL_SHIFT, bootstrap_panel, rejection_rates, simulated_pvalues
    from backtest.stats import seed_from

    builder = inputs.builder
    by_label = {h.label: int(h.days or 0) for h in inputs.horizons}
    labels = {days: label for label, days in by_label.items()}
    judged_days = [by_label[label] for label in inputs.judged]
    first_days = judged_days[0]
    effects = inputs.primary_table.set_index("horizon")["detectable_effect"]
    effect = float(effects.loc[inputs.judged[0]])
    factor = inputs.factor()
    settings = dataclasses.replace(inputs.settings, horizons=tuple(sorted(judged_days)))
    pvalues = []
    detections = 0
    events = 0
    for k in range(n_panels):
        rng = np.random.default_rng(seed_from(seed, "pooled_calibration", k))
        panel = bootstrap_panel(
            builder.returns,
            factor,
            builder.listed,
            inputs.calendar,
            builder.rules,
            rng,
            market_is_factor=inputs.market_returns is not None,
        )
        events += panel.n_events
        values = simulated_pvalues(
            panel,
            settings,
            settings.horizons,
            claim=inputs.direction,
            sample=inputs.sample,
            planted_effect=effect if math.isfinite(effect) else None,
        )
        detections += bool(values.pop(("panel_shift_planted", first_days), math.nan) < alpha)
        for days in judged_days:
            values.pop(("panel_shift_planted", days), None)
        pvalues.append(values)
    table = rejection_rates(pvalues, alpha)
    table.insert(1, "horizon", [labels[int(days)] for days in table["horizon_days"]])
    holds = table.groupby("test", sort=False)["holds_size"].all()
    primary_rows = table[(table["test"] == inputs.primary) & (table["horizon_days"] == first_days)]
    return {
        "test": inputs.primary,
        "horizon": inputs.judged[0],
        "n_panels": n_panels,
        "alpha": alpha,
        "null": "bootstrapped one-factor panels, events detected on each simulated series",
        "mean_events": events / n_panels,
        "size": float(primary_rows["size"].iloc[0]) if len(primary_rows) else math.nan,
        "power_test": PANEL_SHIFT,
        "power_at_detectable_effect": detections / n_panels,
        "detectable_effect": effect,
        "seed": seed,
        "sizes": table.to_dict("records"),
        "tests_holding_size": [test for test, ok in holds.items() if ok],
        "tests_not_holding_size": [test for test, ok in holds.items() if not ok],
    }


def _summary_data(
    spec: PooledClaimSpec,
    verdict: str,
    primary: pd.DataFrame,
    study: PooledEventStudy | None,
    per_series: pd.DataFrame,
    caar_path: pd.DataFrame,
    builder: _PanelBuilder,
    alpha: float,
    calibration: dict[str, Any] | None,
    calendar: pd.DatetimeIndex,
    first_row: int,
    last_row: int,
) -> dict[str, Any]:
    from backtest._json import plain

    claim = spec.claim
    tables = spec.tables
    n_events = int(per_series["events"].sum()) if len(per_series) else 0
    with_events = int((per_series["events"] > 0).sum()) if len(per_series) else 0
    kinds = {"panel_shift": "panel_shift", "kolari_pynnonen": "kolari_pynnonen"}
    data = {
        "kind": "pooled_claim",
        "name": spec.name,
        "claim": {
            "title": claim.claim.title,
            "statement": claim.claim.statement,
            "direction": claim.claim.direction,
            "horizons": list(claim.claim.horizons),
            "verdict_horizons": list(claim.judged_horizons()),
            "source": claim.claim.source,
        },
        "event": dataclasses.asdict(claim.event) if dataclasses.is_dataclass(claim.event) else str(claim.event),
        "rules": dataclasses.asdict(claim.rules),
        "panel": {
            "series": list(tables.panel.names),
            "group": tables.panel.group,
            "universe": tables.panel.universe,
            "described": tables.panel.describe(),
        },
        "benchmark": dataclasses.asdict(tables.benchmark),
        "sample": {
            "first_day": calendar[first_row].date().isoformat(),
            "last_day": calendar[last_row].date().isoformat(),
            "days": last_row - first_row + 1,
        },
        "verdict": verdict,
        "alpha": alpha,
        "primary_test": {
            "test": kinds[tables.primary],
            "name": PRIMARY_TEST_NAMES[tables.primary],
            "horizons": list(claim.judged_horizons()),
            "adjustment": "holm",
            "rows": primary.to_dict("records"),
        },
        "n_series": len(tables.panel.names),
        "n_series_with_events": with_events,
        "n_events": n_events,
        "per_series": per_series.to_dict("records"),
        "pooled_tests": study.to_dict() if study is not None else None,
        "caar_path_at_horizons": caar_path[caar_path["day"].isin(primary["horizon_days"])].to_dict("records"),
        "calibration": calibration,
        "warnings": list(builder.warnings),
    }
    from backtest.claims.pooled_summary_model import validated_pooled_summary

    return validated_pooled_summary(plain(data))
