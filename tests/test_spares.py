"""The spares optimiser: monotone in stock and budget, optimal where it can be checked by
brute force, and the fragments it writes merge into a scenario."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from sim.scenario import validate
from sim.screen import screen_type
from sim.spares import (SparesError, channel_fragment, cost_of, curve, evaluate, merged,
                        without_channel)

KINDS = ("engine", "radar", "pump")


@st.composite
def fleets(draw, policy=None, calendar=True, finite=True):
    """A one-type fleet of 2-3 LRU kinds with costs, in the fleet programme."""
    n_kinds = draw(st.integers(2, 3))
    lrus = {}
    for kind in KINDS[:n_kinds]:
        lrus[kind] = {
            "units_per_aircraft": draw(st.integers(1, 2)),
            "mtbf_flight_hours": draw(st.floats(40, 400)),
            "calendar_failures_per_year": draw(st.sampled_from([0.0, 0.2])) if calendar else 0.0,
            "repair_days": {"distribution": "exponential", "mean": draw(st.floats(5, 40))},
            "condemned_fraction": draw(st.sampled_from([0.0, 0.05])) if calendar else 0.0,
            "initial_stock": draw(st.integers(0, 3)),
            "unit_cost_musd": draw(st.sampled_from([0.2, 0.5, 1.0, 1.5, 2.5])),
        }
    channels = draw(st.sampled_from(["unlimited", 3, 6])) if finite else "unlimited"
    return validate({
        "name": "gen", "run": {"years": 2.0},
        "flying": {"programme": "fleet_hours", "window_hours": 24},
        "cannibalization": {"policy": policy or draw(st.sampled_from(["none", "full"]))},
        "types": {"A": {"count": draw(st.integers(4, 14)), "sortie_hours": 1.0,
                        "fleet_hours_per_day": draw(st.floats(2, 16)),
                        "repair": {"channels": channels}, "lrus": lrus}}})


NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]  # a failing example as drawn
# Derandomized: the same examples every run, so CI is stable. Random search (several hundred
# examples, checked once) finds no counter-example since the finite shop's wait became the
# unknown of its fixed point (iterating the flows oscillated: a spare could lower FMC by
# 0.001) and the budget's remainder is filled by search (greedy fill points were not
# efficient).
SETTINGS = settings(max_examples=25, deadline=None, phases=NO_SHRINK, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(fleets(), st.sampled_from(KINDS), st.integers(1, 3))
def test_adding_stock_never_lowers_availability(scen, kind, units):
    kind = kind if kind in scen.types["A"].lrus else "engine"
    before = screen_type(scen, "A")
    after = screen_type(scen, "A", extra={kind: units})
    assert after.fmc >= before.fmc - 1e-9
    assert after.nmcs <= before.nmcs + 1e-9  # under the scenario's own policy


@SETTINGS
@given(fleets(), st.floats(0, 5))
def test_the_curve_is_non_decreasing(scen, budget):
    points = curve(scen, "A", budget)
    costs = [p.cost_musd for p in points]
    fmc = [p.fmc for p in points]
    assert costs == sorted(costs) and costs[-1] <= budget + 1e-9
    assert all(b >= a - 1e-9 for a, b in zip(fmc, fmc[1:]))
    steps = [p for p in points if p.efficient]
    assert all(sum(q.package.values()) > sum(p.package.values())
               for p, q in zip(steps, steps[1:]))  # every efficient step buys something
    assert all(p.efficient for p in points[:-1])  # only the last may fill the remainder
    if not points[-1].efficient:  # a fill gains on the last efficient package
        assert points[-1].fmc > steps[-1].fmc


@settings(max_examples=12, deadline=None, phases=NO_SHRINK, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(fleets(policy="none", calendar=False, finite=False))
def test_greedy_is_optimal_at_every_point_by_brute_force(scen):
    """Without cannibalization (NMCS about the sum of convex EBOs) no package of the same or
    lower cost beats the greedy one at an efficient point of its curve by more than 0.02 FMC: marginal
    analysis is exact for a separable convex objective, and E[min(N, sum of backorders)]
    bends that sum a little where the backorders approach the fleet (a case found by
    hypothesis: 5.932 against 5.946 FMC)."""
    points = curve(scen, "A", 6.0)
    kinds = list(scen.types["A"].lrus)
    top = {k: max(p.package[k] for p in points) + 2 for k in kinds}
    best: list[tuple[float, float]] = []
    for combo in itertools.product(*(range(top[k] + 1) for k in kinds)):
        package = dict(zip(kinds, combo))
        cost = cost_of(scen, "A", package)
        if cost <= 6.0 + 1e-9:
            best.append((cost, evaluate(scen, "A", package, None).fmc))
    assert all(p.efficient for p in points[:-1])
    for p in points:  # efficient steps for their own cost, the filled last one for the budget
        budget = p.cost_musd if p.efficient else 6.0
        rival = max(f for c, f in best if c <= budget + 1e-9)
        assert p.fmc >= rival - 0.02, (p, rival)


def test_only_the_binding_kind_pays_under_full_cannibalization():
    """With full cannibalization a unit of a kind far from binding buys almost nothing, a
    unit of the binding kind buys most of an aircraft; the greedy buys the binding kind."""
    scen = validate({
        "name": "bind", "flying": {"programme": "fleet_hours", "window_hours": 24},
        "cannibalization": {"policy": "full"},
        "types": {"A": {"count": 20, "sortie_hours": 1.0, "fleet_hours_per_day": 20,
                        "lrus": {
            "radar": {"mtbf_flight_hours": 50, "repair_days": {"mean": 30},
                      "unit_cost_musd": 1.0},
            "engine": {"units_per_aircraft": 2, "mtbf_flight_hours": 400,
                       "repair_days": {"mean": 30}, "initial_stock": 4,
                       "unit_cost_musd": 1.0}}}}})
    base = screen_type(scen, "A")
    assert base.binding == "radar"
    radar = screen_type(scen, "A", extra={"radar": 6}).fmc - base.fmc
    engine = screen_type(scen, "A", extra={"engine": 6}).fmc - base.fmc
    assert radar > 4.0 and engine < 0.2
    first = curve(scen, "A", 3.0)[1]
    assert first.package == {"radar": 1, "engine": 0}


def test_target_fmc_stops_the_curve():
    scen = validate({
        "name": "t", "flying": {"programme": "fleet_hours", "window_hours": 24},
        "cannibalization": {"policy": "none"},
        "types": {"A": {"count": 10, "sortie_hours": 1.0, "fleet_hours_per_day": 10,
                        "lrus": {"radar": {"mtbf_flight_hours": 60, "repair_days": {"mean": 20},
                                           "unit_cost_musd": 1.0}}}}})
    points = curve(scen, "A", target_fmc=9.0)
    assert points[-1].fmc >= 9.0 > points[-2].fmc


def test_bad_questions_name_their_key():
    scen = validate({
        "name": "b", "flying": {"programme": "fleet_hours"},
        "types": {"A": {"count": 4, "sortie_hours": 1.0, "fleet_hours_per_day": 4,
                        "lrus": {"radar": {"mtbf_flight_hours": 60, "unit_cost_musd": 1.0},
                                 "pump": {"mtbf_flight_hours": 90}}}}})
    with pytest.raises(SparesError, match="types.A.lrus.pump.unit_cost_musd"):
        curve(scen, "A", 2.0)
    with pytest.raises(SparesError, match="--type"):
        curve(scen, "B", 2.0)
    with pytest.raises(SparesError, match="--budget"):
        curve(scen, "A", -1.0)


def test_fragments_merge_into_the_scenario():
    scen = validate({
        "name": "f", "flying": {"programme": "fleet_hours"},
        "types": {"A": {"count": 4, "sortie_hours": 1.0, "fleet_hours_per_day": 4,
                        "lrus": {"radar": {"mtbf_flight_hours": 60, "unit_cost_musd": 1.0,
                                           "supply": {"hand": {"units": 3}}}}}}})
    package = merged(scen, "opt", without_channel("A", scen, "hand"),
                     channel_fragment("A", {"radar": 2}, "optimised_spares"))
    supply = package.types["A"].lrus["radar"].supply
    assert supply["hand"].units == 0 and supply["optimised_spares"].units == 2
    assert package.name == "opt"
