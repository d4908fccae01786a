"""The flying programme of one aircraft type: daily sortie generation and sorties.

Each day the programme adds sorties to fly (`pending`): `fleet_hours_per_day / sortie_hours`
(regime P), `hours_per_aircraft_per_day / sortie_hours` for each flyable tail (regime F, a
tail's credit following the time it is flyable in the window), the planned hours of each
current pilot (`per_pilot`), or the period's plan that the fuel budget allows
(`fuel_budget`, see `planning`), times the day's weight in the flying calendar. On a
maximum-effort day the programme is every sortie cycle of every possessed tail: each
flyable tail with a pilot flies as many cycles as the window holds, the fuel reserve may be
drawn, scheduled maintenance waits and cannibalization runs in full. A sortie needs an idle
flyable tail (FMC, or PMC where `pmc_flies`: a training sortie needs no mission LRU; the one
idle longest flies), a pilot current on the type and its fuel; it launches inside the daily
window and must land before it closes. A sortie that cannot fly is counted by cause:
`no_fuel` at once (the day's ration is spent), `no_aircraft` or `no_pilot` when the next
day opens with it still pending.

With `max_operating` at most that many tails of the type are operating (idle in the pool
or in the air); a flyable tail beyond it stands in reserve, neither flying nor failing by
flight (calendar failures and calendar dues still reach it), and joins the pool when an
operating tail leaves the flyable states (a maximum-effort surge commits the reserve).
Under the `demand` cannibalization policy the squadron asks maintenance to complete tails
when the day's sorties cannot be flown by the flyable tails within the window (each tail
flies `cycles_per_day` cycles) or when FMC tails fall below the posture floor `min_fmc` (the type's, else the global):
at the day's opening, and when a landing leaves no idle tail with sorties pending.

A sortie is one SimPy event, its landing, and is counted when it launches. On landing the
tail spends LRU failure hazard (see `failures`), the accident hazard of the type is spent
(a type-level Exp(1) budget; the rate at the reference hours, scaled by the risk curve over
the pilot's rolling 12-month hours and, if given, over his hours on the type, and by the
airframe's age; no reporting threshold enters it), and flight-hour dues (inspection,
overhaul, life) are checked through `next_check`.
"""

from __future__ import annotations

from math import ceil, floor, inf  # module names: no attribute lookup on a hot path
from bisect import bisect_right
from collections import deque

import simpy

from ..rng import Streams, exponential, uniform
from ..schema import Accidents, AircraftType, Cannibalization, Flying
from .aircrew import MONTH, Aircrew
from .events import ACTIVITY
from .failures import FlightFailures, fleet_aging
from .fleet import DEPOT, FMC, LOST, Fleet, Tail
from .fuel import FuelDepot
from .maintenance import Maintenance
from .metrics import Ledger
from .planning import Calendar
from .scheduled import Scheduled

EPS = 1e-9
ONE = 1.0 - EPS  # a whole sortie pending
NO_AIRCRAFT, NO_PILOT, NO_FUEL = 0, 1, 2


class Squadron:
    __slots__ = ("env", "events", "fleet", "cfg", "maintenance", "failures", "scheduled",
                 "crew", "depot", "sortie_hours", "cycle", "cycles_per_day", "window",
                 "window_end", "pending",
                 "daily", "per_tail", "per_pilot", "calendar", "budget", "burn", "min_share",
                 "plan_rate", "demand_rate", "aging", "age0", "hazard_scale",
                 "fuel_per_sortie", "fuel_ration", "accidents", "accident_scale",
                 "accident_budget", "accident_age", "risk", "type_risk",
                 "pilot_loss", "accident_draw", "loss_draw", "sorties", "flight_hours",
                 "fuel_used", "lost", "blocked", "losses", "pool", "day", "due", "due_at",
                 "planned", "demanded", "max_effort", "cann_cfg", "surge_rows", "dawn",
                 "programme_hours", "programme", "airborne", "cap", "max_operating",
                 "reserve", "reserve_level", "flies")

    def __init__(self, env: simpy.Environment, fleet: Fleet, cfg: AircraftType, flying: Flying,
                 calendar: Calendar, maintenance: Maintenance, scheduled: Scheduled,
                 crew: Aircrew | None, depot: FuelDepot | None, streams: Streams,
                 ledger: Ledger, cann: Cannibalization):
        self.env, self.fleet, self.cfg, self.maintenance = env, fleet, cfg, maintenance
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.failures = FlightFailures(maintenance, streams)
        self.scheduled, self.crew, self.depot = scheduled, crew, depot
        name = fleet.name
        self.sortie_hours = cfg.sortie_hours
        self.cycle = (cfg.sortie_hours + cfg.turnaround_hours) / 24.0
        self.cycles_per_day = floor(flying.window_hours / (cfg.sortie_hours +
                                                                cfg.turnaround_hours) + EPS)
        self.window = flying.window_hours / 24.0
        self.window_end = -1.0
        self.pending = 0.0
        self.day = -1
        self.due, self.due_at = 0.0, -1.0
        self.calendar = calendar
        self.budget = flying.programme == "fuel_budget"
        self.burn = cfg.fuel_burn_t_per_hour if depot else 0.0
        self.plan_rate = self.demand_rate = 0.0
        self.programme_hours = {"fleet_hours_per_day": cfg.fleet_hours_per_day,
                                "hours_per_aircraft_per_day": cfg.hours_per_aircraft_per_day,
                                "hours_per_pilot_per_year": cfg.hours_per_pilot_per_year,
                                "min_hours_per_pilot_per_year": cfg.min_hours_per_pilot_per_year,
                                "max_fleet_hours_per_year": cfg.max_fleet_hours_per_year}
        self.daily = self.per_tail = self.per_pilot = self.min_share = 0.0
        self.programme = flying.programme
        self._programme(self.programme)
        self.aging = fleet_aging(cfg)
        self.age0 = cfg.age_years
        self.hazard_scale = cfg.sortie_hours
        self.fuel_per_sortie = cfg.fuel_burn_t_per_hour * cfg.sortie_hours if depot else 0.0
        self.fuel_ration = inf
        self.accident_draw = streams.block(f"accidents/{name}", exponential).next
        self.loss_draw = streams.block(f"accident-crew/{name}", uniform).next
        self.set_accidents(cfg.accidents)
        self.accident_budget = self.accident_draw() if cfg.accidents else inf
        self.max_effort, self.cann_cfg = False, cann
        self.surge_rows: list[tuple] = []
        self.dawn: tuple | None = None
        self.planned = ledger.counter(name, "sorties_planned")
        self.demanded = ledger.counter(name, "sorties_demanded")
        self.sorties = ledger.counter(name, "sorties")
        self.flight_hours = ledger.counter(name, "flight_hours")
        self.fuel_used = ledger.counter(name, "fuel_used_t")
        self.lost = [ledger.counter(name, "sorties_lost_no_aircraft"),
                     ledger.counter(name, "sorties_lost_no_pilot"),
                     ledger.counter(name, "sorties_lost_no_fuel")]
        self.losses = ledger.counter(name, "losses")
        self.blocked = NO_AIRCRAFT
        self.airborne = 0  # tails in the air
        self.flies = fleet.flies
        self.max_operating = inf if cfg.max_operating is None else cfg.max_operating
        self.cap = self.max_operating
        flyable = [t for t in fleet.tails if fleet.flies[t.state]]
        cap = min(len(flyable), self.cap)
        self.pool: deque[Tail] = deque(flyable[:cap])
        self.reserve: deque[Tail] = deque(flyable[cap:])  # flyable, idle, not operating
        self.reserve_level = ledger.level(name, "reserve_aircraft", float(len(self.reserve)))
        fleet.left_flyable = self._left_flyable  # the pool: idle flyable tails, exactly
        fleet.back_to_flyable = self._back_to_flyable

    # -- the programme -------------------------------------------------------------------

    def _programme(self, programme: str) -> None:
        hours, sortie = self.programme_hours, self.sortie_hours
        if programme == "fleet_hours":
            self.daily = hours["fleet_hours_per_day"] / sortie
        elif programme == "per_aircraft":
            self.per_tail = hours["hours_per_aircraft_per_day"] / sortie
        elif programme == "per_pilot":
            self.per_pilot = hours["hours_per_pilot_per_year"] / 365.25 / sortie
        else:
            full = hours["hours_per_pilot_per_year"]
            self.min_share = hours["min_hours_per_pilot_per_year"] / full if full else 0.0

    def change(self, field: str, value: float) -> None:
        """A dated change of the programme's hours (under fuel_budget: from the next plan)."""
        self.programme_hours[field] = value
        self.daily = self.per_tail = self.per_pilot = 0.0
        self._programme(self.programme)

    def demand_hours(self, start: float, end: float) -> float:
        """What the type would fly in [start, end) if it could: each current pilot's hours
        a year (at most the fleet-hour cap), spread over the flying calendar."""
        hours = self.programme_hours
        pilots = self.crew.active_pilots() if self.crew else 0
        per_year = min(pilots * hours["hours_per_pilot_per_year"],
                       hours["max_fleet_hours_per_year"])
        return per_year * self.calendar.days(start, end) / 365.25

    def set_plan(self, demand_hours: float, plan_hours: float, days: float,
                 ration: float) -> None:
        """The period's demand and plan (flight hours over `days` weighted flying days) and
        its fuel ration (tonnes)."""
        per_day = self.sortie_hours * days if days > 0 else inf
        self.demand_rate, self.plan_rate = demand_hours / per_day, plan_hours / per_day
        self.fuel_ration = ration

    def set_accidents(self, acc: Accidents | None) -> None:
        """The accident model (at the start, or a dated change of its rates)."""
        self.accidents = acc
        self.accident_age = 1.0 + acc.age_factor_per_year if acc else 1.0
        self.risk = risk_curve(acc.risk_hours, acc.risk_multiplier,
                               acc.reference_12m_hours) if acc else None
        self.type_risk = risk_curve(acc.type_risk_hours, acc.type_risk_multiplier,
                                    inf) if acc and acc.type_risk_hours else None
        self.pilot_loss = acc.pilot_loss_probability if acc else 0.0
        self._age(self.events.now)

    # -- the day's programme -------------------------------------------------------------

    def start(self) -> None:
        """Open the first flying day at time 0 (after deliveries and fuel planning)."""
        self.events.call(0.0, self._day)

    def sorties_due(self, now: float) -> float:
        """The sorties today's programme asks for, including the fraction carried over
        (the fuel depot asks first, at the same instant, so the answer is kept)."""
        if self.due_at == now:
            return self.due
        self.due_at, self.due = now, self._sorties_due(now)
        return self.due

    def _sorties_due(self, now: float) -> float:
        pending = self.pending
        carry = pending - floor(pending + EPS) if pending >= 1 - EPS else pending
        day = int(now + EPS)
        if self.calendar.max_effort[day]:  # every cycle of every active tail
            return float(sum(self.fleet.count[:DEPOT]) * self.cycles_per_day)
        return max(0.0, carry) + self._programme_today(now) * self.calendar.weight[day]

    def _programme_today(self, now: float) -> float:
        base = self.daily
        if self.per_tail:
            base += self.per_tail * min(self.fleet.flyable(), self.cap)
        if self.per_pilot:
            base += self.per_pilot * self.crew.active_pilots()
        return base + self.plan_rate

    def _day(self, _value: None = None) -> None:
        """Open a day's flying window and add its programme."""
        events = self.events
        now = events.now
        due = self.sorties_due(now)
        if self.pending >= 1.0 - EPS:  # yesterday's leftovers were lost
            self.lost[self.blocked].n += floor(self.pending + EPS)
        if self.dawn is not None:
            self._close_surge_day()
        day = int(now + EPS)
        effort = self.calendar.max_effort[day]
        if effort != self.max_effort:
            self._max_effort(effort, now)
        if effort:
            self.demanded.n += due
            self.planned.n += due
            self.dawn = (day, self.fleet.count[FMC], self.sorties.n,
                         *[c.n for c in self.lost])
        else:
            weight = self.calendar.weight[day]
            programme = self._programme_today(now) * weight
            self.planned.n += programme
            if self.budget:
                demand = self.demand_rate * weight
                self.demanded.n += demand
                self.lost[NO_FUEL].n += max(0.0, demand - programme)
            else:
                self.demanded.n += programme
        self.pending = due
        self.day += 1
        self._age(now)
        if self.crew:
            self.crew.new_day()
        self.window_end = now + self.window
        self.dispatch()
        if self.maintenance.policy == "demand":
            self._demand(True)
        events.call(1.0, self._day)

    def _max_effort(self, on: bool, now: float) -> None:
        """Enter or leave a maximum-effort surge: scheduled maintenance waits and
        cannibalization runs in full while it lasts."""
        self.max_effort = on
        cann = self.cann_cfg.model_copy(update={"policy": "full"}) if on else self.cann_cfg
        self.maintenance.set_cannibalization(cann)
        self._set_cap(inf if on else self.max_operating, now)
        end = now
        while end < len(self.calendar.max_effort) and self.calendar.max_effort[int(end)]:
            end += 1.0
        self.scheduled.hold(end if on else now)

    def set_cannibalization(self, cann: Cannibalization) -> None:
        """A dated change of the policy (kept aside while a maximum-effort surge lasts)."""
        self.cann_cfg = cann
        if not self.max_effort:
            self.maintenance.set_cannibalization(cann)

    def _close_surge_day(self) -> None:
        day, fmc, sorties, *lost = self.dawn
        self.surge_rows.append((day, self.sorties.n - sorties, fmc,
                                *(c.n - n for c, n in zip(self.lost, lost))))
        self.dawn = None

    def close(self) -> None:
        """The run ends: close a surge day still open."""
        if self.dawn is not None:
            self._close_surge_day()

    def _age(self, now: float) -> None:
        years = now / 365.25
        self.hazard_scale = self.sortie_hours * self.aging(years)
        acc = self.accidents
        self.accident_scale = (acc.per_100k_flight_hours / 1e5 * self.sortie_hours *
                               self.accident_age ** years) if acc else 0.0

    # -- sorties -------------------------------------------------------------------------

    def dispatch(self) -> None:
        """Launch sorties while there is a programme, daylight, a tail, a pilot and fuel."""
        pool = self.pool
        if not pool or self.pending < 1.0 - EPS:
            if self.pending >= 1.0 - EPS:
                self.blocked = NO_AIRCRAFT
            return
        events, cycle = self.events, self.cycle
        if events.now + cycle > self.window_end + EPS:
            return
        due = floor(self.pending + EPS)
        fuel = self.fuel_per_sortie
        if fuel:  # sorties beyond the ration, or the stock the type may draw, are lost
            tonnes = self.depot.available_for(self)
            fuelled = floor(tonnes / fuel + EPS) if tonnes < inf else due
            if fuelled < due:
                lost = due - max(fuelled, 0)
                self.lost[NO_FUEL].n += lost
                self.depot.lost.n += lost
                self.pending -= lost
                due -= lost
        land, crew, day = self._land, self.crew, self.day
        # each sortie is its landing: `events.call(cycle, land, tail)` written out
        lands = events.now + cycle
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
            events.push(lands, ACTIVITY, land, tail)
            launched += 1
        if launched:
            self.airborne += launched
            self.pending -= launched
            self.sorties.n += launched
            self.flight_hours.n += launched * self.sortie_hours
            if fuel:
                tonnes = launched * fuel
                if not self.max_effort:
                    self.fuel_ration -= tonnes
                    self.depot.held -= tonnes
                self.fuel_used.n += tonnes
                self.depot.draw(tonnes)

    def _land(self, tail: Tail) -> None:
        """A sortie lands: spend failure and accident hazard, check what falls due."""
        hours = self.sortie_hours
        now = self.events.now
        tail.hours += hours
        budget = tail.budget - tail.hazard * self.hazard_scale
        if budget > 0:
            tail.budget = budget
        else:
            self.failures.on_overshoot(tail, -budget)
        pilot = tail.pilot
        if self.accident_scale:  # the fleet's aging since the start, this airframe's offset
            hazard = self.accident_scale * self.accident_age ** (tail.age - self.age0)
            if pilot is not None:  # the pilot's risk against the reference pilot's
                risk = self.risk
                if risk is not None:
                    if now >= (pilot.month + 1) * MONTH:
                        pilot.expire(now)  # old months leave the 12-month window
                    xs, ys, slopes = risk
                    h = pilot.rolling
                    i = bisect_right(xs, h) - 1
                    x, y, k = xs[i], ys[i], slopes[i]  # (typed: no boxed floats compiled)
                    hazard *= y + k * (h - x)
                risk = self.type_risk
                if risk is not None:
                    xs, ys, slopes = risk
                    h = pilot.before + pilot.total
                    i = bisect_right(xs, h) - 1
                    x, y, k = xs[i], ys[i], slopes[i]
                    hazard *= y + k * (h - x)
            self.accident_budget -= hazard
            if self.accident_budget <= 0:
                self._accident(tail)
        if pilot is not None:
            tail.pilot = None
            if tail.state != LOST or self.loss_draw() >= self.pilot_loss:
                self.crew.back(pilot, hours, now)
            else:
                self.crew.lost.n += 1
                self.crew.leave(pilot)
                pilot.flying = False
        state = tail.state
        if tail.hours >= tail.next_check and state != LOST:
            self.scheduled.check(tail)
            state = tail.state
        if tail.n_missing and state < LOST:
            self.maintenance.refill(tail)  # a PMC tail claims what came in while it flew
            state = tail.state
        tail.flying = False
        self.airborne -= 1
        if self.flies[state]:
            if self.cap == inf:
                self.pool.append(tail)
            else:
                self._stand(tail, now)  # it keeps its operating place
        elif self.reserve:
            self._promote(now)
        if self.pending >= ONE:
            self.dispatch()
            if not self.pool and self.maintenance.policy == "demand":
                self._demand(False)

    def _accident(self, tail: Tail) -> None:
        """The type's accident hazard ran out on this sortie: the tail is lost."""
        self.accident_budget = self.accident_draw()
        self.losses.n += 1
        self.maintenance.retire(tail, LOST)

    # -- tails leaving and rejoining the flyable states -----------------------------------

    def _left_flyable(self, tail: Tail, now: float) -> None:
        if not tail.flying:  # a ground event on an idle tail (rare)
            if self.reserve and tail in self.reserve:
                self.reserve.remove(tail)
                self.reserve_level.add(now, -1.0)
            else:
                self.pool.remove(tail)
                if self._promote(now):
                    self.dispatch()
        if self.per_tail:
            f = self.fleet.flyable()
            operating = min(f + 1, self.cap) - min(f, self.cap)
            self.pending = max(0.0, self.pending -
                               operating * self.per_tail * self._window_left(now))

    def _back_to_flyable(self, tail: Tail, now: float) -> None:
        if self.per_tail:
            f = self.fleet.flyable()
            operating = min(f, self.cap) - min(f - 1, self.cap)
            self.pending += operating * self.per_tail * self._window_left(now)
        if not tail.flying:  # (a tail mended during its own landing is pooled by `_land`)
            self._stand(tail, now)
        self.dispatch()

    # -- the operating requirement and demand-triggered cannibalization -------------------

    def _stand(self, tail: Tail, now: float) -> None:
        """An idle flyable tail joins the pool if an operating place is free, else the
        reserve."""
        if len(self.pool) + self.airborne < self.cap:
            self.pool.append(tail)
        else:
            self.reserve.append(tail)
            self.reserve_level.add(now, 1.0)

    def _promote(self, now: float) -> bool:
        """Reserve tails take the operating places that are free, longest in reserve first;
        True if any did."""
        pool, reserve = self.pool, self.reserve
        promoted = False
        while reserve and len(pool) + self.airborne < self.cap:
            pool.append(reserve.popleft())
            self.reserve_level.add(now, -1.0)
            promoted = True
        return promoted

    def _set_cap(self, cap: float, now: float) -> None:
        """A new operating requirement (a surge lifts it, at a day's opening, which then
        dispatches): the reserve fills free places, and idle tails beyond a lower one stand
        down (those that joined the pool last)."""
        self.cap = cap
        self._promote(now)
        pool = self.pool
        while pool and len(pool) + self.airborne > cap:
            self.reserve.appendleft(pool.pop())
            self.reserve_level.add(now, 1.0)

    def _demand(self, dawn: bool) -> None:
        """Ask maintenance to cannibalize just enough tails: when no idle tail is left and
        the flyable tails cannot fly the sorties pending in what is left of the window, and
        (at the day's opening) when FMC tails are below the posture floor `min_fmc`. Tails
        being completed count as coming."""
        maint = self.maintenance
        if not maint.waiting:
            return
        coming = self.airborne + maint.readying
        if not self.pool and self.blocked == NO_AIRCRAFT and self.pending >= 1.0 - EPS:
            cycles = floor((self.window_end - self.events.now) / self.cycle + EPS)
            if cycles > 0:
                need = floor(self.pending + EPS) - coming * (cycles - 1)
                short = min(ceil(need / cycles), self.cap - coming) if need > 0 else 0
                if short > 0:
                    maint.on_demand(int(short), True)
        posture = self.cfg.min_fmc if self.cfg.min_fmc is not None else self.cann_cfg.min_fmc
        if dawn and posture:
            short = posture - self.fleet.count[FMC] - maint.readying
            if short > 0:
                maint.on_demand(short, False)

    def _window_left(self, now: float) -> float:
        return max(0.0, self.window_end - now) / self.window


def risk_curve(hours: list[float], multiplier: list[float], reference: float):
    """A piecewise-linear risk curve through (hours, multiplier), flat beyond its last point,
    divided by its value at `reference` (inf: at its last point): (xs, ys, slopes) for a
    bisect on the landing's hot path, or None when it is flat (the multiplier is 1)."""
    if len(set(multiplier)) == 1:
        return None
    xs, ys = list(hours), list(multiplier)
    slopes = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(len(xs) - 1)] + [0.0]
    i = bisect_right(xs, reference) - 1 if reference < inf else len(xs) - 1
    at = ys[i] + slopes[i] * (reference - xs[i]) if reference < inf else ys[-1]
    return tuple(xs), tuple(y / at for y in ys), tuple(k / at for k in slopes)
