"""Fuel: the air force's stock of each fuel kind, its deliveries and its daily rationing.

Jet fuel and avgas are separate stocks (the An-2 burns avgas, which sanctions cut off
through another channel). Deliveries from each channel land in the stock scaled by the air
force's share. A sortie takes `fuel_burn_t_per_hour * sortie_hours` before it flies and may
not draw the stock below the wartime reserve. At the start of each day the depot compares
the day's programmes with the fuel above the reserve; when it is short it rations the day by
the priority order of types, and sorties beyond a type's ration are lost for want of fuel.
"""

from __future__ import annotations

import datetime as dt
import math

import simpy

from ..rng import Streams, uniform
from ..schema import Fuel, FuelChannel, Run, Sanctions
from .events import DELIVERY, PLANNING, Call
from .metrics import Ledger
from .supply import RateProfile

EPS = 1e-9


class FuelDepot:
    def __init__(self, env: simpy.Environment, kind: str, cfg: Fuel, ledger: Ledger):
        self.env, self.kind, self.cfg = env, kind, cfg
        self.reserve = cfg.reserve_t
        self.stock = ledger.level("ALL", f"{kind}.fuel_stock_t", cfg.initial_t)
        self.used = ledger.counter("ALL", f"{kind}.fuel_used_t")
        self.delivered = ledger.counter("ALL", f"{kind}.fuel_delivered_t")
        self.lost = ledger.counter("ALL", f"{kind}.sorties_lost_no_fuel")
        self.squadrons: list = []  # in rationing order

    def start(self) -> None:
        Call(self.env, 0.0, self._plan, None, PLANNING)

    def available(self) -> float:
        """Fuel training may still draw: the stock above the reserve."""
        return self.stock.value - self.reserve

    def draw(self, tonnes: float) -> None:
        self.stock.add(self.env.now, -tonnes)
        self.used.n += tonnes

    def receive(self, tonnes: float) -> None:
        self.stock.add(self.env.now, tonnes)
        self.delivered.n += tonnes

    def _plan(self, _event: simpy.Event) -> None:
        """Ration today's fuel by priority when the day's programmes need more than there is."""
        now = self.env.now
        needs = [sq.sorties_due(now) * sq.fuel_per_sortie for sq in self.squadrons]
        left = max(0.0, self.available())
        cover = self.cfg.priority_cover_days
        if sum(needs) + cover * sum(needs[:-1]) <= left + EPS:
            for sq in self.squadrons:
                sq.fuel_ration = math.inf
        else:
            kept = 0.0  # fuel kept for the types served before, `cover` days of their need
            for sq, need in zip(self.squadrons, needs):
                sq.fuel_ration = min(need, max(0.0, left - kept))
                left -= sq.fuel_ration
                kept += cover * need
        Call(self.env, 1.0, self._plan, None, PLANNING)


class FuelSupply:
    """A fuel channel: equal shipments at a fixed period, noisy, disrupted and capped."""

    def __init__(self, env: simpy.Environment, depot: FuelDepot, channel: FuelChannel,
                 run: Run, sanctions: Sanctions, horizon: float, streams: Streams, name: str):
        self.env, self.depot, self.channel, self.run = env, depot, channel, run
        self.profile = RateProfile(channel, run, sanctions, horizon)
        self.horizon = horizon
        self.period = 365.25 / channel.deliveries_per_year
        self.shipment = channel.t_per_year / channel.deliveries_per_year
        cv = channel.cv
        gen = streams.generator(name)
        self.noise = (lambda: gen.gamma(1 / cv ** 2, cv ** 2)) if cv > 0 else (lambda: 1.0)
        self.disrupted = streams.block(f"{name}/disruption", uniform).next
        self.year, self.this_year = None, 0.0

    def start(self) -> None:
        if self.shipment > 0 and self.profile.opens < self.horizon:
            Call(self.env, self.profile.opens, self._ship, None, DELIVERY)

    def _ship(self, _event: simpy.Event) -> None:
        now = self.env.now
        noise, cut = self.noise(), self.disrupted() < self.channel.disruption_probability
        year = (self.run.start_date + dt.timedelta(days=now)).year
        if year != self.year:
            self.year, self.this_year = year, 0.0
        tonnes = 0.0 if cut else self.shipment * self.profile.at(now) * noise
        tonnes = min(tonnes, max(0.0, self.channel.cap_t_per_year - self.this_year))
        if tonnes > 0:
            self.this_year += tonnes
            self.depot.receive(tonnes * self.depot.cfg.air_force_share)
        if now + self.period < self.horizon:
            Call(self.env, self.period, self._ship, None, DELIVERY)
