"""Trading the Russell 2000 golden cross: long while the 50-day average is above the 200-day, vs buy-and-hold since 1985.

Simulates the rule with vectorbt (``backtest.strategy.compare_trend_rule``) at the cross-day close
and at the next close, with 0.10% and zero cost per side, against buy-and-hold; repeats it on
FRED's price and total-return indices to 2019-01-10; checks every trade against the event
engine's golden and death crosses. ``backtest.report.strategy_report`` writes
``results/russell2000_ma_strategy/``: report.md, report.html, summary.json, metrics.csv,
trades.csv and figures.

Run: ``backtest study russell2000-ma-strategy`` or ``python studies/russell2000_ma_strategy.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from backtest.data import load_series
from backtest.project import results_dir
from backtest.report.strategy_report import write_strategy_report
from backtest.stats import DEFAULT_SEED
from backtest.strategy import TrendComparison, TrendStrategy, compare_trend_rule
from backtest.studies import run_as_script

NAME = "russell2000_ma_strategy"
DEFAULT_OUTPUT = results_dir(__file__) / NAME

FEE = 0.001  # 0.10% per side: a round trip in an index fund or future, spread and commission together
FEES = (FEE, 0.0)
RULE = TrendStrategy(fast=50, slow=200, ma="sma", start="1985-01-01", execution="close", first_entry="cross", fee=FEE)
SECTIONS = ("1985_latest", "same_period_fred")
TITLE = "Trading the Russell 2000 golden cross vs buy-and-hold"
QUESTION = (
    "Would trading the Russell 2000's golden cross - long while the 50-day simple moving average is above the "
    "200-day, in cash otherwise - have beaten buying and holding since 1985, after costs?"
)


def compare(
    data_dir: Path | None = None, *, step: Callable[[str], None] = lambda _: None, policy: str = "lenient"
) -> TrendComparison:
    """The simulations, in memory: the rule on the spliced Russell 2000 (signals and position),
    then on FRED's price index holding the price or the total-return index."""
    step("loading and validating data")
    russell2000, price, total_return = (
        load_series(name, data_dir=data_dir, policy=policy) for name in ("russell2000", "RU2000PR", "russell2000-tr")
    )
    return compare_trend_rule(
        russell2000, RULE, fees=FEES, price=price, total_return=total_return, sections=SECTIONS, step=step
    )


def run(
    data_dir: Path | None = None,
    output_dir: Path = DEFAULT_OUTPUT,
    *,
    seed: int = DEFAULT_SEED,
    n_draws: int | None = None,
    n_paths: int | None = None,
    step: Callable[[str], None] = lambda _: None,
    policy: str = "lenient",
) -> Path:
    """Compute and write the study; returns the output directory. The simulation draws no
    random numbers: ``seed``, ``n_draws`` and ``n_paths`` are accepted (the common study
    signature) and change nothing, so they are not recorded either."""
    del seed, n_draws, n_paths
    comparison = compare(data_dir, step=step, policy=policy)
    step("writing the report")
    return write_strategy_report(
        comparison, output_dir, study=NAME, question=QUESTION, title=TITLE, index_name="Russell 2000"
    )


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
