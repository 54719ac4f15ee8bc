"""Draw a claim's figures once its answer is known, beside the rest of the run.

``start_drawing(own)`` takes the claim's own ``ClaimResult`` (its analysis; the variants'
rows are never drawn) and starts drawing its PNG figures in a forked child process, so that
they use a second core while this process runs the variants and renders the interactive
figures and the report; ``FigureDrawing.result()`` returns every figure
(``backtest.report.claim_report.ClaimFigures``). Where a process cannot be forked safely
(not Linux), the PNGs are drawn in a thread, as the report would draw them itself.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

MAX_DRAWING_PROCESSES = max(1, os.cpu_count() or 1)
"""Most PNG children alive at once: one per core (``claim run-all`` starts one per claim; a
further one waits for the oldest to finish, so that memory stays bounded)."""

_drawing: list[FigureDrawing] = []
"""The drawings whose child process may still be running, oldest first."""


def _can_fork() -> bool:
    """Whether the PNGs may be drawn in a forked child: Linux only (macOS's system libraries
    are not fork-safe once threads have run, and Windows cannot fork)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _draw_png_into(own: Any, sender: Any) -> None:
    """The child's work: the PNG figures of ``own``, sent back as ("ok", name -> bytes), or
    ("error", message) for the parent to draw them itself (and raise the error there)."""
    try:
        from backtest.report.claim_report import draw_figures

        sender.send(("ok", draw_figures(own)))
    except BaseException as exc:  # any failure: the parent redraws in its own process
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


class FigureDrawing:
    """The figures of one claim being drawn (``start_drawing``); ``result()`` waits for the
    PNGs, draws the interactive figures in this process meanwhile, and returns both."""

    def __init__(self, own: Any) -> None:
        self.own = own
        self._png: dict[str, bytes] | None = None
        self._figures: Any = None
        self._process: Any = None
        self._receiver: Any = None
        self._thread: ThreadPoolExecutor | None = None
        self._future: Future[dict[str, bytes]] | None = None

    def _start(self) -> None:
        if not _can_fork():
            from backtest.report.claim_report import draw_figures

            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="figures")
            self._future = self._thread.submit(draw_figures, self.own)
            return
        while len(_drawing) >= MAX_DRAWING_PROCESSES:
            _drawing[0]._collect()
        # the child inherits this process's buffers: anything unflushed would be written twice
        sys.stdout.flush()
        sys.stderr.flush()
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        # forked, so that ``own`` is the child's copy of this memory, never pickled
        self._process = context.Process(target=_draw_png_into, args=(self.own, sender), daemon=True)
        self._process.start()
        sender.close()
        _drawing.append(self)

    def _collect(self) -> dict[str, bytes]:
        """The PNGs: the child's (waited for), the thread's, or drawn here when the child failed."""
        if self._png is not None:
            return self._png
        png: dict[str, bytes] | None = None
        if self._future is not None and self._thread is not None:
            png = self._future.result()
            self._thread.shutdown()
        elif self._process is not None:
            try:
                status, payload = self._receiver.recv()  # before join: the PNGs fill more than a pipe's buffer
            except EOFError:  # the child died without a word
                status, payload = "error", None
            self._receiver.close()
            self._process.join()
            if self in _drawing:
                _drawing.remove(self)
            png = payload if status == "ok" else None
        if png is None:  # no child, or it failed: draw here, raising what went wrong
            from backtest.report.claim_report import draw_figures

            png = draw_figures(self.own)
        self._png = png
        return png

    def result(self) -> Any:
        """Every figure of the claim (``ClaimFigures``): the interactive ones drawn here while
        the PNGs finish elsewhere."""
        if self._figures is None:
            from backtest.report.claim_report import ClaimFigures
            from backtest.report.interactive import claim_blocks

            interactive = claim_blocks(self.own, slug=self.own.spec.name)
            self._figures = ClaimFigures(png=self._collect(), interactive=interactive)
        return self._figures


def start_drawing(own: Any) -> FigureDrawing:
    """Start drawing the figures of ``own`` (a claim's own ``ClaimResult``) beside the rest of
    the run; ``.result()`` gives them."""
    drawing = FigureDrawing(own)
    drawing._start()
    return drawing
