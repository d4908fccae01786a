"""The scenario schema: every key of a scenario file, its unit, default and range.

A scenario is the whole problem definition of one simulated world: the fleet by aircraft
type, each type's LRUs (line-replaceable units) with their reliability, repair and supply,
its pilots, fuel, scheduled maintenance and accident rate, the flying programme, the
cannibalization policy and the sanctions regime. Every numeric key carries its unit in its
name (`sortie_hours`, `mtbf_flight_hours`, `repair_days`, `initial_t`); every one has a
range check. The models are frozen and reject unknown keys by name, and they are strict: a
string or a boolean is never taken for a number (`count = "24"`, `channels = true`).

What one replication may cost is bounded before it runs: MAX_TAILS_PER_TYPE tails of a type
(initial count plus deliveries), MAX_TAILS in all, MAX_TYPES types, MAX_LRU_KINDS kinds of
LRU on a type and MAX_LRU_KINDS_ALL in all; a sortie lasts at least MIN_SORTIE_HOURS and a
repair at least MIN_REPAIR_DAYS on average; every date lies in FIRST_DATE..LAST_DATE (the
horizon too). A scenario without aircraft types (an empty file) is refused.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import (BaseModel, ConfigDict, Field, Strict, field_validator, model_serializer,
                      model_validator)

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_/+-]*$"
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=40)]
Channels = Annotated[int, Field(ge=1, le=10_000)] | Literal["unlimited"]
# a [ranges] entry is a TOML array of two numbers (strict numbers, lax tuple: arrays are lists)
Range = Annotated[tuple[Annotated[float, Strict()], Annotated[float, Strict()]], Strict(False)]

MAX_TAILS_PER_TYPE = 2_000
MAX_TAILS = 5_000
MAX_TYPES = 50
MAX_LRU_KINDS = 50
MAX_LRU_KINDS_ALL = 500
MAX_PILOTS_PER_TYPE = 10_000
MIN_SORTIE_HOURS = 0.1      # six minutes: a circuit
MIN_REPAIR_DAYS = 1 / 24    # one hour, on average, for a shop repair
MIN_CV = 1e-3               # a coefficient of variation is 0 (none) or at least this
MAX_THRESHOLDS = 6          # proficiency thresholds reported per type
MAX_CURVE_POINTS = 20       # points of an accident-risk curve
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


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
        if fixed is None and (self.cv is None or self.cv < MIN_CV):
            raise ValueError(f"cv: a {self.distribution} distribution needs cv >= {MIN_CV:g}")
        return self


class _Window(_Strict):
    """A channel active between `start_date` and `end_date`, scaled while sanctions bite."""

    start_date: dt.date | None = None
    end_date: dt.date | None = None
    sanctions_factor: float = Field(default=1.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self):
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValueError("end_date: must come after start_date")
        return self


class PartChannel(_Window):
    """A source of new LRUs: domestic production, a black market, a transfer package.

    `units_per_year` arrive steadily (or as a Poisson stream) while the channel is active,
    the first `lead_days` after it opens; `units` is a one-off delivery at the same moment.
    A unit's `reliability` scales its MTBF once installed (below 1: reverse-engineered or
    grey-market parts that fail sooner). With `reorder = "condemned"` the channel also
    procures one unit for each unit of its kind condemned (METRIC's one-for-one resupply),
    arriving `lead_days` of open channel later (see `PartSupply.order`).
    """

    units_per_year: float = Field(default=0.0, ge=0, le=100_000)
    units: int = Field(default=0, ge=0, le=1_000_000)
    lead_days: float = Field(default=0.0, ge=0, le=36_500)
    arrivals: Literal["steady", "poisson"] = "steady"
    reliability: float = Field(default=1.0, gt=0, le=1)
    reorder: Literal["none", "condemned"] = "none"


class FuelChannel(_Window):
    """Deliveries of fuel: `t_per_year` in `deliveries_per_year` equal shipments, each varying
    with coefficient of variation `cv` and missing with `disruption_probability`, capped at
    `cap_t_per_year` in a calendar year (a legal cap such as UNSCR 2397)."""

    t_per_year: float = Field(ge=0, le=100_000_000)
    deliveries_per_year: float = Field(default=12.0, gt=0, le=366)
    cv: float = Field(default=0.0, ge=0, le=5)
    disruption_probability: float = Field(default=0.0, ge=0, le=1)
    cap_t_per_year: float = Field(default=math.inf, ge=0)

    @model_validator(mode="after")
    def _cv_floor(self) -> FuelChannel:
        if 0 < self.cv < MIN_CV:
            raise ValueError(f"cv: 0 (steady shipments) or at least {MIN_CV:g}")
        return self


class Fuel(_Strict):
    """One fuel kind (jet fuel, avgas): the air force's stock and what flows into it.

    `air_force_share` of every delivery reaches the air force; training may not draw the
    stock below `reserve_t` (the wartime reserve). When the day's programme needs more than
    the stock above the reserve, types are served in `priority` order (others after, in
    file order), and a type may not draw into the `priority_cover_days` of daily need kept
    for the types before it (0: priority only decides who flies today)."""

    initial_t: float = Field(ge=0, le=100_000_000)
    reserve_t: float = Field(default=0.0, ge=0, le=100_000_000)
    air_force_share: float = Field(default=1.0, gt=0, le=1)
    priority: list[Name] = Field(default_factory=list)
    priority_cover_days: float = Field(default=0.0, ge=0, le=3_650)
    channels: dict[Name, FuelChannel] = Field(default_factory=dict)


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
    supply: dict[Name, PartChannel] = Field(default_factory=dict)
    unit_cost_musd: float | None = Field(default=None, gt=0, le=10_000)  # a new unit (spares)
    essential: Literal["flight", "mission"] = "flight"  # without it: cannot fly / cannot fight

    @model_validator(mode="after")
    def _one_reorder_channel(self) -> Lru:
        reorders = [name for name, ch in self.supply.items() if ch.reorder != "none"]
        if len(reorders) > 1:
            raise ValueError(f"supply.{reorders[1]}.reorder: only one channel of a kind may "
                             f"reorder condemned units (also {reorders[0]})")
        return self


class Conversion(_Strict):
    """Pilots converting to this type: from another type's pool, or new from `intake`."""

    from_type: Name
    pilots: int = Field(ge=1, le=100_000)
    start_date: dt.date
    duration_days: float = Field(default=180.0, ge=0, le=3_650)
    elite: int = Field(default=0, ge=0, le=100_000)  # of `pilots`, the first this many are elite

    @model_validator(mode="after")
    def _elite_fits(self) -> Conversion:
        if self.elite > self.pilots:
            raise ValueError(f"elite: {self.elite} elite of {self.pilots} pilots")
        return self


class Pilots(_Strict):
    """The pilots current on one type, their intake, attrition and proficiency thresholds.

    `proficiency_hours` are reporting thresholds only (a list, ascending; a single number is
    read as a list of one): pilots at or above each are counted, nothing else depends on
    them. `initial_hours_on_type`: the hours on the type of the pilots there at the start
    (converts and intake start at 0). `intake_elite_share`: the share of intake pilots who
    are elite (every 1/share-th, no randomness). `cadre_pilots` / `cadre_hours_per_year`:
    with `flying.pilot_assignment = "cadre"`, that many pilots fly first whenever their
    rolling 12-month hours are below that target."""

    count: int = Field(ge=0, le=MAX_PILOTS_PER_TYPE)
    initial_12m_hours: float = Field(default=0.0, ge=0, le=2_000)
    initial_hours_on_type: float = Field(default=10_000.0, ge=0, le=100_000)
    proficiency_hours: list[Annotated[float, Field(gt=0, le=2_000)]] = Field(
        default=[100.0], min_length=1, max_length=MAX_THRESHOLDS)
    intake_per_year: float = Field(default=0.0, ge=0, le=10_000)
    intake_elite_share: float = Field(default=0.0, ge=0, le=1)
    training_days: float = Field(default=0.0, ge=0, le=3_650)
    attrition_per_year: float = Field(default=0.0, ge=0, le=1)
    elite: int = Field(default=0, ge=0, le=100_000)
    elite_weight: float = Field(default=2.0, ge=1, le=1_000)
    cadre_pilots: int = Field(default=0, ge=0, le=MAX_PILOTS_PER_TYPE)
    cadre_hours_per_year: float = Field(default=0.0, ge=0, le=2_000)
    max_sorties_per_day: int = Field(default=2, ge=1, le=24)
    conversions: dict[Name, Conversion] = Field(default_factory=dict)

    @field_validator("proficiency_hours", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return [float(value)]  # old files: one threshold
        return value

    @model_validator(mode="after")
    def _thresholds(self) -> Pilots:
        hours = self.proficiency_hours
        if any(b <= a for a, b in zip(hours, hours[1:])):
            raise ValueError("proficiency_hours: ascending, each threshold once")
        if len({threshold_label(h) for h in hours}) < len(hours):
            raise ValueError("proficiency_hours: two thresholds give the same metric name")
        if self.cadre_pilots and not self.cadre_hours_per_year:
            raise ValueError("cadre_hours_per_year: give the cadre's target (> 0)")
        return self


def threshold_label(hours: float) -> str:
    """A threshold in a metric name: 20 -> '20', 12.5 -> '12p5' (no trailing .0, and no dot,
    which separates a metric's component from its name)."""
    return f"{round(hours, 4):g}".replace(".", "p")


class Inspection(_Strict):
    """A periodic inspection, due every `interval_flight_hours` or `interval_months`,
    whichever comes first, taking `days` in one of `docks`."""

    interval_flight_hours: float | None = Field(default=None, gt=0)
    interval_months: float | None = Field(default=None, gt=0)
    days: float = Field(gt=0, le=3_650)
    docks: Channels = "unlimited"

    @model_validator(mode="after")
    def _has_interval(self) -> Inspection:
        if self.interval_flight_hours is None and self.interval_months is None:
            raise ValueError("interval_flight_hours: give it, or interval_months, or both")
        return self


class Overhaul(_Strict):
    """Depot overhaul at a flight-hour or calendar interval. With `depot_slots = 0` there is
    no depot: a tail due for overhaul stays possessed by the depot, grounded.
    `restores_aging_fraction` f: an overhaul takes back f of the aging the airframe accrued
    since its last overhaul (Kijima's type I virtual age: 0 is pure downtime, 1 returns it to
    its state after the last one); a deferred overhaul leaves the hazard rising."""

    interval_flight_hours: float | None = Field(default=None, gt=0)
    interval_years: float | None = Field(default=None, gt=0)
    days: float = Field(gt=0, le=3_650)
    depot_slots: Annotated[int, Field(ge=0, le=10_000)] | Literal["unlimited"] = "unlimited"
    restores_aging_fraction: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _has_interval(self) -> Overhaul:
        if self.interval_flight_hours is None and self.interval_years is None:
            raise ValueError("interval_flight_hours: give it, or interval_years, or both")
        return self


Multiplier = Annotated[float, Field(gt=0, le=100)]
CurveHours = Annotated[float, Field(ge=0, le=100_000)]


class Accidents(_Strict):
    """Accident risk per sortie: `per_100k_flight_hours` is the rate of a pilot who flew
    `reference_12m_hours` in the last 12 months (the hours of the fleet the rate was observed
    on), so a fleet flying those hours has that rate; a pilot's risk is scaled by
    curve(h) / curve(reference), the curve piecewise linear through (`risk_hours`,
    `risk_multiplier`) over his rolling 12-month hours h and flat beyond the last point;
    times type_curve(hours on type) / type_curve(last point) when `type_risk_hours` is given
    (new converts and intake); times `(1 + age_factor_per_year)^years` of airframe aging from
    the start date. No reporting threshold enters the risk."""

    per_100k_flight_hours: float = Field(ge=0, le=100_000)
    reference_12m_hours: float = Field(default=0.0, ge=0, le=2_000)
    risk_hours: list[CurveHours] = Field(default=[0.0], min_length=1,
                                         max_length=MAX_CURVE_POINTS)
    risk_multiplier: list[Multiplier] = Field(default=[1.0], min_length=1,
                                              max_length=MAX_CURVE_POINTS)
    type_risk_hours: list[CurveHours] = Field(default_factory=list, max_length=MAX_CURVE_POINTS)
    type_risk_multiplier: list[Multiplier] = Field(default_factory=list,
                                                   max_length=MAX_CURVE_POINTS)
    age_factor_per_year: float = Field(default=0.0, ge=0, le=1)
    pilot_loss_probability: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _curves(self) -> Accidents:
        for hours, mult in (("risk_hours", "risk_multiplier"),
                            ("type_risk_hours", "type_risk_multiplier")):
            xs, ys = getattr(self, hours), getattr(self, mult)
            if len(xs) != len(ys):
                raise ValueError(f"{mult}: {len(ys)} values for {len(xs)} {hours}")
            if xs and xs[0] != 0:
                raise ValueError(f"{hours}: the curve starts at 0 hours")
            if any(b <= a for a, b in zip(xs, xs[1:])):
                raise ValueError(f"{hours}: ascending, each point once")
        return self


class Delivery(_Strict):
    """A batch of new tails joining the fleet (a transfer)."""

    date: dt.date
    count: int = Field(ge=1, le=MAX_TAILS_PER_TYPE)
    age_years: float = Field(default=0.0, ge=0, le=100)
    airframe_hours: float = Field(default=0.0, ge=0, le=100_000)


ROLES = ("air_defence", "fighter", "multirole", "strike", "attack", "bomber",
         "reconnaissance", "transport", "trainer")
NON_COMBAT_ROLES = ("transport", "trainer")


class AircraftType(_Strict):
    """One aircraft type: its tails, flying profile, aging, LRUs, pilots and maintenance.
    `role` groups types in the results (`role:<role>`, and `COMBAT` for every role but
    transport and trainer)."""

    count: int = Field(ge=0, le=MAX_TAILS_PER_TYPE)
    max_operating: int | None = Field(default=None, ge=0, le=MAX_TAILS_PER_TYPE)  # None: all
    min_fmc: int | None = Field(default=None, ge=0, le=MAX_TAILS_PER_TYPE)  # None: the global
    role: Literal[ROLES] | None = None
    age_years: float = Field(default=0.0, ge=0, le=100)
    age_spread_years: float = Field(default=0.0, ge=0, le=100)
    airframe_hours: float = Field(default=0.0, ge=0, le=100_000)
    airframe_hours_spread: float = Field(default=0.0, ge=0, le=100_000)
    airframe_life_hours: float = Field(default=math.inf, gt=0)
    airframe_life_years: float = Field(default=math.inf, gt=0)
    retired_tails: Literal["strip", "scrap"] = "strip"
    sortie_hours: float = Field(ge=MIN_SORTIE_HOURS, le=24)
    turnaround_hours: float = Field(default=0.0, ge=0, le=48)
    fleet_hours_per_day: float | None = Field(default=None, ge=0, le=100_000)
    hours_per_aircraft_per_day: float | None = Field(default=None, ge=0, le=24)
    hours_per_pilot_per_year: float | None = Field(default=None, ge=0, le=2_000)
    min_hours_per_pilot_per_year: float = Field(default=0.0, ge=0, le=2_000)
    max_fleet_hours_per_year: float = Field(default=math.inf, gt=0)
    aging_per_year: float = Field(default=0.0, ge=0, le=1)
    aging_weibull_shape: float | None = Field(default=None, gt=0, le=10)
    fuel: Name | None = None
    fuel_burn_t_per_hour: float = Field(default=0.0, ge=0, le=100)
    repair: RepairShop = RepairShop()
    lrus: dict[Name, Lru] = Field(default_factory=dict, max_length=MAX_LRU_KINDS)
    pilots: Pilots | None = None
    inspection: Inspection | None = None
    overhaul: Overhaul | None = None
    accidents: Accidents | None = None
    deliveries: list[Delivery] = Field(default_factory=list)

    @model_validator(mode="after")
    def _aging(self) -> AircraftType:
        if self.aging_weibull_shape is not None:
            if self.aging_per_year:
                raise ValueError("aging_weibull_shape: give it or aging_per_year, not both")
            if self.age_years <= 0:
                raise ValueError("aging_weibull_shape: needs age_years > 0")
        if self.age_spread_years > 2 * self.age_years:
            raise ValueError("age_spread_years: at most twice age_years (no negative ages)")
        if self.airframe_hours_spread > 2 * self.airframe_hours:
            raise ValueError("airframe_hours_spread: at most twice airframe_hours")
        return self


class Run(_Strict):
    """Horizon and statistics window of one replication."""

    years: float = Field(default=10.0, gt=0, le=100)
    start_date: dt.date = dt.date(2023, 1, 1)
    warmup_days: float = Field(default=0.0, ge=0)

    @property
    def horizon_days(self) -> float:
        return self.years * 365.25

    def day_of(self, date: dt.date) -> float:
        """Model time (days from the start date) of a calendar date."""
        return float((date - self.start_date).days)

    @model_validator(mode="after")
    def _warmup_fits(self) -> Run:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(f"warmup_days: {self.warmup_days} is not shorter than the horizon"
                             f" ({self.horizon_days:g} days)")
        return self


class Surge(_Strict):
    """A period of more flying: an exercise, the winter training period, a crisis.

    `mode = "add"` multiplies the programme in the window (more hours in the year);
    `mode = "shift"` flies `multiplier` times the ordinary rate in the window and less outside
    it, so that the year's hours stay the same (a training calendar). `every_years` repeats the
    window from `start_date` to the end of the run. `effort = "max"` is a maximum-effort surge:
    every FMC tail with a current pilot flies as many sortie cycles as the daily window allows,
    the wartime fuel reserve may be drawn, scheduled inspections wait and cannibalization works
    on demand (`multiplier` and `mode` do not apply).
    """

    start_date: dt.date
    end_date: dt.date
    multiplier: float = Field(default=1.0, gt=0, le=100)
    mode: Literal["add", "shift"] = "add"
    every_years: int | None = Field(default=None, ge=1, le=100)
    effort: Literal["programme", "max"] = "programme"

    @model_validator(mode="after")
    def _window(self) -> Surge:
        if self.end_date <= self.start_date:
            raise ValueError("end_date: must come after start_date")
        if self.every_years and (self.end_date - self.start_date).days >= 365 * self.every_years:
            raise ValueError("end_date: a recurring surge must end before it recurs")
        return self


class Flying(_Strict):
    """The flying programme.

    `fleet_hours`: each type flies `fleet_hours_per_day`, whichever tails are FMC (regime P).
    `per_aircraft`: each FMC tail flies `hours_per_aircraft_per_day` (regime F).
    `per_pilot`: each current pilot is planned `hours_per_pilot_per_year`.
    `fuel_budget`: what the air force would fly if it could (each current pilot's
    `hours_per_pilot_per_year`, at most the type's `max_fleet_hours_per_year`) is its demand;
    each `planning_period_days` the fuel above the reserve and the deliveries expected over
    `budget_horizon_days` (at today's rates) are budgeted, the period getting its share of the
    horizon's demand, and allocated in the fuel's `priority` order: first every type's
    `min_hours_per_pilot_per_year`, then the rest of each demand. The plan is what the fuel
    allows; it is flown as aircraft and pilots allow.
    Sorties launch inside a daily window of `window_hours` and must land before it closes.
    `pilot_assignment`: `equal` (or its old name `fewest_hours`): the available pilot with
    the fewest recent hours flies next; `elite_first` (elite weights): an elite pilot's hours
    count divided by the type's `elite_weight`, so that the elite fly about that many times
    the hours of the others (a large weight: strictly first); `cadre`: each type's
    `cadre_pilots` fly first while their rolling 12-month hours are below its
    `cadre_hours_per_year`, the others share the rest fewest-hours-first.
    """

    programme: Literal["fleet_hours", "per_aircraft", "per_pilot", "fuel_budget"] = "fleet_hours"
    window_hours: float = Field(default=10.0, gt=0, le=24)
    planning_period_days: float = Field(default=365.25 / 12, gt=0, le=366)
    budget_horizon_days: float = Field(default=365.25, gt=0, le=3_653)
    pilot_assignment: Literal["equal", "elite_first", "cadre"] = "equal"
    pmc_flies: bool = True  # PMC tails (a mission LRU missing) fly training sorties
    surges: list[Surge] = Field(default_factory=list)

    @field_validator("pilot_assignment", mode="before")
    @classmethod
    def _old_name(cls, value: Any) -> Any:
        return "equal" if value == "fewest_hours" else value


class Cannibalization(_Strict):
    """Moving a serviceable LRU from a grounded tail (the donor) to complete another: at
    every chance (`full`), at most k a month (`capped`), or only when the day's programme or
    the posture floor `min_fmc` (FMC tails of each type) cannot be met otherwise (`demand`)."""

    policy: Literal["none", "capped", "full", "demand"] = "full"
    max_actions_per_month: int = Field(default=0, ge=0, le=1_000_000)
    hours_per_action: float = Field(default=6.0, ge=0, le=1_000)
    damage_probability: float = Field(default=0.0, ge=0, le=1)
    min_fmc: int = Field(default=0, ge=0, le=MAX_TAILS_PER_TYPE)  # demand: per type


class Maintenance(_Strict):
    """Who gets a part that arrives: the waiting tail closest to FMC, or the oldest backorder.
    A tail possessed by the depot claims last, or once it is within `depot_claim_days` of
    leaving the depot."""

    allocation: Literal["closest_to_fmc", "fifo"] = "closest_to_fmc"
    depot_claim_days: float = Field(default=0.0, ge=0)


class Sanctions(_Strict):
    """The period in which channels are scaled by their `sanctions_factor`."""

    start_date: dt.date | None = None
    end_date: dt.date | None = None


class Range(_Strict):
    """What is known of a value: its range, the distribution a design samples it from, and
    whether it is a lever (chosen by the decision maker) or an uncertainty (nobody knows).
    `[low, high]` is short for a uniform uncertainty."""

    low: float
    high: float
    distribution: Literal["uniform", "loguniform", "triangular"] = "uniform"
    mode: float | None = None
    kind: Literal["uncertainty", "lever"] = "uncertainty"

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, data: Any) -> Any:
        if isinstance(data, (list, tuple)):
            if len(data) != 2:
                raise ValueError("must be [low, high] or a table with low and high")
            return {"low": data[0], "high": data[1]}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low: {self.low:g} is above high {self.high:g}")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError("low: a loguniform range needs low > 0")
        if (self.distribution == "triangular") != (self.mode is not None):
            raise ValueError("mode: a triangular range needs a mode, and only it has one")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode: {self.mode:g} lies outside [{self.low:g}, {self.high:g}]")
        return self

    @model_serializer(mode="wrap")
    def _short(self, handler):
        data = handler(self)
        if self.distribution == "uniform" and self.kind == "uncertainty":
            return [self.low, self.high]
        return {k: v for k, v in data.items() if v is not None}


_PROGRAMME_KEY = {"fleet_hours": "fleet_hours_per_day",
                  "per_aircraft": "hours_per_aircraft_per_day",
                  "per_pilot": "hours_per_pilot_per_year",
                  "fuel_budget": "hours_per_pilot_per_year"}


class Change(_Strict):
    """A dated change of one scenario value: from `date` on, the dotted `key` is `value`
    (validated as the key itself is; see `sim.model.changes` for the keys that can change)."""

    date: dt.date
    key: str = Field(min_length=1, max_length=300)
    value: Any


class Scenario(_Strict):
    name: Name
    description: str = ""
    run: Run = Run()
    flying: Flying = Flying()
    cannibalization: Cannibalization = Cannibalization()
    maintenance: Maintenance = Maintenance()
    sanctions: Sanctions = Sanctions()
    fuel: dict[Name, Fuel] = Field(default_factory=dict)
    types: dict[Name, AircraftType] = Field(default_factory=dict, max_length=MAX_TYPES)
    changes: list[Change] = Field(default_factory=list)
    ranges: dict[str, Range] = Field(default_factory=dict)
    range_groups: dict[Name, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        _check_bounds(self)
        for name, t in self.types.items():
            _check_type(self, name, t)
        for kind, fuel in self.fuel.items():
            for i, name in enumerate(fuel.priority):
                if name not in self.types:
                    raise ValueError(f"fuel.{kind}.priority.{i}: no aircraft type '{name}'")
        for key, r in self.ranges.items():
            value = _lookup(self, key)
            if not r.low <= value <= r.high:
                raise ValueError(f"ranges.{key}: value {value:g} lies outside its range"
                                 f" [{r.low:g}, {r.high:g}]")
        _check_groups(self)
        if self.flying.budget_horizon_days < self.flying.planning_period_days:
            raise ValueError("flying.budget_horizon_days: shorter than"
                             " flying.planning_period_days")
        if self.changes:
            from .model.changes import resolve  # the model declares what may change
            resolve(self)
        return self


def _check_groups(scenario: Scenario) -> None:
    """Each group names ranges of one kind, and a range belongs to one group at most."""
    seen: dict[str, str] = {}
    for group, keys in scenario.range_groups.items():
        for i, key in enumerate(keys):
            if key not in scenario.ranges:
                raise ValueError(f"range_groups.{group}.{i}: '{key}' has no entry in [ranges]")
            if key in seen:
                raise ValueError(f"range_groups.{group}.{i}: '{key}' is in group"
                                 f" '{seen[key]}' already")
            seen[key] = group
        if len({scenario.ranges[k].kind for k in keys}) > 1:
            raise ValueError(f"range_groups.{group}: mixes levers and uncertainties")


def _check_bounds(scenario: Scenario) -> None:
    """What a replication may cost, and the dates the calendar handles."""
    tails = {name: t.count + sum(d.count for d in t.deliveries)
             for name, t in scenario.types.items()}
    if not tails:
        raise ValueError("types: a scenario needs at least one aircraft type")
    for name, n in tails.items():
        if n > MAX_TAILS_PER_TYPE:
            raise ValueError(f"types.{name}.count: {n} tails with its deliveries, more than"
                             f" {MAX_TAILS_PER_TYPE:,} of one type")
    if sum(tails.values()) > MAX_TAILS:
        raise ValueError(f"types: {sum(tails.values()):,} tails in all, more than {MAX_TAILS:,}")
    kinds = sum(len(t.lrus) for t in scenario.types.values())
    if kinds > MAX_LRU_KINDS_ALL:
        raise ValueError(f"types: {kinds} LRU kinds in all, more than {MAX_LRU_KINDS_ALL}")
    for name, t in scenario.types.items():
        for kind, lru in t.lrus.items():
            if lru.repair_days.mean < MIN_REPAIR_DAYS:
                raise ValueError(f"types.{name}.lrus.{kind}.repair_days.mean: at least"
                                 f" {MIN_REPAIR_DAYS:.4g} days (one hour)")
    for key, date in _dates(scenario):
        if not FIRST_DATE <= date <= LAST_DATE:
            raise ValueError(f"{key}: {date} is outside {FIRST_DATE} to {LAST_DATE}")
    end = scenario.run.start_date + dt.timedelta(days=math.ceil(scenario.run.horizon_days))
    if end > LAST_DATE:
        raise ValueError(f"run.years: the horizon ends after {LAST_DATE}")


def _dates(node: Any, key: str = ""):
    """(dotted key, date) of every date in a validated scenario."""
    if isinstance(node, dt.date):
        yield key, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _dates(getattr(node, name), f"{key}.{name}" if key else name)
    elif isinstance(node, dict):
        for name, value in node.items():
            yield from _dates(value, f"{key}.{name}")
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _dates(value, f"{key}.{i}")


def _check_type(scenario: Scenario, name: str, t: AircraftType) -> None:
    programme = scenario.flying.programme
    needed = _PROGRAMME_KEY[programme]
    if getattr(t, needed) is None:
        raise ValueError(f"types.{name}.{needed}: required when flying.programme = '{programme}'")
    if programme in ("per_pilot", "fuel_budget") and t.pilots is None:
        raise ValueError(f"types.{name}.pilots: required when flying.programme = '{programme}'")
    if programme == "fuel_budget" and t.min_hours_per_pilot_per_year > t.hours_per_pilot_per_year:
        raise ValueError(f"types.{name}.min_hours_per_pilot_per_year: above"
                         " hours_per_pilot_per_year")
    cycle = t.sortie_hours + t.turnaround_hours
    if cycle > scenario.flying.window_hours:
        raise ValueError(f"types.{name}.sortie_hours: sortie and turnaround ({cycle:g} h)"
                         f" do not fit in flying.window_hours ({scenario.flying.window_hours:g})")
    if t.fuel is not None and t.fuel not in scenario.fuel:
        raise ValueError(f"types.{name}.fuel: no fuel kind '{t.fuel}' in [fuel]")
    if t.pilots is not None:
        if t.pilots.cadre_pilots and scenario.flying.pilot_assignment != "cadre":
            raise ValueError(f"types.{name}.pilots.cadre_pilots: only with"
                             " flying.pilot_assignment = 'cadre'")
        for conv_name, conv in t.pilots.conversions.items():
            if conv.from_type != "intake" and conv.from_type not in scenario.types:
                raise ValueError(f"types.{name}.pilots.conversions.{conv_name}.from_type:"
                                 f" no aircraft type '{conv.from_type}' (or 'intake')")
            if conv.from_type != "intake" and scenario.types[conv.from_type].pilots is None:
                raise ValueError(f"types.{name}.pilots.conversions.{conv_name}.from_type:"
                                 f" type '{conv.from_type}' has no pilots")


def _lookup(scenario: BaseModel, dotted: str) -> float:
    node: Any = scenario
    for part in dotted.split("."):
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ValueError(f"ranges.{dotted}: no such key in the scenario")
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise ValueError(f"ranges.{dotted}: not a numeric key")
    return float(node)
