"""Job kinds: a spec's ``[job] kind`` read before the claim is parsed, the studies' specs of
each kind, errors naming the file and the key, hooks imported once, and the one path that
`backtest study NAME` and `backtest claim run studies/NAME.toml` share."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

import backtest.study_runner
from backtest.claims.jobs import ClaimJob, StrategyJob, SweepJob, hook_module, load_job, run_job
from backtest.cli import main
from backtest.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]

SMALL_CLAIM = """
[report]
narrative = "small_claim:counted"

[claim]
name = "small_claim"
title = "Russell 2000 golden crosses at one horizon"
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

# the hooks beside the spec: records each execution of its module code
SMALL_CLAIM_HOOKS = """\
from pathlib import Path

with Path(__file__).with_name("executions.txt").open("a") as executions:
    executions.write(__name__ + "\\n")


def counted(result):
    return f"**Counted.** {result.study.n_events} crosses."
"""

TINY_SWEEP = """
[job]
kind = "sweep"

[sweep]
series = "russell2000"
fast = "10:20:10"
slow = "50:60:10"
start = "1990-01-01"
reps = 64
null_draws = 50
seed = 3
reference = "10/50"
top = 3
"""


@pytest.fixture
def studies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A studies folder of one small claim study with a hook, seen by the runner and by
    ``backtest.project.studies_dir``."""
    folder = tmp_path / "studies"
    folder.mkdir()
    (folder / "small_claim.toml").write_text(SMALL_CLAIM)
    (folder / "small_claim.py").write_text(SMALL_CLAIM_HOOKS)
    monkeypatch.setenv("BACKTEST_STUDIES_DIR", str(folder))
    monkeypatch.setattr(backtest.study_runner, "STUDIES_DIR", folder)
    return folder


def test_each_study_spec_is_a_job_of_its_kind() -> None:
    kinds = {path.stem: type(load_job(path)) for path in sorted((ROOT / "studies").glob("*.toml"))}
    assert kinds == {
        "peers_golden_cross": ClaimJob,
        "russell2000_confirmation_filters": ClaimJob,
        "russell2000_death_cross": ClaimJob,
        "russell2000_golden_cross": ClaimJob,
        "russell2000_ma_strategy": StrategyJob,
        "russell2000_ma_sweep": SweepJob,
    }
    sweep = load_job(ROOT / "studies" / "russell2000_ma_sweep.toml")
    assert isinstance(sweep, SweepJob)
    assert (sweep.fast, sweep.slow, sweep.reps, sweep.reference, sweep.start) == (
        "5:100:1",
        "20:300:1",
        1000,
        (50, 200),
        "1985-01-01",
    )
    strategy = load_job(ROOT / "studies" / "russell2000_ma_strategy.toml")
    assert isinstance(strategy, StrategyJob)
    assert strategy.fees == (0.001, 0.0) and strategy.sections == ("1985_latest", "same_period_fred")
    claim = load_job(ROOT / "studies" / "russell2000_death_cross.toml")
    assert isinstance(claim, ClaimJob) and claim.text.startswith("This is the mirror") and claim.narrative is None
    # a claim with no [job] table is a claim, as before job kinds
    plain = load_job(ROOT / "studies" / "claims" / "rsi_oversold.toml")
    assert isinstance(plain, ClaimJob) and not plain.adds_to_report


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[job]\nkind = "swep"\n', "[job] kind: unknown job kind 'swep' (known: claim, sweep, strategy)"),
        ('[job]\nkinds = "sweep"\n', "[job] kinds: unknown key (known: kind)"),
        ('[job]\nkind = "sweep"\n[sweep]\nseries = "russell2000"\nrep = 10\n', "[sweep] rep: unknown key"),
        ('[job]\nkind = "sweep"\n[sweep]\nseries = "russell2000"\nreps = -1\n', "[sweep] reps: expected an integer"),
        ('[job]\nkind = "strategy"\n[strategy]\nseries = "russell2000"\n', "[report] title: expected a non-empty"),
        (SMALL_CLAIM.replace("small_claim:counted", "nowhere:f"), "[report] narrative: no file nowhere.py beside"),
    ],
)
def test_a_bad_job_spec_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_job(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert main(["claim", "run", str(path), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {path}: ") and message in err
    assert not (tmp_path / "out").exists()  # refused before any work


SWEEP = '[job]\nkind = "sweep"\n[sweep]\nseries = "russell2000"\n'
STRATEGY = '[job]\nkind = "strategy"\n[report]\ntitle = "t"\nquestion = "q"\n[strategy]\nseries = "russell2000"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SWEEP + 'ma = "wma"\n', "[sweep] ma: expected one of sma, ema, got 'wma'"),
        (SWEEP + 'reference = "50-200"\n', "[sweep] reference: expected FAST/SLOW like 50/200, got '50-200'"),
        (SWEEP + "csv = 1\n", "[sweep] csv: expected true or false, got 1"),
        (SWEEP + "null_draws = -2\n", "[sweep] null_draws: expected an integer >= 0, got -2"),
        (SWEEP + "top = 0\n", "[sweep] top: expected an integer >= 1, got 0"),
        (SWEEP + "start = 2020-01-01\n", "[sweep] start: expected a non-empty string, got datetime.date(2020, 1, 1)"),
        (SWEEP + "[strategy]\n", "[strategy]: unknown table (known: job, sweep, report)"),
        ('[job]\nkind = "sweep"\n', "[sweep] series: expected a non-empty list of strings, got None"),
        (STRATEGY + 'fee = "x"\n', "[strategy] fee: expected a number, got 'x'"),
        (STRATEGY + "slow = 1\n", "[strategy] slow: expected an integer >= 2, got 1"),
        (
            STRATEGY + 'sections = ["a"]\n',
            "[strategy] sections: expected two names (the full sample, the period of the price series), got ['a']",
        ),
        (STRATEGY + 'seris = "r"\n', "[strategy] seris: unknown key (known: end, execution, fast, fee, fees, "),
        (STRATEGY.replace('"t"', '"  "'), "[report] title: expected a non-empty string, got '  '"),
        ("[job]\nkind = 3\n", "[job] kind: unknown job kind 3 (known: claim, sweep, strategy)"),
        ('[job]\nkind = "stratgy"\n', "(known: claim, sweep, strategy); did you mean `strategy`?"),
        ("job = 3\n", "[job]: must be a table, got 3"),
        (SMALL_CLAIM.replace("small_claim:counted", "small_claim.counted"), '[report] narrative: expected "module:'),
        (SMALL_CLAIM.replace('narrative = "small_claim:counted"', "text = 3"), "[report] text: expected a non-empty"),
        (SMALL_CLAIM.replace("narrative", "narative"), "[report] narative: unknown key (known: figures, narrative"),
    ],
)
def test_each_key_of_the_job_layer_is_refused_in_one_line_saying_what_it_expects(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_job(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_job_layer_fills_its_defaults_as_the_sweep_command_does(tmp_path: Path) -> None:
    path = tmp_path / "defaults.toml"
    path.write_text('[job]\nkind = "sweep"\n[sweep]\nseries = ["russell2000", "SPY"]\nreference = "20x100"\n')
    job = load_job(path)
    assert job == SweepJob(name="defaults", series=("russell2000", "SPY"), reference=(20, 100), origin=str(path))
    path.write_text(STRATEGY + "fee = 0\n")
    strategy = load_job(path)
    assert isinstance(strategy, StrategyJob)
    # fees default to the rule's own fee and none; the index is named by its series
    assert (strategy.fees, strategy.index_name, strategy.rule["fee"]) == ((0.0, 0.0), "russell2000", 0.0)


def test_a_bad_job_kind_stops_backtest_study_before_any_work(
    studies: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (studies / "broken.toml").write_text('[job]\nkind = "backtest"\n')
    assert main(["study", "all", "--output-dir", str(tmp_path / "all")]) == 2
    err = capsys.readouterr().err
    known = "(known: claim, sweep, strategy)"
    assert err == f"error: {studies / 'broken.toml'}: [job] kind: unknown job kind 'backtest' {known}\n"
    assert not (tmp_path / "all").exists()


def test_a_hook_module_is_imported_once_and_the_running_script_is_itself(
    studies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = studies / "small_claim.py"
    running = types.ModuleType("__main__")
    running.__file__ = str(path)
    monkeypatch.setitem(sys.modules, "__main__", running)
    assert hook_module(path) is running  # `python studies/small_claim.py`: never a second copy
    assert not (studies / "executions.txt").exists()
    running.__file__ = str(studies / "elsewhere.py")
    monkeypatch.delitem(sys.modules, "backtest_study_small_claim", raising=False)
    first = hook_module(path)
    assert hook_module(path) is first and first.counted.__module__ == "backtest_study_small_claim"
    assert (studies / "executions.txt").read_text().splitlines() == ["backtest_study_small_claim"]


@pytest.mark.slow
def test_backtest_study_and_claim_run_of_its_spec_are_the_same_path(
    studies: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = ["--draws", "200", "--paths", "0", "--seed", "5", "--data-dir", str(data_dir)]
    assert main(["study", "small-claim", "--output-dir", str(tmp_path / "a"), *sizes]) == 0
    spec = studies / "small_claim.toml"
    assert main(["claim", "run", str(spec), "--output-dir", str(tmp_path / "b"), *sizes]) == 0
    out = capsys.readouterr().out
    a, b = (json.loads((tmp_path / side / "small_claim" / "summary.json").read_text()) for side in "ab")
    assert a == b
    study, claim = ((tmp_path / side / "small_claim" / "report.md").read_text() for side in "ab")
    assert "**Counted.**" in study  # the hook the spec names
    # the same report but for the command that wrote it
    assert "`backtest study small-claim`" in study
    assert claim == study.replace("`backtest study small-claim`", "`backtest claim run`")
    manifests = [json.loads((tmp_path / side / "small_claim" / ".backtest-manifest.json").read_text()) for side in "ab"]
    assert [manifest["kind"] for manifest in manifests] == ["study", "study"]
    assert f"wrote {tmp_path / 'b' / 'small_claim'}" in out


@pytest.mark.slow
def test_a_sweep_job_is_the_sweep_command_with_the_same_options(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "tiny_sweep.toml"
    spec.write_text(TINY_SWEEP)
    ours = run_job(spec, data_dir, tmp_path / "job" / "tiny_sweep")
    options = ["--fast", "10:20:10", "--slow", "50:60:10", "--since", "1990-01-01", "--reps", "64"]
    options += ["--null-draws", "50", "--seed", "3", "--reference", "10/50", "--top", "3", "--name", "tiny_sweep"]
    code = main(["sweep", *options, "--output-dir", str(tmp_path / "cli"), "--data-dir", str(data_dir)])
    assert code == 0, capsys.readouterr().err
    theirs = tmp_path / "cli" / "tiny_sweep"
    assert json.loads((ours / "summary.json").read_text()) == json.loads((theirs / "summary.json").read_text())
    assert (ours / "summary.md").read_text() == (theirs / "summary.md").read_text()
