"""The tables of a pooled claim: many series in one spec, and the abnormal-return model.

``read_pooled_tables(values, origin, base_dir)`` reads ``[series]`` (exactly one of ``name``,
``names``, ``group``, ``universe``), ``[benchmark]`` (``model``, ``series``,
``estimation_window``, ``min_observations``) and ``[analysis] pooled_primary`` through their
typed models (``PooledSeriesTable``, ``PooledBenchmarkTable``, ``PooledAnalysisTable``: the
claim's path, ``backtest.claims.spec_models.validated``) into frozen ``PooledTables``;
``single_series_tables`` gives the rest of the spec as a one-series spec, which
``backtest.claims.spec`` validates as any claim. Every problem is one ``SpecError`` line
naming the file and the key, with a did-you-mean hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from backtest.claims.spec_models import (
    AnalysisTable,
    Refusal,
    SpecContext,
    SpecTable,
    Text,
    did_you_mean,
    shown,
    validated,
)
from backtest.data.catalog import SERIES_GROUPS
from backtest.stats.pooled import DEFAULT_ESTIMATION_WINDOW, DEFAULT_MIN_ESTIMATION_OBS, MODELS

PrimaryTest = Literal["panel_shift", "kolari_pynnonen"]
"""A test a pooled claim may declare primary (``POOLED_PRIMARY_TESTS``, as a type)."""
POOLED_PRIMARY_TESTS: tuple[str, ...] = get_args(PrimaryTest)
"""The tests a pooled claim may declare primary (``[analysis] pooled_primary``)."""

DEFAULT_POOLED_PRIMARY: PrimaryTest = "panel_shift"
"""The circular-shift test on all series together (``backtest.stats.pooled.panel_shift_test``).

It is the default because it keeps whatever dependence the panel has: every series' events
shift by the same number of days, so events clustered on the same dates (a market-wide
golden cross shows up in most sectors within weeks) stay clustered in the null, and the
test needs no model of the cross-correlation. It is also the single-series claim's primary
test, so a one-series panel answers as the single claim does. Kolari-Pynnönen (2010)
corrects the BMP t for the residual correlation instead, which relies on the correlation
being stable and on normal-ish standardised CARs; it is the declared alternative."""

DEFAULT_MARKET_SERIES = "SPY"
"""The default ``[benchmark] series`` of the market model: the catalog's broad market series
that is daily and total return (adjusted close) over the sector ETFs' whole span, from the
same provider and on the same calendar; the indices (DJI, RU1000PR) are price only, so their
returns would leave dividends in every sector's alpha."""


@dataclass(frozen=True)
class PanelSpec:
    """[series] of a pooled claim: the series, in the order given (``names``; a group's
    members; a universe folder's CSV files, sorted, as paths relative to the spec), where
    they came from (``group`` or ``universe``, else None) and ``daily_only``."""

    names: tuple[str, ...]
    group: str | None = None
    universe: str | None = None
    daily_only: bool = False

    def describe(self) -> str:
        """In words: 'the catalog group "sectors" (9 series)'."""
        if self.group is not None:
            return f'the catalog group "{self.group}" ({len(self.names)} series)'
        if self.universe is not None:
            return f"the CSV files of {self.universe} ({len(self.names)} series)"
        return f"{len(self.names)} named series"


@dataclass(frozen=True)
class AbnormalReturnModel:
    """[benchmark] of a pooled claim: the expected-return model (``backtest.stats.pooled``'s
    ``MODELS``; "raw": none), the market series it reads, the estimation window (trading days
    relative to the event day, both ends included) and the fewest estimation returns an
    event needs."""

    model: str = "market"
    series: str | None = DEFAULT_MARKET_SERIES
    estimation_window: tuple[int, int] = DEFAULT_ESTIMATION_WINDOW
    min_observations: int = DEFAULT_MIN_ESTIMATION_OBS

    @property
    def uses_market(self) -> bool:
        return self.model in ("market", "market_adjusted")


@dataclass(frozen=True)
class PooledTables:
    """What a pooled spec adds to a claim spec: its series, its model, its primary test."""

    panel: PanelSpec
    benchmark: AbnormalReturnModel
    primary: str = DEFAULT_POOLED_PRIMARY


def is_pooled(values: Mapping[str, Any]) -> bool:
    """Whether a raw spec is a pooled claim's: its [series] names many series (``names``,
    ``group`` or ``universe``) or its [benchmark] names a ``model``."""
    series = values.get("series")
    benchmark = values.get("benchmark")
    many = isinstance(series, Mapping) and any(key in series for key in ("names", "group", "universe"))
    return many or (isinstance(benchmark, Mapping) and "model" in benchmark)


# ---------------------------------------------------------------------------------------
# The models of the pooled tables
# ---------------------------------------------------------------------------------------

ModelName = Literal["market", "market_adjusted", "mean_adjusted", "raw"]
"""An abnormal-return model's name (``backtest.stats.pooled.MODELS``, as a type)."""
GroupName = Literal["small caps", "large caps", "sectors"]
"""A catalog group's name (``backtest.data.catalog.SERIES_GROUPS``, as a type)."""
for _type, _names in ((ModelName, MODELS), (GroupName, tuple(SERIES_GROUPS))):
    if get_args(_type) != _names:  # pragma: no cover - a registry edited without its type
        raise ImportError(f"panel_spec: {_type} must list {_names} in their order")


def _one_of(known: tuple[str, ...], quoted: bool = False) -> Any:
    """A check before a name's type: a name outside ``known`` is refused with the known
    ones and the one probably meant."""

    def check(value: object) -> object:
        if value not in known:
            listed = ", ".join(map(repr, known)) if quoted else ", ".join(known)
            got = repr(value) if quoted else shown(value)
            raise Refusal(f"must be one of {listed}, got {got}{did_you_mean(str(value), known)}")
        return value

    return BeforeValidator(check)


def _series_list(value: object) -> object:
    if not isinstance(value, list) or not value:
        raise Refusal(f"must be a non-empty list of series, got {shown(value)}")
    return value


def _window(value: object) -> object:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(day, int) and not isinstance(day, bool) for day in value)
    ):
        raise Refusal(f"must be two trading-day offsets [first, last], got {shown(value)}")
    return value


def universe_files(base_dir: str | Path, universe: str) -> tuple[str, ...]:
    """The CSV files of a ``universe`` folder, sorted, as paths relative to the spec's folder
    (or absolute, as the folder is given); ``Refusal`` when the folder leaves the spec's
    folder, is not one, or holds no CSV file."""
    folder = Path(universe)
    where = folder if folder.is_absolute() else Path(base_dir) / folder
    if not folder.is_absolute() and ".." in folder.parts:
        raise Refusal(f"{universe!r} leaves the spec's folder; give an absolute path")
    if not where.is_dir():
        raise Refusal(f"{universe!r} is not a folder")
    files = sorted(path.name for path in where.iterdir() if path.suffix.lower() == ".csv" and path.is_file())
    if not files:
        raise Refusal(f"{universe!r} holds no CSV file")
    return tuple(str(folder / file) for file in files)


class PooledSeriesTable(SpecTable):
    """[series] of a pooled claim: exactly one of ``name`` (one series), ``names`` (a list),
    ``group`` (a catalog group, ``backtest.data.catalog.SERIES_GROUPS``) or ``universe`` (a
    folder of CSV files, relative to the spec's folder); ``daily_only``: each series read
    from its last gap of over a week on."""

    name: Text | None = None
    names: Annotated[list[Text], BeforeValidator(_series_list), Field(min_length=1)] | None = None
    group: Annotated[GroupName, _one_of(tuple(SERIES_GROUPS), quoted=True)] | None = None
    universe: Text | None = None
    daily_only: bool = False

    @model_validator(mode="after")
    def _one_source(self, info: ValidationInfo) -> PooledSeriesTable:
        given = [key for key in ("name", "names", "group", "universe") if getattr(self, key) is not None]
        if len(given) != 1:
            listed = ", ".join(given) if given else "none"
            raise Refusal(f"give exactly one of name, names, group, universe (got {listed})")
        if self.names is not None:
            twice = [name for name in self.names if self.names.count(name) > 1]
            if twice:
                raise Refusal(f"{twice[0]!r} is named twice", "names")
        context = info.context
        if self.universe is not None and isinstance(context, SpecContext):
            try:
                universe_files(context.base_dir, self.universe)
            except Refusal as exc:
                raise Refusal(str(exc), "universe") from None
        return self


class PooledBenchmarkTable(SpecTable):
    """[benchmark] of a pooled claim: the expected-return model (``model``; "raw": none),
    the market series it reads (``series``: the market models only, default
    ``DEFAULT_MARKET_SERIES``), the estimation window (``[first, last]`` trading days
    relative to the event day, both ends included, ``first < last < 0``) and the fewest
    estimation returns an event needs (``min_observations``: more than the model fits, at
    most the window's days)."""

    model: Annotated[ModelName, _one_of(MODELS)] = "market"
    series: Text | None = None
    estimation_window: Annotated[list[int], BeforeValidator(_window), Field(min_length=2, max_length=2)] = Field(
        default_factory=lambda: list(DEFAULT_ESTIMATION_WINDOW)
    )
    min_observations: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_relative(cls, values: Any) -> Any:
        if isinstance(values, Mapping) and "relative_to" in values:
            raise Refusal("a pooled claim measures abnormal returns; use model and series instead", "relative_to")
        return values

    @model_validator(mode="after")
    def _checks(self) -> PooledBenchmarkTable:
        if self.series is not None and not self.uses_market:
            raise Refusal(f"model {self.model!r} reads no market series; leave it out", "series")
        first, last = self.estimation_window
        if not first < last < 0:
            raise Refusal(
                f"must satisfy first < last < 0 (days before the event), got [{first}, {last}]", "estimation_window"
            )
        fitted = {"market": 2, "mean_adjusted": 1}.get(self.model, 0)
        if self.min_observations is not None and not fitted + 1 <= self.min_observations <= last - first + 1:
            raise Refusal(
                f"must be an integer from {fitted + 1} to the window's {last - first + 1} days, "
                f"got {self.min_observations}",
                "min_observations",
            )
        return self

    @property
    def uses_market(self) -> bool:
        return self.model in ("market", "market_adjusted")

    def abnormal_return_model(self) -> AbnormalReturnModel:
        """The model with its defaults filled in: the market series of a market model, the
        fewest observations (at most the window's days)."""
        first, last = self.estimation_window
        return AbnormalReturnModel(
            model=self.model,
            series=self.series if self.series is not None or not self.uses_market else DEFAULT_MARKET_SERIES,
            estimation_window=(first, last),
            min_observations=(
                self.min_observations
                if self.min_observations is not None
                else min(DEFAULT_MIN_ESTIMATION_OBS, last - first + 1)
            ),
        )


class PooledAnalysisTable(AnalysisTable):
    """[analysis] of a pooled claim: the claim's keys and the test declared primary
    (``pooled_primary``, default ``DEFAULT_POOLED_PRIMARY``)."""

    pooled_primary: Annotated[PrimaryTest, _one_of(POOLED_PRIMARY_TESTS)] = DEFAULT_POOLED_PRIMARY


def read_pooled_tables(values: Mapping[str, Any], origin: str, base_dir: str | Path = ".") -> PooledTables:
    """[series], [benchmark] and [analysis] pooled_primary of a pooled spec (module docstring).

    Parameters
    ----------
    values : mapping
        The whole spec as ``tomllib`` returns it.
    origin : str
        The spec's file (or "<code>"), the start of every error line.
    base_dir : str or Path
        The spec's folder, where a relative ``universe`` folder is read.

    Returns
    -------
    PooledTables
    """
    context = SpecContext(str(base_dir))
    series: PooledSeriesTable = validated(PooledSeriesTable, origin, "series", values.get("series", {}), context)
    benchmark: PooledBenchmarkTable = validated(
        PooledBenchmarkTable, origin, "benchmark", values.get("benchmark", {}), context
    )
    analysis: PooledAnalysisTable = validated(
        PooledAnalysisTable, origin, "analysis", values.get("analysis", {}), context
    )
    if series.group is not None:
        panel = PanelSpec(names=SERIES_GROUPS[series.group], group=series.group, daily_only=series.daily_only)
    elif series.universe is not None:
        names = universe_files(base_dir, series.universe)
        panel = PanelSpec(names=names, universe=series.universe, daily_only=series.daily_only)
    else:
        names = tuple(series.names) if series.names is not None else (str(series.name),)
        panel = PanelSpec(names=names, daily_only=series.daily_only)
    return PooledTables(panel=panel, benchmark=benchmark.abnormal_return_model(), primary=analysis.pooled_primary)


def single_series_tables(values: Mapping[str, Any], series: str) -> dict[str, Any]:
    """The spec as a one-series claim on ``series``: [series] names only it, [benchmark] and
    [analysis] pooled_primary left out (read by ``read_pooled_tables``), every other table
    as given, so that the event, its rules and filters are validated as any claim's."""
    out = {key: value for key, value in values.items() if key != "benchmark"}
    raw_series = values.get("series", {})
    daily_only = raw_series.get("daily_only") if isinstance(raw_series, Mapping) else None
    out["series"] = {"name": series, **({"daily_only": daily_only} if daily_only is not None else {})}
    if isinstance(values.get("analysis"), Mapping):
        out["analysis"] = {key: value for key, value in values["analysis"].items() if key != "pooled_primary"}
    return out
