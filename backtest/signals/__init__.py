"""Signals: moving averages and their crossovers (numba kernels behind typed wrappers)."""

from backtest.signals.moving_averages import crossovers, moving_average

__all__ = ["crossovers", "moving_average"]
