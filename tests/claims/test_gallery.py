"""The claims gallery: committed reports in results/claims/ meet the schema and the index,
and (slow) `backtest claim run-all`, with few Monte Carlo draws, regenerates the same files,
the same index and the same numbers (``tests.studies.report_checks.check_against_committed``)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from backtest.claims import SCHEMA_PATH, load_spec
from backtest.claims.gallery import gallery_specs, study_specs
from backtest.claims.jobs import load_job
from backtest.cli import main
from tests.studies.report_checks import FEW_DRAWS, check_against_committed

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "results" / "claims"
SPECS = gallery_specs(ROOT / "studies")


def test_the_gallery_holds_at_least_five_claims_and_leaves_the_studies_specs_to_them() -> None:
    names = [load_spec(path).name for path in SPECS]
    kinds = {load_spec(path).event.kind for path in SPECS}
    assert {"threshold", "new_high", "dates"} <= kinds
    assert len(names) >= 5
    # the article's claims are the study scripts' own specs: run by `backtest study`, not copied here
    studies = {path.stem for path in study_specs(ROOT / "studies")}
    assert studies == {
        "russell2000_golden_cross",
        "russell2000_death_cross",
        "russell2000_confirmation_filters",
        "peers_golden_cross",
        "russell2000_ma_sweep",
        "russell2000_ma_strategy",
    }
    assert not studies & set(names)
    assert all(load_job(path).name == path.stem for path in study_specs(ROOT / "studies"))


@pytest.mark.parametrize("spec_path", SPECS, ids=[path.stem for path in SPECS])
def test_each_committed_report_meets_the_schema_and_the_index(spec_path: Path) -> None:
    spec = load_spec(spec_path)
    folder = COMMITTED / spec.name
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, json.loads(SCHEMA_PATH.read_text()), cls=jsonschema.Draft202012Validator)
    assert summary["parameters"]["n_draws"] == 100_000  # the gallery uses the library defaults
    row = next(
        line for line in (COMMITTED / "README.md").read_text().splitlines() if f"({spec.name}/report.md)" in line
    )
    assert f"| {summary['events']['n']} | **{summary['conclusion']['overall']}** |" in row
    assert f"**Verdict on the claim: {summary['conclusion']['overall']}.**" in (folder / "report.md").read_text()


@pytest.mark.slow
def test_run_all_regenerates_the_committed_gallery_by_its_numbers(tmp_path: Path) -> None:
    output = tmp_path / "results" / "claims"  # laid out as in the checkout: plotly.js goes to results/_assets
    sizes = ["--draws", str(FEW_DRAWS["n_draws"]), "--paths", str(FEW_DRAWS["n_paths"])]
    sizes += ["--power-paths", str(FEW_DRAWS["n_power_paths"])]
    assert main(["claim", "run-all", "--output-dir", str(output), *sizes]) == 0
    committed = sorted(p.relative_to(COMMITTED) for p in COMMITTED.rglob("*") if p.is_file())
    regenerated = sorted(p.relative_to(output) for p in output.rglob("*") if p.is_file())
    assert regenerated == committed
    # the index shows the verdicts and the primary p-values: no Monte Carlo number
    assert (output / "README.md").read_text() == (COMMITTED / "README.md").read_text(), (
        "results/claims/README.md differs: regenerate with `make claims` and commit it"
    )
    for spec_path in SPECS:
        name = load_spec(spec_path).name
        check_against_committed(output / name, COMMITTED / name)
