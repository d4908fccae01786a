"""One replication: build the world a scenario describes, run it, and return its statistics.

`simulate(scenario, replication, root_seed)` is a pure function: the same three arguments
give bit-identical results in any process and in any order, because every random number
comes from streams named for their purpose (see `sim.rng`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import simpy

from ..rng import Streams
from ..scenario import Scenario
from .fleet import Fleet, Tail
from .flying import Squadron
from .maintenance import CalendarFailures, Maintenance
from .metrics import Ledger, derive
from .parts import LruStock, RepairShop, channel_count, resupply


@dataclass(frozen=True)
class ReplicationResult:
    """Statistics of one replication, as plain floats and numpy arrays.

    `values[aircraft_type][metric]` is the metric over the post-warm-up horizon (a time
    average for levels, a total for counts); `monthly[aircraft_type][metric]` is the same
    metric month by month over the whole horizon, labelled by `months` ("YYYY-MM").
    The aircraft type "ALL" is the whole fleet.
    """

    scenario: str
    replication: int
    root_seed: int
    events: int
    months: tuple[str, ...]
    values: dict[str, dict[str, float]]
    monthly: dict[str, dict[str, np.ndarray]]


def simulate(scenario: Scenario, replication: int, root_seed: int) -> ReplicationResult:
    """Run one replication of `scenario` with the streams of (root_seed, replication)."""
    return World(scenario, replication, root_seed).run()


class World:
    """The SimPy environment and the fleet, parts and flying of every aircraft type."""

    def __init__(self, scenario: Scenario, replication: int, root_seed: int):
        self.scenario, self.replication, self.root_seed = scenario, replication, root_seed
        self.env = simpy.Environment()
        self.streams = Streams(root_seed, replication)
        self.ledger = Ledger()
        self.horizon = scenario.run.horizon_days
        self.squadrons = [_build_type(self.env, scenario, name, self.streams, self.ledger,
                                      self.horizon) for name in scenario.types]
        self.maintenances = [sq.maintenance for sq in self.squadrons]
        self.bounds, self.labels = month_bounds(scenario.run.start_date, self.horizon)
        times = sorted(set(self.bounds) | {scenario.run.warmup_days})
        self.env.process(_snapshots(self.env, self.ledger, times, set(self.bounds),
                                    self.maintenances))

    def run(self) -> ReplicationResult:
        """Run to the horizon (from wherever the clock stands) and collect the statistics."""
        env, horizon, run = self.env, self.horizon, self.scenario.run
        if env.now < horizon:
            env.run(until=horizon)
        self.ledger.snapshot(horizon)
        events = next(env._eid) - len(env._queue)  # scheduled minus never processed
        snap_t, levels, counters = self.ledger.tables()
        index = {t: i for i, t in enumerate(snap_t[:-1])}
        index[horizon] = len(snap_t) - 1
        shops = _shop_channels(self.scenario)
        month_rows = [index[t] for t in self.bounds] + [index[horizon]]
        monthly = derive(self.ledger, levels, counters, snap_t, month_rows, shops)
        horizon_rows = [index[run.warmup_days], index[horizon]]
        totals = derive(self.ledger, levels, counters, snap_t, horizon_rows, shops)
        values = {g: {m: float(v[0]) for m, v in ms.items()} for g, ms in totals.items()}
        return ReplicationResult(self.scenario.name, self.replication, self.root_seed, events,
                                 tuple(self.labels), values, monthly)


def _build_type(env: simpy.Environment, scenario: Scenario, name: str, streams: Streams,
                ledger: Ledger, horizon: float) -> Squadron:
    cfg = scenario.types[name]
    budgets = streams.generator(f"initial/{name}").standard_exponential(cfg.count)
    tails = [Tail(i, len(cfg.lrus), cfg.airframe_hours, float(b)) for i, b in enumerate(budgets)]
    fleet = Fleet(name, tails, ledger)
    lrus = [LruStock(name, kind, lru, ledger, streams) for kind, lru in cfg.lrus.items()]
    shared = RepairShop(env, name, "", channel_count(cfg.repair.channels), ledger)
    shops = [shared if lru.repair_channels is None else
             RepairShop(env, name, f"{kind}.", channel_count(lru.repair_channels), ledger)
             for kind, lru in cfg.lrus.items()]
    maintenance = Maintenance(env, fleet, lrus, shops, scenario.cannibalization,
                              scenario.maintenance.allocation, streams, ledger)
    squadron = Squadron(env, fleet, cfg, scenario.flying, maintenance, streams, ledger)
    squadron.start()
    for k, (kind, lru) in enumerate(cfg.lrus.items()):
        if lru.resupply is not None:
            env.process(resupply(env, lru.resupply, streams, f"resupply/{name}/{kind}",
                                 _deliver(maintenance, k)))
        if lru.calendar_failures_per_year > 0:
            CalendarFailures(env, maintenance, k, lru.calendar_failures_per_year,
                             1.0 + cfg.aging_per_year, horizon, streams).start()
    return squadron


def _deliver(maintenance: Maintenance, k: int):
    lru = maintenance.lrus[k]

    def deliver() -> None:
        lru.resupplied.n += 1
        maintenance.receive(k)
    return deliver


def _snapshots(env: simpy.Environment, ledger: Ledger, times: list[float], months: set[float],
               maintenances: list[Maintenance]):
    for t in times:
        if t > env.now:
            yield env.timeout(t - env.now)
        ledger.snapshot(env.now)
        if t in months:
            for m in maintenances:
                m.new_month()


def _shop_channels(scenario: Scenario) -> dict[tuple[str, str], float]:
    """Channels of each finite repair shop, keyed by (type, metric prefix)."""
    out = {}
    for name, cfg in scenario.types.items():
        if cfg.repair.channels != "unlimited":
            out[(name, "")] = float(cfg.repair.channels)
        for kind, lru in cfg.lrus.items():
            if lru.repair_channels not in (None, "unlimited"):
                out[(name, f"{kind}.")] = float(lru.repair_channels)
    return out


def month_bounds(start: dt.date, horizon_days: float) -> tuple[list[float], list[str]]:
    """Start (in days from `start`) and label of each calendar month the horizon touches."""
    bounds, labels = [0.0], [f"{start.year:04d}-{start.month:02d}"]
    year, month = start.year, start.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = float((dt.date(year, month, 1) - start).days)
        if day >= horizon_days:
            return bounds, labels
        bounds.append(day)
        labels.append(f"{year:04d}-{month:02d}")
