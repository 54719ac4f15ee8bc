"""The synthetic fixture dataset (tests/fixtures/data): the generator writes the committed bytes,
the folder has the snapshot's layout, and validation finds exactly the defects planted in it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from backtest.data.catalog import catalog_files
from backtest.data.validation import KINDS, validate_file
from tests.fixtures import FIXTURE_DATA_DIR, fixture_manifest
from tests.fixtures.make_fixture_data import main as make_fixture_data

MANIFEST = fixture_manifest()


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_generator_writes_the_committed_bytes(tmp_path: Path) -> None:
    assert make_fixture_data(["--output", str(tmp_path)]) == 0
    assert _tree(tmp_path) == _tree(FIXTURE_DATA_DIR)


def test_the_folder_holds_every_catalog_file_and_stays_small() -> None:
    files = {file for file, _ in catalog_files()}
    assert set(MANIFEST["files"]) == files
    assert {str(path.relative_to(FIXTURE_DATA_DIR)) for path in FIXTURE_DATA_DIR.glob("*/*.csv")} == files
    assert sum(path.stat().st_size for path in FIXTURE_DATA_DIR.rglob("*") if path.is_file()) < 1_500_000


def test_sha256sums_pin_every_file() -> None:
    lines = (FIXTURE_DATA_DIR / "SHA256SUMS").read_text().splitlines()
    pinned = {name: digest for digest, name in (line.split() for line in lines)}
    assert set(pinned) == set(MANIFEST["files"])
    for name, digest in pinned.items():
        assert hashlib.sha256((FIXTURE_DATA_DIR / name).read_bytes()).hexdigest() == digest


def test_every_kind_of_defect_is_planted_somewhere() -> None:
    planted = {kind for record in MANIFEST["files"].values() for kind in record["findings"]}
    assert planted == set(KINDS)


@pytest.mark.parametrize("name", sorted(MANIFEST["files"]))
def test_validation_finds_exactly_the_planted_defects(name: str) -> None:
    record = MANIFEST["files"][name]
    report = validate_file(FIXTURE_DATA_DIR / name)
    found = {finding.kind: finding for finding in report.findings}
    assert set(found) == set(record["findings"])
    for kind, planted in record["findings"].items():
        assert found[kind].count == planted["count"], kind
        if "lines" in planted:  # a summary finding (no_volume) lists no lines
            assert list(found[kind].lines) == planted["lines"], kind
            assert list(found[kind].dates) == planted["dates"], kind
    assert report.rows_used == record["kept_rows"]
    assert (f"{report.first_date:%Y-%m-%d}", f"{report.last_date:%Y-%m-%d}") == (
        record["first_date"],
        record["last_date"],
    )
