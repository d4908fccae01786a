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

from math import exp, inf, log, log1p, sqrt  # module names: no attribute lookup on a hot path
from bisect import insort
from collections import deque
from collections.abc import Callable
from typing import Any

import simpy

from ..rng import Block, Streams, exponential, uniform
from ..schema import Distribution, Lru, PartChannel, Run, Sanctions
from .events import DELIVERY
from .metrics import Ledger
from .supply import RateProfile


class Durations:
    """Draws of a repair-time distribution with a given mean and coefficient of variation.

    Draws are standard variates of the stream, scaled to the distribution (an exponential is
    `mean * E`, a lognormal `exp(mu + sigma * Z)`), so that a dated change of the mean or cv
    reshapes the draws that follow without re-creating the stream: the k-th repair after the
    change is paired with the k-th repair of the same scenario without it.
    """

    __slots__ = ("streams", "name", "dist", "kind", "_block", "_a", "_b")

    def __init__(self, dist: Distribution, streams: Streams, name: str):
        self.streams, self.name, self.kind, self._block = streams, name, None, None
        self.set(dist)

    def set(self, dist: Distribution) -> None:
        """Draw from `dist` from now on (the same stream continues)."""
        self.dist, mean = dist, dist.mean
        if dist.distribution == "lognormal":
            sigma2 = log1p(dist.cv ** 2)
            self._a, self._b = log(mean) - sigma2 / 2, sqrt(sigma2)
        elif dist.distribution == "gamma":
            shape = 1.0 / dist.cv ** 2
            self._a, self._b = mean / shape, shape
        else:
            self._a, self._b = mean, 0.0
        kind = (dist.distribution, self._b) if dist.distribution == "gamma" else dist.distribution
        if kind != self.kind:  # a new family (or gamma shape) draws other standard variates
            self.kind = kind
            self._block = self._make_block(dist.distribution)

    def _make_block(self, family: str) -> Block | None:
        if family == "exponential":
            return self.streams.block(self.name, lambda g, n: g.standard_exponential(n))
        if family == "lognormal":
            return self.streams.block(self.name, lambda g, n: g.standard_normal(n))
        if family == "gamma":
            shape = self._b
            return self.streams.block(self.name, lambda g, n: g.standard_gamma(shape, n))
        return None

    def __call__(self) -> float:
        family = self.dist.distribution
        if family == "exponential":
            return self._a * self._block.next()
        if family == "lognormal":
            return exp(self._a + self._b * self._block.next())
        if family == "gamma":
            return self._a * self._block.next()
        return self._a


class LruStock:
    """Spares, pipeline and backorders of one LRU kind of one aircraft type."""

    def __init__(self, type_name: str, kind: str, cfg: Lru, ledger: Ledger, streams: Streams):
        self.kind, self.cfg = kind, cfg
        self.z = cfg.units_per_aircraft
        self.mtbf = cfg.mtbf_flight_hours
        self.rr_days = cfg.remove_replace_hours / 24.0
        self.condemned_fraction = cfg.condemned_fraction
        self.shelf: list[float] = [1.0] * cfg.initial_stock  # reliabilities, ascending
        self.stock = ledger.level(type_name, f"{kind}.stock", float(cfg.initial_stock))
        self.backorders = ledger.level(type_name, f"{kind}.backorders")
        self.in_repair = ledger.level(type_name, f"{kind}.in_repair")
        self.on_order = ledger.level(type_name, f"{kind}.on_order")
        self.reorder: Callable[[], None] | None = None  # one-for-one: a condemned unit's order
        self.ready = ledger.level(type_name, f"{kind}.ready_rate", 1.0)
        self.removals = ledger.counter(type_name, f"{kind}.removals")
        self.shelf_fills = ledger.counter(type_name, f"{kind}.shelf_fills")
        self.condemned = ledger.counter(type_name, f"{kind}.condemned")
        self.resupplied = ledger.counter(type_name, f"{kind}.resupplied")
        self.repaired = ledger.counter(type_name, f"{kind}.repaired")
        self.repair_turnaround = ledger.counter(type_name, f"{kind}.repair_turnaround_days")
        self.repair_time = Durations(cfg.repair_days, streams, f"repair/{type_name}/{kind}")
        self.condemn_draw = streams.block(f"condemn/{type_name}/{kind}", uniform).next

    def take(self, now: float) -> float:
        """The most reliable spare off the shelf (the shelf must not be empty)."""
        self.stock.add(now, -1.0)
        return self.shelf.pop()

    def put(self, now: float, reliability: float) -> None:
        self.stock.add(now, 1.0)
        insort(self.shelf, reliability)

    def change(self, field: str, value: float) -> None:
        """A dated change of the condemned fraction or the remove-and-replace time."""
        if field == "condemned_fraction":
            self.condemned_fraction = value
        else:
            self.rr_days = value / 24.0


class Shop:
    """Servers working jobs first come, first served: repair lines, inspection docks, depot
    slots (`inf` servers: no queue; 0: nothing is ever served)."""

    def __init__(self, env: simpy.Environment, group: str, name: str, servers: float,
                 ledger: Ledger):
        self.env = env
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.servers = servers
        self.capacity = ledger.level(group, f"{name}_channels", servers) \
            if 0 < servers < inf else None
        self.busy = ledger.level(group, f"{name}_busy")
        self.waiting = ledger.level(group, f"{name}_queue")
        self.queue: deque[tuple[float, Callable[[Any], None], Any]] = deque()
        self.on_start: Callable[[Any, float], None] | None = None  # (item, end) as work starts

    def submit(self, duration: float, done: Callable[[Any], None], item: Any = None) -> None:
        """Work `duration` days on `item`, then call `done(item)`."""
        if self.busy.value < self.servers:
            self._start(duration, done, item)
        else:
            self.queue.append((duration, done, item))
            self.waiting.add(self.events.now, 1.0)

    def set_servers(self, servers: float) -> None:
        """A dated change of the number of channels: more start queued jobs at once; fewer
        let the jobs in work finish."""
        now = self.events.now
        self.servers = servers
        if self.capacity is not None:
            self.capacity.set(now, servers)
        while self.queue and self.busy.value < self.servers:
            self.waiting.add(now, -1.0)
            self._start(*self.queue.popleft())

    def _start(self, duration: float, done: Callable[[Any], None], item: Any) -> None:
        self.busy.add(self.events.now, 1.0)
        self.events.call(duration, self._finish, (done, item))
        if self.on_start is not None:
            self.on_start(item, self.events.now + duration)

    def _finish(self, job: tuple) -> None:
        done, item = job
        now = self.events.now
        self.busy.add(now, -1.0)
        if self.queue and self.busy.value < self.servers:
            self.waiting.add(now, -1.0)
            self._start(*self.queue.popleft())
        done(item)


def servers(channels: int | str) -> float:
    return inf if channels == "unlimited" else float(channels)


class PartSupply:
    """A channel delivering new units of one LRU kind: a one-off batch and a steady rate."""

    def __init__(self, env: simpy.Environment, channel: PartChannel, run: Run,
                 sanctions: Sanctions, horizon: float, streams: Streams, name: str,
                 deliver: Callable[[float], None]):
        self.env, self.channel, self.deliver = env, channel, deliver
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.profile = RateProfile(channel, run, sanctions, horizon)
        self.per_day = channel.units_per_year / 365.25
        self.reliability = channel.reliability
        self.horizon = horizon
        self.gap = streams.block(name, exponential).next if channel.arrivals == "poisson" \
            else (lambda: 1.0)
        self.count = 0.0 if channel.arrivals == "steady" else self.gap()
        self.token, self.next_order = 0, inf
        self.on_order = None
        if channel.reorder == "condemned":  # the procurement clock: the window, not the rate
            self.clock = RateProfile(channel, run, sanctions, horizon)

    def order(self) -> None:
        """Procure one unit (a unit of the kind was condemned): it arrives once the channel
        has been open `lead_days` since the order, its days counted at the channel's window
        multiplier (an order placed while the channel is closed waits for it to open; under
        sanctions with factor 0.5 the lead time doubles). It stays on order till then, and for
        ever if that falls after the end of the run."""
        now = self.events.now
        self.on_order.add(now, 1.0)
        t = self.clock.after(now, self.channel.lead_days)
        if t < self.horizon:
            self.events.call(t - now, self._ordered, None, DELIVERY)

    def _ordered(self, _value: None) -> None:
        self.on_order.add(self.events.now, -1.0)
        self.deliver(self.reliability)

    def start(self) -> None:
        ch = self.channel
        one_off_at = self.profile.opens + ch.lead_days
        if ch.units and one_off_at < self.horizon and not self.profile.opens_before_start:
            self.events.call(one_off_at, self._batch, ch.units, DELIVERY)
        if self.per_day > 0:
            self._schedule()

    def change(self, field: str, value: float) -> None:
        """A dated change of the channel's rate (units a year) or of its units' reliability;
        units already ordered (inside the lead time) arrive as they were."""
        now = self.events.now
        if field == "reliability":
            self.reliability = value
            return
        per_day = value / 365.25
        if self.per_day == 0:  # a channel opening from nothing: the rate is its base
            self.profile.set_level(0.0, 0.0)
            self.per_day = per_day
            self.profile.set_level(now, 1.0 if per_day else 0.0)
        else:
            self.profile.set_level(now, per_day / self.per_day)
        if self.next_order >= now:  # the next arrival was not ordered yet: place it anew
            self.token += 1
            self.next_order = inf
            self._schedule()

    def _schedule(self) -> None:
        if self.per_day <= 0:
            return
        order = self.profile.time_of(self.count / self.per_day)
        t = order + self.channel.lead_days
        if t < self.horizon:
            self.next_order = order
            self.events.call(t - self.events.now, self._arrive, self.token, DELIVERY)

    def _arrive(self, token: int) -> None:
        if token != self.token:
            return
        self.next_order = inf
        self.deliver(self.reliability)
        self.count += self.gap()
        self._schedule()

    def _batch(self, units: int) -> None:
        for _ in range(units):
            self.deliver(self.reliability)
