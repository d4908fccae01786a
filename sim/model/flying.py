"""The flying programme of one aircraft type: daily sortie generation and sorties.

Each day the programme adds sorties to fly (`pending`): `fleet_hours_per_day / sortie_hours`
in the fleet programme (regime P), or `hours_per_aircraft_per_day / sortie_hours` for each
FMC tail in the per-aircraft programme (regime F, where a tail's credit follows the time it
spends FMC during the flying window). Sorties launch from the pool of idle FMC tails, the
one idle longest first, and must land before the window closes; what is still pending when
the next day starts was lost for want of an aircraft.

A sortie is one SimPy event, its landing. LRU failures are exponential in flight hours:
each tail carries a hazard budget drawn as Exp(1), each sortie spends
`sortie_hours * sum(Z / MTBF) * aging` of it, and a budget run out means one or more
failures, discovered on landing, whose kinds are drawn in proportion to Z / MTBF.
"""

from __future__ import annotations

import math
from collections import deque

import simpy

from ..rng import Streams, exponential, uniform
from ..scenario import AircraftType, Flying
from .fleet import FMC, RETIRED, Fleet, Tail
from .maintenance import Maintenance
from .metrics import Ledger

EPS = 1e-9


class Squadron:
    def __init__(self, env: simpy.Environment, fleet: Fleet, cfg: AircraftType,
                 flying: Flying, maintenance: Maintenance, streams: Streams, ledger: Ledger):
        self.env, self.fleet, self.cfg, self.maintenance = env, fleet, cfg, maintenance
        name = fleet.name
        self.sortie_hours = cfg.sortie_hours
        self.cycle = (cfg.sortie_hours + cfg.turnaround_hours) / 24.0
        self.window = flying.window_hours / 24.0
        self.window_end = -1.0
        self.pending = 0.0
        if flying.programme == "fleet_hours":
            self.daily = cfg.fleet_hours_per_day / cfg.sortie_hours
            self.per_tail = 0.0
        else:
            self.daily = 0.0
            self.per_tail = cfg.hours_per_aircraft_per_day / cfg.sortie_hours
        rates = [lru.units_per_aircraft / lru.mtbf_flight_hours for lru in cfg.lrus.values()]
        self.rate = sum(rates)  # failures per flight hour of a tail at the start age
        self.kind_cdf = [sum(rates[: i + 1]) / self.rate for i in range(len(rates))] \
            if self.rate > 0 else []
        if self.kind_cdf:
            self.kind_cdf[-1] = 1.0
        self.aging = 1.0 + cfg.aging_per_year
        self.hazard = 0.0
        self.life = cfg.airframe_life_hours
        self.exp_draw = streams.block(f"failures/{name}", exponential).next
        self.kind_draw = streams.block(f"failure-kinds/{name}", uniform).next
        self.sorties = ledger.counter(name, "sorties")
        self.flight_hours = ledger.counter(name, "flight_hours")
        self.lost_no_aircraft = ledger.counter(name, "sorties_lost_no_aircraft")
        self.pool: deque[Tail] = deque()
        for tail in fleet.tails:
            tail.in_pool = True
            self.pool.append(tail)
        fleet.left_fmc = self._left_fmc
        fleet.back_to_fmc = self._back_to_fmc

    def days(self):
        """SimPy process: open each day's flying window and add its programme."""
        env = self.env
        while True:
            now = env.now
            lost = math.floor(self.pending + EPS)
            if lost > 0:
                self.lost_no_aircraft.n += lost
                self.pending = max(0.0, self.pending - lost)
            self.hazard = self.rate * self.sortie_hours * self.aging ** (now / 365.25)
            self.window_end = now + self.window
            self.pending += self.daily + self.per_tail * self.fleet.count[FMC]
            self.dispatch()
            yield env.timeout(1.0)

    def dispatch(self) -> None:
        """Launch sorties from the idle pool while there is a programme and daylight."""
        pool = self.pool
        if not pool or self.pending < 1.0 - EPS:
            return
        env, cycle = self.env, self.cycle
        if env.now + cycle > self.window_end + EPS:
            return
        timeout, land = env.timeout, self._land
        pending = self.pending
        while pending >= 1.0 - EPS and pool:
            tail = pool.popleft()
            tail.in_pool = False
            if tail.state != FMC:
                continue  # left FMC while idle (a stale pool entry)
            pending -= 1.0
            tail.flying = True
            timeout(cycle, tail).callbacks.append(land)
        self.pending = pending

    def _land(self, event: simpy.Event) -> None:
        """A sortie lands: log its hours, spend failure hazard, discover failures."""
        tail: Tail = event._value
        now = self.env._now
        tail.flying = False
        hours = self.sortie_hours
        tail.hours += hours
        self.sorties.n += 1
        self.flight_hours.n += hours
        budget = tail.budget - self.hazard
        if budget > 0:
            tail.budget = budget
        else:
            self.maintenance.on_failures(tail, self._failed_kinds(tail, -budget))
        if tail.hours >= self.life:
            self.maintenance.discard(tail, now)
            self.fleet.remove(tail, RETIRED, now)
        if tail.state == FMC and not tail.in_pool:
            tail.in_pool = True
            self.pool.append(tail)
        self.dispatch()

    def _failed_kinds(self, tail: Tail, overshoot: float) -> list[int]:
        """The kinds that failed in a sortie that overshot the tail's budget."""
        kinds = []
        cdf = self.kind_cdf
        while True:
            u = self.kind_draw()
            k = 0
            while cdf[k] < u:
                k += 1
            kinds.append(k)
            fresh = self.exp_draw()
            if fresh > overshoot:
                tail.budget = fresh - overshoot
                return kinds
            overshoot -= fresh

    def _left_fmc(self, tail: Tail, now: float) -> None:
        if self.per_tail:
            self.pending = max(0.0, self.pending - self.per_tail * self._window_left(now))

    def _back_to_fmc(self, tail: Tail, now: float) -> None:
        if self.per_tail:
            self.pending += self.per_tail * self._window_left(now)
        if not tail.in_pool and not tail.flying:
            tail.in_pool = True
            self.pool.append(tail)
        self.dispatch()

    def _window_left(self, now: float) -> float:
        return max(0.0, self.window_end - now) / self.window
