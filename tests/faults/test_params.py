"""Fault tests of impossible data and parameters: closes dated after the run date, windows
longer than the data or past any daily series, a detection start decades before the data,
and absurd work (a billion draws, paths, calibration replications; thousands of variants)
estimated and refused before it starts. Every case runs the CLI in this process
(``backtest.cli.main``) on a small hand-made data directory and asserts the exit code, the one
``error:`` / ``warning:`` line, and that no file changed; memory-hungry requests are refused
before anything is allocated (one runs for real in a subprocess under an address-space
limit)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest.errors import ParameterError
from tests.faults.conftest import snapshot_tree, wave_rows
from tests.faults.test_inputs import EVENTS, assert_unchanged, error_line

GiB = 2**30
RUN_DATE_ROW = 599  # the wave's row dated on the injected run date (the header is line 1)
SWEEP = ("sweep", "--series", "data/yahoo/WAVE.csv", "--fast", "5:6", "--slow", "20:21", "--reps", "0")
FAST = ("--draws", "200", "--paths", "20")


@pytest.fixture
def memory_8gib(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory available, as every cost check reads it, pinned at 8 GiB: a refusal must
    not depend on the machine the tests run on."""
    import backtest.checks
    import backtest.sweep.cost

    monkeypatch.setattr(backtest.checks, "available_memory", lambda: 8 * GiB)
    monkeypatch.setattr(backtest.sweep.cost, "available_memory", lambda: 8 * GiB)


def warning_lines(err: str) -> list[str]:
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("warning:")]


def write_spec(folder: Path, body: str, name: str = "claim.toml") -> Path:
    """A claim spec on the world's WAVE series: [claim], [series], then ``body``."""
    head = (
        '[claim]\ntitle = "t"\nstatement = "s"\nhorizons = ["1m", "3m"]\n\n[series]\nname = "data/yahoo/WAVE.csv"\n\n'
    )
    path = folder / name
    path.write_text(head + body, encoding="utf-8")
    return path


CROSS = '[event]\nkind = "ma_cross"\nfast = 5\nslow = 20\n'


# -- closes dated in the future ------------------------------------------------------------------


def wave_dates() -> list[str]:
    return [row.split(",", 1)[0] for row in wave_rows()]


def test_rows_after_the_run_date_are_dropped_and_listed_under_lenient(
    world: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    dates = wave_dates()
    monkeypatch.setenv("BACKTEST_RUN_DATE", dates[RUN_DATE_ROW])
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv")
    assert code == 0, err
    # the 100 rows after the run date are future dates (every one, not only the last), and
    # the row of the run date itself is the session's possibly running bar
    assert "validation (lenient): 101 rows dropped (partial last bar, 100 future dates)" in err
    dropped = [line for line in err.splitlines() if line.startswith("dropped:")]
    assert f"line {RUN_DATE_ROW + 2} {dates[RUN_DATE_ROW]}: partial_bar" in dropped[0]
    assert f"line {RUN_DATE_ROW + 3} {dates[RUN_DATE_ROW + 1]}: future_date" in dropped[1]
    assert f"is after the run date {dates[RUN_DATE_ROW]}" in dropped[1]
    assert f"Data: 2000-01-03 to {dates[RUN_DATE_ROW - 1]} ({RUN_DATE_ROW} closes)" in out
    assert_unchanged(before, world)


def test_rows_after_the_run_date_are_refused_under_strict(world: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    dates = wave_dates()
    monkeypatch.setenv("BACKTEST_RUN_DATE", dates[RUN_DATE_ROW + 1])
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv", "--policy", "strict")
    assert code == 2 and out == ""
    line = error_line(err)
    assert f"99 future dates, lines {RUN_DATE_ROW + 4}, " in line and "strict policy refuses" in line
    assert_unchanged(before, world)


def test_a_future_row_inside_the_file_never_feeds_events(world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    # no injected run date: 2099 is after today whenever the suite runs; the row sits in the
    # middle of the file (out of order), where the partial-bar rule never looked
    rows = wave_rows()
    fields = rows[300].split(",")
    rows[300] = ",".join(["2099-01-02", *fields[1:]])
    path = write_data(rows)
    before = snapshot_tree(world)
    started = time.perf_counter()
    code, out, err = cli(*EVENTS, "--series", path)
    assert code == 0, err
    assert "1 row dropped (future date), 0 warnings" in err  # nor an out-of-order warning
    dropped = [line for line in err.splitlines() if line.startswith("dropped:")]
    assert len(dropped) == 1 and "line 302 2099-01-02: future_date" in dropped[0]
    assert "(699 closes)" in out and "2002-10-16" in out
    assert time.perf_counter() - started < 30  # no trading calendar is built up to 2099
    assert_unchanged(before, world)


def test_a_row_dated_on_the_run_date_stays_the_partial_bar_rule(
    world: Path, write_data, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BACKTEST_RUN_DATE", "2002-10-16")  # the wave's last close
    code, out, err = cli("data", "check", "data/yahoo/WAVE.csv")
    assert code == 0, err
    assert "partial_bar 1" in out and "future_date" not in out
    # another file: the loader's in-process cache keys on the calendar day, not the run date
    path = write_data(wave_rows(), name="NEXT.csv")
    monkeypatch.setenv("BACKTEST_RUN_DATE", "2002-10-17")
    code, out, err = cli("data", "check", path, "--policy", "strict")
    assert code == 0, err
    assert "errors: none" in out


def test_a_malformed_run_date_is_one_line(world: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BACKTEST_RUN_DATE", "yesterday")
    before = snapshot_tree(world)
    code, out, err = cli(*EVENTS, "--series", "data/yahoo/WAVE.csv")
    assert code == 2 and out == ""
    assert "$BACKTEST_RUN_DATE must be a date like 2026-02-24, got 'yesterday'" in error_line(err)
    assert_unchanged(before, world)


# -- windows longer than the data ----------------------------------------------------------------

TOO_LONG = {
    "rsi-window-50000": (
        ["--rsi-below", "30", "--rsi-window", "50000"],
        "RSI window 50,000 is too long for the data: series 'WAVE' has 700 closes",
    ),
    "rsi-window-700": (["--rsi-above", "70", "--rsi-window", "700"], "RSI window 700 is too long for the data"),
    "new-high-5000": (["--new-high", "5000"], "new-high n 5,000 is too long for the data: series 'WAVE' has 700"),
    "new-low-700": (["--new-low", "700"], "new-low n 700 is too long for the data"),
    "slow-5000": (["--fast", "5", "--slow", "5000"], "slow window 5,000 is too long for the data"),
}


@pytest.mark.parametrize("case", list(TOO_LONG), ids=list(TOO_LONG))
def test_a_window_longer_than_the_data_is_refused(case: str, world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    args, expected = TOO_LONG[case]
    before = snapshot_tree(world)
    code, out, err = cli("events", "--series", "data/yahoo/WAVE.csv", *args)
    assert code == 2 and out == ""  # never "Events: 0"
    assert expected in error_line(err)
    assert_unchanged(before, world)


ABSURD = {
    "rsi-window-1e12": (["--rsi-below", "30", "--rsi-window", "1000000000000"], "'--rsi-window'"),
    "new-high-1e12": (["--new-high", "1000000000000"], "'--new-high'"),
    "new-low-1e9": (["--new-low", "1000000000"], "'--new-low'"),
    "confirm-1e9": (["--confirm", "1000000000"], "confirm must be a non-negative integer number of trading days"),
    "min-gap-1e12": (["--min-gap", "1000000000000"], "min_gap must be a non-negative integer number of trading"),
}


@pytest.mark.parametrize("case", list(ABSURD), ids=list(ABSURD))
def test_an_absurd_window_is_refused_before_any_data_is_read(case: str, world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    args, expected = ABSURD[case]
    before = snapshot_tree(world)
    code, out, err = cli("events", "--series", "data/yahoo/WAVE.csv", *args)
    assert code == 2 and out == ""
    line = error_line(err)
    assert expected in line and ("100000" in line or "100,000" in line)
    assert "data:" not in err  # refused while the options are read
    assert_unchanged(before, world)


@pytest.mark.parametrize("option", ["--confirm", "--min-gap"])
def test_sweep_confirm_or_min_gap_longer_than_the_data_is_refused(option: str, world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_tree(world)
    code, out, err = cli(*SWEEP, option, "5000", "--output-dir", "out")
    assert code == 2
    name = option.removeprefix("--").replace("-", "_")
    assert f"{name} 5,000 is too long for the data: 'WAVE' has 700 closes" in error_line(err)
    assert_unchanged(before, world)


SPEC_OVER_THE_CAP = {
    "event-window": (
        '[event]\nkind = "threshold"\nindicator = "rsi"\nwindow = 1000000000000\nlevel = 30\n',
        "[event] window: must be at most 100,000 trading days",
    ),
    "new-high-n": ('[event]\nkind = "new_high"\nn = 1000000000\n', "[event] n: must be at most 100,000"),
    "slow": ('[event]\nkind = "ma_cross"\nslow = 2000000\n', "[event] slow: must be at most 100,000"),
    "rules-confirm": (CROSS + "\n[rules]\nconfirm = 1000000000\n", "[rules] confirm: must be at most 100,000"),
    "rules-min-gap": (CROSS + "\n[rules]\nmin_gap = 1000000000\n", "[rules] min_gap: must be at most 100,000"),
    "filter-window": (
        CROSS + '\n[[filters]]\nindicator = "rsi"\nwindow = 50000000\noperator = "<"\nlevel = 70\n',
        "[filters 1] window: must be at most 100,000",
    ),
    "variant-confirm": (
        CROSS + '\n[[variants]]\nname = "v"\nconfirm = 1000000000\n',
        "[variants 1] confirm: must be at most 100,000",
    ),
}


@pytest.mark.parametrize("case", list(SPEC_OVER_THE_CAP), ids=list(SPEC_OVER_THE_CAP))
def test_a_spec_window_over_the_cap_is_refused_at_check(case: str, world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    body, expected = SPEC_OVER_THE_CAP[case]
    spec = write_spec(world, body)
    before = snapshot_tree(world)
    code, out, err = cli("claim", "check", spec)
    assert code == 2 and out == ""
    assert expected in error_line(err)
    assert_unchanged(before, world)


SPEC_TOO_LONG = {
    "rsi-window": (
        '[event]\nkind = "threshold"\nindicator = "rsi"\nwindow = 50000\nlevel = 30\n',
        "RSI window 50,000 is too long for the data: series 'WAVE' has 700 closes",
    ),
    "sma-line-cross": (
        '[event]\nkind = "line_cross"\nindicator = "close"\nagainst = "sma"\nagainst_window = 2000\n',
        "SMA window 2,000 is too long for the data",
    ),
    "new-high-n": ('[event]\nkind = "new_high"\nn = 5000\n', "new-high n 5,000 is too long for the data"),
    "series-change-window": (
        '[event]\nkind = "threshold"\nindicator = "change"\nseries = "data/yahoo/SHORT.csv"\nwindow = 500\nlevel = 0\n',
        "change window 500 is too long for the data: series 'SHORT' has 100 closes",
    ),
    "relative-volume-window": (
        CROSS + '\n[[filters]]\nindicator = "relative_volume"\nseries = "data/yahoo/WAVE.csv"\nwindow = 5000\n'
        'operator = ">="\nlevel = 1.5\n',
        "relative-volume window 5,000 is too long for the data: series 'WAVE' has 700 closes",
    ),
    "rules-confirm": (CROSS + "\n[rules]\nconfirm = 5000\n", "confirm 5,000 is too long for the data"),
}


@pytest.mark.parametrize("case", list(SPEC_TOO_LONG), ids=list(SPEC_TOO_LONG))
def test_a_spec_window_longer_than_the_data_is_refused_at_run(case: str, world: Path, write_data, cli) -> None:  # type: ignore[no-untyped-def]
    write_data(wave_rows(100), name="SHORT.csv")
    body, expected = SPEC_TOO_LONG[case]
    spec = write_spec(world, body)
    before = snapshot_tree(world)
    code, out, err = cli("claim", "run", spec, "--output-dir", "out", *FAST)
    assert code == 2
    assert expected in error_line(err)
    assert not (world / "out" / "claim").exists()
    assert_unchanged(before, world, new_files_allowed=False)


# -- a detection start before the data ---------------------------------------------------------


def test_a_start_decades_before_the_data_warns_and_the_answer_states_the_real_window(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    spec = write_spec(world, CROSS + '\n[rules]\nstart = "1950-01-01"\n')
    code, out, err = cli("claim", "run", spec, "--output-dir", "out", *FAST)
    assert code == 0, err
    warnings = warning_lines(err)
    assert warnings == [
        "warning: start 1950-01-01 is 50 years before the data: 'WAVE' begins 2000-01-03, so events are "
        "detected from 2000-01-03"
    ]
    report = (world / "out" / "claim" / "report.md").read_text(encoding="utf-8")
    assert "events 2000-01-03 to latest" in report and "1950" not in report.split("## ")[1]
    summary = (world / "out" / "claim" / "summary.json").read_text(encoding="utf-8")
    assert '"start": "2000-01-03"' in summary  # the rules as run; the spec keeps what was written


def test_a_start_days_before_the_data_is_not_worth_a_warning(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    spec = write_spec(world, CROSS + '\n[rules]\nstart = "2000-01-01"\n')  # a Saturday; data from Monday
    code, out, err = cli("claim", "run", spec, "--output-dir", "out", *FAST)
    assert code == 0, err
    assert warning_lines(err) == []
    assert "events 2000-01-03 to latest" in (world / "out" / "claim" / "report.md").read_text(encoding="utf-8")


def test_sweep_since_decades_before_the_data_warns(world: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(*SWEEP, "--null-draws", "50", "--since", "1950-01-01", "--output-dir", "out")
    assert code == 0, err
    assert warning_lines(err) == [
        "warning: start 1950-01-01 is 50 years before the data: 'WAVE' begins 2000-01-03, so events are "
        "detected from 2000-01-03"
    ]
    summary = next((world / "out").glob("*/summary.md")).read_text(encoding="utf-8")
    assert "events 2000-01-03 to latest" in summary and "1950" not in summary


# -- absurd work: estimated and refused ------------------------------------------------------------


def test_a_calibration_of_a_billion_is_refused_at_check(world: Path, cli, memory_8gib) -> None:  # type: ignore[no-untyped-def]
    spec = write_spec(world, CROSS + "\n[analysis]\ncalibration = 1000000000\n")
    before = snapshot_tree(world)
    started = time.perf_counter()
    code, out, err = cli("claim", "check", spec)
    assert code == 2 and out == ""
    line = error_line(err)
    assert "calibration 1,000,000,000 x 2 models" in line and "of the 8.0 GB of memory available" in line
    assert "lower [analysis] calibration" in line
    assert time.perf_counter() - started < 10
    assert_unchanged(before, world)


def test_five_thousand_variants_are_refused_at_check_unless_max_minutes(world: Path, cli, memory_8gib) -> None:  # type: ignore[no-untyped-def]
    variants = "".join(f'\n[[variants]]\nname = "v{i}"\nconfirm = 1\n' for i in range(5000))
    spec = write_spec(world, CROSS + variants)
    before = snapshot_tree(world)
    code, out, err = cli("claim", "check", spec)
    assert code == 2 and out == ""
    line = error_line(err)
    assert "5,000 variants" in line and "over --max-minutes 30; lower [[variants]]" in line
    needed = int(line.rsplit("pass --max-minutes ", 1)[1].split()[0].replace(",", ""))
    code, out, err = cli("claim", "check", spec, "--max-minutes", str(needed))
    assert code == 0, err
    assert ": ok:" in out and "5,000 variants" in out
    code, out, err = cli("claim", "run", spec, "--output-dir", "out")
    assert code == 2 and out == "" and "over --max-minutes 30" in error_line(err)
    assert_unchanged(before, world)


@pytest.mark.parametrize(("option", "part"), [("--draws", "random-entry draws"), ("--paths", "paths")])
def test_a_claim_with_a_billion_draws_or_paths_is_refused_before_any_data(
    option: str, part: str, world: Path, cli, memory_8gib
) -> None:  # type: ignore[no-untyped-def]
    spec = write_spec(world, CROSS)
    before = snapshot_tree(world)
    code, out, err = cli("claim", "run", spec, "--output-dir", "out", option, "1000000000")
    assert code == 2 and out == ""  # not even "writing to"
    line = error_line(err)
    assert f"1,000,000,000 {part}" in line and f"lower {option}" in line and "8.0 GB" in line
    assert "data:" not in err
    assert_unchanged(before, world)


def test_a_study_with_a_billion_draws_is_refused_before_it_starts(world: Path, cli, memory_8gib) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_tree(world)
    code, out, err = cli("study", "russell2000-golden-cross", "--draws", "1000000000", "--output-dir", "out")
    assert code == 2 and out == ""
    line = error_line(err)
    assert line.startswith("error: the study (1,000,000,000 random-entry draws") and "lower --draws" in line
    assert_unchanged(before, world)


@pytest.mark.parametrize(("option", "fix"), [("--null-draws", "lower --null-draws"), ("--reps", "lower --reps")])
def test_a_sweep_with_a_billion_draws_is_refused_before_any_data(
    option: str, fix: str, world: Path, cli, memory_8gib
) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_tree(world)
    args = [*SWEEP, "--output-dir", "out", option, "1000000000"]
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    line = error_line(err)
    assert "1,000,000,000" in line and fix in line and "data:" not in err
    assert_unchanged(before, world)


def test_calibrate_past_the_memory_is_refused_before_any_data(world: Path, cli, memory_8gib) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_tree(world)
    code, out, err = cli(
        "calibrate", "--series", "data/yahoo/WAVE.csv", "--fast", "5", "--slow", "20", "--replications", "100000",
        "--draws", "1000000",
    )  # fmt: skip
    assert code == 2 and out == ""
    line = error_line(err)
    assert "100,000 replications" in line and "lower n_replications" in line and "data:" not in err
    assert_unchanged(before, world)


def test_the_nulls_refuse_before_allocating(memory_8gib) -> None:
    from backtest.events import EventRules, MACross, run_event_study
    from backtest.stats.bootstrap import bootstrap_path_tests
    from backtest.stats.calibration import calibrate
    from backtest.stats.montecarlo import random_entry_tests_by_horizon

    index = pd.bdate_range("2000-01-03", periods=700)
    close = pd.Series(100.0 * np.exp(0.12 * np.sin(np.arange(700) * 2 * np.pi / 90)), index=index, name="wave")
    study = run_event_study(close, EventRules(source=MACross(5, 20)))
    with pytest.raises(ParameterError, match=r"1,000,000,000 random-entry draws x 5 horizons needs about 153\.7 GB"):
        random_entry_tests_by_horizon(study, n_draws=10**9)
    with pytest.raises(ParameterError, match="1,000,000,000 bootstrapped paths x 5 horizons"):
        bootstrap_path_tests(study, n_paths=10**9)
    with pytest.raises(ParameterError, match="a calibration of 1,000,000 replications"):
        calibrate(close, EventRules(source=MACross(5, 20)), ("1m",), n_replications=10**6, n_draws=999)


def test_a_billion_draws_under_an_address_space_limit_is_one_line(world: Path) -> None:
    # for real: a process that may map 3 GiB at most, with the machine's own memory figure
    spec = write_spec(world, CROSS)
    limit = 3 * GiB
    command = [
        sys.executable,
        "-c",
        f"import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit})); "
        "from backtest.cli import main; sys.exit(main(sys.argv[1:]))",
        "claim",
        "run",
        str(spec),
        "--output-dir",
        "out",
        "--draws",
        "1000000000000",
    ]
    before = snapshot_tree(world)
    done = subprocess.run(command, cwd=world, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "MemoryError" not in done.stderr and "lower --draws" in error_line(done.stderr)
    assert_unchanged(before, world)
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != limit  # the limit was the child's alone


def test_the_committed_specs_fit_the_default_budget(memory_8gib) -> None:
    from backtest.checks import available_memory
    from backtest.claims.jobs import ClaimJob, load_job
    from backtest.claims.run import check_claim_work

    studies = Path(__file__).resolve().parents[2] / "studies"
    paths = sorted(studies.glob("*.toml")) + sorted(studies.glob("claims/*.toml"))
    claims = [job for job in map(load_job, paths) if isinstance(job, ClaimJob)]  # not the sweep, the strategy
    assert len(claims) >= 10
    for job in claims:
        estimate = check_claim_work(job.spec, memory=available_memory())
        assert estimate.seconds < 5 * 60 and estimate.bytes < GiB, (job.origin, estimate.describe())
