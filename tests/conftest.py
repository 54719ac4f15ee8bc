"""Session-wide fixtures: the market-data directory and the canonical Russell 2000 series.

Both are loaded once per test session; tests that need the real snapshot skip (with the
loader's own message) when no data directory can be found.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# OpenMP threads (numba's parallel kernels) sleep between parallel regions instead of spinning.
# Once a test has run kernels from other threads (a Dask cluster of threads, tests/sweep/
# test_executors.py), every later kernel launch in the same process pays for their teams with
# the default policy: the sweep's 300-walk Romano-Wolf calibration takes 6-8 s after them
# instead of 1 s. Read by libgomp when numba first loads its threading layer, so set before
# any kernel runs (a worker of pytest-xdist imports this file first too).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
