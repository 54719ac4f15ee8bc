"""Where sweep tasks run: this process, local worker processes, or a Dask cluster.

An executor takes module-level task functions with picklable arguments and returns their
results in submission order (``map``), never in completion order, so what is merged never
depends on which worker was faster. ``make_executor("local" | "processes" | "dask", ...)``
builds one from the CLI's options; every executor is a context manager that shuts down
what it started (worker processes, a ``LocalCluster``) and nothing else.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from backtest.checks import check_scalar
from backtest.errors import ParameterError, ServiceError

EXECUTORS = ("local", "processes", "dask")
DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a Dask scheduler (and for --workers to join it) before giving up.
It bounds each step of the connection: the TCP connect, then Dask's handshake (a live
scheduler answers it in milliseconds; a server that accepts the connection and says
nothing would otherwise be waited for forever), then registering the client."""


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's total)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------
# What runs inside a worker, around every task
# ---------------------------------------------------------------------------------------

_NO_LAYER_YET = threading.Lock()


def _kernel_guard() -> contextlib.AbstractContextManager[Any]:
    # numba's "workqueue" threading layer aborts the process when two threads launch
    # parallel kernels at once (a Dask worker with several threads, or processes=False);
    # omp and tbb allow it. Until a first kernel has run, the layer is unknown: be safe.
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:
        return _NO_LAYER_YET
    return _NO_LAYER_YET if layer == "workqueue" else contextlib.nullcontext()


def _numba_threads_for_this_worker(numba_threads: int | Mapping[str, int] | None) -> int | None:
    if not isinstance(numba_threads, Mapping):
        return numba_threads
    try:
        from distributed import get_worker

        return numba_threads.get(get_worker().address, 1)
    except (ImportError, ValueError):
        return 1


def run_task(numba_threads: int | Mapping[str, int] | None, function: Callable[..., Any], *args: Any) -> Any:
    """Run one task with at most ``numba_threads`` numba threads (per-thread setting, so
    it is set in the thread that runs the task). Kernels are deterministic whatever the
    thread count: this only keeps workers sharing a machine from oversubscribing it."""
    threads = _numba_threads_for_this_worker(numba_threads)
    if threads is not None:
        import numba

        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    with _kernel_guard():
        return function(*args)


def _start_process_worker(numba_threads: int) -> None:
    import numba

    numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))


# ---------------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------------


class SweepExecutor:
    """Base class: ``map`` runs ``function(*args)`` for each tuple and yields the results in
    order, with at most ``window`` tasks submitted ahead of the one being waited for."""

    kind = "base"
    inline = False  # True: tasks run in this process, so callbacks may be passed to them

    @property
    def slots(self) -> int:
        """Tasks that can run at the same time."""
        return 1

    def share(self, value: Any) -> Any:
        """A handle that tasks accept in place of ``value``, sent once however many tasks
        use it (for executors that can do so; otherwise ``value`` itself)."""
        return value

    def release(self, handles: Iterable[Any]) -> None:
        """Forget shared values that no task needs any more."""

    def map(
        self, function: Callable[..., Any], arguments: Iterable[tuple[Any, ...]], window: int | None = None
    ) -> Iterator[Any]:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """JSON-ready description (kind, workers, threads), for logs and benchmarks."""
        return {"kind": self.kind, "slots": self.slots}

    def close(self) -> None:
        """Shut down whatever this executor started."""

    def __enter__(self) -> SweepExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class LocalExecutor(SweepExecutor):
    """Tasks run here, one after the other; numba's threads use the cores inside each."""

    kind = "local"
    inline = True

    def map(
        self, function: Callable[..., Any], arguments: Iterable[tuple[Any, ...]], window: int | None = None
    ) -> Iterator[Any]:
        for args in arguments:
            yield function(*args)


class _FutureWindow:
    """Submit lazily, keep at most ``window`` futures in flight, yield results in order."""

    @staticmethod
    def ordered(
        submit: Callable[[tuple[Any, ...]], Any],
        result: Callable[[Any], Any],
        cancel: Callable[[Any], None],
        arguments: Iterable[tuple[Any, ...]],
        window: int,
    ) -> Iterator[Any]:
        pending: deque[Any] = deque()
        source = iter(arguments)
        try:
            for args in source:
                pending.append(submit(args))
                if len(pending) >= window:
                    yield result(pending.popleft())
            while pending:
                yield result(pending.popleft())
        finally:
            for future in pending:  # an error or an interrupt: drop what has not run
                cancel(future)


class ProcessExecutor(SweepExecutor):
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``, spawn).

    Spawn, not fork: numba's omp threading layer (GNU OpenMP) is not fork-safe once its
    threads exist, and a forked child would inherit the parent's numba thread pool state.
    Spawned workers import the package and load numba's on-disk cache once each. Needs no
    Dask: the standard library only.
    """

    kind = "processes"

    def __init__(self, workers: int | None = None, threads_per_worker: int = 1) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = _positive("workers", workers if workers is not None else cpu_count())
        self.threads_per_worker = _positive("threads_per_worker", threads_per_worker)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_process_worker,
            initargs=(self.threads_per_worker,),
        )

    @property
    def slots(self) -> int:
        return self.workers

    def map(
        self, function: Callable[..., Any], arguments: Iterable[tuple[Any, ...]], window: int | None = None
    ) -> Iterator[Any]:
        threads = self.threads_per_worker
        return _FutureWindow.ordered(
            lambda args: self._pool.submit(run_task, threads, function, *args),
            lambda future: future.result(),
            lambda future: future.cancel(),
            arguments,
            window or 2 * self.slots,
        )

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "workers": self.workers,
            "threads_per_worker": self.threads_per_worker,
            "slots": self.slots,
            "start_method": "spawn",
        }

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(SweepExecutor):
    """A Dask distributed cluster: an existing one at ``scheduler`` (e.g.
    ``tcp://host:8786``), or a ``LocalCluster`` on 127.0.0.1 started here and shut down by
    ``close``.

    Large inputs shared by many tasks (a series' events) are scattered once and fetched by
    workers from each other; task functions are pickled by reference, so every worker needs
    this package installed at the same version.
    """

    kind = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        threads_per_worker: int = 1,
        memory_limit: str | int | None = None,
        processes: bool = True,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        numba_threads: int | None = None,
    ) -> None:
        try:
            import distributed
        except ImportError:
            raise ParameterError("executor 'dask' needs dask.distributed: pip install 'backtest[dask]'") from None
        if not connect_timeout > 0:
            raise ParameterError(f"connect_timeout must be a positive number of seconds, got {connect_timeout!r}")
        self.scheduler = scheduler
        self._cluster = None
        if scheduler is not None:
            self._client = _connect(distributed, scheduler, connect_timeout)
            try:
                if workers is not None:
                    _positive("workers", workers)
                    try:
                        self._client.wait_for_workers(workers, timeout=connect_timeout)
                    except (TimeoutError, OSError):
                        have = len(self._client.scheduler_info(n_workers=-1)["workers"])
                        raise ParameterError(
                            f"workers: the cluster at {scheduler} has {have} worker(s); {workers} did not join "
                            f"within {connect_timeout:g} s"
                        ) from None
                elif not self._client.scheduler_info(n_workers=-1)["workers"]:
                    self._client.wait_for_workers(1, timeout=connect_timeout)
            except BaseException:
                self._client.close()
                raise
            self.numba_threads: int | dict[str, int] = (
                numba_threads if numba_threads is not None else self._per_worker_numba_threads()
            )
        else:
            n_workers = _positive("workers", workers if workers is not None else cpu_count())
            tpw = _positive("threads_per_worker", threads_per_worker)
            limit = _memory_limit(memory_limit)
            with _sigint_ignored():
                self._cluster = self._local_cluster(distributed, n_workers, tpw, processes, limit)
            try:
                self._client = distributed.Client(self._cluster, set_as_default=False)
            except BaseException:
                self._cluster.close()
                raise
            # Workers of a LocalCluster share this machine: split its cores between them.
            self.numba_threads = (
                numba_threads if numba_threads is not None else max(1, cpu_count() // (n_workers * tpw))
            )
        self.processes = processes

    @staticmethod
    def _local_cluster(distributed: Any, n_workers: int, tpw: int, processes: bool, limit: str | int | None) -> Any:
        return distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=tpw,
            processes=processes,
            memory_limit=limit,
            # TCP on loopback even with processes=False (whose default, inproc, passes
            # objects without pickling): tasks travel exactly as they would to a cluster.
            protocol="tcp://",
            host="127.0.0.1",
            scheduler_port=0,
            # The scheduler's HTTP server starts even without a dashboard; an ephemeral
            # loopback port never collides with another cluster (or a user's on 8787).
            dashboard_address="127.0.0.1:0",
            # CRITICAL, not ERROR: on Ctrl-C every process of the group gets the signal, and a
            # worker that outlives its scheduler by a moment logs a heartbeat traceback at
            # ERROR (seen on a loaded machine). A task's own error reaches this process as
            # the task's exception and is reported here, so nothing the user needs is lost.
            silence_logs=logging.CRITICAL,
        )

    def _per_worker_numba_threads(self) -> dict[str, int]:
        # Workers on one host share its cores: give each task cores / (task threads on host).
        info = self._client.scheduler_info(n_workers=-1)["workers"]
        cores = self._client.run(cpu_count)
        per_host: dict[str, int] = {}
        for worker in info.values():
            per_host[worker["host"]] = per_host.get(worker["host"], 0) + int(worker["nthreads"])
        return {
            address: max(1, int(cores.get(address, 1)) // max(1, per_host[worker["host"]]))
            for address, worker in info.items()
        }

    @property
    def client(self) -> Any:
        return self._client

    @property
    def slots(self) -> int:
        info = self._client.scheduler_info(n_workers=-1)["workers"]
        return max(1, sum(int(worker["nthreads"]) for worker in info.values()))

    def share(self, value: Any) -> Any:
        # hash=False: two series with equal arrays must still be two values, never merged.
        return self._client.scatter(value, hash=False)

    def release(self, handles: Iterable[Any]) -> None:
        for handle in handles:
            handle.release()

    def map(
        self, function: Callable[..., Any], arguments: Iterable[tuple[Any, ...]], window: int | None = None
    ) -> Iterator[Any]:
        threads = self.numba_threads

        def result(future: Any) -> Any:
            try:
                return future.result()
            finally:
                future.release()

        return _FutureWindow.ordered(
            lambda args: self._client.submit(run_task, threads, function, *args, pure=False),
            result,
            lambda future: future.cancel(),
            arguments,
            window or 2 * self.slots,
        )

    def worker_memory(self) -> dict[str, dict[str, float | None]]:
        """Per worker process: resident and peak resident memory (MB, Linux VmRSS/VmHWM)."""
        return self._client.run(_memory_status)

    def reset_peak_memory(self) -> None:
        """Reset every worker's peak resident set to its current size (Linux)."""
        self._client.run(_reset_peak)

    def describe(self) -> dict[str, Any]:
        info = self._client.scheduler_info(n_workers=-1)["workers"]
        return {
            "kind": self.kind,
            "scheduler": self.scheduler or "LocalCluster on 127.0.0.1",
            "workers": len(info),
            "threads_per_worker": sorted({int(w["nthreads"]) for w in info.values()}),
            "processes": self.processes if self._cluster is not None else None,
            "numba_threads_per_task": self.numba_threads,
            "slots": self.slots,
        }

    def close(self) -> None:
        # Close only what this executor started: the client always; the cluster only if
        # it is our LocalCluster (an existing cluster keeps running for its other users).
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


# Dask's address forms: [protocol://]host:port, the host a name, IPv4 or [IPv6].
_SCHEDULER_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ucx|ws|wss)://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$"
)


def check_scheduler_address(address: object) -> str:
    """The scheduler address if it has Dask's form ``[tcp://]host:port``; else
    ``ParameterError`` at once (a malformed address would otherwise wait for the timeout)."""
    if (
        not isinstance(address, str)
        or not _SCHEDULER_ADDRESS.match(address.strip())
        or not (0 < int(address.strip().rsplit(":", 1)[1]) < 65536)
    ):
        raise ParameterError(
            f"scheduler must be an address like tcp://host:8786 (protocol tcp, tls, ucx, ws or wss; "
            f"port 1-65535), got {address!r}"
        )
    return address.strip()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while worker processes are spawned, so they inherit "ignore" (Python
    keeps an inherited SIG_IGN). Ctrl-C in a terminal goes to the whole process group: the
    workers would each die with a traceback, while only this process should hear it, stop,
    and close the cluster (one line, see ``backtest.cli.main``). The cost: a Ctrl-C pressed
    in the seconds a local cluster takes to start is dropped, and the sweep goes on until the
    next one. Blocking SIGINT instead would keep it pending, but only if every thread blocked
    it, and Dask's event-loop threads do not."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _tcp_reachable(distributed: Any, address: str, timeout: float) -> None:
    """Retry a TCP connection to the scheduler's host and port until ``timeout`` (a
    scheduler that is starting refuses at first, as Dask's own connect allows for);
    ``ParameterError`` if none succeeds: nothing listens at the address given."""
    import socket
    import time

    scheme, location = distributed.comm.parse_address(address)
    if scheme not in ("tcp", "tls", "ws", "wss"):
        return  # not TCP underneath (ucx): Dask's own connect says what is wrong
    host, port = distributed.comm.parse_host_port(location)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=max(0.01, deadline - time.monotonic())):
                return
        except OSError as exc:
            if time.monotonic() + 0.05 >= deadline:
                reason = exc.strerror or str(exc) or type(exc).__name__
                raise ParameterError(f"scheduler {address} is not reachable within {timeout:g} s ({reason})") from None
            time.sleep(0.05)


def _check_handshake(distributed: Any, address: str, timeout: float) -> None:
    """Complete Dask's handshake with the scheduler once, within ``timeout`` seconds in all,
    before a client is built on it: ``distributed``'s connect bounds the TCP connect but then
    waits for the handshake without limit, and reads a length from the first 8 bytes it gets,
    so a server that says nothing hangs it and one that speaks another protocol makes it
    allocate exabytes. ``ServiceError`` (one line) for either."""
    import asyncio

    async def handshake() -> None:
        comm = await distributed.comm.connect(
            address, timeout=timeout, **distributed.Security().get_connection_args("client")
        )
        await comm.close()

    outcome: dict[str, BaseException] = {}

    def attempt() -> None:
        try:
            asyncio.run(asyncio.wait_for(handshake(), timeout))
        except BaseException as exc:  # reported below, in the caller's thread
            outcome["error"] = exc

    # its own thread and event loop: the caller may be inside a running loop (a notebook),
    # and a handshake that ignores cancellation must not hold the caller past the bound
    thread = threading.Thread(target=attempt, name="dask-handshake-check", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    error = TimeoutError() if thread.is_alive() else outcome.get("error")
    if error is None:
        return
    ask = "is a Dask scheduler listening there (its dashboard, usually port 8787, is not one)?"
    if isinstance(error, TimeoutError):
        raise ServiceError(
            f"scheduler {address} accepted the connection but did not answer Dask's handshake within "
            f"{timeout:g} s: {ask}"
        )
    if isinstance(error, OSError):
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ServiceError(f"scheduler {address} closed the connection during Dask's handshake ({reason}): {ask}")
    raise ServiceError(
        f"scheduler {address} answered with bytes that are not Dask's protocol ({type(error).__name__}): {ask}"
    )


def _connect(distributed: Any, address: str, timeout: float) -> Any:
    address = check_scheduler_address(address)
    _tcp_reachable(distributed, address, timeout)
    _check_handshake(distributed, address, timeout)
    try:
        return distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ParameterError(f"scheduler {address} is not reachable within {timeout:g} s ({reason})") from None


def _memory_status() -> dict[str, float | None]:
    out: dict[str, float | None] = {"rss_mb": None, "peak_rss_mb": None}
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    out["rss_mb"] = int(line.split()[1]) / 1024.0
                elif line.startswith("VmHWM:"):
                    out["peak_rss_mb"] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return out


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _positive(name: str, value: object) -> int:
    return check_scalar(value, name, int, min_val=1)


def _memory_limit(value: str | int | None) -> str | int | None:
    """Dask's memory limit per worker: "auto" or None (machine memory / workers), 0 (no
    limit), a byte count, or a size such as "4GB"."""
    if value is None:
        return "auto"
    if value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    if isinstance(value, str):
        from dask.utils import parse_bytes

        try:
            return parse_bytes(value)
        except (ValueError, TypeError):
            pass
    raise ParameterError(f"memory_limit must be 'auto', 0 (no limit) or a size like 4GB, got {value!r}")


def make_executor(
    kind: str = "local",
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    threads_per_worker: int | None = None,
    memory_limit: str | int | None = None,
    processes: bool = True,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> SweepExecutor:
    """An executor from the CLI's options (ParameterError names a bad one).

    local: this process (numba threads); workers/threads do not apply.
    processes: ``workers`` spawned processes (default: one per CPU), each running tasks
        with ``threads_per_worker`` numba threads (default 1).
    dask: the cluster at ``scheduler``, waiting for ``workers`` to join when given; or a
        LocalCluster on 127.0.0.1 with ``workers`` processes (threads_per_worker task
        threads each, ``memory_limit`` each).
    """
    if kind not in EXECUTORS:
        raise ParameterError(f"executor must be one of {', '.join(EXECUTORS)}; got {kind!r}")
    if scheduler is not None and kind != "dask":
        raise ParameterError(f"scheduler applies to the dask executor only, not to executor {kind!r}")
    if kind != "dask" and memory_limit is not None:
        raise ParameterError(f"memory_limit applies to the dask executor only, not to executor {kind!r}")
    if scheduler is not None and (threads_per_worker is not None or memory_limit is not None):
        raise ParameterError(
            "threads_per_worker and memory_limit apply to a LocalCluster started here; the cluster "
            f"at {scheduler} has its own (set them on its `dask worker` command)"
        )
    if kind == "local":
        if workers is not None or threads_per_worker is not None:
            raise ParameterError(
                "workers and threads_per_worker do not apply to the local executor "
                "(it uses numba's threads; set NUMBA_NUM_THREADS to limit them)"
            )
        return LocalExecutor()
    if kind == "processes":
        return ProcessExecutor(workers, threads_per_worker or 1)
    return DaskExecutor(scheduler, workers, threads_per_worker or 1, memory_limit, processes, connect_timeout)
