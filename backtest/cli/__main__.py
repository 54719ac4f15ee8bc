"""``python -m backtest.cli``: the same CLI as ``python -m backtest`` and ``backtest``."""

from backtest.cli import run

if __name__ == "__main__":
    run()
