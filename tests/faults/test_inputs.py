"""Fault tests of the inputs: absurd grids, garbage prices, gaps, bad parameters, malformed
CSV files, strict vs lenient. Every case runs the CLI in this process (``backtest.cli.main``)
on a small hand-made data directory and asserts the exit code, the one-line message, and that
every file that existed before is byte-identical after."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.data import segment_for_analysis
from backtest.data.series import MarketSeries
from backtest.errors import DataError, ParameterError
from backtest.events import run_event_study
from backtest.sweep import SweepGrid
from backtest.sweep.cost import check_sweep_cost, estimate_sweep
from backtest.sweep.executors import check_scheduler_address
from tests.faults.conftest import snapshot_tree, wave_rows

CLEAN_EVENTS = "Events: 7"  # the wave's SMA 5/20 golden crosses
BAD_LINE = 302  # row 300 of the data (the header is line 1)
EVENTS = ("events", "--fast", "5", "--slow", "20", "--horizons", "5,10")
SWEEP = ("sweep", "--series", "data/yahoo/WAVE.csv", "--reps", "0", "--null-draws", "0", "--output-dir", "out")


def error_line(err: str) -> str:
    """The one ``error:`` line of stderr (asserting there is exactly one and no traceback)."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


def assert_unchanged(before: dict[str, str], root: Path, *, new_files_allowed: bool = False) -> None:
    after = snapshot_tree(root)
    assert {name: after.get(name) for name in before} == before
    if not new_files_allowed:
        assert after == before


def with_close(rows: list[str], position: int, close: str) -> list[str]:
    """The rows with the close of one row replaced by a raw text token."""
    fields = rows[position].split(",")
    fields[1] = close
    return [*rows[:position], ",".join(fields), *rows[position + 1 :]]


def scaled_close(rows: list[str], position: int, factor: float) -> list[str]:
    fields = rows[position].split(",")
    return with_close(rows, position, f"{float(fields[1]) * factor:.4f}")


def level_shift(rows: list[str], position: int, factor: float) -> list[str]:
    """A crash that stays down: every price from ``position`` on multiplied by ``factor``."""
    shifted = []
    for i, row in enumerate(rows):
        if i < position:
            shifted.append(row)
            continue
        date, *prices, volume = row.split(",")
        shifted.append(",".join([date, *(f"{float(p) * factor:.4f}" for p in prices), volume]))
    return shifted


# -- absurd grids -----------------------------------------------------------------------------

ABSURD_GRIDS = {
    "huge-range": (["--fast", "1:2000000000", "--slow", "2:3"], "longer than 100,000 trading days"),
    "8M-pairs": (["--fast", "2:2000", "--slow", "3:5000"], "7,994,001 pairs"),
    "over-max-pairs": (["--fast", "5:10", "--slow", "20:30", "--max-pairs", "10"], "--max-pairs 66"),
    "window-longer-than-series": (["--fast", "5", "--slow", "5000"], "has 700 closes"),
    "empty-range": (["--fast", "10:5", "--slow", "20"], "is empty"),
    "not-a-range": (["--fast", "five", "--slow", "20"], "cannot read 'five'"),
}


@pytest.mark.parametrize("case", list(ABSURD_GRIDS), ids=list(ABSURD_GRIDS))
def test_absurd_grid_is_refused_up_front(case: str, world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    args, expected = ABSURD_GRIDS[case]
    before = snapshot_tree(world)
    started = time.perf_counter()
    code, out, err = cli(*SWEEP, *args)
    assert code == 2
    assert expected in error_line(err)
    assert time.perf_counter() - started < 30  # refused, not attempted
    assert_unchanged(before, world)


def test_sweep_past_available_memory_is_refused(world: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import backtest.sweep.cost

    monkeypatch.setattr(backtest.sweep.cost, "available_memory", lambda: 64 * 2**20)
    before = snapshot_tree(world)
    code, _, err = cli(*SWEEP, "--fast", "2:600", "--slow", "3:650", "--max-pairs", "1000000")
    assert code == 2
    line = error_line(err)
    assert "pairs x 5 horizons" in line and "of the 64.0 MB available" in line
    assert_unchanged(before, world)


def test_over_max_pairs_message_names_the_flag(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(*SWEEP, "--fast", "2:2000", "--slow", "3:5000")
    assert code == 2 and "pass --max-pairs 7,994,001" in error_line(err)


def test_sweep_prints_its_estimate_before_it_starts(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_tree(world)
    code, out, err = cli(*SWEEP, "--fast", "5:6", "--slow", "20:21")
    assert code == 0, err
    estimate = [line for line in err.splitlines() if line.startswith("estimate:")]
    assert len(estimate) == 1 and "4 pairs x 5 horizons" in estimate[0] and "of memory" in estimate[0]
    assert err.index("estimate:") < err.index("data:") or "data: WAVE" in err
    assert_unchanged(before, world, new_files_allowed=True)


def test_pairs_are_counted_without_listing_them() -> None:
    grid = SweepGrid.from_ranges("2:2000", "3:5000")
    assert grid.n_pairs == 7_994_001
    small = SweepGrid.from_ranges("5:100:3,7", "20:300:7")
    assert small.n_pairs == small.pairs.shape[0]


def test_estimate_grows_with_the_grid_and_refuses_past_memory() -> None:
    small = estimate_sweep(SweepGrid.from_ranges("5:10", "20:30"), 10_000, 5, 1000)
    big = estimate_sweep(SweepGrid.from_ranges("5:100", "20:300"), 10_000, 5, 1000)
    assert small.seconds < big.seconds and small.bytes < big.bytes
    with pytest.raises(ParameterError, match="available"):
        check_sweep_cost(big, max_pairs=10**9, memory=big.bytes // 2)


# -- garbage prices -----------------------------------------------------------------------------

GARBAGE = {
    "1e308": (lambda rows: with_close(rows, 300, "1e308"), "spike"),
    "inf": (lambda rows: with_close(rows, 300, "inf"), "non_finite_price"),
    "1e309": (lambda rows: with_close(rows, 300, "1e309"), "non_finite_price"),
    "nan": (lambda rows: with_close(rows, 300, "nan"), "missing_price"),
    "negative": (lambda rows: with_close(rows, 300, "-97.5"), "non_positive_price"),
    "spike-x5": (lambda rows: scaled_close(rows, 300, 5.0), "spike"),
    "dip-x0.2": (lambda rows: scaled_close(rows, 300, 0.2), "spike"),
}


@pytest.mark.parametrize("case", list(GARBAGE), ids=list(GARBAGE))
def test_garbage_price_is_dropped_and_listed_under_lenient(case: str, world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    make, kind = GARBAGE[case]
    path = write_data(make(wave_rows()))
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--series", path)
    assert code == 0, err
    assert "Traceback" not in err
    dropped = [line for line in err.splitlines() if line.startswith("dropped:")]
    assert len(dropped) == 1 and f"line {BAD_LINE}" in dropped[0] and kind in dropped[0]
    assert "validation (lenient): 1 row dropped" in err
    assert CLEAN_EVENTS in out  # the bad row changes no event
    assert_unchanged(before, world)


@pytest.mark.parametrize("case", list(GARBAGE), ids=list(GARBAGE))
def test_garbage_price_is_refused_under_strict(case: str, world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    make, kind = GARBAGE[case]
    path = write_data(make(wave_rows()))
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--series", path, "--policy", "strict")
    assert code == 2 and out == ""
    line = error_line(err)
    assert f"line {BAD_LINE}" in line and "strict policy refuses" in line
    assert_unchanged(before, world)


def test_a_crash_that_stays_down_is_not_a_spike(world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    # -50% in a day that never comes back (worse than 1987-10-19): a warning, never an error
    path = write_data(level_shift(wave_rows(), 300, 0.5))
    code, out, err = cli("data", "check", path, "--policy", "strict")
    assert code == 0, err
    assert "large_move 1" in out and "spike" not in out


def test_the_snapshot_has_no_spike_nor_non_finite_price(
    data_dir: Path,
    data_is_snapshot: bool,
    fixture_manifest: dict,  # type: ignore[type-arg]
) -> None:
    from backtest.data import validation_reports

    kinds = ("spike", "non_finite_price")
    found = {
        (f"{report.source_format}/{report.name}", kind): list(finding.lines)
        for report in validation_reports(data_dir=data_dir)
        for kind in kinds
        if (finding := report.finding(kind)) is not None
    }
    # the real snapshot has none; the synthetic fixture has exactly the ones it plants
    planted = {
        (name, kind): entry["findings"][kind]["lines"]
        for name, entry in fixture_manifest["files"].items()
        for kind in kinds
        if kind in entry["findings"]
    }
    assert found == ({} if data_is_snapshot else planted)
    assert data_is_snapshot or planted  # the fixture plants at least one, or this checks nothing


# -- gaps -----------------------------------------------------------------------------------------


def gap_rows() -> list[str]:
    """300 closes in 1990-91, then ten years of nothing, then 400 closes from 2002."""
    return wave_rows(300, start="1990-01-02") + wave_rows(400, start="2002-01-02")


def test_ten_year_gap_is_cut_with_a_warning_under_lenient(world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_data(gap_rows())
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--series", path)
    assert code == 0, err
    warning = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "gap from 1991-03-08 to 2002-01-02" in warning[0]
    assert "using the 400 closes after the last gap" in warning[0]
    assert "2002-01-02 to" in out and "(400 closes)" in out  # no window spans the gap
    assert_unchanged(before, world)


@pytest.mark.parametrize("command", ["events", "sweep"])
def test_ten_year_gap_is_refused_under_strict(command: str, world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_data(gap_rows())
    before = snapshot_tree(world)
    args = (
        (*EVENTS, "--series", path)
        if command == "events"
        else ("sweep", "--series", path, "--fast", "5:6", "--slow", "20:21", "--reps", "0", "--output-dir", "out")
    )
    code, _, err = cli(*args, "--policy", "strict")
    assert code == 2
    assert "gap from 1991-03-08 to 2002-01-02" in error_line(err)
    assert_unchanged(before, world)


def test_a_market_closure_like_9_11_is_not_a_gap(world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    rows = wave_rows()
    del rows[300:304]  # a Monday close, then the next one 7 calendar days later: not split
    path = write_data(rows)
    code, out, err = cli(*EVENTS, "--series", path, "--policy", "strict")
    assert code == 0, err
    assert "warning:" not in err and "(696 closes)" in out


def test_library_refuses_a_gappy_series_it_is_handed() -> None:
    index = pd.bdate_range("1990-01-02", periods=300).append(pd.bdate_range("2002-01-02", periods=300))
    close = pd.Series(100 + np.sin(np.arange(600) / 10), index=index)
    with pytest.raises(DataError, match="gap"):
        run_event_study(close)
    series, note = segment_for_analysis(MarketSeries.from_close("X", close))
    assert len(series) == 300 and "300 earlier closes left out" in note
    with pytest.raises(DataError, match="strict"):
        segment_for_analysis(MarketSeries.from_close("X", close), "strict")


# -- bad parameters -------------------------------------------------------------------------------

BAD_PARAMETERS = {
    "months-9000": ([*EVENTS[:5], "--months", "9000"], "9000m (9,000 months) is longer than the data"),
    "months-100000": ([*EVENTS[:5], "--months", "100000"], "longer than the data"),
    "horizon-days-longer-than-series": ([*EVENTS[:5], "--horizons", "5000"], "has 700 closes"),
    "scheduler-not-a-url": (
        [*SWEEP, "--fast", "5:6", "--slow", "20:21", "--executor", "dask", "--scheduler", "not a url"],
        "scheduler must be an address",
    ),
    "scheduler-bad-port": (
        [*SWEEP, "--fast", "5:6", "--slow", "20:21", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:99999"],
        "port 1-65535",
    ),
    "unknown-policy": ([*EVENTS, "--policy", "sloppy"], "'sloppy' is not one of"),
}


@pytest.mark.parametrize("case", list(BAD_PARAMETERS), ids=list(BAD_PARAMETERS))
def test_bad_parameter_is_one_line_and_exit_2(case: str, world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    args, expected = BAD_PARAMETERS[case]
    if args[0] == "events":
        args = [*args, "--series", "data/yahoo/WAVE.csv"]
    before = snapshot_tree(world)
    started = time.perf_counter()
    code, out, err = cli(*args)
    assert code == 2
    assert expected in error_line(err)
    assert time.perf_counter() - started < 10  # a malformed address never waits for a timeout
    assert_unchanged(before, world)


@pytest.mark.parametrize(
    "address", ["tcp://127.0.0.1:8786", "localhost:8786", "tls://node-1.cluster:8786", "tcp://[::1]:8786"]
)
def test_scheduler_addresses_of_dask_form_pass(address: str) -> None:
    assert check_scheduler_address(address) == address


@pytest.mark.parametrize("command", ["events", "sweep"])
def test_empty_event_window_warns_with_the_data_end(command: str, world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    args = (
        (*EVENTS, "--series", "data/yahoo/WAVE.csv")
        if command == "events"
        else (*SWEEP, "--fast", "5:6", "--slow", "20:21")
    )
    before = snapshot_tree(world)
    code, out, err = cli(*args, "--since", "2099-01-01")
    warning = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "holds no close" in warning[0] and "to 2002-10-16" in warning[0]
    assert "Traceback" not in err
    assert code == 0, err
    assert "Events: 0" in out if command == "events" else "fast < slow: 4 pairs" in out
    assert_unchanged(before, world, new_files_allowed=True)


def test_hit_is_labelled_and_explained_for_death_crosses(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv", "--direction", "death")
    assert code == 0
    assert "% up" in out and "% of windows down" in " ".join(out.split())  # the text wraps at 80


# -- malformed CSV files --------------------------------------------------------------------------

MALFORMED = {
    "empty-file": (None, [], "empty file"),
    "header-only": ("Date,Close,High,Low,Open,Volume", [], "no usable rows"),
    "not-a-price-file": ("name,age", ["bob,3"], "not a Yahoo header"),
    "every-row-unparseable": ("Date,Close,High,Low,Open,Volume", ["yesterday,a,b,c,d,e", "x"], "no usable rows"),
    "binary-garbage": (None, ["\x00\x01\ufffd\x7f"], "not a Yahoo header"),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_csv_is_one_line_and_exit_2(case: str, world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    header, rows, expected = MALFORMED[case]
    path = write_data(rows, header=header)
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--series", path)
    assert code == 2
    assert expected in error_line(err)
    assert_unchanged(before, world)


def test_missing_file_is_one_line(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(*EVENTS, "--series", "data/yahoo/NOPE.csv")
    assert code == 2 and "file not found" in error_line(err)


# -- strict vs lenient across commands -----------------------------------------------------------


@pytest.mark.parametrize("command", [("data", "show"), ("data", "check")])
@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_data_commands_follow_the_policy(command: tuple[str, str], policy: str, world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_data(with_close(wave_rows(), 300, "1e308"))
    before = snapshot_tree(world)
    code, out, err = cli(*command, path, "--policy", policy)
    if policy == "strict":
        assert code == 2 and "isolated spike, line 302" in error_line(err)
    else:
        assert code == 0, err
        if command[1] == "show":
            assert "validation (lenient): 1 row dropped (isolated spike)" in err
    assert_unchanged(before, world)


def test_study_follows_the_policy(  # type: ignore[no-untyped-def]
    data_dir: Path,
    data_is_snapshot: bool,
    fixture_manifest: dict,  # type: ignore[type-arg]
    tmp_path: Path,
    cli,
) -> None:
    # the snapshot's RUT.csv ends in a partial intraday bar (so does the fixture's, planted):
    # strict refuses it before any work. This study: the golden and death cross studies have a
    # variant ending in 1999, before the fixture's first close, a spec error that comes first
    if data_is_snapshot:
        line = 9687
    else:
        line = fixture_manifest["files"]["yahoo/RUT.csv"]["findings"]["partial_bar"]["lines"][0]
    code, out, err = cli(
        "study",
        "russell2000-confirmation-filters",
        "--policy",
        "strict",
        "--output-dir",
        tmp_path / "report",
        "--data-dir",
        data_dir,
    )
    # stdout holds only the announcement of where the report would have gone
    assert code == 2 and out == f"writing to {tmp_path / 'report' / 'russell2000_confirmation_filters'}/\n"
    assert f"RUT.csv: partial last bar, line {line}" in error_line(err)
    assert not (tmp_path / "report").exists()


def test_data_line_goes_to_stderr_and_stdout_stays_a_table(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv")
    assert code == 0
    assert err.splitlines()[0].startswith("data: WAVE (Yahoo WAVE), 700 closes 2000-01-03..2002-10-16; validation")
    assert "data:" not in out


# -- interrupts and studies (slow: a real cluster, a real study) ---------------------------------


def _ignores_sigint(pid: int) -> bool:
    """Whether process ``pid`` ignores SIGINT (bit 2 of SigIgn in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    ignored = next(line for line in status.splitlines() if line.startswith("SigIgn:"))
    return bool(int(ignored.split()[1], 16) & (1 << (signal.SIGINT - 1)))


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    alive.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                pass
    return alive


@pytest.mark.slow
def test_ctrl_c_during_a_dask_sweep_is_one_line_and_closes_the_cluster(data_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    output = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        # Ctrl-C as a terminal delivers it: a test runner started in the background by a
        # non-interactive shell passes SIGINT down as ignored, and Python keeps that
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from backtest.cli import run; sys.argv[0] = 'backtest'; run()",
        "sweep",
        "--executor",
        "dask",
        "--workers",
        "2",
        # far more work than the few seconds before the interrupt (it must land mid-sweep on a fast machine)
        "--fast",
        "2:150",
        "--slow",
        "20:400",
        "--reps",
        "8000",
        "--output-dir",
        str(output),
        "--data-dir",
        str(data_dir),
    ]
    process = subprocess.Popen(
        command,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # wait until the two worker processes exist and the CLI hears Ctrl-C again (it ignores it
    # while it spawns them, see executors._sigint_ignored: the cluster has then started), then
    # Ctrl-C the group
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if len(_group_alive(process.pid)) >= 3 and not _ignores_sigint(process.pid):
            break
        time.sleep(0.2)
    assert process.poll() is None, process.communicate()[1]
    time.sleep(1)  # let tasks start on the workers: the interrupt must land mid-sweep (~20 s of work)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    messages = [line for line in err.splitlines() if line.strip() and not line.startswith(("data:", "estimate:"))]
    assert messages == ["aborted: no results were written"]
    deadline = time.monotonic() + 20
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _group_alive(process.pid) == []  # the cluster's workers are gone
    assert not output.exists() or snapshot_tree(output) == {}


@pytest.mark.slow
@pytest.mark.parametrize("study", ["russell2000-golden-cross", "russell2000-death-cross"])
def test_zero_paths_skips_the_bootstrapped_path_null(
    study: str, real_data_dir: Path | None, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import functools

    import backtest.study_runner

    # the simulated power (200 paths by default; `backtest study` has no option for it) draws
    # paths of its own, whatever --paths says: left out, it is most of the run
    run_job = functools.partial(backtest.study_runner.run_job, n_power_paths=0)
    monkeypatch.setattr(backtest.study_runner, "run_job", run_job)
    # the real series: the snapshot, else the built-in dataset (no --data-dir)
    data_option = [] if real_data_dir is None else ["--data-dir", real_data_dir]
    code, out, err = cli(
        "study", study, "--paths", "0", "--draws", "200", "--output-dir", tmp_path / "report", *data_option
    )
    assert code == 0, err
    # one line per series loaded (", built-in dataset)" when read from there)
    assert err.startswith("data: russell2000 (FRED RU2000PR + Yahoo ^RUT")
    folder = study.replace("-", "_")  # --output-dir is the parent of the study's report folder
    report = tmp_path / "report" / folder / "report.md"
    assert "Bootstrapped-path null**: skipped" in report.read_text(encoding="utf-8")


def test_months_beyond_timestamps_never_overflow() -> None:
    from backtest.events.rules import calendar_month_horizons, horizon_offsets

    index = pd.bdate_range("2000-01-03", periods=50)
    offsets = horizon_offsets(index, np.array([0, 10]), calendar_month_horizons([100_000]))
    assert (offsets >= len(index) - 10).all() and math.isfinite(float(offsets.sum()))
