"""LRU stocks, the repair shop, condemnation and resupply.

Each LRU kind of an aircraft type has a shelf of serviceable spares (`stock`). A unit
removed from a tail is either condemned (it never returns) or sent to the repair shop,
whose channels work jobs first come, first served; a repaired unit, or one delivered by a
resupply channel, is handed to `receive`, which fills a waiting tail or goes to the shelf.
The pipeline (units in repair, queued or in work) and the backorders (units missing on
tails with no part coming from the shelf) are tracked as time-weighted levels.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

import simpy

from ..rng import Block, Streams, uniform
from ..scenario import Distribution, Lru, SupplyChannel
from .events import Call
from .metrics import Ledger


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
        self.rr_days = cfg.remove_replace_hours / 24.0
        self.stock = ledger.level(type_name, f"{kind}.stock", float(cfg.initial_stock))
        self.backorders = ledger.level(type_name, f"{kind}.backorders")
        self.in_repair = ledger.level(type_name, f"{kind}.in_repair")
        self.ready = ledger.level(type_name, f"{kind}.ready_rate", 1.0)
        self.removals = ledger.counter(type_name, f"{kind}.removals")
        self.shelf_fills = ledger.counter(type_name, f"{kind}.shelf_fills")
        self.condemned = ledger.counter(type_name, f"{kind}.condemned")
        self.resupplied = ledger.counter(type_name, f"{kind}.resupplied")
        self.repair_time = duration_sampler(cfg.repair_days, streams, f"repair/{type_name}/{kind}")
        self.condemn_draw = streams.block(f"condemn/{type_name}/{kind}", uniform).next


class RepairShop:
    """Repair channels working jobs first come, first served (`math.inf` channels: no queue)."""

    def __init__(self, env: simpy.Environment, group: str, prefix: str, channels: float,
                 ledger: Ledger):
        self.env = env
        self.channels = channels
        self.busy = ledger.level(group, f"{prefix}repair_busy")
        self.waiting = ledger.level(group, f"{prefix}repair_queue")
        self.queue: deque[tuple[float, Callable[[], None]]] = deque()

    def submit(self, duration: float, done: Callable[[], None]) -> None:
        if self.busy.value < self.channels:
            self._start(duration, done)
        else:
            self.queue.append((duration, done))
            self.waiting.add(self.env.now, 1.0)

    def _start(self, duration: float, done: Callable[[], None]) -> None:
        self.busy.add(self.env.now, 1.0)
        Call(self.env, duration, self._finish, done)

    def _finish(self, event: simpy.Event) -> None:
        done = event.value
        now = self.env.now
        self.busy.add(now, -1.0)
        if self.queue:
            self.waiting.add(now, -1.0)
            self._start(*self.queue.popleft())
        done()


def channel_count(channels: int | str) -> float:
    return math.inf if channels == "unlimited" else float(channels)


def resupply(env: simpy.Environment, channel: SupplyChannel, streams: Streams, name: str,
             deliver: Callable[[], None]):
    """A SimPy process delivering one unit at a time: evenly spaced, or as a Poisson stream."""
    if channel.units_per_year <= 0:
        return
    gap = 365.25 / channel.units_per_year
    if channel.arrivals == "poisson":
        draw = streams.block(name, lambda g, n: g.exponential(gap, n)).next
    else:
        draw = lambda: gap  # noqa: E731
    yield env.timeout(channel.lead_days)
    while True:
        deliver()
        yield env.timeout(draw())
