"""Unconditional baseline: every eligible day of the sample window measured as if it were an
event, to compare the events against.

Input: an ``EventStudy``. Output: ``EligibleDays`` (the measured days, the pool that the
random-entry Monte Carlo draws from) and ``Baseline`` (per-horizon descriptive statistics,
the same ones ``describe`` computes for the events).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from backtest.errors import ParameterError
from backtest.events import EventStudy, measure_forward
from backtest.events.rules import horizon_offsets
from backtest.events.study import detection_bounds

DESCRIPTIVE_FIELDS: tuple[str, ...] = (
    "n",
    "mean",
    "median",
    "std",
    "hit_rate",
    "mean_max_drawdown",
    "median_max_drawdown",
    "mean_mae",
    "mean_mfe",
    "mean_days_to_trough",
    "share_recovered",
    "mean_days_to_recover",
)


@dataclass(frozen=True)
class Descriptive:
    """Descriptive statistics of one horizon's forward windows (events or all days).

    mean, median, std: of the forward return ``ret`` (std with ddof=1). hit_rate: share of
    windows with ret > 0. mean/median_max_drawdown: of the worst peak-to-trough fall inside
    the window (<= 0; less negative is better). mean_mae / mean_mfe: mean adverse and
    favourable excursion. mean_days_to_trough: trading days to the lowest close.
    share_recovered: share of windows that closed at or above the entry level after their
    trough (or never fell below it); mean_days_to_recover: over those windows only.

    Returns, drawdowns and excursions are fractions (0.05 = 5%), durations trading days;
    every statistic is NaN when ``n`` is 0 (``std`` when ``n`` < 2).

    Parameters
    ----------
    label : str
        The horizon's label.
    n : int
        Complete windows described.
    mean, median, std : float
        Of the forward return ``ret``.
    hit_rate : float
        Share of windows with ret > 0.
    mean_max_drawdown, median_max_drawdown : float
        Of the worst peak-to-trough fall inside the window (<= 0).
    mean_mae, mean_mfe : float
        Mean adverse and favourable excursion.
    mean_days_to_trough : float
        Mean trading days to the lowest close.
    share_recovered : float
        Share of windows that recovered the entry level after their trough.
    mean_days_to_recover : float
        Mean trading days to recover, over the recovered windows only.
    """

    label: str
    n: int
    mean: float
    median: float
    std: float
    hit_rate: float
    mean_max_drawdown: float
    median_max_drawdown: float
    mean_mae: float
    mean_mfe: float
    mean_days_to_trough: float
    share_recovered: float
    mean_days_to_recover: float

    def to_dict(self) -> dict[str, float | int | str]:
        """Every field by name.

        Returns
        -------
        dict[str, float | int | str]
            Field name -> value, in field order.
        """
        return dataclasses.asdict(self)


def _mean_or_nan(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else np.nan


def describe(table: pd.DataFrame, label: str) -> Descriptive:
    """``Descriptive`` of the complete ``label`` windows in an event-style table.

    Rows whose ``pending_<label>`` is True are left out.

    Parameters
    ----------
    table : pd.DataFrame
        An event-style table with the ``measure_forward`` columns of horizon ``label``
        (an ``EventStudy.table`` or an ``EligibleDays.table``).
    label : str
        The horizon's label.

    Returns
    -------
    Descriptive
        Statistics of the complete windows (NaN where there are none).

    Raises
    ------
    ParameterError
        No ``ret_<label>`` column in ``table``.
    """
    if f"ret_{label}" not in table.columns:
        raise ParameterError(f"horizon {label!r} is not in the table (no column ret_{label})")
    done = table.loc[~table[f"pending_{label}"].to_numpy(dtype=bool)]
    ret = done[f"ret_{label}"].to_numpy(dtype=float)
    drawdown = done[f"max_drawdown_{label}"].to_numpy(dtype=float)
    recover = done[f"days_to_recover_{label}"].to_numpy(dtype=float)
    recovered = recover[np.isfinite(recover)]
    n = len(ret)
    return Descriptive(
        label=label,
        n=n,
        mean=_mean_or_nan(ret),
        median=float(np.median(ret)) if n else np.nan,
        std=float(np.std(ret, ddof=1)) if n > 1 else np.nan,
        # same formula as the Monte Carlo kernels (count / n), so ties compare exactly
        hit_rate=float(np.count_nonzero(ret > 0.0) / n) if n else np.nan,
        mean_max_drawdown=_mean_or_nan(drawdown),
        median_max_drawdown=float(np.median(drawdown)) if n else np.nan,
        mean_mae=_mean_or_nan(done[f"mae_{label}"].to_numpy(dtype=float)),
        mean_mfe=_mean_or_nan(done[f"mfe_{label}"].to_numpy(dtype=float)),
        mean_days_to_trough=_mean_or_nan(done[f"days_to_trough_{label}"].to_numpy(dtype=float)),
        share_recovered=len(recovered) / n if n else np.nan,
        mean_days_to_recover=_mean_or_nan(recovered),
    )


@dataclass(frozen=True)
class EligibleDays:
    """Every day of the sample window measured as an entry.

    The sample window is the rules' detection bounds [first_pos, last_pos] (positions into
    ``close``); day p enters at p + entry_lag, like an event dated p. ``table`` has one row
    per day (columns ``day_pos``, ``day_date``, ``entry_pos`` and the ``measure_forward``
    columns); a day is eligible for a horizon when its window is complete there
    (``pending_<label>`` False).

    Parameters
    ----------
    table : pd.DataFrame
        One row per day of the sample window, with its measurements.
    first_pos, last_pos : int
        The detection bounds: positions into ``close`` of the first and last day.
    entry_lag : int
        Trading days from a day to its entry close (0 or 1, from the rules' ``entry``).
    """

    table: pd.DataFrame = field(repr=False)
    first_pos: int
    last_pos: int
    entry_lag: int

    def pool(self, label: str) -> pd.DataFrame:
        """The eligible days of horizon ``label``: rows with a complete window, in date order."""
        if f"pending_{label}" not in self.table.columns:
            raise ParameterError(f"horizon {label!r} was not measured")
        return self.table.loc[~self.table[f"pending_{label}"].to_numpy(dtype=bool)]


def eligible_days(study: EventStudy) -> EligibleDays:
    """Measure every day of ``study``'s sample window with the study's horizons.

    Parameters
    ----------
    study : EventStudy
        Its rules give the sample window and entry timing, its horizons the windows.

    Returns
    -------
    EligibleDays
        Every day of the window measured as an entry.

    Raises
    ------
    ParameterError
        The rules' detection window holds no trading day.
    """
    close = study.close
    first, last = detection_bounds(close.index, study.rules)
    if last < first:
        raise ParameterError(f"the detection window of {study.rules.describe()!r} holds no trading day")
    positions = np.arange(first, last + 1, dtype=np.int64)
    entries = positions + study.rules.entry_lag
    measured = measure_forward(close, entries, study.horizons)
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "day_pos": positions,
                    "day_date": close.index[positions],
                    "entry_pos": entries,
                }
            ),
            measured,
        ],
        axis=1,
    )
    return EligibleDays(table=table, first_pos=first, last_pos=last, entry_lag=study.rules.entry_lag)


@dataclass(frozen=True)
class Baseline:
    """Unconditional statistics per horizon: what every eligible day of the sample window was followed by.

    ``baseline[label]`` gives one horizon's ``Descriptive``.

    Parameters
    ----------
    horizons : dict[str, Descriptive]
        Horizon label -> statistics of its eligible days.
    first_date, last_date : pd.Timestamp
        First and last day of the sample window.
    eligible : EligibleDays
        The measured days the statistics come from.
    """

    horizons: dict[str, Descriptive]
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    eligible: EligibleDays = field(repr=False)

    def __getitem__(self, label: str) -> Descriptive:
        try:
            return self.horizons[label]
        except KeyError:
            raise ParameterError(f"horizon {label!r} is not in the baseline ({', '.join(self.horizons)})") from None

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per horizon x statistic.

        Returns
        -------
        pd.DataFrame
            Columns horizon, statistic (the ``Descriptive`` fields from ``n``), value (float).
        """
        rows = [
            {"horizon": label, "statistic": name, "value": float(getattr(stats, name))}
            for label, stats in self.horizons.items()
            for name in DESCRIPTIVE_FIELDS
        ]
        return pd.DataFrame(rows, columns=["horizon", "statistic", "value"])

    def summary(self) -> str:
        """Plain-text table of the baseline per horizon.

        Returns
        -------
        str
            The sample window, then per horizon: days, mean, median, hit rate, mean max drawdown.
        """
        lines = [
            f"Unconditional baseline: every day {self.first_date.date()} to {self.last_date.date()}",
            f"{'horizon':>8} {'days':>6} {'mean':>8} {'median':>8} {'hit':>6} {'mean mdd':>9}",
        ]
        for label, s in self.horizons.items():
            lines.append(
                f"{label:>8} {s.n:>6} {s.mean:>8.2%} {s.median:>8.2%} {s.hit_rate:>6.0%} {s.mean_max_drawdown:>9.2%}"
            )
        return "\n".join(lines)


def unconditional_baseline(study: EventStudy, eligible: EligibleDays | None = None) -> Baseline:
    """Baseline statistics for every horizon of ``study`` over its eligible days.

    Parameters
    ----------
    study : EventStudy
        The study whose sample window and horizons are measured.
    eligible : EligibleDays or None, default None
        The study's eligible days when already measured (saves measuring them again);
        None measures them.

    Returns
    -------
    Baseline
        One ``Descriptive`` per horizon, with the window's dates.
    """
    eligible = eligible or eligible_days(study)
    table = eligible.table
    horizons = {h.label: describe(table, h.label) for h in study.horizons}
    dates = table["day_date"]
    return Baseline(horizons=horizons, first_date=dates.iloc[0], last_date=dates.iloc[-1], eligible=eligible)


def window_days(study: EventStudy, label: str, entry_pos: np.ndarray) -> np.ndarray:
    """Trading days in horizon ``label``'s window for each entry position (calendar-month
    horizons vary by entry date)."""
    horizon = next((h for h in study.horizons if h.label == label), None)
    if horizon is None:
        raise ParameterError(f"horizon {label!r} is not in the study")
    return horizon_offsets(study.close.index, np.asarray(entry_pos, dtype=np.int64), (horizon,))[:, 0]
