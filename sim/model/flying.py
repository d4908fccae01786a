"""The flying programme of one aircraft type: daily sortie generation and sorties.

Each day the programme adds sorties to fly (`pending`): `fleet_hours_per_day / sortie_hours`
in the fleet programme (regime P), or `hours_per_aircraft_per_day / sortie_hours` for each
FMC tail in the per-aircraft programme (regime F, where a tail's credit follows the time it
spends FMC during the flying window). Sorties launch from the pool of idle FMC tails, the
one idle longest first, and must land before the window closes (a sortie is counted when
it launches); what is still pending when
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
from .events import Call
from .fleet import FMC, RETIRED, Fleet, Tail
from .maintenance import Maintenance
from .metrics import Ledger

EPS = 1e-9


class Squadron:
    __slots__ = ("env", "fleet", "cfg", "maintenance", "sortie_hours", "cycle", "window",
                 "window_end", "pending", "daily", "per_tail", "rate", "kind_cdf", "aging",
                 "rate_per_sortie", "hazard", "life", "exp_draw", "kind_draw", "sorties",
                 "flight_hours", "lost_no_aircraft", "pool")

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
        self.rate_per_sortie = self.rate * cfg.sortie_hours
        self.hazard = self.rate_per_sortie
        self.life = cfg.airframe_life_hours
        self.exp_draw = streams.block(f"failures/{name}", exponential).next
        self.kind_draw = streams.block(f"failure-kinds/{name}", uniform).next
        self.sorties = ledger.counter(name, "sorties")
        self.flight_hours = ledger.counter(name, "flight_hours")
        self.lost_no_aircraft = ledger.counter(name, "sorties_lost_no_aircraft")
        self.pool: deque[Tail] = deque(fleet.tails)  # idle FMC tails, exactly
        fleet.left_fmc = self._left_fmc
        fleet.back_to_fmc = self._back_to_fmc

    def start(self) -> None:
        """Open the first flying day now; each day schedules the next."""
        self._day()

    def _day(self, _event: simpy.Event | None = None) -> None:
        """Open a day's flying window and add its programme."""
        env = self.env
        now = env.now
        if self.pending >= 1.0 - EPS:
            lost = math.floor(self.pending + EPS)
            self.lost_no_aircraft.n += lost
            self.pending = max(0.0, self.pending - lost)
        if self.aging != 1.0:
            self.hazard = self.rate_per_sortie * self.aging ** (now / 365.25)
        self.window_end = now + self.window
        self.pending += self.daily
        if self.per_tail:
            self.pending += self.per_tail * self.fleet.count[FMC]
        self.dispatch()
        Call(env, 1.0, self._day)

    def dispatch(self) -> None:
        """Launch sorties from the idle pool while there is a programme and daylight."""
        pool = self.pool
        if not pool or self.pending < 1.0 - EPS:
            return
        env, cycle = self.env, self.cycle
        if env.now + cycle > self.window_end + EPS:
            return
        land = self._land
        pending = self.pending
        launched = 0
        while pending >= 1.0 - EPS and pool:
            tail = pool.popleft()
            pending -= 1.0
            launched += 1
            tail.flying = True
            Call(env, cycle, land, tail)
        self.pending = pending
        self.sorties.n += launched
        self.flight_hours.n += launched * self.sortie_hours

    def _land(self, event: simpy.Event) -> None:
        """A sortie lands: log its hours, spend failure hazard, discover failures."""
        tail: Tail = event._value
        tail.hours += self.sortie_hours
        budget = tail.budget - self.hazard
        if budget > 0:
            tail.budget = budget
        else:
            self.maintenance.on_failures(tail, self._failed_kinds(tail, -budget))
        if tail.hours >= self.life:
            now = self.env.now
            self.maintenance.discard(tail, now)
            self.fleet.remove(tail, RETIRED, now)
        tail.flying = False
        if tail.state == FMC:
            self.pool.append(tail)
        if self.pending >= 1.0 - EPS:
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
        if not tail.flying:
            self.pool.remove(tail)  # a ground failure of an idle tail (rare)
        if self.per_tail:
            self.pending = max(0.0, self.pending - self.per_tail * self._window_left(now))

    def _back_to_fmc(self, tail: Tail, now: float) -> None:
        if self.per_tail:
            self.pending += self.per_tail * self._window_left(now)
        self.pool.append(tail)  # back from NMCM or NMCS, so on the ground
        self.dispatch()

    def _window_left(self, now: float) -> float:
        return max(0.0, self.window_end - now) / self.window
