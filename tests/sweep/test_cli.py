"""`backtest sweep`: files written, one-line errors, nothing left by an interrupted run."""

from __future__ import annotations

import json

import pytest

from backtest import cli
from backtest.sweep import plan


def run_cli(argv, capsys):
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_tiny_sweep_writes_the_expected_files(russell2000, tmp_path, capsys):
    code, out, err = run_cli(
        [
            "sweep",
            "--fast",
            "45:55:5",
            "--slow",
            "190:210:10",
            "--since",
            "1985-01-01",
            "--horizons",
            "21,63",
            "--reps",
            "60",
            "--name",
            "tiny",
            "--output-dir",
            str(tmp_path),
            "--csv",
        ],
        capsys,
    )
    assert code == 0, err
    target = tmp_path / "tiny"
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [
            "pairs.parquet",
            "pairs.csv",
            "heatmap_21d.png",
            "heatmap_63d.png",
            "summary.md",
            "summary.html",
            "summary.json",
            ".backtest-manifest.json",
        ]
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
    real = plan.finish_snooping  # the last stage of each horizon, after its bootstrap

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(plan, "finish_snooping", interrupted)
    code, _, err = run_cli(
        ["sweep", "--fast", "45:50:5", "--slow", "200", "--reps", "20", "--name", "cut", "--output-dir", str(tmp_path)],
        capsys,
    )
    assert code == 130
    assert "no results were written" in err
    assert list(tmp_path.iterdir()) == []


# --- executors and many series -------------------------------------------------------------

SMALL = ["--fast", "20:60:20", "--slow", "100:200:50", "--since", "1985-01-01", "--horizons", "21,63", "--reps", "64"]


def assert_one_line_error(code, err, message):
    assert code == 2
    assert message in err
    # one error line; the only other stderr lines are the data summary and the sweep estimate
    lines = err.strip().splitlines()
    assert [line for line in lines if not line.startswith(("data:", "estimate:"))] == [lines[-1]], err
    assert lines[-1].startswith("error:"), err


def test_unknown_executor_is_a_one_line_error(tmp_path, capsys):
    code, _, err = run_cli(["sweep", *SMALL, "--executor", "spark", "--output-dir", str(tmp_path)], capsys)
    assert_one_line_error(code, err, "executor must be one of local, processes, dask; got 'spark'")
    assert list(tmp_path.iterdir()) == []


def test_unreachable_scheduler_is_a_fast_one_line_error(russell2000, tmp_path, capsys):
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    started = time.perf_counter()
    code, _, err = run_cli(
        [
            "sweep",
            *SMALL,
            "--executor",
            "dask",
            "--scheduler",
            address,
            "--connect-timeout",
            "1",
            "--output-dir",
            str(tmp_path),
        ],
        capsys,
    )
    assert time.perf_counter() - started < 10
    assert_one_line_error(code, err, f"error: scheduler {address} is not reachable within 1 s")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("# only a comment\n", "lists no series"),
        ("RUT\nNOT_A_SERIES\n", "unknown series 'NOT_A_SERIES'"),
        ("RUT\nRUT\n", "'RUT' is already on line 1"),
    ],
)
def test_bad_series_file_is_a_one_line_error(data_dir, tmp_path, capsys, content, message):
    listing = tmp_path / "list.txt"
    if content is not None:
        listing.write_text(content)
    output = tmp_path / "out"
    code, _, err = run_cli(["sweep", *SMALL, "--series-file", str(listing), "--output-dir", str(output)], capsys)
    assert_one_line_error(code, err, message)
    assert not output.exists()


def test_series_and_series_file_together_are_refused(tmp_path, capsys):
    listing = tmp_path / "list.txt"
    listing.write_text("RUT\n")
    code, _, err = run_cli(["sweep", "--series", "SPY", "--series-file", str(listing)], capsys)
    assert code == 2 and "not both" in err


def test_bad_rep_block_is_a_one_line_error(russell2000, tmp_path, capsys):
    code, _, err = run_cli(["sweep", *SMALL, "--rep-block", "50", "--output-dir", str(tmp_path)], capsys)
    assert_one_line_error(code, err, "rep_block must be a multiple of 32")


def test_multi_series_on_a_dask_scheduler_writes_the_local_bytes(data_dir, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    listing = tmp_path / "members.txt"
    listing.write_text("# three members\nRUT\nSPY   # S&P 500 ETF\nIWM\n")
    code, out, err = run_cli(
        ["sweep", *SMALL, "--series-file", str(listing), "--output-dir", str(tmp_path / "local"), "--csv"], capsys
    )
    assert code == 0, err
    assert "Sweep of 3 series" in out and "wrote" in out
    target = tmp_path / "local" / "members_sma_golden_sweep"
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as cluster:
        code, _, err = run_cli(
            [
                "sweep",
                *SMALL,
                "--series-file",
                str(listing),
                "--output-dir",
                str(tmp_path / "dask"),
                "--csv",
                "--executor",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
                "--workers",
                "2",
            ],
            capsys,
        )
        assert code == 0, err
        assert cluster.status.name == "running"  # ours to stop, not the sweep's
    other = tmp_path / "dask" / "members_sma_golden_sweep"
    files = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    assert [str(p) for p in files] == [
        ".backtest-manifest.json",
        "pairs/IWM.parquet",
        "pairs/RUT.parquet",
        "pairs/SPY.parquet",
        "pairs_csv/IWM.csv",
        "pairs_csv/RUT.csv",
        "pairs_csv/SPY.csv",
        "series.csv",
        "series.parquet",
        "summary.html",
        "summary.json",
        "summary.md",
    ]
    for name in files:
        assert (target / name).read_bytes() == (other / name).read_bytes(), name
    summary = json.loads((target / "summary.json").read_text())
    assert summary["series"] == ["RUT", "SPY", "IWM"] and len(summary["per_series"]) == 6
