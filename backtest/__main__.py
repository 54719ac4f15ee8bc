"""``python -m backtest``: the command-line interface (``backtest.cli``)."""

from backtest.cli import run

if __name__ == "__main__":
    run()
