"""The README is for users: a few screens, every link resolves, every command it shows is a
real command with real options, its spec passes `claim check` on the built-in data, and
its Python runs as written (with a small number of draws)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from backtest.cli import main
from backtest.data import clear_cache, sources

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MOVED_OUT = ("## Performance", "## Layout", "### Architecture", "## Scaling out", "## Conventions")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture
def fresh_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """No data folder configured or beside the project: the built-in dataset."""
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    monkeypatch.setattr(sources, "user_data_dir", lambda: tmp_path / "user")
    monkeypatch.chdir(tmp_path)
    clear_cache()
    yield tmp_path
    clear_cache()


def test_the_readme_fits_in_a_few_screens_and_leaves_internals_to_docs() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 12_000
    assert not [heading for heading in MOVED_OUT if heading in text]
    for moved in ("docs/performance.md", "docs/data.md", "CONTRIBUTING.md", "docs/methods.md"):
        assert f"]({moved})" in text and (ROOT / moved).is_file()
    assert "SOURCES.md" not in text and "../shared" not in text  # nothing a clone does not have


def test_every_relative_link_resolves() -> None:
    for document in (README, ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))):
        for target in re.findall(r"\]\(([^)#\s]+)\)", document.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (document.parent / target).exists(), f"{document.name}: {target}"


def _commands() -> list[list[str]]:
    found = []
    for block in [*_blocks("bash"), *_blocks("text")]:
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command.startswith("backtest "):
                found.append(shlex.split(command)[1:])
    return found


def test_every_command_shown_is_a_command_with_those_options(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands()
    assert len(commands) >= 12
    for arguments in commands:
        # click reads every option before it honours --help: an unknown one is exit 2
        assert main([*arguments, "--help"]) == 0, arguments
    capsys.readouterr()


def test_the_ten_line_spec_passes_claim_check_on_a_fresh_clone(fresh_clone: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (spec,) = _blocks("toml")
    assert len([line for line in spec.splitlines() if "=" in line]) <= 10
    (fresh_clone / "my_claim.toml").write_text(spec)
    assert main(["claim", "check", "my_claim.toml"]) == 0
    assert "my_claim.toml: ok: 'Oversold Russell 2000'" in " ".join(capsys.readouterr().out.split())


def test_the_python_example_runs_as_written(fresh_clone: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from backtest.claims import Claim

    (code,) = _blocks("python")
    run = Claim.run
    monkeypatch.setattr(Claim, "run", lambda self: run(self, n_draws=500, n_paths=0, n_power_paths=0))
    monkeypatch.setattr("builtins.print", lambda *args, **kwargs: None)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    plt.close("all")
    assert (fresh_clone / "results" / "my_claim" / "report.md").is_file()
