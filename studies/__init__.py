"""The study scripts: one module per question, each composing the library (see ``backtest.studies``).

Installed, this folder is the package ``backtest_studies``; ``backtest study --list`` names them.
"""
