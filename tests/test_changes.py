"""Dated changes (`[[changes]]`): validated as their keys are, refused by name when a key
cannot change, bit-identical to the unchanged scenario before their date (common random
numbers), and with the response the field expects after it (Palm's pipeline follows a new
repair time, and comes back when the change is undone)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.model.world import simulate
from sim.scenario import ScenarioError, deep_merge, load, validate

from .helpers import BASE, SCENARIOS, interval

START = dt.date(2023, 1, 1)

# the small scenario with pilots, jet fuel, inspections, accidents and a fuel budget
RICH = deep_merge(BASE, {
    "run": {"years": 2.0},
    "flying": {"programme": "fuel_budget"},
    "fuel": {"jet": {"initial_t": 300.0, "reserve_t": 50.0, "priority": ["A"],
                     "channels": {"home": {"t_per_year": 2000.0, "cv": 0.3,
                                           "disruption_probability": 0.1}}}},
    "types": {"A": {
        "fleet_hours_per_day": None, "hours_per_pilot_per_year": 150.0,
        "min_hours_per_pilot_per_year": 20.0, "fuel": "jet", "fuel_burn_t_per_hour": 2.0,
        "pilots": {"count": 14, "intake_per_year": 2, "attrition_per_year": 0.1},
        "inspection": {"interval_flight_hours": 100.0, "days": 3.0, "docks": 1},
        "accidents": {"per_100k_flight_hours": 500.0},
    }},
})

# (key, value): one change per owner of a changeable key, each with an effect
CHANGES = [
    ("types.A.lrus.engine.repair_days.mean", 60.0),
    ("types.A.lrus.radar.repair_days", {"distribution": "lognormal", "mean": 50.0, "cv": 0.5}),
    ("types.A.lrus.engine.mtbf_flight_hours", 40.0),
    ("types.A.lrus.pump.calendar_failures_per_year", 3.0),
    ("types.A.lrus.radar.condemned_fraction", 1.0),
    ("types.A.lrus.radar.supply.domestic.units_per_year", 40.0),
    ("types.A.repair.channels", 1),
    ("types.A.hours_per_pilot_per_year", 20.0),
    ("types.A.pilots.attrition_per_year", 0.9),
    ("types.A.pilots.intake_per_year", 30.0),
    ("types.A.accidents.per_100k_flight_hours", 20000.0),
    ("types.A.inspection.days", 40.0),
    ("fuel.jet.channels.home.t_per_year", 300.0),
    ("fuel.jet.reserve_t", 400.0),
    ("cannibalization.policy", "none"),
]
DATE = dt.date(2024, 1, 1)  # month 12 of the run


def rich(changes: list[tuple[str, object, dt.date]] = (), **extra) -> dict:
    raw = deep_merge(RICH, extra)
    raw["changes"] = [{"date": d, "key": k, "value": v} for k, v, d in changes]
    return raw


@pytest.mark.parametrize("key,value", CHANGES, ids=[k for k, _ in CHANGES])
def test_months_before_a_change_are_bit_identical_and_it_acts_after(key, value):
    plain = simulate(validate(rich()), 3, 7)
    changed = simulate(validate(rich([(key, value, DATE)])), 3, 7)
    first = plain.months.index("2024-01")
    moved = False
    for group, metrics in plain.monthly.items():
        for metric, series in metrics.items():
            other = changed.monthly[group][metric]
            np.testing.assert_array_equal(series[:first], other[:first], err_msg=metric)
            moved |= not np.array_equal(series[first:], other[first:], equal_nan=True)
    assert moved, f"changing {key} changed nothing"


def test_changes_apply_in_date_order_whatever_the_file_order():
    late, early = dt.date(2024, 7, 1), dt.date(2024, 1, 1)
    key = "fuel.jet.channels.home.t_per_year"
    raw = rich([(key, 0.0, late), (key, 5000.0, early)])
    ordered = rich([(key, 5000.0, early), (key, 0.0, late)])
    a, b = simulate(validate(raw), 0, 1), simulate(validate(ordered), 0, 1)
    delivered = a.monthly["ALL"]["jet.fuel_delivered_t"]
    np.testing.assert_array_equal(delivered, b.monthly["ALL"]["jet.fuel_delivered_t"])
    months = list(a.months)
    assert delivered[months.index("2024-03")] > 300  # 5,000 t a year
    assert delivered[months.index("2024-08")] == 0    # then nothing


@pytest.mark.parametrize("change,where,words", [
    ({"key": "types.A.count", "value": 20}, "changes.0.key", "deliveries"),
    ({"key": "run.years", "value": 3}, "changes.0.key", "horizon"),
    ({"key": "types.A.lrus.engine.units_per_aircraft", "value": 3}, "changes.0.key", "design"),
    ({"key": "types.A.no_such_thing", "value": 3}, "changes.0.key", "can change"),
    ({"key": "types.B.lrus.engine.mtbf_flight_hours", "value": 3}, "changes.0.key",
     "names no value"),
    ({"key": "types.A.lrus.engine.mtbf_flight_hours", "value": -3}, "changes.0.value",
     "mtbf_flight_hours"),
    ({"key": "cannibalization.policy", "value": "sometimes"}, "changes.0.value", "policy"),
    ({"key": "types.A.repair.channels", "value": "unlimited"}, "changes.0.value", "finite"),
    ({"key": "types.A.lrus.radar.repair_days.cv", "value": 0.5}, "changes.0.value", "cv"),
])
def test_bad_changes_name_the_entry_and_say_why(change, where, words):
    raw = rich()
    raw["changes"] = [{"date": DATE, **change}]
    with pytest.raises(ScenarioError) as err:
        validate(raw)
    line = err.value.line()
    assert "\n" not in line and where in line and words in line, line


def test_a_change_before_the_start_is_refused_and_one_after_the_end_never_applies():
    raw = rich([("types.A.lrus.engine.mtbf_flight_hours", 100.0, dt.date(2022, 1, 1))])
    with pytest.raises(ScenarioError, match=r"changes\.0\.date: 2022-01-01 lies before"):
        validate(raw)
    late = rich([("types.A.lrus.engine.mtbf_flight_hours", 1.0, dt.date(2030, 1, 1))])
    with pytest.raises(ScenarioError, match=r"changes\.0\.value"):  # still checked ...
        validate(deep_merge(late, {"changes": [{"date": dt.date(2030, 1, 1),
                                                "key": "types.A.lrus.engine.mtbf_flight_hours",
                                                "value": -1.0}]}))
    a, b = simulate(validate(rich()), 0, 3), simulate(validate(late), 0, 3)  # ... never applied
    for metric, series in a.monthly["A"].items():
        np.testing.assert_array_equal(series, b.monthly["A"][metric], err_msg=metric)


def test_cli_validate_reports_a_bad_change_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    path = tmp_path / "bad.toml"
    path.write_text((SCENARIOS / "validation" / "p1_exponential.toml").read_text() +
                    '\n[[changes]]\ndate = 2025-01-01\nkey = "types.P1.count"\nvalue = 30\n')
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "changes.0.key" in lines[0] and str(path) in lines[0]


# -- Palm's theorem across a change of the repair time --------------------------------------

T1, T2, M = 12.0, 24.0, 0.4  # mean repair days before and after; removals a day (case P1)


def palm_with_changes():
    scenario = load(SCENARIOS / "validation" / "p1_exponential.toml", ["run.years=9"])
    raw = scenario.model_dump()
    raw["changes"] = [
        {"date": dt.date(2026, 1, 1), "key": "types.P1.lrus.unit.repair_days.mean", "value": T2},
        {"date": dt.date(2029, 1, 1), "key": "types.P1.lrus.unit.repair_days.mean", "value": T1},
    ]
    return scenario, validate(raw)


def window_means(results, months: tuple[str, ...], start: dt.date, end: dt.date,
                 settle_days: float) -> np.ndarray:
    """Each replication's mean pipeline over the months from `start` + settle to `end`."""
    first = dt.date.fromordinal(start.toordinal() + math.ceil(settle_days))
    keep = [i for i, m in enumerate(months)
            if dt.date(int(m[:4]), int(m[5:]), 1) >= first and
            dt.date(int(m[:4]), int(m[5:]), 1) < end]
    return np.array([r.monthly["P1"]["unit.in_repair"][keep].mean() for r in results])


@pytest.mark.slow
def test_palm_pipeline_follows_a_dated_repair_time_and_comes_back():
    plain, changed = palm_with_changes()
    runs = [simulate(changed, k, 2024) for k in range(16)]
    months = runs[0].months
    before = window_means(runs, months, dt.date(2023, 1, 1), dt.date(2026, 1, 1), 120)
    during = window_means(runs, months, dt.date(2026, 1, 1), dt.date(2029, 1, 1), 6 * T2)
    after = window_means(runs, months, dt.date(2029, 1, 1), dt.date(2032, 1, 1), 6 * T2)
    for x, level in ((before, M * T1), (during, M * T2), (after, M * T1)):
        low, high = interval(x)
        assert low <= level <= high, (level, low, high)
    # within one T2 of the change the pipeline has moved most of the way (1 - 1/e)
    first_month = window_means(runs, months, dt.date(2026, 2, 1), dt.date(2026, 3, 1), 0)
    assert first_month.mean() > M * T1 + 0.5 * M * (T2 - T1)
    # and before the first change the months are those of the scenario without changes
    base = simulate(plain, 0, 2024)
    cut = months.index("2026-01")
    np.testing.assert_array_equal(base.monthly["P1"]["unit.in_repair"][:cut],
                                  runs[0].monthly["P1"]["unit.in_repair"][:cut])
