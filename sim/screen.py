"""Analytic readiness screen: METRIC / VARI-METRIC for one scenario, in milliseconds.

For every aircraft type and LRU kind, at a stated date:

- demand: removals per day = flight failures (fleet flight hours a day x Z / MTBF, times the
  type's aging at the date) + calendar failures (Z x tails x rate per unit-year, aged);
- pipeline (Palm): units in repair. Unlimited channels: Poisson(repair flow x mean repair
  time) for any repair-time distribution. Finite channels: the shop (the type's shared one,
  or the kind's own) as an M/M/c queue with the flow-weighted mean repair time; each kind
  waits the Erlang-C mean wait Wq (first come, first served) and takes its share of the
  shop's number-in-system variance by binomial thinning;
- condemnation and resupply: the inventory position at the date is the initial stock plus
  every unit delivered by then (one-off units and steady rates, each from its channel's
  opening plus `lead_days`, scaled by sanctions) less the condemnations by then, which are
  Poisson; a channel that falls behind condemnations drains the position, one that runs
  ahead fills it;
- expected backorders (EBO) for that position: Poisson when the pipeline's variance-to-mean
  ratio is 1, negative binomial (VARI-METRIC) when it is above 1;
- tails down for parts: without cannibalization Sherbrooke's product form,
  N x (1 - prod_k (1 - EBO_k / (N Z_k))^Z_k), exact for one kind with Z = 1; with full
  cannibalization E[max_k ceil(B_k / Z_k)], the consolidated count (backorders of the kinds
  taken as independent). Over every kind it counts the tails that are not whole (not FMC);
  over the flight-essential kinds only, the tails that cannot fly (NMCS); the difference is
  PMC for supply (a mission LRU missing);
- depot aircraft: Little's law on overhauls (visits a day x days each, a cycle being the
  interval and then the work; delivered tails, freshly overhauled, only after their first
  interval); tails in maintenance: Little's law on inspections and remove-and-replace work;
- NMCB: maintenance strikes tails whatever their parts, so the tails in maintenance and
  those down for parts overlap as independent shares, less the holes filled during the
  visit (`still_down`); NMCM and NMCS are the rest of each, as the simulation counts them;
- possessed = active - depot; FMC = possessed - in maintenance - not whole + their
  overlap; flyable likewise with the flight-essential kinds; MC rate = flyable / possessed
  and FMC rate = FMC / possessed, as the simulation's `mc_rate` and `fmc_rate`; solved as a
  fixed point where flying depends on the
  flyable tails (the `per_aircraft` programme, and any programme they cannot fly in the
  window);
- aging: an overhaul that restores a share f of the aging accrued since the last one
  leaves a virtual age of (1 - f) x the years since the start plus f x the mean time since
  the last overhaul (half the interval).

Calendar life limits thin the tails at the date (the ages spread uniformly; stripped tails'
units go back on the shelf); flight-hour lives are left out. The condemnations so far come
from the fleet as it was (its mean size since the start), with the dated changes up to the
date applied.

Left out (the simulation has them): fuel, surges, pilot proficiency and conversions in
progress, accidents and flight-hour life limits, grey-market reliability, finite docks and depot slots,
the spread of airframe ages (delivered tails age with the type).

The fleet at the date (tails, flying, pilots, aging, deliveries, scheduled work) comes from
`screen_fleet`; this module holds the METRIC maths and the count of states.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import integrate, optimize, stats

from .schema import AircraftType, Lru, Scenario
from .screen_fleet import (DAYS_PER_YEAR, as_of, default_date, delivered, fleet_aging,
                           fleet_history, fresh_tails, hours_per_tail_per_day,
                           planned_hours_per_day, scheduled_nmcm, tails_at, virtual_years)

__all__ = ["Pipeline", "KindScreen", "TypeScreen", "screen", "screen_type", "as_of",
           "default_date", "fleet_aging", "mmc_number", "tails_at"]


@dataclass(frozen=True)
class Pipeline:
    """Units of one kind in repair (mean, variance) plus the kind's condemnations so far."""

    mean: float
    variance: float

    @property
    def vmr(self) -> float:
        return self.variance / self.mean if self.mean > 0 else 1.0

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """P(pipeline <= x): Poisson, or negative binomial when the VMR is above 1."""
        if self.mean <= 0:
            return np.where(x >= 0, 1.0, 0.0)
        if not math.isfinite(self.mean):
            return np.zeros_like(x, dtype=float)
        if self.vmr <= 1 + 1e-12:
            return stats.poisson.cdf(x, self.mean)
        p = self.mean / self.variance
        return stats.nbinom.cdf(x, self.mean * p / (1 - p), p)

    def ebo(self, stock: float) -> float:
        """Expected backorders E[(X - s)+] for a stock position s (negative: units owed)."""
        if not math.isfinite(self.mean):
            return math.inf
        s = math.floor(stock)
        if s <= 0:
            return self.mean - s
        below = np.arange(s)
        pmf = np.diff(np.concatenate(([0.0], self.cdf(below))))
        return max(0.0, self.mean - s + float(np.sum((s - below) * pmf)))


@dataclass(frozen=True)
class KindScreen:
    """One LRU kind of one type: demand, pipeline, stock position and backorders."""

    kind: str
    z: int
    removals_per_day: float
    pipeline: Pipeline
    stock: float  # inventory position at the date: stock + delivered - condemned
    ebo: float
    calendar_share: float = 0.0  # of the removals: calendar failures

    @property
    def ready_rate(self) -> float:
        """P(no backorder at a random time) = P(pipeline <= s)."""
        return float(self.pipeline.cdf(np.array([math.floor(self.stock)]))[0])

    @property
    def fill_rate(self) -> float:
        """Share of demands met from the shelf = P(pipeline <= s - 1)."""
        return float(self.pipeline.cdf(np.array([math.floor(self.stock) - 1]))[0])

    def backorder_cdf(self, b: np.ndarray) -> np.ndarray:
        """P(backorders <= b) for b >= 0."""
        return self.pipeline.cdf(np.floor(self.stock) + b)


@dataclass(frozen=True)
class TypeScreen:
    """The screen of one aircraft type: the expected tails in each state and why."""

    name: str
    active: float
    flight_hours_per_day: float
    nmcm: float
    nmcs_none: float      # tails missing a flight-essential unit, without cannibalization
    nmcs_full: float      # the same, under full cannibalization
    policy: str
    kinds: tuple[KindScreen, ...] = field(default_factory=tuple)
    depot: float = 0.0    # tails in overhaul
    short_none: float = -1.0  # tails missing any unit (not FMC for supply), no CANN
    short_full: float = -1.0  # the same, under full cannibalization
    overlap: float = 1.0  # tails in maintenance and down for parts, over the independent share

    @property
    def nmcs(self) -> float:
        return self.nmcs_full if self.policy == "full" else self.nmcs_none

    @property
    def short(self) -> float:
        """Tails missing some unit, flight or mission (-1: the NMCS count, all essential)."""
        value = self.short_full if self.policy == "full" else self.short_none
        return self.nmcs if value < 0 else value

    @property
    def possessed(self) -> float:
        return max(0.0, self.active - self.depot)

    def _both(self, down: float) -> float:
        """Tails in maintenance that are also among the `down` ones. Maintenance strikes
        tails whatever their parts, but a tail in the dock has not flown for a while, and a
        hole it came in with may be filled while it is there: the independent share,
        maintenance x down / possessed, times `overlap`."""
        p = self.possessed
        if p <= 0:
            return 0.0
        return self.overlap * min(p, self.nmcm) * min(1.0, down / p)

    def _up(self, down: float) -> float:
        """Possessed tails neither in maintenance nor among the `down` ones."""
        p = self.possessed
        return max(0.0, p - min(p, self.nmcm) - min(p, down) + self._both(down))

    @property
    def fmc(self) -> float:
        return self._up(max(self.short, self.nmcs))

    @property
    def flyable(self) -> float:
        return self._up(self.nmcs)

    @property
    def nmcb(self) -> float:
        """Tails in maintenance and missing a flight-essential unit at once (AFI 21-103)."""
        return self._both(self.nmcs)

    @property
    def nmcm_only(self) -> float:
        """NMCM as the simulation counts it: in maintenance, no flight unit missing."""
        return max(0.0, min(self.possessed, self.nmcm) - self.nmcb)

    @property
    def nmcs_only(self) -> float:
        """NMCS as the simulation counts it: a flight unit missing, not in maintenance."""
        return max(0.0, min(self.possessed, self.nmcs) - self.nmcb)

    @property
    def pmc(self) -> float:
        return self.flyable - self.fmc

    @property
    def mc_rate(self) -> float:
        return self.flyable / self.possessed if self.possessed > 0 else 0.0

    @property
    def fmc_rate(self) -> float:
        return self.fmc / self.possessed if self.possessed > 0 else 0.0

    @property
    def binding(self) -> str:
        """The kind with the most expected backorders per unit of Z (the one that grounds)."""
        if not self.kinds:
            return ""
        return max(self.kinds, key=lambda k: k.ebo / k.z).kind


def screen(scenario: Scenario, date: dt.date | None = None,
           extra_stock: dict[str, dict[str, int]] | None = None) -> list[TypeScreen]:
    """The screen of every type with tails by `date` (default: mid statistics window);
    `extra_stock[type][kind]` adds spare units to the stock position (a package)."""
    date = date or default_date(scenario)
    extra_stock = extra_stock or {}
    return [screen_type(scenario, name, date, extra_stock.get(name, {}))
            for name, t in scenario.types.items() if tails_at(scenario, t, date) > 0]


def screen_type(scenario: Scenario, name: str, date: dt.date | None = None,
                extra: dict[str, int] | None = None) -> TypeScreen:
    """The screen of type `name` at `date` (default: mid statistics window), with
    `extra[kind]` more spares; the scenario's dated changes up to `date` applied."""
    date = date or default_date(scenario)
    scenario = as_of(scenario, date)
    t = scenario.types[name]
    extra = extra or {}
    day = scenario.run.day_of(date)
    years = day / DAYS_PER_YEAR
    aging = fleet_aging(t)
    active = tails_at(scenario, t, date)
    planned = planned_hours_per_day(scenario, name, date, active)
    cap = hours_per_tail_per_day(scenario, t)

    flies = (lambda r: r.flyable) if scenario.flying.pmc_flies else (lambda r: r.fmc)
    history = fleet_history(scenario, t, date, active)
    aged = virtual_years(t, years)

    def state(fmc: float) -> TypeScreen:
        hours = (min(planned, fmc * cap) if planned is not None
                 else fmc * t.hours_per_aircraft_per_day)
        fresh = fresh_tails(scenario, t, date, hours / active if active > 0 else 0.0)
        kinds = _kinds(scenario, t, hours, active, aging, aged, day, extra, history, fresh)
        return _count(name, t, scenario, active, hours, kinds, aging(aged), fresh)

    if active <= 0:
        return state(0.0)
    if planned is not None:  # the programme is flown unless the flyable tails cannot fly it
        full = state(active)
        if planned <= flies(full) * cap:
            return full
    gap = lambda f: f - flies(state(f))  # noqa: E731  (increasing in f: more flying, more down)
    if gap(active) <= 1e-12:
        return state(active)
    return state(optimize.brentq(gap, 0.0, active, xtol=1e-13))


def _kinds(scenario, t: AircraftType, hours: float, active: float, aging, years: float,
           day: float, extra: dict[str, int], history: float = 1.0,
           fresh: float = 0.0) -> tuple[KindScreen, ...]:
    """Demand, pipeline and backorders of every kind of the type.

    Calendar failures strike installed units only, and a backorder is a unit not installed,
    so a kind's calendar demand is its rate x (Z x tails - EBO), the tails in the depot
    left out (they are being rebuilt): solved per kind in its EBO, and for a finite shop in
    the shop's wait (`_finite_shop`).
    """
    a_now = aging(years)
    a_mean = (integrate.quad(aging, 0.0, years)[0] / years) if years > 0 else a_now
    active = active - scheduled_nmcm(t, hours, active, True, fresh)[1]  # the depot's: none fail
    past = max(day, 0.0) * a_mean / a_now * history  # days of today's condemnations, aged,
    # scaled to the fleet of the past
    date = scenario.run.start_date + dt.timedelta(days=day)
    retired = 0.0  # tails past their calendar life by the date, stripped for their units
    if t.retired_tails == "strip":
        retired = t.count + sum(d.count for d in t.deliveries if d.date <= date) - \
            tails_at(scenario, t, date)
    stock = {k: lru.initial_stock + extra.get(k, 0) + delivered(scenario, lru, day)
             + retired * lru.units_per_aircraft for k, lru in t.lrus.items()}
    def solve(k: str, shop: tuple[float, float]) -> float:
        """Kind k's backorders at a shop's (sojourn, VMR): calendar demand falls with the
        holes, so EBO = EBO(pipeline(EBO)) is solved in the one unknown."""
        lru = t.lrus[k]

        def excess(b: float) -> float:
            return b - _pipeline(k, lru, hours, active, b, a_now, past, shop).ebo(stock[k])
        top = active * lru.units_per_aircraft
        if lru.calendar_failures_per_year <= 0:  # demand does not depend on the holes
            return -excess(0.0)
        if excess(0.0) >= 0:  # no backorders at all
            return 0.0
        if excess(top) <= 0:  # every unit is a hole
            return top
        return optimize.brentq(excess, 0.0, top, xtol=1e-12)

    def flows(ebo: dict[str, float]) -> dict[str, float]:
        return {k: a_now * _removals(t.lrus[k], hours, active, b)
                * (1 - t.lrus[k].condemned_fraction) for k, b in ebo.items()}

    shops: dict[str, tuple[float, float]] = {}
    for group, channels in _shop_groups(t):
        if channels == "unlimited":
            shops.update({k: (t.lrus[k].repair_days.mean, 1.0) for k in group})
        else:
            shops.update(_finite_shop(t, group, channels, solve, flows))
    ebo = {k: solve(k, shops[k]) for k in t.lrus}
    kinds = []
    for k, lru in t.lrus.items():
        pipe = _pipeline(k, lru, hours, active, ebo[k], a_now, past, shops[k])
        removals = _removals(lru, hours, active, ebo[k])
        flight = _removals(lru, hours, 0.0)
        kinds.append(KindScreen(k, lru.units_per_aircraft, a_now * removals, pipe, stock[k],
                                pipe.ebo(stock[k]), 1.0 - flight / removals if removals else 0.0))
    return tuple(kinds)


def _pipeline(k: str, lru: Lru, hours: float, active: float, missing: float, a_now: float,
              past: float, shop: tuple[float, float]) -> Pipeline:
    """Units of kind k in repair (its flow x the shop's sojourn, at the shop's VMR) plus the
    condemnations so far (Poisson), when `missing` units are backordered."""
    demand = a_now * _removals(lru, hours, active, missing)
    sojourn, vmr = shop
    flow = demand * (1 - lru.condemned_fraction)
    if flow > 0 and not math.isfinite(sojourn):  # a shop that cannot keep up
        return Pipeline(math.inf, math.inf)
    repair = flow * sojourn
    condemned = demand * lru.condemned_fraction * past
    return Pipeline(repair + condemned, repair * vmr + condemned)


def _removals(lru: Lru, hours: float, active: float, missing: float = 0.0) -> float:
    """Removals a day before aging: flight failures plus calendar failures of the units
    installed (Z x tails less the `missing` ones)."""
    z = lru.units_per_aircraft
    flight = hours * z / lru.mtbf_flight_hours if math.isfinite(lru.mtbf_flight_hours) else 0.0
    installed = max(0.0, z * active - missing)
    return flight + lru.calendar_failures_per_year / DAYS_PER_YEAR * installed


def _shop_groups(t: AircraftType) -> list[tuple[list[str], int | str]]:
    """The type's repair shops: (kinds, channels) for the shared shop and each kind's own."""
    shared = [k for k, lru in t.lrus.items() if lru.repair_channels is None]
    own = [([k], lru.repair_channels) for k, lru in t.lrus.items()
           if lru.repair_channels is not None]
    return ([(shared, t.repair.channels)] if shared else []) + own


def _finite_shop(t: AircraftType, kinds: list[str], c: int, solve, flows,
                 rounds: int = 3) -> dict[str, tuple[float, float]]:
    """Each kind's (days in the shop, VMR) in a finite shop whose load depends on the
    backorders: a longer wait means more holes, fewer installed units failing on the
    calendar, less load and a shorter wait. The wait Wq is the one unknown: the wait the
    M/M/c queue implies at the flows that wait leaves, minus the wait, falls as the wait
    grows, so its root is unique (bracketed and found by Brent's method; iterating the
    flows instead oscillates near saturation). The VMR is taken from the previous round."""
    mean = {k: t.lrus[k].repair_days.mean for k in kinds}
    vmr = {k: 1.0 for k in kinds}

    def implied(wq: float) -> dict[str, tuple[float, float]]:
        return _mmc(kinds, c, flows({k: solve(k, (mean[k] + wq, vmr[k])) for k in kinds}), t)

    def gap(wq: float) -> float:
        k = kinds[0]
        return min(implied(wq)[k][0] - mean[k], 1e12) - wq

    out = implied(0.0)
    for _ in range(rounds):
        if gap(0.0) <= 0:
            wq = 0.0
        else:
            high = max(1.0, max(mean.values()))
            while gap(high) > 0:
                high *= 4
                if high > 1e9:  # the shop cannot keep up even with every unit a hole
                    return {k: (math.inf, 1.0) for k in kinds}
            wq = optimize.brentq(gap, 0.0, high, xtol=1e-10, rtol=1e-12)
        out = implied(wq)
        if all(abs(out[k][1] - vmr[k]) < 1e-9 for k in kinds):
            break
        vmr = {k: out[k][1] for k in kinds}
    return out


def _mmc(kinds: list[str], c: int, flow: dict[str, float],
         t: AircraftType) -> dict[str, tuple[float, float]]:
    """A finite shop as M/M/c with the flow-weighted mean repair time (first come, first
    served): each kind waits the Erlang-C mean wait Wq and takes a binomially thinned share
    of the shop's number-in-system variance."""
    lam = sum(flow[k] for k in kinds)
    if lam <= 0:
        return {k: (t.lrus[k].repair_days.mean, 1.0) for k in kinds}
    service = sum(flow[k] * t.lrus[k].repair_days.mean for k in kinds) / lam
    load = lam * service
    if load >= c:
        return {k: (math.inf, 1.0) for k in kinds}
    mean_n, var_n, wq = mmc_number(load, c, service)
    out = {}
    for k in kinds:
        sojourn = t.lrus[k].repair_days.mean + wq
        share = flow[k] * sojourn / mean_n
        out[k] = (sojourn, 1.0 + share * (var_n / mean_n - 1.0))
    return out


def mmc_number(load: float, c: int, service: float) -> tuple[float, float, float]:
    """Mean and variance of the number in an M/M/c system of offered load `load` (< c), and
    the mean wait for a channel (Erlang C)."""
    rho = load / c
    n = np.arange(c)
    head = stats.poisson.pmf(n, load)  # proportional to p_n for n < c
    top = stats.poisson.pmf(c, load) / (1 - rho)  # the geometric tail's mass, same scale
    total = head.sum() + top
    p_wait = top / total
    # tail: n = c + j with P proportional to rho^j, j >= 0
    tail_mean = c + rho / (1 - rho)
    tail_m2 = c * c + 2 * c * rho / (1 - rho) + rho * (1 + rho) / (1 - rho) ** 2
    mean = (float(np.sum(n * head)) + top * tail_mean) / total
    m2 = (float(np.sum(n * n * head)) + top * tail_m2) / total
    wq = p_wait * service / (c - load)
    return mean, m2 - mean * mean, wq


def same_sortie(t: AircraftType, a_now: float) -> float:
    """Share of flight failures that are a second one in the same sortie (on a tail already
    holed): the rate of the units left after the first, over half a sortie on average."""
    rates = {k: lru.units_per_aircraft / lru.mtbf_flight_hours * a_now
             for k, lru in t.lrus.items()}
    total = sum(rates.values())
    if total <= 0:
        return 0.0
    left = sum(r / total * (total - r / t.lrus[k].units_per_aircraft) for k, r in rates.items())
    return min(1.0, left * t.sortie_hours / 2)


def _count(name: str, t: AircraftType, scenario: Scenario, active: float, hours: float,
           kinds: tuple[KindScreen, ...], a_now: float, fresh: float = 0.0) -> TypeScreen:
    """Tails NMCM (scheduled work, remove and replace) and NMCS with and without CANN."""
    rr = sum(k.removals_per_day * t.lrus[k.kind].remove_replace_hours / 24 for k in kinds)
    inspection, depot = scheduled_nmcm(t, hours, active, True, fresh)
    depot = min(active, depot)
    nmcm = min(active - depot, inspection + rr)
    fleet, room = int(math.ceil(active)), active - depot  # the possessed tails
    shared = same_sortie(t, a_now)
    flight = tuple(k for k in kinds if t.lrus[k.kind].essential == "flight")
    counts = [min(room, separate_nmcs(flight, fleet, shared)),
              min(room, consolidated_nmcs(flight, fleet))]
    if len(flight) < len(kinds):
        # PMC tails fly: a share of the flight failures falls on a tail that is already
        # short and opens no new hole: the PMC tails' share of the flying, times their
        # failure rate (mission units missing) over a whole tail's (a fixed point)
        rate = {k: lru.units_per_aircraft / lru.mtbf_flight_hours for k, lru in t.lrus.items()}
        whole = sum(rate.values())
        kept = sum(rate[k.kind] for k in flight) / whole if whole > 0 else 0.0
        stacked = shared
        for _ in range(4):
            short = min(room, separate_nmcs(kinds, fleet, stacked))
            flyable = (room - nmcm) * (1.0 - counts[0] / room) if room > 0 else 0.0
            pmc = max(0.0, short - counts[0]) if scenario.flying.pmc_flies else 0.0
            on_pmc = pmc * kept / (flyable - pmc * (1 - kept)) if flyable > 0 else 0.0
            stacked = shared + (1.0 - shared) * on_pmc
        counts += [short, min(room, consolidated_nmcs(kinds, fleet))]
    visits = (inspection / t.inspection.days if t.inspection else 0.0) + sum(
        k.removals_per_day for k in kinds if t.lrus[k.kind].remove_replace_hours > 0)
    holes = sum(k.removals_per_day * (1.0 - k.fill_rate) for k in flight)  # a day
    wait = sum(k.ebo for k in flight) / holes if holes > 0 else math.inf
    return TypeScreen(name, active, hours, nmcm, counts[0], counts[1],
                      scenario.cannibalization.policy, kinds, depot, *counts[2:],
                      overlap=still_down(nmcm / visits if visits > 0 else 0.0, wait))


def still_down(visit_days: float, backorder_days: float) -> float:
    """Share of the holes a tail brings into a maintenance visit of `visit_days` that are
    still open at a random moment of the visit, the backorder's remaining time exponential
    with mean `backorder_days` (Little: EBO / the demands not met from the shelf a day):
    (D / W) (1 - exp(-W / D)); 1 when
    the backorders outlast the visit, as under the sanctions."""
    if visit_days <= 0 or not math.isfinite(backorder_days):
        return 1.0
    if backorder_days <= 0:
        return 0.0
    x = visit_days / backorder_days
    return -math.expm1(-x) / x


def separate_nmcs(kinds: tuple[KindScreen, ...], fleet: int, shared: float = 0.0) -> float:
    """Tails down for parts without cannibalization.

    A grounded tail does not fly, so a flight failure opens its hole on a tail that had
    none, unless it is a second failure of the same sortie (a share `shared` of them: the
    tail's failure rate x half a sortie): flight backorders otherwise never share a tail,
    and the tails down for them number (1 - shared) x E[min(fleet, sum_k B_k)] (the kinds'
    backorders independent). Calendar failures
    strike grounded tails too; their holes fall at random, each unit position missing with
    probability EBO_cal / (fleet Z), Sherbrooke's product form. For one kind with Z = 1 both
    reduce to EBO."""
    if not kinds or fleet <= 0:
        return 0.0
    if any(not math.isfinite(k.ebo) for k in kinds):  # a saturated shop: everything waits
        return float(fleet)
    total = np.array([1.0])
    for k in kinds:
        cdf = k.backorder_cdf(np.arange(fleet + 1))
        pmf = np.diff(np.concatenate(([0.0], cdf)))
        pmf[-1] += 1.0 - cdf[-1]  # fleet or more
        total = np.convolve(total, pmf)[: fleet + 1]
        total[-1] += 1.0 - total.sum()
    down = float(np.sum(np.arange(fleet + 1) * total))
    ebo = sum(k.ebo for k in kinds)
    calendar = {k.kind: k.ebo * k.calendar_share for k in kinds}
    if ebo <= 0:
        return 0.0
    flight_down = down * (1.0 - sum(calendar.values()) / ebo) * (1.0 - shared)
    spared = 1.0
    for k in kinds:
        spared *= (1.0 - min(1.0, calendar[k.kind] / (fleet * k.z))) ** k.z
    return fleet - (fleet - flight_down) * spared


def consolidated_nmcs(kinds: tuple[KindScreen, ...], fleet: int) -> float:
    """E[min(fleet, max_k ceil(B_k / Z_k))]: tails down for parts under full cannibalization."""
    if not kinds or fleet <= 0:
        return 0.0
    n = np.arange(fleet)
    none_above = np.ones(fleet)
    for k in kinds:
        none_above *= k.backorder_cdf(n * k.z)
    return float(np.sum(1.0 - none_above))
