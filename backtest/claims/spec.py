"""Claim specs: a TOML file that states a market-timing claim as data.

``load_spec(path)`` reads and validates a spec into a frozen ``ClaimSpec`` (every table a
frozen dataclass of plain values); ``spec_from_dict(mapping, origin)`` does the same for a
mapping built in code. Any problem is a ``SpecError`` whose one line names the file and the
key (``claims/rsi.toml: [event] window: must be an integer, got '14'``), with a hint where a
near miss is likely. The ``[event]`` table is read by its kind (``backtest.claims.kinds``). A relative path is read from the spec's folder only (never above it; a
file elsewhere needs an absolute path), every file a spec names must be a regular file within
its kind's size limit (``backtest.files``), and a dates file must read as a CSV of dates. The
report folder's name, given or derived from the file's name, is checked here too. What a
claim could never test is refused here, before a run: a level outside its indicator's range
(``INDICATOR_TABLE``: each indicator's unit and range), a series name the catalog does not
know, a start after the series' last close. Of the market data, only the catalog and each
series' first and last dates are read.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from backtest.claims.kinds import EVENT_KINDS, EventSpec, LineSpec, event_kind
from backtest.defaults import MAX_WINDOW_DAYS
from backtest.errors import ParameterError, SpecError
from backtest.files import CLAIM_SPEC, SERIES_CSV, FileKind, check_file, read_text


@dataclass(frozen=True)
class IndicatorInfo:
    """One line a threshold, a line cross or a filter reads: what it is, its unit in words,
    and the values it can take (``low``/``high``, None for no bound; ``*_closed``: the bound
    itself can be taken), so that a ``level`` it can never reach is refused with its unit.
    ``window``: the default window (None: it takes none); ``reads_series``: it reads the
    other series a spec names by ``series``; ``fraction``: its unit is a fraction, so a
    level written in percent gets a "did you mean" hint."""

    name: str
    what: str
    unit: str
    low: float | None = None
    high: float | None = None
    low_closed: bool = False
    high_closed: bool = False
    window: int | None = None
    reads_series: bool = False
    fraction: bool = False

    def levels(self) -> str:
        """The values it takes: 'in [0, 100]', '> -1', 'any number'."""
        if self.low is not None and self.high is not None:
            left, right = "[" if self.low_closed else "(", "]" if self.high_closed else ")"
            return f"in {left}{self.low:g}, {self.high:g}{right}"
        if self.low is not None:
            return f"{'>=' if self.low_closed else '>'} {self.low:g}"
        if self.high is not None:
            return f"{'<=' if self.high_closed else '<'} {self.high:g}"
        return "any number"

    def range_text(self) -> str:
        """What a level must do, to follow 'must': 'lie in [0, 100]', 'be > -1'."""
        levels = self.levels()
        return f"lie {levels}" if levels.startswith("in ") else f"be {levels}"

    def contains(self, level: float) -> bool:
        """Whether the indicator can take the value ``level``."""
        if self.low is not None and (level < self.low or (level == self.low and not self.low_closed)):
            return False
        return not (self.high is not None and (level > self.high or (level == self.high and not self.high_closed)))

    def never_past(self, level: float, side: str) -> bool:
        """Whether the indicator can never be strictly ``side`` ("below"/"above") of a level it
        can take: only at a closed bound (RSI is never below 0, a drawdown never above 0)."""
        if side == "below":
            return self.low is not None and self.low_closed and level == self.low
        return self.high is not None and self.high_closed and level == self.high

    def suggestion(self, level: float) -> float | None:
        """The level probably meant by one outside the range: a fraction written in percent
        (-20 for -0.20) or with the wrong sign (0.2 for a drawdown of -0.2); None if none fits."""
        if not self.fraction:
            return None
        candidates = (level / 100, -level / 100) if abs(level) >= 1 else (-level,)
        for candidate in candidates:
            if self.contains(candidate) and not (
                self.never_past(candidate, "below") or self.never_past(candidate, "above")
            ):
                return candidate
        return None


_PRICE_UNITS = "the series' own price units, like its closes (index points, dollars)"
INDICATOR_TABLE: tuple[IndicatorInfo, ...] = (
    IndicatorInfo("close", "the close itself", _PRICE_UNITS, low=0.0),
    IndicatorInfo(
        "rsi",
        "Wilder's relative strength index of the last `window` daily changes",
        "RSI is 0–100 points: 0 = only losses, 100 = only gains; 30 is read as oversold, 70 as overbought",
        low=0.0,
        high=100.0,
        low_closed=True,
        high_closed=True,
        window=14,
    ),
    IndicatorInfo(
        "rate_of_change",
        "the return over the last `window` trading days (close / close `window` days earlier - 1)",
        "a fraction: 0.05 = +5%, -0.10 = -10%",
        low=-1.0,
        window=21,
        fraction=True,
    ),
    IndicatorInfo(
        "zscore",
        "(close - mean) / standard deviation of the last `window` closes",
        "standard deviations: -2 = two below the mean",
        window=20,
    ),
    IndicatorInfo(
        "drawdown",
        "the fall from the running peak (close / highest close so far - 1)",
        "a fraction of the running peak: -0.20 = 20% below it",
        low=-1.0,
        high=0.0,
        high_closed=True,
        fraction=True,
    ),
    IndicatorInfo("sma", "simple moving average of the last `window` closes", _PRICE_UNITS, low=0.0, window=200),
    IndicatorInfo("ema", "exponential moving average of the closes (span `window`)", _PRICE_UNITS, low=0.0, window=200),
    IndicatorInfo(
        "level",
        "the value of another series (`series`) as known at each close",
        "the other series' own units: VIX in points, TNX in percent",
        reads_series=True,
    ),
    IndicatorInfo(
        "change",
        "the change of another series (`series`) over its last `window` observations",
        "the other series' change in its own units: TNX -0.5 = down 50 basis points",
        window=63,
        reads_series=True,
    ),
    IndicatorInfo(
        "relative_volume",
        "the volume of another series (`series`) / its mean over the `window` days before",
        "a ratio: 1.5 = 50% above its average, 1 = average",
        low=0.0,
        low_closed=True,
        window=50,
        reads_series=True,
    ),
)
"""Every indicator a spec may name: the one table the spec template, `claim new`, the docs
(``docs/claims.md``) and every error read."""
INDICATOR_INFO = {info.name: info for info in INDICATOR_TABLE}
INDICATORS = tuple(INDICATOR_INFO)
SERIES_INDICATORS = tuple(info.name for info in INDICATOR_TABLE if info.reads_series)
WINDOW_DEFAULTS = {info.name: info.window for info in INDICATOR_TABLE if info.window is not None}


def indicator_reference(prefix: str = "#   ") -> str:
    """The indicator table as the spec template's comment lines, two per indicator (the
    template holds exactly these: a test compares them)."""
    lines = []
    for info in INDICATOR_TABLE:
        window = f" (window {info.window})" if info.window is not None else ""
        lines.append(f"{prefix}{info.name}{window}: {info.what}")
        levels = info.levels()
        lines.append(f"{prefix}    level{':' if levels == 'any number' else ''} {levels}; {info.unit}")
    return "\n".join(lines) + "\n"


def indicator_markdown() -> str:
    """The indicator table as a Markdown table (``docs/claims.md`` holds exactly this: a test
    compares them)."""
    rows = [
        "| indicator | what it is | default `window` | valid `level` | unit |",
        "|---|---|---|---|---|",
    ]
    for info in INDICATOR_TABLE:
        window = str(info.window) if info.window is not None else "none"
        rows.append(f"| `{info.name}` | {info.what} | {window} | {info.levels()} | {info.unit} |")
    return "\n".join(rows) + "\n"


OPERATORS = ("<", "<=", ">", ">=")
DIRECTIONS = ("gains", "losses")
ROUGHLY_FACTOR = 3.0
"""A figure within this many tolerances of ours is 'roughly' right, unless ``roughly`` is given."""
FACT_STATUSES = ("confirmed", "roughly", "not confirmed", "not checkable")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
"""A report folder's name: [claim] name, or the one derived from the spec's file name or title.
A letter or digit first (never ``.`` or ``..``, never hidden), then letters, digits, ``_ . -``,
100 characters at most (a folder name is 255 bytes at most, and its staging folder adds ~20)."""
NAME_RULE = "a folder name: letters, digits, _ . -, a letter or digit first, 100 characters at most"
_HORIZON_LABEL = re.compile(r"^(?:(?P<months>[1-9][0-9]*)m|(?P<days>[1-9][0-9]*)d)$")
DEFAULT_HORIZON_LABELS = ("1m", "3m", "6m", "9m", "12m")


# ---------------------------------------------------------------------------------------
# The spec's tables
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimText:
    """[claim]: what was claimed, by whom, when, in which direction, over which horizons."""

    title: str
    statement: str
    direction: str = "gains"
    horizons: tuple[str, ...] = DEFAULT_HORIZON_LABELS
    verdict_horizons: tuple[str, ...] = ()
    source: str | None = None
    published: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class FilterSpec:
    """[[filters]]: a condition that must hold on the event day (and each confirmation day)."""

    line: LineSpec
    operator: str
    level: float


@dataclass(frozen=True)
class RulesSpec:
    """[rules]: the timing rules of every source (``backtest.events.EventRules``)."""

    start: str | None = None
    end: str | None = None
    confirm: int = 0
    min_gap: int = 0
    entry: str = "close"


@dataclass(frozen=True)
class FactSpec:
    """[[facts]]: a checkable figure: the return of ``series`` over ``period`` (fractions:
    0.052 = 5.2%), read from closes up to ``as_of``, confirmed within ``tolerance``."""

    statement: str
    figure: float
    period: tuple[str, str]
    series: str | None = None
    as_of: str | None = None
    tolerance: float = 0.005
    roughly: float | None = None
    id: str | None = None
    proxy_note: str = ""

    @property
    def roughly_band(self) -> float:
        """Within it the figure is 'roughly' right (default: three tolerances)."""
        return self.roughly if self.roughly is not None else ROUGHLY_FACTOR * self.tolerance


@dataclass(frozen=True)
class VariantSpec:
    """[[variants]]: the claim re-run with one change: other timing rules (start, end,
    confirm, min_gap, entry; unset = the claim's), another series, added filters, or returns
    measured relative to a benchmark. One row of the report's comparison table."""

    name: str
    description: str = ""
    series: str | None = None
    relative_to: str | None = None
    filters: tuple[FilterSpec, ...] = ()
    start: str | None = None
    end: str | None = None
    confirm: int | None = None
    min_gap: int | None = None
    entry: str | None = None


@dataclass(frozen=True)
class PublishedSpec:
    """[[published]]: an average return after the same events that someone published
    (``figures``: horizon label -> fraction; ``all_days``: their all-days mean where given),
    reproduced with the claim's event on ``series`` from ``start``."""

    source: str
    what: str
    figures: tuple[tuple[str, float], ...]
    all_days: tuple[tuple[str, float], ...] = ()
    series: str | None = None
    start: str | None = None
    note: str = ""


@dataclass(frozen=True)
class AnalysisSpec:
    """[analysis]: optional extra work. calibration: simulated paths per null model (GBM,
    GARCH-t) measuring the size and power of the tests on this claim's rule (0 = skip; its
    cost is estimated with the rest of the run, ``backtest.claims.run.check_claim_work``)."""

    calibration: int = 0


@dataclass(frozen=True)
class RobustnessSpec:
    """[robustness]: which specifications the claim's primary test is re-run on
    (``backtest.claims.robustness``); all on by default, declared before any data are read.
    leave_one_year_out / sub_periods: each calendar year left out in turn (the fragility
    rule reads these) / the sample's halves and thirds; parameters: the event's parameters a
    step either side (dates one to three weeks either side); horizons: the judged horizons a
    month shorter and longer; peers: the series to re-run the claim on (None: the catalog's
    peers of the claim's series; () none)."""

    leave_one_year_out: bool = True
    sub_periods: bool = True
    parameters: bool = True
    horizons: bool = True
    peers: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ClaimSpec:
    """A whole spec: where it came from (``origin``, the file or "<code>"), its folder (for
    relative paths) and its tables. ``daily_only`` ([series] daily_only): every series is
    read from its last gap of over a week on (month-end values before it are left out)."""

    claim: ClaimText
    series: str
    event: EventSpec
    rules: RulesSpec = field(default_factory=RulesSpec)
    filters: tuple[FilterSpec, ...] = ()
    benchmark: str | None = None
    facts: tuple[FactSpec, ...] = ()
    variants: tuple[VariantSpec, ...] = ()
    published: tuple[PublishedSpec, ...] = ()
    analysis: AnalysisSpec = field(default_factory=AnalysisSpec)
    robustness: RobustnessSpec = field(default_factory=RobustnessSpec)
    daily_only: bool = False
    origin: str = "<code>"
    base_dir: str = "."

    @property
    def name(self) -> str:
        """The report folder's name: [claim] name, else the spec file's stem (for a spec built
        in code, the title in lower case with ``_`` between words); checked against
        ``NAME_PATTERN`` when the spec is read."""
        if self.claim.name:
            return self.claim.name
        return (
            Path(self.origin).stem
            if self.origin != "<code>"
            else re.sub(r"[^a-z0-9]+", "_", self.claim.title.lower())[:100].strip("_")
        )

    def resolve(self, relative: str) -> Path:
        """A path of the spec, relative to the spec's folder."""
        return Path(self.base_dir) / relative

    def judged_horizons(self) -> tuple[str, ...]:
        """The horizons the overall verdict reads (``verdict_horizons``, else all)."""
        return self.claim.verdict_horizons or self.claim.horizons

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (JSON-ready), without where it was read from."""
        out = asdict(self)
        out.pop("origin")
        out.pop("base_dir")
        return out


# ---------------------------------------------------------------------------------------
# Reading and checking
# ---------------------------------------------------------------------------------------


class _Table:
    """One table of the spec being read: hands out its keys with type checks and refuses,
    at the end, any key nobody asked for."""

    def __init__(
        self, origin: str, name: str, values: object, base_dir: str = ".", data_dir: str | Path | None = None
    ) -> None:
        self.origin = origin
        self.name = name
        self.base_dir = base_dir
        self.data_dir = data_dir
        if not isinstance(values, Mapping):
            raise self.error(None, f"must be a table, got {_shown(values)}")
        self.values = dict(values)
        self.read: set[str] = set()

    def error(self, key: str | None, message: str) -> SpecError:
        where = f"[{self.name}]" + (f" {key}" if key else "")
        return SpecError(f"{self.origin}: {where}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: object = None, *, required: bool = False) -> Any:
        self.read.add(key)
        if key not in self.values:
            if required:
                # a misspelled required key is named as typed, not reported as missing
                unread = [other for other in self.values if other not in self.read]
                typo = difflib.get_close_matches(key, unread, n=1, cutoff=0.75)
                if typo:
                    raise self.error(typo[0], f"unknown key; did you mean `{key}`?")
                raise self.error(key, "missing (required)")
            return default
        value = self.values[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.error(key, f"must be {_type_name(kind)}, got {_shown(value)}")
        if not isinstance(value, kind):
            raise self.error(key, f"must be {_type_name(kind)}, got {_shown(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(key, f"must be a finite number, got {value!r}")
        return value

    def text(
        self, key: str, default: str | None = None, *, required: bool = False, choices: tuple[str, ...] = ()
    ) -> Any:
        value = self.get(key, str, default, required=required)
        if value is not None and required and not value.strip():
            raise self.error(key, "must not be empty")
        if choices and value is not None and value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def integer(self, key: str, default: int | None = None, *, minimum: int = 0, required: bool = False) -> Any:
        value = self.get(key, int, default, required=required)
        if value is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def days(self, key: str, default: int | None = None, *, minimum: int = 0) -> Any:
        """A window or span in trading days, at most ``MAX_WINDOW_DAYS`` (refused here, before
        any data is read; whether it fits the data is checked once they are loaded)."""
        value = self.integer(key, default, minimum=minimum)
        if value is not None and value > MAX_WINDOW_DAYS:
            raise self.error(
                key,
                f"must be at most {MAX_WINDOW_DAYS:,} trading days (about 400 years: longer than any daily series), "
                f"got {value:,}",
            )
        return value

    def number(self, key: str, default: float | None = None, *, required: bool = False) -> Any:
        return self.get(key, float, default, required=required)

    def date(self, key: str, *, required: bool = False) -> str | None:
        value = self.get(key, (str, _dt.date), None, required=required)
        if value is None:
            return None
        return _check_date(self, key, value)

    def series(self, key: str, *, required: bool = False) -> Any:
        """A series name: a CSV path (relative to the spec's folder, checked as a file) or a
        catalog name, which must exist in the catalog of the run's data source."""
        name = self.text(key, required=required)
        if name is not None:
            self.check_series(key, name)
        return name

    def check_series(self, key: str, name: str) -> None:
        """``name`` (read from ``key``) is a file beside the spec or a catalog name."""
        if looks_like_path(name):
            _check_file(self, key, name)
            return
        from backtest.data.catalog import check_series_name

        try:
            check_series_name(name, self.data_dir)
        except ParameterError as exc:  # the catalog's "unknown series ...; known: ..."
            raise self.error(key, str(exc)) from None

    def line(self, indicator_key: str = "indicator") -> LineSpec:
        """A required line: its indicator (``indicator_key``) with its window and series keys."""
        return _line(self, indicator_key)  # type: ignore[return-value]  # required: never None

    def check_level(self, line: LineSpec, level: float, side: str | None, condition: str) -> None:
        """Refuse a ``level`` that ``line`` never takes (``_check_level``)."""
        _check_level(self, line, level, side, condition)

    def check_file(self, key: str, relative: str, kind: FileKind = SERIES_CSV) -> None:
        """Refuse a file named by ``key`` outside the spec's folder, missing or too big (``_check_file``)."""
        _check_file(self, key, relative, kind)

    def done(self) -> None:
        unknown = [key for key in self.values if key not in self.read]
        if unknown:
            hint = did_you_mean(unknown[0], sorted(self.read))
            raise self.error(unknown[0], f"unknown key (known: {', '.join(sorted(self.read))}){hint}")


def did_you_mean(word: str, known: list[str] | tuple[str, ...]) -> str:
    """'; did you mean `statement`?' for a near miss among ``known`` (difflib), else ''."""
    near = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean `{near[0]}`?" if near else ""


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        _dt.date: "a date",
        dict: "a table",
        bool: "true or false",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _shown(value: object) -> str:
    if isinstance(value, Mapping):
        return "a table"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_date(table: _Table, key: str, value: object) -> str:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    try:
        return _dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise table.error(key, f"must be a date like 2025-07-30, got {value!r}") from None


def check_horizon_label(label: object, where: str = "horizons") -> str:
    """A horizon label of today's reports: 'Nm' (N x 21 trading days, as 1m..12m) or 'Nd'
    (N trading days). Raises ValueError with the reason."""
    if not isinstance(label, str) or not _HORIZON_LABEL.match(label):
        raise ValueError(f"{where}: {label!r} is not a horizon label like '3m' (21 trading days a month) or '63d'")
    return label


def _line(table: _Table, indicator_key: str = "indicator", *, required: bool = True) -> LineSpec | None:
    indicator = table.text(indicator_key, None, required=required, choices=INDICATORS)
    window_key = "window" if indicator_key == "indicator" else f"{indicator_key}_window"
    series_key = "series" if indicator_key == "indicator" else f"{indicator_key}_series"
    window = table.days(window_key, None, minimum=1)
    series = table.text(series_key)
    if indicator is None:
        return None
    info = INDICATOR_INFO[indicator]
    if info.reads_series:
        if series is None:
            raise table.error(
                series_key, f"missing: indicator {indicator!r} reads another series (a catalog name or CSV path)"
            )
    elif series is not None:
        raise table.error(series_key, f"goes with indicator {' or '.join(SERIES_INDICATORS)}, not {indicator!r}")
    if info.window is None and window is not None:
        raise table.error(window_key, f"indicator {indicator!r} takes no window")
    if series is not None:
        table.series(series_key)  # a file that exists, or a name the catalog knows
    return LineSpec(indicator=indicator, window=window if window is not None else info.window, series=series)


def _check_level(table: _Table, line: LineSpec, level: float, side: str | None, condition: str) -> None:
    """Refuse a level ``line`` never takes (outside its indicator's range: one line with the
    value, the range, the unit and, for a fraction written in percent, the level probably
    meant), or one it can never be strictly ``side`` of (RSI below 0: ``condition`` says
    what then never happens)."""
    info = INDICATOR_INFO[line.indicator]
    if not info.contains(level):
        meant = info.suggestion(level)
        hint = f"; did you mean {_level_text(meant)}?" if meant is not None else ""
        raise table.error(
            "level",
            f"{level:g} is outside the range of {info.name}: it must {info.range_text()} ({info.unit}){hint}",
        )
    if side is not None and info.never_past(level, side):
        raise table.error(
            "level",
            f"{info.name} is never {side} {level:g} ({info.unit}), so {condition}",
        )


def _level_text(level: float) -> str:
    """-0.2 as '-0.20' (a fraction reads as hundredths), -0.055 as '-0.055'."""
    return f"{level:.2f}" if round(level, 2) == level else f"{level:g}"


def looks_like_path(name: str) -> bool:
    """A CSV path (relative to the spec) rather than a catalog name."""
    return name.lower().endswith(".csv") or "/" in name or "\\" in name


def _check_file(table: _Table, key: str, relative: str, kind: FileKind = SERIES_CSV) -> None:
    """A file the spec names: a relative path stays inside the spec's folder (``..`` may not
    climb out of it), and the file is a regular file within ``kind``'s size limit."""
    if not os.path.isabs(relative) and os.path.normpath(relative).split(os.sep)[0] == os.pardir:
        raise table.error(
            key,
            f"{_shown(relative)} is outside the spec's folder: a relative path is read from the "
            "spec's folder only; give an absolute path for a file elsewhere",
        )
    path = Path(table.base_dir) / relative
    if not os.path.exists(path):  # follows symbolic links: a dangling one is not found
        raise table.error(key, f"file not found: {relative} (looked in {path.parent})")
    try:
        check_file(path, kind, error=SpecError)
    except SpecError as exc:
        raise table.error(key, str(exc)) from None


def _event(table: _Table) -> EventSpec:
    """[event]: its kind (a registered one, ``backtest.claims.kinds``) reads its own parameters."""
    event = event_kind(table.text("kind", required=True, choices=tuple(EVENT_KINDS))).read(table)
    table.done()
    return event


def _claim(table: _Table) -> ClaimText:
    horizons_raw = table.get("horizons", list, list(DEFAULT_HORIZON_LABELS))
    judged_raw = table.get("verdict_horizons", list, [])
    horizons = []
    for key, raw in (("horizons", horizons_raw), ("verdict_horizons", judged_raw)):
        labels = []
        for label in raw:
            try:
                labels.append(check_horizon_label(label, key))
            except ValueError as exc:
                raise table.error(key, str(exc).partition(": ")[2]) from None
        if len(set(labels)) != len(labels):
            raise table.error(key, f"lists a horizon twice: {labels}")
        horizons.append(tuple(labels))
    if not horizons[0]:
        raise table.error("horizons", "must list at least one horizon")
    outside = [label for label in horizons[1] if label not in horizons[0]]
    if outside:
        raise table.error("verdict_horizons", f"{outside[0]!r} is not among horizons {list(horizons[0])}")
    name = table.text("name")
    if name is not None and not NAME_PATTERN.fullmatch(name):
        raise table.error("name", f"must be {NAME_RULE}, got {_shown(name)}")
    text = ClaimText(
        title=table.text("title", required=True),
        statement=table.text("statement", required=True),
        direction=table.text("direction", "gains", choices=DIRECTIONS),
        horizons=horizons[0],
        verdict_horizons=horizons[1],
        source=table.text("source"),
        published=table.date("published"),
        name=name,
    )
    table.done()
    return text


def _rules(table: _Table) -> RulesSpec:
    rules = RulesSpec(
        start=table.date("start"),
        end=table.date("end"),
        confirm=table.days("confirm", 0),
        min_gap=table.days("min_gap", 0),
        entry=table.text("entry", "close", choices=("close", "next_close")),
    )
    if rules.start and rules.end and rules.start > rules.end:
        raise table.error("end", f"{rules.end} is before start {rules.start}")
    table.done()
    return rules


def _fact(table: _Table) -> FactSpec:
    period = table.get("period", list, required=True)
    if len(period) != 2:
        raise table.error("period", f"must be two dates [start, end], got {_shown(period)}")
    start, end = (_check_date(table, "period", value) for value in period)
    if start >= end:
        raise table.error("period", f"start {start} is not before end {end}")
    series = table.series("series")
    tolerance = table.number("tolerance", 0.005)
    if tolerance < 0:
        raise table.error("tolerance", f"must be >= 0, got {tolerance}")
    roughly = table.number("roughly")
    if roughly is not None and roughly < tolerance:
        raise table.error("roughly", f"must be >= tolerance {tolerance}, got {roughly}")
    fact = FactSpec(
        statement=table.text("statement", required=True),
        figure=table.number("figure", required=True),
        period=(start, end),
        series=series,
        as_of=table.date("as_of"),
        tolerance=tolerance,
        roughly=roughly,
        id=table.text("id"),
        proxy_note=table.text("proxy_note", ""),
    )
    table.done()
    return fact


def _filters(origin: str, raw_filters: object, where: str, make: Any) -> tuple[FilterSpec, ...]:
    if not isinstance(raw_filters, list):
        raise SpecError(f"{origin}: [[{where}]]: must be an array of tables, got {_shown(raw_filters)}")
    out = []
    for i, raw in enumerate(raw_filters, start=1):
        t = make(f"{where} {i}", raw)
        line = _line(t)
        operator = t.text("operator", required=True, choices=OPERATORS)
        level = t.number("level", required=True)
        _check_level(
            t,
            line,  # type: ignore[arg-type]
            level,
            {"<": "below", ">": "above"}.get(operator),
            f"`{line.indicator} {operator} {level:g}` never holds: no event can pass this filter",  # type: ignore[union-attr]
        )
        out.append(FilterSpec(line=line, operator=operator, level=level))  # type: ignore[arg-type]
        t.done()
    return tuple(out)


def _variant(table: _Table, make: Any) -> VariantSpec:
    name = table.text("name", required=True)
    filters = _filters(table.origin, table.get("filters", list, []), f"{table.name} filters", make)
    variant = VariantSpec(
        name=name,
        description=table.text("description", ""),
        series=table.series("series"),
        relative_to=table.series("relative_to"),
        filters=filters,
        start=table.date("start"),
        end=table.date("end"),
        confirm=table.days("confirm"),
        min_gap=table.days("min_gap"),
        entry=table.text("entry", choices=("close", "next_close")),
    )
    table.done()
    return variant


def _figures(
    table: _Table, key: str, horizons: tuple[str, ...], *, required: bool = False
) -> tuple[tuple[str, float], ...]:
    raw = table.get(key, dict, {} if not required else None, required=required)
    out = []
    for label, value in raw.items():
        if label not in horizons:
            raise table.error(key, f"{label!r} is not among the claim's horizons {list(horizons)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise table.error(key, f"{label} must be a finite number (a fraction), got {_shown(value)}")
        out.append((label, float(value)))
    if required and not out:
        raise table.error(key, "must give at least one horizon's figure")
    return tuple(out)


def _published(table: _Table, horizons: tuple[str, ...]) -> PublishedSpec:
    item = PublishedSpec(
        source=table.text("source", required=True),
        what=table.text("what", required=True),
        figures=_figures(table, "figures", horizons, required=True),
        all_days=_figures(table, "all_days", horizons),
        series=table.series("series"),
        start=table.date("start"),
        note=table.text("note", ""),
    )
    table.done()
    return item


def _robustness(table: _Table) -> RobustnessSpec:
    peers = table.get("peers", list, None)
    if peers is not None:
        if not all(isinstance(name, str) and name.strip() for name in peers):
            raise table.error("peers", f"must be a list of series names, got {_shown(peers)}")
        for name in peers:
            table.check_series("peers", name)
        peers = tuple(peers)
    settings = RobustnessSpec(
        leave_one_year_out=table.get("leave_one_year_out", bool, True),
        sub_periods=table.get("sub_periods", bool, True),
        parameters=table.get("parameters", bool, True),
        horizons=table.get("horizons", bool, True),
        peers=peers,
    )
    table.done()
    return settings


def _array(origin: str, values: Mapping[str, Any], key: str) -> list[Any]:
    raw = values.get(key, [])
    if not isinstance(raw, list):
        raise SpecError(f"{origin}: [[{key}]]: must be an array of tables ([[{key}]]), got {_shown(raw)}")
    return raw


TOP_LEVEL = (
    "claim",
    "series",
    "event",
    "rules",
    "filters",
    "benchmark",
    "facts",
    "variants",
    "published",
    "analysis",
    "robustness",
)


def spec_from_dict(
    values: Mapping[str, Any],
    origin: str = "<code>",
    base_dir: str | Path = ".",
    data_dir: str | Path | None = None,
) -> ClaimSpec:
    """Validate a spec given as nested mappings (what ``tomllib`` returns).

    Catalog names are checked against the data source the run will read, ``data_dir``
    (default: the one ``backtest.data.resolve_data_source`` picks), and so are the dates:
    a start after a series' last close, or an end before its first, is refused
    (``backtest.data.catalog.series_span``)."""
    base = str(base_dir)

    def table(name: str, raw: object) -> _Table:
        return _Table(origin, name, raw, base, data_dir)

    table("top level", values)  # a mapping, or one line saying what it is
    for key in values:
        if key not in TOP_LEVEL:
            hint = did_you_mean(key, TOP_LEVEL)
            raise SpecError(f"{origin}: [{key}]: unknown table (known: {', '.join(TOP_LEVEL)}){hint}")
    for key in ("claim", "series", "event"):
        if key not in values:
            raise SpecError(f"{origin}: [{key}]: missing (required)")
    claim = _claim(table("claim", values["claim"]))
    series_table = table("series", values["series"])
    series = series_table.series("name", required=True)
    daily_only = series_table.get("daily_only", bool, False)
    series_table.done()
    event = _event(table("event", values["event"]))
    rules = _rules(table("rules", values.get("rules", {})))
    filters = _filters(origin, _array(origin, values, "filters"), "filters", table)
    benchmark = None
    if "benchmark" in values:
        t = table("benchmark", values["benchmark"])
        benchmark = t.series("relative_to", required=True)
        t.done()
    facts = tuple(_fact(table(f"facts {i}", raw)) for i, raw in enumerate(_array(origin, values, "facts"), start=1))
    variants = tuple(
        _variant(table(f"variants {i}", raw), table)
        for i, raw in enumerate(_array(origin, values, "variants"), start=1)
    )
    names = [variant.name for variant in variants]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise SpecError(f"{origin}: [[variants]] name: {twice!r} is used twice")
    published = tuple(
        _published(table(f"published {i}", raw), claim.horizons)
        for i, raw in enumerate(_array(origin, values, "published"), start=1)
    )
    if published and event_kind(event.kind).fixed_dates:
        raise SpecError(
            f"{origin}: [[published]]: needs an event rule to re-run on another series, not kind {event.kind!r}"
        )
    t = table("analysis", values.get("analysis", {}))
    analysis = AnalysisSpec(calibration=t.integer("calibration", 0))
    t.done()
    robustness = _robustness(table("robustness", values.get("robustness", {})))
    spec = ClaimSpec(
        claim=claim,
        series=series,
        event=event,
        rules=rules,
        filters=filters,
        benchmark=benchmark,
        facts=facts,
        variants=variants,
        published=published,
        analysis=analysis,
        robustness=robustness,
        daily_only=daily_only,
        origin=origin,
        base_dir=base,
    )
    _check_report_name(spec)
    # last, so that every other key is checked before a file the event names is read
    event_kind(spec.event.kind).check_inputs(spec.event, spec.resolve, spec.origin)
    _check_spans(spec, data_dir)
    return spec


def _check_spans(spec: ClaimSpec, data_dir: str | Path | None) -> None:
    """Refuse dates no event can follow: a start after the last close of the series the
    events are detected on, or an end before its first ([rules], each [[variants]] with its
    own series or dates, each [[published]] re-run). Catalog series only, whose span the
    catalog gives cheaply; a series whose data cannot be read is left to the run, which
    says why."""
    from backtest.data.catalog import series_span
    from backtest.errors import DataError

    spans: dict[str, tuple[str, str] | None] = {}

    def span(series: str) -> tuple[str, str] | None:
        if series not in spans:
            try:
                first, last = series_span(series, data_dir)
                spans[series] = (first.date().isoformat(), last.date().isoformat())
            except DataError:
                spans[series] = None
        return spans[series]

    def check(where: str, series: str, start: str | None, end: str | None, own: set[str]) -> None:
        """``own``: the keys ``where`` sets itself; an inherited date is blamed on its series."""
        known = None if looks_like_path(series) else span(series)
        if known is None:
            return
        first, last = known
        if start is not None and start > last:
            key, date, text = "start", start, f"is after the last close of {series} ({last})"
        elif end is not None and end < first:
            key, date, text = "end", end, f"is before the first close of {series} ({first})"
        else:
            return
        if key in own:
            raise SpecError(f"{spec.origin}: {where} {key}: {date} {text}: no event can be found")
        raise SpecError(f"{spec.origin}: {where} series: [rules] {key} {date} {text}: no event can be found")

    rules = spec.rules
    check("[rules]", spec.series, rules.start, rules.end, {"start", "end"})
    for i, variant in enumerate(spec.variants, start=1):
        own = {key for key in ("series", "start", "end") if getattr(variant, key) is not None}
        if own:
            series = variant.series or spec.series
            check(f"[variants {i}]", series, variant.start or rules.start, variant.end or rules.end, own)
    for i, item in enumerate(spec.published, start=1):
        own = {key for key in ("series", "start") if getattr(item, key) is not None}
        if own:
            check(f"[published {i}]", item.series or spec.series, item.start or rules.start, None, own)


def _check_report_name(spec: ClaimSpec) -> None:
    """Refuse a report folder name derived from the file name or title that [claim] name
    would refuse (``...toml`` gives ``..``: the parent folder)."""
    if spec.claim.name is not None or NAME_PATTERN.fullmatch(spec.name):
        return
    if spec.origin == "<code>":
        raise SpecError(f"{spec.origin}: [claim] title gives no usable folder name; set [claim] name ({NAME_RULE})")
    raise SpecError(
        f"{spec.origin}: the report folder's name would be the file's name, {_shown(spec.name)}, which is not "
        f"{NAME_RULE}; set [claim] name or rename the file"
    )


def load_spec(path: str | Path, data_dir: str | Path | None = None) -> ClaimSpec:
    """Read and validate the TOML spec at ``path`` (SpecError: one line naming file and key);
    ``data_dir``: the data the run will read, against which series names and dates are
    checked (default: the source ``backtest.data.resolve_data_source`` picks)."""
    path = Path(path)
    origin = str(path)
    text = read_text(path, CLAIM_SPEC, error=SpecError)  # a regular file of at most 256 KiB
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{origin}: not valid TOML: {exc}") from None
    return spec_from_dict(values, origin=origin, base_dir=path.parent, data_dir=data_dir)
