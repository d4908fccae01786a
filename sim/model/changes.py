"""Dated changes: the seam through which a scenario value changes in mid-run.

A `[[changes]]` entry says that from `date` on the dotted `key` has `value`: Russian repair
support that cuts a depot turnaround from 2025, support that ends in 2028, a fuel share that
grows. `RULES` declares every key that can change and the component that owns it; a key
that no rule declares is refused by name (`REFUSED` says why for the common ones). Each
value is validated exactly as the key itself is, by validating the scenario with the change
(and every earlier one) applied, so that a change can never make a scenario that the file
could not state.

At build time the world schedules one event per change and hands the new value to its
owner, which applies it from then on without re-creating any random stream: every draw
before the first change is the draw of the same scenario without changes (common random
numbers).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

_T = r"types\.(?P<type>[^.]+)"
_K = _T + r"\.lrus\.(?P<kind>[^.]+)"

# (pattern, owner, how many leading key parts name the value handed to the owner)
RULES: list[tuple[re.Pattern, str, int]] = [(re.compile(p + r"$"), owner, node) for p, owner, node in [
    (_K + r"\.repair_days(\.(mean|cv|distribution))?", "lru_repair", 5),
    (_K + r"\.(?P<field>mtbf_flight_hours)", "lru_mtbf", 0),
    (_K + r"\.(?P<field>calendar_failures_per_year)", "lru_calendar", 0),
    (_K + r"\.(?P<field>condemned_fraction|remove_replace_hours)", "lru_stock", 0),
    (_K + r"\.(?P<field>repair_channels)", "lru_channels", 0),
    (_K + r"\.supply\.(?P<channel>[^.]+)\.(?P<field>units_per_year|reliability)", "part_supply", 0),
    (_T + r"\.repair\.(?P<field>channels)", "type_channels", 0),
    (_T + r"\.(?P<field>hours_per_pilot_per_year|min_hours_per_pilot_per_year|"
     r"max_fleet_hours_per_year|fleet_hours_per_day|hours_per_aircraft_per_day)", "programme", 0),
    (_T + r"\.pilots\.(?P<field>intake_per_year|attrition_per_year|max_sorties_per_day)",
     "pilots", 0),
    (_T + r"\.accidents(\.(per_100k_flight_hours|reference_12m_hours|risk_hours|"
     r"risk_multiplier|type_risk_hours|type_risk_multiplier|age_factor_per_year|"
     r"pilot_loss_probability))?", "accidents", 3),
    (_T + r"\.(?P<part>inspection|overhaul)\.(?P<field>days|docks|depot_slots)", "scheduled", 0),
    (r"fuel\.(?P<fuel>[^.]+)\.(?P<field>reserve_t|air_force_share|priority|priority_cover_days)",
     "fuel", 0),
    (r"fuel\.(?P<fuel>[^.]+)\.channels\.(?P<channel>[^.]+)\.(?P<field>t_per_year|cv|"
     r"disruption_probability|cap_t_per_year)", "fuel_supply", 0),
    (r"cannibalization(\.(policy|max_actions_per_month|hours_per_action|damage_probability|"
     r"min_fmc))?",
     "cannibalization", 1),
]]

REFUSED: list[tuple[re.Pattern, str]] = [(re.compile(p), why) for p, why in [
    (r"run\.", "the horizon, calendar and warm-up are fixed for a run"),
    (r"(name|description|ranges|range_groups|changes|extends)(\.|$)", "not a value of the simulated world"),
    (_T + r"\.(count|age_years|age_spread_years|airframe_hours|airframe_hours_spread)$",
     "the fleet as it stands at the start: add tails with types.<type>.deliveries"),
    (_K + r"\.units_per_aircraft$", "the aircraft's design (units per aircraft) is fixed"),
    (_K + r"\.initial_stock$", "a starting value: bring units with a supply channel"),
    (r"fuel\.[^.]+\.initial_t$", "a starting value: bring fuel with a channel"),
    (_T + r"\.pilots\.(count|initial_12m_hours|elite)$",
     "a starting value: add pilots with intake_per_year or a conversion"),
    (r".*\.(start_date|end_date|date|lead_days|units|deliveries|conversions|surges)(\.|$)",
     "already dated: give the dates in the entry itself"),
    (r"sanctions\.", "already dated: sanctions.start_date and end_date"),
    (r"flying\.", "the programme's kind, window and planning are fixed: change a type's hours"),
    (_T + r"\.(sortie_hours|turnaround_hours|fuel|fuel_burn_t_per_hour|aging_per_year|"
     r"aging_weibull_shape|airframe_life_hours|airframe_life_years|retired_tails)$",
     "the aircraft's profile and life are fixed for a run"),
    (r"maintenance\.", "the allocation rule is fixed for a run"),
]]


@dataclass(frozen=True)
class Resolved:
    """One change ready to apply: its day in model time, its owner and the new value."""

    index: int
    day: float
    key: str
    owner: str
    names: dict[str, str]
    value: Any


def rule_for(key: str) -> tuple[str, dict[str, str], int]:
    """The owner of a changeable key, its named parts and the length of its value's key;
    ValueError (the reason) for a key that cannot change."""
    for pattern, owner, node in RULES:
        match = pattern.match(key)
        if match:
            return owner, {k: v for k, v in match.groupdict().items() if v}, node
    for pattern, why in REFUSED:
        if pattern.match(key):
            raise ValueError(f"cannot change in mid-run: {why}")
    raise ValueError("not a key that can change in mid-run (see the README, Dated changes)")


def resolve(scenario) -> list[Resolved]:
    """Check every change of `scenario` (date, key, value) and return those inside the run in
    the order they apply (date, then file order); ValueError naming `changes.N.<field>` for
    the first bad one (a date before the start is bad; one after the end is checked, then
    left out, as a delivery after the end is)."""
    from ..schema import Scenario

    run = scenario.run
    order = sorted(range(len(scenario.changes)), key=lambda i: (scenario.changes[i].date, i))
    state = scenario.model_dump(exclude={"changes", "ranges", "range_groups"})  # not held to ranges
    out = []
    for i in order:
        change = scenario.changes[i]
        day = run.day_of(change.date)
        if day < 0:
            raise ValueError(f"changes.{i}.date: {change.date} lies before the run's start"
                             f" ({run.start_date})")
        try:
            owner, names, node = rule_for(change.key)
        except ValueError as exc:
            raise ValueError(f"changes.{i}.key: '{change.key}' {exc}") from None
        parts = change.key.split(".")
        _set(state, parts, change.value, f"changes.{i}.key", change.key)
        try:
            checked = Scenario.model_validate(copy.deepcopy(state))
        except ValidationError as exc:
            err = exc.errors()[0]
            msg = err["msg"].removeprefix("Value error, ")
            where = ".".join(str(p) for p in err["loc"])
            raise ValueError(f"changes.{i}.value: {where + ': ' if where else ''}{msg}") from None
        value = _get(checked, parts[:node] if node else parts)
        if owner in ("lru_channels", "type_channels", "scheduled"):
            _same_kind(_get(scenario, parts), value, i)
        if day < run.horizon_days:  # a change after the end (a shortened run) never applies
            out.append(Resolved(i, day, change.key, owner, names, value))
    return out


def _set(state: dict, parts: list[str], value: Any, where: str, key: str) -> None:
    node = state
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise ValueError(f"{where}: '{key}' names no value of the scenario")
    if parts[-1] not in node:
        raise ValueError(f"{where}: '{key}' names no value of the scenario")
    node[parts[-1]] = value


def _get(scenario, parts: list[str]) -> Any:
    node = scenario
    for part in parts:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def _same_kind(before: Any, after: Any, i: int) -> None:
    """Channels, docks and slots stay finite or unlimited (a finite shop keeps its count)."""
    if (before == "unlimited") != (after == "unlimited") or before is None:
        raise ValueError(f"changes.{i}.value: a shop stays finite or unlimited for a run"
                         f" ({before!r} at the start)")
