"""Fixtures for the data tests: small hand-made CSV files written into ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.data.csv_rows import YAHOO_HEADER


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """``write_csv(rows, name="T.csv", header=YAHOO_HEADER, newline="\\n")`` -> path."""

    def write(rows: list[str], name: str = "T.csv", header: str | None = YAHOO_HEADER, newline: str = "\n") -> Path:
        lines = ([header] if header is not None else []) + list(rows)
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(newline.join(lines) + newline, encoding="utf-8")
        return path

    return write
