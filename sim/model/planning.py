"""The flying calendar and the fuel-budget programme: how much each type plans to fly.

The calendar gives every day of the run a weight: 1 on an ordinary day, a surge's multiplier
in an `add` surge, and in a `shift` surge the multiplier times a factor that lowers the rest
of the year so that the year keeps its hours (a training calendar: winter training flies
three times an ordinary month, the other months a little less; each calendar year keeps its
hours). Maximum-effort days are
marked apart: on them the programme gives way to every sortie the fleet can generate.

Under the `fuel_budget` programme the air force plans a period at a time. Its demand is what
it would fly if it could: each current pilot's `hours_per_pilot_per_year` (at most the type's
`max_fleet_hours_per_year`) spread over the calendar. Each fuel kind's budget for the period
is the stock above the reserve plus the deliveries expected over the budget horizon (at
today's rates), times the period's share of the horizon's demand, so that fuel is saved
ahead of a surge and a stock above the reserve is spent down over the horizon rather than
hoarded. The budget goes to the types in the fuel's priority order, first every type's
minimum (`min_hours_per_pilot_per_year`, currency), then the rest of each demand; what a
type gets is its plan and its fuel ration for the period. The demand the budget cannot
cover is lost for want of fuel at once; the plan is then flown as aircraft and pilots allow.
"""

from __future__ import annotations

import datetime as dt
from math import ceil, inf  # module names: no attribute lookup on a hot path

import simpy

from ..schema import Flying, Run
from .events import PLANNING

def surge_windows(flying: Flying, run: Run) -> list[tuple[float, float, object]]:
    """Every window of every surge, recurring ones repeated to the end of the run,
    as (first day, end day, surge) in model days."""
    horizon, out = run.horizon_days, []
    for surge in flying.surges:
        k = 0
        while True:
            years = k * (surge.every_years or 0)
            start, end = _add_years(surge.start_date, years), _add_years(surge.end_date, years)
            a, b = run.day_of(start), run.day_of(end)
            if a >= horizon:
                break
            if b > 0:
                out.append((max(a, 0.0), min(b, horizon), surge))
            if not surge.every_years:
                break
            k += 1
    return out


def _add_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February in a common year
        return date.replace(year=date.year + years, day=28)


class Calendar:
    """The weight of each flying day and the maximum-effort days, for the whole run."""

    def __init__(self, flying: Flying, run: Run):
        days = ceil(run.horizon_days)
        self.weight = [1.0] * days
        self.max_effort = [False] * days
        shifted: dict[int, list] = {}  # calendar year -> (day, multiplier) of shifted surges
        for a, b, surge in surge_windows(flying, run):
            span = range(ceil(a), min(days, ceil(b)))
            if surge.effort == "max":
                for d in span:
                    self.max_effort[d] = True
            elif surge.mode == "add":
                for d in span:
                    self.weight[d] *= surge.multiplier
            else:
                for d in span:
                    year = (run.start_date + dt.timedelta(days=d)).year
                    shifted.setdefault(year, []).append((d, surge.multiplier))
        for year, marks in shifted.items():
            first = max(0, (dt.date(year, 1, 1) - run.start_date).days)
            last = min(days, (dt.date(year + 1, 1, 1) - run.start_date).days)
            factor = dict.fromkeys(range(first, last), 1.0)
            for d, m in marks:
                factor[d] *= m
            scale = (last - first) / sum(factor.values())  # the year keeps its flying days
            for d, f in factor.items():
                self.weight[d] *= f * scale
        self._cum = [0.0]
        for w in self.weight:
            self._cum.append(self._cum[-1] + w)

    def days(self, start: float, end: float) -> float:
        """The weighted flying days in [start, end) (days open at whole model days); days
        past the end of the run count as ordinary ones (the air force plans on)."""
        n = len(self.weight)
        a, b = max(0, ceil(start - 1e-9)), max(0, ceil(end - 1e-9))
        beyond = max(0, b - max(a, n))
        a, b = min(n, a), min(n, b)
        return (self._cum[b] - self._cum[a] if b > a else 0.0) + beyond


class Planner:
    """The fuel-budget programme: one planning event a period for the whole air force."""

    def __init__(self, env: simpy.Environment, flying: Flying, calendar: Calendar,
                 depots: list, unfuelled: list, horizon: float):
        self.env, self.calendar, self.depots, self.unfuelled = env, calendar, depots, unfuelled
        self.events = env.queue  # the future events and the clock (`events.now`)
        self.period, self.ahead = flying.planning_period_days, flying.budget_horizon_days
        self.horizon = horizon

    def start(self) -> None:
        self.events.call(0.0, self._plan, None, PLANNING)

    def _plan(self, _value: None) -> None:
        now = self.events.now
        end = now + self.period
        period_days = self.calendar.days(now, end)
        for depot in self.depots:
            self._budget(depot, now, end, period_days)
        for sq in self.unfuelled:  # no fuel to share: the plan is the demand
            demand = sq.demand_hours(now, end)
            sq.set_plan(demand, demand, period_days, inf)
        if end < self.horizon:
            self.events.call(self.period, self._plan, None, PLANNING)

    def _budget(self, depot, now: float, end: float, period_days: float) -> None:
        squadrons = depot.squadrons
        demand = [sq.demand_hours(now, end) for sq in squadrons]
        need = [h * sq.burn for h, sq in zip(demand, squadrons)]
        ahead = sum(sq.demand_hours(now, now + self.ahead) * sq.burn for sq in squadrons)
        fuel = max(0.0, depot.available()) + depot.expected(now, self.ahead)
        left = fuel * min(1.0, sum(need) / ahead) if ahead > 0 else 0.0
        given = [0.0] * len(squadrons)
        for tier in range(2):  # minimums first, then the rest of each demand, by priority
            for i, sq in enumerate(squadrons):
                want = (min(sq.min_share * need[i], need[i]) if tier == 0 else need[i]) - given[i]
                take = min(max(0.0, want), left)
                given[i] += take
                left -= take
        for sq, hours, tonnes in zip(squadrons, demand, given):
            plan = tonnes / sq.burn if sq.burn else hours
            sq.set_plan(hours, plan, period_days, tonnes if sq.burn else inf)
        depot.rations_set()
