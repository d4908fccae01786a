"""Batches of replications: every (scenario, replication) pair goes through `simulate`.

This is the one place that loops over replications. Replication k of every scenario uses the
streams of (root_seed, k), so scenarios are compared under common random numbers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .model.world import ReplicationResult, simulate
from .scenario import Scenario


@dataclass(frozen=True)
class Finished:
    """One replication's result and what it cost."""

    result: ReplicationResult
    wall_seconds: float


def run_one(scenario: Scenario, replication: int, root_seed: int) -> Finished:
    start = time.perf_counter()
    result = simulate(scenario, replication, root_seed)
    return Finished(result, time.perf_counter() - start)


def run_batch(scenarios: Sequence[Scenario], replications: int,
              root_seed: int) -> Iterator[Finished]:
    """Yield each finished replication, scenario by scenario, in replication order."""
    for scenario in scenarios:
        for replication in range(replications):
            yield run_one(scenario, replication, root_seed)
