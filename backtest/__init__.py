"""backtest: a numba-accelerated historical event-study backtester.

Data flows one way: ``data -> signals -> events -> stats -> report`` (``sweep`` runs the
same pipeline over grids of parameters). Each stage is a subpackage.
"""

__version__ = "0.1.0"
