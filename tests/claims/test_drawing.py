"""A claim's figures drawn beside its run (``backtest.claims.drawing``): the PNGs a forked
child draws, and those drawn here when it cannot, are the report's own, byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backtest.claims import drawing
from tests.claims.conftest import minimal


@pytest.fixture(scope="module")
def own(data_dir: Path) -> Any:
    from backtest.claims.run import run_claim
    from backtest.claims.spec import spec_from_dict

    return run_claim(spec_from_dict(minimal()), data_dir=data_dir, n_draws=500, n_paths=10, n_power_paths=10)


@pytest.fixture(scope="module")
def in_process(own: Any) -> Any:
    """The reference: every figure drawn in this process, as a report without a drawing draws them."""
    from backtest.report.claim_report import draw_claim_figures

    return draw_claim_figures(own)


def test_the_forked_childs_figures_are_those_drawn_in_process(own: Any, in_process: Any) -> None:
    started = drawing.start_drawing(own)
    if drawing._can_fork():
        assert started._process is not None  # a child drew the PNGs
    figures = started.result()
    assert figures.png == in_process.png and figures.interactive == in_process.interactive
    assert set(figures.png) >= {"events.png", "event_paths.png"}
    assert started.result() is figures  # drawn once
    assert started not in drawing._drawing  # the child was waited for


def test_a_failing_child_leaves_the_drawing_to_this_process(
    own: Any, in_process: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(own: Any, sender: Any) -> None:
        sender.send(("error", "RuntimeError: no display"))
        sender.close()

    monkeypatch.setattr(drawing, "_draw_png_into", failing)
    assert drawing.start_drawing(own).result().png == in_process.png


def test_without_fork_the_pngs_are_drawn_in_a_thread(
    own: Any, in_process: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(drawing, "_can_fork", lambda: False)
    started = drawing.start_drawing(own)
    assert started._process is None and started._future is not None
    assert started.result().png == in_process.png


def test_no_more_children_than_cores_are_alive(own: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim run-all starts a drawing per claim: past MAX_DRAWING_PROCESSES, the oldest is
    waited for before another child is forked."""
    if not drawing._can_fork():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(drawing, "MAX_DRAWING_PROCESSES", 1)
    first = drawing.start_drawing(own)
    second = drawing.start_drawing(own)
    assert first._png is not None and drawing._drawing == [second]
    assert second.result().png == first.result().png
    assert drawing._drawing == []
