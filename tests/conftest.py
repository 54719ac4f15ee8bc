"""Session-wide fixtures: the market-data directory and the canonical Russell 2000 series.

``data_dir`` is the offline snapshot when one is configured (``$BACKTEST_DATA_DIR``) or lies
beside the project (``../shared/data``), else the synthetic fixture folder
``tests/fixtures/data`` (same file names and layout, planted defects listed in its
``MANIFEST.json``), so no test skips for want of data. ``russell2000`` is the real series
either way: from the snapshot, else from the built-in dataset (the same values, bit for bit).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# OpenMP threads (numba's parallel kernels) sleep between parallel regions instead of spinning.
# Once a test has run kernels from other threads (a Dask cluster of threads, tests/sweep/
# test_executors.py), every later kernel launch in the same process pays for their teams with
# the default policy: the sweep's 300-walk Romano-Wolf calibration takes 6-8 s after them
# instead of 1 s. Read by libgomp when numba first loads its threading layer, so set before
# any kernel runs (a worker of pytest-xdist imports this file first too).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from backtest.data import MarketSeries, load_series, resolve_data_dir
from backtest.data.sources import ENV_VAR
from backtest.errors import DataNotFoundError
from tests.fixtures import FIXTURE_DATA_DIR
from tests.fixtures import fixture_manifest as read_fixture_manifest


def snapshot_dir() -> Path | None:
    """The offline snapshot (``$BACKTEST_DATA_DIR`` or ``../shared/data``), None without one.

    A ``$BACKTEST_DATA_DIR`` that names no folder is a misconfiguration: it raises rather than
    falling back to the fixture, so a run meant for the snapshot never passes on other data.
    """
    try:
        return resolve_data_dir()
    except DataNotFoundError:
        if os.environ.get(ENV_VAR):
            raise
        return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of raw CSV files: the offline snapshot when there is one, else the
    synthetic fixture ``tests/fixtures/data`` (see ``data_is_snapshot``)."""
    return snapshot_dir() or FIXTURE_DATA_DIR


@pytest.fixture(scope="session")
def data_is_snapshot(data_dir: Path) -> bool:
    """True when ``data_dir`` is the real snapshot, False on the synthetic fixture."""
    return data_dir != FIXTURE_DATA_DIR


@pytest.fixture(scope="session")
def fixture_manifest() -> dict[str, Any]:
    """``tests/fixtures/data/MANIFEST.json``: each fixture file's rows, span and planted findings."""
    return read_fixture_manifest()


@pytest.fixture(scope="session")
def real_data_dir() -> Path | None:
    """Where the real series are read: the snapshot's folder, else None, which ``load_series``
    resolves to the built-in dataset (the snapshot's values, bit for bit, without raw files)."""
    return snapshot_dir()


@pytest.fixture(scope="session")
def russell2000() -> MarketSeries:
    """``load_series("russell2000")``: RU2000PR rebased onto ^RUT, then ^RUT (lenient policy),
    read from the snapshot, else from the built-in dataset (the real values either way)."""
    return load_series("russell2000", data_dir=snapshot_dir())


@contextlib.contextmanager
def _environment_variable(name: str, value: str) -> Iterator[None]:
    """``name=value`` in ``os.environ`` (so subprocesses see it too) within the block."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


@pytest.fixture(scope="session", autouse=True)
def calibration_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Tests read the committed calibrations (results/calibration/) from a copy, so a test
    that calibrates with other parameters writes its file there, never into the checkout."""
    import shutil

    from backtest.claims.calibration_store import CACHE_DIR_ENV_VAR

    committed = Path(__file__).resolve().parents[1] / "results" / "calibration"
    folder = tmp_path_factory.mktemp("calibration")
    if committed.is_dir():
        for path in committed.glob("*.json"):
            shutil.copy2(path, folder / path.name)
    with _environment_variable(CACHE_DIR_ENV_VAR, str(folder)):
        yield folder


@pytest.fixture(scope="session", autouse=True)
def data_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The per-user cache of validated data files (``backtest.cache``) lives in a temporary
    folder for the session, set in ``os.environ`` so that subprocesses share it: the suite
    never writes into the user's ``~/.cache``."""
    from backtest.cache import CACHE_DIR_ENV_VAR

    folder = tmp_path_factory.mktemp("data-cache")
    with _environment_variable(CACHE_DIR_ENV_VAR, str(folder)):
        yield folder


def _under_xdist(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput") or bool(config.getoption("numprocesses", default=None))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadscope``: each test file on
    one worker, so a module-scoped fixture such as a regenerated study runs once, not once per
    worker) the files with slow tests are handed out first, so no long test starts when the
    rest is done (a stable sort: slow before fast, otherwise in collection order)."""
    if _under_xdist(config):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
