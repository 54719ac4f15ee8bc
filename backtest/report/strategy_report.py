"""The report of a trend rule against buy-and-hold: summary.json, metrics.csv, trades.csv, three
figures and report.md from one Jinja2 template (``templates/strategy.md.j2``), with its HTML twin.

``strategy_report_files(comparison, ...)`` renders a computed ``TrendComparison``
(``backtest.strategy.compare_trend_rule``: the simulations, index splits, trade statistics and the
conclusion's differences are computed there) into the folder's files, which
``backtest.claims.outputs.write_strategy_report`` writes. Tables and report.md read the summary as summary.json stores it, so
every number in them is the one in the file beside them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from backtest import numbers
from backtest.report import event_report as sections
from backtest.report.figures import figure_of, plot_drawdowns, plot_equity_curves
from backtest.report.outputs import ReportFiles, csv_text, report_files
from backtest.report.render import MarkdownFragment, figure_png, markdown_table
from backtest.report.summary import dumps, series_provenance, software_versions
from backtest.strategy import PERIODS_PER_YEAR
from backtest.strategy.comparison import (
    BUY_AND_HOLD,
    EXECUTION_LABELS,
    TrendComparison,
    trend_variant,
)
from backtest.strategy.metrics import DAYS_PER_YEAR
from backtest.strategy.simulate import INITIAL_CAPITAL

TEMPLATE = "strategy.md.j2"
SIMULATOR = "vectorbt Portfolio.from_signals (long only, all cash in on a buy, all out on a sell)"
TRADED_EXECUTIONS = ("close", "next_close")
"""The rule's executions whose trade lists go to trades.csv (at the headline cost)."""


def strategy_summary(comparison: TrendComparison, *, study: str, question: str) -> dict[str, Any]:
    """summary.json's content: parameters, data provenance, the first day, one row per variant,
    the event-engine agreement, software versions and the conclusion, as summary.json stores
    them (values rounded by ``dumps`` and read back)."""
    summary: dict[str, Any] = {
        "schema_version": 1,
        "study": study,
        "question": question,
        "parameters": {
            "rule": comparison.rule.to_dict(),
            "fees_per_side": list(comparison.fees),
            "executions": list(EXECUTION_LABELS),
            "initial_capital": INITIAL_CAPITAL,
            "risk_free_rate": 0.0,
            "cash_interest": 0.0,
            "periods_per_year": PERIODS_PER_YEAR,
            "days_per_year_for_cagr": DAYS_PER_YEAR,
            "simulator": SIMULATOR,
        },
        "data": {
            series.name: series_provenance(series)
            for series in (comparison.series, comparison.price, comparison.total_return)
        },
        "first_day": comparison.first_day.to_dict(),
        "results": [variant.to_dict() for variant in comparison.variants],
        "event_agreement": {execution: a.to_dict() for execution, a in comparison.agreement.items()},
        "software": software_versions(),
        "conclusion": comparison.conclusion.to_dict(),
    }
    return dict(json.loads(dumps(summary)))


def metrics_frame(results: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """metrics.csv: one row per variant of summary.json's results, its metrics, index split
    (``index_``) and trade statistics (``trades_``) as columns."""
    records = []
    for row in results:
        record = {key: row[key] for key in ("section", "variant", "series", "signal_series", "execution")}
        record.update({k: v for k, v in row["metrics"].items() if k != "label"})
        record.update({f"index_{k}": v for k, v in row["index_split"].items()})
        record.update({f"trades_{k}": v for k, v in row["trade_stats"].items()})
        records.append(record)
    return pd.DataFrame(records)


def trades_frame(comparison: TrendComparison) -> pd.DataFrame:
    """trades.csv: the rule's trade lists at the headline cost, one block per execution."""
    fee = comparison.rule.fee
    trades = pd.concat(
        [
            comparison.full_sample[(trend_variant(execution), fee)]
            .result.trades_frame()
            .assign(variant=trend_variant(execution))
            for execution in TRADED_EXECUTIONS
        ]
    )
    return trades[["variant", *[c for c in trades.columns if c != "variant"]]]


def _symbol(series: Any) -> str:
    return "+".join(segment.symbol for segment in series.segments)


def strategy_figures(comparison: TrendComparison, *, index_name: str) -> dict[str, bytes]:
    """equity_curves.png, drawdowns.png and price_vs_total_return.png (at the headline cost)."""
    fee, rule = comparison.rule.fee, comparison.rule
    full, same = comparison.full_sample, comparison.same_period
    bh, trend = full[(BUY_AND_HOLD, fee)].result, full[(trend_variant("close"), fee)].result
    late = full[(trend_variant("next_close"), fee)].result
    first, last = bh.equity.index[0].date(), bh.equity.index[-1].date()
    cost = f"{fee:.2%} cost per side"
    figures = {
        "equity_curves.png": figure_png(
            figure_of(
                plot_equity_curves(
                    {bh.label: bh.equity, trend.label: trend.equity, late.label: late.equity},
                    title=f"{index_name} price index, {first} to {last}: value of 1 invested, {cost}, cash earns 0",
                    in_market=trend.invested,
                    in_market_label=f"{rule.fast}/{rule.slow} rule invested ({EXECUTION_LABELS['close']})",
                )
            )
        ),
        "drawdowns.png": figure_png(
            plot_drawdowns(
                {bh.label: bh.to_frame()["drawdown"], trend.label: trend.to_frame()["drawdown"]},
                title=f"{index_name} price index, {first} to {last}: fall from the running peak of each equity curve",
            )
        ),
    }
    held = {key: same[(BUY_AND_HOLD, key)].result for key in ("price", "total_return")}
    rules = {key: same[(trend_variant("close"), key)].result for key in ("price", "total_return")}
    end = held["price"].equity.index[-1].date()
    price_symbol, total_return_symbol = _symbol(comparison.price), _symbol(comparison.total_return)
    rule_name = f"{rule.fast}/{rule.slow} rule"
    curves = {
        f"buy and hold, price ({price_symbol})": ("#222222", "-", held["price"]),
        f"buy and hold, total return ({total_return_symbol})": ("#222222", "--", held["total_return"]),
        f"{rule_name}, price": ("#d62728", "-", rules["price"]),
        f"{rule_name}, total return": ("#d62728", "--", rules["total_return"]),
    }
    figures["price_vs_total_return.png"] = figure_png(
        figure_of(
            plot_equity_curves(
                {label: result.equity for label, (_, _, result) in curves.items()},
                title=f"{index_name} on FRED, {first} to {end}: price vs total return (dividends reinvested), "
                f"{fee:.2%} per side",
                styles={label: (colour, line) for label, (colour, line, _) in curves.items()},
                in_market=rules["price"].invested,
                in_market_label=f"{rule_name} invested",
            )
        )
    )
    return figures


def _split_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Days held and in cash, the index's return over each, the best and worst closed trades."""
    return markdown_table(
        pd.DataFrame(
            [
                {
                    "variant": r["label"] + f" ({numbers.percent(r['metrics']['fee'], 2)})",
                    "days invested": f"{r['index_split']['invested_days']:,}",
                    "index return while invested": numbers.percent(r["index_split"]["invested_return"], 0, signed=True),
                    "days in cash": f"{r['index_split']['cash_days']:,}",
                    "index return while in cash": numbers.percent(r["index_split"]["cash_return"], 0, signed=True),
                    "best closed trade": numbers.percent(r["trade_stats"]["best_net_return"], 1, signed=True),
                    "worst closed trade": numbers.percent(r["trade_stats"]["worst_net_return"], 1, signed=True),
                    "mean days held": numbers.decimal(r["trade_stats"]["mean_days_held"], 0),
                }
                for r in rows
            ]
        )
    )


def _agreement_table(agreement: Mapping[str, Mapping[str, Any]]) -> str:
    """Events against trades, per execution, with the first mismatches if any."""
    return markdown_table(
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
    )


def render_markdown(
    summary: Mapping[str, Any], trades: pd.DataFrame, *, title: str, command: str, index_name: str
) -> str:
    """report.md: the template filled with summary.json's content and the headline trade list
    (``trades``: the rule at the headline cost, same-day close). ``command``: the study's name
    on the command line; ``index_name``: the traded index in words."""
    from backtest.report.render import template_environment

    rule = summary["parameters"]["rule"]
    fee = rule["fee"]
    results = summary["results"]
    full_section, same_section = results[0]["section"], results[-1]["section"]
    full_rows = [r for r in results if r["section"] == full_section]
    same_rows = [r for r in results if r["section"] == same_section]
    by = {(r["variant"], r["metrics"]["fee"]): r for r in full_rows}
    bh = by[(BUY_AND_HOLD, fee)]
    context = {
        "title": title,
        "command": command,
        "index_name": index_name,
        "fast": rule["fast"],
        "slow": rule["slow"],
        "start": rule["start"],
        "fee": fee,
        "data": summary["data"][summary["results"][0]["series"]],
        "period": f"{bh['metrics']['first_date']} to {bh['metrics']['last_date']}",
        "same_end": same_rows[0]["metrics"]["last_date"],
        "c": summary["conclusion"],
        "first": summary["first_day"],
        "bh": bh,
        "trend": by[(trend_variant("close"), fee)],
        "late": by[(trend_variant("next_close"), fee)],
        "agreement": summary["event_agreement"],
        "days_per_year": summary["parameters"]["days_per_year_for_cagr"],
        "periods_per_year": summary["parameters"]["periods_per_year"],
        "anecdotal_n": sections.ANECDOTAL_N,
        "full_sample_table": MarkdownFragment(sections.strategy_metrics_table(full_rows)),
        "split_table": MarkdownFragment(
            _split_table([r for r in full_rows if r["variant"] != BUY_AND_HOLD and r["metrics"]["fee"] == fee])
        ),
        "same_period_table": MarkdownFragment(sections.strategy_metrics_table(same_rows)),
        "agreement_table": MarkdownFragment(_agreement_table(summary["event_agreement"])),
        "trades_table": MarkdownFragment(sections.trade_list_table(trades)),
    }
    return str(template_environment().get_template(TEMPLATE).render(**context))


def strategy_report_files(
    comparison: TrendComparison,
    *,
    study: str,
    question: str,
    title: str,
    index_name: str,
) -> ReportFiles:
    """The files of ``comparison``'s report folder: report.md, report.html, summary.json,
    metrics.csv, trades.csv and the figures (written by
    ``backtest.claims.outputs.write_strategy_report``).

    study: the study's name (summary.json's ``study``; hyphenated, the command that regenerates
    it). question: what the study asks, in words. title: report.md's heading (the period is
    appended). index_name: the traded index in words ("Russell 2000").
    """
    summary = strategy_summary(comparison, study=study, question=question)
    trades = trades_frame(comparison)
    headline = comparison.full_sample[(trend_variant("close"), comparison.rule.fee)].result.trades_frame()
    markdown = render_markdown(summary, headline, title=title, command=study.replace("_", "-"), index_name=index_name)
    return report_files(
        title=title,
        report_markdown=markdown,
        summary=summary,
        files={
            "metrics.csv": csv_text(metrics_frame(summary["results"]), index=False, float_format="%.10g"),
            "trades.csv": csv_text(trades, float_format="%.10g"),
        },
        figures=strategy_figures(comparison, index_name=index_name),
    )
