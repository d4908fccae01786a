"""Property tests: invariants of the model over generated small scenarios (hypothesis)."""

import datetime as dt
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.fleet import DEPOT, LOST, STATE_METRICS, state_of
from sim.model.world import World, simulate
from sim.scenario import validate
from sim.schema import threshold_label

PROFILE = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])

names = st.sampled_from(["MiG-21", "Su-25", "An-2"])
dates = st.dates(dt.date(2022, 6, 1), dt.date(2024, 1, 1))
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
def windows(draw):
    out = {"sanctions_factor": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))}
    if draw(st.booleans()):
        out["start_date"] = draw(dates)
    if draw(st.booleans()):
        out["end_date"] = out.get("start_date", dt.date(2022, 1, 1)) + dt.timedelta(
            days=draw(st.integers(1, 400)))
    return out


@st.composite
def part_channels(draw):
    return draw(windows()) | {
        "units_per_year": draw(st.floats(0, 20)),
        "units": draw(st.integers(0, 5)),
        "lead_days": draw(st.floats(0, 100)),
        "arrivals": draw(st.sampled_from(["steady", "poisson"])),
        "reliability": draw(st.sampled_from([1.0, 0.5])),
    }


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
        "essential": draw(st.sampled_from(["flight", "mission"])),
        "supply": {f"c{i}": draw(part_channels()) for i in range(draw(st.integers(0, 2)))},
    }
    if lru["supply"] and draw(st.booleans()):  # one-for-one procurement of condemned units
        lru["supply"]["c0"]["reorder"] = "condemned"
    if draw(st.booleans()):
        lru["repair_channels"] = draw(channels)
    return lru


@st.composite
def pilots(draw, others, cadre=False):
    out = {
        "count": draw(st.integers(0, 12)),
        "initial_12m_hours": draw(st.sampled_from([0.0, 20.0, 150.0])),
        "initial_hours_on_type": draw(st.sampled_from([0.0, 10_000.0])),
        "proficiency_hours": draw(st.sampled_from([10.0, [5.0, 50.0], [20.0, 50.0, 100.0]])),
        "intake_per_year": draw(st.sampled_from([0.0, 6.0])),
        "intake_elite_share": draw(st.sampled_from([0.0, 0.5])),
        "training_days": draw(st.sampled_from([0.0, 60.0])),
        "attrition_per_year": draw(st.sampled_from([0.0, 0.3])),
        "elite": draw(st.integers(0, 4)),
        "max_sorties_per_day": draw(st.integers(1, 3)),
    }
    if cadre:
        out["cadre_pilots"] = draw(st.integers(0, 4))
        out["cadre_hours_per_year"] = draw(st.sampled_from([10.0, 300.0]))
    if others and draw(st.booleans()):
        n = draw(st.integers(1, 5))
        out["conversions"] = {"c": {"from_type": draw(st.sampled_from(others + ["intake"])),
                                    "pilots": n, "start_date": draw(dates),
                                    "duration_days": draw(st.sampled_from([0.0, 30.0])),
                                    "elite": draw(st.integers(0, n))}}
    return out


@st.composite
def aircraft_types(draw, programme, fuels, others, cadre=False):
    kinds = draw(st.lists(st.sampled_from(["engine", "radar", "pump", "gear"]),
                          max_size=3, unique=True))
    age = draw(st.floats(1, 40))
    t = {
        "count": draw(st.integers(0, 10)),
        "age_years": age,
        "age_spread_years": draw(st.floats(0, 2 * age)),
        "airframe_hours": 200.0,
        "airframe_hours_spread": draw(st.floats(0, 400)),
        "airframe_life_hours": draw(st.sampled_from([math.inf, 600.0, 2000.0])),
        "airframe_life_years": draw(st.sampled_from([math.inf, age + 0.3])),
        "retired_tails": draw(st.sampled_from(["strip", "scrap"])),
        "sortie_hours": draw(st.floats(0.3, 3)),
        "turnaround_hours": draw(st.sampled_from([0.0, 1.0])),
        "repair": {"channels": draw(channels)},
        "lrus": {k: draw(lrus()) for k in kinds},
        "pilots": draw(pilots(others, cadre)),
    }
    if draw(st.booleans()):
        t["max_operating"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        t["min_fmc"] = draw(st.integers(0, 4))
    if draw(st.booleans()):
        t["aging_per_year"] = draw(st.sampled_from([0.0, 0.05, 0.3]))
    else:
        t["aging_weibull_shape"] = draw(st.sampled_from([0.8, 2.0]))
    key = {"fleet_hours": "fleet_hours_per_day", "per_aircraft": "hours_per_aircraft_per_day",
           "per_pilot": "hours_per_pilot_per_year", "fuel_budget": "hours_per_pilot_per_year"
           }[programme]
    t[key] = draw(st.floats(0, 6)) * (1 if key.endswith("_day") else 100)
    if programme == "fuel_budget":
        t["min_hours_per_pilot_per_year"] = t[key] * draw(st.sampled_from([0.0, 0.3]))
        t["max_fleet_hours_per_year"] = draw(st.sampled_from([math.inf, 300.0]))
    if fuels and draw(st.booleans()):
        t["fuel"] = draw(st.sampled_from(fuels))
        t["fuel_burn_t_per_hour"] = draw(st.sampled_from([0.0, 1.0, 3.0]))
    if draw(st.booleans()):
        t["inspection"] = {"interval_flight_hours": draw(st.sampled_from([20.0, 100.0])),
                           "interval_months": draw(st.sampled_from([1.0, 6.0])),
                           "days": draw(st.sampled_from([1.0, 10.0])), "docks": draw(channels)}
    if draw(st.booleans()):
        t["overhaul"] = {"interval_flight_hours": draw(st.sampled_from([50.0, 300.0])),
                         "interval_years": draw(st.sampled_from([None, 0.3])),
                         "days": draw(st.sampled_from([5.0, 60.0])),
                         "depot_slots": draw(st.sampled_from([0, 1, "unlimited"])),
                         "restores_aging_fraction": draw(st.sampled_from([0.0, 0.5, 1.0]))}
    if draw(st.booleans()):
        t["role"] = draw(st.sampled_from(["air_defence", "strike", "transport"]))
    if draw(st.booleans()):
        t["accidents"] = {"per_100k_flight_hours": draw(st.sampled_from([0.0, 2000.0])),
                          "reference_12m_hours": draw(st.sampled_from([0.0, 50.0, 500.0])),
                          "risk_hours": [0.0, 50.0],
                          "risk_multiplier": [draw(st.sampled_from([1.0, 5.0])), 1.0],
                          "age_factor_per_year": 0.05,
                          "pilot_loss_probability": draw(st.sampled_from([0.0, 1.0]))}
    if draw(st.booleans()):
        t["deliveries"] = [{"date": draw(dates), "count": draw(st.integers(1, 4))}]
    return t


@st.composite
def fuel_kinds(draw):
    return {
        "initial_t": draw(st.sampled_from([0.0, 10.0, 500.0])),
        "reserve_t": draw(st.sampled_from([0.0, 5.0])),
        "air_force_share": draw(st.sampled_from([1.0, 0.3])),
        "channels": {"c": draw(windows()) | {
            "t_per_year": draw(st.sampled_from([0.0, 100.0, 2000.0])),
            "deliveries_per_year": draw(st.sampled_from([12.0, 365.25])),
            "cv": draw(st.sampled_from([0.0, 0.5])),
            "disruption_probability": draw(st.sampled_from([0.0, 0.3])),
            "cap_t_per_year": draw(st.sampled_from([math.inf, 300.0]))}},
    }


@st.composite
def scenarios(draw):
    programme = draw(st.sampled_from(["fleet_hours", "per_aircraft", "per_pilot", "fuel_budget"]))
    policy = draw(st.sampled_from(["none", "capped", "full", "demand"]))
    fuels = draw(st.lists(st.sampled_from(["jet", "avgas"]), max_size=2, unique=True))
    type_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    raw = {
        "name": "generated",
        "run": {"years": draw(st.floats(0.1, 1.0)), "warmup_days": draw(st.sampled_from([0, 10]))},
        "flying": {"programme": programme, "window_hours": draw(st.sampled_from([8.0, 24.0])),
                   "pilot_assignment": draw(st.sampled_from(["fewest_hours", "equal",
                                                             "elite_first", "cadre"])),
                   "pmc_flies": draw(st.booleans()),
                   "surges": [{"start_date": dt.date(2023, 2, 1), "end_date": dt.date(2023, 3, 1),
                               "multiplier": draw(st.sampled_from([0.5, 2.0]))}, draw(surges())]},
        "cannibalization": {"policy": policy,
                            "max_actions_per_month": draw(st.integers(0, 5)),
                            "hours_per_action": draw(st.sampled_from([0.0, 6.0])),
                            "damage_probability": draw(st.sampled_from([0.0, 0.3])),
                            "min_fmc": draw(st.sampled_from([0, 3]))},
        "maintenance": {"allocation": draw(st.sampled_from(["closest_to_fmc", "fifo"])),
                        "depot_claim_days": draw(st.sampled_from([0.0, 20.0, 1e6]))},
        "sanctions": {"start_date": dt.date(2023, 3, 1)},
        "fuel": {kind: draw(fuel_kinds()) for kind in fuels},
        "types": {},
    }
    for i, n in enumerate(type_names):
        raw["types"][n] = draw(aircraft_types(programme, fuels, type_names[:i],
                                              raw["flying"]["pilot_assignment"] == "cadre"))
    raw["changes"] = draw(st.lists(changes(raw), max_size=3))
    return validate(raw)


@st.composite
def surges(draw):
    """A recurring shifted surge, or a short maximum-effort one."""
    if draw(st.booleans()):
        return {"start_date": dt.date(2022, 12, 1), "end_date": dt.date(2023, 1, 15),
                "multiplier": 3.0, "mode": "shift", "every_years": 1}
    start = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 200)))
    return {"start_date": start, "end_date": start + dt.timedelta(days=draw(st.integers(1, 5))),
            "effort": "max"}


@st.composite
def changes(draw, raw):
    """A dated change of a value that can change, on a date inside the run."""
    first = next(iter(raw["types"]))
    t = raw["types"][first]
    options = [("cannibalization.policy", st.sampled_from(["none", "full", "demand"])),
               (f"types.{first}.pilots.attrition_per_year", st.sampled_from([0.0, 0.5])),
               (f"types.{first}.pilots.intake_per_year", st.sampled_from([0.0, 20.0]))]
    for kind in t["lrus"]:
        options += [(f"types.{first}.lrus.{kind}.mtbf_flight_hours", st.floats(5, 500)),
                    (f"types.{first}.lrus.{kind}.repair_days.mean", st.floats(0.5, 60))]
    for kind in raw["fuel"]:
        options.append((f"fuel.{kind}.channels.c.t_per_year", st.sampled_from([0.0, 5000.0])))
    key, values = draw(st.sampled_from(options))
    days = draw(st.integers(0, max(0, int(raw["run"]["years"] * 365.25) - 1)))
    return {"date": dt.date(2023, 1, 1) + dt.timedelta(days=days), "key": key,
            "value": draw(values)}


def audit(world: World) -> None:
    """Check the instantaneous state of every aircraft type, its pilots and the fuel."""
    for depot in world.depots.values():
        assert depot.stock.value >= -1e-9
        assert depot.used.n <= depot.cfg.initial_t + depot.delivered.n + 1e-6
    for squadron in world.squadrons:
        fleet, maint = squadron.fleet, squadron.maintenance
        states = [t.state for t in fleet.tails]
        assert fleet.count == [states.count(s) for s in range(len(STATE_METRICS))]
        assert len(fleet.tails) == squadron.cfg.count + fleet.delivered.n
        assert squadron.losses.n == fleet.count[LOST]
        waiting = []
        for t in fleet.tails:
            assert t.n_missing == sum(t.missing)
            assert all(0 <= m <= z for m, z in zip(t.missing, maint.z))
            assert t.work >= 0 and t.mission_work >= 0
            assert t.n_grounding == sum(m for m, g in zip(t.missing, maint.grounding) if g)
            if t.state < LOST:
                assert t.missing == [z - len(u) for z, u in zip(maint.z, t.units)]
                assert t.state == state_of(t)  # one state each, the one its condition implies
                if t.n_missing:
                    waiting.append((t.n_missing, t.serial))
                rate = sum(sum(1 / r for r in u) * inv
                           for u, inv in zip(t.units, maint.inverse_mtbf))
                assert math.isclose(t.rate, rate, rel_tol=1e-9, abs_tol=1e-12)
            else:
                assert t.n_missing == 0
            assert not t.flying or fleet.flies[t.state] or t.state == LOST
        assert maint.waiting == sorted(waiting)
        assert sorted([*squadron.pool, *squadron.reserve], key=id) == sorted(
            (t for t in fleet.tails if fleet.flies[t.state] and not t.flying), key=id)
        assert squadron.airborne == sum(1 for t in fleet.tails if t.flying)
        operating = len(squadron.pool) + squadron.airborne  # at most max_operating operate
        assert operating <= squadron.cap and (not squadron.reserve or operating == squadron.cap)
        assert squadron.reserve_level.value == len(squadron.reserve)
        assert squadron.cap == squadron.max_operating or squadron.max_effort
        assert maint.readying >= 0
        depot = squadron.scheduled.depot
        in_depot = sum(1 for t in fleet.tails if t.state == DEPOT)
        assert in_depot == sum(1 for t in fleet.tails if t.depot and t.state < LOST)
        if depot is not None:  # the depot possesses exactly the tails its slots work on
            assert in_depot <= depot.busy.value
        for k, lru in enumerate(maint.lrus):
            missing = sum(t.missing[k] for t in fleet.tails)
            assert lru.stock.value == len(lru.shelf) >= 0 and lru.in_repair.value >= 0
            assert lru.backorders.value == missing
            assert maint.donor_units[k] == sum(lru.z - fleet.tails[s].missing[k]
                                               for _, s in waiting)
            # every unit is somewhere: shelf, repair, on a tail (flying, grounded or gone)
            on_tails = sum(len(t.units[k]) for t in fleet.tails)
            start = lru.z * len(fleet.tails) + lru.cfg.initial_stock
            assert (lru.stock.value + lru.in_repair.value + on_tails
                    == start + lru.resupplied.n - lru.condemned.n)
            assert lru.on_order.value >= 0 and (lru.reorder or lru.on_order.value == 0)
            if maint.fifo:  # one open queue entry per missing unit, the rest stale
                for t in fleet.tails:
                    open_ = maint.issued[k].get(t.serial, 0) - maint.filled[k].get(t.serial, 0)
                    assert open_ == t.missing[k]
                assert sum(1 for s, token in maint.backorder_queue[k]
                           if token >= maint.filled[k].get(s, 0)) == missing
        if squadron.crew:
            crew = squadron.crew
            active = [p for p in crew.pilots if p.active]
            assert crew.count.value == len(active)
            cadre = sum(p.cadre for p in active)  # the cadre is full while pilots are there
            assert cadre == crew.cadre_count == min(crew.cadre_size, len(active))
            for p in crew.pilots:
                assert math.isclose(p.rolling, sum(p.months), abs_tol=1e-6)
                assert p.rolling >= -1e-9 and all(h >= 0 for h in p.months)
                assert p.rolling <= p.total + crew.cfg.initial_12m_hours + 1e-6


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
        total = sum(monthly[m] for m in STATE_METRICS)
        if cfg.deliveries:  # tails join mid-month: between the old and the new count
            assert np.all(total >= cfg.count - 1e-9)
            assert np.all(total <= cfg.count + sum(d.count for d in cfg.deliveries) + 1e-9)
        else:
            np.testing.assert_allclose(total, cfg.count, rtol=1e-9, atol=1e-9)
        active = sum(monthly[m] for m in STATE_METRICS[:LOST])
        np.testing.assert_allclose(monthly["active_aircraft"], active, rtol=1e-12)
        np.testing.assert_allclose(monthly["possessed_aircraft"] + monthly["depot_aircraft"],
                                   active, rtol=1e-12)
        np.testing.assert_allclose(monthly["flyable_aircraft"] + monthly["nmcm_aircraft"] +
                                   monthly["tnmcs_aircraft"], monthly["possessed_aircraft"],
                                   rtol=1e-9, atol=1e-9)
        for metrics in (monthly, result.values[name]):
            mc = np.asarray(metrics["mc_rate"], dtype=float)
            assert np.all((mc[~np.isnan(mc)] >= 0) & (mc[~np.isnan(mc)] <= 1 + 1e-12))
            for m in ("stock", "backorders", "in_repair", "sorties", "flight_hours"):
                assert np.all(np.asarray(metrics[m]) >= -1e-9)
            assert np.all(np.asarray(metrics["sorties_planned"]) <=
                          np.asarray(metrics["sorties_demanded"]) + 1e-6)
        if cfg.pilots:  # more pilots over a lower threshold; deciles ascend; crewed <= pilots
            over = [monthly[f"pilots_over_{threshold_label(h)}h"]
                    for h in cfg.pilots.proficiency_hours]
            for low, high in zip(over, over[1:]):
                assert np.all(low >= high - 1e-9)
            for h, n in zip(cfg.pilots.proficiency_hours, over):
                crewed = monthly[f"crewed_fmc_{threshold_label(h)}h"]
                assert np.all(crewed <= n + 1e-9)  # both sampled at each month's start
            deciles = [monthly[f"pilot_12m_hours_p{q}"] for q in range(10, 100, 10)]
            for low, high in zip(deciles, deciles[1:]):
                assert np.all(low <= high + 1e-9)
    steady_policy = not any(c.key.startswith("cannibalization") for c in scen.changes) and \
        not any(s.effort == "max" for s in scen.flying.surges)
    if scen.cannibalization.policy == "none" and steady_policy:
        assert result.values["ALL"]["cannibalizations"] == 0


@PROFILE
@given(scenarios())
def test_no_failures_means_always_mission_capable(scen):
    types = {}
    for name, t in scen.types.items():
        lrus = {k: lru.model_copy(update={"mtbf_flight_hours": math.inf,
                                          "calendar_failures_per_year": 0.0})
                for k, lru in t.lrus.items()}
        types[name] = t.model_copy(update={"lrus": lrus, "airframe_life_hours": math.inf,
                                           "airframe_life_years": math.inf, "inspection": None,
                                           "overhaul": None, "accidents": None})
    result = simulate(scen.model_copy(update={"types": types, "changes": []}), 0, 5)
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


def _strip_supply(scen, **type_updates):
    fuel = {k: f.model_copy(update={"initial_t": 0.0, "channels": {}})
            for k, f in scen.fuel.items()}
    types = {n: t.model_copy(update=type_updates) for n, t in scen.types.items()}
    return scen.model_copy(update={"fuel": fuel, "types": types, "changes": []})


@PROFILE
@given(scenarios())
def test_no_fuel_means_no_sorties_of_the_types_that_burn_it(scen):
    result = simulate(_strip_supply(scen), 0, 3)
    for name, t in scen.types.items():
        if t.fuel is not None and t.fuel_burn_t_per_hour > 0:
            assert result.values[name]["sorties"] == 0
            assert result.values[name]["fuel_used_t"] == 0


@PROFILE
@given(scenarios())
def test_no_pilots_means_no_sorties(scen):
    types = {}
    for name, t in scen.types.items():
        crew = t.pilots.model_copy(update={"count": 0, "intake_per_year": 0.0,
                                           "conversions": {}})
        types[name] = t.model_copy(update={"pilots": crew})
    result = simulate(scen.model_copy(update={"types": types, "changes": []}), 0, 3)
    for name in scen.types:
        assert result.values[name]["sorties"] == 0
        assert result.values[name]["pilot_flight_hours"] == 0


@PROFILE
@given(scenarios())
def test_pilot_hours_add_up_to_the_sorties_flown(scen):
    run = scen.run.model_copy(update={"years": 0.9})
    kept = [c for c in scen.changes if run.day_of(c.date) < run.horizon_days]
    scen = scen.model_copy(update={"run": run, "changes": kept})
    world = World(scen, 0, 4)
    result = world.run()
    for squadron in world.squadrons:
        crew, name = squadron.crew, squadron.fleet.name
        logged = sum(p.total for p in crew.pilots)
        assert math.isclose(logged, crew.flown.n, abs_tol=1e-6)
        # under a year, no hour flown has left the window: the rolling sums hold them all
        for p in crew.pilots:
            start = crew.cfg.initial_12m_hours if p.serial < crew.cfg.count else 0.0
            assert p.rolling >= p.total - 1e-6 or not p.active
            assert p.rolling <= p.total + start + 1e-6
        if squadron.cfg.accidents is None:  # every sortie's hours went to its pilot
            airborne = sum(1 for t in squadron.fleet.tails if t.flying) * squadron.sortie_hours
            assert math.isclose(crew.flown.n + airborne, squadron.flight_hours.n, abs_tol=1e-6)
        assert result.values[name]["losses"] <= squadron.cfg.count + squadron.fleet.delivered.n
