"""A batch: scenarios x replications into a results directory, resumable.

The batch runs replications 0..n-1 of every scenario (replication by replication, so that an
interrupted batch holds paired replications), keeps each one as it finishes, and at the end
assembles the tables in a fixed order. Running it again on the same directory resumes it:
finished replications are kept, failed ones are kept as failed (unless `retry_failed`), the
rest run. With a precision target, n grows by the confidence-interval method until the
95% half-width of one metric is within the target fraction of its mean in every scenario;
each step depends on the values of the first n replications only, so where the batch
stops does not depend on the workers either.

Nothing is taken on trust: every part and failure record on disk is checked against its
identity and checksum when a batch resumes, and every part again as it is assembled; one
that fails is set aside (see `results.store`) and its replication runs again. A directory
that cannot be written (read-only, a full disk) stops the batch with one line; the manifest
and every finished replication stay as they were, so the same command resumes.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from .analysis import Summary, next_count, relative_half_width
from .executors import Pool, cores
from .results import manifest, parts
from .results.assemble import assemble, tidy_summary
from .results.store import ResultsDir
from .runner import ExecutorFailure, Outcome, Task, run_tasks
from .scenario import Scenario

MAX_SEED = 2**63 - 1
MAX_REPAIRS = 3  # assemblies that may find a corrupt part before the batch gives up


class BatchError(Exception):
    """A batch that cannot go on, in one line naming the option at fault."""


@dataclass(frozen=True)
class Precision:
    """Run until the t-interval half-width of `aircraft_type:metric` is within `target`
    times its mean, in every scenario, or until `max_replications`."""

    target: float
    metric: str = "mc_rate"
    aircraft_type: str = "ALL"
    max_replications: int = 500
    level: float = 0.95

    def describe(self) -> dict:
        return {"method": "confidence interval (relative half-width of the t-interval)",
                "metric": self.metric, "aircraft_type": self.aircraft_type,
                "relative_half_width": self.target, "level": self.level,
                "max_replications": self.max_replications}


@dataclass(frozen=True)
class Batch:
    scenarios: list[Scenario]
    replications: int
    root_seed: int
    out: Path
    force: bool = False
    retry_failed: bool = False
    precision: Precision | None = None
    sweeps: list[dict] = field(default_factory=list)  # see sim.sweep.Sweep.describe
    # a scenario's replications are first..first+n-1 (an explored design's block; default 0)
    first_replication: dict[str, int] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)  # the --set items

    def span(self, scenario: str, n: int) -> range:
        first = self.first_replication.get(scenario, 0)
        return range(first, first + n)


class Listener(Protocol):
    """Told what is planned and what finishes (a progress bar, say)."""

    def planned(self, scenario: str, total: int, done: int) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...


class _Silent:
    def planned(self, scenario: str, total: int, done: int) -> None:
        pass

    def finished(self, outcome: Outcome) -> None:
        pass


@dataclass
class Report:
    """What a finished batch holds and what this session cost."""

    out: Path
    status: str
    replications: int
    runs: int
    ran: int
    events: int
    simulation_seconds: float
    wall_seconds: float
    failures: list[dict]
    stop: dict
    summary: pd.DataFrame
    quarantined: list[str] = field(default_factory=list)


def run(batch: Batch, pool: Pool | Executor, listener: Listener | None = None) -> Report:
    """Run (or resume) `batch` on `pool` (any concurrent.futures Executor will do)."""
    if not isinstance(pool, Pool):
        pool = Pool(pool, 2 * cores(), {"kind": type(pool).__name__})
    if not 0 <= batch.root_seed <= MAX_SEED:
        raise BatchError(f"--seed {batch.root_seed}: must be within 0..{MAX_SEED} (2^63-1)")
    store = ResultsDir.open(batch.out, manifest.identity(batch.scenarios, batch.root_seed),
                            manifest.mismatch, batch.force)
    try:
        return _Session(batch, pool, store, listener or _Silent()).run()
    finally:
        store.close()


class _Session:
    """One invocation of a batch on its results directory."""

    def __init__(self, batch: Batch, pool: Pool, store: ResultsDir, listener: Listener):
        self.batch, self.pool, self.store, self.listener = batch, pool, store, listener
        self.started = time.perf_counter()
        self.ran = 0
        self.quarantined: list[str] = []
        self._wanted = {s.name: (lambda k, s=s: parts.identity(s, k, batch.root_seed))
                        for s in batch.scenarios}
        self._metric: dict[str, dict[int, float]] = {s.name: {} for s in batch.scenarios}
        previous = store.read_manifest() or {}
        self.sessions = previous.get("sessions", [])
        precision = batch.precision.describe() if batch.precision else None
        self.manifest = manifest.start(
            batch.scenarios, batch.root_seed, batch.replications, previous.get("created"),
            {"sweeps": batch.sweeps, "overrides": batch.overrides, "precision": precision,
             "executor": pool.description})

    def run(self) -> Report:
        try:
            if self.batch.retry_failed:
                self.store.forget_failures()
            self.store.remove_final()
            self._audit()
            self._write("running")
            for _ in range(MAX_REPAIRS):
                n, stop = self._replicate()
                try:
                    return self._finish(n, stop)
                except parts.Corrupt:
                    continue  # set aside: run it again, assemble again
            raise BatchError(f"{self.store.path}: parts keep failing their checks as they are"
                             " assembled (see parts/quarantine/quarantine.log)")
        except OSError as exc:
            self._write_if_possible("interrupted")
            done = sum(len(self.store.finished(s.name)) for s in self.batch.scenarios)
            raise BatchError(
                f"{self.store.path}: cannot be written ({exc.strerror or exc}); its"
                f" {done} finished replications are kept: make room or make it writable,"
                " then run the same command to resume") from None
        except (KeyboardInterrupt, ExecutorFailure, BatchError):
            self._write_if_possible("interrupted")
            raise

    def _audit(self) -> None:
        """Set aside every part and failure record that fails its identity or checksum."""
        for s in self.batch.scenarios:
            self.quarantined += self.store.audit(s.name, self._wanted[s.name])

    def _write_if_possible(self, status: str) -> None:
        try:
            self._write(status)
        except OSError:
            pass  # the manifest on disk (running, same identity) still resumes

    # ---- replications

    def _replicate(self) -> tuple[int, dict]:
        n, precision = self.batch.replications, self.batch.precision
        while True:
            self._run_missing(n)
            if precision is None:
                return n, {"rule": "fixed", "reason": f"{n} replications were asked for"}
            try:
                values = self._metric_values(n)
            except parts.Corrupt:
                continue  # set aside: it runs again
            relative = {name: relative_half_width(v, precision.level)
                        for name, v in values.items()}
            stop = {"rule": "precision", "replications": n,
                    "relative_half_width": {k: _finite(v) for k, v in relative.items()}}
            if all(r <= precision.target for r in relative.values()):
                return n, {**stop, "reason": f"precision {precision.target:g} reached"}
            if n >= precision.max_replications:
                return n, {**stop, "reason": f"--max-replications {n} reached before"
                                             f" precision {precision.target:g}"}
            wanted = max(next_count(v, precision.target, precision.max_replications,
                                    precision.level) for v in values.values())
            n = min(precision.max_replications, max(n + 1, wanted))

    def _run_missing(self, n: int) -> None:
        todo = {}
        for s in self.batch.scenarios:
            done = self.store.finished(s.name) | set(self.store.failures(s.name))
            todo[s.name] = set(self.batch.span(s.name, n)) - done
            self.listener.planned(s.name, n, n - len(todo[s.name]))
        tasks = [Task(s, k, self.batch.root_seed) for i in range(n)
                 for s in self.batch.scenarios
                 if (k := self.batch.span(s.name, n)[i]) in todo[s.name]]
        run_tasks(self.pool.executor, tasks, self.pool.window, self._keep)

    def _keep(self, outcome: Outcome) -> None:
        if outcome.part is not None:
            self.store.save_part(outcome.scenario, outcome.replication, outcome.part)
        else:
            self.store.save_failure(outcome.scenario, outcome.replication, {
                **outcome.failure(), "identity": self._wanted[outcome.scenario](
                    outcome.replication)})
        self.ran += 1
        self.listener.finished(outcome)

    def _metric_values(self, n: int) -> dict[str, np.ndarray]:
        """The precision metric in replications 0..n-1 of each scenario that finished."""
        out = {}
        for s in self.batch.scenarios:
            cache = self._metric[s.name]
            span = self.batch.span(s.name, n)
            for k in sorted(self.store.finished(s.name)):
                if k in span and k not in cache:
                    cache[k] = self._read_metric(s.name, k)
            out[s.name] = np.array([cache[k] for k in sorted(cache) if k in span])
        return out

    def _read(self, scenario: str, replication: int) -> parts.Part:
        """A part, checked; one that fails is set aside (and Corrupt raised)."""
        path = self.store.part_path(scenario, replication)
        try:
            return parts.read(path, self._wanted[scenario](replication))
        except parts.Corrupt as exc:
            self.quarantined.append(self.store.quarantine(scenario, path, str(exc)))
            raise

    def _read_metric(self, scenario: str, replication: int) -> float:
        p = self.batch.precision
        table = self._read(scenario, replication).values.to_pydict()
        for t, m, v in zip(table["aircraft_type"], table["metric"], table["value"]):
            if t == p.aircraft_type and m == p.metric:
                return v
        raise BatchError(f"--metric {p.aircraft_type}:{p.metric}: scenario '{scenario}' has no"
                         f" such metric (see the metric dictionary in the README)")

    # ---- the end

    def _finish(self, n: int, stop: dict) -> Report:
        plan = [(s.name, sorted(k for k in self.store.finished(s.name)
                                if k in self.batch.span(s.name, n)))
                for s in self.batch.scenarios]
        summary = Summary()
        records = assemble(self.store, plan, lambda name, t: summary.add(
            name, t["aircraft_type"].to_pylist(), t["metric"].to_pylist(),
            t["value"].to_numpy()), self._read)
        frame = tidy_summary(summary.frame())
        self.store.write_csv("summary.csv", frame)
        if self.batch.sweeps:
            self.store.write_csv("sweep.csv", sweep_table(self.batch.sweeps))
        failures = [f for s in self.batch.scenarios
                    for k, f in self.store.failures(s.name).items()
                    if k in self.batch.span(s.name, n)]
        status = "failed" if failures else "complete"
        self.manifest.update(replications=n, stop=stop, runs=records, failures=failures,
                             quarantined=self.quarantined,
                             events={"total": sum(r["events"] for r in records),
                                     "per_replication_mean": _mean(r["events"] for r in records)})
        self._write(status)
        return Report(self.store.path, status, n, len(records), self.ran,
                      self.manifest["events"]["total"],
                      sum(r["wall_seconds"] for r in records),
                      time.perf_counter() - self.started, failures, stop, frame,
                      self.quarantined)

    def _write(self, status: str) -> None:
        wall = round(time.perf_counter() - self.started, 3)
        session = {"started": self.manifest["updated"], "wall_seconds": wall,
                   "replications_run": self.ran, "executor": self.pool.description,
                   "status": status}
        self.manifest.update(status=status, sessions=self.sessions + [session],
                             wall_seconds=wall,
                             finished=dt.datetime.now(dt.timezone.utc).isoformat(
                                 timespec="seconds") if status != "running" else None)
        self.store.write_manifest(manifest.jsonable(self.manifest))


def sweep_table(sweeps: list[dict]) -> pd.DataFrame:
    """One row per sweep variant: its scenario name, its base and each swept key's value."""
    return pd.DataFrame([{"scenario": name, "base": s["base"], **values}
                         for s in sweeps for name, values in s["variants"].items()])


def _finite(x: float) -> float | None:
    return round(float(x), 6) if np.isfinite(x) else None


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 1) if values else 0.0
