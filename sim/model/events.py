"""Scheduled callbacks: the one kind of SimPy event the model creates on its hot paths.

`Call(env, delay, callback, value)` is a SimPy timeout born with its callback and a value
(a sortie's tail, say), so that scheduling costs one object and one heap push: it pushes
onto the environment's queue exactly as `Environment.schedule` does, without the call.

Events at the same instant run in priority order: dated changes of scenario values first,
then deliveries, then the day's planning (fuel rationing), then everything else (sorties,
repairs, the day's programme).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy

CHANGE, DELIVERY, PLANNING, ACTIVITY = -2, -1, 0, 1  # SimPy's own events use 1 (NORMAL)


class Call(simpy.Event):
    """Run `callback(event)` after `delay`; `event.value` is `value`."""

    def __init__(self, env: simpy.Environment, delay: float,
                 callback: Callable[[simpy.Event], None], value: Any = None,
                 priority: int = ACTIVITY):
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        heappush(env._queue, (env._now + delay, priority, next(env._eid), self))
