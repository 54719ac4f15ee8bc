"""Trading the Russell 2000 golden cross: long while the 50-day average is above the 200-day, vs buy-and-hold since 1985.

Simulates the rule with vectorbt (``backtest.strategy``) at the cross-day close and at the
next close, with 0.10% and zero cost per side, against buy-and-hold; repeats it on FRED's
price and total-return indices to 2019-01-10; checks every trade against the event
engine's golden and death crosses. Writes ``results/russell2000_ma_strategy/``: report.md,
report.html, summary.json, metrics.csv, trades.csv and figures.

Run: ``backtest study russell2000-ma-strategy`` or ``python studies/russell2000_ma_strategy.py``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from backtest.data import load_series
from backtest.project import results_dir
from backtest.report import event_report as sections
from backtest.report.figures import plot_drawdowns, plot_equity_curves
from backtest.report.outputs import csv_text, write_report_directory
from backtest.report.render import figure_png, markdown_table
from backtest.report.summary import dumps, series_provenance, software_versions
from backtest.stats import DEFAULT_SEED
from backtest.strategy import (
    PERIODS_PER_YEAR,
    StrategyResult,
    TrendStrategy,
    buy_and_hold,
    drawdown,
    event_agreement,
    simulate,
    split_by_position,
    trade_statistics,
)
from backtest.studies import run_as_script

NAME = "russell2000_ma_strategy"
DEFAULT_OUTPUT = results_dir(__file__) / NAME

START = "1985-01-01"
FEE = 0.001  # 0.10% per side: a round trip in an index fund or future, spread and commission together
FEES = (FEE, 0.0)
RULE = TrendStrategy(fast=50, slow=200, ma="sma", start=START, execution="close", first_entry="cross", fee=FEE)
EXECUTION_LABELS = {"close": "same-day close", "next_close": "next-day close"}


@dataclass(frozen=True)
class StudyOutputs:
    """What the study writes: summary.json, metrics.csv, trades.csv, figures, report.md."""

    summary: dict[str, Any]
    metrics: pd.DataFrame
    trades: pd.DataFrame
    figures: dict[str, bytes]
    report_markdown: str


def _row(section: str, variant: str, result: StrategyResult) -> dict[str, Any]:
    """One simulated variant as summary.json holds it."""
    return {
        "section": section,
        "variant": variant,
        "label": result.label,
        "series": result.series_name,
        "signal_series": result.signal_name if result.strategy is not None else None,
        "execution": result.strategy.execution if result.strategy is not None else "close",
        "metrics": result.metrics.to_dict(),
        "index_split": split_by_position(result.close, result.invested).to_dict(),
        "trade_stats": trade_statistics(result.trades).to_dict(),
    }


def _simulations(data_dir: Path | None, step: Callable[[str], None], policy: str = "lenient") -> dict[str, Any]:
    russell2000 = load_series("russell2000", data_dir=data_dir, policy=policy)
    price = load_series("RU2000PR", data_dir=data_dir, policy=policy)
    total_return = load_series("russell2000-tr", data_dir=data_dir, policy=policy)

    step("simulating 1985 to latest: buy-and-hold and the 50/200 rule (vectorbt)")
    main: dict[tuple[str, float], StrategyResult] = {}
    for fee in FEES:
        main[("buy_and_hold", fee)] = buy_and_hold(russell2000, start=START, fee=fee, label="buy and hold")
        for execution in ("close", "next_close"):
            rule = RULE.replace(execution=execution, fee=fee)
            main[(f"trend_{execution}", fee)] = simulate(
                russell2000, rule, label=f"50/200 rule, {EXECUTION_LABELS[execution]}"
            )

    step("checking every trade against the event engine's golden and death crosses")
    agreement = {
        execution: event_agreement(main[(f"trend_{execution}", FEE)], russell2000).to_dict()
        for execution in ("close", "next_close")
    }

    step("same period on FRED: price vs total return, 1985 to 2019-01-10")
    end = min(price.last_date, total_return.last_date)
    same: dict[tuple[str, str], StrategyResult] = {}
    for key, traded in (("price", price), ("total_return", total_return)):
        kind = "price" if key == "price" else "total return"
        same[("buy_and_hold", key)] = buy_and_hold(traded, start=START, end=end, fee=FEE, label=f"buy and hold, {kind}")
        for execution in ("close", "next_close"):
            same[(f"trend_{execution}", key)] = simulate(
                price,
                RULE.replace(execution=execution, end=end),
                traded=traded,
                label=f"50/200 rule, {EXECUTION_LABELS[execution]}, {kind}",
            )
    return {
        "russell2000": russell2000,
        "price": price,
        "total_return": total_return,
        "main": main,
        "same": same,
        "agreement": agreement,
    }


def _conclusion(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Differences the report states, from the rows at 0.10% per side (1985 to latest)."""
    by = {(r["section"], r["variant"], r["metrics"]["fee"], r["series"]): r for r in rows}
    main = {
        v: by[("1985_latest", v, FEE, "russell2000")]["metrics"]
        for v in ("buy_and_hold", "trend_close", "trend_next_close")
    }
    free = {v: by[("1985_latest", v, 0.0, "russell2000")]["metrics"] for v in ("trend_close",)}
    split = by[("1985_latest", "trend_close", FEE, "russell2000")]["index_split"]
    same = {(r["variant"], r["series"]): r["metrics"] for r in rows if r["section"] == "same_period_fred"}
    bh, trend = main["buy_and_hold"], main["trend_close"]
    return {
        "cagr_difference": trend["cagr"] - bh["cagr"],
        "sharpe_difference": trend["sharpe"] - bh["sharpe"],
        "volatility_difference": trend["ann_volatility"] - bh["ann_volatility"],
        "max_drawdown_difference": trend["max_drawdown"] - bh["max_drawdown"],
        "next_day_cagr_cost": main["trend_next_close"]["cagr"] - trend["cagr"],
        "fee_cagr_cost": trend["cagr"] - free["trend_close"]["cagr"],
        "index_return_while_invested": split["invested_return"],
        "index_return_while_in_cash": split["cash_return"],
        "dividends_cagr_buy_and_hold": same[("buy_and_hold", "russell2000-tr")]["cagr"]
        - same[("buy_and_hold", "RU2000PR")]["cagr"],
        "dividends_cagr_trend": same[("trend_close", "russell2000-tr")]["cagr"]
        - same[("trend_close", "RU2000PR")]["cagr"],
        "trend_beats_buy_and_hold_cagr": trend["cagr"] > bh["cagr"],
        "trend_beats_buy_and_hold_sharpe": trend["sharpe"] > bh["sharpe"],
        "trend_beats_buy_and_hold_cagr_total_return": same[("trend_close", "russell2000-tr")]["cagr"]
        > same[("buy_and_hold", "russell2000-tr")]["cagr"],
    }


def compute(
    data_dir: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    n_draws: int | None = None,
    n_paths: int | None = None,
    step: Callable[[str], None] = lambda _: None,
    policy: str = "lenient",
) -> StudyOutputs:
    """Run the whole study in memory. It draws no random numbers: ``seed``, ``n_draws`` and
    ``n_paths`` are accepted for the common study signature and change nothing (so they are
    not recorded either: any values give the same files)."""
    del seed, n_draws, n_paths
    step("loading and validating data")
    sims = _simulations(data_dir, step, policy)
    russell2000, main, same = sims["russell2000"], sims["main"], sims["same"]

    rows = [_row("1985_latest", variant, result) for (variant, _fee), result in main.items()]
    rows += [_row("same_period_fred", variant, result) for (variant, _kind), result in same.items()]
    headline = main[("trend_close", FEE)]
    signals = headline.signals
    assert signals is not None
    first_day = {
        "date": signals.dates[0],
        "fast_ma": float(signals.fast_ma.iloc[0]),
        "slow_ma": float(signals.slow_ma.iloc[0]),
        "fast_above_slow": signals.above_at_start,
        "first_golden_cross": signals.golden_dates[0] if len(signals.golden_dates) else None,
        "n_tie_days": signals.n_tie_days,
    }
    summary: dict[str, Any] = {
        "schema_version": 1,
        "study": NAME,
        "question": (
            "Would trading the Russell 2000's golden cross - long while the 50-day simple moving average is above the "
            "200-day, in cash otherwise - have beaten buying and holding since 1985, after costs?"
        ),
        "parameters": {
            "rule": RULE.to_dict(),
            "fees_per_side": list(FEES),
            "executions": list(EXECUTION_LABELS),
            "initial_capital": 1.0,
            "risk_free_rate": 0.0,
            "cash_interest": 0.0,
            "periods_per_year": PERIODS_PER_YEAR,
            "days_per_year_for_cagr": 365.25,
            "simulator": "vectorbt Portfolio.from_signals (long only, all cash in on a buy, all out on a sell)",
        },
        "data": {
            "russell2000": series_provenance(russell2000),
            "RU2000PR": series_provenance(sims["price"]),
            "russell2000-tr": series_provenance(sims["total_return"]),
        },
        "first_day": first_day,
        "results": rows,
        "event_agreement": sims["agreement"],
        "software": software_versions(),
    }
    summary["conclusion"] = _conclusion(rows)
    summary = json.loads(dumps(summary))

    step("drawing figures")
    figures = _figures(main, same)

    metrics = _metrics_frame(summary["results"])
    trades = pd.concat(
        [
            main[(f"trend_{execution}", FEE)].trades_frame().assign(variant=f"trend_{execution}")
            for execution in ("close", "next_close")
        ]
    )
    trades = trades[["variant", *[c for c in trades.columns if c != "variant"]]]

    step("writing the report")
    markdown = render_report(summary, main[("trend_close", FEE)].trades_frame())
    return StudyOutputs(summary=summary, metrics=metrics, trades=trades, figures=figures, report_markdown=markdown)


def _metrics_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """metrics.csv: one row per simulated variant, metrics and the index split as columns."""
    records = []
    for row in rows:
        record = {key: row[key] for key in ("section", "variant", "series", "signal_series", "execution")}
        record.update({k: v for k, v in row["metrics"].items() if k != "label"})
        record.update({f"index_{k}": v for k, v in row["index_split"].items()})
        record.update({f"trades_{k}": v for k, v in row["trade_stats"].items()})
        records.append(record)
    return pd.DataFrame(records)


def _figures(
    main: dict[tuple[str, float], StrategyResult], same: dict[tuple[str, str], StrategyResult]
) -> dict[str, bytes]:
    bh, trend, late = main[("buy_and_hold", FEE)], main[("trend_close", FEE)], main[("trend_next_close", FEE)]
    first, last = bh.equity.index[0].date(), bh.equity.index[-1].date()
    figures = {
        "equity_curves.png": figure_png(
            plot_equity_curves(
                {
                    "buy and hold": bh.equity,
                    "50/200 rule, same-day close": trend.equity,
                    "50/200 rule, next-day close": late.equity,
                },
                title=f"Russell 2000 price index, {first} to {last}: value of 1 invested, 0.10% cost per side, cash earns 0",
                in_market=trend.invested,
                in_market_label="50/200 rule invested (same-day close)",
            )
        ),
        "drawdowns.png": figure_png(
            plot_drawdowns(
                {"buy and hold": drawdown(bh.equity), "50/200 rule, same-day close": drawdown(trend.equity)},
                title=f"Russell 2000 price index, {first} to {last}: fall from the running peak of each equity curve",
            )
        ),
    }
    end = same[("buy_and_hold", "price")].equity.index[-1].date()
    figures["price_vs_total_return.png"] = figure_png(
        plot_equity_curves(
            {
                "buy and hold, price (RU2000PR)": same[("buy_and_hold", "price")].equity,
                "buy and hold, total return (RU2000TR)": same[("buy_and_hold", "total_return")].equity,
                "50/200 rule, price": same[("trend_close", "price")].equity,
                "50/200 rule, total return": same[("trend_close", "total_return")].equity,
            },
            title=f"Russell 2000 on FRED, {first} to {end}: price vs total return (dividends reinvested), 0.10% per side",
            styles={
                "buy and hold, price (RU2000PR)": ("#222222", "-"),
                "buy and hold, total return (RU2000TR)": ("#222222", "--"),
                "50/200 rule, price": ("#d62728", "-"),
                "50/200 rule, total return": ("#d62728", "--"),
            },
            in_market=same[("trend_close", "price")].invested,
            in_market_label="50/200 rule invested",
        )
    )
    return figures


def _metrics_rows(summary: dict[str, Any], section: str, fee: float | None = None) -> list[dict[str, Any]]:
    return [r for r in summary["results"] if r["section"] == section and (fee is None or r["metrics"]["fee"] == fee)]


def render_report(summary: dict[str, Any], trades: pd.DataFrame) -> str:
    """report.md from summary.json's content and the headline trade list (formatting only)."""
    pct, num = sections.pct, sections.num
    c = summary["conclusion"]
    data = summary["data"]["russell2000"]
    first = summary["first_day"]
    main_rows = _metrics_rows(summary, "1985_latest")
    same_rows = _metrics_rows(summary, "same_period_fred")
    by = {(r["variant"], r["metrics"]["fee"]): r for r in main_rows}
    bh, trend, late = by[("buy_and_hold", FEE)], by[("trend_close", FEE)], by[("trend_next_close", FEE)]
    agreement = summary["event_agreement"]
    period = f"{bh['metrics']['first_date']} to {bh['metrics']['last_date']}"

    def verb(better: bool) -> str:
        return "beat" if better else "trailed"

    lines = [
        f"# Trading the Russell 2000 golden cross vs buy-and-hold, {period[:4]} to {period[-10:-6]}",
        "",
        f"*Generated by `backtest study russell2000-ma-strategy` from data to {data['last_date']}. Every number here is "
        "in `summary.json`, `metrics.csv` or `trades.csv` beside this file.*",
        "",
        "## Answer in brief",
        "",
        f"- **Rule**: long the Russell 2000 while its 50-day simple moving average is above its 200-day, in cash "
        f"otherwise; {pct(FEE, 2)} cost per side; cash earns nothing. Simulated with vectorbt from {period}.",
        f"- **Return**: the rule compounded at {pct(trend['metrics']['cagr'], 2, True)} a year trading at the cross-day "
        f"close and {pct(late['metrics']['cagr'], 2, True)} at the next close, against "
        f"{pct(bh['metrics']['cagr'], 2, True)} for buy-and-hold: it {verb(c['trend_beats_buy_and_hold_cagr'])} "
        f"buy-and-hold by {abs(c['cagr_difference']) * 100:.2f} points a year (price index, dividends excluded).",
        f"- **Risk**: volatility {pct(trend['metrics']['ann_volatility'], 1)} vs {pct(bh['metrics']['ann_volatility'], 1)}, "
        f"maximum drawdown {pct(trend['metrics']['max_drawdown'], 1)} vs {pct(bh['metrics']['max_drawdown'], 1)}; "
        f"Sharpe ratio (risk-free rate 0) {num(trend['metrics']['sharpe'], 2)} vs {num(bh['metrics']['sharpe'], 2)}, so the "
        f"rule {'also ' if not c['trend_beats_buy_and_hold_sharpe'] and not c['trend_beats_buy_and_hold_cagr'] else ''}"
        f"{verb(c['trend_beats_buy_and_hold_sharpe'])} buy-and-hold per unit of risk.",
        f"- **Why**: the rule held the index {pct(trend['metrics']['time_in_market'], 0)} of the days. Over those days the "
        f"index gained {pct(c['index_return_while_invested'], 0, True)}; over the days the rule sat in cash it gained "
        f"{pct(c['index_return_while_in_cash'], 0, True)} (compounded, before costs). "
        + (
            "More of the Russell 2000's rise came on the days the 50-day average was below the 200-day (which "
            "follow declines, so largely rebounds) than on the days the rule held it."
            if c["index_return_while_in_cash"] > c["index_return_while_invested"]
            else "The rule held the index on the days that brought most of its rise."
        ),
        f"- **Costs and timing**: {pct(FEE, 2)} per side cost the rule {abs(c['fee_cagr_cost']) * 100:.2f} points of CAGR "
        f"({trend['metrics']['n_trades']} trades); trading at the next close instead of the cross-day close cost "
        f"{abs(c['next_day_cagr_cost']) * 100:.2f} points.",
        f"- **Dividends** (FRED, {START[:4]} to 2019-01-10): reinvested dividends add "
        f"{c['dividends_cagr_buy_and_hold'] * 100:.2f} points of CAGR to buy-and-hold and "
        f"{c['dividends_cagr_trend'] * 100:.2f} to the rule (it collects them only while invested); on total return "
        f"the rule {verb(c['trend_beats_buy_and_hold_cagr_total_return'])} buy-and-hold too.",
        f"- **Consistency**: all {agreement['close']['n_trades']} trades (same-day close) and "
        f"{agreement['next_close']['n_trades']} (next-day close) start on a golden cross and end on the next death "
        "cross exactly as the event engine dates them "
        f"({'agree' if agreement['close']['agrees'] and agreement['next_close']['agrees'] else 'DISAGREE: see section 5'}).",
        "",
        "### How to read this report",
        "",
        "- **Order**: the answer comes first, then the rule, the results, where the difference comes from, and checks.",
        "- **CAGR** is the compound annual growth rate of the equity curve; differences between two CAGRs are in "
        "points (pp). **Drawdown** is the fall from the previous equity peak; **Sharpe** uses a zero risk-free rate.",
        "- **Same-day vs next-day close**: the cross is known only at the close of its day, so trading at that close "
        "is the optimistic bound and the next close the realistic one.",
        "- This is a strategy backtest of one rule, not a test of a signal: whether crosses beat random days is in "
        "the event studies (`results/russell2000_golden_cross/`).",
        "",
        "## 1. Rule and conventions",
        "",
        "- **Signal**: the 50- and 200-day simple moving averages of the Russell 2000 price index (`russell2000`: FRED "
        "RU2000PR rebased onto ^RUT, then ^RUT), computed on all history from 1978 so that both exist on the first day "
        "of the sample. A golden cross on day t (50-day at or below the 200-day on t−1, above on t) buys; a death cross "
        "(at or above on t−1, below on t) sells. These are the event engine's own crosses (`backtest.events`).",
        f"- **First day**: the rule buys at the first golden cross dated in the sample, never on a cross from before it, "
        "so that every trade starts on an event of the golden-cross event study (which dates events from "
        f"{START}). The alternative (also buy on the first day if the 50-day is already above) "
        + ("gives the same trades here" if not first["fast_above_slow"] else "would add a first trade here")
        + f": on {first['date']} the 50-day average ({num(first['fast_ma'], 2)}) was "
        f"{'above' if first['fast_above_slow'] else 'below'} the 200-day ({num(first['slow_ma'], 2)}); the first golden "
        f"cross came on {first['first_golden_cross']}.",
        "- **Execution**: *same-day close* trades at the close of the cross day (the event engine's `entry=close`; in "
        "practice a market-on-close order placed minutes before the close, when the cross is all but certain); "
        "*next-day close* trades one close later (`entry=next_close`), using no information before it is known.",
        f"- **Portfolio**: all capital in on a buy, all out on a sell, long only, no leverage; {pct(FEE, 2)} of the "
        "traded value per side (also shown at zero cost). Cash earns **nothing**: the snapshot has no Treasury-bill "
        "series, so periods in cash earn 0%, which understates the rule whenever short rates were positive. The last "
        "position, if open, is valued at the last close without a sale cost; buy-and-hold pays the cost once.",
        f"- **Metrics**: CAGR over calendar time (days / 365.25); volatility and Sharpe ratio from daily returns "
        f"annualised with √{PERIODS_PER_YEAR}; Sharpe with a **risk-free rate of 0** (consistent with cash earning 0); "
        "maximum drawdown of the daily equity; time in market = share of daily returns earned while invested; trades "
        "= round trips (an open one included). Per-trade figures use closed trades only.",
        f"- **Index, not fund**: a price index (dividends excluded, section 4 adds them back to 2019); the index itself "
        "is not tradable, funds tracking it add fees and tracking error. Days with the 50-day exactly equal to the "
        f"200-day (where 'above' and 'between crosses' could differ): {first['n_tie_days']}.",
        "",
        f"## 2. Results, {period}",
        "",
        f"Price index, growth of 1. n = closed trades behind each per-trade figure; fewer than "
        f"{sections.ANECDOTAL_N} is marked anecdotal.",
        "",
        sections.strategy_metrics_table(main_rows),
        "",
        "![Equity curves on a log scale with the invested periods along the bottom](equity_curves.png)",
        "",
        "![Drawdowns of buy-and-hold and the rule](drawdowns.png)",
        "",
        "## 3. Where the difference comes from",
        "",
        markdown_table(
            pd.DataFrame(
                [
                    {
                        "variant": r["label"] + f" ({pct(r['metrics']['fee'], 2)})",
                        "days invested": f"{r['index_split']['invested_days']:,}",
                        "index return while invested": pct(r["index_split"]["invested_return"], 0, True),
                        "days in cash": f"{r['index_split']['cash_days']:,}",
                        "index return while in cash": pct(r["index_split"]["cash_return"], 0, True),
                        "best closed trade": pct(r["trade_stats"]["best_net_return"], 1, True),
                        "worst closed trade": pct(r["trade_stats"]["worst_net_return"], 1, True),
                        "mean days held": num(r["trade_stats"]["mean_days_held"], 0),
                    }
                    for r in main_rows
                    if r["variant"] != "buy_and_hold" and r["metrics"]["fee"] == FEE
                ]
            )
        ),
        "",
        "The two index returns multiply to the index's whole rise over the sample: the first is what the rule could "
        "capture (before costs), the second what it stepped aside from.",
        "",
        f"## 4. Same period, price vs total return ({START[:4]} to 2019-01-10, FRED)",
        "",
        "The signal is always the price index's (RU2000PR) 50/200 cross; the position is held either in the price "
        "index or in the total-return index (RU2000TR, dividends reinvested). FRED stopped publishing the Russell "
        "indices in January 2019, so this comparison ends there.",
        "",
        sections.strategy_metrics_table(same_rows),
        "",
        "![Price vs total return, buy-and-hold and the rule](price_vs_total_return.png)",
        "",
        "## 5. The trades agree with the event engine",
        "",
        markdown_table(
            pd.DataFrame(
                [
                    {
                        "execution": EXECUTION_LABELS[execution],
                        "golden crosses (events)": a["n_golden"],
                        "death crosses (events)": a["n_death"],
                        "round trips they imply": a["expected_trades"],
                        "trades simulated": a["n_trades"],
                        "every date agrees": "yes" if a["agrees"] else "no: " + "; ".join(a["mismatches"][:3]),
                    }
                    for execution, a in agreement.items()
                ]
            )
        ),
        "",
        "Each buy is the first golden-cross event after being flat, each sell the next death-cross event, on the "
        "signal date and on the execution date (the event engine's entry date for the same timing). "
        + (
            "The sample starts with the 50-day below the 200-day, so crosses alternate and every golden cross of the "
            "event study is one trade."
            if not first["fast_above_slow"]
            else "The sample starts with the 50-day above the 200-day, so the first death cross finds the rule in cash "
            "and is skipped."
        ),
        "",
        "Trade list (same-day close, 0.10% per side):",
        "",
        sections.trade_list_table(trades),
        "",
        "## 6. Caveats",
        "",
        f"- One path of history: {bh['metrics']['years']:.0f} years hold {trend['metrics']['n_trades']} trades, and "
        "the difference to buy-and-hold comes from a handful of large moves (compare the best and worst trades with "
        "the index's return while the rule was in cash).",
        "- Cash earns 0 (no Treasury-bill series in the snapshot) and the Sharpe ratio uses a zero risk-free rate.",
        "- No taxes; costs are a flat fraction per side; the index is not itself tradable (IWM exists only from 2000).",
        "- Same-day-close execution assumes the cross is known at the close it trades on; the next-day variant does not.",
        "",
        "## Files",
        "",
        "- `metrics.csv`: one row per simulated variant (section, variant, series, signal series, execution, fee, every "
        "metric, the index split, per-trade statistics). Returns are fractions.",
        "- `trades.csv`: the trade lists of the rule at 0.10% per side, same-day and next-day close.",
        "- `summary.json`: parameters, data provenance, every number above, the event-engine agreement.",
        "- Figures: `equity_curves.png`, `drawdowns.png`, `price_vs_total_return.png`.",
    ]
    return "\n".join(lines) + "\n"


def write(outputs: StudyOutputs, output_dir: Path) -> Path:
    """Write every file into ``output_dir`` atomically (staged, swapped in on success)."""
    return write_report_directory(
        output_dir,
        title="Trading the Russell 2000 golden cross vs buy-and-hold",
        report_markdown=outputs.report_markdown,
        summary=outputs.summary,
        files={
            "metrics.csv": csv_text(outputs.metrics, index=False, float_format="%.10g"),
            "trades.csv": csv_text(outputs.trades, float_format="%.10g"),
        },
        figures=outputs.figures,
    )


def run(
    data_dir: Path | None = None,
    output_dir: Path = DEFAULT_OUTPUT,
    *,
    seed: int = DEFAULT_SEED,
    n_draws: int | None = 100_000,
    n_paths: int | None = 1_000,
    step: Callable[[str], None] = lambda _: None,
    policy: str = "lenient",
) -> Path:
    """Compute and write the study; returns the output directory. The simulation draws no
    random numbers: ``seed``, ``n_draws`` and ``n_paths`` are accepted (the common study
    signature) and do not change any result."""
    outputs = compute(data_dir, seed=seed, n_draws=n_draws, n_paths=n_paths, step=step, policy=policy)
    return write(outputs, output_dir)


if __name__ == "__main__":
    sys.exit(run_as_script(__file__))
