"""The one module that turns numbers into text: each format by hand-computed examples, the
missing-value placeholder, and the same functions as the filters of the report templates."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from backtest import numbers
from backtest.report.render import template_environment


@pytest.mark.parametrize(
    ("value", "digits", "signed", "expected"),
    [
        (0.0412, 1, False, "4.1%"),
        (0.0412, 1, True, "+4.1%"),
        (-0.0412, 2, True, "-4.12%"),
        (0.5, 0, False, "50%"),
        (1.0, 1, True, "+100.0%"),
    ],
)
def test_percent(value: float, digits: int, signed: bool, expected: str) -> None:
    assert numbers.percent(value, digits, signed=signed) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (0.0123, {}, "+1.23 pp"),
        (-0.0123, {"digits": 1}, "-1.2 pp"),
        (0.0123, {"signed": False}, "1.23 pp"),
    ],
)
def test_percentage_points(value: float, kwargs: dict[str, object], expected: str) -> None:
    assert numbers.points(value, **kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (0.0421, {}, "0.042"),
        (0.001, {}, "0.001"),
        (0.00099, {}, "<0.001"),  # the reports' convention below the last decimal
        (0.0, {}, "<0.001"),
        (0.0, {"small": "fixed"}, "0.000"),
        (0.00042, {"digits": 4}, "0.0004"),
        (0.000042, {"digits": 4, "small": "scientific"}, "4.2e-05"),
        (0.00005, {"digits": 4}, "<0.0001"),
        (1.0, {}, "1.000"),
    ],
)
def test_pvalue(value: float, kwargs: dict[str, object], expected: str) -> None:
    assert numbers.pvalue(value, **kwargs) == expected  # type: ignore[arg-type]


def test_counts_decimals_and_basis_points() -> None:
    assert numbers.count(1234567) == "1,234,567"
    assert numbers.count(12.0) == "12"
    assert numbers.decimal(1234.5) == "1,234.50"
    assert numbers.decimal(1234.5, 1, grouping=False) == "1234.5"
    assert numbers.decimal(0.25, 2, signed=True) == "+0.25"
    assert numbers.basis_points(0.00031) == "+3.1"
    assert numbers.basis_points(0.00031, signed=False) == "3.1"


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, pd.NA, float("-inf")])
def test_a_missing_number_is_the_placeholder_in_every_format(missing: object) -> None:
    formats = [numbers.percent, numbers.points, numbers.basis_points, numbers.pvalue, numbers.count, numbers.decimal]
    assert [fmt(missing) for fmt in formats] == [numbers.MISSING] * len(formats)
    assert numbers.percent(missing, missing=numbers.ASCII_MISSING) == "-"


def test_the_templates_format_with_the_same_functions() -> None:
    template = template_environment().from_string(
        "{{ x | pct(1, signed=True) }} {{ x | pp }} {{ p | pvalue }} {{ n | count }} {{ y | num(1) }} {{ z | pct }}"
    )
    text = template.render(x=0.0123, p=0.0004, n=12345, y=2.25, z=None)
    assert text == "+1.2% +1.23 pp <0.001 12,345 2.2 –"  # 2.25 rounds half to even, as Python's format does
    assert set(numbers.FILTERS) <= set(template_environment().filters)
