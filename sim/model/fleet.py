"""Aircraft tails and their readiness states.

Every tail is in exactly one state:
FMC (fully mission capable: on the ground ready, or flying), NMCM (not mission capable for
maintenance: a removal and replacement, cannibalization work, an inspection under way),
NMCS (not mission capable for supply: waiting for an LRU that is not on the shelf),
LOST (accident) or RETIRED (life limit). Active tails are FMC + NMCM + NMCS.

A tail's state is derived, never set by hand: maintenance work under way makes it NMCM,
otherwise a missing LRU makes it NMCS, otherwise it is FMC. `Fleet.restate` applies that
rule after every change and keeps the time-weighted count of each state.
"""

from __future__ import annotations

from collections.abc import Callable

from .metrics import Counter, Ledger

FMC, NMCM, NMCS, LOST, RETIRED = range(5)
STATE_METRICS = ("fmc_aircraft", "nmcm_aircraft", "nmcs_aircraft", "lost_aircraft",
                 "retired_aircraft")


class Tail:
    """One airframe: its state, installed and missing LRUs, maintenance work and hours."""

    __slots__ = ("serial", "state", "units", "missing", "n_missing", "work", "budget", "rate",
                 "aging", "hazard", "hours", "age", "flying", "pilot", "down_since", "next_check",
                 "inspection_due", "overhaul_due", "token", "life_spent")

    def __init__(self, serial: int, z: list[int], hours: float, age: float, budget: float):
        self.serial = serial
        self.state = FMC
        self.units = [[1.0] * n for n in z]  # reliability of each installed unit, by kind
        self.missing = [0] * len(z)    # units of each kind removed and not yet replaced
        self.n_missing = 0
        self.work = 0                  # maintenance jobs under way (or waiting for a dock)
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
        self.token = 0                 # invalidates stale calendar reminders
        self.life_spent = False        # calendar life ran out in flight


class Fleet:
    """The tails of one aircraft type and the time-weighted count of tails in each state."""

    def __init__(self, name: str, tails: list[Tail], ledger: Ledger):
        self.name = name
        self.tails = tails
        self.count = [len(tails), 0, 0, 0, 0]
        self.delivered = ledger.counter(name, "delivered_aircraft")
        self.levels = [ledger.level(name, metric, value)
                       for metric, value in zip(STATE_METRICS, self.count)]
        self.downtime_days: Counter = ledger.counter(name, "downtime_days")
        self.returns_to_fmc: Counter = ledger.counter(name, "returns_to_fmc")
        self.left_fmc: Callable[[Tail, float], None] = lambda tail, now: None
        self.back_to_fmc: Callable[[Tail, float], None] = lambda tail, now: None

    def restate(self, tail: Tail, now: float) -> None:
        """Move an active tail to the state its work and missing parts imply."""
        if tail.state >= LOST:
            return
        new = NMCM if tail.work else (NMCS if tail.n_missing else FMC)
        if new != tail.state:
            self._move(tail, new, now)

    def add(self, tail: Tail, now: float) -> None:
        """A new tail joins the fleet FMC (a delivery)."""
        self.tails.append(tail)
        self.count[FMC] += 1
        self.levels[FMC].add(now, 1.0)
        self.delivered.n += 1
        self.back_to_fmc(tail, now)

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
            self.left_fmc(tail, now)
        elif new == FMC:
            self.downtime_days.n += now - tail.down_since
            self.returns_to_fmc.n += 1
            self.back_to_fmc(tail, now)
