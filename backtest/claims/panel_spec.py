"""The tables of a pooled claim: many series in one spec, and the abnormal-return model.

``read_pooled_tables(values, origin, base_dir)`` reads ``[series]`` (exactly one of ``name``,
``names``, ``group``, ``universe``), ``[benchmark]`` (``model``, ``series``,
``estimation_window``, ``min_observations``) and ``[analysis] pooled_primary`` from the raw
TOML mapping into frozen ``PooledTables``; ``single_series_tables`` gives the rest of the
spec as a one-series spec, which ``backtest.claims.spec`` validates as any claim. Every
problem is one ``SpecError`` line naming the file and the key, with a did-you-mean hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtest.claims.spec_models import did_you_mean, shown
from backtest.errors import SpecError
from backtest.stats.pooled import DEFAULT_ESTIMATION_WINDOW, DEFAULT_MIN_ESTIMATION_OBS, MODELS

POOLED_PRIMARY_TESTS: tuple[str, ...] = ("panel_shift", "kolari_pynnonen")
"""The tests a pooled claim may declare primary (``[analysis] pooled_primary``)."""

DEFAULT_POOLED_PRIMARY = "panel_shift"
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

SERIES_KEYS = ("name", "names", "group", "universe", "daily_only")
BENCHMARK_KEYS = ("model", "series", "estimation_window", "min_observations")
_ONE_OF = ("name", "names", "group", "universe")


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


def _table(origin: str, values: Mapping[str, Any], key: str) -> dict[str, Any]:
    raw = values.get(key, {})
    if not isinstance(raw, Mapping):
        raise SpecError(f"{origin}: [{key}]: must be a table, got {shown(raw)}")
    return dict(raw)


def is_pooled(values: Mapping[str, Any]) -> bool:
    """Whether a raw spec is a pooled claim's: its [series] names many series (``names``,
    ``group`` or ``universe``) or its [benchmark] names a ``model``."""
    series = values.get("series")
    benchmark = values.get("benchmark")
    many = isinstance(series, Mapping) and any(key in series for key in ("names", "group", "universe"))
    return many or (isinstance(benchmark, Mapping) and "model" in benchmark)


def _check_keys(origin: str, table: str, values: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for key in values:
        if key not in known:
            raise SpecError(
                f"{origin}: [{table}] {key}: unknown key (known: {', '.join(known)}){did_you_mean(key, known)}"
            )


def _name(origin: str, where: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{origin}: {where}: must be a non-empty string, got {shown(value)}")
    return value


def _panel(origin: str, values: Mapping[str, Any], base_dir: str | Path) -> PanelSpec:
    from backtest.data.catalog import SERIES_GROUPS

    table = _table(origin, values, "series")
    _check_keys(origin, "series", table, SERIES_KEYS)
    given = [key for key in _ONE_OF if key in table]
    if len(given) != 1:
        listed = ", ".join(given) if given else "none"
        raise SpecError(f"{origin}: [series]: give exactly one of name, names, group, universe (got {listed})")
    daily_only = table.get("daily_only", False)
    if not isinstance(daily_only, bool):
        raise SpecError(f"{origin}: [series] daily_only: must be true or false, got {shown(daily_only)}")
    key = given[0]
    if key == "name":
        return PanelSpec(names=(_name(origin, "[series] name", table["name"]),), daily_only=daily_only)
    if key == "names":
        raw = table["names"]
        if not isinstance(raw, list) or not raw:
            raise SpecError(f"{origin}: [series] names: must be a non-empty list of series, got {shown(raw)}")
        names = tuple(_name(origin, f"[series] names {i}", item) for i, item in enumerate(raw, start=1))
        twice = [name for name in names if names.count(name) > 1]
        if twice:
            raise SpecError(f"{origin}: [series] names: {twice[0]!r} is named twice")
        return PanelSpec(names=names, daily_only=daily_only)
    if key == "group":
        group = _name(origin, "[series] group", table["group"])
        if group not in SERIES_GROUPS:
            known = tuple(SERIES_GROUPS)
            raise SpecError(
                f"{origin}: [series] group: must be one of {', '.join(map(repr, known))}, got {group!r}"
                f"{did_you_mean(group, known)}"
            )
        return PanelSpec(names=SERIES_GROUPS[group], group=group, daily_only=daily_only)
    folder_text = _name(origin, "[series] universe", table["universe"])
    folder = Path(folder_text)
    where = folder if folder.is_absolute() else Path(base_dir) / folder
    if not folder.is_absolute() and ".." in folder.parts:
        raise SpecError(f"{origin}: [series] universe: {folder_text!r} leaves the spec's folder; give an absolute path")
    if not where.is_dir():
        raise SpecError(f"{origin}: [series] universe: {folder_text!r} is not a folder")
    files = sorted(path.name for path in where.iterdir() if path.suffix.lower() == ".csv" and path.is_file())
    if not files:
        raise SpecError(f"{origin}: [series] universe: {folder_text!r} holds no CSV file")
    return PanelSpec(names=tuple(str(folder / file) for file in files), universe=folder_text, daily_only=daily_only)


def _benchmark(origin: str, values: Mapping[str, Any]) -> AbnormalReturnModel:
    table = _table(origin, values, "benchmark")
    if "relative_to" in table:
        raise SpecError(
            f"{origin}: [benchmark] relative_to: a pooled claim measures abnormal returns; use model and series instead"
        )
    _check_keys(origin, "benchmark", table, BENCHMARK_KEYS)
    model = table.get("model", "market")
    if model not in MODELS:
        raise SpecError(
            f"{origin}: [benchmark] model: must be one of {', '.join(MODELS)}, got {shown(model)}"
            f"{did_you_mean(str(model), MODELS)}"
        )
    uses_market = model in ("market", "market_adjusted")
    series = table.get("series", DEFAULT_MARKET_SERIES if uses_market else None)
    if series is not None:
        series = _name(origin, "[benchmark] series", series)
        if not uses_market:
            raise SpecError(f"{origin}: [benchmark] series: model {model!r} reads no market series; leave it out")
    window = table.get("estimation_window", list(DEFAULT_ESTIMATION_WINDOW))
    if (
        not isinstance(window, list)
        or len(window) != 2
        or not all(isinstance(day, int) and not isinstance(day, bool) for day in window)
    ):
        raise SpecError(
            f"{origin}: [benchmark] estimation_window: must be two trading-day offsets [first, last], "
            f"got {shown(window)}"
        )
    first, last = window
    if not first < last < 0:
        raise SpecError(
            f"{origin}: [benchmark] estimation_window: must satisfy first < last < 0 (days before the event), "
            f"got [{first}, {last}]"
        )
    fitted = {"market": 2, "mean_adjusted": 1}.get(model, 0)
    min_obs = table.get("min_observations", min(DEFAULT_MIN_ESTIMATION_OBS, last - first + 1))
    if not isinstance(min_obs, int) or isinstance(min_obs, bool) or not fitted + 1 <= min_obs <= last - first + 1:
        raise SpecError(
            f"{origin}: [benchmark] min_observations: must be an integer from {fitted + 1} to the window's "
            f"{last - first + 1} days, got {shown(min_obs)}"
        )
    return AbnormalReturnModel(model=model, series=series, estimation_window=(first, last), min_observations=min_obs)


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
    panel = _panel(origin, values, base_dir)
    benchmark = _benchmark(origin, values)
    analysis = _table(origin, values, "analysis")
    primary = analysis.get("pooled_primary", DEFAULT_POOLED_PRIMARY)
    if primary not in POOLED_PRIMARY_TESTS:
        raise SpecError(
            f"{origin}: [analysis] pooled_primary: must be one of {', '.join(POOLED_PRIMARY_TESTS)}, "
            f"got {shown(primary)}{did_you_mean(str(primary), POOLED_PRIMARY_TESTS)}"
        )
    return PooledTables(panel=panel, benchmark=benchmark, primary=primary)


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
