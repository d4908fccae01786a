"""Maintenance policies of issue 10 (4): strictly oldest-first FIFO allocation after a
cannibalization, demand-triggered cannibalization, one-for-one procurement of condemned
units and an operating requirement with tails in reserve."""

import datetime as dt

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


def _one_for_one(window: dict, sanctions: dict | None = None):
    from sim.scenario import deep_merge

    lru = {"condemned_fraction": 1.0,
           "supply": {"buy": {"reorder": "condemned", "lead_days": 10.0, **window}}}
    raw = deep_merge(QUIET, {"run": {"start_date": dt.date(2023, 1, 1), "years": 1.0},
                             "types": {"A": {"lrus": {"a": lru}}}})
    if sanctions:
        raw["sanctions"] = sanctions
    world = World(validate(raw), 0, 1)
    env, maint = world.env, world.squadrons[0].maintenance
    tail, lru = maint.tails[0], maint.lrus[0]
    env.run(until=1.0)
    maint.on_failures(tail, [(0, 1.0)])  # condemned: one unit on order
    assert lru.condemned.n == 1 and lru.on_order.value == 1
    while tail.missing[0] and env.now < 360:
        env.run(until=env.now + 0.5)
    assert lru.on_order.value == 0 and lru.resupplied.n == 1
    return env.now


def test_one_for_one_orders_arrive_after_the_lead_time_of_open_channel():
    assert 11.0 <= _one_for_one({}) <= 11.5                        # open: day 1 + 10
    opens = {"start_date": dt.date(2023, 3, 2)}                     # day 60
    assert 70.0 <= _one_for_one(opens) <= 70.5                      # waits for the opening
    half = {"sanctions_factor": 0.5}                                # sanctions from day 0
    assert 21.0 <= _one_for_one(half, {"start_date": dt.date(2023, 1, 1)}) <= 21.5  # doubled
