"""Scenario files: the schema, TOML loading, `extends` inheritance and `--set` overrides.

A scenario is the whole problem definition of one simulated world: the fleet by aircraft
type, each type's LRUs (line-replaceable units) with their reliability, repair and supply,
the flying programme and the cannibalization policy. Every numeric key carries its unit in
its name (`sortie_hours`, `mtbf_flight_hours`, `repair_days`); every one has a range check.
The model is frozen and rejects unknown keys by name, so a typo never silently falls back
to a default.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_/+-]*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]


class ScenarioError(Exception):
    """A scenario that cannot be used: names the file, the dotted key and the problem."""

    def __init__(self, path: str | Path | None, key: str, message: str):
        self.path, self.key, self.message = (str(path) if path else "<scenario>"), key, message
        super().__init__(self.line())

    def line(self) -> str:
        where = f"{self.path}: {self.key}" if self.key else self.path
        return f"{where}: {self.message}"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Distribution(_Strict):
    """A positive random duration given by its mean and coefficient of variation (cv)."""

    distribution: Literal["deterministic", "exponential", "lognormal", "gamma"] = "exponential"
    mean: float = Field(gt=0, le=10_000)
    cv: float | None = Field(default=None, ge=0, le=10)

    @model_validator(mode="after")
    def _cv_fits(self) -> Distribution:
        fixed = {"deterministic": 0.0, "exponential": 1.0}.get(self.distribution)
        if fixed is not None and self.cv is not None and self.cv != fixed:
            raise ValueError(f"cv: a {self.distribution} distribution has cv {fixed:g}")
        if fixed is None and (self.cv is None or self.cv <= 0):
            raise ValueError(f"cv: a {self.distribution} distribution needs cv > 0")
        return self


class SupplyChannel(_Strict):
    """A steady inflow of serviceable units: `units_per_year`, first unit after `lead_days`."""

    units_per_year: float = Field(ge=0, le=100_000)
    lead_days: float = Field(default=0.0, ge=0, le=36_500)
    arrivals: Literal["steady", "poisson"] = "steady"


Channels = Annotated[int, Field(ge=1, le=10_000)] | Literal["unlimited"]


class RepairShop(_Strict):
    """Repair channels (parallel repair lines) shared by the LRU kinds of one aircraft type."""

    channels: Channels = "unlimited"


class Lru(_Strict):
    """One kind of line-replaceable unit on an aircraft type."""

    units_per_aircraft: int = Field(default=1, ge=1, le=100)
    mtbf_flight_hours: float = Field(gt=0)  # inf: never fails in flight
    calendar_failures_per_year: float = Field(default=0.0, ge=0, le=365)
    repair_days: Distribution = Distribution(distribution="exponential", mean=30.0)
    condemned_fraction: float = Field(default=0.0, ge=0, le=1)
    initial_stock: int = Field(default=0, ge=0, le=1_000_000)
    remove_replace_hours: float = Field(default=0.0, ge=0, le=1_000)
    repair_channels: Channels | None = None  # None: the type's shared repair shop
    resupply: SupplyChannel | None = None


class AircraftType(_Strict):
    """One aircraft type: its tails, flying profile, aging and LRUs."""

    count: int = Field(ge=0, le=100_000)
    age_years: float = Field(default=0.0, ge=0, le=100)
    airframe_hours: float = Field(default=0.0, ge=0, le=100_000)
    airframe_life_hours: float = Field(default=math.inf, gt=0)
    sortie_hours: float = Field(gt=0, le=24)
    turnaround_hours: float = Field(default=0.0, ge=0, le=48)
    fleet_hours_per_day: float | None = Field(default=None, ge=0, le=100_000)
    hours_per_aircraft_per_day: float | None = Field(default=None, ge=0, le=24)
    aging_per_year: float = Field(default=0.0, ge=0, le=1)
    repair: RepairShop = RepairShop()
    lrus: dict[Name, Lru] = Field(default_factory=dict)


class Run(_Strict):
    """Horizon and statistics window of one replication."""

    years: float = Field(default=10.0, gt=0, le=100)
    start_date: dt.date = dt.date(2023, 1, 1)
    warmup_days: float = Field(default=0.0, ge=0)

    @property
    def horizon_days(self) -> float:
        return self.years * 365.25

    @model_validator(mode="after")
    def _warmup_fits(self) -> Run:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(f"warmup_days: {self.warmup_days} is not shorter than the horizon"
                             f" ({self.horizon_days:g} days)")
        return self


class Flying(_Strict):
    """The flying programme.

    `fleet_hours`: each type flies `fleet_hours_per_day`, whichever tails are FMC (regime P).
    `per_aircraft`: each FMC tail flies `hours_per_aircraft_per_day` (regime F).
    Sorties launch inside a daily window of `window_hours` and must land before it closes.
    """

    programme: Literal["fleet_hours", "per_aircraft"] = "fleet_hours"
    window_hours: float = Field(default=10.0, gt=0, le=24)


class Cannibalization(_Strict):
    """Moving a serviceable LRU from a grounded tail (the donor) to complete another."""

    policy: Literal["none", "capped", "full"] = "full"
    max_actions_per_month: int = Field(default=0, ge=0, le=1_000_000)
    hours_per_action: float = Field(default=6.0, ge=0, le=1_000)
    damage_probability: float = Field(default=0.0, ge=0, le=1)


class Maintenance(_Strict):
    """Who gets a part that arrives: the waiting tail closest to FMC, or the oldest backorder."""

    allocation: Literal["closest_to_fmc", "fifo"] = "closest_to_fmc"


class Scenario(_Strict):
    name: Name
    description: str = ""
    run: Run = Run()
    flying: Flying = Flying()
    cannibalization: Cannibalization = Cannibalization()
    maintenance: Maintenance = Maintenance()
    types: dict[Name, AircraftType] = Field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        needed = {"fleet_hours": "fleet_hours_per_day",
                  "per_aircraft": "hours_per_aircraft_per_day"}[self.flying.programme]
        for name, t in self.types.items():
            if getattr(t, needed) is None:
                raise ValueError(f"types.{name}.{needed}: required when flying.programme ="
                                 f" '{self.flying.programme}'")
            cycle = t.sortie_hours + t.turnaround_hours
            if cycle > self.flying.window_hours:
                raise ValueError(f"types.{name}.sortie_hours: sortie and turnaround ({cycle:g} h)"
                                 f" do not fit in flying.window_hours ({self.flying.window_hours:g})")
        for key, (low, high) in self.ranges.items():
            value = _lookup(self, key)
            if low > high:
                raise ValueError(f"ranges.{key}: low {low:g} is above high {high:g}")
            if not low <= value <= high:
                raise ValueError(f"ranges.{key}: value {value:g} lies outside its range"
                                 f" [{low:g}, {high:g}]")
        return self


def _lookup(scenario: BaseModel, dotted: str) -> float:
    node: Any = scenario
    for part in dotted.split("."):
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise ValueError(f"ranges.{dotted}: no such key in the scenario")
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise ValueError(f"ranges.{dotted}: not a numeric key")
    return float(node)


# ---------------------------------------------------------------------------------------
# loading


def load(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read a scenario file, resolve `extends`, apply `key=value` overrides, validate."""
    path = Path(path)
    raw = read_raw(path)
    for item in overrides:
        apply_override(raw, item, path)
    return validate(raw, path)


def read_raw(path: str | Path) -> dict:
    """The file's mapping with `extends` resolved and `name` defaulted, before validation."""
    path = Path(path)
    raw = _read_resolved(path, ())
    raw.setdefault("name", path.stem)
    return raw


def validate(raw: dict, path: str | Path | None = None) -> Scenario:
    """Validate a raw mapping, turning the first problem into a one-line ScenarioError."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc, path) from None


def apply_override(raw: dict, item: str, path: str | Path | None = None) -> None:
    """Apply one `dotted.key=value` override; the value is read as a TOML value."""
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(path, item, "an override must read dotted.key=value")
    set_key(raw, key, parse_value(text), path)


def parse_value(text: str) -> object:
    """A command-line value read as TOML (number, boolean, string, array), else as text."""
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


def set_key(raw: dict, key: str, value: object, path: str | Path | None = None) -> None:
    """Set `value` at the dotted `key` of a raw mapping, creating tables on the way."""
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ScenarioError(path, key, f"'{part}' is a value, not a table")
        node = child
    node[parts[-1]] = value


def _read_resolved(path: Path, chain: tuple[Path, ...]) -> dict:
    resolved = path.resolve()
    if resolved in chain:
        raise ScenarioError(path, "extends", "circular inheritance")
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(path, "", "no such file") from None
    except OSError as exc:
        raise ScenarioError(path, "", exc.strerror or str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path, "", f"not valid TOML: {exc}") from None
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", "must be a file name")
    base = _read_resolved(path.parent / parent, chain + (resolved,))
    base.pop("name", None)
    base.pop("description", None)
    return deep_merge(base, raw)


def deep_merge(base: dict, top: dict) -> dict:
    """Merge `top` into a copy of `base`; tables merge key by key, `top` wins."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _first_error(exc: ValidationError, path: str | Path | None) -> ScenarioError:
    errors = exc.errors()
    err = errors[0]
    key = ".".join(str(p) for p in err["loc"])
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
        head, sep, rest = message.partition(": ")
        if sep and " " not in head:  # the message names its own (nested) key
            key = f"{key}.{head}" if key else head
            message = rest
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(path, key, message)


def dump(scenario: Scenario) -> dict:
    """The fully resolved scenario as plain TOML-ready data."""
    return scenario.model_dump(mode="python")
