"""`backtest sweep`: files written, one-line errors, nothing left by an interrupted run."""

from __future__ import annotations

import json

import pytest

from backtest import cli
from backtest.sweep import engine


def run_cli(argv, capsys):
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tiny_sweep_writes_the_expected_files(russell2000, tmp_path, capsys):
    code, out, err = run_cli(["sweep", "--fast", "45:55:5", "--slow", "190:210:10", "--since", "1985-01-01",
                              "--horizons", "21,63", "--reps", "60", "--name", "tiny", "--output-dir", str(tmp_path),
                              "--csv"], capsys)
    assert code == 0, err
    target = tmp_path / "tiny"
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["pairs.parquet", "pairs.csv", "heatmap_21d.png", "heatmap_63d.png", "summary.md", "summary.html", "summary.json"]
    )
    summary = json.loads((target / "summary.json").read_text())
    assert summary["grid"]["n_pairs"] == 9 and summary["reps"] == 60
    assert "RC p" in out and "wrote" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fast", "200:300", "--slow", "20:100"], "no pair with fast < slow"),
        (["--fast", "5-100"], "fast: cannot read '5-100'"),
        (["--slow", "20:300:0"], "slow: step must be a positive integer"),
        (["--confirm", "-1"], "confirm must be a non-negative integer"),
    ],
)
def test_bad_parameters_give_one_line_errors(argv, message, tmp_path, capsys):
    code, out, err = run_cli(["sweep", *argv, "--output-dir", str(tmp_path), "--reps", "10"], capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_bad_range_syntax_from_click_options(tmp_path, capsys):
    code, _, err = run_cli(["sweep", "--reps", "-3", "--output-dir", str(tmp_path)], capsys)
    assert code == 2 and "--reps" in err


def test_interrupted_run_leaves_no_directory(russell2000, tmp_path, capsys, monkeypatch):
    real = engine.snooping_test

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "snooping_test", interrupted)
    code, _, err = run_cli(["sweep", "--fast", "45:50:5", "--slow", "200", "--reps", "20", "--name", "cut",
                            "--output-dir", str(tmp_path)], capsys)
    assert code == 130
    assert "no results were written" in err
    assert list(tmp_path.iterdir()) == []
