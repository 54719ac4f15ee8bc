"""``settings_options``: a group of click options becomes one frozen settings object, and the
command's help, option order and defaults stay the options' own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import click
import pytest
from click.testing import CliRunner

from backtest.cli import app
from backtest.cli._common import DataSettings, settings_options
from backtest.cli._rules import RuleSettings, SourceSettings
from backtest.cli.claim import ClaimRunSettings
from backtest.cli.study import StudyRunSettings
from backtest.cli.sweep import ExecutorSettings, SweepSettings


@dataclass(frozen=True)
class Inner:
    depth: int


@dataclass(frozen=True)
class Outer:
    name: str
    inner: Inner
    loud: bool


def test_options_become_one_frozen_settings_object_in_the_listed_order() -> None:
    seen = []

    @click.command()
    @click.argument("target")
    @settings_options(
        Outer,
        [
            click.option("--name", default="x", help="The name."),
            click.option("--depth", type=int, default=3, help="The depth."),
            click.option("--loud", is_flag=True, help="Be loud."),
        ],
        into="outer",
        nested={"inner": Inner},
    )
    def command(target: str, outer: Outer) -> None:
        seen.append((target, outer))

    result = CliRunner().invoke(command, ["t", "--depth", "5", "--loud"])
    assert result.exit_code == 0, result.output
    assert seen == [("t", Outer(name="x", inner=Inner(depth=5), loud=True))]
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen[0][1].name = "y"  # type: ignore[misc]
    help_text = CliRunner().invoke(command, ["--help"]).output
    assert help_text.index("--name") < help_text.index("--depth") < help_text.index("--loud")


def _fields(settings: type) -> set[str]:
    names = set()
    for field in dataclasses.fields(settings):
        nested = {"rule": RuleSettings}.get(field.name)
        names |= _fields(nested) if nested is not None else {field.name}
    return names


@pytest.mark.parametrize(
    ("path", "settings"),
    [
        (["sweep"], (SweepSettings, ExecutorSettings, DataSettings)),
        (["events"], (RuleSettings, SourceSettings, DataSettings)),
        (["claim", "run"], (ClaimRunSettings,)),
        (["claim", "run-all"], (ClaimRunSettings,)),
        (["study"], (StudyRunSettings,)),
    ],
)
def test_every_option_of_a_command_lands_in_one_settings_object(path: list[str], settings: tuple[type, ...]) -> None:
    command: click.Command = app
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    options = {param.name for param in command.params if isinstance(param, click.Option) and param.expose_value}
    covered = set().union(*(_fields(cls) for cls in settings))
    plain = {"series", "fast", "slow", "csv_path", "overwrite", "list_only"}  # the commands' own arguments
    assert options - plain <= covered
    for cls in settings:
        assert _fields(cls) <= options
