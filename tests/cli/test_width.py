"""Every command's normal output fits the terminal: at 80 and 100 columns no line of stdout
is wider, in a pipe too (``$COLUMNS``, else 80). Tables wrap or leave out detail (and say
so) rather than cut a value short. Stderr's one-line messages (``data:``, ``warning:``,
``dropped:``, ``estimate:``, ``error:``) stay one line each, whatever their length, so that
they can be searched for; anything else on stderr fits too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from backtest.cli import app, main
from backtest.cli._common import PIPE_WIDTH, answer_markdown, output_width, print_answer
from backtest.data import clear_cache, sources

ONE_LINE_MESSAGES = ("data:", "warning:", "dropped:", "estimate:", "error:")

SPEC = """
[claim]
title = "Oversold Russell 2000, a claim with a title long enough to wrap on any terminal narrower than this"
statement = "When the Russell 2000's 14-day RSI drops below 30, gains follow over the next 3 months."
horizons = ["1m", "3m"]

[series]
name = "russell2000"

[event]
kind = "threshold"
indicator = "rsi"
window = 14
level = 30
cross = "below"

[rules]
start = "1990-01-01"
"""


@pytest.fixture
def builtin_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh clone's situation: the built-in dataset, run from ``tmp_path`` (so that the
    paths printed are short: a path is never broken, to be copied whole)."""
    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    monkeypatch.setattr(sources, "user_data_dir", lambda: tmp_path / "user")
    monkeypatch.chdir(tmp_path)
    clear_cache()
    (tmp_path / "claim.toml").write_text(SPEC)
    yield tmp_path
    clear_cache()


COMMANDS = {
    "data list": ["data", "list"],
    "data show": ["data", "show", "russell2000"],
    "data check": ["data", "check", "VIX", "--show-dropped"],
    "events": ["events"],
    "events rsi": ["events", "--rsi-below", "30", "--since", "2000-01-01", "--months", "1,3,6,12"],
    "claim check": ["claim", "check", "claim.toml"],
    "claim new": ["claim", "new", "new.toml"],
    "claim run": ["claim", "run", "claim.toml", "--draws", "200", "--paths", "0", "--power-paths", "0"],
    "sweep": ["sweep", "--fast", "20:50:10", "--slow", "100:200:50", "--reps", "20", "--null-draws", "200"],
    "study list": ["study", "--list"],
}


def _too_wide(text: str, width: int, stream: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if len(line.rstrip()) > width and not (stream == "err" and line.startswith(ONE_LINE_MESSAGES))
    ]


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_normal_output_fits_the_terminal(
    name: str, width: int, builtin_only: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(COMMANDS[name]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip()
    assert _too_wide(captured.out, width, "out") == []
    assert _too_wide(captured.err, width, "err") == []


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


@pytest.mark.parametrize("width", [80, 100])
def test_every_help_fits_the_terminal(width: int, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", str(width))
    for command in _commands(app):
        assert main([*command, "--help"]) == 0, command
        assert _too_wide(capsys.readouterr().out, width, "out") == [], command


def test_a_pipe_is_as_wide_as_columns_says_else_80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert output_width() == PIPE_WIDTH == 80
    monkeypatch.setenv("COLUMNS", "132")
    assert output_width() == 132
    monkeypatch.setenv("COLUMNS", "wide")
    assert output_width() == 80


def test_the_events_table_leaves_out_detail_to_fit_and_says_so(
    builtin_only: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 100 columns every column is there; at 80 the averages' values are left out (the
    caption says so and how to get them); dates are never cut short (``200…``)."""
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["events"]) == 0
    wide = capsys.readouterr().out
    assert "SMA50" in wide and "SMA200" in wide and "Left out" not in wide
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["events"]) == 0
    narrow = " ".join(capsys.readouterr().out.split())
    assert "SMA200" not in narrow.split("Left out")[0] and "2025-08-06" in narrow and "…" not in narrow
    assert "Left out to fit the terminal: SMA50, SMA200 (`--csv FILE` writes every column)." in narrow


def test_an_answer_is_rendered_verdict_first_without_markdown_marks(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        "Verdict: not supported as a signal: gains followed, but no more than after random days",
        "A **claim** title: 32 events on russell2000",
        "  3m: n=32, mean +2.1%",
        "  6m: n=32, mean +5.4%",
    ]
    assert answer_markdown(lines) == (
        "**Verdict: not supported as a signal: gains followed, but no more than after random days**\n\n"
        "A **claim** title: 32 events on russell2000\n\n- 3m: n=32, mean +2.1%\n- 6m: n=32, mean +5.4%"
    )
    print_answer(lines, last_date="2026-02-20")
    out = capsys.readouterr().out
    assert out.startswith("Verdict: not supported as a signal")
    assert "**" not in out and "##" not in out
    assert all(len(line.rstrip()) <= PIPE_WIDTH for line in out.splitlines())
    assert "• 3m: n=32, mean +2.1%" in out


def test_old_data_say_how_old_and_how_to_refresh(
    builtin_only: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The built-in data end on 2026-02-20: a month later nothing is said; later, every
    answer on the terminal says how old they are and gives `backtest data update`."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("BACKTEST_RUN_DATE", "2026-03-20")
    assert main(["events"]) == 0
    fresh = capsys.readouterr()
    assert "data update" not in fresh.out + fresh.err
    monkeypatch.setenv("BACKTEST_RUN_DATE", "2026-11-20")
    assert main(["events"]) == 0
    old = capsys.readouterr()
    sentence = "the data end on 2026-02-20, 9 months before 2026-11-20: `backtest data update` fetches newer closes"
    assert f"Note: {sentence}." in old.out and old.err.splitlines()[0].endswith(f"; {sentence}")
    for command in (["data", "show", "RUT"], ["data", "list"]):
        assert main(command) == 0
        assert "`backtest data update` fetches newer closes" in capsys.readouterr().out
    print_answer(["Verdict: supported"], last_date="2026-02-20")
    assert "Note: the data end on 2026-02-20, 9 months before 2026-11-20" in capsys.readouterr().out


def test_tables_wrap_their_cells_and_never_cut_them(
    builtin_only: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 80 columns every word of every cell is still there (rich crops a table whose
    columns cannot shrink enough: a cut cell would lose words)."""
    from backtest.data import list_series, load_series

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["data", "list"]) == 0
    words = set(capsys.readouterr().out.split())
    for description in list_series()["description"]:
        assert set(description.split()) <= words, description
    assert main(["data", "check", "RUT"]) == 0
    words = set(capsys.readouterr().out.split())
    for finding in load_series("RUT").validation[0].findings:
        assert set(finding.message.split()) <= words, finding.message
