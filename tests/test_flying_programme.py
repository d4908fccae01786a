"""Flying that the model produces: the fuel-budget programme, sortie generation capacity in a
maximum-effort surge, and surges that recur and shift hours within the year.

Response tests (paired, common random numbers): where fuel binds, more fuel flies more hours,
X tonnes a year buying X / burn hours until the pilots' ceiling binds and nothing after; in a
shortage the first-priority type keeps its hours and the last absorbs it; a maximum-effort
day flies exactly min(FMC x cycles, pilots x sorties a day, fuel / fuel per sortie)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.model.world import simulate
from sim.scenario import deep_merge, validate

from .helpers import interval

QUIET = {"mtbf_flight_hours": math.inf}


def budget_scenario(**changes) -> dict:
    """Two years of one type under a fuel budget: 10 pilots who would fly 200 h a year each
    (2,000 FH, 4,000 t of fuel) on deliveries of 1,200 t a year: fuel binds."""
    base = {
        "name": "budget",
        "run": {"years": 3.0, "warmup_days": 365.25},
        "flying": {"programme": "fuel_budget", "window_hours": 10},
        "cannibalization": {"policy": "full"},
        "fuel": {"jet": {"initial_t": 100.0, "reserve_t": 50.0, "channels": {
            "home": {"t_per_year": 1200.0, "cv": 0.4, "disruption_probability": 0.1}}}},
        "types": {"A": {
            "count": 10, "sortie_hours": 1.0, "turnaround_hours": 1.0,
            "hours_per_pilot_per_year": 200.0, "fuel": "jet", "fuel_burn_t_per_hour": 2.0,
            "pilots": {"count": 10, "max_sorties_per_day": 2},
            "repair": {"channels": "unlimited"},
            "lrus": {"engine": {"mtbf_flight_hours": 300.0, "initial_stock": 2,
                                "repair_days": {"distribution": "exponential", "mean": 20}}},
        }},
    }
    return validate(deep_merge(base, changes))


def runs(scenario, n=12, seed=11):
    return [simulate(scenario, k, seed) for k in range(n)]


def paired(a, b, group, metric):
    return np.array([y.values[group][metric] - x.values[group][metric] for x, y in zip(a, b)])


def test_more_fuel_flies_more_hours_where_fuel_binds():
    extra = 400.0  # t a year: 200 FH a year at 2 t/FH, 200 FH over the two-year window
    base = runs(budget_scenario())
    more = runs(budget_scenario(fuel={"jet": {"channels": {"russia": {"t_per_year": extra}}}}))
    gain = paired(base, more, "A", "flight_hours")
    low, high = interval(gain)
    expected = extra * 2.0 / 2.0  # two years of statistics, at 2 t per flight hour
    assert low <= expected <= high, (expected, low, high)
    assert low > 0
    # the fuel not flown is lost for want of fuel, and less of it with more fuel
    assert np.all(paired(base, more, "A", "sorties_lost_no_fuel") < 0)


def test_fuel_beyond_the_demand_flies_nothing_more():
    # 30,000 t a year and a deterministic supply: the demand (2,000 FH) is always budgeted
    rich = {"fuel": {"jet": {"channels": {"home": {"t_per_year": 30000.0, "cv": 0.0,
                                                   "disruption_probability": 0.0}}}}}
    richer = deep_merge(rich, {"fuel": {"jet": {"channels": {"russia": {"t_per_year": 5000.0}}}}})
    a, b = runs(budget_scenario(**rich), 4), runs(budget_scenario(**richer), 4)
    for x, y in zip(a, b):
        assert x.values["A"]["flight_hours"] == y.values["A"]["flight_hours"]
        assert x.values["A"]["sorties_lost_no_fuel"] == 0


def test_the_pilots_ceiling_caps_what_more_fuel_buys():
    # 4 pilots, one sortie a day each: at most ~1,461 FH a year whatever the fuel
    capped = {"types": {"A": {"pilots": {"count": 4, "max_sorties_per_day": 1},
                              "hours_per_pilot_per_year": 600.0}},
              "fuel": {"jet": {"channels": {"home": {"t_per_year": 20000.0}}}}}
    more = deep_merge(capped, {"fuel": {"jet": {"channels": {"russia": {"t_per_year": 8000.0}}}}})
    a, b = runs(budget_scenario(**capped), 6), runs(budget_scenario(**more), 6)
    for x, y in zip(a, b):
        assert x.values["A"]["flight_hours"] == y.values["A"]["flight_hours"]
        assert x.values["A"]["sorties_lost_no_pilot"] > 0  # the pilots bind, not the fuel
        assert x.values["A"]["flight_hours"] <= 4 * 2 * 366


def test_demand_is_flown_or_lost_by_cause():
    for r in runs(budget_scenario(), 4):
        v = r.values["A"]
        accounted = v["sorties"] + v["sorties_lost_no_fuel"] + v["sorties_lost_no_aircraft"] + \
            v["sorties_lost_no_pilot"]
        assert v["sorties_planned"] <= v["sorties_demanded"] + 1e-6
        assert abs(v["sorties_demanded"] - accounted) <= 12  # what is pending at the edges


def shortage(priority: list[str]):
    three = {name: {"count": 6, "sortie_hours": 1.0, "hours_per_pilot_per_year": 100.0,
                    "fuel": "jet", "fuel_burn_t_per_hour": 2.0,
                    "pilots": {"count": 6}, "lrus": {"engine": {"mtbf_flight_hours": 300.0,
                     "repair_days": {"distribution": "exponential", "mean": 10}}}}
             for name in ("First", "Second", "Last")}
    # demand 3 x 600 FH = 3,600 t a year; deliveries 2,200 t: the last type absorbs 1,400 t
    return validate({
        "name": "shortage", "run": {"years": 3.0, "warmup_days": 365.25},
        "flying": {"programme": "fuel_budget"},
        "fuel": {"jet": {"initial_t": 0.0, "priority": priority, "channels": {
            "home": {"t_per_year": 2200.0, "cv": 0.3, "deliveries_per_year": 24}}}},
        "types": three})


def test_in_a_shortage_the_first_priority_keeps_its_hours():
    # (with no stock held above the reserve, a delivery that fails outright is lost to every
    # type: the supply here varies but always comes)
    results = runs(shortage(["First", "Second", "Last"]), 8)
    for r in results:
        first, last = r.values["First"], r.values["Last"]
        assert first["flight_hours"] >= 0.95 * first["sorties_demanded"]  # 1 h sorties
        assert last["sorties_lost_no_fuel"] > 10 * first["sorties_lost_no_fuel"]
    lost_last = np.array([r.values["Last"]["sorties_lost_no_fuel"] for r in results])
    assert interval(lost_last)[0] > 2 * 1400 / 2.0 * 0.8  # most of 1,400 t a year, 2 years


def test_priority_order_decides_who_absorbs_the_shortage():
    a = runs(shortage(["First", "Second", "Last"]), 4)
    b = runs(shortage(["Last", "Second", "First"]), 4)
    for x, y in zip(a, b):
        assert y.values["Last"]["flight_hours"] > x.values["Last"]["flight_hours"]
        assert y.values["First"]["flight_hours"] < x.values["First"]["flight_hours"]


# -- maximum-effort surges --------------------------------------------------------------------


def surge_scenario(tails: int, pilots: int, sorties: int, fuel_t: float, mtbf=math.inf):
    """A 3-day maximum-effort surge on day 10 of a fleet that does not fly otherwise: a 10-h
    window of 2-h cycles (5 a day), 1.5-h sorties at 2 t/FH (3 t a sortie), no resupply."""
    return validate({
        "name": "surge", "run": {"years": 0.1},
        "flying": {"programme": "fuel_budget", "window_hours": 10, "surges": [
            {"start_date": dt.date(2023, 1, 11), "end_date": dt.date(2023, 1, 14),
             "effort": "max"}]},
        "fuel": {"jet": {"initial_t": fuel_t, "reserve_t": fuel_t / 2}},
        "types": {"A": {
            "count": tails, "sortie_hours": 1.5, "turnaround_hours": 0.5,
            "hours_per_pilot_per_year": 0.0, "fuel": "jet", "fuel_burn_t_per_hour": 2.0,
            "pilots": {"count": pilots, "max_sorties_per_day": sorties},
            "inspection": {"interval_flight_hours": 3.0, "days": 5.0},
            "lrus": {"engine": {"mtbf_flight_hours": mtbf, "initial_stock": 0,
                                "repair_days": {"distribution": "exponential", "mean": 30}}},
        }}})


@pytest.mark.parametrize("tails,pilots,sorties,fuel_t", [
    (6, 10, 4, 1e6),    # the aircraft bind: 6 x 5 = 30 a day
    (6, 4, 3, 1e6),     # the pilots bind: 4 x 3 = 12 a day
    (6, 10, 4, 100.0),  # fuel binds, reserve included: 33 sorties, then none
])
def test_max_effort_day_flies_the_ceiling_exactly(tails, pilots, sorties, fuel_t):
    result = simulate(surge_scenario(tails, pilots, sorties, fuel_t), 0, 1)
    rows = [r for r in result.surge_daily if r[0] == "A"]
    assert [r[1] for r in rows] == ["2023-01-11", "2023-01-12", "2023-01-13"]
    stock = fuel_t
    for _, _, flown, fmc, *_ in rows:
        ceiling = min(fmc * 5, pilots * sorties, math.floor(stock / 3.0 + 1e-9))
        assert fmc == tails  # inspections wait: every tail stays FMC through the surge
        assert flown == ceiling
        stock -= 3.0 * flown
    assert result.values["A"]["surge_sorties_per_day"] == pytest.approx(
        np.mean([r[2] for r in rows]))
    first = [t for t, m in enumerate(result.months)][0]
    assert result.values["A"]["inspections"] > 0  # deferred in the surge, worked after it
    assert first == 0


def test_max_effort_first_day_with_failures_meets_the_pilots_ceiling():
    # engines fail every ~20 FH; the pilots bind (4 x 3 = 12 against 12 x 5 = 60 cycles)
    for k in range(5):
        result = simulate(surge_scenario(12, 4, 3, 1e6, mtbf=20.0), k, 3)
        day, flown, fmc = result.surge_daily[0][1:4]
        assert day == "2023-01-11" and flown == min(fmc * 5, 12)
        assert all(r[2] <= min(r[3] * 5, 12) for r in result.surge_daily if r[0] == "A")


# -- recurring and shifted surges -------------------------------------------------------------


def calendar_scenario(surges):
    return validate({
        "name": "calendar", "run": {"years": 3.0},
        "flying": {"programme": "per_pilot", "window_hours": 12, "surges": surges},
        "types": {"A": {"count": 20, "sortie_hours": 1.0, "hours_per_pilot_per_year": 365.25,
                        "pilots": {"count": 10, "max_sorties_per_day": 6},
                        "lrus": {"engine": {"mtbf_flight_hours": math.inf}}}}})


def test_a_shifted_winter_surge_recurs_and_keeps_the_years_hours():
    winter = {"start_date": dt.date(2023, 1, 1), "end_date": dt.date(2023, 3, 1),
              "multiplier": 3.0, "mode": "shift", "every_years": 1}
    plain = simulate(calendar_scenario([]), 0, 1).monthly["A"]["sorties"]
    shifted = simulate(calendar_scenario([winter]), 0, 1).monthly["A"]["sorties"]
    for year in range(3):
        months = slice(12 * year, 12 * year + 12)
        assert abs(shifted[months].sum() - plain[months].sum()) <= 2  # same hours a year
        jan, jul = shifted[12 * year], shifted[12 * year + 6]
        assert jan / 31 == pytest.approx(3 * jul / 31, rel=0.03)  # three times the rate


def test_an_added_surge_adds_hours_only_in_its_window():
    exercise = {"start_date": dt.date(2024, 3, 1), "end_date": dt.date(2024, 4, 1),
                "multiplier": 2.0}
    plain = simulate(calendar_scenario([]), 0, 1).monthly["A"]["sorties"]
    added = simulate(calendar_scenario([exercise]), 0, 1).monthly["A"]["sorties"]
    march = 14
    assert added[march] == pytest.approx(2 * plain[march], abs=2)
    others = np.delete(np.arange(len(plain)), [march, march + 1])
    np.testing.assert_allclose(added[others], plain[others], atol=1)
