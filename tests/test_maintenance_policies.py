"""Maintenance policies of issue 10 (4): strictly oldest-first FIFO allocation after a
cannibalization, demand-triggered cannibalization, one-for-one procurement of condemned
units and an operating requirement with tails in reserve."""

import datetime as dt

import numpy as np

from sim.model.fleet import FMC
from sim.model.world import World
from sim.scenario import deep_merge, validate

from .helpers import interval, replicate, scenario, values

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


# -- demand-triggered cannibalization (paired: common random numbers, only the policy changes)

PLENTY = {"run": {"years": 2.0, "warmup_days": 60},  # 24 tails, 6 one-hour sorties a day
          "cannibalization": {"hours_per_action": 4.0},
          "types": {"A": {"count": 24, "fleet_hours_per_day": 6.0}}}


def _policy(policy: str, **cann):
    return scenario(deep_merge(PLENTY, {"cannibalization": {"policy": policy, **cann}}))


def test_demand_cannibalizes_less_than_full_and_flies_the_same_when_tails_are_plentiful():
    n = 12
    full, demand = replicate(_policy("full"), n, 5), replicate(_policy("demand"), n, 5)
    cann = values(demand, "A", "cannibalizations") - values(full, "A", "cannibalizations")
    low, high = interval(cann)
    assert high < 0, f"demand - full CANN: CI [{low:.1f}, {high:.1f}]"
    assert values(full, "A", "cannibalizations").min() > 0
    sorties = values(demand, "A", "sorties") - values(full, "A", "sorties")
    low, high = interval(sorties)
    flown = values(full, "A", "sorties").mean()
    assert low <= 0 <= high or max(abs(low), abs(high)) < 0.005 * flown, \
        f"demand - full sorties: CI [{low:.1f}, {high:.1f}] of {flown:.0f}"


def _time_at_floor(scen, floor: int, replication: int) -> float:
    """Share of sampled instants (every 6 hours after the warm-up) with FMC >= floor."""
    world = World(scen, replication, 8)
    fleet, hits, times = world.squadrons[0].fleet, 0, 0
    t = scen.run.warmup_days + 0.1
    while t < world.horizon:
        world.env.run(until=t)
        hits += fleet.count[FMC] >= floor
        times += 1
        t += 0.25
    return hits / times


def test_a_posture_floor_keeps_fmc_at_the_floor_more_often():
    floor, n = 10, 8
    starved = {"types": {"A": {"count": 12, "fleet_hours_per_day": 5.0}}}
    with_floor = scenario(deep_merge(PLENTY, starved | {"cannibalization": {
        "policy": "demand", "min_fmc": floor}}))
    no_floor = scenario(deep_merge(PLENTY, starved | {"cannibalization": {"policy": "demand"}}))
    none = scenario(deep_merge(PLENTY, starved | {"cannibalization": {"policy": "none"}}))
    share = {name: np.array([_time_at_floor(s, floor, k) for k in range(n)])
             for name, s in (("floor", with_floor), ("no_floor", no_floor), ("none", none))}
    for other in ("no_floor", "none"):
        low, high = interval(share["floor"] - share[other])
        assert low > 0, f"floor - {other}: share of time FMC >= {floor}: CI [{low:.3f}, {high:.3f}]"


def test_a_type_s_own_posture_floor_replaces_the_global_one():
    def cann(global_floor: int, own: int | None) -> float:
        changes = {"cannibalization": {"policy": "demand", "min_fmc": global_floor},
                   "types": {"A": {"count": 12, "fleet_hours_per_day": 5.0}}}
        if own is not None:
            changes["types"]["A"]["min_fmc"] = own
        return replicate(scenario(deep_merge(PLENTY, changes)), 1, 2)[0].values["A"][
            "cannibalizations"]

    assert cann(10, 0) == cann(0, None) < cann(0, 10) == cann(10, None)


def test_a_max_effort_surge_cannibalizes_in_full_under_demand_and_returns_to_it():
    surge = {"flying": {"surges": [{"start_date": dt.date(2023, 6, 1),
                                    "end_date": dt.date(2023, 6, 8), "effort": "max"}]}}
    scen = scenario(deep_merge(PLENTY, surge | {"run": {"start_date": dt.date(2023, 1, 1)},
                                                "cannibalization": {"policy": "demand"}}))
    world = World(scen, 0, 3)
    maint = world.squadrons[0].maintenance
    world.env.run(until=scen.run.day_of(dt.date(2023, 6, 3)))
    assert maint.policy == "full"
    world.env.run(until=scen.run.day_of(dt.date(2023, 6, 10)))
    assert maint.policy == "demand" and not maint.auto


# -- an operating requirement: tails beyond max_operating stand in reserve

def test_only_max_operating_tails_fly_and_the_rest_stand_in_reserve():
    quiet = {k: {"mtbf_flight_hours": float("inf"), "calendar_failures_per_year": 0.0}
             for k in ("engine", "radar", "pump")}
    scen = scenario({"run": {"years": 0.5}, "types": {"A": {"max_operating": 4,
                                                             "lrus": quiet}}})
    world = World(scen, 0, 1)
    start = [t.hours for t in world.squadrons[0].fleet.tails]
    result = world.run()
    flown = sum(t.hours > h for t, h in zip(world.squadrons[0].fleet.tails, start))
    assert flown == 4  # nothing fails: the same four tails fly every sortie
    assert result.values["A"]["reserve_aircraft"] == 8
    assert result.values["A"]["fmc_aircraft"] == 12


RESERVE = {  # frequent failures, quick repair: tails go down often and come back
    "name": "reserve",
    "run": {"years": 2.0, "warmup_days": 60},
    "flying": {"programme": "fleet_hours", "window_hours": 12},
    "cannibalization": {"policy": "none"},
    "types": {"A": {"count": 16, "sortie_hours": 1.0, "fleet_hours_per_day": 16.0,
                    "lrus": {"unit": {"mtbf_flight_hours": 50.0, "repair_days": {
                        "distribution": "exponential", "mean": 5.0}}}}},
}


def _reserve(changes: dict, n: int, seed: int):
    return replicate(validate(deep_merge(RESERVE, changes)), n, seed)


def test_a_reserve_flies_the_programme_of_a_fleet_of_max_operating_tails():
    """Fleet programme (regime P): removals depend on the hours flown, not on which tails fly
    them; 16 tails operating 8 remove what 8 tails flying the same programme remove, with
    the reserve's tails FMC beside them."""
    n = 16
    reserve = _reserve({"types": {"A": {"max_operating": 8}}}, n, 4)
    eight = _reserve({"types": {"A": {"count": 8}}}, n, 4)
    hours = values(reserve, "A", "flight_hours")
    assert (hours >= values(eight, "A", "flight_hours")).all() and hours.std() == 0  # all flown
    low, high = interval(values(reserve, "A", "removals") - values(eight, "A", "removals"))
    assert low <= 0 <= high, f"removals, reserve - eight: CI [{low:.1f}, {high:.1f}]"
    assert values(reserve, "A", "reserve_aircraft").min() > 5
    low, high = interval(values(reserve, "A", "fmc_aircraft") - values(eight, "A", "fmc_aircraft"))
    assert low > 7


def test_max_operating_concentrates_hours_and_keeps_fmc_higher_per_aircraft_programme():
    """Regime F: each operating tail flies its hours; with 16 tails and 8 operating the
    fleet flies and fails as 8 do, so more tails stay FMC than when all 16 fly."""
    n = 12
    f = {"flying": {"programme": "per_aircraft"},
         "types": {"A": {"fleet_hours_per_day": None, "hours_per_aircraft_per_day": 2.0}}}
    capped = _reserve(deep_merge(f, {"types": {"A": {"max_operating": 8}}}), n, 6)
    free = _reserve(f, n, 6)
    low, high = interval(values(capped, "A", "fmc_aircraft") - values(free, "A", "fmc_aircraft"))
    assert low > 0, f"FMC, 8 operating - all operating: CI [{low:.2f}, {high:.2f}]"
    ratio = values(capped, "A", "flight_hours") / values(free, "A", "flight_hours")
    assert 0.4 < ratio.mean() < 0.6  # 8 of 16 fly
