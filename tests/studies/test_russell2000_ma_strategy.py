"""The strategy study: reproducible outputs, the report's numbers from metrics.csv, n with
every per-trade figure (n < 10 marked anecdotal), agreement with the event engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from backtest.claims.jobs import run_job
from backtest.study_runner import study_path

pytestmark = pytest.mark.slow  # regenerates the moving-average strategy study (make test-fast skips it; CI runs it)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_ma_strategy"


SPEC = study_path("russell2000-ma-strategy")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study's spec (a strategy job) run as `backtest study` runs it."""
    return run_job(SPEC, None, tmp_path_factory.mktemp("study") / "russell2000_ma_strategy", report_kind="study")


@pytest.mark.parametrize("name", ["summary.json", "metrics.csv", "trades.csv"])
def test_regenerated_machine_readable_results_equal_the_committed_ones(regenerated: Path, name: str) -> None:
    """The strategy draws no random number: every committed value, exactly (read back as data)."""
    message = (
        f"{name} differs from results/russell2000_ma_strategy/{name}: regenerate it with "
        "`backtest study russell2000-ma-strategy` and commit the result"
    )
    if name.endswith(".json"):
        assert json.loads((regenerated / name).read_text()) == json.loads((COMMITTED / name).read_text()), message
    else:
        ours, committed = pd.read_csv(regenerated / name), pd.read_csv(COMMITTED / name)
        pd.testing.assert_frame_equal(ours, committed, check_exact=True, obj=message)


def test_regenerated_report_text_equals_the_committed_one(regenerated: Path) -> None:
    """report.md is the template filled with summary.json's values and the trade list: the same
    data give the same text, byte for byte (the figures' bytes depend on the font renderer)."""
    assert (regenerated / "report.md").read_text() == (COMMITTED / "report.md").read_text(), (
        "report.md differs from results/russell2000_ma_strategy/report.md: regenerate it with "
        "`backtest study russell2000-ma-strategy` and commit the result"
    )


def test_seed_and_monte_carlo_sizes_change_nothing(tmp_path: Path, regenerated: Path) -> None:
    output = run_job(SPEC, None, tmp_path / "other", seed=1, n_draws=10, n_paths=0)
    assert (output / "summary.json").read_bytes() == (regenerated / "summary.json").read_bytes()


def test_all_outputs_are_written_and_self_contained(regenerated: Path, data_dir: Path) -> None:
    expected = {
        "report.md",
        "report.html",
        "summary.json",
        "metrics.csv",
        "trades.csv",
        "equity_curves.png",
        "drawdowns.png",
        "price_vs_total_return.png",
    }
    assert expected <= {p.name for p in regenerated.iterdir()}
    assert (regenerated / "report.html").read_text().count("data:image/png;base64,") == 3
    text = (regenerated / "summary.json").read_text()
    assert str(data_dir) not in text and str(ROOT) not in text


def test_report_rows_are_the_metrics_of_metrics_csv(regenerated: Path) -> None:
    metrics = pd.read_csv(regenerated / "metrics.csv")
    report = (regenerated / "report.md").read_text()
    rows = [
        line for line in report.splitlines() if line.startswith("| buy and hold") or line.startswith("| 50/200 rule")
    ]
    table_rows = [row for row in rows if "%" in row.split("|")[2]]  # the metrics tables (cost per side column)
    assert len(table_rows) == len(metrics)
    for row, (_, m) in zip(table_rows, metrics.iterrows()):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1] == f"{m['fee']:.2%}" and cells[2] == f"{m['cagr']:+.2%}"
        assert cells[4] == f"{m['ann_volatility']:.1%}" and cells[5] == f"{m['sharpe']:,.2f}"
        assert cells[6].startswith(f"{m['max_drawdown']:.1%}") and cells[7] == f"{m['time_in_market']:.0%}"
        assert cells[8].startswith(str(m["n_trades"]))


def test_per_trade_figures_state_n_and_mark_n_below_10_anecdotal(regenerated: Path) -> None:
    report = (regenerated / "report.md").read_text()
    cells = re.findall(r"\(n=(\d+)(, anecdotal)?\)", report)
    assert len(cells) >= 20
    for n, mark in cells:
        assert bool(mark) == (int(n) < 10), (n, mark)
    assert "(n=0, anecdotal)" in report  # buy-and-hold's single trade never closes


def test_trades_agree_with_the_event_engine_and_the_conclusion_with_the_rows(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    for execution in ("close", "next_close"):
        agreement = summary["event_agreement"][execution]
        assert agreement["agrees"] and agreement["n_trades"] == agreement["n_golden"] == 32
    rows = {(r["section"], r["variant"], r["metrics"]["fee"]): r["metrics"] for r in summary["results"]}
    conclusion = summary["conclusion"]
    trend, bh = rows[("1985_latest", "trend_close", 0.001)], rows[("1985_latest", "buy_and_hold", 0.001)]
    assert conclusion["cagr_difference"] == pytest.approx(trend["cagr"] - bh["cagr"])
    assert conclusion["trend_beats_buy_and_hold_cagr"] == (trend["cagr"] > bh["cagr"])
    assert summary["parameters"]["risk_free_rate"] == 0.0 and summary["parameters"]["cash_interest"] == 0.0
    assert summary["first_day"]["fast_above_slow"] is False and summary["first_day"]["n_tie_days"] == 0
    trades = pd.read_csv(regenerated / "trades.csv")
    assert set(trades["variant"]) == {"trend_close", "trend_next_close"}
    assert (trades["entry_signal"] == "golden cross").all()
