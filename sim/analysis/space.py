"""The space an experiment samples: a scenario's `[ranges]` as design factors.

A factor is one dimension of a design, on the unit interval: a range on its own, or a
`[range_groups]` group whose ranges move together (one unit value, read through each member's
own distribution, so the MiG-29 count and its pilots rise and fall as one). A unit value u
becomes a scenario value through the range's distribution (`uniform`, `loguniform` for rates
spanning a decade, `triangular` with a mode); integer keys (counts) take whole values, each
one equally likely under a uniform range. Levers (what the decision maker chooses) and
uncertainties (what nobody knows) are told apart by each range's `kind`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from ..scenario import Range, Scenario, ScenarioError, set_key, validate

DUMMY = "dummy"  # a factor that changes nothing: its Sobol ST is the noise floor


@dataclass(frozen=True)
class Factor:
    """One design dimension: a range, or a group of ranges that move together."""

    name: str
    keys: tuple[str, ...]
    kind: str


def factors(scenario: Scenario, kinds: tuple[str, ...] = ("uncertainty",)) -> list[Factor]:
    """The scenario's factors of the given kinds, groups first, in file order."""
    grouped = {k for keys in scenario.range_groups.values() for k in keys}
    out = [Factor(name, tuple(keys), scenario.ranges[keys[0]].kind)
           for name, keys in scenario.range_groups.items()]
    out += [Factor(key, (key,), r.kind) for key, r in scenario.ranges.items()
            if key not in grouped]
    return [f for f in out if f.kind in kinds]


def integer_keys(scenario: Scenario) -> set[str]:
    """The ranged keys whose scenario value is a whole number type (counts). The value of a
    `[[changes]]` entry (`changes.0.value`) is whole when the key it changes is: a change
    to a repair-days mean written `value = 120` still draws fractional days."""
    out = set()
    for key in scenario.ranges:
        target = _change_target(scenario, key)
        x = _value(scenario, target) if target else _value(scenario, key)
        if isinstance(x, int) and not isinstance(x, bool):
            out.add(key)
    return out


def _change_target(scenario: Scenario, key: str) -> str | None:
    """The key a ranged `changes.N.value` changes, or None for any other ranged key."""
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "changes" and parts[2] == "value" \
            and parts[1].isdigit() and int(parts[1]) < len(scenario.changes):
        return scenario.changes[int(parts[1])].key
    return None


def value(r: Range, u: float, integer: bool = False) -> float | int:
    """The value of range `r` at unit value u in [0, 1]."""
    u = min(max(float(u), 0.0), 1.0)
    if r.distribution == "loguniform":
        x = math.exp(math.log(r.low) + u * math.log(r.high / r.low))
    elif r.distribution == "triangular":
        width = r.high - r.low
        c = (r.mode - r.low) / width if width else 0.5
        x = float(stats.triang.ppf(u, c, loc=r.low, scale=width)) if width else r.low
    elif integer:
        return int(min(math.floor(r.low + u * (r.high - r.low + 1)), r.high))
    else:
        x = r.low + u * (r.high - r.low)
    return int(min(max(round(x), r.low), r.high)) if integer else x


def point_values(scenario: Scenario, fs: list[Factor], unit: np.ndarray,
                 integers: set[str] | None = None) -> dict[str, float | int]:
    """{dotted key: value} of one unit point (NaN: the factor stays at its scenario value)."""
    integers = integer_keys(scenario) if integers is None else integers
    out: dict[str, float | int] = {}
    for f, u in zip(fs, unit):
        if np.isnan(u):
            continue
        for key in f.keys:
            out[key] = value(scenario.ranges[key], u, key in integers)
    return out


def check_bounds(raw: dict, scenario: Scenario, fs: list[Factor], path: Path) -> None:
    """Each range's low and high must be values its key accepts (a count of 0 may be
    allowed where a negative one is not): a ScenarioError naming `ranges.KEY` otherwise."""
    import copy

    integers = integer_keys(scenario)
    for f in fs:
        for key in f.keys:
            r = scenario.ranges[key]
            for end in ("low", "high"):
                trial = copy.deepcopy(raw)
                set_key(trial, key, value(r, 0.0 if end == "low" else 1.0, key in integers))
                try:
                    validate(trial, path)
                except ScenarioError as exc:
                    raise ScenarioError(path, f"ranges.{key}", f"{end} {getattr(r, end):g} is"
                                        f" outside the key's own bounds ({exc.key}:"
                                        f" {exc.message})") from None


def _value(scenario: Scenario, key: str):
    node = scenario
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else (
            node[part] if isinstance(node, dict) else getattr(node, part))
    return node
