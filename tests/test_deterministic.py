"""Deterministic checks D1 (fuel exhaustion) and D2 (pilot hours) of the analytic checks,
exact to the sortie, and Little's law in the repair pipeline."""

import numpy as np
import pytest

from sim.model.world import World, simulate
from sim.scenario import load

from .helpers import SCENARIOS, interval, replicate, values

VALIDATION = SCENARIOS / "validation"


def daily(name: str, days: int):
    """Sorties flown and sorties lost for want of fuel, day by day (day 1 first)."""
    world = World(load(VALIDATION / f"{name}.toml"), 0, 1)
    squadron = world.squadrons[0]
    flown, no_fuel = [], []
    for day in range(1, days + 1):
        before = squadron.sorties.n, squadron.lost[2].n
        world.env.run(until=day)
        flown.append(squadron.sorties.n - before[0])
        no_fuel.append(squadron.lost[2].n - before[1])
    return flown, no_fuel, world


def test_d1_fuel_runs_out_at_sortie_17_of_day_9():
    flown, no_fuel, world = daily("d1_fuel_exhaustion", 12)
    assert flown[:8] == [48] * 8 and no_fuel[:8] == [0] * 8
    assert flown[8] == 16 and no_fuel[8] == 32   # sortie 17 of day 9 is the first without
    assert sum(flown) == 400
    assert flown[9:] == [0, 0, 0] and no_fuel[9:] == [48, 48, 48]
    assert world.depots["jet"].stock.value == pytest.approx(0.0, abs=1e-9)


def test_d1_with_daily_delivery_lasts_25_days():
    flown, no_fuel, world = daily("d1_fuel_daily_delivery", 28)
    assert flown[:25] == [48] * 25 and no_fuel[:25] == [0] * 25
    assert flown[25] == 32 and no_fuel[25] == 16  # sortie 33 of day 26
    assert flown[26:] == [32, 32] and no_fuel[26:] == [16, 16]


def test_d1_tables_count_the_lost_sorties():
    result = simulate(load(VALIDATION / "d1_fuel_exhaustion.toml"), 0, 1)
    assert result.values["D1"]["sorties"] == 400
    assert result.values["D1"]["fuel_used_t"] == pytest.approx(1200.0)
    lost = result.values["D1"]["sorties_lost_no_fuel"]
    assert lost == result.values["ALL"]["jet.sorties_lost_no_fuel"]
    assert lost == 32 + 48 * (37 - 9)  # day 9's last 32, then every sortie of days 10 to 37
    assert result.values["ALL"]["jet.fuel_stock_t"] < 1200.0


def test_d2_pilot_hours_shared_exactly():
    scenario = load(VALIDATION / "d2_pilot_hours.toml")
    world = World(scenario, 0, 1)
    result = world.run()
    crew = world.squadrons[0].crew
    hours = [p.total for p in crew.pilots]
    assert result.values["D2"]["sorties"] == 1440
    assert len(hours) == 30
    assert hours == [72.0] * 30                     # 48 sorties of 1.5 FH each, spread 0
    assert [p.expire(30.0) for p in crew.pilots] == [72.0] * 30  # all inside 12 months
    assert result.values["D2"]["pilot_flight_hours"] == 2160.0
    per_day = result.values["D2"]["pilot_flight_hours"] / 30 / 30
    assert per_day == pytest.approx(2.4)


@pytest.mark.slow
def test_littles_law_in_the_repair_pipeline():
    """Mean units in repair = removal rate into repair x mean turnaround in repair."""
    scenario = load(VALIDATION / "f1_machine_repairman.toml")
    runs = replicate(scenario, 8, 11)
    days = scenario.run.horizon_days - scenario.run.warmup_days
    in_repair = values(runs, "F1", "unit.in_repair")
    rate = values(runs, "F1", "unit.repaired") / days
    turnaround = values(runs, "F1", "unit.repair_turnaround_days") / values(runs, "F1",
                                                                              "unit.repaired")
    ratio = in_repair / (rate * turnaround)
    low, high = interval(ratio)
    assert low <= 1.0 <= high and high - low < 0.02, (low, high)
    assert np.all(np.abs(ratio - 1) < 0.02)
