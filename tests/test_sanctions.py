"""Fuel and pilots under common random numbers: more of either never flies less."""

import numpy as np
import pytest

from .helpers import interval, replicate, scenario, values

FUELLED = {"run": {"years": 1.0}, "fuel": {"jet": {"initial_t": 20.0, "channels": {
    "import": {"t_per_year": 300.0, "cv": 0.5, "disruption_probability": 0.2}}}},
    "types": {"A": {"fuel": "jet", "fuel_burn_t_per_hour": 2.0}}}
CREWED = {"run": {"years": 1.0}, "types": {"A": {"pilots": {
    "count": 3, "max_sorties_per_day": 1, "attrition_per_year": 0.2, "intake_per_year": 2}}}}


def paired(base: dict, more: dict, metric: str, n: int = 12):
    less_runs = replicate(scenario(base), n, 8)
    more_runs = replicate(scenario(more), n, 8)
    return values(more_runs, "A", metric) - values(less_runs, "A", metric)


def with_fuel(t_per_year: float) -> dict:
    out = {**FUELLED, "fuel": {"jet": {**FUELLED["fuel"]["jet"], "channels": {
        "import": {**FUELLED["fuel"]["jet"]["channels"]["import"], "t_per_year": t_per_year}}}}}
    return out


def with_pilots(count: int) -> dict:
    return {**CREWED, "types": {"A": {"pilots": {**CREWED["types"]["A"]["pilots"],
                                                 "count": count}}}}


@pytest.mark.slow
def test_more_fuel_flies_more_when_fuel_binds():
    diff = paired(with_fuel(300.0), with_fuel(600.0), "flight_hours")
    low, high = interval(diff)
    assert low > 0, (low, high)


def test_more_fuel_changes_nothing_when_fuel_does_not_bind():
    diff = paired(with_fuel(1e6), with_fuel(2e6), "flight_hours", n=4)
    assert np.all(diff == 0)


@pytest.mark.slow
def test_more_pilots_fly_more_sorties_when_pilots_bind():
    diff = paired(with_pilots(3), with_pilots(6), "sorties")
    low, high = interval(diff)
    assert low > 0, (low, high)
    lost = paired(with_pilots(3), with_pilots(6), "sorties_lost_no_pilot")
    assert interval(lost)[1] < 0


def test_more_pilots_change_nothing_when_aircraft_bind():
    diff = paired(with_pilots(40), with_pilots(80), "sorties", n=4)
    assert np.all(diff == 0)
