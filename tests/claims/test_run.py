"""`backtest claim run`: each event kind gives the events of a pandas computation of the same
rule on the same data; the report folder holds what the headline study writes, summary.json
meets its JSON Schema, and the terminal shows the answer (verdict first)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest

from backtest.claims import SCHEMA_PATH
from backtest.cli import main
from backtest.data import load_series
from tests.claims.conftest import minimal
from tests.events.test_sources import as_of, pandas_rsi

# Every event kind end to end through `backtest claim run` (about 25 s in all): make test-fast
# skips them, CI runs them; tests/claims/test_spec.py keeps the spec checks in the fast loop.
pytestmark = pytest.mark.slow

FAST = ["--draws", "50", "--paths", "0", "--power-paths", "10", "--seed", "7"]


def run_claim_cli(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[Path, str]:
    out_dir = path.parent / "results"
    assert main(["claim", "run", str(path), "--output-dir", str(out_dir), *FAST, *extra]) == 0
    return out_dir / path.stem, capsys.readouterr().out


def event_dates(folder: Path) -> pd.DatetimeIndex:
    events = pd.read_csv(folder / "events.csv", parse_dates=["event_date"])
    return pd.DatetimeIndex(events["event_date"])


def crosses(a: pd.Series, b: pd.Series, side: str) -> pd.Series:
    defined = a.notna() & b.notna() & a.shift().notna() & b.shift().notna()
    if side == "above":
        return defined & (a.shift() <= b.shift()) & (a > b)
    return defined & (a.shift() >= b.shift()) & (a < b)


def keep_min_gap(dates: pd.DatetimeIndex, index: pd.DatetimeIndex, gap: int) -> pd.DatetimeIndex:
    """Greedy de-clustering: drop an event within ``gap`` trading days of the previous kept one."""
    kept, last = [], None
    for date in dates:
        position = index.get_loc(date)
        if last is None or position - last > gap:
            kept.append(date)
            last = position
    return pd.DatetimeIndex(kept)


def from_start(fired: pd.Series, start: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(fired.index[fired.to_numpy(dtype=bool) & (fired.index >= pd.Timestamp(start))])


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(_schema())


@pytest.mark.slow  # runs a whole claim with its full report
def test_threshold_rsi_matches_pandas_and_writes_the_full_report(
    write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    tables = minimal()
    tables["rules"] = {"start": "2005-01-01"}
    folder, out = run_claim_cli(write_spec(tables, "oversold.toml"), capsys)
    close = russell2000.close
    expected = from_start(crosses(pandas_rsi(close, 14), pd.Series(30.0, index=close.index), "below"), "2005-01-01")
    assert event_dates(folder).equals(expected)
    # what the headline study writes, plus the spec
    for name in (
        "report.md",
        "report.html",
        "events.csv",
        "summary.json",
        "events.png",
        "null_distributions.png",
        "hit_rates.png",
        "event_paths.png",
        "claim.toml",
        ".backtest-manifest.json",
    ):
        assert (folder / name).is_file(), name
    events = pd.read_csv(folder / "events.csv")
    assert {"event_date", "ret_1m", "ret_3m", "pending_3m", "max_drawdown_3m"} <= set(events.columns)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, _schema(), cls=jsonschema.Draft202012Validator)
    assert summary["events"]["n"] == len(expected)
    # the terminal: the verdict first (with its reason), the primary test in both tails, then
    # one line per horizon, then where it wrote
    # (rendered for an 80-column terminal: read it as words, in order)
    text = " ".join(out.split())
    primary = summary["primary"]
    order = [
        f"Verdict: {summary['conclusion']['overall']}",
        "Primary test (fixed in advance: ",
        f"p = {primary['pvalue']:.3f} (better than a random day), other tail p = {primary['pvalue_opposite']:.3f}",
        "1m: n=",
        "3m: n=",
        f"wrote {folder}",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions) and text.endswith(f"wrote {folder}")
    report = (folder / "report.md").read_text()
    assert report.index("## Answer in brief") < report.index("## 1. The claim") < report.index("## 3. The events")
    assert (
        report.index("## 3. The events")
        < report.index("## 4. Statistics per horizon")
        < report.index("Data and conventions")
    )
    assert f"**Verdict on the claim: {summary['conclusion']['overall']}.**" in report
    # the primary joint test decides question B, with its power (every claim, not only the headline)
    primary = summary["statistics"]["primary"]
    assert summary["statistics"]["claim_horizons"] == ["1m", "3m"] and primary["n_null"] > 0
    assert summary["conclusion"]["primary_pvalue"] == primary["pvalue"]
    assert "**Question B — primary test**" in report and "95% upper bound (joint)" in report
    # the power a real drift would need, simulated, in the answer
    assert "is found 80% of the time (simulated" in report.split("## 1. The claim")[0]
    html = (folder / "report.html").read_text()
    assert "data:image/png;base64," in html and "<img" in html


def test_ma_cross_matches_pandas_rolling_means(
    write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    tables = minimal()
    tables["event"] = {"kind": "ma_cross", "fast": 50, "slow": 200, "ma": "sma", "direction": "death"}
    tables["claim"]["direction"] = "losses"
    tables["rules"] = {"start": "1985-01-01"}
    folder, _ = run_claim_cli(write_spec(tables, "death.toml"), capsys)
    close = russell2000.close
    fast, slow = close.rolling(50).mean(), close.rolling(200).mean()
    assert event_dates(folder).equals(from_start(crosses(fast, slow, "below"), "1985-01-01"))
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["statistics"]["claim"] == "losses" and summary["conclusion"]["claim"] == "losses"


@pytest.mark.slow  # runs a whole claim with its full report
def test_line_cross_of_close_and_its_200_day_average(
    write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    tables = minimal()
    tables["event"] = {
        "kind": "line_cross",
        "indicator": "close",
        "against": "sma",
        "against_window": 200,
        "cross": "above",
    }
    tables["rules"] = {"start": "2010-01-01", "min_gap": 21}
    folder, _ = run_claim_cli(write_spec(tables, "above200.toml"), capsys)
    close = russell2000.close
    fired = from_start(crosses(close, close.rolling(200).mean(), "above"), "2010-01-01")
    assert event_dates(folder).equals(keep_min_gap(fired, close.index, 21))


@pytest.mark.parametrize("kind", ["new_high", "new_low"])
def test_new_high_and_new_low_match_pandas_rolling_extremes(
    kind: str, write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    tables = minimal()
    tables["event"] = {"kind": kind, "n": 252}
    tables["rules"] = {"start": "1995-01-01", "min_gap": 63}
    folder, _ = run_claim_cli(write_spec(tables, f"{kind}.toml"), capsys)
    close = russell2000.close
    prior = close.shift(1).rolling(252).max() if kind == "new_high" else close.shift(1).rolling(252).min()
    fired = (close > prior) if kind == "new_high" else (close < prior)
    expected = keep_min_gap(from_start(fired & prior.notna(), "1995-01-01"), close.index, 63)
    assert event_dates(folder).equals(expected)


def test_dates_map_to_the_next_trading_day(
    write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    tables = minimal()
    tables["event"] = {"kind": "dates", "file": "days.csv"}
    tables["rules"] = {}
    path = write_spec(tables, "days.toml")
    given = pd.to_datetime(["2008-12-16", "2015-12-19", "2020-03-15", "2020-03-16", "2019-07-04"])
    pd.DataFrame({"date": given.strftime("%Y-%m-%d")}).to_csv(path.parent / "days.csv", index=False)
    folder, _ = run_claim_cli(path, capsys, "--paths", "5")
    index = russell2000.close.index
    expected = pd.DatetimeIndex(sorted({index[index.searchsorted(d)] for d in given}))
    assert event_dates(folder).equals(expected)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["event_source"]["path_null_skipped"]  # exogenous: said, not silently skipped
    assert any("map to the next" in note for note in summary["event_source"]["notes"])


def test_threshold_on_another_series_level_vix(
    write_spec: Any, capsys: pytest.CaptureFixture[str], real_data_dir: Path | None
) -> None:
    tables = minimal()
    tables["series"] = {"name": "SPY"}
    tables["event"] = {"kind": "threshold", "indicator": "level", "series": "VIX", "level": 30, "cross": "above"}
    tables["rules"] = {"start": "2000-01-01"}
    folder, _ = run_claim_cli(write_spec(tables, "vix.toml"), capsys)
    spy, vix = load_series("SPY", data_dir=real_data_dir).close, load_series("VIX", data_dir=real_data_dir).close
    vix_at = as_of(vix, spy.index)
    expected = from_start(crosses(vix_at, pd.Series(30.0, index=spy.index), "above"), "2000-01-01")
    assert event_dates(folder).equals(expected)


def test_threshold_on_another_series_change_ten_year_yield(
    write_spec: Any, capsys: pytest.CaptureFixture[str], real_data_dir: Path | None, russell2000: Any
) -> None:
    tables = minimal()
    tables["claim"]["horizons"] = ["3m"]
    tables["event"] = {
        "kind": "threshold",
        "indicator": "change",
        "series": "TNX",
        "window": 63,
        "level": -0.5,
        "cross": "below",
    }
    tables["rules"] = {"start": "1990-01-01"}
    folder, _ = run_claim_cli(write_spec(tables, "yield.toml"), capsys)
    tnx = load_series("TNX", data_dir=real_data_dir).close
    change_at = as_of(tnx - tnx.shift(63), russell2000.close.index)
    expected = from_start(crosses(change_at, pd.Series(-0.5, index=change_at.index), "below"), "1990-01-01")
    assert event_dates(folder).equals(expected)


def test_filters_keep_the_events_on_which_the_condition_holds(
    write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    tables = minimal()
    tables["event"] = {"kind": "ma_cross"}
    tables["rules"] = {"start": "1985-01-01"}
    tables["filters"] = [{"indicator": "rsi", "window": 14, "operator": "<=", "level": 70}]
    folder, _ = run_claim_cli(write_spec(tables, "filtered.toml"), capsys)
    close = russell2000.close
    fired = crosses(close.rolling(50).mean(), close.rolling(200).mean(), "above") & (pandas_rsi(close, 14) <= 70)
    assert event_dates(folder).equals(from_start(fired, "1985-01-01"))
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["event_source"]["filters"] == ["RSI(14) ≤ 70"]


def test_benchmark_measures_returns_relative_to_another_series(
    write_spec: Any, capsys: pytest.CaptureFixture[str], real_data_dir: Path | None, russell2000: Any
) -> None:
    tables = minimal()
    tables["event"] = {"kind": "ma_cross"}
    tables["rules"] = {"start": "2000-01-01"}
    tables["benchmark"] = {"relative_to": "SPY"}
    folder, _ = run_claim_cli(write_spec(tables, "relative.toml"), capsys)
    close = russell2000.close
    spy = load_series("SPY", data_dir=real_data_dir).close
    expected = from_start(crosses(close.rolling(50).mean(), close.rolling(200).mean(), "above"), "2000-01-01")
    events = pd.read_csv(folder / "events.csv", parse_dates=["event_date"])
    assert pd.DatetimeIndex(events["event_date"]).equals(expected)
    ratio = (close / as_of(spy, close.index)).dropna()
    for row in events.itertuples():
        if not row.pending_1m:
            position = ratio.index.get_loc(row.event_date)
            assert row.ret_1m == pytest.approx(ratio.iloc[position + 21] / ratio.iloc[position] - 1, rel=1e-9)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, _schema(), cls=jsonschema.Draft202012Validator)
    assert summary["benchmark"]["relative_to"] == "SPY"


def test_variants_rerun_the_claim_with_each_change_against_pandas(
    write_spec: Any, capsys: pytest.CaptureFixture[str], real_data_dir: Path | None, russell2000: Any
) -> None:
    tables = minimal()
    tables["event"] = {"kind": "ma_cross"}
    tables["rules"] = {"start": "1990-01-01"}
    tables["variants"] = [
        {"name": "de-clustered", "min_gap": 126},
        {"name": "since 2005", "start": "2005-01-01"},
        {"name": "calm", "filters": [{"indicator": "level", "series": "VIX", "operator": "<", "level": 20}]},
        {"name": "relative", "relative_to": "SPY"},
        {"name": "large caps", "series": "SPY"},
    ]
    folder, _ = run_claim_cli(write_spec(tables, "variants.toml"), capsys)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, _schema(), cls=jsonschema.Draft202012Validator)
    close = russell2000.close
    fired = crosses(close.rolling(50).mean(), close.rolling(200).mean(), "above")
    events = from_start(fired, "1990-01-01")
    spy = load_series("SPY", data_dir=real_data_dir).close
    vix_at = as_of(load_series("VIX", data_dir=real_data_dir).close, close.index)
    spy_fired = crosses(spy.rolling(50).mean(), spy.rolling(200).mean(), "above")
    expected = {
        "de-clustered": len(keep_min_gap(events, close.index, 126)),
        "since 2005": len(from_start(fired, "2005-01-01")),
        "calm": len(from_start(fired & (vix_at < 20), "1990-01-01")),
        "relative": int((events >= spy.index[0]).sum()),  # the ratio exists from SPY's first close
        "large caps": len(from_start(spy_fired, "1990-01-01")),
    }
    assert {v["name"]: v["n_events"] for v in summary["variants"]} == expected
    by_name = {v["name"]: v for v in summary["variants"]}
    assert by_name["relative"]["relative_to"] == "SPY" and by_name["large caps"]["series"] == "SPY"
    # a variant's mean return is the pandas mean of its events' 3-month returns
    late = from_start(fired, "2005-01-01")
    forward = close.shift(-63) / close - 1
    complete = [d for d in late if close.index.get_loc(d) + 63 < len(close)]
    row = next(h for h in by_name["since 2005"]["horizons"] if h["label"] == "3m")
    assert row["n"] == len(complete) and row["mean"] == pytest.approx(forward[complete].mean(), rel=1e-9)
    report = (folder / "report.md").read_text()
    section = report.split(". Variants")[1].split("\n## ")[0]
    assert all(f"| {name} |" in section for name in expected)
    assert "| primary p | verdict |" in section


def test_published_averages_are_reproduced_with_the_claims_rule(
    write_spec: Any, capsys: pytest.CaptureFixture[str], real_data_dir: Path | None
) -> None:
    tables = minimal()
    tables["event"] = {"kind": "ma_cross"}
    tables["rules"] = {"start": "1990-01-01"}
    tables["published"] = [
        {
            "source": "a desk",
            "what": "SPY golden crosses",
            "series": "SPY",
            "start": "2000-01-01",
            "figures": {"3m": 0.03},
            "all_days": {"3m": 0.02},
            "note": "n",
        }
    ]
    folder, _ = run_claim_cli(write_spec(tables, "published.toml"), capsys)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, _schema(), cls=jsonschema.Draft202012Validator)
    spy = load_series("SPY", data_dir=real_data_dir).close
    dates = from_start(crosses(spy.rolling(50).mean(), spy.rolling(200).mean(), "above"), "2000-01-01")
    forward = spy.shift(-63) / spy - 1
    complete = [d for d in dates if spy.index.get_loc(d) + 63 < len(spy)]
    (row,) = summary["published"]
    assert row["n_events"] == len(dates) and row["ours_n"] == {"3m": len(complete)}
    assert row["ours"]["3m"] == pytest.approx(forward[complete].mean(), rel=1e-9)
    assert row["figures"] == {"3m": 0.03} and row["all_days"] == {"3m": 0.02}
    assert "**Published averages vs ours**" in (folder / "report.md").read_text()


def test_calibration_is_run_when_the_spec_asks(write_spec: Any, capsys: pytest.CaptureFixture[str]) -> None:
    tables = minimal()
    tables["event"] = {"kind": "ma_cross"}
    tables["rules"] = {"start": "2000-01-01"}
    tables["analysis"] = {"calibration": 2}
    folder, _ = run_claim_cli(write_spec(tables, "calibrated.toml"), capsys)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, _schema(), cls=jsonschema.Draft202012Validator)
    calibration = summary["calibration"]
    assert calibration["n_replications"] == 2
    assert {row["null_model"] for row in calibration["rows"]} == {"gbm", "garch_t"}
    assert all(0.0 <= row["rejection_rate"] <= 1.0 for row in calibration["rows"])
    assert "Calibration of the tests" in (folder / "report.md").read_text()


def test_facts_are_checked_against_our_period_returns(
    write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    close = russell2000.close
    start, end = pd.Timestamp("2024-12-31"), pd.Timestamp("2025-06-30")
    ours = close[:end].iloc[-1] / close[:start].iloc[-1] - 1
    tables = minimal()
    tables["rules"] = {"start": "2020-01-01"}
    tables["facts"] = [
        {"statement": "exact", "figure": float(round(ours, 4)), "period": ["2024-12-31", "2025-06-30"]},
        {
            "statement": "close",
            "figure": float(ours + 0.01),
            "period": ["2024-12-31", "2025-06-30"],
            "tolerance": 0.005,
        },
        {"statement": "wrong", "figure": float(ours + 0.10), "period": ["2024-12-31", "2025-06-30"]},
        {"statement": "future", "figure": 0.01, "period": ["2030-01-01", "2030-06-30"]},
        # FRED's Nasdaq ends in 2019: not checkable, and never replaced by another index
        {"statement": "nasdaq", "figure": 0.08, "period": ["2024-12-31", "2025-06-30"], "series": "NASDAQCOM"},
    ]
    folder, _ = run_claim_cli(write_spec(tables, "facts.toml"), capsys)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, _schema(), cls=jsonschema.Draft202012Validator)
    statuses = [fact["status"] for fact in summary["facts"]]
    assert statuses == ["confirmed", "roughly", "not confirmed", "not checkable", "not checkable"]
    assert summary["facts"][0]["value"] == pytest.approx(ours)
    nasdaq = summary["facts"][-1]
    assert nasdaq["series"] == "NASDAQCOM" and nasdaq["value"] is None and "NASDAQCOM" in nasdaq["reason"]
    assert "The claim's figures, checked" in (folder / "report.md").read_text()


@pytest.mark.slow  # runs a whole claim with its full report
def test_a_rerun_replaces_its_report_and_refuses_a_foreign_folder(
    write_spec: Any, capsys: pytest.CaptureFixture[str], russell2000: Any
) -> None:
    tables = minimal()
    tables["rules"] = {"start": "2015-01-01"}
    path = write_spec(tables, "again.toml")
    folder, _ = run_claim_cli(path, capsys)
    first = (folder / "summary.json").read_bytes()
    folder, _ = run_claim_cli(path, capsys)
    assert (folder / "summary.json").read_bytes() == first  # same seed, same bytes
    foreign = path.parent / "results" / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    tables["claim"]["name"] = "foreign"
    assert (
        main(
            [
                "claim",
                "run",
                str(write_spec(tables, "foreign.toml")),
                "--output-dir",
                str(path.parent / "results"),
                *FAST,
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and (foreign / "notes.txt").read_text() == "mine"


def test_python_api_runs_a_claim_built_in_code(tmp_path: Path, data_dir: Path) -> None:
    import backtest as bt

    tables = minimal()
    tables["rules"] = {"start": "2010-01-01"}
    claim = bt.Claim.from_dict(tables)
    result = claim.run(n_draws=50, n_paths=0, n_power_paths=10, data_dir=data_dir)
    assert result.verdict == result.summary_data["conclusion"]["overall"]
    assert result.summary().startswith(f"Verdict: {result.verdict}")
    frame = result.to_frame()
    assert {"event_date", "ret_1m", "ret_3m"} <= set(frame.columns) and len(frame) == result.study.n_events
    assert "<strong>Verdict:" in result._repr_html_()
    written = result.report(tmp_path / "api_report")
    assert (written / "report.md").is_file() and (written / "summary.json").is_file()
    assert not np.isnan(frame["ret_1m"].iloc[0])


def test_import_backtest_stays_cheap_and_python_m_backtest_works() -> None:
    code = "import sys, backtest; heavy = [m for m in ('pandas', 'numba', 'jinja2', 'backtest.claims') if m in sys.modules]; print(heavy)"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=Path(__file__).parents[2]
    )
    assert out.stdout.strip() == "[]"
    help_text = subprocess.run(
        [sys.executable, "-m", "backtest", "claim", "--help"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    ).stdout
    assert "run-all" in help_text and "check" in help_text and "new" in help_text


def test_the_figures_drawn_before_the_variants_are_those_of_the_finished_result(data_dir: Path) -> None:
    """run_claim hands the claim's own result to on_analyzed before its variants run (which is
    when run_claim_report starts drawing): it differs from the finished result only by the
    variants' rows, and the figures drawn from it are the finished result's, byte for byte."""
    from backtest.claims.run import run_claim
    from backtest.claims.spec import spec_from_dict
    from backtest.report.claim_report import draw_claim_figures

    tables = minimal()
    tables["event"] = {"kind": "ma_cross"}
    tables["rules"] = {"start": "1990-01-01"}
    tables["variants"] = [{"name": "de-clustered", "min_gap": 126}]
    heard: list[Any] = []
    result = run_claim(
        spec_from_dict(tables), data_dir=data_dir, n_draws=500, n_paths=10, n_power_paths=10, on_analyzed=heard.append
    )
    (own,) = heard
    assert own.summary_data["variants"] == [] and [v["name"] for v in result.summary_data["variants"]] == [
        "de-clustered"
    ]
    assert {**own.summary_data, "variants": None} == {**result.summary_data, "variants": None}
    early, final = draw_claim_figures(own), draw_claim_figures(result)
    assert early.png == final.png and early.interactive == final.interactive
    # without variants nothing is handed over: the caller draws from the result itself
    tables.pop("variants")
    heard.clear()
    run_claim(
        spec_from_dict(tables), data_dir=data_dir, n_draws=500, n_paths=0, n_power_paths=0, on_analyzed=heard.append
    )
    assert heard == []
