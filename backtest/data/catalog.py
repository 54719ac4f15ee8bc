"""Named series: the canonical Russell 2000 and every file of the data directory, by name.

``load_series("russell2000")`` (or a Yahoo stem, a FRED id, or a CSV path) returns a validated
``MarketSeries``; ``list_series`` shows the names a data directory offers; ``validation_reports``
gives the per-file reports behind ``backtest data check``; ``check_series_name`` and
``series_span`` answer, before a run, whether a name exists and which dates its series
covers (a claim spec is checked with them). Files are read from the data
source ``resolve_data_source`` picks: a directory of CSV files, or the built-in dataset.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from backtest.data import builtin
from backtest.data.loaders import load_csv
from backtest.data.series import MarketSeries
from backtest.data.sources import DataSource, resolve_data_dir, resolve_data_source
from backtest.data.splice import splice
from backtest.data.validation import (
    DEFAULT_MAX_MOVE,
    DEFAULT_POLICY,
    ValidationReport,
    check_max_move,
    check_policy,
    resolve_run_date,
    validate_file,
)
from backtest.errors import DataNotFoundError, ParameterError
from backtest.files import SERIES_CSV, check_file

FRED_RUSSELL_NOTE = "FRED stopped publishing the Russell indexes in 2019, so this series ends in January 2019"


@dataclass(frozen=True)
class CatalogEntry:
    """A named series: one file, or an older file spliced onto a newer one."""

    name: str
    kind: str  # "yahoo", "fred" or "splice"
    files: tuple[str, ...]  # relative to the data directory, oldest first
    symbols: tuple[str, ...]  # one per file
    description: str
    note: str = ""


_YAHOO_KNOWN = {
    "RUT": ("^RUT", "Russell 2000 price index"),
    "DJI": ("^DJI", "Dow Jones Industrial Average"),
    "VIX": ("^VIX", "CBOE volatility index (no volume)"),
    "TNX": ("^TNX", "10-year Treasury yield in percent (4.2 = 4.2%; no volume)"),
    "SPY": ("SPY", "S&P 500 ETF, adjusted close"),
    "IWM": ("IWM", "Russell 2000 ETF, adjusted close"),
    "XLB": ("XLB", "Materials Select Sector SPDR, adjusted close"),
    "XLE": ("XLE", "Energy Select Sector SPDR, adjusted close"),
    "XLF": ("XLF", "Financials Select Sector SPDR, adjusted close"),
    "XLI": ("XLI", "Industrials Select Sector SPDR, adjusted close"),
    "XLK": ("XLK", "Technology Select Sector SPDR, adjusted close"),
    "XLP": ("XLP", "Consumer Staples Select Sector SPDR, adjusted close"),
    "XLU": ("XLU", "Utilities Select Sector SPDR, adjusted close"),
    "XLV": ("XLV", "Health Care Select Sector SPDR, adjusted close"),
    "XLY": ("XLY", "Consumer Discretionary Select Sector SPDR, adjusted close"),
}
_FRED_KNOWN = {
    "RU2000PR": "Russell 2000 price index (FRED base)",
    "RU2000TR": "Russell 2000 total-return index (FRED base)",
    "RU1000PR": "Russell 1000 price index (FRED base)",
    "RU1000TR": "Russell 1000 total-return index (FRED base)",
    "RU3000PR": "Russell 3000 price index (FRED base)",
    "RU2000GPR": "Russell 2000 Growth price index (month-end values only until 1993)",
    "RU2000VPR": "Russell 2000 Value price index (month-end values only until 1993)",
    "NASDAQCOM": "NASDAQ Composite index",
}
FRED_DISCONTINUED = tuple(series_id for series_id in _FRED_KNOWN if series_id.startswith("RU"))
_BUILT_IN = (
    CatalogEntry(
        "russell2000",
        "splice",
        ("fred/RU2000PR.csv", "yahoo/RUT.csv"),
        ("RU2000PR", "^RUT"),
        "Russell 2000 price level from 1978-12-29: FRED RU2000PR rebased onto ^RUT, then ^RUT",
    ),
    CatalogEntry(
        "russell2000-tr",
        "fred",
        ("fred/RU2000TR.csv",),
        ("RU2000TR",),
        "Russell 2000 total return (dividends reinvested), FRED RU2000TR, 1978-12-29 to 2019-01-10",
        FRED_RUSSELL_NOTE,
    ),
)


def _entries(directory: Path | None) -> dict[str, CatalogEntry]:
    """Built-in names, the snapshot's known files, then any other CSV found in ``directory``."""
    entries = {entry.name: entry for entry in _BUILT_IN}
    for stem, (symbol, description) in _YAHOO_KNOWN.items():
        entries[stem] = CatalogEntry(stem, "yahoo", (f"yahoo/{stem}.csv",), (symbol,), description)
    for series_id, description in _FRED_KNOWN.items():
        note = FRED_RUSSELL_NOTE if series_id in FRED_DISCONTINUED else ""
        entries[series_id] = CatalogEntry(
            series_id, "fred", (f"fred/{series_id}.csv",), (series_id,), description, note
        )
    if directory is not None:
        for kind in ("yahoo", "fred"):
            for path in sorted((directory / kind).glob("*.csv")):
                entries.setdefault(
                    path.stem,
                    CatalogEntry(path.stem, kind, (f"{kind}/{path.name}",), (path.stem,), f"{kind} file {path.name}"),
                )
    return entries


def catalog_files() -> tuple[tuple[str, str], ...]:
    """Every (file, symbol) the catalog knows, Yahoo then FRED: what the built-in dataset
    holds and what ``backtest data update`` fetches."""
    return tuple(
        (entry.files[0], entry.symbols[0])
        for entry in _entries(None).values()
        if entry.kind != "splice" and entry.name == Path(entry.files[0]).stem
    )


def _available(source: DataSource, file: str) -> bool:
    if source.directory is not None and (source.directory / file).is_file():
        return True
    return source.kind != "directory" and file in builtin.builtin_files()


def list_series(data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The series names ``load_series`` accepts, with their files and whether they are present."""
    source = resolve_data_source(data_dir)
    rows = [
        {
            "name": entry.name,
            "kind": entry.kind,
            "symbols": " -> ".join(entry.symbols),
            "files": " + ".join(entry.files),
            "available": all(_available(source, file) for file in entry.files),
            "description": entry.description,
        }
        for entry in _entries(source.directory).values()
    ]
    return pd.DataFrame(rows, columns=["name", "kind", "symbols", "files", "available", "description"])


# -- in-process cache ------------------------------------------------------------------------
# Loading is deterministic given the files' bytes, the options and the run date (the partial-
# bar check compares with it), so a cache keyed on those (file identity by path, size and
# mtime) is safe. Callers get a shallow copy: under pandas copy-on-write, writing into it
# copies, so no caller can alter what another caller receives.
_CACHE_SIZE = 32
_cache: OrderedDict[tuple[object, ...], MarketSeries] = OrderedDict()


def _file_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def _detached(series: MarketSeries) -> MarketSeries:
    bars = None if series.bars is None else series.bars.copy(deep=False)
    return dataclasses.replace(series, close=series.close.copy(deep=False), bars=bars)


def _cached(key: tuple[object, ...], load: Callable[[], MarketSeries]) -> MarketSeries:
    key = (*key, resolve_run_date().date())
    if key in _cache:
        _cache.move_to_end(key)
    else:
        _cache[key] = load()
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return _detached(_cache[key])


# Who wants to hear of every series loaded (the CLI's `study` prints one line per series its
# script loaded). A list, not a single slot, so nested listeners each hear everything.
_listeners: list[Callable[[MarketSeries], None]] = []


@contextlib.contextmanager
def listening_to_loads(callback: Callable[[MarketSeries], None]) -> Iterator[None]:
    """Call ``callback(series)`` for every series ``load_series`` returns inside the block."""
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


def _announce(series: MarketSeries) -> MarketSeries:
    for callback in list(_listeners):
        callback(series)
    return series


def clear_cache() -> None:
    """Forget every series loaded in this process."""
    _cache.clear()


# -- loading ---------------------------------------------------------------------------------


def _as_path(name_or_path: str | os.PathLike[str]) -> Path | None:
    """A path if the argument names a file rather than a catalog name."""
    if not isinstance(name_or_path, str):
        return Path(name_or_path)
    text = name_or_path.strip()
    if "/" in text or os.sep in text or text.lower().endswith(".csv"):
        return Path(text).expanduser()
    return None


def _lookup(name: str, directory: Path | None) -> CatalogEntry:
    entries = _entries(directory)
    by_key = {key.lower(): entry for key, entry in entries.items()}
    for single in entries.values():
        if single.kind != "splice":  # "^RUT" means the ^RUT file, not the splice that ends in it
            by_key.setdefault(single.symbols[0].lower(), single)
    key = name.strip().lower()
    entry = by_key.get(key)
    if entry is None:
        near = difflib.get_close_matches(key, by_key, n=1)
        hint = f" (did you mean {by_key[near[0]].name!r}?)" if near else ""
        raise ParameterError(
            f"unknown series {name!r}{hint}; known: {', '.join(entries)} (or give a path to a Yahoo/FRED CSV file)"
        )
    return entry


def check_series_name(name: str, data_dir: str | os.PathLike[str] | None = None) -> str:
    """The catalog name ``name`` stands for (case-insensitive; a Yahoo symbol such as ``^RUT``
    works too), found without reading any data file, so that a spec can be checked before a
    run. ``data_dir`` is the run's (default: the source ``resolve_data_source`` picks): a
    data directory adds a name for every CSV file it holds. Raises ``ParameterError``
    ("unknown series ..., known: ...", with a "did you mean" for a near miss)."""
    source = resolve_data_source(data_dir)
    return _lookup(name, source.directory).name


def series_span(name: str, data_dir: str | os.PathLike[str] | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last close of the catalog series ``name``, as cheaply as the source
    allows: from the built-in dataset's provenance record (no series is built), else by
    loading the series through the caches (validated once per file, then read back in a
    few milliseconds). Raises what ``load_series`` raises (``ParameterError`` for an
    unknown name, ``DataError`` for a missing or unusable file); the default lenient
    validation, whatever policy the run will use: a peek at the dates, not the run's load."""
    source = resolve_data_source(data_dir)
    entry = _lookup(name, source.directory)
    if source.kind == "built-in":
        records = builtin.builtin_provenance()["series"]
        if all(file in records for file in entry.files):
            # a splice runs from its older file's first close to its newer file's last
            return (
                min(pd.Timestamp(records[file]["first_date"]) for file in entry.files),
                max(pd.Timestamp(records[file]["last_date"]) for file in entry.files),
            )
    # not announced to ``listening_to_loads``: a look at the span, not a load the run made
    series = _load_cached_entry(entry, source, DEFAULT_POLICY, DEFAULT_MAX_MOVE)
    return series.first_date, series.last_date


def _load_file(
    source: DataSource, file: str, *, name: str, symbol: str, note: str, policy: str, max_move: float
) -> MarketSeries:
    """One catalog file from the source; the per-user directory falls back on the built-in
    dataset file by file (it holds only what ``backtest data update`` could fetch)."""
    if source.directory is not None:
        path = source.directory / file
        if os.path.lexists(path):  # what is there is then read, or refused by name
            fresh = load_csv(path, name=name, symbol=symbol, note=note, policy=policy, max_move=max_move)
            if source.kind == "user" and file in builtin.builtin_files():
                return builtin.onto_builtin_history(
                    builtin.load_builtin(file, name=name, symbol=symbol, note=note), fresh
                )
            return fresh
        if source.kind == "directory":
            fetch = (
                f"; fetch it with `backtest data fetch {symbol} --data-dir DIR`" if path.parent.name == "yahoo" else ""
            )
            raise DataNotFoundError(f"series {name!r} needs {path}, which does not exist{fetch}")
    # The built-in series were validated with the default options when the dataset was built;
    # each carries its raw file's recorded report, which the strict policy refuses as it would
    # refuse the raw file.
    return builtin.load_builtin(file, name=name, symbol=symbol, note=note, policy=policy)


def _load_entry(entry: CatalogEntry, source: DataSource, policy: str, max_move: float) -> MarketSeries:
    options = {"policy": policy, "max_move": max_move}
    if entry.kind == "splice":
        older_file, newer_file = entry.files
        older = _load_file(
            source,
            older_file,
            name=Path(older_file).stem,
            symbol=entry.symbols[0],
            note=f"rebased onto {entry.symbols[1]} by the splice",
            **options,
        )
        newer = _load_file(source, newer_file, name=Path(newer_file).stem, symbol=entry.symbols[1], note="", **options)
        return splice(older, newer, name=entry.name)
    return _load_file(source, entry.files[0], name=entry.name, symbol=entry.symbols[0], note=entry.note, **options)


def load_series(
    name_or_path: str | os.PathLike[str],
    data_dir: str | os.PathLike[str] | None = None,
    policy: str = DEFAULT_POLICY,
    max_move: float = DEFAULT_MAX_MOVE,
) -> MarketSeries:
    """Load a named series or a CSV file as a validated ``MarketSeries``.

    Names (case-insensitive): ``russell2000`` (spliced price level from 1978-12-29),
    ``russell2000-tr`` (FRED total return, ends 2019-01-10), each Yahoo file by its stem
    (``RUT``, ``SPY``, ...; ``^RUT`` works too) and each FRED id (``RU2000PR``, ...). A path
    to a CSV file of either format is loaded directly (the format is sniffed from the header).

    Parameters
    ----------
    name_or_path : str or os.PathLike[str]
        A series name as above, or a path to a CSV file.
    data_dir : str or os.PathLike[str] or None, default None
        Directory holding the data files; None: ``$BACKTEST_DATA_DIR``, else the default
        locations (``backtest.data.sources.resolve_data_source``).
    policy : str, default "lenient"
        "lenient" drops unusable rows and lists them in the series' report; "strict" raises
        ``DataError`` on them.
    max_move : float, default 0.15
        Absolute daily log return above which a move is reported for a human look (> 0).

    Returns
    -------
    MarketSeries
        The validated closes with their provenance and validation report.

    Raises
    ------
    ParameterError
        An unknown name (listing the known ones), an unknown policy or a bad ``max_move``.
    DataNotFoundError
        A file or the data directory is missing.
    DataError
        Unusable data under ``policy="strict"``.
    """
    policy = check_policy(policy)
    max_move = check_max_move(max_move)
    path = _as_path(name_or_path)
    if path is not None:
        check_file(path, SERIES_CSV, missing_error=DataNotFoundError)
        return _announce(
            _cached(
                ("file", _file_key(path.resolve()), policy, max_move),
                lambda: load_csv(path, policy=policy, max_move=max_move),
            )
        )
    source = resolve_data_source(data_dir)
    entry = _lookup(str(name_or_path), source.directory)
    return _announce(_load_cached_entry(entry, source, policy, max_move))


def _load_cached_entry(entry: CatalogEntry, source: DataSource, policy: str, max_move: float) -> MarketSeries:
    files = tuple(_source_key(source, file) for file in entry.files)
    return _cached(("entry", entry, files, policy, max_move), lambda: _load_entry(entry, source, policy, max_move))


def _source_key(source: DataSource, file: str) -> tuple[object, ...] | str:
    if source.directory is not None and (source.directory / file).is_file():
        return _file_key(source.directory / file)
    if source.kind == "directory":
        return str(source.directory / file)  # type: ignore[operator]
    table = builtin.BUILTIN_DIR / builtin.TABLE_NAME
    return (builtin.BUILTIN_SOURCE, file, _file_key(table) if table.is_file() else str(table))


def data_files(data_dir: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    """Every CSV file of the data directory: ``yahoo/*.csv`` then ``fred/*.csv``, sorted."""
    directory = resolve_data_dir(data_dir)
    files = tuple(path for kind in ("yahoo", "fred") for path in sorted((directory / kind).glob("*.csv")))
    if not files:
        raise DataNotFoundError(f"{directory} holds no yahoo/*.csv or fred/*.csv files")
    return files


def validation_reports(
    target: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    max_move: float = DEFAULT_MAX_MOVE,
) -> tuple[ValidationReport, ...]:
    """The lenient validation report of every file behind ``target`` (a series name or a CSV
    path), or of every CSV file in the data directory when ``target`` is None.

    Reports are lenient so that all findings are listed; a caller wanting the strict policy
    calls ``report.raise_if_errors()`` on each.
    """
    if target is None:
        return tuple(validate_file(path, max_move=max_move) for path in data_files(data_dir))
    return load_series(target, data_dir=data_dir, max_move=max_move).validation


SERIES_GROUPS: dict[str, tuple[str, ...]] = {
    "small caps": ("russell2000", "IWM", "RU2000PR"),
    "large caps": ("SPY", "DJI", "RU1000PR", "RU3000PR"),
    "sectors": ("XLB", "XLE", "XLF", "XLI", "XLK", "XLP", "XLU", "XLV", "XLY"),
}
"""Named groups of catalog series. "small caps" and "large caps" each measure one market
several ways (an index, its ETF, FRED's copy), so a claim about one member can be checked on
the others (its peers); "sectors" are the SPDR sector ETFs, the universe of a pooled claim."""


def peers_of(name: str) -> tuple[str, ...]:
    """The other members of the group ``name`` belongs to (a catalog name, any case; a
    symbol such as ``^RUT`` counts as its file's name); () when it is in none or a path."""
    key = name.strip().lstrip("^").lower()
    aliases = {"russell2000-tr": "russell2000"}  # the same market, dividends reinvested
    key = aliases.get(key, key)
    for members in SERIES_GROUPS.values():
        lowered = [member.lower() for member in members]
        if key in lowered:
            return tuple(member for member, low in zip(members, lowered) if low != key)
    return ()


_TOTAL_RETURN = {"SPY", "IWM", "XLB", "XLE", "XLF", "XLI", "XLK", "XLP", "XLU", "XLV", "XLY", "RU2000TR", "RU1000TR"}
_LEVELS = {"VIX", "TNX"}


def series_returns(name: str) -> str:
    """What a catalog series' returns are: "price" (an index level: dividends left out),
    "total return" (an ETF's adjusted close or a total-return index: dividends reinvested),
    "level" (a rate or a volatility index, not a price) or "unknown" (a file outside the
    catalog). A figure about a price index is only comparable with a price series."""
    key = name.strip().lstrip("^").upper()
    if key == "RUSSELL2000-TR" or key in _TOTAL_RETURN:
        return "total return"
    if key in _LEVELS:
        return "level"
    if key == "RUSSELL2000" or key in _FRED_KNOWN or key in {"RUT", "DJI"}:
        return "price"
    return "unknown"
