"""The scenario schema: validation, unknown keys, ranges, inheritance and overrides."""

import math

import pytest

from sim.cli import to_toml
from sim.scenario import ScenarioError, apply_override, dump, load

from .helpers import BASE, SCENARIOS, scenario


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


MINIMAL = """
name = "mini"
[types.A]
count = 3
sortie_hours = 1.0
fleet_hours_per_day = 2.0
[types.A.lrus.radar]
mtbf_flight_hours = 100
"""


def test_minimal_file_gets_defaults(tmp_path):
    s = load(write(tmp_path, "mini.toml", MINIMAL))
    assert s.name == "mini"
    assert s.run.years == 10 and s.cannibalization.policy == "full"
    assert s.types["A"].lrus["radar"].repair_days.mean == 30
    assert math.isinf(s.types["A"].airframe_life_hours)


def test_name_defaults_to_file_stem(tmp_path):
    s = load(write(tmp_path, "noname.toml", MINIMAL.replace('name = "mini"', "")))
    assert s.name == "noname"


@pytest.mark.parametrize("text, key, words", [
    (MINIMAL + "colour = 1\n", "types.A.lrus.radar.colour", "unknown key"),
    (MINIMAL.replace("count = 3", "count = -1"), "types.A.count", "greater than or equal"),
    (MINIMAL.replace("sortie_hours = 1.0", 'sortie_hours = "long"'), "types.A.sortie_hours",
     "valid number"),
    (MINIMAL + "units_per_aircraft = 0\n", "types.A.lrus.radar.units_per_aircraft",
     "greater than or equal"),
    (MINIMAL.replace("fleet_hours_per_day = 2.0", ""), "types.A.fleet_hours_per_day",
     "required when"),
    (MINIMAL + 'repair_days = { distribution = "lognormal", mean = 3 }\n',
     "types.A.lrus.radar.repair_days.cv", "needs cv"),
    (MINIMAL + '[ranges]\n"types.A.count" = [5, 9]\n', "ranges.types.A.count", "outside"),
    (MINIMAL + '[ranges]\n"types.A.colour" = [5, 9]\n', "ranges.types.A.colour", "no such key"),
    (MINIMAL + "[run]\nyears = 1\nwarmup_days = 400\n", "run.warmup_days", "not shorter"),
])
def test_bad_values_name_file_and_dotted_key(tmp_path, text, key, words):
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ScenarioError) as info:
        load(path)
    line = info.value.line()
    assert line.startswith(f"{path}: {key}: "), line
    assert words in line
    assert "\n" not in line


def test_malformed_toml_names_file_and_line(tmp_path):
    path = write(tmp_path, "broken.toml", "name = \n[types.A\n")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert str(path) in info.value.line() and "line 1" in info.value.line()


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load(tmp_path / "nope.toml")


def test_extends_deep_merges_and_child_wins(tmp_path):
    write(tmp_path, "base.toml", MINIMAL)
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\nname = "child"\n'
                  "[types.A]\ncount = 7\n[types.A.lrus.radar]\ninitial_stock = 2\n")
    s = load(child)
    assert s.name == "child"
    assert s.types["A"].count == 7
    assert s.types["A"].sortie_hours == 1.0            # inherited
    assert s.types["A"].lrus["radar"].initial_stock == 2
    assert s.types["A"].lrus["radar"].mtbf_flight_hours == 100


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="circular"):
        load(tmp_path / "a.toml")


def test_errors_in_a_base_file_name_the_base(tmp_path):
    base = write(tmp_path, "base.toml", MINIMAL.replace("count = 3", "count = [1"))
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n')
    with pytest.raises(ScenarioError) as info:
        load(child)
    assert info.value.path == str(base)


def test_overrides_are_validated(tmp_path):
    path = write(tmp_path, "mini.toml", MINIMAL)
    s = load(path, ["types.A.count=9", 'cannibalization.policy="none"', "run.years=2.5"])
    assert (s.types["A"].count, s.cannibalization.policy, s.run.years) == (9, "none", 2.5)
    assert load(path, ["cannibalization.policy=capped"]).cannibalization.policy == "capped"
    with pytest.raises(ScenarioError) as info:
        load(path, ["types.A.count=-4"])
    assert "types.A.count" in info.value.line()
    with pytest.raises(ScenarioError, match="unknown key"):
        load(path, ["types.A.wings=2"])
    with pytest.raises(ScenarioError, match="dotted.key=value"):
        load(path, ["types.A.count"])


def test_override_creates_nested_tables():
    raw = {}
    apply_override(raw, "types.B.lrus.x.mtbf_flight_hours=50")
    assert raw == {"types": {"B": {"lrus": {"x": {"mtbf_flight_hours": 50}}}}}


def test_scenario_is_frozen():
    s = scenario()
    with pytest.raises(Exception):
        s.name = "other"


def test_show_round_trips_through_toml(tmp_path):
    s = scenario()
    text = to_toml(dump(s))
    again = load(write(tmp_path, "again.toml", text))
    assert again == s


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.toml")), ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    load(path)


def test_base_fixture_is_valid():
    assert scenario().types["A"].count == BASE["types"]["A"]["count"]
