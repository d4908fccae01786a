"""Scheduled maintenance: periodic inspections, depot overhauls and life limits.

An inspection falls due every `interval_flight_hours` or `interval_months`, whichever comes
first; an overhaul likewise at its own interval. A tail that falls due is grounded (NMCM)
until a dock (or depot slot) has worked on it for `days`; with no depot at all it stays
grounded. A tail reaching its airframe life in flight hours or in years is RETIRED. The
tails' positions in their cycles at the start are drawn at random, so that a fleet does not
fall due all at once. Flight-hour dues are checked on landing through one number per tail,
`next_check`; calendar dues come as one reminder per tail.
"""

from __future__ import annotations

import math

import simpy

from ..rng import Streams, uniform
from ..schema import AircraftType
from .events import Call
from .fleet import LOST, Fleet, Tail
from .metrics import Ledger
from .parts import Shop, servers

MONTH = 365.25 / 12


class Scheduled:
    """Inspections, overhauls and life limits of one aircraft type."""

    def __init__(self, env: simpy.Environment, fleet: Fleet, cfg: AircraftType, retire,
                 streams: Streams, ledger: Ledger):
        self.env, self.fleet, self.cfg, self.retire = env, fleet, cfg, retire
        name = fleet.name
        self.inspection, self.overhaul = cfg.inspection, cfg.overhaul
        self.docks = Shop(env, name, "inspection", servers(cfg.inspection.docks), ledger) \
            if cfg.inspection else None
        self.depot = Shop(env, name, "overhaul", servers(cfg.overhaul.depot_slots), ledger) \
            if cfg.overhaul else None
        self.inspection_days = cfg.inspection.days if cfg.inspection else 0.0
        self.overhaul_days = cfg.overhaul.days if cfg.overhaul else 0.0
        self.hold_until = -math.inf  # scheduled maintenance waits until then (max effort)
        self.inspections = ledger.counter(name, "inspections")
        self.overhauls = ledger.counter(name, "overhauls")
        self.phase = streams.block(f"phase/{name}", uniform).next

    def hold(self, until: float) -> None:
        """Scheduled maintenance that falls due before `until` waits for it (a surge)."""
        self.hold_until = until

    def change(self, part: str, field: str, value) -> None:
        """A dated change of an inspection's or overhaul's duration, docks or depot slots."""
        if field == "days":
            setattr(self, f"{part}_days", value)
        else:
            (self.docks if part == "inspection" else self.depot).set_servers(servers(value))

    def enrol(self, tail: Tail, new: bool) -> None:
        """Set a tail's dues (at a random point of each cycle, or at its start if new)."""
        now = self.env.now
        if self.inspection:
            u = 0.0 if new else self.phase()
            tail.inspection_due = self._due(tail, self.inspection.interval_flight_hours,
                                            self.inspection.interval_months, MONTH, u, now)
        if self.overhaul:
            u = 0.0 if new else self.phase()
            tail.overhaul_due = self._due(tail, self.overhaul.interval_flight_hours,
                                          self.overhaul.interval_years, 365.25, u, now)
        life_day = (self.cfg.airframe_life_years - tail.age) * 365.25
        if life_day < math.inf:
            Call(self.env, max(0.0, life_day - now), self._life_ends, tail)
        self._arm(tail)

    @staticmethod
    def _due(tail: Tail, hours: float | None, every: float | None, unit: float, used: float,
             now: float) -> tuple[float, float]:
        """(airframe hours, day) at which the next one falls due, `used` of the cycle gone."""
        due_hours = tail.hours + hours * (1 - used) if hours else math.inf
        due_day = now + every * unit * (1 - used) if every else math.inf
        return due_hours, due_day

    def _arm(self, tail: Tail) -> None:
        """Point `next_check` at the next flight-hour due and set the calendar reminder."""
        tail.next_check = min(self.cfg.airframe_life_hours, tail.inspection_due[0],
                              tail.overhaul_due[0])
        tail.token += 1
        day = min(tail.inspection_due[1], tail.overhaul_due[1])
        if day < math.inf:
            Call(self.env, max(0.0, day - self.env.now), self._reminder, (tail, tail.token))

    def _reminder(self, event: simpy.Event) -> None:
        tail, token = event.value
        if token != tail.token or tail.state >= LOST:
            return
        if tail.flying:
            tail.next_check = 0.0  # handled on landing
        else:
            self.check(tail)

    def _life_ends(self, event: simpy.Event) -> None:
        tail = event.value
        if tail.state < LOST:
            if tail.flying:
                tail.next_check = 0.0
                tail.life_spent = True  # retire on landing
            else:
                self.retire(tail)

    def check(self, tail: Tail) -> None:
        """Something may be due on this tail (on landing, or a calendar reminder)."""
        now = self.env.now
        if tail.hours >= self.cfg.airframe_life_hours or tail.life_spent:
            self.retire(tail)
            return
        overhaul = tail.hours >= tail.overhaul_due[0] or now >= tail.overhaul_due[1]
        inspection = tail.hours >= tail.inspection_due[0] or now >= tail.inspection_due[1]
        if not (overhaul or inspection):
            self._arm(tail)
            return
        if now < self.hold_until:  # a surge: it waits (landing or reminder checks again)
            tail.next_check = math.inf
            tail.token += 1
            Call(self.env, self.hold_until - now, self._reminder, (tail, tail.token))
            return
        tail.next_check = math.inf
        tail.token += 1
        tail.work += 1
        self.fleet.restate(tail, now)
        if overhaul:
            self.depot.submit(self.overhaul_days, self._overhauled, tail)
        else:
            self.docks.submit(self.inspection_days, self._inspected, tail)

    def _inspected(self, tail: Tail) -> None:
        self.inspections.n += 1
        self._release(tail, overhaul=False)

    def _overhauled(self, tail: Tail) -> None:
        self.overhauls.n += 1
        self._release(tail, overhaul=True)

    def _release(self, tail: Tail, overhaul: bool) -> None:
        now = self.env.now
        if self.inspection:
            tail.inspection_due = self._due(tail, self.inspection.interval_flight_hours,
                                            self.inspection.interval_months, MONTH, 0.0, now)
        if overhaul:
            tail.overhaul_due = self._due(tail, self.overhaul.interval_flight_hours,
                                          self.overhaul.interval_years, 365.25, 0.0, now)
        tail.work -= 1
        if tail.state < LOST:
            self.fleet.restate(tail, now)
            self._arm(tail)
