"""Pilots: the pool current on each type, their hours, proficiency, intake and attrition.

A sortie needs a pilot current on its type. Available pilots wait in a priority queue: the
one with the fewest hours in the last 12 months flies next (ties: the one who has waited
longest, so equal pilots take turns): the `equal` assignment. With `elite_first` an elite
pilot's hours count divided by `elite_weight`, so the elite fly that many times more. With
`cadre` the first `cadre_pilots` pilots wait in a queue of their own and fly first while
their rolling 12-month hours are below `cadre_hours_per_year`; the others share the rest
fewest-hours-first; a cadre pilot above his target flies only when no other pilot can; a
cadre pilot who leaves is replaced from the pool (an elite pilot first, then the one with
the most recent hours). The queues' keys are refreshed each month, as old months leave the
pilots' windows. A pilot flies at most `max_sorties_per_day`.

Each pilot's rolling 12-month hours are kept in twelve monthly buckets, so that a sortie
costs one addition and a month's turn one subtraction; his hours on the type are his hours
on it before he joined (`initial_hours_on_type` for the pilots there at the start, 0 for
converts and intake) plus his hours since. Proficiency is reported only: at the start of
each month the pilots at or above each of the type's `proficiency_hours` are counted, and
the deciles of the pilots' rolling 12-month hours are taken. Pilots join from training
(`intake_per_year`, after `training_days`; `intake_elite_share` of them elite) or from
conversion of another type's pilots, and leave at `attrition_per_year` or in accidents.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from heapq import heapify, heappop, heappush

import simpy

from ..rng import Streams, exponential
from ..schema import Pilots, threshold_label
from .metrics import Ledger

MONTH = 365.25 / 12  # days; proficiency looks back over the last twelve months
DECILES = (10, 20, 30, 40, 50, 60, 70, 80, 90)
EPS = 1e-9


def deciles(hours) -> list[float]:
    """The deciles (p10 ... p90) of pilots' hours, numpy's linear rule, from the sorted
    hours (0 without pilots)."""
    n = len(hours)
    if not n:
        return [0.0] * len(DECILES)
    out = []
    for q in DECILES:
        x = (n - 1) * q / 100
        i = int(x)
        lo = hours[i]
        out.append(float(lo + (hours[min(i + 1, n - 1)] - lo) * (x - i)))
    return out


def ring_sum(hours: list[float]) -> float:
    """The sum of a list of hours, left to right (a pilot's twelve monthly buckets; the
    rolling hours of a type's pilots): the sum Python 3.11's `sum` gives, written as a loop
    so that it is the same on every Python (3.12's `sum` compensates its rounding) and
    compiles to a C loop."""
    total = 0.0
    for h in hours:
        total += h
    return total


class Pilot:
    __slots__ = ("serial", "months", "month", "rolling", "total", "elite", "active", "flying",
                 "day", "today", "exit_budget", "exit_since", "token", "before", "cadre")

    def __init__(self, serial: int, elite: bool, month: int, before: float = 0.0):
        self.serial = serial
        self.months = [0.0] * 12  # flight hours in each of the last twelve months (a ring)
        self.month = month        # the month the newest bucket belongs to
        self.rolling = 0.0        # the sum of the buckets: rolling 12-month hours
        self.total = 0.0          # hours flown since the start of the run (or since joining)
        self.before = before      # hours on the type before joining the pool
        self.cadre = False
        self.elite = elite
        self.active = True
        self.flying = False
        self.day = -1
        self.today = 0
        self.exit_budget = None   # Exp(1) attrition hazard left at `exit_since` (None: not drawn)
        self.exit_since = 0.0
        self.token = 0

    def expire(self, now: float) -> float:
        """Turn the ring to the current month; return the rolling 12-month hours."""
        month = int(now // MONTH)
        if month != self.month:
            months = self.months
            if month == self.month + 1:  # the usual case: one month turns
                months[month % 12] = 0.0
            else:
                for m in range(self.month + 1, min(month, self.month + 12) + 1):
                    months[m % 12] = 0.0
            self.month = month
            self.rolling = ring_sum(months)
        return self.rolling


class PilotHeapQueue:
    """Pilots waiting to fly, first the lowest (key, turn): a heap of (key, turn, pilot)
    tuples. Turns are distinct, so the order is total: the compiled build's
    `sim.model.cqueue.PilotQueue`, the same heap of C structs, pops the same pilots."""

    __slots__ = ("heap",)

    def __init__(self, entries: list[tuple] | None = None) -> None:
        self.heap = entries if entries is not None else []
        heapify(self.heap)

    def __len__(self) -> int:
        return len(self.heap)

    def push(self, key: float, turn: int, pilot: Pilot) -> None:
        heappush(self.heap, (key, turn, pilot))

    def pop(self) -> Pilot:
        """The next pilot, out of the queue (IndexError when empty)."""
        return heappop(self.heap)[2]

    def first(self) -> Pilot:
        """The next pilot, left in the queue (IndexError when empty)."""
        return self.heap[0][2]

    def entries(self) -> list[tuple]:
        """Every (key, turn, pilot) in the queue, in no particular order."""
        return list(self.heap)


try:  # the compiled build's queue: the same heap of C structs
    from .cqueue import PilotQueue
except ImportError:
    PilotQueue = PilotHeapQueue


class Aircrew:
    """The pilots of one aircraft type."""

    def __init__(self, env: simpy.Environment, type_name: str, cfg: Pilots, policy: str,
                 horizon: float, streams: Streams, ledger: Ledger):
        self.env, self.cfg, self.horizon = env, cfg, horizon
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.max_today = cfg.max_sorties_per_day
        self.intake_per_year, self.attrition = cfg.intake_per_year, cfg.attrition_per_year
        self.intake_token, self.next_intake = 0, math.inf
        self.intake_elite, self.elite_credit = cfg.intake_elite_share, 0.0
        self.thresholds = cfg.proficiency_hours
        self.pilots: list[Pilot] = []  # everyone who ever flew the type in this run
        self.roster: list[Pilot] = []  # the current ones (and some departed, pruned monthly)
        self.queue = PilotQueue()  # by (weighted rolling hours, turn): the pool
        self.elite_weight = cfg.elite_weight if policy == "elite_first" else 1.0
        self.cadre_size = cfg.cadre_pilots if policy == "cadre" else 0
        self.cadre_target = cfg.cadre_hours_per_year - EPS
        self.cadre_queue = PilotQueue()  # by (rolling hours, turn): the cadre
        self.cadre_count = 0
        self.rested: list[Pilot] = []
        self.turn = 0
        self.leave_draw = streams.block(f"attrition/{type_name}", exponential).next
        self.count = ledger.level(type_name, "pilots")
        self.converting = ledger.level(type_name, "pilots_in_conversion")
        self.over = [ledger.level(type_name, f"pilots_over_{threshold_label(h)}h")
                     for h in self.thresholds]
        self.proficient = ledger.level(type_name, "proficient_pilots")  # at the highest
        self.hours_12m = ledger.level(type_name, "pilot_12m_hours")
        self.deciles = [ledger.level(type_name, f"pilot_12m_hours_p{q}") for q in DECILES]
        self.departed = ledger.counter(type_name, "pilots_departed")
        self.lost = ledger.counter(type_name, "pilots_lost")
        self.flown = ledger.counter(type_name, "pilot_flight_hours")
        for i in range(cfg.count):
            pilot = self.join(elite=i < cfg.elite, before=cfg.initial_hours_on_type)
            pilot.months = [cfg.initial_12m_hours / 12] * 12  # flown evenly in the last year
            pilot.rolling = ring_sum(pilot.months)
            self._enqueue(pilot)

    def start(self) -> None:
        if self.intake_per_year > 0:
            self.next_intake = self.cfg.training_days
            self.events.call(self.cfg.training_days, self._intake, self.intake_token)

    def change(self, field: str, value: float) -> None:
        """A dated change of the intake, the attrition rate or the sorties a pilot may fly
        a day. A new intake rate keeps the next course's place in its cycle; a new attrition
        rate spends each pilot's remaining Exp(1) hazard at the new rate (memoryless)."""
        now = self.events.now
        if field == "max_sorties_per_day":
            self.max_today = value
        elif field == "intake_per_year":
            old, self.intake_per_year = self.intake_per_year, value
            self.intake_token += 1
            if value <= 0:
                return
            if self.next_intake < math.inf and old > 0:  # the course under way keeps its share
                left = (self.next_intake - now) * old / value
            else:
                left = max(0.0, self.cfg.training_days - now) + 365.25 / value
            self.next_intake = now + left
            self.events.call(left, self._intake, self.intake_token)
        else:
            old, self.attrition = self.attrition, value
            for pilot in self.roster:
                if not pilot.active:
                    continue
                if pilot.exit_budget is not None:
                    pilot.exit_budget -= (now - pilot.exit_since) * old / 365.25
                else:
                    pilot.exit_budget = self.leave_draw()
                pilot.exit_since = now
                self._schedule_exit(pilot)

    # -- sorties -------------------------------------------------------------------------

    def take(self, day: int) -> Pilot | None:
        """The next pilot to fly today, or None if every current pilot is busy or rested:
        a cadre pilot below his target, else the pool's next, else any cadre pilot."""
        if self.cadre_queue:
            pilot = self._cadre_below_target(day)
            if pilot is not None:
                return pilot
        queue = self.queue
        while queue:
            pilot = queue.pop()
            if not pilot.active or pilot.cadre:  # (a pool entry of a pilot moved to the cadre)
                continue
            if pilot.day != day:
                pilot.day, pilot.today = day, 0
            if pilot.today >= self.max_today:
                self.rested.append(pilot)
                continue
            pilot.today += 1
            pilot.flying = True
            return pilot
        queue = self.cadre_queue
        while queue:  # no one else can fly: a cadre pilot over his target
            pilot = queue.pop()
            if not pilot.active:
                continue
            if pilot.day != day:
                pilot.day, pilot.today = day, 0
            if pilot.today >= self.max_today:
                self.rested.append(pilot)
                continue
            pilot.today += 1
            pilot.flying = True
            return pilot
        return None

    def _cadre_below_target(self, day: int) -> Pilot | None:
        """The cadre pilot with the fewest recent hours, if he is below the target."""
        queue, now = self.cadre_queue, self.events.now
        while queue:
            pilot = queue.first()
            if not pilot.active:
                queue.pop()
                continue
            if pilot.day != day:
                pilot.day, pilot.today = day, 0
            if pilot.today >= self.max_today:
                queue.pop()
                self.rested.append(pilot)
                continue
            if now >= (pilot.month + 1) * MONTH:
                pilot.expire(now)
            if pilot.rolling >= self.cadre_target:
                return None
            queue.pop()
            pilot.today += 1
            pilot.flying = True
            return pilot
        return None

    def back(self, pilot: Pilot, hours: float, now: float) -> None:
        """A pilot lands after `hours` of flight (the hot path: `Pilot.log` and `_enqueue`
        written out)."""
        pilot.flying = False
        self.flown.n += hours
        if now >= (pilot.month + 1) * MONTH:
            pilot.expire(now)
        pilot.months[pilot.month % 12] += hours
        pilot.rolling += hours
        pilot.total += hours
        if pilot.active:
            self.turn += 1
            if pilot.cadre:
                self.cadre_queue.push(pilot.rolling, self.turn, pilot)
            else:
                key = pilot.rolling / self.elite_weight if pilot.elite else pilot.rolling
                self.queue.push(key, self.turn, pilot)

    def new_day(self) -> None:
        for pilot in self.rested:
            if pilot.active:
                self._enqueue(pilot)
        self.rested.clear()

    def _enqueue(self, pilot: Pilot) -> None:
        self.turn += 1
        if pilot.cadre:
            self.cadre_queue.push(pilot.rolling, self.turn, pilot)
        else:
            self.queue.push(self._key(pilot), self.turn, pilot)

    def _key(self, pilot: Pilot) -> float:
        return pilot.rolling / self.elite_weight if pilot.elite else pilot.rolling

    # -- joining and leaving -------------------------------------------------------------

    def join(self, elite: bool = False, before: float = 0.0) -> Pilot:
        """A new pilot current on the type (not yet queued to fly), in the cadre if it has
        a place."""
        now = self.events.now
        pilot = Pilot(len(self.pilots), elite, int(now // MONTH), before)
        if self.cadre_count < self.cadre_size:
            pilot.cadre = True
            self.cadre_count += 1
        self.pilots.append(pilot)
        self.roster.append(pilot)
        self.count.add(now, 1.0)
        if self.attrition:
            pilot.exit_budget, pilot.exit_since = self.leave_draw(), now
            self._schedule_exit(pilot)
        return pilot

    def _schedule_exit(self, pilot: Pilot) -> None:
        pilot.token += 1
        if not self.attrition:
            return
        stay = pilot.exit_budget / self.attrition * 365.25  # days before the pilot leaves
        now = self.events.now
        if pilot.exit_since + stay < self.horizon:
            delay = stay if pilot.exit_since == now else pilot.exit_since + stay - now
            self.events.call(delay, self._depart, (pilot, pilot.token))

    def leave(self, pilot: Pilot) -> None:
        """The pilot leaves the pool (attrition, conversion, an accident)."""
        if pilot.active:
            pilot.active = False
            self.count.add(self.events.now, -1.0)
            if pilot.cadre:
                self.cadre_count -= 1
                self._refill()

    def _refill(self) -> None:
        """A cadre place is free: the pool's best pilot takes it (an elite pilot first, then
        the most recent hours, then the longest on the roster)."""
        now = self.events.now
        pool = [p for p in self.roster if p.active and not p.cadre]
        if not pool or self.cadre_count >= self.cadre_size:
            return
        pilot = max(pool, key=lambda p: (p.elite, p.expire(now), -p.serial))
        pilot.cadre = True
        self.cadre_count += 1
        if not pilot.flying and pilot not in self.rested:  # waiting in the pool's queue
            self._enqueue(pilot)

    def active_pilots(self) -> int:
        return int(self.count.value)

    def _depart(self, item: tuple) -> None:
        pilot, token = item
        if pilot.active and token == pilot.token:
            self.departed.n += 1
            self.leave(pilot)

    def _intake(self, token: int) -> None:
        if token != self.intake_token:
            return
        self.elite_credit += self.intake_elite
        elite = self.elite_credit >= 1.0 - EPS
        if elite:
            self.elite_credit -= 1.0
        self._enqueue(self.join(elite=elite))
        self.next_intake = self.events.now + 365.25 / self.intake_per_year
        self.events.call(365.25 / self.intake_per_year, self._intake, self.intake_token)

    def release(self, n: int) -> int:
        """Give up to `n` pilots on the ground to another type's conversion course
        (the most experienced first); return how many went."""
        now = self.events.now
        candidates = sorted((p for p in self.roster if p.active and not p.flying),
                            key=lambda p: (-p.expire(now), p.serial))[:n]
        for pilot in candidates:
            self.leave(pilot)
        return len(candidates)

    def enrol(self, n: int, days: float, elite: int = 0) -> None:
        """`n` pilots start conversion to this type (the first `elite` of them elite); they
        join the pool after `days`, with no hours on the type."""
        if n:
            self.converting.add(self.events.now, n)
            self.events.call(days, self._converted, (n, min(elite, n)))

    def _converted(self, item: tuple[int, int]) -> None:
        n, elite = item
        self.converting.add(self.events.now, -n)
        for i in range(n):
            self._enqueue(self.join(elite=i < elite))

    # -- monthly proficiency -------------------------------------------------------------

    def snapshot(self, now: float) -> tuple[list[int], list[float]]:
        """Sample proficiency at the start of a month: sets the sampled levels; returns the
        pilots at or above each threshold and every current pilot's rolling hours."""
        self.roster = [p for p in self.roster if p.active]
        month, hours = int(now // MONTH), []
        for p in self.roster:  # `Pilot.expire` written out for the usual one-month turn
            if p.month != month:
                if month == p.month + 1:
                    p.months[month % 12] = 0.0
                    p.month = month
                    p.rolling = ring_sum(p.months)
                else:
                    p.expire(now)
            hours.append(p.rolling)
        weight = self.elite_weight
        self.queue = PilotQueue([(p.rolling / weight if p.elite else p.rolling, turn, p)
                                 for _, turn, p in self.queue.entries()
                                 if p.active and not p.cadre])  # the keys moved
        if self.cadre_queue:
            self.cadre_queue = PilotQueue([(p.rolling, turn, p)
                                           for _, turn, p in self.cadre_queue.entries()
                                           if p.active])
        hours.sort()
        n = len(hours)
        over = [n - bisect_left(hours, t - EPS) for t in self.thresholds]
        for level, count in zip(self.over, over):
            level.set(now, float(count))
        self.proficient.set(now, float(over[-1]))
        self.hours_12m.set(now, ring_sum(hours) / n if n else 0.0)
        for level, q in zip(self.deciles, deciles(hours)):
            level.set(now, q)
        return over, hours
