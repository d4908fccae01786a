"""The fuel-budget programme in steady state, for the analytic screen.

Under `fuel_budget` a type flies what the fuel allocation gives it, not its demand. In steady
state the budget of a year is the year's expected deliveries (at the rates in force on the
date, after disruptions, caps and the air force's share), allocated in the fuel's priority
order as the model's planner does: every type's minimum first, then the rest of each demand.
The stock above the reserve is spent down over the budget horizon, so it adds nothing in
steady state. A pure function of a Scenario (no SimPy, no I/O).
"""

from __future__ import annotations

import datetime as dt

from .model.supply import RateProfile
from .schema import Scenario

DAYS_PER_YEAR = 365.25


def budgeted_hours(scenario: Scenario, date: dt.date, pilots) -> dict[str, float]:
    """Flight hours a year each type can fly on `date` under the fuel budget;
    `pilots(name)` gives the expected pilots current on a type then."""
    day = scenario.run.day_of(date)
    demand = {}
    for name, t in scenario.types.items():
        per_year = pilots(name) * (t.hours_per_pilot_per_year or 0.0)
        demand[name] = min(per_year, t.max_fleet_hours_per_year)
    hours = {name: d for name, d in demand.items() if scenario.types[name].fuel is None}
    for kind, fuel in scenario.fuel.items():
        supply = sum(min(ch.t_per_year * RateProfile(ch, scenario.run, scenario.sanctions,
                                                     scenario.run.horizon_days).at(day)
                         * (1.0 - ch.disruption_probability), ch.cap_t_per_year)
                     for ch in fuel.channels.values()) * fuel.air_force_share
        burning = [n for n in fuel.priority if scenario.types[n].fuel == kind]
        burning += [n for n, t in scenario.types.items() if t.fuel == kind and n not in burning]
        given = dict.fromkeys(burning, 0.0)
        for tier in range(2):
            for name in burning:
                t = scenario.types[name]
                share = (t.min_hours_per_pilot_per_year / t.hours_per_pilot_per_year
                         if tier == 0 and t.hours_per_pilot_per_year else 1.0)
                want = max(0.0, share * demand[name] * t.fuel_burn_t_per_hour - given[name])
                take = min(want, supply)
                given[name] += take
                supply -= take
        for name in burning:
            burn = scenario.types[name].fuel_burn_t_per_hour
            hours[name] = given[name] / burn if burn else demand[name]
    return hours
