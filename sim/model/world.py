"""One replication: build the world a scenario describes, run it, and return its statistics.

`simulate(scenario, replication, root_seed)` is a pure function: the same three arguments
give bit-identical results in any process and in any order, because every random number
comes from streams named for their purpose (see `sim.rng`).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from ..rng import Streams, uniform
from ..schema import NON_COMBAT_ROLES, AircraftType, Scenario, threshold_label
from .aircrew import DECILES, Aircrew, deciles
from .changes import resolve
from .events import CHANGE, Call, Environment
from .failures import CalendarFailures, airframe_aging, fleet_aging
from .fleet import FMC, Fleet, Tail
from .flying import Squadron
from .fuel import FuelDepot, FuelSupply
from .maintenance import Maintenance
from .metrics import Ledger, Layout, derive, role_groups
from .parts import LruStock, PartSupply, Shop, servers
from .planning import Calendar, Planner
from .scheduled import Scheduled


@dataclass(frozen=True)
class ReplicationResult:
    """Statistics of one replication, as plain floats and numpy arrays.

    `values[aircraft_type][metric]` is the metric over the post-warm-up horizon (a time
    average for levels, a total for counts); `monthly[aircraft_type][metric]` is the same
    metric month by month over the whole horizon, labelled by `months` ("YYYY-MM").
    The aircraft type "ALL" is the whole fleet. `surge_daily` has a row per type and day of
    a maximum-effort surge: (type, date, sorties, FMC at dawn, sorties lost for want of an
    aircraft, a pilot, fuel).
    """

    scenario: str
    replication: int
    root_seed: int
    events: int
    months: tuple[str, ...]
    values: dict[str, dict[str, float]]
    monthly: dict[str, dict[str, np.ndarray]]
    surge_daily: tuple[tuple, ...] = ()


def simulate(scenario: Scenario, replication: int, root_seed: int) -> ReplicationResult:
    """Run one replication of `scenario` with the streams of (root_seed, replication)."""
    return World(scenario, replication, root_seed).run()


class World:
    """The SimPy environment, the fuel depots and every aircraft type's squadron."""

    def __init__(self, scenario: Scenario, replication: int, root_seed: int):
        self.scenario, self.replication, self.root_seed = scenario, replication, root_seed
        self.env = env = Environment()
        self.streams = streams = Streams(root_seed, replication)
        self.ledger = ledger = Ledger()
        self.horizon = horizon = scenario.run.horizon_days
        budget = scenario.flying.programme == "fuel_budget"
        self.calendar = Calendar(scenario.flying, scenario.run)
        self.depots = {kind: FuelDepot(env, kind, cfg, ledger, daily_rationing=not budget)
                       for kind, cfg in scenario.fuel.items()}
        self.fuel_supplies = {}
        for kind, cfg in scenario.fuel.items():
            self.depots[kind].start()
            for name, channel in cfg.channels.items():
                supply = FuelSupply(env, self.depots[kind], channel, scenario.run,
                                    scenario.sanctions, horizon, streams, f"fuel/{kind}/{name}")
                supply.start()
                self.fuel_supplies[(kind, name)] = supply
        self.part_supplies, self.calendar_failures, self.shared_shops = {}, {}, {}
        self.squadrons = [self._build_type(name, cfg) for name, cfg in scenario.types.items()]
        self.by_name = {sq.fleet.name: sq for sq in self.squadrons}
        self._ration_order()
        if budget:
            Planner(env, scenario.flying, self.calendar, list(self.depots.values()),
                    [sq for sq in self.squadrons if sq.depot is None], horizon).start()
        self._conversions()
        for change in resolve(scenario):
            Call(env, change.day, self._change, change, CHANGE)
        self.maintenances = [sq.maintenance for sq in self.squadrons]
        self.crewed = {sq.fleet.name: _crewed_levels(ledger, sq) for sq in self.squadrons
                       if sq.crew}
        self.pooled_deciles = [ledger.level("ALL", f"pilot_12m_hours_p{q}") for q in DECILES] \
            if self.crewed else []
        self.bounds, self.labels = month_bounds(scenario.run.start_date, horizon)
        times = sorted(set(self.bounds) | {scenario.run.warmup_days})
        self._snapshot(0.0, True)  # before anything happens at time 0
        env.process(self._snapshots(times[1:], set(self.bounds)))

    # -- building ------------------------------------------------------------------------

    def _build_type(self, name: str, cfg: AircraftType) -> Squadron:
        env, streams, ledger, sc = self.env, self.streams, self.ledger, self.scenario
        z = [lru.units_per_aircraft for lru in cfg.lrus.values()]
        spread = streams.block(f"airframes/{name}", uniform).next
        budgets = streams.block(f"initial/{name}", lambda g, n: g.standard_exponential(n)).next
        tails = []
        for serial in range(cfg.count):
            age = cfg.age_years + (spread() - 0.5) * cfg.age_spread_years
            hours = cfg.airframe_hours + (spread() - 0.5) * cfg.airframe_hours_spread
            tails.append(_tail(serial, z, cfg, age, hours, budgets()))
        fleet = Fleet(name, tails, ledger, sc.flying.pmc_flies)
        lrus = [LruStock(name, kind, lru, ledger, streams) for kind, lru in cfg.lrus.items()]
        shared = self.shared_shops[name] = Shop(env, name, "repair",
                                                servers(cfg.repair.channels), ledger)
        shops = [shared if lru.repair_channels is None else
                 Shop(env, name, f"{kind}.repair", servers(lru.repair_channels), ledger)
                 for kind, lru in cfg.lrus.items()]
        maintenance = Maintenance(env, fleet, lrus, shops, sc.cannibalization,
                                  sc.maintenance.allocation, cfg.retired_tails == "strip",
                                  streams, ledger, sc.maintenance.depot_claim_days)
        scheduled = Scheduled(env, fleet, cfg, maintenance, streams, ledger)
        for tail in tails:
            maintenance.rerate(tail)
            scheduled.enrol(tail, new=False)
        crew = Aircrew(env, name, cfg.pilots, sc.flying.pilot_assignment, self.horizon,
                       streams, ledger) if cfg.pilots else None
        if crew:
            crew.start()
        depot = self.depots[cfg.fuel] if cfg.fuel else None
        squadron = Squadron(env, fleet, cfg, sc.flying, self.calendar, maintenance, scheduled,
                            crew, depot, streams, ledger, sc.cannibalization)
        squadron.start()
        arrivals = sorted((sc.run.day_of(d.date), i, d) for i, d in enumerate(cfg.deliveries)
                          if 0 <= sc.run.day_of(d.date) < self.horizon)
        batches = [(0, cfg.count, max([t.aging for t in tails], default=1.0), "")]
        for day, i, d in arrivals:  # tails join in date order; each batch draws on its own
            first = batches[-1][0] + batches[-1][1]
            batches.append((first, d.count, airframe_aging(cfg, d.age_years - day / 365.25),
                            f"/delivery{i}"))
        for k, (kind, lru) in enumerate(cfg.lrus.items()):
            for channel_name, channel in lru.supply.items():
                supply = PartSupply(env, channel, sc.run, sc.sanctions, self.horizon, streams,
                                    f"supply/{name}/{kind}/{channel_name}",
                                    _deliver(maintenance, k))
                supply.start()
                self.part_supplies[(name, kind, channel_name)] = supply
                if channel.reorder == "condemned":
                    supply.on_order = lrus[k].on_order
                    lrus[k].reorder = supply.order
            calendar = self.calendar_failures[(name, kind)] = []
            for first, count, aging, label in batches:
                failures = CalendarFailures(env, maintenance, k, lru.calendar_failures_per_year,
                                            fleet_aging(cfg), aging, self.horizon, first, count,
                                            streams, label)
                failures.start()
                calendar.append(failures)
        for day, i, batch in arrivals:
            Call(env, day, self._deliver_tails, (squadron, batch, i))
        return squadron

    def _deliver_tails(self, item: tuple) -> None:
        squadron, batch, index = item
        fleet, cfg = squadron.fleet, squadron.cfg
        z = [lru.units_per_aircraft for lru in cfg.lrus.values()]
        budgets = self.streams.block(f"deliveries/{fleet.name}/{index}",
                                     lambda g, n: g.standard_exponential(n)).next
        for _ in range(batch.count):
            tail = _tail(len(fleet.tails), z, cfg, batch.age_years, batch.airframe_hours,
                         budgets(), now=self.env.now)
            squadron.maintenance.rerate(tail)
            squadron.scheduled.enrol(tail, new=True)
            fleet.add(tail, self.env.now)

    def _ration_order(self) -> None:
        for kind, depot in self.depots.items():
            first = [n for n in self.scenario.fuel[kind].priority]
            rest = [sq.fleet.name for sq in self.squadrons
                    if sq.cfg.fuel == kind and sq.fleet.name not in first]
            depot.squadrons = [self.by_name[n] for n in first + rest
                               if self.by_name[n].cfg.fuel == kind]

    def _conversions(self) -> None:
        for sq in self.squadrons:
            if not sq.crew:
                continue
            for conv in sq.cfg.pilots.conversions.values():
                day = self.scenario.run.day_of(conv.start_date)
                if 0 <= day < self.horizon:
                    Call(self.env, day, self._convert, (sq, conv))

    def _convert(self, item: tuple) -> None:
        target, conv = item
        n = conv.pilots if conv.from_type == "intake" else \
            self.by_name[conv.from_type].crew.release(conv.pilots)
        target.crew.enrol(n, conv.duration_days, conv.elite)

    def _change(self, c) -> None:
        """A dated change reaches the component that owns its key (see `changes`)."""
        owner, n, value = c.owner, c.names, c.value
        sq = self.by_name.get(n.get("type"))
        k = list(sq.cfg.lrus).index(n["kind"]) if "kind" in n else None
        field = n.get("field")
        if owner == "lru_repair":
            sq.maintenance.lrus[k].repair_time.set(value)
        elif owner == "lru_mtbf":
            sq.maintenance.set_mtbf(k, value)
        elif owner == "lru_calendar":
            for failures in self.calendar_failures[(n["type"], n["kind"])]:
                failures.set_rate(value)
        elif owner == "lru_stock":
            sq.maintenance.lrus[k].change(field, value)
        elif owner == "lru_channels":
            sq.maintenance.shops[k].set_servers(servers(value))
        elif owner == "type_channels":
            self.shared_shops[n["type"]].set_servers(servers(value))
        elif owner == "part_supply":
            self.part_supplies[(n["type"], n["kind"], n["channel"])].change(field, value)
        elif owner == "programme":
            sq.change(field, value)
        elif owner == "pilots":
            sq.crew.change(field, value)
        elif owner == "accidents":
            sq.set_accidents(value)
        elif owner == "scheduled":
            sq.scheduled.change(n["part"], field, value)
        elif owner == "fuel":
            self.depots[n["fuel"]].change(field, value)
        elif owner == "fuel_supply":
            self.fuel_supplies[(n["fuel"], n["channel"])].change(field, value)
        elif owner == "cannibalization":
            for squadron in self.squadrons:
                squadron.set_cannibalization(value)

    def _snapshots(self, times: list[float], months: set[float]):
        env = self.env
        for t in times:
            yield env.timeout(t - env.now)
            self._snapshot(t, t in months)

    def _snapshot(self, now: float, new_month: bool) -> None:
        self.ledger.snapshot(now)
        if new_month:
            pooled: list[float] = []
            for sq in self.squadrons:
                sq.maintenance.new_month()
                if sq.crew:
                    over, hours = sq.crew.snapshot(now)
                    pooled += hours
                    ready = sq.fleet.count[FMC]  # the tails a proficient pilot could fly
                    for level, n in zip(self.crewed[sq.fleet.name], over + over[-1:]):
                        level.set(now, float(min(ready, n)))
            pooled.sort()
            for level, q in zip(self.pooled_deciles, deciles(pooled)):
                level.set(now, q)  # ALL: the deciles of every pilot of every type

    # -- running -------------------------------------------------------------------------

    def run(self) -> ReplicationResult:
        """Run to the horizon (from wherever the clock stands) and collect the statistics."""
        env, horizon, run = self.env, self.horizon, self.scenario.run
        if env.now < horizon:
            env.run_until(horizon)
        for sq in self.squadrons:
            sq.close()
        self.ledger.snapshot(horizon)
        events = env.queue.scheduled - len(env.queue)  # scheduled minus never processed
        snap_t, levels, counters = self.ledger.tables()
        index = {t: i for i, t in enumerate(snap_t[:-1])}
        index[horizon] = len(snap_t) - 1
        layout = _layout(self.scenario)
        month_rows = [index[t] for t in self.bounds] + [index[horizon]]
        monthly = derive(self.ledger, levels, counters, snap_t, month_rows, layout)
        horizon_rows = [index[run.warmup_days], index[horizon]]
        totals = derive(self.ledger, levels, counters, snap_t, horizon_rows, layout)
        values = {g: {m: float(v[0]) for m, v in ms.items()} for g, ms in totals.items()}
        daily = self._surge_daily(values, monthly, layout)
        return ReplicationResult(self.scenario.name, self.replication, self.root_seed, events,
                                 tuple(self.labels), values, monthly, daily)

    def _surge_daily(self, values: dict, monthly: dict, layout: Layout) -> tuple[tuple, ...]:
        """The rows of every maximum-effort day, and each type's mean sorties a day over
        the surge days (`surge_sorties_per_day`: after the warm-up, and month by month)."""
        if not any(self.calendar.max_effort):
            return ()
        start, warmup = self.scenario.run.start_date, self.scenario.run.warmup_days
        rows = []
        groups = {**layout.groups, "ALL": list(self.by_name)}
        for sq in self.squadrons:
            rows += [(sq.fleet.name, day, *row) for day, *row in sq.surge_rows]
        for group, members in groups.items():  # the groups' rows: sums over their types
            total: dict[int, list[float]] = {}
            for sq in (self.by_name[name] for name in members):
                for day, *row in sq.surge_rows:
                    sums = total.setdefault(day, [0.0] * len(row))
                    for i, v in enumerate(row):
                        sums[i] += v
            rows += [(group, day, *v) for day, v in sorted(total.items())]
        for group in values:
            days = [(day, row[0]) for name, day, *row in rows if name == group]
            after = [flown for day, flown in days if day >= warmup]
            values[group]["surge_sorties_per_day"] = float(np.mean(after)) if after else math.nan
            sums, counts = np.zeros(len(self.bounds)), np.zeros(len(self.bounds))
            for day, flown in days:
                m = bisect_right(self.bounds, day) - 1
                sums[m] += flown
                counts[m] += 1
            with np.errstate(invalid="ignore"):
                monthly[group]["surge_sorties_per_day"] = np.where(counts > 0, sums / counts,
                                                                   np.nan)
        return tuple((name, (start + dt.timedelta(days=day)).isoformat(), *row)
                     for name, day, *row in rows)


def _crewed_levels(ledger: Ledger, sq: Squadron) -> list:
    """`crewed_fmc_<h>h` for each proficiency threshold, then `crewed_fmc_aircraft` (at the
    highest)."""
    name = sq.fleet.name
    return [ledger.level(name, f"crewed_fmc_{threshold_label(h)}h")
            for h in sq.cfg.pilots.proficiency_hours] + [ledger.level(name, "crewed_fmc_aircraft")]


def _tail(serial: int, z: list[int], cfg: AircraftType, age: float, hours: float,
          budget: float, now: float = 0.0) -> Tail:
    """A tail `age` years old now, with its airframe's own aging multiplier."""
    start_age = age - now / 365.25  # its age on the start date (negative: built later)
    tail = Tail(serial, z, hours, start_age, budget)
    tail.aging = airframe_aging(cfg, start_age)
    return tail


def _deliver(maintenance: Maintenance, k: int):
    lru = maintenance.lrus[k]

    def deliver(reliability: float) -> None:
        lru.resupplied.n += 1
        maintenance.receive(k, reliability)
    return deliver


def _layout(scenario: Scenario) -> Layout:
    """What `derive` needs to know: LRU kinds, finite shops, fuel kinds."""
    kinds = {name: list(cfg.lrus) for name, cfg in scenario.types.items()}
    shops = {}
    for name, cfg in scenario.types.items():
        if cfg.repair.channels != "unlimited":
            shops[(name, "repair")] = float(cfg.repair.channels)
        for kind, lru in cfg.lrus.items():
            if lru.repair_channels not in (None, "unlimited"):
                shops[(name, f"{kind}.repair")] = float(lru.repair_channels)
        if cfg.inspection and cfg.inspection.docks != "unlimited":
            shops[(name, "inspection")] = float(cfg.inspection.docks)
        if cfg.overhaul and cfg.overhaul.depot_slots not in ("unlimited", 0):
            shops[(name, "overhaul")] = float(cfg.overhaul.depot_slots)
    roles = {name: cfg.role for name, cfg in scenario.types.items()}
    return Layout(kinds, shops, list(scenario.fuel), role_groups(roles, NON_COMBAT_ROLES))


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
