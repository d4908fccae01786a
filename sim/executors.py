"""Where replications run: a local process pool, or a Dask distributed cluster.

Both are concurrent.futures Executors for `runner.run_tasks`. Worker processes run with
PYTHONHASHSEED pinned to HASH_SEED, the value Dask's nanny gives its workers by default:
the model currently iterates a set of LRU kinds when it sums them (sim/model/metrics.py,
`derive`), so the last bits of a few sums, and the order of a few metrics, depend on
Python's string hashing. With one hash seed everywhere, results are bit-identical on every
worker, in every run.

The pool starts its workers from a fork server (no threads are forked, start-up is cheap);
a worker ignores Ctrl-C (the parent handles it) and exits when the parent dies.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

HASH_SEED = "6640"
CONNECT_TIMEOUT_S = 10
WORKERS_TIMEOUT_S = 30


class ExecutorError(Exception):
    """An executor that cannot be used, in one line naming the option."""


@dataclass
class Pool:
    """An executor, how many tasks to keep in flight, and a description for the manifest."""

    executor: Executor
    window: int
    description: dict = field(default_factory=dict)


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextlib.contextmanager
def process_pool(workers: int) -> Iterator[Pool]:
    """A pool of `workers` processes, started before the first task."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with _pinned_hash_seed():
        if method == "forkserver":
            context.set_forkserver_preload(["sim.runner"])
        executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                       initargs=(os.getpid(),))
        seeds = {f.result() for f in [executor.submit(worker_hash_seed) for _ in range(workers)]}
    try:
        if seeds != {HASH_SEED}:
            raise ExecutorError(f"--workers: worker processes run with PYTHONHASHSEED={seeds},"
                                f" not {HASH_SEED}")
        yield Pool(executor, 2 * workers, {"kind": "process pool", "start_method": method,
                                           "workers": workers})
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _pinned_hash_seed() -> Iterator[None]:
    old = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = HASH_SEED
    try:
        yield
    finally:
        if old is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = old


def worker_hash_seed() -> str | None:
    """The hash seed of the calling process (run in a worker)."""
    return os.environ.get("PYTHONHASHSEED") if sys.flags.hash_randomization else "0"


def worker_version() -> str:
    """The fleetsim version installed where this runs (run in a worker)."""
    from . import __version__
    return __version__


def _worker_init(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent, os.getppid()), daemon=True).start()


def _exit_with_parent(parent: int, ppid: int) -> None:
    """End this worker once the batch process is gone (killed, say), instead of lingering."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent, 0)
            alive = os.getppid() == ppid
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            os._exit(1)


@contextlib.contextmanager
def dask_cluster(address: str, workers: int | None) -> Iterator[Pool]:
    """A Dask client: on a new LocalCluster when `address` is "local", else on the
    scheduler at `address` (host:port or tcp://host:port)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutorError("--scheduler: Dask is not installed; install the extra with"
                            " pip install 'fleetsim[dask]'") from None
    with contextlib.ExitStack() as stack:
        logging.getLogger("distributed").setLevel(logging.ERROR)
        if address == "local":
            with _ignoring_ctrl_c():  # the workers inherit it; this process handles Ctrl-C
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers or cores(), threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        else:
            if workers is not None:
                raise ExecutorError("--workers: the cluster at --scheduler has its own workers;"
                                    " --workers applies to the process pool and --scheduler local")
            client = stack.enter_context(_connect(Client, address))
        threads = _check_workers(client, address)
        yield Pool(client.get_executor(pure=False), 2 * threads,
                   {"kind": "dask", "scheduler": address if address == "local"
                    else client.scheduler.address, "workers": len(client.nthreads()),
                    "threads": threads})


@contextlib.contextmanager
def _ignoring_ctrl_c() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(client_class, address: str):
    try:
        return client_class(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ExecutorError(f"--scheduler {address}: cannot reach the scheduler"
                            f" ({reason[:200]})") from None


def _check_workers(client, address: str) -> int:
    """Threads of the cluster's workers, once they run this fleetsim with the pinned seed."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
        seeds = client.run(worker_hash_seed)
        versions = client.run(worker_version)
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ExecutorError(f"--scheduler {address}: no usable workers ({reason[:200]});"
                            f" are fleetsim and its dependencies installed on them?") from None
    from . import __version__
    wrong = {w: v for w, v in versions.items() if v != __version__}
    if wrong:
        worker, version = next(iter(wrong.items()))
        raise ExecutorError(f"--scheduler {address}: worker {worker} runs fleetsim {version},"
                            f" this is {__version__}")
    unpinned = {w: s for w, s in seeds.items() if s != HASH_SEED}
    if unpinned:
        worker, seed = next(iter(unpinned.items()))
        seed = "a random hash seed" if seed is None else f"PYTHONHASHSEED={seed}"
        raise ExecutorError(f"--scheduler {address}: worker {worker} runs with {seed}; start"
                            f" workers with a nanny (the default) or with PYTHONHASHSEED="
                            f"{HASH_SEED}, so that results are reproducible")
    return sum(client.nthreads().values())
