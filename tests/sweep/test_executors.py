"""Executors: a Dask LocalCluster on 127.0.0.1 (1 and 2 workers) and spawned worker
processes give exactly the results of this process, for one series split into blocks and
for several series; bad executor settings fail fast with errors naming the parameter."""

from __future__ import annotations

import socket
import time

import pytest

from backtest.errors import ParameterError
from backtest.events import DEFAULT_HORIZONS, EventRules
from backtest.sweep import SweepGrid, run_sweep
from backtest.sweep.executors import DaskExecutor, LocalExecutor, ProcessExecutor, make_executor
from backtest.sweep.multi import run_sweeps
from tests.sweep.conftest import cycles, random_walk
from tests.sweep.test_plan import assert_same_sweep

pytest.importorskip("distributed")

GRID = SweepGrid.from_ranges("3:30:3", "20:80:10")
OPTIONS = dict(rules=EventRules(), horizons=DEFAULT_HORIZONS[:2], reps=160, seed=3, reference=(6, 30))


@pytest.fixture(scope="module")
def signal():
    return cycles()


@pytest.fixture(scope="module")
def several():
    return [cycles(seed=1, name="cycles-a"), random_walk(2200, seed=2, name="walk-b"), cycles(seed=3, name="cycles-c")]


@pytest.fixture(scope="module")
def local_single(signal):
    return run_sweep(signal, GRID, **OPTIONS)


@pytest.fixture(scope="module")
def local_multi(several):
    return run_sweeps(several, GRID, **OPTIONS)


@pytest.fixture(scope="module")
def dask_two():
    # Threads, not processes, keep the test fast; the transport is still TCP on loopback,
    # so every task and result is pickled and sent as it would be to a remote cluster.
    with DaskExecutor(workers=2, threads_per_worker=1, processes=False, memory_limit=0) as executor:
        yield executor
    assert executor.client.status == "closed"


@pytest.fixture(scope="module")
def dask_one():
    with DaskExecutor(workers=1, threads_per_worker=1, processes=False, memory_limit=0) as executor:
        yield executor


def assert_same_multi(expected, actual):
    assert actual.series == expected.series
    for one, other in zip(expected.results, actual.results, strict=True):
        assert_same_sweep(one, other)
    import pandas as pd

    pd.testing.assert_frame_equal(expected.series_table, actual.series_table, check_exact=True)
    pd.testing.assert_frame_equal(expected.summary_table, actual.summary_table, check_exact=True)


def test_dask_cluster_listens_on_loopback(dask_two):
    info = dask_two.client.scheduler_info(n_workers=-1)
    assert info["address"].startswith("tcp://127.0.0.1:")
    assert len(info["workers"]) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in info["workers"])


def test_dask_single_series_equals_local(signal, local_single, dask_two):
    # 1 series on 2 slots: split into pair blocks and replication blocks.
    result = run_sweep(signal, GRID, **OPTIONS, executor=dask_two)
    assert_same_sweep(local_single, result)
    assert [t.n_survivors for t in result.tests] == [t.n_survivors for t in local_single.tests]
    assert result.table["romano_wolf_survives"].any()


def test_dask_worker_count_does_not_change_results(signal, local_single, dask_one, dask_two, several, local_multi):
    assert dask_one.slots == 1 and dask_two.slots == 2
    one = run_sweep(signal, GRID, **OPTIONS, executor=dask_one)
    two = run_sweep(signal, GRID, **OPTIONS, executor=dask_two, pair_block=13, rep_block=64)
    assert_same_sweep(one, two)
    assert_same_sweep(local_single, one)
    assert_same_multi(run_sweeps(several, GRID, **OPTIONS, executor=dask_one), local_multi)


def test_dask_multi_series_equals_local(several, local_multi, dask_two):
    # 3 series on 2 slots: one task per series.
    assert_same_multi(local_multi, run_sweeps(several, GRID, **OPTIONS, executor=dask_two))
    # and split into blocks, all series at once
    assert_same_multi(local_multi, run_sweeps(several, GRID, **OPTIONS, executor=dask_two, pair_block=20, rep_block=96))


@pytest.mark.slow  # starts worker processes
def test_processes_executor_equals_local(signal, local_single, several, local_multi):
    with ProcessExecutor(workers=2) as executor:
        assert_same_sweep(local_single, run_sweep(signal, GRID, **OPTIONS, executor=executor))
        assert_same_multi(local_multi, run_sweeps(several, GRID, **OPTIONS, executor=executor))


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_unreachable_scheduler_fails_fast_with_a_one_line_error():
    address = f"tcp://127.0.0.1:{_closed_port()}"
    started = time.perf_counter()
    with pytest.raises(ParameterError, match=f"scheduler {address} is not reachable within 1 s") as info:
        make_executor("dask", scheduler=address, connect_timeout=1.0)
    assert time.perf_counter() - started < 10
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "spark"}, "executor must be one of local, processes, dask; got 'spark'"),
        ({"kind": "local", "scheduler": "tcp://127.0.0.1:8786"}, "scheduler applies to the dask executor only"),
        ({"kind": "local", "workers": 2}, "do not apply to the local executor"),
        ({"kind": "processes", "workers": 0}, "workers must be a positive integer"),
        ({"kind": "processes", "memory_limit": "2GB"}, "memory_limit applies to the dask executor only"),
        ({"kind": "dask", "memory_limit": "lots"}, "memory_limit must be 'auto'"),
        ({"kind": "dask", "scheduler": "tcp://127.0.0.1:8786", "threads_per_worker": 2}, "has its own"),
        ({"kind": "dask", "connect_timeout": 0}, "connect_timeout must be a positive number"),
    ],
)
def test_bad_executor_settings(kwargs, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        make_executor(**kwargs)


def test_local_executor_is_the_default():
    executor = make_executor()
    assert isinstance(executor, LocalExecutor) and executor.describe() == {"kind": "local", "slots": 1}
