"""Scheduled callbacks: the one kind of event the model creates on its hot paths, and the
SimPy environment that runs them.

`Call(env, delay, callback, value)` runs `callback(value)` after `delay` (a sortie's
landing gets its tail, say). It is no SimPy event object: it is one entry on the
environment's queue of future events, `(time, priority, eid, callback, value)`, ordered as
SimPy orders `(time, priority, eid, event)`, so that it takes the same place in the order
of events as a SimPy timeout scheduled at that moment would. `Environment` is SimPy's, with
its queue replaced by that one (SimPy's own events, such as processes and timeouts, are
entries whose callback is None, and keep their semantics), and `run_until`, the same loop
as `run(until=...)` written out for the model's main run.

The queue also keeps the clock, `queue.now` (the environment's `now` and `_now` read it), so
that the model reads the time and schedules (`queue.call(delay, callback, value)`) on one
object it holds, `events`, with no attribute lookup on the environment. The queue is
`HeapQueue`, a list of tuples kept by `heapq`; the compiled build (python -m
sim.build_compiled) replaces it by `sim.model.cqueue.Queue`, the same heap of C structs.
Entries have distinct eids, so both pop them in one order, and the results are the same bit
for bit.

Events at the same instant run in priority order: dated changes of scenario values first,
then deliveries, then the day's planning (fuel rationing), then everything else (sorties,
repairs, the day's programme); at one instant and priority, in the order they were
scheduled (the eid).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from typing import Any

import simpy
from simpy.core import EmptySchedule, Infinity

CHANGE, DELIVERY, PLANNING, ACTIVITY = -2, -1, 0, 1  # SimPy's own events use 1 (NORMAL)
URGENT, NORMAL = simpy.core.URGENT, simpy.core.NORMAL


class HeapQueue:
    """Future events, `(time, priority, eid, callback, value)` tuples on a heap; a SimPy
    event is an entry whose callback is None and whose value is the event."""

    __slots__ = ("heap", "_eids", "now")

    def __init__(self) -> None:
        self.heap: list[tuple] = []
        self._eids = count()
        self.now: float = 0  # the clock: the time of the entry running

    def __len__(self) -> int:
        return len(self.heap)

    @property
    def scheduled(self) -> int:
        """Entries ever pushed (the eids drawn)."""
        drawn = next(self._eids)
        self._eids = count(drawn)  # read, not drawn
        return drawn

    def push(self, now: float, priority: int, callback: Callable[[Any], None] | None,
             value: Any) -> None:
        """Schedule `callback(value)` at `now`."""
        heappush(self.heap, (now, priority, next(self._eids), callback, value))

    def call(self, delay: float, callback: Callable[[Any], None], value: Any = None,
             priority: int = ACTIVITY) -> None:
        """Run `callback(value)` after `delay` (at `priority` among events of that instant)."""
        heappush(self.heap, (self.now + delay, priority, next(self._eids), callback, value))

    def first_time(self) -> float:
        """The time of the next entry (IndexError when there is none)."""
        return self.heap[0][0]

    def pop(self) -> tuple[float, Callable[[Any], None] | None, Any]:
        """The next entry as (time, callback, value); IndexError when empty."""
        now, _, _, callback, value = heappop(self.heap)
        return now, callback, value

    def run(self, stop: simpy.Event, fire: Callable[[simpy.Event], None]) -> None:
        """Run every entry up to `stop` (a SimPy event: `fire(event)`), setting the clock
        to each entry's time."""
        heap, pop = self.heap, heappop
        while heap:
            entry = pop(heap)
            self.now = entry[0]
            callback = entry[3]
            if callback is not None:
                callback(entry[4])
            elif entry[4] is stop:
                stop.callbacks = None
                return
            else:
                fire(entry[4])


try:  # the compiled build's queue: the same heap of C structs
    from .cqueue import Queue
except ImportError:
    Queue = HeapQueue


def Call(env: Environment, delay: float, callback: Callable[[Any], None],
         value: Any = None, priority: int = ACTIVITY) -> None:
    """Run `callback(value)` after `delay` (at `priority` among events of that instant)."""
    queue = env.queue
    queue.call(delay, callback, value, priority)


class Environment(simpy.Environment):
    """SimPy's environment, whose queue (`queue`) also holds `Call` entries and the clock."""

    def __init__(self, initial_time: float = 0) -> None:
        self.queue = Queue()
        super().__init__(initial_time)
        self._queue = self._eid = None  # SimPy's own queue is not used

    @property
    def _now(self) -> float:  # SimPy's clock attribute, kept by the queue
        return self.queue.now

    @_now.setter
    def _now(self, now: float) -> None:
        self.queue.now = now

    def schedule(self, event: simpy.Event, priority: int = NORMAL, delay: float = 0) -> None:
        queue = self.queue
        queue.push(queue.now + delay, priority, None, event)

    def peek(self) -> float:
        queue = self.queue
        return queue.first_time() if len(queue) else Infinity

    def step(self) -> None:
        try:
            now, callback, value = self.queue.pop()
        except IndexError:
            raise EmptySchedule() from None
        self.queue.now = now
        if callback is not None:
            callback(value)
        else:
            _fire(value)  # SimPy's own event

    def run_until(self, at: float) -> None:
        """`run(until=at)`, the loop written out: every event before the stop event that
        `run` would schedule at `at` (URGENT, so events at `at` with a lower priority, or
        scheduled before it, run first)."""
        if at <= self._now:
            raise ValueError(f"until (={at}) must be greater than the current simulation "
                             f"time")
        stop = simpy.Event(self)
        stop._ok, stop._value = True, None
        queue = self.queue
        queue.push(queue.now + (at - queue.now), URGENT, None, stop)
        queue.run(stop, _fire)


def _fire(event: simpy.Event) -> None:
    """What `simpy.Environment.step` does with a popped event."""
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
