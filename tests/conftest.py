"""Session-wide fixtures: the market-data directory and the canonical Russell 2000 series.

Both are loaded once per test session; tests that need the real snapshot skip (with the
loader's own message) when no data directory can be found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backtest.data import MarketSeries, load_series, resolve_data_dir
from backtest.errors import DataNotFoundError


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The resolved data directory (``$BACKTEST_DATA_DIR`` or ``../shared/data``)."""
    try:
        return resolve_data_dir()
    except DataNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def russell2000(data_dir: Path) -> MarketSeries:
    """``load_series("russell2000")``: RU2000PR rebased onto ^RUT, then ^RUT (lenient policy)."""
    return load_series("russell2000", data_dir=data_dir)


@pytest.fixture(scope="session", autouse=True)
def calibration_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Tests read the committed calibrations (results/calibration/) from a copy, so a test
    that calibrates with other parameters writes its file there, never into the checkout."""
    import os
    import shutil

    from backtest.stats.calibration_cache import CACHE_DIR_ENV_VAR

    committed = Path(__file__).resolve().parents[1] / "results" / "calibration"
    folder = tmp_path_factory.mktemp("calibration")
    if committed.is_dir():
        for path in committed.glob("*.json"):
            shutil.copy2(path, folder / path.name)
    previous = os.environ.get(CACHE_DIR_ENV_VAR)
    os.environ[CACHE_DIR_ENV_VAR] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(CACHE_DIR_ENV_VAR, None)
    else:
        os.environ[CACHE_DIR_ENV_VAR] = previous


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``): the tests of a file
    with a module-scoped fixture (a regenerated study, a claim run) stay on one worker, so the
    fixture runs once, not once per worker; every other test goes wherever a worker is free.
    The slow tests are handed out first, so no long test starts when the rest is done."""
    if not hasattr(config, "workerinput") and not config.getoption("numprocesses", default=None):
        return
    for item in items:
        fixture_info = getattr(item, "_fixtureinfo", None)
        defs = fixture_info.name2fixturedefs.values() if fixture_info is not None else ()
        shared = any(fixturedef.scope in ("module", "class") for chain in defs for fixturedef in chain)
        if shared and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: file order kept within each
