"""The confirmation-filter study: reproducible outputs, every event accounted for by every
filter (kept, rejected or no data with a reason), counts below 10 marked anecdotal, numbers
traceable to summary.json/events.csv."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from backtest.study_runner import load_study

pytestmark = pytest.mark.slow  # regenerates the confirmation-filters study (make test-fast skips it; CI runs it)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "russell2000_confirmation_filters"
FILTERS = ("rsi", "volume", "rotation", "rates", "vix")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study run from scratch with its defaults into a temporary directory."""
    output = tmp_path_factory.mktemp("study") / "russell2000_confirmation_filters"
    load_study("russell2000-confirmation-filters").run(None, output)
    return output


@pytest.mark.parametrize("name", ["summary.json", "events.csv"])
def test_regenerated_machine_readable_results_equal_the_committed_ones(regenerated: Path, name: str) -> None:
    assert (regenerated / name).read_bytes() == (COMMITTED / name).read_bytes(), (
        f"{name} differs from results/russell2000_confirmation_filters/{name}: regenerate it with "
        "`backtest study russell2000-confirmation-filters` and commit the result"
    )


def test_outputs_are_written(regenerated: Path) -> None:
    expected = {"report.md", "report.html", "events.csv", "summary.json", "filter_means.png",
                "indicator_vs_return_12m.png", "filter_coverage.png"}
    assert expected <= {p.name for p in regenerated.iterdir()}
    html = (regenerated / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3 and 'src="filter_means.png"' not in html


def test_every_event_is_kept_rejected_or_reported_missing(regenerated: Path) -> None:
    events = pd.read_csv(regenerated / "events.csv", keep_default_na=False)
    summary = json.loads((regenerated / "summary.json").read_text())
    report = (regenerated / "report.md").read_text()
    assert len(events) == summary["events"]["n"]
    for name in FILTERS:
        outcome, note = events[f"{name}_outcome"], events[f"{name}_note"]
        assert set(outcome) <= {"kept", "rejected", "no data"}
        assert ((outcome == "no data") == (note != "")).all(), f"{name}: a missing value without a reason, or vice versa"
        counts = next(f["counts"] for f in summary["comparison"]["filters"] if f["name"] == name)
        assert counts == {key: int((outcome == key).sum()) for key in ("kept", "rejected", "no data")}
    # volume exists from 1987 only: the crosses of 1985-1987 are reported as no data, by date
    early = events["event_date"] < "1987-09-10"
    assert (events.loc[early, "volume_outcome"] == "no data").all() and early.sum() == 3
    for item in summary["no_data"]:
        assert f"**{item['filter']}**: {item['n']} event" in report and ", ".join(item["dates"]) in report
    # the flagged XLB/XLY step is handled explicitly and said so
    assert summary["data_handling"]["rotation_flagged_moves"]["XLB"] == ["2025-11-17"]
    assert "2025-11-17" in report and "excluded" in report


def test_cells_with_fewer_than_ten_events_are_marked_anecdotal(regenerated: Path) -> None:
    report = (regenerated / "report.md").read_text()
    summary = json.loads((regenerated / "summary.json").read_text())
    tables = 0
    for line in report.splitlines():
        if not line.startswith("| ") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "horizon" and "kept: n" in cells:
            header = cells
            tables += 1
            continue
        if tables and len(cells) == len(header) and cells[0] in ("1m", "3m", "6m", "9m", "12m") and "kept: n" in header:
            for column in ("kept: n", "rejected: n"):
                match = re.fullmatch(r"(\d+)( \(anecdotal\))?", cells[header.index(column)])
                assert match, cells[header.index(column)]
                assert bool(match.group(2)) == (int(match.group(1)) < 10), f"{column} = {cells[header.index(column)]}"
    assert tables == len(FILTERS)
    small = [c for c in summary["comparison"]["cells"] if min(c["n_kept"], c["n_rejected"]) < 10]
    assert small, "the real data have anecdotal cells (rotation, rates and VIX reject fewer than 10 crosses)"
    assert all(c["verdicts"]["C"]["outcome"] == "inconclusive" and "anecdotal" in c["flags"] for c in small)
    assert "Small samples." in report and "(anecdotal)" in report.split("## 1.")[0]


def test_one_holm_family_and_report_numbers_from_the_outputs(regenerated: Path) -> None:
    summary = json.loads((regenerated / "summary.json").read_text())
    events = pd.read_csv(regenerated / "events.csv")
    comparison = summary["comparison"]
    assert comparison["family_size"]["kept_vs_rejected"] == len(FILTERS) * 5
    numbers: list[float] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            numbers.append(float(node))

    walk(summary)
    numbers += [float(v) for v in events.select_dtypes("number").to_numpy().ravel() if pd.notna(v)]
    known = {f"{v:{sign}.{d}%}" for v in numbers for d in (0, 1, 2) for sign in ("", "+")} | {f"{v:.3f}" for v in numbers}
    report = (regenerated / "report.md").read_text()
    report = report.split("### Verdict rules")[0] + report.split("## 4. Results per filter")[1]
    tokens = re.findall(r"[+-]?\d[\d,]*\.\d+%", report) + re.findall(r"p = (\d\.\d{3})", report)
    tokens += re.findall(r"(?<=\| )(\d\.\d{3})(?= \|)", report)
    assert len(tokens) > 300
    missing = sorted({token for token in tokens if token not in known})
    assert not missing, f"numbers in report.md not found in summary.json/events.csv: {missing[:20]}"
