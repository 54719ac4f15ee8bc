"""The peers study: reproducible outputs, n in every cell with n < 10 marked anecdotal, the
daily-segment handling of the Growth/Value files, and the small- vs large-cap rule."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest

from backtest.data import daily_segment, load_series
from backtest.study_runner import load_study

pytestmark = pytest.mark.slow  # regenerates the peers study (make test-fast skips it; CI runs it)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "peers_golden_cross"


@pytest.fixture(scope="module")
def study_module():
    return load_study("peers-golden-cross")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory, study_module) -> Path:
    """The study run from scratch with its defaults into a temporary directory."""
    output = tmp_path_factory.mktemp("study") / "peers_golden_cross"
    study_module.run(None, output)
    return output


@pytest.fixture(scope="module")
def summary(regenerated: Path) -> dict:
    return json.loads((regenerated / "summary.json").read_text())


@pytest.mark.parametrize("name", ["summary.json", "peers.csv"])
def test_regenerated_machine_readable_results_equal_the_committed_ones(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (COMMITTED / name).read_bytes(), (
        f"{name} differs from results/peers_golden_cross/{name}: regenerate it with "
        "`backtest study peers-golden-cross` and commit the result"
    )


def test_all_outputs_are_written_and_self_contained(regenerated: Path, data_dir: Path) -> None:
    expected = {"report.md", "report.html", "summary.json", "peers.csv", "excess_by_horizon.png",
                "random_entry_percentiles.png"}
    assert expected <= {p.name for p in regenerated.iterdir()}
    html = (regenerated / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2
    text = (regenerated / "summary.json").read_text()
    assert str(data_dir) not in text and str(ROOT) not in text


def test_every_series_is_studied_with_the_headline_settings(summary: dict) -> None:
    keys = [peer["key"] for peer in summary["peers"]]
    assert keys[0] == "russell2000"
    assert set(keys) == {"russell2000", "RU2000PR", "RU2000GPR", "RU2000VPR", "RU1000PR", "RU3000PR", "NASDAQCOM",
                         "DJI", "SPY"}
    params = summary["parameters"]
    assert (params["seed"], params["n_draws"], params["n_paths"]) == (19850101, 100_000, 1_000)
    assert params["rules"]["fast"] == 50 and params["rules"]["slow"] == 200 and params["rules"]["start"] == "1985-01-01"
    headline = json.loads((ROOT / "results" / "russell2000_golden_cross" / "summary.json").read_text())
    reference = summary["peers"][0]
    assert reference["event_dates"] == headline["events"]["dates"]
    for ours, theirs in zip(reference["horizons"], headline["statistics"]["horizons"]):
        assert ours["n"] == theirs["n"] and ours["mean"] == theirs["events"]["mean"]
        assert ours["random_entry_p"] == theirs["random_entry"]["plain"]["mean"]["pvalue"]


def test_growth_and_value_use_only_their_daily_segment(summary: dict, study_module, data_dir: Path) -> None:
    by_key = {peer["key"]: peer for peer in summary["peers"]}
    for key in ("RU2000GPR", "RU2000VPR"):
        coverage = by_key[key]["coverage"]
        assert coverage["daily_from"] == "1993-05-31" and coverage["closes_left_out"] > 0
        series, left_out = daily_segment(load_series(key, data_dir=data_dir))
        gaps = np.diff(series.close.index.values).astype("timedelta64[D]").astype(int)
        assert gaps.max() <= 7 and left_out == coverage["closes_left_out"]
        # the first possible event needs 200 daily closes before it
        assert coverage["events_from"] == series.close.index[200].date().isoformat()
        assert all(date >= coverage["events_from"] for date in by_key[key]["event_dates"])
        assert "daily segment only" in by_key[key]["data"]["segments"][0]["note"]
    for key, first in (("DJI", "1992-01-02"), ("SPY", "1993-01-29")):
        assert by_key[key]["coverage"]["daily_from"] == first and by_key[key]["coverage"]["events_from"] > first


def _cells(report: str) -> list[tuple[int, str]]:
    """(n, cell text) of every n-carrying cell of the report's tables: cells of a column
    headed "n", and cells reading "n=<count>..."."""
    cells = []
    n_column = None
    for line in report.splitlines():
        if line.startswith("|---"):
            continue
        if not line.startswith("| "):
            n_column = None
            continue
        row = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if n_column is None and "n" in row:
            n_column = row.index("n")
            continue
        for number, cell in enumerate(row):
            match = re.match(r"n=(\d+)", cell)
            if match:
                cells.append((int(match.group(1)), cell))
            elif number == n_column and re.match(r"\d+", cell):
                cells.append((int(re.match(r"\d+", cell).group(0)), cell))
    return cells


def test_every_cell_states_n_and_marks_n_below_10_anecdotal(regenerated: Path, summary: dict, study_module) -> None:
    report = (regenerated / "report.md").read_text()
    matrix = report.split("## 2. All series at a glance")[1].split("![")[0]
    rows = [line for line in matrix.splitlines() if line.startswith("| ") and not line.startswith("| series")]
    assert len(rows) == len(summary["peers"])
    assert all(row.count("n=") == 5 for row in rows)  # one n per horizon cell
    cells = _cells(report)
    assert len(cells) == 2 * 5 * len(summary["peers"])  # the matrix and the five per-horizon tables
    for n, cell in cells:
        assert ("anecdotal" in cell) == (n < 10), cell
    # a cell with n < 10 is marked in the matrix and in the per-horizon table
    small = copy.deepcopy(summary)
    small["peers"][3]["horizons"][2].update(n=7, anecdotal=True, flags=["anecdotal"])
    rendered = study_module.render_report(small)
    label = small["peers"][3]["label"]
    assert "n=7 (anecdotal):" in rendered
    horizon_table = rendered.split("### 6m")[1].split("###")[0]
    row = next(line for line in horizon_table.splitlines() if line.startswith(f"| {label} |"))
    assert "| 7 (anecdotal) |" in row and "(anecdotal)" in row.split("|")[-2]
    for n, cell in _cells(rendered):
        assert ("anecdotal" in cell) == (n < 10), cell


def test_comparison_follows_its_stated_rule(summary: dict) -> None:
    comparison = summary["comparison"]
    for pair in comparison["pairs"]:
        overlap = not (pair["small_ci"][0] > pair["large_ci"][1] or pair["large_ci"][0] > pair["small_ci"][1])
        assert pair["intervals_overlap"] == overlap
    different = [p["horizon"] for p in comparison["pairs"] if not p["intervals_overlap"] or not p["same_verdict_b"]]
    assert comparison["different_at"] == different
    assert comparison["answer"] == ("different" if different else "no detectable difference")
    supported = [(peer["label"], h["label"]) for peer in summary["peers"] for h in peer["horizons"]
                 if h["verdict_b"] == "supported"]
    assert [(s["series"], s["horizon"]) for s in comparison["verdict_b_supported_anywhere"]] == supported
