"""The fleet at a date, for the analytic screen: its tails, flying, pilots, aging,
deliveries of parts and scheduled work, restated from the scenario alone (no SimPy), as the
simulation would have them on average."""

from __future__ import annotations

import datetime as dt
import math

from .schema import AircraftType, Lru, PartChannel, Scenario
from .fuel_screen import budgeted_hours
from .model.supply import RateProfile

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


def fleet_aging(t: AircraftType):
    """The type's failure-rate multiplier `years` after the start date, as the simulation's
    `sim.model.failures.fleet_aging` (restated here: that module needs SimPy)."""
    if t.aging_weibull_shape:
        age, power = t.age_years, t.aging_weibull_shape - 1.0
        return lambda years: ((age + years) / age) ** power
    return lambda years: (1.0 + t.aging_per_year) ** years


def default_date(scenario: Scenario) -> dt.date:
    """The middle of the statistics window (after the warm-up)."""
    run = scenario.run
    middle = (run.warmup_days + run.horizon_days) / 2
    return run.start_date + dt.timedelta(days=round(middle))


def as_of(scenario: Scenario, date: dt.date) -> Scenario:
    """The scenario with its dated changes up to `date` applied (Russian support from 2025:
    the screen at 2028 sees the supported turnarounds). A rate changed on a date is taken
    as if it had held from the start when the screen counts deliveries and condemnations."""
    applied = [c for c in sorted(scenario.changes, key=lambda c: c.date) if c.date <= date]
    if not applied:
        return scenario
    from .scenario import set_key

    state = scenario.model_dump(exclude={"changes", "ranges", "range_groups"})
    for change in applied:
        set_key(state, change.key, change.value)
    return Scenario.model_validate(state)


def tails_at(scenario: Scenario, t: AircraftType, date: dt.date) -> float:
    """Tails of the type on `date`: the initial count and every delivery by then, less the
    tails past their calendar life (ages spread uniformly, as the simulation draws them)."""
    years = (date - scenario.run.start_date).days / DAYS_PER_YEAR
    life = t.airframe_life_years
    alive = t.count * _younger_than(life - years, t.age_years, t.age_spread_years)
    for d in t.deliveries:
        if d.date <= date:
            age = d.age_years + (date - d.date).days / DAYS_PER_YEAR
            alive += d.count * (1.0 if age < life else 0.0)
    return float(alive)


def _younger_than(limit: float, centre: float, spread: float) -> float:
    """Share of ages spread uniformly over centre +- spread / 2 below `limit`."""
    if spread <= 0:
        return 1.0 if centre < limit else 0.0
    return min(1.0, max(0.0, (limit - (centre - spread / 2)) / spread))


def planned_hours_per_day(scenario: Scenario, name: str, date: dt.date,
                          active: float) -> float | None:
    """Fleet flight hours a day the programme asks of the type (None: per FMC tail)."""
    t, programme = scenario.types[name], scenario.flying.programme
    if programme == "fleet_hours":
        return t.fleet_hours_per_day
    if programme == "per_aircraft":
        return None
    if programme == "fuel_budget":  # what the fuel allocation gives the type (steady state)
        hours = budgeted_hours(scenario, date, lambda n: pilots_at(scenario, n, date))
        return hours[name] / DAYS_PER_YEAR
    return pilots_at(scenario, name, date) * t.hours_per_pilot_per_year / DAYS_PER_YEAR


def pilots_at(scenario: Scenario, name: str, date: dt.date) -> float:
    """Expected pilots current on the type: intake and attrition from the start (the mean of
    dP/dt = intake - attrition x P), plus conversions finished by `date`, less those out."""
    p = scenario.types[name].pilots
    years = scenario.run.day_of(date) / DAYS_PER_YEAR
    a = p.attrition_per_year
    pilots = p.count + p.intake_per_year * years if a == 0 else (
        p.intake_per_year / a + (p.count - p.intake_per_year / a) * math.exp(-a * years))
    for conv in p.conversions.values():
        if conv.start_date + dt.timedelta(days=conv.duration_days) <= date:
            pilots += conv.pilots
    for other, ot in scenario.types.items():
        for conv in (ot.pilots.conversions.values() if ot.pilots else ()):
            if conv.from_type == name and conv.start_date <= date:
                pilots -= conv.pilots
    return max(0.0, pilots)


def hours_per_tail_per_day(scenario: Scenario, t: AircraftType) -> float:
    """The most one tail can fly in the daily window (back-to-back sorties)."""
    sorties = math.floor(scenario.flying.window_hours / (t.sortie_hours + t.turnaround_hours))
    return sorties * t.sortie_hours


def fresh_tails(scenario: Scenario, t: AircraftType, date: dt.date,
                per_tail_hours: float) -> float:
    """Delivered tails whose first overhaul is not yet due on `date`: a delivery comes
    freshly overhauled (the simulation enrols it at the start of its cycles), so it joins the
    depot's stationary load only after one interval (calendar, or flight hours at the
    fleet's mean flying)."""
    work = t.overhaul
    if work is None:
        return 0.0
    first = [work.interval_years * DAYS_PER_YEAR] if work.interval_years else []
    if work.interval_flight_hours and per_tail_hours > 0:
        first.append(work.interval_flight_hours / per_tail_hours)
    if not first:
        return 0.0
    due = min(first)
    return float(sum(d.count for d in t.deliveries
                     if d.date <= date and (date - d.date).days < due
                     and d.age_years + (date - d.date).days / DAYS_PER_YEAR
                     < t.airframe_life_years))


def fleet_history(scenario: Scenario, t: AircraftType, date: dt.date, active: float) -> float:
    """The type's mean tails from the start to `date` over its tails at `date`: the
    condemnations so far came from the fleet as it was (before a transfer's deliveries,
    before retirements), not from today's."""
    days = (date - scenario.run.start_date).days
    if days <= 0 or active <= 0:
        return 1.0
    steps = max(1, days // 30)
    start = scenario.run.start_date
    mean = sum(tails_at(scenario, t, start + dt.timedelta(days=(i + 0.5) * days / steps))
               for i in range(steps)) / steps
    return mean / active


def delivered(scenario: Scenario, lru: Lru, day: float) -> float:
    """Units the kind's supply channels have delivered by model day `day`."""
    return sum(_channel_units(scenario, ch, day) for ch in lru.supply.values())


def _channel_units(scenario: Scenario, ch: PartChannel, day: float) -> float:
    profile = RateProfile(ch, scenario.run, scenario.sanctions, max(day, 1e-9))
    units = ch.units if (not profile.opens_before_start
                         and profile.opens + ch.lead_days <= day) else 0
    rate_days = sum((min(b, day - ch.lead_days) - a) * m
                    for a, b, m in profile.segments if a < day - ch.lead_days)
    return units + ch.units_per_year / DAYS_PER_YEAR * max(0.0, rate_days)


def virtual_years(t: AircraftType, years: float) -> float:
    """The fleet's mean aging since the start after overhauls that take back a share f of
    the aging accrued since the last one: (1 - f) x years + f x (time since the last
    overhaul, on average half the calendar interval, at most `years`)."""
    f = t.overhaul.restores_aging_fraction if t.overhaul else 0.0
    if not f or not t.overhaul.interval_years:
        return years
    return (1.0 - f) * years + f * min(years, t.overhaul.interval_years / 2)


def scheduled_nmcm(t: AircraftType, hours: float, active: float, parts: bool = False,
                   fresh: float = 0.0):
    """Tails in inspection or overhaul (Little's law: visits a day x days each); with
    `parts`, (in inspection, in the depot) apart. The `fresh` tails (delivered freshly
    overhauled, their first overhaul not yet due) are in no depot."""
    per_tail_hours = hours / active if active > 0 else 0.0
    total, split = 0.0, []
    for work, months in ((t.inspection, "interval_months"), (t.overhaul, "interval_years")):
        if work is None:
            continue
        rate = 0.0  # visits a day per tail: a cycle is the interval and then the work
        if work.interval_flight_hours and per_tail_hours > 0:
            rate = 1.0 / (work.interval_flight_hours / per_tail_hours + work.days)
        calendar = getattr(work, months)
        if calendar:
            days = calendar * (DAYS_PER_MONTH if months == "interval_months" else DAYS_PER_YEAR)
            rate = max(rate, 1.0 / (days + work.days))
        tails = active - fresh if work is t.overhaul else active
        total += tails * rate * work.days
        split.append(tails * rate * work.days)
    if parts:
        return (split[0] if t.inspection else 0.0), (split[-1] if t.overhaul else 0.0)
    return total
