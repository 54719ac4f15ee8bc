"""backtest: test a market-timing claim ("after X, the market gained over the next N months")
against history, and against what any random day would have given.

Start from a `Claim`: what was said, on which series, which event, which horizons. Run it,
then read the answer, the numbers and the pictures:

```python
import backtest as bt

claim = bt.Claim(
    title="Oversold Russell 2000",
    statement="When the Russell 2000's 14-day RSI drops below 30, gains follow over the next 3 months.",
    series="russell2000",
    event={"kind": "threshold", "indicator": "rsi", "window": 14, "level": 30, "cross": "below"},
    horizons=["1m", "3m"],
    rules={"start": "1990-01-01"},
)
result = claim.run()               # a ClaimResult
print(result.summary())            # the verdict first, then the statistics
result.plot("paths")               # matplotlib Axes: the events' mean path vs random days
events = result.to_frame()         # one row per event, every measurement
result.report("results/oversold")  # report.md, report.html, summary.json, figures
```

A claim also comes from a spec file, ``bt.Claim("studies/claims/rsi_oversold.toml")``, or
from a dict of its TOML tables, ``bt.Claim({"claim": {...}, "series": {...}, ...})``
(every table and key: ``docs/claims.md``). ``bt.load_series("russell2000")`` gives a
validated daily series (``MarketSeries``: ``close``, provenance, validation findings) from
the data the claim would read: ``--data-dir`` / ``$BACKTEST_DATA_DIR``, else the built-in
dataset shipped with the package.

Underneath, data flow one way, one subpackage per stage: ``data -> signals -> events ->
stats -> report`` (``sweep`` runs the same pipeline over grids of parameters);
``backtest.claims`` composes them. The names above are imported on first use, so that
``import backtest`` stays cheap: `backtest.claims.Claim`, `backtest.claims.run.ClaimResult`,
`backtest.data.load_series`.
"""

__version__ = "0.1.0"

_LAZY = {
    "Claim": "backtest.claims",
    "ClaimResult": "backtest.claims.run",
    "load_series": "backtest.data",
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
