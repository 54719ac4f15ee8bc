"""Spec files for the claim tests: ``write_spec(tmp_path, tables)`` writes a TOML spec from
nested dicts (the minimal contract of the issue by default)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

MINIMAL: dict[str, Any] = {
    "claim": {
        "title": "Oversold Russell 2000",
        "statement": "When the Russell 2000's 14-day RSI drops below 30, gains follow over the next 3 months.",
        "published": "2025-07-30",
        "direction": "gains",
        "horizons": ["1m", "3m"],
    },
    "series": {"name": "russell2000"},
    "event": {"kind": "threshold", "indicator": "rsi", "window": 14, "level": 30, "cross": "below"},
    "rules": {"start": "1990-01-01"},
}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (dt.date, int, float)):
        return value.isoformat() if isinstance(value, dt.date) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table: [[variants]] filters, [[published]] figures
        return "{ " + ", ".join(f'"{key}" = {_value(v)}' for key, v in value.items()) + " }"
    raise TypeError(value)


def toml_text(tables: dict[str, Any]) -> str:
    """TOML of a spec: tables of scalars, arrays of tables ([[filters]], [[facts]]), and a
    scalar at the top level when a test puts one there."""
    lines = []
    for name, body in tables.items():
        if isinstance(body, dict):
            lines.append(f"[{name}]")
            lines += [f"{key} = {_value(value)}" for key, value in body.items()]
        elif isinstance(body, list) and body and all(isinstance(item, dict) for item in body):
            for item in body:
                lines.append(f"[[{name}]]")
                lines += [f"{key} = {_value(value)}" for key, value in item.items()]
        else:
            lines.insert(0, f"{name} = {_value(body)}")
        lines.append("")
    return "\n".join(lines)


def minimal() -> dict[str, Any]:
    return copy.deepcopy(MINIMAL)


@pytest.fixture
def write_spec(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(tables: dict[str, Any], name: str = "claim.toml") -> Path:
        path = tmp_path / name
        path.write_text(toml_text(tables))
        return path

    return write
