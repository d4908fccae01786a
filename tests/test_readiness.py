"""Readiness states as the field counts them, and scheduled maintenance that does something.

Response tests: each compares two runs that differ in one mechanism under common random
numbers (same seed, same streams) and fails if the output does not move as the field says
it must: a tail without its radar flies training sorties and counts PMC; the depot's
possession leaves the MC rate's denominator; an overhaul that restores the airframe makes
failures rarer, and skipping overhauls makes them more frequent; the depot load starts in
its stationary state; tails in the depot claim parts last.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.fleet import DEPOT, FMC, NMCS, PMC
from sim.model.world import World, simulate

from .helpers import interval, replicate, scenario, values

QUIET = {"mtbf_flight_hours": math.inf, "calendar_failures_per_year": 0.0, "initial_stock": 0}


def one_tail(essential: str, pmc_flies: bool = True) -> World:
    """One tail whose radar fails on its first sortie and never comes back."""
    lrus = {"engine": dict(QUIET), "pump": dict(QUIET),
            "radar": {"mtbf_flight_hours": 1e-3, "initial_stock": 0, "essential": essential,
                      "condemned_fraction": 1.0, "supply": {}}}
    changes = {"run": {"years": 0.25}, "cannibalization": {"policy": "none"},
               "flying": {"pmc_flies": pmc_flies},
               "types": {"A": {"count": 1, "fleet_hours_per_day": 2.0, "lrus": lrus}}}
    world = World(scenario(changes), 0, 1)
    world.run()
    return world


def test_a_tail_missing_only_a_mission_lru_flies_and_counts_pmc():
    mission = one_tail("mission")
    tail = mission.squadrons[0].fleet.tails[0]
    values_ = mission.run().values["A"]
    assert tail.state == PMC and tail.missing == [0, 1, 0]
    assert values_["pmc_aircraft"] > 0.99 and values_["fmc_aircraft"] < 0.01
    assert values_["mc_rate"] > 0.99 and values_["fmc_rate"] < 0.01
    assert values_["flight_hours"] >= 2.0 * 0.25 * 365 - 2  # it flew the whole programme
    grounded = one_tail("flight")  # the same failure of a flight-essential kind grounds it
    assert grounded.squadrons[0].fleet.tails[0].state == NMCS
    assert grounded.run().values["A"]["flight_hours"] <= 2.0
    kept_down = one_tail("mission", pmc_flies=False)  # PMC, but kept on the ground
    assert kept_down.squadrons[0].fleet.tails[0].state == PMC
    assert kept_down.run().values["A"]["flight_hours"] <= 2.0


def test_nmcb_is_both_maintenance_and_supply():
    """A tail waiting for a flight-essential unit while another is being fitted is NMCB."""
    world = World(scenario({"run": {"years": 0.1}}), 0, 1)
    tail = world.squadrons[0].fleet.tails[0]
    maint = world.squadrons[0].maintenance
    maint._set_missing(tail, 0, 1, 0.0)
    tail.units[0].pop()
    maint.work(tail, 1.0, 1)  # on the radar, flight-essential by default
    world.squadrons[0].fleet.restate(tail, 0.0)
    assert tail.state == 4  # NMCB
    result = world.run()
    assert result.values["A"]["nmcb_aircraft"] > 0
    assert math.isclose(result.values["A"]["tnmcs_aircraft"],
                        result.values["A"]["nmcs_aircraft"] + result.values["A"]["nmcb_aircraft"])


AGING = {"count": 20, "fleet_hours_per_day": 8.0, "aging_per_year": 0.3, "age_years": 20.0,
         "age_spread_years": 10.0}
OVERHAUL = {"interval_years": 0.5, "days": 5.0, "depot_slots": "unlimited"}


def removals_per_fh(changes: dict, n: int = 40) -> np.ndarray:
    base = {"run": {"years": 3.0, "warmup_days": 365}, "types": {"A": AGING}}
    runs = replicate(scenario(_merge(base, changes)), n, seed=7)
    return values(runs, "A", "removals") / values(runs, "A", "flight_hours")


def _merge(a: dict, b: dict) -> dict:
    from sim.scenario import deep_merge
    return deep_merge(a, b)


def test_an_overhaul_that_restores_the_airframe_makes_failures_rarer():
    """Paired: the same overhauls, restoring all (1) or none (0) of the accrued aging."""
    restoring = removals_per_fh({"types": {"A": {"overhaul": {**OVERHAUL,
                                                               "restores_aging_fraction": 1.0}}}})
    idle = removals_per_fh({"types": {"A": {"overhaul": {**OVERHAUL,
                                                          "restores_aging_fraction": 0.0}}}})
    low, high = interval(idle - restoring)
    assert low > 0, (low, high)
    # under 30%/yr aging, taking back the aging of each half-year keeps the rate ~25% lower
    assert np.mean(idle - restoring) / np.mean(idle) > 0.1


def test_skipping_overhauls_raises_removals():
    """Paired: the same fleet and programme with restoring overhauls, and with none."""
    overhauled = removals_per_fh({"types": {"A": {"overhaul": {**OVERHAUL,
                                                                "restores_aging_fraction": 0.7}}}})
    skipped = removals_per_fh({})
    low, _ = interval(skipped - overhauled)
    assert low > 0


def test_depot_possession_leaves_the_mc_rate_denominator():
    changes = {"run": {"years": 1.0}, "types": {"A": {"overhaul": {
        "interval_years": 1.0, "days": 120.0, "depot_slots": "unlimited"}}}}
    result = simulate(scenario(changes), 0, 3)
    v = result.values["A"]
    assert v["depot_aircraft"] > 1.0
    assert math.isclose(v["possessed_aircraft"], v["active_aircraft"] - v["depot_aircraft"])
    assert math.isclose(v["mc_rate"], v["flyable_aircraft"] / v["possessed_aircraft"])
    assert v["mc_rate"] > v["flyable_aircraft"] / v["active_aircraft"]


def test_the_depot_load_starts_stationary():
    """With calendar overhauls, the depot holds days / (interval + days) of the fleet from
    the first month on: no start-up gap and no wave (the old start put nobody in work)."""
    n, interval_years, days = 60, 2.0, 180.0
    changes = {"run": {"years": 4.0}, "types": {"A": {
        "count": n, "fleet_hours_per_day": 0.0,
        "overhaul": {"interval_years": interval_years, "days": days, "depot_slots": "unlimited"}}}}
    runs = replicate(scenario(changes), 30, seed=2)
    busy = np.array([r.monthly["A"]["overhaul_busy"] for r in runs])  # reps x months
    expected = n * days / (interval_years * 365.25 + days)
    mean = busy.mean(axis=0)
    half = 3 * busy.std(axis=0, ddof=1) / np.sqrt(len(runs)) + 0.3
    assert np.all(np.abs(mean - expected) < half), (expected, mean.round(1))
    first_year, last_year = mean[:12].mean(), mean[-12:].mean()
    assert abs(first_year - last_year) < 0.08 * expected  # no trend


def test_tails_in_the_depot_claim_parts_last():
    """Count the units fitted to tails the depot possesses: none when they claim last,
    some when they may claim at any time (`depot_claim_days` large)."""
    def fitted_in_depot(claim_days: float) -> int:
        changes = {"run": {"years": 2.0}, "maintenance": {"depot_claim_days": claim_days},
                   "types": {"A": {"count": 16, "fleet_hours_per_day": 12.0, "overhaul": {
                       "interval_years": 0.5, "days": 60.0, "depot_slots": "unlimited"}}}}
        total = 0
        for rep in range(6):
            world = World(scenario(changes), rep, 4)
            maint = world.squadrons[0].maintenance
            install = maint._install

            def counting(tail, k, reliability, days, install=install):
                nonlocal total
                total += tail.state == DEPOT
                install(tail, k, reliability, days)
            maint._install = counting
            world.run()
        return total

    assert fitted_in_depot(0.0) == 0
    assert fitted_in_depot(1e6) > 0


def test_fmc_only_where_nothing_is_missing():
    """In every replication's end state, FMC tails miss nothing and have no work."""
    world = World(scenario({"types": {"A": {"lrus": {"radar": {"essential": "mission"}}}}}), 0, 9)
    world.run()
    for tail in world.squadrons[0].fleet.tails:
        if tail.state == FMC:
            assert tail.n_missing == 0 and tail.work == 0 and tail.mission_work == 0
        if tail.state == PMC:
            assert tail.n_grounding == 0 and tail.work == 0


def test_role_groups_and_combat_sum_their_types():
    """Each role group is the sum of its types; COMBAT leaves out transport and trainer;
    a type without a role is in no group; rates are rebuilt from the group's sums."""
    a = {"count": 4, "fleet_hours_per_day": 3.0, "sortie_hours": 1.0}
    changes = {"types": {"A": {"role": "air_defence"},
                         "B": {**a, "role": "air_defence", "lrus": {}},
                         "C": {**a, "role": "transport", "lrus": {}},
                         "D": {**a, "lrus": {}}}}
    result = simulate(scenario(changes), 0, 5)
    v = result.values
    assert {"role:air_defence", "role:transport", "COMBAT", "ALL"} <= set(v)
    for metric in ("fmc_aircraft", "flight_hours", "active_aircraft", "removals"):
        assert math.isclose(v["role:air_defence"][metric], v["A"][metric] + v["B"][metric])
        assert math.isclose(v["COMBAT"][metric], v["role:air_defence"][metric])
        assert math.isclose(v["ALL"][metric], sum(v[t][metric] for t in "ABCD"))
    group = v["role:air_defence"]
    assert math.isclose(group["mc_rate"], group["flyable_aircraft"] / group["possessed_aircraft"])
    assert np.allclose(result.monthly["COMBAT"]["fmc_aircraft"],
                       result.monthly["A"]["fmc_aircraft"] + result.monthly["B"]["fmc_aircraft"])
