"""The registry of event kinds (``backtest.claims.kinds``): a kind defined in this module
alone, registered, is read from a spec, checked and run end to end by the CLI, and its report
names it; the built-ins are the six kinds in their order, and names are checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest
from pydantic import field_validator

from backtest.claims import SCHEMA_PATH
from backtest.claims.kinds import (
    EVENT_KINDS,
    KIND_NAME,
    EventKind,
    EventNeighbour,
    EventSpec,
    SourceInputs,
    changed,
    event_kind,
    register_event_kind,
    unregister_event_kind,
)
from backtest.claims.spec_models import EventParams, Refusal
from backtest.cli import main
from backtest.data import load_series
from backtest.errors import ParameterError, SpecError
from backtest.events.sources import Signal
from tests.claims.conftest import minimal

GAP_DOWN_WORDING = "a close more than a threshold below the previous close"


@dataclass(frozen=True)
class GapDown:
    """Fires on day t when close_t / close_{t-1} - 1 < -threshold (an event source)."""

    threshold: float = 0.03
    price_only: bool = True

    def signal(self, close: pd.Series) -> Signal:
        return self.signal_on_path(close.to_numpy(dtype=float))

    def signal_on_path(self, values: np.ndarray) -> Signal:
        change = np.full(values.shape[0], np.nan)
        change[1:] = values[1:] / values[:-1] - 1.0
        with np.errstate(invalid="ignore"):
            fired = change < -self.threshold
        return Signal(trigger=fired, state=fired.copy(), values={"change_1d": change})

    def describe(self) -> str:
        return f"close more than {self.threshold:.1%} below the previous close"

    def to_dict(self) -> dict[str, object]:
        return {"kind": "gap_down", "threshold": self.threshold}


@dataclass(frozen=True)
class GapDownEvent(EventSpec):
    """[event] of kind gap_down: the fall that makes a gap (a fraction)."""

    threshold: float = 0.03


class GapDownParams(EventParams):
    """[event] of kind gap_down: the fall that makes a gap, a fraction in (0, 1)."""

    threshold: float = 0.03

    @field_validator("threshold")
    @classmethod
    def _fraction(cls, threshold: float) -> float:
        if not 0 < threshold < 1:
            raise Refusal(f"must be a fraction in (0, 1), got {threshold}")
        return threshold


class GapDownKind(EventKind):
    kind = "gap_down"
    wording = GAP_DOWN_WORDING
    params = GapDownParams

    def event(self, params: GapDownParams) -> EventSpec:
        return GapDownEvent(kind=self.kind, threshold=params.threshold)

    def source(self, event: EventSpec, inputs: SourceInputs) -> Any:
        return GapDown(event.threshold)  # type: ignore[attr-defined]

    def neighbours(self, event: EventSpec) -> list[EventNeighbour]:
        threshold = event.threshold  # type: ignore[attr-defined]
        return [
            EventNeighbour(f"threshold {t:g}", changed(event, threshold=t))
            for t in (threshold - 0.005, threshold + 0.005)
        ]


@pytest.fixture
def gap_down() -> Iterator[type[GapDownKind]]:
    register_event_kind(GapDownKind)
    yield GapDownKind
    unregister_event_kind(GapDownKind.kind)


def gap_down_spec(threshold: float | None = 0.04) -> dict[str, Any]:
    tables = minimal()
    tables["claim"]["title"] = "Russell 2000 after a gap down"
    tables["claim"]["statement"] = "After the Russell 2000 closes 4% below the day before, gains follow."
    tables["event"] = {"kind": "gap_down"} | ({"threshold": threshold} if threshold is not None else {})
    tables["rules"] = {"start": "2000-01-01"}
    tables["robustness"] = {"peers": []}
    return tables


def test_the_built_in_kinds_are_the_six_in_their_order() -> None:
    assert list(EVENT_KINDS) == ["ma_cross", "line_cross", "threshold", "new_high", "new_low", "dates"]
    assert event_kind("ma_cross").wording == "a moving-average cross"
    assert event_kind("dates").fixed_dates and not event_kind("threshold").fixed_dates


def test_a_name_is_checked_and_registered_once(gap_down: type[GapDownKind]) -> None:
    assert list(EVENT_KINDS)[-1] == "gap_down" and "gap_down" in EVENT_KINDS
    with pytest.raises(ParameterError, match="already registered"):
        register_event_kind(GapDownKind)

    class Badly(GapDownKind):
        kind = "Gap Down"

    with pytest.raises(ParameterError, match="must match"):
        register_event_kind(Badly)
    with pytest.raises(ParameterError, match="unknown event kind 'gap_up'; known: ma_cross, "):
        event_kind("gap_up")


def test_the_schema_accepts_exactly_the_names_a_kind_may_take() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$defs"]["event_kind"]["pattern"] == f"^{KIND_NAME.pattern}$"


def test_an_unregistered_kind_is_refused_by_the_spec(write_spec: Any) -> None:
    path = write_spec(gap_down_spec())
    assert main(["claim", "check", str(path)]) != 0
    from backtest.claims.spec import load_spec

    with pytest.raises(SpecError, match=r"\[event\] kind: must be one of ma_cross, .*, dates, got 'gap_down'"):
        load_spec(path)


def test_a_registered_kind_reads_its_parameters_and_refuses_bad_ones(
    gap_down: type[GapDownKind], write_spec: Any
) -> None:
    from backtest.claims.spec import load_spec, spec_schema

    spec = load_spec(write_spec(gap_down_spec(threshold=None)))
    assert spec.event == GapDownEvent(kind="gap_down", threshold=0.03)
    assert spec.to_dict()["event"]["threshold"] == 0.03
    schema = spec_schema()  # the spec's JSON Schema is built from the registry: the kind's model is in it
    assert schema["$defs"]["GapDownEvent"]["properties"]["threshold"] == {"default": 0.03, "type": "number"} | {
        "title": "Threshold"
    }
    with pytest.raises(SpecError, match=r"\[event\] threshold: must be a fraction in \(0, 1\), got 4.0"):
        load_spec(write_spec(gap_down_spec(threshold=4.0)))
    tables = gap_down_spec()
    tables["event"]["level"] = 3
    with pytest.raises(SpecError, match=r"\[event\] level: unknown key \(known: kind, threshold\)"):
        load_spec(write_spec(tables))


def test_a_kind_defined_in_a_test_runs_end_to_end(
    gap_down: type[GapDownKind], write_spec: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    threshold = 0.04
    path = write_spec(gap_down_spec(threshold), name="gap_down.toml")
    assert main(["claim", "check", str(path)]) == 0
    assert "gap_down on russell2000" in capsys.readouterr().out
    output = tmp_path / "reports"
    sizes = ["--draws", "50", "--paths", "0", "--power-paths", "0"]
    assert main(["claim", "run", str(path), "--output-dir", str(output), *sizes]) == 0
    folder = output / "gap_down"

    report = (folder / "report.md").read_text()
    assert f"**Event source**: {GAP_DOWN_WORDING}: close more than 4.0% below the previous close." in report
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, json.loads(SCHEMA_PATH.read_text()), cls=jsonschema.Draft202012Validator)
    assert summary["event_source"]["kind"] == "gap_down"
    assert summary["spec"]["event"]["threshold"] == threshold
    neighbours = [row["label"] for row in summary["robustness"]["specifications"] if row["family"] == "parameter"]
    assert neighbours == ["threshold 0.035", "threshold 0.045"]

    # the same rule in pandas: a fall of more than 4% from the previous close, from 2000 on
    close = load_series("russell2000").close
    fell = close.index[(close.pct_change() < -threshold) & (close.index >= "2000-01-01")]
    expected = [date.date().isoformat() for date in fell]
    assert len(expected) > 20
    assert [date[:10] for date in summary["events"]["dates"]] == expected
    assert list(pd.read_csv(folder / "events.csv")["event_date"].str[:10]) == expected


def test_a_registered_kind_is_an_event_source_of_the_cli(
    gap_down: type[GapDownKind], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "--help"]) == 0
    assert "gap_down: threshold (number, default 0.03)" in " ".join(capsys.readouterr().out.split())
    csv = tmp_path / "events.csv"
    options = ["--since", "2000-01-01", "--csv", str(csv)]
    assert main(["events", "--event", "gap_down", "--param", "threshold=0.04", *options]) == 0
    capsys.readouterr()
    close = load_series("russell2000").close
    fell = close.index[(close.pct_change() < -0.04) & (close.index >= "2000-01-01")]
    expected = [date.date().isoformat() for date in fell]
    assert len(expected) > 20
    assert list(pd.read_csv(csv)["event_date"].str[:10]) == expected
    # a parameter is checked by the kind's model, and the error names it
    assert main(["events", "--event", "gap_down", "--param", "threshold=4"]) == 2
    assert "--param threshold: must be a fraction in (0, 1), got 4.0" in capsys.readouterr().err
    assert main(["events", "--event", "gap_down", "--param", "level=3"]) == 2
    assert "--param level: unknown key (known: kind, threshold)" in capsys.readouterr().err
