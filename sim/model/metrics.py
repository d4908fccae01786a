"""Time-weighted levels, event counters and the snapshots that turn them into statistics.

A level (tails in a state, units on the shelf, backorders) is piecewise constant in time;
its statistic is its time average, the integral divided by the length of the window. A
counter (sorties, cannibalizations) is a running total. The ledger takes a snapshot of every
integral and total at each month boundary and at the end of the warm-up, so that monthly
means and the post-warm-up horizon mean are differences of snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class Level:
    """A piecewise-constant quantity and its running time integral."""

    __slots__ = ("value", "area", "last")

    def __init__(self, value: float = 0.0):
        self.value = value
        self.area = 0.0
        self.last = 0.0

    def add(self, now: float, delta: float) -> None:
        self.area += self.value * (now - self.last)
        self.last = now
        self.value += delta

    def set(self, now: float, value: float) -> None:
        self.area += self.value * (now - self.last)
        self.last = now
        self.value = value

    def integral(self, now: float) -> float:
        return self.area + self.value * (now - self.last)


class Counter:
    """A running total of events or quantities (sorties, flight hours)."""

    __slots__ = ("n",)

    def __init__(self):
        self.n = 0.0


class Ledger:
    """Registry of the levels and counters of a replication, keyed by (aircraft_type, name)."""

    def __init__(self):
        self.level_keys: list[tuple[str, str]] = []
        self.levels: list[Level] = []
        self.counter_keys: list[tuple[str, str]] = []
        self.counters: list[Counter] = []
        self.times: list[float] = []
        self._level_rows: list[list[float]] = []
        self._counter_rows: list[list[float]] = []

    def level(self, group: str, name: str, value: float = 0.0) -> Level:
        lv = Level(value)
        self.level_keys.append((group, name))
        self.levels.append(lv)
        return lv

    def counter(self, group: str, name: str) -> Counter:
        c = Counter()
        self.counter_keys.append((group, name))
        self.counters.append(c)
        return c

    def snapshot(self, now: float) -> None:
        self.times.append(now)
        self._level_rows.append([lv.area + lv.value * (now - lv.last)  # Level.integral
                                 for lv in self.levels])
        self._counter_rows.append([c.n for c in self.counters])

    def tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Snapshot times, level integrals (times x levels), counter totals (times x counters)."""
        return (np.asarray(self.times), np.asarray(self._level_rows, dtype=float),
                np.asarray(self._counter_rows, dtype=float))


FLEET_LEVELS = ("fmc_aircraft", "pmc_aircraft", "nmcm_aircraft", "nmcs_aircraft",
                "nmcb_aircraft", "depot_aircraft", "lost_aircraft", "retired_aircraft",
                "backorders", "stock", "in_repair", "on_order", "reserve_aircraft", "pilots",
                "pilots_in_conversion", "proficient_pilots", "crewed_fmc_aircraft")
SUMMED_PREFIXES = ("pilots_over_", "crewed_fmc_")  # per-threshold counts: ALL sums the types
FLEET_COUNTERS = ("sorties", "sorties_planned", "sorties_demanded", "flight_hours",
                  "sorties_lost_no_aircraft",
                  "sorties_lost_no_pilot", "sorties_lost_no_fuel", "cannibalizations",
                  "backorder_fills", "cann_fills",
                  "removals", "condemned", "resupplied", "downtime_days", "returns_to_fmc",
                  "losses", "delivered_aircraft", "fuel_used_t", "pilot_flight_hours",
                  "pilots_departed", "pilots_lost", "inspections", "overhauls")
LRU_SUMS = ("backorders", "stock", "in_repair", "on_order", "removals", "condemned", "resupplied",
            "shelf_fills")
FUEL_SUMS = ("fuel_stock_t", "fuel_used_t", "fuel_delivered_t")


@dataclass(frozen=True)
class Layout:
    """The shape of a scenario's metrics: LRU kinds by type, finite shops, fuel kinds, and
    the groups of types reported beside each type and ALL (`role:<role>`, `COMBAT`)."""

    kinds: dict[str, list[str]]
    shops: dict[tuple[str, str], float]  # (type, shop name) -> servers
    fuels: list[str]
    groups: dict[str, list[str]] = field(default_factory=dict)  # group -> its types


def role_groups(roles: dict[str, str | None], non_combat: tuple[str, ...]) -> dict[str, list[str]]:
    """`role:<role>` for each role a type carries, and `COMBAT` for every type whose role is
    not in `non_combat` (types without a role are in no group)."""
    groups: dict[str, list[str]] = {}
    for name, role in roles.items():
        if role is not None:
            groups.setdefault(f"role:{role}", []).append(name)
    combat = [name for name, role in roles.items() if role is not None and role not in non_combat]
    if groups:
        groups["COMBAT"] = combat
    return groups


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    safe = np.where(den > 0, den, 1.0)
    return np.where(den > 0, scale * num / safe, np.nan)


def derive(ledger: Ledger, levels: np.ndarray, counters: np.ndarray, times: np.ndarray,
           rows: list[int], layout: Layout) -> dict[str, dict[str, np.ndarray]]:
    """Metrics per aircraft type, role group, COMBAT and "ALL" over the windows between
    consecutive `rows`.

    Levels become time averages over each window, counters totals; then come the sums over
    LRU kinds, the group and whole-fleet sums, the state aggregates of AFI 21-103 (flyable,
    TNMCS, TNMCM, possessed) and the ratios (MC and FMC rates, fill rate, CANN rate).
    """
    r = np.asarray(rows)
    span = times[r[1:]] - times[r[:-1]]
    means = (levels[r[1:]] - levels[r[:-1]]) / span[:, None]
    totals = counters[r[1:]] - counters[r[:-1]]
    out: dict[str, dict[str, np.ndarray]] = {name: {} for name in layout.kinds}
    out["ALL"] = {}
    for (group, name), column in zip(ledger.level_keys, means.T):
        out[group][name] = column
    for (group, name), column in zip(ledger.counter_keys, totals.T):
        out[group][name] = column
    zero = np.zeros(len(span))
    for group, kinds in layout.kinds.items():
        metrics = out[group]
        for name in LRU_SUMS:
            metrics[name] = sum((metrics[f"{k}.{name}"] for k in kinds), zero)
        for k in kinds:
            metrics[f"{k}.fill_rate"] = _ratio(metrics[f"{k}.shelf_fills"], metrics[f"{k}.removals"])
    for (group, shop), n in layout.shops.items():
        channels = out[group].get(f"{shop}_channels")
        out[group][f"{shop}_utilization"] = out[group][f"{shop}_busy"] / n if channels is None \
            else _ratio(out[group][f"{shop}_busy"], channels)
    fleet = out["ALL"]
    thresholds = sorted({name for group, name in ledger.level_keys
                         if group != "ALL" and name.startswith(SUMMED_PREFIXES)
                         and name not in FLEET_LEVELS})
    for group, members in [*layout.groups.items(), ("ALL", list(layout.kinds))]:
        types = [out[name] for name in members]
        metrics = out.setdefault(group, {})
        for name in FLEET_LEVELS + FLEET_COUNTERS + tuple(thresholds):
            metrics[name] = sum((m.get(name, zero) for m in types), zero)
    for name in FUEL_SUMS:
        fleet[name] = sum((fleet[f"{kind}.{name}"] for kind in layout.fuels), zero)
    years = span / 365.25
    for metrics in out.values():
        fmc, pmc, nmcb = metrics["fmc_aircraft"], metrics["pmc_aircraft"], metrics["nmcb_aircraft"]
        flyable = fmc + pmc
        active = flyable + metrics["nmcm_aircraft"] + metrics["nmcs_aircraft"] + nmcb + \
            metrics["depot_aircraft"]
        possessed = active - metrics["depot_aircraft"]
        metrics["flyable_aircraft"] = flyable
        metrics["tnmcs_aircraft"] = metrics["nmcs_aircraft"] + nmcb
        metrics["tnmcm_aircraft"] = metrics["nmcm_aircraft"] + nmcb
        metrics["active_aircraft"] = active
        metrics["possessed_aircraft"] = possessed
        metrics["mc_rate"] = _ratio(flyable, possessed)
        metrics["fmc_rate"] = _ratio(fmc, possessed)
        metrics["cann_per_100_sorties"] = _ratio(metrics["cannibalizations"],
                                                 metrics["sorties"], 100.0)
        metrics["cann_per_1000_fh"] = _ratio(metrics["cannibalizations"],
                                             metrics["flight_hours"], 1000.0)
        metrics["cann_per_aircraft_year"] = _ratio(metrics["cannibalizations"], active * years)
        metrics["cann_fill_share"] = _ratio(metrics["cann_fills"], metrics["backorder_fills"])
        metrics["mean_downtime_days"] = _ratio(metrics["downtime_days"],
                                               metrics["returns_to_fmc"])
        metrics["losses_per_100k_fh"] = _ratio(metrics["losses"], metrics["flight_hours"], 1e5)
        if "pilots" in metrics:
            metrics["hours_per_pilot"] = _ratio(metrics["pilot_flight_hours"],
                                                metrics["pilots"] * years)
    return out
