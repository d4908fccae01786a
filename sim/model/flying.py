"""The flying programme of one aircraft type: daily sortie generation and sorties.

Each day the programme adds sorties to fly (`pending`): `fleet_hours_per_day / sortie_hours`
(regime P), `hours_per_aircraft_per_day / sortie_hours` for each FMC tail (regime F, a
tail's credit following the time it is FMC in the window), or the planned hours of each
current pilot (`per_pilot`), times any surge. A sortie needs an idle FMC tail (the one idle
longest flies), a pilot current on the type and its fuel; it launches inside the daily
window and must land before it closes. A sortie that cannot fly is counted by cause:
`no_fuel` at once (the day's ration is spent), `no_aircraft` or `no_pilot` when the next
day opens with it still pending.

A sortie is one SimPy event, its landing, and is counted when it launches. On landing the
tail spends LRU failure hazard (see `failures`), the accident hazard of the type is spent
(a type-level Exp(1) budget, scaled by the pilot's lack of recent hours and the airframe's
age), and flight-hour dues (inspection, overhaul, life) are checked through `next_check`.
"""

from __future__ import annotations

import math
from collections import deque

import simpy

from ..rng import Streams, exponential, uniform
from ..schema import AircraftType, Flying, Run
from .aircrew import MONTH, Aircrew
from .events import Call
from .failures import FlightFailures, fleet_aging
from .fleet import FMC, LOST, Fleet, Tail
from .fuel import FuelDepot
from .maintenance import Maintenance
from .metrics import Ledger
from .scheduled import Scheduled

EPS = 1e-9
NO_AIRCRAFT, NO_PILOT = 0, 1


class Squadron:
    __slots__ = ("env", "fleet", "cfg", "maintenance", "failures", "scheduled", "crew", "depot",
                 "sortie_hours", "cycle", "window", "window_end", "pending", "daily",
                 "per_tail", "per_pilot", "surges", "aging", "age0", "hazard_scale",
                 "fuel_per_sortie", "fuel_ration", "accident_scale", "accident_budget",
                 "accident_age", "low_proficiency", "threshold", "pilot_loss", "accident_draw",
                 "loss_draw", "sorties", "flight_hours", "fuel_used", "lost", "blocked",
                 "losses", "pool", "day", "due", "due_at")

    def __init__(self, env: simpy.Environment, fleet: Fleet, cfg: AircraftType, flying: Flying,
                 run: Run, maintenance: Maintenance, scheduled: Scheduled, crew: Aircrew | None,
                 depot: FuelDepot | None, streams: Streams, ledger: Ledger):
        self.env, self.fleet, self.cfg, self.maintenance = env, fleet, cfg, maintenance
        self.failures = FlightFailures(maintenance, streams)
        self.scheduled, self.crew, self.depot = scheduled, crew, depot
        name = fleet.name
        self.sortie_hours = cfg.sortie_hours
        self.cycle = (cfg.sortie_hours + cfg.turnaround_hours) / 24.0
        self.window = flying.window_hours / 24.0
        self.window_end = -1.0
        self.pending = 0.0
        self.day = -1
        self.due, self.due_at = 0.0, -1.0
        programme = flying.programme
        self.daily = cfg.fleet_hours_per_day / cfg.sortie_hours if programme == "fleet_hours" else 0.0
        self.per_tail = cfg.hours_per_aircraft_per_day / cfg.sortie_hours \
            if programme == "per_aircraft" else 0.0
        self.per_pilot = cfg.hours_per_pilot_per_year / 365.25 / cfg.sortie_hours \
            if programme == "per_pilot" else 0.0
        self.surges = [(run.day_of(s.start_date), run.day_of(s.end_date), s.multiplier)
                       for s in flying.surges]
        self.aging = fleet_aging(cfg)
        self.age0 = cfg.age_years
        self.hazard_scale = cfg.sortie_hours
        self.fuel_per_sortie = cfg.fuel_burn_t_per_hour * cfg.sortie_hours if depot else 0.0
        self.fuel_ration = math.inf
        acc = cfg.accidents
        self.accident_scale = acc.per_100k_flight_hours / 1e5 * cfg.sortie_hours if acc else 0.0
        self.accident_age = 1.0 + acc.age_factor_per_year if acc else 1.0
        self.low_proficiency = acc.low_proficiency_factor - 1.0 if acc else 0.0
        self.pilot_loss = acc.pilot_loss_probability if acc else 0.0
        self.threshold = crew.threshold if crew else 1.0
        self.accident_draw = streams.block(f"accidents/{name}", exponential).next
        self.loss_draw = streams.block(f"accident-crew/{name}", uniform).next
        self.accident_budget = self.accident_draw() if acc else math.inf
        self.sorties = ledger.counter(name, "sorties")
        self.flight_hours = ledger.counter(name, "flight_hours")
        self.fuel_used = ledger.counter(name, "fuel_used_t")
        self.lost = [ledger.counter(name, "sorties_lost_no_aircraft"),
                     ledger.counter(name, "sorties_lost_no_pilot"),
                     ledger.counter(name, "sorties_lost_no_fuel")]
        self.losses = ledger.counter(name, "losses")
        self.blocked = NO_AIRCRAFT
        self.pool: deque[Tail] = deque(fleet.tails)  # idle FMC tails, exactly
        fleet.left_fmc = self._left_fmc
        fleet.back_to_fmc = self._back_to_fmc

    # -- the day's programme -------------------------------------------------------------

    def start(self) -> None:
        """Open the first flying day at time 0 (after deliveries and fuel planning)."""
        Call(self.env, 0.0, self._day)

    def sorties_due(self, now: float) -> float:
        """The sorties today's programme asks for, including the fraction carried over
        (the fuel depot asks first, at the same instant, so the answer is kept)."""
        if self.due_at == now:
            return self.due
        self.due_at, self.due = now, self._sorties_due(now)
        return self.due

    def _sorties_due(self, now: float) -> float:
        pending = self.pending
        carry = pending - math.floor(pending + EPS) if pending >= 1 - EPS else pending
        base = self.daily
        if not (self.per_tail or self.per_pilot or self.surges):
            return max(0.0, carry) + base
        if self.per_tail:
            base += self.per_tail * self.fleet.count[FMC]
        if self.per_pilot:
            base += self.per_pilot * self.crew.active_pilots()
        for start, end, multiplier in self.surges:
            if start <= now < end:
                base *= multiplier
        return max(0.0, carry) + base

    def _day(self, _event: simpy.Event | None = None) -> None:
        """Open a day's flying window and add its programme."""
        env = self.env
        now = env.now
        due = self.sorties_due(now)
        if self.pending >= 1.0 - EPS:  # yesterday's leftovers were lost
            self.lost[self.blocked].n += math.floor(self.pending + EPS)
        self.pending = due
        self.day += 1
        self._age(now)
        if self.crew:
            self.crew.new_day()
        self.window_end = now + self.window
        self.dispatch()
        Call(env, 1.0, self._day)

    def _age(self, now: float) -> None:
        years = now / 365.25
        self.hazard_scale = self.sortie_hours * self.aging(years)
        if self.accident_scale:
            self.accident_scale = (self.cfg.accidents.per_100k_flight_hours / 1e5 *
                                   self.sortie_hours * self.accident_age ** years)

    # -- sorties -------------------------------------------------------------------------

    def dispatch(self) -> None:
        """Launch sorties while there is a programme, daylight, a tail, a pilot and fuel."""
        pool = self.pool
        if not pool or self.pending < 1.0 - EPS:
            if self.pending >= 1.0 - EPS:
                self.blocked = NO_AIRCRAFT
            return
        env, cycle = self.env, self.cycle
        if env._now + cycle > self.window_end + EPS:
            return
        due = math.floor(self.pending + EPS)
        fuel = self.fuel_per_sortie
        if fuel:  # sorties beyond the day's ration, or the stock above the reserve, are lost
            fuelled = math.floor(min(self.fuel_ration, self.depot.available()) / fuel + EPS)
            if fuelled < due:
                lost = due - max(fuelled, 0)
                self.lost[2].n += lost
                self.depot.lost.n += lost
                self.pending -= lost
                due -= lost
        land, crew, day = self._land, self.crew, self.day
        launched = 0
        while launched < due:
            if not pool:
                self.blocked = NO_AIRCRAFT
                break
            if crew:
                pilot = crew.take(day)
                if pilot is None:
                    self.blocked = NO_PILOT
                    break
                pool[0].pilot = pilot
            tail = pool.popleft()
            tail.flying = True
            Call(env, cycle, land, tail)
            launched += 1
        if launched:
            self.pending -= launched
            self.sorties.n += launched
            self.flight_hours.n += launched * self.sortie_hours
            if fuel:
                self.fuel_ration -= launched * fuel
                self.fuel_used.n += launched * fuel
                self.depot.draw(launched * fuel)

    def _land(self, event: simpy.Event) -> None:
        """A sortie lands: spend failure and accident hazard, check what falls due."""
        tail: Tail = event._value
        tail.hours += self.sortie_hours
        budget = tail.budget - tail.hazard * self.hazard_scale
        if budget > 0:
            tail.budget = budget
        else:
            self.failures.on_overshoot(tail, -budget)
        pilot = tail.pilot
        if self.accident_scale:  # the fleet's aging since the start, this airframe's offset
            hazard = self.accident_scale * self.accident_age ** (tail.age - self.age0)
            if pilot is not None:  # up to low_proficiency_factor for a pilot with no hours
                now = self.env._now
                if now >= (pilot.month + 1) * MONTH:
                    pilot.expire(now)  # old months leave the 12-month window
                short = 1.0 - pilot.rolling / self.threshold
                if short > 0:
                    hazard *= 1.0 + self.low_proficiency * short
            self.accident_budget -= hazard
            if self.accident_budget <= 0:
                self._accident(tail)
        if pilot is not None:
            tail.pilot = None
            if tail.state != LOST or self.loss_draw() >= self.pilot_loss:
                self.crew.back(pilot, self.sortie_hours, self.env._now)
            else:
                self.crew.lost.n += 1
                self.crew.leave(pilot)
                pilot.flying = False
        if tail.hours >= tail.next_check and tail.state != LOST:
            self.scheduled.check(tail)
        tail.flying = False
        if tail.state == FMC:
            self.pool.append(tail)
        if self.pending >= 1.0 - EPS:
            self.dispatch()

    def _accident(self, tail: Tail) -> None:
        """The type's accident hazard ran out on this sortie: the tail is lost."""
        self.accident_budget = self.accident_draw()
        self.losses.n += 1
        self.maintenance.retire(tail, LOST)

    # -- tails leaving and rejoining FMC -------------------------------------------------

    def _left_fmc(self, tail: Tail, now: float) -> None:
        if not tail.flying:
            self.pool.remove(tail)  # a ground event on an idle tail (rare)
        if self.per_tail:
            self.pending = max(0.0, self.pending - self.per_tail * self._window_left(now))

    def _back_to_fmc(self, tail: Tail, now: float) -> None:
        if self.per_tail:
            self.pending += self.per_tail * self._window_left(now)
        if not tail.flying:  # (a tail mended during its own landing is pooled by `_land`)
            self.pool.append(tail)
        self.dispatch()

    def _window_left(self, now: float) -> float:
        return max(0.0, self.window_end - now) / self.window
