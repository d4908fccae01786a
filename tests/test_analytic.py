"""Analytic checks (shared/reference/analytic-checks.md): the model reproduces queueing and
inventory theory in its special cases. Each reference value must lie inside the
simulation's confidence interval of the post-warm-up mean over independent replications.
A case checks several metrics at once, so each interval is widened (Bonferroni) for the
case as a whole to be covered with 99% confidence.
"""

import pytest
from sim.scenario import load

from .helpers import SCENARIOS, interval, replicate, values

REPLICATIONS = 24
P1_EBO, P1_FILL, P1_READY, P1_SHELF, P1_PIPELINE = (0.4199966062, 0.6510064373, 0.7908045842,
                                                     1.619996606, 4.8)


def check(results, aircraft_type, references: dict[str, float]) -> dict[str, float]:
    """Assert each reference lies in its interval; return the interval widths."""
    level = 1 - 0.01 / len(references)
    widths, misses = {}, []
    for metric, reference in references.items():
        low, high = interval(values(results, aircraft_type, metric), level)
        widths[metric] = high - low
        if not low <= reference <= high:
            misses.append(f"{metric}: {reference} outside [{low:.4f}, {high:.4f}]")
    assert not misses, "; ".join(misses)
    return widths


@pytest.fixture(scope="module")
def p1_runs():
    return {d: replicate(load(SCENARIOS / "validation" / f"p1_{d}.toml"), REPLICATIONS, 2024)
            for d in ("exponential", "deterministic", "lognormal")}


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("dist", ["exponential", "deterministic", "lognormal"])
def test_p1_palm_pipeline_and_expected_backorders(p1_runs, dist):
    widths = check(p1_runs[dist], "P1", {"unit.in_repair": P1_PIPELINE,
                                         "unit.backorders": P1_EBO,
                                         "unit.ready_rate": P1_READY})
    assert widths["unit.in_repair"] < 0.1 * P1_PIPELINE  # sees a day more or less of repair


def test_p1_fill_rate_shelf_and_removals(p1_runs):
    runs = p1_runs["exponential"]
    check(runs, "P1", {"unit.fill_rate": P1_FILL, "unit.stock": P1_SHELF})
    scen = load(SCENARIOS / "validation" / "p1_exponential.toml")
    years = (scen.run.horizon_days - scen.run.warmup_days) / 365
    per_year = values(runs, "P1", "unit.removals") / years
    low, high = interval(per_year)
    assert low <= 146 <= high


def test_f1_machine_repairman():
    runs = replicate(load(SCENARIOS / "validation" / "f1_machine_repairman.toml"), 40, 2024)
    widths = check(runs, "F1", {"nmcs_aircraft": 5.453308626, "mc_rate": 0.6970384097,
                                "repair_queue": 3.57130492, "repair_utilization": 0.9410018531,
                                "mean_downtime_days": 8.692823412})
    assert widths["mc_rate"] < 0.03


def test_f2_one_channel_per_aircraft():
    runs = replicate(load(SCENARIOS / "validation" / "f2_channel_per_aircraft.toml"),
                     REPLICATIONS, 2024)
    widths = check(runs, "F1", {"nmcs_aircraft": 2.347826087, "mc_rate": 0.8695652174})
    assert widths["mc_rate"] < 0.01


P1_OFO_PIPELINE, P1_OFO_EBO, P1_OFO_READY, P1_OFO_FILL = (8.4, 0.8833693701, 0.6659196977,
                                                          0.5368937988)


def test_p1_one_for_one_procurement_of_condemned_units():
    """Half the removals are condemned and reordered one for one (lead 30 days): Palm's
    pipeline, in repair plus on order, is Poisson(m ((1 - c) T + c L)) = Poisson(8.4)."""
    runs = replicate(load(SCENARIOS / "validation" / "p1_one_for_one.toml"), REPLICATIONS, 2024)
    pipeline = [r.values["P1"]["unit.in_repair"] + r.values["P1"]["unit.on_order"]
                for r in runs]
    for r, p in zip(runs, pipeline):
        r.values["P1"]["unit.pipeline"] = p
    check(runs, "P1", {"unit.pipeline": P1_OFO_PIPELINE, "unit.backorders": P1_OFO_EBO,
                       "unit.ready_rate": P1_OFO_READY, "unit.fill_rate": P1_OFO_FILL})
    low, high = interval(values(runs, "P1", "unit.on_order"))  # c m L = 0.5 * 0.4 * 30
    assert low <= 6.0 <= high
