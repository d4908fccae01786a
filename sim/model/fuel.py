"""Fuel: the air force's stock of each fuel kind, its deliveries and its daily rationing.

Jet fuel and avgas are separate stocks (the An-2 burns avgas, which sanctions cut off
through another channel). Deliveries from each channel land in the stock scaled by the air
force's share. A sortie takes `fuel_burn_t_per_hour * sortie_hours` before it flies and may
not draw the stock below the wartime reserve. At the start of each day the depot compares
the day's programmes with the fuel above the reserve; when it is short it rations the day by
the priority order of types, and sorties beyond a type's ration are lost for want of fuel.
Under the `fuel_budget` programme the rations are set a period at a time instead (see
`planning`), and a type may not draw the fuel still held for the types before it.
"""

from __future__ import annotations

import datetime as dt
from math import ceil, inf  # module names: no attribute lookup on a hot path

import simpy

from ..rng import Streams, uniform
from ..schema import Fuel, FuelChannel, Run, Sanctions
from .events import DELIVERY, PLANNING
from .metrics import Ledger
from .supply import RateProfile

EPS = 1e-9


class FuelDepot:
    def __init__(self, env: simpy.Environment, kind: str, cfg: Fuel, ledger: Ledger,
                 daily_rationing: bool = True):
        self.env, self.kind, self.cfg = env, kind, cfg
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.reserve = cfg.reserve_t
        self.share = cfg.air_force_share
        self.cover = cfg.priority_cover_days
        self.daily_rationing = daily_rationing
        self.supplies: list[FuelSupply] = []
        self.held = 0.0  # fuel rations not yet drawn (fuel_budget)
        self.stock = ledger.level("ALL", f"{kind}.fuel_stock_t", cfg.initial_t)
        self.used = ledger.counter("ALL", f"{kind}.fuel_used_t")
        self.delivered = ledger.counter("ALL", f"{kind}.fuel_delivered_t")
        self.lost = ledger.counter("ALL", f"{kind}.sorties_lost_no_fuel")
        self.squadrons: list = []  # in rationing order

    def start(self) -> None:
        if self.daily_rationing:
            self.events.call(0.0, self._plan, None, PLANNING)

    def available(self) -> float:
        """Fuel training may still draw: the stock above the reserve."""
        return self.stock.value - self.reserve

    def available_for(self, squadron) -> float:
        """Fuel a type may draw now: all of the stock in a maximum-effort surge; else its
        ration, within the stock above the reserve less the rations of the types before it.
        A period's ration may be overdrawn by part of the sortie that ends it (its plan is
        whole sorties, the ration tonnes)."""
        if squadron.max_effort:
            return self.stock.value
        free = self.stock.value - self.reserve
        ration = squadron.fuel_ration
        if not self.daily_rationing:
            if ration < inf:
                ration = ceil(ration / squadron.fuel_per_sortie - EPS) * \
                    squadron.fuel_per_sortie
            if free < self.held:
                for sq in self.squadrons:
                    if sq is squadron:
                        break
                    if sq.fuel_per_sortie:  # a type that burns nothing holds nothing
                        free -= max(0.0, sq.fuel_ration)
        return min(ration, free)

    def rations_set(self) -> None:
        """The period's rations are set: the fuel they hold."""
        self.held = sum(max(0.0, sq.fuel_ration) for sq in self.squadrons if sq.fuel_per_sortie)

    def expected(self, now: float, days: float) -> float:
        """Fuel the air force expects over the next `days`, at today's rates."""
        return sum(s.expected_per_day(now) for s in self.supplies) * days * self.share

    def change(self, field: str, value) -> None:
        """A dated change of the reserve, the air force's share, the priority order or the
        cover days (the order arrives as the list of type names)."""
        if field == "reserve_t":
            self.reserve = value
        elif field == "air_force_share":
            self.share = value
        elif field == "priority_cover_days":
            self.cover = value
        else:
            first = [sq for name in value for sq in self.squadrons if sq.fleet.name == name]
            self.squadrons = first + [sq for sq in self.squadrons if sq not in first]

    def draw(self, tonnes: float) -> None:
        self.stock.add(self.events.now, -tonnes)
        self.used.n += tonnes

    def receive(self, tonnes: float) -> None:
        self.stock.add(self.events.now, tonnes)
        self.delivered.n += tonnes

    def _plan(self, _value: None) -> None:
        """Ration today's fuel by priority when the day's programmes need more than there is."""
        now = self.events.now
        needs = [sq.sorties_due(now) * sq.fuel_per_sortie for sq in self.squadrons]
        left = max(0.0, self.available())
        cover = self.cover
        if sum(needs) + cover * sum(needs[:-1]) <= left + EPS:
            for sq in self.squadrons:
                sq.fuel_ration = inf
        else:
            kept = 0.0  # fuel kept for the types served before, `cover` days of their need
            for sq, need in zip(self.squadrons, needs):
                sq.fuel_ration = min(need, max(0.0, left - kept))
                left -= sq.fuel_ration
                kept += cover * need
        self.events.call(1.0, self._plan, None, PLANNING)


class FuelSupply:
    """A fuel channel: equal shipments at a fixed period, noisy, disrupted and capped."""

    def __init__(self, env: simpy.Environment, depot: FuelDepot, channel: FuelChannel,
                 run: Run, sanctions: Sanctions, horizon: float, streams: Streams, name: str):
        self.env, self.depot, self.channel, self.run = env, depot, channel, run
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.profile = RateProfile(channel, run, sanctions, horizon)
        self.horizon = horizon
        self.period = 365.25 / channel.deliveries_per_year
        self.t_per_year, self.cap = channel.t_per_year, channel.cap_t_per_year
        self.disruption = channel.disruption_probability
        self.gen = streams.generator(name)
        self.cv = channel.cv
        self.disrupted = streams.block(f"{name}/disruption", uniform).next
        self.year, self.this_year = None, 0.0
        self.started = False
        depot.supplies.append(self)

    def start(self) -> None:
        if self.t_per_year > 0 and self.profile.opens < self.horizon:
            self.started = True
            self.events.call(max(self.profile.opens, self.events.now) - self.events.now, self._ship,
                 None, DELIVERY)

    def noise(self) -> float:
        cv = self.cv
        return self.gen.gamma(1 / cv ** 2, cv ** 2) if cv > 0 else 1.0

    def expected_per_day(self, now: float) -> float:
        """Tonnes a day this channel is expected to ship at today's rate (before the share)."""
        rate = self.t_per_year * self.profile.at(now) * (1.0 - self.disruption)
        return min(rate, self.cap) / 365.25

    def change(self, field: str, value: float) -> None:
        """A dated change of the channel's rate, noise, disruption or yearly cap."""
        if field == "t_per_year":
            self.t_per_year = value
            if not self.started:
                self.start()
        elif field == "cv":
            self.cv = value
        elif field == "disruption_probability":
            self.disruption = value
        else:
            self.cap = value

    def _ship(self, _value: None) -> None:
        now = self.events.now
        noise, cut = self.noise(), self.disrupted() < self.disruption
        year = (self.run.start_date + dt.timedelta(days=now)).year
        if year != self.year:
            self.year, self.this_year = year, 0.0
        shipment = self.t_per_year / self.channel.deliveries_per_year
        tonnes = 0.0 if cut else shipment * self.profile.at(now) * noise
        tonnes = min(tonnes, max(0.0, self.cap - self.this_year))
        if tonnes > 0:
            self.this_year += tonnes
            self.depot.receive(tonnes * self.depot.share)
        if now + self.period < self.horizon:
            self.events.call(self.period, self._ship, None, DELIVERY)
