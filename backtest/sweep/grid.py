"""Grids of (fast, slow) moving-average windows: range parsing and the pair list.

``parse_windows("5:100:1")`` turns the CLI's range syntax into window lengths (trading
days); ``SweepGrid`` holds the fast and slow windows and lists every pair with fast < slow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from backtest.defaults import MAX_WINDOW_DAYS
from backtest.errors import ParameterError

_PART = re.compile(r"^\s*(\d+)\s*(?::\s*(\d+)\s*(?::\s*(\d+)\s*)?)?$")
MAX_WINDOW = MAX_WINDOW_DAYS
"""The longest window accepted, in trading days (about 400 years: longer than any daily
series). Ranges are checked against it before any window is listed, so ``1:2000000000``
is refused at once instead of filling memory; a window longer than the series at hand is
refused later, once the series is known (``check_windows_fit``)."""


def parse_windows(text: str, name: str = "windows") -> tuple[int, ...]:
    """Window lengths from ``START:STOP[:STEP]`` (STOP inclusive), a single ``N``, or a
    comma-separated list of those, e.g. ``5:100:1``, ``20:300:10``, ``50,100,200``."""
    if not isinstance(text, str) or not text.strip():
        raise ParameterError(f"{name} must be a range like 5:100:1 or a list like 50,200, got {text!r}")
    windows: set[int] = set()
    for part in text.split(","):
        match = _PART.match(part)
        if match is None:
            raise ParameterError(
                f"{name}: cannot read {part.strip()!r} in {text!r}; expected START:STOP[:STEP] "
                "(trading days, STOP inclusive) or N, comma-separated"
            )
        start = int(match.group(1))
        stop = int(match.group(2)) if match.group(2) is not None else start
        step = int(match.group(3)) if match.group(3) is not None else 1
        if start < 1:
            raise ParameterError(f"{name}: windows must be at least 1 trading day, got {start} in {text!r}")
        if step < 1:
            raise ParameterError(f"{name}: step must be a positive integer, got {step} in {text!r}")
        if stop < start:
            raise ParameterError(f"{name}: range {part.strip()!r} is empty (stop {stop} < start {start})")
        if stop > MAX_WINDOW:
            raise ParameterError(
                f"{name}: window {stop:,} in {text!r} is longer than {MAX_WINDOW:,} trading days (about 400 years; "
                "no daily series is that long)"
            )
        windows.update(range(start, stop + 1, step))
    return tuple(sorted(windows))


def _describe(windows: tuple[int, ...]) -> str:
    if len(windows) == 1:
        return str(windows[0])
    return f"{windows[0]}..{windows[-1]} ({len(windows)} windows)"


@dataclass(frozen=True)
class SweepGrid:
    """Fast and slow window lengths (trading days); the pairs are all (f, s) with f < s."""

    fast: tuple[int, ...]
    slow: tuple[int, ...]

    def __post_init__(self) -> None:
        for name in ("fast", "slow"):
            values = getattr(self, name)
            if isinstance(values, str):
                values = parse_windows(values, name)
            try:
                values = tuple(sorted({int(v) for v in values}))
            except (TypeError, ValueError):
                raise ParameterError(f"{name} windows must be integers, got {values!r}") from None
            if not values:
                raise ParameterError(f"{name} windows are empty")
            if values[0] < 1:
                raise ParameterError(f"{name} windows must be at least 1 trading day, got {values[0]}")
            object.__setattr__(self, name, values)
        if self.fast[0] >= self.slow[-1]:
            raise ParameterError(f"no pair with fast < slow: fast {_describe(self.fast)}, slow {_describe(self.slow)}")

    @classmethod
    def from_ranges(cls, fast: str, slow: str) -> SweepGrid:
        """A grid from two range strings (see ``parse_windows``)."""
        return cls(parse_windows(fast, "fast"), parse_windows(slow, "slow"))

    @property
    def windows(self) -> np.ndarray:
        """Every distinct window length of the grid, sorted (one average each)."""
        return np.array(sorted(set(self.fast) | set(self.slow)), dtype=np.int64)

    @property
    def pairs(self) -> np.ndarray:
        """int64[n_pairs, 2] of (fast, slow), fast ascending then slow ascending."""
        fast = np.array(self.fast, dtype=np.int64)
        slow = np.array(self.slow, dtype=np.int64)
        f, s = np.meshgrid(fast, slow, indexing="ij")
        keep = f < s
        return np.column_stack([f[keep], s[keep]])

    @property
    def n_pairs(self) -> int:
        """Pairs with fast < slow, counted without listing them (a grid may be too big to list)."""
        fast = np.array(self.fast, dtype=np.int64)
        slow = np.array(self.slow, dtype=np.int64)
        return int(np.searchsorted(fast, slow, side="left").sum())

    def check_windows_fit(self, n_closes: int, series_name: str = "the series") -> None:
        """Refuse (one line) a grid whose longest window cannot be computed on ``n_closes``
        closes: a cross needs the slow average on two consecutive days."""
        longest = int(self.slow[-1])
        if longest + 1 > n_closes:
            raise ParameterError(
                f"slow window {longest:,} is longer than {series_name} allows: it has {n_closes:,} closes and a "
                f"{longest:,}-day average needs at least {longest + 1:,} to detect a cross; use --slow up to "
                f"{max(n_closes - 1, 1):,}"
            )

    def describe(self) -> str:
        return f"fast {_describe(self.fast)} x slow {_describe(self.slow)}, fast < slow: {self.n_pairs} pairs"

    def to_dict(self) -> dict[str, object]:
        return {"fast": list(self.fast), "slow": list(self.slow), "n_pairs": self.n_pairs}
