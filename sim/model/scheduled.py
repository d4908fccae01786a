"""Scheduled maintenance: periodic inspections, depot overhauls and life limits.

An inspection falls due every `interval_flight_hours` or `interval_months`, whichever comes
first; an overhaul likewise at its own interval. A tail due for inspection is grounded
(NMCM) until a dock has worked on it for `days`. A tail due for overhaul is grounded (NMCM)
until a depot slot takes it in; from then the depot possesses it (DEPOT) for `days`; with no
depot at all it stays grounded. An overhaul takes back `restores_aging_fraction` of the aging
the airframe accrued since its last overhaul (virtual age, Kijima type I), so an overhaul
makes failures rarer and a deferred one lets the hazard keep rising.
A tail reaching its airframe life in flight hours or in years is RETIRED.

The tails start from the stationary phase of each calendar cycle: a share
days / (interval + days) of them are in the dock or depot on the start date, with a uniform
part of the work left, the rest are spread uniformly over the interval; so the depot load has
no start-up gap or wave. (A cycle with a flight-hour interval only is spread over its hours,
nobody in work at the start.) Flight-hour dues are checked on landing through one number per
tail, `next_check`; calendar dues come as one reminder per tail.
"""

from __future__ import annotations

from math import inf  # module names: no attribute lookup on a hot path

import simpy

from ..rng import Streams, uniform
from ..schema import AircraftType
from .failures import restoration
from .fleet import LOST, Fleet, Tail
from .metrics import Ledger
from .parts import Shop, servers

MONTH = 365.25 / 12


class Scheduled:
    """Inspections, overhauls and life limits of one aircraft type."""

    def __init__(self, env: simpy.Environment, fleet: Fleet, cfg: AircraftType, maintenance,
                 streams: Streams, ledger: Ledger):
        self.env, self.fleet, self.cfg = env, fleet, cfg
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.maintenance, self.retire = maintenance, maintenance.retire
        name = fleet.name
        self.inspection, self.overhaul = cfg.inspection, cfg.overhaul
        self.docks = Shop(env, name, "inspection", servers(cfg.inspection.docks), ledger) \
            if cfg.inspection else None
        self.depot = Shop(env, name, "overhaul", servers(cfg.overhaul.depot_slots), ledger) \
            if cfg.overhaul else None
        if self.depot:
            self.depot.on_start = self._inducted
        self.inspection_days = cfg.inspection.days if cfg.inspection else 0.0
        self.overhaul_days = cfg.overhaul.days if cfg.overhaul else 0.0
        self.restores = cfg.overhaul.restores_aging_fraction if cfg.overhaul else 0.0
        self.restore = restoration(cfg)
        self.hold_until = -inf  # scheduled maintenance waits until then (max effort)
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
        """Set a tail's dues (at the stationary phase of each cycle, or its start if new)."""
        now = self.events.now
        in_work = None
        tail.overhauled_at = now
        if self.inspection:
            u, left = self._phase(new, self.inspection.interval_months, MONTH,
                                  self.inspection_days)
            tail.inspection_due = self._due(tail, self.inspection.interval_flight_hours,
                                            self.inspection.interval_months, MONTH, u, now)
            if left is not None:
                in_work = ("inspection", left)
        if self.overhaul:
            u, left = self._phase(new, self.overhaul.interval_years, 365.25, self.overhaul_days)
            tail.overhaul_due = self._due(tail, self.overhaul.interval_flight_hours,
                                          self.overhaul.interval_years, 365.25, u, now)
            if self.overhaul.interval_years:  # its last overhaul ended this long ago
                tail.overhauled_at = now - u * self.overhaul.interval_years * 365.25 - \
                    (self.overhaul_days - left if left is not None else 0.0)
            if left is not None:
                in_work = ("overhaul", left)
        life_day = (self.cfg.airframe_life_years - tail.age) * 365.25
        if life_day < inf:
            self.events.call(max(0.0, life_day - now), self._life_ends, tail)
        if in_work is None:
            self._arm(tail)
        else:  # (if both, the overhaul: it includes the inspection)
            self._ground(tail, in_work[0] == "overhaul", in_work[1])

    def _phase(self, new: bool, every: float | None, unit: float,
               days: float) -> tuple[float, float | None]:
        """Where a tail stands in a cycle on the start date: (share of the interval used,
        days of work left if it is in the dock or depot, else None). The cycle is the
        calendar interval plus the work; a new tail starts at the beginning."""
        if new:
            return 0.0, None
        u = self.phase()
        if not every:
            return u, None
        interval = every * unit
        x = u * (interval + days)
        if x < days:
            return 1.0, x  # in work, x days left; due again a full interval after it
        return 1.0 - (x - days) / interval, None

    @staticmethod
    def _due(tail: Tail, hours: float | None, every: float | None, unit: float, used: float,
             now: float) -> tuple[float, float]:
        """(airframe hours, day) at which the next one falls due, `used` of the cycle gone."""
        due_hours = tail.hours + hours * (1 - used) if hours else inf
        due_day = now + every * unit * (1 - used) if every else inf
        return due_hours, due_day

    def _arm(self, tail: Tail) -> None:
        """Point `next_check` at the next flight-hour due and set the calendar reminder."""
        tail.next_check = min(self.cfg.airframe_life_hours, tail.inspection_due[0],
                              tail.overhaul_due[0])
        tail.token += 1
        day = min(tail.inspection_due[1], tail.overhaul_due[1])
        if day < inf:
            self.events.call(max(0.0, day - self.events.now), self._reminder, (tail, tail.token))

    def _reminder(self, item: tuple) -> None:
        tail, token = item
        if token != tail.token or tail.state >= LOST:
            return
        if tail.flying:
            tail.next_check = 0.0  # handled on landing
        else:
            self.check(tail)

    def _life_ends(self, tail) -> None:
        if tail.state < LOST:
            if tail.flying:
                tail.next_check = 0.0
                tail.life_spent = True  # retire on landing
            else:
                self.retire(tail)

    def check(self, tail: Tail) -> None:
        """Something may be due on this tail (on landing, or a calendar reminder)."""
        now = self.events.now
        if tail.hours >= self.cfg.airframe_life_hours or tail.life_spent:
            self.retire(tail)
            return
        overhaul = tail.hours >= tail.overhaul_due[0] or now >= tail.overhaul_due[1]
        inspection = tail.hours >= tail.inspection_due[0] or now >= tail.inspection_due[1]
        if not (overhaul or inspection):
            self._arm(tail)
            return
        if now < self.hold_until:  # a surge: it waits (landing or reminder checks again)
            tail.next_check = inf
            tail.token += 1
            self.events.call(self.hold_until - now, self._reminder, (tail, tail.token))
            return
        self._ground(tail, overhaul, self.overhaul_days if overhaul else self.inspection_days)

    def _ground(self, tail: Tail, overhaul: bool, days: float) -> None:
        """The tail goes to the dock or the depot for `days` of work (grounded while it
        waits for a dock or slot)."""
        tail.next_check = inf
        tail.token += 1
        tail.work += 1
        self.fleet.restate(tail, self.events.now)
        if overhaul:
            self.depot.submit(days, self._overhauled, tail)
        else:
            self.docks.submit(days, self._inspected, tail)

    def _inducted(self, tail: Tail, ends: float) -> None:
        """A depot slot takes the tail in: the depot possesses it until `ends`."""
        tail.work -= 1
        tail.depot, tail.depot_leaves = True, ends
        self.fleet.restate(tail, self.events.now)

    def _inspected(self, tail: Tail) -> None:
        self.inspections.n += 1
        self._release(tail, overhaul=False)

    def _overhauled(self, tail: Tail) -> None:
        self.overhauls.n += 1
        now = self.events.now
        tail.depot, tail.depot_leaves = False, inf  # (its work ended at induction)
        if self.restores and tail.state < LOST:
            years = self.restores * (now - tail.overhauled_at) / 365.25
            virtual = tail.age + now / 365.25 - tail.restored
            tail.aging *= self.restore(virtual, years)
            tail.restored += years
            self.maintenance.rerate(tail)
        tail.overhauled_at = now
        self._release(tail, overhaul=True)

    def _release(self, tail: Tail, overhaul: bool) -> None:
        now = self.events.now
        if self.inspection:
            tail.inspection_due = self._due(tail, self.inspection.interval_flight_hours,
                                            self.inspection.interval_months, MONTH, 0.0, now)
        if overhaul:
            tail.overhaul_due = self._due(tail, self.overhaul.interval_flight_hours,
                                          self.overhaul.interval_years, 365.25, 0.0, now)
        else:
            tail.work -= 1  # the inspection's dock work
        if tail.state < LOST:
            self.fleet.restate(tail, now)
            self._arm(tail)
            if overhaul:
                self.maintenance.refill(tail)  # it claimed no parts while in the depot
