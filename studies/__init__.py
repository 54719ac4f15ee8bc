"""The studies: one spec ``<name>.toml`` per question (a claim, a sweep or a strategy: see
``backtest.claims.jobs``), and beside a few of them a module of the hooks their spec names.

Installed, this folder is the package ``backtest_studies``; ``backtest study --list`` names them.
"""
