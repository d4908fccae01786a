"""LRU stocks, repair shops, condemnation and the channels that bring new units.

Each LRU kind of an aircraft type has a shelf of serviceable spares. A unit removed from a
tail is either condemned (it never returns) or sent to a repair shop, whose channels work
jobs first come, first served. A repaired unit, or a new one from a supply channel
(domestic production, black market, transfer package), is handed to `Maintenance.receive`,
which fills a waiting tail or shelves it. Every unit carries its reliability (1 for a
genuine part, below 1 for a reverse-engineered or grey-market one) through repair and
cannibalization; the shelf hands out its most reliable unit first.
"""

from __future__ import annotations

import math
from bisect import insort
from collections import deque
from collections.abc import Callable
from typing import Any

import simpy

from ..rng import Streams, exponential, uniform
from ..schema import Distribution, Lru, PartChannel, Run, Sanctions
from .events import DELIVERY, Call
from .metrics import Ledger
from .supply import RateProfile


def duration_sampler(dist: Distribution, streams: Streams, name: str) -> Callable[[], float]:
    """Draws of a repair-time distribution with the given mean and coefficient of variation."""
    mean = dist.mean
    if dist.distribution == "deterministic":
        return lambda: mean
    if dist.distribution == "exponential":
        block = streams.block(name, lambda g, n: g.exponential(mean, n))
    elif dist.distribution == "lognormal":
        sigma2 = math.log1p(dist.cv ** 2)
        mu = math.log(mean) - sigma2 / 2
        block = streams.block(name, lambda g, n: g.lognormal(mu, math.sqrt(sigma2), n))
    else:  # gamma
        shape = 1.0 / dist.cv ** 2
        block = streams.block(name, lambda g, n: g.gamma(shape, mean / shape, n))
    return block.next


class LruStock:
    """Spares, pipeline and backorders of one LRU kind of one aircraft type."""

    def __init__(self, type_name: str, kind: str, cfg: Lru, ledger: Ledger, streams: Streams):
        self.kind, self.cfg = kind, cfg
        self.z = cfg.units_per_aircraft
        self.mtbf = cfg.mtbf_flight_hours
        self.rr_days = cfg.remove_replace_hours / 24.0
        self.shelf: list[float] = [1.0] * cfg.initial_stock  # reliabilities, ascending
        self.stock = ledger.level(type_name, f"{kind}.stock", float(cfg.initial_stock))
        self.backorders = ledger.level(type_name, f"{kind}.backorders")
        self.in_repair = ledger.level(type_name, f"{kind}.in_repair")
        self.ready = ledger.level(type_name, f"{kind}.ready_rate", 1.0)
        self.removals = ledger.counter(type_name, f"{kind}.removals")
        self.shelf_fills = ledger.counter(type_name, f"{kind}.shelf_fills")
        self.condemned = ledger.counter(type_name, f"{kind}.condemned")
        self.resupplied = ledger.counter(type_name, f"{kind}.resupplied")
        self.repaired = ledger.counter(type_name, f"{kind}.repaired")
        self.repair_turnaround = ledger.counter(type_name, f"{kind}.repair_turnaround_days")
        self.repair_time = duration_sampler(cfg.repair_days, streams, f"repair/{type_name}/{kind}")
        self.condemn_draw = streams.block(f"condemn/{type_name}/{kind}", uniform).next

    def take(self, now: float) -> float:
        """The most reliable spare off the shelf (the shelf must not be empty)."""
        self.stock.add(now, -1.0)
        return self.shelf.pop()

    def put(self, now: float, reliability: float) -> None:
        self.stock.add(now, 1.0)
        insort(self.shelf, reliability)


class Shop:
    """Servers working jobs first come, first served: repair lines, inspection docks, depot
    slots (`math.inf` servers: no queue; 0: nothing is ever served)."""

    def __init__(self, env: simpy.Environment, group: str, name: str, servers: float,
                 ledger: Ledger):
        self.env = env
        self.servers = servers
        self.busy = ledger.level(group, f"{name}_busy")
        self.waiting = ledger.level(group, f"{name}_queue")
        self.queue: deque[tuple[float, Callable[[Any], None], Any]] = deque()

    def submit(self, duration: float, done: Callable[[Any], None], item: Any = None) -> None:
        """Work `duration` days on `item`, then call `done(item)`."""
        if self.busy.value < self.servers:
            self._start(duration, done, item)
        else:
            self.queue.append((duration, done, item))
            self.waiting.add(self.env.now, 1.0)

    def _start(self, duration: float, done: Callable[[Any], None], item: Any) -> None:
        self.busy.add(self.env.now, 1.0)
        Call(self.env, duration, self._finish, (done, item))

    def _finish(self, event: simpy.Event) -> None:
        done, item = event.value
        now = self.env.now
        self.busy.add(now, -1.0)
        if self.queue:
            self.waiting.add(now, -1.0)
            self._start(*self.queue.popleft())
        done(item)


def servers(channels: int | str) -> float:
    return math.inf if channels == "unlimited" else float(channels)


class PartSupply:
    """A channel delivering new units of one LRU kind: a one-off batch and a steady rate."""

    def __init__(self, env: simpy.Environment, channel: PartChannel, run: Run,
                 sanctions: Sanctions, horizon: float, streams: Streams, name: str,
                 deliver: Callable[[float], None]):
        self.env, self.channel, self.deliver = env, channel, deliver
        self.profile = RateProfile(channel, run, sanctions, horizon)
        self.per_day = channel.units_per_year / 365.25
        self.horizon = horizon
        self.gap = streams.block(name, exponential).next if channel.arrivals == "poisson" \
            else (lambda: 1.0)
        self.count = 0.0 if channel.arrivals == "steady" else self.gap()

    def start(self) -> None:
        ch = self.channel
        one_off_at = self.profile.opens + ch.lead_days
        if ch.units and one_off_at < self.horizon and not self.profile.opens_before_start:
            Call(self.env, one_off_at, self._batch, ch.units, DELIVERY)
        if self.per_day > 0:
            self._schedule()

    def _schedule(self) -> None:
        t = self.profile.time_of(self.count / self.per_day) + self.channel.lead_days
        if t < self.horizon:
            Call(self.env, t - self.env.now, self._arrive, None, DELIVERY)

    def _arrive(self, _event: simpy.Event) -> None:
        self.deliver(self.channel.reliability)
        self.count += self.gap()
        self._schedule()

    def _batch(self, event: simpy.Event) -> None:
        for _ in range(event.value):
            self.deliver(self.channel.reliability)
