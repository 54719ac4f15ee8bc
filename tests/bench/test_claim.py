"""`backtest bench claim`: the plain reference of the primary test against the library, the
refusals before any work, and the whole command on one small claim."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest import cli
from backtest.bench.claim import reference_primary_pvalue
from backtest.claims.robustness import JOINT_SHIFT, primary_test
from backtest.events import EventRules, Horizon, MACross, run_event_study

SMALL_SPEC = """
[claim]
name = "small_claim"
title = "Russell 2000 golden crosses, for the bench test"
statement = "Golden crosses precede gains."
direction = "gains"
horizons = ["3m"]

[series]
name = "russell2000"

[event]
kind = "ma_cross"
fast = 50
slow = 200

[rules]
start = "1985-01-01"

[robustness]
sub_periods = false
parameters = false
horizons = false
peers = []
"""

QUICK = ["--draws", "2000", "--paths", "20", "--power-paths", "5"]


def _library_pvalue(close: pd.Series, fast: int, slow: int, start: str, horizons: tuple[Horizon, ...], claim: str):
    study = run_event_study(close, EventRules(source=MACross(fast, slow), start=start), horizons)
    judged = [h.label for h in horizons]
    return primary_test(study, judged, kind=JOINT_SHIFT, claim=claim, alpha=0.05).evaluate().pvalue, study.n_events


@pytest.mark.parametrize("claim", ["gains", "losses"])
def test_the_reference_gives_the_librarys_pvalue_on_a_random_walk(claim) -> None:
    """Trading-day and calendar-month horizons, both tails, on a walk with many crosses."""
    rng = np.random.default_rng(7)
    index = pd.bdate_range("2000-01-03", periods=2500)
    close = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0002, 0.012, len(index)))), index=index)
    horizons = (Horizon("21d", days=21), Horizon("3m", months=3))
    expected, events = _library_pvalue(close, 10, 40, "2001-01-01", horizons, claim)
    pvalue, n = reference_primary_pvalue(close, 10, 40, "2001-01-01", horizons, greater=claim == "gains")
    assert n == events > 20
    assert pvalue == pytest.approx(expected, abs=1e-12)


def test_the_reference_gives_the_librarys_pvalue_on_the_headline(russell2000) -> None:
    horizons = tuple(Horizon(label, months=m) for label, m in (("3m", 3), ("6m", 6), ("9m", 9), ("12m", 12)))
    expected, events = _library_pvalue(russell2000, 50, 200, "1985-01-01", horizons, "gains")
    pvalue, n = reference_primary_pvalue(russell2000.close, 50, 200, "1985-01-01", horizons)
    assert n == events and pvalue == pytest.approx(expected, abs=1e-12)


def test_a_foreign_output_file_is_refused_before_any_run(tmp_path, capsys) -> None:
    output = tmp_path / "claim.json"
    output.write_text('{"my": "notes"}', encoding="utf-8")
    code = cli.main(["bench", "claim", "--output", str(output)])
    assert code == 2
    assert "error:" in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == '{"my": "notes"}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claim.json"]


def test_a_headline_the_reference_cannot_recompute_is_refused_before_any_run(tmp_path, capsys) -> None:
    output = tmp_path / "claim.json"
    code = cli.main(["bench", "claim", "--claims", "studies/claims/vix_above_30.toml", "--output", str(output)])
    assert code == 2
    assert "golden cross" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.slow
def test_bench_claim_on_one_small_claim_writes_every_number(tmp_path, capsys, monkeypatch) -> None:
    """The whole command, its subprocesses on numba's default cache (warm from the suite: the
    cold fill of a fresh cache is the suite's half-minute of compilation)."""
    import backtest.bench.study
    from backtest._io import FILE_RECOGNISERS
    from backtest.report.bench_report import bench_rows

    def warm_environment(cache_dir: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("NUMBA_CACHE_DIR", None)
        env["BACKTEST_CACHE_DIR"] = str(cache_dir / "data")
        env.setdefault("MPLBACKEND", "Agg")
        return env

    monkeypatch.setattr(backtest.bench.study, "_environment", warm_environment)
    spec = tmp_path / "small_claim.toml"
    spec.write_text(SMALL_SPEC, encoding="utf-8")
    output = tmp_path / "bench" / "claim.json"
    argv = ["bench", "claim", "--claims", str(spec), "--repeats", "1", "--panel-sizes", "1,2", *QUICK]
    code = cli.main([*argv, "--output", str(output)])
    assert code == 0, capsys.readouterr().err
    head = output.read_bytes()
    assert FILE_RECOGNISERS["bench-claim"](head)
    assert not FILE_RECOGNISERS["bench-study"](head)
    result = json.loads(head)
    assert set(result) >= {"benchmark", "targets", "claims", "run_all", "robustness_panel", "reference", "machine"}
    (claim,) = result["claims"]
    assert set(claim) >= {"answer_s", "report_s", "cpu_s", "cpu_floor_s", "runs", "profile"}
    # the answer is printed before the process ends
    assert 0 < claim["answer_s"] <= claim["report_s"]
    if claim["cpu_s"] is not None:  # resource.getrusage of the children
        assert claim["cpu_floor_s"] == pytest.approx(claim["cpu_s"] / result["machine"]["cpus"])
    stages = claim["profile"]["stages_s"]
    assert stages["run_claim"] >= stages["statistics"] > 0 and stages["writing"] > 0
    assert result["run_all"]["specs"] == 1 and result["run_all"]["wall_s"] > 0
    assert [row["specifications"] for row in result["robustness_panel"]["sizes"]] == [1, 2]
    reference = result["reference"]
    assert reference["same_pvalue"] and reference["reference_pvalue"] == reference["library_pvalue"]
    assert {row.benchmark for row in bench_rows({"claim": result})} == {"claim"}
    assert "backtest claim run small_claim" in (output.parent / "report.html").read_text(encoding="utf-8")
