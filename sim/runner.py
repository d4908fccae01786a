"""Replications over a concurrent.futures Executor: the one loop over replications.

A task is one (scenario, replication) pair under the batch's root seed. `run_one` runs in a
worker (a process of a pool, a Dask worker, or the caller's own process): it simulates the
replication and encodes its results as a part (see `results.parts`), or, if the model
raises, describes the error. Replication k draws from the streams of (root_seed, k) alone,
in every scenario and on every worker, so results do not depend on where or in which order
tasks run, and scenarios are compared under common random numbers.

This module is what a worker imports: the model and the part encoder, nothing heavier.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path

from .model.world import simulate
from .results import parts
from .scenario import Scenario


@dataclass(frozen=True)
class Task:
    scenario: Scenario
    replication: int
    root_seed: int


@dataclass(frozen=True)
class Outcome:
    """What came back from one replication: its part (Parquet bytes), or its error."""

    scenario: str
    replication: int
    root_seed: int
    wall_seconds: float
    part: bytes | None = None
    error: str | None = None

    def failure(self) -> dict:
        return {"scenario": self.scenario, "replication": self.replication,
                "seed": self.root_seed, "error": self.error}


class ExecutorFailure(Exception):
    """The executor itself failed (a worker process died, the cluster went away)."""


def run_one(scenario: Scenario, replication: int, root_seed: int) -> Outcome:
    """Simulate one replication in a worker and encode its results (top level: picklable)."""
    start = time.perf_counter()
    try:
        result = simulate(scenario, replication, root_seed)
        wall = time.perf_counter() - start
        return Outcome(scenario.name, replication, root_seed, wall,
                       parts.encode(result, wall, scenario))
    except Exception as exc:  # the batch goes on; the failure is recorded
        return Outcome(scenario.name, replication, root_seed, time.perf_counter() - start,
                       error=describe(exc))


def describe(exc: BaseException, located: bool = True) -> str:
    """`Type: message (at file:line in function)`, one line, for the manifest."""
    message = " ".join(str(exc).split()) or "(no message)"
    frames = traceback.extract_tb(exc.__traceback__) if located else []
    where = ""
    if frames:
        last = frames[-1]
        where = f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"
    return f"{type(exc).__name__}: {message[:300]}{where}"


def run_tasks(executor: Executor, tasks: Iterable[Task], window: int,
              on_outcome: Callable[[Outcome], None]) -> None:
    """Run `tasks` on `executor`, at most `window` at a time, handing each outcome to
    `on_outcome` as it arrives (in completion order). Raises ExecutorFailure if the
    executor breaks; the outcomes handed over until then are kept by the caller."""
    pending = iter(tasks)
    in_flight: dict[Future, Task] = {}
    try:
        while True:
            for task in pending:
                future = executor.submit(run_one, task.scenario, task.replication, task.root_seed)
                in_flight[future] = task
                if len(in_flight) >= window:
                    break
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                on_outcome(_outcome(future, in_flight.pop(future)))
    finally:
        for future in in_flight:
            future.cancel()


def _outcome(future: Future, task: Task) -> Outcome:
    """The task's outcome; a Dask worker killed by this very task counts as its failure."""
    try:
        return future.result()
    except Exception as exc:
        if type(exc).__name__ == "KilledWorker":
            return Outcome(task.scenario.name, task.replication, task.root_seed, 0.0,
                           error=describe(exc))
        raise ExecutorFailure(describe(exc, located=False)) from exc
