"""Run a claim: spec -> series, source, rules, horizons -> event study -> statistics.

``run_claim(spec)`` loads the data the spec names, builds the event source (filters joined
with ``All``), runs ``run_event_study`` and ``analyze_events`` (in the claim's direction),
checks the spec's facts, and returns a frozen ``ClaimResult``. With a benchmark, events are
detected on the series and measured on series / benchmark. Rendering lives in
``backtest.report.claim_report``; this module only composes the stages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.claims.facts import FactCheck, check_fact
from backtest.claims.spec import ClaimSpec, LineSpec, looks_like_path
from backtest.errors import InsufficientDataError, ParameterError, SpecError
from backtest.events import (
    RSI,
    All,
    Close,
    Condition,
    DateList,
    Drawdown,
    EventRules,
    EventStudy,
    Horizon,
    LineCross,
    MACross,
    MovingAverage,
    NewHigh,
    NewLow,
    RateOfChange,
    SeriesChange,
    SeriesLevel,
    Threshold,
    ZScore,
    run_event_study,
)
from backtest.events.rules import DEFAULT_HORIZONS, check_horizons_fit
from backtest.stats import DEFAULT_SEED, EventStatistics, analyze_events
from backtest.stats.verdict import overall_verdict

DEFAULT_N_DRAWS = 100_000
DEFAULT_N_PATHS = 1_000
TRADING_DAYS_PER_MONTH = 21
"""A horizon 'Nm' is N x 21 trading days, the convention of every report (1m = 21 ... 12m = 252)."""


def horizons_of(labels: tuple[str, ...]) -> tuple[Horizon, ...]:
    """Horizons of today's labels: 'Nm' = N x 21 trading days, 'Nd' = N trading days (the
    defaults' own objects where a label is one of them)."""
    defaults = {h.label: h for h in DEFAULT_HORIZONS}
    out = []
    for label in labels:
        if label in defaults:
            out.append(defaults[label])
        elif label.endswith("m"):
            out.append(Horizon(label, days=int(label[:-1]) * TRADING_DAYS_PER_MONTH))
        else:
            out.append(Horizon(label, days=int(label[:-1])))
    return tuple(out)


class _Loader:
    """Loads each series the spec names once (catalog names, or CSV paths relative to the spec)."""

    def __init__(self, spec: ClaimSpec, data_dir: str | Path | None, policy: str) -> None:
        self.spec, self.data_dir, self.policy = spec, data_dir, policy
        self.loaded: dict[str, Any] = {}

    def __call__(self, name: str) -> Any:
        from backtest.data import load_series

        if name not in self.loaded:
            target: str | Path = self.spec.resolve(name) if looks_like_path(name) else name
            self.loaded[name] = load_series(target, data_dir=self.data_dir, policy=self.policy)
        return self.loaded[name]


def build_line(line: LineSpec, load: Any) -> Any:
    """The ``backtest.events`` line of a spec's line."""
    window = line.window
    if line.indicator == "close":
        return Close()
    if line.indicator == "rsi":
        return RSI(window)
    if line.indicator == "rate_of_change":
        return RateOfChange(window)
    if line.indicator == "zscore":
        return ZScore(window)
    if line.indicator == "drawdown":
        return Drawdown()
    if line.indicator in ("sma", "ema"):
        return MovingAverage(window, line.indicator)
    other = load(line.series)
    label = str(other.name or line.series)
    if line.indicator == "level":
        return SeriesLevel(other.close, label=label)
    return SeriesChange(other.close, label=label, window=window)


def build_source(spec: ClaimSpec, load: Any) -> Any:
    """The event source of the spec's [event] and [[filters]] (``All`` when filtered)."""
    event = spec.event
    if event.kind == "ma_cross":
        source: Any = MACross(event.fast, event.slow, event.ma, event.direction)
    elif event.kind == "threshold":
        source = Threshold(build_line(event.line, load), event.level, event.cross)  # type: ignore[arg-type]
    elif event.kind == "line_cross":
        source = LineCross(build_line(event.line, load), build_line(event.against, load), event.cross)  # type: ignore[arg-type]
    elif event.kind == "new_high":
        source = NewHigh(event.n)
    elif event.kind == "new_low":
        source = NewLow(event.n)
    else:
        try:
            source = DateList.from_csv(spec.resolve(event.file), column=event.column)  # type: ignore[arg-type]
        except ParameterError as exc:  # an unreadable date file: name the spec key too
            raise SpecError(f"{spec.origin}: [event] file: {exc}") from None
    if spec.filters:
        conditions = [Condition(build_line(f.line, load), f.operator, f.level) for f in spec.filters]
        source = All(source, *conditions)
    return source


def build_rules(spec: ClaimSpec, source: Any) -> EventRules:
    r = spec.rules
    return EventRules(source=source, start=r.start, end=r.end, confirm=r.confirm, min_gap=r.min_gap, entry=r.entry)


def relative_series(close: pd.Series, benchmark: pd.Series, label: str) -> pd.Series:
    """close / benchmark on the days of ``close`` (the benchmark read as of each close, never
    a later row), rebased to 100 on the first common day; days without a benchmark dropped."""
    from backtest.events.filters import values_at
    from backtest.events.sources import DEFAULT_MAX_STALE_DAYS

    bench = values_at(benchmark.astype(float), close.index, DEFAULT_MAX_STALE_DAYS)["value"].to_numpy(dtype=float)
    ratio = pd.Series(close.to_numpy(dtype=float) / bench, index=close.index).dropna()
    if len(ratio) < 2:
        raise InsufficientDataError(f"{label}: the series and its benchmark share fewer than two days")
    return (100.0 * ratio / ratio.iloc[0]).rename(label)


@dataclass(frozen=True, eq=False)
class ClaimResult:
    """What a claim's run found: the spec, the event study (measured on the series, or on
    series / benchmark), the statistics, the overall verdict (``conclusion``), the fact checks,
    and ``summary_data`` (summary.json's content, JSON-ready). ``market_series`` and
    ``detection_study`` (the study on the series itself) feed the figures."""

    spec: ClaimSpec
    study: EventStudy
    statistics: EventStatistics
    conclusion: dict[str, Any]
    facts: tuple[FactCheck, ...]
    summary_data: dict[str, Any]
    market_series: Any = field(repr=False)
    detection_study: EventStudy = field(repr=False)
    band: Any = field(repr=False, default=None)

    @property
    def verdict(self) -> str:
        return str(self.conclusion["overall"])

    def to_frame(self) -> pd.DataFrame:
        """The event table: one row per event, every measurement (events.csv)."""
        return self.study.to_frame()

    def answer_lines(self) -> list[str]:
        """The answer in a few lines: the verdict, then one line per horizon."""
        from backtest.report.claim_report import answer_lines

        return answer_lines(self.summary_data)

    def summary(self) -> str:
        """Plain text for a terminal: the answer, then the statistics' own summary."""
        return "\n".join(self.answer_lines()) + "\n\n" + self.statistics.summary()

    def report_markdown(self) -> str:
        from backtest.report.claim_report import render_markdown

        return render_markdown(self.summary_data, self.to_frame())

    def report(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the report folder (report.md, report.html, events.csv, summary.json, figures)
        at ``path`` itself (not a parent folder)."""
        from backtest._io import overwriting
        from backtest.report.claim_report import write_claim_report

        with overwriting(overwrite):
            return write_claim_report(self, Path(path))

    def _repr_html_(self) -> str:
        from backtest.report.claim_report import answer_html

        return answer_html(self.summary_data)

    def __repr__(self) -> str:
        return f"ClaimResult({self.spec.claim.title!r}: {self.verdict}, {self.study.n_events} events)"


def run_claim(
    spec: ClaimSpec,
    *,
    data_dir: str | Path | None = None,
    seed: int = DEFAULT_SEED,
    n_draws: int = DEFAULT_N_DRAWS,
    n_paths: int = DEFAULT_N_PATHS,
    policy: str = "lenient",
    step: Any = lambda _: None,
) -> ClaimResult:
    """Run the claim of ``spec`` end to end (data, events, statistics, facts) in memory."""
    from backtest.report.summary import dumps, series_provenance, software_versions
    from backtest.stats import random_entry_band

    load = _Loader(spec, data_dir, policy)
    step("loading and validating data")
    market = load(spec.series)
    step("building the event source")
    source = build_source(spec, load)
    rules = build_rules(spec, source)
    horizons = horizons_of(spec.claim.horizons)
    check_horizons_fit(horizons, market.close.index, market.name)
    step("detecting events and measuring forward windows")
    detection = run_event_study(market, rules, horizons)
    study = detection
    benchmark_info = None
    if spec.benchmark is not None:
        bench = load(spec.benchmark)
        label = f"{market.name} / {bench.name}"
        measured = relative_series(market.close, bench.close, label)
        dates = tuple(detection.table["event_date"])
        if not dates:
            raise InsufficientDataError(f"{spec.origin}: no event to measure against the benchmark")
        relative_rules = EventRules(source=DateList(dates, label=f"events of {market.name}"), entry=rules.entry)
        study = run_event_study(measured, relative_rules, horizons)
        benchmark_info = {"relative_to": spec.benchmark, "measured": label, "data": series_provenance(bench),
                          "note": "events are detected on the series and measured on series / benchmark (rebased to 100); "
                                  "the bootstrapped-path null does not apply to dates carried over from another series"}
    step(f"statistics: {n_draws:,} random-entry draws, {n_paths:,} bootstrapped paths")
    statistics = analyze_events(study, n_draws=n_draws, n_paths=n_paths, seed=seed, claim=spec.claim.direction)
    band = None
    if study.n_events:
        band = random_entry_band(study, length=max(h.days for h in horizons), n_draws=10_000, seed=seed)
    judged = spec.judged_horizons()
    conclusion = overall_verdict(
        {label: statistics[label].verdict_a.outcome for label in judged},
        {label: statistics[label].verdict_b.outcome for label in judged},
        claim=spec.claim.direction,
    )
    step("checking the facts")
    facts = tuple(check_fact(fact, load, spec) for fact in spec.facts)
    dates = study.table["event_date"]
    published = pd.Timestamp(spec.claim.published) if spec.claim.published else None
    out_of_sample = [d for d in dates if published is not None and d > published]
    summary: dict[str, Any] = {
        "schema_version": 1,
        "kind": "claim",
        "name": spec.name,
        "claim": {
            "title": spec.claim.title, "statement": spec.claim.statement, "source": spec.claim.source,
            "published": spec.claim.published, "direction": spec.claim.direction,
            "horizons": list(spec.claim.horizons), "verdict_horizons": list(judged),
        },
        "spec": spec.to_dict(),
        "event_source": {
            "kind": spec.event.kind,
            "description": source.describe(),
            "rules": rules.describe(),
            "price_only": bool(source.price_only),
            "filters": [f"{Condition(build_line(f.line, load), f.operator, f.level).describe()}" for f in spec.filters],
            "notes": list(detection.source_notes),
            "path_null_skipped": statistics.path_null_skipped,
        },
        "benchmark": benchmark_info,
        "parameters": {
            "rules": rules.to_dict(),
            "horizons": [{"label": h.label, "days": h.days, "months": h.months} for h in horizons],
            "seed": seed, "n_draws": n_draws, "n_paths": statistics.n_paths, "path_band_draws": band.n_draws if band else 0,
        },
        "data": series_provenance(market),
        "events": {
            "n": study.n_events,
            "dates": list(dates),
            "n_pending": {h.label: int(study.table[f"pending_{h.label}"].sum()) for h in horizons},
            "out_of_sample": out_of_sample,
        },
        "statistics": statistics.to_dict(),
        "conclusion": conclusion,
        "facts": [fact.to_dict() for fact in facts],
        "software": software_versions(),
    }
    summary = json.loads(dumps(summary))  # exactly what summary.json holds, so the report reads the same values
    return ClaimResult(spec=spec, study=study, statistics=statistics, conclusion=conclusion, facts=facts,
                       summary_data=summary, market_series=market, detection_study=detection, band=band)
