"""Universes of many series read one at a time: a folder of CSV files, or a synthetic panel.

A universe names its series and loads any one of them on request (``close(i)``), with the
benchmark's closes on the calendar every series is measured on (``benchmark()``). Nothing
holds more than the series asked for, so a pooled study over a folder of any size streams
through it (``backtest.stats.pooled_stream``). Both kinds are small picklable descriptions
(a path and file names; a seed and sizes), so a Dask worker loads its own series.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from backtest.checks import check_scalar
from backtest.data.calendar import is_session
from backtest.data.loaders import load_csv
from backtest.data.schema import INDEX_NAME
from backtest.errors import DataError, ParameterError


class Universe(Protocol):
    """What a pooled study reads: the series' names, one series' closes, the benchmark."""

    @property
    def names(self) -> tuple[str, ...]: ...

    def close(self, index: int) -> pd.Series: ...

    def benchmark(self) -> pd.Series: ...


@dataclass(frozen=True)
class FolderUniverse:
    """One series per CSV file of ``folder`` (Yahoo or FRED, read by ``load_csv``: validated
    and size-bounded), in file-name order; the benchmark is the CSV file ``benchmark_path``
    (left out of the series when it lies in ``folder``). Files are read only when asked for."""

    folder: Path
    benchmark_path: Path
    files: tuple[str, ...]

    @classmethod
    def open(cls, folder: str | Path, benchmark: str | Path) -> FolderUniverse:
        """The universe of ``folder``'s ``*.csv`` files (``DataError`` for a missing folder
        or one without CSV files) against the benchmark CSV ``benchmark``."""
        root = Path(folder)
        bench = Path(benchmark)
        if not root.is_dir():
            raise DataError(f"universe: {root} is not a folder")
        if not bench.is_file():
            raise DataError(f"universe benchmark: {bench} is not a file")
        files = tuple(
            sorted(
                path.name
                for path in root.iterdir()
                if path.suffix.lower() == ".csv" and path.is_file() and path.resolve() != bench.resolve()
            )
        )
        if not files:
            raise DataError(f"universe: {root} holds no .csv files")
        return cls(root, bench, files)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(Path(name).stem for name in self.files)

    def close(self, index: int) -> pd.Series:
        return load_csv(self.folder / self.files[index]).close

    def benchmark(self) -> pd.Series:
        return load_csv(self.benchmark_path).close


@dataclass(frozen=True)
class SyntheticUniverse:
    """``n_series`` daily series of ``n_days`` exchange sessions from 1995-01-02, made one at a
    time from ``seed``: series i's return is beta_i m_t + e_it, m the benchmark's return
    (normal, 0.03 % a day, 1 % sd) and e independent normal (1.5 % sd), beta_i uniform in
    0.5..1.5, so any two series are correlated through m (about 0.2 to 0.5). A fifth of the
    series start late (listed up to a third of the way in), so windows go missing as they
    do in a real universe. Series i depends on (seed, i) only: any worker rebuilds it alone.
    """

    n_series: int
    n_days: int
    seed: int = 0

    def __post_init__(self) -> None:
        check_scalar(self.n_series, "n_series", int, min_val=1)
        check_scalar(self.n_days, "n_days", int, min_val=2)
        check_scalar(self.seed, "seed", int, min_val=0)

    @property
    def names(self) -> tuple[str, ...]:
        width = len(str(self.n_series - 1))
        return tuple(f"S{i:0{width}d}" for i in range(self.n_series))

    def dates(self) -> pd.DatetimeIndex:
        """The first ``n_days`` New York Stock Exchange sessions from 1995-01-02 (the
        sessions ``load_csv`` keeps, so a universe written to CSV files reads back whole)."""
        weekdays = pd.bdate_range("1995-01-02", periods=self.n_days * 21 // 20 + 30)
        sessions = weekdays[is_session(weekdays.to_numpy())][: self.n_days]
        return pd.DatetimeIndex(sessions, name=INDEX_NAME)

    def _market_returns(self) -> np.ndarray:
        return np.random.default_rng([self.seed, 0]).normal(0.0003, 0.01, self.n_days)

    def benchmark(self) -> pd.Series:
        closes = 100.0 * np.cumprod(1.0 + self._market_returns())
        return pd.Series(closes, index=self.dates(), name="benchmark")

    def close(self, index: int) -> pd.Series:
        if not 0 <= index < self.n_series:
            raise ParameterError(f"series index must lie in [0, {self.n_series}), got {index}")
        rng = np.random.default_rng([self.seed, 1, index])
        beta = rng.uniform(0.5, 1.5)
        returns = beta * self._market_returns() + rng.normal(0.0, 0.015, self.n_days)
        start = int(rng.integers(0, self.n_days // 3)) if rng.random() < 0.2 else 0
        closes = 50.0 * np.cumprod(1.0 + returns[start:])
        return pd.Series(closes, index=self.dates()[start:], name=self.names[index])


def years_to_days(years: float) -> int:
    """Trading days in ``years`` years (252 a year)."""
    return int(round(252 * check_scalar(years, "years", float, min_val=1)))
