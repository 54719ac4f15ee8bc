"""Fixtures of the report tests: the sweep tests' random walk (no signal)."""

from tests.sweep.conftest import walk

__all__ = ["walk"]
