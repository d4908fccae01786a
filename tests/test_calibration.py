"""Calibration of the status quo against what is observed of the KPAAF in 2023-2025.

Each target comes from /work/shared/reference/kpaaf-parameters.md (the row is named in each
test) and is checked against the 95% confidence interval of the mean over replications, not
against single replications: a target holds when the whole interval lies inside its range.
The status quo starts on 2019-01-01 and discards four years of warm-up, so `run.years = 7`
makes the replication values cover exactly 2023-01-01 to 2025-12-31 (the calibration
window). scenarios/README.md ("Calibration") gives the table of targets and results.

Each observation is matched to the state it observes (issue 10): "18 of 35 MiG-29s
serviceable" to the MC rate (FMC + PMC over possessed), the 2021 imagery of aircraft able to
ferry to flyable / active. TUNED: the MiG-29's MC rate (reading A: 35 on strength), the old
types' "most non-flyable", and under reading B (18 on strength, status_quo_mig29_18.toml)
the MiG-29 imagery. HELD OUT (no value was tuned to them in this calibration): the Su-25
imagery, the fleet's pilot hours and the ordinary sortie rate (see scenarios/README.md).

A second test (marked slow: it runs the whole horizon) checks that readiness does not
collapse over 2023-2032 (a fleet that has survived thirty years of sanctions is near a
balance). The calibration tests take about 8 s on one core, the horizon test as much again.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pytest
from scipy import stats

from sim.model.planning import surge_windows
from sim.model.world import simulate
from sim.scenario import load

from .helpers import SCENARIOS

SEED = 20230101
CALIBRATION_REPLICATIONS = 12
HORIZON_REPLICATIONS = 10
OLD_TYPES = ("MiG-23", "MiG-21/J-7", "MiG-19/J-6", "MiG-15/17", "Il-28/H-5")
ELITE_TYPES = ("MiG-29", "Su-25")


def ci95(x) -> tuple[float, float]:
    """Student-t 95% confidence interval of the mean of independent replications."""
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean() - half, x.mean() + half


def assert_within(x, low: float, high: float, what: str) -> None:
    lo, hi = ci95(x)
    assert low <= lo and hi <= high, (
        f"{what}: mean {np.mean(x):.3f}, 95% CI [{lo:.3f}, {hi:.3f}] not inside [{low}, {high}]")


@pytest.fixture(scope="module")
def window():
    """Replications of the calibration window 2023-2025."""
    scenario = load(SCENARIOS / "status_quo.toml", ["run.years=7"])
    assert str(scenario.run.start_date) == "2019-01-01" and scenario.run.warmup_days == 1461
    return scenario, [simulate(scenario, k, SEED) for k in range(CALIBRATION_REPLICATIONS)]


def per_replication(results, aircraft_type: str, metric: str) -> np.ndarray:
    return np.array([r.values[aircraft_type][metric] for r in results])


def flyable_share(results, aircraft_type: str) -> np.ndarray:
    """Flyable (FMC + PMC) over active tails: what imagery of aircraft able to ferry sees."""
    return per_replication(results, aircraft_type, "flyable_aircraft") / \
        per_replication(results, aircraft_type, "active_aircraft")


def test_mig29_about_half_serviceable(window):
    # TUNED. §3 "MiG-29 serviceable (2023 press claim)": ~18 of 35 read as MC (reading A);
    # Note 2: one scenario, not a measurement, so a band around 0.5 rather than a point.
    _, results = window
    assert_within(per_replication(results, "MiG-29", "mc_rate"), 0.40, 0.65, "MiG-29 mc_rate")


def test_mig29_reading_b_matches_the_imagery():
    # TUNED (reading B). §1 "MiG-29": IISS >=18 on strength; §3 "KPAAF MiG-29/Su-25 flyable
    # fraction (2021 imagery)": 12 counted at Sunchon and flown out, >= 2/3 of IISS's 18.
    scenario = load(SCENARIOS / "status_quo_mig29_18.toml", ["run.years=7"])
    results = [simulate(scenario, k, SEED) for k in range(CALIBRATION_REPLICATIONS)]
    assert_within(flyable_share(results, "MiG-29"), 2 / 3 - 0.05, 0.95,
                  "reading B MiG-29 flyable share")


def test_su25_mostly_able_to_fly(window):
    # HELD OUT. §3 "KPAAF MiG-29/Su-25 flyable fraction (2021 imagery)": 31 of ~34
    # ferry-capable (~0.9): flyable over active.
    _, results = window
    assert_within(flyable_share(results, "Su-25"), 0.75, 0.95, "Su-25 flyable share")


def test_old_types_mostly_non_flyable(window):
    # TUNED. §3 "Older KPAAF types" (stripped and decaying, "the rest junk"); §1 "IISS
    # headline": most of the fleet non-flyable for lack of spares: flyable below one half of
    # the active tails, and far below the Su-25 (Note 1: "older types are much worse").
    _, results = window
    su25_low, _ = ci95(flyable_share(results, "Su-25"))
    for name in OLD_TYPES:
        share = flyable_share(results, name)
        assert_within(share, 0.25, 0.50, f"{name} flyable share")
        assert ci95(share)[1] < su25_low - 0.2, f"{name} is not far below the Su-25"


def test_fleet_pilot_hours(window):
    # HELD OUT. Note 5 and §5 "KPAAF pilot hours (headline)": 12-25 FH/yr on average over the fleet;
    # elite MiG-29/Su-25 regiments 20-40 FH/yr, the rest of the fleet less.
    _, results = window
    assert_within(per_replication(results, "ALL", "hours_per_pilot"), 12, 25,
                  "fleet hours_per_pilot")
    elite_low = min(ci95(per_replication(results, name, "hours_per_pilot"))[0]
                    for name in ELITE_TYPES)
    for name in ELITE_TYPES:
        assert_within(per_replication(results, name, "hours_per_pilot"), 20, 40,
                      f"{name} hours_per_pilot")
    for name in OLD_TYPES:
        assert ci95(per_replication(results, name, "hours_per_pilot"))[1] < elite_low, \
            f"{name} pilots fly as much as the elite regiments"


def test_fewer_than_100_sorties_on_an_ordinary_day(window):
    # HELD OUT. §5 "KPAAF sortie rate": <100 sorties a day on average (to 2011, and in 2014); surges
    # (winter training, exercises) excluded: the months they touch are left out.
    scenario, results = window
    start = scenario.run.start_date
    surges = [((start + dt.timedelta(days=a)).strftime("%Y-%m"),
               (start + dt.timedelta(days=b - 1)).strftime("%Y-%m"))
              for a, b, _ in surge_windows(scenario.flying, scenario.run)]
    per_day = []
    for r in results:
        months = np.array(r.months)
        keep = (months >= "2023-01") & ~np.array(
            [any(a <= m <= b for a, b in surges) for m in months])
        days = np.array([calendar.monthrange(int(m[:4]), int(m[5:]))[1] for m in months])
        per_day.append(r.monthly["ALL"]["sorties"][keep].sum() / days[keep].sum())
    assert_within(per_day, 1, 100, "sorties per ordinary day")


def test_fuel_binds_flying_in_the_status_quo(window):
    # Issue 9: the 12-25 FH/yr of Note 5 are what fuel leaves of a demand of 35 FH/yr (§5
    # "Defector data point"), not an input: most of the fleet's demand is lost for want of
    # fuel, the first-priority elite regiments lose little of theirs, the old types most.
    _, results = window
    share = per_replication(results, "ALL", "sorties_lost_no_fuel") / \
        per_replication(results, "ALL", "sorties_demanded")
    assert_within(share, 0.3, 0.9, "share of the fleet's demand lost for want of fuel")
    for name in ELITE_TYPES:
        elite = per_replication(results, name, "sorties_lost_no_fuel") / \
            per_replication(results, name, "sorties_demanded")
        assert ci95(elite)[1] < 0.10, f"{name} loses {np.mean(elite):.2f} of its demand to fuel"
    for name in ("MiG-19/J-6", "MiG-15/17", "Il-28/H-5"):
        assert ci95(per_replication(results, name, "hours_per_pilot"))[1] < 20, name


@pytest.fixture(scope="module")
def horizon():
    """Replications of the whole horizon, 2019-2032 (the tables cover 2023-2032)."""
    scenario = load(SCENARIOS / "status_quo.toml")
    return [simulate(scenario, k, SEED) for k in range(HORIZON_REPLICATIONS)]


def mc_over(result, aircraft_type: str, first: str, last: str) -> float:
    """Time-weighted MC rate (flyable over possessed) over the months first..last (YYYY-MM)
    of one replication."""
    months = np.array(result.months)
    keep = (months >= first) & (months <= last)
    days = np.array([calendar.monthrange(int(m[:4]), int(m[5:]))[1] for m in months])[keep]
    flyable = result.monthly[aircraft_type]["flyable_aircraft"][keep]
    possessed = result.monthly[aircraft_type]["possessed_aircraft"][keep]
    return float((flyable * days).sum() / (possessed * days).sum())


@pytest.mark.slow
@pytest.mark.parametrize("aircraft_type, floor", [("ALL", 0.85), ("MiG-29", 0.60),
                                                  ("MiG-21/J-7", 0.80)])
def test_no_collapse_over_the_decade(horizon, aircraft_type, floor):
    # A steady or slowly declining trajectory: the MC rate of 2030-2032 keeps at least
    # `floor` of its 2023-2025 level (the uncalibrated file fell to about a third).
    ratio = [mc_over(r, aircraft_type, "2030-01", "2032-12") /
             mc_over(r, aircraft_type, "2023-01", "2025-12") for r in horizon]
    assert ci95(ratio)[0] >= floor, (
        f"{aircraft_type}: 2030-32 / 2023-25 MC ratio {np.mean(ratio):.2f},"
        f" 95% CI from {ci95(ratio)[0]:.2f}, below {floor}")


@pytest.mark.slow
def test_su25s_reach_their_sourced_calendar_life(horizon):
    # §2 "Su-25K": a 40-year calendar life, kept as sourced. The tails, 28-34 years old in
    # 2019, retire in 2025-2031 (status_quo_su25_life_50.toml shows a 50-year extension).
    for r in horizon:
        months = np.array(r.months)
        active = r.monthly["Su-25"]["active_aircraft"]
        assert active[months == "2024-12"][0] > 25
        assert active[months == "2031-12"][0] == 0


def test_transfer_variants_share_airframes_and_pilots():
    # transfer_airframes_only.toml copies russian_transfer.toml's deliveries, Su-27 airframe
    # and programme, and pilot conversions (each file extends status_quo.toml on its own):
    # the two must differ in the sustainment package only. transfer_sustainment_only.toml
    # carries the package without the airframes.
    full = load(SCENARIOS / "russian_transfer.toml")
    bare = load(SCENARIOS / "transfer_airframes_only.toml")
    package = load(SCENARIOS / "transfer_sustainment_only.toml")
    for name in ("MiG-29", "Su-27"):
        assert full.types[name].deliveries == bare.types[name].deliveries
        assert full.types[name].pilots.conversions == bare.types[name].pilots.conversions
    su27_full, su27_bare = full.types["Su-27"], bare.types["Su-27"]
    for key in ("count", "age_years", "airframe_life_hours", "sortie_hours", "turnaround_hours",
                "hours_per_pilot_per_year", "fuel_burn_t_per_hour", "accidents", "overhaul"):
        assert getattr(su27_full, key) == getattr(su27_bare, key), key
    assert su27_full.pilots == su27_bare.pilots
    assert not any(lru.supply for lru in su27_bare.lrus.values())
    assert "russia_transfer" not in bare.fuel["jet"].channels
    assert not package.types["MiG-29"].deliveries and "Su-27" not in package.types
    assert package.fuel["jet"].channels["russia_transfer"] == \
        full.fuel["jet"].channels["russia_transfer"]
    for kind, lru in full.types["MiG-29"].lrus.items():
        assert package.types["MiG-29"].lrus[kind].supply == lru.supply, kind


def mean_over(result, group: str, metric: str, first: str, last: str) -> float:
    months = np.array(result.months)
    keep = (months >= first) & (months <= last)
    return float(result.monthly[group][metric][keep].mean())


@pytest.mark.slow
def test_jet_fuel_stock_stays_bounded(horizon):
    # Issue 9: no stock grows without bound. Under the fuel budget the stock above the
    # wartime reserve is spent over a year's plan, so it stays within a few kt of the reserve.
    reserve = load(SCENARIOS / "status_quo.toml").fuel["jet"].reserve_t
    late = [mean_over(r, "ALL", "jet.fuel_stock_t", "2030-01", "2032-12") for r in horizon]
    early = [mean_over(r, "ALL", "jet.fuel_stock_t", "2023-01", "2025-12") for r in horizon]
    assert ci95(late)[1] < reserve + 3000
    assert ci95(np.subtract(late, early))[1] < 1000


@pytest.mark.slow
def test_a_maximum_effort_surge_generates_far_more_than_an_ordinary_day(horizon):
    # §5 "KPAAF sortie rate": <100 a day ordinarily, 650-700 on the first days of 2012-13
    # surges: a 3-day maximum effort with the reserve drawn reaches hundreds a day.
    surge = [r.values["ALL"]["surge_sorties_per_day"] for r in horizon]
    ordinary = [r.values["ALL"]["sorties"] / (10 * 365.25) for r in horizon]
    assert ci95(surge)[0] > 10 * max(ordinary)
