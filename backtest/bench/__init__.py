"""Benchmarks: how fast and how lean the library is, against its references.

``montecarlo`` (numba random-entry draws and bootstrap indices against numpy and arch),
``sweep`` (our sweep against vectorbt, our SPA against arch), ``scaling`` (one sweep on
1..n workers, Dask and processes), ``study`` (a whole study, cold and warm), ``claim``
(each gallery claim's time to its answer and report, the robustness panel's cost per
specification, and a plain reference of the primary test) and ``power`` (the simulated
power, claim by claim). Shared
measuring helpers (wall time, peak memory, CPU count) are in ``measure``. Only the CLI
(``backtest bench ...``) imports this package; nothing in the library depends on it.
"""
