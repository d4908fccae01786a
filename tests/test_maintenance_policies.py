"""Maintenance policies of issue 10 (4): strictly oldest-first FIFO allocation after a
cannibalization, demand-triggered cannibalization, one-for-one procurement of condemned
units and an operating requirement with tails in reserve."""

from sim.model.world import World
from sim.scenario import validate

QUIET = {  # no flying, nothing fails by itself, nothing comes back from repair in the run
    "name": "quiet",
    "run": {"years": 0.2},
    "flying": {"programme": "fleet_hours", "window_hours": 12},
    "cannibalization": {"policy": "full", "hours_per_action": 0.0},
    "maintenance": {"allocation": "fifo"},
    "types": {"A": {"count": 3, "sortie_hours": 1.0, "fleet_hours_per_day": 0.0,
                    "lrus": {k: {"mtbf_flight_hours": float("inf"),
                                 "repair_days": {"distribution": "deterministic",
                                                 "mean": 1000.0}}
                             for k in ("a", "b")}}},
}


def test_fifo_stays_oldest_first_after_a_cannibalization_completes_a_tail():
    world = World(validate(QUIET), 0, 1)
    env, maint = world.env, world.squadrons[0].maintenance
    t0, t1, _ = maint.tails
    a, b = 0, 1
    env.run(until=1.0)
    maint.on_failures(t0, [(a, 1.0)])   # day 1: tail 0 waits for an a (backorder 1 of a)
    env.run(until=2.0)
    maint.on_failures(t1, [(b, 1.0)])   # day 2: tail 1 waits for a b; CANN takes tail 0's b
    assert t1.n_missing == 0 and t0.missing == [1, 1]  # tail 0 now waits for a b too (day 2)
    env.run(until=3.0)
    maint.on_failures(t1, [(b, 1.0)])   # day 3: tail 1 needs a b again; no donor has one
    assert t1.missing == [0, 1]
    maint.receive(b)                    # the first b to arrive fills the oldest backorder
    assert t0.missing[b] == 0 and t1.missing[b] == 1, "a completed tail jumped the queue"
    maint.receive(b)
    assert t1.missing[b] == 0
