"""Property tests: invariants of the model over generated small scenarios (hypothesis)."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.fleet import FMC, LOST, NMCM, NMCS
from sim.model.world import World, simulate
from sim.scenario import validate

PROFILE = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])

names = st.sampled_from(["MiG-21", "Su-25", "An-2"])
distributions = st.one_of(
    st.builds(lambda m: {"distribution": "deterministic", "mean": m}, st.floats(0.5, 60)),
    st.builds(lambda m: {"distribution": "exponential", "mean": m}, st.floats(0.5, 60)),
    st.builds(lambda m, cv: {"distribution": "lognormal", "mean": m, "cv": cv},
              st.floats(0.5, 60), st.floats(0.1, 2)),
    st.builds(lambda m, cv: {"distribution": "gamma", "mean": m, "cv": cv},
              st.floats(0.5, 60), st.floats(0.1, 2)),
)
channels = st.one_of(st.just("unlimited"), st.integers(1, 4))


@st.composite
def lrus(draw):
    lru = {
        "units_per_aircraft": draw(st.integers(1, 3)),
        "mtbf_flight_hours": draw(st.one_of(st.floats(5, 2000), st.just(math.inf))),
        "calendar_failures_per_year": draw(st.sampled_from([0.0, 0.5, 3.0])),
        "repair_days": draw(distributions),
        "condemned_fraction": draw(st.sampled_from([0.0, 0.1, 0.5])),
        "initial_stock": draw(st.integers(0, 4)),
        "remove_replace_hours": draw(st.sampled_from([0.0, 3.0, 30.0])),
    }
    if draw(st.booleans()):
        lru["repair_channels"] = draw(channels)
    if draw(st.booleans()):
        lru["resupply"] = {"units_per_year": draw(st.floats(0, 20)),
                           "lead_days": draw(st.floats(0, 100)),
                           "arrivals": draw(st.sampled_from(["steady", "poisson"]))}
    return lru


@st.composite
def aircraft_types(draw, programme):
    kinds = draw(st.lists(st.sampled_from(["engine", "radar", "pump", "gear"]),
                          max_size=3, unique=True))
    t = {
        "count": draw(st.integers(0, 10)),
        "age_years": draw(st.floats(0, 40)),
        "airframe_hours": draw(st.floats(0, 500)),
        "airframe_life_hours": draw(st.sampled_from([math.inf, 600.0, 2000.0])),
        "sortie_hours": draw(st.floats(0.3, 3)),
        "turnaround_hours": draw(st.sampled_from([0.0, 1.0])),
        "aging_per_year": draw(st.sampled_from([0.0, 0.05, 0.3])),
        "repair": {"channels": draw(channels)},
        "lrus": {k: draw(lrus()) for k in kinds},
    }
    if programme == "fleet_hours":
        t["fleet_hours_per_day"] = draw(st.floats(0, 40))
    else:
        t["hours_per_aircraft_per_day"] = draw(st.floats(0, 6))
    return t


@st.composite
def scenarios(draw):
    programme = draw(st.sampled_from(["fleet_hours", "per_aircraft"]))
    policy = draw(st.sampled_from(["none", "capped", "full"]))
    raw = {
        "name": "generated",
        "run": {"years": draw(st.floats(0.1, 1.0)), "warmup_days": draw(st.sampled_from([0, 10]))},
        "flying": {"programme": programme, "window_hours": draw(st.sampled_from([8.0, 24.0]))},
        "cannibalization": {"policy": policy,
                            "max_actions_per_month": draw(st.integers(0, 5)),
                            "hours_per_action": draw(st.sampled_from([0.0, 6.0])),
                            "damage_probability": draw(st.sampled_from([0.0, 0.3]))},
        "maintenance": {"allocation": draw(st.sampled_from(["closest_to_fmc", "fifo"]))},
        "types": {n: draw(aircraft_types(programme))
                  for n in draw(st.lists(names, min_size=1, max_size=3, unique=True))},
    }
    return validate(raw)


def audit(world: World) -> None:
    """Check the instantaneous state of every aircraft type."""
    for squadron in world.squadrons:
        fleet, maint = squadron.fleet, squadron.maintenance
        states = [t.state for t in fleet.tails]
        assert fleet.count == [states.count(s) for s in range(5)]
        waiting = []
        for t in fleet.tails:
            assert t.n_missing == sum(t.missing)
            assert all(0 <= m <= z for m, z in zip(t.missing, maint.z))
            assert t.work >= 0
            if t.state < LOST:
                assert t.state == (NMCM if t.work else NMCS if t.n_missing else FMC)
                if t.n_missing:
                    waiting.append((t.n_missing, t.serial))
            else:
                assert t.n_missing == 0
            assert not t.flying or t.state == FMC
        assert maint.waiting == sorted(waiting)
        for k, lru in enumerate(maint.lrus):
            missing = sum(t.missing[k] for t in fleet.tails)
            assert lru.stock.value >= 0 and lru.in_repair.value >= 0
            assert lru.backorders.value == missing
            assert maint.donor_units[k] == sum(lru.z - fleet.tails[s].missing[k]
                                               for _, s in waiting)
            # every unit is somewhere: shelf, repair, installed, or gone with its tail
            installed = sum(lru.z - t.missing[k] for t in fleet.tails)
            start = lru.z * len(fleet.tails) + lru.cfg.initial_stock
            assert (lru.stock.value + lru.in_repair.value + installed
                    == start + lru.resupplied.n - lru.condemned.n)


@PROFILE
@given(scenarios())
def test_state_invariants_hold_throughout(scen):
    world = World(scen, 0, 11)
    for t in np.linspace(0, world.horizon, 7)[1:-1]:
        world.env.run(until=t)
        audit(world)
    result = world.run()
    audit(world)
    for name, cfg in scen.types.items():
        monthly = result.monthly[name]
        total = sum(monthly[m] for m in ("fmc_aircraft", "nmcm_aircraft", "nmcs_aircraft",
                                         "lost_aircraft", "retired_aircraft"))
        np.testing.assert_allclose(total, cfg.count, rtol=1e-9, atol=1e-9)
        active = monthly["fmc_aircraft"] + monthly["nmcm_aircraft"] + monthly["nmcs_aircraft"]
        np.testing.assert_allclose(monthly["active_aircraft"], active, rtol=1e-12)
        for metrics in (monthly, result.values[name]):
            mc = np.asarray(metrics["mc_rate"], dtype=float)
            assert np.all((mc[~np.isnan(mc)] >= 0) & (mc[~np.isnan(mc)] <= 1 + 1e-12))
            for m in ("stock", "backorders", "in_repair", "sorties", "flight_hours"):
                assert np.all(np.asarray(metrics[m]) >= -1e-9)
    if scen.cannibalization.policy == "none":
        assert result.values["ALL"]["cannibalizations"] == 0


@PROFILE
@given(scenarios())
def test_no_failures_means_always_mission_capable(scen):
    types = {}
    for name, t in scen.types.items():
        lrus = {k: lru.model_copy(update={"mtbf_flight_hours": math.inf,
                                          "calendar_failures_per_year": 0.0})
                for k, lru in t.lrus.items()}
        types[name] = t.model_copy(update={"lrus": lrus, "airframe_life_hours": math.inf})
    result = simulate(scen.model_copy(update={"types": types}), 0, 5)
    for name, t in scen.types.items():
        if t.count:
            assert result.values[name]["mc_rate"] == 1.0
            assert result.values[name]["removals"] == 0
    assert result.values["ALL"]["cannibalizations"] == 0


@settings(max_examples=15, deadline=None)
@given(scenarios(), st.integers(0, 2**32 - 1), st.integers(0, 50))
def test_same_seed_same_result_and_scenario_untouched(scen, seed, replication):
    before = scen.model_dump()
    a = simulate(scen, replication, seed)
    b = simulate(scen, replication, seed)
    assert scen.model_dump() == before
    assert a.events == b.events and a.months == b.months
    assert a.values.keys() == b.values.keys()
    for group in a.values:
        assert a.values[group].keys() == b.values[group].keys()
        for metric, value in a.values[group].items():
            assert value == b.values[group][metric] or (math.isnan(value)
                                                        and math.isnan(b.values[group][metric]))
            assert np.array_equal(a.monthly[group][metric], b.monthly[group][metric],
                                  equal_nan=True)
