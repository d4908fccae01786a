"""Unscheduled maintenance of one aircraft type: removals, backorders and cannibalization.

A failed LRU is removed on landing and sent to repair (or condemned). Its replacement comes
from the shelf if a spare is there (a removal and replacement job makes the tail NMCM for
`remove_replace_hours`); otherwise the tail waits for the part (a backorder: NMCS).

Tails that wait are kept in `waiting`, sorted by how many units they miss: the front holds
the tails closest to FMC, which get arriving parts first (or, with `fifo` allocation, the
oldest backorder is served first). The back holds the hangar queens, the preferred donors.

Each LRU kind is essential for flight or only for the mission: a tail missing a mission unit
(or with work on one) is PMC and may still fly training sorties; a missing flight-essential
unit makes it NMCS (see `fleet`). A tail in the air takes no part and gives none; a tail
possessed by the depot claims arriving parts and cannibalized units last (or, with
`depot_claim_days`, once it is that close to leaving the depot), and is completed from the
shelf when it comes back.

Cannibalization (`full`, or `capped` at k actions a month) completes a tail by moving the
units it misses from waiting tails that still have them installed, most-stripped donor
first, so that the missing parts consolidate onto as few tails as possible. It acts only
when the recipient can be made whole; each action costs `hours_per_action` of work on the
recipient, and with `damage_probability` the moved part breaks and goes to repair instead.
Under `demand` it acts only when the squadron asks (`on_demand`: the day's sorties or the
posture floor cannot be met from the flyable tails), completing just enough tails, those
closest to whole first. A unit that reaches a waiting tail is a backorder fill, from the
shelf, repair or resupply, or from cannibalization (`backorder_fills`, `cann_fills`).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque

import simpy

from ..rng import Streams, uniform
from ..schema import Cannibalization
from .fleet import LOST, RETIRED, Fleet, Tail
from .metrics import Ledger
from .parts import LruStock, Shop


class Maintenance:
    def __init__(self, env: simpy.Environment, fleet: Fleet, lrus: list[LruStock],
                 shops: list[Shop], cann: Cannibalization, allocation: str, strip: bool,
                 streams: Streams, ledger: Ledger, depot_claim_days: float = 0.0):
        self.env, self.fleet, self.lrus, self.shops = env, fleet, lrus, shops
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.tails = fleet.tails
        self.z = [lru.z for lru in lrus]
        self.damage_draw = streams.block(f"cannibalization/{fleet.name}", uniform).next
        self.cannibalizations = ledger.counter(fleet.name, "cannibalizations")
        self.fills = ledger.counter(fleet.name, "backorder_fills")
        self.cann_fills = ledger.counter(fleet.name, "cann_fills")
        self.readying = 0  # tails completed on demand whose cannibalization work goes on
        self.fifo = allocation == "fifo"
        self.waiting: list[tuple[int, int]] = []       # (units missing, serial), ascending
        # (serial, token) per backorder, oldest first (fifo); a tail's t-th backorder of a
        # kind has token t, and an entry is valid while t >= the count of its fills
        self.backorder_queue = [deque() for _ in lrus]
        self.issued = [{} for _ in lrus]   # serial -> backorders of kind k ever opened
        self.filled = [{} for _ in lrus]   # serial -> of those, filled or cleared
        self.donor_units = [0] * len(lrus)               # installed units on waiting tails
        self.grounding = [lru.cfg.essential == "flight" for lru in lrus]
        self.depot_claim_days = depot_claim_days
        self.landing: Tail | None = None  # the tail whose landing is being processed
        self.strip = strip
        self.inverse_mtbf = [1.0 / lru.mtbf for lru in lrus]
        self.set_cannibalization(cann)

    def set_cannibalization(self, cann: Cannibalization) -> None:
        """The cannibalization policy, its monthly cap and costs (at the start, or a dated
        change: a policy that starts cannibalizing works the backlog at once)."""
        before = getattr(self, "auto", False)
        self.policy = cann.policy
        self.auto = cann.policy in ("capped", "full")  # cannibalize at every chance
        self.quota = cann.max_actions_per_month if cann.policy == "capped" else float("inf")
        self.monthly_quota = self.quota
        self.cann_days = cann.hours_per_action / 24.0
        self.damage_probability = cann.damage_probability
        if not before and self.auto and self.waiting:
            self._consolidate(None, self.events.now)

    def set_mtbf(self, k: int, mtbf: float) -> None:
        """A dated change of a kind's MTBF: every tail's failure rate follows at once."""
        self.lrus[k].mtbf = mtbf
        self.inverse_mtbf[k] = 1.0 / mtbf
        for tail in self.tails:
            self.rerate(tail)

    # -- failures and parts ------------------------------------------------------------

    def on_failures(self, tail: Tail, removed: list[tuple[int, float]]) -> None:
        """Units (kind, reliability) just failed and came off `tail`: send them to repair and
        find replacements."""
        now = self.events.now
        self.landing = tail  # on the ground now, though its landing is still being processed
        was_waiting = tail.n_missing > 0
        for k, reliability in removed:
            self._to_repair(k, reliability, now)
            lru = self.lrus[k]
            lru.removals.n += 1
            if lru.shelf:
                lru.shelf_fills.n += 1
                self._install(tail, k, lru.take(now), lru.rr_days)
            else:
                self._set_missing(tail, k, 1, now)
        self.rerate(tail)
        # A tail that was waiting already could not be completed before and needs more now;
        # a tail that starts waiting may complete others with its parts (it is a new donor).
        if tail.n_missing and not was_waiting and self.auto:
            if not self._complete(tail, now):
                self._consolidate(tail, now)
        self.landing = None
        self.fleet.restate(tail, now)

    def refill(self, tail: Tail) -> None:
        """A tail that could not claim parts is back (landed, out of the depot): fit what the
        shelf holds of the units it misses, then try to complete it by cannibalization."""
        if not tail.n_missing or tail.state >= LOST:
            return
        now = self.events.now
        self.landing = tail
        for k, n in enumerate(tail.missing):
            lru = self.lrus[k]
            while n and lru.shelf:
                self._set_missing(tail, k, -1, now)
                lru.shelf_fills.n += 1
                self.fills.n += 1
                self._install(tail, k, lru.take(now), lru.rr_days)
                n -= 1
        self.rerate(tail)
        if tail.n_missing and self.auto:
            self._complete(tail, now)
        self.landing = None
        self.fleet.restate(tail, now)

    def _claims(self, tail: Tail) -> bool:
        """May this waiting tail claim a part now? Not in the air, not deep in the depot."""
        if tail.flying and tail is not self.landing:
            return False
        return not tail.depot or tail.depot_leaves - self.events.now <= self.depot_claim_days

    def receive(self, k: int, reliability: float = 1.0) -> None:
        """A serviceable unit of kind k arrives: fill a waiting tail, else stock the shelf."""
        now = self.events.now
        tail = self._claimant(k)
        if tail is None:
            self.lrus[k].put(now, reliability)
            return
        self.fills.n += 1
        self._set_missing(tail, k, -1, now)
        self._install(tail, k, reliability, self.lrus[k].rr_days)
        self.rerate(tail)
        if tail.n_missing and self.auto:
            self._complete(tail, now)
        self.fleet.restate(tail, now)

    def rerate(self, tail: Tail) -> None:
        """A tail's LRU failure rate per flight hour, from the units it has installed."""
        rate = 0.0
        for units, inv in zip(tail.units, self.inverse_mtbf):
            for r in units:
                rate += inv / r
        tail.rate = rate
        tail.hazard = rate * tail.aging

    def retire(self, tail: Tail, state: int = RETIRED) -> None:
        """A tail leaves the fleet; a retired one may be stripped of its serviceable LRUs."""
        now = self.events.now
        self.fleet.remove(tail, state, now)
        self.discard(tail, now)
        if state == RETIRED and self.strip:
            for k, units in enumerate(tail.units):
                stripped, tail.units[k] = units, []
                for reliability in stripped:
                    self.receive(k, reliability)

    def new_month(self) -> None:
        """A capped policy gets its quota back and works its backlog, closest to FMC first."""
        if self.policy == "capped":
            self.quota = self.monthly_quota
            if self.waiting and self.quota >= 1:
                self._consolidate(None, self.events.now)

    def _to_repair(self, k: int, reliability: float, now: float) -> None:
        lru = self.lrus[k]
        condemned = lru.condemn_draw() < lru.condemned_fraction
        duration = lru.repair_time()
        if condemned:
            lru.condemned.n += 1
            if lru.reorder is not None:
                lru.reorder()
            return
        lru.in_repair.add(now, 1.0)
        self.shops[k].submit(duration, self._repaired, (k, reliability, now))

    def _repaired(self, unit: tuple[int, float, float]) -> None:
        k, reliability, since = unit
        lru, now = self.lrus[k], self.events.now
        lru.in_repair.add(now, -1.0)
        lru.repaired.n += 1
        lru.repair_turnaround.n += now - since
        self.receive(k, reliability)

    def _install(self, tail: Tail, k: int, reliability: float, days: float) -> None:
        """Fit a unit; the job takes `days` of work on the tail."""
        tail.units[k].append(reliability)
        self.work(tail, days, k)

    def work(self, tail: Tail, days: float, k: int | None = None) -> None:
        """A maintenance job of `days` on the tail: NMCM while it lasts, or PMC if it is on
        a mission LRU (kind k) only."""
        if days <= 0:
            return
        mission = k is not None and not self.grounding[k]
        if mission:
            tail.mission_work += 1
        else:
            tail.work += 1
        self.events.call(days, self._job_done, (tail, mission))

    def _job_done(self, item: tuple[Tail, bool]) -> None:
        tail, mission = item
        if mission:
            tail.mission_work -= 1
        else:
            tail.work -= 1
        self.fleet.restate(tail, self.events.now)

    def _claimant(self, k: int) -> Tail | None:
        if self.fifo:
            queue = self.backorder_queue[k]
            skipped = []
            found = None
            filled = self.filled[k]
            while queue:
                entry = queue.popleft()
                serial, token = entry
                if token >= filled.get(serial, 0):  # the tail's oldest open backorder
                    tail = self.tails[serial]
                    if self._claims(tail):
                        found = tail
                        break
                    skipped.append(entry)
            queue.extendleft(reversed(skipped))  # they keep their places
            return found
        tails = self.tails
        for _, serial in self.waiting:
            tail = tails[serial]
            if tail.missing[k] and self._claims(tail):
                return tail
        return None

    # -- the waiting list --------------------------------------------------------------

    def _set_missing(self, tail: Tail, k: int, delta: int, now: float) -> None:
        """Change the units of kind k missing on a tail; keep the waiting list and donors."""
        before = tail.n_missing
        after = before + delta
        if before:
            del self.waiting[bisect_left(self.waiting, (before, tail.serial))]
            if after:
                self.donor_units[k] -= delta  # still waiting: only kind k changes
            else:
                self._count_donor(tail, -1)
        tail.missing[k] += delta
        tail.n_missing = after
        if self.grounding[k]:
            tail.n_grounding += delta
        if after:
            insort(self.waiting, (after, tail.serial))
            if not before:
                self._count_donor(tail, 1)
        if self.fifo:
            self._queue(tail.serial, k, delta)
        lru = self.lrus[k]
        backorders = lru.backorders
        backorders.add(now, delta)
        if (backorders.value == 0) != (lru.ready.value == 1.0):
            lru.ready.set(now, 1.0 - lru.ready.value)

    def _queue(self, serial: int, k: int, delta: int) -> None:
        """Open `delta` backorders of kind k at the back of the queue, or (delta < 0) mark the
        tail's oldest ones filled, whatever filled them (lazy deletion: the queue keeps their
        entries, which are skipped as they come to the front)."""
        if delta > 0:
            issued = self.issued[k].get(serial, 0)
            self.backorder_queue[k].extend((serial, issued + i) for i in range(delta))
            self.issued[k][serial] = issued + delta
        else:
            self.filled[k][serial] = self.filled[k].get(serial, 0) - delta

    def _count_donor(self, tail: Tail, sign: int) -> None:
        units = self.donor_units
        for k, z in enumerate(self.z):
            units[k] += sign * (z - tail.missing[k])

    def discard(self, tail: Tail, now: float) -> None:
        """A tail leaves the fleet: its missing units are no longer backorders."""
        for k, n in enumerate(tail.missing):
            if n:
                self._set_missing(tail, k, -n, now)

    # -- cannibalization ---------------------------------------------------------------

    def _complete(self, tail: Tail, now: float) -> bool:
        """Cannibalize donors to make `tail` whole, if the donors can; True if done."""
        needed = 0
        for k, n in enumerate(tail.missing):
            if n:
                own = self.z[k] - n  # the recipient's own installed units are no donors
                if self.donor_units[k] - own < n:
                    return False
                needed += n
        if needed > self.quota:
            return False
        for k in range(len(self.z)):
            while tail.missing[k] and self.quota >= 1:
                donor = self._donor(k, tail)
                if donor is None:
                    return False
                self._move(donor, tail, k, now)
        return not tail.n_missing

    def on_demand(self, tails: int, grounded_only: bool) -> int:
        """The `demand` policy: complete up to `tails` waiting tails that may claim parts,
        closest to whole first (with `grounded_only`, only tails that cannot fly now);
        return how many were completed."""
        done, now, flies = 0, self.events.now, self.fleet.flies
        for _, serial in list(self.waiting):
            if done >= tails or 0 in self.donor_units:
                break
            tail = self.tails[serial]
            if not tail.n_missing or (grounded_only and flies[tail.state]) \
                    or not self._claims(tail):
                continue
            if self._complete(tail, now):
                done += 1
                if self.cann_days > 0:  # it flies once the work is done: count it till then
                    self.readying += 1
                    self.events.call(self.cann_days, self._readied)
        return done

    def _readied(self, _value: None) -> None:
        self.readying -= 1

    def _consolidate(self, tail: Tail | None, now: float) -> None:
        """Complete the waiting tails that other waiting tails' parts can finish (after
        `tail` became a donor)."""
        if 0 in self.donor_units:
            return  # no waiting tail has some kind installed: every one of them misses it
        for _, serial in list(self.waiting):
            other = self.tails[serial]
            if other is not tail and other.n_missing and self.quota >= 1 \
                    and self._claims(other):
                self._complete(other, now)

    def _donor(self, k: int, recipient: Tail) -> Tail | None:
        """The waiting tail with most units missing that still has a unit of kind k."""
        z, tails = self.z[k], self.tails
        for _, serial in reversed(self.waiting):
            tail = tails[serial]
            if tail.missing[k] < z and tail is not recipient \
                    and (not tail.flying or tail is self.landing):
                return tail
        return None

    def _move(self, donor: Tail, recipient: Tail, k: int, now: float) -> None:
        self.cannibalizations.n += 1
        self.quota -= 1
        units = donor.units[k]
        reliability = units.pop(units.index(max(units)))  # the donor's best unit of kind k
        self._set_missing(donor, k, 1, now)
        self.rerate(donor)
        self.fleet.restate(donor, now)
        if self.damage_probability and self.damage_draw() < self.damage_probability:
            self._to_repair(k, reliability, now)  # it broke in the move; the recipient waits
            self.work(recipient, self.cann_days, k)
        else:
            self.fills.n += 1
            self.cann_fills.n += 1
            self._set_missing(recipient, k, -1, now)
            self._install(recipient, k, reliability, self.cann_days)
            self.rerate(recipient)
        self.fleet.restate(recipient, now)
