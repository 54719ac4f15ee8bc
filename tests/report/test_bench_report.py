"""The benchmarks' page: the committed JSON of ``backtest bench`` as one table and one chart in
a self-contained report.html beside it, replaced only when backtest wrote it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from backtest.bench.page import PAGE_FILE, is_bench_page, write_bench_page
from backtest.errors import OutputError
from backtest.report.bench_report import bench_rows

BENCH = Path(__file__).resolve().parents[2] / "results" / "bench"


@pytest.fixture
def bench_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bench"
    folder.mkdir()
    for path in BENCH.glob("*.json"):
        shutil.copy(path, folder / path.name)
    return folder


def test_the_page_reads_every_benchmark_into_one_table_and_one_chart(bench_folder: Path) -> None:
    page_path = write_bench_page(bench_folder)
    assert page_path == bench_folder / PAGE_FILE
    page = page_path.read_text(encoding="utf-8")
    assert is_bench_page(page.encode())
    sweep = json.loads((bench_folder / "sweep.json").read_text())
    study = json.loads((bench_folder / "study.json").read_text())
    # the numbers are the JSON's: vectorbt's time and the speed-up, the study's warm median
    assert f"{sweep['grid_vs_vectorbt']['vectorbt']['wall_s']:,.2f} s" in page
    assert f"{sweep['grid_vs_vectorbt']['speedup']:,.0f}x" in page
    assert f"{study['warm_median_s']:,.2f} s" in page
    assert page.count("<table>") == 1 and page.count('src="data:image/png;base64,') == 1
    # one file, nothing run: no script, nothing loaded from anywhere
    assert "<script" not in page and "script-src 'none'" in page
    for name in ("montecarlo.json", "sweep.json", "scaling.json", "study.json"):
        assert f"<code>{name}</code>" in page
    assert sorted(p.name for p in bench_folder.iterdir()) == sorted(
        [PAGE_FILE, *(p.name for p in BENCH.glob("*.json"))]
    )


def test_each_benchmark_gives_its_rows_and_a_missing_one_is_left_out(bench_folder: Path) -> None:
    payloads = {path.stem: json.loads(path.read_text()) for path in bench_folder.glob("*.json")}
    rows = bench_rows(payloads)
    assert {row.benchmark for row in rows} == set(payloads)
    assert all(row.ours_s is not None and row.ours_s > 0 for row in rows)
    del payloads["sweep"]
    assert "sweep" not in {row.benchmark for row in bench_rows(payloads)}
    (bench_folder / "sweep.json").write_text('{"grid_vs_vectorbt": ', encoding="utf-8")  # cut off
    page = write_bench_page(bench_folder).read_text(encoding="utf-8")
    assert "vectorbt" not in page.split("<table>")[1].split("</table>")[0] and "sweep.json" not in page


def test_the_page_replaces_only_its_own_file(bench_folder: Path) -> None:
    write_bench_page(bench_folder)
    write_bench_page(bench_folder)  # its own page: replaced
    foreign = bench_folder / PAGE_FILE
    foreign.write_text("<html>my notes</html>", encoding="utf-8")
    with pytest.raises(OutputError, match=re.escape(str(foreign))):
        write_bench_page(bench_folder)
    assert foreign.read_text(encoding="utf-8") == "<html>my notes</html>"


def test_no_benchmark_no_page(tmp_path: Path) -> None:
    assert write_bench_page(tmp_path) is None and list(tmp_path.iterdir()) == []
