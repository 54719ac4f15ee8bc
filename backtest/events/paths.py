"""Event-aligned price paths: each entry's following closes rebased to 100.

Used for the "what happened next" figure. Row k of the result is k trading days after
entry; a path that reaches past the data end is NaN there (never extended or filled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backtest.signals.moving_averages import close_array


def aligned_paths(close: pd.Series, entry_pos: np.ndarray, days: int = 252, labels: list[str] | None = None) -> pd.DataFrame:
    """Closes from each entry for ``days`` trading days, rebased to 100 at entry.

    Returns a DataFrame indexed by trading days after entry (0..days), one column per entry.
    """
    values = close_array(close)
    entries = np.asarray(entry_pos, dtype=np.int64)
    n = len(values)
    offsets = np.arange(days + 1)
    positions = entries[None, :] + offsets[:, None]
    inside = (positions < n) & (entries[None, :] < n)
    gathered = np.where(inside, values[np.clip(positions, 0, n - 1)], np.nan)
    base = np.where(entries < n, values[np.clip(entries, 0, n - 1)], np.nan)
    frame = pd.DataFrame(100.0 * gathered / base[None, :], index=pd.RangeIndex(days + 1, name="days_after_entry"))
    if labels is not None:
        frame.columns = labels
    return frame
