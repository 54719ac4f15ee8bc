"""Run a claim: spec -> series, source, rules, horizons -> event study -> statistics.

``run_claim(spec)`` loads the data the spec names, builds the event source (filters joined
with ``All``), runs ``run_event_study`` and ``analyze_events`` (in the claim's direction, the
primary joint test over the judged horizons deciding question B), re-runs the whole analysis
for each ``[[variants]]`` row, reproduces the ``[[published]]`` averages with the claim's rule,
runs the ``[analysis]`` calibration, checks the ``[[facts]]`` (``backtest.stats.facts``) and
returns a frozen ``ClaimResult``; ``run_claim_report`` also writes its report, drawing the
figures while the variants run. With a benchmark, events are detected on the series and
measured on series / benchmark. Rendering lives in ``backtest.report.claim_report``; this
module only composes the stages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.claims.facts import FactCheck, check_facts
from backtest.claims.kinds import SourceInputs, event_kind
from backtest.claims.robustness import (
    PRIMARY_TESTS,
    YEAR_PAIRED,
    Neighbour,
    primary_kind,
    primary_test,
    robustness,
)
from backtest.claims.spec import (
    SERIES_INDICATORS,
    ClaimSpec,
    FilterSpec,
    LineSpec,
    VariantSpec,
    looks_like_path,
)
from backtest.claims.verdict import claim_conclusion, no_event_hint
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
    MovingAverage,
    RateOfChange,
    RelativeVolume,
    SeriesChange,
    SeriesLevel,
    ZScore,
    run_event_study,
)
from backtest.events.rules import DEFAULT_HORIZONS, check_horizons_fit
from backtest.stats import DEFAULT_SEED, EventStatistics, analyze_events
from backtest.stats.calendar import study_year_paired_test
from backtest.stats.cost import (
    DEFAULT_MAX_MINUTES,
    NOMINAL_CLOSES,
    NOMINAL_EVENTS,
    ClaimEstimate,
    check_claim_cost,
    estimate_claim,
)
from backtest.stats.montecarlo import DEFAULT_VARIANTS
from backtest.stats.power import DEFAULT_POWER_PATHS, SimulatedPower, simulated_detectable_effect, year_paired_primary
from backtest.stats.regime import RegimeTest, series_regime_test
from backtest.stats.robustness import RobustnessPanel, SpecificationResult
from backtest.stats.verdict import NOT_TESTABLE

DEFAULT_N_DRAWS = 100_000
DEFAULT_N_PATHS = 1_000
VARIANT_N_DRAWS = 10_000
VARIANT_N_PATHS = 250
"""Most draws and paths of a robustness variant (fewer when the claim itself uses fewer).
A variant's verdict rests on its primary test, the circular shift, which draws nothing; the
draws only set the precision of its secondary p-values. At 10,000 draws a random-entry p has
a Monte Carlo standard error of at most 0.005 (0.002 near p = 0.05), at 250 paths a path
p at most 0.032 (0.014 near 0.05): ample for a robustness table, and it cuts the headline
study's statistics from ten full analyses to one full and nine light ones."""
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
            series = load_series(target, data_dir=self.data_dir, policy=self.policy)
            if self.spec.daily_only:
                from backtest.data import daily_segment

                series = daily_segment(series)[0]
            self.loaded[name] = series
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
    if line.indicator == "relative_volume":
        if other.bars is None or "volume" not in other.bars:
            raise SpecError(f"{line.series}: relative_volume needs a series with volumes")
        return RelativeVolume(other.bars["volume"], label=label, window=window)
    if line.indicator == "level":
        return SeriesLevel(other.close, label=label)
    return SeriesChange(other.close, label=label, window=window)


def build_source(spec: ClaimSpec, load: Any, extra_filters: tuple[FilterSpec, ...] = ()) -> Any:
    """The event source of the spec's [event] and [[filters]] (``All`` when filtered), with
    ``extra_filters`` (a variant's) added."""
    inputs = SourceInputs(line=lambda line: build_line(line, load), resolve=spec.resolve, origin=spec.origin)
    source: Any = event_kind(spec.event.kind).source(spec.event, inputs)
    filters = (*spec.filters, *extra_filters)
    if filters:
        source = All(source, *(build_condition(f, load) for f in filters))
    return source


def build_condition(spec: FilterSpec, load: Any) -> Condition:
    return Condition(build_line(spec.line, load), spec.operator, spec.level)


def _price_only(spec: ClaimSpec) -> bool:
    """Whether the spec's rule is a function of the price path alone (so the path null runs),
    read from the spec without loading anything: no dates file, no other series, no benchmark."""
    kind = event_kind(spec.event.kind)
    lines = [*kind.lines(spec.event), *(f.line for f in spec.filters)]
    return (
        not kind.fixed_dates
        and spec.benchmark is None
        and not any(line.indicator in SERIES_INDICATORS for line in lines)
    )


def claim_estimate(
    spec: ClaimSpec,
    *,
    n_draws: int = DEFAULT_N_DRAWS,
    n_paths: int = DEFAULT_N_PATHS,
    closes: int = NOMINAL_CLOSES,
    events: int = NOMINAL_EVENTS,
) -> ClaimEstimate:
    """What running ``spec`` will cost (``backtest.stats.cost``): its analysis, calibration
    and variants, on nominal sizes by default (the data are not loaded yet)."""
    price_only = _price_only(spec)  # otherwise neither the path null nor the calibration runs
    paths = n_paths if price_only else 0
    return estimate_claim(
        draws=n_draws,
        paths=paths,
        horizons=len(spec.claim.horizons),
        closes=closes,
        events=events,
        calibration=spec.analysis.calibration if price_only else 0,
        calibration_horizons=len(spec.judged_horizons()),
        variants=len(spec.variants),
        variant_draws=min(n_draws, VARIANT_N_DRAWS),
        variant_paths=min(paths, VARIANT_N_PATHS),
    )


def check_claim_work(
    spec: ClaimSpec,
    *,
    n_draws: int = DEFAULT_N_DRAWS,
    n_paths: int = DEFAULT_N_PATHS,
    max_minutes: float = DEFAULT_MAX_MINUTES,
    memory: int | None = None,
) -> ClaimEstimate:
    """Refuse (``ParameterError``, one line: the estimate and the option that lifts the limit
    or the one to lower) a claim whose estimated run exceeds ``max_minutes`` or the
    ``memory`` available (bytes; None: not checked). Called before any data is loaded, so
    ``[analysis] calibration = 1000000000`` or ``--draws 1000000000`` is a message, not hours
    of work or a MemoryError."""
    estimate = claim_estimate(spec, n_draws=n_draws, n_paths=n_paths)
    check_claim_cost(estimate, max_minutes=max_minutes, memory=memory, what=f"{spec.origin}: the claim")
    return estimate


def build_rules(spec: ClaimSpec, source: Any, variant: VariantSpec | None = None) -> EventRules:
    """The timing rules of [rules], with a variant's overrides (its unset keys keep the claim's)."""
    r = spec.rules
    values = {"start": r.start, "end": r.end, "confirm": r.confirm, "min_gap": r.min_gap, "entry": r.entry}
    if variant is not None:
        values.update({key: getattr(variant, key) for key in values if getattr(variant, key) is not None})
    return EventRules(source=source, **values)


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
class EventChart:
    """What a report shows of the claim's event kind (``backtest.claims.kinds``): its
    ``wording`` ("a moving-average cross"), how the index chart marks the events
    (``direction``: "golden", "death" or "event") and the lines it draws over the close
    (label -> values on the detection series' days: the moving averages of a cross)."""

    wording: str
    direction: str
    lines: dict[str, pd.Series]


def event_chart(spec: ClaimSpec, close: pd.Series) -> EventChart:
    """The spec's event kind as its report shows it, its lines computed on ``close``."""
    kind = event_kind(spec.event.kind)
    lines = {line.describe(): pd.Series(line.on(close), index=close.index) for line in kind.chart_lines(spec.event)}
    return EventChart(wording=kind.wording, direction=kind.chart_direction(spec.event), lines=lines)


@dataclass(frozen=True)
class EventPaths:
    """What the report's path figures draw, computed by the run so that the report computes
    nothing: each event's closes from ``PATH_DAYS_BEFORE`` trading days before its entry to
    the random-entry band's last day, rebased to 100 at entry (``paths``, one column per
    event named by its date); their mean with its 95% band (``interval``); the mean path of
    the events whose window is complete (``complete_interval``, as many as the band's ``k``,
    so that the two compare), the random-entry band (``random_band``, 5-95%) and the judged
    horizons (label -> trading days) of the answer figure."""

    paths: pd.DataFrame
    interval: pd.DataFrame
    complete_interval: pd.DataFrame
    random_band: pd.DataFrame
    horizons: dict[str, int]
    k: int


def event_paths(study: EventStudy, band: Any, summary: dict[str, Any]) -> EventPaths | None:
    """The ``EventPaths`` of a run (``summary``: summary.json's content, for the judged
    horizons); None without a random-entry band (no complete window)."""
    from backtest.events.paths import aligned_paths, mean_path_interval
    from backtest.report.interactive import PATH_DAYS_BEFORE

    if band is None or band.k <= 0:
        return None
    paths = aligned_paths(
        study.close,
        study.entry_pos,
        days=len(band.event_mean) - 1,
        before=PATH_DAYS_BEFORE,
        labels=[date.date().isoformat() for date in study.table["event_date"]],
    )
    judged = set(summary["claim"]["verdict_horizons"])
    return EventPaths(
        paths=paths,
        interval=mean_path_interval(paths),
        complete_interval=mean_path_interval(paths.loc[0:].dropna(axis=1, how="any")),
        random_band=pd.DataFrame({"low": band.quantiles[0.05], "high": band.quantiles[0.95]}, index=band.days),
        horizons={h["label"]: int(h["days"]) for h in summary["parameters"]["horizons"] if h["label"] in judged},
        k=int(band.k),
    )


@dataclass(frozen=True, eq=False)
class ClaimResult:
    """What a claim's run found: the spec, the event study (measured on the series, or on
    series / benchmark), the statistics, the overall verdict (``conclusion``), the fact checks,
    and ``summary_data`` (summary.json's content, JSON-ready). ``market_series``,
    ``detection_study`` (the study on the series itself), ``event_chart`` (the event kind's
    wording and chart lines) and ``event_paths`` (each event's path, ``event_paths``) feed the
    report; ``warnings`` are one-line notes for the user (a
    ``[rules] start`` before the data), printed by the CLI."""

    spec: ClaimSpec
    study: EventStudy
    statistics: EventStatistics
    conclusion: dict[str, Any]
    facts: tuple[FactCheck, ...]
    summary_data: dict[str, Any]
    market_series: Any = field(repr=False)
    detection_study: EventStudy = field(repr=False)
    event_chart: EventChart = field(repr=False)
    band: Any = field(repr=False, default=None)
    event_paths: EventPaths | None = field(repr=False, default=None)
    warnings: tuple[str, ...] = ()
    robustness: RobustnessPanel | None = field(repr=False, default=None)
    power: SimulatedPower | None = field(repr=False, default=None)
    regime: RegimeTest | None = field(repr=False, default=None)

    @property
    def verdict(self) -> str:
        return str(self.conclusion["overall"])

    def to_frame(self) -> pd.DataFrame:
        """The event table: one row per event, every measurement (events.csv)."""
        return self.study.to_frame()

    def plot(self, kind: str = "paths", *, ax: Any = None) -> Any:
        """One of the report's pictures on matplotlib axes (``ax``, else a new figure's),
        returned for the caller to adjust, combine or save (``ax.figure.savefig``):

        - ``"paths"``: the report's answer figure: the mean path (entry = 100, with its 95%
          confidence band) of the events whose window is complete against the band of random
          entry dates' mean paths, the judged horizons marked: the picture of question B;
        - ``"before"``: each event's path over the days before it, and their mean;
        - ``"drawdowns"``: per event, the deepest fall below the entry close within the
          last horizon, and the return at its end.

        Raises ``ParameterError`` for another kind (before any drawing), or for "paths" when
        the run drew no random-entry band (no complete event window)."""
        from backtest.events.paths import aligned_paths, mean_path_interval
        from backtest.report import figures
        from backtest.report.interactive import PATH_DAYS_BEFORE

        kinds = ("paths", "before", "drawdowns")
        if kind not in kinds:
            raise ParameterError(f"plot kind must be one of {', '.join(kinds)}; got {kind!r}")
        study = self.study
        name = study.series_name or str(study.close.name)
        if kind == "drawdowns":
            labels = [label for label in self.statistics.labels if self.statistics[label].n > 0] or [
                horizon.label for horizon in study.horizons
            ]
            last = labels[-1]
            events = self.to_frame()
            done = ~events[f"pending_{last}"].to_numpy(dtype=bool)
            return figures.plot_event_drawdowns(
                events["event_date"],
                events[f"max_drawdown_{last}"].where(done),
                events[f"ret_{last}"].where(done),
                horizon=last,
                title=f"{name}: each event's deepest fall below the entry close within {last}, and its {last} return",
                ax=ax,
            )
        computed = self.event_paths  # the run's paths and bands, as the report draws them
        if kind == "before":
            if computed is not None:
                paths, interval = computed.paths, computed.interval
            else:  # no complete window: the days before each event only
                paths = aligned_paths(study.close, study.entry_pos, days=0, before=PATH_DAYS_BEFORE)
                interval = mean_path_interval(paths)
            return figures.plot_pre_event_window(
                paths, interval, title=f"{name}: the {PATH_DAYS_BEFORE} days before each event", ax=ax
            )
        if computed is None:
            raise ParameterError(
                "plot('paths') needs the random-entry band, which this run did not draw (no complete event window)"
            )
        # the report's answer figure, the judged horizons marked
        return figures.plot_event_paths(
            computed.complete_interval,
            computed.random_band,
            horizons=computed.horizons,
            title=f"{name}: the events' mean path (entry = 100)",
            random_label=f"random entry: 5–95% of the mean path of {computed.k} random days",
            events_label=f"mean of the {computed.k} events with a complete window",
            ax=ax,
        )

    def answer_lines(self) -> list[str]:
        """The answer in a few lines: the verdict, then one line per horizon."""
        from backtest.report.claim_report import answer_lines

        return answer_lines(self.summary_data)

    def summary(self) -> str:
        """Plain text for a terminal: the answer, the statistics' own summary, then the
        robustness panel, the simulated power and the regime test where they ran."""
        parts = ["\n".join(self.answer_lines())]
        if self.verdict != NOT_TESTABLE:  # a claim without a verdict has no statistic to show
            parts.append(self.statistics.summary())
        parts += [part.summary() for part in (self.robustness, self.power, self.regime) if part is not None]
        return "\n\n".join(parts)

    def report_markdown(self) -> str:
        from backtest.report.claim_report import render_markdown

        return render_markdown(self.summary_data, self.to_frame(), source_kind=self.event_chart.wording)

    def report(self, path: str | Path, *, overwrite: bool | None = None, **options: Any) -> Path:
        """Write the report folder (report.md, report.html, events.csv, summary.json, figures)
        at ``path`` itself (not a parent folder), and nothing outside it. A target that may
        not be written (``backtest._io.preflight``) is refused before any figure is drawn,
        with nothing created. overwrite: may replace a report of another kind or name (None:
        as the enclosing ``backtest._io.overwriting`` block allows). options:
        ``write_claim_report``'s (kind, narrative, extra_figures, command)."""
        from backtest._io import overwriting, preflight
        from backtest.claims.outputs import write_claim_report

        with overwriting(overwrite):
            preflight(path, options.get("kind", "claim"), hint="choose another path or pass overwrite=True")
            return write_claim_report(self, Path(path), **options)

    def _repr_html_(self) -> str:
        from backtest.report.claim_report import answer_html

        return answer_html(self.summary_data)

    def __repr__(self) -> str:
        return f"ClaimResult({self.spec.claim.title!r}: {self.verdict}, {self.study.n_events} events)"


@dataclass(frozen=True)
class _Measured:
    """One run of the claim's rule: the series, the source and rules, the study on the series
    (``detection``) and the study the statistics read (``study``: the same, or on series /
    benchmark), what the benchmark was, and a note on the rules' start (``EventRules.for_data``)."""

    market: Any
    source: Any
    rules: EventRules
    detection: EventStudy
    study: EventStudy
    benchmark: dict[str, Any] | None
    note: str = ""


def _shifted_dates(source: DateList, index: pd.DatetimeIndex, shift: int) -> DateList:
    """``source``'s dates moved by ``shift`` trading days of ``index`` (clipped to the data)."""
    positions = index.searchsorted(pd.DatetimeIndex(source.dates), side="left")
    inside = positions < len(index)
    moved = pd.Series(positions[inside] + shift).clip(0, len(index) - 1).to_numpy()
    return DateList(tuple(index[moved]), label=f"{source.label} moved {shift:+d} trading days")


def _measure(
    spec: ClaimSpec,
    load: Any,
    horizons: tuple[Horizon, ...],
    variant: VariantSpec | None = None,
    date_shift: int = 0,
) -> _Measured:
    """Detect the events (the claim's, or a variant's) and measure their forward windows;
    ``date_shift``: a date list's dates moved by that many trading days (a robustness row)."""
    from backtest.report.summary import series_provenance

    market = load(variant.series if variant is not None and variant.series else spec.series)
    source = build_source(spec, load, variant.filters if variant is not None else ())
    if date_shift and isinstance(source, DateList):
        source = _shifted_dates(source, market.close.index, date_shift)
    rules = build_rules(spec, source, variant)
    check_horizons_fit(horizons, market.close.index, market.name)
    # confirm and min_gap against the data; a start before the data becomes its first close
    # (the same events), so the answer states the window actually analysed
    rules, note = rules.for_data(market.close.index, market.name)
    detection = run_event_study(market, rules, horizons)
    relative_to = variant.relative_to if variant is not None and variant.relative_to else spec.benchmark
    if relative_to is None:
        return _Measured(market, source, rules, detection, detection, None, note)
    bench = load(relative_to)
    label = f"{market.name} / {bench.name}"
    dates = tuple(detection.table["event_date"])
    if not dates:
        raise InsufficientDataError(f"{spec.origin}: no event to measure against the benchmark {relative_to}")
    measured = relative_series(market.close, bench.close, label)
    relative_rules = EventRules(source=DateList(dates, label=f"events of {market.name}"), entry=rules.entry)
    study = run_event_study(measured, relative_rules, horizons)
    info = {
        "relative_to": relative_to,
        "measured": label,
        "data": series_provenance(bench),
        "note": "events are detected on the series and measured on series / benchmark (rebased to 100); "
        "the bootstrapped-path null does not apply to dates carried over from another series",
    }
    return _Measured(market, source, rules, detection, study, info, note)


def _analyze(
    study: EventStudy,
    spec: ClaimSpec,
    n_draws: int,
    n_paths: int,
    seed: int,
    variants: tuple[str, ...] = DEFAULT_VARIANTS,
) -> EventStatistics:
    return analyze_events(
        study,
        n_draws=n_draws,
        n_paths=n_paths,
        seed=seed,
        variants=variants,
        claim=spec.claim.direction,
        claim_horizons=spec.judged_horizons(),
    )


def _variant_row(
    spec: ClaimSpec,
    variant: VariantSpec,
    load: Any,
    horizons: tuple[Horizon, ...],
    n_draws: int,
    n_paths: int,
    seed: int,
) -> dict[str, Any]:
    """One row of the comparison table: the whole analysis re-run with the variant's change."""
    from backtest.report.event_report import compact_horizons

    row: dict[str, Any] = {"name": variant.name, "description": variant.description}
    try:
        measured = _measure(spec, load, horizons, variant)
    except InsufficientDataError as exc:
        return {
            **row,
            "series": variant.series or spec.series,
            "relative_to": variant.relative_to,
            "rules": None,
            "data_end": None,
            "n_events": 0,
            "horizons": [],
            "primary": None,
            "conclusion": None,
            "note": str(exc),
        }
    study = measured.study
    row.update(
        {
            "series": study.series_name,
            "relative_to": (measured.benchmark or {}).get("relative_to"),
            "rules": measured.rules.describe(),
            "data_end": study.close.index[-1],
            "n_events": study.n_events,
        }
    )
    if not study.n_events:
        return {**row, "horizons": [], "primary": None, "conclusion": None, "note": "no event"}
    # a row reads the plain random-entry null only (its p-value and question B's verdict), so
    # the spacing-matched one is not drawn (~0.4 s of CPU over the nine variants)
    stats = _analyze(study, spec, n_draws, n_paths, seed, variants=("plain",))
    primary = stats.primary.to_dict() if stats.primary is not None else None
    return {
        **row,
        "horizons": compact_horizons(stats.to_dict()),
        "primary": None if primary is None else {"statistic": primary["statistic"], "pvalue": primary["pvalue"]},
        "conclusion": claim_conclusion(stats, spec)["overall"],
        "flags": claim_conclusion(stats, spec)["flags"],
        "note": "",
    }


def _published_rows(spec: ClaimSpec, load: Any, horizons: tuple[Horizon, ...]) -> list[dict[str, Any]]:
    """Each [[published]] average beside ours: the claim's rule re-run on its series from its start."""
    from backtest.stats.baseline import describe, unconditional_baseline

    rows = []
    for item in spec.published:
        series = load(item.series or spec.series)
        source = build_source(spec, load)
        rules = build_rules(spec, source, VariantSpec(name="published", start=item.start))
        own = run_event_study(series, rules, horizons)
        baseline = unconditional_baseline(own)
        labels = [label for label, _ in item.figures]
        # what the publisher could have seen: events whose windows closed before publication
        seen = own.table
        if spec.claim.published:
            published = pd.Timestamp(spec.claim.published)
            seen = own.table.copy()
            for label in labels:
                closed = (pd.to_datetime(seen[f"end_date_{label}"]) < published).to_numpy(dtype=bool)
                seen[f"pending_{label}"] = seen[f"pending_{label}"].to_numpy(dtype=bool) | ~closed
        rows.append(
            {
                "source": item.source,
                "what": item.what,
                "series": item.series or spec.series,
                "start": item.start or spec.rules.start,
                "note": item.note,
                "figures": dict(item.figures),
                "all_days": dict(item.all_days),
                "n_events": own.n_events,
                "ours": {label: describe(own.table, label).mean for label in labels},
                "ours_n": {label: describe(own.table, label).n for label in labels},
                "ours_before_publication": {label: describe(seen, label).mean for label in labels},
                "ours_before_publication_n": {label: describe(seen, label).n for label in labels},
                "ours_all_days": {label: baseline[label].mean for label in labels},
            }
        )
    return rows


def _calibration(spec: ClaimSpec, measured: _Measured, statistics: EventStatistics, seed: int) -> dict[str, Any] | None:
    """Size and power of the tests on simulated paths (only for a rule on the price path alone,
    measured on the series itself: a simulated path has no other series)."""
    replications = spec.analysis.calibration
    if not replications or not measured.source.price_only or measured.benchmark is not None:
        return None
    from backtest.claims.calibration_store import cached_calibrate  # scipy.stats: only when calibrating

    rows: list[dict[str, Any]] = []
    for model in ("gbm", "garch_t"):
        result = cached_calibrate(
            measured.market.close,
            measured.rules,
            spec.judged_horizons(),
            null_model=model,
            n_replications=replications,
            seed=seed,
            alpha=statistics.alpha,
        )
        rows += result.to_dict()["rows"]
    return {"n_replications": replications, "alpha": statistics.alpha, "seed": seed, "rows": rows}


def _dating_series(spec: ClaimSpec) -> list[str]:
    """Names of the other series that date or filter the events (a line's ``series``, a
    filter's), or that the returns are measured against (the benchmark), each once."""
    lines = [*event_kind(spec.event.kind).lines(spec.event), *(f.line for f in spec.filters)]
    names = [line.series for line in lines if line.series is not None]
    if spec.benchmark is not None:
        names.append(spec.benchmark)
    return [name for name in dict.fromkeys(names) if name != spec.series]


def _regime(spec: ClaimSpec, market: Any, rules: EventRules, alpha: float) -> RegimeTest | None:
    """The regime test (Brock, Lakonishok & LeBaron 1992) of a kind that declares one (the
    moving-average cross: ``EventKind.regime``), unfiltered: next-day returns while the fast
    line is above the slow one against the rest, over the window analysed; the claim's tail is
    "greater" for golden crosses followed by gains and for death crosses followed by losses
    (both say: returns are higher while fast > slow)."""
    lines = event_kind(spec.event.kind).regime(spec.event)
    if lines is None or spec.filters:
        return None
    close = market.close
    fast = pd.Series(lines.fast.on(close), index=close.index)
    slow = pd.Series(lines.slow.on(close), index=close.index)
    fast_above_helps = lines.event_when_fast_above == (spec.claim.direction == "gains")
    return series_regime_test(
        close,
        fast,
        slow,
        start=rules.start,
        end=rules.end,
        alternative="greater" if fast_above_helps else "less",
        alpha=alpha,
    )


def _primary_summary(
    kind: str,
    primary: SpecificationResult | None,
    statistics: EventStatistics,
    study: EventStudy,
    judged: tuple[str, ...],
) -> dict[str, Any] | None:
    """summary.json's "primary": which test decides question B, its p in both tails and its n
    (events, or years for a calendar claim), and the year-level table of a calendar claim."""
    if primary is None:
        return None
    out: dict[str, Any] = {
        "test": kind,
        "description": PRIMARY_TESTS[kind],
        "statistic": primary.statistic,
        "pvalue": primary.pvalue,
        "pvalue_opposite": primary.pvalue_opposite,
        "n": primary.n_events,
        "unit": "years" if kind == YEAR_PAIRED else "events",
        "excess": primary.excess,
        "year_paired": None,
    }
    if kind == YEAR_PAIRED and primary.testable:
        direction = "greater" if statistics.claim == "gains" else "less"
        out["year_paired"] = study_year_paired_test(
            study, judged[0], alternative=direction, alpha=statistics.alpha
        ).to_dict()
    return out


def run_claim(
    spec: ClaimSpec,
    *,
    data_dir: str | Path | None = None,
    seed: int = DEFAULT_SEED,
    n_draws: int = DEFAULT_N_DRAWS,
    n_paths: int = DEFAULT_N_PATHS,
    n_power_paths: int = DEFAULT_POWER_PATHS,
    policy: str = "lenient",
    step: Any = lambda _: None,
    on_analyzed: Callable[[ClaimResult], object] = lambda _: None,
) -> ClaimResult:
    """Run the claim of ``spec`` end to end (data, events, statistics, the primary test and
    its robustness panel, simulated power, published figures, calibration, facts, variants)
    in memory. ``n_power_paths``: bootstrapped paths of the simulated power (0 skips it).
    ``on_analyzed(result)`` hears the claim's own result before the variants run (its
    ``summary_data["variants"]`` still empty; not called without variants), e.g. to draw its
    figures meanwhile (``run_claim_report``)."""
    from backtest.claims.summary_model import validated_summary
    from backtest.report.summary import series_provenance, software_versions
    from backtest.stats import random_entry_band
    from backtest.stats.outofsample import recent_event_check

    load = _Loader(spec, data_dir, policy)
    horizons = horizons_of(spec.claim.horizons)
    step("loading data, detecting events and measuring forward windows")
    measured = _measure(spec, load, horizons)
    market, source, rules, detection, study = (
        measured.market,
        measured.source,
        measured.rules,
        measured.detection,
        measured.study,
    )
    step(f"statistics: {n_draws:,} random-entry draws, {n_paths:,} bootstrapped paths")
    statistics = _analyze(study, spec, n_draws, n_paths, seed)
    judged = spec.judged_horizons()
    kind = primary_kind(spec, tuple(detection.table["event_date"]))
    primary_row = panel = power = None
    if study.n_events:
        primary = primary_test(study, judged, kind=kind, claim=spec.claim.direction, alpha=statistics.alpha)
        primary_row = primary.evaluate()
        if primary_row.testable:
            step("robustness: the primary test by year, by sub-period, on neighbouring parameters and peers")

            def measure_neighbour(neighbour: Neighbour) -> EventStudy:
                labels = neighbour.spec.claim.horizons
                return _measure(neighbour.spec, load, horizons_of(labels), date_shift=neighbour.date_shift).study

            panel = robustness(spec, primary, measure_neighbour, kind=kind, alpha=statistics.alpha)
            if n_power_paths:
                step(f"simulated power: {n_power_paths} bootstrapped paths with a drift planted after each event")
                power = simulated_detectable_effect(
                    study,
                    judged,
                    claim=spec.claim.direction,
                    primary_test=year_paired_primary if kind == YEAR_PAIRED else None,
                    n_paths=n_power_paths,
                    alpha=statistics.alpha,
                    seed=seed,
                )
    regime = _regime(spec, market, rules, statistics.alpha)
    band = None
    path_band = None
    if study.n_events:
        band = random_entry_band(study, length=max(h.days for h in horizons), n_draws=10_000, seed=seed)
        if band.k:
            path_band = {
                "days": len(band.event_mean) - 1,
                "k": band.k,
                "event_mean": band.event_mean[-1],
                **{f"q{round(q * 100):02d}": v[-1] for q, v in band.quantiles.items()},
            }
    conclusion = claim_conclusion(
        statistics, spec, primary=primary_row, primary_kind=kind, panel=panel, hint=no_event_hint(detection)
    )
    variant_draws, variant_paths = min(n_draws, VARIANT_N_DRAWS), min(n_paths, VARIANT_N_PATHS)
    step("published figures and facts")
    published_rows = _published_rows(spec, load, horizons)
    facts = check_facts(spec, load)
    if spec.analysis.calibration:
        step(f"calibration: {spec.analysis.calibration} simulated paths per null model")
    calibration = _calibration(spec, measured, statistics, seed)
    dates = study.table["event_date"]
    published = pd.Timestamp(spec.claim.published) if spec.claim.published else None
    out_of_sample = [d for d in dates if published is not None and d > published]
    recent = recent_event_check(study).to_dict() if out_of_sample else None
    summary: dict[str, Any] = {
        "schema_version": 1,
        "kind": "claim",
        "name": spec.name,
        "claim": {
            "title": spec.claim.title,
            "statement": spec.claim.statement,
            "source": spec.claim.source,
            "published": spec.claim.published,
            "direction": spec.claim.direction,
            "horizons": list(spec.claim.horizons),
            "verdict_horizons": list(spec.judged_horizons()),
        },
        "spec": spec.to_dict(),
        "event_source": {
            "kind": spec.event.kind,
            "description": source.describe(),
            "rules": rules.describe(),
            "price_only": bool(source.price_only),
            "filters": [build_condition(f, load).describe() for f in spec.filters],
            "notes": list(detection.source_notes),
            "path_null_skipped": statistics.path_null_skipped,
        },
        "benchmark": measured.benchmark,
        "parameters": {
            "rules": rules.to_dict(),
            "horizons": [{"label": h.label, "days": h.days, "months": h.months} for h in horizons],
            "seed": seed,
            "n_draws": n_draws,
            "n_paths": statistics.n_paths,
            "path_band_draws": band.n_draws if band else 0,
            "n_power_paths": n_power_paths if power is not None else 0,
            "variant_n_draws": variant_draws if spec.variants else 0,
            "variant_n_paths": variant_paths if spec.variants else 0,
        },
        "data": series_provenance(market),
        "other_series": [series_provenance(load(name)) for name in _dating_series(spec)],
        "events": {
            "n": study.n_events,
            "dates": list(dates),
            "n_pending": {h.label: int(study.table[f"pending_{h.label}"].sum()) for h in horizons},
            "out_of_sample": out_of_sample,
        },
        "statistics": statistics.to_dict(),
        "primary": _primary_summary(kind, primary_row, statistics, study, judged),
        "robustness": panel.to_dict() if panel is not None else None,
        "power": power.to_dict() if power is not None else None,
        "regime": regime.to_dict() if regime is not None else None,
        "conclusion": conclusion,
        "path_band": path_band,
        "variants": [],  # filled below, once the claim's own result has been handed to on_analyzed
        "published": published_rows,
        "calibration": calibration,
        "recent_event": recent,
        "facts": [fact.to_dict() for fact in facts],
        "software": software_versions(),
    }
    summary_data = validated_summary(summary)
    own = ClaimResult(
        spec=spec,
        study=study,
        statistics=statistics,
        conclusion=conclusion,
        facts=facts,
        # exactly what summary.json holds, so the report reads the same values
        summary_data=summary_data,
        market_series=market,
        detection_study=detection,
        event_chart=event_chart(spec, detection.close),
        band=band,
        event_paths=event_paths(study, band, summary_data),
        warnings=(measured.note,) if measured.note else (),
        robustness=panel,
        power=power,
        regime=regime,
    )
    if not spec.variants:
        return own
    on_analyzed(own)
    variants = []
    for variant in spec.variants:
        step(f"variant: {variant.name}")
        variants.append(_variant_row(spec, variant, load, horizons, variant_draws, variant_paths, seed))
    return dataclasses.replace(own, summary_data=validated_summary({**summary, "variants": variants}))


def run_claim_drawing(
    spec: ClaimSpec, *, on_answer: Callable[[ClaimResult], object] = lambda _: None, **options: Any
) -> tuple[ClaimResult, Any]:
    """``run_claim(spec, **options)`` with its figures drawn beside the rest of the run:
    (result, drawing), ``drawing.result()`` to pass to ``result.report(..., drawn=...)``.
    ``on_answer(own)`` hears the claim's own result as soon as its statistics are done (before
    the variants, before any figure: ``claim run`` prints the answer then); the figures read
    only that analysis, so they start right after it, their PNGs in a second process
    (``backtest.claims.drawing``) while this one runs the variants."""
    from backtest.claims.drawing import start_drawing

    drawing: list[Any] = []

    def analyzed(own: ClaimResult) -> None:
        on_answer(own)
        drawing.append(start_drawing(own))

    result = run_claim(spec, on_analyzed=analyzed, **options)
    if not drawing:  # no variants: run_claim returned the claim's own result
        analyzed(result)
    return result, drawing[0]


def with_family(result: ClaimResult, family: Mapping[str, Any]) -> ClaimResult:
    """``result`` with its place in a family of claims tested together (summary.json's
    ``family``: ``backtest.claims.gallery.family_adjustment``)."""
    from backtest.claims.summary_model import with_validated_family

    return dataclasses.replace(result, summary_data=with_validated_family(result.summary_data, family))


def run_claim_report(
    spec: ClaimSpec,
    folder: str | Path,
    *,
    overwrite: bool | None = None,
    kind: str = "claim",
    narrative: Callable[[ClaimResult], str] | str = "",
    extras: Callable[[ClaimResult], Mapping[str, tuple[str, bytes]]] | None = None,
    command: str = "backtest claim run",
    **options: Any,
) -> tuple[ClaimResult, Path]:
    """``run_claim(spec, **options)`` and its report folder written at ``folder``; returns
    (result, folder). ``narrative`` (text, or made from the result) and ``extras`` (a study's
    own figures, file name -> (caption, PNG bytes), made from the result): see
    ``write_claim_report``. The figures read only the claim's own analysis, so they are drawn
    while the variants run (``run_claim_drawing``)."""
    result, drawing = run_claim_drawing(spec, **options)
    step = options.get("step", lambda _: None)
    step("drawing figures and writing the report")
    path = result.report(
        folder,
        overwrite=overwrite,
        kind=kind,
        narrative=narrative(result) if callable(narrative) else narrative,
        extra_figures=extras(result) if extras else None,
        command=command,
        drawn=drawing.result(),
    )
    return result, path
