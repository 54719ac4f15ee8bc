"""Benchmarks: how fast and how lean the library is, against its references.

``montecarlo`` (numba random-entry draws and bootstrap indices against numpy and arch),
``sweep`` (our sweep against vectorbt, our SPA against arch), ``scaling`` (one sweep on
1..n workers, Dask and processes) and ``study`` (a whole study, cold and warm). Shared
measuring helpers (wall time, peak memory, CPU count) are in ``measure``. Only the CLI
(``backtest bench ...``) imports this package; nothing in the library depends on it.
"""
