"""`backtest bench sweep` on tiny grids: runs end to end and its checks pass."""

from __future__ import annotations

import json

import pytest

from backtest import cli


@pytest.mark.slow  # imports and runs vectorbt and arch against our sweep
def test_bench_sweep_on_tiny_grids(russell2000, tmp_path, capsys):
    output = tmp_path / "bench" / "sweep.json"
    code = cli.main(
        [
            "bench",
            "sweep",
            "--fast",
            "5:8",
            "--slow",
            "20:23",
            "--full-fast",
            "5:6",
            "--full-slow",
            "20:21",
            "--spa-fast",
            "5:6",
            "--spa-slow",
            "20:22",
            "--spa-horizon",
            "1m",
            "--reps",
            "60",
            "--output",
            str(output),
        ]
    )
    assert code == 0, capsys.readouterr().err
    result = json.loads(output.read_text())
    agreement = result["grid_vs_vectorbt"]["agreement"]
    assert agreement["identical_event_counts"] and agreement["identical_event_days"]
    assert agreement["identical_forward_returns"]
    spa = result["spa_vs_arch"]
    assert spa["pairs"] == 6 and spa["max_abs_pvalue_diff_same_resamples"] == 0.0
    for section in (result["full_sweep"], result["grid_vs_vectorbt"]["ours"], result["grid_vs_vectorbt"]["vectorbt"]):
        assert section["wall_s"] > 0 and section["peak_mb"] is not None
