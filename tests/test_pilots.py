"""Pilots: accident risk over a pilot's recent hours with its own reference (independent of
any reporting threshold), proficiency at several thresholds, the deciles of pilots' hours,
and the `cadre` assignment (issue 10, item 3). The response tests are paired: the same
seeds, one thing changed (common random numbers)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from sim.model.flying import risk_curve
from sim.model.world import World, simulate
from sim.scenario import ScenarioError, deep_merge, load, validate

from .helpers import SCENARIOS, interval, replicate, scenario, values
from .test_changes import RICH
from .test_mechanisms import no_failures

D2 = SCENARIOS / "validation" / "d2_pilot_hours.toml"
PROFICIENCY = ("pilots_over_", "crewed_fmc_", "proficient_pilots")

# RICH (pilots, fuel budget, inspections, accidents) with a risk curve that matters: pilots
# fly ~55-80 h a year against a reference of 50
CURVED = deep_merge(RICH, {"types": {"A": {"accidents": {
    "per_100k_flight_hours": 500.0, "reference_12m_hours": 50.0,
    "risk_hours": [0.0, 50.0, 150.0], "risk_multiplier": [3.0, 2.0, 1.0],
    "age_factor_per_year": 0.05}}}})


def _curve_value(curve, h):
    xs, ys, slopes = curve
    i = max(0, int(np.searchsorted(xs, h, side="right")) - 1)
    return ys[i] + slopes[i] * (h - xs[i])


def test_the_risk_curve_is_one_at_its_reference_and_flat_beyond_its_last_point():
    curve = risk_curve([0, 20, 40, 180], [2.5, 2.0, 2.0, 1.0], 25.0)
    assert _curve_value(curve, 25.0) == pytest.approx(1.0)
    assert _curve_value(curve, 0.0) == pytest.approx(1.25)
    assert _curve_value(curve, 110.0) == pytest.approx(0.75)
    assert _curve_value(curve, 180.0) == _curve_value(curve, 5000.0) == pytest.approx(0.5)
    on_type = risk_curve([0, 500], [2.0, 1.0], math.inf)  # hours on type: 1 beyond 500 h
    assert _curve_value(on_type, 0.0) == 2.0 and _curve_value(on_type, 800.0) == 1.0
    assert risk_curve([0, 100], [1.5, 1.5], 50.0) is None  # flat: no work on landing


def test_changing_only_the_proficiency_thresholds_leaves_every_other_output_bit_identical():
    """The issue's words: changing only the proficiency thresholds leaves every output but
    the proficiency metrics bit-identical under CRN."""
    one = validate(deep_merge(CURVED, {"types": {"A": {"pilots": {"proficiency_hours": 60}}}}))
    many = validate(deep_merge(CURVED, {"types": {"A": {"pilots": {
        "proficiency_hours": [5, 30, 80, 120, 180]}}}}))
    for rep in range(2):
        a, b = simulate(one, rep, 11), simulate(many, rep, 11)
        assert a.values["A"]["losses"] > 0 and a.values["A"]["pilots_lost"] >= 0
        moved = False
        for group in a.monthly:
            names = {m for m in a.monthly[group] if not m.startswith(PROFICIENCY)}
            assert names == {m for m in b.monthly[group] if not m.startswith(PROFICIENCY)}
            for name in names:
                np.testing.assert_array_equal(a.monthly[group][name], b.monthly[group][name],
                                              err_msg=f"{group} {name}")
                assert a.values[group][name] == b.values[group][name] or (
                    math.isnan(a.values[group][name]) and math.isnan(b.values[group][name]))
            moved |= not np.array_equal(a.monthly[group]["proficient_pilots"],
                                        b.monthly[group]["proficient_pilots"])
        assert moved  # the thresholds themselves do report
        assert "pilots_over_5h" in b.values["ALL"] and "pilots_over_5h" not in a.values["ALL"]


def _hours_scenario(pilots: int, multiplier: list[float]):
    """40 tails flying 20 FH a day, shared by `pilots` pilots; nothing fails."""
    return scenario(no_failures(1.0, count=40, fleet_hours_per_day=20.0,
                                pilots={"count": pilots, "max_sorties_per_day": 2},
                                accidents={"per_100k_flight_hours": 100.0,
                                           "reference_12m_hours": 200.0,
                                           "risk_hours": [0.0, 200.0],
                                           "risk_multiplier": multiplier,
                                           "pilot_loss_probability": 0.0}))


@pytest.mark.parametrize("steep", [True, False], ids=["higher_at_low_hours", "flat"])
def test_a_curve_higher_at_low_hours_loses_more_when_pilots_fly_fewer_hours(steep):
    """The same fleet hours flown by 60 pilots (~120 h a year each) or by 15 (~490 h): with
    a curve higher at low hours the many pilots lose more aircraft (paired over 30
    replications, 99% interval); with a flat curve the pilots change nothing at all."""
    curve = [4.0, 1.0] if steep else [1.0, 1.0]
    many = replicate(_hours_scenario(60, curve), 30, 3)
    few = replicate(_hours_scenario(15, curve), 30, 3)
    diff = values(many, "A", "losses") - values(few, "A", "losses")
    if steep:
        low, high = interval(diff)
        assert low > 0, (low, high)
        rate = values(many, "A", "losses_per_100k_fh")
        assert rate.mean() > 150  # ~2.2x the 100 of a pilot at the reference
    else:
        assert not diff.any()


def test_losses_per_100k_fh_is_losses_over_flight_hours_in_every_group():
    result = simulate(validate(CURVED), 0, 4)
    for group in ("A", "ALL"):
        v = result.values[group]
        assert v["losses_per_100k_fh"] == pytest.approx(v["losses"] / v["flight_hours"] * 1e5)
        monthly = result.monthly[group]
        flown = monthly["flight_hours"] > 0
        np.testing.assert_allclose(monthly["losses_per_100k_fh"][flown],
                                   monthly["losses"][flown] / monthly["flight_hours"][flown] * 1e5)


# ---- proficiency at several thresholds, deciles


def test_thresholds_count_pilots_and_crewed_tails_and_all_sums_them():
    raw = deep_merge(CURVED, {"types": {
        "A": {"pilots": {"proficiency_hours": [20, 50.5, 100]}},
        "B": {"count": 3, "sortie_hours": 1.0, "hours_per_pilot_per_year": 10.0,
              "pilots": {"count": 5, "initial_12m_hours": 30.0,
                         "proficiency_hours": [20, 40]}}}})
    result = simulate(validate(raw), 0, 2)
    a, b, fleet = (result.monthly[g] for g in ("A", "B", "ALL"))
    first = {name: series[0] for name, series in a.items()}  # the month from time 0
    assert first["pilots_over_20h"] == first["pilots_over_50p5h"] == 0  # 0 initial hours
    assert first["crewed_fmc_100h"] == first["crewed_fmc_aircraft"] == 0
    assert b["pilots_over_20h"][0] == 5 and b["crewed_fmc_20h"][0] == 3  # 3 tails, 5 pilots
    for name in ("pilots_over_20h", "crewed_fmc_20h"):
        np.testing.assert_array_equal(fleet[name], a[name] + b[name])
    np.testing.assert_array_equal(fleet["pilots_over_40h"], b["pilots_over_40h"])
    np.testing.assert_array_equal(a["proficient_pilots"], a["pilots_over_100h"])
    np.testing.assert_array_equal(a["crewed_fmc_aircraft"], a["crewed_fmc_100h"])
    assert (a["pilots_over_20h"] >= a["pilots_over_50p5h"]).all()
    assert (a["pilots_over_50p5h"] >= a["pilots_over_100h"]).all()
    assert (a["crewed_fmc_20h"] <= a["pilots_over_20h"]).all()
    assert a["pilots_over_20h"][-1] > 0


def test_deciles_per_type_and_of_all_pilots_pooled():
    raw = deep_merge(CURVED, {"run": {"years": 0.05}, "types": {
        "A": {"pilots": {"initial_12m_hours": 12.0}},
        "B": {"count": 3, "sortie_hours": 1.0, "hours_per_pilot_per_year": 10.0,
              "pilots": {"count": 6, "initial_12m_hours": 36.0}}}})
    result = simulate(validate(raw), 0, 2)
    pooled = [12.0] * 14 + [36.0] * 6  # the sample at time 0
    for q in (10, 50, 70, 80, 90):
        assert result.monthly["A"][f"pilot_12m_hours_p{q}"][0] == pytest.approx(12.0)
        assert result.monthly["B"][f"pilot_12m_hours_p{q}"][0] == pytest.approx(36.0)
        assert result.monthly["ALL"][f"pilot_12m_hours_p{q}"][0] == pytest.approx(
            np.percentile(pooled, q))


# ---- assignment policies


def test_d2_stays_exact_under_equal_and_fewest_hours_is_its_old_name():
    plain = load(D2)
    assert plain.flying.pilot_assignment == "equal"
    old = validate(deep_merge(plain.model_dump(), {"flying": {"pilot_assignment": "fewest_hours"}}))
    world = World(plain, 0, 1)
    world.run()
    assert [p.total for p in world.squadrons[0].crew.pilots] == [72.0] * 30
    other = World(old, 0, 1)
    other.run()
    assert [p.total for p in other.squadrons[0].crew.pilots] == [72.0] * 30


def _d2_cadre(n: int, hours: float):
    raw = deep_merge(load(D2).model_dump(), {
        "flying": {"pilot_assignment": "cadre"},
        "types": {"D2": {"pilots": {"cadre_pilots": n, "cadre_hours_per_year": hours}}}})
    world = World(validate(raw), 0, 1)
    world.run()
    return [p.total for p in world.squadrons[0].crew.pilots]


def test_a_cadre_reaches_its_target_exactly_in_the_deterministic_case():
    """The issue's words: with a cadre policy, N pilots reach H hours whenever N x H is
    within the hours the type flies (exact in a deterministic case). D2 flies 1,440 sorties
    of 1.5 FH in 30 days, 48 a day, two a day at most per pilot: a cadre of 6 with a target
    of 60 FH flies 12 sorties a day until it reaches 60.0 FH on day 20; the 24 others share
    the remaining 1,200 sorties, 75.0 FH each."""
    hours = _d2_cadre(6, 60.0)
    assert hours[:6] == [60.0] * 6
    assert hours[6:] == [75.0] * 24
    assert sum(hours) == 2160.0


def test_a_cadre_above_the_hours_the_type_can_give_flies_all_it_can():
    hours = _d2_cadre(6, 1000.0)  # beyond two sorties a day for 30 days
    assert hours[:6] == [90.0] * 6  # 60 sorties each: every one a pilot may fly
    assert sum(hours) == 2160.0


def test_a_cadre_keeps_n_pilots_at_its_target_over_a_long_run():
    """Stochastic: 40 tails fly 7,300 FH a year; a cadre of 5 at 300 FH (1,500 of them) is
    kept at its target through three years, refilled as pilots leave, while the others
    share the rest (~230 FH each)."""
    raw = no_failures(3.0, count=40, fleet_hours_per_day=20.0,
                      pilots={"count": 30, "max_sorties_per_day": 2, "attrition_per_year": 0.3,
                              "intake_per_year": 9.0, "cadre_pilots": 5,
                              "cadre_hours_per_year": 300.0})
    raw["flying"] = {"pilot_assignment": "cadre"}
    world = World(scenario(raw), 0, 5)
    world.run()
    crew = world.squadrons[0].crew
    now = world.env.now
    cadre = [p for p in crew.roster if p.active and p.cadre]
    assert len(cadre) == 5 and crew.cadre_count == 5
    first = [p for p in cadre if p.serial < 5]  # in the cadre from the start
    assert first and all(p.expire(now) >= 0.9 * 300.0 for p in first)
    rest = [p.expire(now) for p in crew.roster if p.active and not p.cadre]
    assert max(rest) < 300.0
    assert sum(p.cadre for p in crew.pilots) > 5  # some left and were replaced


def test_converts_and_intake_can_be_elite_and_an_elite_pilot_refills_the_cadre():
    conversion = {"from_type": "intake", "pilots": 4, "elite": 3,
                  "start_date": dt.date(2023, 2, 1), "duration_days": 10}
    raw = deep_merge(CURVED, {"run": {"years": 1.0}, "flying": {"pilot_assignment": "cadre"},
                              "types": {"A": {"pilots": {
                                  "count": 0, "intake_per_year": 12.0, "intake_elite_share": 0.25,
                                  "cadre_pilots": 2, "cadre_hours_per_year": 50.0,
                                  "conversions": {"c": conversion}}}}})
    world = World(validate(raw), 0, 5)
    world.run()
    crew = world.squadrons[0].crew
    joined = crew.pilots
    intake = len(joined) - 4
    assert sum(p.elite for p in joined) == 3 + intake // 4  # 3 converts, every 4th intake
    assert joined[0].cadre and joined[1].cadre  # the first two pilots to join
    assert all(p.before == 0.0 for p in joined)  # new pilots: no hours on the type
    before = [p for p in crew.roster if p.active and p.cadre]
    elite = [p for p in crew.roster if p.active and p.elite and not p.cadre]
    assert len(before) == 2 and elite
    crew.leave(before[0])
    after = [p for p in crew.roster if p.active and p.cadre]
    assert crew.cadre_count == len(after) == 2
    newcomer, = (p for p in after if p not in before)
    assert newcomer in elite  # an elite pilot of the pool first


def test_intake_elite_share_is_every_nth_pilot_without_randomness():
    raw = deep_merge(CURVED, {"types": {"A": {"pilots": {
        "count": 0, "intake_per_year": 24.0, "intake_elite_share": 0.25}}}})
    world = World(validate(raw), 0, 5)
    world.run()
    elite = [p.elite for p in world.squadrons[0].crew.pilots]
    assert elite[:8] == [False, False, False, True] * 2


# ---- bad input


@pytest.mark.parametrize("pilots, words", [
    ({"proficiency_hours": [50, 20]}, "proficiency_hours: ascending"),
    ({"proficiency_hours": [1, 2, 3, 4, 5, 6, 7]}, "proficiency_hours: List should have at most 6"),
    ({"proficiency_hours": []}, "proficiency_hours: List should have at least 1"),
    ({"proficiency_hours": [0]}, "proficiency_hours.0: Input should be greater than 0"),
    ({"cadre_pilots": 3}, "cadre_hours_per_year: give the cadre's target"),
])
def test_bad_pilots_name_their_key(pilots, words):
    with pytest.raises(ScenarioError, match="types.A.pilots.") as exc:
        validate(deep_merge(RICH, {"types": {"A": {"pilots": pilots}}}))
    assert words in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize("accidents, words", [
    ({"risk_hours": [0, 10], "risk_multiplier": [1.0]}, "risk_multiplier: 1 values for 2"),
    ({"risk_hours": [5], "risk_multiplier": [1.0]}, "risk_hours: the curve starts at 0"),
    ({"risk_hours": [0, 10, 10], "risk_multiplier": [1, 1, 1]}, "risk_hours: ascending"),
    ({"risk_hours": [0, 10], "risk_multiplier": [1, 0]}, "risk_multiplier.1: Input should be"),
    ({"type_risk_hours": [0, 500], "type_risk_multiplier": [2.0]}, "type_risk_multiplier: 1"),
    ({"low_proficiency_factor": 2.5}, "low_proficiency_factor: unknown key (replaced by"),
])
def test_bad_accidents_name_their_key(accidents, words):
    with pytest.raises(ScenarioError, match="types.A.accidents.") as exc:
        validate(deep_merge(RICH, {"types": {"A": {"accidents": accidents}}}))
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_a_cadre_needs_the_cadre_policy():
    with pytest.raises(ScenarioError, match="cadre_pilots: only with"):
        validate(deep_merge(RICH, {"types": {"A": {"pilots": {
            "cadre_pilots": 2, "cadre_hours_per_year": 50.0}}}}))


def test_a_dated_change_of_the_risk_curve_applies():
    change = {"date": dt.date(2024, 1, 1), "key": "types.A.accidents.risk_multiplier",
              "value": [3.0, 2.0, 12.0]}  # pilots fly ~75 h: 2.25x above the reference
    raw = deep_merge(CURVED, {})
    raw["changes"] = [change]
    before = after = 0.0
    for rep in range(6):
        plain, changed = simulate(validate(CURVED), rep, 3), simulate(validate(raw), rep, 3)
        first = plain.months.index("2024-01")
        np.testing.assert_array_equal(plain.monthly["A"]["losses"][:first],
                                      changed.monthly["A"]["losses"][:first])
        before += plain.monthly["A"]["losses"][first:].sum()
        after += changed.monthly["A"]["losses"][first:].sum()
    assert after > before


@pytest.mark.parametrize("changes, words", [
    ({"accidents": {"per_100k_flight_hours": 20.0, "low_proficiency_factor": 2.5}},
     "types.A.accidents.low_proficiency_factor: unknown key (replaced by risk_hours"),
    ({"pilots": {"count": 4, "proficiency_hours": [100, 50]}},
     "types.A.pilots.proficiency_hours: ascending"),
    ({"accidents": {"per_100k_flight_hours": 20.0, "risk_hours": [0, 40],
                    "risk_multiplier": [2.0]}},
     "types.A.accidents.risk_multiplier: 1 values for 2 risk_hours"),
])
def test_bad_pilot_and_accident_keys_are_one_line_naming_file_and_key(tmp_path, changes, words):
    from typer.testing import CliRunner

    from sim.cli import app

    from .helpers import write_scenario
    from .test_bad_input import one_line_error

    path = write_scenario(tmp_path, "bad", {"types": {"A": changes}})
    line = one_line_error(CliRunner().invoke(app, ["validate", str(path)]))
    assert str(path) in line and words in line, line
