"""backtest: a numba-accelerated historical event-study backtester.

Data flows one way: ``data -> signals -> events -> stats -> report`` (``sweep`` runs the
same pipeline over grids of parameters). Each stage is a subpackage. ``backtest.claims``
composes them for a claim stated as data; its entry points are attributes of this package,
imported on first use so that ``import backtest`` stays cheap::

    import backtest as bt
    result = bt.Claim.from_toml("studies/claims/rsi_oversold.toml").run()
"""

__version__ = "0.1.0"

_LAZY = {
    "Claim": "backtest.claims",
    "ClaimResult": "backtest.claims.run",
    "load_spec": "backtest.claims.spec",
    "run_claim": "backtest.claims.run",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'backtest' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
