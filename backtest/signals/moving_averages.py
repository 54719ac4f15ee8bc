"""Moving averages and crossover signals on a price series.

Thin typed wrappers around ``backtest.signals.nb``: they validate inputs, convert a
pandas Series to a float64 array, call the kernel and put the index back. Every value on
day t depends only on closes up to day t (no look-ahead).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from backtest.checks import check_trading_days
from backtest.errors import ParameterError
from backtest.signals import nb

MovingAverageKind = Literal["sma", "ema"]
Direction = Literal["golden", "death"]

_KIND_CODES = {"sma": nb.SMA, "ema": nb.EMA}
_DIRECTION_CODES = {"golden": nb.GOLDEN, "death": nb.DEATH}


def kind_code(kind: str) -> int:
    """Kernel code of a moving-average kind ("sma" or "ema")."""
    try:
        return _KIND_CODES[kind]
    except KeyError:
        raise ParameterError(f"ma kind must be 'sma' or 'ema', got {kind!r}") from None


def average_kernel(kind: int) -> Callable[[np.ndarray, int], np.ndarray]:
    """The kernel of a moving-average kind code: ``nb.sma_nb`` or ``nb.ema_nb``. Chosen here,
    in Python, so that a run compiles only the kind it uses: a kernel that branches on the
    code compiles both (~0.7 s of an SMA study's cold start)."""
    return nb.ema_nb if kind == nb.EMA else nb.sma_nb


def direction_code(direction: str) -> int:
    """Kernel code of a cross direction ("golden" = fast crosses above, "death" = below)."""
    try:
        return _DIRECTION_CODES[direction]
    except KeyError:
        raise ParameterError(f"direction must be 'golden' or 'death', got {direction!r}") from None


def check_window(name: str, window: int) -> int:
    """Validate a moving-average window (a positive integer number of trading days, at most
    ``MAX_WINDOW_DAYS``: ``backtest.checks.check_trading_days``)."""
    return check_trading_days(window, name)


def close_array(close: pd.Series) -> np.ndarray:
    """Float64 array of a close series, rejecting NaN, inf and non-positive values."""
    # writable, like the arrays kernels build for themselves: numba compiles a kernel once
    # per array type, and a read-only view (pandas copy-on-write) is another type
    values = np.require(close.to_numpy(dtype=np.float64), requirements=("C", "W"))
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        first = close.index[int(np.argmax(bad))]
        raise ParameterError(
            f"close series {close.name!r} has {int(bad.sum())} missing or non-positive values "
            f"(first on {first}); load it through backtest.data, which validates and reports them"
        )
    return values


def moving_average(close: pd.Series, window: int, kind: MovingAverageKind = "sma") -> pd.Series:
    """Trailing moving average of ``close`` over ``window`` trading days.

    SMA: mean of the last ``window`` closes. EMA: span ``window``, ``adjust=False``, seeded
    with the first close (pandas ``ewm(span=window, adjust=False)``). NaN until ``window``
    closes exist.
    """
    window = check_window("window", window)
    values = average_kernel(kind_code(kind))(close_array(close), window)
    return pd.Series(values, index=close.index, name=f"{kind}_{window}")


def crossovers(fast: pd.Series, slow: pd.Series, direction: Direction = "golden") -> pd.Series:
    """True on each day the fast average crosses the slow one in ``direction``.

    A golden cross on day t means fast <= slow on t-1 and fast > slow on t (death: the
    mirror), with both averages defined on both days.
    """
    if not fast.index.equals(slow.index):
        raise ParameterError("fast and slow averages must share the same index")
    flags = nb.crossings_nb(
        np.ascontiguousarray(fast.to_numpy(dtype=np.float64)),
        np.ascontiguousarray(slow.to_numpy(dtype=np.float64)),
        direction_code(direction),
    )
    return pd.Series(flags, index=fast.index, name=f"{direction}_cross")
