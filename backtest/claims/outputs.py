"""Writing report folders: the one place a rendered report reaches the disk.

``backtest.report`` renders a report into a ``ReportFiles`` (path in the folder -> text or
bytes) and writes nothing; ``write_report`` writes one through ``backtest._io.report_directory``:
the folder is staged beside the target and swapped into place only when every file is
written, so an interrupted run leaves the previous report (or nothing), never a mix; a
folder the tool did not write, or of another kind or name, is refused (``--overwrite`` for
the latter), and files a user added to the old folder survive. The writers of each report
(``write_claim_report``, ``write_sweep_report``, ...) render and then write;
``MultiSweepReport`` streams a multi-series sweep's per-series tables into its staging
folder as each series finishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from backtest._io import atomic_write_bytes, report_directory
from backtest.report.outputs import FileContent, ReportFiles, report_files

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from backtest.report.claim_report import ClaimFigures
    from backtest.strategy.comparison import TrendComparison
    from backtest.sweep.engine import SweepResult
    from backtest.sweep.multi import MultiSweepResult


def _write_files(staging: Path, files: Mapping[str, FileContent]) -> None:
    """Write ``files`` (relative POSIX path -> text or bytes) into the staging folder."""
    for relative, content in files.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, content.encode("utf-8") if isinstance(content, str) else content)


def write_report(files: ReportFiles, directory: str | Path, *, kind: str) -> Path:
    """Write ``files`` as the report folder ``directory`` of ``kind`` (a kind of
    ``backtest._io.REPORT_KINDS``: "study", "sweep", "multi-sweep", "claim"), staged and
    swapped into place in one step; returns the folder."""
    target = Path(directory)
    with report_directory(target, kind=kind) as staging:
        _write_files(staging, files.files)
    return target


def write_report_directory(
    output_dir: str | Path,
    *,
    title: str,
    report_markdown: str,
    summary: Mapping[str, Any],
    files: Mapping[str, str] | None = None,
    figures: Mapping[str, bytes] | None = None,
    kind: str = "study",
    interactive: Mapping[str, str] | None = None,
) -> Path:
    """Write report.md, report.html (figures embedded), summary.json, ``files`` (name ->
    text, e.g. CSV tables) and ``figures`` (name -> PNG bytes) into ``output_dir``, a report
    folder of ``kind`` (``backtest.report.outputs.report_files``, then ``write_report``)."""
    rendered = report_files(
        title=title,
        report_markdown=report_markdown,
        summary=summary,
        files=files,
        figures=figures,
        interactive=interactive,
    )
    return write_report(rendered, output_dir, kind=kind)


def write_claim_report(
    result: Any,
    folder: str | Path,
    *,
    kind: str = "claim",
    narrative: str = "",
    extra_figures: Mapping[str, tuple[str, bytes]] | None = None,
    command: str = "backtest claim run",
    drawn: ClaimFigures | None = None,
) -> Path:
    """Write an event study's report folder (``kind`` "claim", or "study" for a study script):
    report.md, report.html, events.csv, summary.json, the figures and a copy of the spec
    (``backtest.report.claim_report.claim_report_files``, whose options these are)."""
    from backtest.report.claim_report import claim_report_files

    rendered = claim_report_files(
        result, narrative=narrative, extra_figures=extra_figures, command=command, drawn=drawn
    )
    return write_report(rendered, folder, kind=kind)


def write_strategy_report(
    comparison: TrendComparison,
    output_dir: str | Path,
    *,
    study: str,
    question: str,
    title: str,
    index_name: str,
) -> Path:
    """Write the report folder of a trend rule against buy-and-hold (kind "study"):
    ``backtest.report.strategy_report.strategy_report_files``, whose options these are."""
    from backtest.report.strategy_report import strategy_report_files

    rendered = strategy_report_files(comparison, study=study, question=question, title=title, index_name=index_name)
    return write_report(rendered, output_dir, kind="study")


def write_sweep_report(
    result: SweepResult, directory: str | Path, csv: bool = False, top: int = 10, kind: str = "sweep"
) -> Path:
    """Write every output file of ``result`` into ``directory`` atomically; return it.

    kind: the report kind its manifest records ("study" for a sweep that is a study, so
    that `backtest sweep --name` never replaces it by accident)."""
    from backtest.report.sweep_report import sweep_report_files

    return write_report(sweep_report_files(result, csv=csv, top=top), directory, kind=kind)


class MultiSweepReport:
    """The files of a multi-series sweep, staged while it runs and swapped into place only
    when every one is written (as ``write_sweep_report``):

        with MultiSweepReport(directory) as report:
            multi = run_sweeps(..., on_result=report.add, keep_results=False)
            report.finish(multi)

    ``add`` writes one series' pairs table as soon as it is done, so the caller never holds
    more than one series' table. Every file is a function of the results alone (no worker
    count, no timing), so any executor gives the same bytes.
    """

    def __init__(self, directory: str | Path, csv: bool = False) -> None:
        self.target = Path(directory)
        self.csv = csv
        self._context: AbstractContextManager[Path] = report_directory(self.target, kind="multi-sweep")
        self._staging: Path | None = None
        self._finished = False

    def __enter__(self) -> MultiSweepReport:
        from backtest.report.sweep_report import PAIRS_CSV_DIR, PAIRS_DIR

        self._staging = self._context.__enter__()
        (self._staging / PAIRS_DIR).mkdir()
        if self.csv:
            (self._staging / PAIRS_CSV_DIR).mkdir()
        return self

    def add(self, position: int, result: SweepResult) -> None:
        """Write the tables of the series ``result`` (``position``: its place in the sweep)."""
        from backtest.report.sweep_report import series_pairs_files

        assert self._staging is not None, "use MultiSweepReport as a context manager"
        _write_files(self._staging, series_pairs_files(result, csv=self.csv))

    def finish(self, multi: MultiSweepResult) -> None:
        """Write the cross-series files; the folder is swapped in when the block ends."""
        from backtest.report.sweep_report import multi_sweep_files

        assert self._staging is not None, "use MultiSweepReport as a context manager"
        _write_files(self._staging, multi_sweep_files(multi, csv=self.csv).files)
        self._finished = True

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None and not self._finished:
            value = RuntimeError("MultiSweepReport closed before finish(): nothing was written")
            self._context.__exit__(RuntimeError, value, None)
            raise value
        if kind is None:
            self._context.__exit__(None, None, None)
        else:
            self._context.__exit__(kind, value, traceback)


def write_multi_sweep_report(multi: MultiSweepResult, directory: str | Path, csv: bool = False) -> Path:
    """All files of a computed multi-series sweep (``multi.results`` must be kept)."""
    if multi.results is None:
        raise ValueError("the sweep's per-series results were not kept; stream them with MultiSweepReport")
    with MultiSweepReport(directory, csv=csv) as report:
        for position, result in enumerate(multi.results):
            report.add(position, result)
        report.finish(multi)
    return Path(directory)
