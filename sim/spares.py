"""Spares packages by marginal analysis on the screen: the most FMC aircraft per dollar.

Starting from the scenario's own stock, add one unit at a time of the LRU kind whose next
unit buys the largest gain in expected FMC aircraft per unit cost (`unit_cost_musd`), until
the budget is spent or the target FMC is reached. Without cannibalization the screen's NMCS
is about the sum of the kinds' EBO, each convex in its stock, so every package the greedy
reaches is optimal for its cost (Fox 1966; Sherbrooke 2004, ch. 2-4). Every step is a
package and its cost; together they are the cost/effectiveness curve. Where the next
efficient unit does not fit the budget, the remainder is spent by a search around the last
efficient package (`fill`: each kind one unit fewer to four more), the curve's last point. With full
cannibalization only the binding kind pays, so a step looks two units ahead when no single
unit gains (a kind with Z > 1 can need Z units before its next aircraft comes back).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
from dataclasses import dataclass

from .schema import Scenario
from .scenario import dump, validate
from .screen import screen_type

EPS = 1e-12


class SparesError(Exception):
    """A spares question that cannot be answered; `key` is the dotted key at fault."""

    def __init__(self, key: str, message: str):
        self.key, self.message = key, message
        super().__init__(f"{key}: {message}")


@dataclass(frozen=True)
class Point:
    """One package on the curve: units added per kind, its cost and the screen's FMC."""

    package: dict[str, int]
    cost_musd: float
    fmc: float
    nmcs: float
    binding: str
    efficient: bool = True  # a marginal-analysis step; False: the budget's remainder filled


def unit_costs(scenario: Scenario, type_name: str) -> dict[str, float]:
    """`unit_cost_musd` of every LRU kind of the type (each must have one)."""
    if type_name not in scenario.types:
        raise SparesError("--type", f"no aircraft type '{type_name}' in scenario"
                          f" '{scenario.name}' (types: {', '.join(scenario.types)})")
    costs = {}
    for kind, lru in scenario.types[type_name].lrus.items():
        if lru.unit_cost_musd is None:
            raise SparesError(f"types.{type_name}.lrus.{kind}.unit_cost_musd",
                              "no unit cost: give one to optimise this type's spares")
        costs[kind] = lru.unit_cost_musd
    return costs


def evaluate(scenario: Scenario, type_name: str, package: dict[str, int],
             date: dt.date | None) -> Point:
    """The screen's FMC for the type with `package` added to its stock."""
    costs = unit_costs(scenario, type_name)
    r = screen_type(scenario, type_name, date, package)
    cost = sum(costs[k] * n for k, n in package.items())
    return Point(dict(package), cost, r.fmc, r.nmcs, r.binding)


def curve(scenario: Scenario, type_name: str, budget_musd: float | None = None,
          target_fmc: float | None = None, date: dt.date | None = None,
          max_units: int = 2_000) -> list[Point]:
    """Marginal analysis: the efficient packages from nothing up to the budget (or the
    target), then the budget's remainder filled.

    Each step buys the kind (or two units of it, when one alone gains nothing) with the
    largest gain in FMC per musd; every such package is efficient (none of its cost or less
    does better, for the separable convex objective). When the best step no longer fits
    the budget the marginal analysis stops, and the remainder is spent by a search around
    the last efficient package (`fill`), the last point of the curve, marked not efficient. It stops when nothing gains, when the target FMC is reached, or
    after `max_units`."""
    if budget_musd is None and target_fmc is None:
        raise SparesError("--budget", "give a budget or a target FMC")
    if budget_musd is not None and budget_musd < 0:
        raise SparesError("--budget", f"{budget_musd:g} is negative")
    costs = unit_costs(scenario, type_name)
    budget = math.inf if budget_musd is None else budget_musd
    package = {k: 0 for k in costs}
    points = [evaluate(scenario, type_name, package, date)]
    while sum(package.values()) < max_units:
        here = points[-1]
        if target_fmc is not None and here.fmc >= target_fmc:
            return points
        step = _best_step(scenario, type_name, package, costs, here, date)
        if step is None:
            return points
        if step[1].cost_musd > budget + EPS:
            break
        package, point = step
        points.append(point)
    filled = fill(scenario, type_name, points[-1], costs, budget, date)
    if filled is not None:
        points.append(filled)
    return points


def _best_step(scenario, type_name, package, costs, here: Point, date):
    """The package one step on (one unit, or two of a kind if one gains nothing)."""
    best = None
    for units in (1, 2):
        for kind, cost in costs.items():
            trial = dict(package, **{kind: package[kind] + units})
            point = evaluate(scenario, type_name, trial, date)
            ratio = (point.fmc - here.fmc) / (units * cost)
            if ratio > EPS and (best is None or ratio > best[0]):
                best = (ratio, trial, point)
        if best is not None:
            return best[1], best[2]
    return None


def fill(scenario: Scenario, type_name: str, last: Point, costs: dict[str, float],
         budget: float, date, most: int = 4) -> Point | None:
    """The best package for the budget near the last efficient one (a knapsack between two
    efficient points, where marginal analysis promises nothing): every package within one
    unit fewer and `most` more of each kind that fits the budget is screened, and the search
    moves to the best while it gains. A cheaper unit can be worth buying where the next
    efficient one does not fit, and a dearer one worth making room for. None when nothing
    that fits gains."""
    if not math.isfinite(budget) or budget - last.cost_musd <= EPS:
        return None
    here, best, seen = last, None, {tuple(last.package.values())}
    for _ in range(20):
        moved = _box(scenario, type_name, here, costs, budget, date, most, seen)
        if moved is None or moved.fmc <= here.fmc + EPS:
            break
        here = best = moved
    if best is None:
        return None
    return Point(best.package, best.cost_musd, best.fmc, best.nmcs, best.binding, False)


def _box(scenario, type_name, centre: Point, costs, budget: float, date, most: int,
         seen: set) -> Point | None:
    """The best package (most FMC, then least cost) with each kind between one fewer and
    `most` more units than `centre`, within the budget, not screened before."""
    kinds = list(costs)
    ranges = [range(max(0, centre.package[k] - 1), centre.package[k] + most + 1) for k in kinds]
    best = None
    for combo in itertools.product(*ranges):
        if combo in seen or sum(n * costs[k] for k, n in zip(kinds, combo)) > budget + EPS:
            continue
        seen.add(combo)
        point = evaluate(scenario, type_name, dict(zip(kinds, combo)), date)
        if best is None or point.fmc > best.fmc + EPS or (
                abs(point.fmc - best.fmc) <= EPS and point.cost_musd < best.cost_musd):
            best = point
    return best


def window_fmc(scenario: Scenario, type_name: str, package: dict[str, int],
               arrives: dt.date | None = None, dates: int = 10) -> float:
    """The screen's FMC averaged over the statistics window (at the middles of `dates`
    equal slices), the package counted from `arrives` on: what the simulation's horizon
    mean of `fmc_aircraft` measures."""
    from .screen import screen_type as one

    run = scenario.run
    span = run.horizon_days - run.warmup_days
    total = 0.0
    for i in range(dates):
        day = run.warmup_days + (i + 0.5) * span / dates
        when = run.start_date + dt.timedelta(days=round(day))
        extra = package if arrives is None or when >= arrives else {}
        total += one(scenario, type_name, when, extra).fmc
    return total / dates


def package_at(points: list[Point], budget_musd: float) -> Point:
    """The greedy package for a budget: the last point on the curve that fits it."""
    fits = [p for p in points if p.cost_musd <= budget_musd + EPS]
    return fits[-1]


def hand_package(scenario: Scenario, type_name: str, channel: str) -> dict[str, int]:
    """The one-off units of supply channel `channel` in each kind of the type (a package
    written by hand, such as `russia` in russian_transfer.toml)."""
    lrus = scenario.types[type_name].lrus
    return {k: lru.supply[channel].units for k, lru in lrus.items() if channel in lru.supply}


def cost_of(scenario: Scenario, type_name: str, package: dict[str, int]) -> float:
    costs = unit_costs(scenario, type_name)
    for kind in package:
        if kind not in costs:
            raise SparesError(f"types.{type_name}.lrus.{kind}", "no such LRU kind")
    return sum(costs[k] * n for k, n in package.items())


def channel_fragment(type_name: str, package: dict[str, int], channel: str,
                     start_date: dt.date | None = None) -> dict:
    """The package as supply channels of one-off units, ready to merge into a scenario."""
    lrus = {}
    for kind, units in package.items():
        if units > 0:
            entry: dict = {"units": int(units)}
            if start_date is not None:
                entry["start_date"] = start_date
            lrus[kind] = {"supply": {channel: entry}}
    return {"types": {type_name: {"lrus": lrus}}}


def without_channel(type_name: str, scenario: Scenario, channel: str) -> dict:
    """The fragment that zeroes the one-off units of `channel` in the type's kinds."""
    lrus = {k: {"supply": {channel: {"units": 0}}}
            for k, lru in scenario.types[type_name].lrus.items() if channel in lru.supply}
    return {"types": {type_name: {"lrus": lrus}}} if lrus else {}


def merged(scenario: Scenario, name: str, *fragments: dict) -> Scenario:
    """The scenario with the fragments merged in (later ones win), renamed."""
    from .scenario import deep_merge

    raw = copy.deepcopy(dump(scenario))
    for fragment in fragments:
        raw = deep_merge(raw, fragment)
    raw["name"] = name
    return validate(raw)
