from __future__ import annotations

import numpy as np
import pytest

from backtest.errors import ParameterError
from backtest.sweep.grid import SweepGrid, parse_windows


def test_parse_windows_ranges_steps_and_lists():
    assert parse_windows("5:10") == (5, 6, 7, 8, 9, 10)
    assert parse_windows("20:300:70") == (20, 90, 160, 230, 300)
    assert parse_windows("50, 200,10:12") == (10, 11, 12, 50, 200)
    assert parse_windows("7") == (7,)


@pytest.mark.parametrize("text", ["5-100", "a:b", "", "5:100:0", "10:5", "0:5", "5:100:1:2", "5,,6"])
def test_parse_windows_rejects_bad_syntax_naming_the_parameter(text):
    with pytest.raises(ParameterError, match="fast"):
        parse_windows(text, "fast")


def test_grid_keeps_only_fast_below_slow():
    grid = SweepGrid.from_ranges("5:100", "20:300")
    pairs = grid.pairs
    assert grid.n_pairs == 23_655
    assert (pairs[:, 0] < pairs[:, 1]).all()
    assert SweepGrid.from_ranges("2:400", "3:400").n_pairs == 79_401
    np.testing.assert_array_equal(SweepGrid((5, 50), (20, 40)).pairs, [[5, 20], [5, 40]])


def test_grid_without_any_pair_is_an_error():
    with pytest.raises(ParameterError, match="no pair with fast < slow"):
        SweepGrid.from_ranges("200:300", "50:150")
