"""LRU failures: in flight (exponential in flight hours) and with calendar time.

In flight, each installed unit of kind k and reliability r fails at `1 / (r * MTBF_k)` per
flight hour, times the airframe's aging multiplier. A tail carries one hazard budget, drawn
as Exp(1); each sortie spends `rate * aging * sortie_hours` of it, and a budget run out means
a failure, discovered on landing, of a unit drawn in proportion to its failure rate
(further failures in the same sortie while the overshoot lasts). Calendar failures strike an
installed unit of a tail on the ground at `calendar_failures_per_year`, flown or not.
"""

from __future__ import annotations

import simpy

from collections.abc import Callable

from ..rng import Streams, exponential, uniform
from ..schema import AircraftType
from .fleet import LOST, Tail
from .maintenance import Maintenance


def fleet_aging(cfg: AircraftType) -> Callable[[float], float]:
    """The type's failure-rate multiplier `years` after the start date (1 at the start):
    `(1 + aging_per_year)^years`, or `((age + years) / age)^(shape - 1)` for a Weibull law."""
    if cfg.aging_weibull_shape:
        age, power = cfg.age_years, cfg.aging_weibull_shape - 1.0
        return lambda years: ((age + years) / age) ** power
    growth = 1.0 + cfg.aging_per_year
    return lambda years: growth ** years


def airframe_aging(cfg: AircraftType, start_age: float) -> float:
    """One airframe's failure multiplier against its type's, from its age on the start date
    (negative for an airframe built later) against the type's `age_years`."""
    if cfg.aging_weibull_shape:
        return (max(start_age, 1e-6) / cfg.age_years) ** (cfg.aging_weibull_shape - 1.0)
    return (1.0 + cfg.aging_per_year) ** (start_age - cfg.age_years)


def restoration(cfg: AircraftType) -> Callable[[float, float], float]:
    """The factor by which an airframe's aging multiplier falls when `years` are taken off
    its virtual age `virtual` (an overhaul): (1 + aging_per_year)^-years, or
    ((virtual - years) / virtual)^(shape - 1) for a Weibull law."""
    if cfg.aging_weibull_shape:
        power = cfg.aging_weibull_shape - 1.0
        return lambda virtual, years: (max(virtual - years, 1e-6) / max(virtual, 1e-6)) ** power
    growth = 1.0 + cfg.aging_per_year
    return lambda virtual, years: growth ** -years


class FlightFailures:
    """Which units fail when a sortie overshoots a tail's hazard budget."""

    def __init__(self, maintenance: Maintenance, streams: Streams):
        self.maintenance = maintenance
        name = maintenance.fleet.name
        self.exp_draw = streams.block(f"failures/{name}", exponential).next
        self.pick_draw = streams.block(f"failure-kinds/{name}", uniform).next
        self.inverse_mtbf = maintenance.inverse_mtbf

    def on_overshoot(self, tail: Tail, overshoot: float) -> None:
        """The sortie spent `overshoot` more hazard than the tail's budget held."""
        exposure = overshoot / tail.rate  # flight exposure left after the first failure
        removed = []
        while True:
            removed.append(self._pop_unit(tail))
            self.maintenance.rerate(tail)
            fresh = self.exp_draw()
            left = exposure * tail.rate
            if fresh > left or tail.rate <= 0:
                tail.budget = fresh - left
                break
            exposure -= fresh / tail.rate
        self.maintenance.on_failures(tail, removed)

    def _pop_unit(self, tail: Tail) -> tuple[int, float]:
        """Remove a unit drawn in proportion to its failure rate; return (kind, reliability)."""
        target = self.pick_draw() * tail.rate
        last = None
        for k, units in enumerate(tail.units):
            inv = self.inverse_mtbf[k]
            for i, r in enumerate(units):
                if inv:
                    last = (k, i)
                    target -= inv / r
                    if target <= 0:
                        return k, units.pop(i)
        k, i = last  # rounding: the last unit that can fail
        return k, tail.units[k].pop(i)


class CalendarFailures:
    """Failures of one LRU kind that come with time, flown or not (corrosion, seals, rubber).

    Each installed unit fails at `per_unit_per_year`, times the type's aging since the start
    and the airframe's own aging. The stream of candidate failures runs at the highest rate
    the fleet can reach over the horizon and is thinned: a candidate lands on a random unit
    position and counts only if that tail is active, on the ground, has a unit installed
    there, and passes the aging thinning (a tail in the depot is being rebuilt: none strike
    it). Each batch of tails (the fleet on the start date,
    each delivery) has a stream of its own, so that a later delivery leaves the draws of the
    tails already there untouched (common random numbers across transfer scenarios).
    A dated change of the rate starts the candidate stream afresh from its date (the
    process is memoryless, so nothing else moves).
    """

    def __init__(self, env: simpy.Environment, maintenance: Maintenance, k: int,
                 per_unit_per_year: float, aging: Callable[[float], float], max_airframe: float,
                 horizon: float, first: int, count: int, streams: Streams, batch: str = ""):
        self.env, self.maintenance, self.k = env, maintenance, k
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.tails, self.z = maintenance.tails, maintenance.z[k]
        self.first, self.max_tails, self.aging = first, count, aging
        self.top_aging = max(aging(0.0), aging(horizon / 365.25)) * max_airframe
        name = f"{maintenance.fleet.name}/{maintenance.lrus[k].kind}{batch}"
        self.gaps = streams.block(f"calendar/{name}", exponential).next
        self.pick = streams.block(f"calendar-pick/{name}", uniform).next
        self.token = 0
        self.scale = self._scale(per_unit_per_year)

    def _scale(self, per_unit_per_year: float) -> float:
        """Mean days between candidates: 1 / the highest rate the batch can reach."""
        top = per_unit_per_year / 365.25 * self.max_tails * self.z * self.top_aging
        return 1.0 / top if top > 0 else 0.0

    def start(self) -> None:
        if self.scale:
            self.events.call(self.gaps() * self.scale, self._candidate, self.token)

    def set_rate(self, per_unit_per_year: float) -> None:
        """A dated change of the calendar failure rate, from now on."""
        self.token += 1
        self.scale = self._scale(per_unit_per_year)
        self.start()

    def _candidate(self, token: int) -> None:
        if token != self.token:
            return
        events, k, z = self.events, self.k, self.z
        position = int(self.pick() * self.max_tails * z)
        serial, slot = divmod(position, z)
        serial += self.first
        if serial < len(self.tails):
            tail = self.tails[serial]
            units = tail.units[k]
            if tail.state < LOST and not tail.flying and not tail.depot and slot < len(units):
                keep = self.aging(events.now / 365.25) * tail.aging / self.top_aging
                if keep >= 1.0 or self.pick() < keep:
                    self.maintenance.on_failures(tail, [(k, units.pop(slot))])
        events.call(self.gaps() * self.scale, self._candidate, self.token)
