"""Scheduled callbacks: the one kind of event the model creates on its hot paths, and the
SimPy environment that runs them.

`Call(env, delay, callback, value)` runs `callback(value)` after `delay` (a sortie's
landing gets its tail, say). It is no SimPy event object: it is one entry on the
environment's queue, `(time, priority, eid, callback, value)`, pushed exactly as
`Environment.schedule` pushes `(time, priority, eid, event)`, so that it takes the same
place in the order of events as a SimPy timeout scheduled at that moment would, and costs
one tuple and one heap push. `Environment` is SimPy's, with a `step` that runs both kinds of
entry (SimPy's own events, such as processes and timeouts, keep their semantics), and
`run_until`, the same loop as `run(until=...)` written out for the model's main run.

Events at the same instant run in priority order: dated changes of scenario values first,
then deliveries, then the day's planning (fuel rationing), then everything else (sorties,
repairs, the day's programme); at one instant and priority, in the order they were
scheduled (the eid).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy

CHANGE, DELIVERY, PLANNING, ACTIVITY = -2, -1, 0, 1  # SimPy's own events use 1 (NORMAL)
URGENT = simpy.core.URGENT


def Call(env: simpy.Environment, delay: float, callback: Callable[[Any], None],
         value: Any = None, priority: int = ACTIVITY) -> None:
    """Run `callback(value)` after `delay` (at `priority` among events of that instant)."""
    heappush(env._queue, (env._now + delay, priority, next(env._eid), callback, value))


class Environment(simpy.Environment):
    """SimPy's environment, whose queue also holds `Call` entries."""

    def step(self) -> None:
        queue = self._queue
        if queue and len(queue[0]) == 5:
            entry = heappop(queue)
            self._now = entry[0]
            entry[3](entry[4])
        else:
            super().step()  # SimPy's own event (or EmptySchedule)

    def run_until(self, at: float) -> None:
        """`run(until=at)`, the loop written out: every event before the stop event that
        `run` would schedule at `at` (URGENT, so events at `at` with a lower priority, or
        scheduled before it, run first)."""
        if at <= self._now:
            raise ValueError(f"until (={at}) must be greater than the current simulation "
                             f"time")
        stop = simpy.Event(self)
        stop._ok, stop._value = True, None
        queue = self._queue
        heappush(queue, (self._now + (at - self._now), URGENT, next(self._eid), stop))
        _loop(self, queue, stop)


def _loop(env: Environment, queue: list, stop: simpy.Event) -> None:
    """`run_until`'s loop: every entry up to `stop`."""
    pop = heappop
    while queue:
        entry = pop(queue)
        env._now = entry[0]
        if len(entry) == 5:
            entry[3](entry[4])
        elif entry[3] is stop:
            stop.callbacks = None
            return
        else:
            _fire(entry[3])


def _fire(event: simpy.Event) -> None:
    """What `simpy.Environment.step` does with a popped event."""
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
