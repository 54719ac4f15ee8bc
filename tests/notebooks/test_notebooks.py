"""Every notebook executes headless from top to bottom without an error."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow  # starts a Jupyter kernel and runs the walkthrough study
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs), "the walkthrough draws a figure"


def test_there_is_a_notebook() -> None:
    assert NOTEBOOKS, "notebooks/ should hold the library walkthrough"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_outputs_hold_no_machine_paths(path: Path) -> None:
    """The committed outputs read the same on any machine: no absolute path of the checkout,
    its data directory or a temporary folder."""
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "the committed notebook is executed"
    text = "\n".join(str(output) for cell in code for output in cell.outputs)
    root = Path(__file__).resolve().parents[2]
    for machine_path in (str(root), str(root.parent), "/tmp/", str(Path.home())):
        assert machine_path not in text, f"{path.name}: output shows {machine_path}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_read_the_builtin_data_and_say_so(path: Path) -> None:
    """A fresh clone has no data folder beside it: each notebook says it reads the dataset
    built into the package, and nothing in it assumes ../shared/data; the committed outputs
    were produced that way (the walkthrough prints where its series come from)."""
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(path, as_version=4)
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "built into the package" in prose
    text = "\n".join(cell.source for cell in notebook.cells) + "\n".join(
        str(output) for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert "../shared" not in text and "shared/data" not in text
    if path.stem == "russell2000_golden_cross":
        assert "built-in dataset (derived from the snapshot of 2026-02-23)" in text
