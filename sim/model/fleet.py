"""Aircraft tails and their readiness states, in the words of USAF AFI 21-103.

Every tail is in exactly one state:
FMC (fully mission capable: on the ground ready, or flying), PMC (partially mission capable:
flyable, but a mission LRU is missing or in work, so it can fly a training sortie and not
fight), NMCM (not mission capable for maintenance: work on something it needs to fly, an
inspection), NMCS (not mission capable for supply: waiting for a flight-essential LRU that is
not on the shelf), NMCB (both at once), DEPOT (possessed by the depot: in overhaul or waiting
for a depot slot), LOST (accident) or RETIRED (life limit). Active tails are every state
before LOST; possessed tails are active tails less DEPOT; flyable tails are FMC + PMC.

A tail's state is derived, never set by hand: depot possession first, then flight-grounding
work (NMCM) and missing flight-essential units (NMCS), both together NMCB; otherwise mission
work or a missing mission unit makes it PMC, and nothing at all FMC. `Fleet.restate` applies
that rule after every change and keeps the time-weighted count of each state.
"""

from __future__ import annotations

from collections.abc import Callable

from .metrics import Counter, Ledger

FMC, PMC, NMCM, NMCS, NMCB, DEPOT, LOST, RETIRED = range(8)
STATE_METRICS = ("fmc_aircraft", "pmc_aircraft", "nmcm_aircraft", "nmcs_aircraft",
                 "nmcb_aircraft", "depot_aircraft", "lost_aircraft", "retired_aircraft")


class Tail:
    """One airframe: its state, installed and missing LRUs, maintenance work and hours."""

    __slots__ = ("serial", "state", "units", "missing", "n_missing", "n_grounding", "work",
                 "mission_work", "depot", "depot_leaves", "budget", "rate", "aging", "hazard", "hours", "age",
                 "flying", "pilot", "down_since", "next_check", "inspection_due",
                 "overhaul_due", "overhauled_at", "restored", "token", "life_spent")

    def __init__(self, serial: int, z: list[int], hours: float, age: float, budget: float):
        self.serial = serial
        self.state = FMC
        self.units = [[1.0] * n for n in z]  # reliability of each installed unit, by kind
        self.missing = [0] * len(z)    # units of each kind removed and not yet replaced
        self.n_missing = 0
        self.n_grounding = 0           # of those, units of flight-essential kinds
        self.work = 0                  # grounding maintenance jobs under way (or waiting)
        self.mission_work = 0          # jobs on mission LRUs only (the tail may fly: PMC)
        self.depot = False             # possessed by the depot (overhaul, or its queue)
        self.depot_leaves = float("inf")  # when its overhaul ends (inf: waiting for a slot)
        self.budget = budget           # failure hazard left before the next LRU failure
        self.rate = 0.0                # LRU failures per flight hour (set by maintenance)
        self.aging = 1.0               # this airframe's failure multiplier against its type's
        self.hazard = 0.0              # rate * aging: hazard per flight hour at the start date
        self.hours = hours             # airframe flight hours
        self.age = age                 # airframe age in years on the start date
        self.flying = False
        self.pilot = None              # the pilot of the sortie in flight
        self.down_since = 0.0
        self.next_check = float("inf")  # airframe hours at which something falls due
        self.inspection_due = (float("inf"), float("inf"))  # (airframe hours, day)
        self.overhaul_due = (float("inf"), float("inf"))
        self.overhauled_at = 0.0       # when its last overhaul ended (days; negative: before)
        self.restored = 0.0            # years of virtual age taken back by overhauls
        self.token = 0                 # invalidates stale calendar reminders
        self.life_spent = False        # calendar life ran out in flight


def state_of(tail: Tail) -> int:
    """The state a tail's depot possession, work and missing units imply (see above)."""
    if tail.depot:
        return DEPOT
    if tail.work:
        return NMCB if tail.n_grounding else NMCM
    if tail.n_grounding:
        return NMCS
    return PMC if tail.n_missing or tail.mission_work else FMC


class Fleet:
    """The tails of one aircraft type and the time-weighted count of tails in each state.

    `flies` is the set of states in which a tail may fly a sortie (FMC, and PMC where the
    scenario lets PMC tails fly training sorties); `left_flyable` and `back_to_flyable` are
    called when a tail crosses that boundary, so that the flying programme keeps its pool of
    idle flyable tails exactly.
    """

    def __init__(self, name: str, tails: list[Tail], ledger: Ledger, pmc_flies: bool = True):
        self.name = name
        self.tails = tails
        self.count = [0] * len(STATE_METRICS)
        self.count[FMC] = len(tails)
        self.flies = (True, pmc_flies) + (False,) * (len(STATE_METRICS) - 2)
        self.delivered = ledger.counter(name, "delivered_aircraft")
        self.levels = [ledger.level(name, metric, value)
                       for metric, value in zip(STATE_METRICS, self.count)]
        self.downtime_days: Counter = ledger.counter(name, "downtime_days")
        self.returns_to_fmc: Counter = ledger.counter(name, "returns_to_fmc")
        self.left_flyable: Callable[[Tail, float], None] = lambda tail, now: None
        self.back_to_flyable: Callable[[Tail, float], None] = lambda tail, now: None

    def active(self) -> int:
        """Tails in the fleet: every state before LOST."""
        return sum(self.count[:LOST])

    def flyable(self) -> int:
        """Tails that may fly a sortie now (idle or in the air)."""
        return sum(n for n, flies in zip(self.count, self.flies) if flies)

    def restate(self, tail: Tail, now: float) -> None:
        """Move an active tail to the state its depot visit, work and missing parts imply."""
        if tail.state >= LOST:
            return
        new = state_of(tail)
        if new != tail.state:
            self._move(tail, new, now)

    def add(self, tail: Tail, now: float) -> None:
        """A new tail joins the fleet FMC (a delivery)."""
        self.tails.append(tail)
        self.count[FMC] += 1
        self.levels[FMC].add(now, 1.0)
        self.delivered.n += 1
        self.back_to_flyable(tail, now)

    def remove(self, tail: Tail, state: int, now: float) -> None:
        """Take a tail out of the active fleet (LOST or RETIRED)."""
        if tail.state < LOST:
            self._move(tail, state, now)

    def _move(self, tail: Tail, new: int, now: float) -> None:
        old = tail.state
        self.count[old] -= 1
        self.count[new] += 1
        self.levels[old].add(now, -1.0)
        self.levels[new].add(now, 1.0)
        tail.state = new
        if old == FMC:
            tail.down_since = now
        elif new == FMC:
            self.downtime_days.n += now - tail.down_since
            self.returns_to_fmc.n += 1
        flies = self.flies
        if flies[old] and not flies[new]:
            self.left_flyable(tail, now)
        elif flies[new] and not flies[old]:
            self.back_to_flyable(tail, now)
