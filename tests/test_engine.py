"""The model's event engine: `Call` entries and `Environment.run_until` keep SimPy's order
of events exactly, so that speed work on the engine leaves every result bit-identical.
(`benchmarks/check_unchanged.py --base <rev>` checks the default comparison against an
earlier revision.)"""

import numpy as np

from sim.model.events import ACTIVITY, DELIVERY, Call, Environment
from sim.model.world import World
from sim.scenario import load

from .helpers import ROOT, SCENARIOS

TESTS = ROOT / "tests" / "scenarios"


def _same(a, b) -> None:
    assert a.events == b.events and a.months == b.months and a.surge_daily == b.surge_daily
    assert a.values.keys() == b.values.keys()
    for group in a.values:
        for metric, x in a.values[group].items():
            y = b.values[group][metric]
            assert x == y or (np.isnan(x) and np.isnan(y)), (group, metric)
        for metric, xs in a.monthly[group].items():
            assert np.array_equal(xs, b.monthly[group][metric], equal_nan=True), (group, metric)


def _both(scenario):
    fast = World(scenario, 1, 7).run()  # the written-out loop
    world = World(scenario, 1, 7)
    world.env.run(until=world.horizon)  # SimPy's own run, stepping through `step`
    return fast, world.run()


def test_written_out_loop_equals_simpy_run_on_a_small_status_quo():
    scenario = load(SCENARIOS / "status_quo.toml", ["run.years=1", "run.warmup_days=0"])
    _same(*_both(scenario))


def test_written_out_loop_equals_simpy_run_on_the_tiny_scenario():
    _same(*_both(load(TESTS / "tiny.toml")))


def test_calls_and_simpy_events_share_one_order():
    env, seen = Environment(), []

    def proc(env):
        yield env.timeout(1.0)
        seen.append("timeout")

    Call(env, 1.0, seen.append, "call-before")
    env.process(proc(env))  # its timeout is scheduled when the process starts (URGENT, t=0)
    Call(env, 1.0, seen.append, "call-after")  # scheduled before the timeout is
    Call(env, 1.0, seen.append, "delivery", DELIVERY)  # a lower priority runs first
    Call(env, 0.5, seen.append, "early", ACTIVITY)
    env.run_until(2.0)
    assert seen == ["early", "delivery", "call-before", "call-after", "timeout"]
    assert env.now == 2.0


def test_reading_the_count_of_scheduled_entries_draws_no_eid():
    from sim.model.events import HeapQueue
    queue = HeapQueue()
    for t in (3.0, 1.0, 2.0):
        queue.push(t, ACTIVITY, print, t)
    assert queue.scheduled == queue.scheduled == 3
    queue.push(1.0, ACTIVITY, print, "last")  # eid 3: after the first entry at t=1
    assert [queue.pop()[2] for _ in range(4)] == [1.0, "last", 2.0, 3.0]
    assert queue.scheduled == 4 and len(queue) == 0


def test_the_clock_is_the_queues():
    """The environment's clock is its queue's (`queue.now`, which the model reads): SimPy's
    processes, `Call` and `queue.call` see one time, and `call` counts from it."""
    env, seen = Environment(), []

    def proc(env):
        yield env.timeout(1.5)
        seen.append(("process", env.now, env.queue.now))
        env.queue.call(0.25, lambda v: seen.append((v, env.now, env.queue.now)), "call")

    env.process(proc(env))
    Call(env, 1.0, lambda v: seen.append((v, env.now, env.queue.now)), "Call")
    env.run_until(2.0)
    assert seen == [("Call", 1.0, 1.0), ("process", 1.5, 1.5), ("call", 1.75, 1.75)]
    assert env.now == env.queue.now == 2.0
