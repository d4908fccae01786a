"""Focused checks of single mechanisms: supply under sanctions, fuel caps, grey-market
reliability, inspections, life limits, stripping, accidents and pilot conversion."""

import datetime as dt
import math

import numpy as np
import pytest

from sim.model.fleet import RETIRED
from sim.model.world import World, simulate
from sim.model.supply import RateProfile
from sim.schema import PartChannel, Run, Sanctions

from sim.scenario import deep_merge

from .helpers import BASE, interval, replicate, scenario, values

QUIET = {"mtbf_flight_hours": math.inf, "calendar_failures_per_year": 0.0}


def no_failures(years: float, **type_a) -> dict:
    """Changes to the small scenario: nothing fails; type A gets `type_a`."""
    lrus = {k: dict(QUIET) for k in ("engine", "radar", "pump")}
    return {"run": {"years": years}, "types": {"A": {"lrus": lrus, **type_a}}}


def test_rate_profile_applies_dates_and_sanctions():
    run = Run(start_date=dt.date(2023, 1, 1))
    channel = PartChannel(units_per_year=12, start_date=dt.date(2023, 3, 1),
                          end_date=dt.date(2024, 3, 1), sanctions_factor=0.5)
    profile = RateProfile(channel, run, Sanctions(start_date=dt.date(2023, 7, 1)), 730.5)
    assert profile.at(10) == 0 and profile.at(100) == 1.0 and profile.at(200) == 0.5
    assert profile.at(500) == 0
    assert profile.time_of(0.0) == run.day_of(dt.date(2023, 3, 1))
    assert math.isinf(profile.time_of(1e6))


def test_part_supply_under_sanctions_delivers_its_integral():
    changes = {"run": {"years": 1.0}, "sanctions": {"start_date": dt.date(2023, 7, 2)},
               "types": {"A": {"fleet_hours_per_day": 0.0, "lrus": {"radar": {"supply": {
                   "domestic": {"units_per_year": 24, "lead_days": 0, "sanctions_factor": 0.5},
                   "package": {"units": 7, "start_date": dt.date(2023, 4, 1)}}}}}}}
    result = simulate(scenario(changes), 0, 1)
    # 24/yr for 182 days, 12/yr for 183.25 days, steady from day 0; plus the one-off 7
    expected = math.floor(24 * 182 / 365.25 + 12 * 183.25 / 365.25) + 1 + 7
    assert result.values["A"]["radar.resupplied"] == expected


def test_fuel_cap_binds_per_calendar_year():
    changes = {"run": {"years": 2.0},
               "fuel": {"jet": {"initial_t": 0.0, "channels": {
                   "legal": {"t_per_year": 1200.0, "cap_t_per_year": 500.0},
                   "banned": {"t_per_year": 1000.0, "sanctions_factor": 0.0}}}},
               "sanctions": {"start_date": dt.date(2020, 1, 1)},
               "types": {"A": {"fleet_hours_per_day": 0.0}}}
    result = simulate(scenario(changes), 0, 1)
    assert result.values["ALL"]["jet.fuel_delivered_t"] == pytest.approx(1000.0)


def test_grey_market_units_fail_faster():
    world = World(scenario(), 0, 1)
    squadron = world.squadrons[0]
    maint = squadron.maintenance
    tail = squadron.fleet.tails[0]
    k = list(squadron.cfg.lrus).index("engine")
    genuine = tail.rate
    tail.units[k] = [1.0, 0.5]  # one engine from the black market at half the MTBF
    maint.rerate(tail)
    assert tail.rate == pytest.approx(genuine + 1 / 150)
    picks = []
    for _ in range(3000):
        tail.units[k] = [1.0, 0.5]
        maint.rerate(tail)
        picks.append(squadron.failures._pop_unit(tail))
    grey = sum(1 for kind, r in picks if kind == k and r == 0.5)
    engine = sum(1 for kind, _ in picks if kind == k)
    assert abs(grey / engine - 2 / 3) < 0.04  # twice the rate of the genuine one


def test_inspections_fall_due_by_flight_hours():
    changes = no_failures(1.0, inspection={"interval_flight_hours": 50.0, "days": 2.0})
    result = simulate(scenario(changes), 0, 1)
    hours = result.values["A"]["flight_hours"]
    # each tail is due every 50 FH (the first at a random point of its cycle)
    assert hours / 50 - 12 <= result.values["A"]["inspections"] <= hours / 50 + 12
    assert result.values["A"]["nmcm_aircraft"] > 0


def test_life_limit_retires_and_strips():
    changes = no_failures(0.5, airframe_hours=100.0, airframe_life_hours=110.0,
                          retired_tails="strip")
    result = simulate(scenario(changes), 0, 1)
    assert result.values["A"]["retired_aircraft"] > 0
    monthly = result.monthly["A"]
    assert monthly["retired_aircraft"][-1] == 12  # all twelve flew past 110 FH
    assert monthly["stock"][-1] > monthly["stock"][0]  # their LRUs went to the shelf


def test_calendar_life_retires_the_oldest_first():
    changes = no_failures(2.0, age_years=30.0, age_spread_years=4.0, airframe_life_years=31.0,
                          retired_tails="scrap")
    world = World(scenario(changes), 0, 1)
    world.run()
    ages = [(t.age, t.state) for t in world.squadrons[0].fleet.tails]
    assert all((state == RETIRED) == (age >= 29.0) for age, state in ages)


@pytest.mark.slow
def test_accident_rate_matches_its_hazard():
    changes = no_failures(2.0, count=40, fleet_hours_per_day=30.0,
                          accidents={"per_100k_flight_hours": 2000.0})
    runs = replicate(scenario(changes), 12, 5)
    rate = values(runs, "A", "losses") / values(runs, "A", "flight_hours") * 1e5
    low, high = interval(rate)
    assert low <= 2000.0 <= high


def test_conversion_moves_pilots_between_types():
    crew = {"count": 10, "max_sorties_per_day": 2}
    changes = {"run": {"years": 1.0}, "types": {
        "A": {"pilots": crew},
        "B": {"count": 4, "sortie_hours": 1.0, "fleet_hours_per_day": 2.0,
              "pilots": {"count": 0, "conversions": {"course": {
                  "from_type": "A", "pilots": 4, "start_date": dt.date(2023, 3, 1),
                  "duration_days": 60}}}}}}
    world = World(scenario(changes), 0, 1)
    result = world.run()
    a, b = (sq.crew for sq in world.squadrons)
    assert a.active_pilots() == 6 and b.active_pilots() == 4
    assert result.values["B"]["sorties"] > 0
    assert result.monthly["B"]["pilots_in_conversion"][2] == 4  # March: in the course
    assert result.monthly["B"]["pilots"][0] == 0


def test_a_later_delivery_leaves_the_earlier_draws_alone():
    """Common random numbers across transfer scenarios: nothing changes before the delivery."""
    base = {"run": {"years": 2.0}}
    later = {"run": {"years": 2.0}, "types": {"A": {"deliveries": [
        {"date": dt.date(2024, 7, 1), "count": 3}]}}}
    a = simulate(scenario(base), 0, 1)
    b = simulate(scenario(later), 0, 1)
    before = a.months.index("2024-07")
    for metric in ("fmc_aircraft", "nmcs_aircraft", "sorties", "removals"):
        assert np.array_equal(a.monthly["A"][metric][:before], b.monthly["A"][metric][:before])
    assert b.values["A"]["delivered_aircraft"] == 3


def test_fuel_priority_with_cover_protects_the_first_type():
    """Two equal types on a short fuel supply: with days of cover kept for it, the type
    first in priority flies its programme and the other takes what is left."""
    def run(cover: float):
        changes = no_failures(2.0, fuel="jet", fuel_burn_t_per_hour=1.0,
                              fleet_hours_per_day=10.0)
        changes["types"]["B"] = deep_merge(BASE["types"]["A"], changes["types"]["A"])
        changes["fuel"] = {"jet": {"initial_t": 0.0, "priority": ["A", "B"],
                                   "priority_cover_days": cover,
                                   "channels": {"c": {"t_per_year": 3650.0}}}}
        result = simulate(scenario(changes), 0, 1)
        return result.values["A"]["sorties"], result.values["B"]["sorties"]

    a0, b0 = run(0.0)
    a30, b30 = run(31.0)
    assert abs(a0 - b0) < 0.1 * a0           # priority for the day only: nearly even
    assert a30 > 0.9 * 2 * 365.25 * 10       # covered: A flies nearly all of its programme
    assert b30 < 0.2 * a30
    assert a30 + b30 == pytest.approx(a0 + b0, rel=0.05)  # the same fuel, shared otherwise
